import { DataSource } from 'typeorm';
import { isMysql } from '../server/core/sql';
import { StatementCounter } from '../server/core/query-counter';
import { parsePeriod, periodEnd } from '../server/observations/period';
import { RecordingCounter } from './bench-database';

export type Breakdown = 'CHILDREN' | 'NONE';

/** One statistics request shape: an area, broken down by its children or alone. */
export interface Shape {
  key: string;
  label: string;
  area: string;
  breakdown: Breakdown;
  /** Dimensions to break each row down by (statistics' `by`). */
  by?: string[];
}

export interface Timing {
  runs: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

export interface Sums {
  numerator: number;
  denominator: number;
}

/** Per row unit code: FEMALE and MALE sums (absent when the unit has no data). */
export type RowSums = Map<string, { FEMALE?: Sums; MALE?: Sums }>;

export interface HttpMeasurement {
  shape: Shape;
  rows: number;
  timing: Timing;
  /** SQL statements per request, every timed run (they should all be equal). */
  statements: number[];
  /** The text of the statements of one more request, for the report. */
  statementTexts: string[];
  sums: RowSums;
}

export interface SqlMeasurement {
  shape: Shape;
  rows: number;
  timing: Timing;
  sums: RowSums;
}

/** Nearest-rank percentile of a non-empty list, in its units. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function timing(values: number[]): Timing {
  return { runs: values.length, p50: percentile(values, 50), p95: percentile(values, 95), min: Math.min(...values), max: Math.max(...values) };
}

/** How long repeated runs of one shape may take; the national plain-SQL aggregate can take seconds a run. */
export interface RunPlan {
  warmup: number;
  runs: number;
  /** Seconds of timed runs per shape after which no new run starts, once MIN_RUNS are done. */
  budgetSeconds: number;
}

const MIN_RUNS = 5;
/** A warm-up this slow has warmed what there is to warm; more would only spend minutes. */
const SLOW_WARMUP_MS = 5_000;

/** Runs `work` plan.warmup times untimed, then up to plan.runs times timed (ms), each run alone. */
async function repeat(plan: RunPlan, work: (run: number) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < plan.warmup; i++) {
    const started = performance.now();
    await work(-1);
    if (performance.now() - started > SLOW_WARMUP_MS) break;
  }
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < plan.runs; i++) {
    if (i >= MIN_RUNS && performance.now() - started > plan.budgetSeconds * 1000) break;
    const runStarted = performance.now();
    await work(i);
    latencies.push(performance.now() - runStarted);
  }
  return latencies;
}

// ---------------------------------------------------------------- HTTP

/**
 * The measured query, printed in RESULTS.md. Not the AreaStatistics operation of
 * schema/operations/statistics.graphql: that one also selects the indicator, the area and each
 * row unit's fullName and level (unit name here), so reading it would change what is measured and
 * make the published figures incomparable. The rows' figures are the same fields.
 */
export const STATISTICS_QUERY = `query BenchStatistics($indicator: String!, $area: String!, $periods: [String!]!, $breakdown: Breakdown, $by: [String!]) {
  statistics(indicator: $indicator, area: $area, periods: $periods, breakdown: $breakdown, by: $by) {
    rows {
      dimensions { dimension value }
      unit { code name }
      period
      female { value numerator denominator }
      male { value numerator denominator }
      total { value numerator denominator }
      femaleShare
      femaleToMaleRatio
      gap
      reportingUnits
      expectedUnits
    }
  }
}`;

interface StatisticsRow {
  unit: { code: string };
  female: Sums | null;
  male: Sums | null;
}

export interface GraphQLClient {
  url: string;
  token: string;
}

export function statisticsBody(indicator: string, period: string, shape: Shape): string {
  return JSON.stringify({ query: STATISTICS_QUERY, variables: { indicator, area: shape.area, periods: [period], breakdown: shape.breakdown, by: shape.by ?? null } });
}

/** One POST /graphql; throws on a non-200 status or any GraphQL error, so no failed request is ever timed as a success. */
export async function postStatistics(client: GraphQLClient, body: string): Promise<StatisticsRow[]> {
  const response = await fetch(`${client.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token}` }, body });
  const text = await response.text();
  const json = JSON.parse(text) as { data?: { statistics?: { rows: StatisticsRow[] } }; errors?: { message: string }[] };
  if (response.status !== 200 || json.errors?.length || !json.data?.statistics) throw new Error(`statistics request failed (${response.status}): ${text.slice(0, 500)}`);
  return json.data.statistics.rows;
}

function sumsOfRows(rows: StatisticsRow[]): RowSums {
  const sums: RowSums = new Map();
  for (const row of rows) {
    const entry: { FEMALE?: Sums; MALE?: Sums } = {};
    if (row.female) entry.FEMALE = { numerator: row.female.numerator, denominator: row.female.denominator };
    if (row.male) entry.MALE = { numerator: row.male.numerator, denominator: row.male.denominator };
    sums.set(row.unit.code, entry);
  }
  return sums;
}

/**
 * Sequential requests of one shape, timed from send to parsed body (see `repeat`).
 * The statement counter is global, so it is read before and after each request while nothing
 * else runs in this process.
 */
