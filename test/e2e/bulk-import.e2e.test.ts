import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { ingestObservations } from '../../server/observations/observation-writer';
import { systemContext } from '../../server/observations/system-context';
import { recomputeRollups } from '../../server/statistics/rollup.rebuild';
import { readRollupTable, rollupDifferences } from '../../server/statistics/rollup.store';
import { copyDatabase, openDataSource, testDatabases } from '../support/databases';

/**
 * `npm run import` as a user runs it (the built command, node dist/server/cli/import-observations.js),
 * with small batches so a small file takes several: text cut across the reader's 1 MiB chunks
 * (quotes, CRLF, a Vietnamese character split between two reads), a bad row in a late batch
 * loading nothing, rollups equal to a recomputation, and memory that does not grow with the file.
 */
const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'server', 'cli', 'import-observations.js');
const READ_CHUNK = 1 << 20; // the reader's highWaterMark

interface Ran {
  status: number | null;
  stderr: string;
  peakRssKiB: number;
}

interface Shape {
  communes: string[];
  /** Yearly commune-level indicators without dimensions: [code, split by sex, value type]. */
  indicators: [string, boolean, string][];
}

function components(valueType: string, n: number): [number, number] {
  if (valueType === 'COUNT') return [n % 40, 1];
  if (valueType === 'BOOLEAN') return [n % 2, 1];
  if (valueType === 'RATIO') return [100 + (n % 10), 100];
  if (valueType === 'MEAN') return [200 + (n % 300), 100];
  const denominator = 500 + (n % 1500);
  return [Math.floor(denominator * 0.4), denominator];
}

/** `count` valid rows from `year` on (FEMALE and MALE rows, or TOTAL), adjacent per commune and indicator; `comment(n)` gives a row's comment cell. */
function rows(shape: Shape, count: number, year: number, comment: (n: number) => string = () => ''): string[] {
  const lines: string[] = [];
  for (let y = year, n = 0; lines.length < count; y++) {
    for (const unit of shape.communes) {
      for (const [code, split, valueType] of shape.indicators) {
        for (const sex of split ? ['FEMALE', 'MALE'] : ['TOTAL']) {
          if (lines.length >= count) return lines;
          const [numerator, denominator] = components(valueType, n);
          lines.push(`${code},${unit},${y},${sex},${numerator},${denominator},${comment(n++)}`);
        }
      }
    }
  }
  return lines;
}

const HEADER = 'indicator,unit,period,sex,numerator,denominator,comment';

