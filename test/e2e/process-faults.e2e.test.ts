import net from 'node:net';
import Redis from 'ioredis';
import { buildOnce, ChildServer, startChildServer } from '../support/child-server';
import { copyDatabase, testDatabases } from '../support/databases';
import { testToken } from '../support/instances';
import { PrivateRedis } from '../support/private-redis';
import { startTestServer, TestServer } from '../support/server';

/**
 * Issue 24: no single request ends the process, and faults answer what they are. The built server
 * runs as deployed (a child process, NODE_ENV=production) with REDIS_URL on a private redis-server
 * that the tests kill and restart empty: the rate limit exceeded on every route, Redis away (every
 * route 503 with Retry-After, SDMX in SDMX-ML; /readyz 503), Redis restarted without its keys (no
 * cached answer older than an acknowledged write). In process: SDMX with the database away, and a
 * request body sent too slowly (408, connection closed).
 */
const SDMX_DATA = '/sdmx/rest/data/GENDER_STATISTICS/all?startPeriod=2026&endPeriod=2026';
const SDMX_STRUCTURE = '/sdmx/rest/dataflow/all/all/latest';
const RECORD = 'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied } }';
/** A count of a commune, so every write can give it a new value. */
const NEWS = (numerator: number) => ({ input: [{ indicator: 'GE_NEWS_ITEM', unit: '06601', period: '2026Q1', sex: 'TOTAL', numerator, denominator: 1 }] });
const READ_NEWS = '{ observations(indicator: "GE_NEWS_ITEM", unit: "06601", periods: ["2026Q1"]) { edges { node { numerator } } } }';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  retryAfter: string | null;
  contentType: string;
  cache: string | null;
  text: string;
}

async function get(url: string, token: string | null, accept?: string): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (accept) headers.accept = accept;
  return answerOf(await fetch(url, { headers }));
}

async function graphql(base: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  return answerOf(await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) }));
}

async function answerOf(response: Response): Promise<Answer> {
  return { status: response.status, retryAfter: response.headers.get('retry-after'), contentType: response.headers.get('content-type') ?? '', cache: response.headers.get('x-cache'), text: await response.text() };
}

