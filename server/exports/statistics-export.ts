import type { RequestContext } from '../request-context';
import { BadUserInputError } from '../core/errors';
import { dimensionsOf } from '../indicators/dimension-catalogue';
import type { Indicator } from '../indicators/indicator.entity';
import { Breakdown, HierarchyBasis, StatisticsArgs } from '../statistics/statistics.inputs';
import { statistics } from '../statistics/statistics.service';
import type { StatisticsRow } from '../statistics/statistics.types';
import { UnitLevel } from '../tenancy/unit-level';
import { Cell, csvText, ExportSource, formatNumber, FormatName, linesOf, listParam, nfc, refuseUnknownParameters, textParam, whereParam } from './export-table';
import { sdmxColumns, SDMX_STATISTICS_DATAFLOW, sdmxSex, sdmxTimePeriod } from './sdmx';

/** Statistics rows written at once; one period's rows are split into pages of this many. */
const ROWS_PER_PAGE = 1_000;

const PARAMETERS = ['indicator', 'area', 'periods', 'breakdown', 'level', 'hierarchy', 'by', 'where'] as const;

const ABOUT_COLUMNS = ['indicator', 'indicator_name', 'unit', 'unit_name', 'level', 'period'] as const;

/** The columns without dimensions; an export with an indicator of dimensions adds one per dimension (lower case, e.g. `age`) after `period`. */
export const STATISTICS_COLUMNS = [
  ...ABOUT_COLUMNS,
  'sex',
  'value',
  'numerator',
  'denominator',
  'unit_of_measure',
  'female_share',
  'female_to_male_ratio',
  'gap',
  'reporting_units',
  'expected_units',
] as const;

const SEXES = [
  ['FEMALE', 'female'],
  ['MALE', 'male'],
  ['TOTAL', 'total'],
] as const;

/** The `statistics` query's arguments, from the query string. */
export interface StatisticsFilter {
  indicator: string;
  area: string;
  periods: string[];
  breakdown: Breakdown;
  level: UnitLevel | null;
  hierarchy: HierarchyBasis;
  by: string[];
  where: { dimension: string; value: string }[];
}

/** What every line of one export shares. */
interface StatisticsExport {
  indicator: Indicator;
  /** The indicator's dimensions beyond sex: a column each. */
  dimensions: string[];
  asCsvText: (line: Cell[]) => Cell[];
  /** OBS_STATUS of every aggregate in this export (see sdmxAggregateStatus). */
  status: string;
}

function required(params: URLSearchParams, name: string, what: string): string {
  const value = textParam(params, name);
  if (value === null) throw new BadUserInputError(`${name} is required: ${what}`, name);
  return value;
}

/** An enum value, as in GraphQL but case-insensitive (URLs are typed by hand). */
function enumParam<E extends string>(params: URLSearchParams, name: string, values: readonly E[]): E | null {
  const value = textParam(params, name);
  if (value === null) return null;
  const found = values.find((v) => v === value.toUpperCase());
  if (!found) throw new BadUserInputError(`${name} is one of ${values.join(', ')}; got "${value}"`, name);
  return found;
}

/**
 * The query parameters as the `statistics` query's arguments. An unknown parameter is refused
 * rather than ignored: a misspelt `breakdown` would otherwise export the area's single row.
 */
export function parseStatisticsFilter(params: URLSearchParams): StatisticsFilter {
  refuseUnknownParameters(params, PARAMETERS, 'statistics');
  const indicator = required(params, 'indicator', 'an indicator code, e.g. FEMALE_KEY_LEADER');
  const area = required(params, 'area', 'a unit code, e.g. 20');
  const periods = listParam(params, 'periods');
  if (!periods.length) throw new BadUserInputError('periods is required: one or more of 2026, 2026S1, 2026Q3, 2026-07, comma-separated', 'periods');
  const breakdown = enumParam(params, 'breakdown', Object.values(Breakdown)) ?? Breakdown.NONE;
  const level = enumParam(params, 'level', Object.values(UnitLevel));
  const hierarchy = enumParam(params, 'hierarchy', Object.values(HierarchyBasis)) ?? HierarchyBasis.PERIOD;
  return { indicator, area, periods, breakdown, level, hierarchy, by: listParam(params, 'by'), where: whereParam(params) };
}

function argsOf(filter: StatisticsFilter, periods: string[], breakdown: Breakdown, level: UnitLevel | null, cells = true): StatisticsArgs {
  const dimensions = cells ? { by: filter.by, where: filter.where } : { by: [], where: filter.where };
  return Object.assign(new StatisticsArgs(), { indicator: filter.indicator, area: filter.area, periods, breakdown, level, hierarchy: filter.hierarchy, ...dimensions });
}

