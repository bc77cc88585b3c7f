import { PeriodType } from '../indicators/indicator-enums';
import { BadUserInputError } from '../core/errors';
import { Comparator, Measure } from './plan.enums';

export interface TargetFields {
  indicatorCode: string | null;
  measure: Measure | null;
  comparator: Comparator | null;
  targetValue: number | null;
  tolerance: number | null;
  dueYear: number | null;
  baselineYear: number | null;
  baselineValue: number | null;
  milestones: { year: number; value: number }[];
  periodType: PeriodType | null;
}

/** What target validation reads of an indicator (the stored catalogue's Indicator has it all). */
export interface TargetIndicator {
  code: string;
  valueType: string;
  factor: number;
  unitOfMeasure: string;
  sexDisaggregated: boolean;
  periodType: string;
  temporalAggregation: string;
}

/** The catalogue as validation sees it: the indicator of a code, if there is one. */
export type IndicatorLookup = (code: string) => TargetIndicator | undefined;

const SEX_MEASURES = [Measure.FEMALE, Measure.MALE, Measure.FEMALE_SHARE, Measure.FEMALE_TO_MALE_RATIO, Measure.GAP, Measure.EACH_SEX];
const MONTHS: Record<string, number> = { MONTH: 1, QUARTER: 3, SEMESTER: 6, YEAR: 12 };

/** Why `value` cannot be a value of `measure` on `indicator`, or null when it can. */
export function valueProblem(indicator: TargetIndicator, measure: Measure, value: number): string | null {
  if (!Number.isFinite(value)) return 'must be a finite number';
  switch (measure) {
    case Measure.FEMALE_SHARE:
      return value < 0 || value > 100 ? `a female share is a percentage between 0 and 100, got ${value}` : null;
    case Measure.FEMALE_TO_MALE_RATIO:
      return value <= 0 ? `a female-to-male ratio must be positive, got ${value}` : null;
    case Measure.GAP:
      if ((indicator.valueType === 'PROPORTION' || indicator.valueType === 'BOOLEAN') && Math.abs(value) > indicator.factor) {
        return `a gap between two ${indicator.valueType.toLowerCase()}s lies between -${indicator.factor} and ${indicator.factor}, got ${value}`;
      }
      return null;
    default:
      if (indicator.valueType === 'PROPORTION' || indicator.valueType === 'BOOLEAN') {
        return value < 0 || value > indicator.factor ? `${indicator.code} is a ${indicator.valueType.toLowerCase()} between 0 and ${indicator.factor} (${indicator.unitOfMeasure}), got ${value}` : null;
      }
      if (indicator.valueType === 'COUNT') return value < 0 || !Number.isInteger(value) ? `${indicator.code} is a count: a non-negative whole number, got ${value}` : null;
      return value < 0 ? `${indicator.code} cannot be negative, got ${value}` : null;
  }
}

/**
 * Checks a target's machine-readable form against its indicator in the catalogue as stored (value
 * type, factor, sex disaggregation) and the plan's period. Throws BAD_USER_INPUT naming the offending field.
 */
/** What validation reads of the sentence: whether it speaks of a share, and whether the writer chose the measure or got TOTAL by default. */
export interface TargetWording {
  text: string;
  measureStated: boolean;
}

/** "30% nữ", "tỷ lệ nữ …", "phần trăm": the sentence counts a share of persons, not persons. */
export function speaksOfShare(text: string): boolean {
  const folded = text.normalize('NFC').toLowerCase();
  return /%|t[ỷỉ] (lệ|trọng)|phần trăm/u.test(folded);
}

const COUNTED_MEASURES = [Measure.TOTAL, Measure.FEMALE, Measure.MALE, Measure.GAP, Measure.EACH_SEX];

/**
 * A target on a sex-disaggregated indicator whose sentence speaks of a share must say which
 * measure it means: "30% nữ giám đốc" on ENTERPRISE_DIRECTOR (a count) defaulted to TOTAL would
 * become 30 directors. On a count, a measure that counts persons cannot be a share at all.
 */
