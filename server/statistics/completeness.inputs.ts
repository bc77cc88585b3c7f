import { ArgsType, Field, ID } from 'type-graphql';
import { DateScalar } from '../core/scalars';
import { UnitLevel } from '../tenancy/unit-level';
import { Breakdown } from './statistics.inputs';

@ArgsType()
export class CompletenessArgs {
  @Field({ description: 'Unit code, resolved on the last day of the period' })
  area: string;

  @Field(() => String, { nullable: true, description: 'Indicator code: the expected reporters are its entry-level units. Give exactly one of indicator and obligation' })
  indicator?: string | null;

  @Field(() => ID, { nullable: true, description: 'Reporting obligation id: the expected reporters are the units that owe that report. Give exactly one of indicator and obligation' })
  obligation?: string | null;

  @Field({ description: '2026, 2026S1, 2026Q3 or 2026-07' })
  period: string;

  @Field(() => Breakdown, { defaultValue: Breakdown.CHILDREN })
  breakdown: Breakdown;

  @Field(() => UnitLevel, { nullable: true, description: 'Required with breakdown LEVEL' })
  level?: UnitLevel | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: 'With an indicator only: a unit reported on time when its first observation for the period (that you may see) was recorded on or before this day, Vietnam time. Without it `reportedOnTime` is null. An obligation brings its own deadline.',
  })
  deadline?: string | null;
}
