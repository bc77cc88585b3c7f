import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { signToken } from '../server/auth/jwt';
import { Role } from '../server/auth/role';
import { createDataSource } from '../server/data-source';
import { migrate, prepareStatistics, seed } from '../server/setup/database-setup';
import { recomputeRollups } from '../server/statistics/rollup.rebuild';
import { readRollupTable, rollupDifferences } from '../server/statistics/rollup.store';

/**
 * The process faults of issue 24, against the built server as deployed (a child process,
 * NODE_ENV=production) on a SQLite copy of the demo database, with a private redis-server where a
 * case needs one: `redis` (Redis killed and restarted empty under writes and cached reads),
 * `rate-limit` (every route past RATE_LIMIT_PER_MINUTE), `sigterm-export` (SIGTERM while national
 * exports stream), `sigterm-writes` (SIGTERM under a stream of writes). Each gives a section of
 * bench/FAULTS.md: acknowledged, lost, half-written, what clients saw.
 */
export const PROCESS_CASES = ['redis', 'rate-limit', 'sigterm-export', 'sigterm-writes'] as const;
export type ProcessCase = (typeof PROCESS_CASES)[number];

export interface ProcessOptions {
  loadSeconds: number;
}

const SECRET = 'bench-faults-secret';
const RUN = Date.now().toString(36);
const RUN_BASE = (Date.now() % 1_000_000) * 1000;
const RECORD = 'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied } }';
const print = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const admin = signToken({ sub: 'faults-process-admin', unit: '20', role: Role.ADMIN }, SECRET, 3600);
const analyst = signToken({ sub: 'faults-process-reader', unit: '20', role: Role.ANALYST }, SECRET, 3600);

// ---------------------------------------------------------------- processes

interface Hub {
  url: string;
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
}

async function startHub(databaseUrl: string, env: Record<string, string> = {}): Promise<Hub> {
  const fullEnv = { ...process.env, NODE_ENV: 'production', DATABASE_URL: databaseUrl, JWT_SECRET: SECRET, PORT: '0', LOG_LEVEL: 'error', ...env };
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'server', 'main.js')], { env: fullEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    void exited.then((code) => reject(new Error(`the server exited with ${code}: ${output}`)));
  });
  return { url: `http://127.0.0.1:${port}`, port, child, exited };
}

async function stopHub(hub: Hub): Promise<number | null> {
  if (hub.child.exitCode === null && hub.child.signalCode === null) hub.child.kill('SIGKILL');
  return hub.exited;
}

