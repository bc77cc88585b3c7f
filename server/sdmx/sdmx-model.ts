import { foldVietnamese } from '../core/text';
import { SDMX_STATISTICS_DATAFLOW } from '../exports/sdmx';
import { PeriodType } from '../indicators/indicator-enums';

/**
 * The identifiers of the hub's SDMX artefacts (one agency, one dataflow of aggregates and its data
 * structure definition) and the small fixed code lists. The series key is FREQ.REF_AREA.INDICATOR.SEX
 * followed by the indicator dimensions (AGE, URBANISATION…, in the order of the dimension table).
 */
export const AGENCY = 'BDG';
export const VERSION = '1.0';
export const DATAFLOW_ID = 'GENDER_STATISTICS';
export const DSD_ID = 'DSD_GENDER_STATISTICS';
export const CONCEPT_SCHEME_ID = 'CS_GENDER_STATISTICS';
/** The dataflow as SDMX-CSV names it: the statistics export (server/exports/sdmx.ts) writes the same aggregates under it. */
export const DATAFLOW_CSV_REF = SDMX_STATISTICS_DATAFLOW;

export const CORE_DIMENSIONS = ['FREQ', 'REF_AREA', 'INDICATOR', 'SEX'] as const;
export const TIME_DIMENSION = 'TIME_PERIOD';
export const PRIMARY_MEASURE = 'OBS_VALUE';
/** Attributes of a series (they follow from INDICATOR) and of an observation. */
export const SERIES_ATTRIBUTES = ['UNIT_MEASURE', 'UNIT_MULT'] as const;
export const OBSERVATION_ATTRIBUTES = ['OBS_STATUS', 'REPORTING_UNITS', 'EXPECTED_UNITS'] as const;

/** The dimensions of the series key, in order, for the dimensions the hub has beyond sex. */
export function keyDimensions(extra: readonly string[]): string[] {
  return [...CORE_DIMENSIONS, ...extra];
}

export const FREQUENCIES: { code: string; type: PeriodType; name: string; nameVi: string }[] = [
  { code: 'A', type: PeriodType.YEAR, name: 'Annual', nameVi: 'Năm' },
  { code: 'S', type: PeriodType.SEMESTER, name: 'Half-yearly, semester', nameVi: 'Sáu tháng' },
  { code: 'Q', type: PeriodType.QUARTER, name: 'Quarterly', nameVi: 'Quý' },
  { code: 'M', type: PeriodType.MONTH, name: 'Monthly', nameVi: 'Tháng' },
];

/** Coarsest first: an indicator entered per quarter has A, S and Q series (its sums over longer periods). */
const ORDER = [PeriodType.YEAR, PeriodType.SEMESTER, PeriodType.QUARTER, PeriodType.MONTH];

export function frequenciesOf(entered: PeriodType): string[] {
  return FREQUENCIES.filter((f) => ORDER.indexOf(f.type) <= ORDER.indexOf(entered)).map((f) => f.code);
}

export function periodTypeOf(freq: string): PeriodType | null {
  return FREQUENCIES.find((f) => f.code === freq)?.type ?? null;
}

export const SEX_CODES = [
  { code: 'F', sex: 'FEMALE', name: 'Female', nameVi: 'Nữ' },
  { code: 'M', sex: 'MALE', name: 'Male', nameVi: 'Nam' },
  { code: '_T', sex: 'TOTAL', name: 'Total', nameVi: 'Tổng số' },
] as const;

export const OBS_STATUS_CODES = [
  { code: 'A', name: 'Normal value (approved observations only)', nameVi: 'Giá trị chính thức (chỉ số liệu đã duyệt)' },
  { code: 'P', name: 'Provisional value (includes draft and submitted observations)', nameVi: 'Giá trị tạm thời (gồm cả số liệu nháp và đã gửi)' },
];

export const UNIT_MULT_CODES = [{ code: '0', name: 'Units', nameVi: 'Đơn vị' }];

/**
 * Units of measure of the catalogue as codes (UNIT_MEASURE is coded): the known ones with an
 * English name, any other from its folded text, so a new unit in the catalogue still has a code.
 */
const KNOWN_UNITS: Record<string, { code: string; name: string }> = {
  '%': { code: 'PT', name: 'Percent' },
  người: { code: 'PS', name: 'Persons' },
  'giờ/ngày': { code: 'HOURS_PER_DAY', name: 'Hours per day' },
  'cơ sở': { code: 'FACILITIES', name: 'Facilities' },
  'mô hình': { code: 'MODELS', name: 'Models' },
  'bé trai/100 bé gái': { code: 'BOYS_PER_100_GIRLS', name: 'Boys per 100 girls' },
  'ca sinh/1.000 phụ nữ': { code: 'BIRTHS_PER_1000_WOMEN', name: 'Births per 1,000 women' },
  'ca tử vong/100.000 trẻ đẻ sống': { code: 'DEATHS_PER_100000_LIVE_BIRTHS', name: 'Deaths per 100,000 live births' },
  'tin, bài': { code: 'NEWS_ITEMS', name: 'News items' },
  'hội nghị': { code: 'CONFERENCES', name: 'Conferences' },
  'cuộc kiểm tra': { code: 'INSPECTIONS', name: 'Inspections' },
};

export function unitMeasureCode(text: string): string {
  const known = KNOWN_UNITS[text.normalize('NFC').trim()];
  if (known) return known.code;
  const folded = foldVietnamese(text).toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return `U_${folded || 'NONE'}`.slice(0, 64);
}

export function unitMeasureName(text: string): string {
  return KNOWN_UNITS[text.normalize('NFC').trim()]?.name ?? text;
}

/** SDMX reporting periods: 2026, 2026-S1, 2026-Q3, 2026-07 (the hub stores 2026S1 and 2026Q3). */
export function sdmxPeriod(code: string): string {
  return code.replace(/^(\d{4})([SQ]\d)$/, '$1-$2');
}
