import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { PROJECT_ROOT } from '../server/core/config';
import { setLogLevel } from '../server/core/logger';
import { createDataSource } from '../server/data-source';
import { migrate, seed } from '../server/setup/database-setup';
import { BENCH_DIR, benchDatabase, databaseDescription } from './bench-database';
import { codeVersion, describeMachine } from './machine';
import { DatabaseState, RunResult, runImport, stateOf, waitForRollback, writeCsv } from './import-runs';

/**
 * `npm run bench:import`: the real `npm run import` command (node dist/server/cli/import-observations.js)
 * on generated CSVs of ROWS rows into its own MariaDB database. First a full run of one file into
 * the fresh database, timed, with its peak RSS (/usr/bin/time -v); then a second file (the years
 * after) killed with SIGKILL once its progress passes half, and what that left; then the second
 * file again, timed too (after a kill the server still has the rollback's pages to clean up).
 * Rollups are checked against a recomputation each time. Writes bench/IMPORT.md.
 */
const USAGE = `usage: npm run bench:import -- [--rows N] [--database NAME] [--mysql-url URL] [--out FILE]
  --rows N         rows of the generated CSV (default 1000000)
  --database NAME  MariaDB database to create (dropped first; default bdg_bench_import)
  --mysql-url URL  MariaDB server (default BENCH_MYSQL_URL or mysql://root@127.0.0.1:3306)
  --batch N        rows per batch of the importer (default: its own, 20000)
  --drop           drop the database at the end (default: keep it, to look at)
  --out FILE       the report (default bench/IMPORT.md)`;

interface Options {
  rows: number;
  database: string;
  mysqlUrl: string;
  batch: number | null;
  drop: boolean;
  out: string;
}

function parseOptions(args: string[]): Options {
  const value = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (args.includes('--help')) {
    console.log(USAGE);
    process.exit(0);
  }
  const rows = Number(value('rows') ?? 1_000_000);
  const batch = value('batch') === undefined ? null : Number(value('batch'));
  if (!Number.isInteger(rows) || rows < 1000 || (batch !== null && !(batch > 0))) {
    console.error(USAGE);
    process.exit(2);
  }
  return {
    rows,
    batch,
    drop: args.includes('--drop'),
    database: value('database') ?? 'bdg_bench_import',
    mysqlUrl: value('mysql-url') ?? process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
    out: path.resolve(value('out') ?? path.join(PROJECT_ROOT, 'bench', 'IMPORT.md')),
  };
}

const print = (line: string) => console.log(`[bench:import] ${line}`);

/**
 * What MariaDB alone takes to write the same rows, in the same run: the loaded observations and
 * revisions copied into empty tables of the same definition (INSERT … SELECT: no client, no
 * parsing, no checks). The importer's rate divided by this one is its share of the server's own speed.
 */
async function serverCopySeconds(dataSource: DataSource): Promise<{ observations: number; revisions: number }> {
  const copy = async (table: string) => {
    await dataSource.query(`DROP TABLE IF EXISTS bench_copy_${table}`);
    await dataSource.query(`CREATE TABLE bench_copy_${table} LIKE ${table}`);
    const started = Date.now();
    await dataSource.query(`INSERT INTO bench_copy_${table} SELECT * FROM ${table}`);
    const seconds = (Date.now() - started) / 1000;
    await dataSource.query(`DROP TABLE bench_copy_${table}`);
    return seconds;
  };
  return { observations: await copy('observation'), revisions: await copy('observation_revision') };
}

// ---------------------------------------------------------------- report

interface Runs {
  before: DatabaseState;
  full: RunResult;
  afterFull: DatabaseState;
  killed: RunResult;
  rollbackSeconds: number;
  afterKill: DatabaseState;
  rerun: RunResult;
  afterRerun: DatabaseState;
}

