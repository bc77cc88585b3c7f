import { EntityManager, EntityTarget, FindOptionsWhere } from 'typeorm';
import { rowIdOf } from '../core/node';
import { isMysql } from '../core/sql';
import type { RequestContext } from '../request-context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import { PLAN_PARTS, rememberPlanUnit } from '../core/list-bounds';
import { Connection, readPage, toConnection } from '../core/pagination';
import { isIsoDate } from '../core/scalars';
import { foldVietnamese } from '../core/text';
import { withWriteTransaction } from '../core/write-transaction';
import { AdministrativeUnit, unitAt } from '../tenancy/administrative-unit.entity';
import { agencyDay, planDay, restrictRows, submissionDay } from '../auth/row-kinds';
import { parsePeriod, periodEnd } from '../observations/period';
import { plansInSubtree } from './plan-territory';
import { findUnitByCode } from '../tenancy/unit.service';
import { PeriodType } from '../indicators/indicator-enums';
import { Indicator } from '../indicators/indicator.entity';
import { indicatorLookup } from '../indicators/indicator.service';
import { Agency } from './agency.entity';
import { Objective } from './objective.entity';
import { PlanRevision } from './plan-revision.entity';
import { IssuingDecision, Plan, UpperLevelPlan } from './plan.entity';
import { Measure, PLAN_STATUS_NEXT, PlanKind, PlanStatus, ReportKind, ScheduleKind } from './plan.enums';
import {
  AgencyInput, CreatePlanInput, IssuingDecisionInput, ObjectiveInput, PlansArgs, ReportingObligationInput, ResponsibilityInput, SubmissionInput, TargetInput,
  TaskInput, TaskScheduleInput, UpdatePlanInput, UpdateTargetInput, UpperLevelPlanInput,
} from './plan.inputs';
import { ReportingObligation } from './reporting-obligation.entity';
import { Responsibility } from './responsibility.entity';
import { Submission } from './submission.entity';
import { Target, TargetPoint } from './target.entity';
import { DayOfYear, Task, TaskSchedule } from './task.entity';
import { TargetFields, validateTarget } from './target-validation';

// ---------------------------------------------------------------- reads


export async function findPlan(ctx: RequestContext, id: string): Promise<Plan | null> {
  const planId = rowIdOf(id, 'Plan');
  return planId ? ctx.loaders.planById.load(planId) : null;
}

/**
 * The unit a code names: the one in force on `date` (default today) or, for a code no longer in
 * force (a legacy district such as An Lão 313), the latest unit that had it. Null when invisible.
 */
export async function findUnitForPlans(ctx: RequestContext, code: string, date?: string | null): Promise<AdministrativeUnit | null> {
  const current = await findUnitByCode(ctx, code, date ?? ctx.today);
  if (current || date) return current;
  const qb = ctx.dataSource.getRepository(AdministrativeUnit).createQueryBuilder('u').where('u.code = :code', { code: code.trim() }).setParameter('today', ctx.today);
  // A legacy unit belongs to the area it lay in on its last day.
  const latest = await ctx.access.restrict(qb, 'u.id', { onSql: 'COALESCE(u.valid_to, :today)' }).orderBy('u.valid_to', 'DESC').getOne();
  return latest ? unitAt(latest, ctx.today) : null;
}

async function requirePlanUnit(ctx: RequestContext, code: string, date: string | null | undefined, field: string): Promise<AdministrativeUnit> {
  const unit = await findUnitForPlans(ctx, code, date);
  if (!unit) throw new BadUserInputError(`No unit with code "${code}"${date ? ` on ${date}` : ''}`, field);
  return unit;
}

/**
 * The unit a new row names, if the viewer may write a row of it placed on `dayOf(unit)`; one
 * outside the writer's area is refused exactly like one that does not exist.
 */
async function requireWritablePlanUnit(ctx: RequestContext, code: string, date: string | null | undefined, dayOf: (unit: AdministrativeUnit) => string): Promise<AdministrativeUnit> {
  const unit = await findUnitForPlans(ctx, code, date);
  if (!unit) throw new ForbiddenError();
  await ctx.access.assertCanWriteAt(unit.id, dayOf(unit), ctx.today);
  return unit;
}

export async function listPlans(ctx: RequestContext, args: PlansArgs): Promise<Connection<Plan>> {
  const page = readPage(args.first, args.after);
  const qb = ctx.dataSource.getRepository(Plan).createQueryBuilder('p');
  if (args.unit) {
    const unit = await requirePlanUnit(ctx, args.unit, args.unitAsOf, 'unit');
    if (args.includeDescendants) await plansInSubtree(ctx, qb, unit.id);
    else qb.andWhere('p.unit_id = :unitId', { unitId: unit.id });
  }
  if (args.year != null) qb.andWhere('p.first_year <= :year AND p.last_year >= :year', { year: args.year });
  if (args.implements) qb.andWhere('p.implements_number = :implements', { implements: args.implements.trim() });
  restrictRows(ctx, 'plan', qb, 'p');
  const [rows, totalCount] = await Promise.all([
    qb.clone().orderBy('p.first_year', 'DESC').addOrderBy('p.id', 'ASC').offset(page.offset).limit(page.limit).getMany(),
    qb.getCount(),
  ]);
  return toConnection(rows, totalCount, page);
}

/** A unit as seen from one of its plans: read inside its lifetime (a legacy unit at its last day). */
/**
 * The unit of a plan or agency the viewer reads. Never null: the row was found through the access
 * layer, so its unit lay in the viewer's area today (an agency; a legacy unit on its last day) or
 * at some time in the plan's years; a miss is a broken invariant.
 */
export async function unitOf(ctx: RequestContext, row: { unitId: number; firstYear?: number; lastYear?: number; issuedOn?: string | null; createdAt?: string | null }): Promise<AdministrativeUnit> {
  const days = [row.issuedOn, row.createdAt?.slice(0, 10), ...(row.firstYear && row.lastYear ? [`${row.lastYear}-12-31`, `${row.firstYear}-01-01`] : [])];
  const dates = [ctx.today, ...days.filter((d): d is string => !!d)];
  for (const date of dates) {
    const unit = await ctx.loaders.unitOn.load({ id: row.unitId, date });
    if (unit) return unit;
  }
  throw new Error(`Broken invariant: unit ${row.unitId} of a visible row is not visible`);
}

