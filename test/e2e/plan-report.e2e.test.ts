import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * The periodic report drafted from a plan: `GET /export/plan-report.docx` and `.xlsx` fetched over
 * HTTP as a client sends it, the .docx unzipped with /usr/bin/unzip (which checks every CRC) and
 * its document XML read back, the .xlsx read back with exceljs. Every target of Lợi Bác's plan
 * must be there with the status `targetProgress` gives it, in NFC Vietnamese with its typography.
 */
const STATUS_LABELS: Record<string, string> = {
  MET: 'Đạt',
  ON_TRACK: 'Đúng tiến độ',
  OFF_TRACK: 'Chậm tiến độ',
  NOT_MET: 'Không đạt',
  NO_DATA: 'Chưa có số liệu',
};
const NOT_JUDGED = 'Không đánh giá tự động';

/** Text compared modulo typography: the report sets quotes, dashes and ellipses, the plan keeps what was typed. */
const fold = (text: string) => text.normalize('NFC').replace(/[–—]/g, '-').replace(/ ?- ?(?=\d{4})/g, '-').replace(/[“”]/g, '"').replace(/…/g, '...').replace(/ - /g, '-');
const unescapeXml = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const textOf = (xml: string) => [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => unescapeXml(m[1])).join('');
/** Every table row of the document as its cells' texts. */
const tableRows = (xml: string) => [...xml.matchAll(/<w:tr>([\s\S]*?)<\/w:tr>/g)].map((row) => [...row[1].matchAll(/<w:tc>([\s\S]*?)<\/w:tc>/g)].map((cell) => textOf(cell[1])));
/** The document's paragraphs outside tables, as texts. */
const paragraphs = (xml: string) => [...xml.replace(/<w:tbl>[\s\S]*?<\/w:tbl>/g, '').matchAll(/<w:p>([\s\S]*?)<\/w:p>/g)].map((p) => textOf(p[1]));

