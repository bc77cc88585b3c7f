import fs from 'node:fs';
import path from 'node:path';
import { DataSource, DataSourceOptions, LogLevel } from 'typeorm';
import { migrations } from '../migrations';
import { entities } from './entities';
import { databaseKind, DatabaseLimits, sqlitePath } from './core/config';
import { StatementCounter } from './core/query-counter';
import { boundPool } from './core/database-pool';
import { setWriteBudget } from './core/write-transaction';
import { makeTransactionsDurable } from './core/durable-transactions';
import { scheduleStatements } from './core/statement-turns';

/** SQLite waits for another process's lock inside a synchronous call that blocks the event loop: never long. */
const SQLITE_MAX_BUSY_MS = 250;

/**
 * Builds the TypeORM data source for DATABASE_URL; schema changes only through migrations.
 * `limits` (the server's) bound every wait; without them (CLIs, benches' loaders) statements may
 * run as long as they need.
 */
export function createDataSource(databaseUrl: string, options: { poolSize?: number; limits?: DatabaseLimits } = {}): DataSource {
  const logging: LogLevel[] = ['query', 'error', 'warn'];
  // The logger needs the levels too: without them TypeORM's AbstractLogger drops every event.
  const limits = options.limits;
  const common = { entities, migrations, synchronize: false, migrationsRun: false, logging, logger: new StatementCounter(logging) };
  if (databaseKind(databaseUrl) === 'sqlite') {
    const file = sqlitePath(databaseUrl);
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    const sqliteOptions: DataSourceOptions = {
      ...common,
      type: 'better-sqlite3',
      database: file,
      prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('foreign_keys = ON');
        db.pragma(`busy_timeout = ${limits ? Math.min(limits.statementTimeoutMs, SQLITE_MAX_BUSY_MS) : 5000}`);
      },
    };
    return scheduled(durable(new DataSource(sqliteOptions)), 'sqlite', 1);
  }
  // Reads outside transactions take at most the pool's share writers leave them.
  if (limits) return scheduled(durable(boundedMysql(mysqlOptionsFor(databaseUrl, common, limits.poolSize), limits)), 'mysql', limits.poolSize - limits.writeConnections);
  return scheduled(durable(new DataSource(mysqlOptionsFor(databaseUrl, common, options.poolSize ?? 10))), 'mysql', options.poolSize ?? 10);
}

function durable(dataSource: DataSource): DataSource {
  makeTransactionsDurable(dataSource);
  return dataSource;
}

/** A request's statements take turns and stop at its deadline (core/statement-turns.ts); outside a request nothing changes. */
function scheduled(dataSource: DataSource, kind: 'sqlite' | 'mysql', mysqlConcurrency: number): DataSource {
  scheduleStatements(dataSource, kind, mysqlConcurrency);
  return dataSource;
}

function mysqlOptionsFor(databaseUrl: string, common: Partial<DataSourceOptions>, poolSize: number): DataSourceOptions {
  return {
    poolSize,
    ...common,
    type: 'mysql',
    url: databaseUrl.replace(/^mariadb:/, 'mysql:'),
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
  } as DataSourceOptions;
}

/** The pool is bounded once it exists (initialize creates it), and writers get their budget. */
function boundedMysql(options: DataSourceOptions, limits: DatabaseLimits): DataSource {
  const dataSource = new DataSource(options);
  setWriteBudget(dataSource, limits.writeConnections);
  const initialize = dataSource.initialize.bind(dataSource);
  dataSource.initialize = async () => {
    await initialize();
    boundPool(dataSource, limits);
    return dataSource;
  };
  return dataSource;

}
