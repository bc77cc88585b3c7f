import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Node, parseGlobalId } from './core/node';
import type { RequestContext } from './request-context';
import { findObservation, findRevision } from './observations/observation.service';
import { findUnitById } from './tenancy/unit.service';

type Find = (ctx: RequestContext, rowId: number) => Promise<Node | object | null>;

/**
 * How node(id:) reads each type: through the same restricted loaders and services as the type's
 * own fields, so an object outside the viewer's subtree answers null like an id naming nothing.
 */
const FINDERS: { [type: string]: Find } = {
  AdministrativeUnit: findUnitById,
  Indicator: (ctx, id) => ctx.loaders.indicatorById.load(id),
  Plan: (ctx, id) => ctx.loaders.planById.load(id),
  Objective: (ctx, id) => ctx.loaders.objectiveById.load(id),
  Target: (ctx, id) => ctx.loaders.targetById.load(id),
  Task: (ctx, id) => ctx.loaders.taskById.load(id),
  Agency: (ctx, id) => ctx.loaders.agencyById.load(id),
  Responsibility: (ctx, id) => ctx.loaders.responsibilityById.load(id),
  ReportingObligation: (ctx, id) => ctx.loaders.obligationById.load(id),
  Submission: (ctx, id) => ctx.loaders.submissionById.load(id),
  PlanRevision: (ctx, id) => ctx.loaders.revisionById.load(id),
  Observation: findObservation,
  ObservationRevision: findRevision,
};

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when it does not exist or is outside your subtree' })
  async node(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Node | null> {
    const global = parseGlobalId(id);
    const find = global && Object.hasOwn(FINDERS, global.type) ? FINDERS[global.type] : undefined;
    return global && find ? ((await find(ctx, global.rowId)) as Node | null) : null;
  }
}
