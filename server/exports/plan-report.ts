import type { RequestContext } from '../request-context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import { Indicator } from '../indicators/indicator.entity';
import { parsePeriod, Period } from '../observations/period';
import { Comparator, Measure, ReportKind, ScheduleKind } from '../plans/plan.enums';
import { agenciesByIds, findPlan, scheduleOf, unitOf } from '../plans/plan.service';
import { Plan } from '../plans/plan.entity';
import { Target } from '../plans/target.entity';
import { Task } from '../plans/task.entity';
import { UnitLevel } from '../tenancy/unit-level';
import { deadlineOf, vietnamDate } from '../statistics/completeness.service';
import { Breakdown } from '../statistics/statistics.inputs';
import { TargetProgress, TargetStatus } from '../statistics/statistics.types';
import { machineTargets, planRows, targetProgress } from '../statistics/target-progress.service';
import { textParam } from './export-table';

/**
 * The periodic report on a plan (báo cáo kết quả thực hiện kế hoạch), drafted from the data: what
 * the .docx and .xlsx writers lay out. Every text is NFC and typeset (see typeset); dates are
 * dd/mm/yyyy, numbers written the Vietnamese way (37,5). The judgements are `targetProgress`'s, word for word.
 */
export interface PlanReport {
  /** "Xã Lợi Bác": the plan's unit, read as `Plan.unit` reads it. */
  unitName: string;
  planNumber: string | null;
  planTitle: string;
  issuedOn: string | null;
  years: string;
  period: string;
  /** "năm 2026", "6 tháng đầu năm 2026", "quý III năm 2026". */
  periodName: string;
  draftedOn: string;
  objectives: ReportObjective[];
  tasks: ReportTask[];
  completeness: ReportCompleteness[];
  obligations: ReportObligation[];
}

export interface ReportObjective {
  ordinal: number;
  title: string;
  targets: ReportTarget[];
}

export interface ReportTarget {
  label: string;
  text: string;
  baseline: string;
  actual: string;
  target: string;
  /** Null for a target without a machine-readable form (not judged). */
  status: TargetStatus | null;
  statusLabel: string;
}

export interface ReportTask {
  ordinal: number;
  title: string;
  lead: string;
  schedule: string;
  state: string;
}

export interface ReportCompleteness {
  indicator: string;
  name: string;
  entryLevel: string;
  reported: number;
  expected: number;
  /** Units below whose entry units have not all reported: "Thôn Nà Lìa (0/1)". */
  missing: string[];
}

export interface ReportObligation {
  kind: string;
  recipient: string;
  deadline: string;
  submitted: string;
}

export const STATUS_LABELS: Record<TargetStatus, string> = {
  [TargetStatus.MET]: 'Đạt',
  [TargetStatus.ON_TRACK]: 'Đúng tiến độ',
  [TargetStatus.OFF_TRACK]: 'Chậm tiến độ',
  [TargetStatus.NOT_MET]: 'Không đạt',
  [TargetStatus.NO_DATA]: 'Chưa có số liệu',
};
export const NOT_JUDGED = 'Không đánh giá tự động';

const COMPARATORS: Record<Comparator, string> = {
  [Comparator.AT_LEAST]: '≥',
  [Comparator.ABOVE]: '>',
  [Comparator.AT_MOST]: '≤',
  [Comparator.BELOW]: '<',
  [Comparator.EQUAL]: '=',
  [Comparator.APPROXIMATELY]: '≈',
};

const REPORT_KINDS: Record<ReportKind, string> = {
  [ReportKind.SIX_MONTH]: 'Báo cáo 6 tháng',
  [ReportKind.ANNUAL]: 'Báo cáo năm',
  [ReportKind.MIDTERM]: 'Báo cáo sơ kết',
  [ReportKind.FINAL]: 'Báo cáo tổng kết',
  [ReportKind.QUARTERLY]: 'Báo cáo quý',
  [ReportKind.AD_HOC]: 'Báo cáo đột xuất',
};

const ENTRY_LEVELS: Partial<Record<UnitLevel, string>> = {
  [UnitLevel.PROVINCE]: 'tỉnh, thành phố',
  [UnitLevel.DISTRICT]: 'huyện',
  [UnitLevel.COMMUNE]: 'xã, phường',
  [UnitLevel.VILLAGE]: 'thôn, tổ dân phố',
};

const DASH = '–';
const ROMAN = ['I', 'II', 'III', 'IV'];

/** The query parameters: `plan` (id) and `period`, each exactly once. */
export function planReportParams(params: URLSearchParams): { plan: string; period: string } {
  const plan = textParam(params, 'plan');
  const period = textParam(params, 'period');
  if (!plan) throw new BadUserInputError('Give the plan: ?plan=ID', 'plan');
  if (!period) throw new BadUserInputError('Give the period: ?period=2026', 'period');
  return { plan, period };
}

