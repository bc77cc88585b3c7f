import { EntityManager, EntityTarget, In, ObjectLiteral } from 'typeorm';
import { rowIdOf } from '../core/node';
import type { RequestContext } from '../request-context';
import { BadUserInputError, ConflictError, ForbiddenError } from '../core/errors';
import { PLAN_PARTS } from '../core/list-bounds';
import { withWriteTransaction } from '../core/write-transaction';
import { agencyDay } from '../auth/row-kinds';
import { Agency } from './agency.entity';
import { Objective } from './objective.entity';
import { PlanRevision } from './plan-revision.entity';
import { Plan } from './plan.entity';
import { UpdateAgencyInput, UpdateObjectiveInput, UpdateReportingObligationInput, UpdateResponsibilityInput, UpdateTaskInput } from './plan.inputs';
import {
  Change, checkObjectiveOrdinals, checkObligation, checkResponsibilityScope, checkResponsibilityTwin, checkText, forgetPlan, planAgency, recordRevisions,
  required, scheduleColumns, taskAgencies, textOrNull, unitOf, writablePlan,
} from './plan.service';
import { PlanPartRow } from './plan-part';
import { ReportingObligation } from './reporting-obligation.entity';
import { Responsibility } from './responsibility.entity';
import { Submission } from './submission.entity';
import { Target } from './target.entity';
import { Task } from './task.entity';

/** The parts of a plan that can be edited, deleted and restored, by GraphQL type name. */
const PART_ENTITIES = { Objective, Target, Task, Responsibility, ReportingObligation } as const;
type PartType = keyof typeof PART_ENTITIES;
/** What a deletion keeps: the part's rows and those that cannot live without it (an objective's targets, an obligation's submissions). */
const SNAPSHOT_ENTITIES: Record<string, EntityTarget<ObjectLiteral>> = { ...PART_ENTITIES, Submission };

type Snapshot = Record<string, Record<string, unknown>[]>;

function loaderOf(ctx: RequestContext, type: PartType) {
  const l = ctx.loaders;
  return { Objective: l.objectiveById, Target: l.targetById, Task: l.taskById, Responsibility: l.responsibilityById, ReportingObligation: l.obligationById }[type];
}

/** The part if the viewer may change its plan; FORBIDDEN alike for "absent" and "not yours". */
async function writablePart<T extends PlanPartRow>(ctx: RequestContext, type: PartType, id: string): Promise<{ part: T; plan: Plan }> {
  const rowId = rowIdOf(id, type);
  const part = rowId ? ((await loaderOf(ctx, type).load(rowId)) as T | null) : null;
  if (!part) throw new ForbiddenError();
  return { part, plan: await writablePlan(ctx, String(part.planId)) };
}

/** The fields that differ, as history changes. */
function diff<T extends object>(entityType: string, id: number, before: T, after: T, fields: readonly (keyof T & string)[]): Change[] {
  return fields
    .filter((f) => JSON.stringify(before[f] ?? null) !== JSON.stringify(after[f] ?? null))
    .map((f) => ({ entityType, entityId: id, field: f, oldValue: before[f] ?? null, newValue: after[f] ?? null }));
}

function copy<T extends object>(row: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(row)) as T, row);
}

async function saveChanges<T extends ObjectLiteral>(ctx: RequestContext, plan: Plan, entity: EntityTarget<T>, row: T, action: string, changes: Change[], more?: (manager: EntityManager) => Promise<void>): Promise<void> {
  if (!changes.length) return;
  await withWriteTransaction(ctx.dataSource, async (manager) => {
    await manager.getRepository(entity).save(row);
    await more?.(manager);
    await recordRevisions(ctx, manager, plan, action, changes);
  });
  forgetPlan(ctx, plan);
}

// ---------------------------------------------------------------- updates

