import 'reflect-metadata';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { signToken } from '../server/auth/jwt';
import { Role } from '../server/auth/role';
import { PROJECT_ROOT } from '../server/core/config';
import { createDataSource } from '../server/data-source';
import { migrate, prepareStatistics, seed } from '../server/setup/database-setup';
import { recomputeRollups } from '../server/statistics/rollup.rebuild';
import { readRollupTable, rollupDifferences } from '../server/statistics/rollup.store';
import { writeCsv } from './import-runs';
import { codeVersion, describeMachine } from './machine';

/**
 * Issue 24's faults of the embedded database, against the built server (`node dist/server/main.js`,
 * NODE_ENV=production) as a child process: the disk filling up under writes, and `npm run import`
 * beside a server that takes writes on the same SQLite file. Each case checks the database
 * afterwards: every write answered `applied: true` is there, and the rollups equal a
 * recomputation. test/e2e/durability.e2e.test.ts runs the same cases with smaller numbers.
 */

export const DURABILITY_CASES = ['disk', 'sqlite-import'] as const;
export type DurabilityCase = (typeof DURABILITY_CASES)[number];

const SECRET = 'bench-durability-secret';
const RECORD = 'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied accepted } }';
/** A read of the rollups (the database, not a cache: each request's text differs by a numbered comment). */
const STATISTICS = '{ statistics(indicator: "FEMALE_KEY_LEADER", area: "20", periods: ["2026"], breakdown: CHILDREN) { rows { unit { code } total { value } } } }';
const RUN = Date.now().toString(36);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- the server and its clients

export interface Outcome {
  status: number;
  code: string | null;
  applied: boolean;
  retryAfter: boolean;
  /** The probe's `status` field (/readyz). */
  reason: string | null;
}

async function request(url: string, init: RequestInit = {}): Promise<Outcome> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
    const text = await response.text();
    let body: { status?: string; data?: { recordObservations?: { applied?: boolean } }; errors?: { extensions?: { code?: string } }[] } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // counted by its status
    }
    return { status: response.status, code: body.errors?.[0]?.extensions?.code ?? null, applied: body.data?.recordObservations?.applied === true, retryAfter: Number(response.headers.get('retry-after')) > 0, reason: body.status ?? null };
  } catch (error) {
    return { status: 0, code: (error as Error).name, applied: false, retryAfter: false, reason: null };
  }
}

