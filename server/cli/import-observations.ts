import 'reflect-metadata';
import { parseRole } from '../auth/role';
import { loadConfig } from '../core/config';
import { createDataSource } from '../data-source';
import { setLogLevel } from '../core/logger';
import { announceReferenceChange } from '../core/reference-cache';
import { formatCsvErrors, importObservationsFile } from '../observations/observation-csv';
import { runCli } from './run-cli';

const USAGE = 'usage: npm run import -- FILE.csv [--unit CODE] [--role ADMIN|EDITOR] --subject SUBJECT [--dry-run] [--strict] [--batch ROWS]\n' + '--subject: who is writing (the token subject of the person responsible, e.g. w@06625); four eyes keeps them from approving what they loaded. Only a file that changes nothing may be run without it.\n' + 'columns: indicator,unit,period,sex,numerator,denominator[,source,comment] and one column per dimension named by its code (AGE, ETHNICITY, URBANISATION, DISABILITY; empty = total); UTF-8; a header is optional, required with dimension columns';

/** The width of the revisions' changed_by column. */
const MAX_SUBJECT = 128;

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
  const file = args.find((a, i) => !a.startsWith('--') && !['--unit', '--role', '--subject', '--batch'].includes(args[i - 1]));
  const role = option('role') ? parseRole(option('role')?.toUpperCase()) : undefined;
  const batchRows = option('batch') === undefined ? undefined : Number(option('batch'));
  const subject = option('subject')?.trim();
  if (!file || (option('role') && !role) || (batchRows !== undefined && !(Number.isInteger(batchRows) && batchRows > 0)) || (args.includes('--subject') && !subject)) {
    console.error(USAGE);
    return 2;
  }
  if (subject && subject.length > MAX_SUBJECT) {
    console.error(`[import] --subject is at most ${MAX_SUBJECT} characters`);
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
      subject,
      // Without a subject the file is only checked: it is loaded only should it change nothing.
      dryRun: args.includes('--dry-run') || !subject,
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
    if (!subject && result.changed > 0 && !args.includes('--dry-run')) {
      console.error(`[import] refused: ${result.changed} of ${rows} rows would change observations, and a change needs its writer: run again with --subject SUBJECT (yours, as in your token), so that four eyes keeps you from approving what you loaded. Nothing was loaded.`);
      return 2;
    }
    // The load moved the data version in the database; servers reading it from Redis learn it here.
    if (result.applied && config.redisUrl) await announceReferenceChange(dataSource, [], config.redisUrl);
    const flagged = result.warnings.length ? ` (${result.warnings.length} flagged: implausible or inconsistent, see the warnings)` : '';
    console.error(`[import] ${rows} rows valid${flagged}, ${result.changed} changed, ${result.applied ? 'loaded' : subject || args.includes('--dry-run') ? 'not loaded (dry run)' : 'nothing to load'} in ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s).`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

runCli(main);