const codeOf = (answer: Answer) => (JSON.parse(answer.text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code ?? null;

/** A 503 a client retries: Retry-After, and the route's own error format. */
function expectRetryable(answer: Answer, format: 'json' | 'sdmx'): void {
  expect({ status: answer.status, retryAfter: Number(answer.retryAfter) > 0 }).toEqual({ status: 503, retryAfter: true });
  if (format === 'sdmx') {
    expect(answer.contentType).toMatch(/^application\/xml/);
    expect(answer.text).toMatch(/<message:ErrorMessage code="503">/);
  } else expect(['DATABASE_UNAVAILABLE', 'DATABASE_BUSY']).toContain(codeOf(answer));
}

beforeAll(() => buildOnce());

describe.each(testDatabases())('faults around the built server on $name, NODE_ENV=production, REDIS_URL on a private Redis', (db) => {
  let redis: PrivateRedis;
  const servers: ChildServer[] = [];
  const drops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    redis = await PrivateRedis.start();
  });
  afterAll(async () => {
    for (const server of servers) await server.kill();
    for (const drop of drops) await drop();
    await redis?.kill();
  });

  async function start(env: Record<string, string> = {}): Promise<ChildServer> {
    const copy = await copyDatabase(db);
    drops.push(copy.drop);
    const server = await startChildServer(copy.url, { REDIS_URL: redis.url, LOG_LEVEL: 'warn', ...env });
    servers.push(server);
    return server;
  }

  /** Still serving, a moment after the request that used to end it. */
  async function expectAlive(server: ChildServer): Promise<void> {
    await sleep(500);
    expect(server.child.exitCode).toBeNull();
    expect((await get(`${server.url}/healthz`, null)).status).toBe(200);
  }

  it('answers 429 with Retry-After on every route once the rate limit is passed, and keeps running', async () => {
    const hub = await start({ RATE_LIMIT_PER_MINUTE: '2' });
    const routes: [string, (token: string) => Promise<Answer>][] = [
      ['graphql', (token) => graphql(hub.url, token, '{ me { role } }')],
      ['export', (token) => get(`${hub.url}/export/observations.csv?unit=06601`, token)],
      ['plan-report', (token) => get(`${hub.url}/export/plan-report.docx?plan=1&period=2026`, token)],
      ['sdmx-structure', (token) => get(`${hub.url}${SDMX_STRUCTURE}`, token)],
      ['sdmx-data', (token) => get(`${hub.url}${SDMX_DATA}`, token)],
    ];
    for (const [name, ask] of routes) {
      // A subject of its own per route: each starts with its full budget of 2 a minute.
      const token = testToken('06601', 'ANALYST', `limited-${name}@06601`);
      const answers = [await ask(token), await ask(token), await ask(token)];
      expect([name, answers.map((a) => a.status !== 429), answers[2].status, Number(answers[2].retryAfter) > 0]).toEqual([name, [true, true, false], 429, true]);
      await expectAlive(hub);
    }
  });

  it('never serves a cached answer older than an acknowledged write after Redis restarted empty', async () => {
    const hub = await start();
    const admin = testToken('20', 'ADMIN', 'cache-writer@20');
    const analyst = testToken('20', 'ANALYST', 'cache-reader@20');
    const base = (Date.now() % 100_000) * 100;
    expect(codeOf(await graphql(hub.url, admin, RECORD, NEWS(base)))).toBeNull();
    const first = await graphql(hub.url, analyst, READ_NEWS);
    expect([first.cache, (await graphql(hub.url, analyst, READ_NEWS)).cache]).toEqual(['miss', 'hit']);
    expect(first.text).toContain(`"numerator":${base}`);

    // As many writes after the restart as before it: the counter in Redis is back where it was.
    const client = new Redis(redis.url);
    const keys = await client.keys('*version:data');
    const writesBefore = Number(await client.get(keys[0]));
    client.disconnect();
    expect(writesBefore).toBeGreaterThan(0);
    await redis.restart();

    let last = base;
    for (let write = 1; write <= writesBefore; write++) {
      last = base + write;
      let answer = await graphql(hub.url, admin, RECORD, NEWS(last));
      // ioredis reconnects with a backoff of its own; a 503 wrote nothing.
      for (let attempt = 0; attempt < 40 && answer.status === 503; attempt++) {
        await sleep(250);
        answer = await graphql(hub.url, admin, RECORD, NEWS(last));
      }
      expect([answer.status, codeOf(answer)]).toEqual([200, null]);
    }
    const after = await graphql(hub.url, analyst, READ_NEWS);
    expect({ cache: after.cache, value: after.text.includes(`"numerator":${last}`) }).toEqual({ cache: 'miss', value: true });
  });

  it('with Redis down: /readyz 503, every route 503 with Retry-After (SDMX in SDMX-ML), no exit; all well again once Redis is back', async () => {
    const hub = await start();
    const analyst = testToken('06601', 'ANALYST', 'outage-reader@06601');
    expect((await get(`${hub.url}/readyz`, null)).status).toBe(200);
    expect((await get(`${hub.url}${SDMX_STRUCTURE}`, analyst)).status).toBe(200);

    await redis.kill();
    const ready = await get(`${hub.url}/readyz`, null);
    expect([ready.status, ready.text, Number(ready.retryAfter) > 0]).toEqual([503, JSON.stringify({ status: 'redis unavailable' }), true]);
    expectRetryable(await graphql(hub.url, analyst, '{ me { role } }'), 'json');
    expectRetryable(await get(`${hub.url}/export/observations.csv?unit=06601`, analyst), 'json');
    expectRetryable(await get(`${hub.url}/export/plan-report.docx?plan=1&period=2026`, analyst), 'json');
    expectRetryable(await get(`${hub.url}${SDMX_STRUCTURE}`, analyst), 'sdmx');
    expectRetryable(await get(`${hub.url}${SDMX_DATA}`, analyst), 'sdmx');
    await expectAlive(hub);

    await redis.restart();
    let back = await get(`${hub.url}/readyz`, null);
    for (let attempt = 0; attempt < 40 && back.status !== 200; attempt++) {
      await sleep(250);
      back = await get(`${hub.url}/readyz`, null);
    }
    expect(back.status).toBe(200);
    expect((await get(`${hub.url}${SDMX_STRUCTURE}`, analyst)).status).toBe(200);
  });
});

describe.each(testDatabases())('faults inside one request on $name', (db) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(db, { REQUEST_TIMEOUT_MS: '2000' });
  });
  afterAll(() => server?.close());

  it('answers SDMX with 503, Retry-After and an SDMX-ML message while the database is away', async () => {
    const analyst = server.token('06601', 'ANALYST');
    expect((await get(`${server.url}${SDMX_STRUCTURE}`, analyst)).status).toBe(200);
    await server.dataSource.destroy();
    try {
      expectRetryable(await get(`${server.url}${SDMX_STRUCTURE}`, analyst), 'sdmx');
      expectRetryable(await get(`${server.url}${SDMX_DATA}`, analyst), 'sdmx');
    } finally {
      await server.dataSource.initialize();
    }
  });

  it('answers a body sent too slowly with 408 REQUEST_TIMEOUT and closes its connection at once', async () => {
    const token = server.token('06601', 'EDITOR');
    const body = JSON.stringify({ query: RECORD, variables: NEWS(1) });
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    const sent = Date.now();
    socket.write(`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${token}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', () => undefined);
    // The body half of the deadline (2 s) allows: 1 s; the socket must not wait for Node's 300 s.
    const closedAfter = await new Promise<number>((resolve) => {
      const giveUp = setTimeout(() => (socket.destroy(), resolve(Infinity)), 5000);
      socket.once('close', () => (clearTimeout(giveUp), resolve(Date.now() - sent)));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer).toContain('"code":"REQUEST_TIMEOUT"');
    expect(closedAfter).toBeLessThan(1900);
  });
});
