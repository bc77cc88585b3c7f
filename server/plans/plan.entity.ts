import { Field, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Node, toGlobalId } from '../core/node';
import { DateScalar, DateTimeScalar } from '../core/scalars';
import { jsonColumn, PlanKind, PlanStatus } from './plan.enums';

/** The upper-level plan or letter a plan implements; not itself in the database. */
@ObjectType('UpperLevelPlan', { description: 'An upper-level plan or letter, kept as cited (it need not be in the database)' })
export class UpperLevelPlan {
  @Field({ description: 'Number as written, e.g. "158/KH-UBND"' })
  number: string;

  @Field(() => DateScalar, { nullable: true })
  issuedOn: string | null;

  @Field({ description: 'Issuing body, e.g. "UBND tỉnh Lạng Sơn"' })
  issuer: string;

  @Field(() => String, { nullable: true })
  title: string | null;
}

/** A gender-equality plan (kế hoạch) of one unit. */
@ObjectType('Plan', { implements: Node, description: 'A gender-equality plan (kế hoạch) of one administrative unit' })
@Entity('plan')
@Index('ix_plan_unit', ['unitId'])
@Index('ix_plan_implements', ['implementsNumber'])
export class Plan {
  get globalId(): string {
    return toGlobalId('Plan', this.id);
  }

  @PrimaryGeneratedColumn()
  id: number;

  /** The owning unit. */
  @Column({ name: 'unit_id', type: 'int' })
  unitId: number;

  @Field(() => String, { nullable: true, description: 'e.g. "158/KH-UBND"; null while the number is blank (a draft)' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  number: string | null;

  @Field()
  @Column({ type: 'text' })
  title: string;

  @Field(() => PlanKind)
  @Column({ type: 'varchar', length: 16 })
  kind: PlanKind;

  @Field(() => Int)
  @Column({ name: 'first_year', type: 'int' })
  firstYear: number;

  @Field(() => Int)
  @Column({ name: 'last_year', type: 'int' })
  lastYear: number;

  @Field(() => DateScalar, { nullable: true })
  @Column({ name: 'issued_on', type: 'varchar', length: 10, nullable: true })
  issuedOn: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: 'issued_place', type: 'varchar', length: 128, nullable: true })
  issuedPlace: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 255, nullable: true })
  signer: string | null;

  @Field(() => PlanStatus)
  @Column({ type: 'varchar', length: 16 })
  status: PlanStatus;

  @Column({ name: 'implements_number', type: 'varchar', length: 64, nullable: true })
  implementsNumber: string | null;

  @Column({ name: 'implements_issued_on', type: 'varchar', length: 10, nullable: true })
  implementsIssuedOn: string | null;

  @Column({ name: 'implements_issuer', type: 'varchar', length: 255, nullable: true })
  implementsIssuer: string | null;

  @Column({ name: 'implements_title', type: 'text', nullable: true })
  implementsTitle: string | null;

  @Field(() => [String])
  @Column({ name: 'legal_bases', type: 'text', transformer: jsonColumn })
  legalBases: string[];

  @Field(() => [String])
  @Column({ type: 'text', transformer: jsonColumn })
  purposes: string[];

  @Field(() => [String])
  @Column({ type: 'text', transformer: jsonColumn })
  requirements: string[];

  @Field(() => [String])
  @Column({ name: 'budget_sources', type: 'text', transformer: jsonColumn })
  budgetSources: string[];

  /** The seed file it was loaded from, if any. */
  @Column({ name: 'seed_key', type: 'varchar', length: 64, nullable: true })
  seedKey: string | null;

  @Field(() => DateTimeScalar)
  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt: string;

  @Field(() => DateTimeScalar)
  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt: string;
}
