import { DataSource, SelectQueryBuilder, ObjectLiteral } from 'typeorm';
import { Role } from './role';
import { TokenClaims } from './jwt';
import { Viewer } from './viewer';
import { AdministrativeUnit, isValidOn, Validity } from '../tenancy/administrative-unit.entity';
import { UnitLineage } from '../tenancy/unit-lineage.entity';
import { UnitPlacement } from '../tenancy/unit-placement.entity';
import { UnitLevel } from '../tenancy/unit-level';
import { ForbiddenError, UnauthenticatedError } from '../core/errors';
import { pathPrefixSql, uniqueParam, validOnSql } from '../core/sql';
import { referenceCache } from '../core/reference-cache';

/**
 * When the rows a query reads belong to the viewer's area. A unit belongs to an area on a date, so
 * every read says which date it is about: `on` a date (a unit asked as of a day), `onSql` a date
 * per row (an observation's period end), or over a span (`fromSql`–`toSql`: a plan's years; the
 * unit counts if it was in the area at some time in it). SQL expressions must give YYYY-MM-DD.
 */
export type AccessTime = { on: string } | { onSql: string } | { fromSql: string; toSql: string };

/** Something placed in the tree during an interval (a UnitPlacement); the roots of an area are such placements too. */
export interface Placed extends Validity {
  path: string;
}

/**
 * The one place where the viewer's area is applied. Tenant rows are read through the row-kind
 * table (row-kinds.ts `restrictRows`, which calls `restrict` with the kind's day) and written after
 * `assertCanWriteAt`; units themselves are read as of a date with `restrict` or `containsOn`.
 *
 * The area on a date is what lies under the viewer's unit on that date and, before the 2025
 * reorganisation, what lay under the units it was formed from (transitively) then. So Ba Đình
 * (00004) reads the 2024 data of legacy phường Đồng Xuân (00040), one of its predecessors, but not
 * the 2026 data of village 0007002, which sat under Đồng Xuân until 2025-06-30 and under Hoàn Kiếm
 * since: from the day a unit moved it belongs to its new commune, for reading and for writing.
 */
export class AccessScope {
  private constructor(
    readonly viewer: Viewer,
    private readonly dataSource: DataSource,
    /** Placements of the viewer's unit and of its predecessors, each valid for an interval. */
    private readonly roots: Placed[],
    /** Ids of units the viewer may write observations and plans for; null = any visible unit. */
    private readonly writableUnitIds: Set<number> | null,
  ) {}

  /** The scope of a unit and role on a day changes only with the hierarchy: it is cached across requests. */
  static async forClaims(dataSource: DataSource, claims: TokenClaims, today: string): Promise<AccessScope> {
    const area = await referenceCache(dataSource).get('hierarchy', `scope|${claims.unit}|${claims.role}|${today}`, () => loadArea(dataSource, claims, today));
    if (!area) throw new UnauthenticatedError(`Authentication failed: unit ${claims.unit} of the token does not exist today`);
    const viewer = Object.assign(new Viewer(), { subject: claims.sub, role: claims.role, unit: area.unit });
    return new AccessScope(viewer, dataSource, area.roots, area.writableUnitIds);
  }

  get role(): Role {
    return this.viewer.role;
  }

  /** A STATISTICS_OFFICE reads approved observations only (SPEC §3): in lists, aggregates, histories and exports. */
  get approvedOnly(): boolean {
    return this.viewer.role === Role.STATISTICS_OFFICE;
  }

  /** True when nothing is outside the area (a national viewer). */
  get unrestricted(): boolean {
    return this.viewer.unit.level === UnitLevel.NATION;
  }