export async function updateObjective(ctx: RequestContext, id: string, input: UpdateObjectiveInput): Promise<Objective> {
  const { part: objective, plan } = await writablePart<Objective>(ctx, 'Objective', id);
  const next = copy(objective);
  if (input.title !== undefined) {
    checkText(required(input.title, 'title'), 'title');
    next.title = (input.title as string).trim();
  }
  if (input.domain !== undefined) next.domain = required(input.domain, 'domain')!;
  if (input.ordinal !== undefined) next.ordinal = required(input.ordinal, 'ordinal')!;
  const renumbered = next.ordinal !== objective.ordinal;
  if (renumbered) {
    if (!Number.isInteger(next.ordinal) || next.ordinal < 1) throw new BadUserInputError('ordinal must be a positive whole number', 'ordinal');
    const taken = (await ctx.loaders.objectivesByPlan.load(plan.id)).some((o) => o.id !== objective.id && o.ordinal === next.ordinal);
    if (taken) throw new BadUserInputError(`The plan already has an objective ${next.ordinal}: renumber that one first`, 'ordinal');
  }
  const changes = diff('Objective', objective.id, objective, next, ['ordinal', 'title', 'domain']);
  // Tasks and responsibilities name objectives by ordinal ("3.2" for a target): they follow a renumbering.
  const [tasks, responsibilities] = renumbered ? await Promise.all([ctx.loaders.tasksByPlan.load(plan.id), ctx.loaders.responsibilitiesByPlan.load(plan.id)]) : [[], []];
  const swap = (ordinals: number[]) => ordinals.map((o) => (o === objective.ordinal ? next.ordinal : o));
  const movedTasks = tasks.filter((t) => t.objectiveOrdinals.includes(objective.ordinal)).map((t) => Object.assign(copy(t), { objectiveOrdinals: swap(t.objectiveOrdinals) }));
  const movedResponsibilities = responsibilities
    .filter((r) => r.objectiveOrdinals.includes(objective.ordinal) || r.targetLabels.some((l) => l.startsWith(`${objective.ordinal}.`)))
    .map((r) => Object.assign(copy(r), { objectiveOrdinals: swap(r.objectiveOrdinals), targetLabels: r.targetLabels.map((l) => (l.startsWith(`${objective.ordinal}.`) ? `${next.ordinal}.${l.slice(String(objective.ordinal).length + 1)}` : l)) }));
  movedTasks.forEach((t) => changes.push(...diff('Task', t.id, tasks.find((x) => x.id === t.id)!, t, ['objectiveOrdinals'])));
  movedResponsibilities.forEach((r) => changes.push(...diff('Responsibility', r.id, responsibilities.find((x) => x.id === r.id)!, r, ['objectiveOrdinals', 'targetLabels'])));
  await saveChanges(ctx, plan, Objective, next, 'updateObjective', changes, async (manager) => {
    if (movedTasks.length) await manager.getRepository(Task).save(movedTasks);
    if (movedResponsibilities.length) await manager.getRepository(Responsibility).save(movedResponsibilities);
  });
  ctx.loaders.objectiveById.clear(objective.id);
  return next;
}

const TASK_FIELDS = ['ordinal', 'group', 'title', 'description', 'objectiveOrdinals', 'scheduleKind', 'scheduleFrom', 'scheduleTo', 'scheduleDays', 'leadAgencyId', 'partnerAgencyIds', 'status'] as const;

export async function updateTask(ctx: RequestContext, id: string, input: UpdateTaskInput): Promise<Task> {
  const { part: task, plan } = await writablePart<Task>(ctx, 'Task', id);
  const next = copy(task);
  if (input.ordinal !== undefined) {
    next.ordinal = required(input.ordinal, 'ordinal')!;
    if (!Number.isInteger(next.ordinal) || next.ordinal < 1) throw new BadUserInputError('ordinal must be a positive whole number', 'ordinal');
  }
  if (input.title !== undefined) {
    checkText(required(input.title, 'title'), 'title');
    next.title = (input.title as string).trim();
  }
  if (input.group !== undefined) next.group = textOrNull(input.group);
  if (input.description !== undefined) next.description = input.description?.trim() ?? '';
  if (input.status !== undefined) next.status = textOrNull(input.status);
  if (input.objectiveOrdinals !== undefined) {
    next.objectiveOrdinals = input.objectiveOrdinals ?? [];
    await checkObjectiveOrdinals(ctx, plan, next.objectiveOrdinals, 'objectiveOrdinals');
  }
  if (input.schedule !== undefined) Object.assign(next, scheduleColumns(input.schedule, plan));
  if (input.leadAgency !== undefined || input.partnerAgencies !== undefined) {
    const leadId = input.leadAgency === undefined ? (task.leadAgencyId ? String(task.leadAgencyId) : null) : input.leadAgency;
    const partnerIds = input.partnerAgencies === undefined ? task.partnerAgencyIds.map(String) : (input.partnerAgencies ?? []);
    const { lead, partners } = await taskAgencies(ctx, plan, leadId, partnerIds);
    Object.assign(next, { leadAgencyId: lead?.id ?? null, partnerAgencyIds: partners.map((a) => a.id) });
  }
  await saveChanges(ctx, plan, Task, next, 'updateTask', diff('Task', task.id, task, next, TASK_FIELDS));
  ctx.loaders.taskById.clear(task.id);
  return next;
}

