import type { RequestContext } from '../request-context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import { TemporalAggregation, ValueType } from '../indicators/indicator-enums';
import { Indicator } from '../indicators/indicator.entity';
import { parsePeriod, Period, periodEnd, periodProblem, periodsWithin } from '../observations/period';
import { Plan } from '../plans/plan.entity';
import { Comparator, Measure } from '../plans/plan.enums';
import { findPlan } from '../plans/plan.service';
import { Target } from '../plans/target.entity';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import { Breakdown } from './statistics.inputs';
import { computeRows, ComputedRows } from './statistics.service';
import { StatisticsRow, TargetProgress, TargetStatus } from './statistics.types';

type MachineTarget = Target & { indicatorCode: string; measure: Measure; comparator: Comparator; targetValue: number };

export function isMachineReadable(t: Target): t is MachineTarget {
  return !!t.indicatorCode && !!t.measure && !!t.comparator && t.targetValue !== null && t.targetValue !== undefined;
}

/** Progress of every machine-readable target of a plan in a period (per child unit with CHILDREN). */
export async function targetProgress(ctx: RequestContext, planId: string, periodCode: string, breakdown: Breakdown = Breakdown.NONE): Promise<TargetProgress[]> {
  const period = parsePeriod(periodCode.trim());
  if (!period) throw new BadUserInputError(periodProblem(periodCode) as string, 'period');
  if (breakdown === Breakdown.LEVEL) throw new BadUserInputError('targetProgress breaks down by NONE or CHILDREN', 'breakdown');
  const plan = await findPlan(ctx, planId);
  if (!plan) throw new ForbiddenError('Not found or not allowed: plan');
  return progressOfPlan(ctx, plan, period, breakdown);
}

