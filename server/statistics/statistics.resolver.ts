import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { StatisticsArgs } from './statistics.inputs';
import * as stats from './statistics.service';
import { StatisticsResult } from './statistics.types';

@Resolver(() => StatisticsResult)
export class StatisticsResolver {
  @Query(() => StatisticsResult, { description: 'An indicator aggregated over an area (ratio of sums of components), per unit and period; only observations you may see count' })
  statistics(@Ctx() ctx: RequestContext, @Args() args: StatisticsArgs): Promise<StatisticsResult> {
    return stats.statistics(ctx, args);
  }
}
