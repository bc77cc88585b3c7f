import { Arg, Args, Ctx, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root, UseMiddleware } from 'type-graphql';
import { Role } from '../auth/role';
import type { RequestContext } from '../request-context';
import { ConnectionType } from '../core/pagination';
import { Indicator } from '../indicators/indicator.entity';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import { Agency } from './agency.entity';
import { Objective } from './objective.entity';
import { PlanRevision } from './plan-revision.entity';
import { Plan, UpperLevelPlan } from './plan.entity';
import * as editing from './plan-editing.service';
import { CleanPlanText } from './plan-text.middleware';
import {
  AgencyInput, CreatePlanInput, ObjectiveInput, PlansArgs, ReportingObligationInput, ResponsibilityInput, SubmissionInput, TargetInput,
  TaskInput, UpdateAgencyInput, UpdateObjectiveInput, UpdatePlanInput, UpdateReportingObligationInput, UpdateResponsibilityInput, UpdateTargetInput, UpdateTaskInput,
} from './plan.inputs';
import * as plans from './plan.service';
import { ReportingObligation } from './reporting-obligation.entity';
import { Responsibility } from './responsibility.entity';
import { Submission } from './submission.entity';
import { Target, TargetPoint } from './target.entity';
import { Task, TaskSchedule } from './task.entity';

@ObjectType()
export class PlanConnection extends ConnectionType(Plan, 'Plan') {}

@Resolver(() => Plan)
@UseMiddleware(CleanPlanText)
export class PlanResolver {
  @Query(() => Plan, { nullable: true, description: 'A plan by id; null when it does not exist or is outside your subtree' })
  plan(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Plan | null> {
    return plans.findPlan(ctx, id);
  }

  @Query(() => PlanConnection, { description: 'Plans of your subtree, newest first' })
  plans(@Ctx() ctx: RequestContext, @Args() args: PlansArgs): Promise<PlanConnection> {
    return plans.listPlans(ctx, args);
  }

  @FieldResolver(() => AdministrativeUnit, { description: 'The owning unit (a legacy unit is read at its last day)' })
  unit(@Ctx() ctx: RequestContext, @Root() plan: Plan): Promise<AdministrativeUnit> {
    return plans.unitOf(ctx, plan);
  }

  @FieldResolver(() => UpperLevelPlan, { nullable: true, name: 'implements', description: 'The upper-level plan or letter this plan implements' })
  implementsPlan(@Root() plan: Plan): UpperLevelPlan | null {
    return plans.upperLevelOf(plan);
  }

  @FieldResolver(() => [UpperLevelPlan], { description: 'Further upper-level documents this plan implements, besides `implements`' })
  alsoImplements(@Root() plan: Plan): UpperLevelPlan[] {
    return plan.alsoImplements ?? [];
  }

  @FieldResolver(() => [Plan], { description: 'Plans in your subtree that implement this one (cite its number)' })
  implementedBy(@Ctx() ctx: RequestContext, @Root() plan: Plan): Promise<Plan[]> {
    return plans.plansImplementing(ctx, plan);
  }

  @FieldResolver(() => [Objective], { description: 'In order' })
  objectives(@Ctx() ctx: RequestContext, @Root() plan: Plan): Promise<Objective[]> {
    return ctx.loaders.objectivesByPlan.load(plan.id);
  }

  @FieldResolver(() => [Target], { description: 'Every target of every objective, in order' })
  async targets(@Ctx() ctx: RequestContext, @Root() plan: Plan): Promise<Target[]> {
    const [objectives, targets] = await Promise.all([ctx.loaders.objectivesByPlan.load(plan.id), ctx.loaders.targetsByPlan.load(plan.id)]);
    const rank = new Map(objectives.map((o) => [o.id, o.ordinal]));
    return [...targets].sort((a, b) => (rank.get(a.objectiveId) ?? 0) - (rank.get(b.objectiveId) ?? 0) || a.ordinal - b.ordinal);
  }

  @FieldResolver(() => [Task])
  tasks(@Ctx() ctx: RequestContext, @Root() plan: Plan): Promise<Task[]> {
    return ctx.loaders.tasksByPlan.load(plan.id);
  }

  @FieldResolver(() => [Responsibility])
  responsibilities(@Ctx() ctx: RequestContext, @Root() plan: Plan): Promise<Responsibility[]> {
    return ctx.loaders.responsibilitiesByPlan.load(plan.id);
  }

  @FieldResolver(() => [ReportingObligation])
  reportingObligations(@Ctx() ctx: RequestContext, @Root() plan: Plan): Promise<ReportingObligation[]> {
    return ctx.loaders.obligationsByPlan.load(plan.id);
  }

  @FieldResolver(() => [PlanRevision], { description: 'Every change to the plan and its parts (additions, updates, deletions, restores), oldest first' })
  history(@Ctx() ctx: RequestContext, @Root() plan: Plan): Promise<PlanRevision[]> {
    return ctx.loaders.revisionsByPlan.load(plan.id);
  }

  @Mutation(() => Plan, { description: 'EDITOR of the unit or ADMIN of its subtree' })
  createPlan(@Ctx() ctx: RequestContext, @Arg('input', () => CreatePlanInput) input: CreatePlanInput): Promise<Plan> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return plans.createPlan(ctx, input);
  }

