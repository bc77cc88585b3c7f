import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { loadDimensions } from '../server/indicators/dimension-catalogue';
import { loadIndicatorCatalogue, readCatalogue } from '../server/indicators/indicator-catalogue';
import type { ObservationRow } from '../server/observations/observation-validation';
import type { SeedIndicator } from '../server/plans/seed-plan.types';
import { AdministrativeUnit } from '../server/tenancy/administrative-unit.entity';
import { stableHash } from '../server/tenancy/demo-villages';
import { insertRows, insertUnits, NewUnit, unitKey } from '../server/tenancy/unit-import';
import { REORGANISATION_DATE, UnitLevel } from '../server/tenancy/unit-level';
import { UnitPlacement } from '../server/tenancy/unit-placement.entity';
import { BENCH_DIR } from './bench-database';

// ---------------------------------------------------------------- indicators

export interface IndicatorChoice {
  code: string;
  valueType: SeedIndicator['valueType'];
  /** The catalogue indicator it copies, when the catalogue has too few village-level sex-disaggregated ones. */
  variantOf: string | null;
  /** Dimensions beyond sex ('AGE;URBANISATION'): each village gives every combination of their codes. */
  dimensionCodes?: string;
  /** The only years it has data for (all years when absent). */
  years?: string[];
}

/** The dimensions of the bench's dimensional indicator, and their code lists as data/indicators/dimensions.json ships them. */
export const BENCH_DIMENSIONS: [string, string[]][] = [
  ['AGE', ['Y0T14', 'Y15T24', 'Y25T34', 'Y35T44', 'Y45T54', 'Y55T64', 'Y_GE65']],
  ['URBANISATION', ['U', 'R']],
];

/**
 * The benchmark's indicators: the catalogue's yearly sex-disaggregated indicators entered by
 * VILLAGE units first; the catalogue has none today, so the rest are village-level variants of its
 * yearly sex-disaggregated indicators (same value type, factor and temporal aggregation, entry
 * level VILLAGE), cycled until there are `count`. Variants exist only in the bench database.
 */
export function chooseIndicators(count: number, catalogue: SeedIndicator[] = readCatalogue()): { choices: IndicatorChoice[]; variants: SeedIndicator[] } {
  // National survey indicators (entered by the nation only) would make odd village-level variants.
  const yearlySplit = catalogue.filter((i) => i.sexDisaggregated && i.periodType === 'YEAR' && i.entryLevel !== 'NATION');
  const real = yearlySplit.filter((i) => i.entryLevel === 'VILLAGE').slice(0, count);
  const choices: IndicatorChoice[] = real.map((i) => ({ code: i.code, valueType: i.valueType, variantOf: null }));
  const variants: SeedIndicator[] = [];
  for (let n = 0; choices.length < count; n++) {
    const base = yearlySplit[n % yearlySplit.length];
    const code = `BENCH_${String(n + 1).padStart(2, '0')}_${base.code}`.slice(0, 64);
    variants.push({ ...base, code, entryLevel: 'VILLAGE', name: `[bench] ${base.name}`, nameEn: `[bench, village level] ${base.nameEn}`, source: `bdg-hub bench: ${base.code} entered by villages`, references: [] });
    choices.push({ code, valueType: base.valueType, variantOf: base.code });
  }
  return { choices, variants };
}

/**
 * One more village-level variant broken down by AGE × URBANISATION beyond sex, with data in one
 * year only (each village gives 2 × 7 × 2 = 28 rows a year, fourteen times an indicator without
 * dimensions): the national run then measures statistics of an indicator with two dimensions.
 */
