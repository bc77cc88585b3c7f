import { ObservationStatus, PeriodType, TemporalAggregation } from '../indicators/indicator-enums';
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

const COARSE_TO_FINE = [PeriodType.YEAR, PeriodType.SEMESTER, PeriodType.QUARTER, PeriodType.MONTH];

/** The periods an observation of `sub` is read in: every period of the indicator's type or coarser that contains it. */
export function enclosingPeriods(sub: Period, entryType: PeriodType): Period[] {
  const year = parsePeriod(String(sub.year)) as Period;
  const types = COARSE_TO_FINE.slice(0, COARSE_TO_FINE.indexOf(entryType) + 1);
  return types.map((type) => periodsWithin(year, type).find((p) => periodContains(p, sub))).filter((p): p is Period => !!p);
}
