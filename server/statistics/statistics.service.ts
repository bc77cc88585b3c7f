import type { RequestContext } from '../request-context';
import { BadUserInputError } from '../core/errors';
import { referenceCache } from '../core/reference-cache';
import { pathPrefixSql, validOnSql } from '../core/sql';
import { dimensionsOf, fixedDimensionValues, notDeclared } from '../indicators/dimension-catalogue';
import { crossKeys, valueIn } from '../indicators/dimension-key';
import { DimensionValue } from '../indicators/dimension-value';
import { Indicator } from '../indicators/indicator.entity';
import { finiteOrNull, valueOf } from '../indicators/indicator-value';
import { findIndicatorByCode } from '../indicators/indicator.service';
import { Observation } from '../observations/observation.entity';
import { restrictRows } from '../auth/row-kinds';
import { canonicalPeriod, parsePeriod, Period, periodEnd, periodProblem, periodsWithin } from '../observations/period';
import { In } from 'typeorm';
import { AdministrativeUnit, dateWithinValidity, unitAt } from '../tenancy/administrative-unit.entity';
import { UnitLevel } from '../tenancy/unit-level';
import { UnitPlacement } from '../tenancy/unit-placement.entity';
import { placementOn, requireUnitByCode, loadUnitsAt } from '../tenancy/unit.service';
import { addContribution, Contribution, contributionsOf, emptyContribution, ObservationState, RollupScope, Sums } from './rollup.contribution';
import { entryFromRaw, ROLLUP_SELECT } from './rollup.store';
import { Breakdown, HierarchyBasis, StatisticsArgs } from './statistics.inputs';
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
  const codes = [...new Set(args.periods.map((p) => canonicalPeriod(p.trim())))];
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
  const cells = await statisticsCells(ctx, indicator, args.by ?? [], args.where ?? []);
  const basis = args.hierarchy ?? HierarchyBasis.PERIOD;
  const rows: StatisticsRow[] = [];
  let area: AdministrativeUnit | null = null;
  let areaDate = '';
  // One shape per period (its own hierarchy date, or today's on the CURRENT basis).
  for (const period of periods) {
    const date = basis === HierarchyBasis.CURRENT ? ctx.today : periodEnd(period);
    const unit = await requireUnitByCode(ctx, args.area, 'area', date);
    const computed = await computeRows(ctx, [indicator], unit, period, date, breakdown, args.level ?? null, basis, cells);
    rows.push(...(computed.rows.get(indicator.id) ?? []));
    if (date >= areaDate) [area, areaDate] = [unit, date];
  }
  return Object.assign(new StatisticsResult(), { indicator, area: area as AdministrativeUnit, rows });
}

/**
 * The cells a request asks for, as dimension keys in row order: every combination of the codes of
 * the `by` dimensions (in the order given, codes in code-list order), each with the `where` values;
 * [''] (the total over every value) without either. Names a wrong dimension or code precisely.
 */
export async function statisticsCells(ctx: RequestContext, indicator: Indicator, by: string[], where: { dimension: string; value: string }[]): Promise<string[]> {
  if (!by.length && !where.length) return [''];
  const declared = dimensionsOf(indicator);
  const codeLists = await ctx.loaders.dimensions.load('all');
  const byDimensions = by.map((d) => d.trim().toUpperCase());
  for (const d of byDimensions) if (!declared.includes(d)) throw new BadUserInputError(notDeclared(indicator, d, declared), 'by');
  if (new Set(byDimensions).size !== byDimensions.length) throw new BadUserInputError('A dimension is named twice in by', 'by');
  const fixed = fixedDimensionValues(indicator, where, codeLists, byDimensions);
  return crossKeys(byDimensions.map((d) => ({ dimension: d, codes: codeLists.get(d)?.values.map((v) => v.code) ?? [] })), fixed);
}

/**
 * The row units on `date` (the area, its children or its units at a level), in code order, read
 * at that date. A row unit counts only when its placement on that date lies inside the viewer's
 * subtree: then everything summed under it does too. Which units a shape has is hierarchy data,
 * cached across requests for every viewer; the viewer's area is applied to it in memory
 * (`containsOn`, the twin of `restrict` on a date).
 */