  @Mutation(() => Plan, { description: 'Only the fields given change; null clears an optional field; status goes DRAFT → ISSUED → SUPERSEDED. Kept in the history' })
  updatePlan(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input', () => UpdatePlanInput) input: UpdatePlanInput): Promise<Plan> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return plans.updatePlan(ctx, id, input);
  }

  @Mutation(() => Objective)
  addObjective(@Ctx() ctx: RequestContext, @Arg('plan', () => ID) plan: string, @Arg('input', () => ObjectiveInput) input: ObjectiveInput): Promise<Objective> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return plans.addObjective(ctx, plan, input);
  }

  @Mutation(() => Target, { description: "Validated against the indicator's value type and measure and the plan's period" })
  addTarget(@Ctx() ctx: RequestContext, @Arg('objective', () => ID) objective: string, @Arg('input', () => TargetInput) input: TargetInput): Promise<Target> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return plans.addTarget(ctx, objective, input);
  }

  @Mutation(() => Target)
  updateTarget(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input', () => UpdateTargetInput) input: UpdateTargetInput): Promise<Target> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return plans.updateTarget(ctx, id, input);
  }

  @Mutation(() => Task)
  addTask(@Ctx() ctx: RequestContext, @Arg('plan', () => ID) plan: string, @Arg('input', () => TaskInput) input: TaskInput): Promise<Task> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return plans.addTask(ctx, plan, input);
  }

  @Mutation(() => Agency)
  addAgency(@Ctx() ctx: RequestContext, @Arg('input', () => AgencyInput) input: AgencyInput): Promise<Agency> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return plans.addAgency(ctx, input);
  }

  @Mutation(() => Responsibility, { description: "The agency must belong to the plan's unit or a unit below it" })
  addResponsibility(@Ctx() ctx: RequestContext, @Arg('plan', () => ID) plan: string, @Arg('input', () => ResponsibilityInput) input: ResponsibilityInput): Promise<Responsibility> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return plans.addResponsibility(ctx, plan, input);
  }

  @Mutation(() => ReportingObligation)
  addReportingObligation(@Ctx() ctx: RequestContext, @Arg('plan', () => ID) plan: string, @Arg('input', () => ReportingObligationInput) input: ReportingObligationInput): Promise<ReportingObligation> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return plans.addReportingObligation(ctx, plan, input);
  }

  @Mutation(() => Submission, { description: 'Records that the report was submitted now, by you, for a period' })
  recordSubmission(@Ctx() ctx: RequestContext, @Arg('obligation', () => ID) obligation: string, @Arg('input', () => SubmissionInput) input: SubmissionInput): Promise<Submission> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return plans.recordSubmission(ctx, obligation, input);
  }
}

/** Updates, deletions and restores of plan parts: EDITOR of the plan's unit or ADMIN of its subtree, like the additions. */
@Resolver()
@UseMiddleware(CleanPlanText)
export class PlanEditingResolver {
  @Mutation(() => Objective, { description: 'Renumbering an objective renumbers what names it (tasks, responsibilities)' })
  updateObjective(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input', () => UpdateObjectiveInput) input: UpdateObjectiveInput): Promise<Objective> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return editing.updateObjective(ctx, id, input);
  }

  @Mutation(() => Task)
  updateTask(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input', () => UpdateTaskInput) input: UpdateTaskInput): Promise<Task> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return editing.updateTask(ctx, id, input);
  }

  @Mutation(() => Responsibility)
  updateResponsibility(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input', () => UpdateResponsibilityInput) input: UpdateResponsibilityInput): Promise<Responsibility> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return editing.updateResponsibility(ctx, id, input);
  }

  @Mutation(() => ReportingObligation)
  updateReportingObligation(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input', () => UpdateReportingObligationInput) input: UpdateReportingObligationInput): Promise<ReportingObligation> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return editing.updateReportingObligation(ctx, id, input);
  }

