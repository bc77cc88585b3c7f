import type { RequestContext } from '../core/context';
import { BadUserInputError } from '../core/errors';
import { pathPrefixSql, validOnSql } from '../core/sql';
import { TemporalAggregation, ValueType } from '../indicators/indicator-enums';
import { Indicator } from '../indicators/indicator.entity';
import { findIndicatorByCode } from '../indicators/indicator.service';
import { Observation } from '../observations/observation.entity';
import { restrictObservations } from '../observations/observation.service';
import { parsePeriod, Period, periodEnd, periodProblem, periodsWithin } from '../observations/period';
import { AdministrativeUnit, unitAt } from '../tenancy/administrative-unit.entity';
import { UnitLevel } from '../tenancy/unit-level';
import { UnitPlacement } from '../tenancy/unit-placement.entity';
import { placementOn, requireUnitByCode } from '../tenancy/unit.service';
import { Breakdown, StatisticsArgs } from './statistics.inputs';
import { Aggregate, StatisticsResult, StatisticsRow } from './statistics.types';

export const MAX_PERIODS = 40;

/** The rows of one request shape: the row units (in order) and, per indicator id, one row per unit in the same order. */
export interface ComputedRows {
  units: AdministrativeUnit[];
  rows: Map<number, StatisticsRow[]>;
}

/**
 * Statistics of one indicator for an area over periods. Each period is read in the hierarchy in
 * force on its last day (2024 rolls up through legacy districts, 2026 through current units), and
 * `area` is resolved on that day. The result's `area` is the area of the latest period asked for.
 */
export async function statistics(ctx: RequestContext, args: StatisticsArgs): Promise<StatisticsResult> {
  const indicator = await findIndicatorByCode(ctx, args.indicator);
  if (!indicator) throw new BadUserInputError(`Unknown indicator "${args.indicator}"`, 'indicator');
  const codes = [...new Set(args.periods.map((p) => p.trim()))];
  if (!codes.length) throw new BadUserInputError('Ask for at least one period', 'periods');
  if (codes.length > MAX_PERIODS) throw new BadUserInputError(`At most ${MAX_PERIODS} periods at once`, 'periods');
  const periods = codes.map((code) => {
    const period = parsePeriod(code);
    if (!period) throw new BadUserInputError(periodProblem(code) as string, 'periods');
    if (!periodsWithin(period, indicator.periodType).length) throw new BadUserInputError(`${indicator.code} is entered per ${indicator.periodType}; "${code}" is shorter`, 'periods');
    return period;
  });
  const breakdown = args.breakdown ?? Breakdown.NONE;
  if (breakdown === Breakdown.LEVEL && !args.level) throw new BadUserInputError('breakdown LEVEL needs a level', 'level');
  const rows: StatisticsRow[] = [];
  let area: AdministrativeUnit | null = null;
  let areaDate = '';
  // One shape per period (its own hierarchy date): row units, one aggregate query, one coverage query.
  for (const period of periods) {
    const date = periodEnd(period);
    const unit = await requireUnitByCode(ctx, args.area, 'area', date);
    const computed = await computeRows(ctx, [indicator], unit, period, date, breakdown, args.level ?? null);
    rows.push(...(computed.rows.get(indicator.id) ?? []));
    if (date >= areaDate) [area, areaDate] = [unit, date];
  }
  return Object.assign(new StatisticsResult(), { indicator, area: area as AdministrativeUnit, rows });
}

/** The placements of the row units on `date`, in code order, restricted to the viewer's subtree. */
async function rowPlacements(ctx: RequestContext, area: AdministrativeUnit, date: string, breakdown: Breakdown, level: UnitLevel | null): Promise<UnitPlacement[]> {
  const areaPlacement = await placementOn(ctx, area, date);
  if (!areaPlacement) throw new BadUserInputError(`Unit "${area.code}" has no place in the hierarchy on ${date}`, 'area');
  if (breakdown === Breakdown.NONE) return [areaPlacement];
  const qb = ctx.dataSource
    .getRepository(UnitPlacement)
    .createQueryBuilder('p')
    .innerJoin(AdministrativeUnit, 'u', 'u.id = p.unit_id')
    .where(validOnSql('p', 'date'), { date });
  if (breakdown === Breakdown.CHILDREN) qb.andWhere('p.parent_id = :areaId', { areaId: area.id });
  else {
    const prefix = pathPrefixSql(ctx.dataSource, 'p.path', areaPlacement.path);
    qb.andWhere(prefix.sql, prefix.params).andWhere('u.level = :level', { level });
  }
  ctx.access.restrict(qb, 'p.unit_id');
  return qb.orderBy('u.code', 'ASC').addOrderBy('u.id', 'ASC').getMany();
}