export async function rowUnits(ctx: RequestContext, area: AdministrativeUnit, date: string, breakdown: Breakdown, level: UnitLevel | null): Promise<AdministrativeUnit[]> {
  const areaPlacement = await placementOn(ctx, area, date);
  if (!areaPlacement) throw new BadUserInputError(`Unit "${area.code}" has no place in the hierarchy on ${date}`, 'area');
  if (breakdown === Breakdown.NONE) return ctx.access.containsOn([areaPlacement], date) ? loadUnitsAt(ctx, [area.id], date) : [];
  const key = `rows|${area.id}|${date}|${breakdown}|${breakdown === Breakdown.LEVEL ? level : ''}`;
  const rows = await referenceCache(ctx.dataSource).get('hierarchy', key, () => loadRowUnits(ctx, area, areaPlacement, date, breakdown, level));
  const units: AdministrativeUnit[] = [];
  for (const row of rows) {
    const at = dateWithinValidity(row.unit, date);
    if (!ctx.access.containsOn([row.placement], date) || !ctx.access.containsOn(row.placements, at)) continue;
    const unit = unitAt(row.unit, at);
    // The request's loaders need not read them again (rows resolve `unit { … }`).
    ctx.loaders.placementsOfUnit.prime(unit.id, row.placements);
    ctx.loaders.unitOn.prime({ id: unit.id, date }, unit);
    units.push(unit);
  }
  return units;
}

interface RowUnit {
  /** The placement that makes it a row unit on the date. */
  placement: UnitPlacement;
  unit: AdministrativeUnit;
  /** All its placements over time. */
  placements: UnitPlacement[];
}

/** Every row unit of a shape whoever asks, in code order: three statements, once per hierarchy version. */
async function loadRowUnits(ctx: RequestContext, area: AdministrativeUnit, areaPlacement: UnitPlacement, date: string, breakdown: Breakdown, level: UnitLevel | null): Promise<RowUnit[]> {
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
  const placements = await qb.orderBy('u.code', 'ASC').addOrderBy('u.id', 'ASC').getMany();
  if (!placements.length) return [];
  const ids = [...new Set(placements.map((p) => p.unitId))];
  const [units, all] = await Promise.all([ctx.dataSource.getRepository(AdministrativeUnit).findBy({ id: In(ids) }), ctx.dataSource.getRepository(UnitPlacement).findBy({ unitId: In(ids) })]);
  const unitById = new Map(units.map((u) => [u.id, u]));
  const placementsOf = new Map<number, UnitPlacement[]>();
  for (const p of all) placementsOf.set(p.unitId, [...(placementsOf.get(p.unitId) ?? []), p]);
  return placements.filter((p) => unitById.has(p.unitId)).map((p) => ({ placement: p, unit: unitById.get(p.unitId) as AdministrativeUnit, placements: placementsOf.get(p.unitId) ?? [] }));
}

/**
 * Null when no row of that sex entered the sums, or when they overflowed (possible only with
 * components stored before the value checks: a read answers rather than fails). The value follows
 * the indicator's value type (indicator-value.ts).
 */
function aggregate(sums: Sums, indicator: Indicator): Aggregate | null {
  if (!sums.rows || !Number.isFinite(sums.n) || !Number.isFinite(sums.d)) return null;
  return Object.assign(new Aggregate(), { numerator: sums.n, denominator: sums.d, value: valueOf(indicator, sums.n, sums.d) });
}

const scopeOf = (ctx: RequestContext) => (ctx.access.approvedOnly ? RollupScope.APPROVED : RollupScope.ALL);

/**
 * Rows for several indicators in one shape (area, period, breakdown, basis) in four statements
 * whatever the subtree: the row units; their maintained rollups (everything below a row unit,
 * see rollup.store.ts); the raw observations of row units that are themselves entry units; and
 * their coverage. Values follow the value type: a COUNT is its summed count, every other type
 * the ratio of the sums, never a mean of rates.
 */
