import type { ApolloServerPlugin } from '@apollo/server';
import { FieldNode, Kind } from 'graphql';
import type { RequestContext } from '../request-context';
import { logger } from '../core/logger';
import { AuditEntry } from './audit-entry.entity';

const MAX_INPUT = 4000;

/**
 * Records every mutation that ran, in one place for all domains: a write path cannot forget it.
 * A dry run is recorded too (its input says so); refused requests never reach execution.
 */
export function auditPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, contextValue, request, errors, response }) {
          if (operation?.operation !== 'mutation' || !contextValue.access) return;
          const fields = operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD).map((f) => f.name.value);
          const failed = Boolean(errors?.length) || (response.body.kind === 'single' && Boolean(response.body.singleResult.errors?.length));
          const { viewer } = contextValue.access;
          const entry: Partial<AuditEntry> = {
            unitId: viewer.unit.id,
            unitCode: viewer.unit.code,
            subject: viewer.subject.slice(0, 128),
            role: viewer.role,
            operation: fields.join(', ').slice(0, 255),
            input: JSON.stringify(request.variables ?? {}).slice(0, MAX_INPUT),
            succeeded: !failed,
            recordedAt: new Date().toISOString(),
          };
          try {
            await contextValue.dataSource.getRepository(AuditEntry).insert(entry);
          } catch (error) {
            logger.error('audit entry not written', { requestId: contextValue.requestId, error: error instanceof Error ? error.message : String(error) });
          }
        },
      };
    },
  };
}
