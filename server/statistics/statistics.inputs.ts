import { ArgsType, Field, ID, registerEnumType } from 'type-graphql';
import { DimensionValueInput } from '../indicators/dimension-value';
import { UnitLevel } from '../tenancy/unit-level';

export enum Breakdown {
  NONE = 'NONE',
  CHILDREN = 'CHILDREN',
  LEVEL = 'LEVEL',
}

/** Which hierarchy a period is read in. */
export enum HierarchyBasis {
  PERIOD = 'PERIOD',
  CURRENT = 'CURRENT',
}

registerEnumType(HierarchyBasis, {
  name: 'HierarchyBasis',
  description:
    'PERIOD: each period in the hierarchy in force on its last day (2024 rolls up through districts). CURRENT: every period on today’s units, older data mapped through the lineage, so a 2023–2026 series can be read for a current commune or province. A legacy unit split between several current units counts in full for each of them and once for any unit above them; a stock counts only units in force at the end of the period.',
});

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

  @Field(() => HierarchyBasis, { defaultValue: HierarchyBasis.PERIOD })
  hierarchy: HierarchyBasis;

  @Field(() => [String], { nullable: true, description: 'Dimensions of the indicator to break each row down by (e.g. ["AGE", "URBANISATION"]): one row per combination of their codes; without it a row is the total over every value (_T)' })
  by?: string[] | null;

  @Field(() => [DimensionValueInput], { nullable: true, description: 'Fixed values of other dimensions, e.g. [{ dimension: "URBANISATION", value: "R" }]' })
  where?: DimensionValueInput[] | null;
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
