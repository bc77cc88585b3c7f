/**
 * Shapes of the seed data in `data/seeds/plans/*.json` (one {@link SeedPlan} per file) and
 * `data/indicators/catalogue.json` (an array of {@link SeedIndicator}).
 *
 * The seed plans are faithful transcriptions of the five real plans in `../shared/seeds/`:
 * Vietnamese text is kept exactly as written (Unicode NFC, including the originals' typos);
 * blanks in the originals (number, day of issue) are `null`, never invented.
 * Conventions used by the transcription:
 * - `objectiveOrdinals: []` on a task or responsibility means "the plan as a whole / no specific
 *   objective named"; plans without stated objectives (An Lão, Bát Tràng, Bình Lương) have `objectives: []`.
 * - A target's `dueYear` is `null` when the text states no year and the target applies to every
 *   period of the plan (e.g. "mỗi quý có ít nhất 01 tin, bài").
 * - A responsibility's `targetLabels` use `objectiveOrdinal.targetOrdinal` (e.g. '3.2'); one
 *   numbered "chỉ tiêu" split into parts (a), (b) occupies several target ordinals.
 */

export type Domain = 'POLITICS' | 'ECONOMY_LABOUR' | 'FAMILY_GBV' | 'HEALTH' | 'EDUCATION' | 'INFORMATION_COMMUNICATION' | 'STATE_MANAGEMENT';
export type ValueType = 'COUNT' | 'PROPORTION' | 'RATIO' | 'MEAN' | 'BOOLEAN';
export type Measure = 'TOTAL' | 'FEMALE' | 'MALE' | 'FEMALE_SHARE' | 'FEMALE_TO_MALE_RATIO' | 'GAP' | 'EACH_SEX';
export type Comparator = 'AT_LEAST' | 'ABOVE' | 'AT_MOST' | 'BELOW' | 'EQUAL';
export type PeriodType = 'YEAR' | 'SEMESTER' | 'QUARTER' | 'MONTH';
export type UnitLevel = 'NATION' | 'PROVINCE' | 'DISTRICT' | 'COMMUNE' | 'VILLAGE';
export type PlanKind = 'ANNUAL' | 'MULTI_YEAR';
export type PlanStatus = 'DRAFT' | 'ISSUED' | 'SUPERSEDED';
export type AgencyKind = 'PEOPLES_COMMITTEE' | 'PEOPLES_COUNCIL_OFFICE' | 'CULTURE_SOCIAL_DIVISION' | 'ECONOMIC_DIVISION' | 'POLICE' | 'HEALTH_STATION' | 'SCHOOL' | 'FATHERLAND_FRONT' | 'WOMENS_UNION' | 'YOUTH_UNION' | 'FARMERS_UNION' | 'VETERANS_ASSOCIATION' | 'PUBLIC_SERVICE_CENTRE' | 'VILLAGE' | 'DISTRICT_DIVISION' | 'PROVINCIAL_DEPARTMENT' | 'OTHER';
export type ResponsibilityRole = 'LEAD' | 'COORDINATE' | 'MONITOR_AND_REPORT' | 'SUPPORT' | 'EXECUTE';
export type ReportKind = 'SIX_MONTH' | 'ANNUAL' | 'MIDTERM' | 'FINAL' | 'QUARTERLY' | 'AD_HOC';
export type TemporalAggregation = 'FLOW' | 'STOCK';

export interface SeedIndicator {
  code: string;              // stable UPPER_SNAKE code, e.g. 'FEMALE_KEY_LEADER'
  name: string;              // Vietnamese name
  nameEn: string;
  domain: Domain;
  valueType: ValueType;
  /** 1, 100 or 1000 (see SPEC table); MATERNAL_MORTALITY_RATIO uses 100000 (per 100,000 live births). */
  factor: number;
  unitOfMeasure: string;     // e.g. '%', 'bé trai/100 bé gái', 'ca sinh/1.000 phụ nữ', 'tin, bài', 'giờ/ngày'
  entryLevel: UnitLevel;     // level at which data are entered (VILLAGE or COMMUNE mostly)
  sexDisaggregated: boolean; // FEMALE and MALE rows; false → TOTAL rows only
  temporalAggregation: TemporalAggregation; // flows sum over a year, stocks take the last value
  periodType: PeriodType;    // the period at which data are entered
  numeratorLabel: string;    // Vietnamese, what the numerator counts
  denominatorLabel: string | null; // null where the denominator is always 1
  source: string;            // e.g. 'NQ28/NQ-CP 2021–2030, mục tiêu 1, chỉ tiêu 2' or 'Kế hoạch xã Lợi Bác 2026–2030'
  /** Plausible range of one observation's value; outside it a row is applied with a warning (refused in strict mode). */
  plausibleMin?: number | null;
  plausibleMax?: number | null;
  /** Dimensions beyond sex, e.g. 'AGE;URBANISATION' (code lists in data/indicators/dimensions.json). */
  dimensionCodes?: string;
  /** Codes in official frameworks; `url` cites where the code and its definition are published. Never guessed. */
  references?: SeedReference[];
}

