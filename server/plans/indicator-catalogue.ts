import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/config';
import type { SeedIndicator } from './seed-plan.types';

/**
 * The indicator catalogue as shipped in data/indicators/catalogue.json, for validating targets
 * without depending on the indicator table (targets reference indicators by code).
 */
let cache: Map<string, SeedIndicator> | null = null;

export function indicatorCatalogue(): Map<string, SeedIndicator> {
  if (!cache) {
    const list = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'data', 'indicators', 'catalogue.json'), 'utf8')) as SeedIndicator[];
    cache = new Map(list.map((i) => [i.code, i]));
  }
  return cache;
}

export function catalogueIndicator(code: string): SeedIndicator | undefined {
  return indicatorCatalogue().get(code);
}
