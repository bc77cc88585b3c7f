import { Field, Float, Int, ObjectType } from 'type-graphql';
import { DateScalar } from '../core/scalars';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';

/** One expected reporter (đơn vị phải báo cáo) below a row unit, as the service sees it. */
export interface Reporter {
  unitId: number;
  code: string;
  /** Its first report for the period (ISO timestamp); null when it has not reported. */
  firstReportedAt: string | null;
  /** Whether that first report met the deadline; null without a deadline or without a report. */
  onTime: boolean | null;
}

@ObjectType('CompletenessRow', {
  description:
    'Who was expected to report for one unit and period, who did, and who did so on time. With an indicator: the entry-level units of the indicator under the unit and their observations. With an obligation: the units that owe that report (the obligation’s own unit and the units below it whose plans implement the obligation’s plan) and their submissions.',
})
export class CompletenessRow {
  @Field(() => AdministrativeUnit, { description: 'Read on the last day of the period' })
  unit: AdministrativeUnit;

  @Field()
  period: string;

  @Field(() => Int, { description: 'Expected reporters at or below the unit on the period’s last day' })
  expected: number;

  @Field(() => Int, { description: 'Expected reporters that reported for the period (only data you may see count)' })
  reported: number;

  @Field(() => Int, { nullable: true, description: 'Reporters whose first report for the period came on or before `deadline` (a date in Vietnam time, UTC+7); null when no deadline applies' })
  reportedOnTime: number | null;

  @Field(() => Float, { nullable: true, description: 'reported ÷ expected, a fraction from 0 to 1; null when nobody is expected' })
  rate: number | null;

  @Field(() => Float, { nullable: true, description: 'reportedOnTime ÷ expected, a fraction from 0 to 1; null when nobody is expected or no deadline applies' })
  onTimeRate: number | null;

  @Field(() => DateScalar, { nullable: true, description: 'The deadline applied: the obligation’s for the period, or the `deadline` argument with an indicator; null when none applies' })
  deadline: string | null;

  /** Not a field: this row's expected reporters, read on demand by `missing` and `late`. */
  reporters: () => Promise<Reporter[]>;

  /** Not a field: the date the reporters' units are read at (the period's last day). */
  asOf: string;
}
