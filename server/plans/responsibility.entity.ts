import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { jsonColumn, ResponsibilityRole } from './plan.enums';

/** What an agency must do under a plan, and which objectives or targets it reports on. */
@ObjectType('Responsibility', { description: 'What an agency must do under a plan and which objectives or targets it reports on' })
@Entity('responsibility')
@Index('ix_responsibility_plan_id', ['planId'])
@Index('ix_responsibility_agency_id', ['agencyId'])
@Index('ix_responsibility_unit_id', ['unitId'])
export class Responsibility {
  @Field(() => ID)
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'unit_id', type: 'int' })
  unitId: number;

  @Column({ name: 'plan_id', type: 'int' })
  planId: number;

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
