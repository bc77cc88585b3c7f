import v8 from 'node:v8';
import vm from 'node:vm';
import { EntityManager, QueryRunner } from 'typeorm';
import type { RequestContext } from '../request-context';
import { chunk, isMysql } from '../core/sql';
import { withWriteTransaction } from '../core/write-transaction';
import type { Dimension } from '../indicators/dimension.entity';
import type { Indicator } from '../indicators/indicator.entity';
import type { ObservationStatus, Sex } from '../indicators/indicator-enums';
import { addRollupChanges, GroupSnapshot, groupKey, lockIndicatorsGroups, presentKey, readGroups, SnapshotRow } from '../statistics/rollup.maintenance';
import type { EntryUnitPlace } from '../statistics/rollup.hierarchy';
import { applyRollupChanges, Rollups } from '../statistics/rollup.store';
import { candidateUnits, Candidates, Change, COLUMNS, IngestOptions, IngestResult, observationParams, planChanges, readStored, REVISION_COLUMNS, revisionParams, stateAfter, versionCheckedUpsert } from './observation-writer';
import { breakdownWarnings, checkAgainstStored, observationKey, ObservationRow, pickUnit, RowProblem, StoredObservation, validateRows, ValidRow } from './observation-validation';
import { Period, periodEnd, periodStart } from './period';
import { loadData, TsvRows, tsvField } from './load-data';
import { SeenKeys } from './seen-keys';

/** Rows of one batch, with the file line each starts on. */
export interface RowBatch {
  rows: ObservationRow[];
  lines: number[];
}

