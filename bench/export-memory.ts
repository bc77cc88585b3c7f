/**
 * Memory of the bulk exports at 1,000,000 rows (`npm run bench:exports`).
 *
 * For each database (SQLite under var/, MariaDB `bdg_export_bench`) it builds, once, a database
 * with the reference units and ≥1,000,000 observation rows bulk-inserted with multi-row INSERTs,
 * starts the real server in a child process (this file with `--serve`, which calls createApp, so
 * the child's memory is the server's alone), downloads /export/observations.{csv,xlsx,sdmx.csv}
 * and a national SDMX data query (`sdmx-ml`: /sdmx/rest/data/…, SDMX-ML generic data, every
 * frequency of every area: more than 1,000,000 observations computed from those rows) with a
 * national token while sampling the child's RSS from /proc every 100 ms (and the heap the child
 * reports over its IPC channel), and writes the figures to bench/EXPORT-MEMORY.md (rows of
 * formats not measured in this run are kept from the previous report).
 *
 *   node dist/bench/export-memory.js [--rows 1000000] [--only sqlite|mariadb] [--formats csv,xlsx,sdmx.csv,sdmx-ml] [--no-report]
 *
 * BENCH_MYSQL_URL overrides the MariaDB database (default mysql://root@127.0.0.1:3306/bdg_export_bench).
 */
import 'reflect-metadata';
import { ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import mysql from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { createApp } from '../server/app';
import { signToken } from '../server/auth/jwt';
import { Role } from '../server/auth/role';
import { loadConfig, PROJECT_ROOT } from '../server/core/config';
import { createDataSource } from '../server/data-source';
import { setLogLevel } from '../server/core/logger';
import { migrate, seed } from '../server/setup/database-setup';

const BENCH_SECRET = 'bdg-hub-export-memory-bench';
const BENCH_INDICATOR = 'BENCH_EXPORT_MEMORY';
const SQLITE_FILE = path.join(PROJECT_ROOT, 'var', 'bench-export-memory.sqlite');
const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/bdg_export_bench';
const SAMPLE_MS = 100;
const LIVE_HEAP_MS = 2_000;
const INSERT_ROWS = 2_000;
const MB = 1024 * 1024;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FORMATS = ['csv', 'xlsx', 'sdmx.csv', 'sdmx-ml'] as const;
/** Every frequency (A, S, Q, M) of every area for the bench indicator, 2019–2026: the aggregates of each area from the observations. */
const SDMX_QUERY = `/sdmx/rest/data/GENDER_STATISTICS/A+S+Q+M..${BENCH_INDICATOR}.`;
const SDMX_ACCEPT = 'application/vnd.sdmx.genericdata+xml;version=2.1';
/** What one format downloads, and how its rows are counted (an SDMX-ML observation is one `<generic:Obs>`). */
function target(format: Format, warmUp = false): { path: string; accept?: string; needle?: string } {
  if (format === 'sdmx-ml') return { path: warmUp ? `${SDMX_QUERY}?startPeriod=2019-01&endPeriod=2019-01` : SDMX_QUERY, accept: SDMX_ACCEPT, needle: '<generic:Obs>' };
  return { path: warmUp ? `/export/observations.${format}?periods=2019-01` : `/export/observations.${format}` };
}
type Format = (typeof FORMATS)[number];

interface Options {
  rows: number;
  only: string | null;
  formats: Format[];
  report: boolean;
}

interface Bench {
  name: 'sqlite' | 'mariadb';
  url: string;
  version: string;
}

interface Result {
  database: string;
  format: string;
  rows: number;
  bytes: number;
  seconds: number;
  rssBaseline: number;
  rssPeak: number;
  rssQuarters: number[];
  rssAfter: number;
  heapBaseline: number;
  heapPeak: number;
  /** From a second download with a full GC every 2 s: what the export keeps alive. */
  liveHeapBaseline?: number;
  liveHeapPeak: number;
  /** Buffers (ArrayBuffer memory) alive after those GCs: V8's `external` counter lags the freeing of Buffers, this does not. */
  liveBuffersBaseline?: number;
  liveBuffersPeak: number;
  buffersBaseline: number;
  heapTotalPeak: number;
  externalPeak: number;
  samples: number;
  heapSamples: number;
}

/** A client that stops reading: what the server holds while it waits. */
interface Stall {
  database: string;
  format: string;
  read: number;
  rssBefore: number;
  rssPeak: number;
  heapBefore: number;
  liveHeapPeak: number;
  buffersBefore: number;
  liveBuffersPeak: number;
}

/** What the child reports about itself (process.memoryUsage()). */
interface ChildMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

// ---------------------------------------------------------------------------------------------
// The child: the real server, nothing else in the process.

async function serve(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const dataSource = await createDataSource(config.databaseUrl).initialize();
  const app = await createApp(dataSource, config);
  const port = await app.listen(0, '127.0.0.1');
  // With a callback a send after the parent has gone fails quietly instead of crashing the child.
  const send = (message: object) => process.connected && process.send?.(message, undefined, {}, () => undefined);
  // Only this bench entry reports its heap, over the private IPC channel: the server has no such route.
  setInterval(() => send({ type: 'memory', memory: process.memoryUsage() }), SAMPLE_MS).unref();
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'gc') return;
    // Twice: V8 frees dead Buffers' memory concurrently after a GC, and the next GC waits for that;
    // after one GC, arrayBuffers can still count 25 MB of dead XLSX chunks.
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    send({ type: 'gc-done', memory: process.memoryUsage() });
  });
  process.on('disconnect', () => void app.close().finally(() => process.exit(0)));
  send({ type: 'ready', port });
}

