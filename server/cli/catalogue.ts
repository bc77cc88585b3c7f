import 'reflect-metadata';
import fs from 'node:fs';
import { loadConfig } from '../core/config';
import { createDataSource } from '../data-source';
import { setLogLevel } from '../core/logger';
import { exportCatalogueCsv, importCatalogueFile } from '../indicators/catalogue-csv';
import { formatChanges, formatProblems } from '../indicators/indicator-catalogue';
import { runCli } from './run-cli';
import { announceReferenceChange } from '../core/reference-cache';

const USAGE = [
  'usage: npm run catalogue -- export FILE.csv',
  '       npm run catalogue -- import FILE.csv [--dry-run]',
  'The file has one row per indicator and the columns code,name,nameEn,domain,valueType,factor,unitOfMeasure,entryLevel,',
  'sexDisaggregated,temporalAggregation,periodType,numeratorLabel,denominatorLabel,source,references (UTF-8; a BOM is fine).',
  'references: FRAMEWORK:CODE ["title"] [<url>] separated by |, e.g. SDG:5.5.1 "Proportion of seats held by women…" <https://…> | SDG:3.1.1',
].join('\n');

/**
 * `npm run catalogue -- export|import FILE.csv`: the indicator catalogue as a file an office can
 * edit. An import is checked as a whole (every bad line reported, nothing written) and applied
 * in one transaction; it prints what it added and changed. Exit 0 = done, 1 = refused, 2 = usage.
 */
async function main(): Promise<number> {
  const [command, file] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!file || (command !== 'export' && command !== 'import')) {
    console.error(USAGE);
    return 2;
  }
  setLogLevel('warn');
  const config = loadConfig();
  const dataSource = await createDataSource(config.databaseUrl).initialize();
  try {
    if (command === 'export') {
      const { csv, indicators } = await exportCatalogueCsv(dataSource);
      fs.writeFileSync(file, csv);
      console.log(`Wrote ${indicators} indicators to ${file}.`);
      return 0;
    }
    if (!fs.existsSync(file)) {
      console.error(`${file}: no such file`);
      return 1;
    }
    const dryRun = process.argv.includes('--dry-run');
    const result = await importCatalogueFile(dataSource, file, { dryRun });
    if (result.problems.length) {
      for (const line of formatProblems(result.problems)) console.error(line);
      console.error(`${file}: ${result.problems.length} ${result.problems.length === 1 ? 'problem' : 'problems'}; nothing was written.`);
      return 1;
    }
    for (const line of formatChanges(result, result.names)) console.log(line);
    if (dryRun) console.log('Dry run: nothing was written.');
    // Running servers cache the catalogue: their next request reloads it.
    else await announceReferenceChange(dataSource, ['catalogue'], config.redisUrl);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

runCli(main);
