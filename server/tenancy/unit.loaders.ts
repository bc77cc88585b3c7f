import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { ScopedContext } from '../auth/scope';
import { AdministrativeUnit } from './administrative-unit.entity';
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

/** Per-request loaders of the tenancy domain. Units come back only when inside the viewer's subtree. */
export function createUnitLoaders(ctx: ScopedContext) {
  const { dataSource, access } = ctx;
  return {
    unitById: new DataLoader<number, AdministrativeUnit | null>(async (ids) => {
      const qb = dataSource.getRepository(AdministrativeUnit).createQueryBuilder('u').where('u.id IN (:...ids)', { ids: [...ids] });
      const byId = new Map((await access.restrict(qb, 'u.id').getMany()).map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** Every placement of a unit over time; callers reach units only through `unitById`. */
    placementsOfUnit: new DataLoader<number, UnitPlacement[]>(async (unitIds) => {
      const rows = await dataSource.getRepository(UnitPlacement).findBy({ unitId: In([...unitIds]) });
      const groups = groupBy(rows, (p) => p.unitId);
      return unitIds.map((id) => groups.get(id) ?? []);
    }),
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
