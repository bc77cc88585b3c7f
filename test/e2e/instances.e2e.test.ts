import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StatementCounter } from '../../server/core/query-counter';
import { announceReferenceChange } from '../../server/core/reference-cache';
import { parseCsv } from '../../server/observations/observation-csv';
import { recomputeRollups } from '../../server/statistics/rollup.rebuild';
import { readRollupTable, rollupDifferences } from '../../server/statistics/rollup.store';
import { ARTIFACTS, testDatabases } from '../support/databases';
import { Instance, startInstances, testToken } from '../support/instances';
import { mulberry32 } from '../support/random';

/**
 * Two server instances on one database, as behind a load balancer: in memory (each instance keeps
 * its own rate limits and persisted queries; cached reference data follows the database's
 * reference_version) and sharing Redis (REDIS_URL: one rate limit per token, persisted queries and
 * cache versions shared). Either way, a catalogue or hierarchy change reaches the next request of
 * both, a one-row statistics request runs at most 3 SQL statements once warm, and concurrent
 * writes through both keep the rollups equal to a recomputation.
 */
const ROOT = path.join(__dirname, '..', '..');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PER_MINUTE = 20;

/** The README's "Share of Lợi Bác's villages with a female key leader, 2026", and its answer. */
const LOI_BAC = `{
  statistics(indicator: "FEMALE_KEY_LEADER", area: "06601", periods: ["2026"]) {
    rows { total { value numerator denominator } reportingUnits expectedUnits }
  }
}`;
const LOI_BAC_ANSWER = { statistics: { rows: [{ total: { value: 50, numerator: 2, denominator: 4 }, reportingUnits: 4, expectedUnits: 4 }] } };

let built = false;

/** `npm run --silent catalogue -- ARGS` as a user types it (after the first call, what it runs after its build). */
function catalogue(databaseUrl: string, env: Record<string, string>, ...args: string[]) {
  const command = built ? [process.execPath, [path.join('dist', 'server', 'cli', 'catalogue.js'), ...args]] : ['npm', ['run', '--silent', 'catalogue', '--', ...args]];
  const run = spawnSync(command[0] as string, command[1] as string[], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 170000 });
  built = true;
  return run;
}

/** A fixed-window limit counts per clock minute: start a burst early in one. */
async function startOfAMinute(): Promise<void> {
  const second = new Date().getSeconds();
  if (second > 45) await new Promise((resolve) => setTimeout(resolve, (61 - second) * 1000));
}

const modes = testDatabases().flatMap((db) => [
  { db, name: db.name, mode: 'in memory', redis: false },
  { db, name: db.name, mode: 'sharing Redis', redis: true },
]);