export interface BulkOptions extends IngestOptions {
  /** Rows written together (LOAD DATA or statements); default 20,000. Memory grows with it. */
  writeRows?: number;
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
export const DEFAULT_WRITE_ROWS = 20_000;
/** Rows checked at a time: short stretches of work between the database's requests. */
export const SLICE_ROWS = 2_500;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
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
 * rules of recordObservations against the state the earlier batches left and written with
 * LOAD DATA (MySQL) or multi-row statements; the rollup changes of all batches are summed in
 * memory (bounded by the rollup rows, not the file) and written once at the end. A bad row
 * anywhere rolls the whole file back (later batches are still checked, to report every bad row).
 * A dry run does everything and rolls back, so it answers exactly what a real run would. `open`
 * is called again when MySQL retries the transaction after a deadlock.
 */
export async function bulkIngest(ctx: RequestContext, open: () => AsyncIterable<RowBatch>, options: BulkOptions = {}): Promise<BulkResult> {
  let run: ImportRun | null = null;
  try {
    await withWriteTransaction(ctx.dataSource, async (manager) => {
      const active = (run = new ImportRun(ctx, manager, options));
      await active.begin();
      try {
        await active.load(open());
      } catch (error) {
        // The first failure is the one to report (and to retry after a deadlock), not a broken connection's.
        await active.end().catch(() => undefined);
        throw error;
      }
      await active.end();
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

/** A batch's changes, ready to write: with LOAD DATA, as text built while the previous batch was written. */
interface PlannedBatch {
  /** The stored rows to update; with text, the only rows the batch still holds. */
  updated: Change[];
  /** Every change, when there is no text. */
  changes: Change[] | null;
  observations: TsvRows | null;
  revisions: TsvRows | null;
}

/** The state of one pass over the file, inside its transaction. */
class ImportRun {
  private readonly actor: string;
  private readonly now = new Date().toISOString();
  private readonly mysql: boolean;
  private readonly maxProblems: number;
  private readonly writeRows: number;
  private readonly started = Date.now();
  private readonly memory: MemoryBound;
  private indicators = new Map<string, Indicator>();
  private codeLists: Map<string, Dimension> | null = null;
  private units: Candidates = { byCode: new Map(), placements: new Map() };
  /** Every key met so far, so a duplicate across batches is refused as one within a batch. */
  private seen = new SeenKeys();
  /** On MySQL with consecutive auto-increment ids, a multi-row INSERT's ids follow from its first one. */
  private consecutiveIds = false;
  /** MySQL with consecutive ids and LOCAL INFILE allowed: batches are written as LOAD DATA text. */
  private loadText = false;
  private rows = 0;
  private rejected = 0;
  private changed = 0;
  private errors: RowProblem[] = [];
  private warnings: RowProblem[] = [];
  private lines: Record<number, number> = {};
  /** Per indicator met so far (locked), the groups (unit, year) that hold rows: any other is empty. */
  private present = new Map<number, Set<number>>();
  /** The file's changes to the rollups, written once at the end: a batch's snapshot includes the earlier batches' rows. */
  private rollups: Rollups = new Map();
  private places = new Map<number, EntryUnitPlace>();
  /** Slices planned and not yet sent, their rows and new observations; the write under way. */
  private pending: PlannedBatch[] = [];
  private pendingRows = 0;
  private pendingCreated = 0;
  private writing: Promise<void> = Promise.resolve();
  failed = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly manager: EntityManager,
    private readonly options: BulkOptions,
  ) {
    this.actor = options.actor ?? ctx.access.viewer.subject;
    this.mysql = isMysql(ctx.dataSource);
    this.maxProblems = options.maxProblems ?? MAX_PROBLEMS;
    this.writeRows = options.writeRows ?? DEFAULT_WRITE_ROWS;
    this.memory = new MemoryBound(this.writeRows);
  }

  private get runner(): QueryRunner {
    return this.manager.queryRunner as QueryRunner;
  }

  async begin(): Promise<void> {
    this.indicators = new Map((await this.ctx.loaders.allIndicators.load('all')).map((i) => [i.code, i]));
    if (!this.mysql) return;
    // innodb_autoinc_lock_mode 0 or 1 gives a multi-row INSERT (a "simple insert") consecutive ids; 2 may interleave them.
    const [setting] = await this.manager.query('SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step, @@local_infile AS localInfile');
    this.consecutiveIds = Number(setting.mode) <= 1 && Number(setting.step) === 1;
    this.loadText = this.consecutiveIds && Number(setting.localInfile) === 1;
    // Every indicator and unit id written was read by this import, and no code deletes either: the
    // server's per-row foreign-key lookups (a sixth of its work here) would find them all.
    await this.manager.query('SET SESSION foreign_key_checks = 0');
  }

  /** Gives the connection back as the pool expects it. */
  async end(): Promise<void> {
    if (this.mysql) await this.manager.query('SET SESSION foreign_key_checks = 1');
  }

  /**
   * Checks and plans the file slice by slice while the database writes the batch before; the
   * slices' writes go out together once they reach a batch (`writeRows`), and the rollups last.
   * Small slices keep each stretch of checking short, so this process answers the database's
   * requests (LOAD DATA asks for its rows, then reports) without delay; large writes keep those
   * requests few.
   */
  async load(slices: AsyncIterable<RowBatch>): Promise<void> {
    for await (const slice of slices) {
      const planned = await this.plan(await this.check(slice));
      if (planned) this.pending.push(planned);
      this.pendingRows += slice.rows.length;
      if (this.pendingRows >= this.writeRows) await this.flush();
    }
    await this.written();
    await this.finish();
  }

  /** Starts writing the planned slices, once the write before has ended. */
  private async flush(): Promise<void> {
    this.memory.collectIfGrown();
    // One write at a time: memory holds the batch being written and the one being planned.
    await this.writing;
    // After a bad row nothing more is written: the transaction will roll back.
    const batches = this.failed ? [] : this.pending;
    const rows = this.pendingRows;
    this.pending = [];
    this.pendingRows = 0;
    this.pendingCreated = 0;
    this.writing = this.write(batches, rows);
    // Marked handled: when this write fails, the loop may end before awaiting it.
    this.writing.catch(() => undefined);
  }

  /** Once every slice planned so far is written. */
  private async written(): Promise<void> {
    await this.flush();
    await this.writing;
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
    await turn();
    const checked = validateRows(batch.rows, this.indicators, await this.codeListsFor(batch.rows), inArea, this.options.strict ?? false, first);
    const problems = [...checked.problems, ...this.duplicatesOfEarlierBatches(checked.valid)];
    const refused = new Set(problems.map((p) => p.index));
    const valid = checked.valid.filter((row) => !refused.has(row.index));
    return { batch, first, valid, problems, warnings: checked.warnings };
  }

  /**
   * Checks a batch against the stored rows (as earlier batches left them), adds its rollup
   * changes to the file's and prepares its writes. Null when nothing is to be written.
   */
  private async plan({ batch, first, valid, problems, warnings }: CheckedBatch): Promise<PlannedBatch | null> {
    await turn();
    const snapshot = await this.snapshot(valid);
    const stored = storedOf(snapshot.groups, valid);
    problems.push(...checkAgainstStored(valid, stored));
    warnings.push(...breakdownWarnings(valid, stored, await this.codeListsFor(batch.rows)));
    this.report(batch, first, problems, warnings);
    if (problems.length) this.failed = true;
    if (this.failed) return null;
    await turn();
    const changes = planChanges(valid, stored);
    this.changed += changes.length;
    if (!changes.length) return null;
    // Places are reference data: read beside the transaction, not queued behind its writes.
    await turn();
    await addRollupChanges(this.rollups, this.ctx.dataSource.manager, snapshot, changes.map(stateAfter), this.places);
    for (const c of changes) this.present.get(c.row.indicator.id)?.add(presentKey(c.row.unitId, c.row.period));
    await turn();
    const updated = changes.filter((c) => c.stored);
    if (!this.loadText) return { updated, changes, observations: null, revisions: null };
    return { updated, changes: null, observations: this.observationLines(changes), revisions: this.revisionLines(changes) };
  }

  /**
   * The stored rows of the batch's groups, as the rollups and the checks need them: read only for
   * groups that hold rows, once every earlier slice is written. An indicator met for the first
   * time is locked whole first (MySQL).
   */
  private async snapshot(valid: ValidRow[]): Promise<GroupSnapshot> {
    const fresh = [...new Set(valid.map((r) => r.indicator.id))].filter((id) => !this.present.has(id));
    const held = (r: ValidRow) => this.present.get(r.indicator.id)?.has(presentKey(r.unitId, r.period)) ?? false;
    if (fresh.length || valid.some(held)) await this.written();
    for (const [id, groups] of await lockIndicatorsGroups(this.manager, this.ctx.dataSource, fresh)) this.present.set(id, groups);
    const snapshot = await readGroups(this.manager, this.ctx.dataSource, valid.filter(held));
    for (const r of valid) {
      snapshot.indicators.set(r.indicator.id, r.indicator);
      const key = groupKey(r.indicator.id, r.unitId, r.period);
      if (!snapshot.groups.has(key)) snapshot.groups.set(key, []);
    }
    return snapshot;
  }

  private async write(batches: PlannedBatch[], rows: number): Promise<void> {
    if (batches.length) await this.writeChanges(batches);
    // A flush before a locking read may find nothing planned: no progress to report then.
    if (rows) this.progress();
  }

  /** Writes the file's rollup changes, unless a bad row will roll everything back. */
  private async finish(): Promise<void> {
    if (!this.failed && this.rollups.size) {
      const rows = await applyRollupChanges(this.manager, this.ctx.dataSource, this.rollups);
      this.options.progress?.(`updated ${rows} statistics rollup rows`);
    }
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
   * Stored rows are updated with the version-checked upsert; new rows go in with LOAD DATA when
   * the batch was planned as text (their revisions learn the ids from the first one), otherwise
   * with multi-row INSERTs. Then one revision per change.
   */
  private async writeChanges(batches: PlannedBatch[]): Promise<void> {
    await this.updateStored(batches.flatMap((b) => b.updated));
    if (!this.loadText) return this.insertByStatements(batches.flatMap((b) => b.changes as Change[]));
    const observations = TsvRows.concat(batches.map((b) => b.observations as TsvRows));
    const revisions = TsvRows.concat(batches.map((b) => b.revisions as TsvRows));
    // Queued together: the driver sends the second as soon as the first's answer arrives, not
    // after a round of this code; and the ids need no query of their own, because during the
    // revisions' statement LAST_INSERT_ID() is still the first new observation's id.
    await Promise.all([observations.count ? loadData(this.runner, 'observation', observations) : null, loadData(this.runner, 'observation_revision', revisions, 'observation_id = IFNULL(@stored_id, LAST_INSERT_ID() + @created)')]);
  }

  private async updateStored(updated: Change[]): Promise<void> {
    for (const part of chunk(updated, STATEMENT_ROWS)) {
      const outcome = await this.runner.query(`INSERT INTO observation (${COLUMNS.join(', ')}) VALUES ${rowsSql(part.length, COLUMNS.length)} ${versionCheckedUpsert(this.mysql)}`, part.flatMap((c) => observationParams(c, this.actor, this.now)), true);
      const expected = this.mysql ? 2 * part.length : part.length;
      if (outcome.affected !== undefined && outcome.affected !== expected) throw new Error(`Concurrent change detected while importing observations (${outcome.affected} of ${expected} row changes); nothing was loaded`);
    }
  }

  /** New rows and every revision with multi-row INSERTs: SQLite, or a server without LOCAL INFILE. */
  private async insertByStatements(changes: Change[]): Promise<void> {
    const ids = new Map<Change, number>();
    for (const c of changes) if (c.stored) ids.set(c, c.stored.id);
    const created = changes.filter((c) => !c.stored);
    await this.insert('observation', COLUMNS, created.map((c) => observationParams(c, this.actor, this.now)), (i, id) => ids.set(created[i], id));
    if (created.length && !this.consecutiveIds) {
      const fresh = await readStored(this.ctx, this.manager, created.map((c) => c.row), false);
      for (const c of created) ids.set(c, (fresh.get(c.row.key) as StoredObservation).id);
    }
    await this.insert('observation_revision', REVISION_COLUMNS, changes.map((c) => revisionParams(c, ids.get(c), this.actor, this.now)), () => undefined);
  }

  /** `idOf(i, id)` learns row i's id when the ids are consecutive. */
  private async insert(table: string, columns: readonly string[], rows: unknown[][], idOf: (index: number, id: number) => void): Promise<void> {
    for (let from = 0; from < rows.length; from += STATEMENT_ROWS) {
      const part = rows.slice(from, from + STATEMENT_ROWS);
      const outcome = await this.runner.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rowsSql(part.length, columns.length)}`, part.flat(), true);
      const firstId = Number((outcome.raw as { insertId?: number }).insertId);
      if (this.consecutiveIds) part.forEach((_, i) => idOf(from + i, firstId + i));
    }
  }

  /** The new rows as LOAD DATA text, in COLUMNS order (observationParams as text, without an array a row). */
  private observationLines(changes: Change[]): TsvRows {
    const tail = `${tsvField(this.actor)}\t${this.now}`;
    const lines: string[] = [];
    for (const c of changes) {
      if (c.stored) continue;
      const r = c.row;
      lines.push(`${r.indicator.id}\t${r.unitId}\t${tsvField(r.period)}\t${r.sex}\t${tsvField(r.dimensionKey)}\t${r.numerator}\t${r.denominator}\t${c.status}\t${tsvField(c.source)}\t${c.version}\t${tail}`);
    }
    return TsvRows.of(lines, COLUMNS);
  }

  /**
   * One revision per change: a new row names its place among the new rows of the write it goes
   * out with (@created, turned into its id once they are loaded), a stored one its id (@stored_id).
   */
  private revisionLines(changes: Change[]): TsvRows {
    const tail = `${tsvField(this.actor)}\t${this.now}`;
    const lines: string[] = [];
    for (const c of changes) {
      const r = c.row;
      const ids = c.stored ? `\\N\t${c.stored.id}` : `${this.pendingCreated++}\t\\N`;
      const old = c.stored ? `${c.stored.numerator}\t${c.stored.denominator}\t${c.stored.status}` : '\\N\t\\N\t\\N';
      lines.push(`${ids}\t${old}\t${r.numerator}\t${r.denominator}\t${c.status}\t${c.version}\t${tail}\t${tsvField(r.comment)}`);
    }
    return TsvRows.of(lines, ['@created', '@stored_id', ...REVISION_COLUMNS.filter((c) => c !== 'observation_id')]);
  }
}

/**
 * V8 sizes its heap for throughput and lets a long import's garbage (each batch's rows, SQL text
 * and driver buffers) pile up to gigabytes before a full collection, though the live data stay
 * about one batch. A full collection therefore runs, while the database writes a batch, whenever
 * the heap and buffers in use have grown more than a margin (a few KiB a batch row, at least
 * 16 MiB) over what the last collection kept, so the peak follows the batch size, not the file.
 * (Measured against the last collection, not the start: resident memory does not shrink after
 * one, and a fixed line had every later batch collect.) The collector is reached through the documented
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

const MARGIN_PER_ROW = 3 * 1024;
const MIN_MARGIN = 16 * 2 ** 20;
/** The heap and buffers in use (the rows' text waiting to be sent lives outside the heap). */
const inUse = () => {
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.external;
};

class MemoryBound {
  /** In use after the last full collection: what the import keeps (the seen keys, the rollups, the batch being written). */
  private kept = inUse();
  private readonly margin: number;

  constructor(batchRows: number) {
    this.margin = Math.max(MIN_MARGIN, batchRows * MARGIN_PER_ROW);
  }

  collectIfGrown(): void {
    if (inUse() <= this.kept + this.margin) return;
    collectGarbage();
    this.kept = inUse();
  }
}

const rowsSql = (rows: number, columns: number) => {
  const one = `(${new Array(columns).fill('?').join(', ')})`;
  return new Array(rows).fill(one).join(', ');
};

/** The stored observations the checks need: each row's own, and the other sexes of its key (the TOTAL check). */
function storedOf(groups: Map<string, SnapshotRow[]>, valid: ValidRow[]): Map<string, StoredObservation> {
  const stored = new Map<string, StoredObservation>();
  // A new indicator's import reads no stored row at all.
  if (![...groups.values()].some((list) => list.length)) return stored;
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
