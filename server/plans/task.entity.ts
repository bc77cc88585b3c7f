import { Field, Int, ObjectType } from 'type-graphql';
import { Column } from 'typeorm';
import { Node, toGlobalId } from '../core/node';
import { PlanPartEntity, PlanPartRow } from './plan-part';
import { DateScalar } from '../core/scalars';
import { jsonColumn, ScheduleKind } from './plan.enums';

@ObjectType('DayOfYear')
export class DayOfYear {
  @Field(() => Int)
  day: number;

  @Field(() => Int)
  month: number;
}

@ObjectType('TaskSchedule', { description: 'When a task happens: a date range, a yearly range, fixed days of the year, or all year' })
export class TaskSchedule {
  @Field(() => ScheduleKind)
  kind: ScheduleKind;

  @Field(() => DateScalar, { nullable: true, description: 'DATE_RANGE start' })
  from: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'DATE_RANGE end' })
  to: string | null;

  @Field(() => DayOfYear, { nullable: true, description: 'YEARLY_RANGE start' })
  yearlyFrom: DayOfYear | null;

  @Field(() => DayOfYear, { nullable: true, description: 'YEARLY_RANGE end' })
  yearlyTo: DayOfYear | null;

  @Field(() => [DayOfYear], { description: 'FIXED_DAYS' })
  days: DayOfYear[];
}

export interface TaskQuantity {
  comparator: string;
  value: number;
  unit: string;
  per: string | null;
}

/** A task (nhiệm vụ) of a plan. */
@ObjectType('Task', { implements: Node, description: 'A task (nhiệm vụ, giải pháp) of a plan' })
@PlanPartEntity('task')
export class Task extends PlanPartRow {
  get globalId(): string {
    return toGlobalId('Task', this.id);
  }

  @Field(() => Int)
  @Column({ type: 'int' })
  ordinal: number;

  @Field(() => String, { nullable: true, description: 'Task group heading as written' })
  @Column({ name: 'group_title', type: 'text', nullable: true })
  group: string | null;

  @Field()
  @Column({ type: 'text' })
  title: string;

  @Field()
  @Column({ type: 'text' })
  description: string;

  /** Ordinals of the objectives served (empty = the plan as a whole). */
  @Column({ name: 'objective_ordinals', type: 'text', transformer: jsonColumn })
  objectiveOrdinals: number[];

  @Column({ name: 'schedule_kind', type: 'varchar', length: 16, nullable: true })
  scheduleKind: ScheduleKind | null;

  @Column({ name: 'schedule_from', type: 'varchar', length: 10, nullable: true })
  scheduleFrom: string | null;

  @Column({ name: 'schedule_to', type: 'varchar', length: 10, nullable: true })
  scheduleTo: string | null;

  /** YEARLY_RANGE as [from, to]; FIXED_DAYS as the days; empty otherwise. */
  @Column({ name: 'schedule_days', type: 'text', transformer: jsonColumn })
  scheduleDays: DayOfYear[];

  @Column({ name: 'lead_agency_id', type: 'int', nullable: true })
  leadAgencyId: number | null;

  @Column({ name: 'partner_agency_ids', type: 'text', transformer: jsonColumn })
  partnerAgencyIds: number[];

  @Column({ type: 'text', nullable: true })
  quantity: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 16, nullable: true })
  status: string | null;
}
