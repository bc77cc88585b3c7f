import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { AppError, ErrorCode } from './errors';
import { isMysql } from './sql';

/**
 * Where nothing else can tell that the fault is gone (MariaDB, a read-only file), /readyz keeps
 * reporting it this long after the last refused write, then lets traffic try again.
 */
const FAULT_MEMORY_MS = 30_000;
/** Free space on the SQLite file's file system that counts as "freed": a few transactions' WAL frames. */
const ENOUGH_FREE_BYTES = 1024 * 1024;

type StorageCode = ErrorCode.DATABASE_FULL | ErrorCode.DATABASE_READ_ONLY;

const faults = new WeakMap<DataSource, { code: StorageCode; at: number }>();

const REASONS: Record<StorageCode, string> = {
  [ErrorCode.DATABASE_FULL]: 'database full',
  [ErrorCode.DATABASE_READ_ONLY]: 'database read-only',
};

/** A write committed: whatever refused writes before is gone. */
export function noteWriteCommitted(dataSource: DataSource): void {
  faults.delete(dataSource);
}

/** A write failed with `fault`: a full disk or a read-only database is remembered for /readyz. */
export function noteWriteFailed(dataSource: DataSource, fault: AppError | null): void {
  if (fault?.code === ErrorCode.DATABASE_FULL || fault?.code === ErrorCode.DATABASE_READ_ONLY) faults.set(dataSource, { code: fault.code, at: Date.now() });
}

/** What /readyz reports while writes cannot succeed ("database full"), or null. */
export function storageProblem(dataSource: DataSource): string | null {
  const fault = faults.get(dataSource);
  if (!fault) return null;
  const gone = fault.code === ErrorCode.DATABASE_FULL && !isMysql(dataSource) ? sqliteHasSpace(dataSource) : Date.now() - fault.at > FAULT_MEMORY_MS;
  if (!gone) return REASONS[fault.code];
  faults.delete(dataSource);
  return null;
}

function sqliteHasSpace(dataSource: DataSource): boolean {
  const file = String(dataSource.options.database);
  if (file === ':memory:') return true;
  try {
    const stats = fs.statfsSync(path.dirname(file));
    return stats.bavail * stats.bsize >= ENOUGH_FREE_BYTES;
  } catch {
    return false;
  }
}
