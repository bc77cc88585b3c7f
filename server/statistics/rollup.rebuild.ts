import { DataSource, EntityManager } from 'typeorm';
import { chunk } from '../core/sql';
import { Indicator } from '../indicators/indicator.entity';
import { parsePeriod, Period } from '../observations/period';
import { withWriteTransaction } from '../core/write-transaction';
import { enclosingPeriods, ObservationState } from './rollup.contribution';
import { loadPlaces } from './rollup.hierarchy';
import { accumulateGroup, applyRollupChanges, Rollups } from './rollup.store';

const UNITS_PER_PASS = 500;

/**
 * The rollups computed from scratch from the raw observations, a few hundred entry units at a
 * time (memory holds the rollups, never all observations). Used after the hierarchy changes and
 * to prove the maintained rollups right.
 */
export async function recomputeRollups(manager: EntityManager, progress: (line: string) => void = () => undefined): Promise<Rollups> {
  const indicators = new Map((await manager.getRepository(Indicator).find()).map((i) => [i.id, i]));
  const unitRows: { unitId: number | string }[] = await manager.query(`SELECT DISTINCT unit_id AS unitId FROM observation`);
  const unitIds = unitRows.map((r) => Number(r.unitId)).sort((a, b) => a - b);
  const rollups: Rollups = new Map();
  let done = 0;
  for (const ids of chunk(unitIds, UNITS_PER_PASS)) {
    const places = await loadPlaces(manager, ids);
    const rows: ObservationState[] = await manager.query(
      `SELECT unit_id AS unitId, indicator_id AS indicatorId, period, sex, disaggregation AS dimensions, numerator, denominator, status FROM observation WHERE unit_id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    const groups = new Map<string, ObservationState[]>();
    for (const r of rows) {
      const state = { ...r, unitId: Number(r.unitId), indicatorId: Number(r.indicatorId), numerator: Number(r.numerator), denominator: Number(r.denominator) };
      const key = `${state.indicatorId}|${state.unitId}|${state.period.slice(0, 4)}`;
      groups.set(key, [...(groups.get(key) ?? []), state]);
    }
    for (const group of groups.values()) {
      const indicator = indicators.get(group[0].indicatorId);
      const place = places.get(group[0].unitId);
      if (!indicator || !place) continue;
      const periods = new Map<string, Period>();
      for (const o of group) for (const p of enclosingPeriods(parsePeriod(o.period) as Period, indicator.periodType)) periods.set(p.code, p);
      accumulateGroup(rollups, indicator, place, group, [...periods.values()], 1);
    }
    done += ids.length;
    progress(`rollups: read ${done}/${unitIds.length} reporting units`);
  }
  return rollups;
}

/** Replaces every rollup row by a recomputation, in one transaction (readers see old or new, never half). */
export async function rebuildRollups(dataSource: DataSource, progress: (line: string) => void = () => undefined): Promise<number> {
  return withWriteTransaction(dataSource, async (manager) => {
    const rollups = await recomputeRollups(manager, progress);
    await manager.query('DELETE FROM statistics_rollup');
    return applyRollupChanges(manager, dataSource, rollups);
  });
}
