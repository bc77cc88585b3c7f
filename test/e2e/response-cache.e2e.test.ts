import { StatementCounter } from '../../server/core/query-counter';
import { announceReferenceChange } from '../../server/core/reference-cache';
import { testDatabases } from '../support/databases';
import { Instance, startInstance, startInstances, testToken } from '../support/instances';

/**
 * The response cache (server/core/response-cache.ts) on real HTTP servers: two instances on one
 * database, in memory and sharing Redis. A repeated query is answered from the cache; every
 * committed write, through either instance, and every announced change make the next request a
 * miss with the new answer; an answer is only ever served to the same access claims; answers with
 * errors and mutations are never kept; memory stays within RESPONSE_CACHE_MB.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The README's "Share of Lợi Bác's villages with a female key leader, 2026". */
const LOI_BAC = `{ statistics(indicator: "FEMALE_KEY_LEADER", area: "06601", periods: ["2026"]) { rows { total { value numerator denominator } reportingUnits } } }`;
const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied errors { index field message } } }`;

interface Answer {
  status: number;
  cache: string | null;
  body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  statements: number;
}

/** One POST as a client sends it; `x-cache` tells whether the cache answered. */
async function post(instance: Instance, token: string, body: Record<string, unknown>): Promise<Answer> {
  const before = StatementCounter.count;
  const response = await fetch(`${instance.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const parsed = (await response.json()) as Answer['body'];
  return { status: response.status, cache: response.headers.get('x-cache'), body: parsed, statements: StatementCounter.count - before };
}

const ask = (instance: Instance, token: string, query: string, variables: Record<string, unknown> = {}) => post(instance, token, { query, variables });

const modes = testDatabases().flatMap((db) => [
  { db, name: db.name, mode: 'in memory', redis: false },
  { db, name: db.name, mode: 'sharing Redis', redis: true },
]);

