import 'reflect-metadata';
import { loadConfig } from '../core/config';
import { createDataSource } from '../data-source';
import { failureMessage } from './run-cli';
import { migrate, prepareStatistics } from '../setup/database-setup';

async function main(): Promise<void> {
  const config = loadConfig();
  const dataSource = await createDataSource(config.databaseUrl).initialize();
  try {
    const applied = await migrate(dataSource);
    console.log(applied.length ? `Applied ${applied.length} migrations: ${applied.join(', ')}` : 'Database is up to date.');
    await prepareStatistics(dataSource, (line) => console.log(line));
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(failureMessage(error));
  process.exit(1);
});
