import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * Cost that follows the work, both ways (issue 23). A count over a subtree reads the subtree's
 * observations, so it costs them: a hundred aliases of Hải Phòng's count, which ran 13.5 s on the
 * event loop, are refused, while one costs at least what it reads. Nested lists of plans cost by
 * the sizes plans really hold: the ordinary page of plans with their objectives, targets,
 * responsibilities and obligations (337,651 before, over the 200,000 limit) is answered.
 */
const COUNT = 'observations(unit: "31", includeDescendants: true, first: 1) { totalCount }';
const ORDINARY_PAGE = `{ plans(first: 50) { totalCount edges { node { id title firstYear lastYear
  objectives { id ordinal title domain targets { id label text measure comparator dueYear milestones { year value } } }
  responsibilities { id role duties agency { id name } }
  reportingObligations { id kind recipient dueDate reporter { id name } } } } } }`;

describe.each(testDatabases())('cost that follows the work on $name', (db) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(db);
  });
  afterAll(() => server?.close());

  /** Observations of Hải Phòng (every version of code 31) and every unit ever placed under it, counted from the tables. */
  async function rowsUnderHaiPhong(): Promise<number> {
    const pattern = db.name === 'sqlite' ? "hp.path || '%'" : "CONCAT(hp.path, '%')";
    const underHaiPhong = `EXISTS (SELECT 1 FROM unit_placement hp INNER JOIN administrative_unit u ON u.id = hp.unit_id WHERE u.code = '31' AND p.path LIKE ${pattern})`;
    const [row] = await server.dataSource.query(`SELECT COUNT(*) AS n FROM observation o WHERE o.unit_id IN (SELECT p.unit_id FROM unit_placement p WHERE ${underHaiPhong})`);
    return Number(row.n);
  }

  it("refuses a hundred aliases of a province's count over its subtree, before they run", async () => {
    const token = server.token('31', 'ANALYST');
    const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: ${COUNT}`).join(' ');
    const started = Date.now();
    const result = await server.gql(`{ ${aliases} }`, {}, token);
    expect(result.errors![0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'cost', maximum: 200_000 });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('costs one such count at least the rows it reads', async () => {
    const result = await server.gql(`{ ${COUNT} }`, {}, server.token('31', 'ANALYST'));
    expect(result.errors).toBeUndefined();
    const rows = await rowsUnderHaiPhong();
    expect(rows).toBeGreaterThan(1000);
    expect(result.extensions!.cost.cost).toBeGreaterThanOrEqual(rows);
    expect(result.data!.observations.totalCount).toBeLessThanOrEqual(rows);
  });

  it('answers the ordinary page of plans with their nested lists', async () => {
    const result = await server.gql(ORDINARY_PAGE, {}, server.token('VN', 'ANALYST'));
    expect(result.errors).toBeUndefined();
    expect(result.data!.plans.edges.length).toBeGreaterThan(0);
    expect(result.data!.plans.edges.some((e: { node: { objectives: { targets: unknown[] }[] } }) => e.node.objectives.some((o) => o.targets.length > 0))).toBe(true);
    expect(result.extensions!.cost.cost).toBeLessThanOrEqual(200_000);
  });
});
