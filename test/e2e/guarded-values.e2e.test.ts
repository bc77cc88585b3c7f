import fs from 'node:fs';
import path from 'node:path';
import { importObservationsFile, formatCsvErrors } from '../../server/observations/observation-csv';
import { ARTIFACTS, testDatabases } from '../support/databases';
import { parseCsv, readXlsx } from '../support/export-files';
import { startTestServer, TestServer } from '../support/server';

/**
 * Values that could break a province's statistics are refused row by row, naming the field; the
 * largest values still accepted are stored and every read (national statistics, target progress,
 * the six exports) answers with numbers. Values outside an indicator's plausible range are applied
 * with a warning, or refused in strict mode.
 */
const RECORD = `mutation($input: [ObservationInput!]!, $strict: Boolean) {
  recordObservations(input: $input, strict: $strict) { applied accepted rejected errors { index field code message } warnings { index field code message } }
}`;
const STATS = `query($i: String!, $a: String!, $p: [String!]!, $b: Breakdown) {
  statistics(indicator: $i, area: $a, periods: $p, breakdown: $b) {
    rows { unit { code } female { value numerator denominator } male { value numerator denominator } total { value numerator denominator } femaleShare femaleToMaleRatio gap }
  }
}`;
/** The smallest normal DOUBLE: what a DOUBLE column stores closest to 0. */
const MIN_NORMAL = 2.2250738585072014e-308;
const YEAR = '2030';