describe.each(modes)('the response cache, two instances on one $name database, $mode', ({ db, redis }) => {
  const env: Record<string, string> = { RATE_LIMIT_PER_MINUTE: '100000', ...(redis ? { REDIS_URL } : {}) };
  let cluster: Awaited<ReturnType<typeof startInstances>>;
  let a: Instance;
  let b: Instance;
  let villages: string[];
  const analyst = testToken('20', 'ANALYST', 'cache-analyst@20');
  const admin = testToken('20', 'ADMIN', 'cache-admin@20');

  beforeAll(async () => {
    cluster = await startInstances(db, 2, env);
    [a, b] = cluster.instances;
    const rows: { code: string }[] = await a.dataSource.query(
      `SELECT u.code AS code FROM administrative_unit u JOIN unit_placement p ON p.unit_id = u.id JOIN administrative_unit c ON c.id = p.parent_id
       WHERE c.code = '06601' AND c.valid_to IS NULL AND u.level = 'VILLAGE' AND p.valid_to IS NULL ORDER BY u.code`,
    );
    villages = rows.map((r) => r.code);
  });
  // Also removes what the instances kept in Redis.
  afterAll(() => cluster?.close());

  /** Sets every Lợi Bác village's 2026 value through the API, on `instance`. */
  async function recordAll(instance: Instance, numerator: number) {
    const answer = await ask(instance, admin, RECORD, { input: villages.map((unit) => ({ indicator: 'FEMALE_KEY_LEADER', unit, period: '2026', sex: 'TOTAL', numerator })) });
    expect(answer.body.data).toEqual({ recordObservations: { applied: true, errors: [] } });
    // A mutation is never cached: no x-cache header (README).
    expect(answer.cache).toBeNull();
  }

  const numeratorOf = (answer: Answer) => answer.body.data!.statistics.rows[0].total.numerator;

  it('answers a repeated query from the cache, reading only the versions (one statement, none with Redis)', async () => {
    const first = await ask(a, analyst, LOI_BAC);
    expect(first.cache).toBe('miss');
    const second = await ask(a, analyst, LOI_BAC);
    expect({ status: second.status, cache: second.cache, body: second.body }).toEqual({ status: 200, cache: 'hit', body: first.body });
    expect(second.statements).toBe(redis ? 0 : 1);
  });

  it('serves the new number after a write, through the same instance and through the other one', async () => {
    const total = villages.length;
    for (const instance of [a, b]) await ask(instance, analyst, LOI_BAC);
    expect([(await ask(a, analyst, LOI_BAC)).cache, (await ask(b, analyst, LOI_BAC)).cache]).toEqual(['hit', 'hit']);

    await recordAll(a, 1);
    const afterA = [await ask(a, analyst, LOI_BAC), await ask(b, analyst, LOI_BAC)];
    expect(afterA.map((r) => [r.cache, numeratorOf(r)])).toEqual([
      ['miss', total],
      ['miss', total],
    ]);
    expect((await ask(b, analyst, LOI_BAC)).cache).toBe('hit');

    await recordAll(b, 0);
    const afterB = [await ask(a, analyst, LOI_BAC), await ask(b, analyst, LOI_BAC)];
    expect(afterB.map((r) => [r.cache, numeratorOf(r)])).toEqual([
      ['miss', 0],
      ['miss', 0],
    ]);
  });

  it("never serves one viewer's answer to another (subject, role, unit)", async () => {
    const ME = '{ me { subject role unit { code } } }';
    const viewers = [testToken('20', 'ANALYST', 'viewer-1@20'), testToken('20', 'ANALYST', 'viewer-2@20'), testToken('20', 'EDITOR', 'viewer-1@20'), testToken('01', 'ANALYST', 'viewer-1@20')];
    const expected = [
      { subject: 'viewer-1@20', role: 'ANALYST', unit: { code: '20' } },
      { subject: 'viewer-2@20', role: 'ANALYST', unit: { code: '20' } },
      { subject: 'viewer-1@20', role: 'EDITOR', unit: { code: '20' } },
      { subject: 'viewer-1@20', role: 'ANALYST', unit: { code: '01' } },
    ];
    for (const round of ['miss', 'hit']) {
      const answers = [];
      for (const token of viewers) answers.push(await ask(a, token, ME));
      expect(answers.map((r) => [r.cache, r.body.data?.me])).toEqual(expected.map((me) => [round, me]));
    }
    // Lạng Sơn's analyst has Lợi Bác's statistics cached; Hà Nội's analyst asking the same gets no data.
    expect((await ask(a, analyst, LOI_BAC)).body.data?.statistics).toBeDefined();
    const haNoi = await ask(a, testToken('01', 'ANALYST', 'cache-analyst@20'), LOI_BAC);
    expect(haNoi.cache).toBe('miss');
    expect({ data: haNoi.body.data?.statistics ?? null, code: haNoi.body.errors?.[0].extensions?.code, message: haNoi.body.errors?.[0].message }).toEqual({ data: null, code: 'BAD_USER_INPUT', message: expect.stringContaining('06601') });
  });

  it('sees a change made by SQL once it is announced, as the CLIs do, on both instances', async () => {
    const UNIT = '{ unit(code: "06601") { name } }';
    const editor = testToken('06601', 'EDITOR', 'cache-editor@06601');
    const nameOn = async (instance: Instance) => (await ask(instance, editor, UNIT)).body.data!.unit.name;
    expect([await nameOn(a), await nameOn(b)]).toEqual(['Lợi Bác', 'Lợi Bác']);
    await a.dataSource.query(`UPDATE administrative_unit SET name = ? WHERE code = '06601' AND valid_to IS NULL`, ['Lợi Bác (cache)']);
    await announceReferenceChange(a.dataSource, ['hierarchy'], redis ? REDIS_URL : null);
    expect([await nameOn(a), await nameOn(b)]).toEqual(['Lợi Bác (cache)', 'Lợi Bác (cache)']);
    await a.dataSource.query(`UPDATE administrative_unit SET name = ? WHERE code = '06601' AND valid_to IS NULL`, ['Lợi Bác']);
    await announceReferenceChange(a.dataSource, ['hierarchy'], redis ? REDIS_URL : null);
    expect([await nameOn(a), await nameOn(b)]).toEqual(['Lợi Bác', 'Lợi Bác']);
  });

  it('sees data (not reference data) changed by SQL once announced with no names: the data version alone moves', async () => {
    const LOG = '{ auditLog(first: 1) { edges { node { subject } } } }';
    const subjectOn = async (instance: Instance) => (await ask(instance, admin, LOG)).body.data!.auditLog.edges[0]?.node.subject;
    await recordAll(a, 1); // at least one entry in Lạng Sơn's log
    const before = [await subjectOn(a), await subjectOn(b)];
    expect(before).toEqual(['cache-admin@20', 'cache-admin@20']);
    await a.dataSource.query(`UPDATE audit_entry SET subject = 'changed-by-sql' WHERE subject = 'cache-admin@20'`);
    // Unannounced, the cached answers stay: the cache really answers.
    expect([await subjectOn(a), await subjectOn(b)]).toEqual(before);
    await announceReferenceChange(a.dataSource, [], redis ? REDIS_URL : null);
    expect([await subjectOn(a), await subjectOn(b)]).toEqual(['changed-by-sql', 'changed-by-sql']);
  });

  it('keeps no answer that carries errors', async () => {
    const BROKEN = '{ me { role } statistics(indicator: "NO_SUCH_INDICATOR", area: "06601", periods: ["2026"]) { rows { reportingUnits } } }';
    const answers = [await ask(a, analyst, BROKEN), await ask(a, analyst, BROKEN)];
    expect(answers.map((r) => [r.cache, Boolean(r.body.errors?.length)])).toEqual([
      ['miss', true],
      ['miss', true],
    ]);
  });

  it('never keeps a mutation, even one chosen by operationName beside a query', async () => {
    const entries = async () => Number((await a.dataSource.query('SELECT COUNT(*) AS n FROM audit_entry'))[0].n);
    const before = await entries();
    const input = [{ indicator: 'FEMALE_KEY_LEADER', unit: villages[0], period: '2026', sex: 'TOTAL', numerator: 1 }];
    const both = `query Read { me { role } } ${RECORD.replace('mutation(', 'mutation Write(')}`;
    const answers = [];
    for (let i = 0; i < 2; i++) answers.push(await post(a, admin, { query: both, operationName: 'Write', variables: { input } }));
    expect(answers.map((r) => [r.cache, r.body.data?.recordObservations.applied])).toEqual([
      [null, true],
      [null, true],
    ]);
    expect(await entries()).toBe(before + 2);
  });

  it('shows a refused write in a cached audit log at once (its entry is written outside a transaction)', async () => {
    const LOG = '{ auditLog(first: 1) { totalCount } }';
    const count = async () => (await ask(a, admin, LOG)).body.data!.auditLog.totalCount as number;
    const before = await count();
    expect((await ask(a, admin, LOG)).cache).toBe('hit');
    const refused = await ask(b, admin, RECORD, { input: [{ indicator: 'NO_SUCH_INDICATOR', unit: villages[0], period: '2026', sex: 'TOTAL', numerator: 1 }] });
    expect(refused.body.data?.recordObservations.applied).toBe(false);
    expect(await count()).toBe(before + 1);
  });
});

