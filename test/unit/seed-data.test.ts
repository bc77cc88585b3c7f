/**
 * Validates the seed data: the five transcribed plans (data/seeds/plans/*.json) and the indicator
 * catalogue (data/indicators/catalogue.json). Checks shapes and enums, referential integrity
 * (indicators, agencies, objectives, targets), that every machine-readable target fits its
 * indicator's value type and measure, and a set of facts read from the original plans.
 */
import * as fs from 'fs';
import * as path from 'path';
import type {
  SeedIndicator, SeedPlan, SeedTarget, SeedSchedule, Domain, ValueType, Measure, Comparator, PeriodType,
  UnitLevel, PlanKind, PlanStatus, AgencyKind, ResponsibilityRole, ReportKind, TemporalAggregation,
} from '../../server/plans/seed-plan.types';
import { catalogueEntries, formatProblems, validateEntry } from '../../server/indicators/indicator-catalogue';

const DATA = path.resolve(__dirname, '../../data');
const PLAN_DIR = path.join(DATA, 'seeds/plans');
const PLAN_KEYS = ['loi-bac-2026', 'an-lao-2024', 'bat-trang-2026', 'binh-luong-2023', 'nam-gia-nghia-2026'];

const DOMAINS: Domain[] = ['POLITICS', 'ECONOMY_LABOUR', 'FAMILY_GBV', 'HEALTH', 'EDUCATION', 'INFORMATION_COMMUNICATION', 'STATE_MANAGEMENT'];
const VALUE_TYPES: ValueType[] = ['COUNT', 'PROPORTION', 'RATIO', 'MEAN', 'BOOLEAN'];
const MEASURES: Measure[] = ['TOTAL', 'FEMALE', 'MALE', 'FEMALE_SHARE', 'FEMALE_TO_MALE_RATIO', 'GAP', 'EACH_SEX'];
const COMPARATORS: Comparator[] = ['AT_LEAST', 'ABOVE', 'AT_MOST', 'BELOW', 'EQUAL'];
const PERIOD_TYPES: PeriodType[] = ['YEAR', 'SEMESTER', 'QUARTER', 'MONTH'];
const UNIT_LEVELS: UnitLevel[] = ['NATION', 'PROVINCE', 'DISTRICT', 'COMMUNE', 'VILLAGE'];
const PLAN_KINDS: PlanKind[] = ['ANNUAL', 'MULTI_YEAR'];
const PLAN_STATUSES: PlanStatus[] = ['DRAFT', 'ISSUED', 'SUPERSEDED'];
const AGENCY_KINDS: AgencyKind[] = ['PEOPLES_COMMITTEE', 'PEOPLES_COUNCIL_OFFICE', 'CULTURE_SOCIAL_DIVISION', 'ECONOMIC_DIVISION', 'POLICE',
  'HEALTH_STATION', 'SCHOOL', 'FATHERLAND_FRONT', 'WOMENS_UNION', 'YOUTH_UNION', 'FARMERS_UNION', 'VETERANS_ASSOCIATION',
  'PUBLIC_SERVICE_CENTRE', 'VILLAGE', 'DISTRICT_DIVISION', 'OTHER'];
const ROLES: ResponsibilityRole[] = ['LEAD', 'COORDINATE', 'MONITOR_AND_REPORT', 'SUPPORT'];
const REPORT_KINDS: ReportKind[] = ['SIX_MONTH', 'ANNUAL', 'MIDTERM', 'FINAL', 'QUARTERLY', 'AD_HOC'];
const AGGREGATIONS: TemporalAggregation[] = ['FLOW', 'STOCK'];
/** Period lengths in months, to compare "finer than". */
const MONTHS: Record<PeriodType, number> = { MONTH: 1, QUARTER: 3, SEMESTER: 6, YEAR: 12 };
/** Factors allowed per value type (SPEC table); RATIO also per 100,000 for the maternal mortality ratio. */
const FACTORS: Record<ValueType, number[]> = { COUNT: [1], MEAN: [1], BOOLEAN: [100], PROPORTION: [100, 1000], RATIO: [100, 100000] };
const SEX_MEASURES: Measure[] = ['FEMALE', 'MALE', 'FEMALE_SHARE', 'FEMALE_TO_MALE_RATIO', 'GAP', 'EACH_SEX'];

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const catalogue = readJson<SeedIndicator[]>(path.join(DATA, 'indicators/catalogue.json'));
const byCode = new Map(catalogue.map((i) => [i.code, i]));
const plans: SeedPlan[] = PLAN_KEYS.map((k) => readJson<SeedPlan>(path.join(PLAN_DIR, `${k}.json`)));
const plan = (key: string): SeedPlan => {
  const p = plans.find((x) => x.key === key);
  if (!p) throw new Error(`no plan ${key}`);
  return p;
};
const allTargets = (p: SeedPlan): SeedTarget[] => p.objectives.flatMap((o) => o.targets);

function isValidDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
function isValidDayMonth(day: number, month: number): boolean {
  return Number.isInteger(day) && Number.isInteger(month) && month >= 1 && month <= 12
    && day >= 1 && day <= new Date(Date.UTC(2024, month, 0)).getUTCDate();
}
/** Every string anywhere in a value, for the NFC and emptiness checks. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}
const sequential = (ordinals: number[]): boolean => ordinals.every((o, i) => o === i + 1);

/** Returns a list of problems with a machine-readable target, [] when it is consistent. */
function targetProblems(t: SeedTarget): string[] {
  const problems: string[] = [];
  const ind = t.indicator === null ? undefined : byCode.get(t.indicator);
  if (t.indicator === null) {
    if (t.measure !== null || t.comparator !== null || t.targetValue !== null || t.periodType !== null || t.baseline !== null || t.milestones.length) {
      problems.push('no indicator but a machine-readable part');
    }
    return problems;
  }
  if (!ind) return [`unknown indicator ${t.indicator}`];
  if (t.measure === null || !MEASURES.includes(t.measure)) problems.push(`measure ${t.measure}`);
  if (t.comparator === null || !COMPARATORS.includes(t.comparator)) problems.push(`comparator ${t.comparator}`);
  if (t.periodType === null || !PERIOD_TYPES.includes(t.periodType)) problems.push(`periodType ${t.periodType}`);
  if (typeof t.targetValue !== 'number' || !Number.isFinite(t.targetValue)) return [...problems, 'targetValue'];
  const v = t.targetValue;
  const m = t.measure;
  if (m && SEX_MEASURES.includes(m) && !ind.sexDisaggregated) problems.push(`${m} on an indicator not disaggregated by sex`);
  switch (m) {
    case 'FEMALE_SHARE':
      if (v < 0 || v > 100) problems.push('FEMALE_SHARE outside 0..100');
      if (ind.valueType !== 'COUNT') problems.push('FEMALE_SHARE expects a COUNT of persons');
      break;
    case 'FEMALE_TO_MALE_RATIO':
      if (v <= 0) problems.push('ratio must be positive');
      if (ind.valueType === 'BOOLEAN') problems.push('FEMALE_TO_MALE_RATIO on BOOLEAN');
      break;
    case 'GAP':
      break;
    default: // TOTAL, FEMALE, MALE, EACH_SEX: the value is on the indicator's own scale
      if (ind.valueType === 'PROPORTION' || ind.valueType === 'BOOLEAN') {
        if (v < 0 || v > ind.factor) problems.push(`${ind.valueType} target ${v} outside 0..${ind.factor}`);
      } else if (ind.valueType === 'COUNT') {
        if (v < 0 || !Number.isInteger(v)) problems.push('COUNT target must be a non-negative integer');
      } else if (v <= 0) problems.push('target must be positive');
  }
  if (t.periodType && t.periodType !== 'YEAR') {
    // a sub-year target (e.g. per quarter) needs data entered at that period or finer, summed as a flow
    if (MONTHS[ind.periodType] > MONTHS[t.periodType]) problems.push('indicator entered less often than the target period');
    if (t.periodType !== ind.periodType && ind.temporalAggregation !== 'FLOW') problems.push('sub-year target on a stock');
  }
  if (t.baseline && t.dueYear !== null && t.baseline.year >= t.dueYear) problems.push('baseline not before due year');
  for (const ms of t.milestones) if (t.dueYear !== null && ms.year > t.dueYear) problems.push('milestone after due year');
  return problems;
}

