import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource, QueryRunner } from 'typeorm';
import { COMMIT_UNCONFIRMED } from './database-faults';
import { logger } from './logger';
import { isMysql } from './sql';

/**
 * TypeORM's query runners, as far as we correct them. Their bookkeeping (isTransactionActive,
 * transactionDepth) is what TypeORM trusts to decide between BEGIN and SAVEPOINT: after a failed
 * COMMIT (SQLITE_FULL: SQLite has rolled back by itself) TypeORM's ROLLBACK fails, the error is
 * swallowed, and the runner keeps believing a transaction is open; every later write then
 * became a savepoint that never committed, while the API answered `applied: true`.
 */
interface Runner extends QueryRunner {
  transactionDepth: number;
  isTransactionActive: boolean;
}

interface SqliteRunner extends Runner {
  stmtCache: Map<string, unknown>;
}

interface SqliteDriver {
  databaseConnection: BetterSqlite3.Database;
  createDatabaseConnection(): Promise<BetterSqlite3.Database>;
  createQueryRunner(mode: 'master' | 'slave'): QueryRunner;
}

interface MysqlRunner extends Runner {
  databaseConnection?: { destroy(): void };
}

/** MySQL's SERVER_STATUS_IN_TRANS: set in an OK packet while the session holds a transaction. */
const SERVER_STATUS_IN_TRANS = 0x0001;

function unconfirmed(): Error {
  return Object.assign(new Error('COMMIT returned but the database still holds the transaction open'), { code: COMMIT_UNCONFIRMED });
}

/**
 * Every transaction on `dataSource` (the server's writes, imports, CLIs, migrations) answers only
 * once the database confirms that its COMMIT ended it, and a failed COMMIT or ROLLBACK leaves no
 * connection or runner in a transaction: on MySQL the connection is destroyed instead of going
 * back to the pool; on SQLite the single connection is closed and opened again. SQLite also
 * starts every transaction with BEGIN IMMEDIATE, so a writer waits (busy_timeout) for another
 * process's write lock instead of failing at once when its first write finds it taken.
 */
export function makeTransactionsDurable(dataSource: DataSource): void {
  const driver = dataSource.driver as unknown as SqliteDriver;
  const createQueryRunner = driver.createQueryRunner.bind(driver);
  const corrected = new WeakSet<QueryRunner>();
  const correct = isMysql(dataSource) ? correctMysql : (runner: QueryRunner) => correctSqlite(runner as SqliteRunner, driver);
  driver.createQueryRunner = (mode) => {
    const runner = createQueryRunner(mode);
    if (!corrected.has(runner)) {
      correct(runner);
      corrected.add(runner);
    }
    return runner;
  };
}

function correctSqlite(runner: SqliteRunner, driver: SqliteDriver): void {
  const start = runner.startTransaction.bind(runner);
  const commit = runner.commitTransaction.bind(runner);
  const rollback = runner.rollbackTransaction.bind(runner);
  // A nested transaction is a savepoint inside ours: TypeORM's own handling is right for it.
  runner.startTransaction = async (isolationLevel) => {
    if (runner.transactionDepth > 0) return start(isolationLevel);
    await runner.query('BEGIN IMMEDIATE');
    runner.isTransactionActive = true;
    runner.transactionDepth = 1;
  };
  runner.commitTransaction = async () => {
    if (runner.transactionDepth > 1) return commit();
    try {
      await commit();
    } catch (error) {
      await reopenSqlite(runner, driver);
      throw error;
    }
    if (!driver.databaseConnection.inTransaction) return;
    await reopenSqlite(runner, driver);
    throw unconfirmed();
  };
  runner.rollbackTransaction = async () => {
    if (!runner.isTransactionActive) return;
    if (runner.transactionDepth > 1) return rollback();
    try {
      await rollback();
    } catch (error) {
      await reopenSqlite(runner, driver);
      throw error;
    }
    if (driver.databaseConnection.inTransaction) await reopenSqlite(runner, driver);
  };
}

/**
 * Replaces the driver's connection by a new one and resets the runner to "no transaction". The
 * old connection is closed at once when it still holds a transaction (closing rolls it back and
 * frees the write lock the new one needs); otherwise after the reads already handed one of its
 * prepared statements have run, so they do not fail.
 */
async function reopenSqlite(runner: SqliteRunner, driver: SqliteDriver): Promise<void> {
  runner.isTransactionActive = false;
  runner.transactionDepth = 0;
  const old = driver.databaseConnection;
  let fresh: BetterSqlite3.Database;
  try {
    fresh = await driver.createDatabaseConnection();
  } catch (error) {
    // No new connection (the file is gone?): at least end the old one's transaction.
    logger.error('could not reopen the SQLite database', { error: error instanceof Error ? error.message : String(error) });
    if (old.inTransaction) old.close();
    throw error;
  }
  driver.databaseConnection = fresh;
  runner.stmtCache.clear();
  if (old.inTransaction) old.close();
  else setImmediate(() => old.close());
}

function correctMysql(queryRunner: QueryRunner): void {
  const runner = queryRunner as MysqlRunner;
  const commit = runner.commitTransaction.bind(runner);
  const rollback = runner.rollbackTransaction.bind(runner);
  const release = runner.release.bind(runner);
  let broken = false;
  runner.commitTransaction = async () => {
    if (!runner.isTransactionActive || runner.transactionDepth > 1) return commit();
    let status: number;
    try {
      const result = await runner.query('COMMIT', [], true);
      status = Number((result.raw as { serverStatus?: number } | undefined)?.serverStatus ?? 0);
    } catch (error) {
      broken = true;
      throw error;
    }
    runner.isTransactionActive = false;
    runner.transactionDepth = 0;
    if (status & SERVER_STATUS_IN_TRANS) {
      broken = true;
      throw unconfirmed();
    }
  };
  runner.rollbackTransaction = async () => {
    if (!runner.isTransactionActive) return;
    try {
      await rollback();
    } catch (error) {
      broken = true;
      runner.isTransactionActive = false;
      runner.transactionDepth = 0;
      throw error;
    }
  };
  // A connection whose COMMIT or ROLLBACK failed may still hold a transaction: never back to the pool.
  runner.release = async () => {
    if (broken) runner.databaseConnection?.destroy();
    return release();
  };
}
