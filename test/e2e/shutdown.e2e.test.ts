import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { signToken } from '../../server/auth/jwt';
import { Role } from '../../server/auth/role';
import { copyDatabase, openDataSource, testDatabases } from '../support/databases';
import { TEST_SECRET } from '../support/server';

/**
 * Graceful shutdown of the built server as an orchestrator stops it: SIGTERM while a request is in
 * flight (its body still arriving). The server stops accepting connections at once, finishes the
 * request (the write commits, with its audit entry), then exits 0.
 */
const ROOT = path.join(__dirname, '..', '..');
const ROW = { indicator: 'FEMALE_KEY_LEADER', unit: '0660101', period: '2026', sex: 'TOTAL', denominator: 1 };
const RECORD = 'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied accepted } }';
const SUBJECT = 'editor-during-shutdown';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
});

describe.each(testDatabases())('SIGTERM on $name', (db) => {
  let child: ChildProcess | undefined;
  let drop: () => Promise<void> = async () => undefined;

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await drop();
  });

  /** Starts `node dist/server/main.js` as a user or a container does; resolves with its port. */
  async function start(databaseUrl: string): Promise<{ port: number; exited: Promise<number | null>; output: () => string }> {
    const env = { ...process.env, DATABASE_URL: databaseUrl, JWT_SECRET: TEST_SECRET, PORT: '0', LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '20000' };
    const spawned = spawn(process.execPath, [path.join(ROOT, 'dist', 'server', 'main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    let output = '';
    spawned.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    spawned.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => spawned.once('exit', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not listen within 120 s:\n${output}`)), 120_000);
      spawned.stdout!.on('data', () => {
        const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      void exited.then((code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
    });
    return { port, exited, output: () => output };
  }

  async function storedNumerator(databaseUrl: string): Promise<number | null> {
    const dataSource: DataSource = await openDataSource(databaseUrl);
    try {
      const [stored] = await dataSource.query(
        `SELECT o.numerator FROM observation o JOIN administrative_unit u ON u.id = o.unit_id JOIN indicator i ON i.id = o.indicator_id WHERE u.code = ? AND u.valid_to IS NULL AND i.code = ? AND o.period = ? AND o.sex = 'TOTAL' AND o.disaggregation = ''`,
        [ROW.unit, ROW.indicator, ROW.period],
      );
      return stored ? Number(stored.numerator) : null;
    } finally {
      await dataSource.destroy();
    }
  }

  async function auditEntries(databaseUrl: string): Promise<number> {
    const dataSource: DataSource = await openDataSource(databaseUrl);
    try {
      const [audit] = await dataSource.query(`SELECT COUNT(*) AS n FROM audit_entry WHERE subject = ? AND succeeded = 1`, [SUBJECT]);
      return Number(audit.n);
    } finally {
      await dataSource.destroy();
    }
  }

  it('stops accepting, finishes the request in flight (committed and audited), then exits 0', async () => {
    const copy = await copyDatabase(db);
    drop = copy.drop;
    const numerator = (await storedNumerator(copy.url)) === 1 ? 0 : 1;
    const BODY = JSON.stringify({ query: RECORD, variables: { input: [{ ...ROW, numerator }] } });
    const server = await start(copy.url);
    const token = signToken({ sub: SUBJECT, unit: '06601', role: Role.EDITOR }, TEST_SECRET, 3600);

    // The request is in flight: headers and half of the body sent, the rest after SIGTERM.
    const request = http.request({ host: '127.0.0.1', port: server.port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY), authorization: `Bearer ${token}` } });
    const answer = new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      request.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, connection: response.headers.connection }));
      });
      request.on('error', reject);
    });
    request.write(BODY.slice(0, 40));
    await sleep(300);

    child!.kill('SIGTERM');
    await sleep(500);
    // No new connection once SIGTERM has arrived; the process still runs for the request in flight.
    await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
    expect(child!.exitCode).toBeNull();

    request.end(BODY.slice(40));
    const response = await answer;
    expect({ status: response.status, data: JSON.parse(response.body).data }).toEqual({ status: 200, data: { recordObservations: { applied: true, accepted: 1 } } });
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/"stopped"/);

    expect(await storedNumerator(copy.url)).toBe(numerator);
    expect(await auditEntries(copy.url)).toBe(1);
  });
});
