import { EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { Role } from '../auth/role';
import type { RequestContext } from '../request-context';
import { BadUserInputError, ConflictError, ForbiddenError } from '../core/errors';
import { Connection, readPage, toConnection } from '../core/pagination';
import { cleanText } from '../core/text';
import { chunk, concatSql, pathPrefixSql, uniqueParam } from '../core/sql';
import { ObservationStatus } from '../indicators/indicator-enums';
import { dimensionsOf, fixedDimensionValues } from '../indicators/dimension-catalogue';
import { TOTAL_CODE, valueIn } from '../indicators/dimension-key';
import { DimensionValue } from '../indicators/dimension-value';
import { Indicator } from '../indicators/indicator.entity';
import { valueOf } from '../indicators/indicator-value';
import { findIndicatorByCode } from '../indicators/indicator.service';
import { AdministrativeUnit, isValidOn } from '../tenancy/administrative-unit.entity';
import { UnitPlacement } from '../tenancy/unit-placement.entity';
import { requireUnitByCode } from '../tenancy/unit.service';
import { ObservationRevision } from './observation-revision.entity';
import { Observation } from './observation.entity';
import { ObservationsArgs } from './observation.inputs';
import { restrictRows } from '../auth/row-kinds';
import { ingestObservations, IngestOptions, IngestResult, CHUNK } from './observation-writer';
import { withWriteTransaction } from '../core/write-transaction';
import { ObservationRow } from './observation-validation';
import { canonicalPeriod, parsePeriod, Period, periodEnd, periodProblem } from './period';
import { maintainRollups, readGroups } from '../statistics/rollup.maintenance';

export const MAX_BATCH = Number(process.env.MAX_OBSERVATION_BATCH ?? 100_000);
export const MAX_STATUS_IDS = 5_000;
/** The width of the revisions' comment column. */
export const MAX_COMMENT = 1000;

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
export async function observationQuery(ctx: RequestContext, args: Pick<ObservationsArgs, 'indicator' | 'unit' | 'includeDescendants' | 'periods' | 'where'>): Promise<SelectQueryBuilder<Observation>> {
  const qb = ctx.dataSource.getRepository(Observation).createQueryBuilder('o');
  if (args.where?.length && !args.indicator) throw new BadUserInputError('where filters by the dimensions of one indicator: name it in indicator', 'where');
  if (args.indicator) {
    const indicator = await findIndicatorByCode(ctx, args.indicator);
    if (!indicator) throw new BadUserInputError(`Unknown indicator "${args.indicator}"`, 'indicator');
    qb.andWhere('o.indicator_id = :indicatorId', { indicatorId: indicator.id });
    const where = args.where?.length ? fixedDimensionValues(indicator, args.where, await ctx.loaders.dimensions.load('all')) : [];
    for (const [dimension, value] of where) whereDimensionValue(ctx, qb, dimension, value);
  }
  if (args.periods?.length) {
    const bad = args.periods.find((p) => !parsePeriod(p));
    if (bad) throw new BadUserInputError(periodProblem(bad) as string, 'periods');
    qb.andWhere('o.period IN (:...periods)', { periods: args.periods.map(canonicalPeriod) });
  }
  if (args.unit) {
    const unit = await requireUnitByCode(ctx, args.unit, 'unit');
    if (args.includeDescendants) {
      const placements = await ctx.loaders.placementsOfUnit.load(unit.id);
      const prefixes = placements.map((p) => pathPrefixSql(ctx.dataSource, 'sub_p.path', p.path));
      // IN over the subtree's placements (a range of the path index), not EXISTS per observation: the count then reads the subtree's rows, not the table's.
      const under = prefixes.length ? ` OR o.unit_id IN (SELECT sub_p.unit_id FROM unit_placement sub_p WHERE ${prefixes.map((p) => p.sql).join(' OR ')})` : '';
      qb.andWhere(`(o.unit_id = :unitId${under})`, Object.assign({ unitId: unit.id }, ...prefixes.map((p) => p.params)));
    } else {
      qb.andWhere('o.unit_id = :unitId', { unitId: unit.id });
    }
  }
  return restrictRows(ctx, 'observation', qb, 'o');
}

/**
 * The canonical key lists `DIMENSION=CODE` pairs separated by ';' (dimension-key.ts): a value is a
 * whole pair between separators, and the total (`_T`) is the dimension's absence. Codes may hold
 * '_', LIKE's one-character wildcard, so it is escaped (with '!', which both databases take alike).
 */
function whereDimensionValue(ctx: RequestContext, qb: SelectQueryBuilder<Observation>, dimension: string, value: string): void {
  const param = uniqueParam('dimension');
  const escaped = (text: string) => text.replace(/[!%_]/g, (c) => `!${c}`);
  const key = concatSql(ctx.dataSource, "';'", 'o.disaggregation', "';'");
  if (value === TOTAL_CODE) qb.andWhere(`${key} NOT LIKE :${param} ESCAPE '!'`, { [param]: `%;${escaped(dimension)}=%` });
  else qb.andWhere(`${key} LIKE :${param} ESCAPE '!'`, { [param]: `%;${escaped(dimension)}=${escaped(value)};%` });
}

export async function findObservation(ctx: RequestContext, id: number): Promise<Observation | null> {
  const qb = ctx.dataSource.getRepository(Observation).createQueryBuilder('o').where('o.id = :id', { id });
  return restrictRows(ctx, 'observation', qb, 'o').getOne();
}

/** A revision of an observation, by the same rule as the observation's history (row-kinds.ts). */
export async function findRevision(ctx: RequestContext, id: number): Promise<ObservationRevision | null> {
  return (await ctx.loaders.observationRevisionById.load(id)) ?? null;
}

export async function observationValue(ctx: RequestContext, observation: Observation): Promise<number | null> {
  const indicator = await ctx.loaders.indicatorById.load(observation.indicatorId);
  return indicator ? valueOf(indicator, observation.numerator, observation.denominator) : null;
}

export function indicatorOf(ctx: RequestContext, observation: Observation): Promise<Indicator | null> {
  return ctx.loaders.indicatorById.load(observation.indicatorId);
}

/** Its value of each dimension its indicator declares (`_T` where it gives the total). */
export async function observationDimensions(ctx: RequestContext, observation: Observation): Promise<DimensionValue[]> {
  const indicator = await indicatorOf(ctx, observation);
  return (indicator ? dimensionsOf(indicator) : []).map((dimension) => Object.assign(new DimensionValue(), { dimension, value: valueIn(observation.dimensionKey, dimension) }));
}

/** The observation's unit read on the last day of its period (today for a period not yet over). */
export async function unitOf(ctx: RequestContext, observation: Observation): Promise<AdministrativeUnit | null> {
  const period = parsePeriod(observation.period);
  const end = period ? periodEnd(period) : ctx.today;
  return ctx.loaders.unitOn.load({ id: observation.unitId, date: end < ctx.today ? end : ctx.today });
}

export function historyOf(ctx: RequestContext, observation: Observation): Promise<ObservationRevision[]> {
  return ctx.loaders.observationHistory.load(observation.id);
}

/**
 * Moves observations to `to` (SUBMITTED or APPROVED), all or none. Submitting: whoever may write
 * the unit. Approving: an ADMIN of the area or an EDITOR of the unit above, and never a subject
 * who wrote the value since its last approval (four eyes). Ids outside the area are "not found or not allowed" like
 * forbidden ones. Rows already there are no-ops.
 */
export async function changeStatus(ctx: RequestContext, ids: number[], to: ObservationStatus.SUBMITTED | ObservationStatus.APPROVED, rawComment: string | null): Promise<Observation[]> {
  ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
  const comment = cleanText(rawComment ?? '').trim() || null;
  if (comment && comment.length > MAX_COMMENT) throw new BadUserInputError(`comment is at most ${MAX_COMMENT} characters`, 'comment');
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
      restrictRows(ctx, 'observation', qb, 'o');
      if (mysql) qb.setLock('pessimistic_write');
      found.push(...(await qb.getMany()));
    }
    if (found.length !== unique.length) throw new ForbiddenError('Not found or not allowed: some observations');
    const order = [ObservationStatus.DRAFT, ObservationStatus.SUBMITTED, ObservationStatus.APPROVED];
    const moving = found.filter((o) => order.indexOf(o.status) < order.indexOf(to));
    if (to === ObservationStatus.APPROVED) await assertCanApprove(ctx, manager, moving);
    else if (found.some((o) => !ctx.access.canWriteVisible(o.unitId))) throw new ForbiddenError('Not found or not allowed: some observations');
    const aggregated = moving.filter((o) => indicators.has(o.indicatorId));
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
    await maintainRollups(manager, ctx.dataSource, groups, aggregated.map((o) => ({ unitId: o.unitId, indicatorId: o.indicatorId, period: o.period, sex: o.sex, dimensions: o.dimensionKey, numerator: o.numerator, denominator: o.denominator, status: to })));
  });
  const result: Observation[] = [];
  for (const batch of chunk(unique, CHUNK)) {
    result.push(...(await restrictRows(ctx, 'observation', ctx.dataSource.getRepository(Observation).createQueryBuilder('o').where('o.id IN (:...ids)', { ids: batch }), 'o').getMany()));
  }
  return result.sort((a, b) => a.id - b.id);
}

