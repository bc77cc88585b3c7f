import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { copyDatabase, testDatabases } from '../support/databases';
import { startTestServer, TEST_SECRET, TestServer } from '../support/server';

/**
 * The low items of issue 23: a token with a future `iat`, `units(search:)` with a huge text or
 * with `%` and `_`, invisible characters in an observation's source and comment, persisted queries
 * telling one client what another sent, `x-cache: miss` on mutations, and the address the server
 * listens on with the published default secret.
 */
const ROOT = path.join(__dirname, '..', '..');
const DAY = 24 * 3600;

describe.each(testDatabases())('low items on $name', (db) => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    admin = server.token('VN', 'ADMIN');
  }, 120_000);
  afterAll(() => server?.close());

  const post = async (body: unknown, token: string) => {
    const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return { status: response.status, cache: response.headers.get('x-cache'), body: (await response.json()) as { data?: any; errors?: { extensions?: Record<string, any> }[] } };
  };

  it('a token issued "in the future" never outlives MAX_TOKEN_DAYS: its lifetime counts from now', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (iat: number, exp: number) => jwt.sign({ unit: 'VN', role: 'ADMIN', iat, exp }, TEST_SECRET, { algorithm: 'HS256', subject: 'future@VN' });
    // 29 days from its claimed issue, but that issue lies 300 days ahead: valid for 329 days from now.
    const future = await post({ query: '{ me { role } }' }, sign(now + 300 * DAY, now + 329 * DAY));
    expect(future.status).toBe(401);
    expect(future.body.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    // A clock a few minutes ahead is harmless: within the maximum from now, it passes.
    expect((await post({ query: '{ me { role } }' }, sign(now + 300, now + 10 * DAY))).body.data).toEqual({ me: { role: 'ADMIN' } });
  });

  it('units(search:) refuses 100,000 characters as BAD_USER_INPUT and matches % and _ literally', async () => {
    const search = (s: string) => post({ query: 'query($s: String) { units(search: $s, first: 5) { totalCount edges { node { code } } } }', variables: { s } }, admin);
    const huge = await search('a'.repeat(100_000));
    expect(huge.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'search' });
    expect((await search('%')).body.data.units.totalCount).toBe(0);
    expect((await search('_')).body.data.units.totalCount).toBe(0);
    // A name holding the characters themselves is found by them, and only by them.
    await server.dataSource.query(`UPDATE administrative_unit SET search_name = 'xa loi bac 50%_a' WHERE code = '06601' AND valid_to IS NULL`);
    expect((await search('0%_a')).body.data.units.edges).toEqual([{ node: { code: '06601' } }]);
    expect((await search('0_%a')).body.data.units.totalCount).toBe(0);
    expect((await search('50x_a')).body.data.units.totalCount).toBe(0);
  });

  it('an observation’s source and comment lose bidi controls, zero-width and control characters, as plan text does', async () => {
    const editor = server.token('06601', 'EDITOR', 'bidi@06601');
    const row = { indicator: 'GE_CONFERENCE', unit: '06601', period: '2047', sex: 'TOTAL', numerator: 2, source: '\u202ESở Nội\u200B vụ\u0007\u2066', comment: 'Đã\u200D kiểm\u0000 tra\u202C' };
    const recorded = await post({ query: 'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied } }', variables: { input: [row] } }, editor);
    expect(recorded.body.data.recordObservations.applied).toBe(true);
    const read = await post({ query: '{ observations(indicator: "GE_CONFERENCE", unit: "06601", periods: ["2047"]) { edges { node { id source history { comment } } } } }' }, editor);
    const node = read.body.data.observations.edges[0].node;
    expect(node.source).toBe('Sở Nội vụ');
    expect(node.history[0].comment).toBe('Đã kiểm tra');
    const submitted = await post({ query: 'mutation($ids: [ID!]!) { submitObservations(ids: $ids, comment: "gửi\\u200B đi\\u202E") { history { comment } } }', variables: { ids: [node.id] } }, editor);
    expect(submitted.body.data.submitObservations[0].history[1].comment).toBe('gửi đi');
  });

  it('persisted queries are per token subject: a hash-only request tells nothing of what another client sent', async () => {
    const query = `{ me { subject } } # ${db.name} apq`;
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    const [alice, bob] = [server.token('20', 'ANALYST', 'alice@20'), server.token('20', 'ANALYST', 'bob@20')];
    expect((await post({ query, extensions: { persistedQuery } }, alice)).body.data).toEqual({ me: { subject: 'alice@20' } });
    expect((await post({ extensions: { persistedQuery } }, alice)).body.data).toEqual({ me: { subject: 'alice@20' } });
    // Bob learns nothing: the hash is as unknown to him as one nobody ever sent.
    const theirs = await post({ extensions: { persistedQuery } }, bob);
    const nobodys = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }, bob);
    expect(theirs.body.errors![0].extensions!.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect({ status: theirs.status, body: theirs.body }).toEqual({ status: nobodys.status, body: nobodys.body });
    // The same person, whatever the case of the subject.
    expect((await post({ extensions: { persistedQuery } }, server.token('20', 'ANALYST', 'Alice@20'))).body.data).toEqual({ me: { subject: 'Alice@20' } });
  });

  it('only cacheable queries carry x-cache: a mutation never says miss', async () => {
    const query = { query: `{ me { role } } # ${db.name} x-cache` };
    expect((await post(query, admin)).cache).toBe('miss');
    expect((await post(query, admin)).cache).toBe('hit');
    const row = { indicator: 'GE_CONFERENCE', unit: '06601', period: '2048', sex: 'TOTAL', numerator: 1 };
    const mutation = await post({ query: 'mutation($input: [ObservationInput!]!) { recordObservations(input: $input, dryRun: true) { accepted } }', variables: { input: [row] } }, admin);
    expect(mutation.body).toMatchObject({ data: { recordObservations: { accepted: 1 } } });
    expect(mutation.body.errors).toBeUndefined();
    expect(mutation.cache).toBeNull();
  });
});