function report(options: Options, setup: { communes: number; indicators: number; years: string; secondYears: string; csvBytes: number; generateSeconds: number }, db: { version: string; settings: string }, runs: Runs, copy: { observations: number; revisions: number }): string {
  const machine = describeMachine();
  const version = codeVersion();
  const { before, full, afterFull, killed, rollbackSeconds, afterKill, rerun, afterRerun } = runs;
  const rate = options.rows / full.wallSeconds;
  const copyRate = afterRerun.observations / (copy.observations + copy.revisions);
  const same = (a: DatabaseState, b: DatabaseState) => a.observations === b.observations && a.revisions === b.revisions && a.rollupRows === b.rollupRows;
  const yes = (ok: boolean) => (ok ? 'yes' : '**no**');
  const rollups = (state: DatabaseState) => (state.rollupDifferences.length ? `${state.rollupDifferences.length} differences: ${state.rollupDifferences.slice(0, 3).join('; ')}` : 'equal');
  const lastLines = (run: RunResult) => run.lastLines.map((l) => `\`${l}\``).join('<br>');
  return `# Bulk import (\`npm run bench:import\`)

Run ${new Date().toISOString()} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB, Node ${machine.node}, ${machine.os};
code ${version.commit}${version.uncommitted.length ? ` (uncommitted: ${version.uncommitted.join(', ')})` : ''}.
${db.version} (${db.settings}), database \`${options.database}\` (migrated, units seeded, no demo
observations); client and database on the same machine, which other work shares (noisy).

The command is the real one, as a user types it after a build:
\`node dist/server/cli/import-observations.js FILE --subject bench-importer@VN${options.batch ? ` --batch ${options.batch}` : ''}\` (what \`npm run import -- --subject SUBJECT FILE\` runs), under \`/usr/bin/time -v\`.
Two files of ${options.rows.toLocaleString('en')} rows each (${(setup.csvBytes / 2 ** 20).toFixed(0)} MiB): every current commune (${setup.communes}) ×
${setup.indicators} yearly commune-level indicators (FEMALE and MALE rows, or TOTAL), years ${setup.years} in the first and
${setup.secondYears} in the second, each row with a quoted Vietnamese source (both generated in ${setup.generateSeconds.toFixed(1)} s).

## Speed and memory: the first file into the fresh database

| measure | result | target |
|---|---|---|
| wall time of the command (start of node to exit, everything included) | ${full.wallSeconds.toFixed(1)} s | |
| rows per second (rows ÷ wall time) | **${Math.round(rate).toLocaleString('en')}** | ≥ 50,000 |
| peak RSS (\`/usr/bin/time -v\`, maximum resident set size) | **${full.peakRssMiB?.toFixed(0) ?? '?'} MiB** | ≤ 400 MiB |
| exit code | ${full.exitCode} | 0 |
| observations, revisions after it | ${afterFull.observations}, ${afterFull.revisions} | ${before.observations + options.rows}, ${before.revisions + options.rows} |
| rollups vs a recomputation from the observations | ${rollups(afterFull)} | equal |
| the importer's last lines | ${lastLines(full)} | |

## kill -9 at half way through the second file

The same command on the second file, SIGKILLed once its progress reported ${killed.killedAt?.toLocaleString('en') ?? '(never reached)'} rows
(after ${killed.wallSeconds.toFixed(1)} s). The README says: the whole file is one transaction, so a kill leaves the
database as it was; MariaDB rolls the transaction back when the connection drops (here it took
${rollbackSeconds.toFixed(1)} s until no connection used the database), and a re-run loads everything.

| measure | before the run | after the kill | as the README says |
|---|---|---|---|
| observations | ${afterFull.observations} | ${afterKill.observations} | ${yes(afterKill.observations === afterFull.observations)} |
| revisions | ${afterFull.revisions} | ${afterKill.revisions} | ${yes(afterKill.revisions === afterFull.revisions)} |
| statistics rollup rows | ${afterFull.rollupRows} | ${afterKill.rollupRows} | ${yes(same(afterFull, afterKill))} |
| rollups vs a recomputation from the observations | ${rollups(afterFull)} | ${rollups(afterKill)} | ${yes(!afterKill.rollupDifferences.length)} |

## The second file again, after the kill

| measure | result | expected |
|---|---|---|
| wall time, rows per second | ${rerun.wallSeconds.toFixed(1)} s, ${Math.round(options.rows / rerun.wallSeconds).toLocaleString('en')} rows/s | |
| peak RSS | ${rerun.peakRssMiB?.toFixed(0) ?? '?'} MiB | ≤ 400 MiB |
| observations | ${afterRerun.observations} | ${afterFull.observations + options.rows} |
| revisions | ${afterRerun.revisions} | ${afterFull.revisions + options.rows} |
| statistics rollup rows | ${afterRerun.rollupRows} | |
| rollups vs a recomputation from the observations | ${rollups(afterRerun)} | equal |
| the importer's last lines | ${lastLines(rerun)} | |

## The server's own speed, same run

MariaDB alone, copying all ${afterRerun.observations.toLocaleString('en')} loaded observations and then their revisions into empty
tables of the same definition (\`INSERT … SELECT\`: no client, no parsing, no checks):
${copy.observations.toFixed(1)} s + ${copy.revisions.toFixed(1)} s = ${Math.round(copyRate).toLocaleString('en')} rows/s. The importer's first run reached
${(rate / copyRate).toFixed(2)}× of that.
`;
}

