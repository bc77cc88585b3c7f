import fs from 'node:fs';
import mysql from 'mysql2/promise';
import { MYSQL_PREFIX, SQLITE_TEMPLATE } from './databases';

/** Removes this run's templates; copies are removed by each test file. */
export default async function globalTeardown(): Promise<void> {
  ['', '-wal', '-shm'].forEach((suffix) => fs.rmSync(SQLITE_TEMPLATE + suffix, { force: true }));
  if (!process.env.TEST_MYSQL_URL) return;
  const connection = await mysql.createConnection({ uri: process.env.TEST_MYSQL_URL });
  const [rows] = await connection.query(`SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name LIKE ?`, [`${MYSQL_PREFIX}\\_%`]);
  for (const { s } of rows as { s: string }[]) await connection.query(`DROP DATABASE \`${s}\``);
  await connection.end();
}
