import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../server/app';
import { signToken } from '../server/auth/jwt';
import { Role } from '../server/auth/role';
import { loadConfig } from '../server/core/config';
import { isMysql } from '../server/core/sql';
import { setLogLevel } from '../server/core/logger';
import * as databaseSetup from '../server/setup/database-setup';
import { importUnits } from '../server/tenancy/unit-import';
import { BenchDatabase, benchDatabase, countingDataSource, databaseBytes, databaseDescription, readMeta, writeMeta } from './bench-database';
import { chooseIndicators, Commune, dimensionalIndicator, currentCommunes, groupByProvince, IndicatorChoice, insertVillages, installIndicators, selectCommunes, villageCodes, yearsOf } from './dataset';
import { ingestSamples, loadObservations, ProvinceVillages } from './load';
import { LoadTestResult, runLoadTest } from './load-client';
import { codeVersion, describeMachine, loadAverage } from './machine';
import { compareSums, GraphQLClient, HttpMeasurement, measureHttp, measureSql, Shape, statisticsBody, STATISTICS_QUERY } from './measure';
import { BenchOptions, parseOptions } from './options';
import { BenchReport, Dataset, DimensionsResult, LoadRecord, renderReport, ShapeResult } from './report';
import { compareWithFramework, FrameworkComparison, Target } from './framework';
import { addCoveringIndexes, describeCoveringIndexes } from './sql-baseline';

/** How the data in the bench database were generated; stored there so --keep measures the same thing. */
interface DatasetRecord {
  scale: number;
  villagesPerCommune: number;
  indicators: IndicatorChoice[];
  years: string[];
}

const RATE_LIMIT = 1_000_000_000;
const print = (line: string) => console.log(line);
const phases: { name: string; seconds: number }[] = [];

async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  print(`\n== ${name}`);
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  phases.push({ name, seconds });
  print(`== ${name}: ${seconds.toFixed(1)} s`);
  return result;
}

/**
 * Statistics need derived tables on some versions of the server (unit coverage, rollups); the
 * project computes them in `prepareStatistics` when present. Looked up at run time so the bench
 * runs against the code before and after that function exists.
 */
async function prepareStatistics(dataSource: DataSource): Promise<boolean> {
  const prepare = (databaseSetup as unknown as Record<string, unknown>).prepareStatistics;
  if (typeof prepare !== 'function') return false;
  await (prepare as (d: DataSource, p: (line: string) => void) => Promise<void>)(dataSource, (line) => print(`[prepare] ${line}`));
  return true;
}

function provincesOf(communes: Commune[], perCommune: number): ProvinceVillages[] {
  return [...groupByProvince(communes).entries()].map(([code, list]) => ({ code, name: list[0].provinceName, villages: list.flatMap((c) => villageCodes(c, perCommune)) }));
}

