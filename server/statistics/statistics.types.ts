import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DimensionValue } from '../indicators/dimension-value';
import { Indicator } from '../indicators/indicator.entity';
import { Comparator, Measure } from '../plans/plan.enums';
import { Target } from '../plans/target.entity';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';

@ObjectType('Aggregate', { description: 'Sums of components and the value they give under the indicator’s value type (see ValueType)' })
export class Aggregate {
  @Field(() => Float, { nullable: true, description: 'COUNT: factor × Σnumerator; otherwise factor × Σnumerator ÷ Σdenominator, null when the denominator sums to 0' })
  value: number | null;

  @Field(() => Float)
  numerator: number;

  @Field(() => Float, { description: 'For a COUNT, how many entry units (times sub-periods, for a flow) reported: not part of the value' })
  denominator: number;
}

@ObjectType('StatisticsRow', { description: 'One unit in one period (and one combination of dimension values, with `by`)' })
export class StatisticsRow {
  @Field(() => AdministrativeUnit, { description: 'Read on the last day of the period' })
  unit: AdministrativeUnit;

  @Field()
  period: string;

  @Field(() => [DimensionValue], { description: 'The value of each of the indicator’s dimensions beyond sex this row is about; `_T` is the total over every value' })
  dimensions: DimensionValue[];

  @Field(() => Aggregate, { nullable: true })
  female: Aggregate | null;

  @Field(() => Aggregate, { nullable: true })
  male: Aggregate | null;

  @Field(() => Aggregate, { nullable: true, description: 'FEMALE + MALE, plus TOTAL rows of units that gave no split' })
  total: Aggregate | null;

  @Field(() => Float, { nullable: true, description: 'F ÷ (F + M) × 100 of the values (for a COUNT, of the counts)' })
  femaleShare: number | null;

  @Field(() => Float, { nullable: true, description: 'F ÷ M (values)' })
  femaleToMaleRatio: number | null;

  @Field(() => Float, { nullable: true, description: 'F − M (values)' })
  gap: number | null;

  @Field(() => Int, { description: 'Entry-level units below (or equal to) the unit that reported data' })
  reportingUnits: number;

  @Field(() => Int, { description: 'Entry-level units below (or equal to) the unit on the period’s last day' })
  expectedUnits: number;
}

@ObjectType('StatisticsResult')
export class StatisticsResult {
  @Field(() => Indicator)
  indicator: Indicator;

  @Field(() => AdministrativeUnit, { description: 'The area as resolved on the last day of the latest period asked for' })
  area: AdministrativeUnit;

  @Field(() => [StatisticsRow])
  rows: StatisticsRow[];
}

export enum TargetStatus {
  MET = 'MET',
  ON_TRACK = 'ON_TRACK',
  OFF_TRACK = 'OFF_TRACK',
  NOT_MET = 'NOT_MET',
  NO_DATA = 'NO_DATA',
}

registerEnumType(TargetStatus, { name: 'TargetStatus', description: 'MET: comparator holds; ON_TRACK/OFF_TRACK before the due year (against the straight lines from baseline through milestones to target); NOT_MET from the due year on; NO_DATA' });

@ObjectType('TargetProgress', { description: 'A machine-readable target judged in one period, for the plan’s unit or one of its children' })
export class TargetProgress {
  @Field(() => Target)
  target: Target;

  @Field(() => AdministrativeUnit)
  unit: AdministrativeUnit;

  @Field()
  period: string;

  @Field(() => Measure)
  measure: Measure;

  @Field(() => Float, { nullable: true, description: 'The target’s measure in the period; null without data' })
  actual: number | null;

  @Field(() => Float, { description: 'The target over the period judged: a COUNT flow target per quarter counts 4 times over a year (baselines likewise)' })
  targetValue: number;

  @Field(() => Comparator)
  comparator: Comparator;

  @Field(() => Float, { nullable: true, description: 'With APPROXIMATELY: how far either way the actual may lie (over the period judged, like targetValue)' })
  tolerance: number | null;

  @Field(() => TargetStatus)
  status: TargetStatus;

  @Field(() => Float, { nullable: true, description: 'Still to go: target − actual for AT_LEAST/ABOVE, actual − target for AT_MOST/BELOW, |target − actual| for EQUAL, |target − actual| − tolerance for APPROXIMATELY; ≤ 0 once met' })
  distance: number | null;

  @Field(() => Float, { nullable: true, description: 'The value expected in the period’s year on the straight lines from the baseline through the milestones to the target (before the due year); null when no line can be drawn' })
  expected: number | null;

  @Field(() => [String], { description: 'Values likely written on the wrong scale (0.6 for 60%, 1.09 for a sex ratio of 109 per 100)' })
  warnings: string[];

  @Field(() => Int)
  reportingUnits: number;

  @Field(() => Int)
  expectedUnits: number;
}
