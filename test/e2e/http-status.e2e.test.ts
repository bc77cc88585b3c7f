import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * GraphQL over HTTP: a request the server refuses before execution (a document that does not
 * parse or validate, a variable that cannot be coerced, a limit) answers 4xx on both media types a
 * client may accept; the legacy application/json is given the same 400 (the specification allows
 * 200 there, which clients and proxies cannot tell from success).
 */
const MEDIA_TYPES = ['application/json', 'application/graphql-response+json'] as const;

const RECORD = 'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied accepted } }';
const ROW = { indicator: 'PEOPLES_COUNCIL_DEPUTY', unit: '06601', period: '2026', sex: 'FEMALE', numerator: 7, denominator: 1 };

interface Answer {
  status: number;
  contentType: string;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, any> }[] };
}

describe.each(testDatabases())('HTTP statuses of bad requests on $name', (db) => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    admin = server.token('VN', 'ADMIN');
  });
  afterAll(() => server?.close());

  /** POSTs a body as given (a string is sent as is, so it can hold what JSON.stringify never writes). */
  async function post(accept: string, body: string | Buffer | object): Promise<Answer> {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${admin}` },
      body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: (await response.json()) as Answer['body'] };
  }

  async function observationCount(): Promise<number> {
    const [row] = await server.dataSource.query('SELECT COUNT(*) AS n FROM observation');
    return Number(row.n);
  }

  /** A request error: the status, no data at all, one error with the code, the media type asked for. */
  function expectRequestError(answer: Answer, accept: string, status: number, code: string): { message: string; extensions?: Record<string, any> } {
    expect({ status: answer.status, code: answer.body.errors?.[0]?.extensions?.code, hasData: 'data' in answer.body }).toEqual({ status, code, hasData: false });
    expect(answer.contentType).toContain(accept);
    expect(answer.body.errors![0].extensions).not.toHaveProperty('http');
    return answer.body.errors![0];
  }

  describe.each(MEDIA_TYPES)('accepting %s', (accept) => {
    it('a numerator "abc" is 400 BAD_USER_INPUT naming the field, and nothing is written', async () => {
      const before = await observationCount();
      const error = expectRequestError(await post(accept, { query: RECORD, variables: { input: [{ ...ROW, numerator: 'abc' }] } }), accept, 400, 'BAD_USER_INPUT');
      expect(error.extensions!.field).toBe('input[0].numerator');
      expect(error.message).toContain('"abc"');
      expect(await observationCount()).toBe(before);
    });

    it('a numerator 1e309 in the raw JSON (Infinity once parsed) is 400 BAD_USER_INPUT', async () => {
      const raw = `{"query": ${JSON.stringify(RECORD)}, "variables": {"input": [${JSON.stringify(ROW).replace('"numerator":7', '"numerator":1e309')}]}}`;
      expect(raw).toContain('1e309');
      const error = expectRequestError(await post(accept, raw), accept, 400, 'BAD_USER_INPUT');
      expect(error.extensions!.field).toBe('input[0].numerator');
    });

    it('a sex "female" is 400 BAD_USER_INPUT', async () => {
      const error = expectRequestError(await post(accept, { query: RECORD, variables: { input: [{ ...ROW, sex: 'female' }] } }), accept, 400, 'BAD_USER_INPUT');
      expect(error.extensions!.field).toBe('input[0].sex');
      expect(error.message).toContain('"female"');
    });

    it('an expectedVersion of 2^31 is 400 BAD_USER_INPUT', async () => {
      const error = expectRequestError(await post(accept, { query: RECORD, variables: { input: [{ ...ROW, expectedVersion: 2 ** 31 }] } }), accept, 400, 'BAD_USER_INPUT');
      expect(error.extensions!.field).toBe('input[0].expectedVersion');
    });

    it('a missing required variable is 400 BAD_USER_INPUT', async () => {
      const error = expectRequestError(await post(accept, { query: RECORD, variables: {} }), accept, 400, 'BAD_USER_INPUT');
      expect(error.extensions!.field).toBe('input');
    });

    it('a document that does not parse is 400 GRAPHQL_PARSE_FAILED', async () => {
      expectRequestError(await post(accept, { query: '{ me { role }' }), accept, 400, 'GRAPHQL_PARSE_FAILED');
    });

    it('a document that does not validate is 400 GRAPHQL_VALIDATION_FAILED', async () => {
      expectRequestError(await post(accept, { query: '{ nosuchfield }' }), accept, 400, 'GRAPHQL_VALIDATION_FAILED');
    });

    it("a 20,000-deep query is refused with the depth limit's message, not a stack overflow", async () => {
      const deep = `{ unit(code: "VN") { ${'children { '.repeat(20_000)}code${' }'.repeat(20_000)} } }`;
      const answer = await post(accept, { query: deep });
      const error = expectRequestError(answer, accept, 400, 'LIMIT_EXCEEDED');
      expect(error.message).toMatch(/^Query refused: depth is \d+, the maximum is 15$/);
      expect(error.extensions).toMatchObject({ limit: 'depth', maximum: 15 });
    });

    it('a 100 KB unit code is refused by its maximum, never echoed back whole', async () => {
      const code = '1'.repeat(100_000);
      const answer = await post(accept, { query: 'query($area: String!) { statistics(indicator: "PEOPLES_COUNCIL_DEPUTY", area: $area, periods: ["2026"]) { rows { reportingUnits } } }', variables: { area: code } });
      expect(answer.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'area', maximum: 64 });
      const text = JSON.stringify(answer.body.errors);
      expect(text.length).toBeLessThan(1_000);
      expect(text).not.toContain('1'.repeat(101));
    });

    it('a lone surrogate in a text is 400 BAD_USER_INPUT naming the field, and nothing is stored', async () => {
      const before = await observationCount();
      // JSON.stringify writes a lone surrogate as the escape \ud800, which JSON.parse turns back into one.
      const body = JSON.stringify({ query: RECORD, variables: { input: [{ ...ROW, comment: 'ghi chú \ud800' }] } });
      expect(body).toContain('\\ud800');
      const error = expectRequestError(await post(accept, body), accept, 400, 'BAD_USER_INPUT');
      expect(error.extensions!.field).toBe('input[0].comment');
      expect(error.message).toMatch(/not well-formed Unicode/);
      expect(await observationCount()).toBe(before);
    });

    it('bytes that are not UTF-8 are 400 BAD_REQUEST, not U+FFFD', async () => {
      const [head, tail] = JSON.stringify({ query: RECORD, variables: { input: [{ ...ROW, comment: 'X' }] } }).split('X');
      const answer = await post(accept, Buffer.concat([Buffer.from(head), Buffer.from([0xff, 0xfe]), Buffer.from(tail)]));
      expect({ status: answer.status, code: answer.body.errors?.[0]?.extensions?.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });
    });

    it('an empty recordObservations input is 400 BAD_USER_INPUT, not applied: false', async () => {
      const error = expectRequestError(await post(accept, { query: RECORD, variables: { input: [] } }), accept, 400, 'BAD_USER_INPUT');
      expect(error.extensions!.field).toBe('input');
      expect(error.message).toMatch(/recordObservations: input is an empty list/);
      const literal = expectRequestError(await post(accept, { query: 'mutation { recordObservations(input: []) { applied } }' }), accept, 400, 'BAD_USER_INPUT');
      expect(literal.extensions!.field).toBe('input');
    });

    it('a good request still answers 200 with data (the control)', async () => {
      const answer = await post(accept, { query: RECORD, variables: { input: [ROW] } });
      expect({ status: answer.status, errors: answer.body.errors }).toEqual({ status: 200, errors: undefined });
      expect(answer.body.data).toEqual({ recordObservations: { applied: true, accepted: 1 } });
    });
  });
});

describe.each(testDatabases())('Retry-After on $name', (db) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(db, { RATE_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    if (server && !server.dataSource.isInitialized) await server.dataSource.initialize();
    await server?.close();
  });

  it('429 over the rate limit says in Retry-After how many seconds until the window frees', async () => {
    const token = server.token('VN', 'ADMIN', 'retry-after@VN');
    const ask = () => fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ me { role } }' }) });
    expect([(await ask()).status, (await ask()).status]).toEqual([200, 200]);
    const refused = await ask();
    const body = (await refused.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(refused.status).toBe(429);
    const seconds = Number(refused.headers.get('retry-after'));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(body.errors[0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'requestsPerMinute', retryAfter: seconds });
  });

  it('503 from /readyz when the database does not answer carries Retry-After, while /healthz (liveness) stays 200', async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    await server.dataSource.destroy();
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(Number(ready.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