function checkShareWording(t: TargetFields, indicator: TargetIndicator, wording: TargetWording | undefined): void {
  if (!wording || !indicator.sexDisaggregated || !speaksOfShare(wording.text)) return;
  if (!wording.measureStated) {
    throw new BadUserInputError(`the text speaks of a share and ${indicator.code} is disaggregated by sex: give the measure (FEMALE_SHARE for the women's share, FEMALE for the women's rate, TOTAL for everyone)`, 'measure');
  }
  if (indicator.valueType === 'COUNT' && COUNTED_MEASURES.includes(t.measure as Measure)) {
    throw new BadUserInputError(`the text speaks of a share but ${t.measure} on the count ${indicator.code} is a number of persons: use FEMALE_SHARE (or FEMALE_TO_MALE_RATIO)`, 'measure');
  }
}

/** APPROXIMATELY needs a tolerance (60 ± 2); no other comparator takes one. */
function checkTolerance(t: TargetFields): void {
  if (t.comparator === Comparator.APPROXIMATELY) {
    if (t.tolerance === null) throw new BadUserInputError('APPROXIMATELY needs a tolerance: 60 ± 2 is targetValue 60, tolerance 2', 'tolerance');
    if (!Number.isFinite(t.tolerance) || t.tolerance < 0) throw new BadUserInputError(`tolerance must be a number ≥ 0, got ${t.tolerance}`, 'tolerance');
    return;
  }
  if (t.tolerance !== null) throw new BadUserInputError(`a tolerance goes with the APPROXIMATELY comparator only, not ${t.comparator ?? 'no comparator'}`, 'tolerance');
}

/**
 * Values that pass validation but are likely written on the wrong scale: 0.6 for 60% on a
 * percentage, 1.09 for a sex ratio counted per 100 girls (109), 140 for a female-to-male ratio of
 * 1.4. Warnings, not refusals: 0.6% can be meant.
 */
