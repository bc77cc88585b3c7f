import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DimensionCode } from './dimension-code.entity';

/**
 * A breakdown beyond sex (phân tổ): age group, ethnicity, urban/rural, disability. What DHIS2
 * calls a category and SDMX a dimension; its values are a code list (`DimensionCode`).
 * `values` is filled by the catalogue (dimension-catalogue.ts), not by TypeORM.
 */
@ObjectType('Dimension', { description: 'A breakdown of an indicator beyond sex, with its code list; `_T` is the total over every value' })
@Entity('dimension')
export class Dimension {
  @Field({ description: 'SDMX-style code, e.g. AGE, ETHNICITY, URBANISATION, DISABILITY' })
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

  @Field(() => [DimensionCode], { description: 'The code list, in its order (`_T`, the total, is implied)' })
  values: DimensionCode[];
}
