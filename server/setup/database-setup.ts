import { DataSource } from 'typeorm';
import { isMysql } from '../core/sql';
import { logger } from '../core/logger';
import { loadDimensions } from '../indicators/dimension-catalogue';
import { loadIndicatorCatalogue } from '../indicators/indicator-catalogue';
import { loadDemoObservations } from '../observations/observation-demo';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import { generateVillages } from '../tenancy/demo-villages';
import { loadDemoPlans } from '../plans/plan-demo';
import { formatImportReport, importUnits } from '../tenancy/unit-import';
import { rebuildUnitCoverage } from '../statistics/unit-coverage';
import { rebuildRollups } from '../statistics/rollup.rebuild';

export async function migrate(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}

export async function hasUnits(dataSource: DataSource): Promise<boolean> {
  return (await dataSource.getRepository(AdministrativeUnit).count({ take: 1 })) > 0;
}

export interface SeedOptions {
  demo: boolean;
  /** Where progress goes; the CLI prints, tests stay quiet. */
  print?: (line: string) => void;
}

/** Loads the reference units (once) and, with `demo`, the demo villages and everything built on them. */
export async function seed(dataSource: DataSource, options: SeedOptions): Promise<void> {
  const print = options.print ?? ((line: string) => logger.info(line));
  await loadDimensions(dataSource);
  const catalogue = await loadIndicatorCatalogue(dataSource);
  if (catalogue.inserted + catalogue.updated) print(`Indicator catalogue: ${catalogue.inserted} new, ${catalogue.updated} updated.`);
  if (await hasUnits(dataSource)) {
    print('Administrative units already loaded; nothing to do.');
    return;
  }
  print('Loading administrative units (2024 and 2026 hierarchies) and their lineage…');
  print(formatImportReport(await importUnits(dataSource)));
  if (options.demo) {
    const villages = await generateVillages(dataSource);
    print(`Generated ${villages} demo villages in Lạng Sơn, Hà Nội, Hải Phòng, Thanh Hóa and Lâm Đồng.`);
  }
  // Before any observation: statistics read expected units from it, and rollups follow the placements.
  print(`Counted units under every unit: ${await rebuildUnitCoverage(dataSource)} coverage intervals.`);
  if (!options.demo) return;
  print(`Loaded ${await loadDemoObservations(dataSource, print)} demo observations.`);
  print(`Loaded ${await loadDemoPlans(dataSource)} seed plans.`);
  // Fresh planner statistics: without them SQLite picks the unique key for exports by indicator and sorts every page.
  await dataSource.query(isMysql(dataSource) ? 'ANALYZE TABLE observation, unit_placement, administrative_unit' : 'ANALYZE');
}

/**
 * A database migrated from before the statistics rollups (or whose tables were emptied, as the
 * coded-dimensions migration does) gets them computed once at start; afterwards every write keeps
 * them current. The dimension code lists are loaded first when missing.
 */
export async function prepareStatistics(dataSource: DataSource, print: (line: string) => void = (line) => logger.info(line)): Promise<void> {
  const [{ n: dimensions }] = await dataSource.query('SELECT COUNT(*) AS n FROM dimension');
  if (Number(dimensions) === 0) print(`Loaded ${await loadDimensions(dataSource)} codes of the dimensions beyond sex.`);
  const [{ n: coverage }] = await dataSource.query('SELECT COUNT(*) AS n FROM unit_coverage');
  if (Number(coverage) === 0 && (await hasUnits(dataSource))) print(`Counted units under every unit: ${await rebuildUnitCoverage(dataSource)} coverage intervals.`);
  const [{ n: rollups }] = await dataSource.query('SELECT COUNT(*) AS n FROM statistics_rollup');
  const [{ n: observations }] = await dataSource.query('SELECT COUNT(*) AS n FROM observation');
  if (Number(rollups) === 0 && Number(observations) > 0) print(`Computed ${await rebuildRollups(dataSource)} statistics rollup rows from ${observations} observations.`);
}
