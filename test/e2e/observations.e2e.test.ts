import fs from 'node:fs';
import { announceReferenceChange } from '../../server/core/reference-cache';
import path from 'node:path';
import { Observation } from '../../server/observations/observation.entity';
import { ObservationRevision } from '../../server/observations/observation-revision.entity';
import { formatCsvErrors, importObservationsFile } from '../../server/observations/observation-csv';
import { ARTIFACTS, testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

const RECORD = `mutation($input: [ObservationInput!]!, $dryRun: Boolean) {
  recordObservations(input: $input, dryRun: $dryRun) { applied accepted rejected changed errors { index field message code } }
}`;
const LIST = `query($indicator: String, $unit: String, $d: Boolean, $periods: [String!], $first: Int) {
  observations(indicator: $indicator, unit: $unit, includeDescendants: $d, periods: $periods, first: $first) {
    totalCount
    edges { node { id period sex numerator denominator value status version unit { code } indicator { code factor }
      history { version oldNumerator newNumerator oldStatus newStatus changedBy comment } } }
  }
}`;

interface Row {
  indicator: string;
  unit: string;
  period: string;
  sex: string;
  numerator: number;
  denominator?: number | null;
  expectedVersion?: number | null;
  comment?: string;
  dimensions?: { dimension: string; value: string }[];
}

describe.each(testDatabases())('indicators and observations on $name', (db) => {
  let server: TestServer;
  let loiBacEditor: string;
  let langSonAnalyst: string;
  let langSonAdmin: string;
  let langSonEditor: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    loiBacEditor = server.token('06601', 'EDITOR');
    langSonAnalyst = server.token('20', 'ANALYST');
    langSonAdmin = server.token('20', 'ADMIN');
    langSonEditor = server.token('20', 'EDITOR');
  });
  afterAll(() => server?.close());

  const record = async (input: Row[], token: string, dryRun = false) => {
    const result = await server.gql(RECORD, { input, dryRun }, token);
    expect(result.errors).toBeUndefined();
    return result.data!.recordObservations as { applied: boolean; accepted: number; rejected: number; changed: number; errors: { index: number; field: string | null; message: string; code: string }[] };
  };
  /** The errors of a batch that must be rejected, as [index, field, code]. */
  const rejects = async (input: Row[], token = langSonAdmin) => {
    const result = await record(input, token);
    expect(result.applied).toBe(false);
    return result.errors.map((e) => [e.index, e.field, e.code]);
  };
  const count = async (where: string, params: unknown[] = []) => {
    const rows = await server.dataSource.query(`SELECT COUNT(*) AS n FROM observation WHERE ${where}`, params);
    return Number(rows[0].n);
  };
  const villages = async (underCode: string | null, limit = 100000): Promise<string[]> => {
    const rows: { code: string }[] = underCode
      ? await server.dataSource.query(
          `SELECT u.code AS code FROM administrative_unit u JOIN unit_placement p ON p.unit_id = u.id
           WHERE u.level = 'VILLAGE' AND u.valid_from IS NULL AND p.valid_to IS NULL
             AND p.parent_id IN (SELECT c.unit_id FROM unit_placement c JOIN unit_placement pp ON pp.unit_id = c.parent_id JOIN administrative_unit pu ON pu.id = pp.unit_id
                                 WHERE pu.code = ? AND pu.valid_to IS NULL AND c.valid_to IS NULL)
           ORDER BY u.code`,
          [underCode],
        )
      : await server.dataSource.query(`SELECT code FROM administrative_unit WHERE level = 'VILLAGE' AND valid_from IS NULL ORDER BY code`);
    return rows.map((r) => r.code).slice(0, limit);
  };

  it('lists the catalogue, covering every machine-readable target of the seed plans', async () => {
    const { data, errors } = await server.gql(`{ all: indicators { code name nameEn domain valueType factor unitOfMeasure entryLevel sexDisaggregated temporalAggregation periodType }
      health: indicators(domain: HEALTH) { code } }`, {}, langSonAnalyst);
    expect(errors).toBeUndefined();
    const codes = new Set(data!.all.map((i: { code: string }) => i.code));
    const dir = path.join(__dirname, '..', '..', 'data', 'seeds', 'plans');
    const targets: string[] = [];
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const plan = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      for (const objective of plan.objectives ?? []) for (const target of objective.targets) if (target.indicator) targets.push(target.indicator);
    }
    expect(targets.length).toBeGreaterThan(10);
    expect(targets.filter((code) => !codes.has(code))).toEqual([]);
    const catalogue = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'data', 'indicators', 'catalogue.json'), 'utf8'));
    expect(codes.size).toBe(catalogue.length);
    const mmr = data!.all.find((i: { code: string }) => i.code === 'MATERNAL_MORTALITY_RATIO');
    expect(mmr).toMatchObject({ factor: 100000, valueType: 'RATIO', domain: 'HEALTH', entryLevel: 'PROVINCE', sexDisaggregated: false, temporalAggregation: 'FLOW', periodType: 'YEAR' });
    expect(data!.all.find((i: { code: string }) => i.code === 'FEMALE_KEY_LEADER')).toMatchObject({ valueType: 'BOOLEAN', factor: 100, entryLevel: 'VILLAGE', temporalAggregation: 'STOCK' });
    expect(data!.health.map((i: { code: string }) => i.code).sort()).toEqual(catalogue.filter((i: { domain: string }) => i.domain === 'HEALTH').map((i: { code: string }) => i.code).sort());
  });

  it('has plausible, mostly approved demo observations for 2023–2026', async () => {
    const byStatus: { status: string; n: number }[] = await server.dataSource.query('SELECT status, COUNT(*) AS n FROM observation GROUP BY status');
    const total = byStatus.reduce((sum, r) => sum + Number(r.n), 0);
    expect(total).toBeGreaterThan(50000);
    expect(total).toBeLessThanOrEqual(150000);
    expect(Number(byStatus.find((r) => r.status === 'APPROVED')!.n) / total).toBeGreaterThan(0.8);
    const ratio: { n: number; d: number }[] = await server.dataSource.query(
      `SELECT SUM(o.numerator) AS n, SUM(o.denominator) AS d FROM observation o JOIN indicator i ON i.id = o.indicator_id WHERE i.code = 'SEX_RATIO_AT_BIRTH'`,
    );
    const sexRatio = (100 * Number(ratio[0].n)) / Number(ratio[0].d);
    expect(sexRatio).toBeGreaterThan(105);
    expect(sexRatio).toBeLessThan(112);
    const periods: { period: string }[] = await server.dataSource.query(`SELECT DISTINCT period FROM observation ORDER BY period`);
    expect(periods.map((p) => p.period)).toEqual(expect.arrayContaining(['2023', '2024', '2025', '2026', '2026Q3']));
    const loiBac = await server.gql(LIST, { indicator: 'FEMALE_KEY_LEADER', unit: '06601', d: true, periods: ['2024', '2026'], first: 100 }, langSonAnalyst);
    expect(loiBac.data!.observations.totalCount).toBeGreaterThanOrEqual(8);
    expect(loiBac.data!.observations.edges.every((e: any) => [0, 1].includes(e.node.numerator) && e.node.history.length >= 1)).toBe(true);
  });

  it('lets a Lợi Bác EDITOR record FEMALE and MALE rows that a Lạng Sơn ANALYST reads back with history', async () => {
    // The catalogue has no village-level sex-disaggregated indicator, so the test adds one.
    await server.dataSource.query(
      `INSERT INTO indicator (code, name, name_en, domain, value_type, factor, unit_of_measure, entry_level, sex_disaggregated, temporal_aggregation, period_type, numerator_label, denominator_label, source)
       VALUES ('TEST_VILLAGE_HEAD', 'Chủ hộ', 'Household heads', 'ECONOMY_LABOUR', 'COUNT', 1, 'người', 'VILLAGE', ?, 'STOCK', 'YEAR', 'chủ hộ', NULL, 'test')`,
      [true],
    );
    // Servers cache the catalogue: a writer announces its change (README, "Cached reference data").
    await announceReferenceChange(server.dataSource, ['catalogue'], null);
    const village = '0660101';
    const first = await record(
      [
        { indicator: 'TEST_VILLAGE_HEAD', unit: village, period: '2027', sex: 'FEMALE', numerator: 41, comment: 'điều tra hộ' },
        { indicator: 'TEST_VILLAGE_HEAD', unit: village, period: '2027', sex: 'MALE', numerator: 87 },
        { indicator: 'PEOPLES_COUNCIL_DEPUTY', unit: '06601', period: '2027', sex: 'FEMALE', numerator: 9 },
        { indicator: 'PEOPLES_COUNCIL_DEPUTY', unit: '06601', period: '2027', sex: 'MALE', numerator: 16 },
        { indicator: 'FEMALE_KEY_LEADER', unit: village, period: '2027', sex: 'TOTAL', numerator: 1 },
      ],
      loiBacEditor,
    );
    expect(first).toEqual({ applied: true, accepted: 5, rejected: 0, changed: 5, errors: [] });
    const corrected = await record([{ indicator: 'TEST_VILLAGE_HEAD', unit: village, period: '2027', sex: 'FEMALE', numerator: 43, expectedVersion: 1, comment: 'sửa số liệu' }], loiBacEditor);
    expect(corrected.applied).toBe(true);

    const { data, errors } = await server.gql(LIST, { indicator: 'TEST_VILLAGE_HEAD', unit: '06601', d: true, periods: ['2027'] }, langSonAnalyst);
    expect(errors).toBeUndefined();
    const nodes = data!.observations.edges.map((e: any) => e.node).sort((a: any, b: any) => a.sex.localeCompare(b.sex));
    expect(data!.observations.totalCount).toBe(2);
    expect(nodes[0]).toMatchObject({ sex: 'FEMALE', numerator: 43, denominator: 1, value: 43, status: 'DRAFT', version: 2, unit: { code: village } });
    expect(nodes[0].history).toEqual([
      { version: 1, oldNumerator: null, newNumerator: 41, oldStatus: null, newStatus: 'DRAFT', changedBy: 'test-editor@06601', comment: 'điều tra hộ' },
      { version: 2, oldNumerator: 41, newNumerator: 43, oldStatus: 'DRAFT', newStatus: 'DRAFT', changedBy: 'test-editor@06601', comment: 'sửa số liệu' },
    ]);
    expect(nodes[1]).toMatchObject({ sex: 'MALE', numerator: 87, version: 1 });
    const leader = await server.gql(LIST, { indicator: 'FEMALE_KEY_LEADER', unit: village, periods: ['2027'] }, langSonAnalyst);
    expect(leader.data!.observations.edges[0].node).toMatchObject({ value: 100, indicator: { code: 'FEMALE_KEY_LEADER', factor: 100 } });

    // Outside Lạng Sơn the rows do not exist; an ANALYST may not write.
    const hanoi = await server.gql(LIST, { indicator: 'TEST_VILLAGE_HEAD', periods: ['2027'] }, server.token('01', 'ANALYST'));
    expect(hanoi.data!.observations.totalCount).toBe(0);
    const analystWrite = await server.gql(RECORD, { input: [{ indicator: 'FEMALE_KEY_LEADER', unit: village, period: '2028', sex: 'TOTAL', numerator: 1 }] }, langSonAnalyst);
    expect(analystWrite.errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it('submits and approves: the unit above or an ADMIN approves, a STATISTICS_OFFICE sees approved rows only', async () => {
    const village = '0660102';
    // The village's value comes from a second commune clerk: its approver must be someone else than its writer.
    await record([{ indicator: 'VILLAGE_GE_OUTREACH', unit: village, period: '2027', sex: 'TOTAL', numerator: 1 }], server.token('06601', 'EDITOR', 'second-clerk@06601'));
    await record([{ indicator: 'GE_CONFERENCE', unit: '06601', period: '2027', sex: 'TOTAL', numerator: 2 }], loiBacEditor);
    const ids = async (indicator: string) => (await server.gql(LIST, { indicator, unit: '06601', d: true, periods: ['2027'] }, langSonAdmin)).data!.observations.edges.map((e: any) => e.node.id);
    const [villageId] = await ids('VILLAGE_GE_OUTREACH');
    const [communeId] = await ids('GE_CONFERENCE');
    expect(villageId).toMatch(/^Observation:\d+$/); // globally unique: never equal to another type's id
    expect((await server.gql(`query($id: ID!) { observation(id: $id) { id period } }`, { id: villageId }, langSonAnalyst)).data!.observation).toEqual({ id: villageId, period: '2027' });
    expect((await server.gql(`query($id: ID!) { observation(id: $id) { id } }`, { id: villageId }, server.token('01', 'ANALYST'))).data!.observation).toBeNull();
    const statsOffice = server.token('20', 'STATISTICS_OFFICE');
    const seen = async () => (await server.gql(LIST, { unit: '06601', d: true, periods: ['2027'] }, statsOffice)).data!.observations.totalCount;
    expect(await seen()).toBe(0);

    const submit = await server.gql(`mutation($ids: [ID!]!) { submitObservations(ids: $ids) { id status version } }`, { ids: [villageId, communeId] }, loiBacEditor);
    expect(submit.data!.submitObservations.map((o: any) => o.status)).toEqual(['SUBMITTED', 'SUBMITTED']);
    const approve = (ids: string[], token: string) => server.gql(`mutation($ids: [ID!]!) { approveObservations(ids: $ids, comment: "ok") { id status version history { newStatus } } }`, { ids }, token);
    // The commune EDITOR approves its villages, not itself; an ANALYST never; Hà Nội cannot see them.
    expect((await approve([communeId], loiBacEditor)).errors![0].extensions!.code).toBe('FORBIDDEN');
    expect((await approve([villageId, communeId], langSonAnalyst)).errors![0].extensions!.code).toBe('FORBIDDEN');
    expect((await approve([villageId], server.token('01', 'ADMIN'))).errors![0].extensions!.code).toBe('FORBIDDEN');
    const byCommune = await approve([villageId], loiBacEditor);
    expect(byCommune.errors).toBeUndefined();
    expect(byCommune.data!.approveObservations[0]).toMatchObject({ status: 'APPROVED', version: 3, history: [{ newStatus: 'DRAFT' }, { newStatus: 'SUBMITTED' }, { newStatus: 'APPROVED' }] });
    const byProvince = await approve([communeId], langSonEditor);
    expect(byProvince.data!.approveObservations[0].status).toBe('APPROVED');
    expect(await seen()).toBe(2);
    // Approving again is a no-op.
    expect((await approve([communeId], langSonAdmin)).data!.approveObservations[0].version).toBe(3);
  });

  const STATUS = (mutation: string) => `mutation($ids: [ID!]!) { ${mutation}(ids: $ids) { id status version history { newStatus changedBy } } }`;

  it('four eyes: the writer of a value cannot approve it, another authorised subject can, and both stay in the history', async () => {
    const writer = server.token('20', 'ADMIN', 'writer@20');
    await record([{ indicator: 'GE_CONFERENCE', unit: '06601', period: '2035', sex: 'TOTAL', numerator: 3 }], writer);
    const [id] = (await server.gql(LIST, { indicator: 'GE_CONFERENCE', unit: '06601', periods: ['2035'] }, langSonAdmin)).data!.observations.edges.map((e: any) => e.node.id);
    expect((await server.gql(STATUS('submitObservations'), { ids: [id] }, writer)).data!.submitObservations[0].status).toBe('SUBMITTED');
    const own = await server.gql(STATUS('approveObservations'), { ids: [id] }, writer);
    expect(own.errors![0]).toMatchObject({ message: expect.stringContaining('Four eyes'), extensions: { code: 'FORBIDDEN', field: 'ids' } });
    expect(await count(`status = 'APPROVED' AND period = '2035'`)).toBe(0);
    // The same subject under another role is still the writer.
    expect((await server.gql(STATUS('approveObservations'), { ids: [id] }, server.token('20', 'EDITOR', 'writer@20'))).errors![0].extensions!.code).toBe('FORBIDDEN');
    const other = await server.gql(STATUS('approveObservations'), { ids: [id] }, server.token('20', 'ADMIN', 'checker@20'));
    expect(other.errors).toBeUndefined();
    expect(other.data!.approveObservations[0]).toMatchObject({
      status: 'APPROVED',
      history: [
        { newStatus: 'DRAFT', changedBy: 'writer@20' },
        { newStatus: 'SUBMITTED', changedBy: 'writer@20' },
        { newStatus: 'APPROVED', changedBy: 'checker@20' },
      ],
    });
    // A change of the value makes its writer the one who may not approve the next version.
    await record([{ indicator: 'GE_CONFERENCE', unit: '06601', period: '2035', sex: 'TOTAL', numerator: 4 }], server.token('20', 'ADMIN', 'checker@20'));
    expect((await server.gql(STATUS('approveObservations'), { ids: [id] }, server.token('20', 'ADMIN', 'checker@20'))).errors![0].extensions!.code).toBe('FORBIDDEN');
    expect((await server.gql(STATUS('approveObservations'), { ids: [id] }, writer)).data!.approveObservations[0].status).toBe('APPROVED');
  });

  it('a STATISTICS_OFFICE never sees a revision that was not approved: not in lists, values or histories', async () => {
    const [writer, checker, office] = [server.token('20', 'ADMIN', 'w@20'), server.token('20', 'ADMIN', 'c@20'), server.token('20', 'STATISTICS_OFFICE')];
    const write = (numerator: number) => record([{ indicator: 'GE_CONFERENCE', unit: '06601', period: '2031', sex: 'TOTAL', numerator }], writer);
    const move = async (ids: string[]) => {
      expect((await server.gql(STATUS('submitObservations'), { ids }, writer)).errors).toBeUndefined();
      expect((await server.gql(STATUS('approveObservations'), { ids }, checker)).errors).toBeUndefined();
    };
    const seen = async () => (await server.gql(LIST, { indicator: 'GE_CONFERENCE', unit: '06601', periods: ['2031'] }, office)).data!.observations;
    await write(501);
    await write(502);
    const ids = (await server.gql(LIST, { indicator: 'GE_CONFERENCE', unit: '06601', periods: ['2031'] }, langSonAdmin)).data!.observations.edges.map((e: any) => e.node.id);
    expect((await seen()).totalCount).toBe(0);
    await move(ids);
    await write(503); // a draft over an approved value
    expect((await seen()).totalCount).toBe(0);
    await move(ids);
    const [node] = (await seen()).edges.map((e: any) => e.node);
    expect(node).toMatchObject({ numerator: 503, status: 'APPROVED' });
    expect(node.history.map((r: any) => [r.newStatus, r.oldNumerator, r.newNumerator])).toEqual([
      ['APPROVED', null, 502],
      ['APPROVED', null, 503],
    ]);
    expect(JSON.stringify(node)).not.toContain('501');
    // The analyst of the same province sees every revision.
    const full = (await server.gql(LIST, { indicator: 'GE_CONFERENCE', unit: '06601', periods: ['2031'] }, langSonAnalyst)).data!.observations.edges[0].node;
    expect(full.history.map((r: any) => r.newNumerator)).toEqual([501, 502, 502, 502, 503, 503, 503]);
  });

  it('rejects a 1,000-row batch with one bad row, writes it without, and is idempotent', async () => {
    const codes = await villages('20', 400);
    expect(codes.length).toBeGreaterThan(340);
    const rows: Row[] = [];
    for (const indicator of ['FEMALE_KEY_LEADER', 'VILLAGE_GBV_FOCAL_POINT', 'VILLAGE_GE_OUTREACH'])
      for (const unit of codes) if (rows.length < 1000) rows.push({ indicator, unit, period: '2040', sex: 'TOTAL', numerator: rows.length % 3 === 0 ? 0 : 1 });
    expect(rows.length).toBe(1000);
    const withBad = [...rows.slice(0, 537), { ...rows[0], unit: codes[1], numerator: 2 }, ...rows.slice(537)];
    withBad[537] = { ...withBad[537], unit: codes[1], period: '2041' };
    const bad = await record(withBad, langSonAdmin);
    expect(bad).toMatchObject({ applied: false, accepted: 1000, rejected: 1, changed: 0 });
    expect(bad.errors).toEqual([{ index: 537, field: 'numerator', code: 'BAD_USER_INPUT', message: expect.stringContaining('0 or 1') }]);
    expect(await count(`period IN ('2040', '2041')`)).toBe(0);

    const dry = await record(rows, langSonAdmin, true);
    expect(dry).toMatchObject({ applied: false, accepted: 1000, rejected: 0, changed: 1000 });
    expect(await count(`period = '2040'`)).toBe(0);

    const good = await record(rows, langSonAdmin);
    expect(good).toEqual({ applied: true, accepted: 1000, rejected: 0, changed: 1000, errors: [] });
    expect(await count(`period = '2040'`)).toBe(1000);
    const revisions = await server.dataSource.getRepository(ObservationRevision).count();
    const again = await record(rows, langSonAdmin);
    expect(again).toEqual({ applied: true, accepted: 1000, rejected: 0, changed: 0, errors: [] });
    expect(await server.dataSource.getRepository(ObservationRevision).count()).toBe(revisions);
    expect(await count(`period = '2040' AND version <> 1`)).toBe(0);
  });

  it('lets exactly one of two concurrent updates with the same expectedVersion win', async () => {
    const key = { indicator: 'GE_INSPECTION', unit: '06601', period: '2028', sex: 'TOTAL' };
    expect((await record([{ ...key, numerator: 1 }], loiBacEditor)).applied).toBe(true);
    const results = await Promise.all([3, 5].map((n) => record([{ ...key, numerator: n, expectedVersion: 1, comment: `client ${n}` }], loiBacEditor)));
    const winners = results.filter((r) => r.applied);
    const losers = results.filter((r) => !r.applied);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0].errors).toEqual([{ index: 0, field: 'expectedVersion', code: 'CONFLICT', message: expect.stringContaining('CONFLICT') }]);
    const { data } = await server.gql(LIST, { indicator: 'GE_INSPECTION', unit: '06601', periods: ['2028'] }, loiBacEditor);
    const node = data!.observations.edges[0].node;
    const winner = results.indexOf(winners[0]) === 0 ? 3 : 5;
    expect(node).toMatchObject({ numerator: winner, version: 2 });
    expect(node.history.map((h: any) => h.comment)).toEqual([null, `client ${winner}`]);
    // A stale version is a conflict too, and expectedVersion 0 means "must not exist yet".
    expect(await rejects([{ ...key, numerator: 7, expectedVersion: 1 }], loiBacEditor)).toEqual([[0, 'expectedVersion', 'CONFLICT']]);
    expect(await rejects([{ ...key, numerator: 7, expectedVersion: 0 }], loiBacEditor)).toEqual([[0, 'expectedVersion', 'CONFLICT']]);
  });

  it('serves more concurrent batches than pool connections', async () => {
    const codes = await villages('20', 12);
    const results = await Promise.all(codes.map((unit) => record([{ indicator: 'VILLAGE_GBV_FOCAL_POINT', unit, period: '2029', sex: 'TOTAL', numerator: 1 }], langSonAdmin)));
    expect(results.every((r) => r.applied)).toBe(true);
    expect(await count(`period = '2029'`)).toBe(codes.length);
  });

  describe('validation', () => {
    const v = '0660103';
    const ok = (over: Partial<Row>): Row => ({ indicator: 'FEMALE_KEY_LEADER', unit: v, period: '2030', sex: 'TOTAL', numerator: 1, ...over });

    it('checks indicator, unit, write scope and level', async () => {
      expect(await rejects([ok({ indicator: 'NO_SUCH' })])).toEqual([[0, 'indicator', 'BAD_USER_INPUT']]);
      // A unit that does not exist, one outside the writer's area and one visible but not writable are all refused writes.
      expect(await rejects([ok({ unit: '99999999' })])).toEqual([[0, 'unit', 'FORBIDDEN']]);
      const hanoiVillage = (await villages('01', 1))[0];
      expect(await rejects([ok({ unit: hanoiVillage })])).toEqual([[0, 'unit', 'FORBIDDEN']]);
      expect(await rejects([ok({ indicator: 'GE_INSPECTION', unit: '06601' })], langSonEditor)).toEqual([[0, 'unit', 'FORBIDDEN']]);
      expect(await rejects([ok({ unit: (await villages('20', 1))[0] })], loiBacEditor)).toEqual([[0, 'unit', 'FORBIDDEN']]);
      expect(await rejects([ok({ unit: '06601' })])).toEqual([[0, 'unit', 'BAD_USER_INPUT']]);
      expect(await rejects([ok({ indicator: 'MATERNAL_MORTALITY_RATIO', unit: '06601', denominator: 100 })])).toEqual([[0, 'unit', 'BAD_USER_INPUT']]);
    });

    it('checks periods and their type', async () => {
      for (const period of ['2026Q5', '26', '2026-13', '2026-00', '2026S3', 'abcd', '2026q1']) expect(await rejects([ok({ period })])).toEqual([[0, 'period', 'BAD_USER_INPUT']]);
      expect(await rejects([ok({ period: '2026Q1' })])).toEqual([[0, 'period', 'BAD_USER_INPUT']]);
      expect(await rejects([ok({ indicator: 'GE_NEWS_ITEM', unit: '06601', period: '2030' })])).toEqual([[0, 'period', 'BAD_USER_INPUT']]);
      expect((await record([ok({ indicator: 'GE_NEWS_ITEM', unit: '06601', period: '2030Q3', numerator: 2 })], loiBacEditor)).applied).toBe(true);
    });

    it('checks sexes', async () => {
      expect(await rejects([ok({ sex: 'FEMALE' })])).toEqual([[0, 'sex', 'BAD_USER_INPUT']]);
      const result = await server.gql(RECORD, { input: [ok({ sex: 'OTHER' })] }, langSonAdmin);
      expect(result.errors).toHaveLength(1); // not an enum value: refused before any resolver runs
      expect(result.data?.recordObservations).toBeFalsy();
    });

    it('checks components by value type', async () => {
      const proportion = (numerator: number, denominator?: number | null): Row => ({ indicator: 'GE_STAFF_TRAINED', unit: '06601', period: '2030', sex: 'TOTAL', numerator, denominator });
      expect(await rejects([ok({ numerator: -1 })])).toEqual([[0, 'numerator', 'BAD_USER_INPUT']]);
      expect(await rejects([ok({ numerator: 2 })])).toEqual([[0, 'numerator', 'BAD_USER_INPUT']]);
      expect(await rejects([ok({ numerator: 0.5 })])).toEqual([[0, 'numerator', 'BAD_USER_INPUT']]);
      expect(await rejects([ok({ denominator: 2 })])).toEqual([[0, 'denominator', 'BAD_USER_INPUT']]);
      expect(await rejects([{ ...ok({}), indicator: 'GE_INSPECTION', unit: '06601', numerator: 3, denominator: 5 }])).toEqual([[0, 'denominator', 'BAD_USER_INPUT']]);
      expect(await rejects([{ ...ok({}), indicator: 'GE_INSPECTION', unit: '06601', numerator: 2.5 }])).toEqual([[0, 'numerator', 'BAD_USER_INPUT']]);
      expect(await rejects([proportion(11, 10)])).toEqual([[0, 'numerator', 'BAD_USER_INPUT']]);
      expect(await rejects([proportion(0, 0)])).toEqual([[0, 'denominator', 'BAD_USER_INPUT']]);
      expect(await rejects([proportion(3, -4)])).toEqual([[0, 'denominator', 'BAD_USER_INPUT']]);
      expect(await rejects([proportion(3)])).toEqual([[0, 'denominator', 'BAD_USER_INPUT']]);
      expect(await rejects([{ ...proportion(3, 10), dimensions: [{ dimension: 'ETHNICITY', value: 'MINORITY' }] }])).toEqual([[0, 'dimensions', 'BAD_USER_INPUT']]);
      const mean = { indicator: 'UNPAID_CARE_HOURS', unit: '06601', period: '2030', sex: 'FEMALE' };
      expect((await record([proportion(10, 10), { ...mean, numerator: 412.5, denominator: 90 }], langSonAdmin)).applied).toBe(true);
    });

    it('reports every bad row of a batch, and duplicates', async () => {
      const batch = [ok({}), ok({ numerator: 3 }), ok({ unit: '0660104' }), ok({ period: 'x' }), ok({ numerator: 0 })];
      expect(await rejects(batch)).toEqual([
        [1, 'numerator', 'BAD_USER_INPUT'],
        [3, 'period', 'BAD_USER_INPUT'],
        [4, null, 'BAD_USER_INPUT'],
      ]);
      expect(await count(`period = '2030' AND unit_id IN (SELECT id FROM administrative_unit WHERE code IN ('0660103', '0660104'))`)).toBe(0);
    });

    it('keeps TOTAL equal to FEMALE + MALE, in the batch or stored; TOTAL alone is allowed', async () => {
      const key = { indicator: 'WAGE_EMPLOYMENT_RATE', unit: '06601', period: '2031' };
      expect((await record([{ ...key, sex: 'TOTAL', numerator: 50, denominator: 100 }], langSonAdmin)).applied).toBe(true);
      expect(await rejects([{ ...key, sex: 'FEMALE', numerator: 25, denominator: 40 }, { ...key, sex: 'MALE', numerator: 25, denominator: 50 }])).toEqual([
        [0, 'denominator', 'BAD_USER_INPUT'],
        [1, 'denominator', 'BAD_USER_INPUT'],
      ]);
      expect((await record([{ ...key, sex: 'FEMALE', numerator: 25, denominator: 45 }, { ...key, sex: 'MALE', numerator: 25, denominator: 55 }], langSonAdmin)).applied).toBe(true);
      expect(await rejects([{ ...key, sex: 'TOTAL', numerator: 51, denominator: 100 }])).toEqual([[0, 'numerator', 'BAD_USER_INPUT']]);
      const all = [
        { ...key, period: '2032', sex: 'FEMALE', numerator: 1, denominator: 2 },
        { ...key, period: '2032', sex: 'MALE', numerator: 1, denominator: 2 },
        { ...key, period: '2032', sex: 'TOTAL', numerator: 2, denominator: 5 },
      ];
      expect(await rejects(all)).toEqual([[2, 'denominator', 'BAD_USER_INPUT']]);
      all[2].denominator = 4;
      expect((await record(all, langSonAdmin)).applied).toBe(true);
    });

    it('keeps a sex-disaggregated COUNT’s TOTAL equal to FEMALE + MALE in numerators (every denominator is 1)', async () => {
      const key = { indicator: 'PEOPLES_COUNCIL_DEPUTY', unit: '06601', period: '2031' };
      const rows = [
        { ...key, sex: 'FEMALE', numerator: 3 },
        { ...key, sex: 'MALE', numerator: 5 },
        { ...key, sex: 'TOTAL', numerator: 9 },
      ];
      expect(await rejects(rows)).toEqual([[2, 'numerator', 'BAD_USER_INPUT']]);
      rows[2].numerator = 8;
      expect((await record(rows, langSonAdmin)).applied).toBe(true);
    });
  });

  describe('CSV import', () => {
    const file = (name: string) => path.join(ARTIFACTS, `${name}-${db.name}-${process.pid}.csv`);
    afterAll(() => fs.readdirSync(ARTIFACTS).filter((f) => f.endsWith(`-${db.name}-${process.pid}.csv`)).forEach((f) => fs.rmSync(path.join(ARTIFACTS, f))));

    it('loads nothing from a file with a bad row and names its line and reason', async () => {
      const csv = '\uFEFFindicator,unit,period,sex,numerator,denominator\r\nFEMALE_KEY_LEADER,0660101,2033,TOTAL,1,1\r\nFEMALE_KEY_LEADER,0660102,2033,TOTAL,abc,\r\n"FEMALE_KEY_LEADER",0660103,2033,TOTAL,0,\r\n';
      fs.writeFileSync(file('bad'), csv);
      const { result, lines } = await importObservationsFile(server.dataSource, file('bad'));
      expect(result.applied).toBe(false);
      expect(formatCsvErrors(result.errors, lines)).toEqual(['line 3: numerator: Numerator must be a finite number']);
      expect(await count(`period = '2033'`)).toBe(0);
      fs.writeFileSync(file('good'), csv.replace('abc', '1'));
      const good = await importObservationsFile(server.dataSource, file('good'));
      expect(good.result).toMatchObject({ applied: true, changed: 3 });
      expect(await count(`period = '2033'`)).toBe(3);
    });

    it('loads 100,000 rows in one batch', async () => {
      const codes = await villages(null);
      const lines = ['indicator,unit,period,sex,numerator,denominator,source,comment'];
      for (let year = 2050; lines.length <= 100000; year++)
        for (const indicator of ['FEMALE_KEY_LEADER', 'VILLAGE_GBV_FOCAL_POINT', 'VILLAGE_GE_OUTREACH'])
          for (const unit of codes) if (lines.length <= 100000) lines.push(`${indicator},${unit},${year},TOTAL,${(lines.length * 7) % 2},1,bulk,`);
      fs.writeFileSync(file('bulk'), lines.join('\n'));
      const started = Date.now();
      const { result } = await importObservationsFile(server.dataSource, file('bulk'));
      const seconds = (Date.now() - started) / 1000;
      process.stderr.write(`[${db.name}] imported 100,000 rows in ${seconds.toFixed(1)} s (${Math.round(100000 / seconds)} rows/s)\n`);
      expect(result).toMatchObject({ applied: true, accepted: 100000, changed: 100000 });
      expect(await count(`period >= '2050' AND period < '2100'`)).toBe(100000);
      expect(await server.dataSource.getRepository(Observation).count({ where: { source: 'bulk' } })).toBe(100000);
    }, 180_000);
  });
});
