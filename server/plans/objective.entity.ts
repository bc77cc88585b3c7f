import { Field, Int, ObjectType } from 'type-graphql';
import { Column } from 'typeorm';
import { Node, toGlobalId } from '../core/node';
import { PlanPartEntity, PlanPartRow } from './plan-part';
import { Domain } from '../indicators/indicator-enums';

@ObjectType('Objective', { implements: Node, description: 'An objective (mục tiêu) of a plan' })
@PlanPartEntity('objective')
export class Objective extends PlanPartRow {
  get globalId(): string {
    return toGlobalId('Objective', this.id);
  }

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
