import { Field, ObjectType } from 'type-graphql';
import { Column, Index } from 'typeorm';
import { DateTimeScalar } from '../core/scalars';
import { Node, toGlobalId } from '../core/node';
import { PlanPartEntity, UnitOwnedRow } from './plan-part';

/** A report submitted against an obligation for one period. */
@ObjectType('Submission', { implements: Node, description: 'A report submitted against an obligation for one period' })
@PlanPartEntity('submission', { byPlan: false })
@Index('ix_submission_obligation_id', ['obligationId'])
export class Submission extends UnitOwnedRow {
  get globalId(): string {
    return toGlobalId('Submission', this.id);
  }

  @Column({ name: 'obligation_id', type: 'int' })
  obligationId: number;

  @Field({ description: 'The period reported on: 2026, 2026S1, 2026Q3, 2026-07' })
  @Column({ type: 'varchar', length: 16 })
  period: string;

  @Field(() => DateTimeScalar)
  @Column({ name: 'submitted_at', type: 'varchar', length: 30 })
  submittedAt: string;

  @Field({ description: 'Subject of the token that recorded it' })
  @Column({ name: 'submitted_by', type: 'varchar', length: 128 })
  submittedBy: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  note: string | null;
}