/** Reads everything the report shows, through the same access as the GraphQL queries. */
export async function buildPlanReport(ctx: RequestContext, planId: string, periodCode: string): Promise<PlanReport> {
  const progress = await targetProgress(ctx, planId, periodCode);
  const plan = await findPlan(ctx, planId);
  if (!plan) throw new ForbiddenError('Not found or not allowed: plan');
  const period = parsePeriod(periodCode.trim()) as Period;
  const [unit, objectives, targets, tasks, { catalogue }] = await Promise.all([
    unitOf(ctx, plan),
    ctx.loaders.objectivesByPlan.load(plan.id),
    ctx.loaders.targetsByPlan.load(plan.id),
    ctx.loaders.tasksByPlan.load(plan.id),
    machineTargets(ctx, plan),
  ]);
  const judged = new Map(progress.map((p) => [p.target.id, p]));
  return {
    unitName: typeset(unit.fullName),
    planNumber: plan.number ? typeset(plan.number) : null,
    planTitle: typeset(plan.title),
    issuedOn: plan.issuedOn ? dayMonthYear(plan.issuedOn) : null,
    years: plan.firstYear === plan.lastYear ? String(plan.firstYear) : `${plan.firstYear}${DASH}${plan.lastYear}`,
    period: period.code,
    periodName: periodName(period),
    draftedOn: dayMonthYear(vietnamDate(new Date().toISOString())),
    objectives: objectives.map((o) => ({
      ordinal: o.ordinal,
      title: typeset(o.title),
      targets: targets
        .filter((t) => t.objectiveId === o.id)
        .sort((a, b) => a.ordinal - b.ordinal)
        .map((t) => reportTarget(t, judged.get(t.id) ?? null, t.indicatorCode ? catalogue.get(t.indicatorCode) : undefined)),
    })),
    tasks: await reportTasks(ctx, tasks),
    completeness: await reportCompleteness(ctx, plan, typeset(unit.fullName), progress, catalogue, period),
    obligations: await reportObligations(ctx, plan.id, period),
  };
}

function reportTarget(target: Target, judged: TargetProgress | null, indicator: Indicator | undefined): ReportTarget {
  const unit = measureUnit(target.measure, indicator);
  const baseline = target.baselineYear !== null && target.baselineValue !== null ? `${quantity(target.baselineValue, unit)} (${target.baselineYear})` : DASH;
  if (!judged) {
    const stated = target.comparator && target.targetValue !== null ? `${COMPARATORS[target.comparator]} ${quantity(target.targetValue, unit)}` : DASH;
    return { label: typeset(target.label ?? String(target.ordinal)), text: typeset(target.text), baseline, actual: DASH, target: stated, status: null, statusLabel: NOT_JUDGED };
  }
  const tolerance = judged.tolerance !== null ? ` (± ${number(judged.tolerance)})` : '';
  const due = target.dueYear ? ` (${target.dueYear})` : '';
  return {
    label: typeset(target.label ?? String(target.ordinal)),
    text: typeset(target.text),
    baseline,
    actual: judged.actual === null ? DASH : quantity(judged.actual, unit),
    target: `${COMPARATORS[judged.comparator]} ${quantity(judged.targetValue, unit)}${tolerance}${due}`,
    status: judged.status,
    statusLabel: STATUS_LABELS[judged.status],
  };
}

/** The unit a target's values are written in: a share in %, a ratio in "lần", else the indicator's unit. */
function measureUnit(measure: Measure | null, indicator: Indicator | undefined): string {
  if (measure === Measure.FEMALE_SHARE) return '%';
  if (measure === Measure.FEMALE_TO_MALE_RATIO) return 'lần';
  return typeset(indicator?.unitOfMeasure ?? '');
}

const NUMBER = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });

function number(value: number): string {
  return NUMBER.format(value);
}

function quantity(value: number, unit: string): string {
  if (!unit) return number(value);
  return unit === '%' ? `${number(value)}%` : `${number(value)} ${unit}`;
}

async function reportTasks(ctx: RequestContext, tasks: Task[]): Promise<ReportTask[]> {
  const agencies = new Map((await agenciesByIds(ctx, [...new Set(tasks.map((t) => t.leadAgencyId).filter((id): id is number => id !== null))])).map((a) => [a.id, a]));
  return [...tasks]
    .sort((a, b) => a.ordinal - b.ordinal)
    .map((t) => ({
      ordinal: t.ordinal,
      title: typeset(t.title),
      lead: t.leadAgencyId !== null ? typeset(agencies.get(t.leadAgencyId)?.name ?? DASH) : DASH,
      schedule: scheduleText(t),
      state: t.status ? typeset(t.status) : 'Chưa cập nhật',
    }));
}

