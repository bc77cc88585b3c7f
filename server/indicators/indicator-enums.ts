import { registerEnumType } from 'type-graphql';

/**
 * Enums shared by the indicator catalogue, observations and plans. Registered here once;
 * other modules (plans) import Domain and PeriodType from this file.
 * Members equal the string unions in server/plans/seed-plan.types.ts.
 */
export enum Domain {
  POLITICS = 'POLITICS',
  ECONOMY_LABOUR = 'ECONOMY_LABOUR',
  FAMILY_GBV = 'FAMILY_GBV',
  HEALTH = 'HEALTH',
  EDUCATION = 'EDUCATION',
  INFORMATION_COMMUNICATION = 'INFORMATION_COMMUNICATION',
  STATE_MANAGEMENT = 'STATE_MANAGEMENT',
}

export enum ValueType {
  COUNT = 'COUNT',
  PROPORTION = 'PROPORTION',
  RATIO = 'RATIO',
  MEAN = 'MEAN',
  BOOLEAN = 'BOOLEAN',
}

export enum TemporalAggregation {
  FLOW = 'FLOW',
  STOCK = 'STOCK',
}

export enum PeriodType {
  YEAR = 'YEAR',
  SEMESTER = 'SEMESTER',
  QUARTER = 'QUARTER',
  MONTH = 'MONTH',
}

export enum Sex {
  FEMALE = 'FEMALE',
  MALE = 'MALE',
  TOTAL = 'TOTAL',
}

export enum ObservationStatus {
  DRAFT = 'DRAFT',
  SUBMITTED = 'SUBMITTED',
  APPROVED = 'APPROVED',
}

registerEnumType(Domain, { name: 'Domain', description: 'Policy domain of the national gender-equality strategy' });
registerEnumType(ValueType, { name: 'ValueType', description: 'How an indicator value is formed from numerator and denominator' });
registerEnumType(TemporalAggregation, { name: 'TemporalAggregation', description: 'FLOW sums over time, STOCK takes the last value' });
registerEnumType(PeriodType, { name: 'PeriodType', description: 'Reporting period granularity' });
registerEnumType(Sex, { name: 'Sex' });
registerEnumType(ObservationStatus, { name: 'ObservationStatus' });
