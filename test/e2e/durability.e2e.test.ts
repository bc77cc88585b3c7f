import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { diskFullCase, Outcome, sqliteImportCase } from '../../bench/faults-durability';
import { writeCsv } from '../../bench/import-runs';
import { copyDatabase, openDataSource, SQLITE_TEMPLATE } from '../support/databases';

/**
 * Issue 24, the embedded database: the built server (NODE_ENV=production, a child process) on a
 * SQLite file in a small tmpfs takes writes until the disk is full, and `npm run import` runs
 * beside a server that writes. bench:faults runs the same cases (bench/faults-durability.ts) at a
 * larger scale. SQLite only: a full disk and the single-writer lock are the embedded database's.
 */
const ROOT = path.join(__dirname, '..', '..');
/** What each case saw, in the test's output (the bench's report lines). */
const print = (line: string) => process.stderr.write(`${line}\n`);

/** A refused write must say "retry" the way every database fault does: 503, a retryable code, Retry-After. */
const retryable = (o: Outcome) => o.status === 503 && o.retryAfter && ['DATABASE_FULL', 'DATABASE_BUSY', 'DATABASE_UNAVAILABLE'].includes(o.code ?? '');
const refused = (outcomes: Outcome[]) => outcomes.filter((o) => !(o.status === 200 && o.applied));

beforeAll(() => {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
});

describe('the embedded database (SQLite) under faults', () => {
  it('a full disk: every acknowledged write survives a kill, nothing is half-written, clients and /readyz see DATABASE_FULL, and writes resume once space is freed', async () => {
    const result = await diskFullCase({ template: SQLITE_TEMPLATE, writers: 3, refusedWrites: 30, writesAfterFree: 20, maxSeconds: 40 }, print);
    expect(result.ledger.lost).toBe(0);
    expect(result.ledger.rollupDifferences).toEqual([]);
    expect(result.ledger.acknowledged).toBeGreaterThan(20);
    // The disk did fill: writes were refused, each as a retryable 503, some as DATABASE_FULL.
    expect(refused(result.full).length).toBeGreaterThanOrEqual(30);
    expect(refused(result.full).filter((o) => !retryable(o))).toEqual([]);
    expect(result.full.some((o) => o.code === 'DATABASE_FULL')).toBe(true);
    const saidFull = result.readyFull.findIndex((o) => o.status === 503 && o.reason === 'database full');
    expect(saidFull).toBeGreaterThanOrEqual(0);
    // Once it said so, it kept saying so until space was freed.
    expect(result.readyFull.slice(saidFull).filter((o) => o.status !== 503)).toEqual([]);
    // Reads went on, though each refused write reopened the connection under them.
    expect(result.reads.length).toBeGreaterThan(0);
    expect(result.reads.filter((o) => o.status !== 200 || o.code)).toEqual([]);
    // Space freed, no restart: ready again, and writes apply.
    expect(result.readyFreed.map((o) => [o.status, o.reason])).toEqual([
      [200, 'ok'],
      [200, 'ok'],
    ]);
    expect(result.freed.filter((o) => o.applied).length).toBeGreaterThanOrEqual(20);
  });

  it('`npm run import` beside a server that takes writes on the same file waits for the lock and loads the file', async () => {
    const result = await sqliteImportCase({ template: SQLITE_TEMPLATE, imports: 1, rows: 3000, writers: 2, throughNpm: true }, print);
    expect(result.imports.map((run) => [run.exitCode, run.loaded])).toEqual([[0, 3000]]);
    expect(result.writes.filter((o) => o.applied).length).toBeGreaterThan(0);
    expect(refused(result.writes).filter((o) => !retryable(o))).toEqual([]);
    expect(result.ledger.lost).toBe(0);
    expect(result.ledger.rollupDifferences).toEqual([]);
  });

  it('an import that cannot get the write lock in time says so in one line, without SQL', async () => {
    const copy = await copyDatabase({ name: 'sqlite', templateUrl: `sqlite:${SQLITE_TEMPLATE}` });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bdg-locked-'));
    const csv = path.join(dir, 'locked.csv');
    const holder = new Database(copy.url.slice('sqlite:'.length));
    try {
      const dataSource = await openDataSource(copy.url);
      await writeCsv(dataSource, csv, 500).finally(() => dataSource.destroy());
      holder.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      const ran = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'server', 'cli', 'import-observations.js'), csv], { cwd: ROOT, env: { ...process.env, DATABASE_URL: copy.url }, encoding: 'utf8' });
      // It waited for the busy timeout (5 s) instead of failing at once.
      expect(Date.now() - started).toBeGreaterThanOrEqual(4500);
      expect(ran.status).toBe(1);
      // Besides its progress ("[import] reading …"), one line: what happened and what to do.
      const lines = ran.stderr.trim().split('\n').filter((line) => !line.startsWith('[import] '));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^The database is busy: .*nothing was written/);
      expect(ran.stderr).not.toMatch(/INSERT|SELECT|BEGIN|SQLITE_/);
    } finally {
      holder.close();
      fs.rmSync(dir, { recursive: true, force: true });
      await copy.drop();
    }
  });
});
