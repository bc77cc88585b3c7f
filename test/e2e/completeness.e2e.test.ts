import fs from 'node:fs';
import path from 'node:path';
import { StatementCounter } from '../../server/core/query-counter';
import { EXAMPLE_QUERIES } from '../../server/explorer/example-queries';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * `reportingCompleteness` ("who has not reported"). Indicator mode is compared row by row with
 * an independent computation from raw observation and revision rows (plain SQL) and the
 * hierarchy walked through parent links. Obligation mode uses plans, obligations and
 * submissions recorded through the API, and the expectation is rebuilt from what the test
 * created and the submissions read back with SQL.
 */
const COMPLETENESS = `query($a: String!, $i: String, $o: ID, $p: String!, $b: Breakdown, $l: UnitLevel, $d: Date) {
  reportingCompleteness(area: $a, indicator: $i, obligation: $o, period: $p, breakdown: $b, level: $l, deadline: $d) {
    unit { code level } period expected reported reportedOnTime rate onTimeRate deadline
    missing(first: 500) { code } late(first: 500) { code }
  }
}`;
const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied accepted errors { index field message } } }`;

interface Row {
  unit: { code: string; level: string };
  period: string;
  expected: number;
  reported: number;
  reportedOnTime: number | null;
  rate: number | null;
  onTimeRate: number | null;
  deadline: string | null;
  missing: { code: string }[];
  late: { code: string }[];
}
interface Wanted {
  unit: string;
  expected: number;
  reported: number;
  reportedOnTime: number | null;
  missing: string[];
  late: string[];
}

const lastDay = (period: string): string => {
  const year = Number(period.slice(0, 4));
  const month = period.length === 4 ? 12 : period[4] === 'S' ? Number(period[5]) * 6 : period[4] === 'Q' ? Number(period[5]) * 3 : Number(period.slice(5, 7));
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
};
const subPeriods = (period: string, type: string): string[] => {
  if (period.length > 4 || type === 'YEAR') return [period];
  if (type === 'SEMESTER') return [`${period}S1`, `${period}S2`];
  if (type === 'QUARTER') return [1, 2, 3, 4].map((q) => `${period}Q${q}`);
  return Array.from({ length: 12 }, (_, i) => `${period}-${String(i + 1).padStart(2, '0')}`);
};
/** The calendar day in Hà Nội (UTC+7) of an ISO timestamp. */
const hanoiDay = (iso: string): string => new Date(new Date(iso).getTime() + 7 * 3600 * 1000).toISOString().slice(0, 10);
const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe.each(testDatabases())('reportingCompleteness on $name', (db) => {
  let server: TestServer;
  let admin: string;
  let langSonAnalyst: string;
  let langSonAdmin: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    admin = server.token('VN', 'ADMIN');
    langSonAnalyst = server.token('20', 'ANALYST');
    langSonAdmin = server.token('20', 'ADMIN');
  });
  afterAll(() => server?.close());

  const q = (sql: string, params: unknown[] = []) => server.dataSource.query(sql, params);
  const validOn = (alias: string) => `(${alias}.valid_from IS NULL OR ${alias}.valid_from <= ?) AND (${alias}.valid_to IS NULL OR ${alias}.valid_to >= ?)`;
  const gqlOk = async (query: string, variables: Record<string, unknown> = {}, token = admin) => {
    const result = await server.gql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };

  /** Units in force on a date with their parent, and each unit's chain of ancestors (itself first). */
  async function hierarchy(date: string) {
    const rows: { id: number; parent: number | null; code: string; level: string }[] = await q(
      `SELECT p.unit_id AS id, p.parent_id AS parent, u.code AS code, u.level AS level FROM unit_placement p JOIN administrative_unit u ON u.id = p.unit_id WHERE ${validOn('p')}`,
      [date, date],
    );
    const byId = new Map(rows.map((r) => [Number(r.id), { ...r, id: Number(r.id), parent: r.parent === null ? null : Number(r.parent) }]));
    const chains = new Map<number, number[]>();
    const ancestors = (id: number): number[] => {
      let chain = chains.get(id);
      if (!chain) {
        chain = [];
        for (let at: number | null = id; at !== null && byId.has(at); at = byId.get(at)!.parent) chain.push(at);
        chains.set(id, chain);
      }
      return chain;
    };
    const byCodeOf = (code: string) => [...byId.values()].find((u) => u.code === code)!;
    return { byId, ancestors, byCode: byCodeOf };
  }

  /** Per row unit: entry units below it, those with visible data, on time against `deadline`. */
  async function expectedForIndicator(code: string, area: string, period: string, breakdown: 'NONE' | 'CHILDREN', options: { approvedOnly?: boolean; deadline?: string } = {}): Promise<Wanted[]> {
    const [ind] = await q(`SELECT id, entry_level, period_type FROM indicator WHERE code = ?`, [code]);
    const h = await hierarchy(lastDay(period));
    const areaUnit = h.byCode(area);
    const rows = [...h.byId.values()].filter((u) => (breakdown === 'NONE' ? u.id === areaUnit.id : u.parent === areaUnit.id)).sort((a, b) => byCode(a.code, b.code) || a.id - b.id);
    const subs = subPeriods(period, ind.period_type);
    const observations: { unit_id: number; status: string; first_at: string }[] = await q(
      `SELECT o.unit_id AS unit_id, o.status AS status, MIN(COALESCE(r.changed_at, o.updated_at)) AS first_at
       FROM observation o LEFT JOIN observation_revision r ON r.observation_id = o.id
       WHERE o.indicator_id = ? AND o.disaggregation = '' AND o.period IN (${subs.map(() => '?').join(',')})
       GROUP BY o.id, o.unit_id, o.status`,
      [ind.id, ...subs],
    );
    const first = new Map<number, string>();
    for (const o of observations) {
      if (options.approvedOnly && o.status !== 'APPROVED') continue;
      const at = first.get(Number(o.unit_id));
      if (!at || o.first_at < at) first.set(Number(o.unit_id), o.first_at);
    }
    const entries = [...h.byId.values()].filter((u) => u.level === ind.entry_level);
    return rows.map((row) => {
      const mine = entries.filter((u) => h.ancestors(u.id).includes(row.id));
      const reported = mine.filter((u) => first.has(u.id));
      const onTime = options.deadline ? reported.filter((u) => hanoiDay(first.get(u.id)!) <= options.deadline!) : null;
      return {
        unit: row.code,
        expected: mine.length,
        reported: reported.length,
        reportedOnTime: onTime ? onTime.length : null,
        missing: mine.filter((u) => !first.has(u.id)).map((u) => u.code).sort(byCode),
        late: onTime ? reported.filter((u) => !onTime.includes(u)).map((u) => u.code).sort(byCode) : [],
      };
    });
  }

  async function ask(variables: Record<string, unknown>, token: string): Promise<Row[]> {
    const data = await gqlOk(COMPLETENESS, variables, token);
    return data.reportingCompleteness as Row[];
  }

  /** The API's rows against the expectation, field by field, with the rates derived from the counts. */
  function compare(rows: Row[], wanted: Wanted[], period: string, deadline: string | null): void {
    expect(rows.map((r) => r.unit.code)).toEqual(wanted.map((w) => w.unit));
    rows.forEach((row, i) => {
      const w = wanted[i];
      expect({ unit: row.unit.code, period: row.period, expected: row.expected, reported: row.reported, reportedOnTime: row.reportedOnTime, deadline: row.deadline }).toEqual({
        unit: w.unit,
        period,
        expected: w.expected,
        reported: w.reported,
        reportedOnTime: w.reportedOnTime,
        deadline,
      });
      expect({ unit: row.unit.code, missing: row.missing.map((m) => m.code), late: row.late.map((m) => m.code) }).toEqual({ unit: w.unit, missing: w.missing, late: w.late });
      expect(row.rate).toBe(w.expected ? w.reported / w.expected : null);
      expect(row.onTimeRate).toBe(w.expected && w.reportedOnTime !== null ? w.reportedOnTime / w.expected : null);
    });
  }

  async function checkIndicator(code: string, area: string, period: string, breakdown: 'NONE' | 'CHILDREN', token: string, options: { approvedOnly?: boolean; deadline?: string } = {}): Promise<Row[]> {
    const rows = await ask({ a: area, i: code, p: period, b: breakdown, d: options.deadline }, token);
    compare(rows, await expectedForIndicator(code, area, period, breakdown, options), period, options.deadline ?? null);
    return rows;
  }

  describe('indicator mode', () => {
    it('counts per village of Lợi Bác and per commune of Lạng Sơn exactly as the raw data say', async () => {
      const villages = await checkIndicator('FEMALE_KEY_LEADER', '06601', '2026', 'CHILDREN', langSonAnalyst);
      expect(villages.length).toBeGreaterThanOrEqual(4);
      expect(villages.every((r) => r.unit.level === 'VILLAGE' && r.expected === 1)).toBe(true);
      const communes = await checkIndicator('FEMALE_KEY_LEADER', '20', '2026', 'CHILDREN', langSonAnalyst);
      expect(communes.length).toBe(65);
      expect(communes.some((r) => r.expected > 1)).toBe(true);
      // A commune-level indicator some communes have not reported: rows with gaps and a missing list.
      const deputies = await checkIndicator('PEOPLES_COUNCIL_DEPUTY', '20', '2026', 'CHILDREN', langSonAnalyst);
      expect(deputies.some((r) => r.reported === 0 && r.expected === 1 && r.missing.length === 1)).toBe(true);
      const [province] = await checkIndicator('PEOPLES_COUNCIL_DEPUTY', '20', '2026', 'NONE', langSonAnalyst);
      expect(province.reported).toBe(deputies.reduce((s, r) => s + r.reported, 0));
      expect(province.missing.length).toBe(province.expected - province.reported);
      expect(province.missing.length).toBeGreaterThan(0);
      // 2024 is read in the legacy hierarchy: Lạng Sơn's districts then.
      const legacy = await checkIndicator('PEOPLES_COUNCIL_DEPUTY', '20', '2024', 'CHILDREN', admin);
      expect(legacy.length).toBeGreaterThan(0);
      expect(legacy.every((r) => r.unit.level === 'DISTRICT')).toBe(true);
    });

    it('sees new observations recorded through the API, and lists the villages still missing', async () => {
      const h = await hierarchy('2027-12-31');
      const loiBac = h.byCode('06601');
      const villages = [...h.byId.values()].filter((u) => u.parent === loiBac.id).map((u) => u.code).sort(byCode);
      const some = villages.filter((_, i) => i % 2 === 0);
      const input = some.map((unit) => ({ indicator: 'FEMALE_KEY_LEADER', unit, period: '2027', sex: 'TOTAL', numerator: 1 }));
      const recorded = await gqlOk(RECORD, { input }, server.token('06601', 'EDITOR'));
      expect(recorded.recordObservations).toMatchObject({ applied: true, accepted: some.length, errors: [] });
      const rows = await checkIndicator('FEMALE_KEY_LEADER', '06601', '2027', 'CHILDREN', langSonAnalyst);
      expect(rows.filter((r) => r.reported === 1).map((r) => r.unit.code)).toEqual(some);
      const [whole] = await checkIndicator('FEMALE_KEY_LEADER', '06601', '2027', 'NONE', langSonAnalyst);
      expect(whole.missing.map((m) => m.code)).toEqual(villages.filter((v) => !some.includes(v)));
      // missing(first:) caps the list, in code order
      const capped = await gqlOk(`{ reportingCompleteness(area: "06601", indicator: "FEMALE_KEY_LEADER", period: "2027", breakdown: NONE) { missing(first: 1) { code } } }`, {}, langSonAnalyst);
      expect(capped.reportingCompleteness[0].missing).toEqual([{ code: whole.missing[0].code }]);
    });

    it('judges on time by the day the first observation was recorded, in Vietnam time', async () => {
      // Move the creation of some communes' deputies data back in time: half of them just
      // before midnight of the deadline in Hà Nội (on time), half just after (late); for some
      // communes only the FEMALE row moves, so the first of the unit's rows decides.
      const [ind] = await q(`SELECT id FROM indicator WHERE code = 'PEOPLES_COUNCIL_DEPUTY'`);
      const observed: { id: number; unit_id: number; sex: string }[] = await q(`SELECT id, unit_id, sex FROM observation WHERE indicator_id = ? AND period = '2026' ORDER BY unit_id, sex`, [ind.id]);
      const units = [...new Set(observed.map((o) => Number(o.unit_id)))];
      for (const [i, unitId] of units.entries()) {
        if (i % 3 === 2) continue;
        const at = i % 2 === 0 ? '2026-02-10T16:30:00.000Z' : '2026-02-10T17:30:00.000Z';
        const ids = observed.filter((o) => Number(o.unit_id) === unitId && (i % 4 !== 1 || o.sex === 'FEMALE')).map((o) => Number(o.id));
        if (ids.length) await q(`UPDATE observation_revision SET changed_at = ? WHERE observation_id IN (${ids.map(() => '?').join(',')})`, [at, ...ids]);
      }
      const rows = await checkIndicator('PEOPLES_COUNCIL_DEPUTY', '20', '2026', 'CHILDREN', langSonAnalyst, { deadline: '2026-02-10' });
      expect(rows.some((r) => r.reportedOnTime === 1)).toBe(true);
      expect(rows.some((r) => r.late.length === 1)).toBe(true);
      const [province] = await checkIndicator('PEOPLES_COUNCIL_DEPUTY', '20', '2026', 'NONE', langSonAnalyst, { deadline: '2026-02-10' });
      expect(province.reportedOnTime).toBeGreaterThan(0);
      expect(province.reportedOnTime).toBeLessThan(province.reported);
      expect(province.late.length).toBe(province.reported - (province.reportedOnTime as number));
      // Without a deadline nothing is judged.
      const [none] = await ask({ a: '20', i: 'PEOPLES_COUNCIL_DEPUTY', p: '2026', b: 'NONE' }, langSonAnalyst);
      expect(none).toMatchObject({ reportedOnTime: null, onTimeRate: null, deadline: null, late: [] });
      await checkIndicator('PEOPLES_COUNCIL_DEPUTY', '20', '2026', 'CHILDREN', server.token('20', 'STATISTICS_OFFICE'), { approvedOnly: true, deadline: '2026-02-10' });
    });

    it('counts approved observations only for a STATISTICS_OFFICE', async () => {
      const office = server.token('20', 'STATISTICS_OFFICE');
      const approved = await checkIndicator('FEMALE_KEY_LEADER', '06601', '2026', 'CHILDREN', office, { approvedOnly: true });
      const all = await checkIndicator('FEMALE_KEY_LEADER', '06601', '2026', 'CHILDREN', langSonAnalyst);
      const sum = (rows: Row[]) => rows.reduce((s, r) => s + r.reported, 0);
      expect(sum(approved)).toBeLessThan(sum(all));
      const officeCommunes = await checkIndicator('PEOPLES_COUNCIL_DEPUTY', '20', '2026', 'CHILDREN', office, { approvedOnly: true });
      const analystCommunes = await ask({ a: '20', i: 'PEOPLES_COUNCIL_DEPUTY', p: '2026' }, langSonAnalyst);
      expect(sum(officeCommunes)).toBeLessThan(sum(analystCommunes));
      expect(officeCommunes.map((r) => r.expected)).toEqual(analystCommunes.map((r) => r.expected));
    });

    it('runs as many SQL statements for the nation by province as for a province by commune', async () => {
      const count = async (area: string) => {
        const before = StatementCounter.count;
        const rows = await ask({ a: area, i: 'FEMALE_KEY_LEADER', p: '2027', d: '2027-06-30' }, admin);
        return { statements: StatementCounter.count - before, rows: rows.length, missing: rows.reduce((s, r) => s + r.missing.length, 0) };
      };
      const nation = await count('VN');
      const province = await count('20');
      expect(nation.rows).toBe(34);
      expect(province.rows).toBe(65);
      expect(nation.missing).toBeGreaterThan(province.missing);
      expect(province.statements).toBe(nation.statements);
    });
  });

  describe('obligation mode', () => {
    // Last year: its deadline has passed, and the units of today were already in force at its end
    // (a period before 1 July 2025 is read in the legacy hierarchy, where today's plans have no place).
    const year = new Date().getUTCFullYear();
    const past = String(year - 1);
    const future = String(year + 2);
    const NUMBER = 'TEST-77/KH-UBND';
    let obligation: string;
    let communes: string[];
    const annual: Record<string, string> = {};

    const createPlan = async (unit: string, firstYear: string, lastYear: string, number: string | null, token: string) => {
      const data = await gqlOk(
        `mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }`,
        { input: { unit, number, title: `Kế hoạch bình đẳng giới (thử) ${unit}`, kind: 'MULTI_YEAR', firstYear: Number(firstYear), lastYear: Number(lastYear), ...(number ? {} : { implements: { number: NUMBER, issuer: 'UBND tỉnh Lạng Sơn' } }) } },
        token,
      );
      return data.createPlan.id as string;
    };
    const addObligation = async (plan: string, kind: string, due: { dueDay?: number; dueMonth?: number }, token: string) => {
      const data = await gqlOk(`mutation($plan: ID!, $input: ReportingObligationInput!) { addReportingObligation(plan: $plan, input: $input) { id } }`, { plan, input: { kind, recipient: 'UBND tỉnh Lạng Sơn', ...due } }, token);
      return data.addReportingObligation.id as string;
    };
    const submit = (obligationId: string, period: string, token: string) => gqlOk(`mutation($id: ID!, $p: String!) { recordSubmission(obligation: $id, input: { period: $p }) { id } }`, { id: obligationId, p: period }, token);

    beforeAll(async () => {
      const h = await hierarchy(lastDay(future));
      const langSon = h.byCode('20');
      communes = [...h.byId.values()].filter((u) => u.parent === langSon.id).map((u) => u.code).sort(byCode).slice(1, 5);
      const [a, b, c, d] = communes;
      // The province's plan and its annual report, due 05/12 each year.
      const provincePlan = await createPlan('20', past, future, NUMBER, langSonAdmin);
      obligation = await addObligation(provincePlan, 'ANNUAL', { dueDay: 5, dueMonth: 12 }, langSonAdmin);
      // Communes' plans implementing it: a, b and c over the whole period, d only in the future year.
      const plans: Record<string, string> = {};
      for (const unit of [a, b, c]) plans[unit] = await createPlan(unit, past, future, null, langSonAdmin);
      plans[d] = await createPlan(d, future, future, null, langSonAdmin);
      annual[a] = await addObligation(plans[a], 'ANNUAL', {}, langSonAdmin);
      annual[b] = await addObligation(plans[b], 'ANNUAL', {}, langSonAdmin);
      const sixMonth = await addObligation(plans[a], 'SIX_MONTH', {}, langSonAdmin);
      // A Hà Nội commune's plan quoting the same number is not below Lạng Sơn and never counts.
      const hanoiPlan = await createPlan('00577', past, future, null, admin);
      const hanoiObligation = await addObligation(hanoiPlan, 'ANNUAL', {}, admin);
      await submit(hanoiObligation, future, admin);

      await submit(obligation, past, langSonAdmin);
      await submit(obligation, future, langSonAdmin);
      await submit(annual[a], past, server.token(a, 'EDITOR'));
      await submit(annual[a], future, server.token(a, 'EDITOR'));
      await submit(sixMonth, future, server.token(a, 'EDITOR')); // another kind: not this report
      await submit(sixMonth, past, server.token(a, 'EDITOR'));
      await submit(annual[b], future, server.token(b, 'EDITOR'));
      await submit(annual[b], future, server.token(b, 'EDITOR')); // the first submission decides
    });

    /** Reporter code → first submission for the period, read back with SQL. */
    async function firstSubmissions(period: string): Promise<Map<string, string>> {
      const ids = [obligation, ...Object.values(annual)].map((id) => Number(id.split(':').pop())); // global ids name the row last
      const rows: { code: string; submitted_at: string }[] = await q(
        `SELECT u.code AS code, s.submitted_at AS submitted_at FROM submission s JOIN administrative_unit u ON u.id = s.unit_id WHERE s.period = ? AND s.obligation_id IN (${ids.map(() => '?').join(',')})`,
        [period, ...ids],
      );
      const first = new Map<string, string>();
      for (const r of rows) if (!first.has(r.code) || r.submitted_at < first.get(r.code)!) first.set(r.code, r.submitted_at);
      return first;
    }

    function wantedFor(reporters: string[], first: Map<string, string>, deadline: string, unit: string): Wanted {
      const reported = reporters.filter((r) => first.has(r));
      const onTime = reported.filter((r) => hanoiDay(first.get(r)!) <= deadline);
      return { unit, expected: reporters.length, reported: reported.length, reportedOnTime: onTime.length, missing: reporters.filter((r) => !first.has(r)).sort(byCode), late: reported.filter((r) => !onTime.includes(r)).sort(byCode) };
    }

    it('expects the province and the communes whose plans implement its plan; counts their submissions, on time or late', async () => {
      const [a, b, c, d] = communes;
      for (const [period, reporters] of [
        [past, ['20', a, b, c]],
        [future, ['20', a, b, c, d]],
      ] as [string, string[]][]) {
        const deadline = `${period}-12-05`;
        const first = await firstSubmissions(period);
        const whole = await ask({ a: '20', o: obligation, p: period, b: 'NONE' }, langSonAnalyst);
        compare(whole, [wantedFor(reporters, first, deadline, '20')], period, deadline);
        const perCommune = await ask({ a: '20', o: obligation, p: period }, langSonAnalyst);
        const h = await hierarchy(lastDay(period));
        const children = [...h.byId.values()].filter((u) => u.parent === h.byCode('20').id).map((u) => u.code).sort(byCode);
        compare(perCommune, children.map((code) => wantedFor(reporters.filter((r) => r === code), first, deadline, code)), period, deadline);
      }
      // Not vacuous: the past year is late throughout, the future one on time; b and c never reported in the past.
      const [pastRow] = await ask({ a: '20', o: obligation, p: past, b: 'NONE' }, langSonAnalyst);
      expect(pastRow).toMatchObject({ expected: 4, reported: 2, reportedOnTime: 0, rate: 0.5, onTimeRate: 0, deadline: `${past}-12-05` });
      expect(pastRow.missing.map((m) => m.code)).toEqual([b, c].sort(byCode));
      expect(pastRow.late.map((m) => m.code).sort(byCode)).toEqual(['20', a].sort(byCode));
      const [futureRow] = await ask({ a: '20', o: obligation, p: future, b: 'NONE' }, langSonAnalyst);
      expect(futureRow).toMatchObject({ expected: 5, reported: 3, reportedOnTime: 3, rate: 0.6, onTimeRate: 0.6, late: [] });
      expect(futureRow.missing.map((m) => m.code)).toEqual([c, d].sort(byCode));
    });

    it('answers an obligation with no deadline with null on-time figures (Lợi Bác’s own annual report)', async () => {
      const plans = await gqlOk(`{ plans(unit: "06601", year: 2026) { edges { node { reportingObligations { id kind dueDay dueMonth dueDate reporter { key } } } } } }`, {}, langSonAnalyst);
      const own = plans.plans.edges[0].node.reportingObligations.find((o: any) => o.kind === 'ANNUAL' && o.reporter === null);
      expect(own).toMatchObject({ dueDay: null, dueMonth: null, dueDate: null });
      const before = await ask({ a: '20', o: own.id, p: '2026' }, langSonAnalyst);
      const loiBac = () => before.find((r) => r.unit.code === '06601');
      expect(loiBac()).toMatchObject({ expected: 1, reported: 0, reportedOnTime: null, rate: 0, onTimeRate: null, deadline: null, missing: [{ code: '06601' }], late: [] });
      expect(before.filter((r) => r.unit.code !== '06601').every((r) => r.expected === 0 && r.rate === null)).toBe(true);
      await submit(own.id, '2026', server.token('06601', 'EDITOR'));
      const [after] = await ask({ a: '06601', o: own.id, p: '2026', b: 'NONE' }, server.token('06601', 'ANALYST'));
      expect(after).toMatchObject({ expected: 1, reported: 1, reportedOnTime: null, rate: 1, missing: [] });
      // a period outside the plan's years is refused, naming the field
      const outside = await server.gql(COMPLETENESS, { a: '06601', o: own.id, p: '2031' }, langSonAnalyst);
      expect(outside.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'period' });
    });

    it('runs the same SQL statements whatever the reporters and submissions', async () => {
      const count = async (period: string) => {
        const before = StatementCounter.count;
        await ask({ a: '20', o: obligation, p: period }, langSonAnalyst);
        return StatementCounter.count - before;
      };
      expect(await count(past)).toBe(await count(future));
    });

    it('answers an obligation outside the subtree exactly like one that does not exist', async () => {
      const shape = (r: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] }) => ({ data: r.data, errors: r.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })) });
      for (const token of [server.token('01', 'ANALYST'), server.token(communes[0], 'ANALYST'), server.token('06601', 'ADMIN')]) {
        const hidden = await server.gql(COMPLETENESS, { a: '06601', o: obligation, p: future }, token);
        const absent = await server.gql(COMPLETENESS, { a: '06601', o: '987654321', p: future }, token);
        expect(shape(hidden)).toEqual(shape(absent));
        expect(hidden.errors![0]).toMatchObject({ message: 'Not found or not allowed: obligation', extensions: { code: 'FORBIDDEN' } });
      }
    });
  });

  describe('arguments and scope', () => {
    it('needs exactly one of indicator and obligation, naming the field', async () => {
      const neither = await server.gql(COMPLETENESS, { a: '20', p: '2026' }, langSonAnalyst);
      expect(neither.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'indicator', fields: ['indicator', 'obligation'] });
      expect(neither.data).toBeNull();
      const both = await server.gql(COMPLETENESS, { a: '20', p: '2026', i: 'FEMALE_KEY_LEADER', o: '1' }, langSonAnalyst);
      expect(both.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'obligation' });
      expect(both.errors![0].message).toMatch(/exactly one of indicator and obligation/);
    });

    it('refuses bad periods, an unknown indicator, LEVEL without a level and a deadline with an obligation', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ a: '20', i: 'FEMALE_KEY_LEADER', p: '2026H1' }, 'period'],
        [{ a: '20', i: 'FEMALE_KEY_LEADER', p: '2026Q1' }, 'period'], // a yearly indicator has no quarters
        [{ a: '20', i: 'NO_SUCH_INDICATOR', p: '2026' }, 'indicator'],
        [{ a: '20', i: 'FEMALE_KEY_LEADER', p: '2026', b: 'LEVEL' }, 'level'],
        [{ a: '20', o: '1', p: '2026', d: '2026-12-05' }, 'deadline'],
      ];
      for (const [variables, field] of cases) {
        const result = await server.gql(COMPLETENESS, variables, langSonAnalyst);
        expect({ variables, extensions: result.errors?.[0]?.extensions }).toMatchObject({ variables, extensions: { code: 'BAD_USER_INPUT', field } });
      }
      // LEVEL with a level: one row per unit at that level, as statistics does.
      const rows = await ask({ a: '20', i: 'FEMALE_KEY_LEADER', p: '2026', b: 'LEVEL', l: 'COMMUNE' }, langSonAnalyst);
      expect(rows.length).toBe(65);
    });

    it('answers a sibling’s or another province’s area exactly like a code that does not exist', async () => {
      const normalise = (r: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] }, code: string) =>
        JSON.stringify({ data: r.data, errors: r.errors?.map((e) => ({ message: e.message.split(`"${code}"`).join('"<code>"'), code: e.extensions?.code, field: e.extensions?.field })) });
      const h = await hierarchy('2026-12-31');
      const sibling = [...h.byId.values()].filter((u) => u.parent === h.byCode('20').id && u.code !== '06601').map((u) => u.code).sort(byCode)[0];
      for (const [token, other] of [
        [server.token('06601', 'ANALYST'), sibling],
        [langSonAnalyst, '01'],
        [server.token('06601', 'ANALYST'), '20'],
      ] as [string, string][]) {
        const hidden = await server.gql(COMPLETENESS, { a: other, i: 'FEMALE_KEY_LEADER', p: '2026' }, token);
        const absent = await server.gql(COMPLETENESS, { a: 'ZZ999', i: 'FEMALE_KEY_LEADER', p: '2026' }, token);
        expect(normalise(hidden, other)).toBe(normalise(absent, 'ZZ999'));
        expect(hidden.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'area' });
      }
    });

    it('runs the saved GraphiQL query and the WhoHasNotReported example operation', async () => {
      const saved = EXAMPLE_QUERIES.find((e) => e.title === 'Who has not reported')!;
      const fromExplorer = await gqlOk(saved.query, {}, langSonAnalyst);
      expect(fromExplorer.reportingCompleteness.length).toBe(65);
      const document = fs.readFileSync(path.join(__dirname, '..', '..', 'schema', 'operations', 'statistics.graphql'), 'utf8');
      const answer = await server.gql(document, { area: '06601', indicator: 'FEMALE_KEY_LEADER', period: '2026', first: 5 }, langSonAnalyst, 'WhoHasNotReported');
      expect(answer.errors).toBeUndefined();
      const operation = answer.data!;
      expect(operation.reportingCompleteness.every((r: Row) => r.expected === 1)).toBe(true);
    });

    it('needs a token', async () => {
      const anonymous = await server.gql(COMPLETENESS, { a: '20', i: 'FEMALE_KEY_LEADER', p: '2026' }, null);
      expect(anonymous.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    });
  });
});