/** The plan of a part the viewer reads: a part follows its plan in the access layer, so the plan is visible too. */
export async function planOf(ctx: RequestContext, part: { planId: number }): Promise<Plan> {
  return found(await ctx.loaders.planById.load(part.planId), 'plan', part.planId);
}

function found<T>(row: T | null, what: string, id: number): T {
  if (!row) throw new Error(`Broken invariant: ${what} ${id} of a visible row is not visible`);
  return row;
}

export function upperLevelOf(plan: Plan): UpperLevelPlan | null {
  if (!plan.implementsNumber) return null;
  return Object.assign(new UpperLevelPlan(), { number: plan.implementsNumber, issuedOn: plan.implementsIssuedOn, issuer: plan.implementsIssuer ?? '', title: plan.implementsTitle });
}

export function plansOfUnit(ctx: RequestContext, unit: AdministrativeUnit): Promise<Plan[]> {
  return ctx.loaders.plansByUnit.load(unit.id);
}

/** Plans in the database that implement this one (their `implements.number` is its number). */
export async function plansImplementing(ctx: RequestContext, plan: Plan): Promise<Plan[]> {
  return plan.number ? ctx.loaders.plansImplementing.load(plan.number) : [];
}

export function baselineOf(target: Target): TargetPoint | null {
  return target.baselineYear === null || target.baselineValue === null ? null : { year: target.baselineYear, value: target.baselineValue };
}

export function scheduleOf(task: Task): TaskSchedule | null {
  if (!task.scheduleKind) return null;
  const days = task.scheduleDays ?? [];
  const yearly = task.scheduleKind === ScheduleKind.YEARLY_RANGE;
  return Object.assign(new TaskSchedule(), {
    kind: task.scheduleKind,
    from: task.scheduleFrom,
    to: task.scheduleTo,
    yearlyFrom: yearly ? (days[0] ?? null) : null,
    yearlyTo: yearly ? (days[1] ?? null) : null,
    days: task.scheduleKind === ScheduleKind.FIXED_DAYS ? days : [],
  });
}

export async function objectivesOfTask(ctx: RequestContext, task: Task): Promise<Objective[]> {
  const objectives = await ctx.loaders.objectivesByPlan.load(task.planId);
  return objectives.filter((o) => task.objectiveOrdinals.includes(o.ordinal));
}

export async function agenciesByIds(ctx: RequestContext, ids: number[]): Promise<Agency[]> {
  const agencies = await ctx.loaders.agencyById.loadMany(ids);
  return agencies.filter((a): a is Agency => a instanceof Agency);
}

export async function objectivesOfResponsibility(ctx: RequestContext, r: Responsibility): Promise<Objective[]> {
  const objectives = await ctx.loaders.objectivesByPlan.load(r.planId);
  return objectives.filter((o) => r.objectiveOrdinals.includes(o.ordinal));
}

/** The targets named by the responsibility; when it names none, those of the objectives it reports on. */
export async function targetsOfResponsibility(ctx: RequestContext, r: Responsibility): Promise<Target[]> {
  const [objectives, targets] = await Promise.all([ctx.loaders.objectivesByPlan.load(r.planId), ctx.loaders.targetsByPlan.load(r.planId)]);
  const ordinalOf = new Map(objectives.map((o) => [o.id, o.ordinal]));
  const labelOf = (t: Target) => `${ordinalOf.get(t.objectiveId)}.${t.ordinal}`;
  const chosen = r.targetLabels.length
    ? targets.filter((t) => r.targetLabels.includes(labelOf(t)))
    : targets.filter((t) => r.objectiveOrdinals.includes(ordinalOf.get(t.objectiveId) ?? -1));
  return chosen.sort((a, b) => labelOf(a).localeCompare(labelOf(b), undefined, { numeric: true }));
}

export async function objectiveOfTarget(ctx: RequestContext, t: Target): Promise<Objective> {
  return found(await ctx.loaders.objectiveById.load(t.objectiveId), 'objective', t.objectiveId);
}

export async function indicatorOfTarget(ctx: RequestContext, t: Target): Promise<Indicator | null> {
  return t.indicatorCode ? ctx.loaders.indicatorByCode.load(t.indicatorCode) : null;
}

export async function reporterOf(ctx: RequestContext, o: ReportingObligation): Promise<Agency | null> {
  return o.reporterAgencyId ? ctx.loaders.agencyById.load(o.reporterAgencyId) : null;
}

// ---------------------------------------------------------------- writes

export const now = () => new Date().toISOString();

/** The plan if the viewer may change it; otherwise FORBIDDEN, the same for "absent" and "not yours". */
export async function writablePlan(ctx: RequestContext, id: string): Promise<Plan> {
  const planId = rowIdOf(id, 'Plan');
  const plan = planId ? await ctx.loaders.planById.load(planId) : null;
  if (!plan) throw new ForbiddenError();
  await ctx.access.assertCanWriteAt(plan.unitId, planDay(plan, await unitOf(ctx, plan)), ctx.today);
  return plan;
}

/** Forget what this request cached about a plan, so the answer shows the write. */
export function forgetPlan(ctx: RequestContext, plan: Plan): void {
  const l = ctx.loaders;
  l.planById.clear(plan.id);
  l.plansByUnit.clear(plan.unitId);
  if (plan.number) l.plansImplementing.clear(plan.number);
  [l.objectivesByPlan, l.targetsByPlan, l.tasksByPlan, l.responsibilitiesByPlan, l.obligationsByPlan, l.revisionsByPlan].forEach((loader) => loader.clear(plan.id));
  l.targetsByObjective.clearAll();
  l.responsibilitiesByAgency.clearAll();
  l.submissionsByObligation.clearAll();
}

export interface Change {
  entityType: string;
  entityId: number;
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
}

/**
 * Every change to a plan or its parts, at any status, becomes a plan_revision row: a draft is
 * corrected for months before it is issued, and a deletion must stay restorable.
 */
export async function recordRevisions(ctx: RequestContext, manager: EntityManager, plan: Plan, action: string, changes: Change[], reason: string | null = null): Promise<void> {
  if (!changes.length) return;
  const changedAt = now();
  await manager.getRepository(PlanRevision).insert(
    changes.map((c) => ({
      unitId: plan.unitId,
      planId: plan.id,
      changedAt,
      changedBy: ctx.access.viewer.subject,
      action,
      entityType: c.entityType,
      entityId: c.entityId,
      field: c.field,
      oldValue: c.oldValue === undefined ? null : JSON.stringify(c.oldValue),
      newValue: c.newValue === undefined ? null : JSON.stringify(c.newValue),
      reason,
    })),
  );
}

