import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { periodEndSql } from '../core/period-sql';
import { uniqueParam } from '../core/sql';
import { dateWithinValidity, type AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import type { ScopedContext } from './scope';

/**
 * The one access rule (SPEC §3): a row belongs to the unit that held its place on the row's day.
 * Each kind of tenant row says here which unit owns it and which day it is placed on; every read
 * of a tenant table restricts through `restrictRows`, and every write checks the same day with
 * `AccessScope.assertCanWriteAt`. test/e2e/tenant-reads.e2e.test.ts fails when a statement reads a
 * tenant table another way, test/e2e/node-visibility.e2e.test.ts when a Node type has no kind here.
 */
export type RowKindName = 'plan' | 'planPart' | 'agency' | 'submission' | 'observation' | 'observationRevision' | 'auditEntry';

interface OwnedKind {
  /** The tables of this kind, and the GraphQL types that show its rows. */
  tables: readonly string[];
  types: readonly string[];
  /** The rule in words, for readers of the code (README, "Access", says the same). */
  rule: string;
  unitColumn: string;
  /** The row's day (YYYY-MM-DD) as SQL over the row's alias. */
  daySql(sql: DaySql, alias: string): string;
  /** For a STATISTICS_OFFICE: the condition of a row it may read. */
  approvedOnlySql?(alias: string): string;
}

interface DerivedKind {
  tables: readonly string[];
  types: readonly string[];
  rule: string;
  /** The row follows a row of another kind: the row's `foreignKey` names it. */
  follows: RowKindName;
  foreignKey: string;
  approvedOnlySql?(alias: string): string;
}

export type RowKind = OwnedKind | DerivedKind;

/** What a day rule may use: the database's dialect and the request's date as a parameter. */
export interface DaySql {
  dataSource: DataSource;
  /** `:name` of a parameter holding the request's date. */
  today: string;
}

/**
 * A day moved into the lifetime of the row's unit: a plan drafted today for a unit dissolved in
 * 2025 is placed on the unit's last day, so it stays with the units that took its territory (twin of dateWithinValidity).
 */
function withinUnitLifeSql(unitColumn: string, day: string): string {
  return (
    `(SELECT CASE WHEN lu.valid_to IS NOT NULL AND lu.valid_to < ${day} THEN lu.valid_to` +
    ` WHEN lu.valid_from IS NOT NULL AND lu.valid_from > ${day} THEN lu.valid_from ELSE ${day} END` +
    ` FROM administrative_unit lu WHERE lu.id = ${unitColumn})`
  );
}

/** A plan by its issue date; a draft (or a plan without one) by its creation. */
export function planDay(plan: { status: string; issuedOn: string | null; createdAt: string }, unit: AdministrativeUnit): string {
  return dateWithinValidity(unit, plan.status === 'DRAFT' || !plan.issuedOn ? plan.createdAt.slice(0, 10) : plan.issuedOn);
}

/** An agency by its creation (agencies from before creation dates were kept: today). */
export function agencyDay(agency: { createdAt: string | null }, unit: AdministrativeUnit, today: string): string {
  return dateWithinValidity(unit, agency.createdAt?.slice(0, 10) ?? today);
}

/** A submission by the last day of the period it reports on. */
export function submissionDay(periodEnd: string, unit: AdministrativeUnit): string {
  return dateWithinValidity(unit, periodEnd);
}

export const ROW_KINDS: Readonly<Record<RowKindName, RowKind>> = {
  plan: {
    tables: ['plan'],
    types: ['Plan'],
    rule: 'its issue date; while a draft (or without one) its creation date; within its unit’s lifetime',
    unitColumn: 'unit_id',
    daySql: (_, a) => withinUnitLifeSql(`${a}.unit_id`, `(CASE WHEN ${a}.status = 'DRAFT' OR ${a}.issued_on IS NULL THEN SUBSTR(${a}.created_at, 1, 10) ELSE ${a}.issued_on END)`),
  },
  planPart: {
    tables: ['objective', 'target', 'task', 'responsibility', 'reporting_obligation', 'plan_revision'],
    types: ['Objective', 'Target', 'Task', 'Responsibility', 'ReportingObligation', 'PlanRevision'],
    rule: 'its plan’s',
    follows: 'plan',
    foreignKey: 'plan_id',
  },
  agency: {
    tables: ['agency'],
    types: ['Agency'],
    rule: 'its creation date (today for agencies older than the column); within its unit’s lifetime',
    unitColumn: 'unit_id',
    daySql: (sql, a) => withinUnitLifeSql(`${a}.unit_id`, `COALESCE(SUBSTR(${a}.created_at, 1, 10), ${sql.today})`),
  },
  submission: {
    tables: ['submission'],
    types: ['Submission'],
    rule: 'the last day of the period it reports on; within its unit’s lifetime',
    unitColumn: 'unit_id',
    daySql: (sql, a) => withinUnitLifeSql(`${a}.unit_id`, periodEndSql(sql.dataSource, `${a}.period`)),
  },
  observation: {
    tables: ['observation'],
    types: ['Observation'],
    rule: 'the last day of its period; a STATISTICS_OFFICE reads approved ones only',
    unitColumn: 'unit_id',
    daySql: (sql, a) => periodEndSql(sql.dataSource, `${a}.period`),
    approvedOnlySql: (a) => `${a}.status = 'APPROVED'`,
  },
  observationRevision: {
    tables: ['observation_revision'],
    types: ['ObservationRevision'],
    rule: 'its observation’s; a STATISTICS_OFFICE reads revisions that approved a value only',
    follows: 'observation',
    foreignKey: 'observation_id',
    approvedOnlySql: (a) => `${a}.new_status = 'APPROVED'`,
  },
  auditEntry: {
    tables: ['audit_entry'],
    types: [],
    rule: 'the day of the write it records',
    unitColumn: 'unit_id',
    daySql: (_, a) => `SUBSTR(${a}.recorded_at, 1, 10)`,
  },
};

/**
 * Limits `qb` (rows of `kind` under `alias`) to those the viewer may read: the row's unit lay in
 * the viewer's area on the row's day, and the role's approval rule holds.
 */
export function restrictRows<T extends ObjectLiteral>(ctx: ScopedContext, kind: RowKindName, qb: SelectQueryBuilder<T>, alias: string): SelectQueryBuilder<T> {
  const row = ROW_KINDS[kind];
  if (row.approvedOnlySql && ctx.access.approvedOnly) qb.andWhere(row.approvedOnlySql(alias));
  // A national viewer reads every row; only the approval rule of a parent could still apply.
  if (ctx.access.unrestricted && !ctx.access.approvedOnly) return qb;
  if ('follows' in row) {
    const parentAlias = `${alias}_of`;
    const parent = ctx.dataSource.createQueryBuilder().select('1').from(ROW_KINDS[row.follows].tables[0], parentAlias).where(`${parentAlias}.id = ${alias}.${row.foreignKey}`);
    restrictRows(ctx, row.follows, parent, parentAlias);
    return qb.andWhere(`EXISTS (${parent.getQuery()})`, parent.getParameters());
  }
  const today = uniqueParam('today');
  qb.setParameter(today, ctx.today);
  return ctx.access.restrict(qb, `${alias}.${row.unitColumn}`, { onSql: row.daySql({ dataSource: ctx.dataSource, today: `:${today}` }, alias) });
}

/** The day SQL of a row of an owned kind (a filter that must agree with the access rule: a plan under a unit on the plan's day). */
export function rowDaySql<T extends ObjectLiteral>(ctx: ScopedContext, kind: 'plan' | 'agency' | 'submission' | 'observation', qb: SelectQueryBuilder<T>, alias: string): string {
  const row = ROW_KINDS[kind] as OwnedKind;
  const today = uniqueParam('today');
  qb.setParameter(today, ctx.today);
  return row.daySql({ dataSource: ctx.dataSource, today: `:${today}` }, alias);
}

/** The kind of the rows a GraphQL type shows, or null for types that are not tenant rows (units, indicators). */
export function rowKindOfType(type: string): RowKindName | null {
  const found = (Object.entries(ROW_KINDS) as [RowKindName, RowKind][]).find(([, kind]) => kind.types.includes(type));
  return found ? found[0] : null;
}