export async function measureHttp(client: GraphQLClient, indicator: string, period: string, shape: Shape, plan: RunPlan): Promise<HttpMeasurement> {
  const body = statisticsBody(indicator, period, shape);
  let rows: StatisticsRow[] = [];
  const statements: number[] = [];
  const latencies = await repeat(plan, async (run) => {
    const before = StatementCounter.count;
    rows = await postStatistics(client, body);
    if (run >= 0) statements.push(StatementCounter.count - before);
  });
  if (statements.some((n) => n === 0)) throw new Error('StatementCounter counted no statement for a statistics request: the count would be meaningless');
  const statementTexts = await RecordingCounter.record(() => postStatistics(client, body));
  return { shape, rows: rows.length, timing: timing(latencies), statements, statementTexts, sums: sumsOfRows(rows) };
}

// ---------------------------------------------------------------- plain SQL

interface Area {
  id: number;
  path: string;
}

/** The area's id and its placement path on `date` (resolved once, outside the timing). */
async function resolveArea(dataSource: DataSource, code: string, date: string): Promise<Area> {
  const rows: { id: number | string; path: string }[] = await dataSource.query(
    `SELECT u.id AS id, p.path AS path FROM administrative_unit u INNER JOIN unit_placement p ON p.unit_id = u.id
     WHERE u.code = ? AND ${validOn('u')} AND ${validOn('p')}`,
    [code, date, date, date, date],
  );
  if (rows.length !== 1) throw new Error(`area ${code} is not one unit on ${date} (${rows.length} found)`);
  return { id: Number(rows[0].id), path: rows[0].path };
}

function validOn(alias: string): string {
  return `(${alias}.valid_from IS NULL OR ${alias}.valid_from <= ?) AND (${alias}.valid_to IS NULL OR ${alias}.valid_to >= ?)`;
}

/**
 * The aggregate as one hand-written statement over the raw observations, the way the statistics
 * service computed it before rollups: row units (the area's children, or the area) → every
 * placement valid on the period's end whose path the row unit's path prefixes → its observations
 * of the indicator and period, summed per row unit and sex. The constant prefix of the area's path
 * lets the database range-scan the subtree. No entry-level filter: the bench indicators only
 * have village rows.
 */
export function plainSql(dataSource: DataSource, breakdown: Breakdown): string {
  const mysql = isMysql(dataSource);
  const prefixJoin = mysql ? `p.path LIKE CONCAT(a.path, '%')` : `substr(p.path, 1, length(a.path)) = a.path`;
  const subtree = mysql ? 'p.path LIKE ?' : 'p.path GLOB ?';
  return `SELECT au.code AS code, o.sex AS sex, SUM(o.numerator) AS n, SUM(o.denominator) AS d, COUNT(*) AS c
FROM unit_placement a
INNER JOIN administrative_unit au ON au.id = a.unit_id
INNER JOIN unit_placement p ON ${prefixJoin} AND ${validOn('p')}
INNER JOIN observation o ON o.unit_id = p.unit_id
WHERE ${breakdown === 'CHILDREN' ? 'a.parent_id = ?' : 'a.unit_id = ?'} AND ${validOn('a')} AND ${subtree}
  AND o.indicator_id = ? AND o.period = ? AND o.disaggregation = ''
GROUP BY au.code, o.sex`;
}

/** The plain-SQL aggregate of one shape, on the placements valid on the period's last day (as the statistics service reads them). */
export async function measureSql(dataSource: DataSource, indicator: string, period: string, shape: Shape, plan: RunPlan): Promise<SqlMeasurement> {
  const parsed = parsePeriod(period);
  if (!parsed) throw new Error(`${period} is not a period`);
  const date = periodEnd(parsed);
  const area = await resolveArea(dataSource, shape.area, date);
  const [{ id: indicatorId }] = await dataSource.query('SELECT id FROM indicator WHERE code = ?', [indicator]);
  const sql = plainSql(dataSource, shape.breakdown);
  const prefix = `${area.path}${isMysql(dataSource) ? '%' : '*'}`;
  const params = [date, date, area.id, date, date, prefix, Number(indicatorId), period];
  type Raw = { code: string; sex: 'FEMALE' | 'MALE'; n: number | string; d: number | string };
  let raw: Raw[] = [];
  const latencies = await repeat(plan, async () => {
    raw = await dataSource.query(sql, params);
  });
  const sums: RowSums = new Map();
  for (const r of raw) {
    const entry = sums.get(r.code) ?? {};
    entry[r.sex] = { numerator: Number(r.n), denominator: Number(r.d) };
    sums.set(r.code, entry);
  }
  return { shape, rows: sums.size, timing: timing(latencies), sums };
}

/** Differences between the API's sums and the plain SQL's, per unit and sex (empty when they agree). */
export function compareSums(api: RowSums, sql: RowSums): string[] {
  const problems: string[] = [];
  const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  for (const code of new Set([...api.keys(), ...sql.keys()])) {
    for (const sex of ['FEMALE', 'MALE'] as const) {
      const a = api.get(code)?.[sex];
      const s = sql.get(code)?.[sex];
      if (!a && !s) continue;
      if (!a || !s || !same(a.numerator, s.numerator) || !same(a.denominator, s.denominator)) problems.push(`${code} ${sex}: API ${JSON.stringify(a ?? null)}, SQL ${JSON.stringify(s ?? null)}`);
    }
  }
  return problems;
}