// ---------------------------------------------------------------------------------------------
// Databases

function parseOptions(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const formats = (value('--formats') ?? FORMATS.join(',')).split(',').filter((f): f is Format => (FORMATS as readonly string[]).includes(f));
  return { rows: Number(value('--rows') ?? 1_000_000), only: value('--only') ?? null, formats, report: !argv.includes('--no-report') };
}

async function ensureMysqlDatabase(url: string): Promise<string | null> {
  const parsed = new URL(url);
  const database = parsed.pathname.slice(1);
  parsed.pathname = '/';
  const connection = await mysql.createConnection({ uri: parsed.toString() }).catch(() => null);
  if (!connection) return null;
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const [rows] = await connection.query('SELECT VERSION() AS v');
    return String((rows as { v: string }[])[0].v);
  } finally {
    await connection.end();
  }
}

async function benchDatabases(options: Options): Promise<Bench[]> {
  const list: Bench[] = [];
  if (!options.only || options.only === 'sqlite') {
    const Sqlite = (await import('better-sqlite3')).default;
    const db = new Sqlite(':memory:');
    list.push({ name: 'sqlite', url: `sqlite:${SQLITE_FILE}`, version: `SQLite ${(db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v} (better-sqlite3)` });
    db.close();
  }
  if (!options.only || options.only === 'mariadb') {
    const version = await ensureMysqlDatabase(MYSQL_URL);
    if (version) list.push({ name: 'mariadb', url: MYSQL_URL, version: `MariaDB ${version}` });
    else console.log(`MariaDB at ${MYSQL_URL.replace(/\/\/[^@]*@/, '//')} does not answer: skipped`);
  }
  return list;
}

async function ensureIndicator(dataSource: DataSource): Promise<number> {
  const found: { id: number }[] = await dataSource.query('SELECT id FROM indicator WHERE code = ?', [BENCH_INDICATOR]);
  if (found.length) return Number(found[0].id);
  await dataSource.query(
    `INSERT INTO indicator (code, name, name_en, domain, value_type, factor, unit_of_measure, entry_level, sex_disaggregated, temporal_aggregation, period_type, numerator_label, denominator_label, source)
     VALUES (?, 'Tỷ lệ nữ tham gia sinh hoạt cộng đồng (dữ liệu đo bộ nhớ xuất)', 'Export memory bench', 'POLITICS', 'PROPORTION', 100, '%', 'COMMUNE', ?, 'STOCK', 'MONTH', 'nữ', 'tổng số', 'bench')`,
    [BENCH_INDICATOR, true],
  );
  return ensureIndicator(dataSource);
}

