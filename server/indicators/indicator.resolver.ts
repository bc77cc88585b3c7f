import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { Domain } from './indicator-enums';
import { Indicator } from './indicator.entity';
import * as indicators from './indicator.service';

@Resolver(() => Indicator)
export class IndicatorResolver {
  @Query(() => [Indicator], { description: 'The indicator catalogue, optionally of one domain, by code' })
  indicators(@Ctx() ctx: RequestContext, @Arg('domain', () => Domain, { nullable: true }) domain?: Domain | null): Promise<Indicator[]> {
    return indicators.listIndicators(ctx, domain);
  }

  @Query(() => Indicator, { nullable: true })
  indicator(@Ctx() ctx: RequestContext, @Arg('code') code: string): Promise<Indicator | null> {
    return indicators.findIndicatorByCode(ctx, code);
  }
}
