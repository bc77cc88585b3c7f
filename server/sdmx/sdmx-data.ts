import type { RequestContext } from '../request-context';
import { dimensionsOf } from '../indicators/dimension-catalogue';
import { crossKeys, TOTAL_CODE } from '../indicators/dimension-key';
import { Indicator } from '../indicators/indicator.entity';
import { Observation } from '../observations/observation.entity';
import { Period, periodCodes, periodEnd, periodStart, parsePeriod } from '../observations/period';
import { HierarchyBasis } from '../statistics/statistics.inputs';
import { computeRowsOf } from '../statistics/statistics.service';
import type { StatisticsRow } from '../statistics/statistics.types';
import { sdmxAggregateStatus } from '../exports/statistics-export';
import { areaCodePage, unitsOnDates } from './sdmx-areas';
import { noResults, SdmxError } from './sdmx-errors';
import { CORE_DIMENSIONS, frequenciesOf, keyDimensions, periodTypeOf, sdmxPeriod, SEX_CODES, unitMeasureCode } from './sdmx-model';
import { DataQuery, KeyPart } from './sdmx-query';

/**
 * Areas whose series are computed together: each page costs one statement for its units and a
 * few per period, whatever the number of series in it. A page holds at most about
 * OBSERVATIONS_PER_PAGE observations (fewer areas when each has many series and periods), so the
 * memory of a request stays that of one page however many areas it covers.
 */
export const AREAS_PER_PAGE = 1_000;
const OBSERVATIONS_PER_PAGE = 20_000;
/** More periods than this in one query are refused (413): ask for a shorter span. */
const MAX_PERIODS = 400;

export interface SdmxObservation {
  period: string;
  value: number;
  reporting: number;
  expected: number;
}

export interface SdmxSeries {
  /** One code per dimension of the series key, in order. */
  key: string[];
  unitMeasure: string;
  observations: SdmxObservation[];
}

/** An answer about to be written: its dimensions, the status of every observation, and the series page by page (the first page already read). */
export interface DataAnswer {
  dimensions: string[];
  status: string;
  pages: AsyncGenerator<SdmxSeries[]>;
}

/** Indicators that share the same cells are computed in the same statements. */
interface IndicatorGroup {
  cells: string[];
  members: { indicator: Indicator; freqs: string[]; sexes: (typeof SEX_CODES)[number][] }[];
}

const matches = (part: KeyPart, code: string) => part === null || part.includes(code);

/** The cells of an indicator the key asks for; null when the key leaves none (a dimension it lacks asked for other than `_T`). */
function cellsOf(indicator: Indicator, extra: string[], parts: KeyPart[], codeLists: Map<string, string[]>): string[] | null {
  const declared = dimensionsOf(indicator);
  const by: { dimension: string; codes: string[] }[] = [];
  for (let i = 0; i < extra.length; i++) {
    const dimension = extra[i];
    const part = parts[i];
    if (!declared.includes(dimension)) {
      if (!matches(part, TOTAL_CODE)) return null;
      continue;
    }
    const codes = [...(codeLists.get(dimension) ?? []), TOTAL_CODE].filter((c) => matches(part, c));
    if (!codes.length) return null;
    by.push({ dimension, codes });
  }
  return crossKeys(by, []);
}

function groupIndicators(indicators: Indicator[], key: KeyPart[], extra: string[], codeLists: Map<string, string[]>): IndicatorGroup[] {
  const [freqPart, , indicatorPart, sexPart] = key;
  const groups = new Map<string, IndicatorGroup>();
  for (const indicator of indicators) {
    if (!matches(indicatorPart, indicator.code)) continue;
    const freqs = frequenciesOf(indicator.periodType).filter((f) => matches(freqPart, f));
    const sexes = SEX_CODES.filter((s) => (indicator.sexDisaggregated || s.code === TOTAL_CODE) && matches(sexPart, s.code));
    const cells = cellsOf(indicator, extra, key.slice(CORE_DIMENSIONS.length), codeLists);
    if (!freqs.length || !sexes.length || !cells?.length) continue;
    const signature = cells.join('|');
    const group = groups.get(signature) ?? { cells, members: [] };
    group.members.push({ indicator, freqs, sexes });
    groups.set(signature, group);
  }
  return [...groups.values()];
}

/** Years the chosen indicators have observations in (one statement), for a query without startPeriod or endPeriod. */
async function dataYears(ctx: RequestContext, indicators: Indicator[]): Promise<[number, number] | null> {
  const row = await ctx.dataSource
    .getRepository(Observation)
    .createQueryBuilder('o')
    .select(['MIN(o.period) AS lo', 'MAX(o.period) AS hi'])
    .where('o.indicator_id IN (:...ids)', { ids: indicators.map((i) => i.id) })
    .getRawOne<{ lo: string | null; hi: string | null }>();
  return row?.lo && row.hi ? [Number(row.lo.slice(0, 4)), Number(row.hi.slice(0, 4))] : null;
}

/** The periods of each asked frequency lying wholly between the bounds, coarsest frequency first. */
function periodsOf(freqs: string[], start: string, end: string): { freq: string; period: Period; date: string }[] {
  const [from, to] = [Number(start.slice(0, 4)), Number(end.slice(0, 4))];
  const periods: { freq: string; period: Period; date: string }[] = [];
  for (const freq of freqs) {
    for (const code of periodCodes(periodTypeOf(freq)!, from, to)) {
      const period = parsePeriod(code) as Period;
      if (periodStart(period) >= start && periodEnd(period) <= end) periods.push({ freq, period, date: periodEnd(period) });
    }
  }
  if (periods.length > MAX_PERIODS) throw new SdmxError(413, `The query spans ${periods.length} periods; at most ${MAX_PERIODS} at once: narrow startPeriod and endPeriod or FREQ`);
  return periods;
}

