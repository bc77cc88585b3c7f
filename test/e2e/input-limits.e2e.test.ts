import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * Bounded inputs (issue 23): a 1,000,000-character title and 5,000 legal bases of 300 characters
 * were accepted by updatePlan and stored twice in the history. Now every String and list has a
 * maximum (docs/limits.md), refused with BAD_USER_INPUT naming the field, and nothing is written,
 * whether the value comes in a variable or written into the query.
 */
describe.each(testDatabases())('input limits on $name', (db) => {
  let server: TestServer;
  let editor: string;
  let planId: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    editor = server.token('06601', 'EDITOR');
    const plans = await server.gql(`{ plans(unit: "06601") { edges { node { id } } } }`, {}, editor);
    planId = plans.data!.plans.edges[0].node.id;
  }, 120_000);
  afterAll(() => server?.close());

  const UPDATE = `mutation($id: ID!, $input: UpdatePlanInput!) { updatePlan(id: $id, input: $input) { id title legalBases } }`;
  const state = async () => ({
    revisions: Number((await server.dataSource.query('SELECT COUNT(*) AS n FROM plan_revision'))[0].n),
    plan: (await server.gql(`query($id: ID!) { plan(id: $id) { title legalBases } }`, { id: planId }, editor)).data!.plan,
  });
  const refusedNaming = async (answer: Promise<{ errors?: { extensions?: Record<string, any> }[]; data?: any }>, field: string) => {
    const { errors } = await answer;
    expect(errors).toHaveLength(1);
    expect(errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  };

  it('refuses a 1,000,000-character title and 5,000 legal bases, naming the field, writing nothing', async () => {
    const before = await state();
    await refusedNaming(server.gql(UPDATE, { id: planId, input: { title: 'T'.repeat(1_000_000) } }, editor), 'input.title');
    await refusedNaming(server.gql(UPDATE, { id: planId, input: { legalBases: Array.from({ length: 5000 }, (_, i) => `${i}`.padEnd(300, 'x')) } }, editor), 'input.legalBases');
    await refusedNaming(server.gql(UPDATE, { id: planId, input: { legalBases: ['Luật Bình đẳng giới 2006', 'Nghị định 48/2009', 'Nghị quyết 28/NQ-CP', 'x'.repeat(501)] } }, editor), 'input.legalBases[3]');
    // Written into the query instead of a variable: the same.
    await refusedNaming(server.gql(`mutation { updatePlan(id: "${planId}", input: { title: "${'T'.repeat(200_000)}" }) { id } }`, {}, editor), 'input.title');
    expect(await state()).toEqual(before);
  });

  it('accepts values at their maximum', async () => {
    const title = 'Kế hoạch '.padEnd(1000, 'x');
    const legalBases = Array.from({ length: 30 }, (_, i) => `Căn cứ ${i} `.padEnd(500, 'x'));
    const answer = await server.gql(UPDATE, { id: planId, input: { title, legalBases } }, editor);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.updatePlan).toMatchObject({ title, legalBases });
  });

  it('bounds observation rows, status comments and query arguments the same way', async () => {
    const revisions = async () => Number((await server.dataSource.query('SELECT COUNT(*) AS n FROM observation_revision'))[0].n);
    const before = await revisions();
    const row = { indicator: 'GE_CONFERENCE', unit: '06601', period: '2046', sex: 'TOTAL', numerator: 1 };
    await refusedNaming(
      server.gql(`mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied } }`, { input: [row, { ...row, sex: 'FEMALE', comment: 'c'.repeat(1001) }] }, server.token('06601', 'EDITOR')),
      'input[1].comment',
    );
    await refusedNaming(server.gql(`mutation($ids: [ID!]!) { approveObservations(ids: $ids) { id } }`, { ids: Array(5001).fill('Observation:1') }, server.token('20', 'ADMIN')), 'ids');
    expect(await revisions()).toBe(before);
    await refusedNaming(server.gql(`query($s: String) { units(search: $s) { totalCount } }`, { s: 'a'.repeat(100_000) }, editor), 'search');
    await refusedNaming(server.gql(`query($p: [String!]) { observations(periods: $p) { totalCount } }`, { p: Array(101).fill('2026') }, editor), 'periods');
    await refusedNaming(server.gql(`query($w: [DimensionValueInput!]) { statistics(indicator: "GE_CONFERENCE", area: "06601", periods: ["2026"], where: $w) { rows { dimensions { value } } } }`, { w: [{ dimension: 'AGE', value: 'V'.repeat(65) }] }, editor), 'where[0].value');
  });
});
