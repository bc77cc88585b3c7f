import type { RequestContext } from '../request-context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import { MAX_PAGE_SIZE } from '../core/pagination';
import { rowIdOf } from '../core/node';
import { pathPrefixSql, validOnSql } from '../core/sql';
import { Indicator } from '../indicators/indicator.entity';
import { findIndicatorByCode } from '../indicators/indicator.service';
import { ObservationRevision } from '../observations/observation-revision.entity';
import { Observation } from '../observations/observation.entity';
import { restrictRows } from '../auth/row-kinds';
import { parsePeriod, Period, periodEnd, periodProblem, periodsWithin } from '../observations/period';
import { Plan } from '../plans/plan.entity';
import { PlanStatus } from '../plans/plan.enums';
import { ReportingObligation } from '../plans/reporting-obligation.entity';
import { Submission } from '../plans/submission.entity';
import { AdministrativeUnit, isValidOn } from '../tenancy/administrative-unit.entity';
import { UnitLevel } from '../tenancy/unit-level';
import { UnitPlacement } from '../tenancy/unit-placement.entity';
import { findUnitByCode, loadUnitsAt, placementOn, requireUnitByCode } from '../tenancy/unit.service';
import { PlanArea, planArea } from '../plans/plan-territory';
import { CompletenessArgs } from './completeness.inputs';
import { CompletenessRow, Reporter } from './completeness.types';
import { Breakdown } from './statistics.inputs';
import { computeRows, rowUnits } from './statistics.service';

/**
 * `reportingCompleteness`: who was expected to report (báo cáo) for a period, who did, and who
 * did so on time, per row unit. Two modes, exactly one per request:
 *
 * - Indicator: the expected reporters of a row are the indicator's entry-level units under it on
 *   the period's last day, and a unit reported when it has an observation for the period that
 *   the viewer may see (approved only for a STATISTICS_OFFICE) — `computeRows`' coverage. On
 *   time needs the `deadline` argument: the unit's first such observation was recorded (its
 *   first revision) on or before that day.
 * - Obligation: a report owed under a plan. The expected reporters are the obligation's own
 *   unit (the plan's unit: submissions are recorded for it) and every unit strictly below it
 *   whose plan, covering the period's year and not superseded, implements the obligation's plan
 *   (`implements.number` equals its number). The own unit reported when the obligation has a
 *   submission for exactly this period code; an implementing unit when one of its implementing
 *   plan's obligations of the same kind has one. On time: the first submission came on or
 *   before the obligation's deadline for the period (dueDay/dueMonth in the period's year, else
 *   dueDate); null when it has none.
 *
 * Every read goes through the viewer's subtree. Statements per request follow its shape: the
 * coverage of `computeRows`, or a fixed handful for an obligation, plus one or two when
 * `missing`, `late` or a deadline ask for the reporters one by one.
 */
export async function reportingCompleteness(ctx: RequestContext, args: CompletenessArgs): Promise<CompletenessRow[]> {
  const mode = modeOf(args);
  const shape = shapeOf(args);
  if (mode.kind === 'indicator') return indicatorCompleteness(ctx, mode.code, shape, args.deadline ?? null);
  if (args.deadline) throw new BadUserInputError('An obligation brings its own deadline; the deadline argument goes with an indicator', 'deadline');
  return obligationCompleteness(ctx, mode.id, shape);
}

/** Units of a row's expected reporters that have not reported, in code order, read at the period's end. */
export async function missingOf(ctx: RequestContext, row: CompletenessRow, first: number): Promise<AdministrativeUnit[]> {
  const reporters = await row.reporters();
  return unitsAt(ctx, reporters.filter((r) => r.firstReportedAt === null), first, row.asOf);
}

/** Units of a row that reported after the deadline, in code order; empty when no deadline applies. */
export async function lateOf(ctx: RequestContext, row: CompletenessRow, first: number): Promise<AdministrativeUnit[]> {
  if (row.deadline === null) return [];
  const reporters = await row.reporters();
  return unitsAt(ctx, reporters.filter((r) => r.onTime === false), first, row.asOf);
}