/** Months 2019-01 … 2026-12 × three sexes: 288 keys per unit, so 1,000,000 rows need 3,473 units. */
function keysPerUnit(): [string, string][] {
  const keys: [string, string][] = [];
  for (let year = 2019; year <= 2026; year++) {
    for (let month = 1; month <= 12; month++) for (const sex of ['FEMALE', 'MALE', 'TOTAL']) keys.push([`${year}-${String(month).padStart(2, '0')}`, sex]);
  }
  return keys;
}

/** Literal multi-row INSERTs (every value is a number or a fixed code), in one transaction. */
async function insertObservations(dataSource: DataSource, indicatorId: number, rows: number): Promise<void> {
  const units: { id: number }[] = await dataSource.query('SELECT id FROM administrative_unit ORDER BY id');
  const keys = keysPerUnit();
  if (units.length * keys.length < rows) throw new Error(`Only ${units.length * keys.length} keys for ${rows} rows`);
  const statuses = ['APPROVED', 'APPROVED', 'SUBMITTED', 'DRAFT'];
  const started = Date.now();
  await dataSource.transaction(async (manager) => {
    let values: string[] = [];
    for (let n = 0; n < rows; n++) {
      const unitId = Number(units[Math.floor(n / keys.length)].id);
      const [period, sex] = keys[n % keys.length];
      values.push(`(${indicatorId},${unitId},'${period}','${sex}','',${(unitId * 7 + n) % 50},${50 + (n % 13)},'${statuses[n % 4]}','bench',1,'bench','2026-11-01T00:00:00.000Z')`);
      if (values.length < INSERT_ROWS && n < rows - 1) continue;
      await manager.query(`INSERT INTO observation (indicator_id, unit_id, period, sex, disaggregation, numerator, denominator, status, source, version, updated_by, updated_at) VALUES ${values.join(',')}`);
      values = [];
      if ((n + 1) % 200_000 === 0) console.log(`  ${n + 1} rows inserted (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  });
}

/** Migrations, reference units (no demo data, so every observation is a bench row) and the rows, unless already there. */
async function prepareDatabase(bench: Bench, rows: number): Promise<void> {
  const dataSource = await createDataSource(bench.url).initialize();
  try {
    await migrate(dataSource);
    await seed(dataSource, { demo: false, print: () => undefined });
    const indicatorId = await ensureIndicator(dataSource);
    const [{ n }]: { n: number }[] = await dataSource.query('SELECT COUNT(*) AS n FROM observation');
    if (Number(n) === rows) return;
    console.log(`${bench.name}: inserting ${rows} observation rows…`);
    await dataSource.query('DELETE FROM observation');
    await insertObservations(dataSource, indicatorId, rows);
  } finally {
    await dataSource.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// The server child and its memory

class ServerChild {
  latest: ChildMemory | null = null;
  private listeners: ((message: { type: string; memory?: ChildMemory; port?: number }) => void)[] = [];

  private constructor(readonly process: ChildProcess) {
    process.on('message', (message: { type: string; memory?: ChildMemory; port?: number }) => {
      if (message.type === 'memory' && message.memory) this.latest = message.memory;
      this.listeners.forEach((listener) => listener(message));
    });
  }

  static async start(url: string): Promise<{ child: ServerChild; port: number }> {
    const env = { ...process.env, DATABASE_URL: url, JWT_SECRET: BENCH_SECRET, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000' };
    const child = new ServerChild(fork(__filename, ['--serve'], { env, execArgv: ['--expose-gc'] }));
    const port = await child.next('ready').then((m) => m.port as number);
    return { child, port };
  }

  next(type: string): Promise<{ type: string; memory?: ChildMemory; port?: number }> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`The server child exited (${code}) before "${type}"`));
      this.process.once('exit', onExit);
      const listener = (message: { type: string }) => {
        if (message.type !== type) return;
        this.listeners = this.listeners.filter((l) => l !== listener);
        this.process.off('exit', onExit);
        resolve(message);
      };
      this.listeners.push(listener);
    });
  }

  async collectGarbage(): Promise<ChildMemory> {
    const done = this.next('gc-done');
    this.process.send({ type: 'gc' });
    return (await done).memory as ChildMemory;
  }

  /** VmRSS (now) or VmHWM (peak since the last reset) of the child, in bytes, from /proc. */
  status(field: 'VmRSS' | 'VmHWM'): number {
    const text = fs.readFileSync(`/proc/${this.process.pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : 0;
  }

  /** Resets VmHWM to the current RSS (Linux ≥ 4.0), so the kernel's peak covers one download. */
  resetPeak(): boolean {
    try {
      fs.writeFileSync(`/proc/${this.process.pid}/clear_refs`, '5');
      return true;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.disconnect();
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

interface Sampled<T> {
  value: T;
  rssPeak: number;
  /** Peak RSS in each quarter of the run's duration: flat memory means flat quarters. */
  rssQuarters: number[];
  heapPeak: number;
  liveHeapPeak: number;
  liveBuffersPeak: number;
  heapTotalPeak: number;
  externalPeak: number;
  samples: number;
  heapSamples: number;
}

/**
 * Samples the child every 100 ms while `work` runs; with `collect`, also forces a full GC every
 * 2 s to see what the export keeps alive (a separate run: forced GCs would flatter the RSS).
 */
async function sampled<T>(child: ServerChild, work: () => Promise<T>, collect = false): Promise<Sampled<T>> {
  const rss: [number, number][] = [[Date.now(), child.status('VmRSS')]];
  const seen = new Set<ChildMemory>();
  const live: ChildMemory[] = [];
  const timer = setInterval(() => {
    rss.push([Date.now(), child.status('VmRSS')]);
    if (child.latest) seen.add(child.latest);
  }, SAMPLE_MS);
  let collecting = collect;
  const collector = (async () => {
    while (collecting) {
      await pause(LIVE_HEAP_MS);
      if (collecting) live.push(await child.collectGarbage());
    }
  })();
  try {
    const value = await work();
    collecting = false;
    await collector;
    rss.push([Date.now(), child.status('VmRSS')]);
    const heap = [...seen];
    const [start, end] = [rss[0][0], rss[rss.length - 1][0]];
    const quarter = (q: number) => Math.max(0, ...rss.filter(([t]) => t >= start + ((end - start) * q) / 4 && t <= start + ((end - start) * (q + 1)) / 4).map(([, r]) => r));
    return {
      value,
      rssPeak: Math.max(...rss.map(([, r]) => r)),
      rssQuarters: [0, 1, 2, 3].map(quarter),
      heapPeak: Math.max(0, ...heap.map((m) => m.heapUsed)),
      liveHeapPeak: Math.max(0, ...live.map((m) => m.heapUsed)),
      liveBuffersPeak: Math.max(0, ...live.map((m) => m.arrayBuffers)),
      heapTotalPeak: Math.max(0, ...heap.map((m) => m.heapTotal)),
      externalPeak: Math.max(0, ...heap.map((m) => m.external)),
      samples: rss.length,
      heapSamples: heap.length,
    };
  } finally {
    collecting = false;
    clearInterval(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Downloads

interface Download {
  bytes: number;
  newlines: number;
  /** Occurrences of the target's needle, when it has one. */
  found: number;
  file: string | null;
}

/** Reads the whole response as fast as it comes, counting bytes and line ends (or a needle); XLSX is kept on disk to count its rows afterwards. */
function download(port: number, pathname: string, token: string, file: string | null, accept?: string, needle?: string): Promise<Download> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (accept) headers.accept = accept;
    let carry = '';
    const request = http.get({ host: '127.0.0.1', port, path: pathname, headers }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`${pathname}: HTTP ${response.statusCode}`));
        return;
      }
      const out = file ? fs.createWriteStream(file) : null;
      const result: Download = { bytes: 0, newlines: 0, found: 0, file };
      response.on('data', (chunk: Buffer) => {
        result.bytes += chunk.length;
        if (needle) {
          const text = carry + chunk.toString('latin1');
          for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) result.found++;
          carry = text.slice(-(needle.length - 1));
        } else if (!out) result.newlines += countByte(chunk, 10);
        else if (!out.write(chunk)) {
          response.pause();
          out.once('drain', () => response.resume());
        }
      });
      response.on('error', reject);
      response.on('end', () => (out ? out.end(() => resolve(result)) : resolve(result)));
    });
    request.on('error', reject);
  });
}

function countByte(chunk: Buffer, byte: number): number {
  let count = 0;
  for (let i = chunk.indexOf(byte); i !== -1; i = chunk.indexOf(byte, i + 1)) count++;
  return count;
}

/** Rows of the first worksheet of an XLSX file: the zip's central directory gives the entry, inflated as a stream. */
async function xlsxRows(file: string): Promise<number> {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, 65_557));
    fs.readSync(fd, tail, 0, tail.length, size - tail.length);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new Error(`${file} is not a zip file`);
    const entries = tail.readUInt16LE(eocd + 10);
    const directory = Buffer.alloc(tail.readUInt32LE(eocd + 12));
    fs.readSync(fd, directory, 0, directory.length, tail.readUInt32LE(eocd + 16));
    for (let at = 0, i = 0; i < entries; i++) {
      const nameLength = directory.readUInt16LE(at + 28);
      const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
      const [compressed, local] = [directory.readUInt32LE(at + 20), directory.readUInt32LE(at + 42)];
      at += 46 + nameLength + directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32);
      if (name !== 'xl/worksheets/sheet1.xml') continue;
      const header = Buffer.alloc(30);
      fs.readSync(fd, header, 0, 30, local);
      const start = local + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      return await countInStream(fs.createReadStream(file, { start, end: start + compressed - 1 }).pipe(zlib.createInflateRaw()), '</row>');
    }
    throw new Error(`${file} has no xl/worksheets/sheet1.xml`);
  } finally {
    fs.closeSync(fd);
  }
}

