import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { ScopedContext } from '../auth/scope';
import { readDimensions } from './dimension-catalogue';
import { Dimension } from './dimension.entity';
import { IndicatorReference } from './indicator-reference.entity';
import { Indicator } from './indicator.entity';
import { referenceCache } from '../core/reference-cache';

/**
 * Per-request loaders of the catalogue. It is small reference data: read whole, and cached across
 * requests until the catalogue changes (core/reference-cache.ts). Cached entities are shared by
 * requests, so nothing may modify them.
 */
export function createIndicatorLoaders(ctx: ScopedContext) {
  const cache = referenceCache(ctx.dataSource);
  const allIndicators = new DataLoader<'all', Indicator[]>(async (keys) => {
    const rows = await cache.get('catalogue', 'indicators', () => ctx.dataSource.getRepository(Indicator).find({ order: { code: 'ASC' } }));
    return keys.map(() => rows);
  });
  return {
    allIndicators,
    /** The dimensions beyond sex with their code lists, by code: catalogue data, cached with it. */
    dimensions: new DataLoader<'all', Map<string, Dimension>>(async (keys) => {
      const all = await cache.get('catalogue', 'dimensions', () => readDimensions(ctx.dataSource.manager));
      return keys.map(() => all);
    }),
    indicatorById: new DataLoader<number, Indicator | null>(async (ids) => {
      const byId = new Map((await allIndicators.load('all')).map((i) => [i.id, i]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** Framework references of each indicator, ordered by framework and code; one query per batch. */
    referencesByIndicator: new DataLoader<number, IndicatorReference[]>(async (ids) => {
      const rows = await ctx.dataSource.getRepository(IndicatorReference).find({ where: { indicatorId: In([...ids]) }, order: { framework: 'ASC', code: 'ASC' } });
      return ids.map((id) => rows.filter((r) => r.indicatorId === id));
    }),
    indicatorByCode: new DataLoader<string, Indicator | null>(async (codes) => {
      const byCode = new Map((await allIndicators.load('all')).map((i) => [i.code, i]));
      return codes.map((code) => byCode.get(code) ?? null);
    }),
  };
}