// ---------------------------------------------------------------- arguments

type Mode = { kind: 'indicator'; code: string } | { kind: 'obligation'; id: string };

interface Shape {
  area: string;
  period: Period;
  /** The period's last day: the hierarchy the rows and reporters are read in. */
  date: string;
  breakdown: Breakdown;
  level: UnitLevel | null;
}

function modeOf(args: CompletenessArgs): Mode {
  const hasIndicator = args.indicator !== null && args.indicator !== undefined;
  const hasObligation = args.obligation !== null && args.obligation !== undefined;
  if (hasIndicator === hasObligation) {
    const problem = hasIndicator ? 'not both' : 'one of them';
    throw new BadUserInputError(`Give exactly one of indicator and obligation (${problem})`, hasIndicator ? 'obligation' : 'indicator', { fields: ['indicator', 'obligation'] });
  }
  return hasIndicator ? { kind: 'indicator', code: (args.indicator as string).trim() } : { kind: 'obligation', id: args.obligation as string };
}

function shapeOf(args: CompletenessArgs): Shape {
  const code = args.period.trim();
  const period = parsePeriod(code);
  if (!period) throw new BadUserInputError(periodProblem(code) as string, 'period');
  const breakdown = args.breakdown ?? Breakdown.CHILDREN;
  const level = args.level ?? null;
  if (breakdown === Breakdown.LEVEL && !level) throw new BadUserInputError('breakdown LEVEL needs a level', 'level');
  return { area: args.area, period, date: periodEnd(period), breakdown, level };
}

// ---------------------------------------------------------------- indicator mode

async function indicatorCompleteness(ctx: RequestContext, code: string, shape: Shape, deadline: string | null): Promise<CompletenessRow[]> {
  const indicator = await findIndicatorByCode(ctx, code);
  if (!indicator) throw new BadUserInputError(`Unknown indicator "${code}"`, 'indicator');
  if (!periodsWithin(shape.period, indicator.periodType).length) {
    throw new BadUserInputError(`${indicator.code} is entered per ${indicator.periodType}; "${shape.period.code}" is shorter`, 'period');
  }
  const area = await requireUnitByCode(ctx, shape.area, 'area', shape.date);
  const computed = await computeRows(ctx, [indicator], area, shape.period, shape.date, shape.breakdown, shape.level);
  const stats = computed.rows.get(indicator.id) ?? [];
  const rowIds = computed.units.map((u) => u.id);
  const areaPath = async () => (await placementOn(ctx, area, shape.date))?.path ?? null;
  const reported = once(async () => reportedEntryUnits(ctx, indicator, await areaPath(), shape, deadline));
  const everyone = once(async () => {
    const [entries, reports] = await Promise.all([areaPath().then((path) => entryUnits(ctx, indicator, path, shape.date)), reported()]);
    return groupUnderRows(withReports(entries, reports), rowIds);
  });
  const onTime = deadline && rowIds.length ? countOnTime(groupUnderRows([...(await reported()).values()], rowIds)) : null;
  return computed.units.map((unit, i) =>
    makeRow(unit, shape, { expected: stats[i]?.expectedUnits ?? 0, reported: stats[i]?.reportingUnits ?? 0, onTime: deadline ? (onTime?.get(unit.id) ?? 0) : null }, deadline, async () => (await everyone()).get(unit.id) ?? []),
  );
}

interface Placed extends Reporter {
  /** Placement path on the period's last day, which names every unit above it. */
  path: string;
}

/**
 * Entry-level units under the area on the date that have an observation of the indicator for the
 * period the viewer may see, with when the first of them was recorded (its earliest revision,
 * the creation; `updated_at` if a row somehow has none).
 */
