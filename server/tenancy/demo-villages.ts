import { DataSource } from 'typeorm';
import { AdministrativeUnit } from './administrative-unit.entity';
import { insertRows, insertUnits, NewUnit, unitKey } from './unit-import';
import { UnitLineage } from './unit-lineage.entity';
import { LEGACY_LAST_DAY, REORGANISATION_DATE, UnitLevel } from './unit-level';
import { UnitPlacement } from './unit-placement.entity';

/** Provinces of the five seed plans: Lạng Sơn, Hà Nội, Hải Phòng, Thanh Hóa, Lâm Đồng. */
export const DEMO_PROVINCES = ['20', '01', '31', '38', '68'];

/** A small deterministic hash, so the same commune always gets the same villages. */
export function stableHash(text: string): number {
  let hash = 2166136261;
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash;
}

export interface VillageOptions {
  provinces?: string[];
  /** Fixed number per commune; default 4–12 depending on the commune. */
  perCommune?: number;
}

/**
 * Generates villages (thôn / tổ dân phố) for every current commune of the given provinces. Each
 * village is one unit for all time: under one of its commune's legacy predecessors until
 * 2025-06-30, and under the commune since (how villages moved in the reorganisation).
 */
export async function generateVillages(dataSource: DataSource, options: VillageOptions = {}): Promise<number> {
  const provinces = options.provinces ?? DEMO_PROVINCES;
  const communes: { id: number; code: string; type: string; path: string }[] = await dataSource
    .createQueryBuilder()
    .select(['u.id AS id', 'u.code AS code', 'u.type AS type', 'p.path AS path'])
    .from(AdministrativeUnit, 'u')
    .innerJoin(UnitPlacement, 'p', 'p.unit_id = u.id AND p.valid_from = :reorg', { reorg: REORGANISATION_DATE })
    .innerJoin(UnitPlacement, 'pp', 'pp.unit_id = p.parent_id AND pp.valid_from = :reorg')
    .innerJoin(AdministrativeUnit, 'prov', 'prov.id = pp.unit_id')
    .where('u.level = :level', { level: UnitLevel.COMMUNE })
    .andWhere('prov.code IN (:...provinces)', { provinces })
    .orderBy('u.code')
    .getRawMany();
  if (!communes.length) return 0;
  const predecessors = await legacyCommunesOf(dataSource, communes.map((c) => Number(c.id)));

  const villages: NewUnit[] = [];
  const plan: { code: string; commune: (typeof communes)[number]; legacy: { id: number; path: string } | null }[] = [];
  for (const commune of communes) {
    const count = options.perCommune ?? 4 + (stableHash(commune.code) % 9);
    const legacy = predecessors.get(Number(commune.id)) ?? [];
    const ward = commune.type === 'Phường';
    for (let n = 1; n <= count; n++) {
      const code = `${commune.code}${String(n).padStart(2, '0')}`;
      const name = `${ward ? 'Tổ dân phố' : 'Thôn'} ${n}`;
      const home = legacy.length ? legacy[(n - 1) % legacy.length] : null;
      villages.push({ code, level: UnitLevel.VILLAGE, type: ward ? 'Tổ dân phố' : 'Thôn', name, fullName: name, nameEn: `${ward ? 'Residential group' : 'Village'} ${n}`, validFrom: home ? null : REORGANISATION_DATE, validTo: null, predecessorsText: null });
      plan.push({ code, commune, legacy: home });
    }
  }
  await dataSource.transaction(async (manager) => {
    const ids = await insertUnits(manager, villages);
    const placements: Partial<UnitPlacement>[] = [];
    for (const { code, commune, legacy } of plan) {
      const id = ids.get(unitKey(code, legacy ? null : REORGANISATION_DATE)) as number;
      if (legacy) placements.push({ unitId: id, parentId: legacy.id, path: `${legacy.path}${id}/`, depth: 4, validFrom: null, validTo: LEGACY_LAST_DAY });
      placements.push({ unitId: id, parentId: Number(commune.id), path: `${commune.path}${id}/`, depth: 3, validFrom: REORGANISATION_DATE, validTo: null });
    }
    await insertRows(manager, UnitPlacement, placements);
  });
  return villages.length;
}

/** Legacy communes each current commune was formed from, with their paths, by code. */
async function legacyCommunesOf(dataSource: DataSource, communeIds: number[]): Promise<Map<number, { id: number; path: string }[]>> {
  const rows: { successorId: number; id: number; path: string }[] = await dataSource
    .createQueryBuilder()
    .select(['l.successor_id AS successorId', 'u.id AS id', 'p.path AS path'])
    .from(UnitLineage, 'l')
    .innerJoin(AdministrativeUnit, 'u', 'u.id = l.predecessor_id')
    .innerJoin(UnitPlacement, 'p', 'p.unit_id = u.id')
    .where('l.successor_id IN (:...ids)', { ids: communeIds })
    .andWhere('u.level = :level', { level: UnitLevel.COMMUNE })
    .orderBy('u.code')
    .getRawMany();
  const result = new Map<number, { id: number; path: string }[]>();
  for (const row of rows) {
    const list = result.get(Number(row.successorId)) ?? [];
    list.push({ id: Number(row.id), path: row.path });
    result.set(Number(row.successorId), list);
  }
  return result;
}
