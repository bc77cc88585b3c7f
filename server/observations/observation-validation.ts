import { codeProblem, dimensionsOf } from '../indicators/dimension-catalogue';
import { decodeDimensions, encodeDimensions } from '../indicators/dimension-key';
import type { Dimension } from '../indicators/dimension.entity';
import { ObservationStatus, Sex, ValueType } from '../indicators/indicator-enums';
import { denominatorIsOne, Indicator } from '../indicators/indicator.entity';
import { valueOf } from '../indicators/indicator-value';
import { UnitLevel } from '../tenancy/unit-level';
import { parsePeriod, Period, periodProblem } from './period';
import { cleanText } from '../core/text';

/** A row as sent by a client or read from CSV (numbers may be NaN when a CSV cell is not a number). */
export interface ObservationRow {
  indicator: string;
  unit: string;
  period: string;
  sex: string;
  numerator: number;
  denominator?: number | null;
  /** Values of the indicator's dimensions beyond sex; a dimension left out is its total. */
  dimensions?: { dimension: string; value: string }[] | null;
  source?: string | null;
  expectedVersion?: number | null;
  comment?: string | null;
  /** Internal loaders only (demo data): the status to store; clients always write DRAFT. */
  status?: ObservationStatus;
}

export interface RowProblem {
  index: number;
  field: string | null;
  message: string;
  /**
   * Warnings only, applied but flagged: IMPLAUSIBLE, a value outside the indicator's plausible
   * range; INCONSISTENT, a total that differs from the sum over a dimension's full breakdown.
   */
  code: 'BAD_USER_INPUT' | 'FORBIDDEN' | 'CONFLICT' | 'IMPLAUSIBLE' | 'INCONSISTENT';
}

/** A unit a row may name, as found through the access layer. */
export interface CandidateUnit {
  id: number;
  code: string;
  level: UnitLevel;
  validFrom: string | null;
  validTo: string | null;
  writable: boolean;
}

export interface ValidRow {
  index: number;
  indicator: Indicator;
  unitId: number;
  period: string;
  sex: Sex;
  dimensionKey: string;
  numerator: number;
  denominator: number;
  source: string | null;
  expectedVersion: number | null;
  comment: string | null;
  status: ObservationStatus | null;
  key: string;
}

/** Stored state of an observation, as read inside the writing transaction. */
export interface StoredObservation {
  id: number;
  indicatorId: number;
  unitId: number;
  period: string;
  sex: Sex;
  dimensionKey: string;
  numerator: number;
  denominator: number;
  status: ObservationStatus;
  source: string | null;
  version: number;
}

/**
 * The largest numerator, denominator or value an observation may carry. Components are counts,
 * sums or populations, and no real one comes near 1e15 (a thousand times the world's hours of
 * unpaid care in a year). Below 2^53 ≈ 9.007e15 every whole count is exact in a DOUBLE and in
 * JavaScript, and sums of a hundred million such rows (1e23) stay far from DOUBLE's limit of
 * 1.8e308, so the rollups' running sums and every statistic can never overflow.
 */
export const MAX_MAGNITUDE = 1e15;
/**
 * The smallest non-zero magnitude a DOUBLE column stores as such (MySQL/MariaDB document DOUBLE as
 * 0 or ±2.2250738585072014e-308 … ±1.7976931348623157e308): subnormals such as 5e-324 are refused.
 */
const MAX_TEXT = '1e15';
export const MIN_NORMAL = 2.2250738585072014e-308;

const SEXES = new Set<string>(Object.values(Sex));

export function observationKey(indicatorId: number, unitId: number, period: string, sex: string, dimensionKey: string): string {
  return `${indicatorId}|${unitId}|${period}|${sex}|${dimensionKey}`;
}

/** Key of the FEMALE/MALE/TOTAL group a row belongs to. */
export function groupKey(indicatorId: number, unitId: number, period: string, dimensionKey: string): string {
  return `${indicatorId}|${unitId}|${period}|${dimensionKey}`;
}

/** The unit named by `code` for a period: the one in force at the period's end, else at its start. */
export function pickUnit(candidates: CandidateUnit[] | undefined, start: string, end: string): CandidateUnit | null {
  if (!candidates?.length) return null;
  const validOn = (u: CandidateUnit, date: string) => (!u.validFrom || u.validFrom <= date) && (!u.validTo || u.validTo >= date);
  return candidates.find((u) => validOn(u, end)) ?? candidates.find((u) => validOn(u, start)) ?? null;
}

/**
 * Checks each row on its own and within the batch (duplicates). Stored state is checked later
 * by `checkAgainstStored`, inside the writing transaction.
 */
