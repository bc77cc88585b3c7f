import { startTestServer, TestServer } from '../support/server';
import { testDatabases } from '../support/databases';

const PLAN_FIELDS = 'id number title kind firstYear lastYear status unit { code name level } implements { number issuedOn issuer }';

describe.each(testDatabases())('plans, targets and responsibilities on $name', (db) => {
  let server: TestServer;
  let admin: string;
  let loiBacEditor: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer(db);
    admin = server.token('VN', 'ADMIN');
    loiBacEditor = server.token('06601', 'EDITOR');
    const { data, errors } = await server.gql(`{ plans(first: 20) { edges { node { id unit { code } } } } }`, {}, admin);
    expect(errors).toBeUndefined();
    ids = Object.fromEntries(data!.plans.edges.map((e: { node: { id: string; unit: { code: string } } }) => [e.node.unit.code, e.node.id]));
  });
  afterAll(() => server?.close());

  const gqlOk = async (query: string, variables: Record<string, unknown> = {}, token = admin) => {
    const result = await server.gql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };

  it('lists exactly the five seed plans, each under its unit', async () => {
    const data = await gqlOk(`{ plans { totalCount edges { node { ${PLAN_FIELDS} } } } }`);
    expect(data.plans.totalCount).toBe(5);
    const byUnit = Object.fromEntries(data.plans.edges.map((e: any) => [e.node.unit.code, e.node]));
    expect(Object.keys(byUnit).sort()).toEqual(['00577', '06601', '16204', '24615', '313']);
    expect(byUnit['06601'].unit).toEqual({ code: '06601', name: 'Lợi Bác', level: 'COMMUNE' });
    expect(byUnit['313'].unit).toEqual({ code: '313', name: 'An Lão', level: 'DISTRICT' });
    expect(byUnit['16204'].unit).toEqual({ code: '16204', name: 'Bình Lương', level: 'COMMUNE' });
    expect(byUnit['00577'].unit.name).toBe('Bát Tràng');
    expect(byUnit['24615'].unit.name).toBe('Nam Gia Nghĩa');
    expect(byUnit['06601']).toMatchObject({ kind: 'MULTI_YEAR', firstYear: 2026, lastYear: 2030, status: 'DRAFT', number: null });
    expect(byUnit['06601'].implements).toEqual({ number: '158/KH-UBND', issuedOn: '2026-04-26', issuer: 'UBND tỉnh Lạng Sơn' });
    expect(byUnit['313']).toMatchObject({ kind: 'ANNUAL', firstYear: 2024, lastYear: 2024 });
  });

  it('filters by unit, subtree, year and upper-level plan, and navigates from units', async () => {
    const codes = async (args: string, token = admin) => {
      const data = await gqlOk(`{ plans${args ? `(${args})` : ''} { totalCount edges { node { unit { code } } } } }`, {}, token);
      expect(data.plans.totalCount).toBe(data.plans.edges.length);
      return data.plans.edges.map((e: any) => e.node.unit.code).sort();
    };
    expect(await codes('unit: "20", includeDescendants: true')).toEqual(['06601']);
    expect(await codes('unit: "20"')).toEqual([]);
    expect(await codes('unit: "06601"')).toEqual(['06601']);
    expect(await codes('unit: "313"')).toEqual(['313']);
    expect(await codes('unit: "16204"')).toEqual(['16204']);
    expect(await codes('year: 2026')).toEqual(['00577', '06601', '24615']);
    expect(await codes('year: 2028')).toEqual(['06601']);
    expect(await codes('implements: "158/KH-UBND"')).toEqual(['06601']);
    const page = await gqlOk(`{ plans(first: 2) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`);
    expect(page.plans).toMatchObject({ totalCount: 5, pageInfo: { hasNextPage: true } });
    expect(page.plans.edges).toHaveLength(2);
    const rest = await gqlOk(`query($after: String) { plans(first: 10, after: $after) { edges { node { id } } pageInfo { hasNextPage } } }`, { after: page.plans.pageInfo.endCursor });
    expect(rest.plans.edges).toHaveLength(3);
    expect(rest.plans.pageInfo.hasNextPage).toBe(false);
    // A provincial analyst sees only its subtree.
    expect(await codes('', server.token('20', 'ANALYST'))).toEqual(['06601']);
    const hidden = await server.gql(`query($id: ID!) { plan(id: $id) { id } }`, { id: ids['00577'] }, server.token('20', 'ANALYST'));
    expect(hidden.data!.plan).toBeNull();

    const data = await gqlOk(`{ unit(code: "06601") { plans { title unit { code } } } hn: unit(code: "00577") { plans { kind } } }`);
    expect(data.unit.plans).toHaveLength(1);
    expect(data.unit.plans[0].title).toMatch(/bình đẳng giới/);
    expect(data.hn.plans).toEqual([{ kind: 'ANNUAL' }]);
  });

  it("gives Lợi Bác's six objectives in order and every numbered target as written", async () => {
    const data = await gqlOk(
      `query($id: ID!) { plan(id: $id) { objectives { ordinal title domain targets { ordinal text indicator { code valueType } measure comparator targetValue dueYear baseline { year value } } } } }`,
      { id: ids['06601'] },
    );
    const objectives = data.plan.objectives;
    expect(objectives.map((o: any) => [o.ordinal, o.domain])).toEqual([
      [1, 'POLITICS'], [2, 'ECONOMY_LABOUR'], [3, 'FAMILY_GBV'], [4, 'HEALTH'], [5, 'EDUCATION'], [6, 'INFORMATION_COMMUNICATION'],
    ]);
    expect(objectives[0].title).toBe('Trong lĩnh vực chính trị');
    const rows = objectives.flatMap((o: any) => o.targets.map((t: any) => [`${o.ordinal}.${t.ordinal}`, t.indicator?.code ?? null, t.measure, t.comparator, t.targetValue, t.dueYear]));
    expect(rows).toEqual([
      ['1.1', 'FEMALE_KEY_LEADER', 'TOTAL', 'AT_LEAST', 75, 2030],
      ['2.1', 'WAGE_EMPLOYMENT_RATE', 'FEMALE', 'ABOVE', 60, 2030],
      ['2.2', 'AGRICULTURE_EMPLOYMENT_SHARE', 'FEMALE', 'BELOW', 25, 2030],
      ['2.3', 'ENTERPRISE_DIRECTOR', 'FEMALE_SHARE', 'AT_LEAST', 30, 2030],
      ['3.1', 'UNPAID_CARE_HOURS', 'FEMALE_TO_MALE_RATIO', 'AT_MOST', 1.4, 2030],
      ['3.2', 'GBV_VICTIM_SUPPORTED', 'TOTAL', 'AT_LEAST', 90, 2030],
      ['3.3', 'GBV_PERPETRATOR_COUNSELLED', 'TOTAL', 'AT_LEAST', 70, 2030],
      ['3.4', 'TRAFFICKING_VICTIM_SUPPORTED', 'TOTAL', 'AT_LEAST', 100, null],
      ['3.5', 'SOCIAL_ASSISTANCE_FACILITY_GBV', 'TOTAL', 'AT_LEAST', 1, 2030],
      ['4.1', 'SEX_RATIO_AT_BIRTH', 'TOTAL', 'AT_MOST', 103, 2030],
      ['4.2', 'ADOLESCENT_BIRTH_RATE', 'TOTAL', 'BELOW', 2, 2030],
      ['5.1', null, null, null, null, null],
      ['5.2', 'EM_PRIMARY_COMPLETION', 'EACH_SEX', 'ABOVE', 98, 2030],
      ['5.3', 'EM_LOWER_SECONDARY_COMPLETION', 'EACH_SEX', 'AT_LEAST', 87, 2030],
      ['5.4', 'VOCATIONAL_NEW_ENROLMENT', 'FEMALE_SHARE', 'AT_LEAST', 20, 2030],
      ['6.1', 'POPULATION_REACHED_GE_KNOWLEDGE', 'TOTAL', 'AT_LEAST', 80, null],
      ['6.2', 'ORGANISATION_GE_INFORMED', 'TOTAL', 'AT_LEAST', 100, null],
      ['6.3', 'GE_NEWS_ITEM', 'TOTAL', 'AT_LEAST', 1, null],
    ]);
    const all = objectives.flatMap((o: any) => o.targets);
    expect(all.every((t: any) => t.text.length > 10)).toBe(true);
    expect(all.find((t: any) => t.indicator?.code === 'WAGE_EMPLOYMENT_RATE').indicator.valueType).toBe('PROPORTION');
    expect(objectives[3].targets[1].baseline).toEqual({ year: 2025, value: 2 });
    expect(objectives[0].targets[0].baseline).toBeNull();
  });

  it('names who reports on which objective, and when reports are due', async () => {
    const data = await gqlOk(
      `query($loiBac: ID!, $ngn: ID!, $anLao: ID!) {
        loiBac: plan(id: $loiBac) { responsibilities { role agency { name kind } objectives { ordinal } targets { ordinal objective { ordinal } } } }
        ngn: plan(id: $ngn) { reportingObligations { kind dueDay dueMonth dueDate recipient reporter { key } submissions { period } } }
        anLao: plan(id: $anLao) { reportingObligations { kind dueDay dueMonth recipient } }
      }`,
      { loiBac: ids['06601'], ngn: ids['24615'], anLao: ids['313'] },
    );
    const reporting = data.loiBac.responsibilities.filter((r: any) => r.role === 'MONITOR_AND_REPORT');
    const objectivesOf = (name: string) => reporting.find((r: any) => r.agency.name === name)?.objectives.map((o: any) => o.ordinal);
    expect(objectivesOf('Phòng Kinh tế')).toEqual([2]);
    expect(objectivesOf('Phòng Văn hóa – Xã hội')).toEqual([1, 3, 4, 5, 6]);
    const economic = reporting.find((r: any) => r.agency.name === 'Phòng Kinh tế');
    expect(economic.agency.kind).toBe('ECONOMIC_DIVISION');
    expect(economic.targets.map((t: any) => `${t.objective.ordinal}.${t.ordinal}`)).toEqual(['2.1', '2.2', '2.3']);
    const police = reporting.find((r: any) => r.agency.name === 'Công an xã');
    expect(police.targets.map((t: any) => `${t.objective.ordinal}.${t.ordinal}`)).toEqual(['3.2', '3.3', '3.4']);

    const ngn = data.ngn.reportingObligations;
    expect(ngn.filter((o: any) => o.dueDay === 25 && o.dueMonth === 11)).toEqual([
      expect.objectContaining({ kind: 'ANNUAL', dueDate: null, recipient: 'UBND phường (qua phòng Văn hóa – Xã hội)', reporter: { key: 'co-quan-don-vi' }, submissions: [] }),
    ]);
    expect(ngn.some((o: any) => o.recipient === 'Sở Nội vụ tỉnh' && o.kind === 'ANNUAL')).toBe(true);

    const deadlines = data.anLao.reportingObligations.filter((o: any) => o.dueDay !== null).map((o: any) => [o.kind, o.dueDay, o.dueMonth]);
    expect(deadlines).toEqual(expect.arrayContaining([['SIX_MONTH', 5, 6], ['ANNUAL', 5, 12]]));
    expect(new Set(deadlines.map((d: unknown[]) => d.join('/')))).toEqual(new Set(['SIX_MONTH/5/6', 'ANNUAL/5/12']));
  });

  it("navigates from an agency to its responsibilities and from a plan's tasks to their schedules", async () => {
    const data = await gqlOk(
      `query($anLao: ID!, $batTrang: ID!) {
        unit(code: "06601") { agencies { key name responsibilities { role plan { unit { code } } } } }
        anLao: plan(id: $anLao) { tasks { ordinal schedule { kind yearlyFrom { day month } yearlyTo { day month } } leadAgency { key } } }
        batTrang: plan(id: $batTrang) { tasks { ordinal schedule { kind days { day month } } } }
      }`,
      { anLao: ids['313'], batTrang: ids['00577'] },
    );
    const economic = data.unit.agencies.find((a: any) => a.key === 'phong-kinh-te');
    expect(economic.name).toBe('Phòng Kinh tế');
    expect(economic.responsibilities.map((r: any) => r.role).sort()).toEqual(['LEAD', 'MONITOR_AND_REPORT']);
    expect(economic.responsibilities.every((r: any) => r.plan.unit.code === '06601')).toBe(true);
    expect(data.unit.agencies).toHaveLength(12);
    const actionMonth = data.anLao.tasks.find((t: any) => t.ordinal === 3);
    expect(actionMonth.schedule).toEqual({ kind: 'YEARLY_RANGE', yearlyFrom: { day: 15, month: 11 }, yearlyTo: { day: 15, month: 12 } });
    expect(actionMonth.leadAgency).toEqual({ key: 'phong-ldtbxh' });
    expect(data.batTrang.tasks.find((t: any) => t.ordinal === 2).schedule.days).toEqual([{ day: 8, month: 3 }, { day: 20, month: 3 }, { day: 28, month: 6 }, { day: 20, month: 10 }]);
  });

  describe('writes', () => {
    const targetCount = async (planId: string) => {
      const data = await gqlOk(`query($id: ID!) { plan(id: $id) { targets { id } } }`, { id: planId });
      return data.plan.targets.length as number;
    };
    const objectiveId = async (planId: string, ordinal: number) => {
      const data = await gqlOk(`query($id: ID!) { plan(id: $id) { objectives { id ordinal } } }`, { id: planId });
      return data.plan.objectives.find((o: any) => o.ordinal === ordinal).id as string;
    };
    const ADD_TARGET = `mutation($objective: ID!, $input: TargetInput!) { addTarget(objective: $objective, input: $input) { id ordinal text indicator { code } measure comparator targetValue dueYear } }`;

    it('lets a Lợi Bác EDITOR add a target to its plan', async () => {
      const before = await targetCount(ids['06601']);
      const objective = await objectiveId(ids['06601'], 2);
      const data = await gqlOk(
        ADD_TARGET,
        { objective, input: { text: 'Tỷ lệ lao động nữ làm công ăn lương đạt trên 50% vào năm 2028', indicator: 'WAGE_EMPLOYMENT_RATE', measure: 'FEMALE', comparator: 'ABOVE', targetValue: 50, dueYear: 2028 } },
        loiBacEditor,
      );
      expect(data.addTarget).toMatchObject({ ordinal: 4, indicator: { code: 'WAGE_EMPLOYMENT_RATE' }, measure: 'FEMALE', comparator: 'ABOVE', targetValue: 50, dueYear: 2028 });
      expect(await targetCount(ids['06601'])).toBe(before + 1);
      const read = await gqlOk(`query($id: ID!) { plan(id: $id) { objectives { ordinal targets { ordinal targetValue } } } }`, { id: ids['06601'] });
      expect(read.plan.objectives[1].targets).toEqual([
        { ordinal: 1, targetValue: 60 }, { ordinal: 2, targetValue: 25 }, { ordinal: 3, targetValue: 30 }, { ordinal: 4, targetValue: 50 },
      ]);
    });

    it("refuses the same EDITOR on Bát Tràng's plan with FORBIDDEN and writes nothing", async () => {
      const before = await gqlOk(`query($id: ID!) { plan(id: $id) { title objectives { id } } }`, { id: ids['00577'] });
      const update = await server.gql(`mutation($id: ID!) { updatePlan(id: $id, input: { title: "Đã sửa" }) { title } }`, { id: ids['00577'] }, loiBacEditor);
      expect(update.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const add = await server.gql(`mutation($id: ID!) { addObjective(plan: $id, input: { title: "X", domain: POLITICS }) { id } }`, { id: ids['00577'] }, loiBacEditor);
      expect(add.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      // The same answer as for a plan that does not exist.
      const missing = await server.gql(`mutation { updatePlan(id: "999999", input: { title: "X" }) { title } }`, {}, loiBacEditor);
      expect(missing.errors?.[0]).toMatchObject({ message: update.errors?.[0].message, extensions: { code: 'FORBIDDEN' } });
      const after = await gqlOk(`query($id: ID!) { plan(id: $id) { title objectives { id } } }`, { id: ids['00577'] });
      expect(after).toEqual(before);
      // An analyst of Lợi Bác may read but not write.
      const analyst = await server.gql(`mutation($id: ID!) { updatePlan(id: $id, input: { title: "X" }) { title } }`, { id: ids['06601'] }, server.token('06601', 'ANALYST'));
      expect(analyst.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });

    it('refuses impossible targets with BAD_USER_INPUT naming the field, writing nothing', async () => {
      const before = await targetCount(ids['06601']);
      const objective = await objectiveId(ids['06601'], 2);
      const refuse = async (input: Record<string, unknown>, field: string) => {
        const result = await server.gql(ADD_TARGET, { objective, input: { text: 'Chỉ tiêu thử', ...input } }, loiBacEditor);
        expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
        return result.errors![0].message;
      };
      expect(await refuse({ indicator: 'WAGE_EMPLOYMENT_RATE', measure: 'FEMALE', comparator: 'AT_LEAST', targetValue: 140, dueYear: 2030 }, 'targetValue')).toMatch(/between 0 and 100/);
      await refuse({ indicator: 'ENTERPRISE_DIRECTOR', measure: 'FEMALE_SHARE', comparator: 'AT_LEAST', targetValue: 140, dueYear: 2030 }, 'targetValue');
      await refuse({ indicator: 'ADOLESCENT_BIRTH_RATE', measure: 'TOTAL', comparator: 'BELOW', targetValue: 1200, dueYear: 2030 }, 'targetValue');
      await refuse({ indicator: 'GE_NEWS_ITEM', comparator: 'AT_LEAST', targetValue: 2.5, dueYear: 2030 }, 'targetValue');
      await refuse({ indicator: 'FEMALE_KEY_LEADER', measure: 'FEMALE', comparator: 'AT_LEAST', targetValue: 50, dueYear: 2030 }, 'measure');
      await refuse({ indicator: 'WAGE_EMPLOYMENT_RATE', measure: 'FEMALE', comparator: 'AT_LEAST', targetValue: 50, dueYear: 2035 }, 'dueYear');
      await refuse({ indicator: 'NO_SUCH_INDICATOR', comparator: 'AT_LEAST', targetValue: 1 }, 'indicator');
      await refuse({ indicator: 'WAGE_EMPLOYMENT_RATE', measure: 'FEMALE', targetValue: 50 }, 'comparator');
      expect(await targetCount(ids['06601'])).toBe(before);
      // Nor may a target be changed into an impossible one.
      const data = await gqlOk(`query($id: ID!) { plan(id: $id) { objectives { targets { id targetValue } } } }`, { id: ids['06601'] });
      const wage = data.plan.objectives[1].targets[0];
      const result = await server.gql(`mutation($id: ID!) { updateTarget(id: $id, input: { targetValue: 140 }) { targetValue } }`, { id: wage.id }, loiBacEditor);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'targetValue' });
      const again = await gqlOk(`query($id: ID!) { plan(id: $id) { objectives { targets { id targetValue } } } }`, { id: ids['06601'] });
      expect(again.plan.objectives[1].targets[0]).toEqual(wage);
    });

    it("keeps responsibilities inside the plan's unit", async () => {
      const batTrangAgency = (await gqlOk(`{ unit(code: "00577") { agencies { id key } } }`)).unit.agencies[0].id;
      const result = await server.gql(
        `mutation($plan: ID!, $agency: ID!) { addResponsibility(plan: $plan, input: { agency: $agency, role: SUPPORT }) { role } }`,
        { plan: ids['06601'], agency: batTrangAgency },
        admin,
      );
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'agency' });
      const agency = await gqlOk(`mutation { addAgency(input: { unit: "06601", name: "Trạm Y tế xã", kind: HEALTH_STATION }) { id key } }`, {}, loiBacEditor);
      expect(agency.addAgency.key).toBe('tram-y-te-xa');
      const added = await gqlOk(
        `mutation($plan: ID!, $agency: ID!) { addResponsibility(plan: $plan, input: { agency: $agency, role: MONITOR_AND_REPORT, duties: "Báo cáo", objectiveOrdinals: [4] }) { role agency { name } objectives { ordinal } targets { ordinal } } }`,
        { plan: ids['06601'], agency: agency.addAgency.id },
        loiBacEditor,
      );
      expect(added.addResponsibility).toEqual({ role: 'MONITOR_AND_REPORT', agency: { name: 'Trạm Y tế xã' }, objectives: [{ ordinal: 4 }], targets: [{ ordinal: 1 }, { ordinal: 2 }] });
    });

    it('records obligations and submissions', async () => {
      const ob = await gqlOk(
        `mutation($plan: ID!) { addReportingObligation(plan: $plan, input: { kind: SIX_MONTH, recipient: "UBND xã", dueDay: 5, dueMonth: 6 }) { id kind dueDay dueMonth } }`,
        { plan: ids['06601'] },
        loiBacEditor,
      );
      expect(ob.addReportingObligation).toMatchObject({ kind: 'SIX_MONTH', dueDay: 5, dueMonth: 6 });
      const bad = await server.gql(`mutation($id: ID!) { recordSubmission(obligation: $id, input: { period: "2026H1" }) { id } }`, { id: ob.addReportingObligation.id }, loiBacEditor);
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'period' });
      const sub = await gqlOk(`mutation($id: ID!) { recordSubmission(obligation: $id, input: { period: "2026S1" }) { period submittedBy submittedAt } }`, { id: ob.addReportingObligation.id }, loiBacEditor);
      expect(sub.recordSubmission).toMatchObject({ period: '2026S1', submittedBy: 'test-editor@06601' });
      const read = await gqlOk(`query($id: ID!) { plan(id: $id) { reportingObligations { id submissions { period } } } }`, { id: ids['06601'] });
      expect(read.plan.reportingObligations.find((o: any) => o.id === ob.addReportingObligation.id).submissions).toEqual([{ period: '2026S1' }]);
    });

    it('creates plans and keeps the history of issued ones', async () => {
      const created = await gqlOk(
        `mutation { createPlan(input: { unit: "06601", number: "12/KH-UBND", title: "Kế hoạch bình đẳng giới năm 2027", kind: ANNUAL, firstYear: 2027, lastYear: 2027, issuedOn: "2027-01-15", status: ISSUED, implements: { number: "158/KH-UBND", issuer: "UBND tỉnh Lạng Sơn" } }) { id status unit { code } } }`,
        {},
        loiBacEditor,
      );
      const id = created.createPlan.id;
      expect(created.createPlan).toMatchObject({ status: 'ISSUED', unit: { code: '06601' } });
      const badYears = await server.gql(`mutation { createPlan(input: { unit: "06601", title: "X", kind: ANNUAL, firstYear: 2028, lastYear: 2027 }) { id } }`, {}, loiBacEditor);
      expect(badYears.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lastYear' });
      const elsewhere = await server.gql(`mutation { createPlan(input: { unit: "00577", title: "X", kind: ANNUAL, firstYear: 2027, lastYear: 2027 }) { id } }`, {}, loiBacEditor);
      expect(elsewhere.errors?.[0].extensions?.code).toMatch(/BAD_USER_INPUT|FORBIDDEN/);

      await gqlOk(`mutation($id: ID!) { updatePlan(id: $id, input: { title: "Kế hoạch thực hiện công tác bình đẳng giới năm 2027" }) { title } }`, { id }, loiBacEditor);
      await gqlOk(`mutation($id: ID!) { addObjective(plan: $id, input: { title: "Trong lĩnh vực chính trị", domain: POLITICS }) { ordinal } }`, { id }, loiBacEditor);
      const history = (await gqlOk(`query($id: ID!) { plan(id: $id) { title history { action entityType field oldValue newValue changedBy changedAt } } }`, { id })).plan;
      expect(history.title).toBe('Kế hoạch thực hiện công tác bình đẳng giới năm 2027');
      expect(history.history).toHaveLength(3);
      expect(history.history[0]).toMatchObject({ action: 'createPlan', entityType: 'Plan', field: null });
      history.history.shift();
      expect(history.history[0]).toMatchObject({ action: 'updatePlan', entityType: 'Plan', field: 'title', oldValue: JSON.stringify('Kế hoạch bình đẳng giới năm 2027'), changedBy: 'test-editor@06601' });
      expect(history.history[0].changedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(history.history[1]).toMatchObject({ action: 'addObjective', entityType: 'Objective', field: null });
      const implementing = (await gqlOk(`{ plans(implements: "158/KH-UBND") { totalCount } }`)).plans.totalCount;
      expect(implementing).toBe(2);

      // A draft keeps its history too: it is corrected for months before it is issued.
      await gqlOk(`mutation($id: ID!) { updatePlan(id: $id, input: { signer: "Nguyễn Văn A" }) { signer } }`, { id: ids['00577'] }, admin);
      const draft = (await gqlOk(`query($id: ID!) { plan(id: $id) { signer history { action field oldValue newValue } } }`, { id: ids['00577'] })).plan;
      expect(draft).toEqual({ signer: 'Nguyễn Văn A', history: [{ action: 'updatePlan', field: 'signer', oldValue: JSON.stringify('Dương Đăng Hòa'), newValue: JSON.stringify('Nguyễn Văn A') }] });
    });

    it('numbers concurrent additions to one plan in turn, while observations are written at the same time', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => [
          server.gql(`mutation($id: ID!, $t: String!) { addObjective(plan: $id, input: { title: $t, domain: HEALTH }) { ordinal } }`, { id: ids['06601'], t: `Mục tiêu đồng thời ${i}` }, loiBacEditor),
          server.gql(`mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied } }`, { input: [{ indicator: 'GE_CONFERENCE', unit: '06601', period: String(2040 + i), sex: 'TOTAL', numerator: i }] }, loiBacEditor),
        ]).flat(),
      );
      expect(results.map((r) => r.errors?.[0]?.message ?? null)).toEqual(new Array(16).fill(null));
      const ordinals = results.filter((_, i) => i % 2 === 0).map((r) => r.data!.addObjective.ordinal).sort((a: number, b: number) => a - b);
      // Numbered in turn: eight consecutive ordinals after the plan's last one, no gap and no repeat.
      expect(ordinals).toEqual(Array.from({ length: 8 }, (_, i) => ordinals[0] + i));
      const stored = (await server.gql(`query($id: ID!) { plan(id: $id) { objectives { ordinal } } }`, { id: ids['06601'] }, loiBacEditor)).data!.plan.objectives.map((o: { ordinal: number }) => o.ordinal);
      expect(stored.slice(-8)).toEqual(ordinals);
    });
  });
});
