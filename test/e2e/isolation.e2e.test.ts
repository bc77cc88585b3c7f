import {
  GraphQLArgument, GraphQLField, GraphQLInputObjectType, GraphQLInputType, GraphQLNamedType, GraphQLObjectType, GraphQLSchema,
  getNamedType, isEnumType, isInputObjectType, isInterfaceType, isLeafType, isListType, isNonNullType, isObjectType, isScalarType,
} from 'graphql';
import { DataSource } from 'typeorm';
import { parsePeriod, periodEnd } from '../../server/observations/period';
import { buildAppSchema } from '../../server/schema';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * Walks the generated schema: every root query field, with every argument probed with the
 * other tenant's identifiers, and every object and connection reachable from it (to a fixed
 * depth), for two sibling provinces and two sibling communes. Nothing of the other subtree may
 * come back — not in data, not in totalCount, not in error messages. The fields come from the
 * schema, so a new field is covered without being added here. Every mutation is walked the same
 * way: pointed at the other tenant through any one of its identifiers, it must be refused exactly
 * like a mutation pointed at nothing, and write nothing.
 */
const MAX_DEPTH = 4;

function selection(type: GraphQLNamedType, depth: number, seen: string[] = [], schema?: GraphQLSchema, alias = ''): string {
  if (isLeafType(type)) return '';
  // An interface (Node) asks for every implementation, one level deep: its fields and their ids,
  // aliased by type, since fields of one name differ in type between implementations.
  if (isInterfaceType(type) && schema) return ['__typename', ...schema.getPossibleTypes(type).map((t) => `... on ${t.name} { ${selection(t, Math.min(depth, 1), seen, undefined, t.name)} }`)].join(' ');
  if (!isObjectType(type)) return '';
  const fields = Object.values((type as GraphQLObjectType).getFields()).filter((f) => f.args.every((a) => !isNonNullType(a.type)));
  const parts: string[] = ['__typename'];
  for (const field of fields) {
    const named = getNamedType(field.type);
    const name = alias && field.name !== 'id' ? `${alias}_${field.name}: ${field.name}` : field.name;
    if (isLeafType(named)) parts.push(name);
    else if (depth > 0 && seen.filter((s) => s === named.name).length < 2) {
      const inner = selection(named, depth - 1, [...seen, named.name]);
      if (inner !== '__typename') parts.push(`${name} { ${inner} }`);
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
  /** Codes of the units in its area today, by the rule. */
  present: Set<string>;
  /** Observation ids in its area, by the code of their unit. */
  idsOfCode: Map<string, string[]>;
  /** Ids by GraphQL type, to build a mutation whose every identifier but one is the viewer's own. */
  idsByType: Map<string, Set<string>>;
}

interface Found {
  codes: Set<string>;
  ids: Set<string>;
  names: Set<string>;
  idsByType?: Map<string, Set<string>>;
}

function collect(value: unknown, into: Found): void {
  if (Array.isArray(value)) return value.forEach((v) => collect(v, into));
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (typeof record.code === 'string') into.codes.add(record.code);
  // The indicator catalogue is shared by every tenant: its ids identify nobody's data.
  if ((typeof record.id === 'string' || typeof record.id === 'number') && record.__typename !== 'Indicator') {
    into.ids.add(String(record.id));
    if (into.idsByType && typeof record.__typename === 'string') {
      if (!into.idsByType.has(record.__typename)) into.idsByType.set(record.__typename, new Set());
      into.idsByType.get(record.__typename)!.add(String(record.id));
    }
  }
  if (typeof record.fullName === 'string') into.names.add(record.fullName);
  Object.values(record).forEach((v) => collect(v, into));
}

/**
 * Values to probe an argument with. Identifiers of the other tenant come first where they are
 * only its own (its present, not a history both share), so a leak of its present is probed first.
 */
function valuesFor(arg: GraphQLArgument, other: Tenant, neutral: Record<string, unknown>, own?: Tenant): unknown[] {
  const named = getNamedType(arg.type as GraphQLInputType);
  const list = isListType(isNonNullType(arg.type) ? arg.type.ofType : arg.type);
  const wrap = (v: unknown) => (list ? [v] : v);
  if (isEnumType(named)) return [wrap(named.getValues()[0].value)];
  if (isScalarType(named)) {
    if (named.name === 'Int') return [wrap(arg.name === 'first' ? 50 : 2026)];
    if (named.name === 'Boolean') return [wrap(true)];
    if (named.name === 'Date') return [wrap('2025-01-01'), wrap('2026-06-01')];
    if (named.name === 'Float') return [wrap(1)];
    if (named.name === 'ID') {
      // A few ids of every type first, so node(id:) is probed with each type the other tenant has;
      // identifiers only the other tenant has (its present, not a history both share) before shared ones.
      const sample = [...other.idsByType.values()].flatMap((ids) => [...ids].filter((id) => !own?.ids.has(id)).slice(0, 3));
      return [...new Set([...sample, ...other.ids])].sort((x, y) => Number(!!own?.ids.has(x)) - Number(!!own?.ids.has(y))).slice(0, 40).map(wrap);
    }
    const moved = [...other.present].filter((c) => own?.codes.has(c) && !own.present.has(c));
    const samples = [other.code, ...new Set([...moved.slice(0, 3), ...[...other.codes].filter((c) => c !== other.code).slice(0, 6)])];
    return [...(arg.name in neutral ? [neutral[arg.name]] : []), ...samples.map(wrap)];
  }
  return [];
}

/** Input values that pass validation, so that the one foreign identifier is what a mutation refuses. */
const NEUTRAL: Record<string, unknown> = {
  indicator: 'FEMALE_KEY_LEADER', sex: 'TOTAL', period: '2026', firstYear: 2026, lastYear: 2026, year: 2026, dueYear: 2026, numerator: 1,
};

/** An identifier a mutation takes: an ID argument or input field, or a unit code in an input. */
interface Slot {
  /** Path from the arguments, e.g. ['input', 'agency']; '[]' marks a list. */
  path: string[];
  /** The GraphQL type whose id it takes, or 'unit' for a unit code. */
  refers: string;
}

/** The type an ID slot names: `plan` → Plan, `obligation` → ReportingObligation, `id`/`ids` → what the mutation returns. */
function referredType(name: string, returned: string, typeNames: string[]): string {
  if (name === 'id' || name === 'ids') return returned;
  const singular = name.replace(/ies$/, 'y').replace(/s$/, '').toLowerCase();
  return typeNames.find((t) => t.toLowerCase() === singular) ?? typeNames.find((t) => t.toLowerCase().endsWith(singular)) ?? name;
}

function isRequired(type: GraphQLInputType, hasDefault: boolean): boolean {
  return isNonNullType(type) && !hasDefault;
}

/**
 * Arguments filling every required argument and input field, with `fill` deciding identifiers;
 * the slots found are reported through `slots`.
 */
function buildValue(type: GraphQLInputType, name: string, path: string[], fill: (slot: Slot) => unknown, slots: Slot[], returned: string, typeNames: string[]): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return [buildValue(inner.ofType as GraphQLInputType, name, [...path, '[]'], fill, slots, returned, typeNames)];
  const named = getNamedType(inner);
  if (isInputObjectType(named)) {
    const fields = Object.values((named as GraphQLInputObjectType).getFields());
    const entries = fields
      .filter((f) => isRequired(f.type, f.defaultValue !== undefined) || f.name === 'unit')
      .map((f) => [f.name, buildValue(f.type, f.name, [...path, f.name], fill, slots, returned, typeNames)]);
    return Object.fromEntries(entries);
  }
  if (name in NEUTRAL && !isInputObjectType(named)) return NEUTRAL[name];
  if (isEnumType(named)) return named.getValues()[0].value;
  if (named.name === 'ID') {
    const slot = { path, refers: referredType(name, returned, typeNames) };
    slots.push(slot);
    return fill(slot);
  }
  if (name === 'unit' && named.name === 'String') {
    const slot = { path, refers: 'unit' };
    slots.push(slot);
    return fill(slot);
  }
  if (named.name === 'Int' || named.name === 'Float') return 1;
  if (named.name === 'Boolean') return false;
  if (named.name === 'Date') return '2026-06-01';
  return 'Thử nghiệm bình đẳng giới';
}

interface Placement {
  unitId: number;
  path: string;
  validFrom: string | null;
  validTo: string | null;
}

/**
 * The README's rule computed from the tables, independently of the access layer: what lay in a
 * unit's area on some date (under the unit on that date, or under one of the units it was formed
 * from while that one existed), and its observations, each on the last day of its period.
 */
async function areaByRule(dataSource: DataSource, code: string): Promise<{ codes: Set<string>; ids: Set<string>; present: Set<string>; idsOfCode: Map<string, string[]> }> {
  const q = (sql: string) => dataSource.query(sql) as Promise<Record<string, any>[]>;
  const [units, placementRows, links, observations] = await Promise.all([
    q('SELECT id, code, valid_to AS validTo FROM administrative_unit'),
    q('SELECT unit_id AS unitId, path, valid_from AS validFrom, valid_to AS validTo FROM unit_placement'),
    q('SELECT successor_id AS successorId, predecessor_id AS predecessorId FROM unit_lineage'),
    q('SELECT id, unit_id AS unitId, period FROM observation'),
  ]);
  const placements: Placement[] = placementRows.map((p) => ({ ...p, unitId: Number(p.unitId) }) as Placement);
  const self = units.find((u) => u.code === code && u.validTo === null)!;
  const roots = new Set<number>([Number(self.id)]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const l of links) if (roots.has(Number(l.successorId)) && !roots.has(Number(l.predecessorId))) grew = roots.add(Number(l.predecessorId)) !== null;
  }
  const rootPlacements = placements.filter((p) => roots.has(p.unitId));
  const on = (p: { validFrom: string | null; validTo: string | null }, date: string) => (!p.validFrom || p.validFrom <= date) && (!p.validTo || p.validTo >= date);
  const overlap = (a: Placement, b: Placement) => (!a.validFrom || !b.validTo || a.validFrom <= b.validTo) && (!b.validFrom || !a.validTo || b.validFrom <= a.validTo);
  const inArea = (p: Placement, date: string | null) => rootPlacements.some((r) => p.path.startsWith(r.path) && (date ? on(p, date) && on(r, date) : overlap(p, r)));
  const byUnit = new Map<number, Placement[]>();
  for (const p of placements) byUnit.set(p.unitId, [...(byUnit.get(p.unitId) ?? []), p]);
  const codeOf = new Map(units.map((u) => [Number(u.id), u.code as string]));
  const codesWhen = (date: string | null) => new Set([...byUnit].filter(([, ps]) => ps.some((p) => inArea(p, date))).map(([id]) => codeOf.get(id) as string));
  const codes = codesWhen(null);
  const present = codesWhen(new Date().toISOString().slice(0, 10));
  const visible = observations.filter((o) => (byUnit.get(Number(o.unitId)) ?? []).some((p) => inArea(p, periodEnd(parsePeriod(o.period)!))));
  const ids = new Set(visible.map((o) => `Observation:${o.id}`));
  const idsOfCode = new Map<string, string[]>();
  for (const o of visible) idsOfCode.set(codeOf.get(Number(o.unitId)) as string, [...(idsOfCode.get(codeOf.get(Number(o.unitId)) as string) ?? []), `Observation:${o.id}`]);
  return { codes, ids, present, idsOfCode };
}