describe.each(testDatabases())('npm run import (bulk, streamed) on $name', (db) => {
  let url: string;
  let drop: () => Promise<void>;
  let dataSource: DataSource;
  let dir: string;
  let shape: Shape;

  function importFile(file: string, ...args: string[]): Ran {
    const result = spawnSync('/usr/bin/time', ['-v', process.execPath, CLI, file, '--subject', 'importer@VN', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' }, encoding: 'utf8' });
    const peak = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
    return { status: result.status, stderr: result.stderr, peakRssKiB: Number(peak?.[1] ?? NaN) };
  }

  function write(name: string, lines: string[], eol = '\r\n'): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `\uFEFF${[HEADER, ...lines].join(eol)}${eol}`);
    return file;
  }

  const count = async (table: string) => Number((await dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  const snapshot = async () => ({ observations: await count('observation'), revisions: await count('observation_revision'), rollups: [...(await readRollupTable(dataSource.manager)).values()] });

  beforeAll(async () => {
    const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
    expect(built.status).toBe(0);
    ({ url, drop } = await copyDatabase(db));
    dataSource = await openDataSource(url);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bdg-bulk-import-'));
    const communes: { code: string }[] = await dataSource.query(`SELECT code FROM administrative_unit WHERE level = 'COMMUNE' AND valid_to IS NULL ORDER BY code`);
    const indicators: { code: string; split: number | boolean; valueType: string }[] = await dataSource.query(
      `SELECT code, sex_disaggregated AS split, value_type AS valueType FROM indicator WHERE entry_level = 'COMMUNE' AND period_type = 'YEAR' AND dimension_codes = '' AND plausible_min IS NULL AND plausible_max IS NULL ORDER BY code`,
    );
    shape = { communes: communes.map((c) => c.code), indicators: indicators.map((i) => [i.code, Boolean(Number(i.split)), i.valueType]) };
  }, 120_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await drop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads records cut across read chunks (quotes, CRLF inside a cell, a Vietnamese character split between reads) and keeps their lines', async () => {
    // Rows up to just before the 1 MiB boundary, then a quoted multi-line comment padded so the boundary falls inside "ễ" (3 bytes in UTF-8).
    const all = rows(shape, 40_000, 2031);
    let head = Buffer.byteLength(`\uFEFF${HEADER}\r\n`);
    let taken = 0;
    while (head + Buffer.byteLength(`${all[taken]}\r\n`) < READ_CHUNK - 400) head += Buffer.byteLength(`${all[taken++]}\r\n`);
    const special = all[taken];
    const pad = READ_CHUNK - 1 - head - Buffer.byteLength(`${special}"`) - Buffer.byteLength('Nguy');
    const text = `${'x'.repeat(pad)}Nguyễn, "trích" báo cáo\r\ndòng hai`;
    const file = write('chunks.csv', [...all.slice(0, taken), `${special}"${text.replace(/"/g, '""')}"`, ...all.slice(taken + 1, taken + 3000)]);
    const bytes = fs.readFileSync(file);
    // The boundary really cuts "ễ": its first byte is the last of the first read.
    expect(bytes.subarray(READ_CHUNK - 1, READ_CHUNK + 2).toString('utf8')).toBe('ễ');
    const ran = importFile(file, '--batch', '2000');
    expect(ran.stderr).toMatch(new RegExp(`${taken + 3000} rows valid`));
    expect(ran.status).toBe(0);
    const [{ comment: stored }] = await dataSource.query(`SELECT comment FROM observation_revision WHERE comment LIKE '%Nguy%'`);
    // Stored as plan text is: the line break inside the cell as LF (core/text.ts, cleanText).
    expect(stored).toBe(text.replace('\r\n', '\n'));
    // A bad row after the multi-line record is reported with its own line (the record took two).
    const bad = write('chunks-bad.csv', [...all.slice(0, 10), `${special}"a\r\nb"`, 'GE_NOPE,00001,2031,TOTAL,1,1,']);
    const refused = importFile(bad, '--batch', '3');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^line 14: indicator: Unknown indicator "GE_NOPE"$/m);
  }, 60_000);

  it('a bad row in a late batch loads nothing, and every bad row is reported with its line', async () => {
    const before = await snapshot();
    const good = rows(shape, 3000, 2033);
    const lines = [...good];
    lines[2900] = lines[2900].replace(/,(\d+),(\d+),$/, ',abc,$2,'); // line 2902 (header is line 1)
    lines.push(good[10]); // a duplicate of a row 2,990 rows earlier, batches apart
    const ran = importFile(write('late-bad.csv', lines), '--batch', '500');
    expect(ran.status).toBe(1);
    expect(ran.stderr).toMatch(/^line 2902: numerator: Numerator must be a finite number$/m);
    expect(ran.stderr).toMatch(/^line 3002: row: Same observation as row 10 /m);
    expect(ran.stderr).toMatch(/2 of 3001 rows rejected; nothing was loaded/);
    expect(await snapshot()).toEqual(before);
  }, 60_000);

  it('loads several batches in one go: revisions name their rows, rollups equal a recomputation, a dry run and a re-run change nothing', async () => {
    const lines = rows(shape, 6000, 2035);
    const file = write('good.csv', lines, '\n');
    const before = await snapshot();
    const dry = importFile(file, '--batch', '700', '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stderr).toMatch(/6000 rows valid, 6000 changed, not loaded \(dry run\)/);
    expect(await snapshot()).toEqual(before);
    const ran = importFile(file, '--batch', '700');
    expect(ran.status).toBe(0);
    expect(ran.stderr).toMatch(/6000 rows valid, 6000 changed, loaded/);
    expect(ran.stderr.match(/\[import\] \d+ rows loaded, \d+ rows\/s, RSS \d+ MB/g)?.length).toBeGreaterThanOrEqual(8);
    expect(await count('observation')).toBe(before.observations + 6000);
    // Every new row has exactly its own revision (ids taken from the multi-row INSERT on MariaDB).
    const [{ n }] = await dataSource.query(
      `SELECT COUNT(*) AS n FROM observation o JOIN observation_revision r ON r.observation_id = o.id AND r.version = o.version AND r.new_numerator = o.numerator AND r.new_denominator = o.denominator WHERE o.updated_by = 'importer@VN' AND o.period >= '2035'`,
    );
    expect(Number(n)).toBe(6000);
    expect(rollupDifferences(await recomputeRollups(dataSource.manager), await readRollupTable(dataSource.manager))).toEqual([]);
    const again = importFile(file, '--batch', '700');
    expect(again.stderr).toMatch(/6000 rows valid, 0 changed, loaded/);
    // Changing values of stored rows (the version-checked update) keeps the rollups exact too.
    const changed = lines.slice(0, 1500).map((l) => l.replace(/,(\d+),(\d+),$/, (_, a: string, b: string) => `,${Math.floor(Number(a) / 2)},${b},`));
    const update = importFile(write('update.csv', changed), '--batch', '400');
    expect(update.status).toBe(0);
    expect(rollupDifferences(await recomputeRollups(dataSource.manager), await readRollupTable(dataSource.manager))).toEqual([]);
  }, 90_000);

  // MariaDB's locking protocol; an embedded SQLite file has one writing process at a time (see the README).
  (db.name === 'mariadb' ? it : it.skip)('a write of an indicator being imported waits for the import to commit, and the rollups count both exactly', async () => {
    // Groups the import does not touch: it locks its indicators whole instead of reading every group it writes.
    const file = write('concurrent.csv', rows(shape, 30_000, 2060));
    const [code, split, valueType] = shape.indicators[0];
    const importing = spawn(process.execPath, [CLI, file, '--subject', 'importer@VN', '--batch', '2000'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' } });
    let stderr = '';
    const imported = new Promise<{ status: number | null; at: number }>((resolve) => importing.on('close', (status) => resolve({ status, at: Date.now() })));
    await new Promise<void>((resolve) =>
      importing.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/rows loaded/.test(stderr)) resolve();
      }),
    );
    const [numerator, denominator] = components(valueType, 7);
    const ctx = await systemContext(dataSource, { subject: 'concurrent-writer' });
    const writing = ingestObservations(ctx, [{ indicator: code, unit: shape.communes[1], period: '2061', sex: split ? 'FEMALE' : 'TOTAL', numerator, denominator }]).then((result) => ({ result, at: Date.now() }));
    const [importDone, written] = await Promise.all([imported, writing]);
    expect({ status: importDone.status, stderr: importDone.status ? stderr : '' }).toEqual({ status: 0, stderr: '' });
    expect(written.result.applied).toBe(true);
    expect(written.at).toBeGreaterThanOrEqual(importDone.at - 50);
    expect(rollupDifferences(await recomputeRollups(dataSource.manager), await readRollupTable(dataSource.manager))).toEqual([]);
  }, 90_000);

  it('--strict refuses a value outside its plausible range that is otherwise a warning', async () => {
    const [{ code }] = await dataSource.query(`SELECT code FROM indicator WHERE code = 'SEX_RATIO_AT_BIRTH' AND entry_level = 'COMMUNE'`);
    const file = write('implausible.csv', [`${code},${shape.communes[0]},2045,TOTAL,300,100,`]);
    const warned = importFile(file, '--dry-run');
    expect(warned.status).toBe(0);
    expect(warned.stderr).toMatch(/^warning: line 2: numerator: SEX_RATIO_AT_BIRTH 300 .* outside the plausible range 80–150$/m);
    const refused = importFile(file, '--strict');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^line 2: numerator: SEX_RATIO_AT_BIRTH 300 .* outside the plausible range 80–150$/m);
    expect(refused.stderr).toMatch(/1 of 1 rows rejected; nothing was loaded/);
  }, 30_000);

  it('memory follows the batch, not the file: ten times the rows, about the same peak RSS', () => {
    const small = importFile(write('small.csv', rows(shape, 10_000, 2040)), '--batch', '5000');
    const large = importFile(write('large.csv', rows(shape, 100_000, 2050)), '--batch', '5000');
    expect(small.status).toBe(0);
    expect(large.status).toBe(0);
    // Holding the file would add at least 1 KiB a row (the old importer: 974 MB for 300k rows), 90 MB here.
    expect(large.peakRssKiB - small.peakRssKiB).toBeLessThan(60 * 1024);
  }, 120_000);
});
