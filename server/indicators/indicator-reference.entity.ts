import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Where an indicator appears in an official framework, with that framework's own code: the
 * national gender development indicator set (`TT10/2019/TT-BKHĐT`), the national strategy
 * (`NQ28/NQ-CP`), the SDG global indicator framework (`SDG` `5.5.1`).
 */
@ObjectType('IndicatorReference', { description: 'The code of an indicator in an official framework' })
@Entity('indicator_reference')
@Index('uq_indicator_reference', ['indicatorId', 'framework', 'code'], { unique: true })
export class IndicatorReference {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'indicator_id', type: 'int' })
  indicatorId: number;

  @Field({ description: "Framework, e.g. 'TT10/2019/TT-BKHĐT', 'NQ28/NQ-CP', 'SDG'" })
  @Column({ type: 'varchar', length: 64 })
  framework: string;

  @Field({ description: "The indicator's code in the framework, e.g. '0107', '5.5.1'" })
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Field(() => String, { nullable: true, description: 'The name the framework gives it' })
  @Column({ type: 'varchar', length: 400, nullable: true })
  title: string | null;

  @Field(() => String, { nullable: true, description: 'Where the framework publishes it (the citation)' })
  @Column({ type: 'varchar', length: 400, nullable: true })
  url: string | null;
}
