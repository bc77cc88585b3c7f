import path from 'node:path';
import { loadQueryLimits, QueryLimits } from './query-limits';

export type DatabaseKind = 'sqlite' | 'mysql';

export interface AppConfig {
  databaseUrl: string;
  port: number;
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
  /** Shared state of several instances (rate limits, persisted queries, cache versions); null = in memory. */
  redisUrl: string | null;
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

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

function parseTokenDays(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 30;
  const days = Number(raw);
  if (!(days > 0) || !Number.isFinite(days)) throw new Error(`MAX_TOKEN_DAYS must be a positive number of days, got "${raw}"`);
  return days;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const databaseUrl = env.DATABASE_URL || `sqlite:${DEFAULT_SQLITE_FILE}`;
  databaseKind(databaseUrl);
  const production = env.NODE_ENV === 'production';
  const logLevel = (env.LOG_LEVEL ?? 'info') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  if (production && !env.JWT_SECRET) throw new Error('JWT_SECRET must be set when NODE_ENV=production');
  return {
    databaseUrl,
    port: parsePort(env.PORT),
    jwtSecret: env.JWT_SECRET || DEV_JWT_SECRET,
    jwtSecretIsDefault: !env.JWT_SECRET,
    production,
    exposeErrorDetails: !production && logLevel === 'debug',
    maxTokenSeconds: parseTokenDays(env.MAX_TOKEN_DAYS) * 24 * 3600,
    logLevel,
    corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    limits: loadQueryLimits(env),
    redisUrl: env.REDIS_URL || null,
  };
}