class PrivateRedis {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let attempt = 0; attempt < 200; attempt++) {
      if (await accepts(this.port)) return;
      await sleep(25);
    }
    throw new Error(`redis-server did not listen on ${this.port}`);
  }

  /** SIGKILL: a crash, and without persistence every key is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

// ---------------------------------------------------------------- requests

interface Outcome {
  status: number;
  code: string | null;
  retryAfter: boolean;
  ms: number;
  text: string;
}

async function request(url: string, init: RequestInit = {}): Promise<Outcome> {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
    const text = await response.text();
    let code: string | null = null;
    try {
      code = (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code ?? null;
    } catch {
      code = /<message:ErrorMessage code="(\d+)"/.exec(text)?.[1] ? 'SDMX-ML error' : null;
    }
    return { status: response.status, code, retryAfter: Number(response.headers.get('retry-after')) > 0, ms: performance.now() - started, text: response.status === 200 ? text.slice(0, 2000) : '' };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { status: 0, code: cause ?? (error as Error).name, retryAfter: false, ms: performance.now() - started, text: '' };
  }
}

function graphql(hub: Hub, token: string, query: string, variables: Record<string, unknown> = {}): Promise<Outcome> {
  return request(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
}

/** "503 DATABASE_UNAVAILABLE: 93, 200: 7" */
function tally(outcomes: Outcome[]): string {
  if (!outcomes.length) return 'none';
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const key = o.status === 200 ? (o.code ? `200 with ${o.code}` : '200') : `${o.status || 'no answer'}${o.code ? ` ${o.code}` : ''}${(o.status === 503 || o.status === 429) && !o.retryAfter ? ' (no Retry-After!)' : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ');
}

const applied = (o: Outcome) => o.status === 200 && !o.code && o.text.includes('"applied":true');

// ---------------------------------------------------------------- databases

/** The demo database, built once into a template that each case copies. */
async function sqliteTemplate(dir: string): Promise<string> {
  const file = path.join(dir, 'template.sqlite');
  const dataSource = await createDataSource(`sqlite:${file}`).initialize();
  try {
    await migrate(dataSource);
    await seed(dataSource, { demo: true, print: () => undefined });
    await prepareStatistics(dataSource, () => undefined);
  } finally {
    await dataSource.destroy();
  }
  return file;
}

let copies = 0;
function copyOf(template: string): string {
  const file = path.join(path.dirname(template), `case-${(copies += 1)}.sqlite`);
  fs.copyFileSync(template, file);
  return `sqlite:${file}`;
}

interface SentWrite {
  comment: string;
  outcome: Outcome;
}

interface Durability {
  acknowledged: number;
  lost: number;
  halfWritten: number;
  /** Writes whose answer never came (connection refused or cut), and how many of them were stored. */
  unanswered: number;
  unansweredStored: number;
  rollups: string;
}

/** Acknowledged writes without their revision (lost), refused writes with one (half-written), rollups vs a recomputation. */
async function durabilityOf(databaseUrl: string, sent: SentWrite[]): Promise<Durability> {
  const dataSource = await createDataSource(databaseUrl).initialize();
  try {
    const rows: { comment: string }[] = await dataSource.query(`SELECT comment FROM observation_revision WHERE comment LIKE ?`, [`faults-${RUN}-%`]);
    const stored = new Set(rows.map((r) => r.comment));
    const acknowledged = sent.filter((s) => applied(s.outcome));
    // A write whose answer never came (connection cut) may or may not have committed: neither lost nor half-written.
    const refused = sent.filter((s) => s.outcome.status !== 0 && !applied(s.outcome));
    const differences = rollupDifferences(await recomputeRollups(dataSource.manager), await readRollupTable(dataSource.manager));
    return {
      acknowledged: acknowledged.length,
      lost: acknowledged.filter((s) => !stored.has(s.comment)).length,
      halfWritten: refused.filter((s) => stored.has(s.comment)).length,
      unanswered: sent.filter((s) => s.outcome.status === 0).length,
      unansweredStored: sent.filter((s) => s.outcome.status === 0 && stored.has(s.comment)).length,
      rollups: differences.length ? `${differences.length} differences` : 'equal',
    };
  } finally {
    await dataSource.destroy();
  }
}

async function communesOf(databaseUrl: string): Promise<string[]> {
  const dataSource = await createDataSource(databaseUrl).initialize();
  try {
    const rows: { code: string }[] = await dataSource.query(
      `SELECT u.code AS code FROM administrative_unit u JOIN unit_placement p ON p.unit_id = u.id AND p.valid_to IS NULL WHERE p.parent_id = (SELECT id FROM administrative_unit WHERE code = '20' AND valid_to IS NULL) AND u.level = 'COMMUNE' AND u.valid_to IS NULL ORDER BY u.code LIMIT 40`,
    );
    return rows.map((r) => r.code);
  } finally {
    await dataSource.destroy();
  }
}

/** One GE_NEWS_ITEM count per request, each a new value naming itself in its revision's comment. */
function newsWrite(commune: string, quarter: number, numerator: number, comment: string) {
  return { input: [{ indicator: 'GE_NEWS_ITEM', unit: commune, period: `2026Q${quarter}`, sex: 'TOTAL', numerator, denominator: 1, comment }] };
}

const readNews = (commune: string, quarter: number) => `{ observations(indicator: "GE_NEWS_ITEM", unit: "${commune}", periods: ["2026Q${quarter}"]) { edges { node { numerator } } } }`;

// ---------------------------------------------------------------- case: Redis killed and restarted empty

async function redisCase(template: string, options: ProcessOptions): Promise<string> {
  const databaseUrl = copyOf(template);
  const communes = await communesOf(databaseUrl);
  const redis = new PrivateRedis(await freePort());
  await redis.start();
  const hub = await startHub(databaseUrl, { REDIS_URL: redis.url, RATE_LIMIT_PER_MINUTE: '1000000000' });
  const until = Date.now() + options.loadSeconds * 1000;
  const sent: SentWrite[] = [];
  const reads: Outcome[] = [];
  let stale = 0;
  let checked = 0;
  const readyz: { at: 'before' | 'down' | 'after'; outcome: Outcome }[] = [];
  let phase: 'before' | 'down' | 'after' = 'before';
  // Each writer owns one row: after every acknowledged write it reads the row back through the
  // same query text (answered from the cache when exact), which must show that value.
  const writer = async (w: number) => {
    const commune = communes[w % communes.length];
    let last: number | null = null;
    for (let seq = 0; Date.now() < until; seq++) {
      const numerator = RUN_BASE + w * 100_000 + seq;
      const comment = `faults-${RUN}-redis-${w}-${seq}`;
      const outcome = await graphql(hub, admin, RECORD, newsWrite(commune, 1, numerator, comment));
      sent.push({ comment, outcome });
      if (applied(outcome)) last = numerator;
      const read = await graphql(hub, analyst, readNews(commune, 1));
      reads.push(read);
      if (read.status !== 200 || last === null) continue;
      checked += 1;
      if (!read.text.includes(`"numerator":${last}`)) stale += 1;
    }
  };
  const probe = async () => {
    while (Date.now() < until) {
      readyz.push({ at: phase, outcome: await request(`${hub.url}/readyz`) });
      await sleep(250);
    }
  };
  const outage = (async () => {
    await sleep((options.loadSeconds * 1000) / 4);
    print('redis: killing Redis (SIGKILL), 2 s down, then started empty');
    phase = 'down';
    await redis.kill();
    await sleep(2000);
    await redis.start();
    const back = performance.now();
    phase = 'after';
    for (;;) {
      const answer = await graphql(hub, analyst, '{ indicators { code } }');
      if (answer.status === 200) return performance.now() - back;
      await sleep(10);
    }
  })();
  await Promise.all([...Array.from({ length: 4 }, (_, w) => writer(w)), probe(), outage]);
  const recoveryMs = await outage;
  const alive = hub.child.exitCode === null;
  await stopHub(hub);
  await redis.kill();
  const durability = await durabilityOf(databaseUrl, sent);
  const probes = (at: 'before' | 'down' | 'after') => readyz.filter((p) => p.at === at).map((p) => p.outcome);
  const holds = alive && durability.lost === 0 && durability.halfWritten === 0 && stale === 0 && probes('down').some((o) => o.status === 503);
  return `## Redis killed and restarted empty under writes and cached reads: ${holds ? 'holds' : '**does not hold**'}

The built server with \`REDIS_URL\` on a private redis-server (no persistence). 4 writers, each on a
commune's GE_NEWS_ITEM 2026Q1 row of its own, write a new value and read the row back with the
same query text (answered from the response cache when exact), for ${options.loadSeconds} s; at a quarter of that
Redis gets SIGKILL, stays down 2 s and starts again with no keys (its version counters start from
zero). /readyz is asked every 250 ms.

| measure | result |
|---|---|
| writes | ${sent.length}: ${tally(sent.map((s) => s.outcome))} |
| read-backs | ${reads.length}: ${tally(reads)} |
| acknowledged writes (200, applied) | ${durability.acknowledged} |
| acknowledged writes lost (no revision with their comment) | ${durability.lost} |
| half-written (answered with an error, stored anyway) | ${durability.halfWritten} |
| read-backs after an acknowledged write that showed an older value (stale cache) | ${stale} of ${checked} |
| rollups vs a recomputation | ${durability.rollups} |
| /readyz before, while Redis was down, after | ${tally(probes('before'))}; ${tally(probes('down'))}; ${tally(probes('after'))} |
| from Redis accepting connections to the first read answered | ${Math.round(recoveryMs)} ms |
| the server process | ${alive ? 'kept running' : '**exited**'} |
`;
}

