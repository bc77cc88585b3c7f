import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { testDatabases } from '../support/databases';
import { parseCsv } from '../support/export-files';
import { startTestServer, TestServer } from '../support/server';

/**
 * A real SDMX client: Debian's rsdmx (0.6, SDMX-ML only) reads the dataflows, the DSD, code lists
 * and a national data query over HTTP with the bearer header, and what it makes of them must be
 * what GraphQL says: for every province, the value of statistics(VN, breakdown: CHILDREN).
 */
const RSCRIPT = '/usr/bin/Rscript';
/** R alone is not enough: the test needs the rsdmx package loadable. */
const available = fs.existsSync(RSCRIPT) && spawnSync(RSCRIPT, ['-e', 'library(rsdmx)'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
if (!available && process.env.CI) throw new Error(`CI needs Debian's r-cran-rsdmx (${RSCRIPT} with library(rsdmx)) for the SDMX client test (.ci/run installs it)`);
if (!available) console.warn(`rsdmx test skipped: no ${RSCRIPT} with the rsdmx package (apt-get install r-cran-rsdmx); CI runs it.`);
const describeIfR = available ? describe.each(testDatabases()) : describe.skip.each(testDatabases());

const run = promisify(execFile);
const SCRIPT = path.join(__dirname, '..', 'support', 'rsdmx-read.R');
const STATS = `query($i: String!, $p: [String!]!) {
  statistics(indicator: $i, area: "VN", periods: $p, breakdown: CHILDREN) { rows { unit { code } period female { value } male { value } total { value } reportingUnits } }
}`;

/** A CSV rsdmx wrote (R quotes every text field), as records by column name. */
function readCsv(dir: string, name: string): Record<string, string>[] {
  const [header, ...lines] = parseCsv(fs.readFileSync(path.join(dir, `${name}.csv`), 'utf8'));
  return lines.map((line) => Object.fromEntries(header.map((column, i) => [column, line[i]])));
}

describeIfR('rsdmx reads the SDMX web service on $name', (db) => {
  let server: TestServer;
  let dir: string;
  let provinces: string[];
  let rows: { unit: { code: string }; period: string; female: { value: number } | null; male: { value: number } | null; total: { value: number } | null; reportingUnits: number }[];

  beforeAll(async () => {
    server = await startTestServer(db);
    const national = server.token('VN', 'ANALYST');
    const stats = await server.gql(STATS, { i: 'PEOPLES_COUNCIL_DEPUTY', p: ['2026'] }, national);
    expect(stats.errors).toBeUndefined();
    rows = stats.data!.statistics.rows;
    provinces = rows.map((r) => r.unit.code);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsdmx-'));
    const key = `A.${provinces.join('+')}.PEOPLES_COUNCIL_DEPUTY.F+M+_T?startPeriod=2026&endPeriod=2026`;
    await run(RSCRIPT, [SCRIPT, `${server.url}/sdmx/rest`, national, server.token('20', 'ANALYST'), key, dir], { timeout: 150_000 });
  });
  afterAll(async () => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await server?.close();
  });

  it('reads the dataflow and the DSD with its dimensions, attributes and code lists', () => {
    expect(readCsv(dir, 'dataflows').map((f) => [f.id, f.agencyID, f.version, f.dsdRef])).toEqual([['GENDER_STATISTICS', 'BDG', '1.0', 'DSD_GENDER_STATISTICS']]);
    expect(readCsv(dir, 'components').map((c) => `${c.component}:${c.conceptRef}:${c.codelist === 'NA' ? '' : c.codelist}`)).toEqual([
      'Dimension:FREQ:CL_FREQ', 'Dimension:REF_AREA:CL_AREA', 'Dimension:INDICATOR:CL_INDICATOR', 'Dimension:SEX:CL_SEX',
      'Dimension:AGE:CL_AGE', 'Dimension:ETHNICITY:CL_ETHNICITY', 'Dimension:URBANISATION:CL_URBANISATION', 'Dimension:DISABILITY:CL_DISABILITY',
      'TimeDimension:TIME_PERIOD:', 'PrimaryMeasure:OBS_VALUE:',
      'Attribute:UNIT_MEASURE:CL_UNIT_MEASURE', 'Attribute:UNIT_MULT:CL_UNIT_MULT', 'Attribute:OBS_STATUS:CL_OBS_STATUS', 'Attribute:REPORTING_UNITS:', 'Attribute:EXPECTED_UNITS:',
    ]);
  });

  it('reads code lists into data frames with ids and names in English and Vietnamese', async () => {
    expect(readCsv(dir, 'codelists').map((c) => c.id)).toEqual(['CL_FREQ', 'CL_INDICATOR', 'CL_SEX', 'CL_UNIT_MEASURE']);
    expect(readCsv(dir, 'cl_sex').map((c) => [c.id, c['label.en'], c['label.vi']])).toEqual([['F', 'Female', 'Nữ'], ['M', 'Male', 'Nam'], ['_T', 'Total', 'Tổng số']]);
    const indicators = readCsv(dir, 'cl_indicator');
    const { data } = await server.gql(`{ indicators { code name nameEn } }`, {}, server.token('VN', 'ANALYST'));
    expect(indicators.map((i) => [i.id, i['label.vi'], i['label.en']])).toEqual(data!.indicators.map((i: { code: string; name: string; nameEn: string }) => [i.code, i.name.normalize('NFC'), i.nameEn]).sort((a: string[], b: string[]) => (a[0] < b[0] ? -1 : 1)));
    const areas = readCsv(dir, 'cl_area').map((a) => a.id);
    expect(areas).toContain('20');
    expect(areas).toContain('06601');
    expect(areas).not.toContain('01');
    expect(areas.every((code) => code === '20' || code.length > 2)).toBe(true);
  });

  it.each(['generic', 'structurespecific'])('reads a national data query (%s) with the value of statistics(VN, breakdown: CHILDREN) for every province', (format) => {
    // rsdmx names the time and value columns obsTime and obsValue for generic data, by their DSD ids for structure-specific data.
    const frame = readCsv(dir, `data_${format}`).map((f): Record<string, string> => ({ ...f, obsTime: f.obsTime ?? f.TIME_PERIOD, obsValue: f.obsValue ?? f.OBS_VALUE }));
    const expected = rows.flatMap((r) =>
      (['F', 'M', '_T'] as const).flatMap((sex) => {
        const aggregate = sex === 'F' ? r.female : sex === 'M' ? r.male : r.total;
        return aggregate ? [{ area: r.unit.code, sex, time: r.period, value: aggregate.value, reporting: String(r.reportingUnits) }] : [];
      }),
    );
    // The demo has data in a few provinces; a province without any has no series (SDMX leaves out empty series).
    expect(expected.length).toBeGreaterThanOrEqual(15);
    expect(new Set(frame.map((f) => f.REF_AREA))).toEqual(new Set(expected.map((e) => e.area)));
    expect(frame.map((f) => ({ area: f.REF_AREA, sex: f.SEX, time: f.obsTime, reporting: f.REPORTING_UNITS })).sort((a, b) => `${a.area}${a.sex}`.localeCompare(`${b.area}${b.sex}`))).toEqual(
      expected.map(({ area, sex, time, reporting }) => ({ area, sex, time, reporting })).sort((a, b) => `${a.area}${a.sex}`.localeCompare(`${b.area}${b.sex}`)),
    );
    for (const e of expected) {
      const found = frame.find((f) => f.REF_AREA === e.area && f.SEX === e.sex)!;
      // R writes 15 significant digits.
      expect({ area: e.area, sex: e.sex, close: Math.abs(Number(found.obsValue) - e.value) <= 1e-12 * Math.max(1, Math.abs(e.value)) }).toEqual({ area: e.area, sex: e.sex, close: true });
    }
  });

  it("runs the README's rsdmx lines as written, with a statistics office's token", async () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## For statistical offices'));
    const lines = /```r\n([\s\S]*?)```/.exec(section)![1].replace('http://localhost:4000', server.url);
    const file = path.join(dir, 'readme.R');
    fs.writeFileSync(file, lines);
    const { stdout } = await run(RSCRIPT, [file], { timeout: 120_000, env: { ...process.env, BDG_TOKEN: server.token('20', 'STATISTICS_OFFICE') } });
    const printed = stdout.split('\n').filter((line) => /^\d+\s+20\s/.test(line.trim()));
    // Two sexes × three years, each approved-only (A).
    expect(printed).toHaveLength(6);
    expect(printed.every((line) => /\s(F|M)\s+202[4-6]\s+[\d.]+\s+A$/.test(line.trim()))).toBe(true);
  });
});