export function dimensionalIndicator(year: string, catalogue: SeedIndicator[] = readCatalogue()): { choice: IndicatorChoice; variant: SeedIndicator } {
  const base = catalogue.find((i) => i.sexDisaggregated && i.periodType === 'YEAR' && i.entryLevel !== 'NATION' && i.valueType === 'PROPORTION') as SeedIndicator;
  const code = `BENCH_DIM_${base.code}`.slice(0, 64);
  const dimensionCodes = BENCH_DIMENSIONS.map(([d]) => d).join(';');
  const variant = { ...base, code, entryLevel: 'VILLAGE' as const, dimensionCodes, name: `[bench] ${base.name}`, nameEn: `[bench, village level, by age and urban/rural] ${base.nameEn}`, source: `bdg-hub bench: ${base.code} entered by villages`, references: [] };
  return { choice: { code, valueType: base.valueType, variantOf: base.code, dimensionCodes, years: [year] }, variant };
}

/** Rows a village gives for these indicators and years. */
export function rowsPerVillage(indicators: IndicatorChoice[], years: string[]): number {
  const cells = (i: IndicatorChoice) => (i.dimensionCodes ? BENCH_DIMENSIONS.reduce((n, [, codes]) => n * codes.length, 1) : 1);
  return indicators.reduce((sum, i) => sum + 2 * cells(i) * years.filter((y) => !i.years || i.years.includes(y)).length, 0);
}

/** Loads the real catalogue, then the bench variants, through the project's catalogue loader. */
export async function installIndicators(dataSource: DataSource, variants: SeedIndicator[]): Promise<void> {
  await loadDimensions(dataSource);
  await loadIndicatorCatalogue(dataSource);
  if (!variants.length) return;
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const file = path.join(BENCH_DIR, 'bench-indicators.json');
  fs.writeFileSync(file, JSON.stringify(variants, null, 1));
  await loadIndicatorCatalogue(dataSource, file);
}

// ---------------------------------------------------------------- communes and villages

export interface Commune {
  id: number;
  code: string;
  type: string;
  path: string;
  province: string;
  provinceName: string;
}

