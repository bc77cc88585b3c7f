import { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { AccessTime } from '../auth/access';
import type { ScopedContext } from '../auth/scope';
import { concatSql } from '../core/sql';
import { periodEndSql } from '../observations/period-sql';
import { Plan } from './plan.entity';

/** A plan belongs to the area its unit lay in at some time during the plan's years. */
export function planYears(dataSource: DataSource, alias: string): AccessTime {
  return { fromSql: concatSql(dataSource, `${alias}.first_year`, "'-01-01'"), toSql: concatSql(dataSource, `${alias}.last_year`, "'-12-31'") };
}

/** Plan rows (alias `x`) the viewer may see: the plan by its years. */
export function restrictPlans<T extends ObjectLiteral>(ctx: ScopedContext, qb: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return ctx.access.restrict(qb, 'x.unit_id', planYears(ctx.dataSource, 'x'));
}

/** Parts of a plan (objectives, targets, tasks, responsibilities, obligations, revisions) follow their plan. */
export function restrictPlanParts<T extends ObjectLiteral>(ctx: ScopedContext, qb: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  const plan = ctx.dataSource.getRepository(Plan).createQueryBuilder('vp').select('1').where('vp.id = x.plan_id');
  ctx.access.restrict(plan, 'vp.unit_id', planYears(ctx.dataSource, 'vp'));
  return qb.andWhere(`EXISTS (${plan.getQuery()})`, plan.getParameters());
}

/** An agency belongs to the area its unit lies in today or, for a legacy unit, lay in on its last day. */
export function restrictAgencies<T extends ObjectLiteral>(ctx: ScopedContext, qb: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  qb.setParameter('agencyToday', ctx.today);
  return ctx.access.restrict(qb, 'x.unit_id', { onSql: 'COALESCE((SELECT au.valid_to FROM administrative_unit au WHERE au.id = x.unit_id), :agencyToday)' });
}

/** A submission belongs to the area its unit lay in on the last day of the period it reports on. */
export function restrictSubmissions<T extends ObjectLiteral>(ctx: ScopedContext, qb: SelectQueryBuilder<T>, alias = 'x'): SelectQueryBuilder<T> {
  return ctx.access.restrict(qb, `${alias}.unit_id`, { onSql: submissionDateSql(ctx.dataSource, alias) });
}

/**
 * The day a submission is placed on: the last day of its period or, when its unit was dissolved
 * before (Thái Bình reports for 2026 on its plan of 2021–2030), the unit's last day, so it stays in
 * the area that took the unit's territory and out of every other.
 */
function submissionDateSql(dataSource: DataSource, alias: string): string {
  const end = periodEndSql(dataSource, `${alias}.period`);
  return `(SELECT CASE WHEN su.valid_to IS NOT NULL AND su.valid_to < ${end} THEN su.valid_to ELSE ${end} END FROM administrative_unit su WHERE su.id = ${alias}.unit_id)`;
}
