import { PassThrough } from 'node:stream';
import { announceReferenceChange } from '../../server/core/reference-cache';
import v8 from 'node:v8';
import vm from 'node:vm';
import ExcelJS from 'exceljs';
import { zipIntake } from '../../server/exports/xlsx-writer';
import { testDatabases } from '../support/databases';
import { parseCsv, readXlsx } from '../support/export-files';
import { startTestServer, TestServer } from '../support/server';

const CSV_HEADER = ['indicator', 'indicator_name', 'unit', 'unit_name', 'period', 'sex', 'numerator', 'denominator', 'value', 'unit_of_measure', 'status', 'version', 'updated_at'];
const SDMX_HEADER = 'DATAFLOW,REF_AREA,INDICATOR,SEX,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS';
const STATISTICS_HEADER = ['indicator', 'indicator_name', 'unit', 'unit_name', 'level', 'period', 'sex', 'value', 'numerator', 'denominator', 'unit_of_measure', 'female_share', 'female_to_male_ratio', 'gap', 'reporting_units', 'expected_units'];
const STATS = `query($i: String!, $a: String!, $p: [String!]!, $b: Breakdown, $l: UnitLevel, $h: HierarchyBasis) {
  statistics(indicator: $i, area: $a, periods: $p, breakdown: $b, level: $l, hierarchy: $h) {
    indicator { code name unitOfMeasure }
    rows { unit { code name level } period female { value numerator denominator } male { value numerator denominator } total { value numerator denominator }
      femaleShare femaleToMaleRatio gap reportingUnits expectedUnits }
  }
}`;
const SEXES = [
  ['FEMALE', 'female', 'F'],
  ['MALE', 'male', 'M'],
  ['TOTAL', 'total', '_T'],
] as const;
const COUNT = `query($unit: String, $d: Boolean, $indicator: String) { observations(unit: $unit, includeDescendants: $d, indicator: $indicator, first: 1) { totalCount } }`;

interface Aggregate {
  value: number | null;
  numerator: number;
  denominator: number;
}
interface StatisticsRow {
  unit: { code: string; name: string; level: string };
  period: string;
  female: Aggregate | null;
  male: Aggregate | null;
  total: Aggregate | null;
  femaleShare: number | null;
  femaleToMaleRatio: number | null;
  gap: number | null;
  reportingUnits: number;
  expectedUnits: number;
}
interface Statistics {
  indicator: { code: string; name: string; unitOfMeasure: string };
  rows: StatisticsRow[];
}

/** A CSV field against the GraphQL number: '' for null, else equal to the 6 decimals the CSV keeps. */
function sameNumber(field: string | number | null | undefined, expected: number | null): boolean {
  if (expected === null) return field === '' || field === null || field === undefined;
  return field !== '' && Math.abs(Number(field) - expected) <= 1e-6 * Math.max(1, Math.abs(expected));
}

/** Asserts that `lines` (CSV or XLSX, without the header) are the three sex lines of every GraphQL row, in order. */
function expectStatisticsLines(lines: (string | number | null)[][], stats: Statistics): void {
  expect(lines.length).toBe(stats.rows.length * 3);
  stats.rows.forEach((row, i) => {
    SEXES.forEach(([sex, key], j) => {
      const line = lines[i * 3 + j];
      const a = row[key];
      expect(line.slice(0, 7).map(String)).toEqual([stats.indicator.code, stats.indicator.name, row.unit.code, row.unit.name, row.unit.level, row.period, sex]);
      expect([sameNumber(line[7], a?.value ?? null), sameNumber(line[8], a?.numerator ?? null), sameNumber(line[9], a?.denominator ?? null)]).toEqual([true, true, true]);
      expect(line[10]).toBe(stats.indicator.unitOfMeasure);
      expect([sameNumber(line[11], row.femaleShare), sameNumber(line[12], row.femaleToMaleRatio), sameNumber(line[13], row.gap)]).toEqual([true, true, true]);
      expect([Number(line[14]), Number(line[15])]).toEqual([row.reportingUnits, row.expectedUnits]);
    });
  });
}

