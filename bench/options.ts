import path from 'node:path';
import { PROJECT_ROOT } from '../server/core/config';

/** What one `npm run bench` does; every field has a command-line flag (see USAGE). */
export interface BenchOptions {
  /** Share of each province's current communes that get villages and data (all 34 provinces always take part). */
  scale: number;
  /** Whether --scale was given (with --keep the stored scale wins; say so only when it was asked for). */
  scaleGiven: boolean;
  /** Reuse the loaded `bdg_bench` database: no generation, no load. */
  keep: boolean;
  /** Drop the bench database at the end (by default it stays, so `--keep` can reuse it). */
  drop: boolean;
  /** Run on an embedded SQLite file instead of MariaDB. */
  sqlite: boolean;
  mysqlUrl: string;
  villagesPerCommune: number;
  indicatorCount: number;
  firstYear: number;
  years: number;
  /** Rows per ingestObservations call during the load. */
  batch: number;
  /** Rows written one ingestObservations call each, for the row-by-row baseline (0 skips the samples). */
  rowByRow: number;
  warmup: number;
  runs: number;
  /** Seconds of timed runs per shape before stopping early (at least 5 runs always happen). */
  budget: number;
  /** The year the statistics are asked for. */
  year: number;
  /** Province of the "province by commune" shape (and whose first covered commune is the "commune by village" shape). */
  province: string;
  connections: number;
  duration: number;
  out: string;
  /** Name of the bench database (MariaDB) or file (SQLite), so two benches on one server do not clash. */
  database: string;
  /** Interleaved rounds against the Apollo hello-world, and seconds per target per round. */
  frameworkRounds: number;
  frameworkDuration: number;
}

export const USAGE = `usage: npm run bench -- [options]
  --scale N          share of communes covered, 0 < N <= 1 (default 1: 3,321 communes, 83,025 villages, 16.6M rows)
  --keep             reuse the loaded bdg_bench database (skip generation and load)
  --drop             drop the bench database when done (default: keep it for --keep)
  --sqlite           embedded SQLite (bench/data/bdg_bench.sqlite) instead of MariaDB
  --mysql-url URL    MariaDB server (default mysql://root@127.0.0.1:3306, or BENCH_MYSQL_URL)
  --batch N          rows per ingestObservations call while loading (default 50000)
  --row-by-row N     rows of the row-by-row baseline, one call each (default 2000; 0 skips both ingest samples)
  --runs N           timed runs per shape (default 30), --warmup N (default 3)
  --budget S         stop a shape's runs after S seconds once 5 are done (default 120: a national
                     plain-SQL aggregate takes seconds per run at full scale)
  --year YYYY        year the statistics ask for (default 2026)
  --province CODE    province of the province-by-commune shape (default 20, Lạng Sơn)
  --connections N    autocannon connections (default 10), --duration S (default 15)
  --out FILE         where the report goes (default bench/RESULTS.md)
  --database NAME    bench database (MariaDB) or file name (SQLite), default BENCH_DATABASE or bdg_bench
  --framework-rounds N    interleaved rounds against an Apollo hello-world (default 3; 0 skips them)
  --framework-duration S  seconds per request kind per round (default 5, or --duration when shorter)`;

const DEFAULTS: BenchOptions = {
  scale: 1,
  scaleGiven: false,
  keep: false,
  drop: false,
  sqlite: false,
  mysqlUrl: process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
  villagesPerCommune: 25,
  indicatorCount: 20,
  firstYear: 2026,
  years: 5,
  batch: 50_000,
  rowByRow: 2_000,
  warmup: 3,
  runs: 30,
  budget: 120,
  year: 2026,
  province: '20',
  connections: 10,
  duration: 15,
  out: path.join(PROJECT_ROOT, 'bench', 'RESULTS.md'),
  database: process.env.BENCH_DATABASE ?? 'bdg_bench',
  frameworkRounds: 3,
  frameworkDuration: 5,
};

const FLAGS: Record<string, keyof BenchOptions> = {
  '--keep': 'keep',
  '--drop': 'drop',
  '--sqlite': 'sqlite',
};

const VALUES: Record<string, keyof BenchOptions> = {
  '--scale': 'scale',
  '--mysql-url': 'mysqlUrl',
  '--batch': 'batch',
  '--row-by-row': 'rowByRow',
  '--runs': 'runs',
  '--warmup': 'warmup',
  '--budget': 'budget',
  '--year': 'year',
  '--province': 'province',
  '--connections': 'connections',
  '--duration': 'duration',
  '--out': 'out',
  '--database': 'database',
  '--framework-rounds': 'frameworkRounds',
  '--framework-duration': 'frameworkDuration',
};

/** Parses `--name value` and `--name=value`; throws with the usage on anything unknown or out of range. */
export function parseOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULTS };
  let frameworkDurationGiven = false;
  const record = options as unknown as Record<string, unknown>;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    if (FLAGS[flag]) {
      record[FLAGS[flag]] = true;
      continue;
    }
    const key = VALUES[flag];
    if (!key) throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    record[key] = typeof DEFAULTS[key] === 'number' ? Number(raw) : key === 'out' ? path.resolve(raw) : raw;
    if (key === 'scale') options.scaleGiven = true;
    if (key === 'frameworkDuration') frameworkDurationGiven = true;
  }
  if (!frameworkDurationGiven) options.frameworkDuration = Math.min(options.frameworkDuration, options.duration);
  check(options);
  return options;
}

function check(o: BenchOptions): void {
  const problems: string[] = [];
  if (!(o.scale > 0 && o.scale <= 1)) problems.push('--scale must be in (0, 1]');
  for (const key of ['batch', 'runs', 'connections', 'duration', 'budget'] as const) if (!Number.isInteger(o[key]) || o[key] < 1) problems.push(`--${key} must be a positive integer`);
  if (!/^[a-z][a-z0-9_]*$/.test(o.database)) problems.push('--database must be a lower-case identifier');
  if (!Number.isInteger(o.frameworkDuration) || o.frameworkDuration < 1) problems.push('--framework-duration must be a positive integer');
  for (const key of ['rowByRow', 'warmup', 'frameworkRounds'] as const) if (!Number.isInteger(o[key]) || o[key] < 0) problems.push(`--${key} must be a non-negative integer`);
  if (!Number.isInteger(o.year) || o.year < o.firstYear || o.year >= o.firstYear + o.years) problems.push(`--year must be one of the data years ${o.firstYear}–${o.firstYear + o.years - 1}`);
  if (problems.length) throw new Error(`${problems.join('\n')}\n${USAGE}`);
}
