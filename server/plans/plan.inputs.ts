import { ArgsType, Field, Float, ID, InputType, Int } from 'type-graphql';
import { PeriodType, Domain } from '../indicators/indicator-enums';
import { DateScalar } from '../core/scalars';
import { AgencyKind, Comparator, Measure, PlanKind, PlanStatus, ReportKind, ResponsibilityRole, ScheduleKind } from './plan.enums';

@ArgsType()
export class PlansArgs {
  @Field(() => String, { nullable: true, description: 'Owning unit code; a code not in force today means its latest unit (e.g. legacy district 313)' })
  unit?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'The date at which `unit` is read (default today)' })
  unitAsOf?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Also plans of units below `unit` (at any date)' })
  includeDescendants?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Only plans whose period covers this year' })
  year?: number | null;

  @Field(() => String, { nullable: true, description: 'Only plans implementing the upper-level plan with this number, e.g. "158/KH-UBND"' })
  implements?: string | null;

  @Field(() => Int, { nullable: true })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

@InputType()
export class UpperLevelPlanInput {
  @Field()
  number: string;

  @Field(() => DateScalar, { nullable: true })
  issuedOn?: string | null;

  @Field()
  issuer: string;

  @Field(() => String, { nullable: true })
  title?: string | null;
}

@InputType()
export class IssuingDecisionInput {
  @Field(() => String, { nullable: true, description: 'e.g. "56/QĐ-UBND"; blank or null while not numbered' })
  number?: string | null;

  @Field(() => DateScalar, { nullable: true })
  issuedOn?: string | null;

  @Field(() => String, { nullable: true })
  issuer?: string | null;

  @Field(() => String, { nullable: true })
  title?: string | null;
}

@InputType()
export class CreatePlanInput {
  @Field({ description: 'Owning unit code' })
  unit: string;

  @Field(() => DateScalar, { nullable: true, description: 'The date at which `unit` is read (default today)' })
  unitAsOf?: string | null;

  @Field(() => String, { nullable: true })
  number?: string | null;

  @Field()
  title: string;

  @Field(() => PlanKind)
  kind: PlanKind;

  @Field(() => Int)
  firstYear: number;

  @Field(() => Int)
  lastYear: number;

  @Field(() => DateScalar, { nullable: true })
  issuedOn?: string | null;

  @Field(() => String, { nullable: true, description: 'Place of issue as written, e.g. "Lợi Bác"' })
  issuedPlace?: string | null;

  @Field(() => String, { nullable: true })
  signer?: string | null;

  @Field(() => String, { nullable: true, description: 'The lines above the signature, e.g. "KT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH"' })
  signerCapacity?: string | null;

  @Field(() => PlanStatus, { nullable: true, defaultValue: PlanStatus.DRAFT })
  status?: PlanStatus | null;

  @Field(() => UpperLevelPlanInput, { nullable: true })
  implements?: UpperLevelPlanInput | null;

  @Field(() => [UpperLevelPlanInput], { nullable: true, description: 'Further upper-level documents implemented' })
  alsoImplements?: UpperLevelPlanInput[] | null;

  @Field(() => IssuingDecisionInput, { nullable: true, description: 'The decision (QĐ) that issues this plan as its attachment' })
  issuingDecision?: IssuingDecisionInput | null;

  @Field(() => String, { nullable: true, description: 'mục tiêu tổng quát, as written' })
  generalObjective?: string | null;

  @Field(() => [String], { nullable: true, description: 'nơi nhận, one line each' })
  distributionList?: string[] | null;

  @Field(() => [String], { nullable: true })
  legalBases?: string[] | null;

  @Field(() => [String], { nullable: true })
  purposes?: string[] | null;

  @Field(() => [String], { nullable: true })
  requirements?: string[] | null;

  @Field(() => [String], { nullable: true })
  budgetSources?: string[] | null;
}

