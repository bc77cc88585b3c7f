import { DataSource } from 'typeorm';
import { chunk, pathPrefixSql } from '../core/sql';
import { ObservationStatus, Sex, ValueType } from '../indicators/indicator-enums';
import { Indicator } from '../indicators/indicator.entity';
import { AdministrativeUnit, isValidOn } from '../tenancy/administrative-unit.entity';
import { DEMO_PROVINCES, stableHash } from '../tenancy/demo-villages';
import { UnitLevel } from '../tenancy/unit-level';
import { UnitPlacement } from '../tenancy/unit-placement.entity';
import { ingestObservations } from './observation-writer';
import { ObservationRow } from './observation-validation';
import { parsePeriod, Period, periodCodes, periodEnd } from './period';
import { systemContext } from './system-context';

export const DEMO_YEARS = [2023, 2024, 2025, 2026];
/** Share of (commune, indicator, year) combinations reported: every current commune reports most, legacy ones a sample (keeps the demo small). */
const COVERAGE = { current: 80, legacy: 25 } as const;

/** Deterministic number in [0, 1) for a text key. */
function rand(key: string): number {
  return stableHash(key) / 4294967296;
}
function between(key: string, low: number, high: number): number {
  return low + rand(key) * (high - low);
}
function int(key: string, low: number, high: number): number {
  return Math.floor(between(key, low, high + 1));
}

interface DemoUnit {
  code: string;
  level: UnitLevel;
  validFrom: string | null;
  validTo: string | null;
}

/** Units of the demo provinces (both hierarchies) with their validity. */
async function demoUnits(dataSource: DataSource): Promise<DemoUnit[]> {
  const provinces = await dataSource
    .createQueryBuilder()
    .select(['p.path AS path'])
    .from(AdministrativeUnit, 'u')
    .innerJoin(UnitPlacement, 'p', 'p.unit_id = u.id')
    .where('u.level = :level', { level: UnitLevel.PROVINCE })
    .andWhere('u.code IN (:...codes)', { codes: DEMO_PROVINCES })
    .getRawMany<{ path: string }>();
  const units = new Map<number, DemoUnit>();
  for (const batch of chunk(provinces.map((p) => p.path), 20)) {
    const prefixes = batch.map((path) => pathPrefixSql(dataSource, 'p.path', path));
    const rows = await dataSource
      .createQueryBuilder()
      .select(['u.id AS id', 'u.code AS code', 'u.level AS level', 'u.valid_from AS validFrom', 'u.valid_to AS validTo'])
      .from(AdministrativeUnit, 'u')
      .innerJoin(UnitPlacement, 'p', 'p.unit_id = u.id')
      .where(`(${prefixes.map((p) => p.sql).join(' OR ')})`, Object.assign({}, ...prefixes.map((p) => p.params)))
      .andWhere('u.level IN (:...levels)', { levels: [UnitLevel.PROVINCE, UnitLevel.COMMUNE, UnitLevel.VILLAGE] })
      .getRawMany<DemoUnit & { id: number }>();
    for (const r of rows) units.set(Number(r.id), { code: r.code, level: r.level, validFrom: r.validFrom, validTo: r.validTo });
  }
  return [...units.values()].sort((a, b) => a.code.localeCompare(b.code) || String(a.validFrom).localeCompare(String(b.validFrom)));
}

