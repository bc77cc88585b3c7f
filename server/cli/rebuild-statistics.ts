import 'reflect-metadata';
import { loadConfig } from '../core/config';
import { createDataSource } from '../data-source';
import { failureMessage } from './run-cli';
import { recomputeRollups, rebuildRollups } from '../statistics/rollup.rebuild';
import { readRollupTable, rollupDifferences } from '../statistics/rollup.store';
import { rebuildUnitCoverage } from '../statistics/unit-coverage';
import { announceReferenceChange } from '../core/reference-cache';

/**
 * `npm run db:rebuild-statistics` recomputes unit coverage and every statistics rollup from the
 * raw rows (after a hierarchy import); `-- --check` only compares the stored rollups with a
 * recomputation and exits 1 on a difference.
 */
async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const dataSource = await createDataSource(loadConfig().databaseUrl).initialize();
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  try {
    if (check) {
      const differences = rollupDifferences(await recomputeRollups(dataSource.manager, progress), await readRollupTable(dataSource.manager));
      console.log(differences.length ? `Rollups differ from a recomputation:\n${differences.join('\n')}` : 'Rollups equal a full recomputation.');
      process.exitCode = differences.length ? 1 : 0;
      return;
    }
    console.log(`Coverage: ${await rebuildUnitCoverage(dataSource)} intervals.`);
    // Running servers cache coverage with the hierarchy: their next request reloads it.
    await announceReferenceChange(dataSource, ['hierarchy'], loadConfig().redisUrl);
    console.log(`Rollups: ${await rebuildRollups(dataSource, progress)} rows.`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(failureMessage(error));
  process.exit(1);
});
