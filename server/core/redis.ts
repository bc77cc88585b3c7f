import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { logger } from './logger';

/**
 * Redis holds what several server instances must agree on (REDIS_URL): request counts, persisted
 * queries and the versions of cached reference data. A command waits at most two seconds: a
 * request then fails instead of hanging while Redis is away.
 */
export function connectRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 2000, connectTimeout: 2000, lazyConnect: false });
  // Without a listener ioredis prints every failed reconnection to stderr; one line per outage says it.
  let away = false;
  redis.on('error', (error: Error) => {
    if (away) return;
    away = true;
    logger.warn('redis unavailable', { error: error.message });
  });
  redis.on('ready', () => {
    if (away) logger.info('redis available again');
    away = false;
  });
  return redis;
}

/** Keys of one database, so deployments (and test databases) sharing a Redis never mix. */
export function redisNamespace(dataSource: DataSource): string {
  const options = dataSource.options as { database?: unknown; url?: string };
  // Hashed: a MariaDB URL may carry a password.
  const database = createHash('sha256').update(String(options.url ?? options.database)).digest('hex').slice(0, 16);
  return `bdg-hub:${database}:`;
}

/** Apollo's KeyValueCache (persisted queries) on Redis: a query registered on one instance runs by its hash on all. */
export class RedisKeyValueCache {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    if (options?.ttl) await this.redis.set(this.prefix + key, value, 'EX', Math.max(1, Math.ceil(options.ttl)));
    else await this.redis.set(this.prefix + key, value);
  }

  async delete(key: string): Promise<boolean | void> {
    await this.redis.del(this.prefix + key);
  }
}
