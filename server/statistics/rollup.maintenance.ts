import { DataSource, EntityManager } from 'typeorm';
import { chunk, isMysql } from '../core/sql';
import { Indicator } from '../indicators/indicator.entity';
import { parsePeriod, Period, periodCodes } from '../observations/period';
import { enclosingPeriods, ObservationState } from './rollup.contribution';
import { EntryUnitPlace, loadPlaces } from './rollup.hierarchy';
import { accumulateGroup, applyRollupChanges, Rollups } from './rollup.store';

const CHUNK = 500;

/**
 * The observations that share aggregates with the rows being written: same entry unit,
 * indicator and year (a year's STOCK depends on every sub-period of it). Read before the write,
 * under lock on MySQL, so the change to the rollups is computed against the latest committed
 * state and no other writer can change that state until this transaction ends.
 */
export interface GroupSnapshot {
  indicators: Map<number, Indicator>;
  /** `indicatorId|unitId|year` → the group's observations (every cell of dimension values). */
  groups: Map<string, SnapshotRow[]>;
}

/** A stored observation as the snapshot reads it: its state, and what a writer needs to update it. */
export interface SnapshotRow extends ObservationState {
  id: number;
  version: number;
  source: string | null;
}

export const groupKey = (indicatorId: number, unitId: number, period: string) => `${indicatorId}|${unitId}|${period.slice(0, 4)}`;
const stateKey = (o: Pick<ObservationState, 'period' | 'sex' | 'dimensions'>) => `${o.period}|${o.sex}|${o.dimensions}`;

export interface GroupMember {
  indicator: Indicator;
  unitId: number;
  period: string;
}

const enclosingMemo = new Map<string, Period[]>();
function enclosing(sub: string, indicator: Indicator): Period[] {
  const key = `${sub}|${indicator.periodType}`;
  let periods = enclosingMemo.get(key);
  if (!periods) enclosingMemo.set(key, (periods = enclosingPeriods(parsePeriod(sub) as Period, indicator.periodType)));
  return periods;
}

export async function readGroups(manager: EntityManager, dataSource: DataSource, members: GroupMember[]): Promise<GroupSnapshot> {
  const indicators = new Map(members.map((m) => [m.indicator.id, m.indicator]));
  const groups = new Map<string, SnapshotRow[]>(members.map((m) => [groupKey(m.indicator.id, m.unitId, m.period), []]));
  if (!members.length) return { indicators, groups };
  const years = [...new Set(members.map((m) => Number(m.period.slice(0, 4))))];
  const types = [...new Set([...indicators.values()].map((i) => i.periodType))];
  const periods = types.flatMap((type) => years.flatMap((year) => periodCodes(type, year, year)));
  const indicatorIds = [...indicators.keys()];
  const lock = isMysql(dataSource) ? ' FOR UPDATE' : '';
  for (const unitIds of chunk([...new Set(members.map((m) => m.unitId))], CHUNK)) {
    const sql =
      `SELECT id, unit_id AS unitId, indicator_id AS indicatorId, period, sex, disaggregation AS dimensions, numerator, denominator, status, source, version FROM observation ` +
      `WHERE indicator_id IN (${indicatorIds.map(() => '?').join(', ')}) AND unit_id IN (${unitIds.map(() => '?').join(', ')}) AND period IN (${periods.map(() => '?').join(', ')})${lock}`;
    const rows: SnapshotRow[] = await manager.query(sql, [...indicatorIds, ...unitIds, ...periods]);
    for (const r of rows) {
      const state = { ...r, id: Number(r.id), unitId: Number(r.unitId), indicatorId: Number(r.indicatorId), numerator: Number(r.numerator), denominator: Number(r.denominator), version: Number(r.version) };
      groups.get(groupKey(state.indicatorId, state.unitId, state.period))?.push(state);
    }
  }
  return { indicators, groups };
}

