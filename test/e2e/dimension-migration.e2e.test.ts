import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations';
import { createDataSource } from '../../server/data-source';
import { ARTIFACTS, MYSQL_PREFIX, testDatabases, withDatabase } from '../support/databases';

/**
 * The coded-dimensions migration on a database of the version before it: the free
 * `disaggregation` texts become canonical coded keys and the indicators declare the dimensions
 * found; a text with no code stops the migration before it changes anything (MariaDB cannot roll
 * back DDL), naming the text.
 */
const BEFORE = migrations.slice(0, migrations.findIndex((m) => m.name === 'CodedDimensions1763900009000'));

let created = 0;

async function emptyDatabase(kind: string): Promise<{ url: string; drop: () => Promise<void> }> {
  created += 1;
  if (kind === 'sqlite') {
    const file = path.join(ARTIFACTS, `migration-${process.pid}-${created}.sqlite`);
    fs.rmSync(file, { force: true });
    return { url: `sqlite:${file}`, drop: async () => ['', '-wal', '-shm'].forEach((s) => fs.rmSync(file + s, { force: true })) };
  }
  const name = `${MYSQL_PREFIX}_migration${created}`;
  const admin = async (sql: string) => {
    const connection = await mysql.createConnection({ uri: process.env.TEST_MYSQL_URL as string });
    await connection.query(sql);
    await connection.end();
  };
  await admin(`DROP DATABASE IF EXISTS ${name}`);
  await admin(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  return { url: withDatabase(process.env.TEST_MYSQL_URL as string, name), drop: () => admin(`DROP DATABASE IF EXISTS ${name}`) };
}

/** A database at the version before coded dimensions, with one indicator and observations carrying `texts`. */
async function legacyDatabase(kind: string, texts: string[]): Promise<{ url: string; drop: () => Promise<void> }> {
  const database = await emptyDatabase(kind);
  const old = new DataSource({ ...createDataSource(database.url).options, migrations: BEFORE });
  await old.initialize();
  try {
    await old.runMigrations({ transaction: 'each' });
    await old.query(
      `INSERT INTO indicator (code, name, name_en, domain, value_type, factor, unit_of_measure, entry_level, sex_disaggregated, temporal_aggregation, period_type, numerator_label, denominator_label, source)
       VALUES ('LEGACY', 'Chỉ tiêu cũ', 'Legacy', 'EDUCATION', 'COUNT', 1, 'người', 'COMMUNE', 1, 'STOCK', 'YEAR', 'người', NULL, 'test')`,
    );
    await old.query(`INSERT INTO administrative_unit (code, level, type, name, full_name, name_en, search_name) VALUES ('99999', 'COMMUNE', 'Xã', 'Thử', 'Xã Thử', 'Thu Commune', 'xa thu')`);
    const [{ id }] = await old.query(`SELECT id FROM indicator WHERE code = 'LEGACY'`);
    const [{ unitId }] = await old.query(`SELECT id AS unitId FROM administrative_unit WHERE code = '99999'`);
    for (const [i, text] of ['', ...texts].entries()) {
      await old.query(
        `INSERT INTO observation (indicator_id, unit_id, period, sex, disaggregation, numerator, denominator, status, source, version, updated_by, updated_at) VALUES (?, ?, '2024', 'FEMALE', ?, ?, 1, 'DRAFT', NULL, 1, 'test', '2024-12-31T00:00:00.000Z')`,
        [id, unitId, text, 10 + i],
      );
    }
  } finally {
    await old.destroy();
  }
  return database;
}

describe.each(testDatabases())('the coded-dimensions migration on $name', (db) => {
  it('turns the free disaggregation texts into coded keys and declares the dimensions on the indicator', async () => {
    const database = await legacyDatabase(db.name, ['ethnic=minority', 'urban=rural;age=15-24']);
    const dataSource = await createDataSource(database.url).initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
      const rows = await dataSource.query(`SELECT disaggregation AS k, numerator AS n FROM observation ORDER BY numerator`);
      expect(rows.map((r: { k: string; n: number }) => [r.k, Number(r.n)])).toEqual([
        ['', 10],
        ['ETHNICITY=MINORITY', 11],
        ['AGE=Y15T24;URBANISATION=R', 12],
      ]);
      const [indicator] = await dataSource.query(`SELECT dimension_codes AS d FROM indicator WHERE code = 'LEGACY'`);
      expect(indicator.d).toBe('AGE;ETHNICITY;URBANISATION');
      // Recreated with the cell in its key, empty: the next start recomputes it (prepareStatistics).
      expect(await dataSource.query(`SELECT dimensions FROM statistics_rollup`)).toEqual([]);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });

  it('stops before any change on a text with no code, naming it', async () => {
    const database = await legacyDatabase(db.name, ['ethnic=minority', 'religion=none']);
    const dataSource = await createDataSource(database.url).initialize();
    try {
      await expect(dataSource.runMigrations({ transaction: 'each' })).rejects.toThrow(/"religion=none".*DIMENSION=CODE/);
      const tables: { name: string }[] = db.name === 'sqlite' ? await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table'`) : await dataSource.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()`);
      expect(tables.map((t) => t.name)).not.toContain('dimension');
      const rows = await dataSource.query(`SELECT disaggregation AS k FROM observation ORDER BY numerator`);
      expect(rows.map((r: { k: string }) => r.k)).toEqual(['', 'ethnic=minority', 'religion=none']);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });
});
