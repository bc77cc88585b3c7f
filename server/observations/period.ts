import { PeriodType } from '../indicators/indicator-enums';

/**
 * Reporting periods: `2026` (year), `2026S1`/`2026S2` (semesters), `2026Q1`…`2026Q4` (quarters),
 * `2026-01`…`2026-12` (months). A year contains its semesters, quarters and months; a semester
 * its quarters and months; a quarter its months. The hub stores the compact codes; it writes
 * semesters and quarters with a dash (`2026-S1`, `2026-Q3`) in SDMX files, so it reads those too.
 */
export interface Period {
  code: string;
  type: PeriodType;
  year: number;
  /** 1 for a year; 1–2 semester; 1–4 quarter; 1–12 month. */
  index: number;
  /** First and last month (1–12). */
  firstMonth: number;
  lastMonth: number;
}

export const MIN_YEAR = 1990;
export const MAX_YEAR = 2100;

const PATTERN = /^(\d{4})(?:-?S([12])|-?Q([1-4])|-(0[1-9]|1[0-2]))?$/;

/** The stored form of a period written either way (`2026-Q3` → `2026Q3`); the text unchanged when it is no period. */
export function canonicalPeriod(code: string): string {
  return parsePeriod(code)?.code ?? code;
}

/**
 * Valid codes are a few thousand (years 1990–2100 and their parts), and an import parses one per
 * row: each is parsed once. The results are shared, hence frozen.
 */
const parsedPeriods = new Map<string, Readonly<Period>>();

/** Parses a period code, compact (`2026Q3`) or as SDMX writes it (`2026-Q3`); `code` of the result is the compact form. Null when malformed or out of range. */
export function parsePeriod(text: string): Period | null {
  let period = parsedPeriods.get(text);
  if (period) return period;
  period = parseNewPeriod(text) ?? undefined;
  if (period) parsedPeriods.set(text, Object.freeze(period));
  return period ?? null;
}

function parseNewPeriod(text: string): Period | null {
  const match = PATTERN.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  if (year < MIN_YEAR || year > MAX_YEAR) return null;
  const code = text.replace(/^(\d{4})-([SQ])/, '$1$2');
  if (match[2]) {
    const s = Number(match[2]);
    return { code, type: PeriodType.SEMESTER, year, index: s, firstMonth: s * 6 - 5, lastMonth: s * 6 };
  }
  if (match[3]) {
    const q = Number(match[3]);
    return { code, type: PeriodType.QUARTER, year, index: q, firstMonth: q * 3 - 2, lastMonth: q * 3 };
  }
  if (match[4]) {
    const m = Number(match[4]);
    return { code, type: PeriodType.MONTH, year, index: m, firstMonth: m, lastMonth: m };
  }
  return { code, type: PeriodType.YEAR, year, index: 1, firstMonth: 1, lastMonth: 12 };
}

/** Why a code is not a period, for error messages. */
export function periodProblem(code: string): string | null {
  if (parsePeriod(code)) return null;
  return `"${code}" is not a period: use 2026, 2026S1 (or 2026-S1), 2026Q3 (or 2026-Q3) or 2026-07 (years ${MIN_YEAR}–${MAX_YEAR})`;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function periodStart(period: Period): string {
  return `${period.year}-${pad(period.firstMonth)}-01`;
}

const ends = new Map<string, string>();
export function periodEnd(period: Period): string {
  let end = ends.get(period.code);
  if (end) return end;
  const lastDay = new Date(Date.UTC(period.year, period.lastMonth, 0)).getUTCDate();
  ends.set(period.code, (end = `${period.year}-${pad(period.lastMonth)}-${pad(lastDay)}`));
  return end;
}

/** True when `outer` contains `inner` (every period contains itself). */
export function periodContains(outer: Period, inner: Period): boolean {
  return outer.year === inner.year && outer.firstMonth <= inner.firstMonth && inner.lastMonth <= outer.lastMonth;
}

/** The periods of `type` inside `period` (e.g. the quarters of 2026), in order; empty when `type` is coarser. */
export function periodsWithin(period: Period, type: PeriodType): Period[] {
  const codes: string[] = [];
  for (let m = period.firstMonth; m <= period.lastMonth; m++) {
    const code =
      type === PeriodType.YEAR ? `${period.year}` : type === PeriodType.SEMESTER ? `${period.year}S${Math.ceil(m / 6)}` : type === PeriodType.QUARTER ? `${period.year}Q${Math.ceil(m / 3)}` : `${period.year}-${pad(m)}`;
    if (!codes.includes(code)) codes.push(code);
  }
  return codes.map((c) => parsePeriod(c) as Period).filter((p) => periodContains(period, p));
}

/** Codes for one period type across years (inclusive), e.g. every quarter of 2023–2026. */
export function periodCodes(type: PeriodType, fromYear: number, toYear: number): string[] {
  const codes: string[] = [];
  for (let year = fromYear; year <= toYear; year++) codes.push(...periodsWithin(parsePeriod(String(year)) as Period, type).map((p) => p.code));
  return codes;
}
