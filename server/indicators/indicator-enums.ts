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
registerEnumType(ValueType, {
  name: 'ValueType',
  description: 'How an indicator value is formed from numerator and denominator, and so how it aggregates over units, sexes and sub-periods',
  valuesConfig: {
    COUNT: { description: 'A count (denominator 1): aggregates to factor × Σnumerator; TOTAL = FEMALE + MALE; a year of a FLOW is the sum of its sub-periods' },
    PROPORTION: { description: 'Members with the property among a population (numerator ≤ denominator): factor × Σnumerator ÷ Σdenominator' },
    RATIO: { description: 'Group A per group B: factor × Σnumerator ÷ Σdenominator' },
    MEAN: { description: 'Sum of values per person: factor × Σnumerator ÷ Σdenominator' },
    BOOLEAN: { description: '1 or 0 per unit (denominator 1): factor × Σnumerator ÷ Σdenominator, the share of reporting units with the property' },
  },
});
registerEnumType(TemporalAggregation, { name: 'TemporalAggregation', description: 'FLOW sums over time, STOCK takes the last value' });
registerEnumType(PeriodType, { name: 'PeriodType', description: 'Reporting period granularity' });
registerEnumType(Sex, { name: 'Sex' });
registerEnumType(ObservationStatus, { name: 'ObservationStatus' });
