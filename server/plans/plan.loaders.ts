import DataLoader from 'dataloader';
import { EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ScopedContext } from '../auth/scope';
import { Agency } from './agency.entity';
import { restrictAgencies, restrictPlanParts, restrictPlans, restrictSubmissions } from './plan.access';
import { Objective } from './objective.entity';
import { PlanRevision } from './plan-revision.entity';
import { Plan } from './plan.entity';
import { ReportingObligation } from './reporting-obligation.entity';
import { Responsibility } from './responsibility.entity';
import { Submission } from './submission.entity';
import { Target } from './target.entity';
import { Task } from './task.entity';

type Restriction = <T extends ObjectLiteral>(ctx: ScopedContext, qb: SelectQueryBuilder<T>) => SelectQueryBuilder<T>;

/**
 * Per-request loaders of the plan domain. Every batch is one query restricted to the viewer's
 * area (a plan by its years, its parts through it, see plan.access.ts), so nothing outside it
 * comes back even when reached by id.
 */
export function createPlanLoaders(ctx: ScopedContext) {
  const { dataSource } = ctx;

  /** Rows of `entity` whose `column` is one of the keys, grouped by key, in `order`. */
  function grouped<T extends ObjectLiteral, K extends string | number>(entity: EntityTarget<T>, restrict: Restriction, column: string, key: (row: T) => K, order: [string, 'ASC' | 'DESC'][] = [['x.id', 'ASC']]) {
    return new DataLoader<K, T[]>(async (keys) => {
      const qb = dataSource.getRepository(entity).createQueryBuilder('x').where(`x.${column} IN (:...keys)`, { keys: [...keys] });
      restrict(ctx, qb);
      order.forEach(([sort, direction], i) => (i === 0 ? qb.orderBy(sort, direction) : qb.addOrderBy(sort, direction)));
      const groups = new Map<K, T[]>();
      for (const row of await qb.getMany()) {
        const k = key(row);
        const group = groups.get(k);
        if (group) group.push(row);
        else groups.set(k, [row]);
      }
      return keys.map((k) => groups.get(k) ?? []);
    });
  }

  function byId<T extends ObjectLiteral & { id: number }>(entity: EntityTarget<T>, restrict: Restriction) {
    return new DataLoader<number, T | null>(async (ids) => {
      const qb = dataSource.getRepository(entity).createQueryBuilder('x').where('x.id IN (:...ids)', { ids: [...ids] });
      const found = new Map((await restrict(ctx, qb).getMany()).map((row) => [row.id, row]));
      return ids.map((id) => found.get(id) ?? null);
    });
  }

  const byPlanOrdinal: [string, 'ASC' | 'DESC'][] = [['x.ordinal', 'ASC'], ['x.id', 'ASC']];
  return {
    planById: byId(Plan, restrictPlans),
    plansByUnit: grouped(Plan, restrictPlans, 'unit_id', (p) => p.unitId, [['x.first_year', 'DESC'], ['x.id', 'ASC']]),
    plansImplementing: grouped(Plan, restrictPlans, 'implements_number', (p) => p.implementsNumber as string, [['x.first_year', 'DESC'], ['x.id', 'ASC']]),
    objectiveById: byId(Objective, restrictPlanParts),
    objectivesByPlan: grouped(Objective, restrictPlanParts, 'plan_id', (o) => o.planId, byPlanOrdinal),
    targetById: byId(Target, restrictPlanParts),
    targetsByObjective: grouped(Target, restrictPlanParts, 'objective_id', (t) => t.objectiveId, byPlanOrdinal),
    targetsByPlan: grouped(Target, restrictPlanParts, 'plan_id', (t) => t.planId, byPlanOrdinal),
    targetsByIndicator: grouped(Target, restrictPlanParts, 'indicator_code', (t) => t.indicatorCode as string, [['x.plan_id', 'ASC'], ['x.id', 'ASC']]),
    taskById: byId(Task, restrictPlanParts),
    tasksByPlan: grouped(Task, restrictPlanParts, 'plan_id', (t) => t.planId, byPlanOrdinal),
    agencyById: byId(Agency, restrictAgencies),
    agenciesByUnit: grouped(Agency, restrictAgencies, 'unit_id', (a) => a.unitId),
    responsibilityById: byId(Responsibility, restrictPlanParts),
    responsibilitiesByPlan: grouped(Responsibility, restrictPlanParts, 'plan_id', (r) => r.planId),
    responsibilitiesByAgency: grouped(Responsibility, restrictPlanParts, 'agency_id', (r) => r.agencyId, [['x.plan_id', 'ASC'], ['x.id', 'ASC']]),
    obligationById: byId(ReportingObligation, restrictPlanParts),
    obligationsByPlan: grouped(ReportingObligation, restrictPlanParts, 'plan_id', (o) => o.planId),
    submissionById: byId(Submission, restrictSubmissions),
    submissionsByObligation: grouped(Submission, restrictSubmissions, 'obligation_id', (s) => s.obligationId, [['x.submitted_at', 'ASC'], ['x.id', 'ASC']]),
    revisionById: byId(PlanRevision, restrictPlanParts),
    revisionsByPlan: grouped(PlanRevision, restrictPlanParts, 'plan_id', (r) => r.planId),
  };
}

export type PlanLoaders = ReturnType<typeof createPlanLoaders>;