export async function computeRows(ctx: RequestContext, indicators: Indicator[], area: AdministrativeUnit, period: Period, date: string, breakdown: Breakdown, level: UnitLevel | null, basis: HierarchyBasis = HierarchyBasis.PERIOD, cells: string[] = ['']): Promise<ComputedRows> {
  const units = await rowUnits(ctx, area, date, breakdown, level);
  return computeRowsOf(ctx, indicators, units, period, date, basis, cells);
}

/**
 * `computeRows` for row units already chosen (read on `date`, each inside the viewer's subtree
 * then): three statements for any number of units, so a caller batches its own set of areas.
 */
export async function computeRowsOf(ctx: RequestContext, indicators: Indicator[], units: AdministrativeUnit[], period: Period, date: string, basis: HierarchyBasis = HierarchyBasis.PERIOD, cells: string[] = ['']): Promise<ComputedRows> {
  const rowIds = units.map((u) => u.id);
  const result: ComputedRows = { units, rows: new Map() };
  const readable = indicators.filter((i) => periodsWithin(period, i.periodType).length);
  if (!rowIds.length || !readable.length) {
    indicators.forEach((i) => result.rows.set(i.id, units.flatMap((unit) => cells.map((cell) => emptyRow(i, unit, period.code, cell)))));
    return result;
  }
  const [rollups, own, coverage] = await Promise.all([readRollups(ctx, readable, rowIds, period, basis, cells), readOwnObservations(ctx, readable, units, period), readCoverage(ctx, readable, rowIds, date)]);
  for (const indicator of indicators) {
    result.rows.set(
      indicator.id,
      units.flatMap((unit) =>
        cells.map((cell) => {
          const key = `${indicator.id}|${unit.id}|${cell}`;
          const sums = emptyContribution();
          for (const part of [rollups.get(key), own.get(key)]) if (part) addContribution(sums, part);
          const expected = unit.level === indicator.entryLevel ? 1 : (coverage.get(`${unit.id}|${indicator.entryLevel}`) ?? 0);
          return buildRow(indicator, unit, period.code, aggregate(sums.female, indicator), aggregate(sums.male, indicator), aggregate(sums.total, indicator), sums.reporting, expected, cell);
        }),
      ),
    );
  }
  return result;
}

function emptyRow(indicator: Indicator, unit: AdministrativeUnit, period: string, cell: string): StatisticsRow {
  return buildRow(indicator, unit, period, null, null, null, 0, 0, cell);
}

/** `indicatorId|unitId|cell` → the summed rollups of the row unit (PERIOD rows, plus the CURRENT difference). */
async function readRollups(ctx: RequestContext, indicators: Indicator[], rowIds: number[], period: Period, basis: HierarchyBasis, cells: string[]): Promise<Map<string, Contribution>> {
  const bases = basis === HierarchyBasis.CURRENT ? [HierarchyBasis.PERIOD, HierarchyBasis.CURRENT] : [HierarchyBasis.PERIOD];
  const rows = await ctx.dataSource
    .createQueryBuilder()
    .select(ROLLUP_SELECT)
    .from('statistics_rollup', 'r')
    .where('r.indicator_id IN (:...indicatorIds)', { indicatorIds: indicators.map((i) => i.id) })
    .andWhere('r.unit_id IN (:...rowIds)', { rowIds })
    .andWhere('r.period = :period', { period: period.code })
    .andWhere('r.scope = :scope', { scope: scopeOf(ctx) })
    .andWhere('r.basis IN (:...bases)', { bases })
    .andWhere('r.dimensions IN (:...cells)', { cells })
    .getRawMany();
  const sums = new Map<string, Contribution>();
  for (const entry of rows.map(entryFromRaw)) {
    const key = `${entry.indicatorId}|${entry.unitId}|${entry.dimensions}`;
    const into = sums.get(key) ?? emptyContribution();
    addContribution(into, entry.sums);
    sums.set(key, into);
  }
  return sums;
}

