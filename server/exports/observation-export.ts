import { ServerResponse } from 'node:http';
import { In } from 'typeorm';
import type { RequestContext } from '../core/context';
import { Indicator } from '../indicators/indicator.entity';
import { Observation } from '../observations/observation.entity';
import { observationQuery } from '../observations/observation.service';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';

export const EXPORT_PAGE_SIZE = Number(process.env.EXPORT_PAGE_SIZE ?? 5_000);
/** Lookups of units and indicators are cached across pages up to this many entries, then dropped. */
const CACHE_LIMIT = 50_000;

export interface ExportFilter {
  indicator?: string | null;
  unit?: string | null;
  includeDescendants?: boolean | null;
  periods?: string[] | null;
}

/** One exported observation with the codes and names of its indicator and unit. */
export interface ExportRow {
  indicator: string;
  indicatorName: string;
  unit: string;
  unitName: string;
  period: string;
  sex: string;
  disaggregation: string;
  numerator: number;
  denominator: number;
  /** factor × numerator / denominator; null when the denominator is 0. */
  value: number | null;
  unitOfMeasure: string;
  status: string;
  version: number;
  updatedAt: string;
}

/** Thrown when the client went away mid-download: the export stops quietly. */
export class ExportAborted extends Error {
  constructor() {
    super('The client closed the connection');
  }
}

/**
 * The rows of the `observations` query (same filters, subtree and STATISTICS_OFFICE rule), read
 * in keyset pages by id so memory stays at one page whatever the size of the export. Input
 * errors (unknown unit or indicator, bad period) are thrown before the first page is read.
 */
export async function observationPages(ctx: RequestContext, filter: ExportFilter, pageSize = EXPORT_PAGE_SIZE): Promise<AsyncGenerator<ExportRow[]>> {
  const base = await observationQuery(ctx, filter);
  return pages();

  async function* pages(): AsyncGenerator<ExportRow[]> {
    const indicators = new Map<number, Indicator>();
    const units = new Map<number, AdministrativeUnit>();
    let lastId = 0;
    for (;;) {
      const page = await base.clone().andWhere('o.id > :exportLastId', { exportLastId: lastId }).orderBy('o.id', 'ASC').limit(pageSize).getMany();
      if (!page.length) return;
      lastId = page[page.length - 1].id;
      await lookup(ctx, Indicator, indicators, page.map((o) => o.indicatorId));
      await lookup(ctx, AdministrativeUnit, units, page.map((o) => o.unitId));
      yield page.map((o) => toRow(o, indicators.get(o.indicatorId), units.get(o.unitId)));
      if (page.length < pageSize) return;
    }
  }
}

/** One batched query for the ids of a page not yet known. */
async function lookup<T extends { id: number }>(ctx: RequestContext, entity: new () => T, cache: Map<number, T>, ids: number[]): Promise<void> {
  const missing = [...new Set(ids)].filter((id) => !cache.has(id));
  if (!missing.length) return;
  if (cache.size + missing.length > CACHE_LIMIT) cache.clear();
  const found = await ctx.dataSource.getRepository(entity).findBy({ id: In(missing) } as never);
  for (const item of found) cache.set(item.id, item);
}

function toRow(o: Observation, indicator: Indicator | undefined, unit: AdministrativeUnit | undefined): ExportRow {
  return {
    indicator: indicator?.code ?? '',
    indicatorName: indicator?.name ?? '',
    unit: unit?.code ?? '',
    unitName: unit?.name ?? '',
    period: o.period,
    sex: o.sex,
    disaggregation: o.disaggregation ?? '',
    numerator: o.numerator,
    denominator: o.denominator,
    value: indicator && o.denominator ? (indicator.factor * o.numerator) / o.denominator : null,
    unitOfMeasure: indicator?.unitOfMeasure ?? '',
    status: o.status,
    version: o.version,
    updatedAt: o.updatedAt,
  };
}

/** A number with at most `decimals` decimals, trailing zeros dropped, never in exponent form. */
export function formatNumber(value: number | null | undefined, decimals = 6): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  const fixed = value.toFixed(decimals);
  const trimmed = fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
  return trimmed === '-0' ? '0' : trimmed;
}

/** Writes a chunk and, when the socket's buffer is full, waits for it to drain (or the client to leave). */
export async function writeChunk(res: ServerResponse, chunk: string | Buffer): Promise<void> {
  if (res.destroyed) throw new ExportAborted();
  if (res.write(chunk)) return;
  await drained(res);
}

/** Resolves once `res` can take more data; rejects with ExportAborted when the connection closes first. */
export function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.reject(new ExportAborted());
  if (!res.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new ExportAborted());
    };
    const cleanup = () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
    };
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
