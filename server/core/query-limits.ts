import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type Redis from 'ioredis';
import { DocumentNode, FieldNode, FragmentDefinitionNode, getNamedType, GraphQLSchema, isLeafType, isListType, isNonNullType, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import { BadUserInputError, LimitExceededError } from './errors';
import { clientExtensions } from './http';
import { HierarchyBounds, listBound, scanCost, UNKNOWN_LIST_BOUND } from './list-bounds';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination';
import { checkVariables } from './variables';

/** Limits against abusive queries; defaults sit far above what a dashboard asks. */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  /** Items in the list arguments of one mutation request (rows to record, ids to approve). */
  maxMutationRows: number;
  /** Requests per token subject per minute: per server instance, or across instances sharing REDIS_URL. */
  requestsPerMinute: number;
  /** Fields resolved for one request: the wall behind the cost, should a list outgrow its bound. */
  maxResolvedFields: number;
  /** Bytes of one answer. */
  maxResponseBytes: number;
}

function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

export function loadQueryLimits(env: NodeJS.ProcessEnv = process.env): QueryLimits {
  return {
    maxDepth: envNumber(env, 'MAX_QUERY_DEPTH', 15),
    maxAliases: envNumber(env, 'MAX_QUERY_ALIASES', 100),
    // The cost is an upper bound of the fields a query resolves, so it shares the wall's figure.
    maxCost: envNumber(env, 'MAX_QUERY_COST', 200_000),
    maxMutationRows: envNumber(env, 'MAX_MUTATION_ROWS', 100_000),
    requestsPerMinute: envNumber(env, 'RATE_LIMIT_PER_MINUTE', 1_200),
    maxResolvedFields: envNumber(env, 'MAX_RESOLVED_FIELDS', 200_000),
    maxResponseBytes: envNumber(env, 'MAX_RESPONSE_BYTES', 16 * 1024 * 1024),
  };
}

type Fragments = Map<string, FragmentDefinitionNode>;

function fragmentsOf(document: DocumentNode): Fragments {
  return new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
}

/** Depth of field nesting, following fragments (a fragment cycle is already refused by validation). */
export function queryDepth(selectionSet: SelectionSetNode | undefined, fragments: Fragments, seen = new Set<string>()): number {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) deepest = Math.max(deepest, 1 + queryDepth(selection.selectionSet, fragments, seen));
    else if (selection.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, queryDepth(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      const fragment = fragments.get(selection.name.value);
      deepest = Math.max(deepest, queryDepth(fragment?.selectionSet, fragments, new Set([...seen, selection.name.value])));
    }
  }
  return deepest;
}

export function aliasCount(document: DocumentNode): number {
  let count = 0;
  const visit = (selectionSet: SelectionSetNode | undefined): void => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD && (selection as FieldNode).alias) count += 1;
      if (selection.kind !== Kind.FRAGMENT_SPREAD) visit(selection.selectionSet);
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) visit(definition.selectionSet);
  }
  return count;
}

/**
 * A field costs 1 plus its children times the number of items it can return: `first` for a page,
 * the list's bound (list-bounds.ts) for any other list of objects, 1 for a single object; plus the
 * rows a connection's count reads (SCAN_COSTS, one per row), so the cost follows the work.
 */
export function listAwareEstimator(hierarchy: HierarchyBounds): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    const first = typeof args.first === 'number' ? args.first : null;
    if (first !== null && first > MAX_PAGE_SIZE) throw new LimitExceededError('pageSize', first, MAX_PAGE_SIZE, `Query refused: first is ${first}, the maximum page size is ${MAX_PAGE_SIZE}`);
    const isPage = 'first' in args || 'after' in args;
    const returned = isNonNullType(field.type) ? field.type.ofType : field.type;
    const bound = listBound(`${type.name}.${field.name}`, args, hierarchy);
    const isObjectList = isListType(returned) && !isLeafType(getNamedType(returned));
    const multiplier = isPage ? (first ?? DEFAULT_PAGE_SIZE) : (bound ?? (isObjectList ? UNKNOWN_LIST_BOUND : 1));
    return 1 + scanCost(`${type.name}.${field.name}`, args, hierarchy) + childComplexity * Math.max(1, multiplier);
  };
}

