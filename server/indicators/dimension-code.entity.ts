import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One value of a dimension's code list, e.g. AGE `Y15T24` or URBANISATION `R` (nông thôn). */
@ObjectType('DimensionCode', { description: 'A value of a dimension’s code list' })
@Entity('dimension_code')
export class DimensionCode {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  dimension: string;

  @Field({ description: 'SDMX-style code, e.g. Y15T24, KINH, U' })
  @PrimaryColumn({ type: 'varchar', length: 32 })
  code: string;

  @Field({ description: 'Vietnamese name' })
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Field()
  @Column({ name: 'name_en', type: 'varchar', length: 200 })
  nameEn: string;

  @Column({ type: 'int' })
  ordinal: number;
}
