import { EntityManager, QueryRunner } from 'typeorm';
import type { RequestContext } from '../request-context';
import { chunk, isMysql } from '../core/sql';
import type { Dimension } from '../indicators/dimension.entity';
import type { Indicator } from '../indicators/indicator.entity';
import { ObservationStatus } from '../indicators/indicator-enums';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import { UnitLevel } from '../tenancy/unit-level';
import { withWriteTransaction } from '../core/write-transaction';
import { Observation } from './observation.entity';
import { breakdownWarnings, CandidateUnit, checkAgainstStored, observationKey, ObservationRow, pickUnit, RowProblem, StoredObservation, validateRows, ValidRow } from './observation-validation';
import { Period, periodEnd, periodStart } from './period';
import { restrictRows } from '../auth/row-kinds';
import type { Placed } from '../auth/access';
import { UnitPlacement } from '../tenancy/unit-placement.entity';
import { maintainRollups, readGroups } from '../statistics/rollup.maintenance';
import { ObservationState } from '../statistics/rollup.contribution';

/** Rows per multi-row INSERT and per IN list. */
export const CHUNK = 500;
export const COLUMNS = ['indicator_id', 'unit_id', 'period', 'sex', 'disaggregation', 'numerator', 'denominator', 'status', 'source', 'version', 'updated_by', 'updated_at'];
const KEY_COLUMNS = ['indicator_id', 'unit_id', 'period', 'sex', 'disaggregation'];
export const REVISION_COLUMNS = ['observation_id', 'old_numerator', 'old_denominator', 'old_status', 'new_numerator', 'new_denominator', 'new_status', 'version', 'changed_by', 'changed_at', 'comment'];

export interface IngestOptions {
  dryRun?: boolean;
  /** A value outside its indicator's plausible range rejects the batch instead of being a warning. */
  strict?: boolean;
  /** Who the revisions name; default the token subject. */
  actor?: string;
  progress?: (line: string) => void;
}

export interface IngestResult {
  applied: boolean;
  accepted: number;
  rejected: number;
  changed: number;
  errors: RowProblem[];
  /** Rows applied (or that would be) with a value outside the indicator's plausible range. */
  warnings: RowProblem[];
}

/** Thrown inside the transaction to roll back when stored state rejects the batch. */
class Rejected extends Error {
  constructor(readonly problems: RowProblem[]) {
    super('batch rejected');
  }
}

/**
 * Validates and writes a batch of observations atomically: every row is checked (catalogue,
 * units through the access layer, write scope, values, duplicates, versions, TOTAL = F + M);
 * one bad row rejects the batch and nothing is written. Unchanged rows are no-ops. Writes use
 * multi-row upserts of CHUNK rows inside one transaction; on MySQL the stored rows are locked
 * (SELECT … FOR UPDATE) and a deadlock retries the transaction.
 */
export async function ingestObservations(ctx: RequestContext, rows: ObservationRow[], options: IngestOptions = {}): Promise<IngestResult> {
  const progress = options.progress ?? (() => undefined);
  const actor = options.actor ?? ctx.access.viewer.subject;
  const indicators = new Map((await ctx.loaders.allIndicators.load('all')).map((i) => [i.code, i]));
  const units = await candidateUnits(ctx, rows.map((r) => String(r.unit ?? '').trim()));
  const inArea = (code: string, period: Period) => {
    const unit = pickUnit(units.byCode.get(code), periodStart(period), periodEnd(period));
    return unit && ctx.access.containsOn(units.placements.get(unit.id) ?? [], periodEnd(period)) ? unit : null;
  };
  const codeLists = await codeListsFor(ctx, rows, indicators);
  const { valid, problems, warnings } = validateRows(rows, indicators, codeLists, inArea, options.strict ?? false);
  progress(`checked ${rows.length} rows: ${problems.length} problems in the rows themselves, ${warnings.length} implausible values`);
  let inconsistent: RowProblem[] = [];
  const result = (applied: boolean, changed: number, errors: RowProblem[]): IngestResult => {
    const sorted = errors.sort((a, b) => a.index - b.index);
    const rejected = new Set(sorted.map((e) => e.index)).size;
    return { applied, accepted: rows.length - rejected, rejected, changed, errors: sorted, warnings: [...warnings, ...inconsistent].sort((a, b) => a.index - b.index) };
  };
  if (problems.length) {
    // Report stored-state problems of the other rows too, so one round trip names every bad row.
    const stored = await readStored(ctx, ctx.dataSource.manager, valid, false);
    return result(false, 0, [...problems, ...checkAgainstStored(valid, stored)]);
  }
  if (!valid.length) return result(false, 0, []);
  const now = new Date().toISOString();
  try {
    const changed = await withWriteTransaction(ctx.dataSource, async (manager) => {
      // Locks the aggregates' groups first, so the rollups change against the latest committed state.
      const groups = options.dryRun ? null : await readGroups(manager, ctx.dataSource, valid);
      const stored = await readStored(ctx, manager, valid, isMysql(ctx.dataSource));
      progress(`read ${stored.size} stored observations`);
      const storedProblems = checkAgainstStored(valid, stored);
      if (storedProblems.length) throw new Rejected(storedProblems);
      // Assigned, not added: a transaction retried after a deadlock computes them again.
      inconsistent = breakdownWarnings(valid, stored, codeLists);
      const changes = planChanges(valid, stored);
      if (options.dryRun || !changes.length) return changes.length;
      await writeChanges(ctx, manager, changes, actor, now, progress);
      if (groups) {
        const rollupRows = await maintainRollups(manager, ctx.dataSource, groups, changes.map(stateAfter));
        progress(`updated ${rollupRows} statistics rollup rows`);
      }
      return changes.length;
    });
    progress(options.dryRun ? `dry run: ${changed} rows would change` : `wrote ${changed} changed rows`);
    return result(!options.dryRun, changed, []);
  } catch (error) {
    if (error instanceof Rejected) return result(false, 0, error.problems);
    throw error;
  }
}