/** Plausible components for one indicator, unit, period and sex. */
function components(indicator: Indicator, unit: string, period: string, sex: Sex, year: number): { numerator: number; denominator: number } {
  const k = `${indicator.code}|${unit}|${period}|${sex}`;
  const female = sex === Sex.FEMALE;
  const trend = year - 2023;
  const proportion = (den: number, low: number, high: number) => ({ numerator: Math.min(den, Math.round(den * between(`${k}|r`, low, high))), denominator: den });
  switch (indicator.code) {
    case 'FEMALE_KEY_LEADER':
      return { numerator: rand(k) < 0.4 + 0.08 * trend ? 1 : 0, denominator: 1 };
    case 'PEOPLES_COUNCIL_DEPUTY':
      return { numerator: female ? int(k, 5, 9) : int(k, 14, 22), denominator: 1 };
    case 'NATIONAL_ASSEMBLY_DEPUTY':
      return { numerator: female ? int(k, 2, 4) : int(k, 4, 7), denominator: 1 };
    case 'ENTERPRISE_DIRECTOR':
      return { numerator: female ? int(k, 1, 8) : int(k, 5, 20), denominator: 1 };
    case 'VOCATIONAL_NEW_ENROLMENT':
      return { numerator: female ? int(k, 10, 40) : int(k, 15, 50), denominator: 1 };
    case 'DOCTORAL_DEGREE_HOLDER':
      return { numerator: female ? int(k, 20, 80) : int(k, 40, 150), denominator: 1 };
    case 'GE_NEWS_ITEM':
      return { numerator: int(k, 0, 4), denominator: 1 };
    case 'SOCIAL_ASSISTANCE_FACILITY_GBV':
      return { numerator: int(k, 0, 1), denominator: 1 };
    case 'WAGE_EMPLOYMENT_RATE':
      return proportion(int(`${k}|d`, 800, 4000), female ? 0.45 + 0.02 * trend : 0.52 + 0.02 * trend, female ? 0.6 + 0.02 * trend : 0.68 + 0.02 * trend);
    case 'AGRICULTURE_EMPLOYMENT_SHARE':
      return proportion(int(`${k}|d`, 800, 4000), female ? 0.45 - 0.02 * trend : 0.4 - 0.02 * trend, female ? 0.7 - 0.02 * trend : 0.62 - 0.02 * trend);
    case 'UNPAID_CARE_HOURS': {
      const den = int(`${k}|d`, 50, 300);
      return { numerator: Math.round(den * between(`${k}|m`, female ? 4 : 2, female ? 5.5 : 3) * 10) / 10, denominator: den };
    }
    case 'GBV_VICTIM_SUPPORTED':
    case 'GBV_VICTIM_NEED_MET':
    case 'TRAFFICKING_VICTIM_SUPPORTED':
    case 'GBV_PERPETRATOR_COUNSELLED':
    case 'GBV_CASE_HANDLED':
      return proportion(int(`${k}|d`, 1, female ? 12 : 4), 0.7, 1.05);
    case 'SEX_RATIO_AT_BIRTH': {
      const girls = int(`${k}|d`, 40, 200);
      return { numerator: Math.round(girls * between(`${k}|r`, 1.05, 1.12)), denominator: girls };
    }
    case 'ADOLESCENT_BIRTH_RATE':
      return proportion(int(`${k}|d`, 150, 700), 0, 0.004);
    case 'MATERNAL_MORTALITY_RATIO': {
      const births = int(`${k}|d`, 10000, 60000);
      return { numerator: Math.round(births * between(`${k}|r`, 0.0002, 0.0006)), denominator: births };
    }
    case 'EM_PRIMARY_COMPLETION':
      return proportion(int(`${k}|d`, 20, 120), 0.94, 1);
    case 'EM_LOWER_SECONDARY_COMPLETION':
      return proportion(int(`${k}|d`, 20, 120), 0.82, 0.98);
  }
  switch (indicator.valueType) {
    case ValueType.BOOLEAN:
      return { numerator: rand(k) < 0.6 + 0.08 * trend ? 1 : 0, denominator: 1 };
    case ValueType.COUNT:
      return { numerator: int(k, 0, 3), denominator: 1 };
    case ValueType.PROPORTION:
      return proportion(int(`${k}|d`, 20, 200), 0.6 + 0.03 * trend, 1);
    default:
      return { numerator: int(k, 1, 100), denominator: int(`${k}|d`, 100, 200) };
  }
}

function statusFor(key: string, year: number): ObservationStatus {
  if (year < 2026) return ObservationStatus.APPROVED;
  const r = rand(`${key}|status`);
  return r < 0.7 ? ObservationStatus.APPROVED : r < 0.85 ? ObservationStatus.SUBMITTED : ObservationStatus.DRAFT;
}

/** The demo rows: every catalogue indicator at its entry level and period type, 2023–2026, in the demo provinces. */
export async function demoObservationRows(dataSource: DataSource, indicators: Indicator[]): Promise<ObservationRow[]> {
  const units = await demoUnits(dataSource);
  const rows: ObservationRow[] = [];
  for (const unit of units) {
    for (const year of DEMO_YEARS) {
      if (!isValidOn(unit, `${year}-12-31`)) continue;
      const legacy = unit.validTo !== null;
      for (const indicator of indicators) {
        if (indicator.entryLevel !== unit.level) continue;
        if (unit.level === UnitLevel.COMMUNE && stableHash(`${unit.code}|${indicator.code}|${year}`) % 100 >= (legacy ? COVERAGE.legacy : COVERAGE.current)) continue;
        const sexes = indicator.sexDisaggregated ? [Sex.FEMALE, Sex.MALE] : [Sex.TOTAL];
        for (const period of periodCodes(indicator.periodType, year, year).filter((code) => isValidOn(unit, periodEnd(parsePeriod(code) as Period)))) {
          const status = statusFor(`${unit.code}|${indicator.code}|${period}`, year);
          for (const sex of sexes) {
            rows.push({ indicator: indicator.code, unit: unit.code, period, sex, ...components(indicator, unit.code, period, sex, year), source: 'Dữ liệu minh hoạ (demo)', status });
          }
        }
      }
    }
  }
  return rows;
}

/** Loads the demo observations through the bulk path (one transaction, batched upserts). */
export async function loadDemoObservations(dataSource: DataSource, print: (line: string) => void = () => undefined): Promise<number> {
  const ctx = await systemContext(dataSource, { subject: 'demo-seed' });
  const indicators = await ctx.loaders.allIndicators.load('all');
  const rows = await demoObservationRows(dataSource, indicators);
  const result = await ingestObservations(ctx, rows, { actor: 'demo-seed' });
  if (!result.applied) {
    const sample = result.errors.slice(0, 5).map((e) => `row ${e.index} (${rows[e.index].indicator} ${rows[e.index].unit} ${rows[e.index].period}) ${e.field}: ${e.message}`);
    throw new Error(`Demo observations rejected (${result.rejected} rows):\n${sample.join('\n')}`);
  }
  print(`Demo observations: ${rows.length} rows, ${result.changed} written.`);
  return result.changed;
}
