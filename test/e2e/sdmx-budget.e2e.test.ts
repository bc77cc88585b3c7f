import http from 'node:http';
import net from 'node:net';
import { StatementCounter } from '../../server/core/query-counter';
import { CUT_MARKER } from '../../server/sdmx/sdmx.routes';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * Issue 23: the SDMX data route has a budget (SDMX_MAX_BYTES, SDMX_MAX_SECONDS) and every route an
 * idle timeout for slow readers (STREAM_IDLE_TIMEOUT_MS). An answer past its size before anything
 * was sent is an SDMX-ML error (413); one that has started is cut: SDMX-ML ends with the comment
 * CUT_MARKER and the connection closes without the end of the chunked body. A client that stops
 * reading (a net.Socket paused after its request) has its connection closed after the idle time or
 * the time budget, and the stream's database work stops.
 */
const NATIONAL_XML = '/sdmx/rest/data/GENDER_STATISTICS/all?dimensionAtObservation=AllDimensions';
const NATIONAL_CSV_EXPORT = '/export/observations.csv?unit=VN&includeDescendants=true';

interface RawAnswer {
  status: number;
  body: string;
  /** The chunked body ended properly (false: the connection closed mid-answer). */
  complete: boolean;
}

/** Reads a whole answer, noting whether it ended properly or was cut. */
function readAll(server: TestServer, path: string, token: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      let complete = false;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => (complete = true));
      res.on('error', () => undefined);
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), complete: complete && res.complete }));
    });
    req.on('error', reject);
  });
}

/** The server's open connections. */
function connections(server: TestServer): Promise<number> {
  return new Promise((resolve, reject) => server.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/**
 * Sends a GET on a raw socket and reads nothing of the answer (a paused socket notices no close
 * either, so the server is watched instead); resolves with the milliseconds until the server had
 * closed the connection, or after 30 s.
 */
async function pausedReader(server: TestServer, path: string, token: string): Promise<number> {
  expect(await connections(server)).toBe(0);
  const { port } = new URL(server.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
  socket.pause();
  const started = Date.now();
  try {
    while (Date.now() - started < 30_000 && (await connections(server)) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    return Date.now() - started;
  } finally {
    socket.destroy();
  }
}

/** Statements run meanwhile by anything (nothing else uses the server while it is measured). */
async function statementsDuring(ms: number): Promise<number> {
  const before = StatementCounter.count;
  await new Promise((resolve) => setTimeout(resolve, ms));
  return StatementCounter.count - before;
}

describe.each(testDatabases())('SDMX budget and idle timeouts on $name', (db) => {
  describe('size', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(db, { NODE_ENV: 'production', SDMX_MAX_BYTES: String(3_000_000) });
    });
    afterAll(() => server?.close());

    it('cuts an answer that has started once it passes SDMX_MAX_BYTES, with the marker and no proper end', async () => {
      const answer = await readAll(server, NATIONAL_XML, server.token('VN', 'ANALYST'));
      expect({ status: answer.status, complete: answer.complete, marker: answer.body.includes(`<!-- ${CUT_MARKER}: The answer passed 3000000 bytes (SDMX_MAX_BYTES)`), closed: answer.body.includes('</message:GenericData>') }).toEqual({
        status: 200,
        complete: false,
        marker: true,
        closed: false,
      });
      expect(answer.body.length).toBeLessThan(3_500_000);
    });

    it('answers a small query in full', async () => {
      const answer = await readAll(server, '/sdmx/rest/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F+M?startPeriod=2024&endPeriod=2026', server.token('20', 'ANALYST'));
      expect({ status: answer.status, complete: answer.complete, closed: answer.body.includes('</message:GenericData>'), marker: answer.body.includes(CUT_MARKER) }).toEqual({ status: 200, complete: true, closed: true, marker: false });
    });
  });

  describe('size before anything was sent', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(db, { NODE_ENV: 'production', SDMX_MAX_BYTES: '20000' });
    });
    afterAll(() => server?.close());

    it('refuses with an SDMX-ML error 413 naming the setting', async () => {
      const answer = await readAll(server, NATIONAL_XML, server.token('VN', 'ANALYST'));
      expect({ status: answer.status, complete: answer.complete, error: answer.body.includes('<message:Error'), named: answer.body.includes('SDMX_MAX_BYTES') }).toEqual({ status: 413, complete: true, error: true, named: true });
    });
  });

  describe('time, for a client that stops reading', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(db, { NODE_ENV: 'production', SDMX_MAX_SECONDS: '2', STREAM_IDLE_TIMEOUT_MS: '60000' });
    });
    afterAll(() => server?.close());

    it('closes the connection at SDMX_MAX_SECONDS, long before the idle timeout, and its database work stops', async () => {
      const ms = await pausedReader(server, NATIONAL_XML, server.token('VN', 'ANALYST'));
      expect(ms).toBeGreaterThanOrEqual(1500);
      expect(ms).toBeLessThan(2000 + 5000);
      expect(await statementsDuring(1000)).toBe(0);
      expect((await server.gql('{ me { role } }', {}, server.token('VN', 'ANALYST'))).data).toEqual({ me: { role: 'ANALYST' } });
    });
  });

  describe('idle timeout', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(db, { NODE_ENV: 'production', REQUEST_TIMEOUT_MS: '1000', STREAM_IDLE_TIMEOUT_MS: '1500' });
    });
    afterAll(() => server?.close());

    it.each([
      ['SDMX data', NATIONAL_XML],
      ['an export', NATIONAL_CSV_EXPORT],
    ])('closes %s a client stopped reading after STREAM_IDLE_TIMEOUT_MS, and its database work stops', async (_, path) => {
      const ms = await pausedReader(server, path, server.token('VN', 'ANALYST'));
      expect(ms).toBeGreaterThanOrEqual(1500);
      expect(ms).toBeLessThan(1500 + 10_000);
      expect(await statementsDuring(1000)).toBe(0);
    });
  });
});