describe('indicator catalogue', () => {
  it('has 20–40 indicators with unique UPPER_SNAKE codes', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(20);
    expect(catalogue.length).toBeLessThanOrEqual(40);
    expect(new Set(catalogue.map((i) => i.code)).size).toBe(catalogue.length);
    for (const i of catalogue) expect(i.code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  });

  it.each(catalogue.map((i) => [i.code, i] as const))('%s is well formed', (_code, i) => {
    expect(DOMAINS).toContain(i.domain);
    expect(VALUE_TYPES).toContain(i.valueType);
    expect(UNIT_LEVELS).toContain(i.entryLevel);
    expect(AGGREGATIONS).toContain(i.temporalAggregation);
    expect(PERIOD_TYPES).toContain(i.periodType);
    expect(typeof i.sexDisaggregated).toBe('boolean');
    expect(FACTORS[i.valueType]).toContain(i.factor);
    for (const s of [i.name, i.nameEn, i.unitOfMeasure, i.numeratorLabel, i.source]) expect(s.trim().length).toBeGreaterThan(0);
    // denominator is 1 exactly for COUNT and BOOLEAN (SPEC value-type table)
    if (i.valueType === 'COUNT' || i.valueType === 'BOOLEAN') expect(i.denominatorLabel).toBeNull();
    else expect(i.denominatorLabel?.trim().length ?? 0).toBeGreaterThan(0);
    if (i.valueType === 'BOOLEAN') expect(i.sexDisaggregated).toBe(false);
    if (i.valueType === 'PROPORTION' || i.valueType === 'BOOLEAN') expect(i.unitOfMeasure === '%' || i.factor !== 100).toBe(true);
    for (const s of strings(i)) expect(s).toBe(s.normalize('NFC'));
  });

  it('every indicator is used by a seed target or comes from the national strategy / indicator set / SDG', () => {
    const used = new Set(plans.flatMap(allTargets).map((t) => t.indicator).filter((c): c is string => c !== null));
    for (const i of catalogue) {
      expect(used.has(i.code) || /NQ28|TT10/.test(i.source) || (i.references ?? []).length > 0).toBe(true);
    }
  });

  it('passes the checks of `npm run catalogue -- import`, and every reference cites where its code is published', () => {
    expect(formatProblems(catalogueEntries(catalogue).flatMap(validateEntry))).toEqual([]);
    const references = catalogue.flatMap((i) => (i.references ?? []).map((r) => ({ indicator: i.code, ...r })));
    expect(references.length).toBeGreaterThanOrEqual(7);
    for (const r of references) expect(r.url ?? '').toMatch(/^https:\/\/unstats\.un\.org\/sdgs\//);
    expect(references.map((r) => `${r.indicator} ${r.framework}:${r.code}`)).toEqual(expect.arrayContaining(['NATIONAL_ASSEMBLY_DEPUTY SDG:5.5.1', 'PEOPLES_COUNCIL_DEPUTY SDG:5.5.1', 'CHILD_MARRIAGE_BEFORE_18 SDG:5.3.1']));
  });

  it('covers the national strategy (NQ28/NQ-CP) across its six domains', () => {
    const nq = catalogue.filter((i) => i.source.includes('NQ28'));
    expect(nq.length).toBeGreaterThanOrEqual(15);
    expect(new Set(nq.map((i) => i.domain))).toEqual(new Set(DOMAINS.filter((d) => d !== 'STATE_MANAGEMENT')));
  });

  it('models the SPEC examples with the right value types', () => {
    expect(byCode.get('SEX_RATIO_AT_BIRTH')).toMatchObject({ valueType: 'RATIO', factor: 100, unitOfMeasure: 'bé trai/100 bé gái', sexDisaggregated: false });
    expect(byCode.get('ADOLESCENT_BIRTH_RATE')).toMatchObject({ valueType: 'PROPORTION', factor: 1000, sexDisaggregated: false });
    expect(byCode.get('FEMALE_KEY_LEADER')).toMatchObject({ valueType: 'BOOLEAN', factor: 100, entryLevel: 'VILLAGE', sexDisaggregated: false, temporalAggregation: 'STOCK' });
    expect(byCode.get('UNPAID_CARE_HOURS')).toMatchObject({ valueType: 'MEAN', factor: 1, sexDisaggregated: true, unitOfMeasure: 'giờ/ngày' });
    expect(byCode.get('GE_NEWS_ITEM')).toMatchObject({ valueType: 'COUNT', factor: 1, temporalAggregation: 'FLOW', periodType: 'QUARTER', denominatorLabel: null });
    expect(byCode.get('WAGE_EMPLOYMENT_RATE')).toMatchObject({ valueType: 'PROPORTION', factor: 100, sexDisaggregated: true });
    expect(byCode.get('ENTERPRISE_DIRECTOR')).toMatchObject({ valueType: 'COUNT', sexDisaggregated: true });
  });
});

describe('seed plans', () => {
  it('has exactly the five plan files', () => {
    const files = fs.readdirSync(PLAN_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(PLAN_KEYS.map((k) => `${k}.json`).sort());
  });

  describe.each(PLAN_KEYS)('%s', (key) => {
    const p = plan(key);
    const agencyKeys = new Set(p.agencies.map((a) => a.key));
    const objectiveOrdinals = new Set(p.objectives.map((o) => o.ordinal));

    it('has a valid header', () => {
      expect(p.key).toBe(key);
      expect(p.unitCode).toMatch(/^(\d{2}|\d{3}|\d{5})$/);
      expect(isValidDate(p.unitAsOf)).toBe(true);
      expect(PLAN_KINDS).toContain(p.kind);
      expect(PLAN_STATUSES).toContain(p.status);
      expect(p.firstYear).toBeLessThanOrEqual(p.lastYear);
      expect(p.kind === 'ANNUAL').toBe(p.firstYear === p.lastYear);
      expect(p.status).toBe(p.number !== null && p.issuedOn !== null ? 'ISSUED' : 'DRAFT');
      if (p.issuedOn !== null) expect(isValidDate(p.issuedOn)).toBe(true);
      expect(p.title.trim().length).toBeGreaterThan(0);
      expect(p.implements).not.toBeNull();
      if (p.implements?.issuedOn) {
        expect(isValidDate(p.implements.issuedOn)).toBe(true);
        expect(Number(p.implements.issuedOn.slice(0, 4))).toBeLessThanOrEqual(p.firstYear);
      }
      expect(p.legalBases.length).toBeGreaterThan(0);
      expect(p.purposes.length).toBeGreaterThan(0);
    });

    it('keeps every string in NFC, non-empty and trimmed', () => {
      for (const s of strings(p)) {
        expect(s).toBe(s.normalize('NFC'));
        expect(s).toBe(s.trim());
        expect(s.length).toBeGreaterThan(0);
      }
    });

    it('has unique, well-formed agencies', () => {
      expect(agencyKeys.size).toBe(p.agencies.length);
      for (const a of p.agencies) {
        expect(a.key).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(AGENCY_KINDS).toContain(a.kind);
      }
    });

    it('has sequential objectives and targets with valid machine-readable forms', () => {
      expect(sequential(p.objectives.map((o) => o.ordinal))).toBe(true);
      for (const o of p.objectives) {
        expect(DOMAINS).toContain(o.domain);
        expect(o.targets.length).toBeGreaterThan(0);
        expect(sequential(o.targets.map((t) => t.ordinal))).toBe(true);
        expect(new Set(o.targets.map((t) => t.label)).size).toBe(o.targets.length);
        for (const t of o.targets) {
          expect({ label: `${o.ordinal}/${t.label}`, problems: targetProblems(t) }).toEqual({ label: `${o.ordinal}/${t.label}`, problems: [] });
        }
      }
    });

    it('gives targets due years within the plan, matching the year the text names', () => {
      for (const t of allTargets(p)) {
        if (t.dueYear !== null) {
          expect(t.dueYear).toBeGreaterThanOrEqual(p.firstYear);
          expect(t.dueYear).toBeLessThanOrEqual(p.lastYear);
        }
        const years = [...t.text.matchAll(/năm (20\d\d)/g)].map((m) => Number(m[1]));
        if (years.length) expect(t.dueYear).toBe(Math.max(...years));
        // an annual plan's targets are for its year
        if (p.kind === 'ANNUAL' && t.indicator !== null) expect(t.dueYear).toBe(p.firstYear);
        // 'mỗi quý' (every quarter) is judged per quarter
        if (/mỗi quý/i.test(t.text)) expect(t.periodType).toBe('QUARTER');
      }
    });

    it('has tasks with existing agencies and objectives and valid schedules', () => {
      expect(p.tasks.length).toBeGreaterThan(0);
      expect(sequential(p.tasks.map((t) => t.ordinal))).toBe(true);
      for (const t of p.tasks) {
        expect(t.title.length).toBeGreaterThan(0);
        expect(t.description.length).toBeGreaterThan(t.title.length / 2);
        if (t.leadAgency !== null) expect(agencyKeys).toContain(t.leadAgency);
        for (const a of t.partnerAgencies) expect(agencyKeys).toContain(a);
        expect(t.partnerAgencies).not.toContain(t.leadAgency);
        for (const o of t.objectiveOrdinals) expect(objectiveOrdinals).toContain(o);
        if (t.schedule) expectValidSchedule(t.schedule);
        if (t.quantity) {
          expect(COMPARATORS).toContain(t.quantity.comparator);
          expect(t.quantity.value).toBeGreaterThan(0);
          if (t.quantity.per !== null) expect(PERIOD_TYPES).toContain(t.quantity.per);
        }
      }
    });

    it('has responsibilities for existing agencies, objectives and targets', () => {
      expect(p.responsibilities.length).toBeGreaterThan(0);
      for (const r of p.responsibilities) {
        expect(agencyKeys).toContain(r.agency);
        expect(ROLES).toContain(r.role);
        for (const o of r.objectiveOrdinals) expect(objectiveOrdinals).toContain(o);
        for (const label of r.targetLabels) {
          const [o, t] = label.split('.').map(Number);
          expect(r.objectiveOrdinals).toContain(o);
          expect(p.objectives.find((x) => x.ordinal === o)?.targets.some((x) => x.ordinal === t)).toBe(true);
        }
      }
      // every body with a responsibility is an agency, and every agency but the issuing committee has one
      const responsible = new Set(p.responsibilities.map((r) => r.agency));
      for (const a of p.agencies) if (a.kind !== 'PEOPLES_COMMITTEE' || a.key.includes('xa-thi-tran')) expect(responsible).toContain(a.key);
    });

    it('has valid reporting obligations', () => {
      expect(p.reportingObligations.length).toBeGreaterThan(0);
      for (const r of p.reportingObligations) {
        expect(REPORT_KINDS).toContain(r.kind);
        if (r.reporter !== null) expect(agencyKeys).toContain(r.reporter);
        expect(r.recipient.length).toBeGreaterThan(0);
        expect(r.dueDay === null).toBe(r.dueMonth === null);
        if (r.dueDay !== null && r.dueMonth !== null) expect(isValidDayMonth(r.dueDay, r.dueMonth)).toBe(true);
        if (r.dueDate !== null) {
          expect(isValidDate(r.dueDate)).toBe(true);
          const y = Number(r.dueDate.slice(0, 4));
          expect(y).toBeGreaterThanOrEqual(p.firstYear);
          expect(y).toBeLessThanOrEqual(p.lastYear);
          if (r.dueDay !== null) expect(r.dueDate.slice(5)).toBe(`${String(r.dueMonth).padStart(2, '0')}-${String(r.dueDay).padStart(2, '0')}`);
        }
        if (r.kind === 'MIDTERM' || r.kind === 'FINAL') {
          expect(r.year).not.toBeNull();
          expect(r.year!).toBeGreaterThanOrEqual(p.firstYear);
          expect(r.year!).toBeLessThanOrEqual(p.lastYear);
        }
      }
    });
  });

  function expectValidSchedule(s: SeedSchedule): void {
    switch (s.kind) {
      case 'DATE_RANGE':
        expect(isValidDate(s.from) && isValidDate(s.to) && s.from <= s.to).toBe(true);
        break;
      case 'YEARLY_RANGE':
        expect(isValidDayMonth(s.fromDay, s.fromMonth) && isValidDayMonth(s.toDay, s.toMonth)).toBe(true);
        break;
      case 'FIXED_DAYS':
        expect(s.days.length).toBeGreaterThan(0);
        for (const d of s.days) expect(isValidDayMonth(d.day, d.month)).toBe(true);
        break;
      case 'CONTINUOUS':
        break;
      default:
        throw new Error(`unknown schedule ${JSON.stringify(s)}`);
    }
  }
});

describe('facts from the original plans', () => {
  it('owns each plan by the right unit at the right date', () => {
    expect(plans.map((p) => [p.key, p.unitCode, p.unitAsOf])).toEqual([
      ['loi-bac-2026', '06601', '2026-06-01'],
      ['an-lao-2024', '313', '2024-06-01'],
      ['bat-trang-2026', '00577', '2026-06-01'],
      ['binh-luong-2023', '16204', '2024-06-01'],
      ['nam-gia-nghia-2026', '24615', '2026-06-01'],
    ]);
  });

  it('never invents a number or an issue date: all five leave them blank', () => {
    for (const p of plans) {
      expect(p.number).toBeNull();
      expect(p.issuedOn).toBeNull();
      expect(p.status).toBe('DRAFT');
    }
  });

  it('records the upper-level plan or letter each plan implements', () => {
    expect(plans.map((p) => [p.implements?.number, p.implements?.issuedOn])).toEqual([
      ['158/KH-UBND', '2026-04-26'],
      ['111/KH-UBND', '2024-04-24'],
      ['67/KH-UBND', '2026-02-14'],
      ['659/UBND-LĐTBXH', '2023-04-10'],
      ['5857/KH-UBND', '2026-04-29'],
    ]);
  });

  describe('Lợi Bác 2026–2030', () => {
    const p = plan('loi-bac-2026');
    const objective = (n: number) => p.objectives.find((o) => o.ordinal === n)!;

    it('is a multi-year plan 2026–2030 signed by Chu Mạnh Dũng', () => {
      expect([p.kind, p.firstYear, p.lastYear, p.signer]).toEqual(['MULTI_YEAR', 2026, 2030, 'Chu Mạnh Dũng']);
    });

    it('keeps its general objective, signer capacity and distribution list as written', () => {
      expect(p.generalObjective).toMatch(/^Tiếp tục thu hẹp khoảng cách giới, .* góp phần vào sự phát triển bền vững của xã\.$/);
      expect(p.signerCapacity).toBe('TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH');
      expect(p.distributionList?.[0]).toBe('Sở Nội vụ (b/c);');
      expect(p.distributionList?.at(-1)).toMatch(/^Lưu: VT, VHXH/);
    });

    it('has its 6 objectives in order', () => {
      expect(p.objectives.map((o) => [o.ordinal, o.domain])).toEqual([
        [1, 'POLITICS'], [2, 'ECONOMY_LABOUR'], [3, 'FAMILY_GBV'], [4, 'HEALTH'], [5, 'EDUCATION'], [6, 'INFORMATION_COMMUNICATION'],
      ]);
      expect(objective(1).title).toBe('Trong lĩnh vực chính trị');
      expect(objective(6).title).toBe('Trong lĩnh vực thông tin, truyền thông');
      expect(p.objectives.map((o) => o.targets.length)).toEqual([1, 3, 5, 2, 4, 3]);
    });

    it('objective 4 target 1: sex ratio at birth at most 103 by 2030', () => {
      const t = objective(4).targets[0];
      expect(t.ordinal).toBe(1);
      expect(byCode.get(t.indicator!)?.valueType).toBe('RATIO');
      expect(t).toMatchObject({ measure: 'TOTAL', comparator: 'AT_MOST', targetValue: 103, dueYear: 2030, periodType: 'YEAR' });
      expect(t.text).toContain('103 bé trai/100 bé gái');
    });

    it('objective 1: 75% of divisions and villages with a female key leader by 2030', () => {
      const t = objective(1).targets[0];
      expect(t).toMatchObject({ indicator: 'FEMALE_KEY_LEADER', measure: 'TOTAL', comparator: 'AT_LEAST', targetValue: 75, dueYear: 2030 });
      expect(byCode.get('FEMALE_KEY_LEADER')?.valueType).toBe('BOOLEAN');
    });

    it('objective 2: female wage workers above 60%, female agricultural labour below 25%, female directors at least 30%', () => {
      expect(objective(2).targets.map((t) => [t.indicator, t.measure, t.comparator, t.targetValue, t.dueYear])).toEqual([
        ['WAGE_EMPLOYMENT_RATE', 'FEMALE', 'ABOVE', 60, 2030],
        ['AGRICULTURE_EMPLOYMENT_SHARE', 'FEMALE', 'BELOW', 25, 2030],
        ['ENTERPRISE_DIRECTOR', 'FEMALE_SHARE', 'AT_LEAST', 30, 2030],
      ]);
    });

    it('objective 3 splits chỉ tiêu 2 into victims (90%) and perpetrators (70%), and unpaid care is at most 1.4 × men', () => {
      expect(objective(3).targets.map((t) => [t.label, t.measure, t.comparator, t.targetValue])).toEqual([
        ['Chỉ tiêu 1', 'FEMALE_TO_MALE_RATIO', 'AT_MOST', 1.4],
        ['Chỉ tiêu 2 (a)', 'TOTAL', 'AT_LEAST', 90],
        ['Chỉ tiêu 2 (b)', 'TOTAL', 'AT_LEAST', 70],
        ['Chỉ tiêu 3', 'TOTAL', 'AT_LEAST', 100],
        ['Chỉ tiêu 4', 'TOTAL', 'AT_LEAST', 1],
      ]);
      expect(byCode.get(objective(3).targets[0].indicator!)?.valueType).toBe('MEAN');
    });

    it('objective 4 target 2: adolescent births below 2 per 1,000 women from a baseline of 2', () => {
      const t = objective(4).targets[1];
      expect(t).toMatchObject({ indicator: 'ADOLESCENT_BIRTH_RATE', measure: 'TOTAL', comparator: 'BELOW', targetValue: 2, dueYear: 2030 });
      expect(t.baseline?.value).toBe(2);
    });

    it('objective 5: ethnic-minority completion for boys and girls each, primary above 98% and lower secondary 87%', () => {
      const [c1, a, b, c3] = objective(5).targets;
      expect(c1.indicator).toBeNull();
      expect([a.label, a.indicator, a.measure, a.comparator, a.targetValue]).toEqual(['Chỉ tiêu 2 (a)', 'EM_PRIMARY_COMPLETION', 'EACH_SEX', 'ABOVE', 98]);
      expect([b.label, b.indicator, b.measure, b.comparator, b.targetValue]).toEqual(['Chỉ tiêu 2 (b)', 'EM_LOWER_SECONDARY_COMPLETION', 'EACH_SEX', 'AT_LEAST', 87]);
      expect([c3.measure, c3.comparator, c3.targetValue]).toEqual(['FEMALE_SHARE', 'AT_LEAST', 20]);
    });

    it('objective 6 target 3: at least one news item every quarter', () => {
      const t = objective(6).targets[2];
      expect(t).toMatchObject({ indicator: 'GE_NEWS_ITEM', measure: 'TOTAL', comparator: 'AT_LEAST', targetValue: 1, periodType: 'QUARTER' });
    });

    it('the Economic division reports objective 2 and the Culture–Social division objectives 1, 3, 4, 5, 6', () => {
      const reports = (agency: string) => p.responsibilities
        .filter((r) => r.agency === agency && r.role === 'MONITOR_AND_REPORT')
        .flatMap((r) => r.objectiveOrdinals).sort();
      expect(p.agencies.find((a) => a.key === 'phong-kinh-te')?.kind).toBe('ECONOMIC_DIVISION');
      expect(p.agencies.find((a) => a.key === 'phong-van-hoa-xa-hoi')?.kind).toBe('CULTURE_SOCIAL_DIVISION');
      expect(reports('phong-kinh-te')).toEqual([2]);
      expect(reports('phong-van-hoa-xa-hoi')).toEqual([1, 3, 4, 5, 6]);
    });

    it('the Office and the commune police report chỉ tiêu 2 and 3 of objective 3 (target ordinals 2–4)', () => {
      for (const agency of ['van-phong-hdnd-ubnd', 'cong-an-xa']) {
        const r = p.responsibilities.find((x) => x.agency === agency && x.role === 'MONITOR_AND_REPORT')!;
        expect(r.targetLabels).toEqual(['3.2', '3.3', '3.4']);
        const labels = r.targetLabels.map((l) => objective(3).targets[Number(l.split('.')[1]) - 1].label);
        expect(labels.every((l) => /^Chỉ tiêu [23]\b/.test(l))).toBe(true);
      }
    });

    it('holds a midterm review in 2028 and a final review in 2030', () => {
      const years = (kind: ReportKind) => [...new Set(p.reportingObligations.filter((r) => r.kind === kind).map((r) => r.year))];
      expect(years('MIDTERM')).toEqual([2028]);
      expect(years('FINAL')).toEqual([2030]);
    });

    it('schedules communication on 28/6 and 20/10', () => {
      const t = p.tasks.find((x) => x.schedule?.kind === 'FIXED_DAYS');
      expect(t?.schedule).toEqual({ kind: 'FIXED_DAYS', days: [{ day: 28, month: 6 }, { day: 20, month: 10 }] });
    });
  });

  describe('An Lão 2024', () => {
    const p = plan('an-lao-2024');

    it('is an annual 2024 plan with 7 task groups and no stated objectives', () => {
      expect([p.kind, p.firstYear, p.lastYear]).toEqual(['ANNUAL', 2024, 2024]);
      expect(p.objectives).toEqual([]);
      expect(new Set(p.tasks.map((t) => t.group?.split(' ')[0]))).toEqual(new Set(['II.1', 'II.2', 'II.3', 'II.4', 'II.5', 'II.6', 'II.7']));
    });

    it('names the 11 sections of responsible bodies, district divisions among them', () => {
      expect(p.agencies.find((a) => a.key === 'phong-ldtbxh')?.kind).toBe('DISTRICT_DIVISION');
      expect(p.agencies.find((a) => a.key === 'chi-cuc-thong-ke')?.kind).toBe('DISTRICT_DIVISION');
      expect(new Set(p.responsibilities.map((r) => r.agency)).size).toBe(14);
    });

    it('has the six-month report due 05/6 and the annual report due 05/12', () => {
      const due = (kind: ReportKind) => p.reportingObligations.filter((r) => r.kind === kind && r.dueDay !== null).map((r) => [r.dueDay, r.dueMonth, r.dueDate]);
      expect(due('SIX_MONTH').length).toBeGreaterThan(0);
      expect(due('ANNUAL').length).toBeGreaterThan(0);
      for (const d of due('SIX_MONTH')) expect(d).toEqual([5, 6, '2024-06-05']);
      for (const d of due('ANNUAL')) expect(d).toEqual([5, 12, '2024-12-05']);
      for (const r of p.reportingObligations.filter((x) => x.dueDay !== null)) expect(r.recipient).toContain('Lao động - Thương binh và Xã hội');
    });
  });

  describe('Bát Tràng 2026', () => {
    const p = plan('bat-trang-2026');

    it('schedules the commemoration days and the Action Month', () => {
      const fixed = p.tasks.filter((t) => t.schedule?.kind === 'FIXED_DAYS').map((t) => t.schedule);
      expect(fixed).toContainEqual({ kind: 'FIXED_DAYS', days: [{ day: 8, month: 3 }, { day: 20, month: 3 }, { day: 28, month: 6 }, { day: 20, month: 10 }] });
      expect(p.tasks.filter((t) => t.schedule?.kind === 'YEARLY_RANGE').map((t) => t.schedule))
        .toContainEqual({ kind: 'YEARLY_RANGE', fromDay: 15, fromMonth: 11, toDay: 15, toMonth: 12 });
    });
  });

  describe('Bình Lương 2023', () => {
    const p = plan('binh-luong-2023');

    it('implements the district letter and has no number, place or signer', () => {
      expect(p.implements?.issuer).toBe('Uỷ ban nhân dân huyện Như Xuân');
      expect([p.number, p.issuedPlace, p.signer]).toEqual([null, null, null]);
      expect(p.tasks.length).toBe(9);
    });
  });

  describe('Nam Gia Nghĩa 2026', () => {
    const p = plan('nam-gia-nghia-2026');
    const targets = allTargets(p);

    it('makes every quantified chỉ tiêu a machine-readable target', () => {
      expect(targets.length).toBe(13);
      expect(targets.every((t) => t.indicator !== null)).toBe(true);
    });

    it('"Mỗi quý đăng tải ít nhất 04 tin, bài" is a COUNT judged per quarter, at least 4', () => {
      const t = targets.find((x) => x.text.startsWith('Mỗi quý đăng tải ít nhất 04 tin, bài'))!;
      expect(byCode.get(t.indicator!)?.valueType).toBe('COUNT');
      expect(t).toMatchObject({ periodType: 'QUARTER', comparator: 'AT_LEAST', targetValue: 4, measure: 'TOTAL' });
    });

    it('at least 2 conferences a year, 100% of residential groups reached, at least 1 inspection', () => {
      const find = (prefix: string) => targets.find((x) => x.text.startsWith(prefix))!;
      expect(find('Tổ chức ít nhất 02 hội nghị')).toMatchObject({ comparator: 'AT_LEAST', targetValue: 2, periodType: 'YEAR' });
      const reached = find('100% tổ dân phố được tuyên truyền');
      expect(byCode.get(reached.indicator!)).toMatchObject({ valueType: 'BOOLEAN', entryLevel: 'VILLAGE' });
      expect(reached).toMatchObject({ comparator: 'AT_LEAST', targetValue: 100 });
      expect(find('Tổ chức ít nhất 01 cuộc kiểm tra')).toMatchObject({ comparator: 'AT_LEAST', targetValue: 1 });
    });

    it('carries the quantities on the tasks too (≥4 items a quarter, ≥2 conferences a year)', () => {
      const q = p.tasks.map((t) => t.quantity).filter((x) => x !== null);
      expect(q).toContainEqual({ comparator: 'AT_LEAST', value: 4, unit: 'tin, bài', per: 'QUARTER' });
      expect(q).toContainEqual(expect.objectContaining({ comparator: 'AT_LEAST', value: 2, per: 'YEAR' }));
    });

    it('has a reporting obligation due 25/11', () => {
      const r = p.reportingObligations.find((x) => x.dueDay === 25 && x.dueMonth === 11);
      expect(r).toBeDefined();
      expect(r?.recipient).toContain('phòng Văn hóa – Xã hội');
      expect(r?.description).toContain('trước ngày 25/11');
    });
  });
});
