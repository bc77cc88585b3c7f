import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { signToken } from '../server/auth/jwt';
import { Role } from '../server/auth/role';
import { createDataSource } from '../server/data-source';
import { hasUnits, migrate, prepareStatistics, seed } from '../server/setup/database-setup';
import { codeVersion } from './machine';

/**
 * The heavy-query case of `npm run bench:faults` (issue 23, acceptance 3), on SQLite and on the
 * bench's MariaDB: for `seconds`, HEAVY_CLIENTS clients send, one after another, the heaviest query
 * the cost limits accept for a Hải Phòng (31) ANALYST (as many aliases of the province's count over
 * its subtree as the cost allows), while another tenant (Lạng Sơn, 20) sends `{ me { role } }` and
 * /healthz in turn, one at a time. The built server runs as deployed, with REQUEST_TIMEOUT_MS
 * DEADLINE_MS. Gives the section of FAULTS.md.
 */
const SECRET = 'bench-faults-heavy-secret';
const DEADLINE_MS = 2000;
const HEAVY_CLIENTS = 4;
const COUNT = 'observations(unit: "31", includeDescendants: true, first: 1) { totalCount }';
const SQLITE_FILE = '/tmp/bdg-faults-heavy/demo.sqlite';

interface Outcome {
  status: number;
  code: string | null;
  ms: number;
}

interface HeavyResult {
  database: string;
  aliases: number;
  cost: number;
  heavy: Outcome[];
  me: Outcome[];
  healthz: Outcome[];
  /** The same probes with the server idle, for comparison. */
  idle: Outcome[];
}

let sent = 0;

async function send(url: string, token: string | null, query?: string): Promise<Outcome & { body: Record<string, any> }> {
  const started = performance.now();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    // A numbered comment: no answer comes from the response cache.
    const response = await fetch(url, query ? { method: 'POST', headers, body: JSON.stringify({ query: `${query} # heavy-${(sent += 1)}` }) } : { headers });
    const body = (await response.json()) as Record<string, any>;
    return { status: response.status, code: body.errors?.[0]?.extensions?.code ?? null, ms: performance.now() - started, body };
  } catch (error) {
    return { status: 0, code: (error as Error).name, ms: performance.now() - started, body: {} };
  }
}

