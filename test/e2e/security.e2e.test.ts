import jwt from 'jsonwebtoken';
import { StatementCounter } from '../../server/core/query-counter';
import { testDatabases } from '../support/databases';
import { startTestServer, TEST_SECRET, TestServer } from '../support/server';

describe.each(testDatabases())('tokens, limits and error hygiene on $name', (db) => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    admin = server.token('VN', 'ADMIN');
  });
  afterAll(() => server?.close());

  const ME = '{ me { role } }';
  const expectUnauthenticated = async (token: string) => {
    const result = await server.gql(ME, {}, token);
    expect(result.status).toBe(401);
    expect(result.data).toBeUndefined();
    expect(result.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  };

  it('accepts a valid token', async () => {
    expect((await server.gql(ME, {}, admin)).data).toEqual({ me: { role: 'ADMIN' } });
  });

  it('refuses forged, expired, alg:none and wrong-secret tokens', async () => {
    const claims = { sub: 'x', unit: 'VN', role: 'ADMIN' };
    const [header, payload] = admin.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), unit: '20' })).toString('base64url');
    await expectUnauthenticated(`${header}.${forgedPayload}.${admin.split('.')[2]}`);
    await expectUnauthenticated(jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, TEST_SECRET, { algorithm: 'HS256' }));
    await expectUnauthenticated(jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) + 60 }, '', { algorithm: 'none' }));
    await expectUnauthenticated(jwt.sign(claims, 'another-secret', { algorithm: 'HS256', expiresIn: 60 }));
    await expectUnauthenticated(jwt.sign(claims, TEST_SECRET, { algorithm: 'HS384', expiresIn: 60 }));
    await expectUnauthenticated(jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256' })); // no expiry
    await expectUnauthenticated(jwt.sign({ ...claims, role: 'GOD' }, TEST_SECRET, { algorithm: 'HS256', expiresIn: 60 }));
  });

  it('refuses a token whose unit was dissolved or never existed', async () => {
    await expectUnauthenticated(server.token('313', 'ADMIN')); // huyện An Lão, dissolved 2025-06-30
    await expectUnauthenticated(server.token('99999', 'ANALYST'));
  });

  it('counts the SQL statements of an accepted query (the control for the zero counts below)', async () => {
    const before = StatementCounter.count;
    expect((await server.gql(`{ unit(code: "VN") { children { code } } }`, {}, admin)).errors).toBeUndefined();
    expect(StatementCounter.count - before).toBeGreaterThan(0);
  });

  it('refuses a token valid for longer than MAX_TOKEN_DAYS (30 by default), and accepts one of 30 days', async () => {
    const claims = { unit: 'VN', role: 'ADMIN' };
    await expectUnauthenticated(jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256', subject: 'x', expiresIn: '100y' }));
    await expectUnauthenticated(jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256', subject: 'x', expiresIn: 31 * 86400 }));
    await expectUnauthenticated(jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) + 40 * 86400 }, TEST_SECRET, { algorithm: 'HS256', subject: 'x', noTimestamp: true }));
    const month = jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256', subject: 'x', expiresIn: 30 * 86400 });
    expect((await server.gql(ME, {}, month)).data).toEqual({ me: { role: 'ADMIN' } });
    const message = (await server.gql(ME, {}, jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256', subject: 'x', expiresIn: '100y' }))).errors![0].message;
    expect(message).toMatch(/maximum is 30 days \(MAX_TOKEN_DAYS\)/);
  });

  it('trims the unit code of a token as it trims every unit code', async () => {
    const padded = jwt.sign({ unit: ' 06601 ', role: 'ANALYST' }, TEST_SECRET, { algorithm: 'HS256', subject: 'x', expiresIn: 60 });
    expect((await server.gql('{ me { unit { code } } }', {}, padded)).data).toEqual({ me: { unit: { code: '06601' } } });
    expect((await server.gql('{ unit(code: " 06601 ") { code } }', {}, admin)).data).toEqual({ unit: { code: '06601' } });
  });

  it('asks for an operation name when a document holds several operations (not an internal error)', async () => {
    const result = await server.gql('query A { me { role } } query B { me { subject } }', {}, admin);
    expect(result.errors![0].message).toMatch(/operation name/i);
    expect(result.errors![0].extensions!.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect((await server.gql('query A { me { role } } query B { me { role } }', {}, admin, 'B')).data).toEqual({ me: { role: 'ADMIN' } });
  });

  const refusedBeforeDatabase = async (query: string, limit: string) => {
    const before = StatementCounter.count;
    const result = await server.gql(query, {}, admin);
    expect(StatementCounter.count).toBe(before);
    expect(result.data).toBeUndefined();
    expect(result.errors![0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit });
    expect(result.errors![0].message).toMatch(/maximum/);
    return result;
  };

  it('refuses a query nested 50 levels deep before touching the database', async () => {
    const deep = `{ unit(code: "VN") { ${'children { '.repeat(49)}code${' }'.repeat(49)} } }`;
    await refusedBeforeDatabase(deep, 'depth');
  });

  it('refuses 1,000 aliases before touching the database', async () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: me { role }`).join(' ');
    await refusedBeforeDatabase(`{ ${aliases} }`, 'aliases');
  });

  it('refuses first: 100000 before touching the database', async () => {
    const result = await refusedBeforeDatabase('{ units(first: 100000) { totalCount } }', 'pageSize');
    expect(result.errors![0].message).toContain('100000');
  });

  it('reports the cost of an accepted query in extensions', async () => {
    const result = await server.gql('{ units(level: PROVINCE, first: 40) { totalCount edges { node { code name children { code } } } } }', {}, admin);
    expect(result.errors).toBeUndefined();
    expect(result.extensions!.cost.cost).toBeGreaterThan(40);
    expect(result.extensions!.cost.maximum).toBeGreaterThan(result.extensions!.cost.cost);
  });

  it('refuses bodies over the size limit', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: `{ me { role } }`, padding: 'x'.repeat(3 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
  });

  it('keeps CSRF prevention on', async () => {
    const response = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ me { role } }')}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(response.status).toBe(400);
  });
});

/** Details are shown only while debugging outside production (LOG_LEVEL=debug, no NODE_ENV=production). */
const hygiene = testDatabases().flatMap((db) =>
  ([{ NODE_ENV: 'production' }, { NODE_ENV: 'production', LOG_LEVEL: 'debug' }, { NODE_ENV: 'development' }] as Record<string, string>[]).map((env) => ({
    db,
    env,
    name: `${db.name} with ${JSON.stringify(env)}`,
  })),
);

describe.each(hygiene)('error hygiene on $name', ({ db, env }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(db, env);
  });
  afterAll(() => server?.close());

  it('leaks no stack, SQL or file path in errors, and logs the details for the operator instead', async () => {
    const admin = server.token('VN', 'ADMIN');
    await server.dataSource.query('DROP TABLE unit_lineage');
    // The server's log (stderr) is captured: it must carry what the client is not shown.
    const logged: string[] = [];
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    const results = [];
    try {
      results.push(
        await server.gql('{ unit(code: "16186") { predecessors { code } } }', {}, admin),
        await server.gql('{ unit(code: 5) { code } }', {}, admin),
        await server.gql('{ nosuchfield }', {}, admin),
        await server.gql('{ units(after: "garbage") { totalCount } }', {}, admin),
      );
    } finally {
      stderr.mockRestore();
    }
    expect(logged.join('')).toMatch(/unit_lineage[\s\S]*"stack"/);
    for (const result of results) {
      expect(result.errors?.length).toBeGreaterThan(0);
      const text = JSON.stringify(result.errors);
      expect(text).not.toMatch(/stacktrace|\.ts:|\.js:|\/work\/|SELECT|FROM|unit_lineage|sqlite|mysql/i);
      expect(text).not.toMatch(/\bER_[A-Z]/);
    }
    expect(results[0].errors![0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });
});

describe.each(testDatabases())('bad variables on $name', (db) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(db);
  });
  afterAll(() => server?.close());

  it('answers a bad enum variable with BAD_USER_INPUT', async () => {
    const result = await server.gql('query($level: UnitLevel) { units(level: $level) { totalCount } }', { level: 'HAMLET' }, server.token('VN', 'ADMIN'));
    expect(result.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(result.errors![0].message).toContain('HAMLET');
  });
});

describe.each(testDatabases())('an EDITOR writing for a sibling commune on $name', (db) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(db);
  });
  afterAll(() => server?.close());

  it('is refused for that row exactly as a code that does not exist, and nothing is written', async () => {
    const count = async () => Number((await server.dataSource.query('SELECT COUNT(*) AS n FROM observation'))[0].n);
    const before = await count();
    const editor = server.token('06601', 'EDITOR'); // xã Lợi Bác
    const row = (unit: string) => ({ indicator: 'GE_INSPECTION', unit, period: '2026', sex: 'TOTAL', numerator: 3, denominator: 1 });
    const result = await server.gql(
      'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied accepted rejected errors { index field message code } } }',
      { input: [row('06601'), row('05977')] }, // 05977 phường Đông Kinh, a sibling in Lạng Sơn
      editor,
    );
    expect(result.data!.recordObservations).toMatchObject({ applied: false, accepted: 1, rejected: 1 });
    const errors = result.data!.recordObservations.errors;
    expect(errors).toEqual([expect.objectContaining({ index: 1, field: 'unit', code: 'FORBIDDEN' })]);
    const missing = await server.gql(
      'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { errors { index field message code } } }',
      { input: [row('06601'), row('99998')] },
      editor,
    );
    expect(JSON.stringify(missing.data!.recordObservations.errors).replace('99998', 'X')).toBe(JSON.stringify(errors).replace('05977', 'X'));
    expect(await count()).toBe(before);
  });

  it('is FORBIDDEN for a plan in the sibling commune, exactly as for a code that does not exist, and no plan is written', async () => {
    const plans = async () => Number((await server.dataSource.query('SELECT COUNT(*) AS n FROM plan'))[0].n);
    const before = await plans();
    const create = (unit: string) =>
      server.gql('mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }', { input: { unit, title: 'Kế hoạch bình đẳng giới', kind: 'ANNUAL', firstYear: 2026, lastYear: 2026 } }, server.token('06601', 'EDITOR'));
    const sibling = await create('05977');
    expect(sibling.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(sibling.data).toBeNull();
    const missing = await create('99998');
    expect(JSON.stringify(missing.errors)).toBe(JSON.stringify(sibling.errors));
    expect(await plans()).toBe(before);
  });
});

describe.each(testDatabases())('the mutation batch limit on $name', (db) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(db, { MAX_MUTATION_ROWS: '3' });
  });
  afterAll(() => server?.close());

  const RECORD = 'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied accepted } }';
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ indicator: 'VILLAGE_GE_OUTREACH', unit: `066010${i + 1}`, period: '2029', sex: 'TOTAL', numerator: 1 }));

  it('refuses a batch over MAX_MUTATION_ROWS before touching the database, naming the limit and the figure', async () => {
    const editor = server.token('06601', 'EDITOR');
    const before = StatementCounter.count;
    const result = await server.gql(RECORD, { input: rows(4) }, editor);
    expect(StatementCounter.count).toBe(before);
    expect(result.data).toBeUndefined();
    expect(result.errors![0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'mutationRows', actual: 4, maximum: 3 });
    expect(result.errors![0].message).toContain('4 rows');
  });

  it('counts the rows of every field, so aliases cannot split an oversized batch', async () => {
    const twice = `mutation($a: [ObservationInput!]!, $b: [ObservationInput!]!) { a: recordObservations(input: $a) { applied } b: recordObservations(input: $b) { applied } }`;
    const result = await server.gql(twice, { a: rows(2), b: rows(2) }, server.token('06601', 'EDITOR'));
    expect(result.errors![0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'mutationRows', actual: 4 });
  });

  it('accepts a batch at the limit', async () => {
    const result = await server.gql(RECORD, { input: rows(3) }, server.token('06601', 'EDITOR'));
    expect(result.errors).toBeUndefined();
    expect(result.data!.recordObservations).toEqual({ applied: true, accepted: 3 });
  });
});
