import { QueryFailedError } from 'typeorm';
import { databaseFault } from '../../server/core/database-faults';

/** What the drivers raise, as TypeORM wraps it (QueryFailedError with the driver's error inside). */
function failed(driverError: Record<string, unknown>): QueryFailedError {
  return new QueryFailedError('INSERT INTO observation …', [], Object.assign(new Error(String(driverError.message ?? 'failed')), driverError));
}

describe('database faults: a full disk and a read-only database (issue 24)', () => {
  it.each([
    ['SQLite SQLITE_FULL', { code: 'SQLITE_FULL', message: 'database or disk is full' }, 'DATABASE_FULL'],
    ['MariaDB disk full (1021)', { errno: 1021, code: 'ER_DISK_FULL', message: 'Disk full (/tmp/#sql_1.MAI); waiting for someone to free some space...' }, 'DATABASE_FULL'],
    ['MariaDB table full (1114)', { errno: 1114, code: 'ER_RECORD_FILE_FULL', message: "The table 'observation' is full" }, 'DATABASE_FULL'],
    ['MariaDB write error, no space (3)', { errno: 3, message: "Error writing file './ibtmp1' (Errcode: 28 \"No space left on device\")" }, 'DATABASE_FULL'],
    ['SQLite SQLITE_READONLY', { code: 'SQLITE_READONLY', message: 'attempt to write a readonly database' }, 'DATABASE_READ_ONLY'],
    ['SQLite SQLITE_READONLY_DBMOVED', { code: 'SQLITE_READONLY_DBMOVED', message: 'attempt to write a readonly database' }, 'DATABASE_READ_ONLY'],
    ['MariaDB --read-only (1290)', { errno: 1290, code: 'ER_OPTION_PREVENTS_STATEMENT', message: 'The MariaDB server is running with the --read-only option so it cannot execute this statement' }, 'DATABASE_READ_ONLY'],
    ['MySQL read-only mode (1836)', { errno: 1836, code: 'ER_READ_ONLY_MODE', message: 'Running in read-only mode' }, 'DATABASE_READ_ONLY'],
  ])('%s answers 503 with its own code and Retry-After', (_name, driverError, code) => {
    const fault = databaseFault(failed(driverError));
    expect(fault?.code).toBe(code);
    expect(fault?.extensions.http).toMatchObject({ status: 503 });
    expect(Number(fault?.extensions.retryAfter)).toBeGreaterThan(0);
  });

  it('leaves other errors of the same numbers alone (a write error that is not ENOSPC, 1290 for another option)', () => {
    expect(databaseFault(failed({ errno: 3, message: "Error writing file './x' (Errcode: 5 \"Input/output error\")" }))).toBeNull();
    expect(databaseFault(failed({ errno: 1290, message: 'The MariaDB server is running with the --secure-file-priv option so it cannot execute this statement' }))).toBeNull();
  });
});
