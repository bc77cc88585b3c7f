import http from 'node:http';
import net from 'node:net';
import { DataSource } from 'typeorm';
import { signToken } from '../../server/auth/jwt';
import { Role } from '../../server/auth/role';
import { buildOnce, ChildServer, startChildServer } from '../support/child-server';
import { copyDatabase, openDataSource, testDatabases } from '../support/databases';
import { TEST_SECRET } from '../support/server';

/**
 * Graceful shutdown of the built server as an orchestrator stops it, with the environment of a
 * deployment (NODE_ENV=production: jest's NODE_ENV=test turns Apollo's own signal handling off,
 * and a test that inherits it checks a configuration nobody runs). SIGTERM while a request is in
 * flight (its body still arriving) and while an export streams: the server stops accepting
 * connections at once, answers a request that arrives on an open connection with 503
 * SHUTTING_DOWN, finishes the write (committed, with its audit entry) and the whole export, then
 * exits 0.
 */
const ROW = { indicator: 'FEMALE_KEY_LEADER', unit: '0660101', period: '2026', sex: 'TOTAL', denominator: 1 };
const RECORD = 'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied accepted } }';
const SUBJECT = 'editor-during-shutdown';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => buildOnce());

describe.each(testDatabases())('SIGTERM on $name, NODE_ENV=production', (db) => {
  let server: ChildServer | undefined;
  let drop: () => Promise<void> = async () => undefined;

  afterEach(async () => {
    await server?.kill();
    server = undefined;
    await drop();
  });

  async function start(): Promise<{ url: string; server: ChildServer }> {
    const copy = await copyDatabase(db);
    drop = copy.drop;
    server = await startChildServer(copy.url, { SHUTDOWN_GRACE_MS: '20000' });
    return { url: copy.url, server };
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

  /** A connection that has sent part of a request's headers: open, and not idle. */
  function startRawRequest(port: number): { socket: net.Socket; finish(): Promise<string> } {
    const socket = net.connect(port, '127.0.0.1');
    socket.write('GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    return {
      socket,
      finish() {
        const ended = new Promise<string>((resolve) => socket.once('close', () => resolve(answer)));
        socket.write('Accept: application/json\r\n\r\n');
        return ended;
      },
    };
  }

  it('stops accepting, answers 503 SHUTTING_DOWN on an open connection, finishes the request in flight (committed and audited), then exits 0', async () => {
    const { url: databaseUrl, server: hub } = await start();
    const numerator = (await storedNumerator(databaseUrl)) === 1 ? 0 : 1;
    const BODY = JSON.stringify({ query: RECORD, variables: { input: [{ ...ROW, numerator }] } });
    const token = signToken({ sub: SUBJECT, unit: '06601', role: Role.EDITOR }, TEST_SECRET, 3600);

    // The request is in flight: headers and half of the body sent, the rest after SIGTERM.
    const request = http.request({ host: '127.0.0.1', port: hub.port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY), authorization: `Bearer ${token}` } });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on('error', reject);
    });
    request.write(BODY.slice(0, 40));
    const late = startRawRequest(hub.port);
    await sleep(300);

    hub.child.kill('SIGTERM');
    await sleep(500);
    // No new connection once SIGTERM has arrived; the process still runs for the request in flight.
    await expect(fetch(`${hub.url}/healthz`)).rejects.toThrow();
    expect(hub.child.exitCode).toBeNull();

    // A request whose headers complete now, on a connection opened before: refused, and the connection closed.
    const refused = await late.finish();
    expect(refused).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused).toMatch(/\r\nconnection: close\r\n/i);
    expect(refused).toMatch(/\r\nretry-after: \d+\r\n/i);
    expect(refused).toContain('"code":"SHUTTING_DOWN"');

    request.end(BODY.slice(40));
    const response = await answer;
    expect({ status: response.status, data: JSON.parse(response.body).data }).toEqual({ status: 200, data: { recordObservations: { applied: true, accepted: 1 } } });
    expect(await hub.exited).toBe(0);
    expect(hub.output()).toMatch(/"stopped"/);

    expect(await storedNumerator(databaseUrl)).toBe(numerator);
    expect(await auditEntries(databaseUrl)).toBe(1);
  });

  it('lets a running export finish whole within the grace period, then exits 0', async () => {
    const { server: hub } = await start();
    const token = signToken({ sub: 'admin-exporting', unit: 'VN', role: Role.ADMIN }, TEST_SECRET, 3600);
    const path = '/export/observations.csv?unit=VN&includeDescendants=true';
    const whole = Buffer.from(await (await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer());
    expect(whole.length).toBeGreaterThan(1000);

    // The client reads its first chunk, then stops reading while the server is told to stop.
    const download = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: hub.port, path, headers: { authorization: `Bearer ${token}` } }, resolve).on('error', reject);
    });
    expect(download.statusCode).toBe(200);
    const chunks: Buffer[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      download.on('end', resolve);
      download.on('error', reject);
      download.on('aborted', () => reject(new Error('the export was cut')));
    });
    await new Promise<void>((resolve) =>
      download.on('data', (chunk: Buffer) => {
        if (!chunks.length) {
          download.pause();
          resolve();
        }
        chunks.push(chunk);
      }),
    );
    hub.child.kill('SIGTERM');
    await sleep(1500);
    expect(hub.child.exitCode).toBeNull();

    download.resume();
    await ended;
    const got = Buffer.concat(chunks);
    expect({ bytes: got.length, same: got.equals(whole) }).toEqual({ bytes: whole.length, same: true });
    expect(await hub.exited).toBe(0);
  });
});
