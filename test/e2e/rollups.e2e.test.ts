import { StatementCounter } from '../../server/core/query-counter';
import { recomputeRollups } from '../../server/statistics/rollup.rebuild';
import { readRollupTable, rollupDifferences } from '../../server/statistics/rollup.store';
import { testDatabases } from '../support/databases';
import { mulberry32 } from '../support/random';
import { startTestServer, TestServer } from '../support/server';

/**
 * The maintained statistics rollups: they stay equal to a full recomputation from the raw rows
 * through concurrent writes and approvals, the CURRENT hierarchy basis maps older data onto
 * today's units as documented (checked against a computation in the test that walks parent and
 * lineage links), and a statistics request runs the same number of SQL statements whether it
 * summarises the whole country or one commune.
 */
const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied accepted errors { index field message } } }`;
const APPROVE = `mutation($ids: [ID!]!) { approveObservations(ids: $ids) { id status } }`;
const STATS = `query($i: String!, $a: String!, $p: [String!]!, $b: Breakdown, $h: HierarchyBasis) {
  statistics(indicator: $i, area: $a, periods: $p, breakdown: $b, hierarchy: $h) {
    rows { unit { code level } period female { numerator denominator } male { numerator denominator } total { numerator denominator } reportingUnits expectedUnits }
  }
}`;

interface IndicatorRow {
  id: number;
  code: string;
  value_type: string;
  entry_level: string;
  temporal_aggregation: string;
  period_type: string;
  sex_disaggregated: number | boolean;
}


describe.each(testDatabases())('statistics rollups on $name', (db) => {
  let server: TestServer;
  let admin: string;
  const rnd = mulberry32(4242);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

  beforeAll(async () => {
    server = await startTestServer(db);
    admin = server.token('20', 'ADMIN');
  });
  afterAll(() => server?.close());

  const q = (sql: string, params: unknown[] = []) => server.dataSource.query(sql, params);
  const validOn = (alias: string) => `(${alias}.valid_from IS NULL OR ${alias}.valid_from <= ?) AND (${alias}.valid_to IS NULL OR ${alias}.valid_to >= ?)`;

  /** Units of a level under a unit code on a date, walking parent links. */
  async function unitsUnder(code: string, level: string, date: string): Promise<{ id: number; code: string }[]> {
    const rows: { id: number; parent: number | null; code: string; level: string }[] = await q(
      `SELECT p.unit_id AS id, p.parent_id AS parent, u.code AS code, u.level AS level FROM unit_placement p JOIN administrative_unit u ON u.id = p.unit_id WHERE ${validOn('p')}`,
      [date, date],
    );
    const byId = new Map(rows.map((r) => [Number(r.id), { ...r, id: Number(r.id), parent: r.parent === null ? null : Number(r.parent) }]));
    const root = [...byId.values()].find((u) => u.code === code)!.id;
    const under = (id: number) => {
      for (let at: number | null = id; at !== null; at = byId.get(at)?.parent ?? null) if (at === root) return true;
      return false;
    };
    return [...byId.values()].filter((u) => u.level === level && under(u.id)).sort((a, b) => a.code.localeCompare(b.code));
  }

  async function indicatorsWhere(where: string): Promise<IndicatorRow[]> {
    const rows: IndicatorRow[] = await q(`SELECT id, code, value_type, entry_level, temporal_aggregation, period_type, sex_disaggregated FROM indicator WHERE ${where} ORDER BY code`);
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  /** A valid random row of an indicator for a unit and period. */
  function row(indicator: IndicatorRow, unit: string, period: string, sex: string): Record<string, unknown> {
    const base = { indicator: indicator.code, unit, period, sex };
    switch (indicator.value_type) {
      case 'BOOLEAN':
        return { ...base, numerator: rnd() < 0.5 ? 1 : 0 };
      case 'COUNT':
        return { ...base, numerator: int(0, 30) };
      case 'MEAN': {
        const d = int(1, 80);
        return { ...base, numerator: d * int(1, 9), denominator: d };
      }
      default: {
        const d = int(1, 900);
        return { ...base, numerator: int(0, d), denominator: d };
      }
    }
  }

  const sexes = (indicator: IndicatorRow) => (Number(indicator.sex_disaggregated) ? ['FEMALE', 'MALE'] : ['TOTAL']);

  async function stored() {
    return { expected: await recomputeRollups(server.dataSource.manager), actual: await readRollupTable(server.dataSource.manager) };
  }

  it('equal a full recomputation on the demo data', async () => {
    const { expected, actual } = await stored();
    expect(actual.size).toBeGreaterThan(1000);
    expect(rollupDifferences(expected, actual)).toEqual([]);
  });

  it('stay equal to a full recomputation after a concurrent burst of overlapping writes and approvals', async () => {
    const villages = (await unitsUnder('06601', 'VILLAGE', '2026-12-31')).slice(0, 30).map((u) => u.code);
    const communes = (await unitsUnder('20', 'COMMUNE', '2026-12-31')).slice(0, 12).map((u) => u.code);
    const legacyCommunes = (await unitsUnder('20', 'COMMUNE', '2024-12-31')).slice(0, 12).map((u) => u.code);
    const [leader] = await indicatorsWhere(`code = 'FEMALE_KEY_LEADER'`);
    const [news] = await indicatorsWhere(`code = 'GE_NEWS_ITEM'`);
    const [flow] = await indicatorsWhere(`entry_level = 'COMMUNE' AND period_type = 'YEAR' AND temporal_aggregation = 'FLOW' AND sex_disaggregated = ${db.name === 'sqlite' ? 1 : 'TRUE'}`);
    const [stock] = await indicatorsWhere(`entry_level = 'COMMUNE' AND period_type = 'YEAR' AND temporal_aggregation = 'STOCK' AND value_type = 'PROPORTION'`);
    expect([leader, news, flow, stock].every(Boolean)).toBe(true);

    // 24 batches over a small pool of keys, so batches overlap on keys and on every aggregate:
    // village stocks of 2026 (updating demo rows) and 2027, quarterly flows (read as quarters,
    // semesters and the year), yearly flows and stocks of current communes and of 2024's legacy
    // communes (which also move the CURRENT basis through the lineage).
    const batches = Array.from({ length: 24 }, () => {
      const input: Record<string, unknown>[] = [];
      const seen = new Set<string>();
      const add = (r: Record<string, unknown>) => {
        const key = `${r.indicator}|${r.unit}|${r.period}|${r.sex}`;
        if (!seen.has(key)) input.push(r);
        seen.add(key);
      };
      for (let i = 0; i < 12; i++) add(row(leader, villages[int(0, villages.length - 1)], rnd() < 0.5 ? '2026' : '2027', 'TOTAL'));
      for (let i = 0; i < 8; i++) add(row(news, communes[int(0, communes.length - 1)], `2027Q${int(1, 4)}`, 'TOTAL'));
      for (let i = 0; i < 6; i++) {
        const unit = communes[int(0, communes.length - 1)];
        for (const sex of sexes(flow)) add(row(flow, unit, '2027', sex));
      }
      for (let i = 0; i < 6; i++) {
        const unit = legacyCommunes[int(0, legacyCommunes.length - 1)];
        for (const sex of sexes(stock)) add(row(stock, unit, '2024', sex));
        for (const sex of sexes(flow)) add(row(flow, unit, '2024', sex));
      }
      return input;
    });
    const approvable: { id: number | string }[] = await q(
      `SELECT o.id FROM observation o JOIN administrative_unit u ON u.id = o.unit_id WHERE o.status <> 'APPROVED' AND o.period = '2026' AND u.code IN (${villages.map(() => '?').join(', ')}) ORDER BY o.id`,
      villages,
    );
    expect(approvable.length).toBeGreaterThan(3);
    const approvals = [0, 1, 2, 3].map((k) => approvable.filter((_, i) => i % 4 === k || i % 3 === 0).map((o) => `obs:${o.id}`));

    const before = await q(`SELECT COUNT(*) AS n FROM observation_revision`);
    const outcomes = await Promise.all([
      ...batches.map((input) => server.gql(RECORD, { input }, admin)),
      // Four eyes: the approvals come from another ADMIN than the writer.
      ...approvals.map((ids) => server.gql(APPROVE, { ids }, server.token('20', 'ADMIN', 'checker@20'))),
    ]);
    const failures = outcomes.filter((o) => o.errors).map((o) => o.errors![0].message);
    expect(failures).toEqual([]);
    expect(outcomes.slice(0, batches.length).every((o) => o.data!.recordObservations.applied)).toBe(true);
    const after = await q(`SELECT COUNT(*) AS n FROM observation_revision`);
    expect(Number(after[0].n) - Number(before[0].n)).toBeGreaterThan(300);

    const { expected, actual } = await stored();
    expect(rollupDifferences(expected, actual)).toEqual([]);

    // The comparison can fail: one stored row nudged is reported.
    await q(`UPDATE statistics_rollup SET female_numerator = female_numerator + 1 WHERE indicator_id = ? AND period = '2027' AND scope = 'ALL' AND basis = 'PERIOD' AND female_rows > 0 AND unit_id = (SELECT id FROM administrative_unit WHERE code = '20' AND valid_to IS NULL)`, [flow.id]);
    expect(rollupDifferences(expected, await readRollupTable(server.dataSource.manager))).toHaveLength(1);
    await q(`UPDATE statistics_rollup SET female_numerator = female_numerator - 1 WHERE indicator_id = ? AND period = '2027' AND scope = 'ALL' AND basis = 'PERIOD' AND female_rows > 0 AND unit_id = (SELECT id FROM administrative_unit WHERE code = '20' AND valid_to IS NULL)`, [flow.id]);

    // And statistics read them: the province's 2027 news items are the sum of the quarters written.
    const written: { n: number | string }[] = await q(`SELECT SUM(numerator) AS n FROM observation WHERE indicator_id = ? AND period LIKE '2027Q%'`, [news.id]);
    const { data } = await server.gql(STATS, { i: 'GE_NEWS_ITEM', a: '20', p: ['2027', '2027S1', '2027S2'] }, admin);
    const [year, s1, s2] = data!.statistics.rows;
    expect(year.total.numerator).toBe(Number(written[0].n));
    expect(s1.total.numerator + s2.total.numerator).toBe(Number(written[0].n));
  });

  /** Today's placements, the lineage and unit validity, read once with plain SQL. */
  async function loadWorld() {
    const placements: { id: number; parent: number | null; code: string; validTo: string | null }[] = (
      await q(`SELECT p.unit_id AS id, p.parent_id AS parent, u.code AS code, p.valid_to AS validTo FROM unit_placement p JOIN administrative_unit u ON u.id = p.unit_id`)
    ).map((r: any) => ({ ...r, id: Number(r.id), parent: r.parent === null ? null : Number(r.parent) }));
    const current = new Map(placements.filter((p) => p.validTo === null).map((p) => [p.id, p]));
    const successors = new Map<number, number[]>();
    for (const r of await q(`SELECT predecessor_id AS p, successor_id AS s FROM unit_lineage`)) successors.set(Number(r.p), [...(successors.get(Number(r.p)) ?? []), Number(r.s)]);
    const units = new Map<number, { validFrom: string | null; validTo: string | null }>((await q(`SELECT id, valid_from AS validFrom, valid_to AS validTo FROM administrative_unit`)).map((r: any) => [Number(r.id), r]));
    const upwards = (id: number) => {
      const chain: number[] = [];
      for (let at: number | null = id; at !== null && current.has(at); at = current.get(at)!.parent) chain.push(at);
      return chain;
    };
    const mapped = (id: number, depth = 0): number[] => (current.has(id) ? [id] : depth > 4 ? [] : (successors.get(id) ?? []).flatMap((s) => mapped(s, depth + 1)));
    const chains = new Map<number, Set<number>>();
    const chainOf = (id: number) => {
      if (!chains.has(id)) chains.set(id, new Set(mapped(id).flatMap(upwards)));
      return chains.get(id)!;
    };
    return { current, units, chainOf };
  }

  /**
   * Independent reading of the CURRENT basis: each reporting entry unit goes to today's units
   * it is (or became, following lineage links), and every unit above those by parent links; a
   * stock counts only entry units in force at the end of the period.
   */
  async function expectedCurrent(world: Awaited<ReturnType<typeof loadWorld>>, code: string, area: string, period: string, breakdown: 'NONE' | 'CHILDREN') {
    const [indicator] = await indicatorsWhere(`code = '${code}'`);
    const end = `${period}-12-31`;
    const obs: { unit_id: number; sex: string; numerator: number }[] = (await q(`SELECT unit_id, sex, numerator FROM observation WHERE indicator_id = ? AND period = ? AND disaggregation = ''`, [indicator.id, period])).map((o: any) => ({
      ...o,
      unit_id: Number(o.unit_id),
      numerator: Number(o.numerator),
    }));
    const split = new Set(obs.filter((o) => o.sex !== 'TOTAL').map((o) => o.unit_id));
    const counted = obs.filter((o) => {
      const unit = world.units.get(o.unit_id)!;
      const inForce = (unit.validFrom === null || unit.validFrom <= end) && (unit.validTo === null || unit.validTo >= end);
      return indicator.temporal_aggregation !== 'STOCK' || inForce;
    });
    const areaId = [...world.current.values()].find((p) => p.code === area)!.id;
    const rowIds = breakdown === 'NONE' ? [areaId] : [...world.current.values()].filter((p) => p.parent === areaId).map((p) => p.id);
    return rowIds
      .map((rowId) => {
        const sums = { female: 0, male: 0, total: 0, reporting: new Set<number>() };
        for (const o of counted) {
          if (!world.chainOf(o.unit_id).has(rowId)) continue;
          sums.reporting.add(o.unit_id);
          if (o.sex === 'FEMALE') sums.female += o.numerator;
          if (o.sex === 'MALE') sums.male += o.numerator;
          // A unit's total is F + M when it gave a split, else its TOTAL row.
          if (o.sex !== 'TOTAL' || !split.has(o.unit_id)) sums.total += o.numerator;
        }
        return { code: world.current.get(rowId)!.code, female: sums.female, male: sums.male, total: sums.total, reporting: sums.reporting.size };
      })
      .sort((a, b) => a.code.localeCompare(b.code));
  }

  it('reads a 2023–2026 series on today’s units through the lineage (hierarchy: CURRENT)', async () => {
    // A yearly sex-disaggregated commune FLOW and STOCK with demo data in every year, and the village stock.
    const [flow] = await indicatorsWhere(`entry_level = 'COMMUNE' AND period_type = 'YEAR' AND temporal_aggregation = 'FLOW' AND sex_disaggregated = ${db.name === 'sqlite' ? 1 : 'TRUE'}`);
    const [stock] = await indicatorsWhere(`entry_level = 'COMMUNE' AND period_type = 'YEAR' AND temporal_aggregation = 'STOCK' AND sex_disaggregated = ${db.name === 'sqlite' ? 1 : 'TRUE'}`);
    const world = await loadWorld();
    for (const code of [flow.code, stock.code, 'FEMALE_KEY_LEADER']) {
      for (const [area, breakdown] of [['20', 'NONE'], ['31', 'CHILDREN'], ['06601', 'NONE'], ['16186', 'NONE']] as const) {
        const { data, errors } = await server.gql(STATS, { i: code, a: area, p: ['2023', '2024', '2025', '2026'], b: breakdown, h: 'CURRENT' }, server.token('VN', 'ANALYST'));
        expect(errors).toBeUndefined();
        const rows = data!.statistics.rows;
        for (const period of ['2023', '2024', '2025', '2026']) {
          const wanted = await expectedCurrent(world, code, area, period, breakdown);
          const got = rows.filter((r: any) => r.period === period);
          expect(got.map((r: any) => r.unit.code)).toEqual(wanted.map((w) => w.code));
          got.forEach((r: any, i: number) => {
            const w = wanted[i];
            const what = `${code} ${w.code} ${period}`;
            expect({ what, total: r.total?.numerator ?? 0, female: r.female?.numerator ?? 0, male: r.male?.numerator ?? 0, reporting: r.reportingUnits }).toEqual({ what, total: w.total, female: w.female, male: w.male, reporting: w.reporting });
          });
        }
      }
    }
    // Not vacuous: legacy communes' 2024 data reach today's communes of Hải Phòng, which did not exist then.
    const mapped = await expectedCurrent(world, flow.code, '31', '2024', 'CHILDREN');
    expect(mapped.filter((w) => w.reporting > 0).length).toBeGreaterThan(5);
    const asThen = await server.gql(STATS, { i: flow.code, a: '31', p: ['2024'], b: 'CHILDREN', h: 'PERIOD' }, server.token('VN', 'ANALYST'));
    expect(asThen.data!.statistics.rows.every((r: any) => r.unit.level === 'DISTRICT')).toBe(true);
  });

  it('runs a number of SQL statements fixed by the shape, not by the rows returned or the subtree summarised', async () => {
    const token = server.token('VN', 'ANALYST');
    const count = async (area: string) => {
      const before = StatementCounter.count;
      const { data, errors } = await server.gql(STATS, { i: 'FEMALE_KEY_LEADER', a: area, p: ['2026'], b: 'CHILDREN' }, token);
      expect(errors).toBeUndefined();
      return { statements: StatementCounter.count - before, rows: data!.statistics.rows.length };
    };
    const nation = await count('VN');
    const province = await count('20');
    const commune = await count('00004');
    const smallCommune = await count('06601');
    expect([nation.rows, province.rows, commune.rows, smallCommune.rows]).toEqual([34, 65, 12, 4]);
    expect(nation.statements).toBeGreaterThan(3);
    // Rows above the entry level read rollups; rows that are entry units (villages) read their own observations: one statement more, whatever the number of rows.
    expect(province.statements).toBe(nation.statements);
    expect(smallCommune.statements).toBe(commune.statements);
    expect(commune.statements).toBe(nation.statements + 1);
  });
});
