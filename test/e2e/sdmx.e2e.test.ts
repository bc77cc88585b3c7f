import v8 from 'node:v8';
import vm from 'node:vm';
import { StatementCounter } from '../../server/core/query-counter';
import { announceReferenceChange } from '../../server/core/reference-cache';
import { testDatabases } from '../support/databases';
import { parseCsv } from '../support/export-files';
import { startTestServer, TestServer } from '../support/server';

/**
 * The SDMX REST web service (/sdmx/rest) as a client sends it: HTTP with a bearer token and an
 * Accept header. Values are compared with the GraphQL `statistics` query, which is computed by
 * the same service but asked through another door; structures with what SQL says of the tree.
 */
const STATS = `query($i: String!, $a: String!, $p: [String!]!, $b: Breakdown) {
  statistics(indicator: $i, area: $a, periods: $p, breakdown: $b) {
    rows { unit { code } period female { value } male { value } total { value } reportingUnits expectedUnits }
  }
}`;
const DIMENSIONS = ['FREQ', 'REF_AREA', 'INDICATOR', 'SEX', 'AGE', 'ETHNICITY', 'URBANISATION', 'DISABILITY'];
const GENERIC = 'application/vnd.sdmx.genericdata+xml;version=2.1';
const STRUCTURE_SPECIFIC = 'application/vnd.sdmx.structurespecificdata+xml;version=2.1';
const JSON_DATA = 'application/vnd.sdmx.data+json;version=1.0.0';
const CSV1 = 'application/vnd.sdmx.data+csv;version=1.0.0';
const CSV2 = 'application/vnd.sdmx.data+csv;version=2.0.0';

interface Row {
  unit: { code: string };
  period: string;
  female: { value: number | null } | null;
  male: { value: number | null } | null;
  total: { value: number | null } | null;
  reportingUnits: number;
  expectedUnits: number;
}

/** One observation as `key@period=value`, the key with every dimension. */
type Observation = string;