export function validateRows(
  rows: ObservationRow[],
  indicators: Map<string, Indicator>,
  codeLists: Map<string, Dimension>,
  unitFor: (code: string, period: Period) => CandidateUnit | null,
  strict = false,
  /** Index of the first row (a file's later batch), so problems and duplicates name rows of the whole file. */
  firstIndex = 0,
): { valid: ValidRow[]; problems: RowProblem[]; warnings: RowProblem[] } {
  const problems: RowProblem[] = [];
  const warnings: RowProblem[] = [];
  const valid: ValidRow[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, local) => {
    const index = firstIndex + local;
    const bad = (field: string | null, message: string, code: RowProblem['code'] = 'BAD_USER_INPUT') => problems.push({ index, field, message, code });
    const warn = (field: string | null, message: string) => warnings.push({ index, field, message, code: 'IMPLAUSIBLE' });
    const before = problems.length;
    const indicator = indicators.get(String(row.indicator ?? '').trim());
    if (!indicator) bad('indicator', `Unknown indicator "${row.indicator}"`);
    const periodCode = String(row.period ?? '').trim();
    const period = parsePeriod(periodCode);
    if (!period) bad('period', periodProblem(periodCode) as string);
    else if (indicator && period.type !== indicator.periodType) bad('period', `${indicator.code} is entered per ${indicator.periodType}, not per ${period.type} ("${periodCode}")`);
    let unit: CandidateUnit | null = null;
    if (period) {
      unit = unitFor(String(row.unit ?? '').trim(), period);
      // A unit outside the writer's area must read exactly like one that does not exist, and both
      // are refusals of the write (FORBIDDEN), not malformed input.
      if (!unit || !unit.writable) bad('unit', `No unit with code "${row.unit}" in ${periodCode} that you may write for`, 'FORBIDDEN');
      else if (indicator && unit.level !== indicator.entryLevel) bad('unit', `${indicator.code} is entered by ${indicator.entryLevel} units; "${row.unit}" is a ${unit.level}`);
    }
    const sex = String(row.sex ?? '').trim().toUpperCase();
    if (!SEXES.has(sex)) bad('sex', `Sex must be FEMALE, MALE or TOTAL, not "${row.sex}"`);
    else if (indicator && !indicator.sexDisaggregated && sex !== Sex.TOTAL) bad('sex', `${indicator.code} is not disaggregated by sex: only TOTAL rows`);
    const dimensionKey = indicator ? dimensionKeyOf(row.dimensions ?? [], indicator, codeLists, (message) => bad('dimensions', message)) : '';
    const numerator = row.numerator;
    const hasDenominator = row.denominator !== null && row.denominator !== undefined;
    const denominator = hasDenominator ? (row.denominator as number) : indicator && denominatorIsOne(indicator) ? 1 : NaN;
    const numbersFrom = problems.length;
    const numeratorProblem = componentProblem('Numerator', numerator);
    const denominatorProblem = hasDenominator ? componentProblem('Denominator', denominator) : null;
    if (numeratorProblem) bad('numerator', numeratorProblem);
    else if (numerator < 0) bad('numerator', 'Numerator must not be negative');
    if (!hasDenominator && indicator && !denominatorIsOne(indicator)) bad('denominator', `${indicator.code} (${indicator.valueType}) needs a denominator`);
    else if (denominatorProblem) bad('denominator', denominatorProblem);
    else if (hasDenominator && denominator < 0) bad('denominator', 'Denominator must not be negative');
    else if (hasDenominator && denominator === 0) bad('denominator', 'Denominator must not be zero');
    else if (indicator && denominatorIsOne(indicator) && denominator !== 1) bad('denominator', `${indicator.code} (${indicator.valueType}) has denominator 1`);
    if (indicator && problems.length === numbersFrom) {
      if (indicator.valueType === ValueType.BOOLEAN && numerator !== 0 && numerator !== 1) bad('numerator', `${indicator.code} is yes/no: numerator 0 or 1`);
      if (indicator.valueType === ValueType.COUNT && !Number.isInteger(numerator)) bad('numerator', `${indicator.code} counts: numerator must be a whole number, not ${numerator}`);
      if (indicator.valueType === ValueType.PROPORTION && numerator > denominator) bad('numerator', `${indicator.code} is a proportion: numerator ${numerator} exceeds denominator ${denominator}`);
    }
    if (indicator && problems.length === numbersFrom) {
      // Bounded values keep aggregates bounded: a ratio of sums lies between its parts' ratios, a COUNT's sum below 1e15 × rows.
      const value = valueOf(indicator, numerator, denominator);
      const range = value === null ? null : rangeProblem(indicator, value);
      if (value === null || Math.abs(value) > MAX_MAGNITUDE) bad('denominator', `${indicator.code}: ${indicator.factor} × ${numerator} ÷ ${denominator} is beyond ${MAX_TEXT}; the denominator is too small for its numerator`);
      else if (range) (strict ? bad : warn)('numerator', range);
    }
    const expectedVersion = row.expectedVersion ?? null;
    if (expectedVersion !== null && (!Number.isInteger(expectedVersion) || expectedVersion < 0)) bad('expectedVersion', 'expectedVersion must be a non-negative integer');
    // Stored as plan text is: without bidi controls, zero-width or control characters (cleanText).
    const source = cleanText(row.source ?? '').trim() || null;
    const comment = cleanText(row.comment ?? '').trim() || null;
    if (source && source.length > 255) bad('source', 'Source is at most 255 characters');
    if (comment && comment.length > 1000) bad('comment', 'Comment is at most 1000 characters');
    if (problems.length > before || !indicator || !unit || !period) return;
    const key = observationKey(indicator.id, unit.id, period.code, sex, dimensionKey);
    const first = seen.get(key);
    if (first !== undefined) {
      bad(null, `Same observation as row ${first} (indicator, unit, period, sex, dimensions)`);
      return;
    }
    seen.set(key, index);
    valid.push({ index, indicator, unitId: unit.id, period: period.code, sex: sex as Sex, dimensionKey, numerator, denominator, source, expectedVersion, comment, status: row.status ?? null, key });
  });
  return { valid, problems, warnings };
}

