import { DataSource } from 'typeorm';
import { logger } from '../core/logger';
import { loadIndicatorCatalogue } from '../indicators/indicator-catalogue';
import { loadDemoObservations } from '../observations/observation-demo';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import { generateVillages } from '../tenancy/demo-villages';
import { loadDemoPlans } from '../plans/plan-demo';
import { formatImportReport, importUnits } from '../tenancy/unit-import';

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
  const catalogue = await loadIndicatorCatalogue(dataSource);
  if (catalogue.inserted + catalogue.updated) print(`Indicator catalogue: ${catalogue.inserted} new, ${catalogue.updated} updated.`);
  if (await hasUnits(dataSource)) {
    print('Administrative units already loaded; nothing to do.');
    return;
  }
  print('Loading administrative units (2024 and 2026 hierarchies) and their lineage…');
  print(formatImportReport(await importUnits(dataSource)));
  if (!options.demo) return;
  const villages = await generateVillages(dataSource);
  print(`Generated ${villages} demo villages in Lạng Sơn, Hà Nội, Hải Phòng, Thanh Hóa and Lâm Đồng.`);
  print(`Loaded ${await loadDemoObservations(dataSource, print)} demo observations.`);
  print(`Loaded ${await loadDemoPlans(dataSource)} seed plans.`);
}
