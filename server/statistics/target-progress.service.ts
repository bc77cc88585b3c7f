import type { RequestContext } from '../request-context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import { PeriodType, TemporalAggregation, ValueType } from '../indicators/indicator-enums';
import { Indicator } from '../indicators/indicator.entity';
import { valueOf } from '../indicators/indicator-value';
import { parsePeriod, Period, periodEnd, periodProblem, periodsWithin } from '../observations/period';
import { commonAncestor, planArea } from '../plans/plan-territory';
import { Plan } from '../plans/plan.entity';
import { Comparator, Measure } from '../plans/plan.enums';
import { findPlan } from '../plans/plan.service';
import { scaleWarnings } from '../plans/target-validation';
import { Target, TargetPoint } from '../plans/target.entity';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import { Breakdown } from './statistics.inputs';
import { buildRow, computeRows, ComputedRows } from './statistics.service';
import { Aggregate, StatisticsRow, TargetProgress, TargetStatus } from './statistics.types';

export type MachineTarget = Target & { indicatorCode: string; measure: Measure; comparator: Comparator; targetValue: number };

export function isMachineReadable(t: Target): t is MachineTarget {
  return !!t.indicatorCode && !!t.measure && !!t.comparator && t.targetValue !== null && t.targetValue !== undefined;
}

/** Progress of every machine-readable target of a plan in a period (per child unit with CHILDREN), in objective, then target order. */
export async function targetProgress(ctx: RequestContext, planId: string, periodCode: string, breakdown: Breakdown = Breakdown.NONE): Promise<TargetProgress[]> {
  const period = parsePeriod(periodCode.trim());
  if (!period) throw new BadUserInputError(periodProblem(periodCode) as string, 'period');
  if (breakdown === Breakdown.LEVEL) throw new BadUserInputError('targetProgress breaks down by NONE or CHILDREN', 'breakdown');
  const plan = await findPlan(ctx, planId);
  if (!plan) throw new ForbiddenError('Not found or not allowed: plan');
  const { targets, judged, catalogue } = await targetsJudgedIn(ctx, plan, period);
  if (targets.length && !judged.length) {
    throw new BadUserInputError(`No target of this plan is judged over a period as short as ${period.code}: its targets are judged per ${[...new Set(targets.map((t) => t.periodType ?? PeriodType.YEAR))].join(', ')}`, 'period');
  }
  return progressOfPlan(ctx, plan, judged, catalogue, period, breakdown);
}

/** `Target.progress(period)`: the plan's unit, computed once per (plan, period) per request; null when the target is not judged over such a period. */
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
    pending = ctx.loaders.planById.load(target.planId).then(async (plan) => {
      if (!plan) return [];
      const { judged, catalogue } = await targetsJudgedIn(ctx, plan, period);
      return progressOfPlan(ctx, plan, judged, catalogue, period, Breakdown.NONE);
    });
    cache.set(key, pending);
  }
  return (await pending).find((p) => p.target.id === target.id) ?? null;
}

/** Scale slips of a target's values against its indicator (see scaleWarnings). */
export async function warningsOfTarget(ctx: RequestContext, target: Target): Promise<string[]> {
  if (!target.indicatorCode) return [];
  const indicator = await ctx.loaders.indicatorByCode.load(target.indicatorCode);
  return indicator ? scaleWarnings(target, indicator) : [];
}

/** The plan's machine-readable targets, those of them judged over the period, and the catalogue; a period outside the plan is refused. */
async function targetsJudgedIn(ctx: RequestContext, plan: Plan, period: Period): Promise<{ targets: MachineTarget[]; judged: MachineTarget[]; catalogue: Map<string, Indicator> }> {
  checkWithinPlan(plan, period);
  const { targets, catalogue } = await machineTargets(ctx, plan);
  return { targets, judged: targets.filter((t) => judgedIn(t, catalogue.get(t.indicatorCode), period)), catalogue };
}

