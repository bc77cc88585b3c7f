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

  @FieldResolver(() => TargetProgress, { nullable: true, description: 'The target judged in a period for the plan’s unit; null when it has no machine-readable form' })
  progress(@Ctx() ctx: RequestContext, @Root() target: Target, @Arg('period') period: string): Promise<TargetProgress | null> {
    return progress.progressOfTarget(ctx, target, period);
  }
}
