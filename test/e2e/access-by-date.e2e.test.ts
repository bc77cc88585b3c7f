import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * The area of a viewer on a date (README, "Access"): Ba Đình (00004) and Hoàn Kiếm (00070) were
 * both formed partly from legacy phường Đồng Xuân (00040). Village 0007002 sat under Đồng Xuân
 * until 2025-06-30 and under Hoàn Kiếm since. Both communes read Đồng Xuân's history; only Hoàn
 * Kiếm reads or writes the village's present, and for Ba Đình the present answers exactly like a
 * village that does not exist, through GraphQL, exports and histories.
 */
const BA_DINH = '00004';
const HOAN_KIEM = '00070';
const SHARED = '00040';
const VILLAGE = '0007002';
const NOWHERE = '0009999';

describe.each(testDatabases())('access by date on $name', (db) => {
  let server: TestServer;
  let ids: Record<'present' | 'history', string[]>;

  beforeAll(async () => {
    server = await startTestServer(db);
    const nation = server.token('VN', 'ADMIN');
    const read = async (periods: string[]) =>
      (await server.gql(`query($p: [String!]) { observations(unit: "${VILLAGE}", periods: $p, first: 50) { edges { node { id } } } }`, { p: periods }, nation)).data!.observations.edges.map((e: any) => e.node.id);
    ids = { present: await read(['2026']), history: await read(['2024']) };
  });
  afterAll(() => server?.close());

  /** The same request about the village and about a code naming nothing, with the codes and ids blanked. */
  async function sameAsNothing(query: (code: string) => Promise<unknown>, blank: string[] = []): Promise<void> {
    const normalise = (r: unknown, code: string) => [code, ...blank].reduce((text, s) => text.split(s).join('<x>'), JSON.stringify(r));
    expect(normalise(await query(VILLAGE), VILLAGE)).toBe(normalise(await query(NOWHERE), NOWHERE));
  }

  it('the shared predecessor: the village lay under Đồng Xuân in 2024, which formed both communes, and lies under Hoàn Kiếm now', async () => {
    const nation = server.token('VN', 'ADMIN');
    const { data } = await server.gql(
      `{ then: unit(code: "${VILLAGE}", asOf: "2024-06-01") { parent { code } } now: unit(code: "${VILLAGE}") { parent { code } }
         ba: unit(code: "${BA_DINH}") { predecessors { code } } hk: unit(code: "${HOAN_KIEM}") { predecessors { code } } }`,
      {},
      nation,
    );
    expect(data).toMatchObject({ then: { parent: { code: SHARED } }, now: { parent: { code: HOAN_KIEM } } });
    expect(data!.ba.predecessors.map((u: any) => u.code)).toContain(SHARED);
    expect(data!.hk.predecessors.map((u: any) => u.code)).toContain(SHARED);
    expect(ids.present.length).toBe(3);
    expect(ids.history.length).toBe(3);
  });

  it.each(['ANALYST', 'ADMIN'] as const)("a Ba Đình %s reads the village's present exactly like a village that does not exist", async (role) => {
    const token = server.token(BA_DINH, role);
    await sameAsNothing((code) => server.gql(`{ unit(code: "${code}") { code parent { code } } }`, {}, token));
    await sameAsNothing((code) => server.gql(`{ observations(unit: "${code}", periods: ["2026"]) { totalCount } }`, {}, token));
    await sameAsNothing((code) => server.gql(`{ statistics(indicator: "FEMALE_KEY_LEADER", area: "${code}", periods: ["2026"]) { rows { female { value } } } }`, {}, token));
    for (const id of ids.present) {
      const bogus = id.replace(/\d+$/, (n) => `9${n}999`);
      const ask = (x: string) => server.gql(`query($id: ID!) { observation(id: $id) { id status numerator history { newNumerator } } }`, { id: x }, token);
      expect((await ask(id)).data).toEqual({ observation: null });
      expect((await ask(bogus)).data).toEqual({ observation: null });
    }
    const all = await server.gql(`{ observations(periods: ["2026"], first: 500) { totalCount edges { node { id } } } }`, {}, token);
    const seen = all.data!.observations.edges.map((e: any) => e.node.id);
    expect(all.data!.observations.totalCount).toBe(seen.length);
    expect(seen.filter((id: string) => ids.present.includes(id))).toEqual([]);
  });

  it("Ba Đình still reads the shared predecessor's 2024 history, the village included", async () => {
    const token = server.token(BA_DINH, 'ANALYST');
    const { data } = await server.gql(`{ unit(code: "${VILLAGE}", asOf: "2024-06-01") { code parent { code } } observations(periods: ["2024"], first: 500) { edges { node { id unit { code } history { newStatus } } } } }`, {}, token);
    expect(data!.unit).toEqual({ code: VILLAGE, parent: { code: SHARED } });
    const rows = data!.observations.edges.map((e: any) => e.node).filter((o: any) => ids.history.includes(o.id));
    expect(rows.length).toBe(ids.history.length);
    expect(rows.every((o: any) => o.unit.code === VILLAGE && o.history.length > 0)).toBe(true);
    const { data: statistics } = await server.gql(`{ statistics(indicator: "FEMALE_KEY_LEADER", area: "${SHARED}", periods: ["2024"], breakdown: CHILDREN) { rows { unit { code } } } }`, {}, token);
    expect(statistics!.statistics.rows.map((r: any) => r.unit.code)).toContain(VILLAGE);
  });

  it('Hoàn Kiếm reads both the present and the history of the village', async () => {
    const token = server.token(HOAN_KIEM, 'ANALYST');
    for (const id of [...ids.present, ...ids.history]) {
      expect((await server.gql(`query($id: ID!) { observation(id: $id) { id } }`, { id }, token)).data!.observation).toEqual({ id });
    }
  });

  it("exports answer for the village's present exactly as for a village that does not exist, and hold its history", async () => {
    const token = server.token(BA_DINH, 'ANALYST');
    const get = async (query: string) => {
      const response = await fetch(`${server.url}/export/${query}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: await response.text() };
    };
    for (const format of ['csv', 'xlsx', 'sdmx.csv']) {
      await sameAsNothing(async (code) => {
        const answer = await get(`observations.${format}?unit=${code}&periods=2026`);
        return format === 'xlsx' && answer.status === 200 ? { status: answer.status } : answer;
      });
    }
    await sameAsNothing((code) => get(`statistics.csv?indicator=FEMALE_KEY_LEADER&area=${code}&periods=2026`));
    const present = await get('observations.csv?periods=2026');
    expect(present.status).toBe(200);
    expect(present.body).not.toContain(`,${VILLAGE},`);
    const history = await get('observations.csv?periods=2024');
    expect(history.body).toContain(VILLAGE);
  });

  it("a Ba Đình ADMIN cannot write, submit or approve the village's present; the same as for nothing", async () => {
    const token = server.token(BA_DINH, 'ADMIN');
    const record = (code: string) =>
      server.gql(`mutation($i: [ObservationInput!]!) { recordObservations(input: $i) { applied errors { index field message code } } }`, { i: [{ indicator: 'FEMALE_KEY_LEADER', unit: code, period: '2026', sex: 'TOTAL', numerator: 1 }] }, token);
    await sameAsNothing(record);
    expect((await record(VILLAGE)).data!.recordObservations).toMatchObject({ applied: false, errors: [{ field: 'unit', code: 'FORBIDDEN' }] });
    for (const mutation of ['submitObservations', 'approveObservations']) {
      const run = (id: string) => server.gql(`mutation($ids: [ID!]!) { ${mutation}(ids: $ids) { id } }`, { ids: [id] }, token);
      const own = await run(ids.present[0]);
      expect(own.errors![0].extensions!.code).toBe('FORBIDDEN');
      expect(JSON.stringify(own).split(ids.present[0]).join('<id>')).toBe(JSON.stringify(await run('Observation:999999999')).split('Observation:999999999').join('<id>'));
    }
    const nation = server.token('VN', 'ADMIN');
    const values = await server.gql(`{ observations(unit: "${VILLAGE}", periods: ["2026"]) { edges { node { numerator version status } } } }`, {}, nation);
    expect(values.data!.observations.edges.every((e: any) => e.node.version === 1)).toBe(true);
  });

  it('Hoàn Kiếm writes the present of its village', async () => {
    const token = server.token(HOAN_KIEM, 'ADMIN');
    const result = await server.gql(`mutation($i: [ObservationInput!]!) { recordObservations(input: $i, dryRun: true) { applied accepted errors { message } } }`, { i: [{ indicator: 'FEMALE_KEY_LEADER', unit: VILLAGE, period: '2026', sex: 'TOTAL', numerator: 1 }] }, token);
    expect(result.data!.recordObservations).toEqual({ applied: false, accepted: 1, errors: [] });
  });
});
