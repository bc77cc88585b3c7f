import { startTestServer, TestServer } from '../support/server';
import { testDatabases } from '../support/databases';

describe.each(testDatabases())('units and hierarchy on $name', (db) => {
  let server: TestServer;
  let admin: string;
  let langSon: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    admin = server.token('VN', 'ADMIN');
    langSon = server.token('20', 'ANALYST');
  });
  afterAll(() => server?.close());

  const count = async (args: string, token: string) => {
    const result = await server.gql<{ units: { totalCount: number } }>(`{ units(${args}) { totalCount } }`, {}, token);
    expect(result.errors).toBeUndefined();
    return result.data!.units.totalCount;
  };

  it('counts 34 provinces, 65 communes in Lạng Sơn and the 2024 hierarchy as of 2025', async () => {
    expect(await count('level: PROVINCE', admin)).toBe(34);
    expect(await count('level: COMMUNE, under: "20"', admin)).toBe(65);
    expect(await count('level: PROVINCE, asOf: "2025-01-01"', admin)).toBe(63);
    expect(await count('level: DISTRICT, asOf: "2025-01-01"', admin)).toBe(696);
    expect(await count('level: DISTRICT', admin)).toBe(0);
  });

  it('tells units with the same code apart by date', async () => {
    const { data } = await server.gql(`{
      now: unit(code: "06601") { name level validFrom parent { code name level } }
      old: unit(code: "06601", asOf: "2025-01-01") { name validTo parent { code name level parent { code } } }
      bacGiang: unit(code: "24", asOf: "2025-01-01") { name }
      bacNinh: unit(code: "24") { name }
    }`, {}, admin);
    expect(data!.now).toEqual({ name: 'Lợi Bác', level: 'COMMUNE', validFrom: '2025-07-01', parent: { code: '20', name: 'Lạng Sơn', level: 'PROVINCE' } });
    expect(data!.old).toEqual({ name: 'Lợi Bác', validTo: '2025-06-30', parent: { code: '188', name: 'Lộc Bình', level: 'DISTRICT', parent: { code: '20' } } });
    expect(data!.bacGiang.name).toBe('Bắc Giang');
    expect(data!.bacNinh.name).toBe('Bắc Ninh');
  });

  it('links units of the 2025 reorganisation both ways', async () => {
    const { data } = await server.gql(`{
      hoaQuy: unit(code: "16186") { predecessors { code name validTo } }
      binhLuong: unit(code: "16204", asOf: "2024-06-01") { name successors { code name } }
    }`, {}, admin);
    const predecessors = data!.hoaQuy.predecessors.map((u: { code: string }) => u.code);
    expect(predecessors).toEqual(expect.arrayContaining(['16204', '16186']));
    expect(data!.hoaQuy.predecessors.every((u: { validTo: string }) => u.validTo === '2025-06-30')).toBe(true);
    expect(data!.binhLuong.name).toBe('Bình Lương');
    expect(data!.binhLuong.successors).toEqual([{ code: '16186', name: 'Hoá Quỳ' }]);
  });

  it('keeps villages the same units when they move to the merged commune', async () => {
    const { data } = await server.gql(`{
      loiBac: unit(code: "06601") { children { code level old: ancestors { code } } }
      sanVien: units(under: "06589", level: VILLAGE, asOf: "2025-01-01") { totalCount edges { node { code } } }
    }`, {}, admin);
    const villages = data!.loiBac.children;
    expect(villages.length).toBeGreaterThanOrEqual(4);
    expect(villages.every((v: { level: string }) => v.level === 'VILLAGE')).toBe(true);
    const codes = villages.map((v: { code: string }) => v.code);
    const before = await server.gql(`{ ${codes.map((c: string, i: number) => `v${i}: unit(code: "${c}", asOf: "2025-01-01") { parent { code validTo } }`).join(' ')} }`, {}, admin);
    const parents = Object.values(before.data!).map((v: any) => v.parent);
    expect(parents.length).toBe(codes.length);
    expect(parents.every((p: { code: string; validTo: string }) => ['06601', '06589'].includes(p.code) && p.validTo === '2025-06-30')).toBe(true);
    const moved = data!.sanVien.edges.map((e: { node: { code: string } }) => e.node.code);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((c: string) => codes.includes(c))).toBe(true);
    expect(parents.filter((p: { code: string }) => p.code === '06589')).toHaveLength(moved.length);
  });

  it('searches names without accents or case', async () => {
    const find = async (search: string) => {
      const { data } = await server.gql(`query($s: String) { units(search: $s, first: 20) { edges { node { code } } } }`, { s: search }, admin);
      return data!.units.edges.map((e: { node: { code: string } }) => e.node.code);
    };
    expect(await find('loi bac')).toContain('06601');
    expect(await find('HOA QUY')).toContain('16186');
    expect(await find('HOA QUY')).not.toContain('06076'); // Quý Hoà: words must not match across name parts
    expect(await find('Lợi Bác')).toContain('06601');
  });

  it('pages with cursors', async () => {
    const first = await server.gql(`{ units(level: PROVINCE, first: 20) { totalCount pageInfo { hasNextPage endCursor } edges { node { code } } } }`, {}, admin);
    const page = first.data!.units;
    expect(page.edges).toHaveLength(20);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await server.gql(`query($after: String) { units(level: PROVINCE, first: 20, after: $after) { pageInfo { hasNextPage } edges { node { code } } } }`, { after: page.pageInfo.endCursor }, admin);
    expect(second.data!.units.edges).toHaveLength(14);
    expect(second.data!.units.pageInfo.hasNextPage).toBe(false);
    const all = [...page.edges, ...second.data!.units.edges].map((e: { node: { code: string } }) => e.node.code);
    expect(new Set(all).size).toBe(34);
  });

  it('shows a province analyst its own subtree only, today and in 2024', async () => {
    expect(await count('level: COMMUNE', langSon)).toBe(65);
    expect(await count('level: PROVINCE', langSon)).toBe(1);
    expect(await count('level: DISTRICT, asOf: "2025-01-01"', langSon)).toBe(11);
    const outside = await server.gql(`{ unit(code: "00577") { code name } }`, {}, langSon);
    const absent = await server.gql(`{ unit(code: "99999") { code name } }`, {}, langSon);
    expect(outside).toEqual(absent);
    expect(outside.data).toEqual({ unit: null });
    const under = await server.gql(`{ units(under: "01") { totalCount } }`, {}, langSon);
    const underMissing = await server.gql(`{ units(under: "98") { totalCount } }`, {}, langSon);
    expect(under.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(under.errors![0].message.replace('"01"', 'X')).toBe(underMissing.errors![0].message.replace('"98"', 'X'));
    const me = await server.gql(`{ me { role unit { code } } unit(code: "20") { parent { code } ancestors { code } } }`, {}, langSon);
    expect(me.data).toEqual({ me: { role: 'ANALYST', unit: { code: '20' } }, unit: { parent: null, ancestors: [] } });
  });

  it('refuses requests without a token and answers health checks', async () => {
    const anonymous = await server.gql(`{ units { totalCount } }`, {}, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('rejects malformed dates with BAD_USER_INPUT', async () => {
    const result = await server.gql(`{ unit(code: "06601", asOf: "2025-02-30") { code } }`, {}, admin);
    expect(result.errors![0].extensions!.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
  });
});