/** Rows in every table but the audit log (which records refusals too). */
async function tableCounts(dataSource: DataSource): Promise<Record<string, number>> {
  const tables: string[] = dataSource.options.type === 'better-sqlite3'
    ? (await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)).map((r: { name: string }) => r.name)
    : (await dataSource.query('SHOW TABLES')).map((r: Record<string, string>) => Object.values(r)[0]);
  const counts: Record<string, number> = {};
  for (const table of tables.filter((t) => !t.startsWith('audit')).sort()) {
    counts[table] = Number((await dataSource.query(`SELECT COUNT(*) AS n FROM ${dataSource.driver.escape(table)}`))[0].n);
  }
  return counts;
}

describe.each(testDatabases())('tenant isolation across the whole schema on $name', (db) => {
  let server: TestServer;
  let schema: GraphQLSchema;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer(db, { MAX_QUERY_COST: '1e15', MAX_RESOLVED_FIELDS: '1e9', MAX_RESPONSE_BYTES: '1e10', MAX_QUERY_DEPTH: '40', MAX_QUERY_ALIASES: '1000' });
    schema = await buildAppSchema();
    admin = server.token('VN', 'ADMIN');
  });
  afterAll(() => server?.close());

  // Probes write nothing, so what a tenant holds is read once per code.
  const tenants = new Map<string, Promise<Tenant>>();
  function tenant(code: string): Promise<Tenant> {
    if (!tenants.has(code)) tenants.set(code, readTenant(code));
    return tenants.get(code) as Promise<Tenant>;
  }

  async function readTenant(code: string, asOf: string[] = ['2026-06-01', '2025-01-01']): Promise<Tenant> {
    const into = { codes: new Set<string>(), ids: new Set<string>(), names: new Set<string>(), idsByType: new Map<string, Set<string>>() };
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
      // Unit codes in every String argument but cursors and catalogue codes; flags such as includeDescendants on.
      const isList = (a: GraphQLArgument) => isListType(isNonNullType(a.type) ? a.type.ofType : a.type);
      const codeArgs = field.args.filter((a) => getNamedType(a.type).name === 'String' && !isList(a) && a.name !== 'after' && a.name !== 'indicator');
      const flags = field.args.filter((a) => getNamedType(a.type).name === 'Boolean');
      const args = [...codeArgs, ...flags];
      if (!codeArgs.length || field.args.some((a) => isNonNullType(a.type) && !args.includes(a))) continue;
      const inner = selection(getNamedType(field.type), MAX_DEPTH);
      const vars = Object.fromEntries([...codeArgs.map((a) => [a.name, code]), ...flags.map((a) => [a.name, true])]);
      const result = await server.gql(`query(${args.map((a) => `$${a.name}: ${a.type}`).join(', ')}) { ${field.name}(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})${inner ? ` { ${inner} }` : ''} }`, vars, admin);
      // The national ADMIN may read everything: an error here would hide the tenant's ids from the probes.
      expect({ field: field.name, code, errors: result.errors ?? [] }).toEqual({ field: field.name, code, errors: [] });
      const found: Found = { codes: new Set<string>(), ids: new Set<string>(), names: new Set<string>(), idsByType: into.idsByType };
      collect(result.data, found);
      found.ids.forEach((id) => into.ids.add(id));
    }
    // What the tenant may see at some date by the rule, so a shared predecessor's history counts as its own.
    const rule = await areaByRule(server.dataSource, code);
    rule.codes.forEach((c) => into.codes.add(c));
    rule.ids.forEach((id) => into.ids.add(id));
    return { code, ...into, present: rule.present, idsOfCode: rule.idsOfCode };
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
    let answered = 0;
    for (const field of Object.values(query.getFields()) as GraphQLField<unknown, unknown>[]) {
      const inner = selection(getNamedType(field.type), MAX_DEPTH, [], schema);
      const neutral: Record<string, unknown> = { periods: ['2026'], period: '2026', indicator: 'FEMALE_KEY_LEADER' };
      const probes: Record<string, unknown>[] = [{}];
      for (const arg of field.args) {
        for (const value of valuesFor(arg, other, neutral, own)) probes.push({ [arg.name]: value });
      }
      for (const probeArgs of probes) {
        const args = Object.fromEntries(field.args.map((a) => [a.name, probeArgs[a.name] ?? (isNonNullType(a.type) ? valuesFor(a, own, neutral)[0] : undefined)]).filter(([, v]) => v !== undefined));
        const names = Object.keys(args);
        if (field.args.some((a) => isNonNullType(a.type) && !names.includes(a.name))) continue;
        const document = `query(${names.map((n) => `$${n}: ${field.args.find((a) => a.name === n)!.type}`).join(', ') || ''}) { ${field.name}${names.length ? `(${names.map((n) => `${n}: $${n}`).join(', ')})` : ''}${inner ? ` { ${inner} }` : ''} }`.replace('query() ', 'query ');
        const result = await server.gql(document, args, token);
        requests += 1;
        // A probe the server could not run (an invalid document, a crash) proves nothing: only refusals and answers count.
        const unexpected = (result.errors ?? []).filter((e) => !['FORBIDDEN', 'BAD_USER_INPUT'].includes(String(e.extensions?.code)));
        expect({ field: field.name, args, unexpected }).toEqual({ field: field.name, args, unexpected: [] });
        if (result.data && Object.values(result.data).some((v) => v !== null)) answered += 1;
        const found = leaks({ data: result.data, errors: result.errors }, own, other);
        if (found.length) throw new Error(`${field.name}(${JSON.stringify(args)}) as ${viewerCode} leaks ${otherCode}'s ${found.slice(0, 5).join(', ')}`);
        // Asking about the other tenant must look exactly like asking about nothing.
        const probed = Object.entries(probeArgs).find(([, v]) => typeof v === 'string' || Array.isArray(v));
        const value = probed?.[1];
        // A search text is not an identifier: "01" also matches the viewer's own codes (0597701); the leak check above covers it.
        const foreign = probed?.[0] !== 'search' && typeof value === 'string' && ((other.codes.has(value) && !own.codes.has(value)) || (other.present.has(value) && !own.present.has(value)));
        if (probed && foreign) {
          const bogus = await server.gql(document, { ...args, [probed[0]]: 'ZZ999' }, token);
          const normalise = (r: unknown) => JSON.stringify(r).split(probed[1] as string).join('<code>').split('ZZ999').join('<code>');
          expect(normalise({ data: result.data, errors: result.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })) })).toBe(
            normalise({ data: bogus.data, errors: bogus.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })) }),
          );
        }
      }
    }
    // Many probes answered data (the others were refused, like a probe naming nothing).
    expect({ viewerCode, answered: answered > 20 }).toEqual({ viewerCode, answered: true });
    return requests;
  }

  /** Whether a response refused the write as FORBIDDEN: at the top level, or on every rejected row. */
  function refusedAsForbidden(result: { data?: unknown; errors?: readonly { extensions?: Record<string, unknown> }[] }): boolean {
    const codes = result.errors?.length ? result.errors.map((e) => e.extensions?.code) : (JSON.stringify(result.data).match(/"code":"[A-Z_]+"/g) ?? []).map((c) => c.slice(8, -1));
    return codes.length > 0 && codes.every((code) => code === 'FORBIDDEN');
  }

  /**
   * Every mutation, with each of its identifiers in turn pointed at the other tenant and the rest
   * at the viewer's own objects (everything else valid, so the foreign identifier is what is
   * refused): FORBIDDEN, exactly as when that identifier names nothing, and no table changes.
   */
  async function probeMutations(viewerCode: string, otherCode: string): Promise<{ probed: string[]; slots: string[] }> {
    const own = await tenant(viewerCode);
    const other = await tenant(otherCode);
    const token = server.token(viewerCode, 'ADMIN');
    const typeNames = Object.keys(schema.getTypeMap()).filter((t) => !t.startsWith('__'));
    // Units that moved from the viewer's history into the other's present, and their observations, first.
    const moved = [...other.present].filter((c) => own.codes.has(c) && !own.present.has(c));
    const movedIds = moved.flatMap((c) => other.idsOfCode.get(c) ?? []).filter((id) => !own.ids.has(id));
    const foreignIds = (type: string) => [...new Set([...(type === 'Observation' ? movedIds.slice(0, 2) : []), ...[...(other.idsByType.get(type) ?? [])].filter((id) => !own.ids.has(id))])].slice(0, 3);
    const ownId = (type: string) => [...(own.idsByType.get(type) ?? [])].find((id) => !other.ids.has(id));
    const before = await tableCounts(server.dataSource);
    const probed: string[] = [];
    const all: string[] = [];
    for (const field of Object.values(schema.getMutationType()!.getFields()) as GraphQLField<unknown, unknown>[]) {
      const returned = getNamedType(field.type).name;
      const build = (fill: (slot: Slot) => unknown) => {
        const slots: Slot[] = [];
        const args = Object.fromEntries(
          field.args
            .filter((a) => isRequired(a.type, a.defaultValue !== undefined))
            .map((a) => [a.name, buildValue(a.type, a.name, [a.name], fill, slots, returned, typeNames)]),
        );
        return { args, slots };
      };
      const { slots } = build(() => null);
      all.push(...slots.map((s) => `${field.name}.${s.path.join('.')}`));
      const inner = selection(getNamedType(field.type), 1);
      const names = field.args.filter((a) => isRequired(a.type, a.defaultValue !== undefined)).map((a) => a.name);
      const document = `mutation(${names.map((n) => `$${n}: ${field.args.find((a) => a.name === n)!.type}`).join(', ')}) { ${field.name}(${names.map((n) => `${n}: $${n}`).join(', ')})${inner ? ` { ${inner} }` : ''} }`;
      for (const target of slots) {
        const key = target.path.join('.');
        const ownValue = (slot: Slot) => (slot.refers === 'unit' ? viewerCode : ownId(slot.refers));
        const others = slots.filter((s) => s.path.join('.') !== key);
        if (others.some((s) => ownValue(s) === undefined)) continue; // the viewer has none of that type to build on
        const foreign = target.refers === 'unit' ? [otherCode, ...moved.slice(0, 1), ...[...other.codes].filter((c) => !own.codes.has(c)).slice(0, 2)] : foreignIds(target.refers);
        for (const value of foreign) {
          const nothing = target.refers === 'unit' ? 'ZZ999' : value.replace(/\d+$/, (digits) => `9999${digits}`);
          const run = (v: string) => server.gql(document, build((s) => (s.path.join('.') === key ? v : ownValue(s))).args, token);
          const result = await run(value);
          const found = leaks({ data: result.data, errors: result.errors }, own, other);
          if (found.length) throw new Error(`${field.name} with ${key}=${value} as ${viewerCode} leaks ${otherCode}'s ${found.slice(0, 5).join(', ')}`);
          expect({ mutation: field.name, slot: key, value, refused: refusedAsForbidden(result) ? 'yes' : JSON.stringify(result.errors ?? result.data) }).toEqual({ mutation: field.name, slot: key, value, refused: 'yes' });
          const bogus = await run(nothing);
          const normalise = (r: typeof result) => JSON.stringify({ data: r.data, errors: r.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })) }).split(nothing).join('<id>').split(value).join('<id>');
          expect(normalise(result)).toBe(normalise(bogus));
          probed.push(`${field.name}.${key}`);
        }
      }
    }
    expect(await tableCounts(server.dataSource)).toEqual(before);
    return { probed: [...new Set(probed)], slots: [...new Set(all)] };
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

  it("keeps communes that split a legacy commune apart: each sees the other's present like nothing (Ba Đình and Hoàn Kiếm)", async () => {
    // Both were formed partly from legacy phường Đồng Xuân (00040), whose villages went to either; both read its history.
    expect(await probe('00004', '00070')).toBeGreaterThan(10);
    expect(await probe('00070', '00004')).toBeGreaterThan(10);
  });

  /**
   * The SDMX web service (/sdmx/rest) for the same pairs: the viewer's CL_AREA and a data query
   * over every area hold nothing of the other subtree, and a data query naming the other's units
   * (its present, for a unit both histories share) answers exactly like one naming nothing.
   */
  async function probeSdmx(viewerCode: string, otherCode: string): Promise<number> {
    const own = await tenant(viewerCode);
    const other = await tenant(otherCode);
    const token = server.token(viewerCode, 'ADMIN');
    const get = async (path: string, accept = 'application/vnd.sdmx.data+csv;version=1.0.0') => {
      const response = await fetch(`${server.url}/sdmx/rest${path}`, { headers: { authorization: `Bearer ${token}`, accept } });
      return { status: response.status, body: await response.text() };
    };
    const foreign = (codes: Iterable<string>) => [...codes].filter((c) => other.codes.has(c) && !own.codes.has(c));
    const areaList = await get('/codelist/BDG/CL_AREA', 'application/xml');
    expect(areaList.status).toBe(200);
    const listed = [...areaList.body.matchAll(/<structure:Code id="([^"]+)"/g)].map((m) => m[1]);
    expect(listed).toContain(viewerCode);
    expect({ viewerCode, foreign: foreign(listed) }).toEqual({ viewerCode, foreign: [] });
    expect({ viewerCode, outside: listed.filter((c) => !own.codes.has(c)) }).toEqual({ viewerCode, outside: [] });
    const everywhere = await get('/data/GENDER_STATISTICS/A..FEMALE_KEY_LEADER+PEOPLES_COUNCIL_DEPUTY+GE_NEWS_ITEM.?startPeriod=2024&endPeriod=2026');
    expect(everywhere.status).toBe(200);
    const areas = new Set(everywhere.body.split('\r\n').slice(1).filter(Boolean).map((line) => line.split(',')[2]));
    expect(areas.size).toBeGreaterThan(0);
    expect({ viewerCode, foreign: foreign(areas) }).toEqual({ viewerCode, foreign: [] });
    const moved = [...other.present].filter((c) => own.codes.has(c) && !own.present.has(c)).slice(0, 3);
    const probes = [
      ...[otherCode, ...foreign(other.codes).filter((c) => c !== otherCode).slice(0, 6)].map((code) => ({ code, span: '' })),
      ...moved.map((code) => ({ code, span: '?startPeriod=2026&endPeriod=2026' })),
    ];
    for (const { code, span } of probes) {
      for (const accept of ['application/vnd.sdmx.genericdata+xml;version=2.1', 'application/vnd.sdmx.data+csv;version=1.0.0']) {
        const asked = await get(`/data/GENDER_STATISTICS/A.${code}..${span}`, accept);
        const nothing = await get(`/data/GENDER_STATISTICS/A.ZZ999..${span}`, accept);
        expect({ code, span, status: asked.status, body: asked.body.split(code).join('<code>') }).toEqual({ code, span, status: nothing.status, body: nothing.body.split('ZZ999').join('<code>') });
      }
    }
    return probes.length;
  }

  it('keeps the SDMX web service apart the same way: code lists, data over every area, data naming the other', async () => {
    const { data } = await server.gql(`{ unit(code: "20") { children { code } } }`, {}, admin);
    const sibling = data!.unit.children.map((c: { code: string }) => c.code).find((c: string) => c !== '06601');
    const pairs: [string, string][] = [['20', '01'], ['01', '20'], ['06601', sibling], [sibling, '06601'], ['00004', '00070'], ['00070', '00004']];
    for (const [viewer, other] of pairs) expect(await probeSdmx(viewer, other)).toBeGreaterThan(0);
  });

  it('refuses every mutation aimed at the other tenant exactly like one aimed at nothing, and writes nothing', async () => {
    const { data } = await server.gql(`{ unit(code: "20") { children { code } } }`, {}, admin);
    const sibling = data!.unit.children.map((c: { code: string }) => c.code).find((c: string) => c !== '06601');
    const runs = [
      await probeMutations('20', '01'),
      await probeMutations('01', '20'),
      await probeMutations('06601', sibling),
      await probeMutations(sibling, '06601'),
      await probeMutations('00004', '00070'),
      await probeMutations('00070', '00004'),
    ];
    const probed = new Set(runs.flatMap((r) => r.probed));
    // Every identifier of every mutation was pointed at the other tenant at least once.
    expect(runs[0].slots.filter((slot) => !probed.has(slot))).toEqual([]);
    expect(runs[0].slots.length).toBeGreaterThan(10);
  });
});
