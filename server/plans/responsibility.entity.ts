import { Field, ObjectType } from 'type-graphql';
import { Column, Index } from 'typeorm';
import { Node, toGlobalId } from '../core/node';
import { PlanPartEntity, PlanPartRow } from './plan-part';
import { jsonColumn, ResponsibilityRole } from './plan.enums';

/** What an agency must do under a plan, and which objectives or targets it reports on. */
@ObjectType('Responsibility', { implements: Node, description: 'What an agency must do under a plan and which objectives or targets it reports on' })
@PlanPartEntity('responsibility')
@Index('ix_responsibility_agency_id', ['agencyId'])
export class Responsibility extends PlanPartRow {
  get globalId(): string {
    return toGlobalId('Responsibility', this.id);
  }

  @Column({ name: 'agency_id', type: 'int' })
  agencyId: number;

  @Field(() => ResponsibilityRole)
  @Column({ type: 'varchar', length: 32 })
  role: ResponsibilityRole;

  @Field({ description: 'As written' })
  @Column({ type: 'text' })
  duties: string;

  @Column({ name: 'objective_ordinals', type: 'text', transformer: jsonColumn })
  objectiveOrdinals: number[];

  /** Targets as "objectiveOrdinal.targetOrdinal", e.g. "3.2". */
  @Field(() => [String], { description: 'Targets named, as "objective.target" ordinals, e.g. "3.2"' })
  @Column({ name: 'target_labels', type: 'text', transformer: jsonColumn })
  targetLabels: string[];
}