async function reportedEntryUnits(ctx: RequestContext, indicator: Indicator, areaPath: string | null, shape: Shape, deadline: string | null): Promise<Map<number, Placed>> {
  if (!areaPath) return new Map();
  const prefix = pathPrefixSql(ctx.dataSource, 'p.path', areaPath);
  const qb = ctx.dataSource
    .getRepository(Observation)
    .createQueryBuilder('o')
    .select(['o.unit_id AS unitId', 'u.code AS code', 'p.path AS path', 'MIN(COALESCE(r.changed_at, o.updated_at)) AS firstAt'])
    .innerJoin(UnitPlacement, 'p', `p.unit_id = o.unit_id AND ${validOnSql('p', 'date')}`, { date: shape.date })
    .innerJoin(AdministrativeUnit, 'u', 'u.id = o.unit_id AND u.level = :entryLevel', { entryLevel: indicator.entryLevel })
    .leftJoin(ObservationRevision, 'r', 'r.observation_id = o.id')
    .where('o.indicator_id = :indicatorId', { indicatorId: indicator.id })
    .andWhere('o.period IN (:...subPeriods)', { subPeriods: periodsWithin(shape.period, indicator.periodType).map((p) => p.code) })
    .andWhere(prefix.sql, prefix.params)
    .groupBy('o.unit_id')
    .addGroupBy('u.code')
    .addGroupBy('p.path');
  restrictRows(ctx, 'observation', qb, 'o');
  const rows = await qb.getRawMany<{ unitId: number | string; code: string; path: string; firstAt: string }>();
  return new Map(rows.map((r) => [Number(r.unitId), placed(Number(r.unitId), r.code, r.path, r.firstAt, deadline)]));
}

/** Every entry-level unit under the area on the date (the expected reporters), for `missing`. */
async function entryUnits(ctx: RequestContext, indicator: Indicator, areaPath: string | null, date: string): Promise<Placed[]> {
  if (!areaPath) return [];
  const prefix = pathPrefixSql(ctx.dataSource, 'p.path', areaPath);
  const qb = ctx.dataSource
    .getRepository(UnitPlacement)
    .createQueryBuilder('p')
    .select(['p.unit_id AS unitId', 'u.code AS code', 'p.path AS path'])
    .innerJoin(AdministrativeUnit, 'u', 'u.id = p.unit_id AND u.level = :entryLevel', { entryLevel: indicator.entryLevel })
    .where(validOnSql('p', 'date'), { date })
    .andWhere(prefix.sql, prefix.params);
  ctx.access.restrict(qb, 'p.unit_id', { on: date });
  const rows = await qb.getRawMany<{ unitId: number | string; code: string; path: string }>();
  return rows.map((r) => placed(Number(r.unitId), r.code, r.path, null, null));
}

/** The expected reporters with what the reported ones sent. */
function withReports(entries: Placed[], reported: Map<number, Placed>): Placed[] {
  return entries.map((e) => reported.get(e.unitId) ?? e);
}

function countOnTime(byRow: Map<number, Placed[]>): Map<number, number> {
  return new Map([...byRow].map(([rowId, reporters]) => [rowId, reporters.filter((r) => r.onTime === true).length]));
}

// ---------------------------------------------------------------- obligation mode

async function obligationCompleteness(ctx: RequestContext, id: string, shape: Shape): Promise<CompletenessRow[]> {
  const { obligation, plan } = await visibleObligation(ctx, id);
  checkObligationPeriod(obligation, plan, shape.period);
  const deadline = deadlineOf(obligation, shape.period);
  const territory = await dissolvedPlanArea(ctx, plan, shape);
  if (territory) return territoryCompleteness(ctx, obligation, plan, territory, shape, deadline);
  const area = await requireUnitByCode(ctx, shape.area, 'area', shape.date);
  // One after the other: run in parallel, the two batches of units would merge or not depending
  // on timing, and the statements per request would wobble.
  const rows = await rowUnits(ctx, area, shape.date, shape.breakdown, shape.level);
  const reporters = await obligationReporters(ctx, obligation, plan, shape, deadline);
  const byRow = groupUnderRows(reporters, rows.map((u) => u.id));
  return rows.map((unit) => obligationRow(unit, byRow.get(unit.id) ?? [], shape, deadline));
}

