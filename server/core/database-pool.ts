import { DataSource } from 'typeorm';
import { POOL_ACQUIRE_TIMEOUT } from './database-faults';
import { isMysql } from './sql';

type Callback = (error: Error | null, connection?: PooledConnection) => void;

interface PooledConnection {
  query(sql: string, callback: (error: (Error & { errno?: number }) | null) => void): void;
  release(): void;
  destroy(): void;
}

interface Pool {
  getConnection(callback: Callback): void;
}

/** MariaDB takes seconds (fractions allowed) and stops any statement; MySQL 8 only SELECTs, in ms. */
const UNKNOWN_SYSTEM_VARIABLE = 1193;

function sessionSettings(statementTimeoutMs: number): { mariadb: string; mysql: string } {
  // A lock wait ends with the statement at the latest; innodb_lock_wait_timeout is whole seconds, at least 1.
  const lockWait = `innodb_lock_wait_timeout = ${Math.max(1, Math.ceil(statementTimeoutMs / 1000))}`;
  return {
    mariadb: `SET SESSION max_statement_time = ${(statementTimeoutMs / 1000).toFixed(3)}, ${lockWait}`,
    mysql: `SET SESSION max_execution_time = ${statementTimeoutMs}, ${lockWait}`,
  };
}

function configure(connection: PooledConnection, statementTimeoutMs: number, done: (error: Error | null) => void): void {
  const settings = sessionSettings(statementTimeoutMs);
  connection.query(settings.mariadb, (error) => {
    if (error?.errno !== UNKNOWN_SYSTEM_VARIABLE) return done(error);
    connection.query(settings.mysql, done);
  });
}

/**
 * Bounds every wait on a MySQL/MariaDB pool (mysql2 has no acquire timeout of its own): a
 * connection that does not come within `acquireTimeoutMs` fails with POOL_ACQUIRE_TIMEOUT (→
 * DATABASE_BUSY), and every new connection gets the session's statement and lock-wait limits
 * before its first use. A connection that arrives after its caller gave up goes back to the pool.
 */
export function boundPool(dataSource: DataSource, limits: { acquireTimeoutMs: number; statementTimeoutMs: number }): void {
  if (!isMysql(dataSource)) return;
  const pool = (dataSource.driver as unknown as { pool: Pool }).pool;
  const getConnection = pool.getConnection.bind(pool);
  const configured = new WeakSet<PooledConnection>();
  pool.getConnection = (callback: Callback) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      callback(Object.assign(new Error(`No database connection came free within ${limits.acquireTimeoutMs} ms`), { code: POOL_ACQUIRE_TIMEOUT }));
    }, limits.acquireTimeoutMs);
    const hand = (error: Error | null, connection?: PooledConnection) => {
      if (settled) return connection && !error ? connection.release() : undefined;
      settled = true;
      clearTimeout(timer);
      callback(error, connection);
    };
    getConnection((error, connection) => {
      if (error || !connection || configured.has(connection)) return hand(error, connection);
      configure(connection, limits.statementTimeoutMs, (failure) => {
        if (!failure) {
          configured.add(connection);
          return hand(null, connection);
        }
        connection.destroy();
        hand(failure);
      });
    });
  };
}
