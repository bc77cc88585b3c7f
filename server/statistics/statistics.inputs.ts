import { ArgsType, Field, ID, registerEnumType } from 'type-graphql';
import { UnitLevel } from '../tenancy/unit-level';

export enum Breakdown {
  NONE = 'NONE',
  CHILDREN = 'CHILDREN',
  LEVEL = 'LEVEL',
}

registerEnumType(Breakdown, { name: 'Breakdown', description: 'NONE: one row for the area; CHILDREN: one row per child of the area; LEVEL: one row per unit at `level` under the area' });

@ArgsType()
export class StatisticsArgs {
  @Field({ description: 'Indicator code' })
  indicator: string;

  @Field({ description: 'Unit code, resolved on the last day of each period' })
  area: string;

  @Field(() => [String], { description: '2026, 2026S1, 2026Q3 or 2026-07; a period coarser than the indicator’s aggregates its sub-periods' })
  periods: string[];

  @Field(() => Breakdown, { defaultValue: Breakdown.NONE })
  breakdown: Breakdown;

  @Field(() => UnitLevel, { nullable: true, description: 'Required with breakdown LEVEL' })
  level?: UnitLevel | null;
}

@ArgsType()
export class TargetProgressArgs {
  @Field(() => ID)
  plan: string;

  @Field({ description: 'The period judged, e.g. 2026' })
  period: string;

  @Field(() => Breakdown, { defaultValue: Breakdown.NONE })
  breakdown: Breakdown;
}
