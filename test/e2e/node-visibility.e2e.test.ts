import { getNamedType, GraphQLInterfaceType, GraphQLObjectType } from 'graphql';
import { rowKindOfType } from '../../server/auth/row-kinds';
import { buildAppSchema } from '../../server/schema';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';
import { typedObjects } from '../support/typed-objects';

/**
 * Every type implementing Node, every role, two viewers: node(id:) answers a row exactly when the
 * type's own fields answer it. The rows are every object the national ADMIN reaches through the
 * fields below, plus an observation with a history of draft, submitted and approved revisions
 * (a STATISTICS_OFFICE may read only the approved one, through history and through node alike).
 */
const OWN_FIELDS = `query($area: String!) {
  units(under: $area, first: 100) { edges { node { __typename id agencies { __typename id } } } }
  indicators { __typename id }
  plans(unit: $area, includeDescendants: true, first: 100) { edges { node { __typename id
    objectives { __typename id targets { __typename id } } tasks { __typename id }
    responsibilities { __typename id agency { __typename id } }
    reportingObligations { __typename id submissions { __typename id } }
    history { __typename id } } } }
  observations(unit: $area, includeDescendants: true, periods: ["2031"], first: 100) { edges { node { __typename id history { __typename id } } } }
}`;

/** How each Node type is reached through its own fields in OWN_FIELDS; a type missing here fails the test. */
const REACHED_BY: Record<string, string> = {
  AdministrativeUnit: 'units', Agency: 'units.agencies, plans.responsibilities.agency', Indicator: 'indicators',
  Plan: 'plans', Objective: 'plans.objectives', Target: 'plans.objectives.targets', Task: 'plans.tasks', Responsibility: 'plans.responsibilities',
  ReportingObligation: 'plans.reportingObligations', Submission: 'plans.reportingObligations.submissions', PlanRevision: 'plans.history',
  Observation: 'observations', ObservationRevision: 'observations.history',
};

describe.each(testDatabases())('node(id:) answers exactly what each type’s own fields answer, on $name', (db) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(db, { MAX_QUERY_COST: '1e12', MAX_RESOLVED_FIELDS: '1e8' });
  });
  afterAll(() => server?.close());

  async function reachable(token: string, area: string): Promise<Map<string, string>> {
    const result = await server.gql(OWN_FIELDS, { area }, token);
    // A viewer outside the area is answered FORBIDDEN for the fields naming it: it reaches nothing there.
    expect(result.errors?.filter((e) => e.extensions?.code !== 'FORBIDDEN') ?? []).toEqual([]);
    return typedObjects(result.data);
  }

  async function nodeAnswers(ids: string[], token: string): Promise<Set<string>> {
    const answered = new Set<string>();
    for (let start = 0; start < ids.length; start += 50) {
      const batch = ids.slice(start, start + 50);
      const query = `query(${batch.map((_, i) => `$i${i}: ID!`).join(', ')}) { ${batch.map((_, i) => `n${i}: node(id: $i${i}) { id }`).join(' ')} }`;
      const { data, errors } = await server.gql(query, Object.fromEntries(batch.map((id, i) => [`i${i}`, id])), token);
      expect(errors).toBeUndefined();
      batch.forEach((id, i) => data![`n${i}`] && answered.add(id));
    }
    return answered;
  }

  it('for every Node type and every role', async () => {
    const schema = await buildAppSchema();
    const nodeTypes = schema.getPossibleTypes(schema.getType('Node') as GraphQLInterfaceType).map((t: GraphQLObjectType) => t.name).sort();
    // Every Node type is reached by a field here and, unless it is reference data, has a row kind.
    expect(nodeTypes.filter((t) => !REACHED_BY[t])).toEqual([]);
    expect(nodeTypes.filter((t) => !['AdministrativeUnit', 'Indicator'].includes(t) && !rowKindOfType(t))).toEqual([]);
    expect(getNamedType(schema.getQueryType()!.getFields().node.type).name).toBe('Node');

    // An observation in Lợi Bác with draft, submitted and approved revisions by two people, a submission and a revision of a plan.
    const writer = server.token('20', 'ADMIN', 'writer@20');
    const recorded = await server.gql(`mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied } }`, { input: [{ indicator: 'GE_CONFERENCE', unit: '06601', period: '2031', sex: 'TOTAL', numerator: 7 }] }, writer);
    expect(recorded.data?.recordObservations.applied).toBe(true);
    const listed = await server.gql(`{ observations(unit: "06601", periods: ["2031"], indicator: "GE_CONFERENCE") { edges { node { id } } } }`, {}, writer);
    const ids = listed.data!.observations.edges.map((e: { node: { id: string } }) => e.node.id);
    expect((await server.gql(`mutation($ids: [ID!]!) { submitObservations(ids: $ids) { id } }`, { ids }, writer)).errors).toBeUndefined();
    expect((await server.gql(`mutation($ids: [ID!]!) { approveObservations(ids: $ids) { id } }`, { ids }, server.token('20', 'ADMIN', 'checker@20'))).errors).toBeUndefined();
    const plan = (await server.gql(`{ plans(unit: "06601") { edges { node { id title reportingObligations { id } } } } }`, {}, writer)).data!.plans.edges[0].node;
    expect((await server.gql(`mutation($id: ID!, $t: String!) { updatePlan(id: $id, input: { title: $t }) { id } }`, { id: plan.id, t: `${plan.title} (sửa đổi)` }, writer)).errors).toBeUndefined();
    const submitted = await server.gql(`mutation($o: ID!) { recordSubmission(obligation: $o, input: { period: "2026" }) { id } }`, { o: plan.reportingObligations[0].id }, writer);
    expect(submitted.errors).toBeUndefined();

    const all = await reachable(server.token('VN', 'ADMIN'), '20');
    expect([...new Set(all.values())].sort()).toEqual(nodeTypes);
    const candidates = [...all.keys()];
    const differences: string[] = [];
    const kinds = { answered: 0, refused: 0 };
    for (const viewer of ['20', '06601', '01']) {
      for (const role of ['ADMIN', 'EDITOR', 'ANALYST', 'STATISTICS_OFFICE'] as const) {
        const token = server.token(viewer, role);
        const own = await reachable(token, viewer);
        const answered = await nodeAnswers(candidates, token);
        for (const id of candidates) {
          // Units and the catalogue are read as of a date and by code, not only under an area: compare rows of tenant kinds.
          if (!rowKindOfType(all.get(id)!)) continue;
          if (own.has(id) !== answered.has(id)) differences.push(`${viewer} ${role} ${id}: own fields ${own.has(id)}, node ${answered.has(id)}`);
          kinds[answered.has(id) ? 'answered' : 'refused'] += 1;
        }
      }
    }
    expect(differences).toEqual([]);
    expect(kinds.answered).toBeGreaterThan(50);
    expect(kinds.refused).toBeGreaterThan(50);
  });
});