describe('the XLSX writer', () => {
  it("finds exceljs's zip intake, the back-pressure signal it relies on (exceljs internals)", () => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: new PassThrough(), useSharedStrings: false, useStyles: false });
    const sheet = workbook.addWorksheet('t');
    sheet.addRow(['a']).commit();
    const intake = zipIntake(sheet);
    expect(intake).not.toBeNull();
    expect(typeof (intake!.writableLength ?? intake!._writableState?.length)).toBe('number');
  });
});

describe.each(testDatabases())('bulk export on $name', (db) => {
  let server: TestServer;
  let langSonAnalyst: string;
  let langSonOffice: string;
  /** Codes of every unit placed under Lạng Sơn (20), the viewers' subtree. */
  let langSonCodes: Set<string>;

  beforeAll(async () => {
    server = await startTestServer(db);
    langSonAnalyst = server.token('20', 'ANALYST');
    langSonOffice = server.token('20', 'STATISTICS_OFFICE');
    const roots: { path: string }[] = await server.dataSource.query(`SELECT p.path AS path FROM unit_placement p JOIN administrative_unit u ON u.id = p.unit_id WHERE u.code = '20'`);
    expect(roots.length).toBeGreaterThan(0);
    const rows: { code: string }[] = await server.dataSource.query(
      `SELECT DISTINCT u.code AS code FROM administrative_unit u JOIN unit_placement p ON p.unit_id = u.id WHERE ${roots.map(() => 'p.path LIKE ?').join(' OR ')}`,
      roots.map((r) => `${r.path}%`),
    );
    langSonCodes = new Set(rows.map((r) => r.code));
  });
  afterAll(() => server?.close());

  const download = async (path: string, token: string | null) => {
    const response = await fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { response, body: Buffer.from(await response.arrayBuffer()) };
  };
  /** The data lines of a CSV download: without its BOM (when it has one) and its header. */
  const csvLines = async (path: string, token: string) => parseCsv((await download(path, token)).body.toString('utf8').replace(/^\uFEFF/, '')).slice(1);
  const totalCount = async (variables: Record<string, unknown>, token: string) => {
    const result = await server.gql(COUNT, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!.observations.totalCount as number;
  };

  it("exports Lợi Bác's observations as UTF-8 CSV with a BOM, one line per observation", async () => {
    const { response, body } = await download('/export/observations.csv?unit=06601&includeDescendants=true', langSonAnalyst);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="observations-06601-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body); // throws on invalid UTF-8
    expect(text.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(text.slice(1));
    expect(rows[0]).toEqual(CSV_HEADER);
    const data = rows.slice(1);
    expect(data.length).toBe(await totalCount({ unit: '06601', d: true }, langSonAnalyst));
    expect(data.length).toBeGreaterThan(10);
    expect(data.every((r) => r.length === CSV_HEADER.length)).toBe(true);
    expect(data.some((r) => r[3] === 'Lợi Bác')).toBe(true);
    expect(data.some((r) => /[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]/i.test(r[1]))).toBe(true);
    expect(data.every((r) => langSonCodes.has(r[2]))).toBe(true);
    expect(data.every((r) => r[8] === '' || Number.isFinite(Number(r[8])))).toBe(true);
  });

  it('exports the same rows as a streamed XLSX workbook', async () => {
    const csv = parseCsv((await download('/export/observations.csv?unit=06601&includeDescendants=true', langSonAnalyst)).body.toString('utf8').slice(1));
    const { response, body } = await download('/export/observations.xlsx?unit=06601&includeDescendants=true', langSonAnalyst);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(response.headers.get('content-disposition')).toMatch(/filename="observations-06601-.*\.xlsx"/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as never);
    const sheet = workbook.worksheets[0];
    const rows: string[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
    expect(rows[0]).toEqual(CSV_HEADER);
    expect(rows.length).toBe(csv.length);
    // Same observations in the same order (numbers compared as numbers; CSV rounds value to 6 decimals).
    const key = (r: string[]) => [r[0], r[2], r[4], r[5], Number(r[6]), Number(r[7]), r[10], r[11]].join('|');
    expect(rows.slice(1).map(key)).toEqual(csv.slice(1).map(key));
    expect(rows.slice(1).every((r, i) => r[8] === '' ? csv[i + 1][8] === '' : Math.abs(Number(r[8]) - Number(csv[i + 1][8])) < 1e-5)).toBe(true);
    expect(rows.some((r) => r[3] === 'Lợi Bác')).toBe(true);
  });

  it('exports SDMX-CSV that follows the column rules', async () => {
    const { response, body } = await download('/export/observations.sdmx.csv?unit=06601&includeDescendants=true', langSonAnalyst);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/filename="observations-06601-.*\.sdmx\.csv"/);
    const text = body.toString('utf8');
    expect(text.split('\r\n')[0]).toBe(SDMX_HEADER);
    const rows = parseCsv(text).slice(1);
    expect(rows.length).toBeGreaterThan(10);
    for (const [dataflow, refArea, indicator, sex, time, value, , status] of rows) {
      expect(dataflow).toBe('BDG:GENDER_INDICATORS(1.0)');
      expect(langSonCodes.has(refArea)).toBe(true);
      expect(indicator).toMatch(/^[A-Z0-9_]+$/);
      expect(['F', 'M', '_T']).toContain(sex);
      expect(time).toMatch(/^\d{4}(-S[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$/);
      expect(value).toMatch(/^-?\d+(\.\d{1,6})?$/);
      expect(['A', 'P']).toContain(status);
    }
    expect(rows.every((r) => r.length === 8)).toBe(true);
    const csv = await csvLines('/export/observations.csv?unit=06601&includeDescendants=true', langSonAnalyst);
    // Every observation has a line (no indicator of the demo has dimensions beyond sex, so no column is added).
    expect(rows.length).toBe(csv.length);
    // OBS_STATUS says each observation's status: A for APPROVED, P for a draft or a submitted value (both occur here).
    const statusOf = (status: string) => (status === 'APPROVED' ? 'A' : 'P');
    const key = (unit: string, indicator: string, period: string) => `${unit}|${indicator}|${period}`;
    const sdmxStatus = new Map(rows.map((r) => [`${key(r[1], r[2], r[4])}|${r[3]}`, r[7]]));
    const sexCode: Record<string, string> = { FEMALE: 'F', MALE: 'M', TOTAL: '_T' };
    const expected = csv.map((line) => [`${key(line[2], line[0], line[4].replace(/^(\d{4})(S|Q)/, '$1-$2'))}|${sexCode[line[5]]}`, statusOf(line[line.length - 3])]);
    expect(expected.filter(([k, status]) => sdmxStatus.get(k) !== status).slice(0, 5)).toEqual([]);
    expect(new Set(expected.map(([, status]) => status))).toEqual(new Set(['A', 'P']));
  });

  it("gives a Lạng Sơn STATISTICS_OFFICE only Lạng Sơn's approved observations", async () => {
    const { response, body } = await download('/export/observations.csv', langSonOffice);
    expect(response.status).toBe(200);
    const rows = parseCsv(body.toString('utf8').slice(1)).slice(1);
    expect(rows.length).toBe(await totalCount({}, langSonOffice));
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.every((r) => r[10] === 'APPROVED')).toBe(true);
    expect(rows.filter((r) => !langSonCodes.has(r[2])).map((r) => r[2])).toEqual([]);
    const analystRows = await totalCount({}, langSonAnalyst);
    expect(analystRows).toBeGreaterThanOrEqual(rows.length);
    const sdmx = await csvLines('/export/observations.sdmx.csv', langSonOffice);
    expect(sdmx.every((r) => r[7] === 'A' && langSonCodes.has(r[1]))).toBe(true);
  });

  it('refuses without a token, and answers bad input like GraphQL does', async () => {
    const none = await download('/export/observations.csv?unit=06601', null);
    expect(none.response.status).toBe(401);
    expect(JSON.parse(none.body.toString()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const bad = async (query: string) => {
      const { response, body } = await download(`/export/observations.csv?${query}`, langSonAnalyst);
      return { status: response.status, error: JSON.parse(body.toString()).errors[0] };
    };
    expect(await bad('indicator=NO_SUCH_THING')).toMatchObject({ status: 400, error: { extensions: { code: 'BAD_USER_INPUT', field: 'indicator' } } });
    expect(await bad('periods=2026,2026Q5')).toMatchObject({ status: 400, error: { extensions: { code: 'BAD_USER_INPUT', field: 'periods' } } });
    expect(await bad('includeDescendants=perhaps')).toMatchObject({ status: 400, error: { extensions: { code: 'BAD_USER_INPUT', field: 'includeDescendants' } } });
    // Hà Nội (01) is outside Lạng Sơn: the same answer as a unit that does not exist.
    const hanoi = await bad('unit=01');
    const nowhere = await bad('unit=99999999');
    expect(hanoi.status).toBe(400);
    expect(hanoi.error.extensions).toEqual(nowhere.error.extensions);
    expect(hanoi.error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'unit' });
    expect(hanoi.error.message.replace('"01"', '"X"')).toBe(nowhere.error.message.replace('"99999999"', '"X"'));
    for (const format of ['xlsx', 'sdmx.csv']) {
      const { response } = await download(`/export/observations.${format}?unit=01`, langSonAnalyst);
      expect(response.status).toBe(400);
    }
  });

  describe('statistics', () => {
    const statistics = async (variables: Record<string, unknown>, token: string): Promise<Statistics> => {
      const result = await server.gql(STATS, variables, token);
      expect(result.errors).toBeUndefined();
      return result.data!.statistics as Statistics;
    };
    const BY_CHILDREN = 'indicator=PEOPLES_COUNCIL_DEPUTY&area=20&periods=2024,2026&breakdown=CHILDREN';
    const BY_CHILDREN_VARS = { i: 'PEOPLES_COUNCIL_DEPUTY', a: '20', p: ['2024', '2026'], b: 'CHILDREN' };

    it('exports CSV with a BOM, one line per unit × period × sex, equal to the GraphQL answer', async () => {
      const { response, body } = await download(`/export/statistics.csv?${BY_CHILDREN}`, langSonAnalyst);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="statistics-PEOPLES_COUNCIL_DEPUTY-20-\d{4}-\d{2}-\d{2}\.csv"$/);
      expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
      const rows = parseCsv(text.slice(1));
      expect(rows[0]).toEqual(STATISTICS_HEADER);
      const stats = await statistics(BY_CHILDREN_VARS, langSonAnalyst);
      expect(stats.rows.length).toBeGreaterThan(20); // 2024: Lạng Sơn's districts; 2026: its communes
      expectStatisticsLines(rows.slice(1), stats);
      const names = rows.slice(1).map((r) => r[3]);
      expect(names).toContain('Lợi Bác');
      expect(names.every((n) => n === n.normalize('NFC'))).toBe(true);
      expect(new Set(rows.slice(1).map((r) => r[4]))).toEqual(new Set(['DISTRICT', 'COMMUNE']));
      expect(rows.slice(1).every((r) => langSonCodes.has(r[2]))).toBe(true);
    });

    it("reads 2024 on today's units with hierarchy=CURRENT, like the query", async () => {
      const query = 'indicator=PEOPLES_COUNCIL_DEPUTY&area=20&periods=2024&breakdown=CHILDREN&hierarchy=current';
      const rows = await csvLines(`/export/statistics.csv?${query}`, langSonAnalyst);
      expectStatisticsLines(rows, await statistics({ ...BY_CHILDREN_VARS, p: ['2024'], h: 'CURRENT' }, langSonAnalyst));
      expect(new Set(rows.map((r) => r[4]))).toEqual(new Set(['COMMUNE'])); // not the legacy districts
    });

    it('exports the same lines as XLSX, numbers as numbers', async () => {
      const { response, body } = await download(`/export/statistics.xlsx?${BY_CHILDREN}`, langSonAnalyst);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(response.headers.get('content-disposition')).toMatch(/filename="statistics-PEOPLES_COUNCIL_DEPUTY-20-.*\.xlsx"/);
      const rows = await readXlsx(body, STATISTICS_HEADER.length);
      expect(rows[0]).toEqual(STATISTICS_HEADER);
      expectStatisticsLines(rows.slice(1), await statistics(BY_CHILDREN_VARS, langSonAnalyst));
      expect(rows.slice(1).filter((r) => r[7] !== '').every((r) => typeof r[7] === 'number' && typeof r[8] === 'number')).toBe(true);
      expect(rows.some((r) => r[3] === 'Lợi Bác')).toBe(true);
    });

    it('exports SDMX-CSV: every line follows the column rules and is one sex of a GraphQL row', async () => {
      // A quarterly indicator per commune: TIME_PERIOD 2026-Q1 and 2026 (the year aggregates its quarters).
      const query = 'indicator=GE_NEWS_ITEM&area=20&periods=2026Q1,2026&breakdown=LEVEL&level=COMMUNE';
      const { response, body } = await download(`/export/statistics.sdmx.csv?${query}`, langSonAnalyst);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toMatch(/filename="statistics-GE_NEWS_ITEM-20-.*\.sdmx\.csv"/);
      const text = body.toString('utf8');
      expect(text.split('\r\n')[0]).toBe(SDMX_HEADER);
      const lines = parseCsv(text).slice(1);
      const stats = await statistics({ i: 'GE_NEWS_ITEM', a: '20', p: ['2026Q1', '2026'], b: 'LEVEL', l: 'COMMUNE' }, langSonAnalyst);
      const expected = stats.rows.flatMap((row) => SEXES.filter(([, key]) => row[key]).map(([, key, code]) => ({ row, code, a: row[key] as Aggregate })));
      expect(lines.length).toBe(expected.length);
      expect(lines.length).toBeGreaterThan(50);
      lines.forEach(([dataflow, refArea, indicator, sex, time, value, unitMeasure, status], i) => {
        expect(dataflow).toBe('BDG:GENDER_STATISTICS(1.0)');
        expect(langSonCodes.has(refArea)).toBe(true);
        expect(indicator).toBe('GE_NEWS_ITEM');
        expect(['F', 'M', '_T']).toContain(sex);
        expect(time).toMatch(/^\d{4}(-S[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$/);
        expect(value).toMatch(/^(-?\d+(\.\d{1,6})?)?$/);
        expect(unitMeasure).toBe(stats.indicator.unitOfMeasure);
        expect(status).toBe('P'); // an ANALYST's aggregates count drafts too
        const { row, code, a } = expected[i];
        expect([refArea, sex, time]).toEqual([row.unit.code, code, row.period.replace(/^(\d{4})Q/, '$1-Q')]);
        expect(sameNumber(value, a.value)).toBe(true);
      });
      expect(new Set(lines.map((l) => l[4]))).toEqual(new Set(['2026-Q1', '2026']));
      expect(lines.every((l) => l.length === 8)).toBe(true);
    });

    it("gives a Lạng Sơn STATISTICS_OFFICE only Lạng Sơn's approved data", async () => {
      const query = 'indicator=PEOPLES_COUNCIL_DEPUTY&area=20&periods=2026&breakdown=LEVEL&level=COMMUNE';
      const vars = { i: 'PEOPLES_COUNCIL_DEPUTY', a: '20', p: ['2026'], b: 'LEVEL', l: 'COMMUNE' };
      const office = await statistics(vars, langSonOffice);
      const analyst = await statistics(vars, langSonAnalyst);
      const csv = await csvLines(`/export/statistics.csv?${query}`, langSonOffice);
      expectStatisticsLines(csv, office);
      expect(csv.every((r) => langSonCodes.has(r[2]))).toBe(true);
      // Approved only: fewer people counted than the analyst (who also sees drafts) sees.
      const sum = (s: Statistics) => s.rows.reduce((n, r) => n + (r.total?.numerator ?? 0), 0);
      expect(sum(office)).toBeLessThan(sum(analyst));
      const sdmx = await csvLines(`/export/statistics.sdmx.csv?${query}`, langSonOffice);
      expect(sdmx.length).toBeGreaterThan(0);
      expect(sdmx.every((l) => l[7] === 'A' && langSonCodes.has(l[1]))).toBe(true);
      // Hà Nội (01) is outside Lạng Sơn: the same answer as a unit that does not exist.
      const hanoi = await download('/export/statistics.csv?indicator=PEOPLES_COUNCIL_DEPUTY&area=01&periods=2026', langSonOffice);
      const nowhere = await download('/export/statistics.csv?indicator=PEOPLES_COUNCIL_DEPUTY&area=99999999&periods=2026', langSonOffice);
      expect([hanoi.response.status, nowhere.response.status]).toEqual([400, 400]);
      expect(JSON.parse(hanoi.body.toString()).errors[0].extensions).toEqual(JSON.parse(nowhere.body.toString()).errors[0].extensions);
    });

    it('refuses without a token, and answers each bad parameter with 400 naming it', async () => {
      const none = await download(`/export/statistics.csv?${BY_CHILDREN}`, null);
      expect(none.response.status).toBe(401);
      expect(JSON.parse(none.body.toString()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      const bad = async (query: string, format = 'csv') => {
        const { response, body } = await download(`/export/statistics.${format}?${query}`, langSonAnalyst);
        const error = JSON.parse(body.toString()).errors[0];
        return { status: response.status, code: error.extensions.code, field: error.extensions.field, message: error.message as string };
      };
      const cases: [string, string][] = [
        ['area=20&periods=2026', 'indicator'],
        ['indicator=NO_SUCH_THING&area=20&periods=2026', 'indicator'],
        ['indicator=PEOPLES_COUNCIL_DEPUTY&periods=2026', 'area'],
        ['indicator=PEOPLES_COUNCIL_DEPUTY&area=99999999&periods=2026', 'area'],
        ['indicator=PEOPLES_COUNCIL_DEPUTY&area=20', 'periods'],
        ['indicator=PEOPLES_COUNCIL_DEPUTY&area=20&periods=2026,2026Q5', 'periods'],
        ['indicator=PEOPLES_COUNCIL_DEPUTY&area=20&periods=2026Q1', 'periods'], // a yearly indicator has no quarters
        ['indicator=PEOPLES_COUNCIL_DEPUTY&area=20&periods=2026&breakdown=SIDEWAYS', 'breakdown'],
        ['indicator=PEOPLES_COUNCIL_DEPUTY&area=20&periods=2026&breakdown=LEVEL&level=TOWN', 'level'],
        ['indicator=PEOPLES_COUNCIL_DEPUTY&area=20&periods=2026&breakdown=LEVEL', 'level'],
        ['indicator=PEOPLES_COUNCIL_DEPUTY&area=20&period=2026', 'period'],
        ['indicator=PEOPLES_COUNCIL_DEPUTY&area=20&periods=2026&hierarchy=TODAY', 'hierarchy'],
        ['indicator=PEOPLES_COUNCIL_DEPUTY&indicator=GE_NEWS_ITEM&area=20&periods=2026', 'indicator'],
      ];
      for (const [query, field] of cases) {
        const answer = await bad(query);
        expect({ query, ...answer }).toMatchObject({ query, status: 400, code: 'BAD_USER_INPUT', field });
      }
      // The GraphQL query refuses the same arguments with the same field.
      const gql = await server.gql(STATS, { i: 'PEOPLES_COUNCIL_DEPUTY', a: '20', p: ['2026'], b: 'LEVEL' }, langSonAnalyst);
      expect(gql.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'level' });
      expect(gql.errors![0].message).toBe((await bad('indicator=PEOPLES_COUNCIL_DEPUTY&area=20&periods=2026&breakdown=LEVEL')).message);
      for (const format of ['xlsx', 'sdmx.csv']) expect((await bad('indicator=PEOPLES_COUNCIL_DEPUTY&area=01&periods=2026', format)).status).toBe(400);
      expect((await download('/export/constructor.csv', langSonAnalyst)).response.status).toBe(404);
    });
  });

  // A guard: the measurement at 1,000,000 rows is `npm run bench:exports` (bench/EXPORT-MEMORY.md).
  it('streams a large export in bounded memory', async () => {
    await server.dataSource.query(
      `INSERT INTO indicator (code, name, name_en, domain, value_type, factor, unit_of_measure, entry_level, sex_disaggregated, temporal_aggregation, period_type, numerator_label, denominator_label, source)
       VALUES ('TEST_EXPORT_LOAD', 'Tỷ lệ nữ tham gia cấp ủy Đảng các cấp (tải thử xuất dữ liệu)', 'Export load test', 'POLITICS', 'PROPORTION', 100, '%', 'VILLAGE', ?, 'STOCK', 'QUARTER', 'nữ', 'tổng số', 'test')`,
      [true],
    );
    // Servers cache the catalogue: a writer announces its change (README, "Cached reference data").
    await announceReferenceChange(server.dataSource, ['catalogue'], null);
    const [{ id: indicatorId }]: { id: number }[] = await server.dataSource.query(`SELECT id FROM indicator WHERE code = 'TEST_EXPORT_LOAD'`);
    const sexes = `(SELECT 'FEMALE' AS sex UNION ALL SELECT 'MALE' UNION ALL SELECT 'TOTAL') s`;
    for (let year = 2023; year <= 2026; year++) {
      const quarters = `(${[1, 2, 3, 4].map((q) => `SELECT '${year}Q${q}' AS period`).join(' UNION ALL ')}) q`;
      await server.dataSource.query(
        `INSERT INTO observation (indicator_id, unit_id, period, sex, disaggregation, numerator, denominator, status, source, version, updated_by, updated_at)
         SELECT ?, u.id, q.period, s.sex, '', u.id % 17, 20, 'APPROVED', 'test', 1, 'load-test', '2026-11-01T00:00:00.000Z'
         FROM administrative_unit u CROSS JOIN ${quarters} CROSS JOIN ${sexes} WHERE u.level = 'VILLAGE'`,
        [indicatorId],
      );
    }
    const [{ n }]: { n: number }[] = await server.dataSource.query(`SELECT COUNT(*) AS n FROM observation WHERE indicator_id = ?`, [indicatorId]);
    expect(Number(n)).toBeGreaterThan(100_000);
    const [{ code: nation }]: { code: string }[] = await server.dataSource.query(`SELECT code FROM administrative_unit WHERE level = 'NATION'`);
    const token = server.token(nation, 'ANALYST');

    // A full GC before each sample measures what the export keeps alive, not garbage awaiting collection.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    let csvBytes = 0;
    for (const format of ['csv', 'xlsx']) {
      gc();
      gc();
      const before = process.memoryUsage();
      let peakHeap = before.heapUsed;
      // Buffers live outside the heap: exceljs' unzipped XML once piled up there (700 MB at 1,000,000 rows) with a flat heap.
      let peakExternal = before.external;
      let peakRss = before.rss;
      let rawPeakHeap = before.heapUsed;
      let samples = 0;
      // Once a second, setTimeout after each sample (not setInterval): the two full GCs of a sample
      // must never starve the download (sampling every 250 ms made this test take 2 minutes).
      let sampler: NodeJS.Timeout;
      const sample = () => {
        rawPeakHeap = Math.max(rawPeakHeap, process.memoryUsage().heapUsed);
        // Twice: dead Buffers are freed concurrently after a GC (the next one waits for that).
        gc();
        gc();
        const now = process.memoryUsage();
        samples++;
        peakHeap = Math.max(peakHeap, now.heapUsed);
        peakExternal = Math.max(peakExternal, now.external);
        peakRss = Math.max(peakRss, now.rss);
        sampler = setTimeout(sample, 1000);
      };
      sampler = setTimeout(sample, 1000);
      const started = Date.now();
      let bytes = 0;
      let newlines = 0;
      // A failed expectation must not leave the sampler running: its full GCs would slow every later test file of this process.
      try {
        const response = await fetch(`${server.url}/export/observations.${format}?indicator=TEST_EXPORT_LOAD`, { headers: { authorization: `Bearer ${token}` } });
        expect(response.status).toBe(200);
        const reader = response.body!.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.length;
          if (format === 'csv') for (const b of value) if (b === 10) newlines++;
        }
      } finally {
        clearTimeout(sampler!);
      }
      const heapGrowth = peakHeap - before.heapUsed;
      const externalGrowth = peakExternal - before.external;
      const rssGrowth = peakRss - before.rss;
      const mb = (x: number) => `${(x / 1048576).toFixed(1)} MB`;
      console.log(
        `[export memory ${db.name} ${format}] rows=${n} downloaded=${mb(bytes)} in ${Date.now() - started} ms; live heap (after GC, ${samples} samples) before=${mb(before.heapUsed)} peak=${mb(peakHeap)} growth=${mb(heapGrowth)}; live external growth=${mb(externalGrowth)}; heapUsed peak incl. garbage=${mb(rawPeakHeap)}; rss before=${mb(before.rss)} peak=${mb(peakRss)} growth=${mb(rssGrowth)}`,
      );
      if (format === 'csv') expect(newlines).toBe(Number(n) + 1);
      expect(bytes).toBeGreaterThan(format === 'csv' ? 10 * 1048576 : 2.5 * 1048576);
      expect(samples).toBeGreaterThan(3);
      // The XLSX is zipped: its bound is the same rows' uncompressed (CSV) size.
      if (format === 'csv') csvBytes = bytes;
      expect(heapGrowth).toBeLessThan(csvBytes / 3);
      expect(externalGrowth).toBeLessThan(csvBytes / 3);
    }
  }, 600_000);
});