describe.each(modes)('two instances on one $name database, $mode', ({ db, redis }) => {
  const env: Record<string, string> = { RATE_LIMIT_PER_MINUTE: String(PER_MINUTE), ...(redis ? { REDIS_URL } : {}) };
  let cluster: Awaited<ReturnType<typeof startInstances>>;
  let a: Instance;
  let b: Instance;
  const analyst = testToken('20', 'ANALYST');

  beforeAll(async () => {
    cluster = await startInstances(db, 2, env);
    [a, b] = cluster.instances;
  });
  // Also removes what the instances kept in Redis.
  afterAll(() => cluster?.close());

  async function statementsOf(instance: Instance, query: string, token: string) {
    const before = StatementCounter.count;
    const answer = await instance.gql(query, {}, token);
    return { statements: StatementCounter.count - before, data: answer.data, errors: answer.errors };
  }

  it("answers the README's one-row statistics request in at most 3 SQL statements once warm (1 or none from the response cache), on both instances", async () => {
    for (const instance of [a, b]) {
      const cold = await statementsOf(instance, LOI_BAC, analyst);
      expect(cold.data).toEqual(LOI_BAC_ANSWER);
      // Another text of the same query: computed again (the response cache has no answer for it) on warm reference caches.
      const warm = await statementsOf(instance, `${LOI_BAC} # warm`, analyst);
      expect(warm).toEqual({ statements: expect.any(Number), data: LOI_BAC_ANSWER, errors: undefined });
      expect(warm.statements).toBeLessThan(cold.statements);
      expect(warm.statements).toBeLessThanOrEqual(3);
      // The same text again: answered by the response cache, after reading the versions.
      expect(await statementsOf(instance, `${LOI_BAC} # warm`, analyst)).toEqual({ statements: redis ? 0 : 1, data: LOI_BAC_ANSWER, errors: undefined });
      // The cache versions come from Redis (no statement) or from the database (one).
      expect((await statementsOf(instance, '{ me { role } }', analyst)).statements).toBe(redis ? 0 : 1);
    }
  });

  it('sees a catalogue import (npm run catalogue -- import) on the next request of both instances', async () => {
    const NAMES = '{ indicators(search: "FEMALE_KEY_LEADER") { code name } }';
    const reader = testToken('20', 'ANALYST', `catalogue-reader@20`);
    const nameOn = async (instance: Instance) => ((await instance.gql(NAMES, {}, reader)).data!.indicators as { code: string; name: string }[]).find((i) => i.code === 'FEMALE_KEY_LEADER')!.name;
    const before = await nameOn(a);
    expect(await nameOn(b)).toBe(before);

    // A change behind the servers' backs is not seen: the catalogue really is cached…
    await a.dataSource.query(`UPDATE indicator SET name = ? WHERE code = 'FEMALE_KEY_LEADER'`, [`${before} (sửa tay)`]);
    expect([await nameOn(a), await nameOn(b)]).toEqual([before, before]);

    // …and an import, which announces itself, is.
    const file = path.join(ARTIFACTS, `instances-${process.pid}-${db.name}-${redis}.csv`);
    expect(catalogue(cluster.databaseUrl, env, 'export', file).status).toBe(0);
    const rows = parseCsv(fs.readFileSync(file, 'utf8')).map((r) => r.cells);
    const leader = rows.findIndex((r) => r[0] === 'FEMALE_KEY_LEADER');
    const renamed = 'Tỷ lệ thôn có nữ lãnh đạo chủ chốt (đã sửa)'.normalize('NFC');
    rows[leader][rows[0].indexOf('name')] = renamed;
    const cell = (c: string) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
    fs.writeFileSync(file, `${rows.map((r) => r.map(cell).join(',')).join('\n')}\n`);
    const run = catalogue(cluster.databaseUrl, env, 'import', file);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect([await nameOn(a), await nameOn(b)]).toEqual([renamed, renamed]);
  });

  it('sees a hierarchy change on the next request of both instances, in units and in the viewer', async () => {
    const editor = testToken('06601', 'EDITOR', `hierarchy-reader@06601`);
    const QUERY = '{ me { unit { name } } unit(code: "06601") { name } }';
    const namesOn = async (instance: Instance) => {
      const data = (await instance.gql(QUERY, {}, editor)).data!;
      return [data.me.unit.name, data.unit.name];
    };
    expect([await namesOn(a), await namesOn(b)]).toEqual([
      ['Lợi Bác', 'Lợi Bác'],
      ['Lợi Bác', 'Lợi Bác'],
    ]);
    await a.dataSource.query(`UPDATE administrative_unit SET name = ? WHERE code = '06601' AND valid_to IS NULL`, ['Lợi Bác Mới']);
    expect(await namesOn(b)).toEqual(['Lợi Bác', 'Lợi Bác']);
    // What the hierarchy's writers do once they have committed.
    await announceReferenceChange(a.dataSource, ['hierarchy'], redis ? REDIS_URL : null);
    expect([await namesOn(a), await namesOn(b)]).toEqual([
      ['Lợi Bác Mới', 'Lợi Bác Mới'],
      ['Lợi Bác Mới', 'Lợi Bác Mới'],
    ]);
    await a.dataSource.query(`UPDATE administrative_unit SET name = ? WHERE code = '06601' AND valid_to IS NULL`, ['Lợi Bác']);
    await announceReferenceChange(a.dataSource, ['hierarchy'], redis ? REDIS_URL : null);
  });

  it(redis ? "holds a token's rate limit across both instances" : 'limits a token per instance', async () => {
    await startOfAMinute();
    const token = testToken('20', 'ANALYST', `rate-${redis}@20`);
    const statuses = async (instance: Instance, n: number) => Promise.all(Array.from({ length: n }, async () => (await instance.gql('{ me { role } }', {}, token)).status));
    expect(await statuses(a, PER_MINUTE / 2)).toEqual(Array(PER_MINUTE / 2).fill(200));
    expect(await statuses(b, PER_MINUTE / 2)).toEqual(Array(PER_MINUTE / 2).fill(200));
    const next = await a.gql('{ me { role } }', {}, token);
    if (!redis) {
      expect(next.status).toBe(200);
      return;
    }
    expect(next.status).toBe(429);
    expect(next.errors?.[0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'requestsPerMinute', maximum: PER_MINUTE });
    expect((await b.gql('{ me { role } }', {}, token)).status).toBe(429);
    // Another token is not affected.
    expect((await b.gql('{ me { role } }', {}, testToken('20', 'ANALYST', `other-${redis}@20`))).status).toBe(200);
  });

  it(redis ? 'runs a persisted query registered on one instance by its hash on the other' : 'keeps persisted queries per instance', async () => {
    const analyst = testToken('20', 'ANALYST', 'apq@20');
    const query = `{ me { subject role } } # ${db.name} ${redis}`;
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    expect((await a.gql(query, {}, analyst, { extensions: { persistedQuery } })).data).toEqual({ me: { subject: 'apq@20', role: 'ANALYST' } });
    const byHash = await b.gql(undefined as never, undefined, analyst, { extensions: { persistedQuery } });
    if (redis) expect(byHash.data).toEqual({ me: { subject: 'apq@20', role: 'ANALYST' } });
    else expect(byHash.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('keeps the rollups equal to a recomputation after concurrent writes through both instances', async () => {
    const rnd = mulberry32(99);
    const admin = testToken('20', 'ADMIN');
    const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied errors { index field message } } }`;
    const villages: { code: string }[] = await a.dataSource.query(
      `SELECT u.code AS code FROM administrative_unit u JOIN unit_placement p ON p.unit_id = u.id JOIN administrative_unit c ON c.id = p.parent_id
       WHERE c.code = '06601' AND c.valid_to IS NULL AND u.level = 'VILLAGE' AND p.valid_to IS NULL ORDER BY u.code`,
    );
    expect(villages.length).toBeGreaterThanOrEqual(4);
    // Overlapping keys: every batch touches the same few villages, so the instances contend on rows and rollups.
    const batches = Array.from({ length: 16 }, () =>
      Array.from(new Set(Array.from({ length: 6 }, () => villages[Math.floor(rnd() * Math.min(8, villages.length))].code))).map((unit) => ({
        indicator: 'FEMALE_KEY_LEADER',
        unit,
        period: rnd() < 0.5 ? '2026' : '2027',
        sex: 'TOTAL',
        numerator: rnd() < 0.5 ? 1 : 0,
      })),
    ).map((input) => input.filter((row, i) => input.findIndex((r) => r.unit === row.unit && r.period === row.period) === i));
    const outcomes = await Promise.all(batches.map((input, i) => (i % 2 ? b : a).gql(RECORD, { input }, admin)));
    expect(outcomes.filter((o) => o.errors || !o.data!.recordObservations.applied).map((o) => o.errors ?? o.data)).toEqual([]);
    const expected = await recomputeRollups(a.dataSource.manager);
    expect(rollupDifferences(expected, await readRollupTable(a.dataSource.manager))).toEqual([]);
    // Both instances answer from the same rollups.
    const analyst = testToken('20', 'ANALYST', 'rollup-reader@20');
    const STATS = `{ statistics(indicator: "FEMALE_KEY_LEADER", area: "06601", periods: ["2027"]) { rows { total { numerator denominator } reportingUnits } } }`;
    expect((await b.gql(STATS, {}, analyst)).data).toEqual((await a.gql(STATS, {}, analyst)).data);
  });
});
