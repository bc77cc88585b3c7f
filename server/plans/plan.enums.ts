import { registerEnumType } from 'type-graphql';

/** Enums of the plan domain; Domain and PeriodType are shared and live in server/indicators/indicator-enums.ts. */
export enum Measure {
  TOTAL = 'TOTAL',
  FEMALE = 'FEMALE',
  MALE = 'MALE',
  FEMALE_SHARE = 'FEMALE_SHARE',
  FEMALE_TO_MALE_RATIO = 'FEMALE_TO_MALE_RATIO',
  GAP = 'GAP',
  EACH_SEX = 'EACH_SEX',
}

export enum Comparator {
  AT_LEAST = 'AT_LEAST',
  ABOVE = 'ABOVE',
  AT_MOST = 'AT_MOST',
  BELOW = 'BELOW',
  EQUAL = 'EQUAL',
  /** "khoảng 60%": within the target's tolerance either way. */
  APPROXIMATELY = 'APPROXIMATELY',
}

export enum PlanKind {
  ANNUAL = 'ANNUAL',
  MULTI_YEAR = 'MULTI_YEAR',
}

export enum PlanStatus {
  DRAFT = 'DRAFT',
  ISSUED = 'ISSUED',
  SUPERSEDED = 'SUPERSEDED',
}

export enum ResponsibilityRole {
  LEAD = 'LEAD',
  COORDINATE = 'COORDINATE',
  MONITOR_AND_REPORT = 'MONITOR_AND_REPORT',
  SUPPORT = 'SUPPORT',
}

export enum ReportKind {
  SIX_MONTH = 'SIX_MONTH',
  ANNUAL = 'ANNUAL',
  MIDTERM = 'MIDTERM',
  FINAL = 'FINAL',
  QUARTERLY = 'QUARTERLY',
  AD_HOC = 'AD_HOC',
}

export enum AgencyKind {
  PEOPLES_COMMITTEE = 'PEOPLES_COMMITTEE',
  PEOPLES_COUNCIL_OFFICE = 'PEOPLES_COUNCIL_OFFICE',
  CULTURE_SOCIAL_DIVISION = 'CULTURE_SOCIAL_DIVISION',
  ECONOMIC_DIVISION = 'ECONOMIC_DIVISION',
  POLICE = 'POLICE',
  HEALTH_STATION = 'HEALTH_STATION',
  SCHOOL = 'SCHOOL',
  FATHERLAND_FRONT = 'FATHERLAND_FRONT',
  WOMENS_UNION = 'WOMENS_UNION',
  YOUTH_UNION = 'YOUTH_UNION',
  FARMERS_UNION = 'FARMERS_UNION',
  VETERANS_ASSOCIATION = 'VETERANS_ASSOCIATION',
  PUBLIC_SERVICE_CENTRE = 'PUBLIC_SERVICE_CENTRE',
  VILLAGE = 'VILLAGE',
  DISTRICT_DIVISION = 'DISTRICT_DIVISION',
  OTHER = 'OTHER',
}

export enum ScheduleKind {
  /** From one date to another. */
  DATE_RANGE = 'DATE_RANGE',
  /** Every year between two days, e.g. the Action Month 15/11–15/12. */
  YEARLY_RANGE = 'YEARLY_RANGE',
  /** Every year on fixed days, e.g. 8/3 and 20/10. */
  FIXED_DAYS = 'FIXED_DAYS',
  /** All year round ("thường xuyên"). */
  CONTINUOUS = 'CONTINUOUS',
}

registerEnumType(Measure, { name: 'Measure', description: 'What a target measures: a sex, the female share, the female-to-male ratio, the gap, each sex' });
registerEnumType(Comparator, { name: 'Comparator', description: 'APPROXIMATELY (khoảng) holds within the target’s tolerance either way' });
registerEnumType(PlanKind, { name: 'PlanKind' });
registerEnumType(PlanStatus, { name: 'PlanStatus' });
registerEnumType(ResponsibilityRole, { name: 'ResponsibilityRole' });
registerEnumType(ReportKind, { name: 'ReportKind' });
registerEnumType(AgencyKind, { name: 'AgencyKind' });
registerEnumType(ScheduleKind, { name: 'ScheduleKind' });

/** A JSON list kept in a text column. */
export const jsonColumn = {
  to: (value: unknown) => (value === undefined ? undefined : JSON.stringify(value ?? [])),
  from: (value: string | null) => (value ? JSON.parse(value) : []),
};