/** A plan is judged in its own years only: 2019 or 2035 on a 2021–2030 plan is a mistake, not a lack of data. */
function checkWithinPlan(plan: Plan, period: Period): void {
  if (period.year < plan.firstYear || period.year > plan.lastYear) {
    throw new BadUserInputError(`period ${period.code} is outside the plan's years ${plan.firstYear}–${plan.lastYear}`, 'period');
  }
}

const MONTHS: Record<PeriodType, number> = { MONTH: 1, QUARTER: 3, SEMESTER: 6, YEAR: 12 };

/** A target is judged over periods no shorter than its own period type, nor than its indicator's entry period. */
function judgedIn(target: MachineTarget, indicator: Indicator | undefined, period: Period): boolean {
  const own = target.periodType ?? PeriodType.YEAR;
  if (MONTHS[period.type as PeriodType] < MONTHS[own]) return false;
  return !indicator || periodsWithin(period, indicator.periodType).length > 0;
}

/** The plan's machine-readable targets in objective order, then target order, and the catalogue. */
export async function machineTargets(ctx: RequestContext, plan: Plan): Promise<{ targets: MachineTarget[]; catalogue: Map<string, Indicator> }> {
  const [objectives, all, indicators] = await Promise.all([ctx.loaders.objectivesByPlan.load(plan.id), ctx.loaders.targetsByPlan.load(plan.id), ctx.loaders.allIndicators.load('all')]);
  const rank = new Map(objectives.map((o) => [o.id, o.ordinal]));
  const targets = all.filter(isMachineReadable).sort((a, b) => (rank.get(a.objectiveId) ?? 0) - (rank.get(b.objectiveId) ?? 0) || a.ordinal - b.ordinal || a.id - b.id);
  return { targets, catalogue: new Map(indicators.map((i) => [i.code, i])) };
}

/**
 * Rows of the plan's area in a period: its unit (or, with CHILDREN, the unit's children) while it
 * is in force; after a dissolution the territory it covered (plan-territory.ts), summed into one
 * row for the plan's unit, or one row per unit of the territory with CHILDREN.
 */
export async function planRows(ctx: RequestContext, plan: Plan, indicators: Indicator[], period: Period, breakdown: Breakdown): Promise<ComputedRows | null> {
  const date = periodEnd(period);
  const area = await planArea(ctx, plan, date);
  if (!area) return null;
  if (!area.successors) return computeRows(ctx, indicators, area.unit, period, area.unit.asOf, breakdown, null);
  const parts = await territoryRows(ctx, indicators, area.successors, period, date);
  if (breakdown === Breakdown.CHILDREN) return parts;
  return { units: [area.unit], rows: new Map(indicators.map((i) => [i.id, [sumRows(i, area.unit, period.code, parts.rows.get(i.id) ?? [])]])) };
}

/** One row per unit of the territory, through one statistics query per level (their common ancestor broken down by LEVEL). */
async function territoryRows(ctx: RequestContext, indicators: Indicator[], units: AdministrativeUnit[], period: Period, date: string): Promise<ComputedRows> {
  const result: ComputedRows = { units: [], rows: new Map(indicators.map((i) => [i.id, []])) };
  const levels = [...new Set(units.map((u) => u.level))];
  for (const level of levels) {
    const members = units.filter((u) => u.level === level);
    const root = members.length === 1 ? null : await commonAncestor(ctx, members, date);
    const computed = root ? await computeRows(ctx, indicators, root, period, date, Breakdown.LEVEL, level) : await computeRows(ctx, indicators, members[0], period, date, Breakdown.NONE, null);
    const wanted = new Set(members.map((u) => u.id));
    computed.units.forEach((unit, index) => {
      if (!wanted.has(unit.id)) return;
      result.units.push(unit);
      indicators.forEach((i) => result.rows.get(i.id)?.push((computed.rows.get(i.id) ?? [])[index]));
    });
  }
  return result;
}