/**
 * The canonical key of a row's dimension values: each a dimension the indicator declares, once,
 * with a code of its list; `_T` (or leaving the dimension out) is its total. Problems go to `bad`.
 */
function dimensionKeyOf(values: { dimension: string; value: string }[], indicator: Indicator, codeLists: Map<string, Dimension>, bad: (message: string) => void): string {
  const declared = dimensionsOf(indicator);
  const pairs: [string, string][] = [];
  for (const { dimension: rawDimension, value: rawValue } of values) {
    const dimension = String(rawDimension ?? '').trim().toUpperCase();
    const value = String(rawValue ?? '').trim().toUpperCase();
    if (!declared.includes(dimension)) {
      bad(declared.length ? `${indicator.code} is broken down by ${declared.join(', ')}, not by "${rawDimension}"` : `${indicator.code} has no dimensions beyond sex; leave out "${rawDimension}"`);
      continue;
    }
    if (pairs.some(([d]) => d === dimension)) {
      bad(`${dimension} is given twice`);
      continue;
    }
    const problem = codeProblem(codeLists, dimension, value, rawValue);
    if (problem) {
      bad(problem);
      continue;
    }
    pairs.push([dimension, value]);
  }
  return encodeDimensions(pairs);
}

/** Why a component cannot be stored and summed safely, or null. */
function componentProblem(name: string, x: unknown): string | null {
  if (typeof x !== 'number' || !Number.isFinite(x)) return `${name} must be a finite number`;
  if (Math.abs(x) > MAX_MAGNITUDE) return `${name} ${x} is beyond ${MAX_TEXT}, the largest a component may be`;
  if (x !== 0 && Math.abs(x) < MIN_NORMAL) return `${name} ${x} is too small for a DOUBLE column, whose smallest non-zero value is ${MIN_NORMAL}`;
  return null;
}

/** Why a value lies outside the indicator's plausible range, or null (no range, or inside it). */
function rangeProblem(indicator: Indicator, value: number): string | null {
  const { plausibleMin: min, plausibleMax: max } = indicator;
  if ((min === null || min === undefined || value >= min) && (max === null || max === undefined || value <= max)) return null;
  const range = `${min ?? '−∞'}–${max ?? '∞'}`;
  return `${indicator.code} ${value} (${indicator.unitOfMeasure}) is outside the plausible range ${range}`;
}

