/** SDMX 2.1 CSV without further dimensions: one column per dimension and attribute. */
export const SDMX_COLUMNS = ['DATAFLOW', 'REF_AREA', 'INDICATOR', 'SEX', 'TIME_PERIOD', 'OBS_VALUE', 'UNIT_MEASURE', 'OBS_STATUS'] as const;

/** The SDMX-CSV columns with the dimensions beyond sex (AGE, URBANISATION…) as key columns after SEX. */
export function sdmxColumns(dimensions: string[]): string[] {
  return [...SDMX_COLUMNS.slice(0, 4), ...dimensions, ...SDMX_COLUMNS.slice(4)];
}

/** Observations as entered by the units. */
export const SDMX_DATAFLOW = 'BDG:GENDER_INDICATORS(1.0)';
/** Aggregates of the `statistics` query: another dataflow, so an aggregate never shares a series key with an entered observation of the same unit. */
export const SDMX_STATISTICS_DATAFLOW = 'BDG:GENDER_STATISTICS(1.0)';

const SEX_CODES: Record<string, string> = { FEMALE: 'F', MALE: 'M', TOTAL: '_T' };

/** SDMX time periods: 2026, 2026-S1, 2026-Q3, 2026-07. */
export function sdmxTimePeriod(period: string): string {
  return period.replace(/^(\d{4})([SQ]\d)$/, '$1-$2');
}

export function sdmxSex(sex: string): string {
  return SEX_CODES[sex] ?? '_T';
}

/** A for approved, P (provisional) for drafts and submitted ones. */
export function sdmxStatus(status: string): string {
  return status === 'APPROVED' ? 'A' : 'P';
}