function obligationRow(unit: AdministrativeUnit, mine: Placed[], shape: Shape, deadline: string | null): CompletenessRow {
  const reported = mine.filter((r) => r.firstReportedAt !== null).length;
  const onTime = deadline ? mine.filter((r) => r.onTime === true).length : null;
  return makeRow(unit, shape, { expected: mine.length, reported, onTime }, deadline, async () => mine);
}

/**
 * The plan's area when `area` names the plan's own unit and that unit was dissolved before the
 * period's end (Thái Bình, 34, for 2026): the territory it covered (plan-territory.ts). Null
 * otherwise, and the area is read as usual.
 */
async function dissolvedPlanArea(ctx: RequestContext, plan: Plan, shape: Shape): Promise<PlanArea | null> {
  const area = await planArea(ctx, plan, shape.date);
  if (!area?.successors || area.unit.code !== shape.area.trim()) return null;
  if (await findUnitByCode(ctx, shape.area, shape.date)) return null;
  return area;
}

/**
 * Completeness of a dissolved unit's plan over its territory: the own unit (its submissions are
 * still recorded for it) in the NONE row, and the units inside the territory whose plans implement
 * it. CHILDREN (or LEVEL) gives one row per unit of the territory.
 */
async function territoryCompleteness(ctx: RequestContext, obligation: ReportingObligation, plan: Plan, area: PlanArea, shape: Shape, deadline: string | null): Promise<CompletenessRow[]> {
  const successors = area.successors as AdministrativeUnit[];
  const placements = await ctx.loaders.placementsOfUnit.loadMany(successors.map((u) => u.id));
  const paths = placements.flatMap((p) => (Array.isArray(p) ? p.filter((x) => isValidOn(x, shape.date)).map((x) => x.path) : []));
  const implementing = plan.number && paths.length ? await implementingPlans(ctx, plan, paths, shape) : [];
  const unitIds = [...new Set(implementing.map((q) => q.unitId))];
  const [firsts, units, below] = await Promise.all([
    firstSubmissions(ctx, obligation, implementing.map((q) => q.id), shape.period),
    ctx.loaders.unitOn.loadMany(unitIds.map((id) => ({ id, date: shape.date }))),
    ctx.loaders.placementsOfUnit.loadMany(unitIds),
  ]);
  const own = placed(plan.unitId, area.unit.code, '', firsts.get(plan.unitId) ?? null, deadline);
  const reporters = unitIds.flatMap((unitId, i) => {
    const unit = units[i];
    const placement = Array.isArray(below[i]) ? below[i].find((p) => isValidOn(p, shape.date)) : undefined;
    return unit instanceof AdministrativeUnit && placement ? [placed(unitId, unit.code, placement.path, firsts.get(unitId) ?? null, deadline)] : [];
  });
  if (shape.breakdown === Breakdown.NONE) return [obligationRow(area.unit, [own, ...reporters], shape, deadline)];
  const byRow = groupUnderRows(reporters, successors.map((u) => u.id));
  return successors.map((unit) => obligationRow(unit, byRow.get(unit.id) ?? [], shape, deadline));
}

/** The obligation and its plan, or FORBIDDEN — the same for "absent" and "outside your subtree". */
async function visibleObligation(ctx: RequestContext, id: string): Promise<{ obligation: ReportingObligation; plan: Plan }> {
  const obligationId = rowIdOf(id, 'ReportingObligation');
  const obligation = obligationId ? await ctx.loaders.obligationById.load(obligationId) : null;
  const plan = obligation ? await ctx.loaders.planById.load(obligation.planId) : null;
  if (!obligation || !plan) throw new ForbiddenError('Not found or not allowed: obligation');
  return { obligation, plan };
}

