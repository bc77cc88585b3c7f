import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { createApp, App } from '../../server/app';
import { signToken } from '../../server/auth/jwt';
import { Role } from '../../server/auth/role';
import { DatabaseLimits, loadConfig, sqlitePath } from '../../server/core/config';
import { setLogLevel } from '../../server/core/logger';
import { createDataSource } from '../../server/data-source';
import { copyDatabase, TestDatabase, testDatabases } from '../support/databases';
import { TEST_SECRET } from '../support/server';

/**
 * Bounded waits (issue 14): a row lock held by another connection must not stall the server. Small
 * limits, so the lock outlasts every one of them: a pool of 4 with a write budget of 2, statements
 * stopped after 4 s (MariaDB; SQLite's busy_timeout is capped at 250 ms), a connection waited for at
 * most 1 s, a request deadline of 6 s. Generous, so a loaded machine does not end the waits before
 * the test has seen them.
 */
const DEADLINE_MS = 6000;
const LIMITS: DatabaseLimits = { poolSize: 4, writeConnections: 2, statementTimeoutMs: 4000, acquireTimeoutMs: 1000 };
const BLOCKED_WRITERS = 8;

const VILLAGE = '0660101';
const COMMUNE = '06601';
const PERIOD = '2026';
const RECORD = 'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied accepted errors { field message } } }';
const row = (numerator: number) => ({ indicator: 'FEMALE_KEY_LEADER', unit: VILLAGE, period: PERIOD, sex: 'TOTAL', numerator, denominator: 1 });

interface Answer {
  status: number;
  retryAfter: string | null;
  ms: number;
  body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, any> }[] };
}

/** A lock another client holds: a raw second connection, outside the server's pool. */
interface HeldLock {
  /** Resolves once at least `count` statements of the server wait for the lock (MariaDB), or at once (SQLite). */
  waiters(count: number): Promise<void>;
  release(): Promise<void>;
}