describe('HOST', () => {
  const main = path.join(ROOT, 'dist', 'server', 'main.js');
  let url: string;
  let drop: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stdout}\n${built.stderr}`);
    ({ url, drop } = await copyDatabase(testDatabases()[0]));
  }, 300_000);
  afterAll(() => drop());

  /** A user's environment: no JWT_SECRET unless given, NODE_ENV as a developer has it. */
  const environment = (extra: Record<string, string>) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'development', ...extra };
    if (!extra.JWT_SECRET) delete env.JWT_SECRET;
    return env;
  };

  it('with the published default secret, refuses any address but this machine’s, with one clear line and exit code 1', () => {
    const ran = spawnSync(process.execPath, [main], { cwd: ROOT, env: environment({ HOST: '0.0.0.0' }), encoding: 'utf8', timeout: 60_000 });
    expect(ran.status).toBe(1);
    const lines = `${ran.stdout}${ran.stderr}`.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/HOST=0\.0\.0\.0 refused: with the published default JWT secret .* set JWT_SECRET/);
  });

  it('listens on 127.0.0.1 by default, and on the address given once the secret is the deployment’s own', async () => {
    const listen = async (extra: Record<string, string>) => {
      const child = spawn(process.execPath, [main], { cwd: ROOT, env: environment(extra), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line within 120 s:\n${output}`)), 120_000);
        child.stdout!.on('data', () => {
          const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
      });
      return { child, port };
    };
    const reachable = async (host: string, port: number) => {
      try {
        return (await fetch(`http://${host}:${port}/healthz`, { signal: AbortSignal.timeout(3000) })).status === 200;
      } catch {
        return false;
      }
    };
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    const byDefault = await listen({});
    try {
      expect(await reachable('127.0.0.1', byDefault.port)).toBe(true);
      if (external) expect(await reachable(external, byDefault.port)).toBe(false);
    } finally {
      byDefault.child.kill('SIGKILL');
    }
    const everywhere = await listen({ HOST: '0.0.0.0', JWT_SECRET: 'a-deployment-secret-of-its-own' });
    try {
      expect(await reachable('127.0.0.1', everywhere.port)).toBe(true);
      if (external) expect(await reachable(external, everywhere.port)).toBe(true);
    } finally {
      everywhere.child.kill('SIGKILL');
    }
  }, 300_000);
});