function checkYears(kind: PlanKind, firstYear: number, lastYear: number): void {
  if (!Number.isInteger(firstYear) || firstYear < 1945 || firstYear > 2100) throw new BadUserInputError(`firstYear ${firstYear} is not a plausible year`, 'firstYear');
  if (!Number.isInteger(lastYear) || lastYear < firstYear || lastYear > 2100) throw new BadUserInputError(`lastYear ${lastYear} must be a year not before firstYear ${firstYear}`, 'lastYear');
  if (kind === PlanKind.ANNUAL && lastYear !== firstYear) {
    throw new BadUserInputError(`An ANNUAL plan covers one year: set lastYear to ${firstYear}, or kind to MULTI_YEAR for ${firstYear}–${lastYear}`, 'lastYear');
  }
}

export function checkText(value: string | null | undefined, field: string): void {
  if (value != null && !value.trim()) throw new BadUserInputError(`${field} must not be blank`, field);
}

/** A field that cannot be cleared: null is refused, naming it. */
export function required<T>(value: T | null | undefined, field: string): T | undefined {
  if (value === null) throw new BadUserInputError(`${field} cannot be cleared: give a value or leave it out`, field);
  return value;
}

/** Trimmed text, null when blank ("  " as a number means no number). */
export function textOrNull(value: string | null | undefined): string | null {
  return value?.trim() || null;
}

function checkIssued(status: PlanStatus, number: string | null, issuedOn: string | null): void {
  const a = status === PlanStatus.ISSUED ? 'An' : 'A';
  if (status !== PlanStatus.DRAFT && !number?.trim()) throw new BadUserInputError(`${a} ${status} plan needs its number`, 'number');
  if (status !== PlanStatus.DRAFT && !issuedOn) throw new BadUserInputError(`${a} ${status} plan needs its date of issue`, 'issuedOn');
}

/** A plan is issued in the year before its first year (an annual plan drafted in December) or within its years. */
function checkIssuedOn(issuedOn: string | null, firstYear: number, lastYear: number): void {
  if (!issuedOn) return;
  const year = Number(issuedOn.slice(0, 4));
  if (year < firstYear - 1 || year > lastYear) {
    throw new BadUserInputError(`issuedOn ${issuedOn} does not fit the plan's years ${firstYear}–${lastYear}: a plan is issued between ${firstYear - 1}-01-01 and ${lastYear}-12-31`, 'issuedOn');
  }
}

function checkStatusChange(from: PlanStatus, to: PlanStatus): void {
  if (from === to || PLAN_STATUS_NEXT[from].includes(to)) return;
  const allowed = PLAN_STATUS_NEXT[from];
  throw new BadUserInputError(
    `status cannot change from ${from} to ${to}: a plan goes DRAFT → ISSUED → SUPERSEDED; ${allowed.length ? `from ${from} only to ${allowed.join(' or ')}` : `${from} is final`}`,
    'status',
  );
}

/** Document numbers restart every year, so one unit may not issue the same number twice in one year. */
async function checkUniqueNumber(ctx: RequestContext, unitId: number, number: string | null, year: number, planId: number | null): Promise<void> {
  if (!number) return;
  const yearOf = (p: Plan) => Number((p.issuedOn ?? String(p.firstYear)).slice(0, 4));
  const twin = (await ctx.loaders.plansByUnit.load(unitId)).find((p) => p.id !== planId && p.number === number && yearOf(p) === year);
  if (twin) {
    throw new BadUserInputError(`The unit already has a plan numbered ${number} issued in ${year} ("${twin.title}", id ${twin.globalId}): give this plan its own number`, 'number');
  }
}

/**
 * A code names different units at different dates (80 was Long An until 2025-06-30): the unit a
 * plan is attached to must exist on the plan's issue date, or, undated, at some time in its years.
 */
async function checkUnitOnIssueDate(ctx: RequestContext, unit: AdministrativeUnit, issuedOn: string | null, firstYear: number, lastYear: number): Promise<void> {
  const from = unit.validFrom ?? '0000-01-01';
  const to = unit.validTo ?? '9999-12-31';
  if (!issuedOn) {
    if (from > `${lastYear}-12-31` || to < `${firstYear}-01-01`) {
      throw new BadUserInputError(`Unit ${unit.code} (${unit.name}) existed from ${from} to ${to}, not in the plan's years ${firstYear}–${lastYear}: give unitAsOf a date in those years`, 'unit');
    }
    return;
  }
  if (from <= issuedOn && issuedOn <= to) return;
  const then = await findUnitByCode(ctx, unit.code, issuedOn);
  const held = then ? `on ${issuedOn} code ${unit.code} meant ${then.name} (${then.level}); to attach the plan to it, give unitAsOf: "${issuedOn}"` : `no unit you may write had code ${unit.code} on ${issuedOn}`;
  throw new BadUserInputError(`Unit ${unit.code} (${unit.name}) did not exist on the plan's issue date ${issuedOn}: ${held}`, 'unit');
}

function upperLevel(input: UpperLevelPlanInput, field: string): UpperLevelPlan {
  checkText(input.number, `${field}.number`);
  checkText(input.issuer, `${field}.issuer`);
  return Object.assign(new UpperLevelPlan(), { number: input.number.trim(), issuedOn: input.issuedOn ?? null, issuer: input.issuer.trim(), title: textOrNull(input.title) });
}

function upperLevelColumns(input: UpperLevelPlanInput | null | undefined) {
  const upper = input ? upperLevel(input, 'implements') : null;
  return {
    implementsNumber: upper?.number ?? null,
    implementsIssuedOn: upper?.issuedOn ?? null,
    implementsIssuer: upper?.issuer ?? null,
    implementsTitle: upper?.title ?? null,
  };
}

function alsoImplementsOf(input: UpperLevelPlanInput[]): UpperLevelPlan[] {
  if (input.length > PLAN_PARTS.upperDocuments) throw new BadUserInputError(`alsoImplements holds at most ${PLAN_PARTS.upperDocuments} documents`, 'alsoImplements');
  const documents = input.map((d, i) => upperLevel(d, `alsoImplements[${i}]`));
  const seen = new Set<string>();
  documents.forEach((d, i) => {
    const key = `${d.number}|${d.issuer}`;
    if (seen.has(key)) throw new BadUserInputError(`${d.number} of ${d.issuer} is listed twice`, `alsoImplements[${i}]`);
    seen.add(key);
  });
  return documents;
}