/** `Target.progress(period)`: the plan's unit, computed once per (plan, period) per request. */
const perRequest = new WeakMap<RequestContext, Map<string, Promise<TargetProgress[]>>>();
export async function progressOfTarget(ctx: RequestContext, target: Target, periodCode: string): Promise<TargetProgress | null> {
  const period = parsePeriod(periodCode.trim());
  if (!period) throw new BadUserInputError(periodProblem(periodCode) as string, 'period');
  if (!isMachineReadable(target)) return null;
  let cache = perRequest.get(ctx);
  if (!cache) perRequest.set(ctx, (cache = new Map()));
  const key = `${target.planId}:${period.code}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = ctx.loaders.planById.load(target.planId).then((plan) => (plan ? progressOfPlan(ctx, plan, period, Breakdown.NONE) : []));
    cache.set(key, pending);
  }
  return (await pending).find((p) => p.target.id === target.id) ?? null;
}

async function rowsFor(ctx: RequestContext, plan: Plan, indicators: Indicator[], period: Period, breakdown: Breakdown): Promise<ComputedRows | null> {
  // A plan of a unit no longer (or not yet) in force is read in the hierarchy of its lifetime.
  const unit = await ctx.loaders.unitOn.load({ id: plan.unitId, date: periodEnd(period) });
  if (!unit) return null;
  return computeRows(ctx, indicators, unit, period, unit.asOf, breakdown, null);
}

async function progressOfPlan(ctx: RequestContext, plan: Plan, period: Period, breakdown: Breakdown): Promise<TargetProgress[]> {
  const targets = (await ctx.loaders.targetsByPlan.load(plan.id)).filter(isMachineReadable);
  if (!targets.length) return [];
  const catalogue = new Map((await ctx.loaders.allIndicators.load('all')).map((i) => [i.code, i]));
  const indicators = [...new Map(targets.map((t) => catalogue.get(t.indicatorCode)).filter((i): i is Indicator => !!i).map((i) => [i.id, i])).values()];
  const current = await rowsFor(ctx, plan, indicators, period, breakdown);
  if (!current) return [];
  // Targets without a baseline draw their line from the actual of the same period (year, quarter…)
  // in the plan's first year: a quarter's count is compared with a quarter's, not with a year's.
  const firstPeriod = parsePeriod(`${plan.firstYear}${period.code.slice(4)}`);
  const needFirst = targets.filter((t) => t.baselineYear === null || t.baselineValue === null).map((t) => catalogue.get(t.indicatorCode)).filter((i): i is Indicator => !!i);
  const first = firstPeriod && needFirst.length && period.year > plan.firstYear ? await rowsFor(ctx, plan, [...new Set(needFirst)], firstPeriod, breakdown) : null;

  const progress: TargetProgress[] = [];
  for (const target of targets) {
    const indicator = catalogue.get(target.indicatorCode);
    const scale = indicator ? targetScale(target, indicator, period) : 1;
    current.units.forEach((unit, index) => {
      const row = indicator ? current.rows.get(indicator.id)?.[index] : undefined;
      const actual = row ? measureOf(row, target.measure, target.comparator) : null;
      let baseline: { year: number; value: number } | null = target.baselineYear !== null && target.baselineValue !== null ? { year: target.baselineYear, value: target.baselineValue * scale } : null;
      if (!baseline && actual !== null) {
        if (period.year <= plan.firstYear) baseline = { year: period.year, value: actual };
        else {
          const at = first && indicator ? first.units.findIndex((u) => u.id === unit.id) : -1;
          const firstRow = at >= 0 && indicator ? first?.rows.get(indicator.id)?.[at] : undefined;
          const value = firstRow ? measureOf(firstRow, target.measure, target.comparator) : null;
          if (value !== null) baseline = { year: plan.firstYear, value };
        }
      }
      // A copy with the prototype: a target's global id is a getter, which a spread would drop.
      progress.push(judge(Object.assign(Object.create(Object.getPrototypeOf(target)) as typeof target, target, { targetValue: target.targetValue * scale }), unit, period, actual, baseline, row));
    });
  }
  return progress;
}

const COUNTED = [Measure.TOTAL, Measure.FEMALE, Measure.MALE, Measure.GAP, Measure.EACH_SEX];

/**
 * How many of the target's own periods the judged period holds, when they add up: a COUNT flow
 * sums its sub-periods, so "mỗi quý ít nhất 01 tin, bài" (at least 1 a quarter) is at least 4
 * over a year. Shares and ratios, stocks and other value types do not add up over time: 1.
 */
export function targetScale(target: Target, indicator: Indicator, period: Period): number {
  if (indicator.valueType !== ValueType.COUNT || indicator.temporalAggregation !== TemporalAggregation.FLOW || !target.periodType || !COUNTED.includes(target.measure as Measure)) return 1;
  return Math.max(1, periodsWithin(period, target.periodType).length);
}

/** The target's measure in a row; EACH_SEX is the worse sex with respect to the comparator. */
export function measureOf(row: StatisticsRow, measure: Measure, comparator: Comparator): number | null {
  const f = row.female?.value ?? null;
  const m = row.male?.value ?? null;
  switch (measure) {
    case Measure.TOTAL:
      return row.total?.value ?? null;
    case Measure.FEMALE:
      return f;
    case Measure.MALE:
      return m;
    case Measure.FEMALE_SHARE:
      return row.femaleShare;
    case Measure.FEMALE_TO_MALE_RATIO:
      return row.femaleToMaleRatio;
    case Measure.GAP:
      return row.gap;
    case Measure.EACH_SEX:
      if (f === null || m === null) return null;
      return comparator === Comparator.AT_MOST || comparator === Comparator.BELOW ? Math.max(f, m) : Math.min(f, m);
  }
  return null;
}

const EPSILON = 1e-9;

export function holds(actual: number, comparator: Comparator, target: number): boolean {
  switch (comparator) {
    case Comparator.AT_LEAST:
      return actual >= target - EPSILON;
    case Comparator.ABOVE:
      return actual > target;
    case Comparator.AT_MOST:
      return actual <= target + EPSILON;
    case Comparator.BELOW:
      return actual < target;
    case Comparator.EQUAL:
      return Math.abs(actual - target) <= EPSILON;
  }
}

/** Positive while there is still some way to go. */
export function distanceOf(actual: number, comparator: Comparator, target: number): number {
  if (comparator === Comparator.AT_LEAST || comparator === Comparator.ABOVE) return target - actual;
  if (comparator === Comparator.AT_MOST || comparator === Comparator.BELOW) return actual - target;
  return Math.abs(target - actual);
}

/**
 * MET when the comparator holds. Otherwise, before the due year (a target without one is due every
 * year), ON_TRACK when the actual is at or beyond the straight line from the baseline to the
 * target at the period's year, else OFF_TRACK (also when no baseline can be drawn); NOT_MET from
 * the due year on; NO_DATA without an actual.
 */
export function judge(target: MachineTarget, unit: AdministrativeUnit, period: Period, actual: number | null, baseline: { year: number; value: number } | null, row: StatisticsRow | undefined): TargetProgress {
  const due = target.dueYear ?? period.year;
  let expected: number | null = null;
  if (baseline && period.year < due) {
    const share = baseline.year >= due ? 1 : Math.min(1, Math.max(0, (period.year - baseline.year) / (due - baseline.year)));
    expected = baseline.value + (target.targetValue - baseline.value) * share;
  }
  let status: TargetStatus;
  if (actual === null) status = TargetStatus.NO_DATA;
  else if (holds(actual, target.comparator, target.targetValue)) status = TargetStatus.MET;
  else if (period.year >= due) status = TargetStatus.NOT_MET;
  else if (expected === null) status = TargetStatus.OFF_TRACK;
  else status = distanceOf(actual, target.comparator, target.targetValue) <= distanceOf(expected, target.comparator, target.targetValue) + EPSILON ? TargetStatus.ON_TRACK : TargetStatus.OFF_TRACK;
  return Object.assign(new TargetProgress(), {
    target,
    unit,
    period: period.code,
    measure: target.measure,
    actual,
    targetValue: target.targetValue,
    comparator: target.comparator,
    status,
    distance: actual === null ? null : distanceOf(actual, target.comparator, target.targetValue),
    expected,
    reportingUnits: row?.reportingUnits ?? 0,
    expectedUnits: row?.expectedUnits ?? 0,
  });
}
