import { DataSource } from 'typeorm';
import { chunk } from '../core/sql';
import { withWriteTransaction } from '../core/write-transaction';

/**
 * How many units of each level lie under each unit, as intervals of validity. Statistics read
 * `expectedUnits` here in one indexed lookup per row unit instead of counting the subtree: for
 * the nation that would be every village of the country. Placements change only when units are
 * imported, so the table is rebuilt then.
 */
interface Event {
  date: string;
  delta: number;
}

const OPEN_START = '';

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function previousDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

interface CoverageRow {
  unitId: number;
  level: string;
  validFrom: string | null;
  validTo: string | null;
  units: number;
}

/** Turns +1/−1 events of one (unit, level) into intervals with a constant positive count. */
function intervals(unitId: number, level: string, events: Event[]): CoverageRow[] {
  const byDate = new Map<string, number>();
  for (const e of events) byDate.set(e.date, (byDate.get(e.date) ?? 0) + e.delta);
  const dates = [...byDate.keys()].sort();
  const rows: CoverageRow[] = [];
  let count = 0;
  let since: string | null = null;
  for (const date of dates) {
    const delta = byDate.get(date) as number;
    if (!delta) continue;
    if (count > 0) rows.push({ unitId, level, validFrom: since === OPEN_START ? null : since, validTo: previousDay(date), units: count });
    count += delta;
    since = date;
  }
  if (count > 0) rows.push({ unitId, level, validFrom: since === OPEN_START ? null : since, validTo: null, units: count });
  return rows;
}

export async function rebuildUnitCoverage(dataSource: DataSource): Promise<number> {
  const placements: { path: string; level: string; validFrom: string | null; validTo: string | null }[] = await dataSource.query(
    'SELECT p.path AS path, u.level AS level, p.valid_from AS validFrom, p.valid_to AS validTo FROM unit_placement p INNER JOIN administrative_unit u ON u.id = p.unit_id',
  );
  const events = new Map<string, Event[]>();
  for (const p of placements) {
    const ancestors = p.path.split('/').filter(Boolean).slice(0, -1);
    for (const ancestor of ancestors) {
      const key = `${ancestor}|${p.level}`;
      const list = events.get(key) ?? [];
      list.push({ date: p.validFrom ?? OPEN_START, delta: 1 });
      if (p.validTo) list.push({ date: nextDay(p.validTo), delta: -1 });
      events.set(key, list);
    }
  }
  const rows = [...events].flatMap(([key, list]) => {
    const [unitId, level] = key.split('|');
    return intervals(Number(unitId), level, list);
  });
  await withWriteTransaction(dataSource, async (manager) => {
    await manager.query('DELETE FROM unit_coverage');
    for (const batch of chunk(rows, 500)) {
      await manager.query(
        `INSERT INTO unit_coverage (unit_id, level, valid_from, valid_to, units) VALUES ${batch.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        batch.flatMap((r) => [r.unitId, r.level, r.validFrom, r.validTo, r.units]),
      );
    }
  });
  return rows.length;
}
