import path from 'node:path';
import { loadQueryLimits, QueryLimits } from './query-limits';

export type DatabaseKind = 'sqlite' | 'mysql';

export interface AppConfig {
  databaseUrl: string;
  port: number;
  /** The address the server binds (HOST, default 127.0.0.1); any other needs a secret of your own. */
  host: string;
  jwtSecret: string;
  /** True when JWT_SECRET was not set: only acceptable on the embedded demo database. */
  jwtSecretIsDefault: boolean;
  production: boolean;
  /** Stacks, paths and internal messages in answers: only while debugging outside production. */
  exposeErrorDetails: boolean;
  /** The longest a token may be valid for, from its issue (or from now when it has no iat). */
  maxTokenSeconds: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  corsOrigins: string[];
  limits: QueryLimits;
  /** Longest a request waits for the database before it answers 503 (REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** After SIGTERM, how long requests in flight may take before their connections are closed. */
  shutdownGraceMs: number;
  database: DatabaseLimits;
  /** Shared state of several instances (rate limits, persisted queries, cache versions); null = in memory. */
  redisUrl: string | null;
  responseCache: ResponseCacheLimits;
  /** A client that takes nothing of an answer for this long has its connection closed (STREAM_IDLE_TIMEOUT_MS, default 30 s). */
  streamIdleTimeoutMs: number;
  sdmx: SdmxBudget;
}

/** What one SDMX data request may take once it streams: past either, the answer is cut (README, "SDMX budget"). */
export interface SdmxBudget {
  /** From the request's arrival (SDMX_MAX_SECONDS, default 300). */
  maxMs: number;
  /** Bytes of the answer (SDMX_MAX_BYTES, default 512 MiB: the national query of bench/EXPORT-MEMORY.md, 347 MB, fits). */
  maxBytes: number;
}

/** The exact response cache (server/core/response-cache.ts). */
export interface ResponseCacheLimits {
  /** Memory for cached answers (RESPONSE_CACHE_MB, default 64); 0 turns the cache off. */
  maxBytes: number;
  /** The oldest answer served (RESPONSE_CACHE_MAX_AGE_S, default 30): the bound should a version move be lost. */
  maxAgeMs: number;
}

/** Bounded waits on the database, so a lock or a restart never holds a request (or the pool) for long. */
export interface DatabaseLimits {
  poolSize: number;
  /** A statement running longer is stopped (MariaDB max_statement_time; lock waits too). SQLite: busy_timeout, capped at 250 ms (it blocks the event loop). */
  statementTimeoutMs: number;
  /** Waiting longer for a pooled connection answers DATABASE_BUSY. */
  acquireTimeoutMs: number;
  /** Write transactions at once: below the pool size, so reads and probes always keep a connection. */
  writeConnections: number;
}

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '');
export const DEFAULT_SQLITE_FILE = path.join(PROJECT_ROOT, 'var', 'bdg-hub.sqlite');
const DEV_JWT_SECRET = 'bdg-hub-embedded-demo-secret-not-for-production';

export function databaseKind(url: string): DatabaseKind {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) return 'mysql';
  throw new Error(`DATABASE_URL must start with sqlite: or mysql:// (got "${url.split(':')[0]}:")`);
}

export function sqlitePath(url: string): string {
  const file = url.slice('sqlite:'.length);
  return file === ':memory:' ? file : path.resolve(file);
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${raw}"`);
  return port;
}

/** Addresses of this machine only: the published default secret may sign tokens for them and nothing else. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The default secret is published in this repository: anyone who can reach the server could mint
 * a national ADMIN token with it. So with that secret the server binds this machine only. Checked
 * by the server before it listens, not here: the command-line tools read HOST but bind nothing.
 */
