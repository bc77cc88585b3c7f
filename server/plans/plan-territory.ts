import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { RequestContext } from '../request-context';
import { rowDaySql } from '../auth/row-kinds';
import { pathPrefixSql, validOnSql } from '../core/sql';
import { AdministrativeUnit, isValidOn, unitAt } from '../tenancy/administrative-unit.entity';
import { UnitLevel } from '../tenancy/unit-level';
import { UnitPlacement } from '../tenancy/unit-placement.entity';
import { Plan } from './plan.entity';

/**
 * Where a plan is judged on a date. While its unit is in force, that unit. After the unit was
 * dissolved (Thái Bình, 34, on 2025-06-30), the territory it covered: the units in force on the
 * date that were formed from its communes, through the lineage (Thái Bình's 242 communes became
 * 65 communes of Hưng Yên). A unit formed partly from the plan's territory and partly from
 * elsewhere counts in full: observations cannot be split by the old borders.
 */
export interface PlanArea {
  /** The plan's own unit, read on the date or, once dissolved, on its last day. */
  unit: AdministrativeUnit;
  /** Null while the unit is in force; otherwise the units in force on the date that cover its territory, in code order. */
  successors: AdministrativeUnit[] | null;
}

/** The plan's area on `date`; null when the viewer may not see the plan's unit. */
export async function planArea(ctx: RequestContext, plan: Plan, date: string): Promise<PlanArea | null> {
  const unit = await ctx.loaders.unitOn.load({ id: plan.unitId, date });
  if (!unit) return null;
  if (!unit.validTo || unit.validTo >= date) return { unit, successors: null };
  const successorIds = await territorySuccessors(ctx, unit, date);
  const successors = (await ctx.loaders.unitOn.loadMany(successorIds.map((id) => ({ id, date })))).filter((u): u is AdministrativeUnit => u instanceof AdministrativeUnit);
  return { unit, successors: successors.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.id - b.id)) };
}

/**
 * Ids of the units in force on `date` formed from the dissolved unit's territory. The lineage
 * links communes (a province's link names the whole merged province), so the territory is
 * followed through the communes under the unit on its last day, or the unit itself when it is a
 * commune; successors dissolved in turn are followed on.
 */
async function territorySuccessors(ctx: RequestContext, unit: AdministrativeUnit, date: string): Promise<number[]> {
  let frontier = await legacyCommunes(ctx, unit);
  const seen = new Set(frontier);
  const inForce = new Set<number>();
  while (frontier.length) {
    const links = (await ctx.loaders.successorLinks.loadMany(frontier)).flatMap((l) => (Array.isArray(l) ? l : []));
    const next = [...new Set(links.map((l) => l.successorId))].filter((id) => !seen.has(id));
    next.forEach((id) => seen.add(id));
    const placements = await ctx.loaders.placementsOfUnit.loadMany(next);
    frontier = next.filter((id, i) => {
      const current = Array.isArray(placements[i]) && placements[i].some((p) => isValidOn(p, date));
      if (current) inForce.add(id);
      return !current;
    });
  }
  return [...inForce];
}

/** The communes under the unit on its last day (the unit itself when it is one). */
async function legacyCommunes(ctx: RequestContext, unit: AdministrativeUnit): Promise<number[]> {
  if (unit.level === UnitLevel.COMMUNE) return [unit.id];
  const lastDay = unit.validTo as string;
  const own = (await ctx.loaders.placementsOfUnit.load(unit.id)).find((p) => isValidOn(p, lastDay));
  if (!own) return [];
  const prefix = pathPrefixSql(ctx.dataSource, 'p.path', own.path);
  const rows = await ctx.dataSource
    .getRepository(UnitPlacement)
    .createQueryBuilder('p')
    .select('p.unit_id', 'unitId')
    .innerJoin(AdministrativeUnit, 'u', 'u.id = p.unit_id AND u.level = :commune', { commune: UnitLevel.COMMUNE })
    .where(validOnSql('p', 'lastDay'), { lastDay })
    .andWhere(prefix.sql, prefix.params)
    .getRawMany<{ unitId: number | string }>();
  return rows.map((r) => Number(r.unitId));
}

/**
 * The deepest unit above every one of `units` on `date` (their common ancestor in the tree), read
 * at that date. Not access-checked: callers use it only as the root of a query whose rows are.
 */
export async function commonAncestor(ctx: RequestContext, units: AdministrativeUnit[], date: string): Promise<AdministrativeUnit | null> {
  const placements = await ctx.loaders.placementsOfUnit.loadMany(units.map((u) => u.id));
  const paths = placements.map((p) => (Array.isArray(p) ? p.find((x) => isValidOn(x, date))?.path : undefined));
  if (!paths.length || paths.some((p) => !p)) return null;
  const split = (paths as string[]).map((p) => p.split('/').filter(Boolean));
  const shared: string[] = [];
  // Every path ends with the unit's own id: the ancestor lies strictly above them all.
  for (let i = 0; i < Math.min(...split.map((s) => s.length - 1)); i++) {
    if (split.some((s) => s[i] !== split[0][i])) break;
    shared.push(split[0][i]);
  }
  const id = Number(shared[shared.length - 1]);
  if (!id) return null;
  const unit = await ctx.dataSource.getRepository(AdministrativeUnit).findOneBy({ id });
  return unit ? unitAt(unit, date) : null;
}

/** Ids of the unit and of every unit it was formed from, through the lineage, transitively. */
export async function withPredecessors(ctx: RequestContext, unitId: number): Promise<number[]> {
  const ids = new Set([unitId]);
  let frontier = [unitId];
  while (frontier.length) {
    const links = (await ctx.loaders.predecessorLinks.loadMany(frontier)).flatMap((l) => (Array.isArray(l) ? l : []));
    frontier = links.map((l) => l.predecessorId).filter((id) => !ids.has(id));
    frontier.forEach((id) => ids.add(id));
  }
  return [...ids];
}

/**
 * Plans (alias `p`) of the unit's subtree: of units that lay, on the plan's day (row-kinds.ts),
 * under the unit or under a unit it was formed from (transitively, through the lineage). Thái Bình's plan (34, dissolved
 * 2025-06-30) is listed under Hưng Yên (33), which took its territory. A filter only: the viewer's
 * area is still applied by the plan row kind (auth/row-kinds.ts) on every plan query.
 */
export async function plansInSubtree<T extends ObjectLiteral>(ctx: RequestContext, qb: SelectQueryBuilder<T>, unitId: number): Promise<SelectQueryBuilder<T>> {
  const units = await withPredecessors(ctx, unitId);
  const placements = (await ctx.loaders.placementsOfUnit.loadMany(units)).flatMap((p) => (Array.isArray(p) ? p : []));
  const prefixes = [...new Set(placements.map((p) => p.path))].map((path) => pathPrefixSql(ctx.dataSource, 'dp.path', path));
  if (!prefixes.length) return qb.andWhere('p.unit_id = :subtreeUnitId', { subtreeUnitId: unitId });
  const day = rowDaySql(ctx, 'plan', qb, 'p');
  return qb.andWhere(
    `EXISTS (SELECT 1 FROM unit_placement dp WHERE dp.unit_id = p.unit_id AND (dp.valid_from IS NULL OR dp.valid_from <= ${day}) AND (dp.valid_to IS NULL OR dp.valid_to >= ${day}) AND (${prefixes.map((c) => c.sql).join(' OR ')}))`,
    Object.assign({}, ...prefixes.map((c) => c.params)),
  );
}
