import v8 from 'node:v8';
import vm from 'node:vm';
import { EntityManager, QueryRunner } from 'typeorm';
import type { RequestContext } from '../request-context';
import { chunk, isMysql } from '../core/sql';
import { withWriteTransaction } from '../core/write-transaction';
import type { Dimension } from '../indicators/dimension.entity';
import type { Indicator } from '../indicators/indicator.entity';
import type { ObservationStatus, Sex } from '../indicators/indicator-enums';
import { maintainRollups, readGroups, SnapshotRow } from '../statistics/rollup.maintenance';
import { candidateUnits, Candidates, Change, COLUMNS, IngestOptions, IngestResult, observationParams, planChanges, readStored, REVISION_COLUMNS, revisionParams, stateAfter, versionCheckedUpsert } from './observation-writer';
import { breakdownWarnings, checkAgainstStored, observationKey, ObservationRow, pickUnit, RowProblem, StoredObservation, validateRows, ValidRow } from './observation-validation';
import { Period, periodEnd, periodStart } from './period';
import { loadData } from './load-data';
import { SeenKeys } from './seen-keys';

/** Rows of one batch, with the file line each starts on. */
export interface RowBatch {
  rows: ObservationRow[];
  lines: number[];
}

export interface BulkOptions extends IngestOptions {
  /** The most errors (and, separately, warnings) reported; every bad row is still counted. */
  maxProblems?: number;
}

export interface BulkResult {
  result: IngestResult;
  /** The file line of each reported problem's row, by row index. */
  lines: Record<number, number>;
  rows: number;
}

const MAX_PROBLEMS = 1000;
/** Rows per multi-row statement: large statements amortise the round trip, within SQLite's 32,766 parameters. */
const STATEMENT_ROWS = 2000;

/** Ends the transaction without committing: the file had a bad row, or this was a dry run. */
class RollBack extends Error {
  constructor() {
    super('import rolled back');
  }
}

/**
 * Loads batches of rows (a streamed file) in ONE transaction: each batch is checked with the
 * rules of recordObservations against the state the earlier batches left, written with
 * multi-row statements, and its rollup changes applied set-based; a bad row anywhere rolls the
 * whole file back (later batches are still checked, to report every bad row). A dry run does
 * everything and rolls back, so it answers exactly what a real run would. `open` is called again
 * when MySQL retries the transaction after a deadlock.
 */