describe.each(testDatabases())('guarded values on $name', (db) => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    admin = server.token('VN', 'ADMIN');
  });
  afterAll(() => server?.close());

  const record = async (input: Record<string, unknown>[], strict = false) => {
    const { data, errors } = await server.gql(RECORD, { input, strict }, admin);
    expect(errors).toBeUndefined();
    return data!.recordObservations;
  };
  /** A raw request body, for numbers JSON.stringify cannot write (1e309). */
  const rawRequest = async (body: string) => {
    const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body });
    return (await response.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] };
  };
  const deputies = (sex: string, numerator: unknown, unit = '06601') => ({ indicator: 'PEOPLES_COUNCIL_DEPUTY', unit, period: YEAR, sex, numerator });
  const sexRatio = (numerator: unknown, denominator: unknown, unit = '06601') => ({ indicator: 'SEX_RATIO_AT_BIRTH', unit, period: YEAR, sex: 'TOTAL', numerator, denominator });
  const wage = (sex: string, numerator: unknown, denominator: unknown, unit = '06601') => ({ indicator: 'WAGE_EMPLOYMENT_RATE', unit, period: YEAR, sex, numerator, denominator });
  const observationCount = async () => Number((await server.dataSource.query('SELECT COUNT(*) AS n FROM observation'))[0].n);

  it('refuses each unsafe value with a row error naming the field, and writes nothing', async () => {
    const before = await observationCount();
    const cases: [string, Record<string, unknown>, string][] = [
      ['1.7e308 as a count', deputies('FEMALE', 1.7e308), 'numerator'],
      ['1e16, beyond 1e15', deputies('FEMALE', 1e16), 'numerator'],
      ['a 5e-324 denominator', sexRatio(105, 5e-324), 'denominator'],
      ['a denominator so small the value passes 1e15', sexRatio(105, 1e-20), 'denominator'],
      ['a negative count', deputies('FEMALE', -3), 'numerator'],
      ['1.5 as a count', deputies('FEMALE', 1.5), 'numerator'],
      ['5 of 4 as a proportion', wage('FEMALE', 5, 4), 'numerator'],
      ['a zero denominator', wage('FEMALE', 0, 0), 'denominator'],
      ['a negative denominator', wage('FEMALE', 1, -4), 'denominator'],
    ];
    for (const [what, row, field] of cases) {
      const result = await record([row]);
      expect({ what, applied: result.applied, errors: result.errors.map((e: any) => [e.index, e.field, e.code]) }).toEqual({ what, applied: false, errors: [[0, field, 'BAD_USER_INPUT']] });
    }
    expect(await observationCount()).toBe(before);
  });

  it('refuses 1e309 and "NaN" at GraphQL coercion as BAD_USER_INPUT naming the field, and 1e309 written in the query as a row error', async () => {
    const query = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied errors { index field } } }`;
    // JSON.parse reads 1e309 as Infinity; GraphQL's Float refuses it before the resolver runs.
    const infinite = await rawRequest(`{"query": ${JSON.stringify(query)}, "variables": {"input": [{"indicator": "PEOPLES_COUNCIL_DEPUTY", "unit": "06601", "period": "${YEAR}", "sex": "FEMALE", "numerator": 1e309}]}}`);
    expect(infinite.data).toBeUndefined();
    expect(infinite.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(infinite.errors![0].message).toMatch(/"\$input".*input\[0\]\.numerator.*Float cannot represent non numeric value: Infinity/);
    const nan = await server.gql(query, { input: [sexRatio(105, 'NaN')] }, admin);
    expect(nan.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(nan.errors![0].message).toMatch(/"\$input".*input\[0\]\.denominator.*Float cannot represent non numeric value: "NaN"/);
    // A literal in the query text is parsed by GraphQL without a finiteness check: the row check catches it.
    const literal = await rawRequest(JSON.stringify({ query: `mutation { recordObservations(input: [{indicator: "PEOPLES_COUNCIL_DEPUTY", unit: "06601", period: "${YEAR}", sex: FEMALE, numerator: 1e309}]) { applied errors { index field } } }` }));
    expect(literal.errors).toBeUndefined();
    expect(literal.data!.recordObservations).toEqual({ applied: false, errors: [{ index: 0, field: 'numerator' }] });
  });

  it('refuses the same values in a CSV import, by line and field', async () => {
    const file = path.join(ARTIFACTS, `guarded-${process.pid}-${db.name}.csv`);
    fs.writeFileSync(
      file,
      [
        'indicator,unit,period,sex,numerator,denominator',
        `PEOPLES_COUNCIL_DEPUTY,06601,${YEAR},FEMALE,1e309,`,
        `PEOPLES_COUNCIL_DEPUTY,06601,${YEAR},MALE,1.7e308,`,
        `SEX_RATIO_AT_BIRTH,06601,${YEAR},TOTAL,105,5e-324`,
        `PEOPLES_COUNCIL_DEPUTY,06607,${YEAR},FEMALE,-1,`,
        `PEOPLES_COUNCIL_DEPUTY,06607,${YEAR},MALE,1.5,`,
        `WAGE_EMPLOYMENT_RATE,06601,${YEAR},FEMALE,5,4`,
        `WAGE_EMPLOYMENT_RATE,06601,${YEAR},MALE,NaN,4`,
      ].join('\n'),
    );
    try {
      const { result, lines } = await importObservationsFile(server.dataSource, file);
      expect(result.applied).toBe(false);
      expect(result.errors.map((e) => [lines[e.index], e.field, e.code])).toEqual([
        [2, 'numerator', 'BAD_USER_INPUT'],
        [3, 'numerator', 'BAD_USER_INPUT'],
        [4, 'denominator', 'BAD_USER_INPUT'],
        [5, 'numerator', 'BAD_USER_INPUT'],
        [6, 'numerator', 'BAD_USER_INPUT'],
        [7, 'numerator', 'BAD_USER_INPUT'],
        [8, 'numerator', 'BAD_USER_INPUT'],
      ]);
      expect(formatCsvErrors(result.errors, lines)[0]).toBe('line 2: numerator: Numerator must be a finite number');
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('applies a value outside the plausible range with a warning, and refuses it in strict mode', async () => {
    // 160 boys per 100 girls: plausible range 80–150.
    const row = { ...sexRatio(160, 100, '06613'), period: '2029' };
    const strict = await record([row], true);
    expect(strict.applied).toBe(false);
    expect(strict.errors.map((e: any) => [e.index, e.field, e.code])).toEqual([[0, 'numerator', 'BAD_USER_INPUT']]);
    expect(strict.errors[0].message).toMatch(/SEX_RATIO_AT_BIRTH 160 .*outside the plausible range 80–150/);
    const lenient = await record([{ ...sexRatio(105, 100, '06616'), period: '2029' }, row]);
    expect(lenient).toMatchObject({ applied: true, accepted: 2, rejected: 0, errors: [] });
    expect(lenient.warnings.map((w: any) => [w.index, w.field, w.code])).toEqual([[1, 'numerator', 'IMPLAUSIBLE']]);
    const { data } = await server.gql(`{ indicators { code plausibleMin plausibleMax } }`, {}, admin);
    expect(data!.indicators.find((i: any) => i.code === 'SEX_RATIO_AT_BIRTH')).toEqual({ code: 'SEX_RATIO_AT_BIRTH', plausibleMin: 80, plausibleMax: 150 });
  });

  it('stores the largest accepted values; national statistics, target progress and every export still answer with numbers', async () => {
    const communes = ['06601', '06607'];
    const input = communes.flatMap((unit) => [
      deputies('FEMALE', 1e15, unit),
      deputies('MALE', 1e15, unit),
      sexRatio(1e15, 100, unit), // value 1e15, the largest
      wage('FEMALE', 1e15, 1e15, unit),
      wage('MALE', MIN_NORMAL, 1e15, unit), // the smallest non-zero component
      { indicator: 'UNPAID_CARE_HOURS', unit, period: YEAR, sex: 'FEMALE', numerator: 1e15, denominator: 1 },
      { indicator: 'UNPAID_CARE_HOURS', unit, period: YEAR, sex: 'MALE', numerator: MIN_NORMAL, denominator: 1e15 }, // F ÷ M is beyond any double
      ...[1, 2, 3, 4].map((q) => ({ indicator: 'GE_NEWS_ITEM', unit, period: `${YEAR}Q${q}`, sex: 'TOTAL', numerator: 1e15 })),
    ]);
    const result = await record(input);
    expect(result.errors).toEqual([]);
    expect(result.applied).toBe(true);
    expect(result.warnings.length).toBeGreaterThan(0); // 1e15 boys per 100 girls and 1e15 hours a day are implausible

    const national = async (i: string, p: string[] = [YEAR]) => {
      const { data, errors } = await server.gql(STATS, { i, a: 'VN', p }, admin);
      expect({ i, errors }).toEqual({ i, errors: undefined });
      return data!.statistics.rows[0];
    };
    expect((await national('PEOPLES_COUNCIL_DEPUTY')).total).toEqual({ value: 4e15, numerator: 4e15, denominator: 4 });
    expect((await national('SEX_RATIO_AT_BIRTH')).total).toEqual({ value: 1e15, numerator: 2e15, denominator: 200 });
    expect((await national('GE_NEWS_ITEM')).total).toEqual({ value: 8e15, numerator: 8e15, denominator: 8 });
    const wageRow = await national('WAGE_EMPLOYMENT_RATE');
    expect(wageRow.female.value).toBe(100);
    expect(wageRow.femaleShare).toBeCloseTo(100, 9);
    const care = await national('UNPAID_CARE_HOURS');
    expect(care.female.value).toBe(1e15);
    expect(care.male.value).toBeGreaterThan(0);
    expect(care.femaleToMaleRatio).toBeNull(); // 1e15 ÷ 2e-323 is no finite number: null, not an error
    expect(care.gap).toBe(1e15);

    const plan = await server.gql(`{ plans(unit: "06601") { edges { node { id } } } }`, {}, admin);
    const progress = await server.gql(`query($p: ID!) { targetProgress(plan: $p, period: "${YEAR}", breakdown: CHILDREN) { target { indicator { code } } actual status } }`, { p: plan.data!.plans.edges[0].node.id }, admin);
    expect(progress.errors).toBeUndefined();
    expect(progress.data!.targetProgress.length).toBeGreaterThan(0);
    const ownProgress = await server.gql(`query($p: ID!) { targetProgress(plan: $p, period: "${YEAR}") { target { indicator { code } } actual status } }`, { p: plan.data!.plans.edges[0].node.id }, admin);
    expect(ownProgress.errors).toBeUndefined();
    expect(ownProgress.data!.targetProgress.find((t: any) => t.target.indicator.code === 'GE_NEWS_ITEM')).toEqual({ target: { indicator: { code: 'GE_NEWS_ITEM' } }, actual: 4e15, status: 'MET' });

    const download = async (p: string) => {
      const response = await fetch(`${server.url}${p}`, { headers: { authorization: `Bearer ${admin}` } });
      expect({ p, status: response.status }).toEqual({ p, status: 200 });
      return Buffer.from(await response.arrayBuffer());
    };
    const text = (body: Buffer) => body.toString('utf8').replace(/^\uFEFF/, '');
    const filled = (what: string, cells: unknown[]) => expect({ what, blanks: cells.filter((c) => c === '' || c === null || c === undefined).length }).toEqual({ what, blanks: 0 });
    for (const indicator of ['PEOPLES_COUNCIL_DEPUTY', 'SEX_RATIO_AT_BIRTH', 'WAGE_EMPLOYMENT_RATE', 'UNPAID_CARE_HOURS', 'GE_NEWS_ITEM']) {
      const query = `indicator=${indicator}&area=VN&periods=${YEAR}`;
      const csv = parseCsv(text(await download(`/export/statistics.csv?${query}`)));
      const xlsx = await readXlsx(await download(`/export/statistics.xlsx?${query}`), 16);
      const sdmx = parseCsv(text(await download(`/export/statistics.sdmx.csv?${query}`)));
      for (const [format, lines] of [['csv', csv], ['xlsx', xlsx]] as const) {
        // the TOTAL line's value, numerator and denominator
        const total = lines.find((l) => l[6] === 'TOTAL') as unknown[];
        filled(`${indicator} statistics.${format}`, total.slice(7, 10));
      }
      filled(`${indicator} statistics.sdmx.csv`, sdmx.slice(1).map((l) => l[5]));
      const observations = `indicator=${indicator}&unit=VN&includeDescendants=true&periods=${indicator === 'GE_NEWS_ITEM' ? ['Q1', 'Q2', 'Q3', 'Q4'].map((q) => YEAR + q).join(',') : YEAR}`;
      const obsCsv = parseCsv(text(await download(`/export/observations.csv?${observations}`)));
      const value = obsCsv[0].indexOf('value');
      expect(obsCsv.length).toBeGreaterThan(1);
      filled(`${indicator} observations.csv`, obsCsv.slice(1).map((l) => l[value]));
      const obsXlsx = await readXlsx(await download(`/export/observations.xlsx?${observations}`), obsCsv[0].length);
      filled(`${indicator} observations.xlsx`, obsXlsx.slice(1).map((l) => l[value]));
      const obsSdmx = parseCsv(text(await download(`/export/observations.sdmx.csv?${observations}`)));
      filled(`${indicator} observations.sdmx.csv`, obsSdmx.slice(1).map((l) => l[5]));
    }
  });

  it('reads a value stored before these checks (written directly) as null instead of failing', async () => {
    const [row] = await server.dataSource.query(
      `SELECT o.id FROM observation o JOIN indicator i ON i.id = o.indicator_id JOIN administrative_unit u ON u.id = o.unit_id WHERE i.code = 'SEX_RATIO_AT_BIRTH' AND u.code = '06601' AND o.period = ?`,
      [YEAR],
    );
    await server.dataSource.query(`UPDATE observation SET numerator = 1.7e308, denominator = 1e-300 WHERE id = ?`, [row.id]);
    const { data, errors } = await server.gql(`{ observations(indicator: "SEX_RATIO_AT_BIRTH", unit: "06601", periods: ["${YEAR}"]) { edges { node { numerator denominator value } } } }`, {}, admin);
    expect(errors).toBeUndefined();
    expect(data!.observations.edges.map((e: any) => e.node.value)).toContain(null);
    const stats = await server.gql(STATS, { i: 'SEX_RATIO_AT_BIRTH', a: '20', p: [YEAR], b: 'CHILDREN' }, admin);
    expect(stats.errors).toBeUndefined();
    expect(stats.data!.statistics.rows.find((r: any) => r.unit.code === '06601').total.value).toBeNull();
    // Two stored counts whose sum overflows: that aggregate reads as null, the others still answer.
    await server.dataSource.query(
      `UPDATE observation SET numerator = 1.7e308 WHERE period = ? AND indicator_id = (SELECT id FROM indicator WHERE code = 'PEOPLES_COUNCIL_DEPUTY') AND unit_id IN (SELECT id FROM administrative_unit WHERE code = '06607')`,
      [YEAR],
    );
    const deputies = await server.gql(STATS, { i: 'PEOPLES_COUNCIL_DEPUTY', a: '20', p: [YEAR], b: 'CHILDREN' }, admin);
    expect(deputies.errors).toBeUndefined();
    const overflowing = deputies.data!.statistics.rows.find((r: any) => r.unit.code === '06607');
    expect([overflowing.female.value, overflowing.male.value, overflowing.total]).toEqual([1.7e308, 1.7e308, null]);
    expect(overflowing.gap).toBe(0);
  });
});
