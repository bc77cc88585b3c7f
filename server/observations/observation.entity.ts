import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DateTimeScalar } from '../core/scalars';
import { Node, toGlobalId } from '../core/node';
import { ObservationStatus, Sex } from '../indicators/indicator-enums';

/**
 * One observation, stored as components (never a pre-computed rate). Key: indicator, unit,
 * period, sex, and its coded dimension values (dimension-key.ts; '' = the total of every one). `unit_id` is the owning unit for the access layer.
 * `indicator`, `unit`, `value` and `history` are resolved by ObservationResolver.
 */
@ObjectType('Observation', { implements: Node, description: 'A gender-disaggregated observation, stored as numerator and denominator (see Observation.value)' })
@Entity('observation')
@Index('uq_observation_key', ['indicatorId', 'unitId', 'period', 'sex', 'dimensionKey'], { unique: true })
@Index('ix_observation_unit', ['unitId', 'indicatorId', 'period'])
export class Observation {
  get globalId(): string {
    return toGlobalId('Observation', this.id);
  }

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'indicator_id', type: 'int' })
  indicatorId: number;

  @Column({ name: 'unit_id', type: 'int' })
  unitId: number;

  @Field({ description: '2026, 2026S1, 2026Q3 or 2026-07' })
  @Column({ type: 'varchar', length: 8 })
  period: string;

  @Field(() => Sex)
  @Column({ type: 'varchar', length: 8 })
  sex: Sex;

  /** Canonical key of its dimension values, e.g. 'AGE=Y15T24;URBANISATION=U'; GraphQL reads it as `dimensions`. */
  @Column({ name: 'disaggregation', type: 'varchar', length: 64, default: '' })
  dimensionKey: string;

  @Field(() => Float)
  @Column({ type: 'double' })
  numerator: number;

  @Field(() => Float)
  @Column({ type: 'double' })
  denominator: number;

  @Field(() => ObservationStatus)
  @Column({ type: 'varchar', length: 16 })
  status: ObservationStatus;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 255, nullable: true })
  source: string | null;

  @Field(() => Int, { description: 'Incremented by every change; send it back as expectedVersion' })
  @Column({ type: 'int' })
  version: number;

  @Field()
  @Column({ name: 'updated_by', type: 'varchar', length: 128 })
  updatedBy: string;

  @Field(() => DateTimeScalar)
  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt: string;
}
