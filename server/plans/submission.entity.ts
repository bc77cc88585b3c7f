import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A report submitted against an obligation for one period. */
@ObjectType('Submission', { description: 'A report submitted against an obligation for one period' })
@Entity('submission')
@Index('ix_submission_obligation_id', ['obligationId'])
@Index('ix_submission_unit_id', ['unitId'])
export class Submission {
  @Field(() => ID)
  @PrimaryGeneratedColumn()
  id: number;

  /** The unit that submitted (the plan's unit or one below it). */
  @Column({ name: 'unit_id', type: 'int' })
  unitId: number;

  @Column({ name: 'obligation_id', type: 'int' })
  obligationId: number;

  @Field({ description: 'The period reported on: 2026, 2026S1, 2026Q3, 2026-07' })
  @Column({ type: 'varchar', length: 16 })
  period: string;

  @Field({ description: 'ISO timestamp' })
  @Column({ name: 'submitted_at', type: 'varchar', length: 30 })
  submittedAt: string;

  @Field({ description: 'Subject of the token that recorded it' })
  @Column({ name: 'submitted_by', type: 'varchar', length: 128 })
  submittedBy: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  note: string | null;
}
