import { Field, Int, ObjectType } from 'type-graphql';
import { Column } from 'typeorm';
import { Node, toGlobalId } from '../core/node';
import { PlanPartEntity, PlanPartRow } from './plan-part';
import { DateScalar } from '../core/scalars';
import { ReportKind } from './plan.enums';

/** Who reports to whom, what kind of report, and when it is due. */
@ObjectType('ReportingObligation', { implements: Node, description: 'A report somebody owes under a plan: kind, deadline, reporter and recipient' })
@PlanPartEntity('reporting_obligation')
export class ReportingObligation extends PlanPartRow {
  get globalId(): string {
    return toGlobalId('ReportingObligation', this.id);
  }

  @Field(() => ReportKind)
  @Column({ type: 'varchar', length: 16 })
  kind: ReportKind;

  /** null = the plan's unit as a whole. */
  @Column({ name: 'reporter_agency_id', type: 'int', nullable: true })
  reporterAgencyId: number | null;

  @Field({ description: 'To whom, as written' })
  @Column({ type: 'varchar', length: 255 })
  recipient: string;

  @Field(() => Int, { nullable: true, description: 'Recurring deadline: day of month (05/6 → 5)' })
  @Column({ name: 'due_day', type: 'int', nullable: true })
  dueDay: number | null;

  @Field(() => Int, { nullable: true, description: 'Recurring deadline: month (05/6 → 6)' })
  @Column({ name: 'due_month', type: 'int', nullable: true })
  dueMonth: number | null;

  @Field(() => DateScalar, { nullable: true, description: 'A one-off deadline' })
  @Column({ name: 'due_date', type: 'varchar', length: 10, nullable: true })
  dueDate: string | null;

  @Field(() => Int, { nullable: true, description: 'For MIDTERM and FINAL reports: the year' })
  @Column({ type: 'int', nullable: true })
  year: number | null;

  @Field({ description: 'As written' })
  @Column({ type: 'text' })
  description: string;
}