/**
 * Brings the rollups from the snapshot's state to the state after `written` (the new state of
 * every observation written in this transaction): for each touched group and each period that
 * contains a written sub-period, the group's contribution after minus before is added to every
 * unit above it. Returns the number of rollup rows changed.
 */
export async function maintainRollups(manager: EntityManager, dataSource: DataSource, snapshot: GroupSnapshot, written: ObservationState[]): Promise<number> {
  const changes: Rollups = new Map();
  await addRollupChanges(changes, manager, snapshot, written);
  return changes.size ? applyRollupChanges(manager, dataSource, changes) : 0;
}

/**
 * Adds to `changes` what `written` does to the rollups against the snapshot's state, without
 * writing them: a bulk import sums the changes of all its batches and writes them once. Each
 * batch must read its snapshot after the earlier batches were written. `places` keeps the entry
 * units' places between calls.
 */
export async function addRollupChanges(changes: Rollups, manager: EntityManager, snapshot: GroupSnapshot, written: ObservationState[], places: Map<number, EntryUnitPlace> = new Map()): Promise<void> {
  const touched = new Map<string, { indicatorId: number; unitId: number; subPeriods: Set<string>; after: Map<string, ObservationState> }>();
  for (const w of written) {
    const key = groupKey(w.indicatorId, w.unitId, w.period);
    if (!snapshot.groups.has(key)) continue;
    let group = touched.get(key);
    if (!group) {
      const before = snapshot.groups.get(key) as ObservationState[];
      touched.set(key, (group = { indicatorId: w.indicatorId, unitId: w.unitId, subPeriods: new Set(), after: new Map(before.map((o) => [stateKey(o), o])) }));
    }
    group.subPeriods.add(w.period);
    group.after.set(stateKey(w), w);
  }
  const unknown = [...new Set([...touched.values()].map((g) => g.unitId))].filter((id) => !places.has(id));
  if (unknown.length) for (const [id, place] of await loadPlaces(manager, unknown)) places.set(id, place);
  for (const [key, group] of touched) {
    const indicator = snapshot.indicators.get(group.indicatorId) as Indicator;
    const place = places.get(group.unitId);
    if (!place) continue;
    const periods = new Map<string, Period>();
    for (const sub of group.subPeriods) for (const p of enclosing(sub, indicator)) periods.set(p.code, p);
    accumulateGroup(changes, indicator, place, [...group.after.values()], [...periods.values()], 1);
    accumulateGroup(changes, indicator, place, snapshot.groups.get(key) as ObservationState[], [...periods.values()], -1);
  }
}

/**
 * For a bulk load: locks every observation of the indicators (MySQL: the locking read holds the
 * whole key range of each, so no other writer can add, change or remove one of their rows until
 * this transaction ends; SQLite has one writer) and lists the groups that hold any row, as
 * `unitId|year` per indicator. A group absent here is empty, and stays so but for this
 * transaction's own writes: its snapshot needs no read. One range scan per indicator instead of a
 * probe per group, which made a million-row import spend a third of its time finding nothing.
 */
export async function lockIndicatorsGroups(manager: EntityManager, dataSource: DataSource, indicatorIds: number[]): Promise<Map<number, Set<number>>> {
  const present = new Map<number, Set<number>>();
  const lock = isMysql(dataSource) ? ' FOR UPDATE' : '';
  // One indicator at a time and one row per group, so the client holds one indicator's groups, never its rows.
  for (const id of indicatorIds) {
    const groups = new Set<number>();
    const rows: { unitId: number | string; year: string }[] = await manager.query(`SELECT unit_id AS unitId, SUBSTR(period, 1, 4) AS year FROM observation WHERE indicator_id = ? GROUP BY unit_id, SUBSTR(period, 1, 4)${lock}`, [id]);
    for (const r of rows) groups.add(presentKey(Number(r.unitId), r.year));
    present.set(id, groups);
  }
  return present;
}

/** A group of one indicator as one number (unit id and year), so a million groups stay small. */
export const presentKey = (unitId: number, period: string) => unitId * 10_000 + Number(period.slice(0, 4));
