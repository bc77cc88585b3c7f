import 'reflect-metadata';
import fs from 'node:fs';
import mysql from 'mysql2/promise';
import { createDataSource } from '../../server/data-source';
import { setLogLevel } from '../../server/core/logger';
import { migrate, seed } from '../../server/setup/database-setup';
import { ARTIFACTS, MYSQL_TEMPLATE_DB, SQLITE_TEMPLATE, testDatabases } from './databases';

function pidIn(name: string): number {
  return Number(/(\d+)/.exec(name)?.[1] ?? 0);
}

function alive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Builds each template database once per run: migrations and the full demo data. */
export default async function globalSetup(): Promise<void> {
  setLogLevel('warn');
  if (process.env.CI && !process.env.TEST_MYSQL_URL) throw new Error('CI must run the suite against MariaDB too: set TEST_MYSQL_URL');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  for (const file of fs.readdirSync(ARTIFACTS).filter((f) => /\.sqlite/.test(f) && !alive(pidIn(f)))) fs.rmSync(`${ARTIFACTS}/${file}`, { force: true });
  for (const db of testDatabases()) {
    if (db.name === 'mariadb') {
      const url = process.env.TEST_MYSQL_URL as string;
      const connection = await mysql.createConnection({ uri: url }).catch((error: Error) => {
        throw new Error(`TEST_MYSQL_URL is set but MariaDB cannot be reached (${error.message})`);
      });
      await connection.query(`DROP DATABASE IF EXISTS ${MYSQL_TEMPLATE_DB}`);
      await connection.query(`CREATE DATABASE ${MYSQL_TEMPLATE_DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      const [existing] = await connection.query(`SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name LIKE 'bdg\\_t%'`);
      for (const { s } of existing as { s: string }[]) {
        if (!alive(pidIn(s))) await connection.query(`DROP DATABASE \`${s}\``); // left by a run that ended
      }
      await connection.end();
    }
    const dataSource = await createDataSource(db.templateUrl).initialize();
    try {
      await migrate(dataSource);
      await seed(dataSource, { demo: true, print: () => undefined });
    } finally {
      await dataSource.destroy();
    }
  }
}