function issuingDecisionOf(input: IssuingDecisionInput | null): IssuingDecision | null {
  if (!input) return null;
  return Object.assign(new IssuingDecision(), { number: textOrNull(input.number), issuedOn: input.issuedOn ?? null, issuer: textOrNull(input.issuer), title: textOrNull(input.title) });
}

/** A list of texts as stored: trimmed, blank lines dropped. */
function textList(values: string[]): string[] {
  return values.map((v) => v.trim()).filter(Boolean);
}

export async function createPlan(ctx: RequestContext, input: CreatePlanInput): Promise<Plan> {
  const createdAt = now();
  const unit = await requireWritablePlanUnit(ctx, input.unit, input.unitAsOf, (u) => planDay({ status: input.status ?? PlanStatus.DRAFT, issuedOn: input.issuedOn ?? null, createdAt }, u));
  checkText(input.title, 'title');
  checkYears(input.kind, input.firstYear, input.lastYear);
  const status = input.status ?? PlanStatus.DRAFT;
  const number = textOrNull(input.number);
  const issuedOn = input.issuedOn ?? null;
  checkIssued(status, number, issuedOn);
  checkIssuedOn(issuedOn, input.firstYear, input.lastYear);
  await checkUnitOnIssueDate(ctx, unit, issuedOn, input.firstYear, input.lastYear);
  await checkUniqueNumber(ctx, unit.id, number, Number((issuedOn ?? String(input.firstYear)).slice(0, 4)), null);
  const at = createdAt;
  const plan = ctx.dataSource.getRepository(Plan).create({
    unitId: unit.id,
    number,
    title: input.title.trim(),
    kind: input.kind,
    firstYear: input.firstYear,
    lastYear: input.lastYear,
    issuedOn,
    issuedPlace: textOrNull(input.issuedPlace),
    signer: textOrNull(input.signer),
    signerCapacity: textOrNull(input.signerCapacity),
    generalObjective: textOrNull(input.generalObjective),
    issuingDecision: issuingDecisionOf(input.issuingDecision ?? null),
    status,
    ...upperLevelColumns(input.implements),
    alsoImplements: alsoImplementsOf(input.alsoImplements ?? []),
    legalBases: textList(input.legalBases ?? []),
    purposes: textList(input.purposes ?? []),
    requirements: textList(input.requirements ?? []),
    budgetSources: textList(input.budgetSources ?? []),
    distributionList: textList(input.distributionList ?? []),
    seedKey: null,
    createdAt: at,
    updatedAt: at,
  });
  const saved = await withWriteTransaction(ctx.dataSource, async (manager) => {
    const row = await manager.getRepository(Plan).save(plan);
    await recordRevisions(ctx, manager, row, 'createPlan', [{ entityType: 'Plan', entityId: row.id, field: null, oldValue: undefined, newValue: { number: row.number, title: row.title, status: row.status } }]);
    return row;
  });
  ctx.loaders.plansByUnit.clear(unit.id);
  rememberPlanUnit(ctx.dataSource, saved.id, unit.code);
  return saved;
}

/** The plan's columns an update names, with null clearing an optional one; undefined = not given. */
function planUpdate(input: UpdatePlanInput): Partial<Plan> {
  const given = <T, R>(value: T | null | undefined, map: (v: T | null) => R): R | undefined => (value === undefined ? undefined : map(value));
  const list = (v: string[] | null) => textList(v ?? []);
  const columns: Partial<Plan> = {
    number: given(input.number, textOrNull),
    title: given(required(input.title, 'title'), (v) => (v as string).trim()),
    kind: required(input.kind, 'kind'),
    firstYear: required(input.firstYear, 'firstYear'),
    lastYear: required(input.lastYear, 'lastYear'),
    issuedOn: input.issuedOn,
    issuedPlace: given(input.issuedPlace, textOrNull),
    signer: given(input.signer, textOrNull),
    signerCapacity: given(input.signerCapacity, textOrNull),
    generalObjective: given(input.generalObjective, textOrNull),
    status: required(input.status, 'status'),
    issuingDecision: given(input.issuingDecision, issuingDecisionOf),
    alsoImplements: given(input.alsoImplements, (v) => alsoImplementsOf(v ?? [])),
    legalBases: given(input.legalBases, list),
    purposes: given(input.purposes, list),
    requirements: given(input.requirements, list),
    budgetSources: given(input.budgetSources, list),
    distributionList: given(input.distributionList, list),
    ...(input.implements === undefined ? {} : upperLevelColumns(input.implements)),
  };
  if (input.title !== undefined) checkText(input.title, 'title');
  return Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined)) as Partial<Plan>;
}

/** History names the upper-level plan as one field, not its four columns. */
const IMPLEMENTS_COLUMNS = ['implementsNumber', 'implementsIssuedOn', 'implementsIssuer', 'implementsTitle'];

