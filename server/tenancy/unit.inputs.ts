import { ArgsType, Field, Int } from 'type-graphql';
import { DateScalar } from '../core/scalars';
import { UnitLevel } from './unit-level';

@ArgsType()
export class UnitArgs {
  @Field({ description: 'Unit code; without asOf, the unit in force today' })
  code: string;

  @Field(() => DateScalar, { nullable: true, description: 'Read the hierarchy in force on this date' })
  asOf?: string | null;
}

@ArgsType()
export class UnitsArgs {
  @Field(() => String, { nullable: true, description: 'Only units below this unit (its code as of asOf)' })
  under?: string | null;

  @Field(() => UnitLevel, { nullable: true })
  level?: UnitLevel | null;

  @Field(() => String, { nullable: true, description: 'Accent- and case-insensitive: "loi bac" finds Lợi Bác' })
  search?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'The hierarchy in force on this date (default today)' })
  asOf?: string | null;

  @Field(() => Int, { nullable: true })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}
