import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { ScopedContext } from '../auth/scope';
import { AdministrativeUnit, dateWithinValidity, unitAt } from './administrative-unit.entity';
import { UnitLineage } from './unit-lineage.entity';
import { UnitPlacement } from './unit-placement.entity';

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** A unit to read at a date; the date is kept inside the unit's lifetime (a legacy unit is read on its last day). */
export interface UnitAtKey {
  id: number;
  date: string;
}

/** Per-request loaders of the tenancy domain. Units come back only when inside the viewer's area on the date they are read at. */
export function createUnitLoaders(ctx: ScopedContext) {
  const { dataSource, access } = ctx;
  /** Every placement of a unit over time; callers reach units only through `unitOn`. */
  const placementsOfUnit = new DataLoader<number, UnitPlacement[]>(async (unitIds) => {
    const rows = await dataSource.getRepository(UnitPlacement).findBy({ unitId: In([...unitIds]) });
    const groups = groupBy(rows, (p) => p.unitId);
    return unitIds.map((id) => groups.get(id) ?? []);
  });
  return {
    /** The unit read at the key's date, or null when it lay outside the viewer's area on that date. */
    unitOn: new DataLoader<UnitAtKey, AdministrativeUnit | null, string>(
      async (keys) => {
        const ids = [...new Set(keys.map((k) => k.id))];
        const [units, placements] = await Promise.all([dataSource.getRepository(AdministrativeUnit).findBy({ id: In(ids) }), placementsOfUnit.loadMany(ids)]);
        const byId = new Map(units.map((u) => [u.id, u]));
        const placementsById = new Map(ids.map((id, i) => [id, placements[i] instanceof Error ? [] : (placements[i] as UnitPlacement[])]));
        return keys.map(({ id, date }) => {
          const unit = byId.get(id);
          if (!unit) return null;
          const at = dateWithinValidity(unit, date);
          return access.containsOn(placementsById.get(id) ?? [], at) ? unitAt(unit, at) : null;
        });
      },
      { cacheKeyFn: (k) => `${k.id}@${k.date}` },
    ),
    placementsOfUnit,
    placementsUnderParent: new DataLoader<number, UnitPlacement[]>(async (parentIds) => {
      const rows = await dataSource.getRepository(UnitPlacement).findBy({ parentId: In([...parentIds]) });
      const groups = groupBy(rows, (p) => p.parentId as number);
      return parentIds.map((id) => groups.get(id) ?? []);
    }),
    predecessorLinks: new DataLoader<number, UnitLineage[]>(async (ids) => {
      const rows = await dataSource.getRepository(UnitLineage).findBy({ successorId: In([...ids]) });
      const groups = groupBy(rows, (l) => l.successorId);
      return ids.map((id) => groups.get(id) ?? []);
    }),
    successorLinks: new DataLoader<number, UnitLineage[]>(async (ids) => {
      const rows = await dataSource.getRepository(UnitLineage).findBy({ predecessorId: In([...ids]) });
      const groups = groupBy(rows, (l) => l.predecessorId);
      return ids.map((id) => groups.get(id) ?? []);
    }),
  };
}

export type UnitLoaders = ReturnType<typeof createUnitLoaders>;
