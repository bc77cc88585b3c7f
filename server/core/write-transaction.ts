import { DataSource, EntityManager } from 'typeorm';
import { isMysql } from './sql';

const DEADLOCK_RETRIES = 5;

const sqliteLocks = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in a transaction. MySQL: retried a bounded number of times on deadlock (1213).
 * SQLite: better-sqlite3 shares one connection, so concurrent transactions would nest; writers
 * queue here instead (SQLite has one writer at a time anyway).
 */
export async function withWriteTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (!isMysql(dataSource)) {
    const previous = sqliteLocks.get(dataSource) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => dataSource.transaction(work));
    sqliteLocks.set(dataSource, run.catch(() => undefined));
    return run;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction('REPEATABLE READ', work);
    } catch (error) {
      const errno = (error as { errno?: number; driverError?: { errno?: number } }).driverError?.errno ?? (error as { errno?: number }).errno;
      if (errno !== 1213 || attempt >= DEADLOCK_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
    }
  }
}
