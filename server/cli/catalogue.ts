import 'reflect-metadata';
import fs from 'node:fs';
import { loadConfig } from '../core/config';
import { createDataSource } from '../data-source';
import { setLogLevel } from '../core/logger';
import { exportCatalogueCsv, importCatalogueFile } from '../indicators/catalogue-csv';
import { formatChanges, formatProblems } from '../indicators/indicator-catalogue';
import { runCli } from './run-cli';
import { announceReferenceChange } from '../core/reference-cache';
import { exportDimensions, importDimensionsFile } from '../indicators/dimension-catalogue';
import type { DataSource } from 'typeorm';

const USAGE = [
  'usage: npm run catalogue -- export FILE.csv',
  '       npm run catalogue -- import FILE.csv [--dry-run]',
  '       npm run catalogue -- dimensions export FILE.json',
  '       npm run catalogue -- dimensions import FILE.json [--dry-run]',
  'The file has one row per indicator and the columns code,name,nameEn,domain,valueType,factor,unitOfMeasure,entryLevel,',
  'sexDisaggregated,temporalAggregation,periodType,numeratorLabel,denominatorLabel,source,references (UTF-8; a BOM is fine).',
  'references: FRAMEWORK:CODE ["title"] [<url>] separated by |, e.g. SDG:5.5.1 "Proportion of seats held by women…" <https://…> | SDG:3.1.1',
  'The code lists of the dimensions beyond sex are a JSON array as data/indicators/dimensions.json: [{ code, name, nameEn, values: [{ code, name, nameEn }] }];',
  'an import adds and renames by code and never removes a code (observations may carry it).',
].join('\n');

/** One kind of catalogue file: how it is written out, and how it is read in (problems, or the lines saying what changed). */
interface CatalogueFile {
  export(dataSource: DataSource): Promise<{ text: string; summary: string }>;
  import(dataSource: DataSource, file: string, dryRun: boolean): Promise<{ problems: string[]; changes: string[] }>;
}

const INDICATORS: CatalogueFile = {
  async export(dataSource) {
    const { csv, indicators } = await exportCatalogueCsv(dataSource);
    return { text: csv, summary: `${indicators} indicators` };
  },
  async import(dataSource, file, dryRun) {
    const result = await importCatalogueFile(dataSource, file, { dryRun });
    return { problems: formatProblems(result.problems), changes: result.problems.length ? [] : formatChanges(result, result.names) };
  },
};

/** `dimensions export|import FILE.json`: the code lists of the dimensions beyond sex (an office's 54 ethnic groups, say). */
const CODE_LISTS: CatalogueFile = {
  async export(dataSource) {
    const { json, codes } = await exportDimensions(dataSource);
    return { text: json, summary: `${codes} codes` };
  },
  async import(dataSource, file, dryRun) {
    const result = await importDimensionsFile(dataSource, file, { dryRun });
    return { problems: result.problems, changes: [...result.changes, `${result.changes.length} ${result.changes.length === 1 ? 'change' : 'changes'}.`] };
  },
};

/**
 * `npm run catalogue -- export|import FILE.csv`: the indicator catalogue as a file an office can
 * edit. An import is checked as a whole (every bad line reported, nothing written) and applied
 * in one transaction; it prints what it added and changed. Exit 0 = done, 1 = refused, 2 = usage.
 */
async function main(): Promise<number> {
  const words = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const kind = words[0] === 'dimensions' ? CODE_LISTS : INDICATORS;
  const [command, file] = kind === CODE_LISTS ? words.slice(1) : words;
  if (!file || (command !== 'export' && command !== 'import')) {
    console.error(USAGE);
    return 2;
  }
  setLogLevel('warn');
  const config = loadConfig();
  const dataSource = await createDataSource(config.databaseUrl).initialize();
  try {
    if (command === 'export') {
      const { text, summary } = await kind.export(dataSource);
      fs.writeFileSync(file, text);
      console.log(`Wrote ${summary} to ${file}.`);
      return 0;
    }
    if (!fs.existsSync(file)) {
      console.error(`${file}: no such file`);
      return 1;
    }
    const dryRun = process.argv.includes('--dry-run');
    const { problems, changes } = await kind.import(dataSource, file, dryRun);
    if (problems.length) {
      for (const line of problems) console.error(line);
      console.error(`${file}: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}; nothing was written.`);
      return 1;
    }
    for (const line of changes) console.log(line);
    if (dryRun) console.log('Dry run: nothing was written.');
    // Running servers cache the catalogue and its code lists: their next request reloads them.
    else await announceReferenceChange(dataSource, ['catalogue'], config.redisUrl);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

runCli(main);
