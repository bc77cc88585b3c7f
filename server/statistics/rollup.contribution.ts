import { coarserKeys, decodeDimensions, DimensionPairs, liesIn } from '../indicators/dimension-key';
import { ObservationStatus, PeriodType, TemporalAggregation } from '../indicators/indicator-enums';
import { denominatorIsOne, Indicator } from '../indicators/indicator.entity';
import { parsePeriod, Period, periodContains, periodsWithin } from '../observations/period';

/** Which observations an aggregate counts: everything, or approved only (what a STATISTICS_OFFICE sees). */
export enum RollupScope {
  ALL = 'ALL',
  APPROVED = 'APPROVED',
}

export const SCOPES = [RollupScope.ALL, RollupScope.APPROVED];

/** The stored fields of one observation that aggregation needs. */
export interface ObservationState {
  unitId: number;
  indicatorId: number;
  period: string;
  sex: string;
  /** The canonical key of its coded dimension values (dimension-key.ts); '' at every total. */
  dimensions: string;
  numerator: number;
  denominator: number;
  status: string;
}

export interface Sums {
  n: number;
  d: number;
  rows: number;
}

/** What a set of entry units adds to an aggregate: components per sex and how many of them reported. */
export interface Contribution {
  female: Sums;
  male: Sums;
  total: Sums;
  reporting: number;
}

const emptySums = (): Sums => ({ n: 0, d: 0, rows: 0 });

export const emptyContribution = (): Contribution => ({ female: emptySums(), male: emptySums(), total: emptySums(), reporting: 0 });

function addSums(into: Sums, from: Sums | undefined, sign = 1): void {
  if (!from) return;
  into.n += sign * from.n;
  into.d += sign * from.d;
  into.rows += sign * from.rows;
}

export function addContribution(into: Contribution, from: Contribution, sign = 1): void {
  addSums(into.female, from.female, sign);
  addSums(into.male, from.male, sign);
  addSums(into.total, from.total, sign);
  into.reporting += sign * from.reporting;
}

export function isEmptyContribution(c: Contribution): boolean {
  const zero = (s: Sums) => s.n === 0 && s.d === 0 && s.rows === 0;
  return zero(c.female) && zero(c.male) && zero(c.total) && c.reporting === 0;
}

export function inScope(status: string, scope: RollupScope): boolean {
  return scope === RollupScope.ALL || status === ObservationStatus.APPROVED;
}

/**
 * What one entry unit's observations inside a period add up to (one indicator, one scope):
 * - FLOW: every sub-period with data is summed.
 * - STOCK: only the unit's latest sub-period with any data counts (a stock is never summed over
 *   time; a unit that last reported in Q2 still counts with its Q2 stock).
 * - total: per sub-period FEMALE + MALE when the unit gave a split, else its TOTAL row.
 */
export function contributionOf(observations: ObservationState[], aggregation: TemporalAggregation): Contribution {
  const result = emptyContribution();
  const bySubPeriod = new Map<string, Map<string, Sums>>();
  for (const o of observations) {
    let bySex = bySubPeriod.get(o.period);
    if (!bySex) bySubPeriod.set(o.period, (bySex = new Map()));
    bySex.set(o.sex, { n: o.numerator, d: o.denominator, rows: 1 });
  }
  // Codes of one period type sort chronologically.
  const subPeriods = [...bySubPeriod.keys()].sort();
  const chosen = aggregation === TemporalAggregation.STOCK ? subPeriods.slice(-1) : subPeriods;
  if (!chosen.length) return result;
  result.reporting = 1;
  for (const sub of chosen) {
    const bySex = bySubPeriod.get(sub) as Map<string, Sums>;
    const female = bySex.get('FEMALE');
    const male = bySex.get('MALE');
    addSums(result.female, female);
    addSums(result.male, male);
    if (female || male) {
      addSums(result.total, female);
      addSums(result.total, male);
    } else addSums(result.total, bySex.get('TOTAL'));
  }
  return result;
}

