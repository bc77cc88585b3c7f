import { todayIso } from '../../server/core/scalars';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * Communes formed in 2025 from one legacy commune (split pairs, found in the lineage tables) and
 * every kind of plan row: plans drafted and issued after the split on a commune, on its village and
 * on the shared legacy commune, plans issued before the split, their parts, submissions and
 * agencies. For each pair, each side and each role, every read (node, plan, plans, the report) and
 * every write answers exactly what the rule computed here from the tables says: a row belongs to
 * the unit that held its place on the row's day, and a row of a legacy unit whose territory went to
 * several communes is written only by a viewer whose area holds all of them. The rule is computed
 * in this file with plain SQL and no code of the access layer.
 */
const CREATE_PLAN = `mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }`;
const ADD_OBJECTIVE = `mutation($plan: ID!, $input: ObjectiveInput!) { addObjective(plan: $plan, input: $input) { id } }`;
const ADD_TARGET = `mutation($o: ID!, $input: TargetInput!) { addTarget(objective: $o, input: $input) { id } }`;
const ADD_TASK = `mutation($plan: ID!, $input: TaskInput!) { addTask(plan: $plan, input: $input) { id } }`;
const ADD_AGENCY = `mutation($input: AgencyInput!) { addAgency(input: $input) { id } }`;
const ADD_RESPONSIBILITY = `mutation($plan: ID!, $input: ResponsibilityInput!) { addResponsibility(plan: $plan, input: $input) { id } }`;
const ADD_OBLIGATION = `mutation($plan: ID!, $input: ReportingObligationInput!) { addReportingObligation(plan: $plan, input: $input) { id } }`;
const SUBMIT = `mutation($o: ID!, $input: SubmissionInput!) { recordSubmission(obligation: $o, input: $input) { id } }`;

/** A write that changes nothing once allowed (same value), so it probes the access check alone. */
const UNCHANGED_WRITES: Record<string, { mutation: string; input: (row: Row) => Record<string, unknown> }> = {
  Plan: { mutation: 'updatePlan', input: () => ({}) },
  Objective: { mutation: 'updateObjective', input: () => ({}) },
  Target: { mutation: 'updateTarget', input: () => ({}) },
  Task: { mutation: 'updateTask', input: () => ({}) },
  Responsibility: { mutation: 'updateResponsibility', input: () => ({}) },
  ReportingObligation: { mutation: 'updateReportingObligation', input: () => ({}) },
  Agency: { mutation: 'updateAgency', input: () => ({}) },
};
const INPUT_TYPE: Record<string, string> = {
  updatePlan: 'UpdatePlanInput', updateObjective: 'UpdateObjectiveInput', updateTarget: 'UpdateTargetInput', updateTask: 'UpdateTaskInput',
  updateResponsibility: 'UpdateResponsibilityInput', updateReportingObligation: 'UpdateReportingObligationInput', updateAgency: 'UpdateAgencyInput',
};

interface Row {
  /** Global id ("Plan:12"). */
  id: string;
  label: string;
  /** The plan it belongs to (itself for a plan); null for an agency. */
  planId: string | null;
  /** The obligation of a submission (recordSubmission probes writes of submissions). */
  obligationId?: string;
  period?: string;
}

interface Placement {
  unitId: number;
  path: string;
  validFrom: string | null;
  validTo: string | null;
}

const ROLES = ['ANALYST', 'EDITOR', 'ADMIN'] as const;