// ---------------------------------------------------------------- case: the rate limit on every route

async function rateLimitCase(template: string): Promise<string> {
  const LIMIT = 20;
  const OVER = 10;
  const redis = new PrivateRedis(await freePort());
  await redis.start();
  const rows: string[] = [];
  const durabilities: Durability[] = [];
  let alive = true;
  for (const shared of [false, true]) {
    const databaseUrl = copyOf(template);
    const communes = await communesOf(databaseUrl);
    const hub = await startHub(databaseUrl, { RATE_LIMIT_PER_MINUTE: String(LIMIT), ...(shared ? { REDIS_URL: redis.url } : {}) });
    const sent: SentWrite[] = [];
    const get = (path: string) => (token: string) => request(`${hub.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const routes: [string, (token: string, i: number) => Promise<Outcome>][] = [
      [
        'POST /graphql (recordObservations)',
        async (token, i) => {
          const comment = `faults-${RUN}-limit-${shared}-${i}`;
          const outcome = await graphql(hub, token, RECORD, newsWrite(communes[i % communes.length], 2, RUN_BASE + i, comment));
          sent.push({ comment, outcome });
          return outcome;
        },
      ],
      ['GET /export/observations.csv', get('/export/observations.csv?unit=06601')],
      ['GET /export/plan-report.docx', get('/export/plan-report.docx?plan=1&period=2026')],
      ['GET /sdmx/rest/dataflow', get('/sdmx/rest/dataflow/all/all/latest')],
      ['GET /sdmx/rest/data', get('/sdmx/rest/data/GENDER_STATISTICS/all?startPeriod=2026&endPeriod=2026')],
    ];
    for (const [name, ask] of routes) {
      // Each route its own subject, so each starts with the whole budget.
      const token = signToken({ sub: `faults-limit-${shared}-${name}`, unit: '20', role: Role.ADMIN }, SECRET, 3600);
      const outcomes = await Promise.all(Array.from({ length: LIMIT + OVER }, (_, i) => ask(token, i)));
      rows.push(`| ${shared ? 'Redis' : 'in memory'} | ${name} | ${tally(outcomes)} |`);
    }
    await sleep(500);
    alive &&= hub.child.exitCode === null && (await request(`${hub.url}/healthz`)).status === 200;
    await stopHub(hub);
    durabilities.push(await durabilityOf(databaseUrl, sent));
  }
  await redis.kill();
  const sum = (key: 'acknowledged' | 'lost' | 'halfWritten') => durabilities.reduce((n, d) => n + d[key], 0);
  const holds = alive && sum('lost') === 0 && sum('halfWritten') === 0 && rows.every((r) => / 429 LIMIT_EXCEEDED| 429 SDMX-ML error/.test(r) && !r.includes('no Retry-After') && !r.includes('no answer'));
  return `## The rate limit passed on every route: ${holds ? 'holds' : '**does not hold**'}

RATE_LIMIT_PER_MINUTE=${LIMIT}; ${LIMIT + OVER} requests at once per route, each route with a token subject of its own, first
with the limiter in memory, then shared through a private Redis (\`REDIS_URL\`). Before issue 24 the
SDMX and plan-report routes took the limit without \`await\`: over the limit (or with Redis down)
the process exited 1.

| limiter | route | what clients saw |
|---|---|---|
${rows.join('\n')}

| measure | result |
|---|---|
| acknowledged writes (200, applied) | ${sum('acknowledged')} |
| acknowledged writes lost | ${sum('lost')} |
| half-written (refused with 429, stored anyway) | ${sum('halfWritten')} |
| rollups vs a recomputation | ${durabilities.map((d) => d.rollups).join(', ')} |
| the server process | ${alive ? 'kept running, /healthz 200 after the last route' : '**exited**'} |
`;
}

// ---------------------------------------------------------------- case: SIGTERM while exports stream

interface Download {
  status: number;
  bytes: number;
  complete: boolean;
  error: string | null;
}

/** A GET read to its end, slowly when `pauseMs` is given (the client stops reading for that long after its first chunk). */
function download(hub: Hub, pathAndQuery: string, token: string, onFirstChunk: () => void = () => undefined): Promise<Download> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: hub.port, path: pathAndQuery, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      let first = true;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (!first) return;
        first = false;
        onFirstChunk();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, complete: res.complete, error: null }));
      res.on('error', (error) => resolve({ status: res.statusCode ?? 0, bytes, complete: false, error: error.message }));
    });
    req.on('error', (error) => resolve({ status: 0, bytes: 0, complete: false, error: (error as NodeJS.ErrnoException).code ?? error.message }));
  });
}

