import { databaseFault } from '../core/database-faults';
import { ErrorCode } from '../core/errors';

/** Runs a command's main and exits with its code; an unexpected failure prints its message only (no stack for users). */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(failureMessage(error));
      process.exit(1);
    },
  );
}

/** One line a user can act on; a database fault says what happened and that nothing was written. */
export function failureMessage(error: unknown): string {
  const fault = databaseFault(error);
  if (fault?.code === ErrorCode.DATABASE_BUSY) return 'The database is busy: another process (the server, another command) held its write lock longer than this command waits; nothing was written. Run the command again.';
  if (fault) return fault.message.replace(/Retry (shortly|later)/, 'Run the command again later');
  return error instanceof Error ? error.message : String(error);
}