/** The dimensions' code lists, read only when a row gives dimension values or names an indicator that has dimensions (most batches do neither). */
async function codeListsFor(ctx: RequestContext, rows: ObservationRow[], indicators: Map<string, Indicator>): Promise<Map<string, Dimension>> {
  const needed = rows.some((r) => r.dimensions?.length || indicators.get(String(r.indicator ?? '').trim())?.dimensionCodes);
  return needed ? ctx.loaders.dimensions.load('all') : new Map();
}

export interface Change {
  row: ValidRow;
  stored: StoredObservation | null;
  status: ObservationStatus;
  source: string | null;
  version: number;
}

export function stateAfter(c: Change): ObservationState {
  return { unitId: c.row.unitId, indicatorId: c.row.indicator.id, period: c.row.period, sex: c.row.sex, dimensions: c.row.dimensionKey, numerator: c.row.numerator, denominator: c.row.denominator, status: c.status };
}

export function planChanges(valid: ValidRow[], stored: Map<string, StoredObservation>): Change[] {
  const changes: Change[] = [];
  for (const row of valid) {
    const current = stored.get(row.key) ?? null;
    const source = row.source ?? current?.source ?? null;
    if (current && current.numerator === row.numerator && current.denominator === row.denominator && current.source === source && (row.status === null || row.status === current.status)) continue;
    const status = row.status ?? ObservationStatus.DRAFT;
    changes.push({ row, stored: current, status, source, version: (current?.version ?? 0) + 1 });
  }
  return changes;
}

/** The tail of an upsert that applies only over the version read under lock; affected rows prove it did. */
export function versionCheckedUpsert(mysql: boolean): string {
  const assignments = COLUMNS.filter((c) => !KEY_COLUMNS.includes(c));
  return mysql
    ? `ON DUPLICATE KEY UPDATE ${assignments.map((c) => `${c} = IF(version = VALUES(version) - 1, VALUES(${c}), ${c})`).join(', ')}`
    : `ON CONFLICT (${KEY_COLUMNS.join(', ')}) DO UPDATE SET ${assignments.map((c) => `${c} = excluded.${c}`).join(', ')} WHERE observation.version = excluded.version - 1`;
}

/** An observation's values in COLUMNS order. */
export function observationParams(c: Change, actor: string, now: string): unknown[] {
  return [c.row.indicator.id, c.row.unitId, c.row.period, c.row.sex, c.row.dimensionKey, c.row.numerator, c.row.denominator, c.status, c.source, c.version, actor, now];
}

/** A change's revision in REVISION_COLUMNS order. */
export function revisionParams(c: Change, observationId: number | undefined, actor: string, now: string): unknown[] {
  return [observationId, c.stored?.numerator ?? null, c.stored?.denominator ?? null, c.stored?.status ?? null, c.row.numerator, c.row.denominator, c.status, c.version, actor, now, c.row.comment];
}

async function writeChanges(ctx: RequestContext, manager: EntityManager, changes: Change[], actor: string, now: string, progress: (line: string) => void): Promise<void> {
  const mysql = isMysql(ctx.dataSource);
  const upsertTail = versionCheckedUpsert(mysql);
  let done = 0;
  for (const batch of chunk(changes, CHUNK)) {
    const params: unknown[] = [];
    for (const c of batch) params.push(...observationParams(c, actor, now));
    const sql = `INSERT INTO observation (${COLUMNS.join(', ')}) VALUES ${batch.map(() => `(${COLUMNS.map(() => '?').join(', ')})`).join(', ')} ${upsertTail}`;
    const outcome = await (manager.queryRunner as QueryRunner).query(sql, params, true);
    const updates = batch.filter((c) => c.stored).length;
    const expected = mysql ? batch.length + updates : batch.length;
    if (outcome.affected !== undefined && outcome.affected !== expected) {
      throw new Error(`Concurrent change detected while writing observations (${outcome.affected} of ${expected} row changes); nothing was written`);
    }
    done += batch.length;
    if (done % 10_000 === 0 || done === changes.length) progress(`upserted ${done}/${changes.length} observations`);
  }
  const created = changes.filter((c) => !c.stored);
  const ids = new Map<string, number>();
  for (const c of changes) if (c.stored) ids.set(c.row.key, c.stored.id);
  if (created.length) {
    const fresh = await readStored(ctx, manager, created.map((c) => c.row), false);
    for (const [key, s] of fresh) ids.set(key, s.id);
  }
  let revisions = 0;
  for (const batch of chunk(changes, CHUNK)) {
    const params: unknown[] = [];
    for (const c of batch) params.push(...revisionParams(c, ids.get(c.row.key), actor, now));
    await manager.query(`INSERT INTO observation_revision (${REVISION_COLUMNS.join(', ')}) VALUES ${batch.map(() => `(${REVISION_COLUMNS.map(() => '?').join(', ')})`).join(', ')}`, params);
    revisions += batch.length;
    if (revisions % 10_000 === 0 || revisions === changes.length) progress(`recorded ${revisions}/${changes.length} revisions`);
  }
}

