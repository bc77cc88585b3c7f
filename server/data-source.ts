import fs from 'node:fs';
import path from 'node:path';
import { DataSource, DataSourceOptions, LogLevel } from 'typeorm';
import { migrations } from '../migrations';
import { entities } from './entities';
import { databaseKind, sqlitePath } from './core/config';
import { StatementCounter } from './core/query-counter';

/** Builds the TypeORM data source for DATABASE_URL; schema changes only through migrations. */
export function createDataSource(databaseUrl: string, options: { poolSize?: number } = {}): DataSource {
  const logging: LogLevel[] = ['query', 'error', 'warn'];
  // The logger needs the levels too: without them TypeORM's AbstractLogger drops every event.
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
        db.pragma('busy_timeout = 5000');
      },
    };
    return new DataSource(sqliteOptions);
  }
  const mysqlOptions: DataSourceOptions = {
    ...common,
    type: 'mysql',
    url: databaseUrl.replace(/^mariadb:/, 'mysql:'),
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    poolSize: options.poolSize ?? 10,
  };
  return new DataSource(mysqlOptions);
}