export async function updatePlan(ctx: RequestContext, id: string, input: UpdatePlanInput): Promise<Plan> {
  const plan = await writablePlan(ctx, id);
  const update = planUpdate(input);
  const next: Plan = Object.assign(Object.create(Plan.prototype) as Plan, plan, update);
  const same = (field: keyof Plan) => JSON.stringify(next[field] ?? null) === JSON.stringify(plan[field] ?? null);
  const changes: Change[] = (Object.keys(update) as (keyof Plan)[])
    .filter((field) => !IMPLEMENTS_COLUMNS.includes(field) && !same(field))
    .map((field) => ({ entityType: 'Plan', entityId: plan.id, field, oldValue: plan[field] ?? null, newValue: next[field] ?? null }));
  if (IMPLEMENTS_COLUMNS.some((c) => !same(c as keyof Plan))) changes.push({ entityType: 'Plan', entityId: plan.id, field: 'implements', oldValue: upperLevelOf(plan), newValue: upperLevelOf(next) });
  checkYears(next.kind, next.firstYear, next.lastYear);
  checkStatusChange(plan.status, next.status);
  checkIssued(next.status, next.number, next.issuedOn);
  checkIssuedOn(next.issuedOn, next.firstYear, next.lastYear);
  if (!changes.length) return plan;
  // A plan moves to another day when it is issued or its date corrected: the writer must hold that day too.
  if (!same('issuedOn') || !same('status')) await ctx.access.assertCanWriteAt(plan.unitId, planDay(next, await unitOf(ctx, plan)), ctx.today);
  if (!same('issuedOn') || !same('firstYear') || !same('lastYear')) await checkUnitOnIssueDate(ctx, await unitOf(ctx, plan), next.issuedOn, next.firstYear, next.lastYear);
  if (!same('number') || !same('issuedOn')) await checkUniqueNumber(ctx, plan.unitId, next.number, Number((next.issuedOn ?? String(next.firstYear)).slice(0, 4)), plan.id);
  if (next.firstYear !== plan.firstYear || next.lastYear !== plan.lastYear) {
    // Targets must stay inside the plan's period.
    const targets = await ctx.loaders.targetsByPlan.load(plan.id);
    const indicatorOf = await indicatorLookup(ctx);
    for (const t of targets) validateTarget(fieldsOf(t), next, indicatorOf);
  }
  next.updatedAt = now();
  // Only the columns this update changes: a concurrent update of other fields of the plan keeps its values.
  const columns: Partial<Plan> = { updatedAt: next.updatedAt };
  for (const field of Object.keys(update) as (keyof Plan)[]) if (!same(field)) Object.assign(columns, { [field]: next[field] });
  await withWriteTransaction(ctx.dataSource, async (manager) => {
    await manager.getRepository(Plan).update({ id: plan.id }, columns);
    await recordRevisions(ctx, manager, plan, 'updatePlan', changes);
  });
  forgetPlan(ctx, plan);
  return next;
}

/**
 * The requested ordinal if free, else the next one, read inside the write transaction: on MySQL
 * after locking the plan row, so concurrent additions to one plan number their parts in turn
 * (SQLite writers already queue). `taken` null allows a repeated ordinal (tasks of the seed plans
 * repeat numbers across groups).
 */
export async function claimOrdinal<T extends { ordinal: number }>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  where: FindOptionsWhere<T>,
  planId: number,
  requested: number | null | undefined,
  taken: ((n: number) => string) | null,
  cap: { most: number; what: string },
): Promise<number> {
  if (isMysql(manager.connection)) await manager.query('SELECT id FROM plan WHERE id = ? FOR UPDATE', [planId]);
  const existing = await manager.getRepository(entity).find({ where });
  // The caps keep what a query can ask for bounded (core/list-bounds.ts).
  if (existing.length >= cap.most) throw new BadUserInputError(`${cap.what} holds at most ${cap.most}; this one is full`, 'ordinal');
  const ordinal = requested ?? Math.max(0, ...existing.map((e) => e.ordinal)) + 1;
  if (!Number.isInteger(ordinal) || ordinal < 1) throw new BadUserInputError('ordinal must be a positive whole number', 'ordinal');
  if (taken && existing.some((e) => e.ordinal === ordinal)) throw new BadUserInputError(taken(ordinal), 'ordinal');
  return ordinal;
}

export async function addObjective(ctx: RequestContext, planId: string, input: ObjectiveInput): Promise<Objective> {
  const plan = await writablePlan(ctx, planId);
  checkText(input.title, 'title');
  const objective = await withWriteTransaction(ctx.dataSource, async (manager) => {
    const ordinal = await claimOrdinal(manager, Objective, { planId: plan.id }, plan.id, input.ordinal, (n) => `The plan already has an objective ${n}`, { most: PLAN_PARTS.objectives, what: "A plan's list of objectives" });
    const saved = await manager.getRepository(Objective).save(manager.getRepository(Objective).create({ unitId: plan.unitId, planId: plan.id, ordinal, title: input.title.trim(), domain: input.domain }));
    await recordRevisions(ctx, manager, plan, 'addObjective', [{ entityType: 'Objective', entityId: saved.id, field: null, oldValue: undefined, newValue: { ordinal, title: saved.title, domain: saved.domain } }]);
    return saved;
  });
  forgetPlan(ctx, plan);
  return objective;
}

export function fieldsOf(t: Target): TargetFields {
  return {
    indicatorCode: t.indicatorCode,
    measure: t.measure,
    comparator: t.comparator,
    targetValue: t.targetValue,
    tolerance: t.tolerance,
    dueYear: t.dueYear,
    baselineYear: t.baselineYear,
    baselineValue: t.baselineValue,
    milestones: t.milestones ?? [],
    periodType: t.periodType,
  };
}

/** Fills a target's machine-readable defaults: TOTAL and YEAR when an indicator is given. */
function targetFieldsFromInput(input: TargetInput): TargetFields {
  const indicatorCode = input.indicator?.trim() || null;
  return {
    indicatorCode,
    measure: input.measure ?? (indicatorCode ? Measure.TOTAL : null),
    comparator: input.comparator ?? null,
    targetValue: input.targetValue ?? null,
    tolerance: input.tolerance ?? null,
    dueYear: input.dueYear ?? null,
    baselineYear: input.baseline?.year ?? null,
    baselineValue: input.baseline?.value ?? null,
    milestones: (input.milestones ?? []).map((m) => ({ year: m.year, value: m.value })),
    periodType: input.periodType ?? (indicatorCode ? PeriodType.YEAR : null),
  };
}

export async function writableObjective(ctx: RequestContext, id: string): Promise<{ objective: Objective; plan: Plan }> {
  const objectiveId = rowIdOf(id, 'Objective');
  const objective = objectiveId ? await ctx.loaders.objectiveById.load(objectiveId) : null;
  if (!objective) throw new ForbiddenError();
  const plan = await writablePlan(ctx, String(objective.planId));
  return { objective, plan };
}

export async function addTarget(ctx: RequestContext, objectiveId: string, input: TargetInput): Promise<Target> {
  const { objective, plan } = await writableObjective(ctx, objectiveId);
  checkText(input.text, 'text');
  const fields = targetFieldsFromInput(input);
  validateTarget(fields, plan, await indicatorLookup(ctx), { text: input.text, measureStated: input.measure != null });
  await checkTargetTwin(ctx, objective, { id: 0, text: input.text, ...fields });
  const target = await withWriteTransaction(ctx.dataSource, async (manager) => {
    const ordinal = await claimOrdinal(manager, Target, { objectiveId: objective.id }, plan.id, input.ordinal, (n) => `Objective ${objective.ordinal} already has a target ${n}`, { most: PLAN_PARTS.targetsPerObjective, what: `Objective ${objective.ordinal}'s list of targets` });
    const repo = manager.getRepository(Target);
    const saved = await repo.save(repo.create({ unitId: plan.unitId, planId: plan.id, objectiveId: objective.id, ordinal, label: input.label ?? null, text: input.text.trim(), ...fields }));
    await recordRevisions(ctx, manager, plan, 'addTarget', [{ entityType: 'Target', entityId: saved.id, field: null, oldValue: undefined, newValue: { ordinal, text: saved.text, ...fields } }]);
    return saved;
  });
  forgetPlan(ctx, plan);
  return target;
}