/** Fresh database: schema, real units, indicators, villages, then the national dataset through ingestObservations. */
async function generateAndLoad(dataSource: DataSource, options: BenchOptions, dataset: DatasetRecord, variants: Parameters<typeof installIndicators>[1], commit: string): Promise<LoadRecord> {
  const setupSeconds = await timed(() =>
    phase('reference units and indicators', async () => {
      print((await importUnits(dataSource)).units + ' reference units imported');
      await installIndicators(dataSource, variants);
    }),
  );
  const communes = selectCommunes(await currentCommunes(dataSource), dataset.scale);
  const villagesSeconds = await timed(() =>
    phase('villages', async () => {
      await insertVillages(dataSource, communes, dataset.villagesPerCommune, print);
      await prepareStatistics(dataSource);
    }),
  );
  await writeMeta(dataSource, 'dataset', dataset);
  const load = await phase('load', () => loadObservations(dataSource, provincesOf(communes, dataset.villagesPerCommune), dataset.indicators, dataset.years, options.batch, print));
  // Fresh optimizer statistics, as after any big import.
  await dataSource.query(isMysql(dataSource) ? 'ANALYZE TABLE observation, unit_placement, administrative_unit' : 'ANALYZE');
  const record: LoadRecord = { loadedAt: new Date().toISOString(), scale: dataset.scale, commit, setupSeconds, villagesSeconds, load };
  await writeMeta(dataSource, 'load', record);
  return record;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

function shapesFor(options: BenchOptions, communes: Commune[]): { shapes: Shape[]; context: Shape[] } {
  const inProvince = communes.filter((c) => c.province === options.province);
  if (!inProvince.length) throw new Error(`province ${options.province} has no covered commune`);
  const commune = inProvince[0];
  const shape = (key: string, label: string, area: string, breakdown: Shape['breakdown']): Shape => ({ key, label, area, breakdown });
  return {
    shapes: [shape('nation', 'nation by province', 'VN', 'CHILDREN'), shape('province', 'province by commune', options.province, 'CHILDREN'), shape('commune', 'commune by village', commune.code, 'CHILDREN')],
    context: [shape('nation-alone', 'nation alone', 'VN', 'NONE'), shape('province-alone', 'province alone', options.province, 'NONE'), shape('commune-alone', 'commune alone', commune.code, 'NONE')],
  };
}

async function describeDataset(dataSource: DataSource, db: BenchDatabase, dataset: DatasetRecord, covered: Commune[], all: Commune[]): Promise<Dataset> {
  const [{ n: villages }] = await dataSource.query(`SELECT COUNT(*) AS n FROM administrative_unit WHERE level = 'VILLAGE'`);
  const [{ n: observations }] = await dataSource.query('SELECT COUNT(*) AS n FROM observation');
  return {
    provinces: groupByProvince(covered).size,
    communes: covered.length,
    communesInForce: all.length,
    villages: Number(villages),
    indicators: dataset.indicators,
    years: dataset.years,
    observations: Number(observations),
    databaseBytes: await databaseBytes(dataSource, db),
  };
}

async function measureShapes(dataSource: DataSource, client: GraphQLClient, options: BenchOptions, indicator: string, shapes: Shape[], context: Shape[]): Promise<{ results: ShapeResult[]; context: HttpMeasurement[] }> {
  const period = String(options.year);
  const plan = { warmup: options.warmup, runs: options.runs, budgetSeconds: options.budget };
  const http = await phase('HTTP statistics', async () => {
    const measured: HttpMeasurement[] = [];
    for (const shape of [...shapes, ...context]) {
      const m = await measureHttp(client, indicator, period, shape, plan);
      print(`[http] ${shape.label} (${shape.area}): ${m.rows} rows, ${m.timing.runs} runs, p50 ${m.timing.p50.toFixed(1)} ms, p95 ${m.timing.p95.toFixed(1)} ms, statements ${[...new Set(m.statements)].join('/')}`);
      measured.push(m);
    }
    return measured;
  });
  await phase('covering indexes for plain SQL', () => addCoveringIndexes(dataSource));
  const results = await phase('plain SQL', async () => {
    const out: ShapeResult[] = [];
    for (const [i, shape] of shapes.entries()) {
      const sql = await measureSql(dataSource, indicator, period, shape, plan);
      const mismatches = compareSums(http[i].sums, sql.sums);
      print(`[sql] ${shape.label}: ${sql.rows} row units with data, ${sql.timing.runs} runs, p50 ${sql.timing.p50.toFixed(1)} ms, p95 ${sql.timing.p95.toFixed(1)} ms; API sums ${mismatches.length ? `DIFFER in ${mismatches.length} cells` : 'equal'}`);
      out.push({ http: http[i], sql, mismatches });
    }
    return out;
  });
  return { results, context: http.slice(shapes.length) };
}

/**
 * The indicator with two dimensions beyond sex: nation by province and commune by village, as
 * totals and by AGE × URBANISATION (one row per unit and combination), and how many rollup rows
 * each of its observations costs beside an indicator without dimensions.
 */
async function measureDimensions(dataSource: DataSource, client: GraphQLClient, options: BenchOptions, choice: IndicatorChoice, shapes: Shape[], plainIndicator: string): Promise<DimensionsResult> {
  const period = String(options.year);
  const plan = { warmup: options.warmup, runs: options.runs, budgetSeconds: options.budget };
  const by = (choice.dimensionCodes as string).split(';');
  const measuredShapes = [shapes[0], shapes[2]].flatMap((shape) => [shape, { ...shape, key: `${shape.key}-by`, label: `${shape.label}, by ${by.join(' × ')}`, by }]);
  const http = await phase('HTTP statistics with dimensions', async () => {
    const measured: HttpMeasurement[] = [];
    for (const shape of measuredShapes) {
      const m = await measureHttp(client, choice.code, period, shape, plan);
      print(`[dimensions] ${shape.label} (${shape.area}): ${m.rows} rows, p50 ${m.timing.p50.toFixed(1)} ms, p95 ${m.timing.p95.toFixed(1)} ms, statements ${[...new Set(m.statements)].join('/')}`);
      measured.push(m);
    }
    return measured;
  });
  const costOf = async (code: string) => {
    const [{ n: observations }] = await dataSource.query('SELECT COUNT(*) AS n FROM observation o INNER JOIN indicator i ON i.id = o.indicator_id WHERE i.code = ? AND o.period = ?', [code, period]);
    const [{ n: rollups }] = await dataSource.query('SELECT COUNT(*) AS n FROM statistics_rollup r INNER JOIN indicator i ON i.id = r.indicator_id WHERE i.code = ? AND r.period = ?', [code, period]);
    return { indicator: code, observations: Number(observations), rollupRows: Number(rollups) };
  };
  return { indicator: choice.code, dimensions: by, period, http, cost: [await costOf(choice.code), await costOf(plainIndicator)] };
}

/**
 * What is loaded against the hello-world: the dashboard's one-row statistics request (the README's
 * Lợi Bác query on a covered commune), `{ me { role } }`, and the province by commune. The
 * statistics requests run on both hub servers: with the response cache (every request after the
 * first is a hit: what a dashboard polling the same question gets) and without (the work itself).
 */
function frameworkTargets(indicator: string, period: string, commune: string, province: Shape, token: string): Target[] {
  const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
  const DASHBOARD = `query($i: String!, $a: String!, $p: [String!]!) { statistics(indicator: $i, area: $a, periods: $p) { rows { total { value numerator denominator } reportingUnits expectedUnits } } }`;
  const dashboard = body(DASHBOARD, { i: indicator, a: commune, p: [period] });
  const byCommune = statisticsBody(indicator, period, province);
  return [
    { key: 'hello', label: '`{ hello }`', server: 'hello-world', body: body('{ hello }'), token: null },
    { key: 'dashboard', label: `dashboard one-row statistics (commune ${commune})`, server: 'hub', responseCache: true, body: dashboard, token },
    { key: 'dashboard-uncached', label: `dashboard one-row statistics (commune ${commune})`, server: 'hub', responseCache: false, body: dashboard, token },
    { key: 'me', label: '`{ me { role } }`', server: 'hub', responseCache: true, body: body('{ me { role } }'), token },
    { key: 'province', label: `area ${province.area} by commune`, server: 'hub', responseCache: true, body: byCommune, token },
    { key: 'province-uncached', label: `area ${province.area} by commune`, server: 'hub', responseCache: false, body: byCommune, token },
  ];
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  setLogLevel('warn'); // no JSON line per request: the bench measures the work, not the log
  // One token makes every request: the per-token rate limit (1,200/min) would otherwise be what autocannon measures.
  process.env.RATE_LIMIT_PER_MINUTE = String(RATE_LIMIT);
  const started = performance.now();
  const startLoad = loadAverage();
  // The code measured is the code built when the run starts (a commit made meanwhile is not in it).
  const code = codeVersion();
  const db = benchDatabase(options);
  if (options.keep && !(await db.exists())) throw new Error('--keep: there is no bench database yet; run once without --keep');
  if (!options.keep) await db.recreate();
  print(`bench on ${db.kind} (${db.url.replace(/\/\/[^@]*@/, '//')}), ${options.keep ? 'reusing the loaded data' : `scale ${options.scale}`}`);
  const dataSource = await countingDataSource(db.url).initialize();
  try {
    const applied = await databaseSetup.migrate(dataSource);
    if (applied.length) print(`migrations applied: ${applied.join(', ')}`);
    const { choices, variants } = chooseIndicators(options.indicatorCount);
    const dimensional = dimensionalIndicator(String(options.year));
    choices.push(dimensional.choice);
    variants.push(dimensional.variant);
    let dataset: DatasetRecord = { scale: options.scale, villagesPerCommune: options.villagesPerCommune, indicators: choices, years: yearsOf(options.firstYear, options.years) };
    let loadRecord: LoadRecord | null = null;
    let prepareSeconds: number | null = null;
    if (options.keep) {
      const stored = await readMeta<DatasetRecord>(dataSource, 'dataset');
      if (!stored) throw new Error('--keep: the bench database has no dataset record (an interrupted or foreign load?); run without --keep');
      if (options.scaleGiven && stored.scale !== options.scale) print(`--keep: the database holds scale ${stored.scale}; --scale ${options.scale} is ignored`);
      dataset = stored;
      loadRecord = await readMeta<LoadRecord>(dataSource, 'load');
      if (!loadRecord) throw new Error('--keep: the previous load did not finish; run without --keep');
      prepareSeconds = await timed(() => prepareStatistics(dataSource));
    } else loadRecord = await generateAndLoad(dataSource, options, dataset, variants, code.commit);

    const all = await currentCommunes(dataSource);
    const covered = selectCommunes(all, dataset.scale);
    const indicator = dataset.indicators[0].code;
    const lastYear = Number(dataset.years[dataset.years.length - 1]);
    const samples = options.rowByRow
      ? await phase('ingestion samples', () => ingestSamples(dataSource, provincesOf(covered, dataset.villagesPerCommune).flatMap((p) => p.villages), dataset.indicators, lastYear, options.batch, options.rowByRow, print))
      : null;

    const secret = randomBytes(32).toString('hex');
    // Latencies, statements and the load test measure the work itself: this server keeps no answers.
    const app = await createApp(dataSource, loadConfig({ ...process.env, DATABASE_URL: db.url, JWT_SECRET: secret, LOG_LEVEL: 'warn', RESPONSE_CACHE_MB: '0' }));
    const port = await app.listen(0, '127.0.0.1');
    // As in production (RESPONSE_CACHE_MB unset: 64 MiB), for the rounds against the hello-world only.
    const cachedApp = await createApp(dataSource, loadConfig({ ...process.env, DATABASE_URL: db.url, JWT_SECRET: secret, LOG_LEVEL: 'warn', RESPONSE_CACHE_MB: process.env.RESPONSE_CACHE_MB ?? '64' }));
    const cachedUrl = `http://127.0.0.1:${await cachedApp.listen(0, '127.0.0.1')}`;
    const client: GraphQLClient = { url: `http://127.0.0.1:${port}`, token: signToken({ sub: 'bench-admin@VN', unit: 'VN', role: Role.ADMIN }, secret, 24 * 3600) };
    let loadTest: LoadTestResult;
    let dimensions: DimensionsResult | null = null;
    let measured: Awaited<ReturnType<typeof measureShapes>>;
    let framework: FrameworkComparison | undefined;
    const { shapes, context } = shapesFor(options, covered);
    try {
      measured = await measureShapes(dataSource, client, options, indicator, shapes, context);
      const withDimensions = dataset.indicators.find((i) => i.dimensionCodes);
      if (withDimensions) dimensions = await measureDimensions(dataSource, client, options, withDimensions, shapes, indicator);
      loadTest = await phase('autocannon', () =>
        runLoadTest({ url: client.url, token: client.token, body: statisticsBody(indicator, String(options.year), shapes[1]), connections: options.connections, duration: options.duration }),
      );
      print(`[autocannon] ${loadTest.requestsPerSecond.toFixed(1)} req/s, p50 ${loadTest.latencyMs.p50} ms, p99 ${loadTest.latencyMs.p99} ms, failures ${loadTest.failures}`);
      if (options.frameworkRounds) {
        const analyst = signToken({ sub: `bench-analyst@${options.province}`, unit: options.province, role: Role.ANALYST }, secret, 24 * 3600);
        framework = await phase('against an Apollo hello-world', () => compareWithFramework({ cached: cachedUrl, uncached: client.url }, frameworkTargets(indicator, String(options.year), context[2].area, shapes[1], analyst), options.frameworkRounds, options.frameworkDuration, options.connections, print));
        framework.note =
          `Hub requests with a ${options.province} ANALYST token, caches as in production ${process.env.REDIS_URL ? 'with REDIS_URL (cache versions read from Redis: no statement)' : 'without REDIS_URL (each request reads reference_version: one statement)'}. ` +
          '"response cache (hits)": the same request repeated, so after the first every answer comes from the exact response cache (server/core/response-cache.ts; authentication, the rate limit and the version read still run per request): that ratio is the cache\'s, not the resolvers\'. ' +
          '"no response cache": a second server on the same database with RESPONSE_CACHE_MB=0, every request executed (the reference caches still apply); it is also the server every other section of this report measures. ' +
          `The plain-SQL baseline above ran with the covering indexes a DBA would add: ${describeCoveringIndexes()} (bench/sql-baseline.ts).`;
      }
    } finally {
      await app.close();
      await cachedApp.close();
    }

    const report: BenchReport = {
      date: new Date().toISOString(),
      database: { kind: db.kind, ...(await databaseDescription(dataSource)) },
      machine: describeMachine(),
      loadAverage: { start: startLoad, end: loadAverage() },
      code,
      scale: dataset.scale,
      keep: options.keep,
      dataset: await describeDataset(dataSource, db, dataset, covered, all),
      loadRecord,
      prepareSeconds: options.keep ? prepareSeconds : null,
      samples,
      indicator,
      period: String(options.year),
      runs: options.runs,
      shapes: measured.results,
      context: measured.context,
      loadTest,
      dimensions,
      loadTestShape: `${shapes[1].label}, ${shapes[1].area}, ${indicator} ${options.year}`,
      rateLimitNote: `The per-token rate limit was raised to ${RATE_LIMIT.toLocaleString('en')}/min and request logging lowered to warn for the run.`,
      phases: [...phases, { name: 'total', seconds: (performance.now() - started) / 1000 }],
      framework,
    };
    fs.mkdirSync(path.dirname(options.out), { recursive: true });
    fs.writeFileSync(options.out, renderReport(report, STATISTICS_QUERY));
    print(`\nWrote ${path.relative(process.cwd(), options.out)} (total ${((performance.now() - started) / 1000).toFixed(0)} s).`);
  } finally {
    await dataSource.destroy();
    if (options.drop) await db.drop();
    else if (db.kind === 'mariadb') print(`The ${options.database} database stays for --keep; drop it with: mysql -uroot -h127.0.0.1 -e 'DROP DATABASE ${options.database}'`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.message.startsWith('usage') || error.message.includes('\nusage') ? error.message : error.stack) : error);
    process.exit(1);
  },
);
