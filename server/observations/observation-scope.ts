import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ScopedContext } from '../auth/scope';
import { ObservationStatus } from '../indicators/indicator-enums';

/** The viewer's subtree, and for a STATISTICS_OFFICE approved observations only. Every observation read goes through here. */
export function restrictObservations<T extends ObjectLiteral>(ctx: ScopedContext, qb: SelectQueryBuilder<T>, alias: string): SelectQueryBuilder<T> {
  ctx.access.restrict(qb, `${alias}.unit_id`);
  if (ctx.access.approvedOnly) qb.andWhere(`${alias}.status = :approvedOnly`, { approvedOnly: ObservationStatus.APPROVED });
  return qb;
}
