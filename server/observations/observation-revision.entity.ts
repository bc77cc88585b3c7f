import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DateTimeScalar } from '../core/scalars';
import { Node, toGlobalId } from '../core/node';
import { ObservationStatus } from '../indicators/indicator-enums';

/** One change of an observation; its creation is the revision with no old values. */
@ObjectType('ObservationRevision', { implements: Node, description: 'A change of an observation: old and new components and status' })
@Entity('observation_revision')
@Index('ix_observation_revision_observation', ['observationId', 'version'])
export class ObservationRevision {
  get globalId(): string {
    return toGlobalId('ObservationRevision', this.id);
  }

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'observation_id', type: 'int' })
  observationId: number;

  @Field(() => Float, { nullable: true })
  @Column({ name: 'old_numerator', type: 'double', nullable: true })
  oldNumerator: number | null;

  @Field(() => Float, { nullable: true })
  @Column({ name: 'old_denominator', type: 'double', nullable: true })
  oldDenominator: number | null;

  @Field(() => ObservationStatus, { nullable: true })
  @Column({ name: 'old_status', type: 'varchar', length: 16, nullable: true })
  oldStatus: ObservationStatus | null;

  @Field(() => Float)
  @Column({ name: 'new_numerator', type: 'double' })
  newNumerator: number;

  @Field(() => Float)
  @Column({ name: 'new_denominator', type: 'double' })
  newDenominator: number;

  @Field(() => ObservationStatus)
  @Column({ name: 'new_status', type: 'varchar', length: 16 })
  newStatus: ObservationStatus;

  @Field(() => Int, { description: 'Version of the observation after this change' })
  @Column({ type: 'int' })
  version: number;

  @Field()
  @Column({ name: 'changed_by', type: 'varchar', length: 128 })
  changedBy: string;

  @Field(() => DateTimeScalar)
  @Column({ name: 'changed_at', type: 'varchar', length: 30 })
  changedAt: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 1000, nullable: true })
  comment: string | null;
}
