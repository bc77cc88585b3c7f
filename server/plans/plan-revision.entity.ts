import { Field, ID, ObjectType } from 'type-graphql';
import { Column } from 'typeorm';
import { DateTimeScalar } from '../core/scalars';
import { Node, toGlobalId } from '../core/node';
import { PlanPartEntity, PlanPartRow } from './plan-part';

/**
 * One change to a plan or one of its parts: who changed what, when, from what to what, and why.
 * A deletion keeps the deleted rows in `oldValue`, so `restorePlanPart` can bring them back.
 */
@ObjectType('PlanRevision', { implements: Node, description: 'A change to a plan or one of its parts: who changed what, when and why' })
@PlanPartEntity('plan_revision')
export class PlanRevision extends PlanPartRow {
  get globalId(): string {
    return toGlobalId('PlanRevision', this.id);
  }

  @Field(() => DateTimeScalar)
  @Column({ name: 'changed_at', type: 'varchar', length: 30 })
  changedAt: string;

  @Field()
  @Column({ name: 'changed_by', type: 'varchar', length: 128 })
  changedBy: string;

  @Field({ description: 'The mutation, e.g. updatePlan, addTarget, deleteTask, restorePlanPart' })
  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Field({ description: 'What changed: Plan, Objective, Target, …' })
  @Column({ name: 'entity_type', type: 'varchar', length: 32 })
  entityType: string;

  @Field(() => ID)
  @Column({ name: 'entity_id', type: 'int' })
  entityId: number;

  @Field(() => String, { nullable: true, description: 'The field changed; null when a part was added' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  field: string | null;

  @Field(() => String, { nullable: true, description: 'JSON of the value before' })
  @Column({ name: 'old_value', type: 'text', nullable: true })
  oldValue: string | null;

  @Field(() => String, { nullable: true, description: 'JSON of the value after' })
  @Column({ name: 'new_value', type: 'text', nullable: true })
  newValue: string | null;

  @Field(() => String, { nullable: true, description: 'Why, as the editor gave it (required for a deletion)' })
  @Column({ type: 'text', nullable: true })
  reason: string | null;
}