/**
 * OBS_STATUS for aggregates: A (normal) when only approved observations can enter them, which
 * the API guarantees for a STATISTICS_OFFICE token; P (provisional) for every other role, whose
 * aggregates also count drafts and submitted observations.
 */
export function sdmxAggregateStatus(ctx: RequestContext): string {
  return ctx.access.approvedOnly ? 'A' : 'P';
}

/**
 * The rows of the `statistics` query, one period at a time (the service's rows of a period do not
 * depend on the other periods), so memory holds one period's rows, not the whole export.
 */
async function* statisticsPages(ctx: RequestContext, filter: StatisticsFilter, periods: string[], first: StatisticsRow[]): AsyncGenerator<StatisticsRow[]> {
  for (let i = 0; i < periods.length; i++) {
    const rows = i === 0 ? first : (await statistics(ctx, argsOf(filter, [periods[i]], filter.breakdown, filter.level))).rows;
    for (let at = 0; at < rows.length; at += ROWS_PER_PAGE) yield rows.slice(at, at + ROWS_PER_PAGE);
  }
}

/** The cells before the sex: what the row is about, with its code of each dimension. */
function head(indicator: Indicator, row: StatisticsRow): Cell[] {
  return [indicator.code, nfc(indicator.name), row.unit.code, nfc(row.unit.name), row.unit.level, row.period, ...row.dimensions.map((d) => d.value)];
}

function columnsFor(dimensions: string[]): string[] {
  return [...ABOUT_COLUMNS, ...dimensions.map((d) => d.toLowerCase()), ...STATISTICS_COLUMNS.slice(ABOUT_COLUMNS.length)];
}

/**
 * XLSX: one line per sex (FEMALE, MALE, TOTAL), numbers as numbers, value and components empty
 * when that sex has no data; the row's ratios and coverage repeated on each.
 */
function xlsxCells({ indicator }: StatisticsExport, row: StatisticsRow): Cell[][] {
  const about = head(indicator, row);
  return SEXES.map(([sex, key]) => {
    const a = row[key];
    return [...about, sex, a?.value ?? null, a?.numerator ?? null, a?.denominator ?? null, indicator.unitOfMeasure, row.femaleShare, row.femaleToMaleRatio, row.gap, row.reportingUnits, row.expectedUnits];
  });
}

/** CSV: the XLSX lines, numbers as text with at most 10 decimals for components, 6 for the rest. */
function csvCells(about: StatisticsExport, row: StatisticsRow): Cell[][] {
  return xlsxCells(about, row).map(about.asCsvText);
}

/** SDMX-CSV: one observation per sex that has data (no line for a sex without any). */
function sdmxCells({ indicator, status }: StatisticsExport, row: StatisticsRow): Cell[][] {
  return SEXES.flatMap(([sex, key]) => {
    const a = row[key];
    return a ? [[SDMX_STATISTICS_DATAFLOW, row.unit.code, indicator.code, sdmxSex(sex), ...row.dimensions.map((d) => d.value), sdmxTimePeriod(row.period), formatNumber(a.value), indicator.unitOfMeasure, status]] : [];
  });
}

const LINES: { [F in FormatName]: (about: StatisticsExport, row: StatisticsRow) => Cell[][] } = { csv: csvCells, xlsx: xlsxCells, 'sdmx.csv': sdmxCells };

/**
 * GET /export/statistics.{csv,xlsx,sdmx.csv}: the `statistics` query as a file. Before the
 * response starts, the service itself checks every argument: once on its cheapest shape
 * (breakdown NONE: indicator, periods, the area in each period's hierarchy and the viewer's
 * subtree), then with the real breakdown for the first period (e.g. LEVEL without a level).
 */
export const statisticsExport: ExportSource = {
  parse(params) {
    const filter = parseStatisticsFilter(params);
    return async (ctx, format) => {
      const checked = await statistics(ctx, argsOf(filter, filter.periods, Breakdown.NONE, null, false));
      const periods = [...new Set(filter.periods)];
      const first = await statistics(ctx, argsOf(filter, [periods[0]], filter.breakdown, filter.level));
      const dimensions = dimensionsOf(checked.indicator);
      const about: StatisticsExport = { indicator: checked.indicator, dimensions, asCsvText: csvText(columnsFor(dimensions)), status: sdmxAggregateStatus(ctx) };
      const lines = LINES[format];
      return {
        name: ['statistics', checked.indicator.code, filter.area],
        sheet: 'statistics',
        columns: format === 'sdmx.csv' ? sdmxColumns(dimensions) : columnsFor(dimensions),
        pages: linesOf(statisticsPages(ctx, filter, periods, first.rows), (row) => lines(about, row)),
      };
    };
  },
};