/**
 * Approval needs the right role for the unit (an ADMIN of the area, or an EDITOR of the unit above
 * it on the last day of the period) and a second pair of eyes: the approver wrote no revision of
 * the value since its last approval. Every writer counts, not the last one: otherwise a colleague
 * re-recording the same numbers with a new source would free the first writer to approve.
 */
async function assertCanApprove(ctx: RequestContext, manager: EntityManager, observations: Observation[]): Promise<void> {
  if (!observations.length) return;
  const placements = new Map<number, UnitPlacement[]>();
  for (const unitIds of chunk([...new Set(observations.map((o) => o.unitId))], CHUNK)) {
    for (const p of await manager.getRepository(UnitPlacement).findBy({ unitId: In(unitIds) })) placements.set(p.unitId, [...(placements.get(p.unitId) ?? []), p]);
  }
  for (const o of observations) {
    const end = periodEnd(parsePeriod(o.period) as Period);
    const parent = (placements.get(o.unitId) ?? []).find((p) => isValidOn(p, end))?.parentId ?? null;
    if (!ctx.access.canApproveVisible(parent)) throw new ForbiddenError('Approval is for an ADMIN of the area or an EDITOR of the unit above');
  }
  const writers = await writersSinceApproval(manager, observations.map((o) => o.id));
  const me = sameSubject(ctx.access.viewer.subject);
  const own = observations.filter((o) => writers.get(o.id)?.has(me));
  if (own.length) {
    const named = own.slice(0, 5).map((o) => o.globalId).join(', ');
    throw new ForbiddenError(`Four eyes: you wrote the value of ${named}${own.length > 5 ? ` and ${own.length - 5} more` : ''} since its last approval; another authorised person must approve it`, 'ids');
  }
}

