import { Readable } from 'node:stream';
import type { QueryRunner } from 'typeorm';

/** What mysql2's callback connection (TypeORM's MysqlQueryRunner.databaseConnection) offers for LOAD DATA LOCAL. */
interface RawConnection {
  query(options: { sql: string; infileStreamFactory: () => Readable }, callback: (error: (Error & { errno?: number }) | null, result: { affectedRows: number; warningStatus: number }) => void): void;
  query(sql: string, callback: (error: Error | null, rows: { id: number | string }[]) => void): void;
}

/** The server refuses LOCAL INFILE (local_infile=0 on MariaDB 10.x / MySQL 8). */
const REFUSED = new Set([1148, 3948, 4166]);

/** A value as a field of LOAD DATA's default text format (tab-separated, backslash escapes, \N for NULL). */
function field(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  return String(value).replace(/[\\\t\n\r\0]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\0'));
}

/**
 * Writes rows with one LOAD DATA LOCAL INFILE on the transaction's connection (MySQL/MariaDB): the
 * server reads plain text instead of parsing a statement of literals, about twice as fast as
 * multi-row INSERTs here, and its AUTO-INC lock gives the rows consecutive ids (innodb_autoinc_lock_mode
 * 0 or 1), the first of which LAST_INSERT_ID() returns. Null when the server does not allow LOCAL
 * INFILE: the caller then writes with INSERTs. A row the server would change (a warning: truncation,
 * conversion) throws, so nothing is stored other than what was checked.
 */
export async function loadData(runner: QueryRunner, table: string, columns: readonly string[], rows: unknown[][]): Promise<{ firstId: number } | null> {
  const connection = (runner as unknown as { databaseConnection: RawConnection }).databaseConnection;
  const text = rows.map((row) => row.map(field).join('\t')).join('\n') + '\n';
  const sql = `LOAD DATA LOCAL INFILE 'rows.tsv' INTO TABLE ${table} CHARACTER SET utf8mb4 (${columns.join(', ')})`;
  const result = await new Promise<{ affectedRows: number; warningStatus: number } | null>((resolve, reject) =>
    connection.query({ sql, infileStreamFactory: () => Readable.from([Buffer.from(text)]) }, (error, outcome) => (error ? (REFUSED.has(error.errno ?? 0) ? resolve(null) : reject(error)) : resolve(outcome))),
  );
  if (!result) return null;
  if (result.affectedRows !== rows.length || result.warningStatus) throw new Error(`LOAD DATA into ${table} stored ${result.affectedRows} of ${rows.length} rows with ${result.warningStatus} warnings; nothing was loaded`);
  const first = await new Promise<number>((resolve, reject) => connection.query('SELECT LAST_INSERT_ID() AS id', (error, found) => (error ? reject(error) : resolve(Number(found[0].id)))));
  return { firstId: first };
}
