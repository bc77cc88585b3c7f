import type { DataSource, QueryRunner } from 'typeorm';
import { DatabaseBusyError } from './errors';
import { currentRequestScope, RequestScope } from './request-scope';

/**
 * Every statement a request sends waits for its turn and is refused once the request's deadline
 * has passed, so a request past its deadline stops working (503 DATABASE_BUSY) instead of
 * finishing unseen.
 *
 * Why a cooperative scheduler rather than better-sqlite3 in worker threads: better-sqlite3 runs
 * each statement synchronously on the event loop, so while one runs nothing else does. Moving it
 * to workers would take TypeORM's driver apart (it holds one synchronous connection, transactions
 * span many awaits, and it keeps its own statement cache), and SQLite has one writer anyway.
 * Instead, on SQLite one statement runs per turn of the event loop: other requests' statements,
 * their HTTP parsing, /healthz and the deadline's timers run in between, so no request holds the
 * loop for longer than one statement at a time. What one statement may read is what the query
 * cost limits bound (a count over a subtree costs the subtree's rows, list-bounds.ts).
 *
 * On MySQL statements are asynchronous already, but a request with a hundred aliases sends a
 * hundred at once and fills the pool: there at most `concurrency` statements outside
 * transactions run at once (the reads' share of the pool), handed out the same way.
 *
 * A transaction's own statements (BEGIN, COMMIT, ROLLBACK, savepoints) and everything once the
 * commit has begun are never refused: a write is either rolled back or committed and
 * acknowledged. On MySQL a transaction's statements skip the queue: its connection is held
 * already, and waiting behind reads that wait for connections could deadlock the pool.
 */
const TRANSACTION_CONTROL = /^\s*(COMMIT|ROLLBACK|RELEASE|SAVEPOINT|START TRANSACTION|BEGIN)\b/i;

interface Lane {
  taken: number;
  waiting: (() => void)[];
}

/**
 * Turns go to the waiting request that has had the fewest (the oldest first among equals): a
 * request that sends a hundred statements at once gets one turn, then every other waiting request
 * gets one, so a cheap request waits for at most one statement of another per statement of its
 * own. Each turn is handed out from setImmediate: a grant made while a statement settles runs on
 * the next turn of the loop, after its I/O. (setImmediate alone, before each statement, would not
 * do: every statement queued in one turn of the loop would run in the same check phase, back to
 * back.)
 */
class Turns {
  private readonly lanes = new Map<RequestScope, Lane>();
  private readonly taken = new WeakMap<RequestScope, number>();
  private running = 0;
  private pumping = false;

  constructor(private readonly concurrency: number) {}

  async run<T>(scope: RequestScope, work: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      const lane = this.lanes.get(scope);
      if (lane) lane.waiting.push(resolve);
      else this.lanes.set(scope, { taken: this.taken.get(scope) ?? 0, waiting: [resolve] });
      this.pump();
    });
    try {
      refuseWhenLate(scope);
      return await work();
    } finally {
      this.running -= 1;
      this.pump();
    }
  }

  private pump(): void {
    if (this.pumping || this.running >= this.concurrency || !this.lanes.size) return;
    this.pumping = true;
    setImmediate(this.grant);
  }

  private readonly grant = (): void => {
    this.pumping = false;
    let next: [RequestScope, Lane] | null = null;
    for (const entry of this.lanes) if (!next || entry[1].taken < next[1].taken) next = entry;
    if (!next || this.running >= this.concurrency) return;
    const [scope, lane] = next;
    const resolve = lane.waiting.shift() as () => void;
    lane.taken += 1;
    this.taken.set(scope, lane.taken);
    if (!lane.waiting.length) this.lanes.delete(scope);
    this.running += 1;
    resolve();
    this.pump();
  };
}

/** Refuses a statement of a request past its deadline, unless its commit is under way or its streamed answer has started. */
function refuseWhenLate(scope: RequestScope): void {
  const deadline = scope.deadline;
  if (deadline.committing) return;
  if (!deadline.abandoned && (scope.answerStarted?.() || !deadline.expired)) return;
  deadline.expire();
  throw new DatabaseBusyError(`The request ran past its deadline of ${deadline.timeoutMs} ms; its remaining work was abandoned and nothing was written. Retry shortly, or ask for less`);
}

const scheduled = new WeakSet<QueryRunner>();

function schedule(runner: QueryRunner, turns: Turns, queueInTransactions: boolean): QueryRunner {
  if (scheduled.has(runner)) return runner;
  scheduled.add(runner);
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = (async (...args: unknown[]) => {
    const scope = currentRequestScope();
    // Outside a request (CLIs, probes, shared reference reads) and for transaction control: at once.
    if (!scope || TRANSACTION_CONTROL.test(String(args[0]))) return query(...args);
    if (runner.isTransactionActive && !queueInTransactions) {
      refuseWhenLate(scope);
      return query(...args);
    }
    return turns.run(scope, () => query(...args));
  }) as QueryRunner['query'];
  return runner;
}

/**
 * Puts every query runner `dataSource` creates (better-sqlite3 reuses one) under the turns above:
 * on SQLite one statement at a time, on MySQL `mysqlConcurrency` at once.
 */
export function scheduleStatements(dataSource: DataSource, kind: 'sqlite' | 'mysql', mysqlConcurrency: number): void {
  const driver = dataSource.driver;
  const create = driver.createQueryRunner.bind(driver);
  const turns = new Turns(kind === 'sqlite' ? 1 : Math.max(1, mysqlConcurrency));
  driver.createQueryRunner = (mode) => schedule(create(mode), turns, kind === 'sqlite');
}