/** The cost walker coerces variables itself; a bad variable is the client's error, not ours. */
function costOf(schema: GraphQLSchema, hierarchy: HierarchyBounds, query: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): number {
  try {
    return getComplexity({ schema, query, variables, operationName, estimators: [listAwareEstimator(hierarchy)] });
  } catch (error) {
    if (error instanceof LimitExceededError) throw error;
    throw new BadUserInputError(error instanceof Error ? error.message : String(error), undefined, {}, 400);
  }
}

export interface CostReport {
  cost: number;
  maximum: number;
}

function rootFields(selectionSet: SelectionSetNode, fragments: Fragments, seen = new Set<string>()): FieldNode[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, fragments, seen);
    const fragment = fragments.get(selection.name.value);
    if (!fragment || seen.has(fragment.name.value)) return [];
    return rootFields(fragment.selectionSet, fragments, new Set([...seen, fragment.name.value]));
  });
}

/**
 * Items in the list arguments of a mutation's fields (rows to record, ids to approve), summed over
 * every field of the operation so that aliases cannot split one oversized batch into many. An
 * empty list names nothing to change: that is the client's mistake, refused rather than answered
 * with a write of nothing.
 */
export function mutationRowCount(operation: OperationDefinitionNode, fragments: Fragments, variables: Record<string, unknown> | undefined): number {
  if (operation.operation !== 'mutation') return 0;
  let rows = 0;
  for (const field of rootFields(operation.selectionSet, fragments)) {
    for (const argument of field.arguments ?? []) {
      const value = argument.value;
      const given = value.kind === Kind.LIST ? value.values : value.kind === Kind.VARIABLE ? variables?.[value.name.value] : undefined;
      if (!Array.isArray(given)) continue;
      if (!given.length) throw new BadUserInputError(`${field.name.value}: ${argument.name.value} is an empty list; send at least one item`, argument.name.value, {}, 400);
      rows += given.length;
    }
  }
  return rows;
}

/**
 * Deepest nesting of `{` and `[` in a document's text, outside strings and comments: one pass,
 * no recursion, so a 20,000-deep query is refused before graphql's recursive parser overflows
 * the stack.
 */
export function nestingDepth(source: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (source.startsWith('"""', i)) {
      i += 3;
      while (i < source.length && !source.startsWith('"""', i)) i += source.startsWith('\\"""', i) ? 4 : 1;
      i += 2;
    } else if (c === '"') {
      i++;
      while (i < source.length && source[i] !== '"' && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === '}' || c === ']') depth--;
  }
  return deepest;
}

/**
 * Refuses a document nested far past the depth limit before anything parses it. Braces also count
 * inline fragments and input objects, so only a nesting well beyond the limit is refused here;
 * the exact depth is checked once the document is parsed. Called by the HTTP layer: Apollo turns
 * an error thrown by a plugin before parsing into a masked 500.
 */
export function refuseDeepNesting(source: unknown, limits: QueryLimits): void {
  if (typeof source !== 'string') return;
  const nesting = nestingDepth(source);
  if (nesting > Math.max(4 * limits.maxDepth, 100)) throw new LimitExceededError('depth', nesting, limits.maxDepth);
}

/**
 * Refuses an operation over a limit before anything runs. `whenAccepted` runs only for an
 * accepted operation: Apollo starts every plugin's didResolveOperation together, so work that
 * must not happen for a refused query (loading the viewer's scope from the database) goes here.
 */