export async function updateResponsibility(ctx: RequestContext, id: string, input: UpdateResponsibilityInput): Promise<Responsibility> {
  const { part: r, plan } = await writablePart<Responsibility>(ctx, 'Responsibility', id);
  const next = copy(r);
  const agency = input.agency !== undefined ? await planAgency(ctx, plan, required(input.agency, 'agency')!, 'agency') : await planAgency(ctx, plan, String(r.agencyId), 'agency');
  next.agencyId = agency.id;
  if (input.role !== undefined) next.role = required(input.role, 'role')!;
  if (input.duties !== undefined) next.duties = input.duties?.trim() ?? '';
  if (input.objectiveOrdinals !== undefined) next.objectiveOrdinals = input.objectiveOrdinals ?? [];
  if (input.targetLabels !== undefined) next.targetLabels = input.targetLabels ?? [];
  await checkResponsibilityScope(ctx, plan, next.objectiveOrdinals, next.targetLabels);
  if (next.agencyId !== r.agencyId || next.role !== r.role) await checkResponsibilityTwin(ctx, plan, agency, next.role, r.id);
  await saveChanges(ctx, plan, Responsibility, next, 'updateResponsibility', diff('Responsibility', r.id, r, next, ['agencyId', 'role', 'duties', 'objectiveOrdinals', 'targetLabels']));
  ctx.loaders.responsibilityById.clear(r.id);
  return next;
}

export async function updateReportingObligation(ctx: RequestContext, id: string, input: UpdateReportingObligationInput): Promise<ReportingObligation> {
  const { part: o, plan } = await writablePart<ReportingObligation>(ctx, 'ReportingObligation', id);
  const next = copy(o);
  if (input.kind !== undefined) next.kind = required(input.kind, 'kind')!;
  if (input.recipient !== undefined) next.recipient = (required(input.recipient, 'recipient') as string).trim();
  if (input.reporter !== undefined) next.reporterAgencyId = input.reporter ? (await planAgency(ctx, plan, input.reporter, 'reporter')).id : null;
  if (input.dueDay !== undefined) next.dueDay = input.dueDay;
  if (input.dueMonth !== undefined) next.dueMonth = input.dueMonth;
  if (input.dueDate !== undefined) next.dueDate = input.dueDate;
  if (input.year !== undefined) next.year = input.year;
  if (input.description !== undefined) next.description = input.description?.trim() ?? '';
  checkObligation(next, plan);
  await saveChanges(ctx, plan, ReportingObligation, next, 'updateReportingObligation', diff('ReportingObligation', o.id, o, next, ['kind', 'reporterAgencyId', 'recipient', 'dueDay', 'dueMonth', 'dueDate', 'year', 'description']));
  ctx.loaders.obligationById.clear(o.id);
  return next;
}

/** An agency belongs to a unit, not to one plan: its changes are kept by the audit log. */
export async function updateAgency(ctx: RequestContext, id: string, input: UpdateAgencyInput): Promise<Agency> {
  const agency = await writableAgency(ctx, id);
  const next = copy(agency);
  if (input.name !== undefined) {
    checkText(required(input.name, 'name'), 'name');
    next.name = (input.name as string).trim();
  }
  if (input.kind !== undefined) next.kind = required(input.kind, 'kind')!;
  if (input.collective !== undefined) next.collective = required(input.collective, 'collective')!;
  await withWriteTransaction(ctx.dataSource, (manager) => manager.getRepository(Agency).save(next));
  ctx.loaders.agencyById.clear(agency.id);
  ctx.loaders.agenciesByUnit.clear(agency.unitId);
  return next;
}

async function writableAgency(ctx: RequestContext, id: string): Promise<Agency> {
  const agencyId = rowIdOf(id, 'Agency');
  const agency = agencyId ? await ctx.loaders.agencyById.load(agencyId) : null;
  if (!agency) throw new ForbiddenError();
  await ctx.access.assertCanWriteAt(agency.unitId, agencyDay(agency, await unitOf(ctx, agency), ctx.today), ctx.today);
  return agency;
}

// ---------------------------------------------------------------- deletions