describe.each(testDatabases())('bounded waits on $name', (db: TestDatabase) => {
  let dataSource: DataSource;
  let app: App;
  let url: string;
  let drop: () => Promise<void>;
  let databaseUrl: string;
  let closed = false;

  const token = (sub: string, role: Role = Role.EDITOR, unit = COMMUNE) => signToken({ sub, unit, role }, TEST_SECRET, 3600);

  beforeAll(async () => {
    setLogLevel('error');
    const copy = await copyDatabase(db);
    databaseUrl = copy.url;
    drop = copy.drop;
    dataSource = await createDataSource(copy.url, { limits: LIMITS }).initialize();
    const config = loadConfig({ ...process.env, DATABASE_URL: copy.url, JWT_SECRET: TEST_SECRET, REQUEST_TIMEOUT_MS: String(DEADLINE_MS) });
    app = await createApp(dataSource, config);
    url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await app?.close();
    if (!closed) await dataSource?.destroy();
    await drop?.();
  });

  async function send(path: string, init: RequestInit = {}): Promise<Answer> {
    const started = Date.now();
    const response = await fetch(`${url}${path}`, init);
    const text = await response.text();
    const body = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {};
    return { status: response.status, retryAfter: response.headers.get('retry-after'), ms: Date.now() - started, body };
  }

  const gql = (query: string, variables: Record<string, unknown>, bearer: string) =>
    send('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify({ query, variables }) });

  async function ids(): Promise<{ commune: number; village: number; indicator: number }> {
    const [commune] = await dataSource.query(`SELECT id FROM administrative_unit WHERE code = ? AND valid_to IS NULL`, [COMMUNE]);
    const [village] = await dataSource.query(`SELECT id FROM administrative_unit WHERE code = ? AND valid_to IS NULL`, [VILLAGE]);
    const [indicator] = await dataSource.query(`SELECT id FROM indicator WHERE code = 'FEMALE_KEY_LEADER'`);
    return { commune: Number(commune.id), village: Number(village.id), indicator: Number(indicator.id) };
  }

  async function stored(): Promise<{ numerator: number; version: number }[]> {
    const { village, indicator } = await ids();
    const rows = await dataSource.query(`SELECT numerator, version FROM observation WHERE unit_id = ? AND indicator_id = ? AND period = ? AND sex = 'TOTAL' AND disaggregation = ''`, [village, indicator, PERIOD]);
    return rows.map((r: { numerator: unknown; version: unknown }) => ({ numerator: Number(r.numerator), version: Number(r.version) }));
  }

  async function rollups(): Promise<string> {
    const { commune, indicator } = await ids();
    const rows = await dataSource.query(`SELECT * FROM statistics_rollup WHERE unit_id = ? AND indicator_id = ? AND period = ? ORDER BY scope, basis`, [commune, indicator, PERIOD]);
    return JSON.stringify(rows);
  }

  async function auditCount(subjectPrefix: string, succeeded: boolean): Promise<number> {
    const [row] = await dataSource.query(`SELECT COUNT(*) AS n FROM audit_entry WHERE subject LIKE ? AND succeeded = ${succeeded ? 1 : 0}`, [`${subjectPrefix}%`]);
    return Number(row.n);
  }

  /** MariaDB: the commune's rollup row for the indicator and period, FOR UPDATE. SQLite: the write lock (BEGIN IMMEDIATE). */
  async function holdLock(): Promise<HeldLock> {
    if (db.name === 'sqlite') {
      const other = new Database(sqlitePath(databaseUrl));
      other.exec('BEGIN IMMEDIATE');
      return {
        waiters: async () => undefined,
        release: async () => {
          other.exec('ROLLBACK');
          other.close();
        },
      };
    }
    const { commune, indicator } = await ids();
    const other = await mysql.createConnection({ uri: databaseUrl });
    await other.query('BEGIN');
    const [locked] = await other.query(`SELECT * FROM statistics_rollup WHERE unit_id = ? AND indicator_id = ? AND period = ? FOR UPDATE`, [commune, indicator, PERIOD]);
    expect((locked as unknown[]).length).toBeGreaterThan(0);
    return {
      async waiters(count) {
        for (let i = 0; i < 200; i++) {
          // Statements of the server's connections to this database that are running (here: waiting for the lock).
          const [rows] = await other.query(`SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = DATABASE() AND command = 'Query' AND id <> CONNECTION_ID()`);
          if (Number((rows as { n: number }[])[0].n) >= count) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error(`fewer than ${count} statements ever waited for the lock`);
      },
      release: async () => {
        await other.query('ROLLBACK');
        await other.end();
      },
    };
  }

  it('a write blocked by a lock answers 503 DATABASE_BUSY with Retry-After within the deadline, writes nothing, and reads, /healthz and /readyz keep answering', async () => {
    const first = await gql(RECORD, { input: [row(1)] }, token('resilience-setup'));
    expect(first.body.data?.recordObservations).toMatchObject({ applied: true });
    const before = { observation: await stored(), rollups: await rollups() };
    expect(before.observation).toEqual([{ numerator: 1, version: expect.any(Number) }]);

    const lock = await holdLock();
    let released = false;
    try {
      // More writers than the pool has connections: without the write budget they would take them all.
      const writes = Array.from({ length: BLOCKED_WRITERS }, (_, i) => gql(RECORD, { input: [row(0)] }, token(`blocked-writer-${i}`)));
      await lock.waiters(LIMITS.writeConnections); // the budget is full
      const [read, health, ready] = await Promise.all([
        gql('{ indicators { code } }', {}, token('reader', Role.ANALYST)),
        send('/healthz'),
        send('/readyz'),
      ]);
      expect({ read: read.status, readErrors: read.body.errors, health: health.status, ready: ready.status }).toEqual({ read: 200, readErrors: undefined, health: 200, ready: 200 });
      expect(read.body.data!.indicators.length).toBeGreaterThan(10);

      for (const answer of await Promise.all(writes)) {
        expect({ status: answer.status, code: answer.body.errors?.[0]?.extensions?.code, retryAfter: Number(answer.retryAfter) > 0 }).toEqual({ status: 503, code: 'DATABASE_BUSY', retryAfter: true });
        expect(answer.body.errors![0].extensions!.retryAfter).toBe(Number(answer.retryAfter));
        // Well inside MariaDB's own 50 s lock wait: the server's limits ended the wait.
        expect(answer.ms).toBeLessThan(DEADLINE_MS + 5000);
      }
      // Nothing half-written: the observation, its rollups and the audit trail are as before.
      expect(await stored()).toEqual(before.observation);
      expect(await rollups()).toBe(before.rollups);
      expect(await auditCount('blocked-writer-', true)).toBe(0);

      await lock.release();
      released = true;
      const retried = await gql(RECORD, { input: [row(0)] }, token('after-release'));
      expect({ status: retried.status, data: retried.body.data }).toEqual({ status: 200, data: { recordObservations: { applied: true, accepted: 1, errors: [] } } });
      expect((await stored())[0].numerator).toBe(0);
      expect(await rollups()).not.toBe(before.rollups);
      expect(await auditCount('after-release', true)).toBe(1);
    } finally {
      if (!released) await lock.release();
    }
  });

  it('the audit entry is written in the transaction of its change: a write that fails after its change leaves neither', async () => {
    // The database refuses the audit entry of one subject: the observation has been written by then.
    await dataSource.query(
      db.name === 'sqlite'
        ? `CREATE TRIGGER refuse_doomed_audit BEFORE INSERT ON audit_entry WHEN NEW.subject = 'doomed-writer' BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END`
        : `CREATE TRIGGER refuse_doomed_audit BEFORE INSERT ON audit_entry FOR EACH ROW BEGIN IF NEW.subject = 'doomed-writer' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit refused by the test'; END IF; END`,
    );
    try {
      const before = { observation: await stored(), rollups: await rollups() };
      const changed = row(1 - before.observation[0].numerator);
      const doomed = await gql(RECORD, { input: [changed] }, token('doomed-writer'));
      expect(doomed.body.errors?.length).toBeGreaterThan(0);
      expect(doomed.body.data?.recordObservations ?? null).toBeNull();
      expect(await stored()).toEqual(before.observation);
      expect(await rollups()).toBe(before.rollups);
      expect(await auditCount('doomed-writer', true) + (await auditCount('doomed-writer', false))).toBe(0);

      // The control: the same write by another subject goes through with exactly one entry.
      const kept = await gql(RECORD, { input: [changed] }, token('kept-writer'));
      expect(kept.body.data?.recordObservations).toMatchObject({ applied: true });
      expect((await stored())[0]).toEqual({ numerator: changed.numerator, version: before.observation[0].version + 1 });
      expect([await auditCount('kept-writer', true), await auditCount('kept-writer', false)]).toEqual([1, 0]);
    } finally {
      await dataSource.query('DROP TRIGGER refuse_doomed_audit');
    }
  });

  it('once the database is gone, GraphQL and exports answer 503 DATABASE_UNAVAILABLE with Retry-After, /healthz stays 200 and /readyz says 503', async () => {
    await dataSource.destroy();
    closed = true;
    const analyst = token('reader', Role.ANALYST, '20');
    const read = await gql('{ indicators { code } }', {}, analyst);
    const exported = await send(`/export/observations.csv?indicator=FEMALE_KEY_LEADER&unit=${COMMUNE}`, { headers: { authorization: `Bearer ${analyst}` } });
    for (const answer of [read, exported]) {
      expect({ status: answer.status, code: answer.body.errors?.[0]?.extensions?.code, retryAfter: Number(answer.retryAfter) > 0 }).toEqual({ status: 503, code: 'DATABASE_UNAVAILABLE', retryAfter: true });
      expect(answer.body.errors![0].message).toMatch(/database is unavailable/);
    }
    expect((await send('/healthz')).status).toBe(200);
    const ready = await send('/readyz');
    expect([ready.status, Number(ready.retryAfter) > 0]).toEqual([503, true]);
  });
});