/** Subjects compare case-insensitively: `W@06625` is the same person as `w@06625`. */
function sameSubject(subject: string): string {
  return subject.trim().toLowerCase();
}

/**
 * Observation id → the subjects who wrote it since its last approval: every revision after the
 * last one that approved it, except the revisions that only moved its status forward (a submission).
 */
async function writersSinceApproval(manager: EntityManager, observationIds: number[]): Promise<Map<number, Set<string>>> {
  const revisions = new Map<number, { version: number; by: string; approved: boolean; write: boolean }[]>();
  for (const ids of chunk(observationIds, CHUNK)) {
    const rows = await manager
      .getRepository(ObservationRevision)
      .createQueryBuilder('r')
      .select(['r.observation_id AS observationId', 'r.version AS version', 'r.changed_by AS changedBy', 'r.new_status AS newStatus', 'r.old_status AS oldStatus', 'r.old_numerator AS oldNumerator', 'r.new_numerator AS newNumerator', 'r.old_denominator AS oldDenominator', 'r.new_denominator AS newDenominator'])
      .where('r.observation_id IN (:...ids)', { ids })
      .getRawMany<{ observationId: number | string; version: number | string; changedBy: string; newStatus: string; oldStatus: string | null; oldNumerator: number | null; newNumerator: number; oldDenominator: number | null; newDenominator: number }>();
    for (const r of rows) {
      const id = Number(r.observationId);
      const statusOnly = r.oldStatus !== null && r.oldStatus !== r.newStatus && r.newStatus !== ObservationStatus.DRAFT && Number(r.oldNumerator) === Number(r.newNumerator) && Number(r.oldDenominator) === Number(r.newDenominator);
      const list = revisions.get(id) ?? [];
      list.push({ version: Number(r.version), by: sameSubject(r.changedBy), approved: r.newStatus === ObservationStatus.APPROVED, write: !statusOnly });
      revisions.set(id, list);
    }
  }
  const writers = new Map<number, Set<string>>();
  for (const [id, list] of revisions) {
    const lastApproval = list.reduce((last, r) => (r.approved && r.version > last ? r.version : last), 0);
    writers.set(id, new Set(list.filter((r) => r.version > lastApproval && r.write).map((r) => r.by)));
  }
  return writers;
}
