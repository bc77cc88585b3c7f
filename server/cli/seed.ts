import 'reflect-metadata';
import { loadConfig } from '../core/config';
import { createDataSource } from '../data-source';
import { failureMessage } from './run-cli';
import { migrate, seed } from '../setup/database-setup';
import { announceReferenceChange } from '../core/reference-cache';

/** npm run db:seed [-- --demo]: migrates, then loads the reference units (and the demo data). */
async function main(): Promise<void> {
  const config = loadConfig();
  const dataSource = await createDataSource(config.databaseUrl).initialize();
  try {
    await migrate(dataSource);
    await seed(dataSource, { demo: process.argv.includes('--demo'), print: (line) => console.log(line) });
    // Running servers cache the catalogue and the hierarchy: their next request reloads them.
    await announceReferenceChange(dataSource, ['catalogue', 'hierarchy'], config.redisUrl);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(failureMessage(error));
  process.exit(1);
});
