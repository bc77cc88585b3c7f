import type { RequestContext } from './core/context';
import { createUnitLoaders } from './tenancy/unit.loaders';
import { createIndicatorLoaders } from './indicators/indicator.loaders';
import { createObservationLoaders } from './observations/observation.loaders';
import { createPlanLoaders } from './plans/plan.loaders';

/** All per-request DataLoaders, one set per request so nothing is cached across viewers. */
export function createLoaders(ctx: RequestContext) {
  return {
    ...createUnitLoaders(ctx),
    ...createIndicatorLoaders(ctx),
    ...createObservationLoaders(ctx),
    ...createPlanLoaders(ctx),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