function keepEnds(observations: SdmxObservation[], firstN: number | null, lastN: number | null): SdmxObservation[] {
  if (firstN === null && lastN === null) return observations;
  const first = firstN === null ? [] : observations.slice(0, firstN);
  const last = lastN === null ? [] : observations.slice(Math.max(0, observations.length - lastN));
  return [...new Set([...first, ...last])].sort((a, b) => (a.period < b.period ? -1 : 1));
}

/**
 * Resolves a data query into pages of series. Everything that can make it fail (the key, the
 * periods, the indicators and areas it names) is checked here, and the first page is read, so
 * the caller answers 404 (nothing matches, or only what the viewer may not see) before a byte
 * of data. The values are those of the `statistics` query: the same `computeRowsOf` on the same
 * row units, page by page of areas and period by period.
 */
export async function answerData(ctx: RequestContext, query: DataQuery, extra: string[]): Promise<DataAnswer> {
  const dimensions = keyDimensions(extra);
  const codeLists = new Map([...(await ctx.loaders.dimensions.load('all'))].map(([code, d]) => [code, d.values.map((v) => v.code)]));
  const groups = groupIndicators(await ctx.loaders.allIndicators.load('all'), query.key, extra, codeLists);
  if (!groups.length) throw noResults();
  const indicators = groups.flatMap((g) => g.members.map((m) => m.indicator));
  let { start, end } = query;
  if (!start || !end) {
    const years = await dataYears(ctx, indicators);
    if (!years) throw noResults();
    start ??= `${years[0]}-01-01`;
    end ??= `${years[1]}-12-31`;
  }
  const freqs = [...new Set(groups.flatMap((g) => g.members.flatMap((m) => m.freqs)))];
  const periods = periodsOf(freqs, start, end);
  if (!periods.length) throw noResults();
  const dates = [...new Set(periods.map((p) => p.date))].sort();
  const areaPart = query.key[1];
  const status = sdmxAggregateStatus(ctx);
  const perArea = groups.reduce((sum, g) => sum + g.members.reduce((n, m) => n + m.sexes.length * g.cells.length * periods.filter((p) => m.freqs.includes(p.freq)).length, 0), 0);
  const pageSize = Math.max(1, Math.min(AREAS_PER_PAGE, Math.floor(OBSERVATIONS_PER_PAGE / Math.max(1, perArea))));

  const areaPages = async function* (): AsyncGenerator<string[]> {
    if (areaPart) {
      const codes = [...areaPart].sort();
      for (let at = 0; at < codes.length; at += pageSize) yield codes.slice(at, at + pageSize);
      return;
    }
    let after = '';
    for (;;) {
      const codes = await areaCodePage(ctx, dates[0], dates[dates.length - 1], after, pageSize);
      if (codes.length) yield codes;
      if (codes.length < pageSize) return;
      after = codes[codes.length - 1];
    }
  };

  async function seriesOf(codes: string[]): Promise<SdmxSeries[]> {
    const series = new Map<string, SdmxSeries>();
    const add = (indicator: Indicator, freq: string, period: string, row: StatisticsRow, sexes: IndicatorGroup['members'][number]['sexes']) => {
      for (const sex of sexes) {
        const aggregate = sex.code === 'F' ? row.female : sex.code === 'M' ? row.male : row.total;
        if (!aggregate || aggregate.value === null || !Number.isFinite(aggregate.value)) continue;
        const key = [freq, row.unit.code, indicator.code, sex.code, ...extra.map((d) => row.dimensions.find((v) => v.dimension === d)?.value ?? TOTAL_CODE)];
        const id = key.join('.');
        let one = series.get(id);
        if (!one) series.set(id, (one = { key, unitMeasure: unitMeasureCode(indicator.unitOfMeasure), observations: [] }));
        one.observations.push({ period: sdmxPeriod(period), value: aggregate.value, reporting: row.reportingUnits, expected: row.expectedUnits });
      }
    };
    const unitsByDate = await unitsOnDates(ctx, codes, dates);
    for (const date of dates) {
      const units = unitsByDate.get(date) ?? [];
      if (!units.length) continue;
      for (const { freq, period } of periods.filter((p) => p.date === date)) {
        for (const group of groups) {
          const members = group.members.filter((m) => m.freqs.includes(freq));
          if (!members.length) continue;
          const computed = await computeRowsOf(ctx, members.map((m) => m.indicator), units, period, date, HierarchyBasis.PERIOD, group.cells);
          for (const m of members) for (const row of computed.rows.get(m.indicator.id) ?? []) add(m.indicator, freq, period.code, row, m.sexes);
        }
      }
    }
    const ordered = [...series.values()].sort((a, b) => compareKeys(a.key, b.key));
    for (const one of ordered) one.observations = keepEnds(one.observations.sort((a, b) => (a.period < b.period ? -1 : 1)), query.firstN, query.lastN);
    return ordered;
  }

  const pages = areaPages();
  // Read until the first page with a series, so "no results" is known before the answer starts.
  let first: SdmxSeries[] = [];
  for (;;) {
    const next = await pages.next();
    if (next.done) throw noResults();
    first = await seriesOf(next.value);
    if (first.length) break;
  }
  async function* all(): AsyncGenerator<SdmxSeries[]> {
    yield first;
    for await (const codes of pages) {
      const page = await seriesOf(codes);
      if (page.length) yield page;
    }
  }
  return { dimensions, status, pages: all() };
}

const FREQ_ORDER = ['A', 'S', 'Q', 'M'];

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (i === 0) return FREQ_ORDER.indexOf(a[i]) - FREQ_ORDER.indexOf(b[i]);
    return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}