function checkReason(reason: string): string {
  checkText(reason, 'reason');
  return reason.trim();
}

/** Deletes a part with what depends on it, keeping the rows in a revision so it can be restored. */
async function deletePart(ctx: RequestContext, type: PartType, id: string, reason: string): Promise<PlanRevision> {
  const why = checkReason(reason);
  const { part, plan } = await writablePart<PlanPartRow>(ctx, type, id);
  const revision = await withWriteTransaction(ctx.dataSource, async (manager) => {
    const snapshot: Snapshot = { [type]: [{ ...part }] };
    if (type === 'Objective') snapshot.Target = (await manager.getRepository(Target).findBy({ objectiveId: part.id })).map((t) => ({ ...t }));
    if (type === 'ReportingObligation') snapshot.Submission = (await manager.getRepository(Submission).findBy({ obligationId: part.id })).map((s) => ({ ...s }));
    // Dependants first: their foreign keys point at the part.
    for (const [entityType, rows] of Object.entries(snapshot).reverse()) {
      if (rows.length) await manager.getRepository(SNAPSHOT_ENTITIES[entityType]).delete({ id: In(rows.map((r) => r.id)) });
    }
    await recordRevisions(ctx, manager, plan, `delete${type}`, [{ entityType: type, entityId: part.id, field: null, oldValue: snapshot, newValue: undefined }], why);
    return manager.getRepository(PlanRevision).findOneOrFail({ where: { planId: plan.id, entityType: type, entityId: part.id }, order: { id: 'DESC' } });
  });
  loaderOf(ctx, type).clear(part.id);
  ctx.loaders.targetById.clearAll();
  forgetPlan(ctx, plan);
  return revision;
}

export const deleteObjective = (ctx: RequestContext, id: string, reason: string) => deletePart(ctx, 'Objective', id, reason);
export const deleteTarget = (ctx: RequestContext, id: string, reason: string) => deletePart(ctx, 'Target', id, reason);
export const deleteTask = (ctx: RequestContext, id: string, reason: string) => deletePart(ctx, 'Task', id, reason);
export const deleteResponsibility = (ctx: RequestContext, id: string, reason: string) => deletePart(ctx, 'Responsibility', id, reason);
export const deleteReportingObligation = (ctx: RequestContext, id: string, reason: string) => deletePart(ctx, 'ReportingObligation', id, reason);

/**
 * An agency named by a plan part cannot go (the part would name nobody): the refusal says which.
 * An unused agency is deleted; the audit log keeps who did it and why.
 */
export async function deleteAgency(ctx: RequestContext, id: string, reason: string): Promise<boolean> {
  checkReason(reason);
  const agency = await writableAgency(ctx, id);
  await withWriteTransaction(ctx.dataSource, async (manager) => {
    const [responsibility, obligation, leads, partnerCandidates] = await Promise.all([
      manager.getRepository(Responsibility).findOneBy({ agencyId: agency.id }),
      manager.getRepository(ReportingObligation).findOneBy({ reporterAgencyId: agency.id }),
      manager.getRepository(Task).findOneBy({ leadAgencyId: agency.id }),
      manager.getRepository(Task).createQueryBuilder('t').where('t.partner_agency_ids LIKE :id', { id: `%${agency.id}%` }).getMany(),
    ]);
    const partner = partnerCandidates.find((t) => t.partnerAgencyIds.includes(agency.id));
    const user = responsibility ? ['a responsibility', responsibility.planId] : obligation ? ['a reporting obligation', obligation.planId] : leads ? [`task ${leads.ordinal} (lead)`, leads.planId] : partner ? [`task ${partner.ordinal} (partner)`, partner.planId] : null;
    if (user) throw new BadUserInputError(`${agency.name} is still named by ${user[0]} of plan ${user[1]}: change or delete that first`, 'id');
    await manager.getRepository(Agency).delete({ id: agency.id });
  });
  ctx.loaders.agencyById.clear(agency.id);
  ctx.loaders.agenciesByUnit.clear(agency.unitId);
  return true;
}

// ---------------------------------------------------------------- restore

const ORDINAL_CAPS: Partial<Record<string, number>> = { Objective: PLAN_PARTS.objectives, Task: PLAN_PARTS.tasks };