@InputType({ description: 'Only the fields given change; null clears an optional field (refused on a required one); a list replaces the whole list' })
export class UpdatePlanInput {
  @Field(() => String, { nullable: true, description: 'Blank or null: no number (a draft only)' })
  number?: string | null;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => PlanKind, { nullable: true })
  kind?: PlanKind | null;

  @Field(() => Int, { nullable: true })
  firstYear?: number | null;

  @Field(() => Int, { nullable: true })
  lastYear?: number | null;

  @Field(() => DateScalar, { nullable: true })
  issuedOn?: string | null;

  @Field(() => String, { nullable: true })
  signer?: string | null;

  @Field(() => String, { nullable: true })
  issuedPlace?: string | null;

  @Field(() => String, { nullable: true })
  signerCapacity?: string | null;

  @Field(() => PlanStatus, { nullable: true, description: 'DRAFT → ISSUED → SUPERSEDED only' })
  status?: PlanStatus | null;

  @Field(() => UpperLevelPlanInput, { nullable: true })
  implements?: UpperLevelPlanInput | null;

  @Field(() => [UpperLevelPlanInput], { nullable: true })
  alsoImplements?: UpperLevelPlanInput[] | null;

  @Field(() => IssuingDecisionInput, { nullable: true })
  issuingDecision?: IssuingDecisionInput | null;

  @Field(() => String, { nullable: true })
  generalObjective?: string | null;

  @Field(() => [String], { nullable: true })
  legalBases?: string[] | null;

  @Field(() => [String], { nullable: true })
  purposes?: string[] | null;

  @Field(() => [String], { nullable: true })
  requirements?: string[] | null;

  @Field(() => [String], { nullable: true })
  budgetSources?: string[] | null;

  @Field(() => [String], { nullable: true })
  distributionList?: string[] | null;
}

@InputType()
export class ObjectiveInput {
  @Field(() => Int, { nullable: true, description: 'Default: after the last objective' })
  ordinal?: number | null;

  @Field()
  title: string;

  @Field(() => Domain)
  domain: Domain;
}

@InputType({ description: 'Only the fields given change' })
export class UpdateObjectiveInput {
  @Field(() => Int, { nullable: true, description: 'A free ordinal in the plan' })
  ordinal?: number | null;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => Domain, { nullable: true })
  domain?: Domain | null;
}

@InputType()
export class TargetPointInput {
  @Field(() => Int)
  year: number;

  @Field(() => Float)
  value: number;
}

@InputType()
export class TargetInput {
  @Field(() => Int, { nullable: true, description: 'Default: after the last target of the objective' })
  ordinal?: number | null;

  @Field(() => String, { nullable: true })
  label?: string | null;

  @Field({ description: 'The sentence as written' })
  text: string;

  @Field(() => String, { nullable: true, description: 'Indicator code from the catalogue' })
  indicator?: string | null;

  @Field(() => Measure, { nullable: true, description: 'Default TOTAL when an indicator is given' })
  measure?: Measure | null;

  @Field(() => Comparator, { nullable: true })
  comparator?: Comparator | null;

  @Field(() => Float, { nullable: true })
  targetValue?: number | null;

  @Field(() => Float, { nullable: true, description: 'Required with APPROXIMATELY, refused with any other comparator: 60 ± 2 is tolerance 2' })
  tolerance?: number | null;

  @Field(() => Int, { nullable: true })
  dueYear?: number | null;

  @Field(() => TargetPointInput, { nullable: true })
  baseline?: TargetPointInput | null;

  @Field(() => [TargetPointInput], { nullable: true })
  milestones?: TargetPointInput[] | null;

  @Field(() => PeriodType, { nullable: true, description: 'Default YEAR when an indicator is given' })
  periodType?: PeriodType | null;
}

@InputType({ description: 'Only the fields given change; null clears an optional field (indicator: null clears the whole machine-readable form); the result is validated as a whole' })
export class UpdateTargetInput {
  @Field(() => String, { nullable: true })
  label?: string | null;

  @Field(() => String, { nullable: true })
  text?: string | null;

  @Field(() => String, { nullable: true })
  indicator?: string | null;

  @Field(() => Measure, { nullable: true })
  measure?: Measure | null;

  @Field(() => Comparator, { nullable: true })
  comparator?: Comparator | null;

  @Field(() => Float, { nullable: true })
  targetValue?: number | null;

  @Field(() => Float, { nullable: true, description: 'Required with APPROXIMATELY, refused with any other comparator: 60 ± 2 is tolerance 2' })
  tolerance?: number | null;

  @Field(() => Int, { nullable: true })
  dueYear?: number | null;

  @Field(() => TargetPointInput, { nullable: true })
  baseline?: TargetPointInput | null;

  @Field(() => [TargetPointInput], { nullable: true })
  milestones?: TargetPointInput[] | null;

  @Field(() => PeriodType, { nullable: true })
  periodType?: PeriodType | null;
}

@InputType()
export class DayOfYearInput {
  @Field(() => Int)
  day: number;

  @Field(() => Int)
  month: number;
}

@InputType()
export class TaskScheduleInput {
  @Field(() => ScheduleKind)
  kind: ScheduleKind;

  @Field(() => DateScalar, { nullable: true })
  from?: string | null;

  @Field(() => DateScalar, { nullable: true })
  to?: string | null;

  @Field(() => DayOfYearInput, { nullable: true })
  yearlyFrom?: DayOfYearInput | null;

  @Field(() => DayOfYearInput, { nullable: true })
  yearlyTo?: DayOfYearInput | null;