async function sigtermExportCase(template: string): Promise<string> {
  const EXPORTS = 4;
  const graceMs = 60_000;
  const hub = await startHub(copyOf(template), { SHUTDOWN_GRACE_MS: String(graceMs) });
  const national = signToken({ sub: 'faults-exporter', unit: 'VN', role: Role.ADMIN }, SECRET, 3600);
  const path = '/export/observations.csv?unit=VN&includeDescendants=true';
  const reference = await download(hub, path, national);
  let firstChunks = 0;
  let allStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (allStarted = resolve));
  const running = Array.from({ length: EXPORTS }, () =>
    download(hub, path, national, () => {
      firstChunks += 1;
      if (firstChunks === EXPORTS) allStarted();
    }),
  );
  await started;
  const signalled = performance.now();
  hub.child.kill('SIGTERM');
  // New connections: how soon after the signal they are refused (the drain has begun).
  let refusedAfterMs: number | null = null;
  while (hub.child.exitCode === null && refusedAfterMs === null) {
    const probe = await request(`${hub.url}/healthz`);
    if (probe.status === 0) refusedAfterMs = performance.now() - signalled;
    else await sleep(50);
  }
  const downloads = await Promise.all(running);
  const exitCode = await hub.exited;
  const exitMs = performance.now() - signalled;
  const whole = downloads.filter((d) => d.status === 200 && d.complete && d.bytes === reference.bytes).length;
  const holds = whole === EXPORTS && exitCode === 0 && refusedAfterMs !== null;
  return `## SIGTERM while exports stream, NODE_ENV=production: ${holds ? 'holds' : '**does not hold**'}

${EXPORTS} national CSV exports (\`/export/observations.csv?unit=VN&includeDescendants=true\`, ${(reference.bytes / 1e6).toFixed(1)} MB each, as a
download before the signal gave) are streaming when the server gets SIGTERM (SHUTDOWN_GRACE_MS=${graceMs}).
Before issue 24 Apollo's own handler re-sent the signal and the server exited 1 within seconds,
cutting the downloads.

| measure | result |
|---|---|
| downloads complete, byte for byte the size of the reference | ${whole} of ${EXPORTS} (${downloads.map((d) => `${d.status} ${d.bytes} B${d.error ? ` ${d.error}` : ''}`).join('; ')}) |
| new connections refused (asked every 50 ms) | ${refusedAfterMs === null ? '**never, before the exit**' : `from ${Math.round(refusedAfterMs)} ms after SIGTERM`} |
| exit code, time from SIGTERM to exit | ${exitCode}, ${Math.round(exitMs)} ms |
| acknowledged / lost / half-written | reads only: no writes |
`;
}

