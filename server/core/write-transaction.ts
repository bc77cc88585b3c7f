import { DataSource, EntityManager } from 'typeorm';
import { announceDataCommitted, moveDataVersion } from './data-version';
import { databaseFault } from './database-faults';
import { DatabaseBusyError } from './errors';
import { currentRequestScope, RequestDeadline } from './request-scope';
import { isMysql } from './sql';
import { noteWriteCommitted, noteWriteFailed } from './storage-health';

const DEADLOCK_RETRIES = 5;

/** Waiters are served in order; a waiter whose deadline passes leaves the queue with DATABASE_BUSY. */
class Slots {
  private queue: { grant: () => void }[] = [];

  constructor(private free: number) {}

  acquire(deadline: RequestDeadline | undefined): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = { grant: () => (clearTimeout(timer), resolve()) };
      const timer = deadline
        ? setTimeout(() => {
            this.queue = this.queue.filter((w) => w !== waiter);
            reject(new DatabaseBusyError('Too many writes are waiting for the database; nothing was written. Retry shortly'));
          }, deadline.remainingMs)
        : undefined;
      this.queue.push(waiter);
    });
  }

  release(): void {
    const next = this.queue.shift();
    if (next) next.grant();
    else this.free += 1;
  }
}

const budgets = new WeakMap<DataSource, Slots>();
/** Without a configured budget (CLIs): half of the default pool of ten. */
const DEFAULT_WRITE_CONNECTIONS = 5;

/**
 * How many write transactions may run at once on `dataSource`. On MySQL it stays below the pool
 * size, so writers stuck on a row lock can never take the connections reads and probes need.
 * SQLite has one writer at a time, and better-sqlite3 shares one connection, so concurrent
 * transactions would nest: there the budget is always 1.
 */
export function setWriteBudget(dataSource: DataSource, writeConnections: number): void {
  if (isMysql(dataSource)) budgets.set(dataSource, new Slots(writeConnections));
}

/**
 * One writer slot per SQLite file in this process, whatever data source opened it (two server
 * instances in one process, a test beside a server): their writers queue here, never against each
 * other's lock, which better-sqlite3 would wait for synchronously while the holder, on the same event
 * loop, cannot go on. Another process's writer is still met by BEGIN IMMEDIATE and the busy timeout.
 */
const sqliteFiles = new Map<string, Slots>();

function budgetOf(dataSource: DataSource): Slots {
  if (!isMysql(dataSource)) {
    const file = String(dataSource.options.database);
    let shared = sqliteFiles.get(file);
    if (!shared) sqliteFiles.set(file, (shared = new Slots(1)));
    return shared;
  }
  let slots = budgets.get(dataSource);
  if (!slots) budgets.set(dataSource, (slots = new Slots(DEFAULT_WRITE_CONNECTIONS)));
  return slots;
}

/**
 * Runs `work` in a transaction, within the write budget and the request's deadline (when called
 * for a request): waiting for a slot past the deadline, or reaching COMMIT after it, answers
 * DATABASE_BUSY and rolls back. The request's `beforeCommit` (the audit entry) runs inside the
 * same transaction, then the data version moves (the response cache's invalidation), and with
 * Redis it moves there too before the write is acknowledged. MySQL: retried a bounded number of
 * times on deadlock (1213). The data source's transactions confirm their COMMIT
 * (core/durable-transactions.ts); a full disk or read-only database is remembered for /readyz
 * until a write commits again.
 */
export async function withWriteTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const scope = currentRequestScope();
  const slots = budgetOf(dataSource);
  await slots.acquire(scope?.deadline);
  try {
    const result = await retryingDeadlocks(dataSource, scope?.deadline, (manager) => committing(manager, work));
    noteWriteCommitted(dataSource);
    scope?.afterCommit?.();
    return result;
  } catch (error) {
    noteWriteFailed(dataSource, databaseFault(error));
    throw error;
  } finally {
    slots.release();
  }
}

async function committing<T>(manager: EntityManager, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const scope = currentRequestScope();
  const result = await work(manager);
  if (scope?.beforeCommit) await scope.beforeCommit(manager);
  // Last, so the row lock of the version's shard is held for the shortest time.
  await moveDataVersion(manager);
  // Entered here and left once transaction() has returned: the COMMIT lies in between.
  scope?.deadline.enterCommit();
  return result;
}

async function retryingDeadlocks<T>(dataSource: DataSource, deadline: RequestDeadline | undefined, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let entered = false;
    try {
      const run = (manager: EntityManager) => work(manager).then((result) => ((entered = true), result));
      const result = isMysql(dataSource) ? await dataSource.transaction('REPEATABLE READ', run) : await dataSource.transaction(run);
      // Still inside the commit for the deadline: a write that committed is never reported as failed.
      await announceDataCommitted(dataSource);
      return result;
    } catch (error) {
      const errno = (error as { errno?: number; driverError?: { errno?: number } }).driverError?.errno ?? (error as { errno?: number }).errno;
      if (!isMysql(dataSource) || errno !== 1213 || attempt >= DEADLOCK_RETRIES || deadline?.expired) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
    } finally {
      if (entered) deadline?.leaveCommit();
    }
  }
}
