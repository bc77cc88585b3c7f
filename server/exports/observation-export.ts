import { In } from 'typeorm';
import type { RequestContext } from '../request-context';
import { BadUserInputError } from '../core/errors';
import { Indicator } from '../indicators/indicator.entity';
import { valueOf } from '../indicators/indicator-value';
import { Observation } from '../observations/observation.entity';
import { observationQuery } from '../observations/observation.service';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import { Cell, csvText, ExportSource, formatNumber, FormatName, linesOf, listParam, nfc, textParam } from './export-table';
import { SDMX_COLUMNS, SDMX_DATAFLOW, sdmxSex, sdmxStatus, sdmxTimePeriod } from './sdmx';

export const EXPORT_PAGE_SIZE = Number(process.env.EXPORT_PAGE_SIZE ?? 5_000);
/** Lookups of units and indicators are cached across pages up to this many entries, then dropped. */
const CACHE_LIMIT = 50_000;

export const OBSERVATION_COLUMNS = ['indicator', 'indicator_name', 'unit', 'unit_name', 'period', 'sex', 'disaggregation', 'numerator', 'denominator', 'value', 'unit_of_measure', 'status', 'version', 'updated_at'] as const;

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
  /** As `Observation.value` (indicator-value.ts): factor × numerator for a COUNT, else factor × numerator / denominator. */
  value: number | null;
  unitOfMeasure: string;
  status: string;
  version: number;
  updatedAt: string;
}

/** The query parameters as the `observations` query's arguments; malformed ones are BAD_USER_INPUT. */
export function parseExportFilter(params: URLSearchParams): ExportFilter {
  const descendants = textParam(params, 'includeDescendants')?.toLowerCase() ?? null;
  if (descendants !== null && !['true', 'false', '1', '0'].includes(descendants)) {
    throw new BadUserInputError('includeDescendants is true or false', 'includeDescendants');
  }
  const periods = listParam(params, 'periods');
  return { indicator: textParam(params, 'indicator'), unit: textParam(params, 'unit'), includeDescendants: descendants === 'true' || descendants === '1', periods: periods.length ? periods : null };
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
    disaggregation: o.disaggregation ?? '',
    numerator: o.numerator,
    denominator: o.denominator,
    value: indicator ? valueOf(indicator, o.numerator, o.denominator) : null,
    unitOfMeasure: indicator?.unitOfMeasure ?? '',
    status: o.status,
    version: o.version,
    updatedAt: o.updatedAt,
  };
}

/** XLSX: one line per observation, numbers as numbers. */
function xlsxCells(r: ExportRow): Cell[][] {
  return [[r.indicator, r.indicatorName, r.unit, r.unitName, r.period, r.sex, r.disaggregation, r.numerator, r.denominator, r.value, r.unitOfMeasure, r.status, r.version, r.updatedAt]];
}

const asCsvText = csvText(OBSERVATION_COLUMNS);

/** CSV: the XLSX lines, numbers as text with at most 10 decimals for components, 6 for values. */
function csvCells(r: ExportRow): Cell[][] {
  return xlsxCells(r).map(asCsvText);
}

/** The series key has no further disaggregation, so only undisaggregated rows are written; otherwise one key would carry several values. */
function sdmxCells(r: ExportRow): Cell[][] {
  if (r.disaggregation) return [];
  return [[SDMX_DATAFLOW, r.unit, r.indicator, sdmxSex(r.sex), sdmxTimePeriod(r.period), formatNumber(r.value), r.unitOfMeasure, sdmxStatus(r.status)]];
}

const LINES: Record<FormatName, (r: ExportRow) => Cell[][]> = { csv: csvCells, xlsx: xlsxCells, 'sdmx.csv': sdmxCells };

/** GET /export/observations.{csv,xlsx,sdmx.csv}: the `observations` query as a file. */
export const observationExport: ExportSource = {
  parse(params) {
    const filter = parseExportFilter(params);
    return async (ctx, format) => ({
      name: ['observations', filter.indicator, filter.unit],
      sheet: 'observations',
      columns: format === 'sdmx.csv' ? SDMX_COLUMNS : OBSERVATION_COLUMNS,
      pages: linesOf(await observationPages(ctx, filter), LINES[format]),
    });
  },
};
