import { DataSource, SelectQueryBuilder, ObjectLiteral } from 'typeorm';
import { Role } from './role';
import { TokenClaims } from './jwt';
import { Viewer } from './viewer';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import { UnitLineage } from '../tenancy/unit-lineage.entity';
import { UnitPlacement } from '../tenancy/unit-placement.entity';
import { UnitLevel } from '../tenancy/unit-level';
import { ForbiddenError, UnauthenticatedError } from '../core/errors';
import { pathPrefixSql, validOnSql } from '../core/sql';

/**
 * The one place where the viewer's subtree is applied. Every query that reads tenant data calls
 * `restrict` (or goes through a loader that does); writes call `assertCanWrite`.
 *
 * The subtree is the viewer's unit at any time plus the units it was formed from in the 2025
 * reorganisation (transitively), so a province analyst reads its province's 2024 data through
 * the legacy districts. A unit is visible when any of its placements lies under one of those
 * roots' paths.
 */
export class AccessScope {
  private constructor(
    readonly viewer: Viewer,
    private readonly dataSource: DataSource,
    /** Paths of the roots, without those already under another root. */
    readonly rootPaths: string[],
    /** Ids of units the viewer may write observations and plans for; null = any visible unit. */
    private readonly writableUnitIds: Set<number> | null,
  ) {}

  static async forClaims(dataSource: DataSource, claims: TokenClaims, today: string): Promise<AccessScope> {
    const unit = await dataSource
      .getRepository(AdministrativeUnit)
      .createQueryBuilder('u')
      .where('u.code = :code', { code: claims.unit })
      .andWhere(validOnSql('u', 'today'), { today })
      .getOne();
    if (!unit) throw new UnauthenticatedError(`Authentication failed: unit ${claims.unit} of the token does not exist today`);
    const rootIds = await lineageClosure(dataSource, unit.id);
    const placements = await dataSource.getRepository(UnitPlacement).createQueryBuilder('p').where('p.unit_id IN (:...ids)', { ids: rootIds }).getMany();
    const viewer = Object.assign(new Viewer(), { subject: claims.sub, role: claims.role, unit });
    return new AccessScope(viewer, dataSource, minimalPrefixes(placements.map((p) => p.path)), await writableUnits(dataSource, unit, claims.role, today));
  }

  get role(): Role {
    return this.viewer.role;
  }

  /** A STATISTICS_OFFICE reads approved observations only (SPEC §3): in lists, aggregates and exports. */
  get approvedOnly(): boolean {
    return this.viewer.role === Role.STATISTICS_OFFICE;
  }

  /** True when nothing is outside the subtree (a national viewer). */
  get unrestricted(): boolean {
    return this.viewer.unit.level === UnitLevel.NATION;
  }

  /** Limits a query to rows whose `unitIdColumn` names a unit inside the viewer's subtree. */
  restrict<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, unitIdColumn: string): SelectQueryBuilder<T> {
    if (this.unrestricted) return qb;
    const conditions = this.rootPaths.map((root) => pathPrefixSql(this.dataSource, 'scope_p.path', root));
    const sql = `EXISTS (SELECT 1 FROM unit_placement scope_p WHERE scope_p.unit_id = ${unitIdColumn} AND (${conditions.map((c) => c.sql).join(' OR ')}))`;
    return qb.andWhere(sql, Object.assign({}, ...conditions.map((c) => c.params)));
  }

  /** In-memory twin of `restrict` for a placement path already loaded. */
  containsPath(path: string): boolean {
    return this.rootPaths.some((root) => path.startsWith(root));
  }

  requireRole(...roles: Role[]): void {
    if (!roles.includes(this.role)) throw new ForbiddenError(`The ${this.role} role may not do this`);
  }

  /** Writes go only to the viewer's own unit (and its villages, for an EDITOR) or, for an ADMIN, its subtree. */
  assertCanWrite(unitId: number, visible: boolean): void {
    if (this.role !== Role.ADMIN && this.role !== Role.EDITOR) throw new ForbiddenError(`The ${this.role} role may not write`);
    if (!visible) throw new ForbiddenError();
    if (this.writableUnitIds && !this.writableUnitIds.has(unitId)) throw new ForbiddenError('An EDITOR writes only for its own unit and its villages');
  }

  /** Bulk twin of `assertCanWrite` for a unit already known to be visible (found through `restrict`). */
  canWriteVisible(unitId: number): boolean {
    if (this.role !== Role.ADMIN && this.role !== Role.EDITOR) return false;
    return !this.writableUnitIds || this.writableUnitIds.has(unitId);
  }

  /** Approving a visible unit's data: an ADMIN of the subtree, or an EDITOR of the unit above (`parentIds`: the unit's parents over time). */
  canApproveVisible(parentIds: number[]): boolean {
    if (this.role === Role.ADMIN) return true;
    return this.role === Role.EDITOR && parentIds.includes(this.viewer.unit.id);
  }
}

async function lineageClosure(dataSource: DataSource, unitId: number): Promise<number[]> {
  const ids = new Set([unitId]);
  let frontier = [unitId];
  while (frontier.length) {
    const links = await dataSource.getRepository(UnitLineage).createQueryBuilder('l').where('l.successor_id IN (:...ids)', { ids: frontier }).getMany();
    frontier = links.map((l) => l.predecessorId).filter((id) => !ids.has(id));
    frontier.forEach((id) => ids.add(id));
  }
  return [...ids];
}

async function writableUnits(dataSource: DataSource, unit: AdministrativeUnit, role: Role, today: string): Promise<Set<number> | null> {
  if (role === Role.ADMIN) return null;
  if (role !== Role.EDITOR) return new Set();
  const villages = await dataSource
    .getRepository(UnitPlacement)
    .createQueryBuilder('p')
    .innerJoin(AdministrativeUnit, 'u', 'u.id = p.unit_id')
    .where('p.parent_id = :parent', { parent: unit.id })
    .andWhere('u.level = :level', { level: UnitLevel.VILLAGE })
    .andWhere(validOnSql('p', 'today'), { today })
    .getMany();
  return new Set([unit.id, ...villages.map((v) => v.unitId)]);
}

function minimalPrefixes(paths: string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  return sorted.filter((path, i) => !sorted.slice(0, i).some((other) => path.startsWith(other)));
}
