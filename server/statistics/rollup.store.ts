import { DataSource, EntityManager } from 'typeorm';
import { chunk, isMysql } from '../core/sql';
import { Indicator } from '../indicators/indicator.entity';
import { parsePeriod, Period, periodContains, periodEnd } from '../observations/period';
import { addContribution, Contribution, contributionsOf, emptyContribution, inScope, isEmptyContribution, ObservationState, RollupScope, SCOPES } from './rollup.contribution';
import { chainOn, currentChainFor, EntryUnitPlace } from './rollup.hierarchy';
import { HierarchyBasis } from './statistics.inputs';

/** One row of statistics_rollup (or a change to one). */
export interface RollupEntry {
  indicatorId: number;
  unitId: number;
  period: string;
  scope: RollupScope;
  basis: HierarchyBasis;
  /** The cell: canonical key of dimension values ('' = the total over every dimension). */
  dimensions: string;
  sums: Contribution;
}

export type Rollups = Map<string, RollupEntry>;

const keyOf = (e: Omit<RollupEntry, 'sums'>) => `${e.indicatorId}|${e.unitId}|${e.period}|${e.scope}|${e.basis}|${e.dimensions}`;

function addEntry(into: Rollups, entry: Omit<RollupEntry, 'sums'>, sums: Contribution, sign: number): void {
  const key = keyOf(entry);
  let existing = into.get(key);
  if (!existing) into.set(key, (existing = { ...entry, sums: emptyContribution() }));
  addContribution(existing.sums, sums, sign);
}

/**
 * Adds (sign 1) or removes (sign −1) what one entry unit's observations of one indicator give to
 * every unit above it, for each of `periods` and each scope.
 * - PERIOD basis: the units above it in the hierarchy in force on the period's last day.
 * - CURRENT basis holds only the difference from PERIOD when read on today's units: + for units
 *   it maps to today but not then, − for units it was under then but does not map to today. Data
 *   entered in today's hierarchy therefore cost nothing extra.
 * Each cell of dimension values the observations can answer is a row of its own (contributionsOf).
 * The unit itself is never stored: a row for an entry unit is read from its observations.
 */
export function accumulateGroup(into: Rollups, indicator: Indicator, place: EntryUnitPlace, observations: ObservationState[], periods: Period[], sign: 1 | -1): void {
  if (!observations.length) return;
  const parsed = observations.map((o) => ({ o, period: periodOf(o.period) }));
  for (const period of periods) {
    const inPeriod = parsed.filter((p) => periodContains(period, p.period)).map((p) => p.o);
    if (!inPeriod.length) continue;
    const { then, now, thenSet, nowSet } = targetsOf(place, period, indicator);
    for (const scope of SCOPES) {
      const seen = inPeriod.filter((o) => inScope(o.status, scope));
      if (!seen.length) continue;
      for (const [dimensions, sums] of contributionsOf(seen, indicator)) {
        const at = (unitId: number, basis: HierarchyBasis) => ({ indicatorId: indicator.id, unitId, period: period.code, scope, basis, dimensions });
        for (const unitId of then) addEntry(into, at(unitId, HierarchyBasis.PERIOD), sums, sign);
        for (const unitId of now) if (!thenSet.has(unitId)) addEntry(into, at(unitId, HierarchyBasis.CURRENT), sums, sign);
        for (const unitId of then) if (!nowSet.has(unitId)) addEntry(into, at(unitId, HierarchyBasis.CURRENT), sums, -sign);
      }
    }
  }
}

// Bulk loads aggregate millions of rows over a few thousand period codes and places: both are memoised.
const periods = new Map<string, Period>();
function periodOf(code: string): Period {
  let period = periods.get(code);
  if (!period) periods.set(code, (period = parsePeriod(code) as Period));
  return period;
}

interface Targets {
  then: number[];
  now: number[];
  thenSet: Set<number>;
  nowSet: Set<number>;
}

const targetsByPlace = new WeakMap<EntryUnitPlace, Map<string, Targets>>();
function targetsOf(place: EntryUnitPlace, period: Period, indicator: Indicator): Targets {
  let memo = targetsByPlace.get(place);
  if (!memo) targetsByPlace.set(place, (memo = new Map()));
  const key = `${period.code}|${indicator.temporalAggregation}`;
  let targets = memo.get(key);
  if (!targets) {
    const then = chainOn(place, periodEnd(period)).filter((id) => id !== place.unitId);
    const now = currentChainFor(place, period, indicator.temporalAggregation).filter((id) => id !== place.unitId);
    memo.set(key, (targets = { then, now, thenSet: new Set(then), nowSet: new Set(now) }));
  }
  return targets;
}