async function countInStream(stream: NodeJS.ReadableStream, needle: string): Promise<number> {
  let count = 0;
  let carry = '';
  for await (const chunk of stream) {
    const text = carry + chunk.toString('latin1');
    for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) count++;
    carry = text.slice(-(needle.length - 1));
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// One export


/** Baseline after a full GC and a short rest; resets the kernel's peak so VmHWM covers what follows. */
async function baseline(child: ServerChild): Promise<{ rss: number; heapUsed: number; arrayBuffers: number; kernelPeak: boolean }> {
  const memory = await child.collectGarbage();
  await pause(500);
  return { rss: child.status('VmRSS'), heapUsed: memory.heapUsed, arrayBuffers: memory.arrayBuffers, kernelPeak: child.resetPeak() };
}

async function measure(bench: Bench, child: ServerChild, port: number, format: Format, token: string, expectedRows: number, collect: boolean): Promise<Result> {
  const before = await baseline(child);
  const file = format === 'xlsx' ? path.join(PROJECT_ROOT, 'var', `bench-export-memory-${bench.name}.xlsx`) : null;
  const started = process.hrtime.bigint();
  const { path: pathname, accept, needle } = target(format);
  const run = await sampled(child, () => download(port, pathname, token, file, accept, needle), collect);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rssPeak = Math.max(run.rssPeak, before.kernelPeak ? child.status('VmHWM') : 0);
  await pause(1_000);
  const rssAfter = child.status('VmRSS');
  const rows = file ? (await xlsxRows(file)) - 1 : needle ? run.value.found : run.value.newlines - 1;
  if (file) fs.rmSync(file, { force: true });
  // The SDMX query's observations are aggregates of the rows (each area, each frequency), not the rows themselves.
  if (needle ? rows < expectedRows : rows !== expectedRows) throw new Error(`${bench.name} ${format}: ${rows} rows downloaded, ${needle ? 'at least ' : ''}${expectedRows} expected`);
  const { value: _value, ...memory } = run;
  return { database: bench.name, format, rows, bytes: run.value.bytes, seconds, ...memory, rssPeak, rssBaseline: before.rss, rssAfter, heapBaseline: before.heapUsed, buffersBaseline: before.arrayBuffers };
}

/** Reads the first 2 MB, then stops reading for 6 s: the server must wait, not buffer the rest. */
async function stall(bench: Bench, child: ServerChild, port: number, format: Format, token: string): Promise<Stall> {
  const before = await baseline(child);
  let read = 0;
  const run = await sampled(
    child,
    () =>
      new Promise<void>((resolve, reject) => {
        const request = http.get({ host: '127.0.0.1', port, path: `/export/observations.${format}`, headers: { authorization: `Bearer ${token}` } }, (response) => {
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read < 2 * MB) return;
            response.pause();
            setTimeout(() => {
              request.destroy();
              resolve();
            }, 6_000);
          });
          // An export smaller than 2 MB (a small --rows) ends before the client stalls: nothing to wait for.
          response.on('end', resolve);
        });
        request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve() : reject(error)));
      }),
    true,
  );
  await pause(500);
  const rssPeak = Math.max(run.rssPeak, before.kernelPeak ? child.status('VmHWM') : 0);
  return { database: bench.name, format, read, rssBefore: before.rss, rssPeak, heapBefore: before.heapUsed, liveHeapPeak: run.liveHeapPeak, buffersBefore: before.arrayBuffers, liveBuffersPeak: run.liveBuffersPeak };
}

