import DataLoader from 'dataloader';
import { restrictRows } from '../auth/row-kinds';
import type { ScopedContext } from '../auth/scope';
import { ObservationStatus } from '../indicators/indicator-enums';
import { ObservationRevision } from './observation-revision.entity';

/**
 * Per-request loaders of observation revisions, by the revision row kind (auth/row-kinds.ts): of
 * observations the viewer may see and, for a STATISTICS_OFFICE, the revisions that approved a value
 * only, each with its old components only when they were approved too: no value that was never
 * approved reaches it through a history or node(id:).
 */
export function createObservationLoaders(ctx: ScopedContext) {
  const revisions = (where: string, keys: readonly number[]) => {
    const qb = ctx.dataSource.getRepository(ObservationRevision).createQueryBuilder('r').where(where, { keys: [...keys] });
    return restrictRows(ctx, 'observationRevision', qb, 'r').orderBy('r.observation_id', 'ASC').addOrderBy('r.version', 'ASC').addOrderBy('r.id', 'ASC');
  };
  const shown = (r: ObservationRevision) => (ctx.access.approvedOnly ? approvedPart(r) : r);
  return {
    observationHistory: new DataLoader<number, ObservationRevision[]>(async (ids) => {
      const groups = new Map<number, ObservationRevision[]>();
      for (const r of await revisions('r.observation_id IN (:...keys)', ids).getMany()) groups.set(r.observationId, [...(groups.get(r.observationId) ?? []), shown(r)]);
      return ids.map((id) => groups.get(id) ?? []);
    }),
    observationRevisionById: new DataLoader<number, ObservationRevision | null>(async (ids) => {
      const found = new Map((await revisions('r.id IN (:...keys)', ids).getMany()).map((r) => [r.id, shown(r)]));
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}

function approvedPart(revision: ObservationRevision): ObservationRevision {
  if (revision.oldStatus === ObservationStatus.APPROVED) return revision;
  return Object.assign(revision, { oldNumerator: null, oldDenominator: null });
}
