import DataLoader from 'dataloader';
import { EntityTarget, ObjectLiteral } from 'typeorm';
import type { ScopedContext } from '../auth/scope';
import { Agency } from './agency.entity';
import { RowKindName, restrictRows } from '../auth/row-kinds';
import { Objective } from './objective.entity';
import { PlanRevision } from './plan-revision.entity';
import { Plan } from './plan.entity';
import { ReportingObligation } from './reporting-obligation.entity';
import { Responsibility } from './responsibility.entity';
import { Submission } from './submission.entity';
import { Target } from './target.entity';
import { Task } from './task.entity';


/**
 * Per-request loaders of the plan domain. Every batch is one query restricted to the viewer's
 * area by the row kind's rule (server/auth/row-kinds.ts), so nothing outside it
 * comes back even when reached by id.
 */
export function createPlanLoaders(ctx: ScopedContext) {
  const { dataSource } = ctx;

  /** Rows of `entity` whose `column` is one of the keys, grouped by key, in `order`. */
  function grouped<T extends ObjectLiteral, K extends string | number>(entity: EntityTarget<T>, kind: RowKindName, column: string, key: (row: T) => K, order: [string, 'ASC' | 'DESC'][] = [['x.id', 'ASC']]) {
    return new DataLoader<K, T[]>(async (keys) => {
      const qb = dataSource.getRepository(entity).createQueryBuilder('x').where(`x.${column} IN (:...keys)`, { keys: [...keys] });
      restrictRows(ctx, kind, qb, 'x');
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

  function byId<T extends ObjectLiteral & { id: number }>(entity: EntityTarget<T>, kind: RowKindName) {
    return new DataLoader<number, T | null>(async (ids) => {
      const qb = dataSource.getRepository(entity).createQueryBuilder('x').where('x.id IN (:...ids)', { ids: [...ids] });
      const found = new Map((await restrictRows(ctx, kind, qb, 'x').getMany()).map((row) => [row.id, row]));
      return ids.map((id) => found.get(id) ?? null);
    });
  }

  const byPlanOrdinal: [string, 'ASC' | 'DESC'][] = [['x.ordinal', 'ASC'], ['x.id', 'ASC']];
  return {
    planById: byId(Plan, 'plan'),
    plansByUnit: grouped(Plan, 'plan', 'unit_id', (p) => p.unitId, [['x.first_year', 'DESC'], ['x.id', 'ASC']]),
    plansImplementing: grouped(Plan, 'plan', 'implements_number', (p) => p.implementsNumber as string, [['x.first_year', 'DESC'], ['x.id', 'ASC']]),
    objectiveById: byId(Objective, 'planPart'),
    objectivesByPlan: grouped(Objective, 'planPart', 'plan_id', (o) => o.planId, byPlanOrdinal),
    targetById: byId(Target, 'planPart'),
    targetsByObjective: grouped(Target, 'planPart', 'objective_id', (t) => t.objectiveId, byPlanOrdinal),
    targetsByPlan: grouped(Target, 'planPart', 'plan_id', (t) => t.planId, byPlanOrdinal),
    targetsByIndicator: grouped(Target, 'planPart', 'indicator_code', (t) => t.indicatorCode as string, [['x.plan_id', 'ASC'], ['x.id', 'ASC']]),
    taskById: byId(Task, 'planPart'),
    tasksByPlan: grouped(Task, 'planPart', 'plan_id', (t) => t.planId, byPlanOrdinal),
    agencyById: byId(Agency, 'agency'),
    agenciesByUnit: grouped(Agency, 'agency', 'unit_id', (a) => a.unitId),
    responsibilityById: byId(Responsibility, 'planPart'),
    responsibilitiesByPlan: grouped(Responsibility, 'planPart', 'plan_id', (r) => r.planId),
    responsibilitiesByAgency: grouped(Responsibility, 'planPart', 'agency_id', (r) => r.agencyId, [['x.plan_id', 'ASC'], ['x.id', 'ASC']]),
    obligationById: byId(ReportingObligation, 'planPart'),
    obligationsByPlan: grouped(ReportingObligation, 'planPart', 'plan_id', (o) => o.planId),
    submissionById: byId(Submission, 'submission'),
    submissionsByObligation: grouped(Submission, 'submission', 'obligation_id', (s) => s.obligationId, [['x.submitted_at', 'ASC'], ['x.id', 'ASC']]),
    revisionById: byId(PlanRevision, 'planPart'),
    revisionsByPlan: grouped(PlanRevision, 'planPart', 'plan_id', (r) => r.planId),
  };
}

export type PlanLoaders = ReturnType<typeof createPlanLoaders>;
