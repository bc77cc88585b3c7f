import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Column, Index } from 'typeorm';
import { Node, toGlobalId } from '../core/node';
import { PlanPartEntity, PlanPartRow } from './plan-part';
import { PeriodType } from '../indicators/indicator-enums';
import { Comparator, jsonColumn, Measure } from './plan.enums';

@ObjectType('TargetPoint', { description: 'A value in a year: a baseline or a milestone' })
export class TargetPoint {
  @Field(() => Int)
  year: number;

  @Field(() => Float)
  value: number;
}

/** A target (chỉ tiêu): the text as written and its machine-readable form. */
@ObjectType('Target', { implements: Node, description: 'A target (chỉ tiêu): the text as written and, where it has one, its machine-readable form' })
@PlanPartEntity('target')
@Index('ix_target_objective_id', ['objectiveId'])
@Index('ix_target_indicator_code', ['indicatorCode'])
export class Target extends PlanPartRow {
  get globalId(): string {
    return toGlobalId('Target', this.id);
  }

  @Column({ name: 'objective_id', type: 'int' })
  objectiveId: number;

  @Field(() => Int, { description: 'Sequential within its objective' })
  @Column({ type: 'int' })
  ordinal: number;

  @Field(() => String, { nullable: true, description: 'As numbered in the text, e.g. "Chỉ tiêu 2 (b)"' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  label: string | null;

  @Field({ description: 'The sentence exactly as written' })
  @Column({ type: 'text' })
  text: string;

  /** Indicator code (the catalogue's); the indicator table is referenced by code only. */
  @Column({ name: 'indicator_code', type: 'varchar', length: 64, nullable: true })
  indicatorCode: string | null;

  @Field(() => Measure, { nullable: true })
  @Column({ type: 'varchar', length: 32, nullable: true })
  measure: Measure | null;

  @Field(() => Comparator, { nullable: true })
  @Column({ type: 'varchar', length: 16, nullable: true })
  comparator: Comparator | null;

  @Field(() => Float, { nullable: true })
  @Column({ name: 'target_value', type: 'double', nullable: true })
  targetValue: number | null;

  @Field(() => Float, { nullable: true, description: 'With APPROXIMATELY only: how far either way the actual may lie (60 ± 2)' })
  @Column({ type: 'double', nullable: true })
  tolerance: number | null;

  @Field(() => Int, { nullable: true, description: 'null when the target applies to every period of the plan' })
  @Column({ name: 'due_year', type: 'int', nullable: true })
  dueYear: number | null;

  @Column({ name: 'baseline_year', type: 'int', nullable: true })
  baselineYear: number | null;

  @Column({ name: 'baseline_value', type: 'double', nullable: true })
  baselineValue: number | null;

  @Field(() => [TargetPoint])
  @Column({ type: 'text', transformer: jsonColumn })
  milestones: TargetPoint[];

  @Field(() => PeriodType, { nullable: true, description: 'The period over which the target is judged' })
  @Column({ name: 'period_type', type: 'varchar', length: 16, nullable: true })
  periodType: PeriodType | null;
}
