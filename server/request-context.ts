import { DataSource } from 'typeorm';
import { AccessScope } from './auth/access';
import { referenceCache, Versions } from './core/reference-cache';
import type { TokenClaims } from './auth/jwt';
import { createIndicatorLoaders } from './indicators/indicator.loaders';
import { createObservationLoaders } from './observations/observation.loaders';
import { createPlanLoaders } from './plans/plan.loaders';
import { createUnitLoaders } from './tenancy/unit.loaders';

/**
 * Where the domains meet: the request context and its per-request loaders are assembled here,
 * above every domain, so core/ never reaches into them (README, "Layout").
 */

/** All per-request DataLoaders, one set per request so nothing is cached across viewers. */
function createLoaders(ctx: RequestContext) {
  return {
    ...createUnitLoaders(ctx),
    ...createIndicatorLoaders(ctx),
    ...createObservationLoaders(ctx),
    ...createPlanLoaders(ctx),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** Everything a request carries; services take it as their first argument. */
export interface RequestContext {
  requestId: string;
  dataSource: DataSource;
  claims: TokenClaims;
  access: AccessScope;
  loaders: Loaders;
  /** The date "today" for this request, so one request never straddles midnight. */
  today: string;
  /**
   * The cache versions this request is computed under, read once before it runs (the response
   * cache keeps them with the answer). A box: Apollo runs a shallow copy of the context, which shares it.
   */
  versions: { read?: Versions };
}

/** Completes a context once the request is known to run: the viewer's scope, then its loaders. */
export async function attachAccess(context: RequestContext): Promise<RequestContext> {
  context.versions.read ??= await referenceCache(context.dataSource).refresh();
  context.access = await AccessScope.forClaims(context.dataSource, context.claims, context.today);
  context.loaders = createLoaders(context);
  return context;
}

/** `versions`: when the request has read them already (a cache entry that turned out stale). */
export function pendingContext(dataSource: DataSource, claims: TokenClaims, requestId: string, today: string, versions?: Versions): RequestContext {
  return { requestId, dataSource, claims, today, versions: { read: versions } } as RequestContext;
}

/** A complete context in one step, for callers outside GraphQL (exports, CLI). */
export function createRequestContext(dataSource: DataSource, claims: TokenClaims, requestId: string, today: string): Promise<RequestContext> {
  return attachAccess(pendingContext(dataSource, claims, requestId, today));
}
