import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { FieldNode, Kind } from 'graphql';
import type { RequestContext } from '../request-context';
import { logger } from '../core/logger';
import { unwrapResolverError } from '@apollo/server/errors';
import { databaseFault } from '../core/database-faults';
import { announceDataChange } from '../core/data-version';
import { currentRequestScope } from '../core/request-scope';
import { AuditEntry } from './audit-entry.entity';

const MAX_INPUT = 4000;

function entryFor(request: GraphQLRequestContext<RequestContext>, succeeded: boolean): Partial<AuditEntry> | null {
  const { operation, contextValue } = request;
  if (operation?.operation !== 'mutation' || !contextValue.access) return null;
  const fields = operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD).map((f) => f.name.value);
  const { viewer } = contextValue.access;
  return {
    unitId: viewer.unit.id,
    unitCode: viewer.unit.code,
    subject: viewer.subject.slice(0, 128),
    role: viewer.role,
    operation: fields.join(', ').slice(0, 255),
    input: JSON.stringify(request.request.variables ?? {}).slice(0, MAX_INPUT),
    succeeded,
    recordedAt: new Date().toISOString(),
  };
}

/**
 * Records every mutation that ran, in one place for all domains: a write path cannot forget it.
 * A write's entry is inserted inside its own transaction, just before COMMIT (through the request
 * scope that withWriteTransaction runs): the change and its entry commit together or not at all.
 * A mutation that committed nothing (refused, failed, or a dry run that wrote no transaction) is
 * recorded after the answer instead, unless the database itself failed (busy or gone). Refused requests never reach execution.
 */
export function auditPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      let committed = 0;
      return {
        async executionDidStart(request) {
          const scope = currentRequestScope();
          if (!scope || !entryFor(request, true)) return;
          scope.beforeCommit = async (manager) => {
            await manager.getRepository(AuditEntry).insert(entryFor(request, true) as Partial<AuditEntry>);
          };
          scope.afterCommit = () => {
            committed += 1;
          };
        },
        async willSendResponse(request) {
          if (committed) return;
          const { errors, response } = request;
          // A database that refused the write would refuse (or stall) its entry too: the log has it.
          if (errors?.some((e) => databaseFault(unwrapResolverError(e)))) return;
          const failed = Boolean(errors?.length) || (response.body.kind === 'single' && Boolean(response.body.singleResult.errors?.length));
          const entry = entryFor(request, !failed);
          if (!entry) return;
          try {
            await request.contextValue.dataSource.getRepository(AuditEntry).insert(entry);
            // The audit log is data too: a cached auditLog answer must not outlive this entry.
            await announceDataChange(request.contextValue.dataSource);
          } catch (error) {
            logger.error('audit entry not written', { requestId: request.contextValue.requestId, error: error instanceof Error ? error.message : String(error) });
          }
        },
      };
    },
  };
}
