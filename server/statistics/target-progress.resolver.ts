import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { Target } from '../plans/target.entity';
import { TargetProgressArgs } from './statistics.inputs';
import { TargetProgress } from './statistics.types';
import * as progress from './target-progress.service';

@Resolver(() => Target)
export class TargetProgressResolver {
  @Query(() => [TargetProgress], { description: 'Every machine-readable target of a plan judged in a period (per child unit with CHILDREN)' })
  targetProgress(@Ctx() ctx: RequestContext, @Args() args: TargetProgressArgs): Promise<TargetProgress[]> {
    return progress.targetProgress(ctx, args.plan, args.period, args.breakdown);
  }

  @FieldResolver(() => [String], { description: 'Values likely written on the wrong scale (0.6 for 60%, 1.09 for a sex ratio of 109 per 100); empty when none' })
  warnings(@Ctx() ctx: RequestContext, @Root() target: Target): Promise<string[]> {
    return progress.warningsOfTarget(ctx, target);
  }

  @FieldResolver(() => TargetProgress, { nullable: true, description: 'The target judged in a period for the plan’s area; null when it has no machine-readable form or is judged over longer periods' })
  progress(@Ctx() ctx: RequestContext, @Root() target: Target, @Arg('period') period: string): Promise<TargetProgress | null> {
    return progress.progressOfTarget(ctx, target, period);
  }
}
