import { PeriodType } from '../../server/indicators/indicator-enums';
import { canonicalPeriod, parsePeriod, periodCodes, periodContains, periodEnd, periodStart, periodsWithin } from '../../server/observations/period';
import { parseCsv } from '../../server/observations/observation-csv';

describe('periods', () => {
  it('parses the four period types', () => {
    expect(parsePeriod('2026')).toMatchObject({ type: PeriodType.YEAR, year: 2026, firstMonth: 1, lastMonth: 12 });
    expect(parsePeriod('2026S2')).toMatchObject({ type: PeriodType.SEMESTER, index: 2, firstMonth: 7, lastMonth: 12 });
    expect(parsePeriod('2026Q3')).toMatchObject({ type: PeriodType.QUARTER, index: 3, firstMonth: 7, lastMonth: 9 });
    expect(parsePeriod('2026-07')).toMatchObject({ type: PeriodType.MONTH, index: 7 });
  });

  it('reads semesters and quarters as SDMX writes them (2026-S1, 2026-Q3), keeping the compact code', () => {
    expect(parsePeriod('2026-Q3')).toEqual(parsePeriod('2026Q3'));
    expect(parsePeriod('2026-S1')).toEqual(parsePeriod('2026S1'));
    expect(parsePeriod('2026-Q3')!.code).toBe('2026Q3');
    expect(parsePeriod('2026-07')!.code).toBe('2026-07');
    expect(canonicalPeriod('2026-S2')).toBe('2026S2');
    expect(canonicalPeriod('not a period')).toBe('not a period');
  });

  it('refuses malformed periods', () => {
    for (const code of ['', '26', '2026Q0', '2026Q5', '2026S3', '2026-13', '2026-7', '2026q1', ' 2026', '1800', '2026-07-01', '2026-Q', '2026--Q1', '2026-M07', '2026-A1', '2026-S3']) expect(parsePeriod(code)).toBeNull();
  });

  it('knows bounds and containment', () => {
    expect(periodStart(parsePeriod('2026Q3')!)).toBe('2026-07-01');
    expect(periodEnd(parsePeriod('2024-02')!)).toBe('2024-02-29');
    expect(periodEnd(parsePeriod('2026S1')!)).toBe('2026-06-30');
    expect(periodContains(parsePeriod('2026')!, parsePeriod('2026Q3')!)).toBe(true);
    expect(periodContains(parsePeriod('2026S1')!, parsePeriod('2026Q3')!)).toBe(false);
    expect(periodContains(parsePeriod('2026Q3')!, parsePeriod('2026-08')!)).toBe(true);
    expect(periodContains(parsePeriod('2025')!, parsePeriod('2026-08')!)).toBe(false);
    expect(periodsWithin(parsePeriod('2026S2')!, PeriodType.QUARTER).map((p) => p.code)).toEqual(['2026Q3', '2026Q4']);
    expect(periodsWithin(parsePeriod('2026Q1')!, PeriodType.YEAR)).toEqual([]);
    expect(periodCodes(PeriodType.MONTH, 2026, 2026)).toHaveLength(12);
  });
});

describe('CSV', () => {
  it('reads quotes, CRLF, BOM and gives line numbers', () => {
    const records = parseCsv('\uFEFFa,b\r\n"x, ""y""",2\n"multi\nline",3\n\n4,5');
    expect(records).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x, "y"', '2'] },
      { line: 3, cells: ['multi\nline', '3'] },
      { line: 6, cells: ['4', '5'] },
    ]);
  });
});
