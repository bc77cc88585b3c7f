import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { AppError, DatabaseBusyError, DatabaseFullError, DatabaseReadOnlyError, DatabaseUnavailableError } from './errors';

/** Our own code for "no pooled connection came in time" (core/database-pool.ts). */
export const POOL_ACQUIRE_TIMEOUT = 'POOL_ACQUIRE_TIMEOUT';

/**
 * MariaDB/MySQL errnos meaning "waited too long": lock wait timeout (1205), deadlock after our
 * retries (1213), query interrupted (1317), MariaDB max_statement_time (1969), MySQL
 * max_execution_time (3024).
 */
const BUSY_ERRNOS = new Set([1205, 1213, 1317, 1969, 3024]);
/** Server going away: shutdown in progress (1053), too many connections (1040), connection killed (1927), gone away / lost (2006, 2013). */
const GONE_ERRNOS = new Set([1040, 1053, 1927, 2006, 2013]);
const GONE_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED']);
/** Our own code for "COMMIT returned but the database still holds the transaction open" (core/durable-transactions.ts). */
export const COMMIT_UNCONFIRMED = 'COMMIT_UNCONFIRMED';
/**
 * MariaDB/MySQL out of space: disk full (1021), table full (1114, InnoDB cannot grow its file),
 * and, when the OS said ENOSPC (errno 28), a failed write (3) or write on file (1026).
 */
const FULL_ERRNOS = new Set([1021, 1114]);
const WRITE_ERRNOS = new Set([3, 1026]);
const NO_SPACE = /no space left|errcode: 28|errno: 28|disk full/i;
/** Read-only: MySQL's read-only mode (1836), and 1290 "option prevents statement" when the option is read_only. */
const READ_ONLY_ERRNOS = new Set([1836]);
/** Said in messages only: mysql2 on a connection it has closed, TypeORM and better-sqlite3 after the data source closed. */
const GONE_MESSAGES = [/closed state/i, /pool is closed/i, /connection is not (yet )?established/i, /driver not connected/i, /database connection is not open/i, /connection lost/i];

/**
 * ioredis (REDIS_URL) failing a command because Redis is away: its retries ran out, the command
 * timed out, or the connection closed. Instances then cannot share limits or versions, and must
 * not answer from what they alone know: retryable, like the database being away.
 */
function redisAway(error: { name?: unknown; message?: unknown }): boolean {
  if (error.name === 'MaxRetriesPerRequestError') return true;
  return error.message === 'Command timed out' || error.message === 'Connection is closed.' || (typeof error.message === 'string' && error.message.startsWith("Stream isn't writeable"));
}

/** GraphQL wraps what a plugin or resolver threw (originalError), sometimes twice. */
function innermost(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object' && (current as { originalError?: unknown }).originalError; depth++) {
    current = (current as { originalError: unknown }).originalError;
  }
  return current;
}

interface DriverFailure {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  driverError?: DriverFailure;
}

/**
 * The retryable AppError a database (or Redis) failure means (DATABASE_BUSY or DATABASE_UNAVAILABLE), or
 * null when it is something else (a bug, a constraint): those stay internal errors.
 */
export function databaseFault(raised: unknown): AppError | null {
  const error = innermost(raised);
  if (error instanceof DatabaseBusyError || error instanceof DatabaseUnavailableError || error instanceof DatabaseFullError || error instanceof DatabaseReadOnlyError) return error;
  if (!error || typeof error !== 'object') return null;
  if (redisAway(error as { name?: unknown; message?: unknown })) return new DatabaseUnavailableError('Redis (REDIS_URL), which the server instances share, is unavailable; nothing was written. Retry shortly');
  const failure = error as DriverFailure;
  const driver = failure.driverError ?? failure;
  const code = typeof driver.code === 'string' ? driver.code : '';
  const errno = typeof driver.errno === 'number' ? driver.errno : -1;
  const message = [failure.message, driver.message].filter((m) => typeof m === 'string').join(' ');
  const storage = storageFault(code, errno, message);
  if (storage) return storage;
  if (code === COMMIT_UNCONFIRMED) return new DatabaseUnavailableError('The database did not confirm the commit; the transaction was discarded and nothing was written. Retry shortly');
  if (code === POOL_ACQUIRE_TIMEOUT) return new DatabaseBusyError('No database connection came free in time; nothing was written. Retry shortly');
  if (BUSY_ERRNOS.has(errno) || code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new DatabaseBusyError();
  if (GONE_ERRNOS.has(errno) || GONE_CODES.has(code) || GONE_MESSAGES.some((pattern) => pattern.test(message))) return new DatabaseUnavailableError();
  return null;
}

/** A full disk or a read-only database: the write cannot succeed until an operator acts. */
function storageFault(code: string, errno: number, message: string): AppError | null {
  if (code === 'SQLITE_FULL' || FULL_ERRNOS.has(errno) || (WRITE_ERRNOS.has(errno) && NO_SPACE.test(message))) return new DatabaseFullError();
  if (code.startsWith('SQLITE_READONLY') || READ_ONLY_ERRNOS.has(errno) || (errno === 1290 && /read[-_ ]only/i.test(message))) return new DatabaseReadOnlyError();
  return null;
}

/**
 * A GraphQL answer with a database fault in it is a 503 with Retry-After, never a 200 or a 500:
 * the client can tell "retry" from a bug. (formatError gives the errors their retryable code.)
 */
export function databaseFaultsPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, response }) {
          const faults = errors.map((e) => databaseFault(unwrapResolverError(e))).filter((f): f is AppError => f !== null);
          if (!faults.length) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(Math.max(...faults.map((f) => Number(f.extensions.retryAfter)))));
        },
      };
    },
  };
}
