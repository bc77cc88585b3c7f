import {
  getNamedType, GraphQLArgument, GraphQLField, GraphQLNamedType, GraphQLObjectType, GraphQLSchema, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType, isObjectType,
} from 'graphql';
import { LIST_BOUNDS } from '../../server/core/list-bounds';
import { StatementCounter } from '../../server/core/query-counter';
import { buildAppSchema } from '../../server/schema';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * Costs that bound the answer: every list costs the size it can really have, so nested lists
 * (`children { parent { children … } }`) are refused before any SQL runs, and a walk of the
 * schema builds the largest such query for every list and sees it refused. Behind the cost, the
 * caps on resolved fields and on the answer's size stop whatever the bounds underestimate.
 */
const DEPTH = 15; // the default MAX_QUERY_DEPTH

function objectLists(schema: GraphQLSchema): { type: GraphQLObjectType; field: GraphQLField<unknown, unknown> }[] {
  return Object.values(schema.getTypeMap())
    .filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'))
    .flatMap((type) =>
      Object.values(type.getFields())
        .filter((field) => {
          const returned = isNonNullType(field.type) ? field.type.ofType : field.type;
          return isListType(returned) && !isLeafType(getNamedType(returned));
        })
        .map((field) => ({ type, field })),
    );
}

/** A literal that passes validation for an argument (the query is refused before it runs, so no value need exist). */
function sample(arg: GraphQLArgument): string | null {
  const named = getNamedType(arg.type);
  const list = isListType(isNonNullType(arg.type) ? arg.type.ofType : arg.type);
  let value: string | null;
  if (isEnumType(named)) value = named.getValues()[0].name;
  else if (isInputObjectType(named)) value = null;
  else if (named.name === 'Int') value = '1';
  else if (named.name === 'Float') value = '1';
  else if (named.name === 'Boolean') value = 'true';
  else if (named.name === 'Date') value = '"2026-01-01"';
  else if (arg.name === 'indicator') value = '"FEMALE_KEY_LEADER"';
  else if (/period/.test(arg.name)) value = '"2026"';
  else value = '"20"';
  return value === null ? null : list ? `[${value}]` : value;
}

/** `name(args)` with every required argument filled, or null when one cannot be. */
function call(field: GraphQLField<unknown, unknown>): string | null {
  const args: string[] = [];
  for (const arg of field.args) {
    if (!isNonNullType(arg.type) || arg.defaultValue !== undefined) continue;
    const value = sample(arg);
    if (value === null) return null;
    args.push(`${arg.name}: ${value}`);
  }
  return args.length ? `${field.name}(${args.join(', ')})` : field.name;
}

/** Shortest chain of fields from `from` to `to` (each a callable field returning an object type), up to `limit` steps. */
function path(from: GraphQLObjectType, to: GraphQLNamedType, limit: number): string[] | null {
  const queue: { type: GraphQLObjectType; steps: string[] }[] = [{ type: from, steps: [] }];
  const seen = new Set([from.name]);
  while (queue.length) {
    const { type, steps } = queue.shift()!;
    if (steps.length >= limit) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      const step = call(field);
      if (!step || !isObjectType(named)) continue;
      if (named.name === to.name) return [...steps, step];
      if (seen.has(named.name)) continue;
      seen.add(named.name);
      queue.push({ type: named, steps: [...steps, step] });
    }
  }
  return null;
}

function nest(steps: string[]): string {
  return steps.reduceRight((inner, step) => `${step} { ${inner} }`, '__typename');
}

/** The deepest query within the depth limit that repeats `list` through its way back to the type that holds it. */
function deepestVariant(schema: GraphQLSchema, type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): string | null {
  const target = getNamedType(field.type);
  if (!isObjectType(target)) return null;
  const listStep = call(field);
  const back = target.name === type.name ? [] : path(target, type, 3);
  const root = schema.getQueryType()!.name === type.name ? [] : path(schema.getQueryType()!, type, 4);
  if (!listStep || !back || !root) return null;
  const cycle = [listStep, ...back];
  const steps = [...root];
  while (steps.length + cycle.length <= DEPTH - 1) steps.push(...cycle);
  if (steps.length === root.length) return null;
  return `{ ${nest(steps)} }`;
}

