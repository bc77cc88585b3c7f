import type { RequestContext } from './core/context';
import { createUnitLoaders } from './tenancy/unit.loaders';

/** All per-request DataLoaders, one set per request so nothing is cached across viewers. */
export function createLoaders(ctx: RequestContext) {
  return {
    ...createUnitLoaders(ctx),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
