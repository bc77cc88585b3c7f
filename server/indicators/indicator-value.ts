import { ValueType } from './indicator-enums';
import type { Indicator } from './indicator.entity';

/**
 * The one rule that turns (summed) components into a value (SPEC §1), used by statistics, target
 * progress, `Observation.value` and every export:
 * - COUNT: factor × Σnumerator. The summed denominator only tells how many units reported, so
 *   963 women deputies stay 963, not 963 ÷ 139 communes; FEMALE + MALE = TOTAL; a year of a flow
 *   is the sum of its sub-periods.
 * - PROPORTION, RATIO, MEAN, BOOLEAN: factor × Σnumerator ÷ Σdenominator (the ratio of the sums,
 *   never a mean of rates; for BOOLEAN the share of reporting units with the property).
 * Null when there is no value to give (a zero denominator) or the arithmetic leaves the finite
 * numbers: whatever is stored, a read answers instead of failing.
 */
export function valueOf(indicator: Pick<Indicator, 'valueType' | 'factor'>, numerator: number, denominator: number): number | null {
  if (indicator.valueType === ValueType.COUNT) return finiteOrNull(indicator.factor * numerator);
  return denominator ? finiteOrNull((indicator.factor * numerator) / denominator) : null;
}

/** `x` when it is a finite number, else null (GraphQL's Float and the exports have no Infinity or NaN). */
export function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}
