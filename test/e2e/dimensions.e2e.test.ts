import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { announceReferenceChange } from '../../server/core/reference-cache';
import { csvLine } from '../../server/exports/csv-writer';
import { CATALOGUE_COLUMNS, importCatalogueFile } from '../../server/indicators/catalogue-csv';
import { formatCsvErrors, importObservationsFile } from '../../server/observations/observation-csv';
import { readRollupTable, rollupDifferences } from '../../server/statistics/rollup.store';
import { recomputeRollups } from '../../server/statistics/rollup.rebuild';
import { testDatabases } from '../support/databases';
import { parseCsv, readXlsx } from '../support/export-files';
import { mulberry32 } from '../support/random';
import { startTestServer, TestServer } from '../support/server';

/**
 * Coded dimensions beyond sex (issue 13, acceptance 3). Two indicators broken down by AGE ×
 * URBANISATION get random data for Lạng Sơn's communes; statistics by AGE, by URBANISATION, by
 * both and by neither — for the province and for each commune — must equal sums computed here
 * from the rows sent, independently of the server; the total over a dimension's values must equal
 * the row without it; the exports carry one column per dimension; the CSV import takes one column
 * per dimension; the rollups equal a recomputation.
 */
const AGES = ['Y0T14', 'Y15T24', 'Y25T34', 'Y35T44', 'Y45T54', 'Y55T64', 'Y_GE65'];
const AREAS = ['U', 'R'];
const SEXES = ['FEMALE', 'MALE'] as const;
const PERIOD = '2026';
const SHARE = 'TEST_EMPLOYED_SHARE';
const COUNT = 'TEST_TRAINED_PERSONS';