/**
 * What one entry unit's observations inside a period add up to, for every combination of
 * dimension values its rows can answer (the cell key → its contribution). Per sub-period, sex and
 * cell, a row the unit gave for exactly that cell counts; else the rows that lie inside the cell
 * with the fewest further dimensions (the coarsest breakdown it gave), summed. So a reported
 * total is never counted twice, and a total the unit did not report is the sum over its values.
 * For a COUNT or BOOLEAN, a cell summed from several rows still has denominator 1 per sub-period:
 * the denominator counts reporting units, not cells. Then FLOW/STOCK and F + M as contributionOf.
 */
export function contributionsOf(observations: ObservationState[], indicator: Pick<Indicator, 'temporalAggregation' | 'valueType'>): Map<string, Contribution> {
  if (observations.every((o) => o.dimensions === '')) {
    const only = contributionOf(observations, indicator.temporalAggregation);
    return only.reporting ? new Map([['', only]]) : new Map();
  }
  const bySubPeriod = new Map<string, ObservationState[]>();
  for (const o of observations) {
    const rows = bySubPeriod.get(o.period);
    if (rows) rows.push(o);
    else bySubPeriod.set(o.period, [o]);
  }
  const subPeriods = [...bySubPeriod.keys()].sort();
  const chosen = indicator.temporalAggregation === TemporalAggregation.STOCK ? subPeriods.slice(-1) : subPeriods;
  const unitDenominator = denominatorIsOne(indicator);
  const result = new Map<string, Contribution>();
  for (const sub of chosen) {
    const rows = bySubPeriod.get(sub) as ObservationState[];
    const cells = new Set(rows.flatMap((o) => coarserKeys(o.dimensions)));
    const ofSex = (sex: string) => rows.filter((o) => o.sex === sex).map((o) => ({ o, pairs: decodeDimensions(o.dimensions) }));
    const [female, male, total] = [ofSex('FEMALE'), ofSex('MALE'), ofSex('TOTAL')];
    for (const cell of cells) {
      const pairs = decodeDimensions(cell);
      const f = cellSums(female, pairs, unitDenominator);
      const m = cellSums(male, pairs, unitDenominator);
      const t = f || m ? undefined : cellSums(total, pairs, unitDenominator);
      if (!f && !m && !t) continue;
      let into = result.get(cell);
      if (!into) result.set(cell, (into = { ...emptyContribution(), reporting: 1 }));
      addSums(into.female, f);
      addSums(into.male, m);
      addSums(into.total, f);
      addSums(into.total, m);
      addSums(into.total, t);
    }
  }
  return result;
}

/** The rows inside `cell` with the fewest further dimensions (ties: the first such set of dimensions by name), summed. */
function cellSums(rows: { o: ObservationState; pairs: DimensionPairs }[], cell: DimensionPairs, unitDenominator: boolean): Sums | undefined {
  let best: { extra: number; signature: string; sums: Sums } | undefined;
  for (const { o, pairs } of rows) {
    if (!liesIn(pairs, cell)) continue;
    const extra = pairs.size - cell.size;
    const signature = extra ? [...pairs.keys()].filter((d) => !cell.has(d)).join(';') : '';
    if (best && (extra > best.extra || (extra === best.extra && signature > best.signature))) continue;
    if (!best || extra < best.extra || signature < best.signature) best = { extra, signature, sums: { n: 0, d: 0, rows: 0 } };
    best.sums.n += o.numerator;
    best.sums.d += o.denominator;
    best.sums.rows = 1;
  }
  if (best && unitDenominator) best.sums.d = Math.min(best.sums.d, 1);
  return best?.sums;
}

const COARSE_TO_FINE = [PeriodType.YEAR, PeriodType.SEMESTER, PeriodType.QUARTER, PeriodType.MONTH];

/** The periods an observation of `sub` is read in: every period of the indicator's type or coarser that contains it. */
export function enclosingPeriods(sub: Period, entryType: PeriodType): Period[] {
  const year = parsePeriod(String(sub.year)) as Period;
  const types = COARSE_TO_FINE.slice(0, COARSE_TO_FINE.indexOf(entryType) + 1);
  return types.map((type) => periodsWithin(year, type).find((p) => periodContains(p, sub))).filter((p): p is Period => !!p);
}