/** The territory's rows summed: components add up (ratio of sums), and so does coverage. */
function sumRows(indicator: Indicator, unit: AdministrativeUnit, period: string, rows: StatisticsRow[]): StatisticsRow {
  const sum = (pick: (r: StatisticsRow) => Aggregate | null): Aggregate | null => {
    const parts = rows.map(pick).filter((a): a is Aggregate => a !== null);
    if (!parts.length) return null;
    const numerator = parts.reduce((n, a) => n + a.numerator, 0);
    const denominator = parts.reduce((d, a) => d + a.denominator, 0);
    return Object.assign(new Aggregate(), { numerator, denominator, value: valueOf(indicator, numerator, denominator) });
  };
  const reporting = rows.reduce((n, r) => n + r.reportingUnits, 0);
  const expected = rows.reduce((n, r) => n + r.expectedUnits, 0);
  return buildRow(indicator, unit, period, sum((r) => r.female), sum((r) => r.male), sum((r) => r.total), reporting, expected);
}

async function progressOfPlan(ctx: RequestContext, plan: Plan, targets: MachineTarget[], catalogue: Map<string, Indicator>, period: Period, breakdown: Breakdown): Promise<TargetProgress[]> {
  if (!targets.length) return [];
  const indicators = [...new Map(targets.map((t) => catalogue.get(t.indicatorCode)).filter((i): i is Indicator => !!i).map((i) => [i.id, i])).values()];
  const current = await planRows(ctx, plan, indicators, period, breakdown);
  if (!current) return [];
  // Targets without a baseline draw their line from the actual of the same period (year, quarter…)
  // in the plan's first year: a quarter's count is compared with a quarter's, not with a year's.
  const firstPeriod = parsePeriod(`${plan.firstYear}${period.code.slice(4)}`);
  const needFirst = targets.filter((t) => t.baselineYear === null || t.baselineValue === null).map((t) => catalogue.get(t.indicatorCode)).filter((i): i is Indicator => !!i);
  const first = firstPeriod && needFirst.length && period.year > plan.firstYear ? await planRows(ctx, plan, [...new Set(needFirst)], firstPeriod, breakdown) : null;

  const progress: TargetProgress[] = [];
  for (const target of targets) {
    const indicator = catalogue.get(target.indicatorCode);
    const scale = indicator ? targetScale(target, indicator, period) : 1;
    const warnings = indicator ? scaleWarnings(target, indicator) : [];
    const scaled = scaledTarget(target, scale);
    current.units.forEach((unit, index) => {
      const row = indicator ? current.rows.get(indicator.id)?.[index] : undefined;
      const actual = row ? measureOf(row, target.measure, target.comparator, scaled.targetValue) : null;
      let baseline: TargetPoint | null = scaled.baselineYear !== null && scaled.baselineValue !== null ? { year: scaled.baselineYear, value: scaled.baselineValue } : null;
      if (!baseline && actual !== null) {
        if (period.year <= plan.firstYear) baseline = { year: period.year, value: actual };
        else {
          const at = first && indicator ? first.units.findIndex((u) => u.id === unit.id) : -1;
          const firstRow = at >= 0 && indicator ? first?.rows.get(indicator.id)?.[at] : undefined;
          const value = firstRow ? measureOf(firstRow, target.measure, target.comparator, scaled.targetValue) : null;
          if (value !== null) baseline = { year: plan.firstYear, value };
        }
      }
      progress.push(judge(scaled, unit, period, actual, baseline, row, warnings));
    });
  }
  return progress;
}

/** The target over the judged period: values (and the tolerance) times the target's periods it holds. A copy with the prototype: a target's global id is a getter, which a spread would drop. */
function scaledTarget(target: MachineTarget, scale: number): MachineTarget {
  const times = (x: number | null) => (x === null ? null : x * scale);
  return Object.assign(Object.create(Object.getPrototypeOf(target)) as MachineTarget, target, {
    targetValue: target.targetValue * scale,
    tolerance: times(target.tolerance),
    baselineValue: times(target.baselineValue),
    milestones: (target.milestones ?? []).map((m) => ({ year: m.year, value: m.value * scale })),
  });
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

/** The target's measure in a row; EACH_SEX is the worse sex with respect to the comparator (for EQUAL and APPROXIMATELY, the farther from the target). */
export function measureOf(row: StatisticsRow, measure: Measure, comparator: Comparator, target: number): number | null {
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
      if (comparator === Comparator.EQUAL || comparator === Comparator.APPROXIMATELY) return Math.abs(f - target) >= Math.abs(m - target) ? f : m;
      return comparator === Comparator.AT_MOST || comparator === Comparator.BELOW ? Math.max(f, m) : Math.min(f, m);
  }
  return null;
}