export function scaleWarnings(t: Pick<TargetFields, 'measure' | 'targetValue' | 'baselineValue' | 'milestones'>, indicator: TargetIndicator): string[] {
  if (!t.measure) return [];
  const values: [string, number | null][] = [['targetValue', t.targetValue], ['baseline', t.baselineValue], ...t.milestones.map((m): [string, number] => [`milestone ${m.year}`, m.value])];
  const percent = t.measure === Measure.FEMALE_SHARE || (indicator.factor === 100 && ['PROPORTION', 'BOOLEAN', 'RATIO'].includes(indicator.valueType) && t.measure !== Measure.FEMALE_TO_MALE_RATIO && t.measure !== Measure.GAP);
  const warnings: string[] = [];
  for (const [field, value] of values) {
    if (value === null || value === 0) continue;
    if (percent && indicator.valueType === 'RATIO' && t.measure !== Measure.FEMALE_SHARE && Math.abs(value) < 10) {
      warnings.push(`${field} ${value}: ${indicator.code} is counted per ${indicator.factor} (${indicator.unitOfMeasure}); did you mean ${round(value * 100)}?`);
    } else if (percent && Math.abs(value) < 1) {
      warnings.push(`${field} ${value}: ${t.measure === Measure.FEMALE_SHARE ? 'a female share' : indicator.code} is a percentage (0–100); did you mean ${round(value * 100)}%?`);
    } else if (t.measure === Measure.FEMALE_TO_MALE_RATIO && value >= 10) {
      warnings.push(`${field} ${value}: a female-to-male ratio is F ÷ M (1.4 means women 1.4 times men); did you mean ${round(value / 100)}?`);
    }
  }
  return warnings;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

export function validateTarget(t: TargetFields, plan: { firstYear: number; lastYear: number }, indicatorOf: IndicatorLookup, wording?: TargetWording): void {
  if (t.dueYear !== null && (t.dueYear < plan.firstYear || t.dueYear > plan.lastYear)) {
    throw new BadUserInputError(`dueYear ${t.dueYear} is outside the plan's period ${plan.firstYear}–${plan.lastYear}`, 'dueYear');
  }
  for (const m of t.milestones) {
    if (m.year < plan.firstYear || m.year > plan.lastYear) throw new BadUserInputError(`milestone year ${m.year} is outside the plan's period ${plan.firstYear}–${plan.lastYear}`, 'milestones');
    if (t.dueYear !== null && m.year > t.dueYear) throw new BadUserInputError(`milestone year ${m.year} is after the due year ${t.dueYear}`, 'milestones');
  }
  if ((t.baselineYear === null) !== (t.baselineValue === null)) throw new BadUserInputError('a baseline needs both a year and a value', 'baseline');
  if (t.baselineYear !== null) {
    if (t.baselineYear > plan.lastYear) throw new BadUserInputError(`baseline year ${t.baselineYear} is after the plan's last year ${plan.lastYear}`, 'baseline');
    if (t.dueYear !== null && t.baselineYear >= t.dueYear) throw new BadUserInputError(`baseline year ${t.baselineYear} is not before the due year ${t.dueYear}`, 'baseline');
  }
  if (t.indicatorCode === null) {
    if (t.measure !== null || t.comparator !== null || t.targetValue !== null || t.tolerance !== null || t.baselineYear !== null || t.milestones.length) {
      throw new BadUserInputError('a target with a measure, comparator, value, tolerance, baseline or milestones needs an indicator', 'indicator');
    }
    return;
  }
  const indicator = indicatorOf(t.indicatorCode);
  if (!indicator) throw new BadUserInputError(`No indicator with code "${t.indicatorCode}"`, 'indicator');
  if (t.measure === null) throw new BadUserInputError('a target on an indicator needs a measure', 'measure');
  if (SEX_MEASURES.includes(t.measure) && !indicator.sexDisaggregated) {
    throw new BadUserInputError(`${t.measure} needs an indicator disaggregated by sex; ${indicator.code} is not`, 'measure');
  }
  if (t.measure === Measure.FEMALE_SHARE && indicator.valueType !== 'COUNT') {
    throw new BadUserInputError(`FEMALE_SHARE is the women's share of a count of persons; ${indicator.code} is a ${indicator.valueType}`, 'measure');
  }
  if (t.measure === Measure.FEMALE_TO_MALE_RATIO && indicator.valueType === 'BOOLEAN') {
    throw new BadUserInputError(`FEMALE_TO_MALE_RATIO does not apply to the yes/no indicator ${indicator.code}`, 'measure');
  }
  checkShareWording(t, indicator, wording);
  if (t.comparator === null) throw new BadUserInputError('a target on an indicator needs a comparator', 'comparator');
  checkTolerance(t);
  if (t.targetValue === null) throw new BadUserInputError('a target on an indicator needs a target value', 'targetValue');
  const problem = valueProblem(indicator, t.measure, t.targetValue);
  if (problem) throw new BadUserInputError(`targetValue: ${problem}`, 'targetValue', { indicator: indicator.code, measure: t.measure });
  if (t.baselineValue !== null) {
    const p = valueProblem(indicator, t.measure, t.baselineValue);
    if (p) throw new BadUserInputError(`baseline: ${p}`, 'baseline');
  }
  for (const m of t.milestones) {
    const p = valueProblem(indicator, t.measure, m.value);
    if (p) throw new BadUserInputError(`milestone ${m.year}: ${p}`, 'milestones');
  }
  if (t.periodType && t.periodType !== PeriodType.YEAR) {
    if (MONTHS[indicator.periodType] > MONTHS[t.periodType]) {
      throw new BadUserInputError(`${indicator.code} is entered per ${indicator.periodType}, too seldom for a target per ${t.periodType}`, 'periodType');
    }
    if (t.periodType !== indicator.periodType && indicator.temporalAggregation !== 'FLOW') {
      throw new BadUserInputError(`a target per ${t.periodType} on the stock ${indicator.code} cannot be judged`, 'periodType');
    }
  }
}
