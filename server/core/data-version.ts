import type Redis from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import { logger } from './logger';
import { redisNamespace } from './redis';

/**
 * The data version moves with every committed write, so an answer computed under one version is
 * still exact while the version is unchanged (server/core/response-cache.ts). In the database it
 * is the sum of DATA_SHARDS counter rows of reference_version (migration 1763900014000): each
 * write moves one row picked at random, so concurrent writers seldom queue on one row lock.
 */
export const DATA_SHARDS = 8;
export const DATA_SHARD_PREFIX = 'data.';

/** With REDIS_URL, servers read versions from Redis: writes also INCR this key once committed. */
const redisClients = new WeakMap<DataSource, Redis>();

export function dataVersionKey(dataSource: DataSource): string {
  return `${redisNamespace(dataSource)}version:data`;
}

export function useRedisDataVersion(dataSource: DataSource, redis: Redis): void {
  redisClients.set(dataSource, redis);
}

/** Inside a write transaction, as its last statement before COMMIT: the version moves with the change or not at all. */
export async function moveDataVersion(manager: EntityManager): Promise<void> {
  const shard = Math.floor(Math.random() * DATA_SHARDS);
  await manager.query('UPDATE reference_version SET version = version + 1 WHERE name = ?', [`${DATA_SHARD_PREFIX}${shard}`]);
}

/**
 * After a commit, with Redis: moves the shared version before the write is acknowledged, so a
 * client's next read on any instance sees it. Should Redis fail here the write stays committed;
 * cached answers then live at most RESPONSE_CACHE_MAX_AGE_S (the safety net), and the failure is logged.
 */
export async function announceDataCommitted(dataSource: DataSource): Promise<void> {
  const redis = redisClients.get(dataSource);
  if (!redis) return;
  try {
    await redis.incr(dataVersionKey(dataSource));
  } catch (error) {
    logger.warn('data version not moved in Redis', { error: error instanceof Error ? error.message : String(error) });
  }
}

/** A write made outside withWriteTransaction (one statement, committed already): moves the version after it. */
export async function announceDataChange(dataSource: DataSource): Promise<void> {
  await moveDataVersion(dataSource.manager);
  await announceDataCommitted(dataSource);
}