export interface SeedReference {
  framework: string;         // 'SDG', 'NQ28/NQ-CP', 'TT10/2019/TT-BKHĐT'
  code: string;              // '5.5.1', '2.1' (mục tiêu 2, chỉ tiêu 1)
  title?: string | null;     // the framework's own name of the indicator
  url?: string | null;       // the public source of code and definition
}

export interface SeedTarget {
  ordinal: number;           // sequential within its objective, 1..n
  label: string;             // as numbered in the text, e.g. 'Chỉ tiêu 2' or 'Chỉ tiêu 2 (b)'
  text: string;              // the sentence exactly as written (Vietnamese)
  indicator: string | null;  // indicator code; null when the text has no machine-readable form
  measure: Measure | null;
  comparator: Comparator | null;
  /** With APPROXIMATELY only ("khoảng 60%" is 60 ± tolerance). */
  tolerance?: number | null;
  targetValue: number | null;
  dueYear: number | null;
  baseline: { year: number; value: number } | null;
  milestones: { year: number; value: number }[];
  periodType: PeriodType | null; // the period over which the target is judged (YEAR, or QUARTER for 'mỗi quý')
}

export interface SeedObjective { ordinal: number; title: string; domain: Domain; targets: SeedTarget[] }

export type SeedSchedule =
  | { kind: 'DATE_RANGE'; from: string; to: string }                       // YYYY-MM-DD
  | { kind: 'YEARLY_RANGE'; fromDay: number; fromMonth: number; toDay: number; toMonth: number } // e.g. 15/11–15/12 every year
  | { kind: 'FIXED_DAYS'; days: { day: number; month: number }[] }          // e.g. 8/3, 20/10
  | { kind: 'CONTINUOUS' };                                                  // 'thường xuyên', 'cả năm'

/** `collective`: one entry naming several bodies, e.g. "các sở, ban, ngành", "UBND các xã, phường". */
export interface SeedAgency { key: string; name: string; kind: AgencyKind; collective?: boolean }

export interface SeedTask {
  ordinal: number;
  group: string | null;      // task group heading as written (e.g. 'IV.1 Nhóm giải pháp thực hiện Mục tiêu 1 ...')
  title: string;             // short title (Vietnamese)
  description: string;       // text as written
  objectiveOrdinals: number[];
  schedule: SeedSchedule | null;
  leadAgency: string | null; // agency key
  partnerAgencies: string[];
  quantity: { comparator: Comparator; value: number; unit: string; per: PeriodType | null } | null; // e.g. ≥2 conferences a year
}

export interface SeedResponsibility {
  agency: string;            // agency key
  role: ResponsibilityRole;
  duties: string;            // text as written
  objectiveOrdinals: number[]; // objectives it must report on / is responsible for
  targetLabels: string[];    // e.g. ['1.1'] = objective 1 target ordinal 1, when the text names targets
}

export interface SeedReportingObligation {
  kind: ReportKind;
  reporter: string | null;   // agency key of who reports (null = the plan's unit as a whole)
  recipient: string;         // to whom, as written (e.g. 'UBND tỉnh (qua Sở Y tế)')
  dueDay: number | null;     // recurring deadline day/month (05/6 → 5, 6)
  dueMonth: number | null;
  dueDate: string | null;    // a one-off deadline YYYY-MM-DD
  year: number | null;       // for MIDTERM/FINAL: the year (Lợi Bác: sơ kết 2028, tổng kết 2030)
  description: string;       // text as written
}

export interface SeedPlan {
  key: string;               // file name without .json
  unitCode: string;          // owning unit code: '06601', '313', '00577', '16204', '24615'
  unitAsOf: string;          // a date at which that code means the right unit: '2026-06-01' for current units, '2024-06-01' for An Lão (313) and Bình Lương (16204)
  number: string | null;     // e.g. '158/KH-UBND'; null when the plan leaves 'Số:' blank — never invent
  title: string;
  kind: PlanKind;
  firstYear: number;
  lastYear: number;
  issuedOn: string | null;   // YYYY-MM-DD, null when the day is blank in the text
  issuedPlace: string | null;
  signer: string | null;     // as written, null if absent
  signerCapacity?: string | null; // the lines above the signature as written, one per line, e.g. 'TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH'
  generalObjective?: string | null; // mục tiêu tổng quát / mục tiêu chung, as written
  issuingDecision?: { number: string | null; issuedOn: string | null; issuer: string | null; title: string | null } | null; // the decision (QĐ) that issues the plan as its attachment
  alsoImplements?: { number: string; issuedOn: string | null; issuer: string; title: string | null }[]; // further upper-level documents implemented
  distributionList?: string[]; // nơi nhận, one line each, as written
  status: PlanStatus;        // ISSUED when it has a number and a date, DRAFT otherwise
  implements: { number: string; issuedOn: string | null; issuer: string; title: string | null } | null; // the upper-level plan or letter
  legalBases: string[];
  purposes: string[];
  requirements: string[];
  budgetSources: string[];
  agencies: SeedAgency[];
  objectives: SeedObjective[];
  tasks: SeedTask[];
  responsibilities: SeedResponsibility[];
  reportingObligations: SeedReportingObligation[];
}