const STATS = `query($i: String!, $a: String!, $p: [String!]!, $b: Breakdown, $by: [String!], $where: [DimensionValueInput!]) {
  statistics(indicator: $i, area: $a, periods: $p, breakdown: $b, by: $by, where: $where) {
    rows { unit { code } dimensions { dimension value } female { value numerator denominator } male { value numerator denominator } total { value numerator denominator } reportingUnits }
  }
}`;
const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied errors { index field message } } }`;

interface Row {
  unit: string;
  sex: (typeof SEXES)[number];
  age: string;
  area: string;
  numerator: number;
  denominator: number;
}

function catalogueFile(): string {
  const base = { domain: 'ECONOMY_LABOUR', entryLevel: 'COMMUNE', sexDisaggregated: 'true', periodType: 'YEAR', source: 'Test of coded dimensions', plausibleMin: '', plausibleMax: '', references: '', dimensionCodes: 'AGE;URBANISATION' };
  const indicators: Record<string, string>[] = [
    { ...base, code: SHARE, name: 'Tỷ lệ lao động có việc làm (thử)', nameEn: 'Employed share (test)', valueType: 'PROPORTION', factor: '100', unitOfMeasure: '%', temporalAggregation: 'STOCK', numeratorLabel: 'Người có việc làm', denominatorLabel: 'Dân số trong độ tuổi' },
    { ...base, code: COUNT, name: 'Số người được đào tạo nghề (thử)', nameEn: 'Persons trained (test)', valueType: 'COUNT', factor: '1', unitOfMeasure: 'người', temporalAggregation: 'FLOW', numeratorLabel: 'Người được đào tạo', denominatorLabel: '' },
  ];
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dimensions-')), 'catalogue.csv');
  fs.writeFileSync(file, csvLine(CATALOGUE_COLUMNS) + indicators.map((i) => csvLine(CATALOGUE_COLUMNS.map((c) => i[c] ?? ''))).join(''));
  return file;
}

/** Random full-detail rows for every commune, sex, age group and area; counts are whole numbers. */
function randomRows(units: string[], seed: number, count: boolean): Row[] {
  const random = mulberry32(seed);
  const rows: Row[] = [];
  for (const unit of units) {
    for (const sex of SEXES) {
      for (const age of AGES) {
        for (const area of AREAS) {
          const denominator = count ? 1 : 50 + Math.floor(random() * 5000);
          const numerator = count ? Math.floor(random() * 40) : Math.floor(random() * denominator);
          rows.push({ unit, sex, age, area, numerator, denominator });
        }
      }
    }
  }
  return rows;
}

/** The sums an office would compute by hand: rows of `units` inside the cell, per sex. */
function expectedSums(rows: Row[], units: string[], cell: { age?: string; area?: string }) {
  const inside = rows.filter((r) => units.includes(r.unit) && (!cell.age || r.age === cell.age) && (!cell.area || r.area === cell.area));
  const sum = (list: Row[]) => ({ numerator: list.reduce((a, r) => a + r.numerator, 0), denominator: list.reduce((a, r) => a + r.denominator, 0) });
  const female = sum(inside.filter((r) => r.sex === 'FEMALE'));
  const male = sum(inside.filter((r) => r.sex === 'MALE'));
  return { female, male, total: { numerator: female.numerator + male.numerator, denominator: female.denominator + male.denominator } };
}

describe.each(testDatabases())('coded dimensions on $name', (db) => {
  let server: TestServer;
  let admin: string;
  let communes: string[];
  let shareRows: Row[];
  let countRows: Row[];

  beforeAll(async () => {
    server = await startTestServer(db);
    admin = server.token('VN', 'ADMIN');
    const loaded = await importCatalogueFile(server.dataSource, catalogueFile());
    expect(loaded.problems).toEqual([]);
    expect(loaded.added).toBe(2);
    // What `npm run catalogue -- import` does after its commit: the servers' cached catalogue moves on.
    await announceReferenceChange(server.dataSource, ['catalogue'], null);
    const { data } = await server.gql(`{ units(level: COMMUNE, under: "20", first: 12) { edges { node { code } } } }`, {}, admin);
    communes = data!.units.edges.map((e: any) => e.node.code);
    expect(communes).toHaveLength(12);
    shareRows = randomRows(communes, 13, false);
    countRows = randomRows(communes, 31, true);
    const input = (code: string, rows: Row[]) =>
      rows.map((r) => ({ indicator: code, unit: r.unit, period: PERIOD, sex: r.sex, numerator: r.numerator, denominator: r.denominator, dimensions: [{ dimension: 'AGE', value: r.age }, { dimension: 'URBANISATION', value: r.area }] }));
    const recorded = await server.gql(RECORD, { input: [...input(SHARE, shareRows), ...input(COUNT, countRows)] }, admin);
    expect(recorded.data!.recordObservations).toEqual({ applied: true, errors: [] });
  }, 120_000);
  afterAll(() => server?.close());

  const statistics = async (variables: Record<string, unknown>) => {
    const { data, errors } = await server.gql(STATS, { p: [PERIOD], ...variables }, admin);
    expect(errors).toBeUndefined();
    return data!.statistics.rows as any[];
  };
  const cellOf = (row: any) => Object.fromEntries(row.dimensions.map((d: any) => [d.dimension === 'AGE' ? 'age' : 'area', d.value === '_T' ? undefined : d.value]));
  const components = (a: any) => (a ? { numerator: a.numerator, denominator: a.denominator } : null);

  it('declares the dimensions and their code lists on the indicator', async () => {
    const { data } = await server.gql(`{ indicator(code: "${SHARE}") { dimensions { code name values { code name } } } }`, {}, admin);
    expect(data!.indicator.dimensions.map((d: any) => d.code)).toEqual(['AGE', 'URBANISATION']);
    expect(data!.indicator.dimensions[0].values.map((v: any) => v.code)).toEqual(AGES);
    expect(data!.indicator.dimensions[1].values).toEqual([
      { code: 'U', name: 'Thành thị' },
      { code: 'R', name: 'Nông thôn' },
    ]);
  });

  describe.each([
    ['by neither', [], 1],
    ['by AGE', ['AGE'], AGES.length],
    ['by URBANISATION', ['URBANISATION'], AREAS.length],
    ['by AGE and URBANISATION', ['AGE', 'URBANISATION'], AGES.length * AREAS.length],
  ])('%s', (_, by, cellsPerUnit) => {
    it.each([
      [SHARE, 'PROPORTION'],
      [COUNT, 'COUNT'],
    ])('%s (%s) equals an independent computation for the province and each commune', async (indicator) => {
      const rows = indicator === SHARE ? shareRows : countRows;
      const province = await statistics({ i: indicator, a: '20', by });
      const children = await statistics({ i: indicator, a: '20', b: 'CHILDREN', by });
      expect(province).toHaveLength(cellsPerUnit);
      for (const row of [...province, ...children.filter((r) => communes.includes(r.unit.code))]) {
        const units = row.unit.code === '20' ? communes : [row.unit.code];
        const expected = expectedSums(rows, units, cellOf(row));
        expect(row.dimensions.map((d: any) => d.dimension)).toEqual(['AGE', 'URBANISATION']);
        expect(components(row.female)!.numerator).toBe(expected.female.numerator);
        expect(components(row.male)!.numerator).toBe(expected.male.numerator);
        expect(components(row.total)!.numerator).toBe(expected.total.numerator);
        if (indicator === SHARE) {
          expect(components(row.total)).toEqual(expected.total);
          expect(row.female.value).toBeCloseTo((100 * expected.female.numerator) / expected.female.denominator, 9);
        } else {
          // A COUNT is its count; its denominator counts reporting units, whatever the number of cells summed.
          expect(row.total.value).toBe(expected.total.numerator);
          expect(row.female.denominator).toBe(units.length);
        }
        expect(row.reportingUnits).toBe(units.length);
      }
    });
  });

  it('gives totals equal to the sum over the values, with where fixing another dimension', async () => {
    const [all] = await statistics({ i: COUNT, a: '20' });
    const byAge = await statistics({ i: COUNT, a: '20', by: ['AGE'] });
    const sum = (rows: any[], sex: string) => rows.reduce((a, r) => a + r[sex].value, 0);
    for (const sex of ['female', 'male', 'total']) expect(sum(byAge, sex)).toBe(all[sex].value);
    const rural = await statistics({ i: COUNT, a: '20', by: ['AGE'], where: [{ dimension: 'URBANISATION', value: 'R' }] });
    expect(rural.map((r) => r.dimensions.map((d: any) => d.value))).toEqual(AGES.map((age) => [age, 'R']));
    const [ruralTotal] = await statistics({ i: COUNT, a: '20', where: [{ dimension: 'URBANISATION', value: 'R' }] });
    expect(sum(rural, 'total')).toBe(ruralTotal.total.value);
    expect(ruralTotal.total.value).toBe(expectedSums(countRows, communes, { area: 'R' }).total.numerator);
  });

  it('refuses a dimension the indicator does not have, a code not in the list, and a dimension named twice, naming the argument', async () => {
    const ask = async (variables: Record<string, unknown>) => (await server.gql(STATS, { p: [PERIOD], a: '20', ...variables }, admin)).errors?.[0];
    expect(await ask({ i: SHARE, by: ['ETHNICITY'] })).toMatchObject({ message: expect.stringContaining('AGE, URBANISATION'), extensions: { code: 'BAD_USER_INPUT', field: 'by' } });
    expect(await ask({ i: SHARE, where: [{ dimension: 'AGE', value: 'Y15T99' }] })).toMatchObject({ message: expect.stringContaining('Y15T24'), extensions: { field: 'where' } });
    expect(await ask({ i: SHARE, by: ['AGE'], where: [{ dimension: 'AGE', value: 'Y15T24' }] })).toMatchObject({ extensions: { field: 'where' } });
    expect(await ask({ i: 'PEOPLES_COUNCIL_DEPUTY', by: ['AGE'] })).toMatchObject({ message: expect.stringContaining('no dimensions'), extensions: { field: 'by' } });
    const rejected = await server.gql(RECORD, { input: [{ indicator: SHARE, unit: communes[0], period: '2027', sex: 'FEMALE', numerator: 1, denominator: 2, dimensions: [{ dimension: 'AGE', value: 'Y15-24' }] }] }, admin);
    expect(rejected.data!.recordObservations.errors).toEqual([{ index: 0, field: 'dimensions', message: expect.stringContaining('not a code of AGE') }]);
  });

  it('filters observations by dimension values (where), in the query and in the export', async () => {
    const unit = communes[0];
    const OBSERVATIONS = `query($i: String, $u: String, $p: [String!], $w: [DimensionValueInput!]) {
      observations(indicator: $i, unit: $u, periods: $p, where: $w, first: 500) { totalCount edges { node { sex numerator dimensions { dimension value } } } }
    }`;
    const ask = (where: { dimension: string; value: string }[], period = PERIOD, indicator: string | null = COUNT) => server.gql(OBSERVATIONS, { i: indicator, u: unit, p: [period], w: where }, admin);
    const found = (answer: any) => answer.data!.observations.edges.map((e: any) => ({ sex: e.node.sex, numerator: e.node.numerator, ...cellOf(e.node) })).sort((a: any, b: any) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const sent = (keep: (r: Row) => boolean) => countRows.filter((r) => r.unit === unit && keep(r)).map((r) => ({ sex: r.sex, numerator: r.numerator, age: r.age, area: r.area })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

    // Codes are read like the rest of the API: trimmed, any case.
    const young = await ask([{ dimension: ' age', value: 'y15t24 ' }]);
    expect(young.errors).toBeUndefined();
    expect(found(young)).toEqual(sent((r) => r.age === 'Y15T24'));
    expect(found(await ask([{ dimension: 'AGE', value: 'Y_GE65' }, { dimension: 'URBANISATION', value: 'R' }]))).toEqual(sent((r) => r.age === 'Y_GE65' && r.area === 'R'));

    // `_T` keeps the rows that are the total over the dimension: here one row without AGE, beside one with it.
    const recorded = await server.gql(RECORD, { input: [
      { indicator: COUNT, unit, period: '2029', sex: 'FEMALE', numerator: 5, dimensions: [{ dimension: 'URBANISATION', value: 'U' }] },
      { indicator: COUNT, unit, period: '2029', sex: 'FEMALE', numerator: 2, dimensions: [{ dimension: 'AGE', value: 'Y0T14' }, { dimension: 'URBANISATION', value: 'U' }] },
    ] }, admin);
    expect(recorded.data!.recordObservations).toEqual({ applied: true, errors: [] });
    expect(found(await ask([{ dimension: 'AGE', value: '_T' }], '2029'))).toEqual([{ sex: 'FEMALE', numerator: 5, area: 'U', age: undefined }]);
    expect(found(await ask([{ dimension: 'AGE', value: 'Y0T14' }], '2029'))).toEqual([{ sex: 'FEMALE', numerator: 2, area: 'U', age: 'Y0T14' }]);
    expect((await ask([{ dimension: 'AGE', value: '_T' }])).data!.observations.totalCount).toBe(0);

    expect((await ask([{ dimension: 'AGE', value: 'Y15T24' }], PERIOD, null)).errors?.[0]).toMatchObject({ message: expect.stringContaining('name it in indicator'), extensions: { code: 'BAD_USER_INPUT', field: 'where' } });
    expect((await ask([{ dimension: 'ETHNICITY', value: 'KINH' }])).errors?.[0]).toMatchObject({ message: expect.stringContaining('AGE, URBANISATION'), extensions: { field: 'where' } });
    expect((await ask([{ dimension: 'AGE', value: 'Y15-24' }])).errors?.[0]).toMatchObject({ message: expect.stringContaining('not a code of AGE'), extensions: { field: 'where' } });

    const response = await fetch(`${server.url}/export/observations.csv?indicator=${COUNT}&unit=${unit}&periods=${PERIOD}&where=AGE:Y15T24`, { headers: { authorization: `Bearer ${admin}` } });
    expect(response.status).toBe(200);
    const [header, ...lines] = parseCsv((await response.text()).replace(/^\uFEFF/, '')).filter((l) => l.length > 1);
    const age = header.indexOf('age');
    expect(lines.map((l) => l[age])).toEqual(sent((r) => r.age === 'Y15T24').map(() => 'Y15T24'));
    const refused = await fetch(`${server.url}/export/observations.csv?indicator=${COUNT}&unit=${unit}&where=AGE`, { headers: { authorization: `Bearer ${admin}` } });
    expect(refused.status).toBe(400);
  });

  it('warns (INCONSISTENT) when a reported total differs from the sum over a full breakdown of it, and applies the rows', async () => {
    const unit = communes[2];
    const WARNED = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied errors { index } warnings { index field code message } } }`;
    const row = (numerator: number, dimensions: [string, string][]) => ({ indicator: COUNT, unit, period: '2030', sex: 'FEMALE', numerator, dimensions: dimensions.map(([dimension, value]) => ({ dimension, value })) });
    const ages = AGES.map((age) => row(1, [['AGE', age], ['URBANISATION', 'U']]));
    const first = await server.gql(WARNED, { input: [...ages, row(9, [['URBANISATION', 'U']]), row(9, [])] }, admin);
    expect(first.data!.recordObservations).toEqual({
      applied: true,
      errors: [],
      // Only the urban total has a full breakdown beside it (every age group, urban); the grand total has none (rural is missing).
      warnings: [{ index: AGES.length, field: 'numerator', code: 'INCONSISTENT', message: `The total over AGE (URBANISATION=U) has numerator 9, but its values Y0T14…Y_GE65 sum to 7 (${COUNT}, 2030, FEMALE): statistics by AGE will sum the values, totals read the reported row` }],
    });
    const [urban] = await statistics({ i: COUNT, a: unit, p: ['2030'], where: [{ dimension: 'URBANISATION', value: 'U' }] });
    expect(urban.female.numerator).toBe(9);
    const byAge = await statistics({ i: COUNT, a: unit, p: ['2030'], by: ['AGE'], where: [{ dimension: 'URBANISATION', value: 'U' }] });
    expect(byAge.reduce((n: number, r: any) => n + (r.female?.numerator ?? 0), 0)).toBe(7);

    // A stored breakdown is checked against a total sent later, and a corrected total warns no more.
    const later = await server.gql(WARNED, { input: [row(8, [['URBANISATION', 'U']])] }, admin);
    expect(later.data!.recordObservations.warnings).toEqual([expect.objectContaining({ index: 0, code: 'INCONSISTENT', message: expect.stringContaining('sum to 7') })]);
    expect((await server.gql(WARNED, { input: [row(7, [['URBANISATION', 'U']])] }, admin)).data!.recordObservations).toEqual({ applied: true, errors: [], warnings: [] });
    // A partial breakdown (six age groups of rural, summing to 6) beside its total of 2 is no
    // inconsistency; the rural total completes urban + rural = 7 + 2, the grand total 9.
    const partial = AGES.slice(1).map((age) => row(1, [['AGE', age], ['URBANISATION', 'R']]));
    expect((await server.gql(WARNED, { input: [...partial, row(2, [['URBANISATION', 'R']])] }, admin)).data!.recordObservations.warnings).toEqual([]);
    // A rural total that breaks urban + rural = total is flagged on the row sent.
    expect((await server.gql(WARNED, { input: [row(3, [['URBANISATION', 'R']])] }, admin)).data!.recordObservations.warnings).toEqual([
      expect.objectContaining({ index: 0, code: 'INCONSISTENT', message: expect.stringContaining('The total over URBANISATION has numerator 9, but its values U…R sum to 10') }),
    ]);
  });

  it('exports one column per dimension, with the same numbers', async () => {
    const download = async (file: string) => {
      const response = await fetch(`${server.url}/export/${file}`, { headers: { authorization: `Bearer ${admin}` } });
      expect(response.status).toBe(200);
      return Buffer.from(await response.arrayBuffer());
    };
    const query = `indicator=${COUNT}&area=20&periods=${PERIOD}&by=AGE,URBANISATION`;
    const [header, ...lines] = parseCsv((await download(`statistics.csv?${query}`)).toString('utf8').replace(/^\uFEFF/, '')).filter((l) => l.length > 1);
    expect(header.slice(0, 9)).toEqual(['indicator', 'indicator_name', 'unit', 'unit_name', 'level', 'period', 'age', 'urbanisation', 'sex']);
    const totals = lines.filter((l) => l[8] === 'TOTAL');
    expect(totals).toHaveLength(AGES.length * AREAS.length);
    for (const line of totals) expect(Number(line[9])).toBe(expectedSums(countRows, communes, { age: line[6], area: line[7] }).total.numerator);
    const xlsx = await readXlsx(await download(`statistics.xlsx?${query}`), 18);
    expect(xlsx[0].slice(6, 8)).toEqual(['age', 'urbanisation']);
    expect(xlsx.slice(1).filter((l) => l[8] === 'TOTAL').map((l) => Number(l[9]))).toEqual(totals.map((l) => Number(l[9])));
    const [sdmxHeader, ...sdmx] = parseCsv((await download(`statistics.sdmx.csv?${query}&where=`)).toString('utf8')).filter((l) => l.length > 1);
    expect(sdmxHeader.slice(0, 7)).toEqual(['DATAFLOW', 'REF_AREA', 'INDICATOR', 'SEX', 'AGE', 'URBANISATION', 'TIME_PERIOD']);
    expect(sdmx.filter((l) => l[3] === '_T')).toHaveLength(AGES.length * AREAS.length);

    const [obsHeader, ...observations] = parseCsv((await download(`observations.csv?indicator=${SHARE}&unit=20&includeDescendants=true&periods=${PERIOD}`)).toString('utf8').replace(/^\uFEFF/, '')).filter((l) => l.length > 1);
    expect(obsHeader.slice(5, 8)).toEqual(['sex', 'age', 'urbanisation']);
    expect(observations).toHaveLength(shareRows.length);
    const line = observations.find((l) => l[2] === shareRows[0].unit && l[5] === shareRows[0].sex && l[6] === shareRows[0].age && l[7] === shareRows[0].area);
    expect(Number(line?.[8])).toBe(shareRows[0].numerator);
  });

  it('imports a CSV file with one column per dimension, and refuses the old disaggregation column', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dimensions-import-'));
    const file = path.join(dir, 'rows.csv');
    fs.writeFileSync(file, ['indicator,unit,period,sex,AGE,urbanisation,numerator,denominator', `${COUNT},${communes[0]},2027,FEMALE,Y15T24,R,7,`, `${COUNT},${communes[0]},2027,FEMALE,Y15T24,U,5,`, `${COUNT},${communes[0]},2027,MALE,,R,4,`].join('\n'));
    const { result } = await importObservationsFile(server.dataSource, file);
    expect(result.errors).toEqual([]);
    expect(result.applied).toBe(true);
    const [row] = await statistics({ i: COUNT, a: communes[0], p: ['2027'] });
    expect([row.female.value, row.male.value, row.total.value]).toEqual([12, 4, 16]);
    const [rural] = await statistics({ i: COUNT, a: communes[0], p: ['2027'], by: ['AGE'], where: [{ dimension: 'URBANISATION', value: 'R' }] }).then((rows) => rows.filter((r) => r.total));
    expect(rural.dimensions).toEqual([
      { dimension: 'AGE', value: 'Y15T24' },
      { dimension: 'URBANISATION', value: 'R' },
    ]);
    expect([rural.female.value, rural.male]).toEqual([7, null]);

    // A reported total counts as reported; a partial breakdown beside it does not add to it.
    fs.writeFileSync(file, ['indicator,unit,period,sex,AGE,numerator', `${COUNT},${communes[1]},2027,FEMALE,,20`, `${COUNT},${communes[1]},2027,FEMALE,Y15T24,6`].join('\n'));
    expect((await importObservationsFile(server.dataSource, file)).result.applied).toBe(true);
    const [partial] = await statistics({ i: COUNT, a: communes[1], p: ['2027'] });
    expect(partial.female.value).toBe(20);
    const partialByAge = await statistics({ i: COUNT, a: communes[1], p: ['2027'], by: ['AGE'] });
    expect(partialByAge.map((r) => r.female?.value ?? null)).toEqual(AGES.map((age) => (age === 'Y15T24' ? 6 : null)));
    const [both] = await statistics({ i: COUNT, a: '20', p: ['2027'], where: [{ dimension: 'AGE', value: 'Y15T24' }] });
    expect(both.female.value).toBe(7 + 5 + 6);
    const [province] = await statistics({ i: COUNT, a: '20', p: ['2027'] });
    expect(province.female.value).toBe(12 + 20);

    // A total beside a full breakdown that does not add up loads, flagged on the total's line.
    fs.writeFileSync(file, ['indicator,unit,period,sex,URBANISATION,numerator', `${COUNT},${communes[3]},2027,FEMALE,,10`, `${COUNT},${communes[3]},2027,FEMALE,U,4`, `${COUNT},${communes[3]},2027,FEMALE,R,5`].join('\n'));
    const flagged = await importObservationsFile(server.dataSource, file);
    expect(flagged.result.applied).toBe(true);
    expect(formatCsvErrors(flagged.result.warnings, flagged.lines)).toEqual([expect.stringMatching(/^line 2: numerator: The total over URBANISATION has numerator 10, but its values U…R sum to 9/)]);

    fs.writeFileSync(file, `indicator,unit,period,sex,numerator,disaggregation\n${COUNT},${communes[0]},2028,FEMALE,1,ethnic=minority\n`);
    await expect(importObservationsFile(server.dataSource, file)).rejects.toThrow(/one column per dimension/);
  });

  it('keeps the rollups of every combination equal to a recomputation from the rows', async () => {
    const differences = rollupDifferences(await recomputeRollups(server.dataSource.manager), await readRollupTable(server.dataSource.manager));
    expect(differences).toEqual([]);
    const [{ n }] = await server.dataSource.query(`SELECT COUNT(*) AS n FROM statistics_rollup r INNER JOIN indicator i ON i.id = r.indicator_id WHERE i.code = ? AND r.dimensions = 'AGE=Y15T24;URBANISATION=R'`, [SHARE]);
    expect(Number(n)).toBeGreaterThan(0);
  });
});
