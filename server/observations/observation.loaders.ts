import DataLoader from 'dataloader';
import type { ScopedContext } from '../auth/scope';
import { ObservationRevision } from './observation-revision.entity';
import { Observation } from './observation.entity';
import { restrictObservations } from './observation-scope';

/** Per-request loaders of observations; histories only of observations the viewer may see. */
export function createObservationLoaders(ctx: ScopedContext) {
  return {
    observationHistory: new DataLoader<number, ObservationRevision[]>(async (ids) => {
      const visible = restrictObservations(ctx, ctx.dataSource.getRepository(Observation).createQueryBuilder('o').select('o.id').where('o.id IN (:...ids)', { ids: [...ids] }), 'o');
      const rows = await ctx.dataSource
        .getRepository(ObservationRevision)
        .createQueryBuilder('r')
        .where(`r.observation_id IN (${visible.getQuery()})`, visible.getParameters())
        .orderBy('r.observation_id', 'ASC')
        .addOrderBy('r.version', 'ASC')
        .addOrderBy('r.id', 'ASC')
        .getMany();
      const groups = new Map<number, ObservationRevision[]>();
      for (const r of rows) groups.set(r.observationId, [...(groups.get(r.observationId) ?? []), r]);
      return ids.map((id) => groups.get(id) ?? []);
    }),
  };
}