interface Sums {
  n: number;
  d: number;
  rows: number;
}

const emptySums = (): Sums => ({ n: 0, d: 0, rows: 0 });

function add(into: Sums, from: Sums | undefined): void {
  if (!from) return;
  into.n += from.n;
  into.d += from.d;
  into.rows += from.rows;
}

function aggregate(sums: Sums, factor: number): Aggregate | null {
  if (!sums.rows) return null;
  return Object.assign(new Aggregate(), { numerator: sums.n, denominator: sums.d, value: sums.d ? (factor * sums.n) / sums.d : null });
}

/**
 * Rows for several indicators in one shape (area, period, breakdown): one query for the row
 * units, one aggregate query joining each observation's placement on `date` to the row unit whose
 * path prefixes it, one coverage query. Observations are summed per entry unit, sub-period and sex
 * in SQL; the rest is arithmetic on those sums:
 * - FLOW: every stored sub-period of the indicator's period type inside `period` is summed.
 * - STOCK: for each entry unit, its latest sub-period with any data inside `period` is taken (a
 *   unit that last reported in Q2 still counts with its Q2 stock; a stock is never summed over time).
 * - total: per (unit, sub-period), FEMALE + MALE when the unit gave a split, else its TOTAL row.
 * Values are always the ratio of the sums, never a mean of rates.
 *
 * Scale: the aggregate reads the observations below the row units live (grouped per entry unit),
 * which is fine for a province or a commune; a national roll-up over every village would want a
 * maintained rollup table, which this subset does not have.
 */