async function startServer(databaseUrl: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const env = { ...process.env, NODE_ENV: 'production', DATABASE_URL: databaseUrl, JWT_SECRET: SECRET, PORT: '0', LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '1000000000', REQUEST_TIMEOUT_MS: String(DEADLINE_MS) };
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

/** The embedded demo database, built once and kept between runs. */
async function sqliteDemo(print: (line: string) => void): Promise<string> {
  const url = `sqlite:${SQLITE_FILE}`;
  fs.mkdirSync(path.dirname(SQLITE_FILE), { recursive: true });
  const dataSource = await createDataSource(url).initialize();
  try {
    await migrate(dataSource);
    if (!(await hasUnits(dataSource))) await seed(dataSource, { demo: true, print });
    await prepareStatistics(dataSource, print);
  } finally {
    await dataSource.destroy();
  }
  return url;
}

async function probeLoop(url: string, token: string, until: () => boolean, me: Outcome[], healthz: Outcome[]): Promise<void> {
  while (!until()) {
    me.push(await send(`${url}/graphql`, token, '{ me { role } }'));
    healthz.push(await send(`${url}/healthz`, null));
  }
}

async function measure(database: string, databaseUrl: string, seconds: number): Promise<HeavyResult> {
  const server = await startServer(databaseUrl);
  try {
    const analyst = signToken({ sub: 'heavy@31', unit: '31', role: Role.ANALYST }, SECRET, 3600);
    const other = signToken({ sub: 'other@20', unit: '20', role: Role.ANALYST }, SECRET, 3600);
    const one = await send(`${server.url}/graphql`, analyst, `{ ${COUNT} }`);
    const cost = Number(one.body.extensions?.cost?.cost);
    const aliases = Math.min(100, Math.floor(Number(one.body.extensions?.cost?.maximum) / cost));
    const heavyQuery = `{ ${Array.from({ length: aliases }, (_, i) => `a${i}: ${COUNT}`).join(' ')} }`;
    const idle: Outcome[] = [];
    const idleEnd = Date.now() + 3000;
    await probeLoop(server.url, other, () => Date.now() > idleEnd, idle, idle);
    const heavy: Outcome[] = [];
    const me: Outcome[] = [];
    const healthz: Outcome[] = [];
    const end = Date.now() + seconds * 1000;
    const clients = Array.from({ length: HEAVY_CLIENTS }, async () => {
      while (Date.now() < end) heavy.push(await send(`${server.url}/graphql`, analyst, heavyQuery));
    });
    let done = false;
    const probes = probeLoop(server.url, other, () => done, me, healthz);
    await Promise.all(clients);
    done = true;
    await probes;
    return { database, aliases, cost: cost * aliases, heavy, me, healthz, idle };
  } finally {
    await server.stop();
  }
}

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a');

function tally(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(`${o.status || 'no answer'}${o.code ? ` ${o.code}` : ''}`, (counts.get(`${o.status || 'no answer'}${o.code ? ` ${o.code}` : ''}`) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ');
}

function row(result: HeavyResult): string {
  const heavyMs = result.heavy.map((o) => o.ms);
  const meMs = result.me.map((o) => o.ms);
  const healthMs = result.healthz.map((o) => o.ms);
  const idleMs = result.idle.map((o) => o.ms);
  return `| ${result.database} | ${result.aliases} aliases, cost ${result.cost.toLocaleString('en')}; ${result.heavy.length}: ${tally(result.heavy)}; max ${ms(Math.max(...heavyMs))} | ${result.me.length}: ${tally(result.me)}; p50 ${ms(percentile(meMs, 50))}, p99 ${ms(percentile(meMs, 99))}, max ${ms(Math.max(...meMs))} | ${result.healthz.length}: ${tally(result.healthz)}; p50 ${ms(percentile(healthMs, 50))}, p99 ${ms(percentile(healthMs, 99))} | p50 ${ms(percentile(idleMs, 50))}, p99 ${ms(percentile(idleMs, 99))} |`;
}

function holds(result: HeavyResult): boolean {
  const probes = [...result.me, ...result.healthz];
  return probes.every((o) => o.status === 200 && !o.code && o.ms <= DEADLINE_MS) && result.heavy.every((o) => (o.status === 200 && !o.code) || (o.status === 503 && o.code === 'DATABASE_BUSY'));
}

/** Runs the case on SQLite and on `mysqlUrl` (the bench's MariaDB, seeded with the demo data); gives its section of FAULTS.md. */
export async function heavyQueryCase(mysqlUrl: string, seconds: number, print: (line: string) => void): Promise<string> {
  const results = [await measure('SQLite (embedded)', await sqliteDemo(print), seconds), await measure('MariaDB', mysqlUrl, seconds)];
  for (const result of results) print(`heavy query on ${result.database}: ${holds(result) ? 'holds' : 'does not hold'}`);
  return `## 4. The heaviest accepted query in a loop (issue 23)

Run ${new Date().toISOString()}, code ${codeVersion().commit}${codeVersion().uncommitted.length ? ` (uncommitted: ${codeVersion().uncommitted.join(', ')})` : ''}.
For ${seconds} s, ${HEAVY_CLIENTS} clients send, one request after another, the heaviest query the cost limits accept for a
Hải Phòng (31) ANALYST: as many aliases of \`observations(unit: "31", includeDescendants: true, first: 1) { totalCount }\`
as the cost allows. Meanwhile another tenant (a Lạng Sơn ANALYST) sends \`{ me { role } }\` and /healthz in turn, one at
a time. The built server runs with NODE_ENV=production and REQUEST_TIMEOUT_MS ${DEADLINE_MS}; every request's text is unique.
Holds when every probe is answered 200 within the deadline and every heavy request ends 200 or 503 DATABASE_BUSY:
${results.map((r) => `${r.database} ${holds(r) ? 'holds' : '**does not hold**'}`).join('; ')}.

| database | heavy requests (answered) | other tenant's \`{ me { role } }\` | /healthz | the same probes, server idle |
|---|---|---|---|---|
${results.map(row).join('\n')}
`;
}

