import DataLoader from 'dataloader';
import type { ScopedContext } from '../auth/scope';
import { ObservationStatus } from '../indicators/indicator-enums';
import { ObservationRevision } from './observation-revision.entity';
import { Observation } from './observation.entity';
import { restrictObservations } from './observation-scope';

/**
 * Per-request loaders of observations; histories only of observations the viewer may see. A
 * STATISTICS_OFFICE sees the approved revisions only, and of each the old components only when
 * they were approved too: no value that was never approved reaches it through a history.
 */
export function createObservationLoaders(ctx: ScopedContext) {
  return {
    observationHistory: new DataLoader<number, ObservationRevision[]>(async (ids) => {
      const visible = restrictObservations(ctx, ctx.dataSource.getRepository(Observation).createQueryBuilder('o').select('o.id').where('o.id IN (:...ids)', { ids: [...ids] }), 'o');
      const qb = ctx.dataSource
        .getRepository(ObservationRevision)
        .createQueryBuilder('r')
        .where(`r.observation_id IN (${visible.getQuery()})`, visible.getParameters())
        .orderBy('r.observation_id', 'ASC')
        .addOrderBy('r.version', 'ASC')
        .addOrderBy('r.id', 'ASC');
      if (ctx.access.approvedOnly) qb.andWhere('r.new_status = :approvedRevision', { approvedRevision: ObservationStatus.APPROVED });
      const groups = new Map<number, ObservationRevision[]>();
      for (const r of await qb.getMany()) groups.set(r.observationId, [...(groups.get(r.observationId) ?? []), ctx.access.approvedOnly ? approvedPart(r) : r]);
      return ids.map((id) => groups.get(id) ?? []);
    }),
  };
}

function approvedPart(revision: ObservationRevision): ObservationRevision {
  if (revision.oldStatus === ObservationStatus.APPROVED) return revision;
  return Object.assign(revision, { oldNumerator: null, oldDenominator: null });
}