/** Texts compared as a reader would: case, spacing and accent placement aside. */
const sameText = (a: string, b: string) => a.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase() === b.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();

/** One objective does not hold the same target twice: the same sentence, or the same machine-readable target. */
export async function checkTargetTwin(ctx: RequestContext, objective: Objective, t: TargetFields & { id: number; text: string }): Promise<void> {
  const others = (await ctx.loaders.targetsByObjective.load(objective.id)).filter((o) => o.id !== t.id);
  const sameText_ = others.find((o) => sameText(o.text, t.text));
  if (sameText_) throw new BadUserInputError(`Objective ${objective.ordinal} already has this target as its target ${sameText_.ordinal}: change the text or edit that target`, 'text');
  if (!t.indicatorCode) return;
  const key = (x: TargetFields) => JSON.stringify([x.indicatorCode, x.measure, x.comparator, x.dueYear, x.periodType]);
  const twin = others.find((o) => key(fieldsOf(o)) === key(t));
  if (twin) {
    throw new BadUserInputError(`Objective ${objective.ordinal}'s target ${twin.ordinal} already sets ${t.indicatorCode} ${t.measure} ${t.comparator} for ${t.dueYear ?? 'every period'}: edit that target instead, or change the indicator, measure, comparator or due year`, 'indicator');
  }
}

/**
 * The target after an update: a field left out keeps its value, null clears it. Clearing the
 * indicator clears the machine-readable form with it (a measure or value without an indicator
 * means nothing), unless the same update gives those fields.
 */
function updatedTarget(target: Target, input: UpdateTargetInput): Target {
  const next: Target = Object.assign(Object.create(Target.prototype) as Target, target);
  if (input.indicator === null) {
    Object.assign(next, { indicatorCode: null, measure: null, comparator: null, targetValue: null, tolerance: null, baselineYear: null, baselineValue: null, milestones: [], periodType: null });
  }
  if (input.text !== undefined) {
    checkText(required(input.text, 'text'), 'text');
    next.text = (input.text as string).trim();
  }
  if (input.label !== undefined) next.label = textOrNull(input.label);
  if (input.indicator != null) next.indicatorCode = textOrNull(input.indicator);
  if (input.measure !== undefined) next.measure = input.measure;
  if (input.comparator !== undefined) next.comparator = input.comparator;
  if (input.targetValue !== undefined) next.targetValue = input.targetValue;
  if (input.tolerance !== undefined) next.tolerance = input.tolerance;
  if (input.dueYear !== undefined) next.dueYear = input.dueYear;
  if (input.periodType !== undefined) next.periodType = input.periodType;
  if (input.baseline !== undefined) Object.assign(next, { baselineYear: input.baseline?.year ?? null, baselineValue: input.baseline?.value ?? null });
  if (input.milestones !== undefined) next.milestones = (input.milestones ?? []).map((m) => ({ year: m.year, value: m.value }));
  return next;
}

const TARGET_FIELDS = ['label', 'text', 'indicatorCode', 'measure', 'comparator', 'targetValue', 'tolerance', 'dueYear', 'baselineYear', 'baselineValue', 'milestones', 'periodType'] as const;

export async function updateTarget(ctx: RequestContext, id: string, input: UpdateTargetInput): Promise<Target> {
  const targetId = rowIdOf(id, 'Target');
  const target = targetId ? await ctx.loaders.targetById.load(targetId) : null;
  if (!target) throw new ForbiddenError();
  const plan = await writablePlan(ctx, String(target.planId));
  const next = updatedTarget(target, input);
  validateTarget(fieldsOf(next), plan, await indicatorLookup(ctx), { text: next.text, measureStated: next.measure !== null });
  const changes: Change[] = TARGET_FIELDS
    .filter((f) => JSON.stringify(next[f]) !== JSON.stringify(target[f]))
    .map((f) => ({ entityType: 'Target', entityId: target.id, field: f, oldValue: target[f], newValue: next[f] }));
  if (!changes.length) return target;
  await checkTargetTwin(ctx, await objectiveOfTarget(ctx, target), { ...fieldsOf(next), id: next.id, text: next.text });
  await withWriteTransaction(ctx.dataSource, async (manager) => {
    await manager.getRepository(Target).save(next);
    await recordRevisions(ctx, manager, plan, 'updateTarget', changes);
  });
  ctx.loaders.targetById.clear(target.id);
  forgetPlan(ctx, plan);
  return next;
}

/** Agencies of the plan's unit or a unit below it. */
export async function planAgency(ctx: RequestContext, plan: Plan, id: string, field: string): Promise<Agency> {
  const agencyId = rowIdOf(id, 'Agency');
  const agency = agencyId ? await ctx.loaders.agencyById.load(agencyId) : null;
  // An agency outside the viewer's area reads exactly like one that does not exist, and naming it is a refused write.
  if (!agency) throw new ForbiddenError(`No agency with id ${id} that you may use`, field);
  if (agency.unitId !== plan.unitId) {
    const placements = await ctx.loaders.placementsOfUnit.load(agency.unitId);
    if (!placements.some((p) => p.path.includes(`/${plan.unitId}/`))) {
      throw new BadUserInputError(`Agency ${agency.name} belongs neither to the plan's unit nor to a unit below it`, field);
    }
  }
  return agency;
}

