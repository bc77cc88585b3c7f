import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * A plan of a dissolved unit keeps working. Thái Bình (province 34) was dissolved on 2025-06-30
 * and its 242 communes became 65 communes of Hưng Yên (33), which also holds 39 communes formed
 * from old Hưng Yên. Its 2021–2030 plan, entered under 34 as of 2021-04-13, is judged from 2025 on
 * over that territory, listed under Hưng Yên's subtree, and its reports are counted there; a
 * viewer of another province sees none of it. The territory is computed here independently, with
 * plain SQL over the lineage the data gave.
 */
const CREATE_PLAN = `mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }`;
const ADD_OBJECTIVE = `mutation($plan: ID!, $input: ObjectiveInput!) { addObjective(plan: $plan, input: $input) { id } }`;
const ADD_TARGET = `mutation($o: ID!, $input: TargetInput!) { addTarget(objective: $o, input: $input) { id } }`;
const ADD_OBLIGATION = `mutation($plan: ID!, $input: ReportingObligationInput!) { addReportingObligation(plan: $plan, input: $input) { id } }`;
const SUBMIT = `mutation($o: ID!, $input: SubmissionInput!) { recordSubmission(obligation: $o, input: $input) { id } }`;
const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied errors { index field message } } }`;
const PROGRESS = `query($p: ID!, $period: String!, $b: Breakdown) { targetProgress(plan: $p, period: $period, breakdown: $b) {
  target { id } unit { code } status actual reportingUnits
} }`;
const COMPLETENESS = `query($a: String!, $o: ID, $p: String!, $b: Breakdown) {
  reportingCompleteness(area: $a, obligation: $o, period: $p, breakdown: $b) { unit { code } expected reported missing(first: 100) { code } }
}`;

describe.each(testDatabases())('plans of dissolved units on $name', (db) => {
  let server: TestServer;
  let admin: string;
  let planId: string;
  let wageTarget: string;
  let shareTarget: string;
  let obligation: string;
  /** Codes of the current communes formed from Thái Bình's communes, by SQL over the lineage. */
  let territory: string[];
  let legacyCommune: string;

  const q = (sql: string, params: unknown[] = []) => server.dataSource.query(sql, params);
  const gqlOk = async (query: string, variables: Record<string, unknown> = {}, token = admin) => {
    const result = await server.gql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  const obs = (indicator: string, unit: string, period: string, sex: string, numerator: number, denominator?: number) => ({ indicator, unit, period, sex, numerator, ...(denominator === undefined ? {} : { denominator }) });

  beforeAll(async () => {
    server = await startTestServer(db);
    admin = server.token('VN', 'ADMIN');
    const [thaiBinh] = await q(`SELECT p.path AS path FROM unit_placement p JOIN administrative_unit u ON u.id = p.unit_id WHERE u.code = '34' AND u.level = 'PROVINCE'`);
    const rows: { code: string }[] = await q(
      `SELECT DISTINCT s.code AS code FROM unit_lineage l
         JOIN administrative_unit pu ON pu.id = l.predecessor_id AND pu.level = 'COMMUNE'
         JOIN unit_placement pp ON pp.unit_id = pu.id AND pp.path LIKE ?
         JOIN administrative_unit s ON s.id = l.successor_id AND s.valid_to IS NULL
       ORDER BY s.code`,
      [`${thaiBinh.path}%`],
    );
    territory = rows.map((r) => r.code);
    const [legacy] = await q(`SELECT u.code AS code FROM unit_placement p JOIN administrative_unit u ON u.id = p.unit_id AND u.level = 'COMMUNE' WHERE p.path LIKE ? ORDER BY u.code`, [`${thaiBinh.path}%`]);
    legacyCommune = legacy.code;

    planId = (await gqlOk(CREATE_PLAN, {
      input: { unit: '34', unitAsOf: '2021-04-13', number: '52/KH-UBND', issuedOn: '2021-04-13', status: 'ISSUED', title: 'Kế hoạch thực hiện Chiến lược quốc gia về bình đẳng giới giai đoạn 2021–2030 trên địa bàn tỉnh Thái Bình', kind: 'MULTI_YEAR', firstYear: 2021, lastYear: 2030 },
    })).createPlan.id;
    const objective = (await gqlOk(ADD_OBJECTIVE, { plan: planId, input: { title: 'Kinh tế, lao động', domain: 'ECONOMY_LABOUR' } })).addObjective.id;
    wageTarget = (await gqlOk(ADD_TARGET, { o: objective, input: { text: 'Tỷ lệ lao động nữ làm công hưởng lương đạt trên 60%', indicator: 'WAGE_EMPLOYMENT_RATE', measure: 'FEMALE', comparator: 'ABOVE', targetValue: 60, dueYear: 2030, baseline: { year: 2021, value: 40 } } })).addTarget.id;
    shareTarget = (await gqlOk(ADD_TARGET, { o: objective, input: { text: 'Tỷ lệ nữ đại biểu Hội đồng nhân dân đạt từ 35% trở lên', indicator: 'PEOPLES_COUNCIL_DEPUTY', measure: 'FEMALE_SHARE', comparator: 'AT_LEAST', targetValue: 35, dueYear: 2030, baseline: { year: 2021, value: 25 } } })).addTarget.id;
    obligation = (await gqlOk(ADD_OBLIGATION, { plan: planId, input: { kind: 'ANNUAL', recipient: 'Bộ Nội vụ', dueDay: 15, dueMonth: 12 } })).addReportingObligation.id;

    const [a, b] = territory;
    const recorded = await gqlOk(RECORD, {
      input: [
        obs('WAGE_EMPLOYMENT_RATE', a, '2026', 'FEMALE', 30, 50),
        obs('WAGE_EMPLOYMENT_RATE', b, '2026', 'FEMALE', 40, 50),
        obs('PEOPLES_COUNCIL_DEPUTY', a, '2026', 'FEMALE', 8),
        obs('PEOPLES_COUNCIL_DEPUTY', a, '2026', 'MALE', 12),
        obs('PEOPLES_COUNCIL_DEPUTY', b, '2026', 'FEMALE', 7),
        obs('PEOPLES_COUNCIL_DEPUTY', b, '2026', 'MALE', 13),
        // Phố Hiến was formed from old Hưng Yên's communes: in Hưng Yên, not in Thái Bình's territory.
        obs('WAGE_EMPLOYMENT_RATE', '11953', '2026', 'FEMALE', 0, 50),
        obs('WAGE_EMPLOYMENT_RATE', legacyCommune, '2024', 'FEMALE', 50, 100),
      ],
    });
    expect(recorded.recordObservations).toEqual({ applied: true, errors: [] });
  });
  afterAll(() => server?.close());

  it("finds Thái Bình's territory in the data: 65 communes of today's Hưng Yên, none formed from old Hưng Yên too", async () => {
    expect(territory).toHaveLength(65);
    const [hungYen] = await q(`SELECT p.path AS path FROM unit_placement p JOIN administrative_unit u ON u.id = p.unit_id WHERE u.code = '33' AND u.valid_to IS NULL`);
    const outside = await q(
      `SELECT COUNT(*) AS n FROM administrative_unit s JOIN unit_placement sp ON sp.unit_id = s.id AND sp.valid_to IS NULL WHERE s.valid_to IS NULL AND s.code IN (${territory.map(() => '?').join(',')}) AND sp.path NOT LIKE ?`,
      [...territory, `${hungYen.path}%`],
    );
    expect(Number(outside[0].n)).toBe(0);
    expect(territory).not.toContain('11953');
  });

  it('judges the plan for 2026 from the observations of the current communes formed from Thái Bình', async () => {
    const hungYenAnalyst = server.token('33', 'ANALYST');
    const rows = (await gqlOk(PROGRESS, { p: planId, period: '2026' }, hungYenAnalyst)).targetProgress as any[];
    expect(rows).toEqual([
      { target: { id: wageTarget }, unit: { code: '34' }, status: 'MET', actual: 70, reportingUnits: 2 },
      { target: { id: shareTarget }, unit: { code: '34' }, status: 'MET', actual: 37.5, reportingUnits: 2 },
    ]);
    // Before the dissolution the plan is still read on Thái Bình itself.
    const before = (await gqlOk(PROGRESS, { p: planId, period: '2024' }, hungYenAnalyst)).targetProgress as any[];
    expect(before[0]).toMatchObject({ unit: { code: '34' }, actual: 50, status: 'ON_TRACK', reportingUnits: 1 });
    // Target.progress answers the same.
    const viaTarget = await gqlOk(`query($p: ID!) { plan(id: $p) { targets { progress(period: "2026") { status actual } } } }`, { p: planId }, hungYenAnalyst);
    expect(viaTarget.plan.targets.map((t: any) => t.progress)).toEqual([{ status: 'MET', actual: 70 }, { status: 'MET', actual: 37.5 }]);
  });

  it('breaks down by the units of the territory with CHILDREN', async () => {
    const rows = (await gqlOk(PROGRESS, { p: planId, period: '2026', b: 'CHILDREN' })).targetProgress as any[];
    const wage = rows.filter((r) => r.target.id === wageTarget);
    expect(wage.map((r) => r.unit.code).sort()).toEqual(territory);
    expect(wage.filter((r) => r.status !== 'NO_DATA').map((r) => [r.unit.code, r.actual])).toEqual([
      [territory[0], 60],
      [territory[1], 80],
    ]);
  });

  it('is listed under Hưng Yên’s subtree, and by nobody else’s', async () => {
    const listed = async (unit: string, token = admin) =>
      ((await gqlOk(`query($u: String!) { plans(unit: $u, includeDescendants: true) { edges { node { id } } } }`, { u: unit }, token)).plans.edges as any[]).map((e) => e.node.id);
    expect(await listed('33')).toContain(planId);
    expect(await listed('33', server.token('33', 'ANALYST'))).toContain(planId);
    expect(await listed('31')).not.toContain(planId);
    expect(await listed(territory[0])).not.toContain(planId);
  });

  it('stays out of the reach of a sibling province and of a commune of the territory', async () => {
    for (const token of [server.token('31', 'ANALYST'), server.token(territory[0], 'ADMIN')]) {
      expect((await gqlOk(`query($p: ID!) { plan(id: $p) { id } }`, { p: planId }, token)).plan).toBeNull();
      const progress = await server.gql(PROGRESS, { p: planId, period: '2026' }, token);
      expect(progress.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const completeness = await server.gql(COMPLETENESS, { a: '34', o: obligation, p: '2026', b: 'NONE' }, token);
      expect(completeness.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('counts reports on the plan over its territory: its own and those of implementing plans inside it', async () => {
    const hungYenAdmin = server.token('33', 'ADMIN');
    const none = async () => ((await gqlOk(COMPLETENESS, { a: '34', o: obligation, p: '2026', b: 'NONE' }, hungYenAdmin)).reportingCompleteness as any[]);
    expect(await none()).toEqual([{ unit: { code: '34' }, expected: 1, reported: 0, missing: [{ code: '34' }] }]);
    await gqlOk(SUBMIT, { o: obligation, input: { period: '2026' } }, hungYenAdmin);
    expect(await none()).toEqual([{ unit: { code: '34' }, expected: 1, reported: 1, missing: [] }]);

    // A commune of the territory implements the plan and owes its own annual report.
    const commune = territory[2];
    const own = (await gqlOk(CREATE_PLAN, { input: { unit: commune, title: 'Kế hoạch bình đẳng giới năm 2026', kind: 'ANNUAL', firstYear: 2026, lastYear: 2026, implements: { number: '52/KH-UBND', issuer: 'UBND tỉnh Thái Bình' } } })).createPlan.id;
    await gqlOk(ADD_OBLIGATION, { plan: own, input: { kind: 'ANNUAL', recipient: 'UBND tỉnh', dueDay: 15, dueMonth: 12 } });
    expect(await none()).toEqual([{ unit: { code: '34' }, expected: 2, reported: 1, missing: [{ code: commune }] }]);
    const children = (await gqlOk(COMPLETENESS, { a: '34', o: obligation, p: '2026', b: 'CHILDREN' }, hungYenAdmin)).reportingCompleteness as any[];
    expect(children.map((r) => r.unit.code)).toEqual(territory);
    expect(children.filter((r) => r.expected > 0)).toEqual([{ unit: { code: commune }, expected: 1, reported: 0, missing: [{ code: commune }] }]);
  });

  it("drafts the plan's 2026 report over its territory", async () => {
    const response = await fetch(`${server.url}/export/plan-report.docx?plan=${encodeURIComponent(planId)}&period=2026`, { headers: { authorization: `Bearer ${server.token('33', 'ANALYST')}` } });
    expect(response.status).toBe(200);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dissolved-report-'));
    try {
      const file = path.join(dir, 'report.docx');
      fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
      const xml = execFileSync('/usr/bin/unzip', ['-p', file, 'word/document.xml']).toString('utf8');
      const rows = [...xml.matchAll(/<w:tr>([\s\S]*?)<\/w:tr>/g)].map((row) => [...row[1].matchAll(/<w:tc>([\s\S]*?)<\/w:tc>/g)].map((cell) => [...cell[1].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('')));
      expect(xml).toContain('TỈNH THÁI BÌNH');
      expect(rows.find((cells) => cells[1] === 'Tỷ lệ lao động nữ làm công hưởng lương đạt trên 60%')?.slice(3)).toEqual(['70%', '&gt; 60% (2030)', 'Đạt']);
      const wage = rows.find((cells) => cells[0].endsWith('(WAGE_EMPLOYMENT_RATE)'));
      expect(wage?.[2]).toBe('2/65');
      expect(wage?.[3].split('; ')).toHaveLength(63);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