function scheduleText(task: Task): string {
  const schedule = scheduleOf(task);
  if (!schedule) return DASH;
  const day = (d: { day: number; month: number }) => `${pad(d.day)}/${pad(d.month)}`;
  switch (schedule.kind) {
    case ScheduleKind.DATE_RANGE:
      return `${dayMonthYear(schedule.from as string)} ${DASH} ${dayMonthYear(schedule.to as string)}`;
    case ScheduleKind.YEARLY_RANGE:
      return `Hằng năm, ${day(schedule.yearlyFrom as { day: number; month: number })} ${DASH} ${day(schedule.yearlyTo as { day: number; month: number })}`;
    case ScheduleKind.FIXED_DAYS:
      return `Hằng năm, ngày ${schedule.days.map(day).join(', ')}`;
    default:
      return 'Thường xuyên';
  }
}

/**
 * Per indicator of the plan's targets: how many of its entry units in the plan's area reported
 * for the period (the coverage `targetProgress` judged on), and the units just below the area
 * (the territory's units, for a dissolved unit's plan) that did not all report.
 */
async function reportCompleteness(ctx: RequestContext, plan: Plan, unitName: string, progress: TargetProgress[], catalogue: Map<string, Indicator>, period: Period): Promise<ReportCompleteness[]> {
  const codes = [...new Set(progress.map((p) => p.target.indicatorCode as string))];
  const indicators = codes.map((c) => catalogue.get(c)).filter((i): i is Indicator => !!i);
  if (!indicators.length) return [];
  const children = await planRows(ctx, plan, indicators, period, Breakdown.CHILDREN);
  return indicators.map((indicator) => {
    const judged = progress.find((p) => p.target.indicatorCode === indicator.code) as TargetProgress;
    const rows = children?.rows.get(indicator.id) ?? [];
    const below = rows.filter((r) => r.reportingUnits < r.expectedUnits).map((r) => `${typeset(r.unit.fullName)} (${r.reportingUnits}/${r.expectedUnits})`);
    // The plan's own unit is the one entering the data (a commune's plan, a commune indicator).
    const missing = below.length || judged.reportingUnits >= judged.expectedUnits ? below : [`${unitName} (${judged.reportingUnits}/${judged.expectedUnits})`];
    return { indicator: indicator.code, name: typeset(indicator.name), entryLevel: ENTRY_LEVELS[indicator.entryLevel] ?? DASH, reported: judged.reportingUnits, expected: judged.expectedUnits, missing };
  });
}

async function reportObligations(ctx: RequestContext, planId: number, period: Period): Promise<ReportObligation[]> {
  // A midterm or final report is owed for its own year only.
  const obligations = (await ctx.loaders.obligationsByPlan.load(planId)).filter((o) => o.year === null || o.year === period.year);
  const submissions = await ctx.loaders.submissionsByObligation.loadMany(obligations.map((o) => o.id));
  return obligations.map((o, i) => {
    const mine = Array.isArray(submissions[i]) ? submissions[i].filter((s) => s.period === period.code) : [];
    const deadline = deadlineOf(o, period);
    return {
      kind: REPORT_KINDS[o.kind] ?? o.kind,
      recipient: typeset(o.recipient),
      deadline: deadline ? dayMonthYear(deadline) : DASH,
      submitted: mine.length ? `Đã gửi ngày ${dayMonthYear(vietnamDate(mine[0].submittedAt))}` : 'Chưa gửi',
    };
  });
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 2026-04-26 → 26/04/2026. */
export function dayMonthYear(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

function periodName(period: Period): string {
  switch (period.type) {
    case 'SEMESTER':
      return period.index === 1 ? `6 tháng đầu năm ${period.year}` : `6 tháng cuối năm ${period.year}`;
    case 'QUARTER':
      return `quý ${ROMAN[period.index - 1]} năm ${period.year}`;
    case 'MONTH':
      return `tháng ${pad(period.index)}/${period.year}`;
    default:
      return `năm ${period.year}`;
  }
}

/**
 * Text as a printed report sets it: NFC, typographic quotes (“…”) for straight ones, an en dash
 * for a spaced hyphen ("kinh tế – xã hội") and between years (2026–2030), an ellipsis for three
 * dots. The stored text keeps what was typed; only the draft is set.
 */
export function typeset(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\b(\d{4}) ?- ?(\d{4})\b/g, '$1–$2')
    .replace(/(^|[\s([{])"/g, '$1“')
    .replace(/"/g, '”')
    .replace(/ - /g, ' – ')
    .replace(/\.\.\./g, '…');
}