const mb = (bytes: number) => (bytes / MB).toFixed(1);

function describe(r: Result): string {
  return (
    `${r.database} ${r.format}: ${r.rows} rows, ${mb(r.bytes)} MB in ${r.seconds.toFixed(1)} s (${Math.round(r.rows / r.seconds)} rows/s, ${mb(r.bytes / r.seconds)} MB/s); ` +
    `RSS baseline ${mb(r.rssBaseline)} MB, peak ${mb(r.rssPeak)} MB (per quarter ${r.rssQuarters.map(mb).join(' / ')}), growth ${mb(r.rssPeak - r.rssBaseline)} MB, after ${mb(r.rssAfter)} MB; ` +
    `heapUsed baseline ${mb(r.heapBaseline)} MB (after GC), peak ${mb(r.heapPeak)} MB (incl. garbage), heapTotal peak ${mb(r.heapTotalPeak)} MB; external peak ${mb(r.externalPeak)} MB; ${r.samples} RSS / ${r.heapSamples} heap samples; ` +
    `live heap (GC every 2 s, second download) ${mb(r.liveHeapBaseline ?? 0)} → ${mb(r.liveHeapPeak)} MB, live Buffers ${mb(r.liveBuffersBaseline ?? 0)} → ${mb(r.liveBuffersPeak)} MB`
  );
}

