import 'reflect-metadata';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { sqlitePath } from '../../server/core/config';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * The SDMX web service has the request deadline of GraphQL and the exports until its first byte: on
 * MariaDB, a data query whose tables another client holds locked (LOCK TABLES … WRITE) gets an
 * SDMX-ML error with 503 and Retry-After, not a hang. No statement timeout is set here, so only the
 * deadline can answer. Once the lock is gone the same query is answered in full. SQLite in WAL mode
 * has no such stall to bound: another client's write transaction never blocks a reader, which the
 * test shows instead.
 */
const DEADLINE_MS = 2000;
const QUERY = '/sdmx/rest/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F+M?startPeriod=2024&endPeriod=2026';

describe.each(testDatabases())('SDMX under a held lock on $name', (db) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(db, { REQUEST_TIMEOUT_MS: String(DEADLINE_MS) });
  });
  afterAll(() => server?.close());

  /** Another client takes the strongest lock it can on the tables a data query reads; resolves to the release. */
  async function lockTables(): Promise<() => Promise<void>> {
    if (db.name === 'sqlite') {
      const other = new Database(sqlitePath(`sqlite:${server.dataSource.options.database as string}`));
      other.exec('BEGIN IMMEDIATE');
      other.exec('DELETE FROM observation WHERE 1 = 0');
      return async () => {
        other.exec('ROLLBACK');
        other.close();
      };
    }
    const other = await mysql.createConnection({ uri: (server.dataSource.options as { url: string }).url });
    await other.query('LOCK TABLES observation WRITE, statistics_rollup WRITE');
    return async () => {
      await other.query('UNLOCK TABLES');
      await other.end();
    };
  }

  const get = async () => {
    const response = await fetch(`${server.url}${QUERY}`, { headers: { authorization: `Bearer ${server.token('20', 'ANALYST')}` } });
    return { status: response.status, type: response.headers.get('content-type') ?? '', retryAfter: Number(response.headers.get('retry-after')), body: await response.text() };
  };

  it('answers 503 with an SDMX-ML error and Retry-After while the lock outlasts the deadline (MariaDB; SQLite readers do not wait), then the data once released', async () => {
    const release = await lockTables();
    let released = false;
    try {
      const during = await get();
      if (db.name === 'sqlite') expect({ status: during.status, series: during.body.includes('Series') }).toEqual({ status: 200, series: true });
      else expect({ status: during.status, xml: during.type.includes('xml'), error: during.body.includes('<message:Error'), retry: during.retryAfter > 0 }).toEqual({ status: 503, xml: true, error: true, retry: true });
      await release();
      released = true;
      const answered = await get();
      expect({ status: answered.status, series: answered.body.includes('Series') }).toEqual({ status: 200, series: true });
    } finally {
      if (!released) await release();
    }
  });
});