describe.each(testDatabases())('the response cache bounds on $name', (db) => {
  let cluster: Awaited<ReturnType<typeof startInstances>>;
  const analyst = testToken('20', 'ANALYST', 'bound-analyst@20');
  const CATALOGUE = '{ indicators { code name nameEn numeratorLabel denominatorLabel source unitOfMeasure } }';

  beforeAll(async () => {
    cluster = await startInstances(db, 1, { RATE_LIMIT_PER_MINUTE: '100000' });
  });
  afterAll(async () => cluster?.close());

  it('keeps within RESPONSE_CACHE_MB: the least recently used answers leave first', async () => {
    const small = await startInstance(cluster.databaseUrl, { RESPONSE_CACHE_MB: '1', RATE_LIMIT_PER_MINUTE: '100000' });
    try {
      const first = await ask(small, analyst, `${CATALOGUE} # 0`);
      const bytes = JSON.stringify(first.body).length;
      expect(first.cache).toBe('miss');
      // Each entry counts at least twice its answer (UTF-16): this many fill 1 MiB several times over.
      const count = Math.ceil((3 * 1024 * 1024) / (2 * bytes));
      for (let i = 1; i < count; i++) await ask(small, analyst, `${CATALOGUE} # ${i}`);
      expect((await ask(small, analyst, `${CATALOGUE} # ${count - 1}`)).cache).toBe('hit');
      expect((await ask(small, analyst, `${CATALOGUE} # 0`)).cache).toBe('miss');
    } finally {
      await small.app.close();
      await small.dataSource.destroy();
    }
  });

  it('is off with RESPONSE_CACHE_MB=0: every request runs, with no x-cache header', async () => {
    const off = await startInstance(cluster.databaseUrl, { RESPONSE_CACHE_MB: '0' });
    try {
      const answers = [await ask(off, analyst, LOI_BAC), await ask(off, analyst, LOI_BAC)];
      expect(answers.map((r) => r.cache)).toEqual([null, null]);
      expect(answers[1].body).toEqual(answers[0].body);
      // The uncached warm path: versions, then the statistics (at most 3 statements).
      expect(answers[1].statements).toBeGreaterThan(1);
      expect(answers[1].statements).toBeLessThanOrEqual(3);
    } finally {
      await off.app.close();
      await off.dataSource.destroy();
    }
  });
});