/** A report is owed only inside its plan's years, and a MIDTERM or FINAL report only for its year. */
function checkObligationPeriod(obligation: ReportingObligation, plan: Plan, period: Period): void {
  if (period.year < plan.firstYear || period.year > plan.lastYear) {
    throw new BadUserInputError(`period ${period.code} is outside the plan's period ${plan.firstYear}–${plan.lastYear}`, 'period');
  }
  if (obligation.year !== null && obligation.year !== period.year) {
    throw new BadUserInputError(`This ${obligation.kind} report is owed for ${obligation.year} only`, 'period');
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The obligation's deadline for a period: its recurring day in the period's year, else its one-off date. */
export function deadlineOf(obligation: Pick<ReportingObligation, 'dueDay' | 'dueMonth' | 'dueDate'>, period: Period): string | null {
  if (obligation.dueDay !== null && obligation.dueMonth !== null) return `${period.year}-${pad(obligation.dueMonth)}-${pad(obligation.dueDay)}`;
  return obligation.dueDate ?? null;
}

/** The obligation's unit and the units below it whose plans implement its plan, with their first submission. */
async function obligationReporters(ctx: RequestContext, obligation: ReportingObligation, plan: Plan, shape: Shape, deadline: string | null): Promise<Placed[]> {
  const ownPlacement = (await ctx.loaders.placementsOfUnit.load(plan.unitId)).find((p) => isValidOn(p, shape.date));
  // The plan's unit has no place in the hierarchy on that day: nobody below it can be placed either.
  if (!ownPlacement) return [];
  const implementing = plan.number ? await implementingPlans(ctx, plan, [ownPlacement.path], shape) : [];
  const unitIds = [...new Set([plan.unitId, ...implementing.map((q) => q.unitId)])];
  const [firsts, placements, units] = await Promise.all([
    firstSubmissions(ctx, obligation, implementing.map((q) => q.id), shape.period),
    ctx.loaders.placementsOfUnit.loadMany(unitIds),
    ctx.loaders.unitOn.loadMany(unitIds.map((id) => ({ id, date: shape.date }))),
  ]);
  return unitIds.flatMap((unitId, i) => {
    const unit = units[i];
    const placement = Array.isArray(placements[i]) ? placements[i].find((p) => isValidOn(p, shape.date)) : undefined;
    if (!(unit instanceof AdministrativeUnit) || !placement) return [];
    return [placed(unitId, unit.code, placement.path, firsts.get(unitId) ?? null, deadline)];
  });
}

/** Plans strictly below the obligation's unit (or inside its territory: under one of `paths`) that implement its plan and are in force in the period's year. */
async function implementingPlans(ctx: RequestContext, plan: Plan, paths: string[], shape: Shape): Promise<{ id: number; unitId: number }[]> {
  const prefixes = paths.map((path) => pathPrefixSql(ctx.dataSource, 'qp.path', path));
  const prefix = { sql: `(${prefixes.map((p) => p.sql).join(' OR ')})`, params: Object.assign({}, ...prefixes.map((p) => p.params)) };
  const qb = ctx.dataSource
    .getRepository(Plan)
    .createQueryBuilder('q')
    .select(['q.id AS id', 'q.unit_id AS unitId'])
    .where('q.implements_number = :number', { number: plan.number })
    .andWhere('q.unit_id <> :ownUnit', { ownUnit: plan.unitId })
    .andWhere('q.first_year <= :year AND q.last_year >= :year', { year: shape.period.year })
    .andWhere('q.status <> :superseded', { superseded: PlanStatus.SUPERSEDED })
    .andWhere(`EXISTS (SELECT 1 FROM unit_placement qp WHERE qp.unit_id = q.unit_id AND ${validOnSql('qp', 'date')} AND ${prefix.sql})`, { date: shape.date, ...prefix.params });
  restrictRows(ctx, 'plan', qb, 'q');
  const rows = await qb.getRawMany<{ id: number | string; unitId: number | string }>();
  return rows.map((r) => ({ id: Number(r.id), unitId: Number(r.unitId) }));
}

/**
 * Submitting unit → its first submission for exactly this period: against the obligation
 * itself, or against an obligation of the same kind of an implementing plan.
 */
async function firstSubmissions(ctx: RequestContext, obligation: ReportingObligation, planIds: number[], period: Period): Promise<Map<number, string>> {
  const qb = ctx.dataSource
    .getRepository(Submission)
    .createQueryBuilder('s')
    .select(['s.unit_id AS unitId', 'MIN(s.submitted_at) AS firstAt'])
    .innerJoin(ReportingObligation, 'ro', 'ro.id = s.obligation_id')
    .where('s.period = :period', { period: period.code });
  if (planIds.length) qb.andWhere('(ro.id = :obligationId OR (ro.plan_id IN (:...planIds) AND ro.kind = :kind))', { obligationId: obligation.id, planIds, kind: obligation.kind });
  else qb.andWhere('ro.id = :obligationId', { obligationId: obligation.id });
  restrictRows(ctx, 'submission', qb, 's').groupBy('s.unit_id');
  const rows = await qb.getRawMany<{ unitId: number | string; firstAt: string }>();
  return new Map(rows.map((r) => [Number(r.unitId), r.firstAt]));
}

// ---------------------------------------------------------------- shared

/** Offset of Vietnam time (UTC+7, no daylight saving): deadlines are Vietnamese calendar days. */
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

export function vietnamDate(isoTimestamp: string): string {
  const ms = Date.parse(isoTimestamp);
  return Number.isNaN(ms) ? isoTimestamp.slice(0, 10) : new Date(ms + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

function placed(unitId: number, code: string, path: string, firstReportedAt: string | null, deadline: string | null): Placed {
  const onTime = firstReportedAt === null || deadline === null ? null : vietnamDate(firstReportedAt) <= deadline;
  return { unitId, code, path, firstReportedAt, onTime };
}

/** Row unit id → the reporters whose path passes through it (rows never overlap). */
function groupUnderRows(reporters: Placed[], rowIds: number[]): Map<number, Placed[]> {
  const rows = new Set(rowIds);
  const byRow = new Map<number, Placed[]>();
  for (const reporter of reporters) {
    const rowId = reporter.path.split('/').filter(Boolean).map(Number).find((id) => rows.has(id));
    if (rowId === undefined) continue;
    const group = byRow.get(rowId);
    if (group) group.push(reporter);
    else byRow.set(rowId, [reporter]);
  }
  return byRow;
}

const ratio = (part: number, whole: number): number | null => (whole ? part / whole : null);

function makeRow(unit: AdministrativeUnit, shape: Shape, counts: { expected: number; reported: number; onTime: number | null }, deadline: string | null, reporters: () => Promise<Reporter[]>): CompletenessRow {
  return Object.assign(new CompletenessRow(), {
    unit,
    period: shape.period.code,
    expected: counts.expected,
    reported: counts.reported,
    reportedOnTime: counts.onTime,
    rate: ratio(counts.reported, counts.expected),
    onTimeRate: counts.onTime === null ? null : ratio(counts.onTime, counts.expected),
    deadline,
    reporters,
    asOf: shape.date,
  });
}

/** The first `first` of the reporters in code order, as units read at `date`. */
async function unitsAt(ctx: RequestContext, reporters: Reporter[], first: number, date: string): Promise<AdministrativeUnit[]> {
  if (!Number.isInteger(first) || first < 0) throw new BadUserInputError('first must be a whole number ≥ 0', 'first');
  const ids = [...reporters]
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.unitId - b.unitId))
    .slice(0, Math.min(first, MAX_PAGE_SIZE))
    .map((r) => r.unitId);
  return loadUnitsAt(ctx, ids, date);
}

/** A lazily started promise shared by every caller, so a per-request read runs at most once. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => (pending ??= make());
}