export async function computeRows(ctx: RequestContext, indicators: Indicator[], area: AdministrativeUnit, period: Period, date: string, breakdown: Breakdown, level: UnitLevel | null): Promise<ComputedRows> {
  const placements = await rowPlacements(ctx, area, date, breakdown, level);
  const rowIds = placements.map((p) => p.unitId);
  const units = (await ctx.loaders.unitById.loadMany(rowIds)).map((u) => unitAt(u as AdministrativeUnit, date));
  const result: ComputedRows = { units, rows: new Map() };
  if (!rowIds.length) {
    indicators.forEach((i) => result.rows.set(i.id, []));
    return result;
  }

  // --- one aggregate query
  const prefixJoin = 'substr(p.path, 1, length(a.path)) = a.path';
  const shapes = indicators.map((indicator, i) => ({ indicator, i, subPeriods: periodsWithin(period, indicator.periodType).map((p) => p.code) })).filter((s) => s.subPeriods.length);
  type Raw = { rowUnit: number; indicatorId: number; unitId: number; period: string; sex: string; n: number | string; d: number | string; c: number | string };
  let raw: Raw[] = [];
  if (shapes.length) {
    const qb = ctx.dataSource
      .createQueryBuilder()
      .select('a.unit_id', 'rowUnit')
      .addSelect('o.indicator_id', 'indicatorId')
      .addSelect('o.unit_id', 'unitId')
      .addSelect('o.period', 'period')
      .addSelect('o.sex', 'sex')
      .addSelect('SUM(o.numerator)', 'n')
      .addSelect('SUM(o.denominator)', 'd')
      .addSelect('COUNT(*)', 'c')
      .from(Observation, 'o')
      .innerJoin(AdministrativeUnit, 'eu', 'eu.id = o.unit_id')
      .innerJoin(UnitPlacement, 'p', `p.unit_id = o.unit_id AND ${validOnSql('p', 'date')}`)
      .innerJoin(UnitPlacement, 'a', `a.unit_id IN (:...rowIds) AND ${validOnSql('a', 'date')} AND ${prefixJoin}`)
      .where(`o.disaggregation = ''`)
      .andWhere(`(${shapes.map((s) => `(o.indicator_id = :ind${s.i} AND eu.level = :lvl${s.i} AND o.period IN (:...per${s.i}))`).join(' OR ')})`)
      .setParameters(Object.assign({ date, rowIds }, ...shapes.map((s) => ({ [`ind${s.i}`]: s.indicator.id, [`lvl${s.i}`]: s.indicator.entryLevel, [`per${s.i}`]: s.subPeriods }))))
      .groupBy('a.unit_id')
      .addGroupBy('o.indicator_id')
      .addGroupBy('o.unit_id')
      .addGroupBy('o.period')
      .addGroupBy('o.sex');
    restrictObservations(ctx, qb, 'o');
    raw = await qb.getRawMany<Raw>();
  }

  // --- one coverage query: entry-level units under each row unit on the date
  const levels = [...new Set(indicators.map((i) => i.entryLevel))];
  const coverage: { rowUnit: number; level: string; n: number | string }[] = await ctx.dataSource
    .createQueryBuilder()
    .select('a.unit_id', 'rowUnit')
    .addSelect('eu.level', 'level')
    .addSelect('COUNT(DISTINCT p.unit_id)', 'n')
    .from(UnitPlacement, 'a')
    .innerJoin(UnitPlacement, 'p', `${validOnSql('p', 'date')} AND ${prefixJoin}`)
    .innerJoin(AdministrativeUnit, 'eu', 'eu.id = p.unit_id AND eu.level IN (:...levels)')
    .where('a.unit_id IN (:...rowIds)')
    .andWhere(validOnSql('a', 'date'))
    .setParameters({ date, rowIds, levels })
    .groupBy('a.unit_id')
    .addGroupBy('eu.level')
    .getRawMany();
  const expected = new Map(coverage.map((c) => [`${c.rowUnit}:${c.level}`, Number(c.n)]));

  // indicator → row unit → entry unit → sub-period → sex → sums
  const tree = new Map<number, Map<number, Map<number, Map<string, Map<string, Sums>>>>>();
  const child = <K, V>(map: Map<K, V>, key: K, make: () => V): V => {
    let value = map.get(key);
    if (value === undefined) map.set(key, (value = make()));
    return value;
  };
  for (const r of raw) {
    const byPeriod = child(child(child(tree, Number(r.indicatorId), () => new Map()), Number(r.rowUnit), () => new Map()), Number(r.unitId), () => new Map());
    child(byPeriod, r.period, () => new Map()).set(r.sex, { n: Number(r.n), d: Number(r.d), rows: Number(r.c) });
  }

  for (const indicator of indicators) {
    const byRow = tree.get(indicator.id);
    result.rows.set(
      indicator.id,
      placements.map((placement, index) => {
        const female = emptySums();
        const male = emptySums();
        const total = emptySums();
        let reporting = 0;
        for (const byPeriod of byRow?.get(placement.unitId)?.values() ?? []) {
          const subPeriods = [...byPeriod.keys()].sort();
          // STOCK: the entry unit's latest sub-period with data (codes of one period type sort chronologically).
          const chosen = indicator.temporalAggregation === TemporalAggregation.STOCK ? subPeriods.slice(-1) : subPeriods;
          if (chosen.length) reporting += 1;
          for (const sub of chosen) {
            const bySex = byPeriod.get(sub) as Map<string, Sums>;
            const f = bySex.get('FEMALE');
            const m = bySex.get('MALE');
            add(female, f);
            add(male, m);
            if (f || m) {
              add(total, f);
              add(total, m);
            } else add(total, bySex.get('TOTAL'));
          }
        }
        return buildRow(indicator, units[index], period.code, aggregate(female, indicator.factor), aggregate(male, indicator.factor), aggregate(total, indicator.factor), reporting, expected.get(`${placement.unitId}:${indicator.entryLevel}`) ?? 0);
      }),
    );
  }
  return result;
}

export function buildRow(indicator: Indicator, unit: AdministrativeUnit, period: string, female: Aggregate | null, male: Aggregate | null, total: Aggregate | null, reportingUnits: number, expectedUnits: number): StatisticsRow {
  const fv = female?.value ?? null;
  const mv = male?.value ?? null;
  let femaleShare: number | null = null;
  if (female && male) {
    const [f, m] = indicator.valueType === ValueType.COUNT ? [female.numerator, male.numerator] : [fv, mv];
    if (f !== null && m !== null && f + m !== 0) femaleShare = (f / (f + m)) * 100;
  }
  return Object.assign(new StatisticsRow(), {
    unit,
    period,
    female,
    male,
    total,
    femaleShare,
    femaleToMaleRatio: fv !== null && mv !== null && mv !== 0 ? fv / mv : null,
    gap: fv !== null && mv !== null ? fv - mv : null,
    reportingUnits,
    expectedUnits,
  });
}

