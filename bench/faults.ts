import 'reflect-metadata';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { signToken } from '../server/auth/jwt';
import { Role } from '../server/auth/role';
import { PROJECT_ROOT } from '../server/core/config';
import { setLogLevel } from '../server/core/logger';
import { createDataSource } from '../server/data-source';
import { hasUnits, migrate, prepareStatistics, seed } from '../server/setup/database-setup';
import { recomputeRollups } from '../server/statistics/rollup.rebuild';
import { readRollupTable, rollupDifferences } from '../server/statistics/rollup.store';
import { codeVersion, describeMachine } from './machine';
import { DatabaseState, RunResult, runImport, stateOf, waitForRollback, writeCsv } from './import-runs';
import { DURABILITY_CASES, DurabilityCase, runDurabilityCases } from './faults-durability';
import { heavyQueryCase } from './faults-heavy';
import { writeSection } from './faults-sections';
import { PROCESS_CASES, ProcessCase, runProcessCases } from './faults-process';

/**
 * `npm run bench:faults`: the database faults of issue 14, against the built server (a child
 * process, as deployed) on a private MariaDB this bench starts and restarts (never the shared one):
 * 1. a row lock held on a rollup row while writes and reads arrive;
 * 2. the database restarted under mixed load;
 * 3. `npm run import` killed with SIGKILL at half way through a file, then run again.
 * These three are the case `mariadb`; `heavy` is a fourth on the same private MariaDB and on SQLite:
 * the heaviest accepted query in a loop (faults-heavy.ts). Other modules add theirs
 * (faults-durability.ts: `disk`, `sqlite-import`; faults-process.ts: `redis`, `rate-limit`,
 * `sigterm-export`, `sigterm-writes`). Each case writes its own section of bench/FAULTS.md; the
 * sections of cases not run stay as the file had them. Options: --cases all (or a list: --cases
 * disk,redis) --lock-seconds 60 --writes 100 --reads 100 --load-seconds 30 --import-rows 200000
 * --heavy-seconds 20 --port 3307 --datadir /tmp/faults-db --out bench/FAULTS.md.
 */
