import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * `targetProgress` on a plan entered through the API, with observations recorded through the API:
 * the expected value follows baseline → milestones → target, APPROXIMATELY holds within its
 * tolerance, likely scale slips are warned about, a share needs its measure, periods outside the
 * plan are refused, and results come in objective, then target order.
 *
 * The plan is Hiến Nam's (legacy commune 11953 of Hưng Yên, 2021–2030), whose territory became
 * phường Phố Hiến (11953 again) on 2025-07-01: 2023 is read on Hiến Nam, 2025 onwards on Phố Hiến.
 * Neither has demo observations, so every value below is the one this test records.
 */
const CREATE_PLAN = `mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }`;
const ADD_OBJECTIVE = `mutation($plan: ID!, $input: ObjectiveInput!) { addObjective(plan: $plan, input: $input) { id } }`;
const ADD_TARGET = `mutation($o: ID!, $input: TargetInput!) { addTarget(objective: $o, input: $input) { id warnings } }`;
const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied errors { index field message } } }`;
const PROGRESS = `query($p: ID!, $period: String!) { targetProgress(plan: $p, period: $period) {
  target { id text } status actual targetValue comparator tolerance expected distance warnings
} }`;

describe.each(testDatabases())('targetProgress on $name', (db) => {
  let server: TestServer;
  let admin: string;
  let planId: string;
  const ids: Record<string, string> = {};

  const gqlOk = async (query: string, variables: Record<string, unknown> = {}) => {
    const result = await server.gql(query, variables, admin);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  const refusal = async (query: string, variables: Record<string, unknown>) => {
    const result = await server.gql(query, variables, admin);
    expect(result.errors).toHaveLength(1);
    return result.errors![0];
  };
  const progress = async (period: string) => (await gqlOk(PROGRESS, { p: planId, period })).targetProgress as any[];
  const wageRate = (period: string, female: number) => ({ indicator: 'WAGE_EMPLOYMENT_RATE', unit: '11953', period, sex: 'FEMALE', numerator: female, denominator: 100 });

  beforeAll(async () => {
    server = await startTestServer(db);
    admin = server.token('VN', 'ADMIN');
    planId = (await gqlOk(CREATE_PLAN, { input: { unit: '11953', unitAsOf: '2021-04-13', title: 'Kế hoạch bình đẳng giới giai đoạn 2021–2030', kind: 'MULTI_YEAR', firstYear: 2021, lastYear: 2030 } })).createPlan.id;
    const economy = (await gqlOk(ADD_OBJECTIVE, { plan: planId, input: { title: 'Kinh tế, lao động', domain: 'ECONOMY_LABOUR' } })).addObjective.id;
    const health = (await gqlOk(ADD_OBJECTIVE, { plan: planId, input: { title: 'Y tế', domain: 'HEALTH' } })).addObjective.id;
    // Added out of order on purpose: objective 2's target first, then objective 1's second target before its first.
    ids.sexRatio = (await gqlOk(ADD_TARGET, { o: health, input: { text: 'Tỷ số giới tính khi sinh không quá 1,09', indicator: 'SEX_RATIO_AT_BIRTH', measure: 'TOTAL', comparator: 'AT_MOST', targetValue: 1.09, dueYear: 2030 } })).addTarget.id;
    ids.approx = (await gqlOk(ADD_TARGET, { o: economy, input: { ordinal: 2, text: 'Tỷ lệ lao động nữ làm công hưởng lương khoảng 60%', indicator: 'WAGE_EMPLOYMENT_RATE', measure: 'FEMALE', comparator: 'APPROXIMATELY', targetValue: 60, tolerance: 2, dueYear: 2030 } })).addTarget.id;
    ids.line = (await gqlOk(ADD_TARGET, {
      o: economy,
      input: { ordinal: 1, text: 'Tỷ lệ lao động nữ làm công hưởng lương đạt 50% năm 2025, 60% năm 2030', indicator: 'WAGE_EMPLOYMENT_RATE', measure: 'FEMALE', comparator: 'AT_LEAST', targetValue: 60, dueYear: 2030, baseline: { year: 2021, value: 40 }, milestones: [{ year: 2025, value: 50 }] },
    })).addTarget.id;
    const recorded = await gqlOk(RECORD, { input: [wageRate('2023', 46), wageRate('2025', 49), wageRate('2028', 56), wageRate('2029', 58.5), wageRate('2030', 62.5)] });
    expect(recorded.recordObservations).toEqual({ applied: true, errors: [] });
  });
  afterAll(() => server?.close());

  it('expects the straight lines baseline → milestone → target: 45 in 2023, 50 in 2025, 56 in 2028', async () => {
    const line = async (period: string) => (await progress(period)).find((p) => p.target.id === ids.line);
    expect(await line('2023')).toMatchObject({ expected: 45, actual: 46, status: 'ON_TRACK' });
    expect(await line('2025')).toMatchObject({ expected: 50, actual: 49, status: 'OFF_TRACK' });
    expect(await line('2028')).toMatchObject({ expected: 56, actual: 56, status: 'ON_TRACK' });
    expect(await line('2030')).toMatchObject({ expected: null, actual: 62.5, status: 'MET' });
  });

  it('holds APPROXIMATELY 60 ± 2 at 58.5 and not at 62.5 in the due year', async () => {
    const approx = async (period: string) => (await progress(period)).find((p) => p.target.id === ids.approx);
    const at2029 = await approx('2029');
    expect(at2029).toMatchObject({ comparator: 'APPROXIMATELY', tolerance: 2, actual: 58.5, status: 'MET' });
    expect(at2029.distance).toBeCloseTo(-0.5, 9);
    const at2030 = await approx('2030');
    expect(at2030).toMatchObject({ actual: 62.5, status: 'NOT_MET' });
    expect(at2030.distance).toBeCloseTo(0.5, 9);
  });

  it('refuses APPROXIMATELY without a tolerance and a tolerance with another comparator, naming the field', async () => {
    const objective = (await gqlOk(`query($p: ID!) { plan(id: $p) { objectives { id } } }`, { p: planId })).plan.objectives[0].id;
    const base = { text: 'khoảng 60%', indicator: 'WAGE_EMPLOYMENT_RATE', measure: 'FEMALE', targetValue: 60 };
    expect((await refusal(ADD_TARGET, { o: objective, input: { ...base, comparator: 'APPROXIMATELY' } })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tolerance' });
    expect((await refusal(ADD_TARGET, { o: objective, input: { ...base, comparator: 'AT_LEAST', tolerance: 2 } })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tolerance' });
  });

  it('gives results in objective order, then target order', async () => {
    expect((await progress('2026')).map((p) => p.target.id)).toEqual([ids.line, ids.approx, ids.sexRatio]);
    const plan = await gqlOk(`query($p: ID!) { plan(id: $p) { targets { id } } }`, { p: planId });
    expect(plan.plan.targets.map((t: { id: string }) => t.id)).toEqual([ids.line, ids.approx, ids.sexRatio]);
  });

  it('warns of a sex ratio written per girl (1.09 for 109) and a share written as a fraction (0.6 for 60%)', async () => {
    const sexRatio = (await progress('2026')).find((p) => p.target.id === ids.sexRatio);
    expect(sexRatio.warnings).toHaveLength(1);
    expect(sexRatio.warnings[0]).toContain('did you mean 109?');
    const objective = (await gqlOk(`query($p: ID!) { plan(id: $p) { objectives { id } } }`, { p: planId })).plan.objectives[0].id;
    const fraction = await gqlOk(ADD_TARGET, { o: objective, input: { text: 'Tỷ lệ lao động nữ làm công hưởng lương đạt 0,6 năm 2029', indicator: 'WAGE_EMPLOYMENT_RATE', measure: 'FEMALE', comparator: 'AT_LEAST', targetValue: 0.6, dueYear: 2029 } });
    expect(fraction.addTarget.warnings).toEqual([expect.stringContaining('did you mean 60%?')]);
    const loiBac = await gqlOk(`{ plans(unit: "06601") { edges { node { targets { text warnings } } } } }`);
    const seeded = loiBac.plans.edges[0].node.targets as { text: string; warnings: string[] }[];
    expect(seeded.length).toBeGreaterThan(10);
    expect(seeded.filter((t) => t.warnings.length)).toEqual([]);
  });

  it('requires the measure where a sex-disaggregated count is spoken of as a share ("30% nữ")', async () => {
    const objective = (await gqlOk(`query($p: ID!) { plan(id: $p) { objectives { id } } }`, { p: planId })).plan.objectives[0].id;
    const share = { text: 'Tỷ lệ nữ giám đốc/chủ doanh nghiệp đạt từ 30% trở lên', indicator: 'ENTERPRISE_DIRECTOR', comparator: 'AT_LEAST', targetValue: 30, dueYear: 2030 };
    const missing = await refusal(ADD_TARGET, { o: objective, input: share });
    expect(missing.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'measure' });
    expect(missing.message).toContain('FEMALE_SHARE');
    expect((await refusal(ADD_TARGET, { o: objective, input: { ...share, measure: 'FEMALE' } })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'measure' });
    const stated = await gqlOk(ADD_TARGET, { o: objective, input: { ...share, measure: 'FEMALE_SHARE' } });
    expect(stated.addTarget.id).toBeTruthy();
    const count = await gqlOk(ADD_TARGET, { o: objective, input: { ...share, text: 'Có ít nhất 30 giám đốc doanh nghiệp' } });
    expect(count.addTarget.id).toBeTruthy();
  });

  it('refuses periods outside the plan, shorter than its targets, or malformed, instead of NO_DATA', async () => {
    for (const period of ['2019', '2035', '2024Q1', '20x6']) {
      const error = await refusal(PROGRESS, { p: planId, period });
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'period' });
    }
    const viaTarget = await server.gql(`query($p: ID!) { plan(id: $p) { targets { progress(period: "2035") { status } } } }`, { p: planId }, admin);
    expect(viaTarget.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'period' });
  });
});
