import { Field, Float, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Node, toGlobalId } from '../core/node';
import { UnitLevel } from '../tenancy/unit-level';
import { Domain, PeriodType, TemporalAggregation, ValueType } from './indicator-enums';

/** A catalogue indicator (reference data, the same for every tenant); its value type says how it aggregates (indicator-value.ts). */
@ObjectType('Indicator', { implements: Node, description: 'An indicator of the catalogue; observations store its numerator and denominator' })
@Entity('indicator')
@Index('uq_indicator_code', ['code'], { unique: true })
export class Indicator {
  get globalId(): string {
    return toGlobalId('Indicator', this.id);
  }

  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'Stable code, e.g. FEMALE_KEY_LEADER' })
  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Field({ description: 'Vietnamese name' })
  @Column({ type: 'varchar', length: 400 })
  name: string;

  @Field()
  @Column({ name: 'name_en', type: 'varchar', length: 400 })
  nameEn: string;

  @Field(() => Domain)
  @Column({ type: 'varchar', length: 32 })
  domain: Domain;

  @Field(() => ValueType, { description: 'How values aggregate: a COUNT to factor × Σnumerator (TOTAL = FEMALE + MALE, a FLOW year = the sum of its sub-periods, a STOCK year = the latest); PROPORTION, RATIO, MEAN and BOOLEAN to factor × Σnumerator ÷ Σdenominator' })
  @Column({ name: 'value_type', type: 'varchar', length: 16 })
  valueType: ValueType;

  @Field(() => Float, { description: 'Multiplier of numerator/denominator: 1, 100, 1000 or 100000' })
  @Column({ type: 'double' })
  factor: number;

  @Field({ description: "e.g. '%', 'bé trai/100 bé gái', 'tin, bài'" })
  @Column({ name: 'unit_of_measure', type: 'varchar', length: 64 })
  unitOfMeasure: string;

  @Field(() => UnitLevel, { description: 'Level of the units that enter data' })
  @Column({ name: 'entry_level', type: 'varchar', length: 16 })
  entryLevel: UnitLevel;

  @Field({ description: 'FEMALE and MALE rows (and optionally TOTAL); otherwise TOTAL rows only' })
  @Column({ name: 'sex_disaggregated', type: 'boolean' })
  sexDisaggregated: boolean;

  @Field(() => TemporalAggregation, { description: 'FLOW sums over a year, STOCK takes the last value' })
  @Column({ name: 'temporal_aggregation', type: 'varchar', length: 8 })
  temporalAggregation: TemporalAggregation;

  @Field(() => PeriodType, { description: 'Period at which data are entered' })
  @Column({ name: 'period_type', type: 'varchar', length: 8 })
  periodType: PeriodType;

  @Field({ description: 'What the numerator counts' })
  @Column({ name: 'numerator_label', type: 'varchar', length: 400 })
  numeratorLabel: string;

  @Field(() => String, { nullable: true, description: 'What the denominator counts; null when it is always 1' })
  @Column({ name: 'denominator_label', type: 'varchar', length: 400, nullable: true })
  denominatorLabel: string | null;

  @Field({ description: 'Legal or statistical source of the indicator' })
  @Column({ type: 'varchar', length: 400 })
  source: string;

  /** The dimensions beyond sex, in order, joined by ';' ('' for none); GraphQL reads them as `dimensions`. */
  @Column({ name: 'dimension_codes', type: 'varchar', length: 200, default: '' })
  dimensionCodes: string;

  @Field(() => Float, { nullable: true, description: 'Lowest plausible value of one observation (e.g. 80 boys per 100 girls); below it a row is applied with a warning, or refused in strict mode' })
  @Column({ name: 'plausible_min', type: 'double', nullable: true })
  plausibleMin: number | null;

  @Field(() => Float, { nullable: true, description: 'Highest plausible value of one observation (e.g. 150 boys per 100 girls); above it a row is applied with a warning, or refused in strict mode' })
  @Column({ name: 'plausible_max', type: 'double', nullable: true })
  plausibleMax: number | null;
}

/** Denominator is fixed at 1 for these value types. */
export function denominatorIsOne(indicator: Pick<Indicator, 'valueType'>): boolean {
  return indicator.valueType === ValueType.COUNT || indicator.valueType === ValueType.BOOLEAN;
}
