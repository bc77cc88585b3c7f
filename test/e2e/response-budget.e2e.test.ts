import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { signToken } from '../../server/auth/jwt';
import { Role } from '../../server/auth/role';
import { copyDatabase, openDataSource, testDatabases } from '../support/databases';
import { TEST_SECRET } from '../support/server';

/**
 * The response-size limit holds while the answer is built (issue 23): twelve aliases of a plan's
 * `history` after big updates took the process from 636 MiB to 2.2 GiB before the limit refused
 * the finished answer. The built server runs in a child process, as deployed (NODE_ENV=production);
 * its resident memory is sampled from /proc while the request runs.
 */
const ROOT = path.join(__dirname, '..', '..');
/** History rows written straight into the table, as big updates made before the input limits left them; a value fits a MariaDB TEXT. */
const REVISIONS = 300;
const VALUE_CHARS = 30_000;
const ALIASES = 12;
const MIB = 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) * 1024;
}

beforeAll(() => {
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stdout}\n${built.stderr}`);
}, 300_000);

describe.each(testDatabases())('the response-size limit while the answer is built, on $name', (db) => {
  let child: ChildProcess | undefined;
  let drop: () => Promise<void> = async () => undefined;
  let port: number;
  let planId: number;

  beforeAll(async () => {
    const copy = await copyDatabase(db);
    drop = copy.drop;
    const dataSource = await openDataSource(copy.url);
    try {
      [{ id: planId }] = await dataSource.query(`SELECT id FROM plan ORDER BY id LIMIT 1`);
      const [{ unitId }] = await dataSource.query(`SELECT unit_id AS unitId FROM plan WHERE id = ?`, [planId]);
      const value = JSON.stringify('Kế hoạch '.padEnd(VALUE_CHARS - 2, 'x'));
      for (let done = 0; done < REVISIONS; done += 10) {
        const rows = Array.from({ length: 10 }, (_, i) => [unitId, planId, `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`, 'big-updater@VN', 'updatePlan', 'Plan', planId, 'title', value, value]);
        await dataSource.query(`INSERT INTO plan_revision (unit_id, plan_id, changed_at, changed_by, action, entity_type, entity_id, field, old_value, new_value) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`, rows.flat());
      }
    } finally {
      await dataSource.destroy();
    }
    const env = { ...process.env, DATABASE_URL: copy.url, JWT_SECRET: TEST_SECRET, PORT: '0', LOG_LEVEL: 'warn', NODE_ENV: 'production' };
    const spawned = spawn(process.execPath, [path.join(ROOT, 'dist', 'server', 'main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    let output = '';
    spawned.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not listen within 120 s:\n${output}`)), 120_000);
      spawned.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
        if (!match) return;
        clearTimeout(timer);
        resolve(Number(match[1]));
      });
      spawned.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
    });
  }, 300_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await drop();
  });

  const token = signToken({ sub: 'history-reader@VN', unit: 'VN', role: Role.ADMIN }, TEST_SECRET, 3600);
  const ask = async (query: string) => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables: { id: `Plan:${planId}` } }) });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] } };
  };

  it(`refuses ${ALIASES} aliases of a long history before memory grows (less than 100 MB)`, async () => {
    // Warm: the schema, the statements, the history read once (about 17 MiB of values).
    const single = await ask(`query($id: ID!) { plan(id: $id) { history { id } } }`);
    expect(single.body.data.plan.history.length).toBeGreaterThanOrEqual(REVISIONS);
    await sleep(500);
    const pid = child!.pid as number;
    const before = residentBytes(pid);
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, residentBytes(pid));
        await sleep(5);
      }
    })();
    const fields = 'id changedAt changedBy action entityType entityId field oldValue newValue reason';
    const aliases = Array.from({ length: ALIASES }, (_, i) => `h${i}: plan(id: $id) { history { ${fields} } }`).join(' ');
    const answer = await ask(`query($id: ID!) { ${aliases} }`);
    sampling = false;
    await sampler;
    const growth = peak - before;
    console.log(`${db.name}: ${ALIASES} aliases of a ${REVISIONS}-revision history: RSS ${Math.round(before / MIB)} → peak ${Math.round(peak / MIB)} MiB (+${Math.round(growth / MIB)} MiB), HTTP ${answer.status}`);
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors).toHaveLength(1);
    expect(answer.body.errors![0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'responseBytes', maximum: 16 * MIB });
    expect(growth).toBeLessThan(100 * 1000 * 1000);
    // The server is fine afterwards.
    expect((await ask(`query($id: ID!) { plan(id: $id) { id } }`)).body.data.plan.id).toBe(`Plan:${planId}`);
  }, 120_000);
});