async function main(): Promise<void> {
  setLogLevel('error');
  const options = parseOptions(process.argv.slice(2));
  const database = benchDatabase({ sqlite: false, database: options.database, mysqlUrl: options.mysqlUrl } as Parameters<typeof benchDatabase>[0]);
  print(`recreating ${options.database}, migrating, seeding the units`);
  await database.recreate();
  const dataSource = await createDataSource(database.url).initialize();
  try {
    await migrate(dataSource);
    await seed(dataSource, { demo: false, print: (line) => print(`  ${line}`) });
    fs.mkdirSync(BENCH_DIR, { recursive: true });
    const file = path.join(BENCH_DIR, `import-${options.rows}.csv`);
    const second = path.join(BENCH_DIR, `import-${options.rows}-second.csv`);
    const generating = Date.now();
    const shape = await writeCsv(dataSource, file, options.rows);
    const secondShape = await writeCsv(dataSource, second, options.rows, shape.lastYear + 1);
    const setup = { ...shape, secondYears: secondShape.years, csvBytes: fs.statSync(file).size, generateSeconds: (Date.now() - generating) / 1000 };
    print(`wrote ${file} and ${second}: ${options.rows} rows each, ${(setup.csvBytes / 2 ** 20).toFixed(0)} MiB`);
    const before = await stateOf(dataSource);
    print('run 1: the first file into the fresh database');
    const full = await runImport(database.url, file, options.batch, null, (line) => print(`  ${line}`));
    const afterFull = await stateOf(dataSource);
    print(`after it: ${afterFull.observations} observations, rollup differences ${afterFull.rollupDifferences.length}; ${Math.round(options.rows / full.wallSeconds)} rows/s, peak RSS ${full.peakRssMiB?.toFixed(0)} MiB`);
    print('run 2: the second file, killed with SIGKILL at half way');
    const killed = await runImport(database.url, second, options.batch, Math.floor(options.rows / 2), (line) => print(`  ${line}`));
    const rollbackSeconds = await waitForRollback(dataSource, options.database);
    const afterKill = await stateOf(dataSource);
    print(`after the kill: ${afterKill.observations} observations, ${afterKill.revisions} revisions, rollup differences ${afterKill.rollupDifferences.length}`);
    print('run 3: the second file again');
    const rerun = await runImport(database.url, second, options.batch, null, (line) => print(`  ${line}`));
    const afterRerun = await stateOf(dataSource);
    print(`after the re-run: ${afterRerun.observations} observations, rollup differences ${afterRerun.rollupDifferences.length}; ${Math.round(options.rows / rerun.wallSeconds)} rows/s, peak RSS ${rerun.peakRssMiB?.toFixed(0)} MiB`);
    const copy = await serverCopySeconds(dataSource);
    print(`MariaDB alone copies the observations in ${copy.observations.toFixed(1)} s, the revisions in ${copy.revisions.toFixed(1)} s`);
    fs.writeFileSync(options.out, report(options, setup, await databaseDescription(dataSource), { before, full, afterFull, killed, rollbackSeconds, afterKill, rerun, afterRerun }, copy));
    print(`wrote ${path.relative(process.cwd(), options.out)}`);
    fs.rmSync(file, { force: true });
    fs.rmSync(second, { force: true });
  } finally {
    await dataSource.destroy();
    if (options.drop) await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
