import { Field, InputType, ObjectType } from 'type-graphql';

/** A dimension and its value, as observations and statistics rows carry them; `_T` is the total. */
@ObjectType('DimensionValue', { description: 'The value of one dimension; `_T` is the total over every value' })
export class DimensionValue {
  @Field({ description: 'Dimension code, e.g. AGE' })
  dimension: string;

  @Field({ description: 'Code of its value, e.g. Y15T24, or _T' })
  value: string;
}

@InputType('DimensionValueInput', { description: 'A dimension and the code of its value, e.g. { dimension: "AGE", value: "Y15T24" }' })
export class DimensionValueInput {
  @Field()
  dimension: string;

  @Field()
  value: string;
}