/** A free ordinal for a restored objective or target: its own if nobody took it meanwhile, else after the last. */
async function freeOrdinal(manager: EntityManager, entityType: string, row: Record<string, unknown>): Promise<number> {
  if (entityType !== 'Objective' && entityType !== 'Target') return row.ordinal as number;
  const siblings = entityType === 'Objective' ? await manager.getRepository(Objective).findBy({ planId: row.planId as number }) : await manager.getRepository(Target).findBy({ objectiveId: row.objectiveId as number });
  const cap = entityType === 'Objective' ? PLAN_PARTS.objectives : PLAN_PARTS.targetsPerObjective;
  if (siblings.length >= cap) throw new BadUserInputError(`The list is full (at most ${cap}): delete another ${entityType.toLowerCase()} first`, 'revision');
  return siblings.some((s) => s.ordinal === row.ordinal) ? Math.max(...siblings.map((s) => s.ordinal)) + 1 : (row.ordinal as number);
}

/** Why the deleted rows cannot come back as they were, or null. */
async function restoreProblem(manager: EntityManager, type: string, part: Record<string, unknown>): Promise<string | null> {
  if (await manager.getRepository(SNAPSHOT_ENTITIES[type]).findOneBy({ id: part.id as number })) return `${type} ${part.id} is already restored`;
  if (type === 'Target' && !(await manager.getRepository(Objective).findOneBy({ id: part.objectiveId as number }))) {
    return `its objective was deleted too: restore the objective first (its deleteObjective revision)`;
  }
  const agencies = [part.agencyId, part.reporterAgencyId, part.leadAgencyId, ...((part.partnerAgencyIds as number[] | undefined) ?? [])].filter((a): a is number => typeof a === 'number');
  const present = agencies.length ? await manager.getRepository(Agency).findBy({ id: In(agencies) }) : [];
  if (present.length < new Set(agencies).size) return 'an agency it names no longer exists: add the agency again, then add the part anew';
  if (type === 'Responsibility' && (await manager.getRepository(Responsibility).findOneBy({ planId: part.planId as number, agencyId: part.agencyId as number, role: part.role as Responsibility['role'] }))) {
    return `the agency has had the role ${part.role} again since: edit that responsibility instead`;
  }
  const cap = ORDINAL_CAPS[type];
  if (cap && (await manager.getRepository(SNAPSHOT_ENTITIES[type]).countBy({ planId: part.planId as number })) >= cap) return `the plan's list is full (at most ${cap})`;
  return null;
}

/** Brings back what a delete… mutation removed (with its targets or submissions), under the same ids. */
export async function restorePlanPart(ctx: RequestContext, revisionId: string, reason: string | null | undefined): Promise<PlanRevision> {
  const rowId = rowIdOf(revisionId, 'PlanRevision');
  const deletion = rowId ? await ctx.loaders.revisionById.load(rowId) : null;
  if (!deletion) throw new ForbiddenError();
  const plan = await writablePlan(ctx, String(deletion.planId));
  if (!deletion.action.startsWith('delete') || !deletion.oldValue) throw new BadUserInputError(`Revision ${revisionId} records ${deletion.action}, not a deletion: only a deletion can be restored`, 'revision');
  const snapshot = JSON.parse(deletion.oldValue) as Snapshot;
  const type = deletion.entityType;
  const restored = await withWriteTransaction(ctx.dataSource, async (manager) => {
    const part = snapshot[type][0];
    const problem = await restoreProblem(manager, type, part);
    if (problem) throw (problem.endsWith('already restored') ? new ConflictError(problem) : new BadUserInputError(`Cannot restore ${type} ${part.id}: ${problem}`, 'revision'));
    const ordinal = await freeOrdinal(manager, type, part);
    for (const [entityType, rows] of Object.entries(snapshot)) {
      if (!rows.length) continue;
      const repo = manager.getRepository(SNAPSHOT_ENTITIES[entityType]);
      await repo.insert(rows.map((r) => repo.create(entityType === type ? { ...r, ordinal } : r)));
    }
    await recordRevisions(ctx, manager, plan, 'restorePlanPart', [{ entityType: type, entityId: part.id as number, field: null, oldValue: undefined, newValue: { restored: deletion.globalId, ordinal } }], textOrNull(reason));
    return manager.getRepository(PlanRevision).findOneOrFail({ where: { planId: plan.id, action: 'restorePlanPart', entityId: part.id as number }, order: { id: 'DESC' } });
  });
  ctx.loaders.targetById.clearAll();
  ctx.loaders.objectiveById.clearAll();
  forgetPlan(ctx, plan);
  return restored;
}
