import { Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { unitAt } from '../tenancy/administrative-unit.entity';
import { Viewer } from './viewer';

@Resolver(() => Viewer)
export class AuthResolver {
  @Query(() => Viewer, { description: 'The caller: token subject, role and unit' })
  me(@Ctx() ctx: RequestContext): Viewer {
    const { viewer } = ctx.access;
    return Object.assign(new Viewer(), viewer, { unit: unitAt(viewer.unit, ctx.today) });
  }
}
