import {
  GraphQLArgument, GraphQLField, GraphQLInputType, GraphQLNamedType, GraphQLObjectType, GraphQLSchema,
  getNamedType, isEnumType, isLeafType, isListType, isNonNullType, isObjectType, isScalarType,
} from 'graphql';
import { buildAppSchema } from '../../server/schema';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * Walks the generated schema: every root query field, with every argument probed with the
 * other tenant's identifiers, and every object and connection reachable from it (to a fixed
 * depth), for two sibling provinces and two sibling communes. Nothing of the other subtree may
 * come back — not in data, not in totalCount, not in error messages. The fields come from the
 * schema, so a new field is covered without being added here.
 */
const MAX_DEPTH = 4;

function selection(type: GraphQLNamedType, depth: number, seen: string[] = []): string {
  if (isLeafType(type)) return '';
  if (!isObjectType(type)) return '';
  const fields = Object.values((type as GraphQLObjectType).getFields()).filter((f) => f.args.every((a) => !isNonNullType(a.type)));
  const parts: string[] = [];
  for (const field of fields) {
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(field.name);
    else if (depth > 0 && seen.filter((s) => s === named.name).length < 2) {
      const inner = selection(named, depth - 1, [...seen, named.name]);
      if (inner) parts.push(`${field.name} { ${inner} }`);
    }
  }
  return parts.join(' ');
}

interface Tenant {
  code: string;
  /** Every unit code in its subtree (any date), and the names that would identify them. */
  codes: Set<string>;
  names: Set<string>;
  ids: Set<string>;
}

function collect(value: unknown, into: { codes: Set<string>; ids: Set<string>; names: Set<string> }): void {
  if (Array.isArray(value)) return value.forEach((v) => collect(v, into));
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (typeof record.code === 'string') into.codes.add(record.code);
  if (typeof record.id === 'string' || typeof record.id === 'number') into.ids.add(String(record.id));
  if (typeof record.fullName === 'string') into.names.add(record.fullName);
  Object.values(record).forEach((v) => collect(v, into));
}

function valuesFor(arg: GraphQLArgument, other: Tenant, neutral: Record<string, unknown>): unknown[] {
  const named = getNamedType(arg.type as GraphQLInputType);
  const list = isListType(isNonNullType(arg.type) ? arg.type.ofType : arg.type);
  const wrap = (v: unknown) => (list ? [v] : v);
  if (isEnumType(named)) return [wrap(named.getValues()[0].value)];
  if (isScalarType(named)) {
    if (named.name === 'Int') return [wrap(arg.name === 'first' ? 50 : 2026)];
    if (named.name === 'Boolean') return [wrap(true)];
    if (named.name === 'Date') return [wrap('2025-01-01'), wrap('2026-06-01')];
    if (named.name === 'Float') return [wrap(1)];
    if (named.name === 'ID') return [...other.ids].slice(0, 40).map(wrap);
    const samples = [other.code, ...[...other.codes].filter((c) => c !== other.code).slice(0, 6)];
    return [...(arg.name in neutral ? [neutral[arg.name]] : []), ...samples.map(wrap)];
  }
  return [];
}