interface Options {
  lockSeconds: number;
  writes: number;
  reads: number;
  loadSeconds: number;
  importRows: number;
  heavySeconds: number;
  port: number;
  datadir: string;
  out: string;
  cases: string;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { lockSeconds: 60, writes: 100, reads: 100, loadSeconds: 30, importRows: 200_000, heavySeconds: 20, port: 3307, datadir: '/tmp/faults-db', out: path.join(PROJECT_ROOT, 'bench', 'FAULTS.md'), cases: 'all' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof Options;
    if (!(key in options)) throw new Error(`Unknown option ${argv[i]}`);
    (options as unknown as Record<string, unknown>)[key] = typeof options[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return options;
}

const SECRET = 'bench-faults-secret';
/** The server's REQUEST_TIMEOUT_MS (its default): a blocked write must be answered within it. */
const DEADLINE_MS = 10_000;
const DATABASE = 'bdg_faults';
const IMPORT_DATABASE = 'bdg_faults_import';
/** Subjects and comments unique to this run: the database may hold earlier runs' writes. */
const RUN = Date.now().toString(36);
/** Counts written by this run start here, so none equals a value an earlier run left (an unchanged row writes no revision). */
const RUN_BASE = (Date.now() % 1_000_000) * 10_000_000;
const print = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- processes

class MariaDb {
  private process: ChildProcess | null = null;
  constructor(private readonly options: Options) {}

  get socket(): string {
    return `${this.options.datadir}.sock`;
  }

  install(): void {
    if (fs.existsSync(path.join(this.options.datadir, 'mysql'))) return;
    execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${this.options.datadir}`, '--auth-root-authentication-method=normal', '--user=root'], { stdio: 'ignore' });
  }

  /** Starts mariadbd and resolves once it accepts connections; gives the milliseconds that took. */
  async start(): Promise<number> {
    const started = Date.now();
    const args = ['--no-defaults', `--datadir=${this.options.datadir}`, `--port=${this.options.port}`, `--socket=${this.socket}`, '--bind-address=127.0.0.1', '--user=root', '--skip-log-error'];
    this.process = spawn('/usr/sbin/mariadbd', args, { stdio: 'ignore' });
    for (;;) {
      try {
        const connection = await mysql.createConnection({ host: '127.0.0.1', port: this.options.port, user: 'root' });
        await connection.end();
        return Date.now() - started;
      } catch {
        if (Date.now() - started > 60_000) throw new Error('mariadbd did not accept connections within 60 s');
        await sleep(50);
      }
    }
  }

  /** A normal shutdown (SIGTERM), as `systemctl restart` does; resolves once the process has ended. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.process = null;
  }
}

interface HubServer {
  url: string;
  stop(): Promise<void>;
}

async function startHub(databaseUrl: string): Promise<HubServer> {
  const env = { ...process.env, DATABASE_URL: databaseUrl, JWT_SECRET: SECRET, PORT: '0', LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '1000000000', REQUEST_TIMEOUT_MS: String(DEADLINE_MS) };
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'server', 'main.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------- requests

interface Outcome {
  status: number;
  code: string | null;
  ms: number;
  applied: boolean;
  retryAfter: boolean;
}

async function request(url: string, init: RequestInit = {}): Promise<Outcome> {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(120_000) });
    const text = await response.text();
    let body: { data?: { recordObservations?: { applied?: boolean } }; errors?: { extensions?: { code?: string } }[] } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // probes answer JSON too; anything else counts by its status
    }
    return { status: response.status, code: body.errors?.[0]?.extensions?.code ?? null, ms: performance.now() - started, applied: body.data?.recordObservations?.applied === true, retryAfter: Number(response.headers.get('retry-after')) > 0 };
  } catch (error) {
    return { status: 0, code: (error as Error).name, ms: performance.now() - started, applied: false, retryAfter: false };
  }
}

let sent = 0;

/**
 * Every request's text differs (a numbered comment), so no read is answered from the response
 * cache: the bench measures reads computed under the fault, the harder case.
 */
function graphql(hub: HubServer, token: string, query: string, variables: Record<string, unknown> = {}): Promise<Outcome> {
  const body = JSON.stringify({ query: `${query} # ${RUN}-${(sent += 1)}`, variables });
  return request(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
}

const RECORD = 'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied accepted } }';
const INDICATORS = '{ indicators { code } }';
const STATISTICS = '{ statistics(indicator: "FEMALE_KEY_LEADER", area: "20", periods: ["2026"], breakdown: CHILDREN) { rows { unit { code } total { value } } } }';

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** "503 DATABASE_BUSY: 93, 200: 7" */
function tally(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const key = o.status === 200 ? (o.code ? `200 with ${o.code}` : '200') : `${o.status || 'no answer'}${o.code ? ` ${o.code}` : ''}${o.status === 503 && !o.retryAfter ? ' (no Retry-After!)' : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ');
}

const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a');

// ---------------------------------------------------------------- experiment 1: a lock held

interface LockResult {
  lockSeconds: number;
  writes: Outcome[];
  /** All reads during the lock: the burst and those sent every 250 ms. */
  reads: Outcome[];
  /** The burst that arrived with the writes, and the same burst before the lock. */
  burst: Outcome[];
  baseline: Outcome[];
  probes: { healthz: Outcome[]; readyz: Outcome[] };
  halfWritten: number;
  auditedBlocked: number;
  fullServiceMs: number;
}

async function lockExperiment(hub: HubServer, admin: mysql.Connection, options: Options): Promise<LockResult> {
  const editor = signToken({ sub: 'faults-lock-editor', unit: '06601', role: Role.EDITOR }, SECRET, 3600);
  const analyst = signToken({ sub: 'faults-reader', unit: '20', role: Role.ANALYST }, SECRET, 3600);
  const [villages] = (await admin.query(`SELECT id, code FROM administrative_unit WHERE code LIKE '06601%' AND level = 'VILLAGE' AND valid_to IS NULL ORDER BY code`)) as unknown as [{ id: number; code: string }[]];
  const [[indicator]] = (await admin.query(`SELECT id FROM indicator WHERE code = 'FEMALE_KEY_LEADER'`)) as unknown as [{ id: number }[]];
  const [[commune]] = (await admin.query(`SELECT id FROM administrative_unit WHERE code = '06601' AND valid_to IS NULL`)) as unknown as [{ id: number }[]];
  const stored = async (): Promise<Map<string, number>> => {
    const [rows] = (await admin.query(`SELECT unit_id AS unitId, numerator FROM observation WHERE indicator_id = ? AND period = '2026' AND sex = 'TOTAL' AND disaggregation = ''`, [indicator.id])) as unknown as [{ unitId: number; numerator: number }[]];
    const byId = new Map(rows.map((r) => [Number(r.unitId), Number(r.numerator)]));
    return new Map(villages.map((v) => [v.code, byId.get(v.id) ?? -1]));
  };
  const flip = (value: number) => (value === 1 ? 0 : 1);
  const write = (village: string, numerator: number, sub = 'faults-lock-editor') =>
    graphql(hub, sub === 'faults-lock-editor' ? editor : signToken({ sub, unit: '06601', role: Role.EDITOR }, SECRET, 3600), RECORD, { input: [{ indicator: 'FEMALE_KEY_LEADER', unit: village, period: '2026', sex: 'TOTAL', numerator, denominator: 1 }] });

  // The commune's rollup rows exist once a village of it has a 2026 value.
  let before = await stored();
  await write(villages[0].code, flip(before.get(villages[0].code) as number));
  before = await stored();
  print(`lock: ${villages.length} villages of xã Lợi Bác; locking its FEMALE_KEY_LEADER 2026 rollup rows for ${options.lockSeconds} s`);

  // The same burst of reads without any lock, for comparison: on a small machine a burst is slow by itself.
  const baseline = await Promise.all(Array.from({ length: options.reads }, () => graphql(hub, analyst, INDICATORS)));
  print(`lock: baseline read burst ${tally(baseline)}, p99 ${ms(percentile(baseline.map((o) => o.ms), 99))}`);

  const holder = await mysql.createConnection({ host: '127.0.0.1', port: options.port, user: 'root', database: DATABASE });
  await holder.query('BEGIN');
  await holder.query(`SELECT * FROM statistics_rollup WHERE unit_id = ? AND indicator_id = ? AND period = '2026' FOR UPDATE`, [commune.id, indicator.id]);
  const lockedAt = Date.now();
  const until = lockedAt + options.lockSeconds * 1000;

  const probes = { healthz: [] as Outcome[], readyz: [] as Outcome[] };
  const reads: Outcome[] = [];
  const probing = (async () => {
    while (Date.now() < until) {
      const [h, r, i, st] = await Promise.all([request(`${hub.url}/healthz`), request(`${hub.url}/readyz`), graphql(hub, analyst, INDICATORS), graphql(hub, analyst, STATISTICS)]);
      probes.healthz.push(h);
      probes.readyz.push(r);
      reads.push(i, st);
      await sleep(250);
    }
  })();
  await sleep(1000);
  // Each blocked write flips one village (so it must change the locked rollup row); its own subject tells its audit entry.
  const targets = Array.from({ length: options.writes }, (_, i) => villages[i % villages.length].code);
  const writes = Promise.all(targets.map((code, i) => write(code, flip(before.get(code) as number), `faults-blocked-${RUN}-${i}`)));
  const burst = await Promise.all(Array.from({ length: options.reads }, () => graphql(hub, analyst, INDICATORS)));
  reads.push(...burst);
  const blocked = await writes;
  print(`lock: writes answered ${tally(blocked)}; reads ${tally(reads)}`);
  await probing;
  await holder.query('ROLLBACK');
  await holder.end();
  const released = performance.now();
  let fullServiceMs = NaN;
  for (let attempt = 0; attempt < 400; attempt++) {
    const current = await stored();
    const probe = await write(villages[1 % villages.length].code, flip(current.get(villages[1 % villages.length].code) as number));
    if (probe.status === 200 && probe.applied) {
      fullServiceMs = performance.now() - released;
      break;
    }
    await sleep(50);
  }

  // Nothing half-written: a village whose write failed holds its old value (writes to one village repeat: the last applied counts).
  const after = await stored();
  let halfWritten = 0;
  targets.forEach((code, i) => {
    if (blocked[i].status === 200 && blocked[i].applied) return;
    const appliedLater = targets.some((other, j) => other === code && blocked[j].applied);
    if (!appliedLater && code !== villages[1 % villages.length].code && after.get(code) !== before.get(code)) halfWritten += 1;
  });
  const [[audited]] = (await admin.query(`SELECT COUNT(*) AS n FROM audit_entry WHERE subject LIKE ? AND succeeded = 1`, [`faults-blocked-${RUN}-%`])) as unknown as [{ n: number }[]];
  return { lockSeconds: options.lockSeconds, writes: blocked, reads, burst, baseline, probes, halfWritten, auditedBlocked: Number(audited.n), fullServiceMs };
}

// ---------------------------------------------------------------- experiment 2: a restart under load

interface RestartResult {
  loadSeconds: number;
  downMs: number;
  writes: Outcome[];
  reads: Outcome[];
  acknowledged: number;
  lost: number;
  auditMismatches: number;
  committedDespite503: number;
  rollupDifferences: string[];
  recoveryMs: number;
}

interface SentWrite {
  comment: string;
  outcome: Outcome;
}

async function restartExperiment(hub: HubServer, maria: MariaDb, options: Options, databaseUrl: string): Promise<RestartResult> {
  const admin = signToken({ sub: 'faults-restart-admin', unit: '20', role: Role.ADMIN }, SECRET, 3600);
  const analyst = signToken({ sub: 'faults-reader', unit: '20', role: Role.ANALYST }, SECRET, 3600);
  const connection = await mysql.createConnection({ uri: databaseUrl });
  const [communes] = (await connection.query(`SELECT u.code FROM administrative_unit u JOIN unit_placement p ON p.unit_id = u.id AND p.valid_to IS NULL WHERE p.parent_id = (SELECT id FROM administrative_unit WHERE code = '20' AND valid_to IS NULL) AND u.level = 'COMMUNE' AND u.valid_to IS NULL ORDER BY u.code LIMIT 40`)) as unknown as [{ code: string }[]];
  await connection.end();

  const until = Date.now() + options.loadSeconds * 1000;
  const sent: SentWrite[] = [];
  const reads: Outcome[] = [];
  const WRITERS = 4;
  // Every write changes its row (a new count each time) and names itself in the revision's comment.
  const writer = async (w: number) => {
    for (let seq = 0; Date.now() < until; seq++) {
      const commune = communes[(w * 10 + seq) % communes.length].code;
      const comment = `faults-${RUN}-${w}-${seq}`;
      const outcome = await graphql(hub, admin, RECORD, { input: [{ indicator: 'GE_NEWS_ITEM', unit: commune, period: `2026Q${(seq % 4) + 1}`, sex: 'TOTAL', numerator: RUN_BASE + w * 1_000_000 + seq, denominator: 1, comment }] });
      sent.push({ comment, outcome });
    }
  };
  const reader = async (r: number) => {
    while (Date.now() < until) reads.push(await graphql(hub, analyst, r % 2 ? INDICATORS : STATISTICS));
  };
  const restart = (async () => {
    await sleep((options.loadSeconds * 1000) / 4);
    print('restart: stopping MariaDB');
    const stopped = performance.now();
    await maria.stop();
    await sleep(2000);
    await maria.start();
    const downMs = performance.now() - stopped;
    print(`restart: MariaDB back after ${Math.round(downMs)} ms`);
    const back = performance.now();
    for (;;) {
      const probe = await graphql(hub, analyst, INDICATORS);
      if (probe.status === 200 && !probe.code) return { downMs, recoveryMs: performance.now() - back };
      await sleep(10);
    }
  })();
  await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), ...Array.from({ length: 4 }, (_, r) => reader(r)), restart]);
  const { downMs, recoveryMs } = await restart;

  const check = await mysql.createConnection({ uri: databaseUrl });
  const [revisionRows] = (await check.query(`SELECT comment FROM observation_revision WHERE comment LIKE ?`, [`faults-${RUN}-%`])) as unknown as [{ comment: string }[]];
  const revisions = new Set(revisionRows.map((r) => r.comment));
  const [auditRows] = (await check.query(`SELECT input FROM audit_entry WHERE subject = 'faults-restart-admin' AND succeeded = 1 AND input LIKE ?`, [`%faults-${RUN}-%`])) as unknown as [{ input: string }[]];
  const auditCounts = new Map<string, number>();
  for (const { input } of auditRows) {
    const comment = /"comment":"(faults-[a-z0-9]+-\d+-\d+)"/.exec(input)?.[1];
    if (comment) auditCounts.set(comment, (auditCounts.get(comment) ?? 0) + 1);
  }
  await check.end();
  const acknowledged = sent.filter((s) => s.outcome.status === 200 && s.outcome.applied);
  const dataSource = await createDataSource(databaseUrl).initialize();
  let differences: string[];
  try {
    differences = rollupDifferences(await recomputeRollups(dataSource.manager), await readRollupTable(dataSource.manager));
  } finally {
    await dataSource.destroy();
  }
  return {
    loadSeconds: options.loadSeconds,
    downMs,
    writes: sent.map((s) => s.outcome),
    reads,
    acknowledged: acknowledged.length,
    lost: acknowledged.filter((s) => !revisions.has(s.comment)).length,
    auditMismatches: acknowledged.filter((s) => auditCounts.get(s.comment) !== 1).length,
    committedDespite503: sent.filter((s) => s.outcome.status !== 200 && revisions.has(s.comment)).length,
    rollupDifferences: differences,
    recoveryMs,
  };
}

// ---------------------------------------------------------------- experiment 3: kill -9 mid-import

interface KillResult {
  rows: number;
  killed: RunResult;
  before: DatabaseState;
  afterKill: DatabaseState;
  rerun: RunResult;
  afterRerun: DatabaseState;
}

/**
 * The real import command on a generated file into a database of its own (units only, so the
 * counts say exactly what the import left), SIGKILLed once its progress passes half the file;
 * then the same command again. bench:import measures the same at 1,000,000 rows with its speed.
 */
async function killImportExperiment(options: Options): Promise<KillResult> {
  const root = await mysql.createConnection({ host: '127.0.0.1', port: options.port, user: 'root' });
  await root.query(`DROP DATABASE IF EXISTS ${IMPORT_DATABASE}`);
  await root.query(`CREATE DATABASE ${IMPORT_DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await root.end();
  const url = `mysql://root@127.0.0.1:${options.port}/${IMPORT_DATABASE}`;
  const dataSource = await createDataSource(url).initialize();
  const file = path.join(os.tmpdir(), `faults-import-${RUN}.csv`);
  try {
    await migrate(dataSource);
    await seed(dataSource, { demo: false, print: () => undefined });
    await writeCsv(dataSource, file, options.importRows);
    const before = await stateOf(dataSource);
    print(`import: ${options.importRows} rows, killed with SIGKILL at half way`);
    // Ten batches at least, so half way is always before the commit.
    const batch = Math.max(100, Math.min(20_000, Math.floor(options.importRows / 10)));
    const killed = await runImport(url, file, batch, Math.floor(options.importRows / 2));
    await waitForRollback(dataSource, IMPORT_DATABASE);
    const afterKill = await stateOf(dataSource);
    print(`import: after the kill ${afterKill.observations} observations; running it again`);
    const rerun = await runImport(url, file, batch, null);
    return { rows: options.importRows, killed, before, afterKill, rerun, afterRerun: await stateOf(dataSource) };
  } finally {
    fs.rmSync(file, { force: true });
    await dataSource.destroy();
  }
}

// ---------------------------------------------------------------- report

function report(options: Options, lock: LockResult, restart: RestartResult, kill: KillResult): string {
  const machine = describeMachine();
  const version = codeVersion();
  const failures = (outcomes: Outcome[]) => outcomes.filter((o) => o.status !== 200 || o.code);
  const notRetryable = (outcomes: Outcome[]) => failures(outcomes).filter((o) => !(o.status === 503 && o.retryAfter && (o.code === 'DATABASE_BUSY' || o.code === 'DATABASE_UNAVAILABLE')));
  const probeMs = [...lock.probes.healthz, ...lock.probes.readyz].map((o) => o.ms);
  const blockedMs = lock.writes.map((o) => o.ms);
  const holds = (ok: boolean) => (ok ? 'holds' : '**does not hold**');
  const readsAndProbesP99 = percentile([...probeMs, ...lock.reads.map((o) => o.ms)], 99);
  const firstHolds = readsAndProbesP99 <= 1000 && notRetryable(lock.writes).length === 0 && failures(lock.writes).length === lock.writes.length && Math.max(...blockedMs) <= DEADLINE_MS && lock.halfWritten === 0 && lock.fullServiceMs <= 2000;
  const secondHolds = notRetryable([...restart.writes, ...restart.reads]).length === 0 && restart.lost === 0 && restart.auditMismatches === 0 && restart.committedDespite503 === 0 && restart.rollupDifferences.length === 0;
  const unchanged = (a: DatabaseState, b: DatabaseState) => a.observations === b.observations && a.revisions === b.revisions && a.rollupRows === b.rollupRows;
  const killHolds = kill.killed.signal === 'SIGKILL' && unchanged(kill.before, kill.afterKill) && !kill.afterKill.rollupDifferences.length && kill.rerun.exitCode === 0 && kill.afterRerun.observations === kill.before.observations + kill.rows && kill.afterRerun.revisions === kill.before.revisions + kill.rows && !kill.afterRerun.rollupDifferences.length;
  return `# Database faults (\`npm run bench:faults\`)

Run ${new Date().toISOString()} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB, Node ${machine.node}, ${machine.os};
code ${version.commit}${version.uncommitted.length ? ` (uncommitted: ${version.uncommitted.join(', ')})` : ''}.
The built server (\`node dist/server/main.js\`, default limits: REQUEST_TIMEOUT_MS 10000, statements
5 s, pool 10 with 5 for writes, acquire 2 s) on a private MariaDB (MariaDB ${/Ver (\S+)/.exec(execFileSync('/usr/sbin/mariadbd', ['--version'], { encoding: 'utf8' }))?.[1] ?? ''}, port ${options.port}) with the demo data; client and server on the same machine.

## Issue 14's acceptance, as measured below

1. Lock held ${lock.lockSeconds} s: ${holds(firstHolds)}. Probes and reads p99 ${ms(readsAndProbesP99)} (at most 1 s); blocked writes ${tally(lock.writes)}, the last answered ${ms(Math.max(...blockedMs))} after it was sent, by the client's clock (deadline ${DEADLINE_MS} ms); half-written ${lock.halfWritten}; full service ${ms(lock.fullServiceMs)} after release (at most 2 s).
2. Restart under mixed load: ${holds(secondHolds)}. Failures not 503 + retryable code: ${notRetryable([...restart.writes, ...restart.reads]).length}; acknowledged writes lost: ${restart.lost}; without exactly one audit entry: ${restart.auditMismatches}; rollups ${restart.rollupDifferences.length ? 'differ from' : 'equal'} a recomputation.
3. kill -9 of \`npm run import\` at half way (the kill part of acceptance 4; its speed and memory: IMPORT.md): ${holds(killHolds)}. The README says the file is one transaction: a kill leaves the database as it was, and a re-run loads the whole file.

## 1. A row lock held ${lock.lockSeconds} s on a rollup row

A second connection holds \`SELECT … FOR UPDATE\` on xã Lợi Bác's FEMALE_KEY_LEADER 2026 rollup rows.
One second in, ${options.writes} writes that must change those rows (each flips one village) and ${options.reads} reads
(\`{ indicators { code } }\`, as in issue 14) arrive at once; /healthz, /readyz, that read and the
Lạng Sơn statistics by commune (FEMALE_KEY_LEADER 2026, which sums the locked rows) are sent every
250 ms throughout. Every GraphQL request's text is unique (a numbered comment), so none is
answered from the response cache: these are reads computed under the lock.

| measure | result |
|---|---|
| /healthz and /readyz during the lock (${probeMs.length} probes) | p50 ${ms(percentile(probeMs, 50))}, p99 ${ms(percentile(probeMs, 99))}, max ${ms(Math.max(...probeMs))}; ${tally([...lock.probes.healthz, ...lock.probes.readyz])} |
| reads during the lock (${lock.reads.length}) | p50 ${ms(percentile(lock.reads.map((o) => o.ms), 50))}, p99 ${ms(percentile(lock.reads.map((o) => o.ms), 99))}; ${tally(lock.reads)} |
| of which the burst of ${lock.burst.length} that arrived with the writes | p50 ${ms(percentile(lock.burst.map((o) => o.ms), 50))}, p99 ${ms(percentile(lock.burst.map((o) => o.ms), 99))} |
| the same burst before the lock, for comparison | p50 ${ms(percentile(lock.baseline.map((o) => o.ms), 50))}, p99 ${ms(percentile(lock.baseline.map((o) => o.ms), 99))}; ${tally(lock.baseline)} |
| reads sent every 250 ms through the lock (${lock.reads.length - lock.burst.length}, half of them statistics) | p50 ${ms(percentile(lock.reads.filter((o) => !lock.burst.includes(o)).map((o) => o.ms), 50))}, p99 ${ms(percentile(lock.reads.filter((o) => !lock.burst.includes(o)).map((o) => o.ms), 99))} |
| blocked writes (${lock.writes.length}) | ${tally(lock.writes)}; answered after p50 ${ms(percentile(blockedMs, 50))}, max ${ms(Math.max(...blockedMs))} |
| failed answers that are not 503 + retryable code + Retry-After | ${notRetryable([...lock.writes, ...lock.reads]).length} |
| half-written (a failed write's village changed) | ${lock.halfWritten} |
| audit entries of the blocked writes (succeeded) | ${lock.auditedBlocked} (= writes answered 200: ${lock.writes.filter((o) => o.applied).length}) |
| from release to the first write applied again | ${ms(lock.fullServiceMs)} |

## 2. MariaDB restarted under mixed load

4 writers (\`recordObservations\`, one GE_NEWS_ITEM count per request, each a new value with its own
comment) and 4 readers for ${restart.loadSeconds} s; at a quarter of that MariaDB gets SIGTERM (a normal
shutdown), stays down 2 s and starts again (down ${ms(restart.downMs)} in all).

| measure | result |
|---|---|
| writes | ${restart.writes.length}: ${tally(restart.writes)} |
| reads | ${restart.reads.length}: ${tally(restart.reads)} |
| failed answers that are not 503 + retryable code + Retry-After | ${notRetryable([...restart.writes, ...restart.reads]).length} |
| acknowledged writes (200, applied) | ${restart.acknowledged} |
| acknowledged writes lost (no revision with their comment) | ${restart.lost} |
| acknowledged writes without exactly one audit entry | ${restart.auditMismatches} |
| writes answered with an error that committed anyway | ${restart.committedDespite503} |
| rollups vs a recomputation from the observations (\`npm run db:rebuild-statistics -- --check\` logic) | ${restart.rollupDifferences.length ? `${restart.rollupDifferences.length} differences: ${restart.rollupDifferences.slice(0, 3).join('; ')}` : 'equal'} |
| from MariaDB accepting connections to the first read answered | ${ms(restart.recoveryMs)} |

## 3. kill -9 in the middle of \`npm run import\`

The real command (\`node dist/server/cli/import-observations.js FILE --subject bench-importer@VN\`, what \`npm run import -- --subject SUBJECT FILE\` runs) on a
generated file of ${kill.rows.toLocaleString('en')} rows (every current commune × the yearly commune-level indicators, from 2027)
into a database of its own on the same private MariaDB (units only), SIGKILLed once its progress
reported ${kill.killed.killedAt?.toLocaleString('en') ?? '(never reached)'} rows; then the same command again. Speed and memory at 1,000,000 rows: \`npm run bench:import\`, [IMPORT.md](IMPORT.md).

| measure | before | after the kill | after the re-run |
|---|---|---|---|
| observations | ${kill.before.observations} | ${kill.afterKill.observations} | ${kill.afterRerun.observations} |
| revisions | ${kill.before.revisions} | ${kill.afterKill.revisions} | ${kill.afterRerun.revisions} |
| statistics rollup rows | ${kill.before.rollupRows} | ${kill.afterKill.rollupRows} | ${kill.afterRerun.rollupRows} |
| rollups vs a recomputation | ${kill.before.rollupDifferences.length ? 'differ' : 'equal'} | ${kill.afterKill.rollupDifferences.length ? `${kill.afterKill.rollupDifferences.length} differences` : 'equal'} | ${kill.afterRerun.rollupDifferences.length ? `${kill.afterRerun.rollupDifferences.length} differences` : 'equal'} |
| the command | | ${kill.killed.signal ?? `exit ${kill.killed.exitCode}`} after ${kill.killed.wallSeconds.toFixed(1)} s | exit ${kill.rerun.exitCode} after ${kill.rerun.wallSeconds.toFixed(1)} s |
`;
}

const CASES: string[] = ['mariadb', 'heavy', ...DURABILITY_CASES, ...PROCESS_CASES];

async function main(): Promise<void> {
  setLogLevel('error');
  const options = parseOptions(process.argv.slice(2));
  const cases = options.cases === 'all' ? CASES : options.cases.split(',');
  const unknown = cases.filter((c) => !CASES.includes(c));
  if (unknown.length) throw new Error(`Unknown case ${unknown.join(', ')}; the cases are ${CASES.join(', ')}`);
  if (cases.includes('mariadb') || cases.includes('heavy')) await mariadbCases(options, cases);
  const durability = DURABILITY_CASES.filter((c: DurabilityCase) => cases.includes(c));
  for (const [id, section] of await runDurabilityCases(durability, print)) writeSection(options.out, id, section);
  for (const [id, section] of await runProcessCases(PROCESS_CASES.filter((c: ProcessCase) => cases.includes(c)), options)) writeSection(options.out, id, section);
  print(`wrote ${path.relative(process.cwd(), options.out)}`);
}

/** The cases on the private MariaDB: `mariadb` (1-3) and `heavy` (which measures SQLite beside it). */
async function mariadbCases(options: Options, cases: string[]): Promise<void> {
  const maria = new MariaDb(options);
  maria.install();
  print(`MariaDB on port ${options.port}: started in ${await maria.start()} ms`);
  const root = await mysql.createConnection({ host: '127.0.0.1', port: options.port, user: 'root' });
  await root.query(`CREATE DATABASE IF NOT EXISTS ${DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await root.end();
  const databaseUrl = `mysql://root@127.0.0.1:${options.port}/${DATABASE}`;
  const setup = await createDataSource(databaseUrl).initialize();
  try {
    await migrate(setup);
    if (!(await hasUnits(setup))) await seed(setup, { demo: true, print });
    await prepareStatistics(setup, print);
  } finally {
    await setup.destroy();
  }
  let hub: HubServer | null = null;
  try {
    if (cases.includes('heavy')) writeSection(options.out, 'heavy', await heavyQueryCase(databaseUrl, options.heavySeconds, print));
    if (!cases.includes('mariadb')) return;
    hub = await startHub(databaseUrl);
    const admin = await mysql.createConnection({ uri: databaseUrl });
    const lock = await lockExperiment(hub, admin, options);
    await admin.end();
    const restart = await restartExperiment(hub, maria, options, databaseUrl);
    const kill = await killImportExperiment(options);
    writeSection(options.out, 'mariadb', report(options, lock, restart, kill));
  } finally {
    await hub?.stop();
    await maria.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
