import DataLoader from 'dataloader';
import type { ScopedContext } from '../auth/scope';
import { Indicator } from './indicator.entity';

/** Per-request loaders of the catalogue: it is small, so one query reads it all once per request. */
export function createIndicatorLoaders(ctx: ScopedContext) {
  const allIndicators = new DataLoader<'all', Indicator[]>(async (keys) => {
    const rows = await ctx.dataSource.getRepository(Indicator).find({ order: { code: 'ASC' } });
    return keys.map(() => rows);
  });
  return {
    allIndicators,
    indicatorById: new DataLoader<number, Indicator | null>(async (ids) => {
      const byId = new Map((await allIndicators.load('all')).map((i) => [i.id, i]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    indicatorByCode: new DataLoader<string, Indicator | null>(async (codes) => {
      const byCode = new Map((await allIndicators.load('all')).map((i) => [i.code, i]));
      return codes.map((code) => byCode.get(code) ?? null);
    }),
  };
}