describe.each(testDatabases())('split communes and every kind of plan row on $name', (db) => {
  let server: TestServer;
  const q = (sql: string, params: unknown[] = []) => server.dataSource.query(sql, params) as Promise<Record<string, any>[]>;

  beforeAll(async () => {
    server = await startTestServer(db);
  });
  afterAll(() => server?.close());

  // ------------------------------------------------------------ the rule, from the tables

  let today: string;
  let units: Map<number, { id: number; code: string; level: string; validFrom: string | null; validTo: string | null }>;
  let byCode: Map<string, number>;
  let placements: Map<number, Placement[]>;
  let successors: Map<number, number[]>;
  let predecessors: Map<number, number[]>;

  async function readTables(): Promise<void> {
    today = todayIso();
    const unitRows = await q('SELECT id, code, level, valid_from AS validFrom, valid_to AS validTo FROM administrative_unit');
    units = new Map(unitRows.map((u) => [Number(u.id), { ...u, id: Number(u.id) } as never]));
    byCode = new Map(unitRows.filter((u) => u.validTo === null).map((u) => [u.code as string, Number(u.id)]));
    placements = new Map();
    for (const p of await q('SELECT unit_id AS unitId, path, valid_from AS validFrom, valid_to AS validTo FROM unit_placement')) {
      const id = Number(p.unitId);
      placements.set(id, [...(placements.get(id) ?? []), { unitId: id, path: p.path, validFrom: p.validFrom, validTo: p.validTo }]);
    }
    successors = new Map();
    predecessors = new Map();
    for (const l of await q('SELECT successor_id AS s, predecessor_id AS p FROM unit_lineage')) {
      successors.set(Number(l.p), [...(successors.get(Number(l.p)) ?? []), Number(l.s)]);
      predecessors.set(Number(l.s), [...(predecessors.get(Number(l.s)) ?? []), Number(l.p)]);
    }
  }

  const on = (v: { validFrom: string | null; validTo: string | null }, date: string) => (!v.validFrom || v.validFrom <= date) && (!v.validTo || v.validTo >= date);
  const clamp = (unitId: number, day: string) => {
    const u = units.get(unitId)!;
    if (u.validTo && u.validTo < day) return u.validTo;
    if (u.validFrom && u.validFrom > day) return u.validFrom;
    return day;
  };
  function closure(start: number, links: Map<number, number[]>): number[] {
    const seen = new Set([start]);
    for (let frontier = [start]; frontier.length; ) {
      frontier = frontier.flatMap((id) => links.get(id) ?? []).filter((id) => !seen.has(id));
      frontier.forEach((id) => seen.add(id));
    }
    return [...seen];
  }
  /** The viewer's area holds the unit on the day: under the viewer, or under a unit it was formed from, then. */
  function inArea(viewerCode: string, unitId: number, day: string): boolean {
    const roots = closure(byCode.get(viewerCode)!, predecessors).flatMap((id) => placements.get(id) ?? []).filter((r) => on(r, day));
    return (placements.get(unitId) ?? []).some((p) => on(p, day) && roots.some((r) => p.path.startsWith(r.path)));
  }
  function heirs(unitId: number): number[] {
    const current = closure(unitId, successors).filter((id) => on(units.get(id)!, today));
    const pathToday = (id: number) => (placements.get(id) ?? []).find((p) => on(p, today))?.path;
    return current.filter((id) => !current.some((other) => other !== id && pathToday(other) !== pathToday(id) && (pathToday(other) ?? '').startsWith(pathToday(id) ?? '\u0000')));
  }
  function villagesToday(unitId: number): number[] {
    return [...placements.values()].flat().filter((p) => on(p, today) && units.get(p.unitId)!.level === 'VILLAGE' && p.path.startsWith((placements.get(unitId) ?? []).find((x) => on(x, today))!.path) && p.unitId !== unitId).map((p) => p.unitId);
  }

  /** The unit and day of a row, read from its table. */
  async function unitAndDay(row: Row): Promise<{ unitId: number; day: string }> {
    const [type, raw] = row.id.split(':');
    const id = Number(raw);
    if (type === 'Agency') {
      const [a] = await q('SELECT unit_id AS u, created_at AS c FROM agency WHERE id = ?', [id]);
      return { unitId: Number(a.u), day: clamp(Number(a.u), a.c ? String(a.c).slice(0, 10) : today) };
    }
    if (type === 'Submission') {
      const [s] = await q('SELECT unit_id AS u, period FROM submission WHERE id = ?', [id]);
      const year = String(s.period).slice(0, 4);
      return { unitId: Number(s.u), day: clamp(Number(s.u), `${year}-12-31`) };
    }
    const [p] = await q('SELECT unit_id AS u, status, issued_on AS i, created_at AS c FROM plan WHERE id = ?', [Number(row.planId!.split(':')[1])]);
    return { unitId: Number(p.u), day: clamp(Number(p.u), p.status === 'DRAFT' || !p.i ? String(p.c).slice(0, 10) : p.i) };
  }

  async function expected(row: Row, viewer: string, role: string): Promise<{ read: boolean; write: boolean }> {
    const { unitId, day } = await unitAndDay(row);
    const read = inArea(viewer, unitId, day);
    const editorUnits = [byCode.get(viewer)!, ...villagesToday(byCode.get(viewer)!)];
    const mayWriteUnit = role === 'ADMIN' || (role === 'EDITOR' && editorUnits.includes(unitId));
    const write = read && mayWriteUnit && heirs(unitId).every((h) => inArea(viewer, h, today));
    return { read, write };
  }

  // ------------------------------------------------------------ the fixture, through the API

  /** Pairs of communes in force today formed from one legacy commune, with a village of the first that lay under it. */
  async function splitPairs(): Promise<{ a: string; b: string; legacy: string; legacyAsOf: string; village: string; province: string }[]> {
    const rows = await q(
      `SELECT la.successor_id AS a, lb.successor_id AS b, la.predecessor_id AS legacy
       FROM unit_lineage la JOIN unit_lineage lb ON lb.predecessor_id = la.predecessor_id AND lb.successor_id <> la.successor_id
       JOIN administrative_unit ua ON ua.id = la.successor_id JOIN administrative_unit ub ON ub.id = lb.successor_id
       WHERE ua.valid_to IS NULL AND ub.valid_to IS NULL AND ua.level = 'COMMUNE' AND ub.level = 'COMMUNE'
       ORDER BY ua.code, ub.code`,
    );
    const pairs = [];
    for (const r of rows) {
      const [a, b, legacy] = [Number(r.a), Number(r.b), Number(r.legacy)];
      const legacyPath = placements.get(legacy)?.[0]?.path;
      // A village of A that lay under the legacy commune before the split: a plan drafted for it now is A's alone.
      const village = villagesToday(a).find((v) => (placements.get(v) ?? []).some((p) => legacyPath && p.path.startsWith(legacyPath) && !on(p, today)));
      if (!village || !legacyPath) continue;
      const province = (placements.get(a) ?? []).find((p) => on(p, today))!.path.split('/').filter(Boolean)[1];
      const legacyUnit = units.get(legacy)!;
      pairs.push({ a: units.get(a)!.code, b: units.get(b)!.code, legacy: legacyUnit.code, legacyAsOf: legacyUnit.validTo!, village: units.get(village)!.code, province: units.get(Number(province))!.code });
    }
    // A few pairs from different provinces, so the walk stays short; the pair first when present.
    const chosen = new Map<string, (typeof pairs)[number]>();
    for (const pair of [...pairs.filter((p) => p.a === '06613' || p.b === '06613'), ...pairs]) if (!chosen.has(pair.province) && chosen.size < 3) chosen.set(pair.province, pair);
    return [...chosen.values()];
  }

  async function ok<T = Record<string, any>>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
    const result = await server.gql<T>(query, variables, token);
    if (result.errors?.length || !result.data) throw new Error(`${query.slice(0, 60)} failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  /** Every kind of plan row on one unit, written by `token` (an ADMIN allowed to write there). */
  async function planWithParts(token: string, label: string, unit: string, extra: Record<string, unknown>): Promise<Row[]> {
    const plan = (await ok<{ createPlan: { id: string } }>(CREATE_PLAN, { input: { unit, title: `Kế hoạch thử ${label}`, kind: 'MULTI_YEAR', firstYear: 2025, lastYear: 2030, ...extra } }, token)).createPlan.id;
    const objective = (await ok<{ addObjective: { id: string } }>(ADD_OBJECTIVE, { plan, input: { title: 'Mục tiêu 1', domain: 'POLITICS' } }, token)).addObjective.id;
    const target = (await ok<{ addTarget: { id: string } }>(ADD_TARGET, { o: objective, input: { text: 'Tỷ lệ nữ ≥ 30%', indicator: 'FEMALE_KEY_LEADER', measure: 'TOTAL', comparator: 'AT_LEAST', targetValue: 30, dueYear: 2030 } }, token)).addTarget.id;
    const task = (await ok<{ addTask: { id: string } }>(ADD_TASK, { plan, input: { title: 'Tuyên truyền', objectiveOrdinals: [1] } }, token)).addTask.id;
    const agency = (await ok<{ addAgency: { id: string } }>(ADD_AGENCY, { input: { unit, name: `Phòng thử ${label}`, kind: 'ECONOMIC_DIVISION' } }, token)).addAgency.id;
    const responsibility = (await ok<{ addResponsibility: { id: string } }>(ADD_RESPONSIBILITY, { plan, input: { agency, role: 'LEAD', duties: 'Chủ trì', objectiveOrdinals: [1] } }, token)).addResponsibility.id;
    const obligation = (await ok<{ addReportingObligation: { id: string } }>(ADD_OBLIGATION, { plan, input: { kind: 'ANNUAL', recipient: 'UBND cấp trên', dueDay: 5, dueMonth: 12 } }, token)).addReportingObligation.id;
    const submission = (await ok<{ recordSubmission: { id: string } }>(SUBMIT, { o: obligation, input: { period: '2026' } }, token)).recordSubmission.id;
    return [
      { id: plan, label: `${label} plan`, planId: plan },
      ...[objective, target, task, responsibility, obligation].map((id) => ({ id, label: `${label} ${id.split(':')[0]}`, planId: plan })),
      { id: agency, label: `${label} agency`, planId: null },
      { id: submission, label: `${label} submission`, planId: plan, obligationId: obligation, period: '2026' },
    ];
  }

  // ------------------------------------------------------------ probes

  async function reads(row: Row, token: string, viewer: string, withReport = false): Promise<Record<string, boolean>> {
    const node = await server.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: row.id }, token);
    const seen: Record<string, boolean> = { node: node.data?.node?.id === row.id };
    if (row.id.startsWith('Plan:')) {
      const plan = await server.gql(`query($id: ID!) { plan(id: $id) { id } }`, { id: row.id }, token);
      seen.plan = plan.data?.plan?.id === row.id;
      const list = await server.gql(`query($u: String) { plans(unit: $u, includeDescendants: true, first: 200) { edges { node { id } } } }`, { u: viewer }, token);
      seen.plans = (list.data?.plans.edges ?? []).some((e: { node: { id: string } }) => e.node.id === row.id);
      if (!withReport) return seen;
      const report = await fetch(`${server.url}/export/plan-report.xlsx?plan=${encodeURIComponent(row.id)}&period=2026`, { headers: { authorization: `Bearer ${token}` } });
      await report.arrayBuffer();
      seen.report = report.status === 200;
    }
    return seen;
  }

  /** Whether the write went through (true) or was refused as FORBIDDEN (false); anything else fails the test. */
  async function writes(row: Row, token: string): Promise<boolean> {
    const type = row.id.split(':')[0];
    let result;
    if (type === 'Submission') {
      result = await server.gql(SUBMIT, { o: row.obligationId, input: { period: row.period } }, token);
    } else {
      const { mutation, input } = UNCHANGED_WRITES[type];
      result = await server.gql(`mutation($id: ID!, $input: ${INPUT_TYPE[mutation]}!) { ${mutation}(id: $id, input: $input) { id } }`, { id: row.id, input: input(row) }, token);
    }
    if (!result.errors?.length) return true;
    if (result.errors.every((e) => e.extensions?.code === 'FORBIDDEN')) return false;
    throw new Error(`${row.label}: ${JSON.stringify(result.errors)}`);
  }

  it('answers every read and write of every plan row kind exactly by the rule, for both sides of each split pair and every role', async () => {
    await readTables();
    const pairs = await splitPairs();
    expect(pairs.length).toBeGreaterThanOrEqual(2);
    const tally = { readSeen: 0, readHidden: 0, writeAllowed: 0, writeRefused: 0 };
    for (const pair of pairs) {
      const adminA = server.token(pair.a, 'ADMIN');
      const provinceAdmin = server.token(pair.province, 'ADMIN');
      const rows: Row[] = [
        // After the split: drafts and an issued plan of A, on A and on A's village (named as it was in 2024).
        ...(await planWithParts(adminA, `${pair.a} draft`, pair.a, {})),
        ...(await planWithParts(adminA, `${pair.a} issued`, pair.a, { status: 'ISSUED', number: `${pair.a.slice(-3)}/KH-UBND`, issuedOn: '2025-08-01' })),
        ...(await planWithParts(adminA, `${pair.village} draft`, pair.village, { unitAsOf: '2024-06-01' })),
        // The shared legacy commune: drafted today and issued before the split, by the province.
        ...(await planWithParts(provinceAdmin, `${pair.legacy} draft`, pair.legacy, { unitAsOf: pair.legacyAsOf })),
        ...(await planWithParts(provinceAdmin, `${pair.legacy} issued`, pair.legacy, { unitAsOf: pair.legacyAsOf, status: 'ISSUED', number: `${pair.legacy.slice(-3)}/KH-UBND`, issuedOn: '2024-03-01' })),
      ];
      for (const viewer of [pair.a, pair.b]) {
        for (const role of ROLES) {
          const token = server.token(viewer, role);
          for (const row of rows) {
            const rule = await expected(row, viewer, role);
            const seen = await reads(row, token, viewer, role === 'ANALYST');
            expect({ row: row.label, viewer, role, seen }).toEqual({ row: row.label, viewer, role, seen: Object.fromEntries(Object.keys(seen).map((k) => [k, rule.read])) });
            expect({ row: row.label, viewer, role, wrote: await writes(row, token) }).toEqual({ row: row.label, viewer, role, wrote: rule.write });
            tally[rule.read ? 'readSeen' : 'readHidden'] += 1;
            tally[rule.write ? 'writeAllowed' : 'writeRefused'] += 1;
          }
        }
      }
      // What the issue requires, stated without the rule: B never reads what A created after the split;
      // both inherit the legacy commune's past; only the province writes the shared legacy rows.
      const tokenB = server.token(pair.b, 'ADMIN');
      for (const row of rows.filter((r) => r.label.startsWith(pair.a) || r.label.startsWith(pair.village))) expect({ row: row.label, ...(await reads(row, tokenB, pair.b)) }).not.toHaveProperty('node', true);
      for (const row of rows.filter((r) => r.label.startsWith(`${pair.legacy} issued`))) {
        expect({ row: row.label, seen: (await reads(row, tokenB, pair.b)).node }).toEqual({ row: row.label, seen: true });
        expect({ row: row.label, a: await writes(row, adminA), b: await writes(row, tokenB), province: await writes(row, provinceAdmin) }).toEqual({ row: row.label, a: false, b: false, province: true });
      }
      // Planting a plan on A's village (named as it was in 2024) from B is refused.
      const planted = await server.gql(CREATE_PLAN, { input: { unit: pair.village, unitAsOf: '2024-06-01', title: 'Cài vào', kind: 'MULTI_YEAR', firstYear: 2025, lastYear: 2030 } }, tokenB);
      expect({ pair: pair.a, code: planted.errors?.[0]?.extensions?.code }).toEqual({ pair: pair.a, code: 'FORBIDDEN' });
      const agency = await server.gql(ADD_AGENCY, { input: { unit: pair.legacy, name: 'Cơ quan cài vào', kind: 'ECONOMIC_DIVISION' } }, adminA);
      expect({ pair: pair.a, code: agency.errors?.[0]?.extensions?.code, message: agency.errors?.[0]?.message }).toEqual({ pair: pair.a, code: 'FORBIDDEN', message: expect.stringContaining(pair.b) });
    }
    // The walk saw both answers of each question, so a rule that always allows or always refuses fails it.
    expect(Object.values(tally).every((n) => n > 10)).toBe(true);
  });
});
