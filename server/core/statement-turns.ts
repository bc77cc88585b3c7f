import type { DataSource, QueryRunner } from 'typeorm';
import { DatabaseBusyError } from './errors';
import { currentRequestScope, RequestScope } from './request-scope';

/**
 * Every statement a request sends waits for its turn and is refused once the request's deadline
 * has passed, so a request past its deadline stops working instead of finishing unseen.
 *
 * Why a cooperative scheduler rather than better-sqlite3 in worker threads: better-sqlite3 runs
 * each statement synchronously on the event loop, so while one runs nothing else does. Moving it
 * to workers would take TypeORM's driver apart (it has one synchronous connection, transactions
 * spanning many awaits, and its own statement cache), and SQLite has one writer anyway. Instead,
 * on SQLite each statement of a request first yields to the event loop (setImmediate): the other
 * requests' statements, their HTTP parsing and the deadline timers run in between, so no request
 * holds the loop for longer than one statement. What one statement may cost is what the query
 * cost limits bound (a count over a subtree costs by the subtree's rows, list-bounds.ts), so the
 * loop is never held long. MySQL statements are asynchronous already; there only the deadline
 * check applies.
 *
 * A transaction's own statements (COMMIT, ROLLBACK, savepoints) and everything once the commit
 * has begun are never refused: a write is either rolled back or committed and acknowledged.
 */
const TRANSACTION_CONTROL = /^\s*(COMMIT|ROLLBACK|RELEASE|SAVEPOINT|START TRANSACTION|BEGIN)\b/i;

/**
 * Turns handed out one per turn of the event loop, round robin between requests: a request that
 * sends a hundred statements at once (aliases) gets one turn, then every other waiting request
 * gets one, and I/O (new requests, the deadline's timers) is served between any two statements.
 * setImmediate alone would not do: every statement queued in one turn of the loop would run in
 * the same check phase, back to back.
 */
class Turns {
  /** Waiters per request; the Map's order is the round: a request served goes to the back. */
  private readonly lanes = new Map<RequestScope, (() => void)[]>();
  private pumping = false;

  take(scope: RequestScope): Promise<void> {
    return new Promise((resolve) => {
      const lane = this.lanes.get(scope);
      if (lane) lane.push(resolve);
      else this.lanes.set(scope, [resolve]);
      if (this.pumping) return;
      this.pumping = true;
      setImmediate(this.grant);
    });
  }

  private readonly grant = (): void => {
    const next = this.lanes.entries().next();
    if (next.done) {
      this.pumping = false;
      return;
    }
    const [scope, lane] = next.value;
    const resolve = lane.shift() as () => void;
    this.lanes.delete(scope);
    if (lane.length) this.lanes.set(scope, lane);
    resolve();
    // Queued from inside the check phase, so it runs on the next turn of the loop, after its I/O.
    setImmediate(this.grant);
  };
}

async function takeTurn(sql: string, turns: Turns | null): Promise<void> {
  const scope = currentRequestScope();
  if (!scope || TRANSACTION_CONTROL.test(sql)) return;
  if (turns) await turns.take(scope);
  const deadline = scope.deadline;
  if (!deadline.expired || deadline.committing) return;
  deadline.expire();
  throw new DatabaseBusyError(`The request ran past its deadline of ${deadline.timeoutMs} ms; its remaining work was abandoned and nothing was written. Retry shortly, or ask for less`);
}

const scheduled = new WeakSet<QueryRunner>();

function schedule(runner: QueryRunner, turns: Turns | null): QueryRunner {
  if (scheduled.has(runner)) return runner;
  scheduled.add(runner);
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = (async (...args: unknown[]) => {
    await takeTurn(String(args[0]), turns);
    return query(...args);
  }) as QueryRunner['query'];
  return runner;
}

/** Puts every query runner `dataSource` creates (better-sqlite3 reuses one) under the turns above. */
export function scheduleStatements(dataSource: DataSource, kind: 'sqlite' | 'mysql'): void {
  const driver = dataSource.driver;
  const create = driver.createQueryRunner.bind(driver);
  const turns = kind === 'sqlite' ? new Turns() : null;
  driver.createQueryRunner = (mode) => schedule(create(mode), turns);
}
