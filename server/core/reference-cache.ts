import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { DATA_SHARD_PREFIX, dataVersionKey, useRedisDataVersion } from './data-version';
import { DatabaseUnavailableError } from './errors';
import { connectRedis, redisNamespace } from './redis';
import { outsideRequestScope } from './request-scope';

/** Reference data cached across requests: the indicator catalogue, and the hierarchy (units, placements, viewers' scopes). */
export type ReferenceName = 'catalogue' | 'hierarchy';
const NAMES: ReferenceName[] = ['catalogue', 'hierarchy'];
/** The reference versions, and the data version every committed write moves (server/core/data-version.ts). */
export type Versions = Record<ReferenceName | 'data', string>;

export function sameVersions(a: Versions, b: Versions): boolean {
  return a.data === b.data && a.catalogue === b.catalogue && a.hierarchy === b.hierarchy;
}

/** Where the versions live: the reference_version table, or Redis when REDIS_URL is set. */
interface VersionSource {
  read(): Promise<Versions>;
}

/** Entries one kind of data may hold before it starts again (units × dates asked for). */
const MAX_ENTRIES = 50_000;

/**
 * Reference data changes rarely and by CLI (catalogue import, seed), yet every request reads it.
 * Each request first reads the versions (one statement, or one Redis command) and drops what
 * changed; the data itself is then read from memory. Changes announce themselves through
 * `announceReferenceChange` once committed, so the next request of every instance reloads.
 */
export class ReferenceCache {
  private versions: Versions | null = null;
  private readonly entries: Record<ReferenceName, Map<string, Promise<unknown>>> = { catalogue: new Map(), hierarchy: new Map() };
  /** The version read under way, and the one queued to start when it ends. */
  private running: Promise<Versions> | null = null;
  private queued: Promise<Versions> | null = null;

  constructor(private readonly source: VersionSource) {}

  /**
   * Once per request, before it reads reference data. Concurrent requests share reads, but only a
   * read that starts after the request arrived: one under way may predate a change the request
   * must see, so the request waits for the next read, which every request arriving meanwhile
   * shares. Under load that is one statement for many requests; alone, one per request.
   */
  refresh(): Promise<Versions> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    this.queued = this.running.catch(() => undefined).then(() => {
      this.queued = null;
      return this.start();
    });
    return this.queued;
  }

  private start(): Promise<Versions> {
    // Shared by every request waiting for it: read outside the scope of the one that started it.
    const running = outsideRequestScope(() => this.read()).finally(() => {
      if (this.running === running) this.running = null;
    });
    this.running = running;
    return running;
  }

  /** Gives the versions read, so a caller knows what its request was computed under. */
  private async read(): Promise<Versions> {
    const current = await this.source.read();
    for (const name of NAMES) if (this.versions?.[name] !== current[name]) this.entries[name].clear();
    this.versions = current;
    return current;
  }

  /** The value under `key`, loaded once per version; a failed load is not kept. */
  get<T>(name: ReferenceName, key: string, load: () => Promise<T>): Promise<T> {
    const entries = this.entries[name];
    const cached = entries.get(key) as Promise<T> | undefined;
    if (cached) return cached;
    if (entries.size >= MAX_ENTRIES) entries.clear();
    const loading = outsideRequestScope(load);
    entries.set(key, loading);
    loading.catch(() => {
      if (entries.get(key) === loading) entries.delete(key);
    });
    return loading;
  }
}

function databaseVersions(dataSource: DataSource): VersionSource {
  return {
    async read() {
      const rows: { name: string; version: number | string }[] = await dataSource.query('SELECT name, version FROM reference_version');
      const versions = { catalogue: '', hierarchy: '', data: '' };
      let data = 0;
      for (const row of rows) {
        if (NAMES.includes(row.name as ReferenceName)) versions[row.name as ReferenceName] = String(row.version);
        else if (row.name.startsWith(DATA_SHARD_PREFIX)) data += Number(row.version);
      }
      // Every write adds one to one shard, so the sum only grows: equal sums, no write in between.
      versions.data = String(data);
      return versions;
    },
  };
}

/**
 * Redis's counters start again from nothing when Redis restarts without its data (or is flushed):
 * a version seen before could come back after a new write, and an answer cached under it would be
 * served stale. Every version read from Redis therefore carries the epoch, a random key set when
 * missing: once the counters are lost, so is the epoch, and everything cached under the old one
 * stops matching.
 */
function redisVersions(redis: Redis, namespace: string, dataKey: string): VersionSource {
  const keys = [...NAMES.map((name) => `${namespace}version:${name}`), dataKey, `${namespace}version:epoch`];
  const read = async (): Promise<Versions | null> => {
    const [catalogue, hierarchy, data, epoch] = await redis.mget(keys);
    if (epoch === null) return null;
    return { catalogue: `${epoch}.${catalogue ?? 0}`, hierarchy: `${epoch}.${hierarchy ?? 0}`, data: `${epoch}.${data ?? 0}` };
  };
  return {
    async read() {
      const versions = await read();
      if (versions) return versions;
      // NX: of instances starting an epoch at once, one wins and all read it.
      await redis.set(keys[keys.length - 1], randomUUID(), 'NX');
      const started = await read();
      if (!started) throw new DatabaseUnavailableError('Redis (REDIS_URL) lost its keys while they were read; nothing was written. Retry shortly');
      return started;
    },
  };
}

const caches = new WeakMap<DataSource, ReferenceCache>();

/** The cache of one data source (one per server instance; tests run several in a process). */
export function referenceCache(dataSource: DataSource): ReferenceCache {
  let cache = caches.get(dataSource);
  if (!cache) caches.set(dataSource, (cache = new ReferenceCache(databaseVersions(dataSource))));
  return cache;
}

/** With REDIS_URL, versions are read from Redis: no statement per request. Writes then move the data version there too. */
export function useRedisVersions(dataSource: DataSource, redis: Redis): void {
  caches.set(dataSource, new ReferenceCache(redisVersions(redis, redisNamespace(dataSource), dataVersionKey(dataSource))));
  useRedisDataVersion(dataSource, redis);
}

/**
 * Called by whatever changed reference data, after its commit: moves the versions in the database
 * and, with `redisUrl`, in Redis, so every instance's next request reloads. The data version moves
 * too (cached answers are computed from reference data); with no names, only the data version
 * moves: for a change made outside withWriteTransaction, e.g. by SQL.
 */
export async function announceReferenceChange(dataSource: DataSource, names: ReferenceName[], redisUrl: string | null): Promise<void> {
  const rows = [...names, `${DATA_SHARD_PREFIX}0`];
  await dataSource.query(`UPDATE reference_version SET version = version + 1 WHERE name IN (${rows.map(() => '?').join(', ')})`, rows);
  if (!redisUrl) return;
  const redis = connectRedis(redisUrl);
  try {
    const namespace = redisNamespace(dataSource);
    await Promise.all([...names.map((name) => redis.incr(`${namespace}version:${name}`)), redis.incr(dataVersionKey(dataSource))]);
  } finally {
    redis.disconnect();
  }
}