const attributesOf = (tag: string) => Object.fromEntries([...tag.matchAll(/([A-Za-z_:]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));

/** The observations of an SDMX-ML 2.1 generic data message (series form). */
function genericObservations(xml: string): Observation[] {
  const found: Observation[] = [];
  for (const series of xml.matchAll(/<generic:Series>([\s\S]*?)<\/generic:Series>/g)) {
    const keyXml = /<generic:SeriesKey>([\s\S]*?)<\/generic:SeriesKey>/.exec(series[1])![1];
    const key = [...keyXml.matchAll(/<generic:Value id="([^"]+)" value="([^"]*)"\/>/g)];
    expect(key.map((k) => k[1])).toEqual(DIMENSIONS);
    for (const obs of series[1].matchAll(/<generic:Obs><generic:ObsDimension value="([^"]+)"\/><generic:ObsValue value="([^"]+)"\/>/g)) found.push(`${key.map((k) => k[2]).join('.')}@${obs[1]}=${Number(obs[2])}`);
  }
  return found.sort();
}

function structureSpecificObservations(xml: string): Observation[] {
  const found: Observation[] = [];
  for (const series of xml.matchAll(/<Series ([^>]*)>([\s\S]*?)<\/Series>/g)) {
    const key = attributesOf(series[1]);
    for (const obs of series[2].matchAll(/<Obs ([^>]*)\/>/g)) {
      const o = attributesOf(obs[1]);
      found.push(`${DIMENSIONS.map((d) => key[d]).join('.')}@${o.TIME_PERIOD}=${Number(o.OBS_VALUE)}`);
    }
  }
  return found.sort();
}

function jsonObservations(text: string): Observation[] {
  const message = JSON.parse(text).data;
  const dims = message.structure.dimensions.series as { id: string; values: { id: string }[] }[];
  expect(dims.map((d) => d.id)).toEqual(DIMENSIONS);
  const time = message.structure.dimensions.observation[0].values as { id: string }[];
  const found: Observation[] = [];
  for (const [key, series] of Object.entries(message.dataSets[0].series as Record<string, { observations: Record<string, number[]> }>)) {
    const codes = key.split(':').map((at, i) => dims[i].values[Number(at)].id);
    for (const [at, values] of Object.entries(series.observations)) found.push(`${codes.join('.')}@${time[Number(at)].id}=${values[0]}`);
  }
  return found.sort();
}

function csvObservations(text: string, lead: number): Observation[] {
  const [header, ...lines] = parseCsv(text);
  expect(header.slice(lead, lead + DIMENSIONS.length + 2)).toEqual([...DIMENSIONS, 'TIME_PERIOD', 'OBS_VALUE']);
  return lines.map((l) => `${l.slice(lead, lead + DIMENSIONS.length).join('.')}@${l[lead + DIMENSIONS.length]}=${Number(l[lead + DIMENSIONS.length + 1])}`).sort();
}

/** The SDMX-ML error message: its code and text. */
function errorOf(xml: string): { code: string; text: string } {
  const match = /<message:ErrorMessage code="(\d+)"><common:Text xml:lang="en">([^<]*)<\/common:Text>/.exec(xml);
  expect(match).not.toBeNull();
  const text = match![2].replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return { code: match![1], text };
}

describe.each(testDatabases())('SDMX REST web service on $name', (db) => {
  let server: TestServer;
  let national: string;
  let langSon: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    national = server.token('VN', 'ANALYST');
    langSon = server.token('20', 'ANALYST');
  });
  afterAll(() => server?.close());

  const get = async (path: string, token: string | null, accept?: string) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (accept) headers.accept = accept;
    const response = await fetch(`${server.url}/sdmx/rest${path}`, { headers });
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
  };
  const statistics = async (variables: Record<string, unknown>, token: string): Promise<Row[]> => {
    const result = await server.gql(STATS, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!.statistics.rows;
  };
  /** What the `statistics` rows give as SDMX observations (no observation where a sex has no value). */
  const expected = (rows: Row[], indicator: string, freq: string, sexes: string[]): Observation[] =>
    rows
      .flatMap((r) =>
        sexes.map((sex) => {
          const value = (sex === 'F' ? r.female : sex === 'M' ? r.male : r.total)?.value;
          return value === null || value === undefined ? null : `${freq}.${r.unit.code}.${indicator}.${sex}._T._T._T._T@${r.period.replace(/^(\d{4})([SQ]\d)$/, '$1-$2')}=${value}`;
        }),
      )
      .filter((o): o is string => o !== null)
      .sort();

  it('asks for a bearer token, in an SDMX-ML error message (401, code 110)', async () => {
    const answer = await get('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F', null);
    expect(answer.status).toBe(401);
    expect(answer.type).toContain('application/xml');
    expect(errorOf(answer.body).code).toBe('110');
    expect((await get('/dataflow', null)).status).toBe(401);
    // The token comes first: a malformed query without one is still 401.
    expect((await get('/data/GENDER_STATISTICS/A.20?startPerod=x', null)).status).toBe(401);
  });

  it('answers A.20.WAGE_EMPLOYMENT_RATE.F+M for 2024–2026 with exactly those series and periods, the values of `statistics`', async () => {
    const answer = await get('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F+M?startPeriod=2024&endPeriod=2026', national);
    expect(answer.status).toBe(200);
    expect(answer.type).toContain('application/vnd.sdmx.genericdata+xml');
    const observations = genericObservations(answer.body);
    const rows = await statistics({ i: 'WAGE_EMPLOYMENT_RATE', a: '20', p: ['2024', '2025', '2026'] }, national);
    expect(observations).toEqual(expected(rows, 'WAGE_EMPLOYMENT_RATE', 'A', ['F', 'M']));
    expect(new Set(observations.map((o) => o.split('@')[0]))).toEqual(new Set(['A.20.WAGE_EMPLOYMENT_RATE.F._T._T._T._T', 'A.20.WAGE_EMPLOYMENT_RATE.M._T._T._T._T']));
    expect(new Set(observations.map((o) => o.split('@')[1].split('=')[0]))).toEqual(new Set(['2024', '2025', '2026']));
  });

  it('gives the same observations in every format it offers', async () => {
    const path = '/data/GENDER_STATISTICS/A+Q.20+06601.GE_NEWS_ITEM+PEOPLES_COUNCIL_DEPUTY.?startPeriod=2025&endPeriod=2026-Q4';
    const generic = genericObservations((await get(path, national, GENERIC)).body);
    expect(generic.length).toBeGreaterThan(8);
    expect(generic.some((o) => o.startsWith('Q.') && o.includes('@2026-Q3='))).toBe(true);
    expect(generic.some((o) => o.startsWith('A.') && o.includes('.PEOPLES_COUNCIL_DEPUTY.F.'))).toBe(true);
    expect(structureSpecificObservations((await get(path, national, STRUCTURE_SPECIFIC)).body)).toEqual(generic);
    const json = await get(path, national, JSON_DATA);
    expect(json.type).toContain('application/vnd.sdmx.data+json');
    expect(jsonObservations(json.body)).toEqual(generic);
    expect(csvObservations((await get(path, national, CSV1)).body, 1)).toEqual(generic);
    const csv2 = await get(path, national, CSV2);
    expect(csv2.body.split('\r\n')[1].startsWith('dataflow,BDG:GENDER_STATISTICS(1.0),I,')).toBe(true);
    expect(csvObservations(csv2.body, 3)).toEqual(generic);
    expect((await get(path, national, 'image/png')).status).toBe(406);
  });

  it('sums a quarterly indicator into the yearly series exactly as `statistics` does', async () => {
    const answer = await get('/data/GENDER_STATISTICS/A+Q.20.GE_NEWS_ITEM._T?startPeriod=2026&endPeriod=2026', national, CSV1);
    const yearly = await statistics({ i: 'GE_NEWS_ITEM', a: '20', p: ['2026'] }, national);
    const quarterly = await statistics({ i: 'GE_NEWS_ITEM', a: '20', p: ['2026Q1', '2026Q2', '2026Q3', '2026Q4'] }, national);
    expect(csvObservations(answer.body, 1)).toEqual([...expected(yearly, 'GE_NEWS_ITEM', 'A', ['_T']), ...expected(quarterly, 'GE_NEWS_ITEM', 'Q', ['_T'])].sort());
  });

  it('gives each province of a national query the numbers of statistics(VN, breakdown: CHILDREN), in a fixed number of statements', async () => {
    const rows = await statistics({ i: 'PEOPLES_COUNCIL_DEPUTY', a: 'VN', p: ['2026'], b: 'CHILDREN' }, national);
    expect(rows.length).toBe(34);
    const ask = async (codes: string[]) => {
      const before = StatementCounter.count;
      const answer = await get(`/data/GENDER_STATISTICS/A.${codes.join('+')}.PEOPLES_COUNCIL_DEPUTY.F+M+_T?startPeriod=2026&endPeriod=2026`, national, CSV1);
      return { observations: csvObservations(answer.body, 1), statements: StatementCounter.count - before };
    };
    // Warm: the first request of a server also fills its cached reference data (units by code).
    await ask(rows.map((r) => r.unit.code));
    await ask([rows[0].unit.code]);
    const all = await ask(rows.map((r) => r.unit.code));
    expect(all.observations).toEqual(expected(rows, 'PEOPLES_COUNCIL_DEPUTY', 'A', ['F', 'M', '_T']));
    const one = await ask([rows[0].unit.code]);
    expect(one.observations.length).toBe(3);
    expect(all.statements).toBe(one.statements);
  });

  it('reads a STATISTICS_OFFICE the approved aggregates only, marked A', async () => {
    const office = server.token('VN', 'STATISTICS_OFFICE');
    const answer = await get('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F+M?startPeriod=2024&endPeriod=2026', office, STRUCTURE_SPECIFIC);
    const rows = await statistics({ i: 'WAGE_EMPLOYMENT_RATE', a: '20', p: ['2024', '2025', '2026'] }, office);
    expect(structureSpecificObservations(answer.body)).toEqual(expected(rows, 'WAGE_EMPLOYMENT_RATE', 'A', ['F', 'M']));
    expect(new Set([...answer.body.matchAll(/OBS_STATUS="([^"]+)"/g)].map((m) => m[1]))).toEqual(new Set(['A']));
    expect(new Set([...(await get('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F', national)).body.matchAll(/id="OBS_STATUS" value="([^"]+)"/g)].map((m) => m[1]))).toEqual(new Set(['P']));
  });

  it('keeps the last N observations of each series, or the series keys only', async () => {
    const all = genericObservations((await get('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F+M', national)).body);
    const last = genericObservations((await get('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F+M?lastNObservations=1', national)).body);
    const lastOf = (sex: string) => all.filter((o) => o.includes(`.${sex}._T`)).pop();
    expect(last).toEqual([lastOf('F'), lastOf('M')].sort());
    const keys = (await get('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F+M?detail=serieskeysonly', national)).body;
    expect(keys.match(/<generic:Series>/g)).toHaveLength(2);
    expect(keys).not.toContain('<generic:Obs>');
  });

  it('answers a code that does not exist with 404 No Results Found (code 100)', async () => {
    for (const key of ['A.ZZ999.WAGE_EMPLOYMENT_RATE.F', 'A.20.NO_SUCH_INDICATOR.F', 'X.20.WAGE_EMPLOYMENT_RATE.F', 'A.20.WAGE_EMPLOYMENT_RATE.F.Y15T24.._T._T']) {
      const answer = await get(`/data/GENDER_STATISTICS/${key}`, national);
      expect({ key, status: answer.status }).toEqual({ key, status: 404 });
      expect(errorOf(answer.body)).toEqual({ code: '100', text: 'No Results Found' });
    }
    expect((await get('/data/OTHER_FLOW/all', national)).status).toBe(404);
    expect((await get('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F?startPeriod=1995&endPeriod=1996', national)).status).toBe(404);
  });

  it('refuses a key with the wrong number of positions, a bad code or a bad period with 400, saying where', async () => {
    const refused = async (path: string) => {
      const answer = await get(path, national);
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      const error = errorOf(answer.body);
      expect(error.code).toBe('140');
      return error.text;
    };
    expect(await refused('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE')).toContain('position 4 (SEX) is missing');
    expect(await refused('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F._T')).toContain('position 6 (ETHNICITY) is missing');
    expect(await refused('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F._T._T._T._T.X')).toContain('position 9 is one too many');
    expect(await refused('/data/GENDER_STATISTICS/A.20*.WAGE_EMPLOYMENT_RATE.F')).toContain('Key position 2 (REF_AREA)');
    expect(await refused('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F?startPeriod=2024-Q5')).toContain('startPeriod: "2024-Q5" is not a period');
    expect(await refused('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F?endPeriod=26')).toContain('endPeriod');
    expect(await refused('/data/GENDER_STATISTICS/A.20.WAGE_EMPLOYMENT_RATE.F?startPerod=2024')).toContain('Unknown parameter "startPerod"');
    expect(await refused('/data/GENDER_STATISTICS/A.20%E0.WAGE_EMPLOYMENT_RATE.F')).toContain('not a well-formed URL path segment');
  });

  it('takes periods in every form the hub writes: 2026-Q3 and 2026Q3, 2026-S1 and 2026S1', async () => {
    const dashed = csvObservations((await get('/data/GENDER_STATISTICS/Q.20.GE_NEWS_ITEM._T?startPeriod=2026-Q2&endPeriod=2026-Q3', national, CSV1)).body, 1);
    const compact = csvObservations((await get('/data/GENDER_STATISTICS/Q.20.GE_NEWS_ITEM._T?startPeriod=2026Q2&endPeriod=2026Q3', national, CSV1)).body, 1);
    expect(dashed.map((o) => o.split('@')[1].split('=')[0])).toEqual(['2026-Q2', '2026-Q3']);
    expect(compact).toEqual(dashed);
    expect(csvObservations((await get('/data/GENDER_STATISTICS/Q.20.GE_NEWS_ITEM._T?startPeriod=2026-S1&endPeriod=2026-04-30', national, CSV1)).body, 1).map((o) => o.split('@')[1].split('=')[0])).toEqual(['2026-Q1']);
  });

  describe('periods round-trip through GraphQL, exports and SDMX', () => {
    const download = async (path: string, token: string) => {
      const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, text: await response.text() };
    };

    it('reads 2026-Q3 as 2026Q3 in statistics and observations, and stores what recordObservations got as 2027-Q1 as 2027Q1', async () => {
      const dashed = await statistics({ i: 'GE_NEWS_ITEM', a: '20', p: ['2026-Q3', '2026-S1'] }, national);
      expect(dashed.map((r) => r.period)).toEqual(['2026Q3', '2026S1']);
      expect(dashed).toEqual(await statistics({ i: 'GE_NEWS_ITEM', a: '20', p: ['2026Q3', '2026S1'] }, national));
      const count = `query($p: [String!]) { observations(indicator: "GE_NEWS_ITEM", unit: "20", includeDescendants: true, periods: $p, first: 1) { totalCount } }`;
      const both = await Promise.all(['2026-Q3', '2026Q3'].map((p) => server.gql(count, { p: [p] }, national)));
      expect(both[0].data!.observations.totalCount).toBeGreaterThan(0);
      expect(both[0].data).toEqual(both[1].data);
      const editor = server.token('06601', 'EDITOR');
      const write = await server.gql(`mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied errors { message } } }`, { input: [{ indicator: 'GE_NEWS_ITEM', unit: '06601', period: '2027-Q1', sex: 'TOTAL', numerator: 3 }] }, editor);
      expect(write.data!.recordObservations).toEqual({ applied: true, errors: [] });
      const read = await server.gql(`{ observations(indicator: "GE_NEWS_ITEM", unit: "06601", periods: ["2027Q1"]) { edges { node { period numerator } } } }`, {}, editor);
      expect(read.data!.observations.edges.map((e: { node: unknown }) => e.node)).toEqual([{ period: '2027Q1', numerator: 3 }]);
    });

    it('takes back the periods the SDMX-CSV exports write', async () => {
      const exported = await download('/export/statistics.sdmx.csv?indicator=GE_NEWS_ITEM&area=20&periods=2026Q3,2026Q4', national);
      const written = [...new Set(parseCsv(exported.text).slice(1).map((l) => l[4]))];
      expect(written).toEqual(['2026-Q3', '2026-Q4']);
      const again = await download(`/export/statistics.sdmx.csv?indicator=GE_NEWS_ITEM&area=20&periods=${written.join(',')}`, national);
      expect(again.status).toBe(200);
      expect(again.text).toBe(exported.text);
      const observations = await download(`/export/observations.sdmx.csv?indicator=GE_NEWS_ITEM&unit=20&includeDescendants=true&periods=${written[0]}`, national);
      const periods = new Set(parseCsv(observations.text).slice(1).map((l) => l[4]));
      expect(periods).toEqual(new Set(['2026-Q3']));
    });

    it('refuses a parameter an export does not take, the same way on both exports', async () => {
      for (const [path, name] of [
        ['/export/observations.csv?indicator=GE_NEWS_ITEM&startPeriod=2024', 'observations'],
        ['/export/statistics.csv?indicator=GE_NEWS_ITEM&area=20&periods=2026&startPeriod=2024', 'statistics'],
      ]) {
        const answer = await download(path, national);
        expect(answer.status).toBe(400);
        const error = JSON.parse(answer.text).errors[0];
        expect(error.extensions.code).toBe('BAD_USER_INPUT');
        expect(error.message).toMatch(new RegExp(`^Unknown parameter "startPeriod"; the ${name} export takes `));
      }
    });
  });

  describe('structures', () => {
    it('describes the dataflow, its DSD, code lists and concepts (references=all)', async () => {
      const answer = await get('/dataflow/BDG/GENDER_STATISTICS/1.0?references=all', langSon);
      expect(answer.status).toBe(200);
      expect(answer.type).toContain('application/vnd.sdmx.structure+xml');
      const xml = answer.body;
      expect(xml).toContain('<structure:Dataflow id="GENDER_STATISTICS"');
      const dimensions = [...xml.matchAll(/<structure:Dimension id="([^"]+)" position="(\d+)">/g)].map((m) => m[1]);
      expect(dimensions).toEqual(DIMENSIONS);
      expect(xml).toMatch(/<structure:TimeDimension id="TIME_PERIOD" position="9">/);
      expect([...xml.matchAll(/<structure:Attribute id="([^"]+)"/g)].map((m) => m[1])).toEqual(['UNIT_MEASURE', 'UNIT_MULT', 'OBS_STATUS', 'REPORTING_UNITS', 'EXPECTED_UNITS']);
      const codelists = [...xml.matchAll(/<structure:Codelist id="([^"]+)"/g)].map((m) => m[1]);
      expect(codelists).toEqual(['CL_FREQ', 'CL_AREA', 'CL_INDICATOR', 'CL_SEX', 'CL_AGE', 'CL_ETHNICITY', 'CL_URBANISATION', 'CL_DISABILITY', 'CL_UNIT_MEASURE', 'CL_UNIT_MULT', 'CL_OBS_STATUS']);
      expect(xml).toContain('<structure:ConceptScheme id="CS_GENDER_STATISTICS"');
      // UNIT_MEASURE is coded: every indicator's unit of measure is a code of CL_UNIT_MEASURE.
      const units = /<structure:Codelist id="CL_UNIT_MEASURE"[\s\S]*?<\/structure:Codelist>/.exec(xml)![0];
      expect(units).toContain('<structure:Code id="PT"');
      expect(units).toContain('<common:Name xml:lang="vi">%</common:Name>');
    });

    it('follows references: none by default, children, descendants', async () => {
      const kinds = (xml: string) => [...xml.matchAll(/<structure:(Dataflow|DataStructure|Codelist|ConceptScheme) id="([^"]+)"/g)].map((m) => m[1]);
      expect(kinds((await get('/dataflow/BDG/GENDER_STATISTICS', langSon)).body)).toEqual(['Dataflow']);
      expect(kinds((await get('/dataflow/BDG/GENDER_STATISTICS?references=children', langSon)).body)).toEqual(['Dataflow', 'DataStructure']);
      expect(new Set(kinds((await get('/datastructure/BDG/DSD_GENDER_STATISTICS/latest?references=descendants', langSon)).body))).toEqual(new Set(['Codelist', 'ConceptScheme', 'DataStructure']));
      expect(kinds((await get('/conceptscheme/all/all/latest', langSon)).body)).toEqual(['ConceptScheme']);
      expect(kinds((await get('/codelist/BDG/CL_SEX+CL_FREQ', langSon)).body)).toEqual(['Codelist', 'Codelist']);
      expect((await get('/codelist/BDG/CL_NOTHING', langSon)).status).toBe(404);
      expect((await get('/dataflow/OTHER/all', langSon)).status).toBe(404);
      expect((await get('/codelist/BDG/CL_SEX?references=sideways', langSon)).status).toBe(400);
    });

    it('carries the official references of every indicator in CL_INDICATOR', async () => {
      const { data } = await server.gql(`{ indicators { code references { framework code } } }`, {}, national);
      const withReferences = (data!.indicators as { code: string; references: { framework: string; code: string }[] }[]).filter((i) => i.references.length);
      expect(withReferences.length).toBeGreaterThan(0);
      const xml = (await get('/codelist/BDG/CL_INDICATOR', national)).body;
      for (const indicator of withReferences) {
        const code = new RegExp(`<structure:Code id="${indicator.code}"[^>]*>([\\s\\S]*?)</structure:Code>`).exec(xml)![1];
        const titles = [...code.matchAll(/<common:AnnotationTitle>([^<]*)<\/common:AnnotationTitle><common:AnnotationType>REFERENCE</g)].map((m) => m[1].replace(/&amp;/g, '&'));
        expect({ indicator: indicator.code, titles }).toEqual({ indicator: indicator.code, titles: indicator.references.map((r) => `${r.framework} ${r.code}`) });
      }
    });

    it("holds in a Lạng Sơn token's CL_AREA exactly Lạng Sơn's subtree, each with its parent", async () => {
      const roots: { path: string }[] = await server.dataSource.query(`SELECT p.path AS path FROM unit_placement p JOIN administrative_unit u ON u.id = p.unit_id WHERE u.code = '20'`);
      const rows: { code: string }[] = await server.dataSource.query(
        `SELECT DISTINCT u.code AS code FROM administrative_unit u JOIN unit_placement p ON p.unit_id = u.id WHERE ${roots.map(() => 'p.path LIKE ?').join(' OR ')}`,
        roots.map((r) => `${r.path}%`),
      );
      const xml = (await get('/codelist/BDG/CL_AREA/1.0', langSon)).body;
      const codes = [...xml.matchAll(/<structure:Code id="([^"]+)"[^>]*>([\s\S]*?)<\/structure:Code>/g)].map((m) => ({ id: m[1], parent: /<structure:Parent><Ref id="([^"]+)"\/>/.exec(m[2])?.[1] ?? null, body: m[2] }));
      expect(new Set(codes.map((c) => c.id))).toEqual(new Set(rows.map((r) => r.code)));
      const byId = new Map(codes.map((c) => [c.id, c]));
      expect(byId.get('20')!.parent).toBeNull();
      expect(byId.get('06601')!.parent).toBe('20');
      expect(codes.filter((c) => c.id !== '20' && (!c.parent || !byId.has(c.parent)))).toEqual([]);
      expect(byId.get('06601')!.body).toContain('<common:AnnotationType>LEVEL</common:AnnotationType>');
      // A legacy commune carries the day it ceased.
      expect(codes.some((c) => /<common:AnnotationTitle>2025-06-30<\/common:AnnotationTitle><common:AnnotationType>VALID_TO<\/common:AnnotationType>/.test(c.body))).toBe(true);
    });
  });

  // A guard: the measurement at 1,200,092 observations is `npm run bench:exports` (sdmx-ml in bench/EXPORT-MEMORY.md).
  it('streams a national data query in bounded memory', async () => {
    await server.dataSource.query(
      `INSERT INTO indicator (code, name, name_en, domain, value_type, factor, unit_of_measure, entry_level, sex_disaggregated, temporal_aggregation, period_type, numerator_label, denominator_label, source)
       VALUES ('TEST_SDMX_LOAD', 'Tỷ lệ nữ tham gia sinh hoạt thôn (tải thử SDMX)', 'SDMX load test', 'POLITICS', 'PROPORTION', 100, '%', 'VILLAGE', ?, 'STOCK', 'MONTH', 'nữ', 'tổng số', 'test')`,
      [true],
    );
    // Written behind the server's back: announced, as the catalogue CLI does, so its cached catalogue moves on.
    await announceReferenceChange(server.dataSource, ['catalogue'], null);
    const [{ id }]: { id: number }[] = await server.dataSource.query(`SELECT id FROM indicator WHERE code = 'TEST_SDMX_LOAD'`);
    const months = Array.from({ length: 12 }, (_, i) => `SELECT '2026-${String(i + 1).padStart(2, '0')}' AS period`).join(' UNION ALL ');
    await server.dataSource.query(
      `INSERT INTO observation (indicator_id, unit_id, period, sex, disaggregation, numerator, denominator, status, source, version, updated_by, updated_at)
       SELECT ?, u.id, q.period, s.sex, '', u.id % 17, 20, 'APPROVED', 'test', 1, 'load-test', '2026-11-01T00:00:00.000Z'
       FROM administrative_unit u CROSS JOIN (${months}) q CROSS JOIN (SELECT 'FEMALE' AS sex UNION ALL SELECT 'MALE' UNION ALL SELECT 'TOTAL') s
       WHERE u.level = 'VILLAGE' AND (u.valid_to IS NULL OR u.valid_to >= '2026-12-31')`,
      [id],
    );
    const [{ n }]: { n: number }[] = await server.dataSource.query(`SELECT COUNT(*) AS n FROM observation WHERE indicator_id = ?`, [id]);
    expect(Number(n)).toBeGreaterThan(100_000);
    // A full GC before each sample measures what the answer keeps alive, not garbage awaiting collection.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let samples = 0;
    let sampler: NodeJS.Timeout;
    const sample = () => {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      samples++;
      sampler = setTimeout(sample, 250);
    };
    sampler = setTimeout(sample, 250);
    // A failed expectation must not leave the sampler running: its gc() every 250 ms would slow every later test file of this process.
    let bytes = 0;
    let observations = 0;
    try {
      const response = await fetch(`${server.url}/sdmx/rest/data/GENDER_STATISTICS/M..TEST_SDMX_LOAD.?startPeriod=2026-01&endPeriod=2026-12`, { headers: { authorization: `Bearer ${national}`, accept: GENERIC } });
      expect(response.status).toBe(200);
      let carry = '';
      const reader = response.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        const text = carry + Buffer.from(value).toString('latin1');
        observations += text.split('<generic:ObsValue ').length - 1;
        carry = text.slice(-17); // shorter than the needle, so no match is counted twice
      }
    } finally {
      clearTimeout(sampler!);
    }
    // Every village's own observations, one SDMX observation each.
    expect(observations).toBe(Number(n));
    expect(bytes).toBeGreaterThan(40 * 1048576);
    expect(samples).toBeGreaterThan(3);
    // What the answer keeps alive is a page of series (about 20,000 observations), not the answer.
    expect(peak - before).toBeLessThan(bytes / 4);
  }, 600_000);
});