// ---------------------------------------------------------------- case: SIGTERM under writes

async function sigtermWritesCase(template: string, options: ProcessOptions): Promise<string> {
  const databaseUrl = copyOf(template);
  const communes = await communesOf(databaseUrl);
  const hub = await startHub(databaseUrl, { RATE_LIMIT_PER_MINUTE: '1000000000' });
  const sent: SentWrite[] = [];
  const afterSignal: Outcome[] = [];
  let signalledAt = 0;
  const stopAt = Date.now() + options.loadSeconds * 1000;
  // Writers keep sending until they have seen the server refuse (or the time is up).
  const writer = async (w: number) => {
    for (let seq = 0; Date.now() < stopAt; seq++) {
      const comment = `faults-${RUN}-term-${w}-${seq}`;
      const outcome = await graphql(hub, admin, RECORD, newsWrite(communes[(w * 10 + seq) % communes.length], 3, RUN_BASE + w * 100_000 + seq, comment));
      sent.push({ comment, outcome });
      if (signalledAt) afterSignal.push(outcome);
      if (signalledAt && outcome.status === 0) return;
    }
  };
  const signal = (async () => {
    await sleep(Math.min(5000, (options.loadSeconds * 1000) / 4));
    signalledAt = performance.now();
    hub.child.kill('SIGTERM');
    const code = await hub.exited;
    return { code, ms: performance.now() - signalledAt };
  })();
  await Promise.all([...Array.from({ length: 4 }, (_, w) => writer(w)), signal]);
  const exit = await signal;
  const durability = await durabilityOf(databaseUrl, sent);
  const holds = exit.code === 0 && durability.lost === 0 && durability.halfWritten === 0 && durability.rollups === 'equal';
  return `## SIGTERM under a stream of writes, NODE_ENV=production: ${holds ? 'holds' : '**does not hold**'}

4 writers send \`recordObservations\` (one GE_NEWS_ITEM count each, a new value with its own comment)
back to back; after ${Math.round(Math.min(5000, (options.loadSeconds * 1000) / 4) / 1000)} s the server gets SIGTERM. Each writer goes on until its
request gets no answer (the server has closed).

| measure | result |
|---|---|
| writes | ${sent.length}: ${tally(sent.map((s) => s.outcome))} |
| answers to writes sent after SIGTERM | ${tally(afterSignal)} |
| acknowledged writes (200, applied) | ${durability.acknowledged} |
| acknowledged writes lost (no revision with their comment) | ${durability.lost} |
| half-written (answered with an error, stored anyway) | ${durability.halfWritten} |
| no answer at all (connection refused or closed), of which stored | ${durability.unanswered}, ${durability.unansweredStored} |
| rollups vs a recomputation | ${durability.rollups} |
| exit code, time from SIGTERM to exit | ${exit.code}, ${Math.round(exit.ms)} ms |
`;
}

// ---------------------------------------------------------------- entry, called by faults.ts

export async function runProcessCases(cases: readonly ProcessCase[], options: ProcessOptions): Promise<Map<ProcessCase, string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bdg-faults-process-'));
  const sections = new Map<ProcessCase, string>();
  const run: Record<ProcessCase, (template: string) => Promise<string>> = {
    redis: (template) => redisCase(template, options),
    'rate-limit': (template) => rateLimitCase(template),
    'sigterm-export': (template) => sigtermExportCase(template),
    'sigterm-writes': (template) => sigtermWritesCase(template, options),
  };
  try {
    print('process faults: building the demo database (SQLite)');
    const template = await sqliteTemplate(dir);
    for (const name of cases) {
      print(`process faults: ${name}`);
      sections.set(name, await run[name](template));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return sections;
}