export function queryLimitsPlugin<TContext extends BaseContext>(
  schema: GraphQLSchema,
  limits: QueryLimits,
  bounds: () => Promise<HierarchyBounds>,
  whenAccepted: (context: TContext) => Promise<unknown> = async () => undefined,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      let report: CostReport | null = null;
      let resolved = 0;
      let overflow: LimitExceededError | null = null;
      return {
        async didResolveOperation({ document, request, operation, contextValue }) {
          // No operation chosen (several in the document, no operationName): Apollo answers that as bad input.
          if (!operation) return;
          const fragments = fragmentsOf(document);
          const depth = queryDepth((operation as OperationDefinitionNode).selectionSet, fragments);
          if (depth > limits.maxDepth) throw new LimitExceededError('depth', depth, limits.maxDepth);
          checkVariables(schema, operation as OperationDefinitionNode, request.variables);
          const aliases = aliasCount(document);
          if (aliases > limits.maxAliases) throw new LimitExceededError('aliases', aliases, limits.maxAliases);
          const rows = mutationRowCount(operation as OperationDefinitionNode, fragments, request.variables);
          if (rows > limits.maxMutationRows) throw new LimitExceededError('mutationRows', rows, limits.maxMutationRows, `Mutation refused: ${rows} rows in one request, the maximum is ${limits.maxMutationRows}`);
          const cost = costOf(schema, await bounds(), document, request.variables, request.operationName);
          if (cost > limits.maxCost) throw new LimitExceededError('cost', cost, limits.maxCost);
          report = { cost, maximum: limits.maxCost };
          await whenAccepted(contextValue);
        },
        // The second wall: should a list outgrow its bound, resolution stops at a fixed number of fields.
        async executionDidStart() {
          return {
            willResolveField() {
              resolved += 1;
              if (resolved <= limits.maxResolvedFields) return;
              overflow ??= new LimitExceededError('resolvedFields', resolved, limits.maxResolvedFields, `Query stopped: it resolved more than ${limits.maxResolvedFields} fields; ask for less (use first, or fewer nested lists)`);
              throw overflow;
            },
          };
        },
        async willSendResponse({ response }) {
          if (overflow && response.body.kind === 'single') {
            response.body.singleResult = { errors: [{ message: overflow.message, extensions: clientExtensions(overflow) }] };
            response.http.status = 400;
            return;
          }
          if (report && response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, cost: report };
          }
        },
      };
    },
  };
}

/** Fixed one-minute windows per token subject; per instance, which is what a stateless server can promise. */
export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();
  constructor(private readonly perMinute: number) {}

  /** Throws when `key` has used its requests for the current minute. */
  take(key: string, now = Date.now()): void {
    const window = this.windows.get(key);
    if (!window || now - window.start >= 60_000) {
      if (this.windows.size > 100_000) this.windows.clear();
      this.windows.set(key, { start: now, count: 1 });
      return;
    }
    window.count += 1;
    if (window.count <= this.perMinute) return;
    const retryAfter = Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000)); // seconds until this window ends
    throw new LimitExceededError('requestsPerMinute', window.count, this.perMinute, `Rate limit: more than ${this.perMinute} requests a minute for this token; retry in ${retryAfter} s`, { retryAfter });
  }
}

/**
 * The same budget shared by every instance on one Redis: a fixed window per clock minute, counted
 * with INCR, so a token cannot multiply its requests by the number of instances.
 */
export class RedisRateLimiter {
  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly perMinute: number) {}

  async take(key: string, now = Date.now()): Promise<void> {
    const window = Math.floor(now / 60_000);
    const counter = `${this.prefix}rate:${window}:${key}`;
    const replies = await this.redis.multi().incr(counter).pexpire(counter, 61_000).exec();
    const count = Number(replies?.[0]?.[1] ?? 0);
    if (count <= this.perMinute) return;
    const retryAfter = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
    throw new LimitExceededError('requestsPerMinute', count, this.perMinute, `Rate limit: more than ${this.perMinute} requests a minute for this token; retry in ${retryAfter} s`, { retryAfter });
  }
}
