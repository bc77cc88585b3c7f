import { ArgsType, Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { DimensionValueInput } from '../indicators/dimension-value';
import { Sex } from '../indicators/indicator-enums';

@InputType({ description: 'One observation to record; denominator defaults to 1 for COUNT and BOOLEAN indicators' })
export class ObservationInput {
  @Field({ description: 'Indicator code' })
  indicator: string;

  @Field({ description: 'Unit code, as in force at the end of the period' })
  unit: string;

  @Field({ description: '2026, 2026S1, 2026Q3 or 2026-07, as the indicator’s period type requires' })
  period: string;

  @Field(() => Sex)
  sex: Sex;

  @Field(() => Float, { description: 'Finite, 0 to 1e15; a whole number for a COUNT, 0 or 1 for a BOOLEAN, at most the denominator for a PROPORTION' })
  numerator: number;

  @Field(() => Float, { nullable: true, description: 'Above 0, at most 1e15; 1 (the default) for COUNT and BOOLEAN' })
  denominator?: number | null;

  @Field(() => [DimensionValueInput], { nullable: true, description: 'Its values of the indicator’s dimensions beyond sex, e.g. [{ dimension: "AGE", value: "Y15T24" }]; a dimension left out (or `_T`) is its total' })
  dimensions?: DimensionValueInput[] | null;

  @Field(() => String, { nullable: true })
  source?: string | null;

  @Field(() => Int, { nullable: true, description: 'The version you read; a newer stored version is a CONFLICT. 0 = must not exist yet' })
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true, description: 'Kept with the revision' })
  comment?: string | null;
}

@ObjectType({ description: 'A rejected row of a batch' })
export class RowError {
  @Field(() => Int, { description: 'Position of the row in the batch, from 0 (the CLI prints line numbers)' })
  index: number;

  @Field(() => String, { nullable: true, description: 'The input field at fault' })
  field: string | null;

  @Field()
  message: string;

  @Field({ description: 'BAD_USER_INPUT, FORBIDDEN or CONFLICT; IMPLAUSIBLE for a warning' })
  code: string;
}

@ObjectType({ description: 'Outcome of a batch: all rows are applied or none' })
export class ImportResult {
  @Field({ description: 'True when the batch was written (false for a dry run or when any row was rejected)' })
  applied: boolean;

  @Field(() => Int, { description: 'Valid rows' })
  accepted: number;

  @Field(() => Int, { description: 'Rejected rows' })
  rejected: number;

  @Field(() => Int, { description: 'Rows that changed an observation (new or different); unchanged rows are no-ops' })
  changed: number;

  @Field(() => [RowError])
  errors: RowError[];

  @Field(() => [RowError], { description: 'Rows applied but flagged: a value outside the indicator’s plausible range (code IMPLAUSIBLE; refused with strict), or a total that differs from the sum over a full breakdown of a dimension (code INCONSISTENT)' })
  warnings: RowError[];
}

@ArgsType()
export class ObservationsArgs {
  @Field(() => String, { nullable: true, description: 'Indicator code' })
  indicator?: string | null;

  @Field(() => String, { nullable: true, description: 'Unit code (in force today)' })
  unit?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'With unit: also the units below it' })
  includeDescendants?: boolean | null;

  @Field(() => [String], { nullable: true })
  periods?: string[] | null;

  @Field(() => [DimensionValueInput], { nullable: true, description: 'With indicator: only observations with these values of its dimensions, e.g. [{ dimension: "AGE", value: "Y15T24" }]; `_T` keeps those that are the total over that dimension' })
  where?: DimensionValueInput[] | null;

  @Field(() => Int, { nullable: true })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}
