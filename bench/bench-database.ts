import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { DataSource, DataSourceOptions, LogLevel, LogMessage } from 'typeorm';
import { PROJECT_ROOT } from '../server/core/config';
import { createDataSource } from '../server/data-source';
import { isMysql } from '../server/core/sql';
import { StatementCounter } from '../server/core/query-counter';
import type { BenchOptions } from './options';

export const BENCH_DIR = path.join(PROJECT_ROOT, 'bench', 'data'); // git-ignored

export interface BenchDatabase {
  kind: 'mariadb' | 'sqlite';
  url: string;
  /** Drops whatever is there and creates an empty database. */
  recreate(): Promise<void>;
  exists(): Promise<boolean>;
  drop(): Promise<void>;
}

export function benchDatabase(options: BenchOptions): BenchDatabase {
  return options.sqlite ? sqliteDatabase(options.database) : mariadbDatabase(options.mysqlUrl, options.database);
}

function mariadbDatabase(serverUrl: string, name: string): BenchDatabase {
  const server = new URL(serverUrl);
  server.pathname = '/';
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  const admin = async <T>(work: (c: mysql.Connection) => Promise<T>): Promise<T> => {
    const connection = await mysql.createConnection({ uri: server.toString() });
    try {
      return await work(connection);
    } finally {
      await connection.end();
    }
  };
  return {
    kind: 'mariadb',
    url: url.toString(),
    recreate: () =>
      admin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
        await c.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      }),
    exists: () => admin(async (c) => ((await c.query('SHOW DATABASES LIKE ?', [name]))[0] as unknown[]).length > 0),
    drop: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name}`))),
  };
}

function sqliteDatabase(name: string): BenchDatabase {
  const file = path.join(BENCH_DIR, `${name}.sqlite`);
  const remove = async () => ['', '-wal', '-shm', '-journal'].forEach((suffix) => fs.rmSync(file + suffix, { force: true }));
  return {
    kind: 'sqlite',
    url: `sqlite:${file}`,
    recreate: async () => {
      fs.mkdirSync(BENCH_DIR, { recursive: true });
      await remove();
    },
    exists: async () => fs.existsSync(file),
    drop: remove,
  };
}

/**
 * The project's data source (createDataSource, its StatementCounter counting as in production)
 * with that logger swapped for RecordingCounter, the same counter that can also keep the
 * statements' text; built with the project's own logging levels, which AbstractLogger needs.
 */
export function countingDataSource(url: string): DataSource {
  const options = createDataSource(url).options;
  return new DataSource({ ...options, logger: new RecordingCounter(options.logging) } as DataSourceOptions);
}

/** StatementCounter that can also keep the statements' text, so the report can show what one request runs. */
export class RecordingCounter extends StatementCounter {
  static recorded: string[] | null = null;

  protected writeLog(level: LogLevel, message: LogMessage | LogMessage[]): void {
    super.writeLog(level, message);
    if (!RecordingCounter.recorded) return;
    for (const entry of Array.isArray(message) ? message : [message]) if (entry.type === 'query') RecordingCounter.recorded.push(String(entry.message));
  }

  /** The statements `work` sends (its own, while nothing else runs). */
  static async record(work: () => Promise<unknown>): Promise<string[]> {
    const recorded: string[] = [];
    RecordingCounter.recorded = recorded;
    try {
      await work();
    } finally {
      RecordingCounter.recorded = null;
    }
    return recorded;
  }
}

/** Database engine, version and the settings that matter most for these numbers. */
export async function databaseDescription(dataSource: DataSource): Promise<{ version: string; settings: string }> {
  if (!isMysql(dataSource)) {
    const [{ v }] = await dataSource.query('SELECT sqlite_version() AS v');
    return { version: `SQLite ${v} (better-sqlite3)`, settings: 'WAL journal, one connection' };
  }
  const [{ v }] = await dataSource.query('SELECT VERSION() AS v');
  const rows: { Variable_name: string; Value: string }[] = await dataSource.query(
    `SHOW VARIABLES WHERE Variable_name IN ('innodb_buffer_pool_size', 'innodb_flush_log_at_trx_commit', 'innodb_log_file_size', 'max_connections')`,
  );
  const value = (name: string) => rows.find((r) => r.Variable_name === name)?.Value ?? '?';
  const mib = (name: string) => `${Math.round(Number(value(name)) / 2 ** 20)} MiB`;
  return {
    version: `MariaDB/MySQL ${v}`,
    settings: `innodb_buffer_pool_size ${mib('innodb_buffer_pool_size')}, innodb_log_file_size ${mib('innodb_log_file_size')}, innodb_flush_log_at_trx_commit ${value('innodb_flush_log_at_trx_commit')}`,
  };
}

/** Data plus index bytes of the bench database (MariaDB: information_schema; SQLite: the file). */
export async function databaseBytes(dataSource: DataSource, db: BenchDatabase): Promise<number> {
  if (db.kind === 'sqlite') {
    const file = db.url.slice('sqlite:'.length);
    return ['', '-wal'].reduce((sum, suffix) => sum + (fs.existsSync(file + suffix) ? fs.statSync(file + suffix).size : 0), 0);
  }
  const [{ bytes }] = await dataSource.query('SELECT SUM(data_length + index_length) AS bytes FROM information_schema.tables WHERE table_schema = DATABASE()');
  return Number(bytes);
}

/** A small key/value table inside the bench database, so `--keep` knows how the data were made and loaded. */
export async function writeMeta(dataSource: DataSource, name: string, value: unknown): Promise<void> {
  await dataSource.query('CREATE TABLE IF NOT EXISTS bench_meta (name VARCHAR(64) NOT NULL PRIMARY KEY, value TEXT NOT NULL)');
  await dataSource.query('DELETE FROM bench_meta WHERE name = ?', [name]);
  await dataSource.query('INSERT INTO bench_meta (name, value) VALUES (?, ?)', [name, JSON.stringify(value)]);
}

export async function readMeta<T>(dataSource: DataSource, name: string): Promise<T | null> {
  const tables = isMysql(dataSource)
    ? await dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'bench_meta'`)
    : await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'bench_meta'`);
  if (!tables.length) return null;
  const rows: { value: string }[] = await dataSource.query('SELECT value FROM bench_meta WHERE name = ?', [name]);
  return rows.length ? (JSON.parse(rows[0].value) as T) : null;
}
