import { createHash } from 'node:crypto';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/** What a browser frontend on another origin meets: preflight, readable headers, GET and APQ. */
const ORIGIN = 'https://dashboard.example.org';
const QUERY = '{ me { role } }';

describe.each(testDatabases())('a browser client on $name', (db) => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer(db, { CORS_ORIGINS: `${ORIGIN}, https://other.example.org` });
    token = server.token('VN', 'ADMIN');
  });
  afterAll(() => server?.close());

  const exposed = (response: Response) => (response.headers.get('access-control-expose-headers') ?? '').split(/,\s*/).sort();

  it('gets a preflight it may cache for 10 minutes, allowing the headers it must send', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-max-age')).toBe('600');
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'apollo-require-preflight']));
  });

  it('may read x-request-id, retry-after and x-cache from a GraphQL answer, and content-disposition from an export', async () => {
    const answer = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: QUERY }) });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(exposed(answer)).toEqual(['content-disposition', 'retry-after', 'x-cache', 'x-request-id']);
    expect(answer.headers.get('x-request-id')).toBeTruthy();

    const file = await fetch(`${server.url}/export/observations.csv?unit=06601`, { headers: { origin: ORIGIN, authorization: `Bearer ${token}` } });
    await file.arrayBuffer();
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
    expect(exposed(file)).toContain('content-disposition');
  });

  it('gets no CORS headers from an origin not in CORS_ORIGINS', async () => {
    const response = await fetch(`${server.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-expose-headers')).toBeNull();
    expect(response.headers.get('access-control-max-age')).toBeNull();
  });

  it('must send apollo-require-preflight with a GET query (CSRF prevention)', async () => {
    const url = `${server.url}/graphql?query=${encodeURIComponent(QUERY)}`;
    const bare = await fetch(url, { headers: { origin: ORIGIN, authorization: `Bearer ${token}` } });
    expect(bare.status).toBe(400);
    expect(((await bare.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('BAD_REQUEST');
    const preflighted = await fetch(url, { headers: { origin: ORIGIN, authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
    expect(await preflighted.json()).toMatchObject({ data: { me: { role: 'ADMIN' } } });
  });

  it('APQ: an unknown hash is PERSISTED_QUERY_NOT_FOUND; sent again with the query, the hash alone works after', async () => {
    const query = '{ me { subject } }';
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    const send = async (body: object) => {
      const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] } };
    };
    const unknown = await send({ extensions: { persistedQuery } });
    expect({ status: unknown.status, code: unknown.body.errors?.[0].extensions.code }).toEqual({ status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' });
    expect((await send({ query, extensions: { persistedQuery } })).body.data).toEqual({ me: { subject: expect.any(String) } });
    expect((await send({ extensions: { persistedQuery } })).body.data).toEqual({ me: { subject: expect.any(String) } });
  });
});