  /** Limits a query to rows whose `unitIdColumn` names a unit inside the viewer's area at `time`. */
  restrict<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, unitIdColumn: string, time: AccessTime): SelectQueryBuilder<T> {
    if (this.unrestricted) return qb;
    if (!this.roots.length) return qb.andWhere('1 = 0');
    const params: Record<string, string> = {};
    const bound = (value: string) => {
      const name = uniqueParam('at');
      params[name] = value;
      return `:${name}`;
    };
    const [from, to] = 'on' in time ? [bound(time.on), null] : 'onSql' in time ? [time.onSql, null] : [time.fromSql, time.toSql];
    const until = to ?? from;
    const roots = this.roots.map((root) => {
      const prefix = pathPrefixSql(this.dataSource, 'scope_p.path', root.path);
      Object.assign(params, prefix.params);
      const during = [root.validFrom ? `${until} >= ${bound(root.validFrom)}` : null, root.validTo ? `${from} <= ${bound(root.validTo)}` : null].filter(Boolean);
      return `(${[prefix.sql, ...during].join(' AND ')})`;
    });
    const sql =
      `EXISTS (SELECT 1 FROM unit_placement scope_p WHERE scope_p.unit_id = ${unitIdColumn}` +
      ` AND (scope_p.valid_from IS NULL OR scope_p.valid_from <= ${until}) AND (scope_p.valid_to IS NULL OR scope_p.valid_to >= ${from})` +
      ` AND (${roots.join(' OR ')}))`;
    return qb.andWhere(sql, params);
  }

  /** In-memory twin of `restrict` on a date, for placements already loaded (any of them may place the unit). */
  containsOn(placements: readonly Placed[], date: string): boolean {
    if (this.unrestricted) return true;
    return placements.some((p) => isValidOn(p, date) && this.roots.some((root) => isValidOn(root, date) && p.path.startsWith(root.path)));
  }

  requireRole(...roles: Role[]): void {
    if (!roles.includes(this.role)) throw new ForbiddenError(`The ${this.role} role may not do this`);
  }

  /**
   * A write of a row placed on `day` (row-kinds.ts): the row's unit lay in the viewer's area that
   * day, the role may write for it, and every unit that holds the row's place today (its heirs) is
   * in the viewer's area. So a commune writes its own rows and those of a unit it alone succeeded,
   * but a row of a legacy unit whose territory went to several communes (Bính Xá 06622, split into
   * Đình Lập and Kiên Mộc) is written by a viewer above all of them: the province.
   */
  async assertCanWriteAt(unitId: number, day: string, today: string): Promise<void> {
    if (this.role !== Role.ADMIN && this.role !== Role.EDITOR) throw new ForbiddenError(`The ${this.role} role may not write`);
    const placements = await this.dataSource.getRepository(UnitPlacement).findBy({ unitId });
    if (!this.containsOn(placements, day)) throw new ForbiddenError();
    if (this.writableUnitIds && !this.writableUnitIds.has(unitId)) throw new ForbiddenError('An EDITOR writes only for its own unit and its villages');
    if (this.unrestricted) return;
    const heirs = await heirsToday(this.dataSource, unitId, today);
    const outside = heirs.filter((heir) => !this.containsOn(heir.placements, today));
    if (!outside.length) return;
    throw new ForbiddenError(
      `This row belongs to a unit whose territory is held today by ${heirs.map((h) => `${h.code} (${h.name})`).join(', ')}: ` +
        `it is written by a viewer whose area holds all of them (the unit above them), not by ${this.viewer.unit.code}`,
    );
  }

  /** Bulk twin of `assertCanWriteAt` for observations, whose unit is already known to be visible on their day. */
  canWriteVisible(unitId: number): boolean {
    if (this.role !== Role.ADMIN && this.role !== Role.EDITOR) return false;
    return !this.writableUnitIds || this.writableUnitIds.has(unitId);
  }

  /** Approving a visible unit's data: an ADMIN of the area, or an EDITOR of the unit above it on the data's date. */
  canApproveVisible(parentIdOnDate: number | null): boolean {
    if (this.role === Role.ADMIN) return true;
    return this.role === Role.EDITOR && parentIdOnDate === this.viewer.unit.id;
  }
}

/** What a token's unit and role give on a day, or null when the unit does not exist that day. */
interface Area {
  unit: AdministrativeUnit;
  roots: Placed[];
  writableUnitIds: Set<number> | null;
}

async function loadArea(dataSource: DataSource, claims: TokenClaims, today: string): Promise<Area | null> {
  const unit = await dataSource
    .getRepository(AdministrativeUnit)
    .createQueryBuilder('u')
    .where('u.code = :code', { code: claims.unit })
    .andWhere(validOnSql('u', 'today'), { today })
    .getOne();
  if (!unit) return null;
  const rootIds = await lineageClosure(dataSource, unit.id);
  const placements = await dataSource.getRepository(UnitPlacement).createQueryBuilder('p').where('p.unit_id IN (:...ids)', { ids: rootIds }).getMany();
  return { unit, roots: distinctRoots(placements), writableUnitIds: await writableUnits(dataSource, unit, claims.role, today) };
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

function distinctRoots(placements: UnitPlacement[]): Placed[] {
  const roots = new Map(placements.map((p) => [`${p.path}|${p.validFrom}|${p.validTo}`, { path: p.path, validFrom: p.validFrom, validTo: p.validTo }]));
  return [...roots.values()];
}

interface Heir {
  code: string;
  name: string;
  placements: UnitPlacement[];
}

/**
 * The units in force today that hold a unit's place: the unit itself while it is in force, else the
 * units formed from it (transitively); of those, the lowest (none of the others lies under them
 * today). A commune split in two has both halves; a unit with no recorded successor has none, and
 * then only viewers above it (who alone read its rows) write them.
 */
async function heirsToday(dataSource: DataSource, unitId: number, today: string): Promise<Heir[]> {
  const related = new Set([unitId]);
  for (let frontier = [unitId]; frontier.length; ) {
    const links = await dataSource.getRepository(UnitLineage).createQueryBuilder('l').where('l.predecessor_id IN (:...ids)', { ids: frontier }).getMany();
    frontier = links.map((l) => l.successorId).filter((id) => !related.has(id));
    frontier.forEach((id) => related.add(id));
  }
  const units = await dataSource.getRepository(AdministrativeUnit).createQueryBuilder('u').where('u.id IN (:...ids)', { ids: [...related] }).andWhere(validOnSql('u', 'today'), { today }).getMany();
  if (!units.length) return [];
  const placements = await dataSource.getRepository(UnitPlacement).createQueryBuilder('p').where('p.unit_id IN (:...ids)', { ids: units.map((u) => u.id) }).getMany();
  const pathToday = new Map(placements.filter((p) => isValidOn(p, today)).map((p) => [p.unitId, p.path]));
  const under = (path: string) =>
    units.some((other) => {
      const otherPath = pathToday.get(other.id);
      return otherPath !== undefined && otherPath !== path && otherPath.startsWith(path);
    });
  return units
    .filter((u) => pathToday.has(u.id) && !under(pathToday.get(u.id) as string))
    .map((u) => ({ code: u.code, name: u.name, placements: placements.filter((p) => p.unitId === u.id) }));
}
