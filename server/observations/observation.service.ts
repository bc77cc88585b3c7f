import { In, SelectQueryBuilder } from 'typeorm';
import { Role } from '../auth/role';
import type { RequestContext } from '../request-context';
import { BadUserInputError, ConflictError, ForbiddenError } from '../core/errors';
import { Connection, readPage, toConnection } from '../core/pagination';
import { chunk, pathPrefixSql } from '../core/sql';
import { ObservationStatus } from '../indicators/indicator-enums';
import { Indicator } from '../indicators/indicator.entity';
import { findIndicatorByCode } from '../indicators/indicator.service';
import { AdministrativeUnit, unitAt } from '../tenancy/administrative-unit.entity';
import { UnitPlacement } from '../tenancy/unit-placement.entity';
import { requireUnitByCode } from '../tenancy/unit.service';
import { ObservationRevision } from './observation-revision.entity';
import { Observation } from './observation.entity';
import { ObservationsArgs } from './observation.inputs';
import { restrictObservations } from './observation-scope';
import { ingestObservations, IngestOptions, IngestResult, CHUNK } from './observation-writer';
import { withWriteTransaction } from '../core/write-transaction';
import { ObservationRow } from './observation-validation';
import { parsePeriod, periodProblem } from './period';
import { maintainRollups, readGroups } from '../statistics/rollup.maintenance';

export const MAX_BATCH = Number(process.env.MAX_OBSERVATION_BATCH ?? 100_000);
export const MAX_STATUS_IDS = 5_000;

export async function recordObservations(ctx: RequestContext, rows: ObservationRow[], options: IngestOptions = {}): Promise<IngestResult> {
  ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
  if (rows.length > MAX_BATCH) throw new BadUserInputError(`A batch holds at most ${MAX_BATCH} rows; split it`, 'input');
  return ingestObservations(ctx, rows, options);
}

export async function listObservations(ctx: RequestContext, args: ObservationsArgs): Promise<Connection<Observation>> {
  const page = readPage(args.first, args.after);
  const qb = await observationQuery(ctx, args);
  const [rows, totalCount] = await Promise.all([qb.clone().orderBy('o.id', 'ASC').offset(page.offset).limit(page.limit).getMany(), qb.getCount()]);
  return toConnection(rows, totalCount, page);
}

/** The filtered, access-restricted query (alias `o`) behind `observations`; the bulk export reads it too. */
export async function observationQuery(ctx: RequestContext, args: Pick<ObservationsArgs, 'indicator' | 'unit' | 'includeDescendants' | 'periods'>): Promise<SelectQueryBuilder<Observation>> {
  const qb = ctx.dataSource.getRepository(Observation).createQueryBuilder('o');
  if (args.indicator) {
    const indicator = await findIndicatorByCode(ctx, args.indicator);
    if (!indicator) throw new BadUserInputError(`Unknown indicator "${args.indicator}"`, 'indicator');
    qb.andWhere('o.indicator_id = :indicatorId', { indicatorId: indicator.id });
  }
  if (args.periods?.length) {
    const bad = args.periods.find((p) => !parsePeriod(p));
    if (bad) throw new BadUserInputError(periodProblem(bad) as string, 'periods');
    qb.andWhere('o.period IN (:...periods)', { periods: args.periods });
  }
  if (args.unit) {
    const unit = await requireUnitByCode(ctx, args.unit, 'unit');
    if (args.includeDescendants) {
      const placements = await ctx.loaders.placementsOfUnit.load(unit.id);
      const prefixes = placements.map((p) => pathPrefixSql(ctx.dataSource, 'sub_p.path', p.path));
      const under = prefixes.length ? ` OR EXISTS (SELECT 1 FROM unit_placement sub_p WHERE sub_p.unit_id = o.unit_id AND (${prefixes.map((p) => p.sql).join(' OR ')}))` : '';
      qb.andWhere(`(o.unit_id = :unitId${under})`, Object.assign({ unitId: unit.id }, ...prefixes.map((p) => p.params)));
    } else {
      qb.andWhere('o.unit_id = :unitId', { unitId: unit.id });
    }
  }
  return restrictObservations(ctx, qb, 'o');
}

export async function findObservation(ctx: RequestContext, id: number): Promise<Observation | null> {
  const qb = ctx.dataSource.getRepository(Observation).createQueryBuilder('o').where('o.id = :id', { id });
  return restrictObservations(ctx, qb, 'o').getOne();
}

/** A revision of an observation, visible exactly when its observation is. */
export async function findRevision(ctx: RequestContext, id: number): Promise<ObservationRevision | null> {
  const revision = await ctx.dataSource.getRepository(ObservationRevision).findOneBy({ id });
  return revision && (await findObservation(ctx, revision.observationId)) ? revision : null;
}

export async function observationValue(ctx: RequestContext, observation: Observation): Promise<number | null> {
  const indicator = await ctx.loaders.indicatorById.load(observation.indicatorId);
  if (!indicator || !observation.denominator) return null;
  return (indicator.factor * observation.numerator) / observation.denominator;
}

export function indicatorOf(ctx: RequestContext, observation: Observation): Promise<Indicator | null> {
  return ctx.loaders.indicatorById.load(observation.indicatorId);
}

