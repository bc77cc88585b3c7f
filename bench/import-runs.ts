import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { PROJECT_ROOT } from '../server/core/config';
import { recomputeRollups } from '../server/statistics/rollup.rebuild';
import { readRollupTable, rollupDifferences } from '../server/statistics/rollup.store';

/**
 * What `npm run bench:import` and `npm run bench:faults` share: a generated CSV, the real import
 * command run (and killed) as a user types it, and what the database holds afterwards.
 */

// ---------------------------------------------------------------- the CSV

interface IndicatorRow {
  code: string;
  valueType: string;
  sexDisaggregated: number | boolean;
  factor: number;
  plausibleMin: number | null;
  plausibleMax: number | null;
}

/** Numerator and denominator for a value type, varied by `n`, inside any plausible range. */
function components(indicator: IndicatorRow, n: number): [number, number] {
  switch (indicator.valueType) {
    case 'COUNT':
      return [n % 40, 1];
    case 'BOOLEAN':
      return [n % 2, 1];
    case 'RATIO':
      return [100 + (n % 10), 100];
    case 'MEAN':
      return [200 + (n % 300), 100];
    default: {
      const denominator = 500 + (n % 1500);
      return [Math.floor(denominator * (0.2 + (n % 7) / 10)), denominator];
    }
  }
}

/**
 * Every current commune × every yearly commune-level indicator (FEMALE and MALE rows for one
 * split by sex, TOTAL otherwise), year after year from 2027, until `rows`; rows of one commune
 * and year are adjacent, as an office's export gives them. Every row carries a quoted
 * Vietnamese source, so the parser works on quotes and multibyte text.
 */
export async function writeCsv(dataSource: DataSource, file: string, rows: number, firstYear = 2027): Promise<{ communes: number; indicators: number; years: string; lastYear: number }> {
  const communes: { code: string }[] = await dataSource.query(`SELECT code FROM administrative_unit WHERE level = 'COMMUNE' AND valid_to IS NULL ORDER BY code`);
  const indicators: IndicatorRow[] = await dataSource.query(
    `SELECT code, value_type AS valueType, sex_disaggregated AS sexDisaggregated, factor, plausible_min AS plausibleMin, plausible_max AS plausibleMax FROM indicator WHERE entry_level = 'COMMUNE' AND period_type = 'YEAR' AND dimension_codes = '' ORDER BY code`,
  );
  const out = fs.createWriteStream(file);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve())));
  await write('indicator,unit,period,sex,numerator,denominator,source\r\n');
  let written = 0;
  let year = firstYear;
  let n = 0;
  let buffer = '';
  for (; written < rows; year++) {
    for (const { code: unit } of communes) {
      for (const indicator of indicators) {
        for (const sex of Number(indicator.sexDisaggregated) ? ['FEMALE', 'MALE'] : ['TOTAL']) {
          if (written >= rows) break;
          const [numerator, denominator] = components(indicator, n++);
          buffer += `${indicator.code},${unit},${year},${sex},${numerator},${denominator},"Báo cáo thống kê xã, ""giới"" ${year}"\r\n`;
          written++;
        }
      }
      if (buffer.length > 1 << 20) await write(buffer), (buffer = '');
    }
  }
  await write(buffer);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { communes: communes.length, indicators: indicators.length, years: `${firstYear}–${year - 1}`, lastYear: year - 1 };
}

// ---------------------------------------------------------------- the command

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  wallSeconds: number;
  /** From /usr/bin/time -v (KiB), for a run that ended by itself. */
  peakRssMiB: number | null;
  /** Rows the progress output had reported when the run was killed. */
  killedAt: number | null;
  lastLines: string[];
}

/** Runs the import as a user types it (through /usr/bin/time -v); with `killAt`, SIGKILLs the importer once its progress reports that many rows. Its progress lines go to `progress`. */
export function runImport(databaseUrl: string, file: string, batch: number | null, killAt: number | null, progress: (line: string) => void = () => undefined): Promise<RunResult> {
  const args = ['-v', process.execPath, path.join(PROJECT_ROOT, 'dist', 'server', 'cli', 'import-observations.js'), file, '--subject', 'bench-importer@VN', ...(batch ? ['--batch', String(batch)] : [])];
  const started = Date.now();
  const child = spawn('/usr/bin/time', args, { cwd: PROJECT_ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let killedAt: number | null = null;
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stdout.resume();
  child.stderr.on('data', (chunk: string) => {
    pending += chunk;
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const line of complete) {
      lines.push(line);
      if (line.startsWith('[import]')) progress(line);
      const done = /\[import\] (\d+) rows loaded/.exec(line);
      if (killAt !== null && killedAt === null && done && Number(done[1]) >= killAt) {
        killedAt = Number(done[1]);
        // The importer is time's child: kill it, not time, as a kill -9 of `npm run import` would.
        killImporter(child.pid as number);
      }
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      if (pending) lines.push(pending);
      const maxRss = lines.map((l) => /Maximum resident set size \(kbytes\): (\d+)/.exec(l)).find(Boolean);
      const status = lines.map((l) => /Command terminated by signal (\d+)/.exec(l)).find(Boolean);
      resolve({
        exitCode: status ? null : code,
        signal: status ? (Number(status[1]) === 9 ? 'SIGKILL' : (`signal ${status[1]}` as NodeJS.Signals)) : signal,
        wallSeconds: (Date.now() - started) / 1000,
        peakRssMiB: maxRss ? Number(maxRss[1]) / 1024 : null,
        killedAt,
        lastLines: lines.filter((l) => l.startsWith('[import]')).slice(-3),
      });
    });
  });
}

function killImporter(timePid: number): void {
  const children = fs.readFileSync(`/proc/${timePid}/task/${timePid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  for (const pid of children) process.kill(Number(pid), 'SIGKILL');
}

// ---------------------------------------------------------------- checks

export interface DatabaseState {
  observations: number;
  revisions: number;
  rollupRows: number;
  rollupDifferences: string[];
}

export async function stateOf(dataSource: DataSource): Promise<DatabaseState> {
  const count = async (table: string) => Number((await dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  const stored = await readRollupTable(dataSource.manager);
  return {
    observations: await count('observation'),
    revisions: await count('observation_revision'),
    rollupRows: stored.size,
    rollupDifferences: rollupDifferences(await recomputeRollups(dataSource.manager), stored),
  };
}

/**
 * After a client dies MariaDB rolls its transaction back in the connection's thread: wait until no
 * other connection on the database is busy or holds a transaction (the bench's own idle pooled
 * connections sleep without one).
 */
export async function waitForRollback(dataSource: DataSource, database: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    const [{ n }] = await dataSource.query(
      `SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID() AND (command <> 'Sleep' OR id IN (SELECT trx_mysql_thread_id FROM information_schema.innodb_trx))`,
      [database],
    );
    if (Number(n) === 0) return (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