  @Mutation(() => Agency, { description: "An agency belongs to a unit, not a plan: its changes are kept in the audit log, not a plan's history" })
  updateAgency(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input', () => UpdateAgencyInput) input: UpdateAgencyInput): Promise<Agency> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return editing.updateAgency(ctx, id, input);
  }

  @Mutation(() => PlanRevision, { description: 'Deletes the objective with its targets; answers the revision that keeps them (restorePlanPart brings them back)' })
  deleteObjective(@Ctx() ctx: RequestContext, @Arg('objective', () => ID) objective: string, @Arg('reason', { description: 'Why, kept in the history' }) reason: string): Promise<PlanRevision> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return editing.deleteObjective(ctx, objective, reason);
  }

  @Mutation(() => PlanRevision, { description: 'Answers the revision that keeps the target (restorePlanPart brings it back)' })
  deleteTarget(@Ctx() ctx: RequestContext, @Arg('target', () => ID) target: string, @Arg('reason', { description: 'Why, kept in the history' }) reason: string): Promise<PlanRevision> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return editing.deleteTarget(ctx, target, reason);
  }

  @Mutation(() => PlanRevision, { description: 'Answers the revision that keeps the task (restorePlanPart brings it back)' })
  deleteTask(@Ctx() ctx: RequestContext, @Arg('task', () => ID) task: string, @Arg('reason', { description: 'Why, kept in the history' }) reason: string): Promise<PlanRevision> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return editing.deleteTask(ctx, task, reason);
  }

  @Mutation(() => PlanRevision, { description: 'Answers the revision that keeps the responsibility (restorePlanPart brings it back)' })
  deleteResponsibility(@Ctx() ctx: RequestContext, @Arg('responsibility', () => ID) responsibility: string, @Arg('reason', { description: 'Why, kept in the history' }) reason: string): Promise<PlanRevision> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return editing.deleteResponsibility(ctx, responsibility, reason);
  }

  @Mutation(() => PlanRevision, { description: 'Deletes the obligation with its submissions; answers the revision that keeps them (restorePlanPart brings them back)' })
  deleteReportingObligation(@Ctx() ctx: RequestContext, @Arg('obligation', () => ID) obligation: string, @Arg('reason', { description: 'Why, kept in the history' }) reason: string): Promise<PlanRevision> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return editing.deleteReportingObligation(ctx, obligation, reason);
  }

  @Mutation(() => Boolean, { description: 'Only an agency no plan part names; the audit log keeps who deleted it and why' })
  deleteAgency(@Ctx() ctx: RequestContext, @Arg('agency', () => ID) agency: string, @Arg('reason') reason: string): Promise<boolean> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return editing.deleteAgency(ctx, agency, reason);
  }

  @Mutation(() => PlanRevision, { description: 'Brings back what a delete… revision removed, under the same ids (an objective or target whose ordinal was taken meanwhile goes last); answers the restore revision' })
  restorePlanPart(
    @Ctx() ctx: RequestContext,
    @Arg('revision', () => ID, { description: 'The revision a delete… mutation answered' }) revision: string,
    @Arg('reason', () => String, { nullable: true }) reason?: string | null,
  ): Promise<PlanRevision> {
    ctx.access.requireRole(Role.ADMIN, Role.EDITOR);
    return editing.restorePlanPart(ctx, revision, reason);
  }
}

@Resolver(() => Objective)
export class ObjectiveResolver {
  @FieldResolver(() => [Target], { description: 'In order' })
  targets(@Ctx() ctx: RequestContext, @Root() objective: Objective): Promise<Target[]> {
    return ctx.loaders.targetsByObjective.load(objective.id);
  }

  @FieldResolver(() => Plan)
  plan(@Ctx() ctx: RequestContext, @Root() objective: Objective): Promise<Plan> {
    return plans.planOf(ctx, objective);
  }
}

@Resolver(() => Target)
export class TargetResolver {
  @FieldResolver(() => Indicator, { nullable: true, description: 'The indicator the target is measured by; null when the target has no machine-readable form' })
  indicator(@Ctx() ctx: RequestContext, @Root() target: Target): Promise<Indicator | null> {
    return plans.indicatorOfTarget(ctx, target);
  }

  @FieldResolver(() => TargetPoint, { nullable: true })
  baseline(@Root() target: Target): TargetPoint | null {
    return plans.baselineOf(target);
  }

  @FieldResolver(() => Objective)
  objective(@Ctx() ctx: RequestContext, @Root() target: Target): Promise<Objective> {
    return plans.objectiveOfTarget(ctx, target);
  }

