import { AbstractLogger, LogLevel, LogMessage } from 'typeorm';
import { logger } from './logger';

/**
 * Counts SQL statements sent through TypeORM, so tests and the benchmark can show that the
 * statements per request follow the query's shape, not the rows.
 */
export class StatementCounter extends AbstractLogger {
  static count = 0;
  /** Sees every statement's text: the access test checks that each read of a tenant table is restricted. */
  static onStatement: ((sql: string) => void) | null = null;

  protected writeLog(level: LogLevel, message: LogMessage | LogMessage[]): void {
    for (const entry of Array.isArray(message) ? message : [message]) {
      if (entry.type === 'query') {
        StatementCounter.count += 1;
        StatementCounter.onStatement?.(String(entry.message));
      }
      // The failure itself reaches the caller, which reports it; the failed SQL (kilobytes for a multi-row insert) is for debugging only.
      else if (entry.type === 'query-error') logger.debug('database', { message: capped(String(entry.message)) });
      else if (level === 'error' || level === 'warn') logger.warn('database', { message: String(entry.message) });
    }
  }
}

const LOGGED_SQL_CHARS = 500;

function capped(text: string): string {
  return text.length > LOGGED_SQL_CHARS ? `${text.slice(0, LOGGED_SQL_CHARS)}… (${text.length} characters)` : text;
}
