import ExcelJS from 'exceljs';
import { PlanReport } from './plan-report';
import { reportTitle } from './plan-report-docx';

/**
 * The periodic report as a workbook: one sheet per part (targets, tasks, reporting), each with a
 * header naming the plan and the period, then one line per row; the status code next to its
 * Vietnamese label so the sheet can be filtered. Small (one plan), so built in memory.
 */
export async function planReportXlsx(report: PlanReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'bdg-hub';
  workbook.title = reportTitle(report);
  const header = (sheet: ExcelJS.Worksheet, columns: string[], widths: number[]) => {
    sheet.addRow([report.unitName]).font = { bold: true };
    sheet.addRow([reportTitle(report)]).font = { bold: true };
    sheet.addRow([`Kế hoạch: ${report.planTitle} (${report.years})`]);
    sheet.addRow([`Ngày lập dự thảo: ${report.draftedOn}`]);
    sheet.addRow([]);
    sheet.addRow(columns).font = { bold: true };
    widths.forEach((w, i) => (sheet.getColumn(i + 1).width = w));
    sheet.views = [{ state: 'frozen', ySplit: 6 }];
  };

  const targets = workbook.addWorksheet('Chỉ tiêu');
  header(targets, ['Mục tiêu', 'Chỉ tiêu', 'Nội dung', 'Giá trị cơ sở', `Thực hiện ${report.period}`, 'Mục tiêu', 'Đánh giá', 'Mã đánh giá'], [10, 12, 70, 16, 16, 20, 18, 12]);
  for (const objective of report.objectives) {
    for (const t of objective.targets) targets.addRow([objective.ordinal, t.label, t.text, t.baseline, t.actual, t.target, t.statusLabel, t.status ?? '']);
  }

  const tasks = workbook.addWorksheet('Nhiệm vụ');
  header(tasks, ['STT', 'Nhiệm vụ', 'Cơ quan chủ trì', 'Thời gian', 'Tình trạng'], [6, 70, 30, 24, 18]);
  for (const t of report.tasks) tasks.addRow([t.ordinal, t.title, t.lead, t.schedule, t.state]);

  const reporting = workbook.addWorksheet('Báo cáo của đơn vị');
  header(reporting, ['Chỉ số', 'Tên chỉ số', 'Cấp nhập số liệu', 'Đã báo cáo', 'Phải báo cáo', 'Đơn vị chưa báo cáo đủ'], [28, 50, 18, 12, 12, 60]);
  for (const c of report.completeness) reporting.addRow([c.indicator, c.name, c.entryLevel, c.reported, c.expected, c.missing.join('; ')]);
  if (report.obligations.length) {
    reporting.addRow([]);
    reporting.addRow(['Loại báo cáo', 'Nơi nhận', 'Hạn gửi', 'Tình trạng']).font = { bold: true };
    for (const o of report.obligations) reporting.addRow([o.kind, o.recipient, o.deadline, o.submitted]);
  }

  const narrative = workbook.addWorksheet('Đánh giá chung');
  for (const heading of ['IV. ĐÁNH GIÁ CHUNG', '1. Kết quả đạt được', '2. Tồn tại, hạn chế và nguyên nhân', 'V. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI', 'VI. KIẾN NGHỊ, ĐỀ XUẤT']) {
    narrative.addRow([heading]).font = { bold: true };
    narrative.addRow(['']);
  }
  narrative.getColumn(1).width = 100;
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
