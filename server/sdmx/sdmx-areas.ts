import type { RequestContext } from '../request-context';
import { AdministrativeUnit, isValidOn } from '../tenancy/administrative-unit.entity';
import { UnitLevel } from '../tenancy/unit-level';
import { UnitPlacement } from '../tenancy/unit-placement.entity';

/** A code of CL_AREA: a unit code with the names and parent of its latest incarnation in the viewer's area, valid over all of them. */
export interface AreaCode {
  code: string;
  level: string;
  fullName: string;
  nameEn: string;
  parent: string | null;
  validFrom: string | null;
  validTo: string | null;
}

interface AreaRaw {
  code: string;
  level: string;
  fullName: string;
  nameEn: string;
  unitFrom: string | null;
  unitTo: string | null;
  placedFrom: string | null;
  parentCode: string | null;
}

/** The earlier of two first days, null (no known start) winning; `later` likewise for last days. */
const earlier = (a: string | null, b: string | null) => (a === null || b === null ? null : a < b ? a : b);
const later = (a: string | null, b: string | null) => (a === null || b === null ? null : a > b ? a : b);

/** A placement counts for the area during its own interval: so a village that moved counts only under the commune it sat in then. */
const DURING_PLACEMENT = { fromSql: "COALESCE(p.valid_from, '0001-01-01')", toSql: "COALESCE(p.valid_to, '9999-12-31')" };

/**
 * Every unit that lies in the viewer's area at some date (its subtree now and, before the 2025
 * reorganisation, the subtrees of the units it was formed from), one code each, in code order:
 * one statement. A parent outside the list (the viewer's own parent) is left out.
 */
export async function readAreaCodes(ctx: RequestContext): Promise<AreaCode[]> {
  const qb = ctx.dataSource
    .getRepository(UnitPlacement)
    .createQueryBuilder('p')
    .innerJoin(AdministrativeUnit, 'u', 'u.id = p.unit_id')
    .leftJoin(AdministrativeUnit, 'pu', 'pu.id = p.parent_id')
    .select(['u.code AS code', 'u.level AS level', 'u.full_name AS fullName', 'u.name_en AS nameEn', 'u.valid_from AS unitFrom', 'u.valid_to AS unitTo', 'p.valid_from AS placedFrom', 'pu.code AS parentCode']);
  ctx.access.restrict(qb, 'p.unit_id', DURING_PLACEMENT);
  const rows = await qb.getRawMany<AreaRaw>();
  const byCode = new Map<string, { area: AreaCode; placedFrom: string }>();
  for (const r of rows) {
    const placedFrom = r.placedFrom ?? '';
    const seen = byCode.get(r.code);
    const latest = !seen || placedFrom > seen.placedFrom;
    const named = latest ? { code: r.code, level: r.level, fullName: r.fullName, nameEn: r.nameEn, parent: r.parentCode } : seen.area;
    const validFrom = seen ? earlier(seen.area.validFrom, r.unitFrom) : r.unitFrom;
    const validTo = seen ? later(seen.area.validTo, r.unitTo) : r.unitTo;
    byCode.set(r.code, { area: { ...named, validFrom, validTo }, placedFrom: latest ? placedFrom : seen.placedFrom });
  }
  const areas = [...byCode.values()].map((v) => v.area).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  for (const area of areas) if (area.parent && !byCode.has(area.parent)) area.parent = null;
  return areas;
}

/**
 * The next `limit` unit codes after `after`, in code order, of units in the viewer's area at some
 * date between `from` and `to`: one statement per page of series.
 */
export async function areaCodePage(ctx: RequestContext, from: string, to: string, after: string, limit: number): Promise<string[]> {
  const qb = ctx.dataSource
    .getRepository(UnitPlacement)
    .createQueryBuilder('p')
    .innerJoin(AdministrativeUnit, 'u', 'u.id = p.unit_id')
    .select('DISTINCT u.code', 'code')
    .where('(p.valid_from IS NULL OR p.valid_from <= :to) AND (p.valid_to IS NULL OR p.valid_to >= :from)', { from, to })
    .andWhere('u.code > :after', { after });
  ctx.access.restrict(qb, 'p.unit_id', DURING_PLACEMENT);
  const rows = await qb.orderBy('u.code', 'ASC').limit(limit).getRawMany<{ code: string }>();
  return rows.map((r) => r.code);
}

/**
 * The units with these codes on each of `dates`: those in force on the day and placed in the
 * viewer's area then. One statement for every date (the placements that overlap them, checked
 * day by day in memory with the access layer's own test); a code outside the area is not found.
 */
export async function unitsOnDates(ctx: RequestContext, codes: string[], dates: string[]): Promise<Map<string, AdministrativeUnit[]>> {
  const byDate = new Map<string, AdministrativeUnit[]>(dates.map((d) => [d, []]));
  if (!codes.length || !dates.length) return byDate;
  const [from, to] = [dates[0], dates[dates.length - 1]];
  const qb = ctx.dataSource
    .getRepository(UnitPlacement)
    .createQueryBuilder('p')
    .innerJoin(AdministrativeUnit, 'u', 'u.id = p.unit_id')
    .select(['u.id AS id', 'u.code AS code', 'u.level AS level', 'u.name AS name', 'u.valid_from AS unitFrom', 'u.valid_to AS unitTo', 'p.path AS path', 'p.valid_from AS validFrom', 'p.valid_to AS validTo'])
    .where('(p.valid_from IS NULL OR p.valid_from <= :to) AND (p.valid_to IS NULL OR p.valid_to >= :from)', { from, to })
    .andWhere('(u.valid_from IS NULL OR u.valid_from <= :to) AND (u.valid_to IS NULL OR u.valid_to >= :from)', { from, to })
    .andWhere('u.code IN (:...codes)', { codes });
  ctx.access.restrict(qb, 'p.unit_id', DURING_PLACEMENT);
  const rows = await qb.getRawMany<{ id: number | string; code: string; level: UnitLevel; name: string; unitFrom: string | null; unitTo: string | null; path: string; validFrom: string | null; validTo: string | null }>();
  for (const date of dates) {
    const units = byDate.get(date) as AdministrativeUnit[];
    for (const r of rows) {
      if (!isValidOn({ validFrom: r.unitFrom, validTo: r.unitTo }, date) || !isValidOn(r, date)) continue;
      if (!ctx.access.containsOn([{ path: r.path, validFrom: r.validFrom, validTo: r.validTo }], date)) continue;
      units.push(Object.assign(new AdministrativeUnit(), { id: Number(r.id), code: r.code, level: r.level, name: r.name, asOf: date }));
    }
  }
  return byDate;
}
