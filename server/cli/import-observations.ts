import 'reflect-metadata';
import { parseRole } from '../auth/role';
import { loadConfig } from '../core/config';
import { createDataSource } from '../data-source';
import { setLogLevel } from '../core/logger';
import { announceReferenceChange } from '../core/reference-cache';
import { formatCsvErrors, importObservationsFile } from '../observations/observation-csv';
import { runCli } from './run-cli';

const USAGE = 'usage: npm run import -- FILE.csv [--unit CODE] [--role ADMIN|EDITOR] [--sub NAME] [--dry-run] [--strict] [--batch ROWS]\n' + 'columns: indicator,unit,period,sex,numerator,denominator[,source,comment] and one column per dimension named by its code (AGE, ETHNICITY, URBANISATION, DISABILITY; empty = total); UTF-8; a header is optional, required with dimension columns';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/**
 * Loads observations from CSV, streamed in batches inside one transaction: a single bad row, or a
 * kill, loads nothing. Progress (rows, rows/s, RSS) and errors on stderr.
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const file = args.find((a, i) => !a.startsWith('--') && !['--unit', '--role', '--sub', '--batch'].includes(args[i - 1]));
  const role = option('role') ? parseRole(option('role')?.toUpperCase()) : undefined;
  const batchRows = option('batch') === undefined ? undefined : Number(option('batch'));
  if (!file || (option('role') && !role) || (batchRows !== undefined && !(Number.isInteger(batchRows) && batchRows > 0))) {
    console.error(USAGE);
    return 2;
  }
  setLogLevel('warn');
  const started = Date.now();
  const config = loadConfig();
  const dataSource = await createDataSource(config.databaseUrl).initialize();
  try {
    const { result, lines, rows } = await importObservationsFile(dataSource, file, {
      unit: option('unit'),
      role: role ?? undefined,
      subject: option('sub'),
      dryRun: args.includes('--dry-run'),
      strict: args.includes('--strict'),
      batchRows,
      progress: (line) => console.error(`[import] ${line}`),
    });
    const seconds = (Date.now() - started) / 1000;
    for (const line of formatCsvErrors(result.warnings, lines)) console.error(`warning: ${line}`);
    if (result.errors.length) {
      for (const line of formatCsvErrors(result.errors, lines)) console.error(line);
      const listed = result.errors.length < result.rejected ? ` (the first ${result.errors.length} problems listed)` : '';
      console.error(`[import] ${result.rejected} of ${rows} rows rejected${listed}; nothing was loaded.`);
      return 1;
    }
    // The load moved the data version in the database; servers reading it from Redis learn it here.
    if (result.applied && config.redisUrl) await announceReferenceChange(dataSource, [], config.redisUrl);
    const flagged = result.warnings.length ? ` (${result.warnings.length} flagged: implausible or inconsistent, see the warnings)` : '';
    console.error(`[import] ${rows} rows valid${flagged}, ${result.changed} changed, ${result.applied ? 'loaded' : 'not loaded (dry run)'} in ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s).`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

runCli(main);