const COLUMNS = ['indicator_id', 'unit_id', 'period', 'scope', 'basis', 'dimensions', 'female_numerator', 'female_denominator', 'female_rows', 'male_numerator', 'male_denominator', 'male_rows', 'total_numerator', 'total_denominator', 'total_rows', 'reporting_units'];
const KEY_COLUMNS = COLUMNS.slice(0, 6);
const SUM_COLUMNS = COLUMNS.slice(6);
const ROWS_PER_STATEMENT = 500;

const compareEntries = (a: RollupEntry, b: RollupEntry) => a.indicatorId - b.indicatorId || a.unitId - b.unitId || a.period.localeCompare(b.period) || a.scope.localeCompare(b.scope) || a.basis.localeCompare(b.basis) || (a.dimensions < b.dimensions ? -1 : a.dimensions > b.dimensions ? 1 : 0);

/**
 * Adds the changes to the stored rows (creating missing ones) with multi-row upserts. Rows are
 * written in key order so concurrent writers lock them in the same order.
 */
export async function applyRollupChanges(manager: EntityManager, dataSource: DataSource, changes: Rollups): Promise<number> {
  const entries = [...changes.values()].filter((e) => !isEmptyContribution(e.sums)).sort(compareEntries);
  const tail = isMysql(dataSource)
    ? `ON DUPLICATE KEY UPDATE ${SUM_COLUMNS.map((c) => `${c} = ${c} + VALUES(${c})`).join(', ')}`
    : `ON CONFLICT (${KEY_COLUMNS.join(', ')}) DO UPDATE SET ${SUM_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`;
  for (const batch of chunk(entries, ROWS_PER_STATEMENT)) {
    const params: unknown[] = [];
    for (const e of batch) {
      const s = e.sums;
      params.push(e.indicatorId, e.unitId, e.period, e.scope, e.basis, e.dimensions, s.female.n, s.female.d, s.female.rows, s.male.n, s.male.d, s.male.rows, s.total.n, s.total.d, s.total.rows, s.reporting);
    }
    await manager.query(`INSERT INTO statistics_rollup (${COLUMNS.join(', ')}) VALUES ${batch.map(() => `(${COLUMNS.map(() => '?').join(', ')})`).join(', ')} ${tail}`, params);
  }
  return entries.length;
}

interface RawRollup {
  indicatorId: number | string;
  unitId: number | string;
  period: string;
  scope: RollupScope;
  basis: HierarchyBasis;
  dimensions: string;
  fn: number | string;
  fd: number | string;
  fr: number | string;
  mn: number | string;
  md: number | string;
  mr: number | string;
  tn: number | string;
  td: number | string;
  tr: number | string;
  rep: number | string;
}

export const ROLLUP_SELECT = `indicator_id AS indicatorId, unit_id AS unitId, period, scope, basis, dimensions, female_numerator AS fn, female_denominator AS fd, female_rows AS fr, male_numerator AS mn, male_denominator AS md, male_rows AS mr, total_numerator AS tn, total_denominator AS td, total_rows AS tr, reporting_units AS rep`;

export function entryFromRaw(r: RawRollup): RollupEntry {
  const sums = (n: number | string, d: number | string, rows: number | string) => ({ n: Number(n), d: Number(d), rows: Number(rows) });
  return {
    indicatorId: Number(r.indicatorId),
    unitId: Number(r.unitId),
    period: r.period,
    scope: r.scope,
    basis: r.basis,
    dimensions: r.dimensions,
    sums: { female: sums(r.fn, r.fd, r.fr), male: sums(r.mn, r.md, r.mr), total: sums(r.tn, r.td, r.tr), reporting: Number(r.rep) },
  };
}

/** Every stored rollup row (for checks and tests). */
export async function readRollupTable(manager: EntityManager): Promise<Rollups> {
  const rows: RawRollup[] = await manager.query(`SELECT ${ROLLUP_SELECT} FROM statistics_rollup`);
  return new Map(rows.map((r) => entryFromRaw(r)).map((e) => [keyOf(e), e]));
}

/** Differences between two sets of rollups beyond floating-point noise; rows of zeros equal missing rows. */
export function rollupDifferences(expected: Rollups, actual: Rollups, limit = 20): string[] {
  const problems: string[] = [];
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  const flat = (c: Contribution | undefined) => (c ? [c.female.n, c.female.d, c.female.rows, c.male.n, c.male.d, c.male.rows, c.total.n, c.total.d, c.total.rows, c.reporting] : new Array(10).fill(0));
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const e = flat(expected.get(key)?.sums);
    const a = flat(actual.get(key)?.sums);
    if (e.every((value, i) => close(value, a[i]))) continue;
    problems.push(`${key}: expected [${e.join(', ')}], stored [${a.join(', ')}]`);
    if (problems.length >= limit) break;
  }
  return problems;
}
