import { Field, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Node, toGlobalId } from '../core/node';
import { DateScalar, DateTimeScalar } from '../core/scalars';
import { jsonColumn, jsonObjectColumn, PlanKind, PlanStatus } from './plan.enums';

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

/** The decision (quyết định, QĐ) that issues a plan as its attachment. */
@ObjectType('IssuingDecision', { description: 'The decision (quyết định) that issues the plan as its attachment' })
export class IssuingDecision {
  @Field(() => String, { nullable: true, description: 'Number as written, e.g. "56/QĐ-UBND"; null while blank' })
  number: string | null;

  @Field(() => DateScalar, { nullable: true })
  issuedOn: string | null;

  @Field(() => String, { nullable: true, description: 'Issuing body, e.g. "UBND tỉnh Thái Bình"' })
  issuer: string | null;

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

  @Field(() => String, { nullable: true, description: 'Place of issue as written, e.g. "Lợi Bác"' })
  @Column({ name: 'issued_place', type: 'varchar', length: 128, nullable: true })
  issuedPlace: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 255, nullable: true })
  signer: string | null;

  @Field(() => String, { nullable: true, description: 'The lines above the signature, one per line, e.g. "TM. ỦY BAN NHÂN DÂN\\nKT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH"' })
  @Column({ name: 'signer_capacity', type: 'varchar', length: 255, nullable: true })
  signerCapacity: string | null;

  @Field(() => String, { nullable: true, description: 'The general objective (mục tiêu tổng quát, mục tiêu chung) as written' })
  @Column({ name: 'general_objective', type: 'text', nullable: true })
  generalObjective: string | null;

  @Field(() => IssuingDecision, { nullable: true, description: 'The decision (QĐ) that issues this plan as its attachment' })
  @Column({ name: 'issuing_decision', type: 'text', nullable: true, transformer: jsonObjectColumn })
  issuingDecision: IssuingDecision | null;

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

  /** Upper-level documents implemented besides `implements` (which stays the one `plans(implements:)` finds). */
  @Column({ name: 'also_implements', type: 'text', nullable: true, transformer: jsonColumn })
  alsoImplements: UpperLevelPlan[];

  @Field(() => [String], { description: 'The distribution list (nơi nhận), one line each as written' })
  @Column({ name: 'distribution_list', type: 'text', nullable: true, transformer: jsonColumn })
  distributionList: string[];

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
