import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from 'typeorm';
import { DatabaseBusyError } from './errors';

/**
 * What the database layer needs to know about the HTTP request it serves, without every service
 * passing it down: the request's deadline, and work to do inside each write transaction before it
 * commits (the audit entry). Outside a request (CLIs, benches) there is no scope and no deadline.
 */
export interface RequestScope {
  deadline: RequestDeadline;
  /** Names the request in logs written outside its handler (an unhandled rejection, server/main.ts). */
  requestId?: string;
  /**
   * True once the answer has started (a streamed export or SDMX answer): from then on its
   * statements are bounded by the statement timeout and the stream's budgets, not the deadline.
   */
  answerStarted?: () => boolean;
  /** Runs inside every write transaction of the request, just before COMMIT. */
  beforeCommit?: (manager: EntityManager) => Promise<void>;
  /** Told after each of the request's write transactions has committed. */
  afterCommit?: () => void;
}

/**
 * The moment a request stops waiting. A transaction may not start committing once it has passed,
 * and the HTTP layer does not answer 503 while a commit is under way, so a client is never told
 * "retry" about a write that committed.
 */
/** The share of the deadline kept for answering: 1/20, half a second of the default 10 s. */
const ANSWER_SLACK_DIVISOR = 20;

export class RequestDeadline {
  private expiredFlag = false;
  private commits = 0;
  readonly at: number;

  /**
   * `timeoutMs` is the promise to the client, counted from the request's arrival. The server stops
   * waiting `timeoutMs / ANSWER_SLACK_DIVISOR` earlier, so its 503 leaves in time even when the
   * event loop is busy with a burst (a run at exactly the deadline reached clients 100-800 ms late).
   */
  constructor(readonly timeoutMs: number) {
    this.at = Date.now() + timeoutMs - Math.floor(timeoutMs / ANSWER_SLACK_DIVISOR);
  }

  get expired(): boolean {
    return this.expiredFlag || Date.now() >= this.at;
  }

  /** The HTTP layer gave up on the request (it answered 503): nothing more of it may run. */
  get abandoned(): boolean {
    return this.expiredFlag;
  }

  get remainingMs(): number {
    return Math.max(0, this.at - Date.now());
  }

  get committing(): boolean {
    return this.commits > 0;
  }

  /** Called by the HTTP layer when it gives up; false while a commit is under way (ask again later). */
  expire(): boolean {
    if (this.commits > 0) return false;
    this.expiredFlag = true;
    return true;
  }

  /** Throws DATABASE_BUSY (so the transaction rolls back) when the request has run out of time. */
  enterCommit(): void {
    if (this.expired) {
      this.expiredFlag = true;
      throw new DatabaseBusyError(`The request ran out of its ${this.timeoutMs} ms before its write could commit; nothing was written. Retry shortly`);
    }
    this.commits += 1;
  }

  leaveCommit(): void {
    this.commits -= 1;
  }
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}

/**
 * Runs `work` outside any request: for reads shared by every request (reference versions, cached
 * reference data), which must neither wait in the turns of the request that happened to start
 * them nor fail with its deadline.
 */
export function outsideRequestScope<T>(work: () => T): T {
  return storage.exit(work);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
