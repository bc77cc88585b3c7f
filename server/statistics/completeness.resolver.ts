import { Arg, Args, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { DEFAULT_PAGE_SIZE } from '../core/pagination';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import { CompletenessArgs } from './completeness.inputs';
import * as completeness from './completeness.service';
import { CompletenessRow } from './completeness.types';

@Resolver(() => CompletenessRow)
export class CompletenessResolver {
  @Query(() => [CompletenessRow], {
    description:
      'Who has not reported (chưa báo cáo): expected reporters, reported, reported on time and rates per unit — the area (NONE), each child (CHILDREN, the default) or each unit at `level` (LEVEL) — for an indicator or a reporting obligation (exactly one of them)',
  })
  reportingCompleteness(@Ctx() ctx: RequestContext, @Args() args: CompletenessArgs): Promise<CompletenessRow[]> {
    return completeness.reportingCompleteness(ctx, args);
  }

  @FieldResolver(() => [AdministrativeUnit], { description: 'Expected reporters that have not reported, in code order (the first `first`)' })
  missing(@Ctx() ctx: RequestContext, @Root() row: CompletenessRow, @Arg('first', () => Int, { defaultValue: DEFAULT_PAGE_SIZE }) first: number): Promise<AdministrativeUnit[]> {
    return completeness.missingOf(ctx, row, first);
  }

  @FieldResolver(() => [AdministrativeUnit], { description: 'Reporters whose first report came after the deadline, in code order (the first `first`); empty when no deadline applies' })
  late(@Ctx() ctx: RequestContext, @Root() row: CompletenessRow, @Arg('first', () => Int, { defaultValue: DEFAULT_PAGE_SIZE }) first: number): Promise<AdministrativeUnit[]> {
    return completeness.lateOf(ctx, row, first);
  }
}