/** Every commune of the current hierarchy with its placement path and province, by province then code. */
export async function currentCommunes(dataSource: DataSource): Promise<Commune[]> {
  const rows: (Omit<Commune, 'id'> & { id: number | string })[] = await dataSource
    .createQueryBuilder()
    .select(['u.id AS id', 'u.code AS code', 'u.type AS type', 'p.path AS path', 'prov.code AS province', 'prov.name AS provinceName'])
    .from(AdministrativeUnit, 'u')
    .innerJoin(UnitPlacement, 'p', 'p.unit_id = u.id AND p.valid_from = :reorg', { reorg: REORGANISATION_DATE })
    .innerJoin(UnitPlacement, 'pp', 'pp.unit_id = p.parent_id AND pp.valid_from = :reorg')
    .innerJoin(AdministrativeUnit, 'prov', 'prov.id = pp.unit_id')
    .where('u.level = :level', { level: UnitLevel.COMMUNE })
    .orderBy('prov.code')
    .addOrderBy('u.code')
    .getRawMany();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** `scale` of each province's communes (at least one, so every province takes part), first by code. */
export function selectCommunes(communes: Commune[], scale: number): Commune[] {
  const byProvince = groupByProvince(communes);
  return [...byProvince.values()].flatMap((list) => list.slice(0, Math.max(1, Math.round(list.length * scale))));
}

export function groupByProvince(communes: Commune[]): Map<string, Commune[]> {
  const byProvince = new Map<string, Commune[]>();
  for (const commune of communes) byProvince.set(commune.province, [...(byProvince.get(commune.province) ?? []), commune]);
  return byProvince;
}

/** Village codes follow the demo's convention: the commune code plus a two-digit sequence. */
export function villageCodes(commune: Pick<Commune, 'code'>, perCommune: number): string[] {
  return Array.from({ length: perCommune }, (_, i) => `${commune.code}${String(i + 1).padStart(2, '0')}`);
}

/**
 * Inserts `perCommune` villages under each commune, in the current hierarchy only (valid since
 * the reorganisation), one transaction per province through the project's unit import
 * (insertUnits / insertRows, multi-row INSERTs).
 */
export async function insertVillages(dataSource: DataSource, communes: Commune[], perCommune: number, print: (line: string) => void): Promise<number> {
  let total = 0;
  for (const [province, list] of groupByProvince(communes)) {
    const units: NewUnit[] = list.flatMap((commune) => villageCodes(commune, perCommune).map((code, i) => villageUnit(code, i + 1, commune.type === 'Phường')));
    await dataSource.transaction(async (manager) => {
      const ids = await insertUnits(manager, units);
      const placements = list.flatMap((commune) =>
        villageCodes(commune, perCommune).map((code): Partial<UnitPlacement> => {
          const id = ids.get(unitKey(code, REORGANISATION_DATE)) as number;
          const path = `${commune.path}${id}/`;
          // Depth as unit-import computes it for the units above, so the tree stays consistent.
          return { unitId: id, parentId: commune.id, path, depth: path.split('/').length - 2, validFrom: REORGANISATION_DATE, validTo: null };
        }),
      );
      await insertRows(manager, UnitPlacement, placements);
    });
    total += units.length;
    print(`[villages] ${province} ${list[0].provinceName}: ${units.length} villages (${total} so far)`);
  }
  return total;
}

function villageUnit(code: string, n: number, ward: boolean): NewUnit {
  const name = `${ward ? 'Tổ dân phố' : 'Thôn'} ${n}`;
  return { code, level: UnitLevel.VILLAGE, type: ward ? 'Tổ dân phố' : 'Thôn', name, fullName: name, nameEn: `${ward ? 'Residential group' : 'Village'} ${n}`, validFrom: REORGANISATION_DATE, validTo: null, predecessorsText: null };
}

// ---------------------------------------------------------------- observations

/** A small seeded generator (mulberry32): the same village, indicator and year always get the same values. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Plausible components for one sex, valid for the value type (the writer checks them like any client's). */
function components(valueType: SeedIndicator['valueType'], next: () => number): { numerator: number; denominator: number } {
  const int = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  switch (valueType) {
    case 'PROPORTION': {
      const denominator = int(20, 500);
      return { numerator: Math.floor(denominator * (0.1 + 0.8 * next())), denominator };
    }
    case 'MEAN': {
      const denominator = int(10, 200);
      return { numerator: Math.round(denominator * (1 + 5 * next()) * 2) / 2, denominator };
    }
    case 'RATIO':
      return { numerator: int(50, 150), denominator: int(50, 150) };
    case 'BOOLEAN':
      return { numerator: next() < 0.4 ? 1 : 0, denominator: 1 };
    case 'COUNT':
      return { numerator: int(0, 40), denominator: 1 };
  }
}

/** Every combination of the bench dimensions' codes, as row dimension values. */
const CELLS = BENCH_DIMENSIONS.reduce<{ dimension: string; value: string }[][]>((combos, [dimension, codes]) => combos.flatMap((c) => codes.map((value) => [...c, { dimension, value }])), [[]]);

/** FEMALE and MALE rows (per cell of its dimensions) of every indicator and year for each village, village by village (a generator: nothing is held). */
export function* villageRows(villages: Iterable<string>, indicators: IndicatorChoice[], years: string[]): Generator<ObservationRow> {
  for (const unit of villages) {
    for (const indicator of indicators) {
      for (const period of years) {
        if (indicator.years && !indicator.years.includes(period)) continue;
        const next = random(stableHash(`${unit}|${indicator.code}|${period}`));
        for (const sex of ['FEMALE', 'MALE']) {
          if (!indicator.dimensionCodes) yield { indicator: indicator.code, unit, period, sex, ...components(indicator.valueType, next) };
          else for (const dimensions of CELLS) yield { indicator: indicator.code, unit, period, sex, dimensions, ...components(indicator.valueType, next) };
        }
      }
    }
  }
}

/** Groups an iterable into arrays of `size` (the last may be shorter). */
export function* batches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

export function yearsOf(firstYear: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(firstYear + i));
}
