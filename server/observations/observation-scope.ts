import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ScopedContext } from '../auth/scope';
import { ObservationStatus } from '../indicators/indicator-enums';
import { periodEndSql } from './period-sql';

/** Observations whose unit lay inside the viewer's area on the last day of their period. */
export function restrictToArea<T extends ObjectLiteral>(ctx: ScopedContext, qb: SelectQueryBuilder<T>, alias: string): SelectQueryBuilder<T> {
  return ctx.access.restrict(qb, `${alias}.unit_id`, { onSql: periodEndSql(ctx.dataSource, `${alias}.period`) });
}

/** The viewer's area, and for a STATISTICS_OFFICE approved observations only. Every observation read goes through here. */
export function restrictObservations<T extends ObjectLiteral>(ctx: ScopedContext, qb: SelectQueryBuilder<T>, alias: string): SelectQueryBuilder<T> {
  restrictToArea(ctx, qb, alias);
  if (ctx.access.approvedOnly) qb.andWhere(`${alias}.status = :approvedOnly`, { approvedOnly: ObservationStatus.APPROVED });
  return qb;
}