/** A fresh server per format, so each baseline is a server that has not exported 1,000,000 rows before. */
async function withServer<T>(bench: Bench, formats: Format[], work: (child: ServerChild, port: number, token: string) => Promise<T>): Promise<T> {
  const { child, port } = await ServerChild.start(bench.url);
  const token = signToken({ sub: 'bench@VN', unit: 'VN', role: Role.ADMIN }, BENCH_SECRET, 3600);
  try {
    // Warm-up: every format once on a small slice, so loading modules is not counted as growth.
    for (const format of formats) {
      const warmUp = target(format, true);
      await download(port, warmUp.path, token, null, warmUp.accept, warmUp.needle);
    }
    return await work(child, port, token);
  } finally {
    await child.stop();
  }
}

async function runDatabase(bench: Bench, options: Options): Promise<{ results: Result[]; stalls: Stall[] }> {
  const rows = options.rows;
  await prepareDatabase(bench, rows);
  const results: Result[] = [];
  const stalls: Stall[] = [];
  for (const format of options.formats) {
    const plain = await withServer(bench, options.formats, (child, port, token) => measure(bench, child, port, format, token, rows, false));
    const live = await withServer(bench, options.formats, (child, port, token) => measure(bench, child, port, format, token, rows, true));
    if (plain.rows !== live.rows) throw new Error(`${bench.name} ${format}: ${plain.rows} rows, then ${live.rows}`);
    const result = { ...plain, liveHeapBaseline: live.heapBaseline, liveHeapPeak: live.liveHeapPeak, liveBuffersBaseline: live.buffersBaseline, liveBuffersPeak: live.liveBuffersPeak };
    console.log(describe(result));
    results.push(result);
  }
  for (const format of options.formats.filter((f) => f !== 'sdmx.csv' && f !== 'sdmx-ml')) {
    const s = await withServer(bench, options.formats, (child, port, token) => stall(bench, child, port, format, token));
    console.log(`${bench.name} ${format}, client stops after ${mb(s.read)} MB for 6 s: RSS ${mb(s.rssBefore)} → peak ${mb(s.rssPeak)} MB; live heap ${mb(s.heapBefore)} → ${mb(s.liveHeapPeak)} MB, Buffers ${mb(s.buffersBefore)} → ${mb(s.liveBuffersPeak)} MB`);
    stalls.push(s);
  }
  return { results, stalls };
}

