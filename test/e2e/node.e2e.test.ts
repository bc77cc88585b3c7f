import { StatementCounter } from '../../server/core/query-counter';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';
import { typedObjects } from '../support/typed-objects';

/**
 * Global ids and node(id:): every type a client cache normalises has an id naming its type, node()
 * reads each through the same access layer as the type's own fields, and ids of one type are no
 * use where another is expected.
 */
describe.each(testDatabases())('global ids and node(id:) on $name', (db) => {
  let server: TestServer;
  let langSon: string;
  let haNoi: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    langSon = server.token('20', 'ANALYST');
    haNoi = server.token('01', 'ANALYST');
  });
  afterAll(() => server?.close());

  async function ok(query: string, variables: Record<string, unknown> = {}, token = langSon): Promise<Record<string, any>> {
    const { data, errors } = await server.gql(query, variables, token);
    expect(errors).toBeUndefined();
    return data!;
  }

  const LOI_BAC = `{
    plans(unit: "06601") { edges { node { __typename id updatedAt unit { __typename id code }
      objectives { __typename id targets { __typename id indicator { __typename id code valueType } } }
      tasks { __typename id } responsibilities { __typename id agency { __typename id } } reportingObligations { __typename id } } } }
    observations(unit: "06601", includeDescendants: true, first: 3) { edges { node { __typename id updatedAt history { __typename id changedAt } } } }
  }`;


  it('gives every type an id that names it, and node(id:) finds each object again', async () => {
    const found = typedObjects(await ok(LOI_BAC));
    const types = new Set(found.values());
    expect([...types].sort()).toEqual(['AdministrativeUnit', 'Agency', 'Indicator', 'Objective', 'Observation', 'ObservationRevision', 'Plan', 'ReportingObligation', 'Responsibility', 'Target', 'Task']);
    for (const [id, type] of found) expect(id).toMatch(new RegExp(`^${type}:\\d+$`));
    const all = [...found.keys()];
    for (let start = 0; start < all.length; start += 50) {
      const ids = all.slice(start, start + 50); // under the alias limit
      const query = `query(${ids.map((_, i) => `$i${i}: ID!`).join(', ')}) { ${ids.map((_, i) => `n${i}: node(id: $i${i}) { __typename id }`).join(' ')} }`;
      const again = await ok(query, Object.fromEntries(ids.map((id, i) => [`i${i}`, id])));
      expect(ids.map((id, i) => again[`n${i}`])).toEqual(ids.map((id) => ({ __typename: found.get(id), id })));
    }
  });

  it('answers null for an object outside the subtree exactly as for an id that names nothing', async () => {
    const found = [...typedObjects(await ok(LOI_BAC))].filter(([, type]) => type !== 'Indicator'); // the catalogue is everyone's
    const unknown = (id: string) => id.replace(/\d+$/, (digits) => `9999${digits}`);
    for (const [id] of found) {
      const theirs = await server.gql(`query($id: ID!) { node(id: $id) { id } }`, { id }, haNoi);
      const nothing = await server.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: unknown(id) }, haNoi);
      expect({ id, data: theirs.data, errors: theirs.errors }).toEqual({ id, data: { node: null }, errors: undefined });
      expect(nothing).toEqual({ ...theirs });
    }
    for (const id of ['', 'Plan', 'Plan:', 'Plan:0', 'plan:1', 'Nope:1', '__proto__:1', 'constructor:1', '1']) {
      expect({ id, ...(await server.gql(`query($id: ID!) { node(id: $id) { id } }`, { id }, langSon)) }).toMatchObject({ id, data: { node: null } });
    }
  });

  it('never takes an id of one type for another; the ids the API took before still work as arguments', async () => {
    const data = await ok(LOI_BAC);
    const plan = data.plans.edges[0].node;
    const observation = data.observations.edges[0].node;
    const planRow = plan.id.split(':')[1];
    const observationRow = observation.id.split(':')[1];
    const PLAN = `query($id: ID!) { plan(id: $id) { id } }`;
    const OBSERVATION = `query($id: ID!) { observation(id: $id) { id } }`;
    expect((await ok(PLAN, { id: `Observation:${planRow}` })).plan).toBeNull();
    expect((await ok(PLAN, { id: plan.objectives[0].id })).plan).toBeNull();
    expect((await ok(OBSERVATION, { id: `Plan:${observationRow}` })).observation).toBeNull();
    expect((await ok(PLAN, { id: planRow })).plan).toEqual({ id: plan.id });
    expect((await ok(OBSERVATION, { id: `obs:${observationRow}` })).observation).toEqual({ id: observation.id });
    expect((await ok(OBSERVATION, { id: observationRow })).observation).toEqual({ id: observation.id });
    // A write given another type's id is refused exactly like one given an id that names nothing.
    const editor = server.token('06601', 'EDITOR');
    const UPDATE = `mutation($id: ID!) { updatePlan(id: $id, input: { title: "x" }) { id } }`;
    const wrongType = await server.gql(UPDATE, { id: `Target:${planRow}` }, editor);
    const nothing = await server.gql(UPDATE, { id: 'Plan:99999999' }, editor);
    expect(wrongType.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(wrongType.errors?.map((e) => e.message)).toEqual(nothing.errors?.map((e) => e.message));
  });

  it('keys a unit per unit-version: the code 06601 names two units over time, with two ids', async () => {
    const UNIT = `query($d: Date) { unit(code: "06601", asOf: $d) { id code validFrom validTo } }`;
    const before = (await ok(UNIT, { d: '2025-01-01' })).unit;
    const after = (await ok(UNIT, { d: '2026-01-01' })).unit;
    expect(before.id).not.toBe(after.id);
    expect(before.validTo < after.validFrom).toBe(true);
    const NODE = `query($id: ID!) { node(id: $id) { ... on AdministrativeUnit { id code validFrom validTo } } }`;
    expect((await ok(NODE, { id: before.id })).node).toEqual(before);
    expect((await ok(NODE, { id: after.id })).node).toEqual(after);
  });

  it('reads Target.indicator from the catalogue: at most one statement more (none once it is cached), however many targets', async () => {
    const count = async (query: string) => {
      const start = StatementCounter.count;
      await ok(query);
      return StatementCounter.count - start;
    };
    const targets = (inner: string) => `{ plans(first: 50) { edges { node { objectives { targets { id ${inner} } } } } } }`;
    const all = await ok(targets('indicator { code valueType }'), {}, server.token('VN', 'ANALYST'));
    const withIndicator = all.plans.edges.flatMap((e: any) => e.node.objectives.flatMap((o: any) => o.targets)).filter((t: any) => t.indicator);
    expect(withIndicator.length).toBeGreaterThan(10);
    expect(withIndicator.every((t: any) => typeof t.indicator.code === 'string' && typeof t.indicator.valueType === 'string')).toBe(true);
    // More than ten targets name an indicator: a read per target would cost ten statements or more.
    expect((await count(targets('indicator { code valueType }'))) - (await count(targets('')))).toBeLessThanOrEqual(1);
  });

  it('answers timestamps as DateTime, ISO 8601 in UTC', async () => {
    const data = await ok(LOI_BAC);
    const stamps = [data.plans.edges[0].node.updatedAt, ...data.observations.edges.flatMap((e: any) => [e.node.updatedAt, ...e.node.history.map((h: any) => h.changedAt)])];
    expect(stamps.length).toBeGreaterThan(2);
    for (const stamp of stamps) expect(stamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  });
});