/** Stored observations with the keys of `rows`, read with IN lists in chunks (locked on MySQL when `lock`). */
export async function readStored(ctx: RequestContext, manager: EntityManager, rows: Pick<ValidRow, 'key' | 'unitId' | 'indicator' | 'period'>[], lock: boolean): Promise<Map<string, StoredObservation>> {
  const stored = new Map<string, StoredObservation>();
  if (!rows.length) return stored;
  const wanted = new Set(rows.map((r) => r.key));
  // Also read the other sexes of each key: the TOTAL check needs them.
  const groupsWanted = new Set(rows.map((r) => `${r.indicator.id}|${r.unitId}|${r.period}`));
  const indicatorIds = [...new Set(rows.map((r) => r.indicator.id))];
  const periods = [...new Set(rows.map((r) => r.period))];
  for (const unitIds of chunk([...new Set(rows.map((r) => r.unitId))], CHUNK)) {
    const qb = manager
      .createQueryBuilder(Observation, 'o')
      .select(['o.id AS id', 'o.indicator_id AS indicatorId', 'o.unit_id AS unitId', 'o.period AS period', 'o.sex AS sex', 'o.disaggregation AS dimensionKey', 'o.numerator AS numerator', 'o.denominator AS denominator', 'o.status AS status', 'o.source AS source', 'o.version AS version'])
      .where('o.unit_id IN (:...unitIds)', { unitIds })
      .andWhere('o.indicator_id IN (:...indicatorIds)', { indicatorIds })
      .andWhere('o.period IN (:...periods)', { periods });
    restrictRows(ctx, 'observation', qb, 'o');
    if (lock) qb.setLock('pessimistic_write');
    for (const raw of await qb.getRawMany()) {
      const s: StoredObservation = { ...raw, id: Number(raw.id), indicatorId: Number(raw.indicatorId), unitId: Number(raw.unitId), numerator: Number(raw.numerator), denominator: Number(raw.denominator), version: Number(raw.version) };
      const key = observationKey(s.indicatorId, s.unitId, s.period, s.sex, s.dimensionKey);
      if (wanted.has(key) || groupsWanted.has(`${s.indicatorId}|${s.unitId}|${s.period}`)) stored.set(key, s);
    }
  }
  return stored;
}

export interface Candidates {
  byCode: Map<string, CandidateUnit[]>;
  placements: Map<number, Placed[]>;
}

/**
 * Units with the given codes, each marked writable or not, with their placements: whether a row's
 * unit lies in the writer's area is decided on the last day of the row's period (`inArea`).
 */
export async function candidateUnits(ctx: RequestContext, codes: string[]): Promise<Candidates> {
  const byCode = new Map<string, CandidateUnit[]>();
  const placements = new Map<number, Placed[]>();
  for (const batch of chunk([...new Set(codes.filter(Boolean))], CHUNK)) {
    const qb = ctx.dataSource
      .getRepository(AdministrativeUnit)
      .createQueryBuilder('u')
      .select(['u.id AS id', 'u.code AS code', 'u.level AS level', 'u.valid_from AS validFrom', 'u.valid_to AS validTo', 'p.path AS path', 'p.valid_from AS placedFrom', 'p.valid_to AS placedTo'])
      .innerJoin(UnitPlacement, 'p', 'p.unit_id = u.id')
      .where('u.code IN (:...codes)', { codes: batch });
    type Raw = { id: number; code: string; level: UnitLevel; validFrom: string | null; validTo: string | null; path: string; placedFrom: string | null; placedTo: string | null };
    for (const raw of await qb.getRawMany<Raw>()) {
      const id = Number(raw.id);
      if (!placements.has(id)) {
        placements.set(id, []);
        byCode.set(raw.code, [...(byCode.get(raw.code) ?? []), { id, code: raw.code, level: raw.level, validFrom: raw.validFrom, validTo: raw.validTo, writable: ctx.access.canWriteVisible(id) }]);
      }
      placements.get(id)?.push({ path: raw.path, validFrom: raw.placedFrom, validTo: raw.placedTo });
    }
  }
  return { byCode, placements };
}
