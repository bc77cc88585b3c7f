import { startTestServer, TestServer } from '../support/server';
import { testDatabases } from '../support/databases';

/**
 * Issue 16 (part A): an official corrects and deletes every part of a plan, restores one, clears
 * fields with null and reads the whole history back; impossible values are refused naming the field.
 */
describe.each(testDatabases())('editing plans as officials keep them on $name', (db) => {
  let server: TestServer;
  let admin: string;
  let editor: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    admin = server.token('VN', 'ADMIN');
    editor = server.token('06601', 'EDITOR');
  });
  afterAll(() => server?.close());

  const gqlOk = async (query: string, variables: Record<string, unknown> = {}, token = editor) => {
    const result = await server.gql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  /** The first error's code, field and message of a request expected to fail. */
  const refusal = async (query: string, variables: Record<string, unknown> = {}, token = editor) => {
    const result = await server.gql(query, variables, token);
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors!;
    return { code: error.extensions?.code, field: error.extensions?.field, message: error.message };
  };

  const CREATE = `mutation($input: CreatePlanInput!) { createPlan(input: $input) { id number title status unit { code name } } }`;
  const UPDATE_PLAN = `mutation($id: ID!, $input: UpdatePlanInput!) { updatePlan(id: $id, input: $input) { id } }`;
  const HISTORY = `query($id: ID!) { plan(id: $id) { history { id action entityType entityId field oldValue newValue changedBy reason } } }`;
  const basePlan = { unit: '06601', kind: 'MULTI_YEAR', firstYear: 2026, lastYear: 2030 };

  it("transcribes Lợi Bác's general objective, signer capacity and distribution list verbatim", async () => {
    const data = await gqlOk(`{ plans(unit: "06601") { edges { node { issuedPlace signer signerCapacity generalObjective distributionList } } } }`, {}, admin);
    const plan = data.plans.edges[0].node;
    expect(plan.generalObjective).toBe(
      'Tiếp tục thu hẹp khoảng cách giới, tạo điều kiện và cơ hội để phụ nữ và nam giới tham gia, thụ hưởng bình đẳng trong các lĩnh vực của đời sống xã hội, góp phần vào sự phát triển bền vững của xã.',
    );
    expect(plan.signerCapacity).toBe('TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH');
    expect(plan).toMatchObject({ issuedPlace: 'Lợi Bác', signer: 'Chu Mạnh Dũng' });
    expect(plan.distributionList[0]).toBe('Sở Nội vụ (b/c);');
    expect(plan.distributionList).toHaveLength(8);
    expect(plan.generalObjective.normalize('NFC')).toBe(plan.generalObjective);
  });

  it('edits and deletes every kind of plan part, restores one, clears with null and reads the whole history back', async () => {
    // Decomposed accents, a zero-width space and a control character, as pasted from a word processor.
    const pasted = 'Ke\u0302\u0301 hoa\u0323ch\u200B bi\u0300nh đă\u0309ng gio\u031B\u0301i\u0007 2026';
    const created = await gqlOk(CREATE, {
      input: {
        ...basePlan, number: '56/KH-UBND', title: pasted, issuedOn: '2026-06-01', status: 'ISSUED', issuedPlace: 'Lợi Bác', signer: 'Chu Mạnh Dũng',
        signerCapacity: 'KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH', generalObjective: 'Thu hẹp khoảng cách giới.',
        issuingDecision: { number: '57/QĐ-UBND', issuedOn: '2026-06-01', issuer: 'UBND xã Lợi Bác', title: 'ban hành Kế hoạch' },
        implements: { number: '158/KH-UBND', issuer: 'UBND tỉnh Lạng Sơn' },
        alsoImplements: [{ number: '28/NQ-CP', issuedOn: '2021-03-03', issuer: 'Chính phủ' }],
        distributionList: ['Sở Nội vụ (b/c);', 'UBND các xã, phường;'],
        legalBases: ['Luật Bình đẳng giới số 73/2006/QH11'], purposes: ['Mục đích 1'],
      },
    });
    const planId = created.createPlan.id;
    expect(created.createPlan.title).toBe('Kế hoạch bình đẳng giới 2026');
    expect(created.createPlan.title).toBe(created.createPlan.title.normalize('NFC'));

    // Parts of every kind.
    const objective = async (title: string, domain: string) => (await gqlOk(`mutation($p: ID!, $t: String!, $d: Domain!) { addObjective(plan: $p, input: { title: $t, domain: $d }) { id ordinal } }`, { p: planId, t: title, d: domain })).addObjective;
    const o1 = await objective('Trong lĩnh vực chính trị', 'POLITICS');
    const o2 = await objective('Trong lĩnh vực kinh tế, lao động', 'ECONOMY_LABOUR');
    const addTarget = `mutation($o: ID!, $input: TargetInput!) { addTarget(objective: $o, input: $input) { id ordinal } }`;
    const wage = (await gqlOk(addTarget, { o: o2.id, input: { text: 'Lao động nữ làm công hưởng lương trên 60%', indicator: 'WAGE_EMPLOYMENT_RATE', measure: 'FEMALE', comparator: 'ABOVE', targetValue: 60, dueYear: 2030, baseline: { year: 2026, value: 50 } } })).addTarget;
    const director = (await gqlOk(addTarget, { o: o2.id, input: { text: 'Nữ giám đốc doanh nghiệp từ 30%', indicator: 'ENTERPRISE_DIRECTOR', measure: 'FEMALE_SHARE', comparator: 'AT_LEAST', targetValue: 30, dueYear: 2030 } })).addTarget;
    const leader = (await gqlOk(addTarget, { o: o1.id, input: { text: '75% thôn có lãnh đạo chủ chốt là nữ', indicator: 'FEMALE_KEY_LEADER', comparator: 'AT_LEAST', targetValue: 75, dueYear: 2030 } })).addTarget;
    const agency = async (name: string, kind: string, collective = false) => (await gqlOk(`mutation($n: String!, $k: AgencyKind!, $c: Boolean!) { addAgency(input: { unit: "06601", name: $n, kind: $k, collective: $c }) { id name kind collective } }`, { n: name, k: kind, c: collective })).addAgency;
    const culture = await agency('Phòng Văn hóa - Xã hội (sửa)', 'CULTURE_SOCIAL_DIVISION');
    const union = await agency('Hội Liên hiệp Phụ nữ xã (sửa)', 'WOMENS_UNION');
    const departments = await agency('Các sở, ban, ngành', 'PROVINCIAL_DEPARTMENT', true);
    expect(departments).toMatchObject({ kind: 'PROVINCIAL_DEPARTMENT', collective: true });
    const unused = await agency('Tổ công tác tạm thời', 'OTHER');
    const task = (await gqlOk(
      `mutation($p: ID!, $lead: ID!, $partner: ID!) { addTask(plan: $p, input: { title: "Tháng hành động", objectiveOrdinals: [2], leadAgency: $lead, partnerAgencies: [$partner], schedule: { kind: YEARLY_RANGE, yearlyFrom: { day: 15, month: 11 }, yearlyTo: { day: 15, month: 12 } } }) { id } }`,
      { p: planId, lead: culture.id, partner: union.id },
    )).addTask;
    const responsibility = (await gqlOk(`mutation($p: ID!, $a: ID!) { addResponsibility(plan: $p, input: { agency: $a, role: EXECUTE, duties: "Chịu trách nhiệm thi hành", objectiveOrdinals: [2], targetLabels: ["2.1"] }) { id role } }`, { p: planId, a: departments.id })).addResponsibility;
    expect(responsibility.role).toBe('EXECUTE');
    const obligation = (await gqlOk(`mutation($p: ID!) { addReportingObligation(plan: $p, input: { kind: QUARTERLY, recipient: "UBND tỉnh (qua Sở Nội vụ)", dueDay: 20, dueMonth: 3 }) { id kind } }`, { p: planId })).addReportingObligation;
    expect(obligation.kind).toBe('QUARTERLY');
    await gqlOk(`mutation($o: ID!) { recordSubmission(obligation: $o, input: { period: "2026Q1" }) { id } }`, { o: obligation.id });

    // Updates of every kind, with null clearing optional fields.
    await gqlOk(UPDATE_PLAN, { id: planId, input: { signer: null, issuedPlace: 'Lợi Bác, Lạng Sơn', legalBases: ['Luật Bình đẳng giới số 73/2006/QH11', 'Nghị quyết số 28/NQ-CP'], purposes: [], issuingDecision: null, status: 'SUPERSEDED' } });
    const renumbered = (await gqlOk(`mutation($id: ID!) { updateObjective(id: $id, input: { ordinal: 3, title: "Trong lĩnh vực kinh tế – lao động" }) { ordinal title } }`, { id: o2.id })).updateObjective;
    expect(renumbered).toEqual({ ordinal: 3, title: 'Trong lĩnh vực kinh tế – lao động' });
    const cleared = (await gqlOk(`mutation($id: ID!) { updateTarget(id: $id, input: { indicator: null }) { indicator { code } measure comparator targetValue baseline { year } dueYear text } }`, { id: wage.id })).updateTarget;
    expect(cleared).toEqual({ indicator: null, measure: null, comparator: null, targetValue: null, baseline: null, dueYear: 2030, text: 'Lao động nữ làm công hưởng lương trên 60%' });
    const updatedTask = (await gqlOk(`mutation($id: ID!) { updateTask(id: $id, input: { leadAgency: null, status: "đang thực hiện", schedule: null }) { leadAgency { id } partnerAgencies { id } status schedule { kind } objectives { ordinal } } }`, { id: task.id })).updateTask;
    expect(updatedTask).toEqual({ leadAgency: null, partnerAgencies: [{ id: union.id }], status: 'đang thực hiện', schedule: null, objectives: [{ ordinal: 3 }] });
    const updatedResponsibility = (await gqlOk(`mutation($id: ID!) { updateResponsibility(id: $id, input: { duties: "Chịu trách nhiệm thi hành Kế hoạch này", targetLabels: null }) { duties objectives { ordinal } targets { ordinal } } }`, { id: responsibility.id })).updateResponsibility;
    expect(updatedResponsibility).toEqual({ duties: 'Chịu trách nhiệm thi hành Kế hoạch này', objectives: [{ ordinal: 3 }], targets: [{ ordinal: 1 }, { ordinal: 2 }] });
    const updatedObligation = (await gqlOk(`mutation($id: ID!) { updateReportingObligation(id: $id, input: { dueDay: 15, dueMonth: 4, description: "Báo cáo quý" }) { dueDay dueMonth description } }`, { id: obligation.id })).updateReportingObligation;
    expect(updatedObligation).toEqual({ dueDay: 15, dueMonth: 4, description: 'Báo cáo quý' });
    const renamed = (await gqlOk(`mutation($id: ID!) { updateAgency(id: $id, input: { name: "Phòng Văn hóa – Xã hội" }) { name } }`, { id: culture.id })).updateAgency;
    expect(renamed.name).toBe('Phòng Văn hóa – Xã hội');
    const plan = (await gqlOk(`query($id: ID!) { plan(id: $id) { signer issuedPlace legalBases purposes issuingDecision { number } status signerCapacity alsoImplements { number issuer } implements { number } distributionList } }`, { id: planId })).plan;
    expect(plan).toEqual({
      signer: null, issuedPlace: 'Lợi Bác, Lạng Sơn', legalBases: ['Luật Bình đẳng giới số 73/2006/QH11', 'Nghị quyết số 28/NQ-CP'], purposes: [], issuingDecision: null, status: 'SUPERSEDED',
      signerCapacity: 'KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH', alsoImplements: [{ number: '28/NQ-CP', issuer: 'Chính phủ' }], implements: { number: '158/KH-UBND' }, distributionList: ['Sở Nội vụ (b/c);', 'UBND các xã, phường;'],
    });

    // Nobody else deletes: an analyst of the unit, an editor of another unit.
    expect((await refusal(`mutation($id: ID!) { deleteTask(task: $id, reason: "x") { id } }`, { id: task.id }, server.token('06601', 'ANALYST'))).code).toBe('FORBIDDEN');
    expect((await refusal(`mutation($id: ID!) { deleteTarget(target: $id, reason: "x") { id } }`, { id: director.id }, server.token('00577', 'EDITOR'))).code).toBe('FORBIDDEN');
    // A deletion says why; an agency still named is not deleted.
    expect(await refusal(`mutation($id: ID!) { deleteTarget(target: $id, reason: "  ") { id } }`, { id: director.id })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    const inUse = await refusal(`mutation($id: ID!) { deleteAgency(agency: $id, reason: "Trùng") }`, { id: union.id });
    expect(inUse).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/Hội Liên hiệp Phụ nữ xã \(sửa\) is still named by task 1 \(partner\)/) });
    expect((await gqlOk(`mutation($id: ID!) { deleteAgency(agency: $id, reason: "Nhập nhầm") }`, { id: unused.id })).deleteAgency).toBe(true);

    // Deletions of every kind.
    const del = async (mutation: string, arg: string, id: string, reason: string) => (await gqlOk(`mutation($id: ID!, $r: String!) { ${mutation}(${arg}: $id, reason: $r) { id action reason changedBy } }`, { id, r: reason }))[mutation];
    const deletedTarget = await del('deleteTarget', 'target', director.id, 'Trùng với chỉ tiêu của tỉnh');
    expect(deletedTarget).toMatchObject({ action: 'deleteTarget', reason: 'Trùng với chỉ tiêu của tỉnh', changedBy: 'test-editor@06601' });
    await del('deleteTask', 'task', task.id, 'Gộp vào nhiệm vụ khác');
    await del('deleteResponsibility', 'responsibility', responsibility.id, 'Giao nhầm cơ quan');
    const deletedObligation = await del('deleteReportingObligation', 'obligation', obligation.id, 'Không còn báo cáo quý');
    const deletedObjective = await del('deleteObjective', 'objective', o1.id, 'Nhập nhầm mục tiêu');
    const PARTS = `query($id: ID!) { plan(id: $id) { objectives { id ordinal targets { id ordinal text } } tasks { id } responsibilities { id } reportingObligations { id submissions { period } } } }`;
    const afterDeletes = (await gqlOk(PARTS, { id: planId })).plan;
    expect(afterDeletes).toEqual({ objectives: [{ id: o2.id, ordinal: 3, targets: [{ id: wage.id, ordinal: 1, text: 'Lao động nữ làm công hưởng lương trên 60%' }] }], tasks: [], responsibilities: [], reportingObligations: [] });
    expect((await gqlOk(`query($id: ID!) { node(id: $id) { id } }`, { id: leader.id })).node).toBeNull();

    // Restores: the objective with its target, the obligation with its submission, under the same ids.
    const restored = (await gqlOk(`mutation($r: ID!) { restorePlanPart(revision: $r, reason: "Xóa nhầm") { action entityType reason } }`, { r: deletedObjective.id })).restorePlanPart;
    expect(restored).toEqual({ action: 'restorePlanPart', entityType: 'Objective', reason: 'Xóa nhầm' });
    await gqlOk(`mutation($r: ID!) { restorePlanPart(revision: $r) { id } }`, { r: deletedObligation.id });
    expect((await refusal(`mutation($r: ID!) { restorePlanPart(revision: $r) { id } }`, { r: deletedObjective.id })).code).toBe('CONFLICT');
    const afterRestore = (await gqlOk(PARTS, { id: planId })).plan;
    expect(afterRestore.objectives).toEqual([
      { id: o1.id, ordinal: 1, targets: [{ id: leader.id, ordinal: 1, text: '75% thôn có lãnh đạo chủ chốt là nữ' }] },
      { id: o2.id, ordinal: 3, targets: [{ id: wage.id, ordinal: 1, text: 'Lao động nữ làm công hưởng lương trên 60%' }] },
    ]);
    expect(afterRestore.reportingObligations).toEqual([{ id: obligation.id, submissions: [{ period: '2026Q1' }] }]);

    // The whole history, oldest first.
    const history = (await gqlOk(HISTORY, { id: planId })).plan.history;
    expect(history.map((h: any) => Number(h.id.replace(/\D/g, '')))).toEqual([...history.map((h: any) => Number(h.id.replace(/\D/g, '')))].sort((a, b) => a - b));
    const actions = [...new Set(history.map((h: any) => h.action))];
    expect(actions).toEqual([
      'createPlan', 'addObjective', 'addTarget', 'addTask', 'addResponsibility', 'addReportingObligation', 'updatePlan', 'updateObjective', 'updateTarget', 'updateTask',
      'updateResponsibility', 'updateReportingObligation', 'deleteTarget', 'deleteTask', 'deleteResponsibility', 'deleteReportingObligation', 'deleteObjective', 'restorePlanPart',
    ]);
    const entry = (action: string, field: string | null) => history.find((h: any) => h.action === action && h.field === field);
    expect(entry('updatePlan', 'signer')).toMatchObject({ oldValue: '"Chu Mạnh Dũng"', newValue: 'null' });
    expect(entry('updatePlan', 'status')).toMatchObject({ oldValue: '"ISSUED"', newValue: '"SUPERSEDED"' });
    expect(entry('updateTarget', 'indicatorCode')).toMatchObject({ oldValue: '"WAGE_EMPLOYMENT_RATE"', newValue: 'null' });
    expect(entry('updateTarget', 'baselineValue')).toMatchObject({ oldValue: '50', newValue: 'null' });
    expect(history.filter((h: any) => h.action === 'updateObjective').map((h: any) => [h.entityType, h.field])).toEqual([
      ['Objective', 'ordinal'], ['Objective', 'title'], ['Task', 'objectiveOrdinals'], ['Responsibility', 'objectiveOrdinals'], ['Responsibility', 'targetLabels'],
    ]);
    const deletion = entry('deleteObjective', null);
    expect(deletion.reason).toBe('Nhập nhầm mục tiêu');
    expect(JSON.parse(deletion.oldValue).Target.map((t: any) => t.text)).toEqual(['75% thôn có lãnh đạo chủ chốt là nữ']);
    expect(history.filter((h: any) => h.action === 'restorePlanPart').map((h: any) => [h.entityType, h.reason])).toEqual([['Objective', 'Xóa nhầm'], ['ReportingObligation', null]]);
    expect(history.every((h: any) => h.changedBy === 'test-editor@06601')).toBe(true);
  });

  it('keeps both of two concurrent updates of different fields of one plan', async () => {
    const { createPlan: plan } = await gqlOk(CREATE, { input: { ...basePlan, title: 'Kế hoạch sửa đồng thời' } });
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([
        server.gql(UPDATE_PLAN, { id: plan.id, input: { title: `Tiêu đề ${round}` } }, editor),
        server.gql(UPDATE_PLAN, { id: plan.id, input: { signer: `Người ký ${round}`, legalBases: [`Căn cứ ${round}`] } }, editor),
      ]);
      expect([a.errors, b.errors]).toEqual([undefined, undefined]);
      const stored = await gqlOk(`query($id: ID!) { plan(id: $id) { title signer legalBases } }`, { id: plan.id });
      expect(stored.plan).toEqual({ title: `Tiêu đề ${round}`, signer: `Người ký ${round}`, legalBases: [`Căn cứ ${round}`] });
    }
  });

  it('refuses duplicates and impossible values with a message naming the field, writing nothing', async () => {
    const plan = (await gqlOk(CREATE, { input: { ...basePlan, number: '  ', title: 'Kế hoạch thử từ chối' } })).createPlan;
    expect(plan.number).toBeNull();
    const planId = plan.id;
    const objective = (await gqlOk(`mutation($p: ID!) { addObjective(plan: $p, input: { title: "Kinh tế", domain: ECONOMY_LABOUR }) { id } }`, { p: planId })).addObjective.id;
    const addTarget = `mutation($o: ID!, $input: TargetInput!) { addTarget(objective: $o, input: $input) { id } }`;
    const wage = { text: 'Lao động nữ làm công hưởng lương trên 60%', indicator: 'WAGE_EMPLOYMENT_RATE', measure: 'FEMALE', comparator: 'ABOVE', targetValue: 60, dueYear: 2030 };
    const first = (await gqlOk(addTarget, { o: objective, input: wage })).addTarget.id;
    const refused = async (query: string, variables: Record<string, unknown>, field: string, message: RegExp, token = editor) => {
      const r = await refusal(query, variables, token);
      expect(r).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(r.message).toMatch(message);
    };
    // The same target twice: the same sentence (spacing and case aside), or the same machine-readable target.
    await refused(addTarget, { o: objective, input: { ...wage, text: '  lao động nữ làm công hưởng lương  trên 60%' } }, 'text', /already has this target as its target 1/);
    await refused(addTarget, { o: objective, input: { ...wage, text: 'Tăng lao động nữ hưởng lương' } }, 'indicator', /target 1 already sets WAGE_EMPLOYMENT_RATE FEMALE ABOVE/);
    const second = (await gqlOk(addTarget, { o: objective, input: { text: 'Chỉ tiêu khác' } })).addTarget.id;
    await refused(`mutation($id: ID!) { updateTarget(id: $id, input: { text: "Lao động nữ làm công hưởng lương trên 60%" }) { id } }`, { id: second }, 'text', /already has this target/);
    expect((await gqlOk(`query($id: ID!) { plan(id: $id) { targets { id } } }`, { id: planId })).plan.targets.map((t: any) => t.id)).toEqual([first, second]);
    // A required field cannot be cleared.
    await refused(UPDATE_PLAN, { id: planId, input: { title: null } }, 'title', /title cannot be cleared/);
    await refused(`mutation($id: ID!) { updateTarget(id: $id, input: { text: null }) { id } }`, { id: first }, 'text', /cannot be cleared/);

    // The same responsibility twice; a partner twice or also the lead.
    const agencies = (await gqlOk(`{ unit(code: "06601") { agencies { id name } } }`)).unit.agencies;
    const [a, b] = agencies;
    const addResponsibility = `mutation($p: ID!, $a: ID!) { addResponsibility(plan: $p, input: { agency: $a, role: LEAD, duties: "Chủ trì" }) { id } }`;
    await gqlOk(addResponsibility, { p: planId, a: a.id });
    await refused(addResponsibility, { p: planId, a: a.id }, 'agency', /already has the role LEAD in this plan/);
    const addTask = `mutation($p: ID!, $lead: ID, $partners: [ID!]) { addTask(plan: $p, input: { title: "Tuyên truyền", leadAgency: $lead, partnerAgencies: $partners }) { id } }`;
    await refused(addTask, { p: planId, lead: a.id, partners: [b.id, b.id] }, 'partnerAgencies', /listed twice in partnerAgencies/);
    await refused(addTask, { p: planId, lead: a.id, partners: [b.id, a.id] }, 'partnerAgencies', /leads the task and cannot also be its partner/);
    const task = (await gqlOk(addTask, { p: planId, lead: a.id, partners: [b.id] })).addTask.id;
    await refused(`mutation($id: ID!, $p: [ID!]) { updateTask(id: $id, input: { partnerAgencies: $p }) { id } }`, { id: task, p: [a.id] }, 'partnerAgencies', /cannot also be its partner/);

    // Two plans with one number by one unit in one year (numbers restart each year, so 2027 may reuse it).
    const numbered = { ...basePlan, number: '77/KH-UBND', title: 'Kế hoạch số 77', issuedOn: '2026-03-01', status: 'ISSUED' };
    await gqlOk(CREATE, { input: numbered });
    await refused(CREATE, { input: { ...numbered, title: 'Kế hoạch khác', issuedOn: '2026-09-01' } }, 'number', /already has a plan numbered 77\/KH-UBND issued in 2026/);
    await gqlOk(CREATE, { input: { ...numbered, title: 'Kế hoạch năm 2027', kind: 'ANNUAL', firstYear: 2027, lastYear: 2027, issuedOn: '2027-01-10' } });
    // Issued outside what the years allow: the year before the first year, or within the years.
    await refused(CREATE, { input: { ...basePlan, firstYear: 2026, lastYear: 2030, title: 'X', issuedOn: '2031-01-01' } }, 'issuedOn', /between 2025-01-01 and 2030-12-31/);
    await refused(UPDATE_PLAN, { id: planId, input: { issuedOn: '2024-12-31' } }, 'issuedOn', /does not fit the plan's years 2026–2030/);
    // An ANNUAL plan spanning several years.
    await refused(CREATE, { input: { ...basePlan, kind: 'ANNUAL', firstYear: 2026, lastYear: 2027, title: 'X' } }, 'lastYear', /ANNUAL plan covers one year: set lastYear to 2026, or kind to MULTI_YEAR/);
    await refused(UPDATE_PLAN, { id: planId, input: { kind: 'ANNUAL' } }, 'lastYear', /ANNUAL plan covers one year/);
    // Status only along DRAFT → ISSUED → SUPERSEDED.
    await gqlOk(UPDATE_PLAN, { id: planId, input: { number: '78/KH-UBND', issuedOn: '2026-04-01', status: 'ISSUED' } });
    await refused(UPDATE_PLAN, { id: planId, input: { status: 'DRAFT' } }, 'status', /cannot change from ISSUED to DRAFT: a plan goes DRAFT → ISSUED → SUPERSEDED; from ISSUED only to SUPERSEDED/);
    await refused(UPDATE_PLAN, { id: planId, input: { number: '   ' } }, 'number', /An ISSUED plan needs its number/);
    // Reports: a FINAL report names its year; an AD_HOC report is due on a date or a day of the year, not both.
    const addObligation = `mutation($p: ID!, $input: ReportingObligationInput!) { addReportingObligation(plan: $p, input: $input) { id } }`;
    await refused(addObligation, { p: planId, input: { kind: 'FINAL', recipient: 'UBND tỉnh' } }, 'year', /A FINAL report needs the year it reviews \(e\.g\. 2030\): set year/);
    await refused(addObligation, { p: planId, input: { kind: 'AD_HOC', recipient: 'UBND tỉnh', dueDate: '2026-08-01', dueDay: 1, dueMonth: 8 } }, 'dueDate', /either dueDate \(2026-08-01\) or the day of the year \(1\/8\), not both/);
    const quarterly = (await gqlOk(addObligation, { p: planId, input: { kind: 'QUARTERLY', recipient: 'UBND tỉnh', dueDay: 20, dueMonth: 3 } })).addReportingObligation.id;
    await refused(`mutation($id: ID!) { updateReportingObligation(id: $id, input: { kind: FINAL }) { id } }`, { id: quarterly }, 'year', /FINAL report needs the year/);
    await refused(`mutation($id: ID!) { updateReportingObligation(id: $id, input: { dueMonth: null }) { id } }`, { id: quarterly }, 'dueMonth', /needs both dueDay and dueMonth/);

    // A unit code on the wrong date: 80 is Long An on 2021-05-21, another province today.
    const longAn = { unit: '80', kind: 'MULTI_YEAR', firstYear: 2021, lastYear: 2030, number: '56/KH-UBND', title: 'Kế hoạch thực hiện Chiến lược quốc gia về bình đẳng giới giai đoạn 2021 - 2030', issuedOn: '2021-05-21', status: 'ISSUED' };
    const wrongDate = await refusal(CREATE, { input: longAn }, admin);
    expect(wrongDate).toMatchObject({ code: 'BAD_USER_INPUT', field: 'unit' });
    expect(wrongDate.message).toMatch(/^Unit 80 \(.+\) did not exist on the plan's issue date 2021-05-21: on 2021-05-21 code 80 meant Long An \(PROVINCE\); to attach the plan to it, give unitAsOf: "2021-05-21"$/);
    const attached = (await gqlOk(CREATE, { input: { ...longAn, unitAsOf: '2021-05-21' } }, admin)).createPlan;
    expect(attached.unit).toEqual({ code: '80', name: 'Long An' });

    // A restored objective whose ordinal was taken meanwhile goes last, under its own id.
    const addObjective = `mutation($p: ID!, $t: String!, $o: Int) { addObjective(plan: $p, input: { title: $t, domain: HEALTH, ordinal: $o }) { id ordinal } }`;
    const health = (await gqlOk(addObjective, { p: planId, t: 'Y tế' })).addObjective;
    const gone = (await gqlOk(`mutation($o: ID!) { deleteObjective(objective: $o, reason: "Thử") { id } }`, { o: health.id })).deleteObjective;
    await gqlOk(addObjective, { p: planId, t: 'Giáo dục', o: health.ordinal });
    await gqlOk(`mutation($r: ID!) { restorePlanPart(revision: $r) { id } }`, { r: gone.id });
    const objectives = (await gqlOk(`query($id: ID!) { plan(id: $id) { objectives { id ordinal title } } }`, { id: planId })).plan.objectives;
    expect(objectives.map((o: any) => [o.ordinal, o.title])).toEqual([[1, 'Kinh tế'], [2, 'Giáo dục'], [3, 'Y tế']]);
    expect(objectives[2].id).toBe(health.id);

    // Nothing refused was written.
    const plans = (await gqlOk(`{ plans(unit: "06601") { edges { node { title number status targets { id } tasks { id } responsibilities { id } reportingObligations { kind } } } } }`)).plans.edges.map((e: any) => e.node);
    const mine = plans.find((p: any) => p.title === 'Kế hoạch thử từ chối');
    expect(mine).toMatchObject({ number: '78/KH-UBND', status: 'ISSUED', targets: [{ id: first }, { id: second }], tasks: [{ id: task }], reportingObligations: [{ kind: 'QUARTERLY' }] });
    expect(mine.responsibilities).toHaveLength(1);
    expect(plans.filter((p: any) => p.number === '77/KH-UBND')).toHaveLength(2);
  });
});