export function assertSafeAddress(config: Pick<AppConfig, 'host' | 'jwtSecretIsDefault'>): void {
  if (config.jwtSecretIsDefault && !isLoopback(config.host)) throw new Error(`HOST=${config.host} refused: with the published default JWT secret anyone who reaches the server can sign an ADMIN token; set JWT_SECRET to a secret of your own to listen on ${config.host}`);
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

function parseTokenDays(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 30;
  const days = Number(raw);
  if (!(days > 0) || !Number.isFinite(days)) throw new Error(`MAX_TOKEN_DAYS must be a positive number of days, got "${raw}"`);
  return days;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number (0 or more), got "${raw}"`);
  return value;
}

export function loadResponseCacheLimits(env: NodeJS.ProcessEnv): ResponseCacheLimits {
  return { maxBytes: wholeNumber(env, 'RESPONSE_CACHE_MB', 64) * 1024 * 1024, maxAgeMs: positiveInteger(env, 'RESPONSE_CACHE_MAX_AGE_S', 30) * 1000 };
}

/** The defaults keep half the pool for reads and probes, and stop statements before the request's deadline. */
export function loadDatabaseLimits(env: NodeJS.ProcessEnv, requestTimeoutMs: number): DatabaseLimits {
  const poolSize = positiveInteger(env, 'DB_POOL_SIZE', 10);
  const writeConnections = positiveInteger(env, 'DB_WRITE_CONNECTIONS', Math.max(1, Math.floor(poolSize / 2)));
  if (poolSize > 1 && writeConnections >= poolSize) throw new Error(`DB_WRITE_CONNECTIONS (${writeConnections}) must be below DB_POOL_SIZE (${poolSize}), so reads keep a connection`);
  return {
    poolSize,
    statementTimeoutMs: positiveInteger(env, 'DB_STATEMENT_TIMEOUT_MS', Math.max(1, Math.floor(requestTimeoutMs / 2))),
    acquireTimeoutMs: positiveInteger(env, 'DB_ACQUIRE_TIMEOUT_MS', Math.min(2000, requestTimeoutMs)),
    writeConnections,
  };
}

/** The idle time counts while a request waits for its answer too, so it must outlast the request deadline. */
function streamIdleTimeout(env: NodeJS.ProcessEnv, requestTimeoutMs: number): number {
  const idle = positiveInteger(env, 'STREAM_IDLE_TIMEOUT_MS', Math.max(30_000, 2 * requestTimeoutMs));
  if (idle <= requestTimeoutMs) throw new Error(`STREAM_IDLE_TIMEOUT_MS (${idle}) must be above REQUEST_TIMEOUT_MS (${requestTimeoutMs}): a request waiting for its answer would be closed first`);
  return idle;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const databaseUrl = env.DATABASE_URL || `sqlite:${DEFAULT_SQLITE_FILE}`;
  databaseKind(databaseUrl);
  const production = env.NODE_ENV === 'production';
  const logLevel = (env.LOG_LEVEL ?? 'info') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  if (production && !env.JWT_SECRET) throw new Error('JWT_SECRET must be set when NODE_ENV=production');
  const requestTimeoutMs = positiveInteger(env, 'REQUEST_TIMEOUT_MS', 10_000);
  return {
    databaseUrl,
    port: parsePort(env.PORT),
    host: env.HOST?.trim() || '127.0.0.1',
    jwtSecret: env.JWT_SECRET || DEV_JWT_SECRET,
    jwtSecretIsDefault: !env.JWT_SECRET,
    production,
    exposeErrorDetails: !production && logLevel === 'debug',
    maxTokenSeconds: parseTokenDays(env.MAX_TOKEN_DAYS) * 24 * 3600,
    logLevel,
    corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    limits: loadQueryLimits(env),
    requestTimeoutMs,
    shutdownGraceMs: positiveInteger(env, 'SHUTDOWN_GRACE_MS', requestTimeoutMs + 2000),
    database: loadDatabaseLimits(env, requestTimeoutMs),
    redisUrl: env.REDIS_URL || null,
    responseCache: loadResponseCacheLimits(env),
    streamIdleTimeoutMs: streamIdleTimeout(env, requestTimeoutMs),
    sdmx: { maxMs: positiveInteger(env, 'SDMX_MAX_SECONDS', 300) * 1000, maxBytes: positiveInteger(env, 'SDMX_MAX_BYTES', 512 * 1024 * 1024) },
  };
}