/** `indicatorId|unitId|cell` → what row units that are entry units of an indicator reported themselves, in every cell. */
async function readOwnObservations(ctx: RequestContext, indicators: Indicator[], units: AdministrativeUnit[], period: Period): Promise<Map<string, Contribution>> {
  const shapes = indicators
    .map((indicator, i) => ({ indicator, i, unitIds: units.filter((u) => u.level === indicator.entryLevel).map((u) => u.id), subPeriods: periodsWithin(period, indicator.periodType).map((p) => p.code) }))
    .filter((s) => s.unitIds.length);
  const sums = new Map<string, Contribution>();
  if (!shapes.length) return sums;
  const qb = ctx.dataSource
    .getRepository(Observation)
    .createQueryBuilder('o')
    .select(['o.unit_id AS unitId', 'o.indicator_id AS indicatorId', 'o.period AS period', 'o.sex AS sex', 'o.disaggregation AS dimensions', 'o.numerator AS numerator', 'o.denominator AS denominator', 'o.status AS status'])
    .where(`(${shapes.map((s) => `(o.indicator_id = :ind${s.i} AND o.unit_id IN (:...units${s.i}) AND o.period IN (:...per${s.i}))`).join(' OR ')})`)
    .setParameters(Object.assign({}, ...shapes.map((s) => ({ [`ind${s.i}`]: s.indicator.id, [`units${s.i}`]: s.unitIds, [`per${s.i}`]: s.subPeriods }))));
  restrictRows(ctx, 'observation', qb, 'o');
  const groups = new Map<string, ObservationState[]>();
  for (const r of await qb.getRawMany<ObservationState>()) {
    const key = `${r.indicatorId}|${r.unitId}`;
    groups.set(key, [...(groups.get(key) ?? []), { ...r, numerator: Number(r.numerator), denominator: Number(r.denominator) }]);
  }
  const byId = new Map(indicators.map((i) => [i.id, i]));
  for (const [key, observations] of groups) {
    const indicator = byId.get(Number(key.split('|')[0])) as Indicator;
    for (const [cell, contribution] of contributionsOf(observations, indicator)) sums.set(`${key}|${cell}`, contribution);
  }
  return sums;
}

/**
 * `unitId|level` → units of the indicators' entry levels under each row unit on `date`. Coverage
 * follows the hierarchy alone, so it is cached with it (core/reference-cache.ts).
 */
async function readCoverage(ctx: RequestContext, indicators: Indicator[], rowIds: number[], date: string): Promise<Map<string, number>> {
  const levels = [...new Set(indicators.map((i) => i.entryLevel))].sort();
  const key = `coverage|${date}|${levels.join(',')}|${rowIds.join(',')}`;
  return referenceCache(ctx.dataSource).get('hierarchy', key, () => queryCoverage(ctx, levels, rowIds, date));
}

async function queryCoverage(ctx: RequestContext, levels: string[], rowIds: number[], date: string): Promise<Map<string, number>> {
  const rows: { unitId: number | string; level: string; units: number | string }[] = await ctx.dataSource
    .createQueryBuilder()
    .select(['c.unit_id AS unitId', 'c.level AS level', 'c.units AS units'])
    .from('unit_coverage', 'c')
    .where('c.unit_id IN (:...rowIds)', { rowIds })
    .andWhere('c.level IN (:...levels)', { levels })
    .andWhere(validOnSql('c', 'date'), { date })
    .getRawMany();
  return new Map(rows.map((r) => [`${r.unitId}|${r.level}`, Number(r.units)]));
}

export function buildRow(indicator: Indicator, unit: AdministrativeUnit, period: string, female: Aggregate | null, male: Aggregate | null, total: Aggregate | null, reportingUnits: number, expectedUnits: number, cell = ''): StatisticsRow {
  // From the values, which for a COUNT are the counts themselves: its share is F ÷ (F + M) of people.
  const fv = female?.value ?? null;
  const mv = male?.value ?? null;
  const both = fv !== null && mv !== null;
  return Object.assign(new StatisticsRow(), {
    unit,
    period,
    dimensions: dimensionsOf(indicator).map((dimension) => Object.assign(new DimensionValue(), { dimension, value: valueIn(cell, dimension) })),
    female,
    male,
    total,
    femaleShare: both && fv + mv !== 0 ? finiteOrNull((fv / (fv + mv)) * 100) : null,
    femaleToMaleRatio: both && mv !== 0 ? finiteOrNull(fv / mv) : null,
    gap: both ? finiteOrNull(fv - mv) : null,
    reportingUnits,
    expectedUnits,
  });
}

