import { In } from 'typeorm';
import type { RequestContext } from '../request-context';
import { BadUserInputError } from '../core/errors';
import { Indicator } from '../indicators/indicator.entity';
import { dimensionsOf } from '../indicators/dimension-catalogue';
import { valueIn } from '../indicators/dimension-key';
import { valueOf } from '../indicators/indicator-value';
import { Observation } from '../observations/observation.entity';
import { observationQuery } from '../observations/observation.service';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import { Cell, csvText, ExportSource, formatNumber, linesOf, listParam, nfc, refuseUnknownParameters, textParam, whereParam } from './export-table';
import { sdmxColumns, SDMX_DATAFLOW, sdmxSex, sdmxStatus, sdmxTimePeriod } from './sdmx';

export const EXPORT_PAGE_SIZE = Number(process.env.EXPORT_PAGE_SIZE ?? 5_000);
/** Lookups of units and indicators are cached across pages up to this many entries, then dropped. */
const CACHE_LIMIT = 50_000;

const ABOUT_COLUMNS = ['indicator', 'indicator_name', 'unit', 'unit_name', 'period', 'sex'] as const;
const VALUE_COLUMNS = ['numerator', 'denominator', 'value', 'unit_of_measure', 'status', 'version', 'updated_at'] as const;
/** The columns without dimensions; an export adds one column per dimension (lower case, e.g. `age`) after `sex`. */
export const OBSERVATION_COLUMNS = [...ABOUT_COLUMNS, ...VALUE_COLUMNS] as const;

export interface ExportFilter {
  indicator?: string | null;
  unit?: string | null;
  includeDescendants?: boolean | null;
  periods?: string[] | null;
  where?: { dimension: string; value: string }[] | null;
}

/** One exported observation with the codes and names of its indicator and unit. */
export interface ExportRow {
  indicator: string;
  indicatorName: string;
  unit: string;
  unitName: string;
  period: string;
  sex: string;
  /** Canonical key of its dimension values (dimension-key.ts). */
  dimensionKey: string;
  /** The dimensions its indicator declares: a column of another dimension stays empty on its line. */
  indicatorDimensions: string[];
  numerator: number;
  denominator: number;
  /** As `Observation.value` (indicator-value.ts): factor × numerator for a COUNT, else factor × numerator / denominator. */
  value: number | null;
  unitOfMeasure: string;
  status: string;
  version: number;
  updatedAt: string;
}

const PARAMETERS = ['indicator', 'unit', 'includeDescendants', 'periods', 'where'] as const;

/** The query parameters as the `observations` query's arguments; malformed or unknown ones are BAD_USER_INPUT. */
export function parseExportFilter(params: URLSearchParams): ExportFilter {
  refuseUnknownParameters(params, PARAMETERS, 'observations');
  const descendants = textParam(params, 'includeDescendants')?.toLowerCase() ?? null;
  if (descendants !== null && !['true', 'false', '1', '0'].includes(descendants)) {
    throw new BadUserInputError('includeDescendants is true or false', 'includeDescendants');
  }
  const periods = listParam(params, 'periods');
  const where = whereParam(params);
  return { indicator: textParam(params, 'indicator'), unit: textParam(params, 'unit'), includeDescendants: descendants === 'true' || descendants === '1', periods: periods.length ? periods : null, where: where.length ? where : null };
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
    indicatorName: nfc(indicator?.name),
    unit: unit?.code ?? '',
    unitName: nfc(unit?.name),
    period: o.period,
    sex: o.sex,
    dimensionKey: o.dimensionKey ?? '',
    indicatorDimensions: indicator ? dimensionsOf(indicator) : [],
    numerator: o.numerator,
    denominator: o.denominator,
    value: indicator ? valueOf(indicator, o.numerator, o.denominator) : null,
    unitOfMeasure: indicator?.unitOfMeasure ?? '',
    status: o.status,
    version: o.version,
    updatedAt: o.updatedAt,
  };
}

/** A line's cell of each dimension column: its code, `_T` for its total, empty when its indicator has no such dimension. */
function dimensionCells(r: ExportRow, dimensions: string[]): string[] {
  return dimensions.map((d) => (r.indicatorDimensions.includes(d) ? valueIn(r.dimensionKey, d) : ''));
}

/** XLSX: one line per observation, numbers as numbers. */
function xlsxCells(r: ExportRow, dimensions: string[]): Cell[][] {
  return [[r.indicator, r.indicatorName, r.unit, r.unitName, r.period, r.sex, ...dimensionCells(r, dimensions), r.numerator, r.denominator, r.value, r.unitOfMeasure, r.status, r.version, r.updatedAt]];
}

/** CSV: the XLSX lines, numbers as text with at most 10 decimals for components, 6 for values. */
function csvCells(dimensions: string[]): (r: ExportRow) => Cell[][] {
  const asCsvText = csvText(columnsFor(dimensions));
  return (r) => xlsxCells(r, dimensions).map(asCsvText);
}

/** SDMX-CSV: the dimensions are key columns after SEX, `_T` where the indicator has no such breakdown (the total is all there is). */
function sdmxCells(dimensions: string[]): (r: ExportRow) => Cell[][] {
  return (r) => [[SDMX_DATAFLOW, r.unit, r.indicator, sdmxSex(r.sex), ...dimensions.map((d) => valueIn(r.dimensionKey, d)), sdmxTimePeriod(r.period), formatNumber(r.value), r.unitOfMeasure, sdmxStatus(r.status)]];
}

function columnsFor(dimensions: string[]): string[] {
  return [...ABOUT_COLUMNS, ...dimensions.map((d) => d.toLowerCase()), ...VALUE_COLUMNS];
}

/** The dimension columns of an export: the indicator's, or, for every indicator, each dimension any of them declares. */
async function exportDimensions(ctx: RequestContext, filter: ExportFilter): Promise<string[]> {
  const all = await ctx.loaders.allIndicators.load('all');
  const chosen = filter.indicator ? all.filter((i) => i.code === filter.indicator?.trim()) : all;
  const declared = new Set(chosen.flatMap(dimensionsOf));
  return [...(await ctx.loaders.dimensions.load('all')).keys()].filter((d) => declared.has(d));
}

/** GET /export/observations.{csv,xlsx,sdmx.csv}: the `observations` query as a file, one column per dimension. */
export const observationExport: ExportSource = {
  parse(params) {
    const filter = parseExportFilter(params);
    return async (ctx, format) => {
      const pages = await observationPages(ctx, filter);
      const dimensions = await exportDimensions(ctx, filter);
      const lines = format === 'sdmx.csv' ? sdmxCells(dimensions) : format === 'csv' ? csvCells(dimensions) : (r: ExportRow) => xlsxCells(r, dimensions);
      return {
        name: ['observations', filter.indicator, filter.unit],
        sheet: 'observations',
        columns: format === 'sdmx.csv' ? sdmxColumns(dimensions) : columnsFor(dimensions),
        pages: linesOf(pages, lines),
      };
    };
  },
};