  @Field(() => [DayOfYearInput], { nullable: true })
  days?: DayOfYearInput[] | null;
}

@InputType()
export class TaskInput {
  @Field(() => Int, { nullable: true })
  ordinal?: number | null;

  @Field(() => String, { nullable: true })
  group?: string | null;

  @Field()
  title: string;

  @Field({ defaultValue: '' })
  description: string;

  @Field(() => [Int], { nullable: true, description: 'Ordinals of the objectives served' })
  objectiveOrdinals?: number[] | null;

  @Field(() => TaskScheduleInput, { nullable: true })
  schedule?: TaskScheduleInput | null;

  @Field(() => ID, { nullable: true })
  leadAgency?: string | null;

  @Field(() => [ID], { nullable: true })
  partnerAgencies?: string[] | null;
}

@InputType({ description: 'Only the fields given change; null clears an optional field' })
export class UpdateTaskInput {
  @Field(() => Int, { nullable: true })
  ordinal?: number | null;

  @Field(() => String, { nullable: true })
  group?: string | null;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [Int], { nullable: true })
  objectiveOrdinals?: number[] | null;

  @Field(() => TaskScheduleInput, { nullable: true })
  schedule?: TaskScheduleInput | null;

  @Field(() => ID, { nullable: true })
  leadAgency?: string | null;

  @Field(() => [ID], { nullable: true })
  partnerAgencies?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Free text, e.g. "đang thực hiện"' })
  status?: string | null;
}

@InputType()
export class AgencyInput {
  @Field({ description: 'Unit the agency belongs to' })
  unit: string;

  @Field(() => String, { nullable: true, description: 'Stable key within the unit; default derived from the name' })
  key?: string | null;

  @Field()
  name: string;

  @Field(() => AgencyKind)
  kind: AgencyKind;

  @Field({ defaultValue: false, description: 'One entry naming several bodies, e.g. "các sở, ban, ngành"' })
  collective: boolean;
}

@InputType({ description: 'Only the fields given change' })
export class UpdateAgencyInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => AgencyKind, { nullable: true })
  kind?: AgencyKind | null;

  @Field(() => Boolean, { nullable: true })
  collective?: boolean | null;
}

@InputType()
export class ResponsibilityInput {
  @Field(() => ID)
  agency: string;

  @Field(() => ResponsibilityRole)
  role: ResponsibilityRole;

  @Field({ defaultValue: '' })
  duties: string;

  @Field(() => [Int], { nullable: true })
  objectiveOrdinals?: number[] | null;

  @Field(() => [String], { nullable: true, description: 'Targets as "objective.target", e.g. "3.2"' })
  targetLabels?: string[] | null;
}

@InputType({ description: 'Only the fields given change; null clears an optional field' })
export class UpdateResponsibilityInput {
  @Field(() => ID, { nullable: true })
  agency?: string | null;

  @Field(() => ResponsibilityRole, { nullable: true })
  role?: ResponsibilityRole | null;

  @Field(() => String, { nullable: true })
  duties?: string | null;

  @Field(() => [Int], { nullable: true })
  objectiveOrdinals?: number[] | null;

  @Field(() => [String], { nullable: true })
  targetLabels?: string[] | null;
}

@InputType()
export class ReportingObligationInput {
  @Field(() => ReportKind)
  kind: ReportKind;

  @Field(() => ID, { nullable: true, description: 'Agency that reports; none = the plan unit as a whole' })
  reporter?: string | null;

  @Field()
  recipient: string;

  @Field(() => Int, { nullable: true })
  dueDay?: number | null;

  @Field(() => Int, { nullable: true })
  dueMonth?: number | null;

  @Field(() => DateScalar, { nullable: true })
  dueDate?: string | null;

  @Field(() => Int, { nullable: true })
  year?: number | null;

  @Field({ defaultValue: '' })
  description: string;
}

@InputType({ description: 'Only the fields given change; null clears an optional field' })
export class UpdateReportingObligationInput {
  @Field(() => ReportKind, { nullable: true })
  kind?: ReportKind | null;

  @Field(() => ID, { nullable: true })
  reporter?: string | null;

  @Field(() => String, { nullable: true })
  recipient?: string | null;

  @Field(() => Int, { nullable: true })
  dueDay?: number | null;

  @Field(() => Int, { nullable: true })
  dueMonth?: number | null;

  @Field(() => DateScalar, { nullable: true })
  dueDate?: string | null;

  @Field(() => Int, { nullable: true })
  year?: number | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType()
export class SubmissionInput {
  @Field({ description: 'The period reported on: 2026, 2026S1, 2026Q3, 2026-07' })
  period: string;

  @Field(() => String, { nullable: true })
  note?: string | null;
}
