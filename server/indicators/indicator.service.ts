import type { RequestContext } from '../request-context';
import { Domain } from './indicator-enums';
import { Indicator } from './indicator.entity';

/** Indicators are reference data (not tenant data): every viewer sees the whole catalogue. */
export async function listIndicators(ctx: RequestContext, domain?: Domain | null): Promise<Indicator[]> {
  const all = await ctx.loaders.allIndicators.load('all');
  return domain ? all.filter((i) => i.domain === domain) : all;
}

export async function findIndicatorByCode(ctx: RequestContext, code: string): Promise<Indicator | null> {
  return (await ctx.loaders.allIndicators.load('all')).find((i) => i.code === code.trim()) ?? null;
}