const EPSILON = 1e-9;

export function holds(actual: number, comparator: Comparator, target: number, tolerance: number | null = null): boolean {
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
    case Comparator.APPROXIMATELY:
      return Math.abs(actual - target) <= (tolerance ?? 0) + EPSILON;
  }
}

/** Positive while there is still some way to go; APPROXIMATELY counts from the edge of its band. */
export function distanceOf(actual: number, comparator: Comparator, target: number, tolerance: number | null = null): number {
  if (comparator === Comparator.AT_LEAST || comparator === Comparator.ABOVE) return target - actual;
  if (comparator === Comparator.AT_MOST || comparator === Comparator.BELOW) return actual - target;
  if (comparator === Comparator.APPROXIMATELY) return Math.abs(target - actual) - (tolerance ?? 0);
  return Math.abs(target - actual);
}

/**
 * The value expected in `year` on the line through the target's points: the baseline, the
 * milestones, and the target in its due year, straight between each two (40 in 2021, 50 in 2025,
 * 60 in 2030 expect 45 in 2023 and 56 in 2028). Before the first point, none (no line drawn yet);
 * after the last, the last.
 */
export function expectedValue(points: TargetPoint[], year: number): number | null {
  const byYear = new Map<number, number>();
  for (const p of points) byYear.set(p.year, p.value);
  const line = [...byYear].map(([y, value]) => ({ year: y, value })).sort((a, b) => a.year - b.year);
  if (!line.length || year < line[0].year) return null;
  for (let i = 1; i < line.length; i++) {
    const [a, b] = [line[i - 1], line[i]];
    if (year <= b.year) return a.value + ((b.value - a.value) * (year - a.year)) / (b.year - a.year);
  }
  return line[line.length - 1].value;
}

/**
 * MET when the comparator holds. Otherwise, before the due year (a target without one is due every
 * year), ON_TRACK when the actual is at or beyond the expected value (the line from the baseline
 * through the milestones to the target, see expectedValue), else OFF_TRACK (also when no line can
 * be drawn); NOT_MET from the due year on; NO_DATA without an actual.
 */
export function judge(target: MachineTarget, unit: AdministrativeUnit, period: Period, actual: number | null, baseline: TargetPoint | null, row: StatisticsRow | undefined, warnings: string[] = []): TargetProgress {
  const due = target.dueYear ?? period.year;
  const points = [...(baseline ? [baseline] : []), ...(target.milestones ?? []).filter((m) => m.year < due && (!baseline || m.year > baseline.year)), { year: due, value: target.targetValue }];
  const expected = period.year < due && points.length > 1 ? expectedValue(points, period.year) : null;
  const tolerance = target.tolerance ?? null;
  let status: TargetStatus;
  if (actual === null) status = TargetStatus.NO_DATA;
  else if (holds(actual, target.comparator, target.targetValue, tolerance)) status = TargetStatus.MET;
  else if (period.year >= due) status = TargetStatus.NOT_MET;
  else if (expected === null) status = TargetStatus.OFF_TRACK;
  else status = distanceOf(actual, target.comparator, target.targetValue, tolerance) <= distanceOf(expected, target.comparator, target.targetValue, tolerance) + EPSILON ? TargetStatus.ON_TRACK : TargetStatus.OFF_TRACK;
  return Object.assign(new TargetProgress(), {
    target,
    unit,
    period: period.code,
    measure: target.measure,
    actual,
    targetValue: target.targetValue,
    comparator: target.comparator,
    tolerance,
    status,
    distance: actual === null ? null : distanceOf(actual, target.comparator, target.targetValue, tolerance),
    expected,
    warnings,
    reportingUnits: row?.reportingUnits ?? 0,
    expectedUnits: row?.expectedUnits ?? 0,
  });
}
