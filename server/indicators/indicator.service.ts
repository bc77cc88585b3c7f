import type { RequestContext } from '../request-context';
import { foldVietnamese } from '../core/text';
import { Domain } from './indicator-enums';
import { dimensionsOf } from './dimension-catalogue';
import { Dimension } from './dimension.entity';
import { IndicatorReference } from './indicator-reference.entity';
import { Indicator } from './indicator.entity';

export interface IndicatorFilter {
  domain?: Domain | null;
  /** Only indicators with a reference in this framework (compared accent- and case-insensitively). */
  framework?: string | null;
  /** Accent- and case-insensitive text in the code, the Vietnamese or the English name. */
  search?: string | null;
}

/**
 * Indicators are reference data (not tenant data): every viewer sees the whole catalogue. The
 * catalogue is read once per request, so filtering happens here rather than in SQL.
 */
export async function listIndicators(ctx: RequestContext, filter: IndicatorFilter = {}): Promise<Indicator[]> {
  let list = await ctx.loaders.allIndicators.load('all');
  if (filter.domain) list = list.filter((i) => i.domain === filter.domain);
  const search = filter.search ? searchable(filter.search) : '';
  if (search) list = list.filter((i) => [i.code, i.name, i.nameEn].some((text) => searchable(text).includes(search)));
  const framework = filter.framework ? foldVietnamese(filter.framework) : '';
  if (!framework) return list;
  const references = await Promise.all(list.map((i) => ctx.loaders.referencesByIndicator.load(i.id)));
  return list.filter((_, index) => references[index].some((r) => foldVietnamese(r.framework) === framework));
}

/** Folded text in which a code's underscores are spaces: "sex ratio" and "SEX_RATIO" find SEX_RATIO_AT_BIRTH. */
function searchable(text: string): string {
  return foldVietnamese(text.replace(/_/g, ' '));
}

export async function findIndicatorByCode(ctx: RequestContext, code: string): Promise<Indicator | null> {
  return (await ctx.loaders.allIndicators.load('all')).find((i) => i.code === code.trim()) ?? null;
}

/** The stored catalogue as a lookup by code, read once per request (target validation uses it). */
export async function indicatorLookup(ctx: RequestContext): Promise<(code: string) => Indicator | undefined> {
  const byCode = new Map((await ctx.loaders.allIndicators.load('all')).map((i) => [i.code, i]));
  return (code) => byCode.get(code);
}

export function indicatorReferences(ctx: RequestContext, indicator: Indicator): Promise<IndicatorReference[]> {
  return ctx.loaders.referencesByIndicator.load(indicator.id);
}

/** The indicator's dimensions beyond sex, with their code lists, in its declared order. */
export async function indicatorDimensions(ctx: RequestContext, indicator: Indicator): Promise<Dimension[]> {
  const known = await ctx.loaders.dimensions.load('all');
  return dimensionsOf(indicator).map((code) => known.get(code)).filter((d): d is Dimension => !!d);
}
