import { AdministrativeUnit, isValidOn, unitAt } from './administrative-unit.entity';
import { UnitPlacement } from './unit-placement.entity';
import { UnitsArgs } from './unit.inputs';
import type { RequestContext } from '../request-context';
import { BadUserInputError } from '../core/errors';
import { Connection, readPage, toConnection } from '../core/pagination';
import { escapeLike, LIKE_ESCAPE, pathPrefixSql, validOnSql } from '../core/sql';
import { foldVietnamese } from '../core/text';
import { referenceCache } from '../core/reference-cache';

/**
 * The unit with this code on `date`, if the viewer may see it; null is the same for "absent" and
 * "not yours". The unit and its placements are hierarchy data, cached across requests; the
 * viewer's area is applied to them in memory (`containsOn`, the twin of `restrict` on a date).
 */
export async function findUnitByCode(ctx: RequestContext, code: string, date = ctx.today): Promise<AdministrativeUnit | null> {
  const found = await referenceCache(ctx.dataSource).get('hierarchy', `unit|${code.trim()}|${date}`, () => unitWithPlacements(ctx, code.trim(), date));
  if (!found || !ctx.access.containsOn(found.placements, date)) return null;
  const unit = unitAt(found.unit, date);
  // The request's loaders need not read them again (statistics ask for the area's placement and row unit).
  ctx.loaders.placementsOfUnit.prime(unit.id, found.placements);
  ctx.loaders.unitOn.prime({ id: unit.id, date }, unit);
  return unit;
}

async function unitWithPlacements(ctx: RequestContext, code: string, date: string): Promise<{ unit: AdministrativeUnit; placements: UnitPlacement[] } | null> {
  const unit = await ctx.dataSource.getRepository(AdministrativeUnit).createQueryBuilder('u').where('u.code = :code', { code }).andWhere(validOnSql('u', 'date'), { date }).getOne();
  if (!unit) return null;
  return { unit, placements: await ctx.dataSource.getRepository(UnitPlacement).findBy({ unitId: unit.id }) };
}

/** A unit by row id, read today or, for one no longer (or not yet) in force, on its nearest day; null when invisible. */
export async function findUnitById(ctx: RequestContext, id: number): Promise<AdministrativeUnit | null> {
  return ctx.loaders.unitOn.load({ id, date: ctx.today });
}

/** Like findUnitByCode, for arguments: an unknown (or invisible) code is a client error naming the field. */
export async function requireUnitByCode(ctx: RequestContext, code: string, field: string, date = ctx.today): Promise<AdministrativeUnit> {
  const unit = await findUnitByCode(ctx, code, date);
  if (!unit) throw new BadUserInputError(`No unit with code "${code}" on ${date}`, field);
  return unit;
}

export async function placementOn(ctx: RequestContext, unit: AdministrativeUnit, date = unit.asOf): Promise<UnitPlacement | null> {
  const placements = await ctx.loaders.placementsOfUnit.load(unit.id);
  return placements.find((p) => isValidOn(p, date)) ?? null;
}

export async function listUnits(ctx: RequestContext, args: UnitsArgs): Promise<Connection<AdministrativeUnit>> {
  const page = readPage(args.first, args.after);
  const date = args.asOf ?? ctx.today;
  const qb = ctx.dataSource
    .getRepository(AdministrativeUnit)
    .createQueryBuilder('u')
    .innerJoin(UnitPlacement, 'p', 'p.unit_id = u.id')
    .where(validOnSql('p', 'date'), { date });
  if (args.level) qb.andWhere('u.level = :level', { level: args.level });
  if (args.under) {
    const under = await requireUnitByCode(ctx, args.under, 'under', date);
    const placement = await placementOn(ctx, under, date);
    if (!placement) throw new BadUserInputError(`Unit "${args.under}" has no place in the hierarchy on ${date}`, 'under');
    const prefix = pathPrefixSql(ctx.dataSource, 'p.path', placement.path);
    qb.andWhere(prefix.sql, prefix.params).andWhere('u.id <> :underId', { underId: under.id });
  }
  const search = args.search ? foldVietnamese(args.search) : '';
  if (search) qb.andWhere(`u.search_name LIKE :search ${LIKE_ESCAPE}`, { search: `%${escapeLike(search)}%` });
  ctx.access.restrict(qb, 'u.id', { on: date });
  const [rows, totalCount] = await Promise.all([
    qb.clone().orderBy('u.code', 'ASC').addOrderBy('u.id', 'ASC').offset(page.offset).limit(page.limit).getMany(),
    qb.getCount(),
  ]);
  return toConnection(
    rows.map((u) => unitAt(u, date)),
    totalCount,
    page,
  );
}

export async function parentOf(ctx: RequestContext, unit: AdministrativeUnit): Promise<AdministrativeUnit | null> {
  const placement = await placementOn(ctx, unit);
  if (!placement?.parentId) return null;
  return ctx.loaders.unitOn.load({ id: placement.parentId, date: unit.asOf });
}

export async function childrenOf(ctx: RequestContext, unit: AdministrativeUnit): Promise<AdministrativeUnit[]> {
  const placements = (await ctx.loaders.placementsUnderParent.load(unit.id)).filter((p) => isValidOn(p, unit.asOf));
  const children = await loadUnitsAt(ctx, placements.map((p) => p.unitId), unit.asOf);
  return children.sort((a, b) => a.code.localeCompare(b.code));
}

export async function ancestorsOf(ctx: RequestContext, unit: AdministrativeUnit): Promise<AdministrativeUnit[]> {
  const placement = await placementOn(ctx, unit);
  if (!placement) return [];
  const ids = placement.path.split('/').filter(Boolean).map(Number).filter((id) => id !== unit.id);
  return loadUnitsAt(ctx, ids, unit.asOf);
}

export async function predecessorsOf(ctx: RequestContext, unit: AdministrativeUnit): Promise<AdministrativeUnit[]> {
  const links = await ctx.loaders.predecessorLinks.load(unit.id);
  return (await loadUnitsAt(ctx, links.map((l) => l.predecessorId), unit.asOf)).sort((a, b) => a.code.localeCompare(b.code));
}

export async function successorsOf(ctx: RequestContext, unit: AdministrativeUnit): Promise<AdministrativeUnit[]> {
  const links = await ctx.loaders.successorLinks.load(unit.id);
  return (await loadUnitsAt(ctx, links.map((l) => l.successorId), unit.asOf)).sort((a, b) => a.code.localeCompare(b.code));
}

/** The units with these ids read at `date` (each kept inside its lifetime), leaving out those outside the viewer's area then. */
export async function loadUnitsAt(ctx: RequestContext, ids: number[], date: string): Promise<AdministrativeUnit[]> {
  const units = await ctx.loaders.unitOn.loadMany(ids.map((id) => ({ id, date })));
  return units.filter((u): u is AdministrativeUnit => u instanceof AdministrativeUnit);
}