export async function unitOf(ctx: RequestContext, observation: Observation): Promise<AdministrativeUnit | null> {
  const unit = await ctx.loaders.unitById.load(observation.unitId);
  if (!unit) return null;
  const period = parsePeriod(observation.period);
  const date = period ? `${period.year}-${String(period.lastMonth).padStart(2, '0')}-01` : ctx.today;
  return unitAt(unit, date < ctx.today ? date : ctx.today);
}

export function historyOf(ctx: RequestContext, observation: Observation): Promise<ObservationRevision[]> {
  return ctx.loaders.observationHistory.load(observation.id);
}

/**
 * Moves observations to `to` (SUBMITTED or APPROVED), all or none. Submitting: whoever may write
 * the unit. Approving: an ADMIN of the subtree or an EDITOR of the unit above. Ids outside the
 * subtree are "not found or not allowed" like forbidden ones. Rows already there are no-ops.
 */
export async function changeStatus(ctx: RequestContext, ids: number[], to: ObservationStatus.SUBMITTED | ObservationStatus.APPROVED, comment: string | null): Promise<Observation[]> {
  ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
  const unique = [...new Set(ids)];
  if (unique.length > MAX_STATUS_IDS) throw new BadUserInputError(`At most ${MAX_STATUS_IDS} ids at once`, 'ids');
  if (unique.some((id) => !Number.isInteger(id) || id <= 0)) throw new BadUserInputError('ids must be observation ids', 'ids');
  if (!unique.length) return [];
  const now = new Date().toISOString();
  const actor = ctx.access.viewer.subject;
  const mysql = ctx.dataSource.options.type === 'mysql';
  // Read before the transaction: a pooled query inside it could wait for a connection held by a writer waiting for our locks.
  const indicators = new Map((await ctx.loaders.allIndicators.load('all')).map((i) => [i.id, i]));
  await withWriteTransaction(ctx.dataSource, async (manager) => {
    const found: Observation[] = [];
    for (const batch of chunk(unique, CHUNK)) {
      const qb = manager.getRepository(Observation).createQueryBuilder('o').where('o.id IN (:...ids)', { ids: batch });
      ctx.access.restrict(qb, 'o.unit_id');
      if (mysql) qb.setLock('pessimistic_write');
      found.push(...(await qb.getMany()));
    }
    if (found.length !== unique.length) throw new ForbiddenError('Not found or not allowed: some observations');
    const parents = new Map<number, number[]>();
    for (const unitIds of chunk([...new Set(found.map((o) => o.unitId))], CHUNK)) {
      for (const p of await manager.getRepository(UnitPlacement).findBy({ unitId: In(unitIds) })) {
        if (p.parentId) parents.set(p.unitId, [...(parents.get(p.unitId) ?? []), p.parentId]);
      }
    }
    for (const o of found) {
      const allowed = to === ObservationStatus.APPROVED ? ctx.access.canApproveVisible(parents.get(o.unitId) ?? []) : ctx.access.canWriteVisible(o.unitId);
      if (!allowed) throw new ForbiddenError(to === ObservationStatus.APPROVED ? 'Approval is for an ADMIN of the subtree or an EDITOR of the unit above' : 'Not found or not allowed: some observations');
    }
    const order = [ObservationStatus.DRAFT, ObservationStatus.SUBMITTED, ObservationStatus.APPROVED];
    const moving = found.filter((o) => order.indexOf(o.status) < order.indexOf(to));
    const aggregated = moving.filter((o) => o.disaggregation === '' && indicators.has(o.indicatorId));
    const groups = await readGroups(manager, ctx.dataSource, aggregated.map((o) => ({ indicator: indicators.get(o.indicatorId) as Indicator, unitId: o.unitId, period: o.period })));
    for (const batch of chunk(moving, CHUNK)) {
      for (const version of new Set(batch.map((o) => o.version))) {
        const same = batch.filter((o) => o.version === version);
        const outcome = await manager
          .createQueryBuilder()
          .update(Observation)
          .set({ status: to, version: version + 1, updatedBy: actor, updatedAt: now })
          .where('id IN (:...ids)', { ids: same.map((o) => o.id) })
          .andWhere('version = :version', { version })
          .execute();
        if (outcome.affected !== undefined && outcome.affected !== same.length) throw new ConflictError('Observations changed meanwhile; read them again');
      }
      await manager
        .createQueryBuilder()
        .insert()
        .into(ObservationRevision)
        .values(batch.map((o) => ({ observationId: o.id, oldNumerator: o.numerator, oldDenominator: o.denominator, oldStatus: o.status, newNumerator: o.numerator, newDenominator: o.denominator, newStatus: to, version: o.version + 1, changedBy: actor, changedAt: now, comment })))
        .updateEntity(false)
        .execute();
    }
    await maintainRollups(manager, ctx.dataSource, groups, aggregated.map((o) => ({ unitId: o.unitId, indicatorId: o.indicatorId, period: o.period, sex: o.sex, numerator: o.numerator, denominator: o.denominator, status: to })));
  });
  const result: Observation[] = [];
  for (const batch of chunk(unique, CHUNK)) {
    result.push(...(await restrictObservations(ctx, ctx.dataSource.getRepository(Observation).createQueryBuilder('o').where('o.id IN (:...ids)', { ids: batch }), 'o').getMany()));
  }
  return result.sort((a, b) => a.id - b.id);
}