describe.each(testDatabases())('tenant isolation across the whole schema on $name', (db) => {
  let server: TestServer;
  let schema: GraphQLSchema;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer(db, { MAX_QUERY_COST: '10000000', MAX_QUERY_DEPTH: '40' });
    schema = await buildAppSchema();
    admin = server.token('VN', 'ADMIN');
  });
  afterAll(() => server?.close());

  async function tenant(code: string, asOf: string[] = ['2026-06-01', '2025-01-01']): Promise<Tenant> {
    const into = { codes: new Set<string>(), ids: new Set<string>(), names: new Set<string>() };
    for (const date of asOf) {
      const { data } = await server.gql(`query($u: String, $d: Date) { units(under: $u, asOf: $d, first: 500) { edges { node { code fullName } } } unit(code: $u) { code fullName predecessors { code fullName } } }`, { u: code, d: date }, admin);
      collect(data, into);
      for (const page of [0, 500, 1000]) {
        const more = await server.gql(`query($u: String, $d: Date, $a: String) { units(under: $u, asOf: $d, first: 500, after: $a) { edges { node { code fullName } } } }`, { u: code, d: date, a: page ? Buffer.from(`o:${page - 1}`).toString('base64url') : null }, admin);
        collect(more.data, into);
      }
    }
    // Ids of everything reachable from root fields called with the tenant's codes, as the admin sees it.
    const query = schema.getQueryType()!;
    for (const field of Object.values(query.getFields())) {
      const args = field.args.filter((a) => isScalarType(getNamedType(a.type)) && getNamedType(a.type).name === 'String');
      if (!args.length || field.args.some((a) => isNonNullType(a.type) && !args.includes(a))) continue;
      const inner = selection(getNamedType(field.type), MAX_DEPTH);
      const vars = Object.fromEntries(args.map((a) => [a.name, code]));
      const result = await server.gql(`query(${args.map((a) => `$${a.name}: ${a.type}`).join(', ')}) { ${field.name}(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})${inner ? ` { ${inner} }` : ''} }`, vars, admin);
      const found = { codes: new Set<string>(), ids: new Set<string>(), names: new Set<string>() };
      collect(result.data, found);
      found.ids.forEach((id) => into.ids.add(id));
    }
    return { code, ...into };
  }

  function leaks(response: { data: unknown; errors: unknown }, own: Tenant, other: Tenant): string[] {
    const found = { codes: new Set<string>(), ids: new Set<string>(), names: new Set<string>() };
    collect(response.data, found);
    // Names repeat across provinces (many a Xã Tân Tri), so names are looked for in error texts only.
    const text = JSON.stringify(response.errors ?? []);
    return [
      ...[...found.codes].filter((c) => other.codes.has(c) && !own.codes.has(c)).map((c) => `unit ${c}`),
      ...[...found.ids].filter((id) => other.ids.has(id) && !own.ids.has(id)).map((id) => `object ${id}`),
      ...[...other.names].filter((n) => !own.names.has(n) && text.includes(n)).map((n) => `name ${n}`),
    ];
  }

  async function probe(viewerCode: string, otherCode: string): Promise<number> {
    const own = await tenant(viewerCode);
    const other = await tenant(otherCode);
    expect(other.codes.size).toBeGreaterThan(3);
    const token = server.token(viewerCode, 'ADMIN');
    const query = schema.getQueryType()!;
    let requests = 0;
    for (const field of Object.values(query.getFields()) as GraphQLField<unknown, unknown>[]) {
      const inner = selection(getNamedType(field.type), MAX_DEPTH);
      const neutral: Record<string, unknown> = { periods: ['2026'], period: '2026', indicator: 'FEMALE_KEY_LEADER' };
      const probes: Record<string, unknown>[] = [{}];
      for (const arg of field.args) {
        for (const value of valuesFor(arg, other, neutral)) probes.push({ [arg.name]: value });
      }
      for (const probeArgs of probes) {
        const args = Object.fromEntries(field.args.map((a) => [a.name, probeArgs[a.name] ?? (isNonNullType(a.type) ? valuesFor(a, own, neutral)[0] : undefined)]).filter(([, v]) => v !== undefined));
        const names = Object.keys(args);
        if (field.args.some((a) => isNonNullType(a.type) && !names.includes(a.name))) continue;
        const document = `query(${names.map((n) => `$${n}: ${field.args.find((a) => a.name === n)!.type}`).join(', ') || ''}) { ${field.name}${names.length ? `(${names.map((n) => `${n}: $${n}`).join(', ')})` : ''}${inner ? ` { ${inner} }` : ''} }`.replace('query() ', 'query ');
        const result = await server.gql(document, args, token);
        requests += 1;
        const found = leaks({ data: result.data, errors: result.errors }, own, other);
        if (found.length) throw new Error(`${field.name}(${JSON.stringify(args)}) as ${viewerCode} leaks ${otherCode}'s ${found.slice(0, 5).join(', ')}`);
        // Asking about the other tenant must look exactly like asking about nothing.
        const probed = Object.entries(probeArgs).find(([, v]) => typeof v === 'string' || Array.isArray(v));
        if (probed && typeof probed[1] === 'string' && other.codes.has(probed[1])) {
          const bogus = await server.gql(document, { ...args, [probed[0]]: 'ZZ999' }, token);
          const normalise = (r: unknown) => JSON.stringify(r).split(probed[1] as string).join('<code>').split('ZZ999').join('<code>');
          expect(normalise({ data: result.data, errors: result.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })) })).toBe(
            normalise({ data: bogus.data, errors: bogus.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })) }),
          );
        }
      }
    }
    return requests;
  }

  it('keeps sibling provinces apart (Lạng Sơn and Hà Nội)', async () => {
    expect(await probe('20', '01')).toBeGreaterThan(10);
    expect(await probe('01', '20')).toBeGreaterThan(10);
  });

  it('keeps sibling communes apart (Lợi Bác and Đình Lập in Lạng Sơn)', async () => {
    const { data } = await server.gql(`{ unit(code: "20") { children { code } } }`, {}, admin);
    const sibling = data!.unit.children.map((c: { code: string }) => c.code).find((c: string) => c !== '06601');
    expect(await probe('06601', sibling)).toBeGreaterThan(10);
    expect(await probe(sibling, '06601')).toBeGreaterThan(10);
  });
});
