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
      else if (level === 'error' || level === 'warn') logger.warn('database', { message: String(entry.message) });
    }
  }
}