export function scheduleColumns(s: TaskScheduleInput | null | undefined, plan: Plan) {
  const none = { scheduleKind: null, scheduleFrom: null, scheduleTo: null, scheduleDays: [] as DayOfYear[] };
  if (!s) return none;
  const checkDay = (d: { day: number; month: number }) => {
    if (!isIsoDate(`2024-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`)) throw new BadUserInputError(`${d.day}/${d.month} is not a day of the year`, 'schedule');
    return { day: d.day, month: d.month };
  };
  switch (s.kind) {
    case ScheduleKind.DATE_RANGE: {
      if (!s.from || !s.to || s.from > s.to) throw new BadUserInputError('A DATE_RANGE needs from ≤ to', 'schedule');
      if (Number(s.from.slice(0, 4)) < plan.firstYear || Number(s.to.slice(0, 4)) > plan.lastYear) {
        throw new BadUserInputError(`The dates must lie inside the plan's period ${plan.firstYear}–${plan.lastYear}`, 'schedule');
      }
      return { ...none, scheduleKind: s.kind, scheduleFrom: s.from, scheduleTo: s.to };
    }
    case ScheduleKind.YEARLY_RANGE:
      if (!s.yearlyFrom || !s.yearlyTo) throw new BadUserInputError('A YEARLY_RANGE needs yearlyFrom and yearlyTo', 'schedule');
      return { ...none, scheduleKind: s.kind, scheduleDays: [checkDay(s.yearlyFrom), checkDay(s.yearlyTo)] };
    case ScheduleKind.FIXED_DAYS:
      if (!s.days?.length) throw new BadUserInputError('FIXED_DAYS needs at least one day', 'schedule');
      return { ...none, scheduleKind: s.kind, scheduleDays: s.days.map(checkDay) };
    default:
      return { ...none, scheduleKind: s.kind };
  }
}

export async function checkObjectiveOrdinals(ctx: RequestContext, plan: Plan, ordinals: number[], field: string): Promise<void> {
  const objectives = await ctx.loaders.objectivesByPlan.load(plan.id);
  const missing = ordinals.filter((o) => !objectives.some((x) => x.ordinal === o));
  if (missing.length) throw new BadUserInputError(`The plan has no objective ${missing.join(', ')}`, field);
}

export async function addTask(ctx: RequestContext, planId: string, input: TaskInput): Promise<Task> {
  const plan = await writablePlan(ctx, planId);
  checkText(input.title, 'title');
  const objectiveOrdinals = input.objectiveOrdinals ?? [];
  await checkObjectiveOrdinals(ctx, plan, objectiveOrdinals, 'objectiveOrdinals');
  const { lead, partners } = await taskAgencies(ctx, plan, input.leadAgency ?? null, input.partnerAgencies ?? []);
  const schedule = scheduleColumns(input.schedule, plan);
  const task = await withWriteTransaction(ctx.dataSource, async (manager) => {
    const ordinal = await claimOrdinal(manager, Task, { planId: plan.id }, plan.id, input.ordinal, null, { most: PLAN_PARTS.tasks, what: "A plan's list of tasks" });
    const repo = manager.getRepository(Task);
    const saved = await repo.save(
      repo.create({ unitId: plan.unitId, planId: plan.id, ordinal, group: input.group ?? null, title: input.title.trim(), description: input.description, objectiveOrdinals, ...schedule, leadAgencyId: lead?.id ?? null, partnerAgencyIds: partners.map((a) => a.id), quantity: null, status: null }),
    );
    await recordRevisions(ctx, manager, plan, 'addTask', [{ entityType: 'Task', entityId: saved.id, field: null, oldValue: undefined, newValue: { ordinal, title: saved.title } }]);
    return saved;
  });
  forgetPlan(ctx, plan);
  return task;
}

/** A task's lead and partners: each agency once, the lead never also a partner. */
export async function taskAgencies(ctx: RequestContext, plan: Plan, leadId: string | null, partnerIds: string[]): Promise<{ lead: Agency | null; partners: Agency[] }> {
  const lead = leadId ? await planAgency(ctx, plan, leadId, 'leadAgency') : null;
  const partners = await Promise.all(partnerIds.map((id) => planAgency(ctx, plan, id, 'partnerAgencies')));
  partners.forEach((p, i) => {
    if (lead && p.id === lead.id) throw new BadUserInputError(`${p.name} leads the task and cannot also be its partner: remove it from partnerAgencies`, 'partnerAgencies');
    if (partners.findIndex((q) => q.id === p.id) !== i) throw new BadUserInputError(`${p.name} is listed twice in partnerAgencies: list each partner once`, 'partnerAgencies');
  });
  return { lead, partners };
}

export function agencyKey(name: string): string {
  return foldVietnamese(name).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 64);
}

export async function addAgency(ctx: RequestContext, input: AgencyInput): Promise<Agency> {
  const createdAt = now();
  const unit = await requireWritablePlanUnit(ctx, input.unit, null, (u) => agencyDay({ createdAt }, u, ctx.today));
  checkText(input.name, 'name');
  const key = input.key?.trim() || agencyKey(input.name);
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(key)) throw new BadUserInputError('key is lower-case letters, digits and hyphens', 'key');
  const agency = await withWriteTransaction(ctx.dataSource, async (manager) => {
    const repo = manager.getRepository(Agency);
    if (await repo.findOneBy({ unitId: unit.id, key })) throw new BadUserInputError(`The unit already has an agency with key "${key}"`, 'key');
    return repo.save(repo.create({ unitId: unit.id, key, name: input.name.trim(), kind: input.kind, collective: input.collective ?? false, createdAt }));
  });
  ctx.loaders.agenciesByUnit.clear(unit.id);
  return agency;
}

/** The objectives and targets a responsibility names must exist in the plan. */
export async function checkResponsibilityScope(ctx: RequestContext, plan: Plan, objectiveOrdinals: number[], targetLabels: string[]): Promise<void> {
  await checkObjectiveOrdinals(ctx, plan, objectiveOrdinals, 'objectiveOrdinals');
  if (!targetLabels.length) return;
  const [objectives, targets] = await Promise.all([ctx.loaders.objectivesByPlan.load(plan.id), ctx.loaders.targetsByPlan.load(plan.id)]);
  const ordinalOf = new Map(objectives.map((o) => [o.id, o.ordinal]));
  const labels = new Set(targets.map((t) => `${ordinalOf.get(t.objectiveId)}.${t.ordinal}`));
  const missing = targetLabels.filter((l) => !labels.has(l));
  if (missing.length) throw new BadUserInputError(`The plan has no target ${missing.join(', ')}`, 'targetLabels');
}

