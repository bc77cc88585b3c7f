import { DataSource } from 'typeorm';
import type { RequestContext } from '../server/request-context';
import { ingestObservations } from '../server/observations/observation-writer';
import type { ObservationRow } from '../server/observations/observation-validation';
import { systemContext } from '../server/observations/system-context';
import { batches, IndicatorChoice, rowsPerVillage, villageRows } from './dataset';

export interface ProvinceVillages {
  code: string;
  name: string;
  villages: string[];
}

export interface LoadResult {
  rows: number;
  calls: number;
  seconds: number;
  rowsPerSecond: number;
  /** Slowest and fastest single call, in rows per second: shows whether the rate degrades as tables grow. */
  slowestCallRowsPerSecond: number;
  fastestCallRowsPerSecond: number;
  firstProvinceRowsPerSecond: number;
  lastProvinceRowsPerSecond: number;
  peakRssMiB: number;
}

export interface IngestSample {
  period: string;
  rows: number;
  calls: number;
  seconds: number;
  rowsPerSecond: number;
}

const rssMiB = () => Math.round(process.memoryUsage().rss / 2 ** 20);

/** One ingestObservations call; any rejected row stops the bench (generated data must be valid). */
async function ingest(ctx: RequestContext, rows: ObservationRow[]): Promise<void> {
  const result = await ingestObservations(ctx, rows);
  if (!result.applied || result.errors.length || result.changed !== rows.length) {
    const first = result.errors.slice(0, 5).map((e) => `row ${e.index} (${JSON.stringify(rows[e.index])}): ${e.field ?? ''} ${e.message}`);
    throw new Error(`ingestObservations did not write the batch: applied=${result.applied} changed=${result.changed}/${rows.length}\n${first.join('\n')}`);
  }
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  return seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : seconds >= 90 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`;
}

/**
 * Loads every province's villages' rows through ingestObservations as a national ADMIN, one
 * province at a time, `batchSize` rows per call (each call is one transaction). Rows are generated
 * per batch, so memory holds one batch, never the dataset.
 */
export async function loadObservations(dataSource: DataSource, provinces: ProvinceVillages[], indicators: IndicatorChoice[], years: string[], batchSize: number, print: (line: string) => void): Promise<LoadResult> {
  const perVillage = rowsPerVillage(indicators, years);
  const total = provinces.reduce((sum, p) => sum + p.villages.length * perVillage, 0);
  const started = performance.now();
  const rates: number[] = [];
  const provinceRates: number[] = [];
  let done = 0;
  let peakRss = rssMiB();
  for (const [index, province] of provinces.entries()) {
    // A fresh context per province, as a separate import would have; its loaders never grow with the dataset.
    const ctx = await systemContext(dataSource, { subject: 'bench-loader' });
    const provinceStarted = performance.now();
    for (const batch of batches(villageRows(province.villages, indicators, years), batchSize)) {
      const callStarted = performance.now();
      await ingest(ctx, batch);
      const callSeconds = (performance.now() - callStarted) / 1000;
      done += batch.length;
      rates.push(batch.length / callSeconds);
      peakRss = Math.max(peakRss, rssMiB());
      const elapsed = (performance.now() - started) / 1000;
      const overall = done / elapsed;
      print(
        `[load] ${index + 1}/${provinces.length} ${province.code} ${province.name}: ${done.toLocaleString('en')}/${total.toLocaleString('en')} rows (${((100 * done) / total).toFixed(1)}%), ` +
          `this call ${Math.round(batch.length / callSeconds).toLocaleString('en')} rows/s, overall ${Math.round(overall).toLocaleString('en')} rows/s, ETA ${duration((total - done) / overall)}, rss ${peakRss} MiB`,
      );
    }
    provinceRates.push((province.villages.length * perVillage) / ((performance.now() - provinceStarted) / 1000));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    rows: done,
    calls: rates.length,
    seconds,
    rowsPerSecond: done / seconds,
    slowestCallRowsPerSecond: Math.min(...rates),
    fastestCallRowsPerSecond: Math.max(...rates),
    firstProvinceRowsPerSecond: provinceRates[0],
    lastProvinceRowsPerSecond: provinceRates[provinceRates.length - 1],
    peakRssMiB: peakRss,
  };
}

/** The first year after every year already stored for `indicator`, so the samples always insert new rows (repeatable with --keep). */
async function freshYear(dataSource: DataSource, indicator: string, after: number): Promise<string> {
  const [{ p }] = await dataSource.query('SELECT MAX(o.period) AS p FROM observation o INNER JOIN indicator i ON i.id = o.indicator_id WHERE i.code = ?', [indicator]);
  return String(Math.max(after, p ? Number(String(p).slice(0, 4)) : 0) + 1);
}

/**
 * Bulk against row-by-row on the loaded database, in the same state: new rows of a year no one
 * has written yet, first `bulkRows` rows in one call, then the next `rowByRow` rows each in its own
 * call (one context for all of them, which flatters row-by-row: a client would pay a request each).
 */
export async function ingestSamples(dataSource: DataSource, villages: string[], indicators: IndicatorChoice[], lastDataYear: number, bulkRows: number, rowByRow: number, print: (line: string) => void): Promise<{ bulk: IngestSample; rowByRow: IngestSample }> {
  const period = await freshYear(dataSource, indicators[0].code, lastDataYear);
  const available = villages.length * indicators.length * 2;
  const bulkSize = Math.max(1, Math.min(bulkRows, available - rowByRow));
  const rows = batches(villageRows(villages, indicators, [period]), bulkSize);
  const ctx = await systemContext(dataSource, { subject: 'bench-sample' });

  const bulkBatch = rows.next().value as ObservationRow[];
  let started = performance.now();
  await ingest(ctx, bulkBatch);
  const bulkSeconds = (performance.now() - started) / 1000;
  const bulk = { period, rows: bulkBatch.length, calls: 1, seconds: bulkSeconds, rowsPerSecond: bulkBatch.length / bulkSeconds };
  print(`[ingest] bulk: ${bulk.rows} rows of ${period} in one call, ${bulkSeconds.toFixed(2)} s, ${Math.round(bulk.rowsPerSecond)} rows/s`);

  const single = (rows.next().value ?? []).slice(0, rowByRow) as ObservationRow[];
  started = performance.now();
  for (const [i, row] of single.entries()) {
    await ingest(ctx, [row]);
    if ((i + 1) % 500 === 0) print(`[ingest] row by row: ${i + 1}/${single.length}, ${Math.round((i + 1) / ((performance.now() - started) / 1000))} rows/s`);
  }
  const singleSeconds = (performance.now() - started) / 1000;
  const byRow = { period, rows: single.length, calls: single.length, seconds: singleSeconds, rowsPerSecond: single.length / singleSeconds };
  print(`[ingest] row by row: ${byRow.rows} rows in ${byRow.calls} calls, ${singleSeconds.toFixed(1)} s, ${Math.round(byRow.rowsPerSecond)} rows/s`);
  return { bulk, rowByRow: byRow };
}
