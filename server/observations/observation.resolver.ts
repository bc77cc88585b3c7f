import { Arg, Args, Ctx, FieldResolver, Float, ID, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { ConnectionType } from '../core/pagination';
import { ObservationStatus } from '../indicators/indicator-enums';
import { DimensionValue } from '../indicators/dimension-value';
import { Indicator } from '../indicators/indicator.entity';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import { ObservationRevision } from './observation-revision.entity';
import { Observation } from './observation.entity';
import { rowIdOf } from '../core/node';
import { BadUserInputError } from '../core/errors';
import { ImportResult, ObservationInput, ObservationsArgs } from './observation.inputs';
import * as observations from './observation.service';

/** Observation ids as global ids; "obs:12" and the bare row number, which the API took before, still work. */
function observationRowId(id: string): number | null {
  return rowIdOf(id, 'Observation', 'obs:');
}

function observationIds(ids: string[]): number[] {
  return ids.map((id) => {
    const rowId = observationRowId(id);
    if (rowId === null) throw new BadUserInputError(`"${id}" is not an observation id`, 'ids');
    return rowId;
  });
}

@ObjectType()
export class ObservationConnection extends ConnectionType(Observation, 'Observation') {}

@Resolver(() => Observation)
export class ObservationResolver {
  @Query(() => ObservationConnection, { description: 'Observations of your subtree (a STATISTICS_OFFICE sees approved ones only)' })
  observations(@Ctx() ctx: RequestContext, @Args() args: ObservationsArgs): Promise<ObservationConnection> {
    return observations.listObservations(ctx, args);
  }

  @Query(() => Observation, { nullable: true, description: 'One observation; null when absent or outside your subtree' })
  observation(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Observation | null> {
    const rowId = observationRowId(id);
    return rowId === null ? Promise.resolve(null) : observations.findObservation(ctx, rowId);
  }

  @Mutation(() => ImportResult, {
    description: 'Records a batch atomically: one bad row rejects all, every bad row is reported. dryRun validates only. A value outside its indicator’s plausible range is a warning, or with strict an error.',
  })
  recordObservations(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => [ObservationInput]) input: ObservationInput[],
    @Arg('dryRun', () => Boolean, { defaultValue: false }) dryRun: boolean,
    @Arg('strict', () => Boolean, { defaultValue: false, description: 'Refuse the batch when a value lies outside its indicator’s plausible range' }) strict: boolean,
  ): Promise<ImportResult> {
    return observations.recordObservations(ctx, input, { dryRun, strict });
  }

  @Mutation(() => [Observation], { description: 'DRAFT → SUBMITTED, by whoever may write the units; all or none' })
  submitObservations(@Ctx() ctx: RequestContext, @Arg('ids', () => [ID]) ids: string[], @Arg('comment', () => String, { nullable: true }) comment?: string | null): Promise<Observation[]> {
    return observations.changeStatus(ctx, observationIds(ids), ObservationStatus.SUBMITTED, comment ?? null);
  }

  @Mutation(() => [Observation], { description: '→ APPROVED, by an ADMIN of the subtree or an EDITOR of the unit above; all or none' })
  approveObservations(@Ctx() ctx: RequestContext, @Arg('ids', () => [ID]) ids: string[], @Arg('comment', () => String, { nullable: true }) comment?: string | null): Promise<Observation[]> {
    return observations.changeStatus(ctx, observationIds(ids), ObservationStatus.APPROVED, comment ?? null);
  }

  @FieldResolver(() => Indicator)
  async indicator(@Ctx() ctx: RequestContext, @Root() observation: Observation): Promise<Indicator> {
    return (await observations.indicatorOf(ctx, observation)) as Indicator;
  }

  @FieldResolver(() => AdministrativeUnit, { description: 'The owning unit, read as of the end of the period' })
  async unit(@Ctx() ctx: RequestContext, @Root() observation: Observation): Promise<AdministrativeUnit> {
    return (await observations.unitOf(ctx, observation)) as AdministrativeUnit;
  }

  @FieldResolver(() => [DimensionValue], { description: 'Its value of each of the indicator’s dimensions beyond sex; `_T` where it is the total' })
  dimensions(@Ctx() ctx: RequestContext, @Root() observation: Observation): Promise<DimensionValue[]> {
    return observations.observationDimensions(ctx, observation);
  }

  @FieldResolver(() => Float, { nullable: true, description: 'factor × numerator for a COUNT, else factor × numerator / denominator; null when that is no finite number' })
  value(@Ctx() ctx: RequestContext, @Root() observation: Observation): Promise<number | null> {
    return observations.observationValue(ctx, observation);
  }

  @FieldResolver(() => [ObservationRevision], { description: 'Every change, oldest first' })
  history(@Ctx() ctx: RequestContext, @Root() observation: Observation): Promise<ObservationRevision[]> {
    return observations.historyOf(ctx, observation);
  }
}