/** Equal but for floating-point rounding of a sum: a total and the sum of its parts. */
function sameAmount(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Checks that depend on stored rows: expectedVersion (CONFLICT) and, for sex-disaggregated
 * indicators, that a TOTAL equals FEMALE + MALE of the same key after the batch is applied.
 */
export function checkAgainstStored(valid: ValidRow[], stored: Map<string, StoredObservation>): RowProblem[] {
  const problems: RowProblem[] = [];
  for (const row of valid) {
    if (row.expectedVersion === null) continue;
    const current = stored.get(row.key)?.version ?? 0;
    if (current !== row.expectedVersion) {
      problems.push({ index: row.index, field: 'expectedVersion', code: 'CONFLICT', message: `CONFLICT: the observation is at version ${current}, not ${row.expectedVersion}; read it again` });
    }
  }
  type Cell = { numerator: number; denominator: number; row?: ValidRow };
  const groups = new Map<string, { indicatorId: number; unitId: number; period: string; dimensionKey: string; rows: ValidRow[] }>();
  for (const row of valid) {
    if (!row.indicator.sexDisaggregated) continue;
    const g = groupKey(row.indicator.id, row.unitId, row.period, row.dimensionKey);
    const group = groups.get(g) ?? { indicatorId: row.indicator.id, unitId: row.unitId, period: row.period, dimensionKey: row.dimensionKey, rows: [] };
    group.rows.push(row);
    groups.set(g, group);
  }
  for (const group of groups.values()) {
    const cell = (sex: Sex): Cell | null => {
      const row = group.rows.find((r) => r.sex === sex);
      if (row) return { numerator: row.numerator, denominator: row.denominator, row };
      const s = stored.get(observationKey(group.indicatorId, group.unitId, group.period, sex, group.dimensionKey));
      return s ? { numerator: s.numerator, denominator: s.denominator } : null;
    };
    const [female, male, total] = [cell(Sex.FEMALE), cell(Sex.MALE), cell(Sex.TOTAL)];
    if (!female || !male || !total) continue;
    const fields: string[] = [];
    if (!sameAmount(total.numerator, female.numerator + male.numerator)) fields.push('numerator');
    // COUNT and BOOLEAN rows all have denominator 1: their TOTAL adds up in numerators only.
    if (!denominatorIsOne(group.rows[0].indicator) && !sameAmount(total.denominator, female.denominator + male.denominator)) fields.push('denominator');
    if (!fields.length) continue;
    const blamed = total.row ? [total.row] : group.rows;
    for (const row of blamed) {
      for (const field of fields) {
        const t = field === 'numerator' ? total.numerator : total.denominator;
        const sum = field === 'numerator' ? female.numerator + male.numerator : female.denominator + male.denominator;
        problems.push({ index: row.index, field, code: 'BAD_USER_INPUT', message: `TOTAL ${field} ${t} differs from FEMALE + MALE = ${sum} for ${row.indicator.code}, ${row.period}` });
      }
    }
  }
  return problems;
}

type Components = { numerator: number; denominator: number; row?: ValidRow };

/**
 * A unit may report a total beside a full breakdown of it (every code of a dimension, the other
 * values equal). Statistics then read the total as reported and `by` that dimension sums the
 * values, so the two must agree; unlike TOTAL = FEMALE + MALE this is a warning, not a refusal:
 * a total may honestly count people of unknown age. Checked over the state after the batch, for
 * the cells a row of the batch takes part in; `stored` holds every stored row of the batch's
 * indicator × unit × period (readStored).
 */
export function breakdownWarnings(valid: ValidRow[], stored: Map<string, StoredObservation>, codeLists: Map<string, Dimension>): RowProblem[] {
  const groups = new Map<string, { rows: ValidRow[]; cells: Map<string, Components> }>();
  for (const row of valid) {
    if (!dimensionsOf(row.indicator).length) continue;
    const key = `${row.indicator.id}|${row.unitId}|${row.period}|${row.sex}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { rows: [], cells: new Map() }));
    group.rows.push(row);
  }
  if (!groups.size) return [];
  for (const s of stored.values()) groups.get(`${s.indicatorId}|${s.unitId}|${s.period}|${s.sex}`)?.cells.set(s.dimensionKey, { numerator: s.numerator, denominator: s.denominator });
  const warnings: RowProblem[] = [];
  for (const { rows, cells } of groups.values()) {
    for (const row of rows) cells.set(row.dimensionKey, { numerator: row.numerator, denominator: row.denominator, row });
    const indicator = rows[0].indicator;
    for (const [key, total] of cells) {
      for (const dimension of dimensionsOf(indicator)) {
        const pairs = decodeDimensions(key);
        if (pairs.has(dimension)) continue;
        const codes = codeLists.get(dimension)?.values.map((v) => v.code) ?? [];
        const parts = codes.map((code) => cells.get(encodeDimensions([...pairs, [dimension, code]])));
        if (!codes.length || parts.some((p) => !p)) continue;
        const inBatch = [total, ...(parts as Components[])].filter((c) => c.row).map((c) => c.row as ValidRow);
        if (!inBatch.length) continue;
        for (const field of ['numerator', 'denominator'] as const) {
          if (field === 'denominator' && denominatorIsOne(indicator)) continue;
          const sum = (parts as Components[]).reduce((n, p) => n + p[field], 0);
          if (sameAmount(total[field], sum)) continue;
          const blamed = total.row ? [total.row] : inBatch;
          const where = key ? ` (${key})` : '';
          for (const row of blamed) {
            warnings.push({ index: row.index, field, code: 'INCONSISTENT', message: `The total over ${dimension}${where} has ${field} ${total[field]}, but its values ${codes[0]}…${codes[codes.length - 1]} sum to ${sum} (${indicator.code}, ${row.period}, ${row.sex}): statistics by ${dimension} will sum the values, totals read the reported row` });
          }
        }
      }
    }
  }
  return warnings;
}