/** An agency holds one responsibility per role in a plan: a second one is a duplicate to merge into the first. */
export async function checkResponsibilityTwin(ctx: RequestContext, plan: Plan, agency: Agency, role: string, selfId: number): Promise<void> {
  const twin = (await ctx.loaders.responsibilitiesByPlan.load(plan.id)).find((r) => r.id !== selfId && r.agencyId === agency.id && r.role === role);
  if (twin) throw new BadUserInputError(`${agency.name} already has the role ${role} in this plan (responsibility ${twin.globalId}): edit that one, or choose another agency or role`, 'agency');
}

export async function addResponsibility(ctx: RequestContext, planId: string, input: ResponsibilityInput): Promise<Responsibility> {
  const plan = await writablePlan(ctx, planId);
  const agency = await planAgency(ctx, plan, input.agency, 'agency');
  const objectiveOrdinals = input.objectiveOrdinals ?? [];
  const targetLabels = input.targetLabels ?? [];
  await checkResponsibilityScope(ctx, plan, objectiveOrdinals, targetLabels);
  await checkResponsibilityTwin(ctx, plan, agency, input.role, 0);
  const responsibility = await withWriteTransaction(ctx.dataSource, async (manager) => {
    const repo = manager.getRepository(Responsibility);
    const saved = await repo.save(repo.create({ unitId: plan.unitId, planId: plan.id, agencyId: agency.id, role: input.role, duties: input.duties.trim(), objectiveOrdinals, targetLabels }));
    await recordRevisions(ctx, manager, plan, 'addResponsibility', [{ entityType: 'Responsibility', entityId: saved.id, field: null, oldValue: undefined, newValue: { agency: agency.key, role: input.role } }]);
    return saved;
  });
  forgetPlan(ctx, plan);
  return responsibility;
}

export interface ObligationFields {
  kind: ReportKind;
  recipient: string;
  dueDay: number | null;
  dueMonth: number | null;
  dueDate: string | null;
  year: number | null;
}

/** A deadline is a day of the year (recurring) or a date; the reports of a stage (sơ kết, tổng kết) name their year. */
export function checkObligation(o: ObligationFields, plan: Plan): void {
  checkText(o.recipient, 'recipient');
  const { dueDay, dueMonth, dueDate, year } = o;
  if ((dueDay === null) !== (dueMonth === null)) throw new BadUserInputError('A recurring deadline needs both dueDay and dueMonth', dueDay === null ? 'dueDay' : 'dueMonth');
  if (dueDay !== null && dueMonth !== null && !isIsoDate(`2024-${String(dueMonth).padStart(2, '0')}-${String(dueDay).padStart(2, '0')}`)) {
    throw new BadUserInputError(`${dueDay}/${dueMonth} is not a day of the year`, 'dueDay');
  }
  if (o.kind === ReportKind.AD_HOC && dueDate && dueDay !== null) {
    throw new BadUserInputError(`An AD_HOC report is due once: give either dueDate (${dueDate}) or the day of the year (${dueDay}/${dueMonth}), not both`, 'dueDate');
  }
  if (dueDate && (Number(dueDate.slice(0, 4)) < plan.firstYear || Number(dueDate.slice(0, 4)) > plan.lastYear + 1)) {
    throw new BadUserInputError(`dueDate ${dueDate} is outside the plan's period`, 'dueDate');
  }
  if ((o.kind === ReportKind.FINAL || o.kind === ReportKind.MIDTERM) && year === null) {
    throw new BadUserInputError(`A ${o.kind} report needs the year it reviews (e.g. ${o.kind === ReportKind.FINAL ? plan.lastYear : Math.ceil((plan.firstYear + plan.lastYear) / 2)}): set year`, 'year');
  }
  if (year !== null && (year < plan.firstYear || year > plan.lastYear)) throw new BadUserInputError(`year ${year} is outside the plan's period`, 'year');
}

export async function addReportingObligation(ctx: RequestContext, planId: string, input: ReportingObligationInput): Promise<ReportingObligation> {
  const plan = await writablePlan(ctx, planId);
  const reporter = input.reporter ? await planAgency(ctx, plan, input.reporter, 'reporter') : null;
  const fields: ObligationFields = { kind: input.kind, recipient: input.recipient, dueDay: input.dueDay ?? null, dueMonth: input.dueMonth ?? null, dueDate: input.dueDate ?? null, year: input.year ?? null };
  checkObligation(fields, plan);
  const obligation = await withWriteTransaction(ctx.dataSource, async (manager) => {
    const repo = manager.getRepository(ReportingObligation);
    const saved = await repo.save(repo.create({ unitId: plan.unitId, planId: plan.id, ...fields, reporterAgencyId: reporter?.id ?? null, recipient: input.recipient.trim(), description: input.description.trim() }));
    await recordRevisions(ctx, manager, plan, 'addReportingObligation', [{ entityType: 'ReportingObligation', entityId: saved.id, field: null, oldValue: undefined, newValue: { kind: input.kind, recipient: saved.recipient } }]);
    return saved;
  });
  forgetPlan(ctx, plan);
  return obligation;
}

const PERIOD = /^(\d{4})(S[12]|Q[1-4]|-(0[1-9]|1[0-2]))?$/;

export async function recordSubmission(ctx: RequestContext, obligationId: string, input: SubmissionInput): Promise<Submission> {
  const id = rowIdOf(obligationId, 'ReportingObligation');
  const obligation = id ? await ctx.loaders.obligationById.load(id) : null;
  if (!obligation) throw new ForbiddenError();
  const plan = await writablePlan(ctx, String(obligation.planId));
  const match = PERIOD.exec(input.period.trim());
  if (!match) throw new BadUserInputError('period is written 2026, 2026S1, 2026Q3 or 2026-07', 'period');
  const year = Number(match[1]);
  if (year < plan.firstYear || year > plan.lastYear) throw new BadUserInputError(`period ${input.period} is outside the plan's period ${plan.firstYear}–${plan.lastYear}`, 'period');
  const period = parsePeriod(input.period.trim());
  if (period) await ctx.access.assertCanWriteAt(plan.unitId, submissionDay(periodEnd(period), await unitOf(ctx, plan)), ctx.today);
  const submission = await withWriteTransaction(ctx.dataSource, (manager) => {
    const repo = manager.getRepository(Submission);
    return repo.save(repo.create({ unitId: plan.unitId, obligationId: obligation.id, period: input.period.trim(), submittedAt: now(), submittedBy: ctx.access.viewer.subject, note: input.note ?? null }));
  });
  ctx.loaders.submissionsByObligation.clear(obligation.id);
  return submission;
}

