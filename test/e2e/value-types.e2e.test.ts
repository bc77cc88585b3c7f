import { testDatabases } from '../support/databases';
import { parseCsv, readXlsx } from '../support/export-files';
import { startTestServer, TestServer } from '../support/server';

/**
 * SPEC §1: a COUNT aggregates to factor × Σnumerator (its summed denominator only tells how many
 * units reported), TOTAL = FEMALE + MALE, and a year of a COUNT flow is the sum of its quarters.
 * The numbers are the ones an office publishes, read the way a user asks for them: the query, the
 * target progress and the three statistics exports.
 */
const STATS = `query($i: String!, $a: String!, $p: [String!]!) {
  statistics(indicator: $i, area: $a, periods: $p) {
    rows { period female { value numerator denominator } male { value numerator denominator } total { value numerator denominator } femaleShare femaleToMaleRatio gap reportingUnits }
  }
}`;
const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied errors { index field message } } }`;
const STATISTICS_WIDTH = 16;

describe.each(testDatabases())('value types on $name', (db) => {
  let server: TestServer;
  let admin: string;
  let loiBac: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    admin = server.token('VN', 'ADMIN');
    loiBac = server.token('06601', 'EDITOR');
  });
  afterAll(() => server?.close());

  const statistics = async (i: string, a: string, p: string[]) => {
    const { data, errors } = await server.gql(STATS, { i, a, p }, admin);
    expect(errors).toBeUndefined();
    return data!.statistics.rows as any[];
  };
  const download = async (path: string): Promise<Buffer> => {
    const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  };
  /** The statistics export lines of one unit and period, as sex → [value, numerator, denominator, female_share] in every format. */
  async function exported(query: string): Promise<Record<string, Record<string, number[]>>> {
    const csv = parseCsv((await download(`/export/statistics.csv?${query}`)).toString('utf8').replace(/^\uFEFF/, '')).slice(1);
    const xlsx = (await readXlsx(await download(`/export/statistics.xlsx?${query}`), STATISTICS_WIDTH)).slice(1);
    const sdmx = parseCsv((await download(`/export/statistics.sdmx.csv?${query}`)).toString('utf8')).slice(1);
    const bySex = (lines: (string | number | null)[][]) => Object.fromEntries(lines.map((l) => [l[6], [7, 8, 9, 11].map((i) => Number(l[i]))]));
    const sdmxSex: Record<string, string> = { F: 'FEMALE', M: 'MALE', _T: 'TOTAL' };
    return { csv: bySex(csv), xlsx: bySex(xlsx), sdmx: Object.fromEntries(sdmx.map((l) => [sdmxSex[l[3]], [Number(l[5])]])) };
  }

  it('counts Hà Nội’s 2024 People’s Council deputies as people: female = its numerator, total = female + male, female share unchanged', async () => {
    const [row] = await statistics('PEOPLES_COUNCIL_DEPUTY', '01', ['2024']);
    // The demo figures of the issue: 963 women and 2,535 men in 139 reporting communes.
    expect(row.female).toEqual({ value: 963, numerator: 963, denominator: 139 });
    expect(row.male).toEqual({ value: 2535, numerator: 2535, denominator: 139 });
    expect(row.total).toEqual({ value: 3498, numerator: 3498, denominator: 278 });
    expect(row.total.value).toBe(row.female.value + row.male.value);
    expect(row.reportingUnits).toBe(139);
    // The share was already F ÷ (F + M) of the counts; ratio and gap are now of people too.
    expect(row.femaleShare).toBeCloseTo((100 * 963) / 3498, 9);
    expect(row.femaleToMaleRatio).toBeCloseTo(963 / 2535, 9);
    expect(row.gap).toBe(963 - 2535);

    const files = await exported('indicator=PEOPLES_COUNCIL_DEPUTY&area=01&periods=2024');
    for (const format of ['csv', 'xlsx'] as const) {
      expect(files[format].FEMALE.slice(0, 3)).toEqual([963, 963, 139]);
      expect(files[format].MALE.slice(0, 3)).toEqual([2535, 2535, 139]);
      expect(files[format].TOTAL.slice(0, 3)).toEqual([3498, 3498, 278]);
      expect(files[format].TOTAL[3]).toBeCloseTo(row.femaleShare, 6);
    }
    expect(files.sdmx).toEqual({ FEMALE: [963], MALE: [2535], TOTAL: [3498] });
  });

  it('reads a COUNT flow entered as quarters 2, 0, 5, 1 as 8 for the year, in statistics, target progress and every export', async () => {
    const quarters = [2, 0, 5, 1].map((numerator, q) => ({ indicator: 'GE_NEWS_ITEM', unit: '06601', period: `2029Q${q + 1}`, sex: 'TOTAL', numerator }));
    const recorded = await server.gql(RECORD, { input: quarters }, loiBac);
    expect(recorded.data!.recordObservations).toEqual({ applied: true, errors: [] });

    const rows = await statistics('GE_NEWS_ITEM', '06601', ['2029Q1', '2029Q2', '2029Q3', '2029Q4', '2029S1', '2029S2', '2029']);
    expect(rows.map((r) => [r.period, r.total.value])).toEqual([
      ['2029Q1', 2],
      ['2029Q2', 0],
      ['2029Q3', 5],
      ['2029Q4', 1],
      ['2029S1', 2],
      ['2029S2', 6],
      ['2029', 8],
    ]);
    expect(rows[6].total).toEqual({ value: 8, numerator: 8, denominator: 4 });
    // The province above it: nothing else was entered in 2029.
    const [province] = await statistics('GE_NEWS_ITEM', '20', ['2029']);
    expect(province.total.value).toBe(8);

    // One observation's value is its count.
    const list = await server.gql(`{ observations(indicator: "GE_NEWS_ITEM", unit: "06601", periods: ["2029Q3"]) { edges { node { numerator denominator value } } } }`, {}, admin);
    expect(list.data!.observations.edges).toEqual([{ node: { numerator: 5, denominator: 1, value: 5 } }]);

    const files = await exported('indicator=GE_NEWS_ITEM&area=06601&periods=2029');
    expect(files.csv.TOTAL.slice(0, 3)).toEqual([8, 8, 4]);
    expect(files.xlsx.TOTAL.slice(0, 3)).toEqual([8, 8, 4]);
    expect(files.sdmx).toEqual({ TOTAL: [8] });
    const observationLines = parseCsv((await download('/export/observations.csv?indicator=GE_NEWS_ITEM&unit=06601&periods=2029Q3')).toString('utf8').replace(/^\uFEFF/, ''));
    expect(observationLines[1][observationLines[0].indexOf('value')]).toBe('5');

    // Lợi Bác's "mỗi quý có ít nhất 01 tin, bài" (at least 1 a quarter): at least 4 over 2029, met by 8;
    // 2029Q2 had none.
    const plan = await server.gql(`{ plans(unit: "06601") { edges { node { id } } } }`, {}, admin);
    const PROGRESS = `query($p: ID!, $period: String!) { targetProgress(plan: $p, period: $period) { target { indicator { code } } actual targetValue status distance } }`;
    const news = async (period: string) => {
      const { data, errors } = await server.gql(PROGRESS, { p: plan.data!.plans.edges[0].node.id, period }, admin);
      expect(errors).toBeUndefined();
      return (data!.targetProgress as any[]).find((t) => t.target.indicator.code === 'GE_NEWS_ITEM');
    };
    expect(await news('2029')).toEqual({ target: { indicator: { code: 'GE_NEWS_ITEM' } }, actual: 8, targetValue: 4, status: 'MET', distance: -4 });
    expect(await news('2029Q2')).toEqual({ target: { indicator: { code: 'GE_NEWS_ITEM' } }, actual: 0, targetValue: 1, status: 'NOT_MET', distance: 1 });
    expect(await news('2029Q3')).toMatchObject({ actual: 5, targetValue: 1, status: 'MET' });
  });
});
