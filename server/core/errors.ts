import { GraphQLError } from 'graphql';

/** Error codes a client can rely on; every error the API raises on purpose carries one. */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  LIMIT_EXCEEDED = 'LIMIT_EXCEEDED',
  REQUEST_TIMEOUT = 'REQUEST_TIMEOUT',
  DATABASE_BUSY = 'DATABASE_BUSY',
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
  DATABASE_FULL = 'DATABASE_FULL',
  DATABASE_READ_ONLY = 'DATABASE_READ_ONLY',
  SHUTTING_DOWN = 'SHUTTING_DOWN',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

export class AppError extends GraphQLError {
  constructor(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}, httpStatus?: number) {
    super(message, { extensions: { code, ...extensions, ...(httpStatus ? { http: { status: httpStatus } } : {}) } });
  }
  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'A valid bearer token is required') {
    super(message, ErrorCode.UNAUTHENTICATED, {}, 401);
  }
}

/** Also used for objects outside the viewer's subtree, so their existence is not revealed. */
export class ForbiddenError extends AppError {
  constructor(message = 'Not found or not allowed', field?: string) {
    super(message, ErrorCode.FORBIDDEN, field ? { field } : {});
  }
}

export class BadUserInputError extends AppError {
  /** `httpStatus` only for input refused before execution (a request error: 400); a resolver's error leaves the status to execution. */
  constructor(message: string, field?: string, extra: Record<string, unknown> = {}, httpStatus?: number) {
    super(message, ErrorCode.BAD_USER_INPUT, { ...(field ? { field } : {}), ...extra }, httpStatus);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(message, ErrorCode.CONFLICT, extra);
  }
}

export class LimitExceededError extends AppError {
  constructor(limit: string, actual: number, maximum: number, message?: string, extra: Record<string, unknown> = {}) {
    super(message ?? `Query refused: ${limit} is ${actual}, the maximum is ${maximum}`, ErrorCode.LIMIT_EXCEEDED, { limit, actual, maximum, ...extra }, limit === 'requestsPerMinute' ? 429 : 400);
  }
}

/** Seconds a client waits before retrying: a lock or a full pool clears fast, a restart takes longer. */
export const RETRY_AFTER_BUSY = 1;
export const RETRY_AFTER_UNAVAILABLE = 5;
/** A full disk or a read-only database waits for an operator: no point in retrying within seconds. */
export const RETRY_AFTER_STORAGE = 30;

/** 503 with Retry-After both in the header (extensions.http) and the body (extensions.retryAfter). */
function retryable(retryAfter: number): Record<string, unknown> {
  return { retryAfter, http: { status: 503, headers: new Map([['retry-after', String(retryAfter)]]) } };
}

/** The database did not answer in time (lock, full pool, request deadline); nothing was written. */
export class DatabaseBusyError extends AppError {
  constructor(message = 'The database is busy; nothing was written. Retry shortly') {
    super(message, ErrorCode.DATABASE_BUSY, retryable(RETRY_AFTER_BUSY));
  }
}

/** The connection to the database failed or was lost; a transaction in flight was rolled back. */
export class DatabaseUnavailableError extends AppError {
  constructor(message = 'The database is unavailable; nothing was written. Retry shortly') {
    super(message, ErrorCode.DATABASE_UNAVAILABLE, retryable(RETRY_AFTER_UNAVAILABLE));
  }
}

/** The database's disk (or table space) is full: the write was rolled back and nothing of it is stored. */
export class DatabaseFullError extends AppError {
  constructor(message = 'The database has no space left; nothing was written. Retry later (an operator must free space)') {
    super(message, ErrorCode.DATABASE_FULL, retryable(RETRY_AFTER_STORAGE));
  }
}

/** The database takes no writes (a read-only file or file system, MariaDB `read_only`); nothing was written. */
export class DatabaseReadOnlyError extends AppError {
  constructor(message = 'The database is read-only; nothing was written. Retry later (an operator must make it writable)') {
    super(message, ErrorCode.DATABASE_READ_ONLY, retryable(RETRY_AFTER_STORAGE));
  }
}
