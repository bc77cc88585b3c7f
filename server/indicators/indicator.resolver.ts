import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { Domain } from './indicator-enums';
import { Dimension } from './dimension.entity';
import { IndicatorReference } from './indicator-reference.entity';
import { Indicator } from './indicator.entity';
import * as indicators from './indicator.service';

@Resolver(() => Indicator)
export class IndicatorResolver {
  @Query(() => [Indicator], { description: 'The indicator catalogue by code, optionally of one domain, one framework, or matching a search' })
  indicators(
    @Ctx() ctx: RequestContext,
    @Arg('domain', () => Domain, { nullable: true }) domain?: Domain | null,
    @Arg('framework', () => String, { nullable: true, description: "Only indicators with a reference in this framework, e.g. 'TT10/2019/TT-BKHĐT' or 'SDG'" }) framework?: string | null,
    @Arg('search', () => String, { nullable: true, description: "Accent- and case-insensitive text in the code or the Vietnamese or English name: 'ty so gioi tinh' finds 'Tỷ số giới tính khi sinh'" }) search?: string | null,
  ): Promise<Indicator[]> {
    return indicators.listIndicators(ctx, { domain, framework, search });
  }

  @Query(() => Indicator, { nullable: true })
  indicator(@Ctx() ctx: RequestContext, @Arg('code') code: string): Promise<Indicator | null> {
    return indicators.findIndicatorByCode(ctx, code);
  }

  @FieldResolver(() => [Dimension], { description: 'The dimensions it is broken down by beyond sex (age group, ethnicity, urban/rural, disability), each with its code list; statistics(by:, where:) read them' })
  dimensions(@Ctx() ctx: RequestContext, @Root() indicator: Indicator): Promise<Dimension[]> {
    return indicators.indicatorDimensions(ctx, indicator);
  }

  @FieldResolver(() => [IndicatorReference], { description: 'Codes of this indicator in official frameworks (national indicator set, strategy, SDG)' })
  references(@Ctx() ctx: RequestContext, @Root() indicator: Indicator): Promise<IndicatorReference[]> {
    return indicators.indicatorReferences(ctx, indicator);
  }
}
