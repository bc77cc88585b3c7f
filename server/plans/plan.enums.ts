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

/**
 * The lifecycle of a plan: DRAFT → ISSUED → SUPERSEDED (replaced by a newer plan). An issued plan
 * never goes back to a draft: a correction is an update kept in its history.
 */
export enum PlanStatus {
  DRAFT = 'DRAFT',
  ISSUED = 'ISSUED',
  SUPERSEDED = 'SUPERSEDED',
}

/** Status changes a plan may make; staying in the same status is no change. */
export const PLAN_STATUS_NEXT: Record<PlanStatus, PlanStatus[]> = {
  [PlanStatus.DRAFT]: [PlanStatus.ISSUED],
  [PlanStatus.ISSUED]: [PlanStatus.SUPERSEDED],
  [PlanStatus.SUPERSEDED]: [],
};

export enum ResponsibilityRole {
  LEAD = 'LEAD',
  COORDINATE = 'COORDINATE',
  MONITOR_AND_REPORT = 'MONITOR_AND_REPORT',
  SUPPORT = 'SUPPORT',
  /** "chịu trách nhiệm thi hành": carries out the decision that issues the plan. */
  EXECUTE = 'EXECUTE',
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
  /** A provincial department (Sở), e.g. Sở Nội vụ. */
  PROVINCIAL_DEPARTMENT = 'PROVINCIAL_DEPARTMENT',
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

/** A JSON object kept in a nullable text column. */
export const jsonObjectColumn = {
  to: (value: unknown) => (value === undefined ? undefined : value === null ? null : JSON.stringify(value)),
  from: (value: string | null) => (value ? JSON.parse(value) : null),
};

/** A JSON list kept in a text column. */
export const jsonColumn = {
  to: (value: unknown) => (value === undefined ? undefined : JSON.stringify(value ?? [])),
  from: (value: string | null) => (value ? JSON.parse(value) : []),
};
