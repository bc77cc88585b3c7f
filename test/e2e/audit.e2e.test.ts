import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

describe.each(testDatabases())('audit log of writes on $name', (db) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(db);
  });
  afterAll(() => server?.close());

  const LOG = '{ auditLog(first: 20) { totalCount edges { node { subject role unitCode operation input succeeded recordedAt } } } }';

  it('records who wrote what, for which unit and when, visible to ADMINs of the subtree only', async () => {
    const editor = server.token('06601', 'EDITOR', 'editor-loi-bac');
    const village = '0660101';
    const write = await server.gql(
      `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied accepted errors { field message } } }`,
      { input: [{ indicator: 'FEMALE_KEY_LEADER', unit: village, period: '2026', sex: 'TOTAL', numerator: 1, denominator: 1, expectedVersion: null }] },
      editor,
    );
    expect(write.errors).toBeUndefined();
    const input = [{ indicator: 'FEMALE_KEY_LEADER', unit: village, period: '2026', sex: 'TOTAL', numerator: 0, denominator: 1 }];
    const refused = await server.gql(`mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied } }`, { input }, server.token('06601', 'ANALYST', 'analyst-loi-bac'));
    expect(refused.data?.recordObservations?.applied ?? false).toBe(false);

    const national = await server.gql(LOG, {}, server.token('VN', 'ADMIN'));
    const entries = national.data!.auditLog.edges.map((e: { node: Record<string, unknown> }) => e.node);
    const mine = entries.find((e: { subject: string }) => e.subject === 'editor-loi-bac');
    expect(mine).toMatchObject({ role: 'EDITOR', unitCode: '06601', operation: 'recordObservations' });
    expect(mine.input).toContain(village);
    expect(Date.parse(mine.recordedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(entries.some((e: { subject: string }) => e.subject === 'analyst-loi-bac')).toBe(true);

    const langSon = await server.gql(LOG, {}, server.token('20', 'ADMIN'));
    expect(langSon.data!.auditLog.edges.some((e: { node: { subject: string } }) => e.node.subject === 'editor-loi-bac')).toBe(true);
    const haNoi = await server.gql(LOG, {}, server.token('01', 'ADMIN'));
    expect(haNoi.data!.auditLog.totalCount).toBe(0);
    const analyst = await server.gql(LOG, {}, server.token('20', 'ANALYST'));
    expect(analyst.errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});
