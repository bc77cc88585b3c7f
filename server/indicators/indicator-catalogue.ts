import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { PROJECT_ROOT } from '../core/config';
import type { SeedIndicator } from '../plans/seed-plan.types';
import { Indicator } from './indicator.entity';

export const CATALOGUE_FILE = path.join(PROJECT_ROOT, 'data', 'indicators', 'catalogue.json');

export function readCatalogue(file = CATALOGUE_FILE): SeedIndicator[] {
  return JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as SeedIndicator[];
}

/** Loads the catalogue into `indicator`: inserts new codes, updates changed ones (idempotent by code). */
export async function loadIndicatorCatalogue(dataSource: DataSource, file = CATALOGUE_FILE): Promise<{ inserted: number; updated: number }> {
  const catalogue = readCatalogue(file);
  return dataSource.transaction(async (manager) => {
    const repo = manager.getRepository(Indicator);
    const existing = new Map((await repo.find()).map((i) => [i.code, i]));
    let inserted = 0;
    let updated = 0;
    for (const seed of catalogue) {
      const values: Omit<Indicator, 'id' | 'globalId'> = {
        code: seed.code,
        name: seed.name,
        nameEn: seed.nameEn,
        domain: seed.domain as Indicator['domain'],
        valueType: seed.valueType as Indicator['valueType'],
        factor: seed.factor,
        unitOfMeasure: seed.unitOfMeasure,
        entryLevel: seed.entryLevel as Indicator['entryLevel'],
        sexDisaggregated: seed.sexDisaggregated,
        temporalAggregation: seed.temporalAggregation as Indicator['temporalAggregation'],
        periodType: seed.periodType as Indicator['periodType'],
        numeratorLabel: seed.numeratorLabel,
        denominatorLabel: seed.denominatorLabel,
        source: seed.source,
      };
      const current = existing.get(seed.code);
      if (!current) {
        await repo.insert(values);
        inserted += 1;
      } else if ((Object.keys(values) as (keyof typeof values)[]).some((k) => current[k] !== values[k])) {
        await repo.update({ id: current.id }, values);
        updated += 1;
      }
    }
    return { inserted, updated };
  });
}