// ---------------------------------------------------------------------------------------------
// Report

function machine(benches: Bench[]): string[] {
  const cpus = os.cpus();
  return [
    `- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores (shared with other work while measured)`,
    `- RAM: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB; ${os.type()} ${os.release()}`,
    `- Node ${process.version}; ${benches.map((b) => b.version).join('; ')}`,
  ];
}

function table(results: Result[]): string[] {
  const lines = [
    '| database | format | rows | downloaded | time | rows/s | RSS baseline | RSS peak | **RSS growth** | RSS peak by quarter of the download | heapUsed peak (incl. garbage) | live heap growth (GC every 2 s) | live Buffers growth |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|',
  ];
  for (const r of results) {
    const cells = [r.database, r.format, r.rows.toLocaleString('en'), `${mb(r.bytes)} MB`, `${r.seconds.toFixed(1)} s`, Math.round(r.rows / r.seconds).toLocaleString('en')];
    cells.push(`${mb(r.rssBaseline)} MB`, `${mb(r.rssPeak)} MB`, `**${mb(r.rssPeak - r.rssBaseline)} MB**`, r.rssQuarters.map(mb).join(' · '), `${mb(r.heapPeak)} MB`);
    cells.push(`${mb(r.liveHeapPeak - (r.liveHeapBaseline ?? r.heapBaseline))} MB`, `${mb(r.liveBuffersPeak - (r.liveBuffersBaseline ?? r.buffersBaseline))} MB`);
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

function stallTable(stalls: Stall[]): string[] {
  if (!stalls.length) return [];
  const lines = [
    'A client that reads 2 MB and then stops reading for 6 s (the server must wait for it, not buffer the export; full GC every 2 s):',
    '',
    '| database | format | RSS before | RSS peak | RSS growth | live heap growth | live Buffers growth |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const s of stalls) lines.push(`| ${s.database} | ${s.format} | ${mb(s.rssBefore)} MB | ${mb(s.rssPeak)} MB | ${mb(s.rssPeak - s.rssBefore)} MB | ${mb(s.liveHeapPeak - s.heapBefore)} MB | ${mb(s.liveBuffersPeak - s.buffersBefore)} MB |`);
  return ['', ...lines];
}

/** The previous report's machine lines (its first block of "- " lines), for the rows kept from it. */
function previousMachine(previous: string): string[] {
  const lines = previous.split('\n');
  const start = lines.findIndex((l) => l.startsWith('- Date:'));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('- '));
  return lines.slice(start, end < 0 ? undefined : end);
}

/** The previous report's stall table, for a run that measured no stalls (only SDMX formats). */
function keptStalls(previous: string): string[] {
  const start = previous.indexOf('\nA client that reads');
  if (start < 0) return [];
  const end = previous.indexOf('\n## Findings');
  return ['', ...previous.slice(start + 1, end < 0 ? undefined : end).trimEnd().split('\n')];
}

function writeReport(benches: Bench[], results: Result[], stalls: Stall[]): void {
  const file = path.join(PROJECT_ROOT, 'bench', 'EXPORT-MEMORY.md');
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  // Everything from "## Findings" on is written by hand and kept across runs.
  const notes = previous.includes('\n## Findings') ? previous.slice(previous.indexOf('\n## Findings')) : '';
  // Rows of a database and format this run did not measure stay as they were (e.g. --formats sdmx-ml).
  const measured = new Set(results.map((r) => `${r.database}|${r.format}`));
  const tableEnd = previous.indexOf('\n\n', previous.indexOf('| database | format | rows |'));
  const kept = previous.slice(0, tableEnd < 0 ? undefined : tableEnd).split('\n').filter((line) => /^\| (sqlite|mariadb) \| [a-z.-]+ \| [\d,]+ \|/.test(line) && !measured.has(line.split(' | ').slice(0, 2).join('|').slice(2)));
  const rows = table(results);
  const order = (line: string) => { const [database, format] = line.slice(2).split(' | '); return `${database === 'sqlite' ? 0 : 1}${FORMATS.indexOf(format as Format)}`; };
  const merged = [...rows.slice(0, 2), ...[...kept, ...rows.slice(2)].sort((a, b) => order(a).localeCompare(order(b)))];
  const text = [
    '# Export memory at 1,000,000 rows',
    '',
    'Written by `npm run bench:exports` (bench/export-memory.ts). The server runs alone in a child',
    'process (`createApp` on the bench database, a fresh one per format); the bench downloads',
    '`/export/observations.{csv,xlsx,sdmx.csv}` (no filter: all 1,000,000 rows) and, as `sdmx-ml`, the',
    'SDMX data query `A+S+Q+M..BENCH_EXPORT_MEMORY.` (SDMX-ML generic data: every frequency of every',
    'area, 2019–2026, its rows are the observations written) with a national ADMIN token as fast as',
    'it can read and samples the child every 100 ms: RSS from',
    "`/proc/<pid>/status` (peak = the larger of the samples and the kernel's VmHWM, reset before",
    'each download), heapUsed as the child reports it. Baseline = RSS after warm-up and a full GC.',
    '',
    ...machine(benches),
    ...(kept.length ? ['', `Rows of formats not measured in this run (${[...new Set(kept.map((l) => l.split(' | ')[1]))].join(', ')}) are kept from the previous report, measured on:`, ...previousMachine(previous).map((l) => `  ${l}`)] : []),
    '',
    ...merged,
    ...(stalls.length ? stallTable(stalls) : keptStalls(previous)),
    notes,
  ].join('\n');
  fs.writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const options = parseOptions(process.argv.slice(2));
  fs.mkdirSync(path.dirname(SQLITE_FILE), { recursive: true });
  const benches = await benchDatabases(options);
  const results: Result[] = [];
  const stalls: Stall[] = [];
  for (const bench of benches) {
    const run = await runDatabase(bench, options);
    results.push(...run.results);
    stalls.push(...run.stalls);
  }
  console.log(table(results).join('\n'));
  if (options.report) writeReport(benches, results, stalls);
}

if (process.argv.includes('--serve')) {
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