describe('list bounds of the schema', () => {
  it('names a bound for every list of objects in the schema, and none for a list that is gone', async () => {
    const schema = await buildAppSchema();
    const keys = objectLists(schema).map(({ type, field }) => `${type.name}.${field.name}`);
    const paged = objectLists(schema).filter(({ field }) => field.args.some((a) => a.name === 'first')).map(({ type, field }) => `${type.name}.${field.name}`);
    expect(keys.filter((k) => !(k in LIST_BOUNDS) && !paged.includes(k))).toEqual([]);
    const notLists = Object.keys(LIST_BOUNDS).filter((k) => !keys.includes(k));
    // Fields that return one object per argument (statistics rows by period and unit) are the only other entries.
    expect(notLists).toEqual(['Query.statistics']);
  });
});

describe.each(testDatabases())('costs that bound the answer on $name', (db) => {
  let server: TestServer;
  let analyst: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    analyst = server.token('20', 'ANALYST');
  });
  afterAll(() => server?.close());

  const refusedBeforeDatabase = async (query: string, token = analyst) => {
    const before = StatementCounter.count;
    const result = await server.gql(query, {}, token);
    expect({ query, statements: StatementCounter.count - before, code: result.errors?.[0]?.extensions?.code, data: result.data }).toEqual({ query, statements: 0, code: 'LIMIT_EXCEEDED', data: undefined });
    return result;
  };
  const pairs = (n: number) => `{ unit(code: "20") { ${'children { parent { '.repeat(n)}code${' } }'.repeat(n)} } }`;

  it("refuses three and six pairs of children { parent { … } } before any SQL runs, naming the cost", async () => {
    for (const n of [3, 6]) {
      const result = await refusedBeforeDatabase(pairs(n));
      expect(result.errors![0].extensions).toMatchObject({ limit: 'cost', maximum: 200_000 });
      expect(result.errors![0].extensions!.actual).toBeGreaterThan(1_000_000);
    }
  });

  it('answers one pair, whose cost bounds the rows it returned', async () => {
    const result = await server.gql(pairs(1), {}, analyst);
    expect(result.errors).toBeUndefined();
    const children = result.data!.unit.children.length;
    expect(children).toBe(65);
    expect(result.extensions!.cost.cost).toBeGreaterThanOrEqual(1 + children * 2);
  });

  it("costs a new plan's progress by its own unit's children, not by the largest unit's", async () => {
    const admin = server.token('06601', 'ADMIN');
    const created = await server.gql(`mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }`, { input: { unit: '06601', title: 'Kế hoạch thử chi phí', kind: 'ANNUAL', firstYear: 2026, lastYear: 2026 } }, admin);
    expect(created.errors).toBeUndefined();
    const progress = await server.gql(`query($p: ID!) { targetProgress(plan: $p, period: "2026", breakdown: CHILDREN) { status unit { code } target { text } } }`, { p: created.data!.createPlan.id }, admin);
    expect(progress.errors).toBeUndefined();
    expect(progress.extensions!.cost.cost).toBeLessThan(200_000);
  });

  it('refuses the deepest nesting of every list the schema walk can build, before any SQL runs', async () => {
    const schema = await buildAppSchema();
    const built: string[] = [];
    for (const { type, field } of objectLists(schema)) {
      const query = deepestVariant(schema, type, field);
      if (!query) continue;
      built.push(`${type.name}.${field.name}`);
      await refusedBeforeDatabase(query, server.token('VN', 'ADMIN'));
    }
    expect(built).toEqual(expect.arrayContaining(['AdministrativeUnit.children', 'AdministrativeUnit.predecessors', 'AdministrativeUnit.successors', 'Plan.objectives', 'Objective.targets']));
  });

  it('stops a query that resolves more fields than the cap, with one error and no partial data', async () => {
    const capped = await startTestServer(db, { MAX_RESOLVED_FIELDS: '50' });
    try {
      const result = await capped.gql(`{ unit(code: "20") { children { code name } } }`, {}, capped.token('20', 'ANALYST'));
      expect(result.status).toBe(400);
      expect(result.data).toBeUndefined();
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'resolvedFields', maximum: 50 });
    } finally {
      await capped.close();
    }
  });

  it('refuses an answer larger than the cap', async () => {
    const capped = await startTestServer(db, { MAX_RESPONSE_BYTES: '2000' });
    try {
      const token = capped.token('20', 'ANALYST');
      expect((await capped.gql(`{ unit(code: "20") { code } }`, {}, token)).errors).toBeUndefined();
      const result = await capped.gql(`{ unit(code: "20") { children { code name fullName } } }`, {}, token);
      expect(result.data).toBeUndefined();
      expect(result.errors![0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'responseBytes', maximum: 2000 });
    } finally {
      await capped.close();
    }
  });
});
