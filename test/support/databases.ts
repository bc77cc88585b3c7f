import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { createDataSource } from '../../server/data-source';

export interface TestDatabase {
  name: 'sqlite' | 'mariadb';
  /** The database every test file copies; built once per run by global-setup. */
  templateUrl: string;
}

export const ARTIFACTS = path.join(__dirname, '..', 'artifacts');
export const SQLITE_TEMPLATE = path.join(ARTIFACTS, `template-${process.pid}.sqlite`);
/** Per jest process, so two runs on one MariaDB (a developer's and CI's) never share databases. */
export const MYSQL_PREFIX = `bdg_t${process.pid}`;
export const MYSQL_TEMPLATE_DB = `${MYSQL_PREFIX}_template`;

/** SQLite always; MariaDB too when TEST_MYSQL_URL is set (CI sets it and fails without it). */
export function testDatabases(): TestDatabase[] {
  const databases: TestDatabase[] = [{ name: 'sqlite', templateUrl: `sqlite:${SQLITE_TEMPLATE}` }];
  const mysqlUrl = process.env.TEST_MYSQL_URL;
  if (mysqlUrl) databases.push({ name: 'mariadb', templateUrl: withDatabase(mysqlUrl, MYSQL_TEMPLATE_DB) });
  return databases;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

let copies = 0;

/** A private copy of the template, so a test file may write without disturbing the others. */
export async function copyDatabase(db: TestDatabase): Promise<{ url: string; drop: () => Promise<void> }> {
  copies += 1;
  if (db.name === 'sqlite') {
    const file = path.join(ARTIFACTS, `copy-${process.pid}-${copies}.sqlite`);
    fs.copyFileSync(SQLITE_TEMPLATE, file);
    return { url: `sqlite:${file}`, drop: async () => ['', '-wal', '-shm'].forEach((s) => fs.rmSync(file + s, { force: true })) };
  }
  const name = `${MYSQL_PREFIX}_${copies}`;
  const connection = await mysql.createConnection({ uri: process.env.TEST_MYSQL_URL as string, multipleStatements: true });
  try {
    await connection.query(`DROP DATABASE IF EXISTS ${name}; CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const [tables] = await connection.query(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ?`, [MYSQL_TEMPLATE_DB]);
    for (const { t } of tables as { t: string }[]) {
      await connection.query(`CREATE TABLE ${name}.\`${t}\` LIKE ${MYSQL_TEMPLATE_DB}.\`${t}\`; INSERT INTO ${name}.\`${t}\` SELECT * FROM ${MYSQL_TEMPLATE_DB}.\`${t}\``);
    }
  } finally {
    await connection.end();
  }
  return {
    url: withDatabase(process.env.TEST_MYSQL_URL as string, name),
    drop: async () => {
      const c = await mysql.createConnection({ uri: process.env.TEST_MYSQL_URL as string });
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.end();
    },
  };
}

export async function openDataSource(url: string): Promise<DataSource> {
  return createDataSource(url).initialize();
}