  @FieldResolver(() => Plan)
  plan(@Ctx() ctx: RequestContext, @Root() target: Target): Promise<Plan> {
    return plans.planOf(ctx, target);
  }
}

@Resolver(() => Task)
export class TaskResolver {
  @FieldResolver(() => TaskSchedule, { nullable: true })
  schedule(@Root() task: Task): TaskSchedule | null {
    return plans.scheduleOf(task);
  }

  @FieldResolver(() => [Objective], { description: 'Objectives served; empty = the plan as a whole' })
  objectives(@Ctx() ctx: RequestContext, @Root() task: Task): Promise<Objective[]> {
    return plans.objectivesOfTask(ctx, task);
  }

  @FieldResolver(() => Agency, { nullable: true })
  async leadAgency(@Ctx() ctx: RequestContext, @Root() task: Task): Promise<Agency | null> {
    return task.leadAgencyId ? ctx.loaders.agencyById.load(task.leadAgencyId) : null;
  }

  @FieldResolver(() => [Agency])
  partnerAgencies(@Ctx() ctx: RequestContext, @Root() task: Task): Promise<Agency[]> {
    return plans.agenciesByIds(ctx, task.partnerAgencyIds);
  }
}

@Resolver(() => Agency)
export class AgencyResolver {
  @FieldResolver(() => AdministrativeUnit)
  unit(@Ctx() ctx: RequestContext, @Root() agency: Agency): Promise<AdministrativeUnit> {
    return plans.unitOf(ctx, agency);
  }

  @FieldResolver(() => [Responsibility], { description: 'Its responsibilities across plans' })
  responsibilities(@Ctx() ctx: RequestContext, @Root() agency: Agency): Promise<Responsibility[]> {
    return ctx.loaders.responsibilitiesByAgency.load(agency.id);
  }
}

@Resolver(() => Responsibility)
export class ResponsibilityResolver {
  @FieldResolver(() => Agency, { nullable: true })
  agency(@Ctx() ctx: RequestContext, @Root() r: Responsibility): Promise<Agency | null> {
    return ctx.loaders.agencyById.load(r.agencyId);
  }

  @FieldResolver(() => [Objective], { description: 'Objectives it is responsible for or reports on' })
  objectives(@Ctx() ctx: RequestContext, @Root() r: Responsibility): Promise<Objective[]> {
    return plans.objectivesOfResponsibility(ctx, r);
  }

  @FieldResolver(() => [Target], { description: 'Targets it names; when it names none, the targets of its objectives' })
  targets(@Ctx() ctx: RequestContext, @Root() r: Responsibility): Promise<Target[]> {
    return plans.targetsOfResponsibility(ctx, r);
  }

  @FieldResolver(() => Plan)
  plan(@Ctx() ctx: RequestContext, @Root() r: Responsibility): Promise<Plan> {
    return plans.planOf(ctx, r);
  }
}

@Resolver(() => ReportingObligation)
export class ReportingObligationResolver {
  @FieldResolver(() => Agency, { nullable: true, description: 'Who reports; null = the plan unit as a whole' })
  reporter(@Ctx() ctx: RequestContext, @Root() o: ReportingObligation): Promise<Agency | null> {
    return plans.reporterOf(ctx, o);
  }

  @FieldResolver(() => [Submission])
  submissions(@Ctx() ctx: RequestContext, @Root() o: ReportingObligation): Promise<Submission[]> {
    return ctx.loaders.submissionsByObligation.load(o.id);
  }

  @FieldResolver(() => Plan)
  plan(@Ctx() ctx: RequestContext, @Root() o: ReportingObligation): Promise<Plan> {
    return plans.planOf(ctx, o);
  }
}

@Resolver(() => AdministrativeUnit)
export class UnitPlansResolver {
  @FieldResolver(() => [Plan], { description: "This unit's own plans, newest first" })
  plans(@Ctx() ctx: RequestContext, @Root() unit: AdministrativeUnit): Promise<Plan[]> {
    return plans.plansOfUnit(ctx, unit);
  }

  @FieldResolver(() => [Agency], { description: 'Agencies (bodies) of this unit' })
  agencies(@Ctx() ctx: RequestContext, @Root() unit: AdministrativeUnit): Promise<Agency[]> {
    return ctx.loaders.agenciesByUnit.load(unit.id);
  }
}

export const planResolvers = [PlanResolver, PlanEditingResolver, ObjectiveResolver, TargetResolver, TaskResolver, AgencyResolver, ResponsibilityResolver, ReportingObligationResolver, UnitPlansResolver] as const;
