import { PeriodType } from '../indicators/indicator-enums';
import { BadUserInputError } from '../core/errors';
import { Comparator, Measure } from './plan.enums';

export interface TargetFields {
  indicatorCode: string | null;
  measure: Measure | null;
  comparator: Comparator | null;
  targetValue: number | null;
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
export function validateTarget(t: TargetFields, plan: { firstYear: number; lastYear: number }, indicatorOf: IndicatorLookup): void {
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
    if (t.measure !== null || t.comparator !== null || t.targetValue !== null || t.baselineYear !== null || t.milestones.length) {
      throw new BadUserInputError('a target with a measure, comparator, value, baseline or milestones needs an indicator', 'indicator');
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
  if (t.comparator === null) throw new BadUserInputError('a target on an indicator needs a comparator', 'comparator');
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