export async function bulkIngest(ctx: RequestContext, open: () => AsyncIterable<RowBatch>, options: BulkOptions = {}): Promise<BulkResult> {
  let run: ImportRun | null = null;
  try {
    await withWriteTransaction(ctx.dataSource, async (manager) => {
      run = new ImportRun(ctx, manager, options);
      await run.prepare();
      const active = run;
      // Parses and checks the next batch while the database writes this one (a pipeline of two).
      const batches = open()[Symbol.asyncIterator]();
      const checkNext = async () => {
        const read = await batches.next();
        return read.done ? null : active.check(read.value);
      };
      try {
        let next = checkNext();
        for (let current = await next; current; current = await next) {
          next = checkNext();
          // Marked handled: when applying this batch throws, the loop ends without awaiting the next one.
          next.catch(() => undefined);
          await active.apply(current);
        }
      } finally {
        await batches.return?.();
      }
      active.finish();
      if (active.failed || options.dryRun) throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  return (run as unknown as ImportRun).outcome();
}

interface CheckedBatch {
  batch: RowBatch;
  /** Index of its first row in the file. */
  first: number;
  valid: ValidRow[];
  problems: RowProblem[];
  warnings: RowProblem[];
}

/** The state of one pass over the file, inside its transaction. */
class ImportRun {
  private readonly actor: string;
  private readonly now = new Date().toISOString();
  private readonly mysql: boolean;
  private readonly maxProblems: number;
  private readonly started = Date.now();
  private readonly memory = new MemoryBound();
  private indicators = new Map<string, Indicator>();
  private codeLists: Map<string, Dimension> | null = null;
  private units: Candidates = { byCode: new Map(), placements: new Map() };
  /** Every key met so far, so a duplicate across batches is refused as one within a batch. */
  private seen = new SeenKeys();
  /** On MySQL with consecutive auto-increment ids, a multi-row INSERT's ids follow from its first one. */
  private consecutiveIds = false;
  /** Whether LOAD DATA LOCAL may be tried (MySQL); off for the run once the server refuses it. */
  private localInfile = true;
  private rows = 0;
  private rejected = 0;
  private changed = 0;
  private errors: RowProblem[] = [];
  private warnings: RowProblem[] = [];
  private lines: Record<number, number> = {};
  failed = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly manager: EntityManager,
    private readonly options: BulkOptions,
  ) {
    this.actor = options.actor ?? ctx.access.viewer.subject;
    this.mysql = isMysql(ctx.dataSource);
    this.maxProblems = options.maxProblems ?? MAX_PROBLEMS;
  }

  private get runner(): QueryRunner {
    return this.manager.queryRunner as QueryRunner;
  }

  async prepare(): Promise<void> {
    this.indicators = new Map((await this.ctx.loaders.allIndicators.load('all')).map((i) => [i.code, i]));
    if (!this.mysql) return;
    // innodb_autoinc_lock_mode 0 or 1 gives a multi-row INSERT (a "simple insert") consecutive ids; 2 may interleave them.
    const [setting] = await this.manager.query('SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step');
    this.consecutiveIds = Number(setting.mode) <= 1 && Number(setting.step) === 1;
  }

  /** The checks that need no stored state: each row, and duplicates within the file so far. */
  async check(batch: RowBatch): Promise<CheckedBatch> {
    const first = this.rows;
    this.rows += batch.rows.length;
    await this.addUnits(batch.rows);
    const inArea = (code: string, period: Period) => {
      const unit = pickUnit(this.units.byCode.get(code), periodStart(period), periodEnd(period));
      return unit && this.ctx.access.containsOn(this.units.placements.get(unit.id) ?? [], periodEnd(period)) ? unit : null;
    };
    const checked = validateRows(batch.rows, this.indicators, await this.codeListsFor(batch.rows), inArea, this.options.strict ?? false, first);
    const problems = [...checked.problems, ...this.duplicatesOfEarlierBatches(checked.valid)];
    const refused = new Set(problems.map((p) => p.index));
    const valid = checked.valid.filter((row) => !refused.has(row.index));
    return { batch, first, valid, problems, warnings: checked.warnings };
  }

  /** Checks a batch against the stored rows (as earlier batches left them) and writes it, with its rollup changes. */
  async apply({ batch, first, valid, problems, warnings }: CheckedBatch): Promise<void> {
    // Locks the groups the rollups depend on (MySQL) and gives the stored rows the checks need.
    const snapshot = await readGroups(this.manager, this.ctx.dataSource, valid);
    const stored = storedOf(snapshot.groups, valid);
    problems.push(...checkAgainstStored(valid, stored));
    warnings.push(...breakdownWarnings(valid, stored, await this.codeListsFor(batch.rows)));
    this.report(batch, first, problems, warnings);
    if (problems.length) this.failed = true;
    if (this.failed) return this.progress();
    const changes = planChanges(valid, stored);
    if (changes.length) {
      await this.write(changes);
      await maintainRollups(this.manager, this.ctx.dataSource, snapshot, changes.map(stateAfter));
    }
    this.changed += changes.length;
    this.memory.afterBatch(batch.rows.length);
    this.progress();
  }

  finish(): void {
    const elapsed = (Date.now() - this.started) / 1000;
    this.options.progress?.(`checked ${this.rows} rows in ${elapsed.toFixed(1)} s: ${this.rejected} rejected, ${this.changed} to change`);
  }

  outcome(): BulkResult {
    const applied = !this.failed && !this.options.dryRun;
    return {
      result: { applied, accepted: this.rows - this.rejected, rejected: this.rejected, changed: this.failed ? 0 : this.changed, errors: this.errors, warnings: this.warnings },
      lines: this.lines,
      rows: this.rows,
    };
  }

  /** Reads only the unit codes not met in an earlier batch: a file names the same units over and over. */
  private async addUnits(rows: ObservationRow[]): Promise<void> {
    const fresh = [...new Set(rows.map((r) => String(r.unit ?? '').trim()))].filter((code) => code && !this.units.byCode.has(code));
    if (!fresh.length) return;
    const found = await candidateUnits(this.ctx, fresh);
    for (const [code, list] of found.byCode) this.units.byCode.set(code, list);
    for (const [id, list] of found.placements) this.units.placements.set(id, list);
    // A code that names no unit is remembered too, so it is not looked up again.
    for (const code of fresh) if (!found.byCode.has(code)) this.units.byCode.set(code, []);
  }

  /** The dimensions' code lists, read once and only when a row gives dimension values or names an indicator that has dimensions. */
  private async codeListsFor(rows: ObservationRow[]): Promise<Map<string, Dimension>> {
    if (this.codeLists) return this.codeLists;
    if (!rows.some((r) => r.dimensions?.length || this.indicators.get(String(r.indicator ?? '').trim())?.dimensionCodes)) return new Map();
    return (this.codeLists = await this.ctx.loaders.dimensions.load('all'));
  }

  private duplicatesOfEarlierBatches(valid: ValidRow[]): RowProblem[] {
    const problems: RowProblem[] = [];
    for (const row of valid) {
      const first = this.seen.firstOrAdd(row.indicator.id, row.unitId, row.period, row.sex, row.dimensionKey, row.index);
      if (first >= 0) problems.push({ index: row.index, field: null, code: 'BAD_USER_INPUT', message: `Same observation as row ${first} (indicator, unit, period, sex, dimensions)` });
    }
    return problems;
  }

  /** Keeps the first problems and warnings (with their lines) and counts every rejected row. */
  private report(batch: RowBatch, first: number, problems: RowProblem[], warnings: RowProblem[]): void {
    this.rejected += new Set(problems.map((p) => p.index)).size;
    const keep = (into: RowProblem[], list: RowProblem[]) => {
      for (const p of list.sort((a, b) => a.index - b.index)) {
        if (into.length >= this.maxProblems) return;
        into.push(p);
        this.lines[p.index] = batch.lines[p.index - first];
      }
    };
    keep(this.errors, problems);
    keep(this.warnings, warnings);
  }

  private progress(): void {
    const seconds = (Date.now() - this.started) / 1000;
    const rss = Math.round(process.memoryUsage.rss() / 2 ** 20);
    this.options.progress?.(`${this.rows} rows ${this.failed ? 'checked' : 'loaded'}, ${Math.round(this.rows / Math.max(seconds, 0.001))} rows/s, RSS ${rss} MB`);
  }

  /**
   * New rows go in with plain multi-row INSERTs (no per-row version test), stored ones with the
   * version-checked upsert; then one revision per change. The new rows' ids come from the
   * INSERT itself on MySQL (consecutive ids), otherwise from reading them back.
   */
  private async write(changes: Change[]): Promise<void> {
    const ids = new Map<Change, number>();
    const created = changes.filter((c) => !c.stored);
    await this.insert('observation', COLUMNS, created.map((c) => observationParams(c, this.actor, this.now)), (i, id) => ids.set(created[i], id));
    if (created.length && !this.consecutiveIds) {
      const fresh = await readStored(this.ctx, this.manager, created.map((c) => c.row), false);
      for (const c of created) ids.set(c, (fresh.get(c.row.key) as StoredObservation).id);
    }
    const updated = changes.filter((c) => c.stored);
    for (const part of chunk(updated, STATEMENT_ROWS)) {
      const outcome = await this.runner.query(`INSERT INTO observation (${COLUMNS.join(', ')}) VALUES ${rowsSql(part.length, COLUMNS.length)} ${versionCheckedUpsert(this.mysql)}`, part.flatMap((c) => observationParams(c, this.actor, this.now)), true);
      const expected = this.mysql ? 2 * part.length : part.length;
      if (outcome.affected !== undefined && outcome.affected !== expected) throw new Error(`Concurrent change detected while importing observations (${outcome.affected} of ${expected} row changes); nothing was loaded`);
      for (const c of part) ids.set(c, (c.stored as StoredObservation).id);
    }
    await this.insert('observation_revision', REVISION_COLUMNS, changes.map((c) => revisionParams(c, ids.get(c), this.actor, this.now)), () => undefined);
  }

  /**
   * Inserts new rows: on MySQL with one LOAD DATA LOCAL while the server allows it, else with
   * multi-row INSERTs. `idOf(i, id)` learns row i's id when the ids are consecutive.
   */
  private async insert(table: string, columns: readonly string[], rows: unknown[][], idOf: (index: number, id: number) => void): Promise<void> {
    if (!rows.length) return;
    if (this.mysql && this.localInfile) {
      const loaded = await loadData(this.runner, table, columns, rows);
      if (loaded) {
        if (this.consecutiveIds) rows.forEach((_, i) => idOf(i, loaded.firstId + i));
        return;
      }
      this.localInfile = false;
    }
    for (let from = 0; from < rows.length; from += STATEMENT_ROWS) {
      const part = rows.slice(from, from + STATEMENT_ROWS);
      const outcome = await this.runner.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rowsSql(part.length, columns.length)}`, part.flat(), true);
      const firstId = Number((outcome.raw as { insertId?: number }).insertId);
      if (this.consecutiveIds) part.forEach((_, i) => idOf(from + i, firstId + i));
    }
  }
}

/**
 * V8 sizes its heap for throughput and lets a long import's garbage (each batch's rows, SQL text
 * and driver buffers) pile up to gigabytes before a full collection, though the live data stay
 * about one batch. A full collection therefore runs whenever resident memory has grown more than
 * a margin (a few KiB a batch row, at least 32 MiB) over what it was before the first batch, so
 * the peak follows the batch size, not the file. The collector is reached through the documented
 * --expose-gc flag set at run time: a command typed as `npm run import` cannot pass node flags.
 */
let collector: (() => void) | null = null;
function collectGarbage(): void {
  if (!collector) {
    v8.setFlagsFromString('--expose-gc');
    collector = vm.runInNewContext('gc') as () => void;
  }
  collector();
}

const MARGIN_PER_ROW = 6 * 1024;
const MIN_MARGIN = 32 * 2 ** 20;

class MemoryBound {
  private readonly base = process.memoryUsage.rss();
  private margin = MIN_MARGIN;

  afterBatch(rows: number): void {
    this.margin = Math.max(this.margin, rows * MARGIN_PER_ROW);
    if (process.memoryUsage.rss() > this.base + this.margin) collectGarbage();
  }
}

const rowsSql = (rows: number, columns: number) => {
  const one = `(${new Array(columns).fill('?').join(', ')})`;
  return new Array(rows).fill(one).join(', ');
};

/** The stored observations the checks need: each row's own, and the other sexes of its key (the TOTAL check). */
function storedOf(groups: Map<string, SnapshotRow[]>, valid: ValidRow[]): Map<string, StoredObservation> {
  const stored = new Map<string, StoredObservation>();
  // Every sex and every cell of the rows' indicator × unit × period: the TOTAL and breakdown checks read them.
  const wanted = new Set(valid.map((r) => `${r.indicator.id}|${r.unitId}|${r.period}`));
  for (const list of groups.values()) {
    for (const s of list) {
      if (!wanted.has(`${s.indicatorId}|${s.unitId}|${s.period}`)) continue;
      stored.set(observationKey(s.indicatorId, s.unitId, s.period, s.sex, s.dimensions), { id: s.id, indicatorId: s.indicatorId, unitId: s.unitId, period: s.period, sex: s.sex as Sex, dimensionKey: s.dimensions, numerator: s.numerator, denominator: s.denominator, status: s.status as ObservationStatus, source: s.source, version: s.version });
    }
  }
  return stored;
}