/** "503 DATABASE_FULL: 93, 200: 7" */
export function tally(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const key = o.status === 200 ? (o.code ? `200 with ${o.code}` : o.reason ? `200 ${o.reason}` : '200') : `${o.status || 'no answer'}${o.code ? ` ${o.code}` : o.reason ? ` ${o.reason}` : ''}${o.status === 503 && !o.retryAfter ? ' (no Retry-After!)' : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ') || 'none';
}

interface Hub {
  url: string;
  /** SIGKILL, so nothing but what was committed survives. */
  kill(): Promise<void>;
}

async function startHub(databaseUrl: string): Promise<Hub> {
  const env = { ...process.env, NODE_ENV: 'production', DATABASE_URL: databaseUrl, JWT_SECRET: SECRET, PORT: '0', LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '1000000000' };
  const child: ChildProcess = spawn(process.execPath, [path.join(PROJECT_ROOT, 'dist', 'server', 'main.js')], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not listen within 120 s: ${output}`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then(() => reject(new Error(`the server exited: ${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

interface SentWrite {
  comment: string;
  outcome: Outcome;
}

/**
 * Writers that each record one GE_NEWS_ITEM count per request, every one a new value with its own
 * comment, so the database tells afterwards which writes it holds.
 */
class Writers {
  readonly sent: SentWrite[] = [];
  private seq = 0;
  private readonly token = signToken({ sub: 'durability-admin', unit: '20', role: Role.ADMIN }, SECRET, 3600);

  constructor(
    private readonly hub: Hub,
    private readonly communes: string[],
  ) {}

  /** Runs `count` writers until `done()` says so; the outcomes of this stretch. */
  async run(count: number, done: () => boolean): Promise<SentWrite[]> {
    const from = this.sent.length;
    const writer = async () => {
      while (!done()) {
        const n = (this.seq += 1);
        const comment = `durability-${RUN}-${n}`;
        const unit = this.communes[n % this.communes.length];
        const input = [{ indicator: 'GE_NEWS_ITEM', unit, period: `2026Q${(n % 4) + 1}`, sex: 'TOTAL', numerator: 1_000_000 + n, denominator: 1, comment }];
        const body = JSON.stringify({ query: RECORD, variables: { input } });
        const outcome = await request(`${this.hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` }, body });
        this.sent.push({ comment, outcome });
      }
    };
    await Promise.all(Array.from({ length: count }, writer));
    return this.sent.slice(from);
  }
}

async function communesOf(databaseUrl: string): Promise<string[]> {
  return withDatabase(databaseUrl, async (dataSource) => {
    const rows: { code: string }[] = await dataSource.query(
      `SELECT u.code FROM administrative_unit u JOIN unit_placement p ON p.unit_id = u.id AND p.valid_to IS NULL WHERE p.parent_id = (SELECT id FROM administrative_unit WHERE code = '20' AND valid_to IS NULL) AND u.level = 'COMMUNE' AND u.valid_to IS NULL ORDER BY u.code LIMIT 40`,
    );
    return rows.map((r) => r.code);
  });
}

async function withDatabase<T>(databaseUrl: string, work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const dataSource = await createDataSource(databaseUrl).initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

export interface Ledger {
  /** Writes answered 200 with `applied: true`. */
  acknowledged: number;
  /** Of those, how many the database does not hold (no revision with their comment). */
  lost: number;
  /** Writes answered with an error whose revision is there all the same. */
  committedDespiteError: number;
  /** The rollups against a recomputation from the observations: empty = nothing half-written. */
  rollupDifferences: string[];
}

/** What the database holds of `sent`, read after the server has gone. */
async function ledgerOf(databaseUrl: string, sent: SentWrite[]): Promise<Ledger> {
  return withDatabase(databaseUrl, async (dataSource) => {
    const rows: { comment: string }[] = await dataSource.query(`SELECT comment FROM observation_revision WHERE comment LIKE ?`, [`durability-${RUN}-%`]);
    const stored = new Set(rows.map((r) => r.comment));
    const acknowledged = sent.filter((s) => s.outcome.status === 200 && s.outcome.applied);
    return {
      acknowledged: acknowledged.length,
      lost: acknowledged.filter((s) => !stored.has(s.comment)).length,
      committedDespiteError: sent.filter((s) => !(s.outcome.status === 200 && s.outcome.applied) && stored.has(s.comment)).length,
      rollupDifferences: rollupDifferences(await recomputeRollups(dataSource.manager), await readRollupTable(dataSource.manager)),
    };
  });
}

// ---------------------------------------------------------------- the demo database

/** A checkpointed demo SQLite database at `file` (built once: migrations, demo data, statistics). */
export async function demoSqlite(file: string, print: (line: string) => void = () => undefined): Promise<string> {
  if (fs.existsSync(file)) return file;
  const building = `${file}.building`;
  await withDatabase(`sqlite:${building}`, async (dataSource) => {
    await migrate(dataSource);
    await seed(dataSource, { demo: true, print });
    await prepareStatistics(dataSource, print);
  });
  fs.renameSync(building, file);
  return file;
}

// ---------------------------------------------------------------- case 1: the disk fills up

export interface DiskOptions {
  /** A checkpointed demo database (no -wal beside it). */
  template: string;
  writers: number;
  /** The full-disk stretch ends once this many writes were refused, or after `maxSeconds`. */
  refusedWrites: number;
  /** Writes applied after space is freed. */
  writesAfterFree: number;
  maxSeconds: number;
}

export interface DiskResult {
  storage: string;
  /** Writes while the disk was full, and after space was freed. */
  full: Outcome[];
  freed: Outcome[];
  /** /readyz during the full stretch, and once space was freed. */
  readyFull: Outcome[];
  /** Reads sent beside the writes while the disk was full (the connection is reopened under them). */
  reads: Outcome[];
  readyFreed: Outcome[];
  ledger: Ledger;
}

const MiB = 1024 * 1024;
/** What the filler leaves free: less than the WAL grows to before a checkpoint (1,000 pages). */
const LEFT_FREE = 256 * 1024;

/**
 * A tmpfs just larger than the database; once the server is up a filler file takes all but
 * LEFT_FREE of it; writers run until `refusedWrites` were refused (or time is up), with /readyz
 * probed beside them; the filler is deleted and writers run until `writesAfterFree` applied;
 * then the server is killed (SIGKILL) and the database read.
 */
export async function diskFullCase(options: DiskOptions, print: (line: string) => void = () => undefined): Promise<DiskResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bdg-disk-full-'));
  const size = Math.ceil(fs.statSync(options.template).size / MiB) + 16;
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}m`, 'tmpfs', dir]);
  let hub: Hub | null = null;
  try {
    const file = path.join(dir, 'hub.sqlite');
    fs.copyFileSync(options.template, file);
    const databaseUrl = `sqlite:${file}`;
    const communes = await communesOf(databaseUrl);
    hub = await startHub(databaseUrl);
    const writers = new Writers(hub, communes);
    await writers.run(1, () => writers.sent.length >= 5);
    const filler = path.join(dir, 'filler');
    fillDisk(filler);
    print(`disk: tmpfs of ${size} MiB, filled but ${Math.round(freeBytes(dir) / 1024)} KiB; ${options.writers} writers`);

    const until = Date.now() + options.maxSeconds * 1000;
    const refused = () => writers.sent.filter((s) => s.outcome.status !== 200 || !s.outcome.applied).length;
    const readyFull: Outcome[] = [];
    const reads: Outcome[] = [];
    let writing = true;
    const probing = (async () => {
      while (writing) {
        readyFull.push(await request(`${hub!.url}/readyz`));
        await sleep(200);
      }
    })();
    const analyst = signToken({ sub: 'durability-reader', unit: '20', role: Role.ANALYST }, SECRET, 3600);
    const reading = (async () => {
      for (let n = 0; writing; n++) {
        const body = JSON.stringify({ query: `${STATISTICS} # ${RUN}-${n}` });
        reads.push(await request(`${hub!.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst}` }, body }));
      }
    })();
    const full = (await writers.run(options.writers, () => refused() >= options.refusedWrites || Date.now() > until)).map((s) => s.outcome);
    readyFull.push(await request(`${hub.url}/readyz`));
    writing = false;
    await Promise.all([probing, reading]);
    print(`disk: full: writes ${tally(full)}; /readyz ${tally(readyFull)}; reads ${tally(reads)}`);

    fs.rmSync(filler);
    const readyFreed = [await request(`${hub.url}/readyz`)];
    const freedUntil = Date.now() + options.maxSeconds * 1000;
    const freedFrom = writers.sent.length;
    const appliedAfterFree = () => writers.sent.slice(freedFrom).filter((s) => s.outcome.applied).length;
    await writers.run(options.writers, () => appliedAfterFree() >= options.writesAfterFree || Date.now() > freedUntil);
    const freed = writers.sent.slice(freedFrom).map((s) => s.outcome);
    readyFreed.push(await request(`${hub.url}/readyz`));
    print(`disk: freed: writes ${tally(freed)}; /readyz ${tally(readyFreed)}`);

    await hub.kill();
    hub = null;
    const ledger = await ledgerOf(databaseUrl, writers.sent);
    print(`disk: acknowledged ${ledger.acknowledged}, lost ${ledger.lost}, rollups ${ledger.rollupDifferences.length ? `${ledger.rollupDifferences.length} differences` : 'equal a recomputation'}`);
    return { storage: `tmpfs of ${size} MiB`, full, freed, readyFull, reads, readyFreed, ledger };
  } finally {
    await hub?.kill();
    execFileSync('umount', [dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function freeBytes(dir: string): number {
  const stats = fs.statfsSync(dir);
  return stats.bavail * stats.bsize;
}

/** Writes `file` until the file system is full, then gives LEFT_FREE back. */
function fillDisk(file: string): void {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(fd);
  }
  fs.truncateSync(file, Math.max(0, fs.statSync(file).size - LEFT_FREE));
}

// ---------------------------------------------------------------- case 2: an import beside a writing server

export interface ImportBesideOptions {
  template: string;
  imports: number;
  rows: number;
  writers: number;
  /** Run the import as `npm run import -- FILE` (builds first, as a user's does) instead of the built command. */
  throughNpm: boolean;
}

export interface ImportRun {
  exitCode: number | null;
  seconds: number;
  /** Its last line on stderr. */
  last: string;
  /** Rows of its file the database holds afterwards. */
  loaded: number;
}

export interface ImportBesideResult {
  rows: number;
  imports: ImportRun[];
  writes: Outcome[];
  ledger: Ledger;
}

/**
 * The server takes writes on a SQLite file while `npm run import` loads small CSVs (each a file of
 * its own, other periods than the writes) into the same file, one after another.
 */
export async function sqliteImportCase(options: ImportBesideOptions, print: (line: string) => void = () => undefined): Promise<ImportBesideResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bdg-import-beside-'));
  let hub: Hub | null = null;
  try {
    const file = path.join(dir, 'hub.sqlite');
    fs.copyFileSync(options.template, file);
    const databaseUrl = `sqlite:${file}`;
    const communes = await communesOf(databaseUrl);
    const csvs = await withDatabase(databaseUrl, async (dataSource) => {
      const files: string[] = [];
      for (let i = 0; i < options.imports; i++) {
        const csv = path.join(dir, `beside-${i}.csv`);
        await writeCsv(dataSource, csv, options.rows, 2040 + i * 5);
        files.push(csv);
      }
      return files;
    });
    hub = await startHub(databaseUrl);
    const writers = new Writers(hub, communes);
    let importing = true;
    const writing = writers.run(options.writers, () => !importing);
    await sleep(500);
    const imports: { exitCode: number | null; seconds: number; last: string }[] = [];
    for (const csv of csvs) {
      const run = await runImportCommand(databaseUrl, csv, options.throughNpm);
      print(`sqlite-import: ${path.basename(csv)}: exit ${run.exitCode} after ${run.seconds.toFixed(1)} s: ${run.last}`);
      imports.push(run);
    }
    importing = false;
    const writes = (await writing).map((s) => s.outcome);
    print(`sqlite-import: server writes ${tally(writes)}`);
    await hub.kill();
    hub = null;
    const loaded = await withDatabase(databaseUrl, async (dataSource) => {
      const counts: number[] = [];
      for (const csv of csvs) counts.push(Number((await dataSource.query(`SELECT COUNT(*) AS n FROM observation WHERE updated_by = ?`, [importSubject(csv)]))[0].n));
      return counts;
    });
    const ledger = await ledgerOf(databaseUrl, writers.sent);
    print(`sqlite-import: acknowledged ${ledger.acknowledged}, lost ${ledger.lost}, rollups ${ledger.rollupDifferences.length ? `${ledger.rollupDifferences.length} differences` : 'equal a recomputation'}`);
    return { rows: options.rows, imports: imports.map((run, i) => ({ ...run, loaded: loaded[i] })), writes, ledger };
  } finally {
    await hub?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runImportCommand(databaseUrl: string, csv: string, throughNpm: boolean): Promise<{ exitCode: number | null; seconds: number; last: string }> {
  const started = Date.now();
  // The rows change stored values, so the import names who loads them (four eyes): one subject per file, to count each file's rows.
  const subject = ['--subject', importSubject(csv)];
  const [command, args] = throughNpm ? ['npm', ['run', '--silent', 'import', '--', ...subject, csv]] : [process.execPath, [path.join(PROJECT_ROOT, 'dist', 'server', 'cli', 'import-observations.js'), ...subject, csv]];
  const child = spawn(command, args, { cwd: PROJECT_ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const lines = stderr.trim().split('\n');
      resolve({ exitCode: code, seconds: (Date.now() - started) / 1000, last: lines[lines.length - 1] ?? '' });
    });
  });
}

// ---------------------------------------------------------------- the bench's cases and report

/** The scale `npm run bench:faults` runs at (the e2e test runs smaller). */
const BENCH_DISK: Omit<DiskOptions, 'template'> = { writers: 4, refusedWrites: 200, writesAfterFree: 200, maxSeconds: 60 };
const BENCH_IMPORT: Omit<ImportBesideOptions, 'template'> = { imports: 10, rows: 2000, writers: 2, throughNpm: false };

const holds = (ok: boolean) => (ok ? 'holds' : '**does not hold**');
const retryable = (o: Outcome) => o.status === 503 && o.retryAfter && ['DATABASE_FULL', 'DATABASE_BUSY', 'DATABASE_UNAVAILABLE'].includes(o.code ?? '');
const notRetryable = (outcomes: Outcome[]) => outcomes.filter((o) => !(o.status === 200 && o.applied) && !retryable(o)).length;
/** Each section is run on its own (`--cases`): it says when, where and on which code. */
function provenance(): string {
  const machine = describeMachine();
  const version = codeVersion();
  return `Run ${new Date().toISOString()} on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; code ${version.commit}${version.uncommitted.length ? ` (uncommitted: ${version.uncommitted.join(', ')})` : ''}.`;
}

/** /readyz answers 200 after it first said `reason`: it must keep saying so while the fault lasts. */
function readyAgainAfter(probes: Outcome[], reason: string): number {
  const first = probes.findIndex((o) => o.reason === reason);
  return first < 0 ? 0 : probes.slice(first).filter((o) => o.status === 200).length;
}

const rollups = (ledger: Ledger) => (ledger.rollupDifferences.length ? `${ledger.rollupDifferences.length} differences: ${ledger.rollupDifferences.slice(0, 3).join('; ')}` : 'equal');

/** Runs the selected cases; each gives its FAULTS.md section (by case name). */
export async function runDurabilityCases(cases: DurabilityCase[], print: (line: string) => void): Promise<Map<DurabilityCase, string>> {
  const sections = new Map<DurabilityCase, string>();
  if (!cases.length) return sections;
  const template = await demoSqlite(path.join(os.tmpdir(), 'bdg-faults-demo.sqlite'), print);
  if (cases.includes('disk')) sections.set('disk', diskSection(await diskFullCase({ template, ...BENCH_DISK }, print)));
  if (cases.includes('sqlite-import')) sections.set('sqlite-import', importSection(await sqliteImportCase({ template, ...BENCH_IMPORT }, print)));
  return sections;
}

function diskSection(result: DiskResult): string {
  const { ledger } = result;
  const ok =
    ledger.lost === 0 &&
    !ledger.rollupDifferences.length &&
    notRetryable([...result.full, ...result.freed]) === 0 &&
    result.full.some((o) => o.code === 'DATABASE_FULL') &&
    result.readyFull.some((o) => o.reason === 'database full') &&
    readyAgainAfter(result.readyFull, 'database full') === 0 &&
    result.reads.every((o) => o.status === 200 && !o.code) &&
    result.readyFreed.every((o) => o.status === 200) &&
    result.freed.filter((o) => o.applied).length >= BENCH_DISK.writesAfterFree;
  return `## The disk fills up (embedded SQLite, issue 24)

The built server (\`NODE_ENV=production\`) on a copy of the demo SQLite database in a ${result.storage}; once it is
up, a filler file takes all but ${LEFT_FREE / 1024} KiB of the file system. ${BENCH_DISK.writers} writers (\`recordObservations\`, one GE_NEWS_ITEM
count per request, each a new value with its own comment) run until ${BENCH_DISK.refusedWrites} writes were refused, /readyz probed every
200 ms and a read of the rollups (Lạng Sơn's statistics by commune) sent in a loop beside them; the filler is deleted (no restart) and the writers run until ${BENCH_DISK.writesAfterFree} writes applied; then the server
is killed with SIGKILL and the database file read. Result: ${holds(ok)}. (On the code before issue 24's fix, 53858ca,
the e2e test's smaller run of this case lost 6,923 of 6,934 acknowledged writes and /readyz stayed 200.)

${provenance()}

| measure | result |
|---|---|
| writes while the disk was full | ${result.full.length}: ${tally(result.full)} |
| reads while the disk was full | ${result.reads.length}: ${tally(result.reads)} |
| /readyz while the disk was full | ${tally(result.readyFull)} |
| of which 200 after it first said \`database full\` (the 200s before: the writes the last 256 KiB still took) | ${readyAgainAfter(result.readyFull, 'database full')} |
| /readyz just after freeing space, and after the writes that followed | ${result.readyFreed.map((o) => `${o.status} ${o.reason ?? ''}`.trim()).join('; ')} |
| writes after freeing space | ${result.freed.length}: ${tally(result.freed)} |
| failed answers that are not 503 + retryable code + Retry-After | ${notRetryable([...result.full, ...result.freed])} |
| acknowledged writes (200, applied), in all | ${ledger.acknowledged} |
| acknowledged writes lost (no revision with their comment after the kill) | ${ledger.lost} |
| writes answered with an error that committed anyway | ${ledger.committedDespiteError} |
| half-written: rollups vs a recomputation from the observations | ${rollups(ledger)} |
`;
}

function importSection(result: ImportBesideResult): string {
  const { ledger } = result;
  const failed = result.imports.filter((run) => run.exitCode !== 0 || run.loaded !== result.rows);
  const ok = !failed.length && ledger.lost === 0 && !ledger.rollupDifferences.length && notRetryable(result.writes) === 0;
  const seconds = result.imports.map((run) => run.seconds).sort((a, b) => a - b);
  return `## \`npm run import\` beside a server writing to the same SQLite file (issue 24)

The built server (\`NODE_ENV=production\`) on a copy of the demo SQLite database takes writes from ${BENCH_IMPORT.writers} writers
(as in the full-disk case) while ${result.imports.length} imports of ${result.rows} rows each (each file its own years) run one
after another with the built command (\`node dist/server/cli/import-observations.js --subject S FILE\`, what \`npm run import -- --subject S FILE\`
runs after building; the e2e test runs \`npm run import\` itself). Result: ${holds(ok)}. (Issue 24 measured 10 of 10 such
imports failing at once with "database is locked" on the code before the fix.)

${provenance()}

| measure | result |
|---|---|
| imports that succeeded and loaded their whole file | ${result.imports.length - failed.length} of ${result.imports.length}${failed.length ? ` (failed: ${failed.map((run) => `exit ${run.exitCode}: ${run.last}`).join('; ')})` : ''} |
| import time, min / median / max | ${seconds[0]?.toFixed(1)} / ${seconds[Math.floor(seconds.length / 2)]?.toFixed(1)} / ${seconds[seconds.length - 1]?.toFixed(1)} s |
| the server's writes meanwhile | ${result.writes.length}: ${tally(result.writes)} |
| failed answers that are not 503 + retryable code + Retry-After | ${notRetryable(result.writes)} |
| acknowledged writes (200, applied) | ${ledger.acknowledged} |
| acknowledged writes lost | ${ledger.lost} |
| writes answered with an error that committed anyway | ${ledger.committedDespiteError} |
| half-written: rollups vs a recomputation | ${rollups(ledger)} |
`;
}

/** Who an import of `csv` names as its writer (--subject), which marks the rows it loaded. */
function importSubject(csv: string): string {
  return `faults-import:${path.basename(csv)}`;
}
