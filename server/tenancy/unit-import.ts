import path from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { PROJECT_ROOT } from '../core/config';
import { chunk } from '../core/sql';
import { foldVietnamese } from '../core/text';
import { AdministrativeUnit } from './administrative-unit.entity';
import { resolveLineage } from './lineage';
import { formatLineageReport, LineageResult } from './lineage-result';
import { CsvProblem, readUnitCsv, UnitRow } from './unit-csv';
import { UnitLineage } from './unit-lineage.entity';
import { LEGACY_LAST_DAY, REORGANISATION_DATE, UnitLevel } from './unit-level';
import { UnitPlacement } from './unit-placement.entity';

export const UNITS_DIR = path.join(PROJECT_ROOT, 'data', 'units');
export const NATION_CODE = 'VN';
const BATCH = 400;

export interface UnitImportReport {
  units: number;
  placements: number;
  lineage: LineageResult;
  problems: { file: string; problems: CsvProblem[] }[];
}

export type NewUnit = Omit<AdministrativeUnit, 'id' | 'globalId' | 'asOf' | 'searchName'>;

export function searchNameOf(unit: Pick<AdministrativeUnit, 'code' | 'name' | 'fullName' | 'nameEn'>): string {
  return [unit.code, unit.fullName, unit.nameEn].map(foldVietnamese).join(" | ");
}

/** Inserts units in batches and gives back their ids by `code@validFrom`. */
export async function insertUnits(manager: EntityManager, units: NewUnit[]): Promise<Map<string, number>> {
  for (const batch of chunk(units, BATCH)) {
    await manager.createQueryBuilder().insert().into(AdministrativeUnit).values(batch.map((u) => ({ ...u, searchName: searchNameOf(u) }))).updateEntity(false).execute();
  }
  const rows: { id: number; code: string; validFrom: string | null }[] = await manager
    .createQueryBuilder(AdministrativeUnit, 'u')
    .select(['u.id AS id', 'u.code AS code', 'u.valid_from AS validFrom'])
    .where('u.code IN (:...codes)', { codes: [...new Set(units.map((u) => u.code))] })
    .getRawMany();
  return new Map(rows.map((r) => [unitKey(r.code, r.validFrom), Number(r.id)]));
}

export function unitKey(code: string, validFrom: string | null): string {
  return `${code}@${validFrom ?? ''}`;
}

export async function insertRows<T extends object>(manager: EntityManager, entity: new () => T, rows: Partial<T>[]): Promise<void> {
  for (const batch of chunk(rows, BATCH)) {
    await manager.createQueryBuilder().insert().into(entity).values(batch as never).updateEntity(false).execute();
  }
}

function toUnit(row: UnitRow, validFrom: string | null, validTo: string | null): NewUnit {
  return {
    code: row.code,
    level: row.level as UnitLevel,
    type: row.type,
    name: row.name,
    fullName: row.fullName,
    nameEn: row.nameEn,
    validFrom,
    validTo,
    predecessorsText: row.predecessors,
  };
}

/** Placements for one hierarchy (rows parent-before-child), with paths under the nation's. */
function placementsFor(rows: UnitRow[], ids: Map<string, number>, validFrom: string | null, validTo: string | null, nation: { id: number; path: string }): Partial<UnitPlacement>[] {
  const pathByCode = new Map<string, string>();
  const placements: Partial<UnitPlacement>[] = [];
  const depthOf = { PROVINCE: 1, DISTRICT: 2, COMMUNE: 3 } as const;
  const ordered = [...rows].sort((a, b) => depthOf[a.level] - depthOf[b.level]);
  for (const row of ordered) {
    const unitId = ids.get(unitKey(row.code, validFrom)) as number;
    const parentPath = row.parentCode ? pathByCode.get(row.parentCode) : nation.path;
    if (!parentPath) continue; // parse step already reported the orphan
    const parentId = row.parentCode ? (ids.get(unitKey(row.parentCode, validFrom)) as number) : nation.id;
    const unitPath = `${parentPath}${unitId}/`;
    pathByCode.set(row.code, unitPath);
    placements.push({ unitId, parentId, path: unitPath, depth: unitPath.split('/').length - 2, validFrom, validTo });
  }
  return placements;
}

/**
 * Loads the nation, the units in force until 2025-06-30 and those in force since 2025-07-01,
 * their placements and the lineage between them, in one transaction.
 */
export async function importUnits(dataSource: DataSource, dir = UNITS_DIR): Promise<UnitImportReport> {
  const legacyCsv = readUnitCsv(path.join(dir, 'vn-units-2024.csv'));
  const currentCsv = readUnitCsv(path.join(dir, 'vn-units-2026.csv'));
  const lineage = resolveLineage(currentCsv.rows, legacyCsv.rows);
  return dataSource.transaction(async (manager) => {
    const nationIds = await insertUnits(manager, [
      { code: NATION_CODE, level: UnitLevel.NATION, type: 'Quốc gia', name: 'Việt Nam', fullName: 'Nước Cộng hòa xã hội chủ nghĩa Việt Nam', nameEn: 'Viet Nam', validFrom: null, validTo: null, predecessorsText: null },
    ]);
    const nationId = nationIds.get(unitKey(NATION_CODE, null)) as number;
    const nation = { id: nationId, path: `/${nationId}/` };
    const legacyIds = await insertUnits(manager, legacyCsv.rows.map((r) => toUnit(r, null, LEGACY_LAST_DAY)));
    const currentIds = await insertUnits(manager, currentCsv.rows.map((r) => toUnit(r, REORGANISATION_DATE, null)));
    const placements = [
      { unitId: nationId, parentId: null, path: nation.path, depth: 0, validFrom: null, validTo: null },
      ...placementsFor(legacyCsv.rows, legacyIds, null, LEGACY_LAST_DAY, nation),
      ...placementsFor(currentCsv.rows, currentIds, REORGANISATION_DATE, null, nation),
    ];
    await insertRows(manager, UnitPlacement, placements);
    await insertRows(
      manager,
      UnitLineage,
      lineage.links.map((link) => ({
        successorId: currentIds.get(unitKey(link.successorCode, REORGANISATION_DATE)),
        predecessorId: legacyIds.get(unitKey(link.predecessorCode, null)),
        partial: link.partial,
        mention: link.mention.slice(0, 255),
      })),
    );
    return {
      units: 1 + legacyCsv.rows.length + currentCsv.rows.length,
      placements: placements.length,
      lineage,
      problems: [
        { file: 'vn-units-2024.csv', problems: legacyCsv.problems },
        { file: 'vn-units-2026.csv', problems: currentCsv.problems },
      ],
    };
  });
}

export function formatImportReport(report: UnitImportReport): string {
  const lines = [`Imported ${report.units} administrative units with ${report.placements} placements.`];
  for (const { file, problems } of report.problems) {
    if (problems.length) lines.push(`${file}: ${problems.length} rows left out:`, ...problems.map((p) => `  line ${p.line}: ${p.message}`));
  }
  lines.push(formatLineageReport(report.lineage));
  return lines.join('\n');
}
