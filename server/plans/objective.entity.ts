import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Domain } from '../indicators/indicator-enums';

@ObjectType('Objective', { description: 'An objective (mục tiêu) of a plan' })
@Entity('objective')
@Index('ix_objective_plan_id', ['planId'])
@Index('ix_objective_unit_id', ['unitId'])
export class Objective {
  @Field(() => ID)
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'unit_id', type: 'int' })
  unitId: number;

  @Column({ name: 'plan_id', type: 'int' })
  planId: number;

  @Field(() => Int)
  @Column({ type: 'int' })
  ordinal: number;

  @Field()
  @Column({ type: 'text' })
  title: string;

  @Field(() => Domain)
  @Column({ type: 'varchar', length: 32 })
  domain: Domain;
}