describe.each(testDatabases())('plan report on $name', (db) => {
  let server: TestServer;
  let analyst: string;
  let planId: string;
  let targets: { id: string; text: string }[];
  let tasks: string[];
  let statusOf: Map<string, string>;
  /** Indicator code → "reported/expected" as targetProgress counts it. */
  let coverage: Map<string, string>;
  let dir: string;

  const download = async (file: string, query: string, token: string | null = analyst) => {
    const response = await fetch(`${server.url}/export/${file}?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { response, body: Buffer.from(await response.arrayBuffer()) };
  };

  beforeAll(async () => {
    server = await startTestServer(db);
    analyst = server.token('20', 'ANALYST');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-report-'));
    const data = (await server.gql(`{ plans(unit: "06601") { edges { node { id targets { id text } tasks { title } } } } }`, {}, analyst)).data!;
    const plan = data.plans.edges[0].node;
    planId = plan.id;
    targets = plan.targets;
    tasks = plan.tasks.map((t: { title: string }) => t.title);
    const progress = await server.gql(`query($p: ID!) { targetProgress(plan: $p, period: "2026") { target { id indicator { code } } status reportingUnits expectedUnits } }`, { p: planId }, analyst);
    expect(progress.errors).toBeUndefined();
    const judged = progress.data!.targetProgress as { target: { id: string; indicator: { code: string } }; status: string; reportingUnits: number; expectedUnits: number }[];
    statusOf = new Map(judged.map((p) => [p.target.id, p.status]));
    coverage = new Map(judged.map((p) => [p.target.indicator.code, `${p.reportingUnits}/${p.expectedUnits}`]));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await server?.close();
  });

  it("drafts Lợi Bác's 2026 report as a .docx holding every target with the status targetProgress gives it", async () => {
    expect(targets.length).toBeGreaterThan(15);
    expect(statusOf.size).toBeGreaterThan(10);
    expect(new Set(statusOf.values()).size).toBeGreaterThan(1);
    const { response, body } = await download('plan-report.docx', `plan=${encodeURIComponent(planId)}&period=2026`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const file = path.join(dir, 'report.docx');
    fs.writeFileSync(file, body);
    expect(execFileSync('/usr/bin/unzip', ['-t', file]).toString()).toContain('No errors detected');
    const listing = execFileSync('/usr/bin/unzip', ['-Z1', file]).toString().split('\n').filter(Boolean).sort();
    expect(listing).toEqual(['[Content_Types].xml', '_rels/.rels', 'docProps/core.xml', 'word/_rels/document.xml.rels', 'word/document.xml', 'word/styles.xml']);
    const xml = execFileSync('/usr/bin/unzip', ['-p', file, 'word/document.xml']).toString('utf8');

    const rows = tableRows(xml);
    for (const target of targets) {
      const row = rows.find((cells) => fold(cells[1]) === fold(target.text));
      expect(row).toBeDefined();
      const status = statusOf.get(target.id);
      expect(row![5]).toBe(status ? STATUS_LABELS[status] : NOT_JUDGED);
    }
    for (const title of tasks) expect(rows.some((cells) => fold(cells[1]) === fold(title))).toBe(true);
    // Typography: no straight quote, spaced hyphen or hyphen between years in any text of the document.
    const texts = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => unescapeXml(m[1]));
    expect(texts.filter((t) => /"| - |\d{4} ?- ?\d{4}/.test(t))).toEqual([]);
    expect(tasks.some((t) => t.includes(' - '))).toBe(true);

    // Reporting: per indicator, the coverage targetProgress judged on, and who is missing when someone is.
    const reporting = rows.filter((cells) => cells.length === 4 && /\(([A-Z0-9_]+)\)$/.test(cells[0]));
    expect(reporting.map((cells) => /\(([A-Z0-9_]+)\)$/.exec(cells[0])![1]).sort()).toEqual([...coverage.keys()].sort());
    for (const cells of reporting) {
      const code = /\(([A-Z0-9_]+)\)$/.exec(cells[0])![1];
      expect(cells[2]).toBe(coverage.get(code));
      const [reported, expected] = cells[2].split('/').map(Number);
      expect(cells[3] === '–').toBe(reported >= expected);
    }
    expect(reporting.some((cells) => cells[3] !== '–')).toBe(true);

    const text = paragraphs(xml);
    expect(text).toContain('Độc lập – Tự do – Hạnh phúc');
    expect(text).toContain('XÃ LỢI BÁC');
    expect(text).toContain('IV. ĐÁNH GIÁ CHUNG');
    expect(text).toContain('III. TÌNH HÌNH BÁO CÁO SỐ LIỆU CỦA CÁC ĐƠN VỊ');
    expect(text.find((p) => p.startsWith('Thực hiện Kế hoạch “'))).toBe('Thực hiện Kế hoạch “Thực hiện Chiến lược quốc gia về bình đẳng giới giai đoạn 2026–2030 trên địa bàn xã Lợi Bác” (giai đoạn 2026–2030), Xã Lợi Bác báo cáo kết quả thực hiện năm 2026 như sau:');
    expect(text.find((p) => p.startsWith('Ngày lập dự thảo:'))).toMatch(/^Ngày lập dự thảo: \d{2}\/\d{2}\/\d{4}$/);
    expect(xml).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(xml.normalize('NFC')).toBe(xml);
    expect(textOf(xml)).toContain('Báo cáo năm');
  });

  it('gives the same judgements in the .xlsx, read back with exceljs', async () => {
    const { response, body } = await download('plan-report.xlsx', `plan=${encodeURIComponent(planId)}&period=2026`);
    expect(response.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as never);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Chỉ tiêu', 'Nhiệm vụ', 'Báo cáo của đơn vị', 'Đánh giá chung']);
    const sheet = workbook.getWorksheet('Chỉ tiêu')!;
    expect(sheet.getRow(6).values).toEqual([undefined, 'Mục tiêu', 'Chỉ tiêu', 'Nội dung', 'Giá trị cơ sở', 'Thực hiện 2026', 'Mục tiêu', 'Đánh giá', 'Mã đánh giá']);
    const lines: { text: string; label: string; code: string }[] = [];
    sheet.eachRow((row, n) => {
      if (n > 6) lines.push({ text: String(row.getCell(3).value), label: String(row.getCell(7).value), code: String(row.getCell(8).value ?? '') });
    });
    expect(lines).toHaveLength(targets.length);
    for (const target of targets) {
      const line = lines.find((l) => fold(l.text) === fold(target.text));
      const status = statusOf.get(target.id);
      expect(line).toMatchObject({ label: status ? STATUS_LABELS[status] : NOT_JUDGED, code: status ?? '' });
    }
    expect(lines.every((l) => l.text === l.text.normalize('NFC'))).toBe(true);
  });

  it('answers like the other exports: no token, another province, a missing or impossible period', async () => {
    const query = `plan=${encodeURIComponent(planId)}&period=2026`;
    const none = await download('plan-report.docx', query, null);
    expect(none.response.status).toBe(401);
    expect(JSON.parse(none.body.toString()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const hanoi = await download('plan-report.xlsx', query, server.token('01', 'ANALYST'));
    expect(JSON.parse(hanoi.body.toString()).errors[0].extensions.code).toBe('FORBIDDEN');
    for (const bad of [`plan=${encodeURIComponent(planId)}`, `plan=${encodeURIComponent(planId)}&period=2035`, `plan=${encodeURIComponent(planId)}&period=2026-13`, 'period=2026']) {
      const answer = await download('plan-report.docx', bad);
      expect(answer.response.status).toBe(400);
      expect(JSON.parse(answer.body.toString()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
  });
});
