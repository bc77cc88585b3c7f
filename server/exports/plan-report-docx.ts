import { PlanReport } from './plan-report';
import { zip } from './zip-writer';

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/**
 * The periodic report as a WordprocessingML package (ECMA-376), written by hand: a document, its
 * styles (Times New Roman 13 pt, as administrative documents are set under Nghị định 30/2020/NĐ-CP)
 * and A4 pages. Opens in Word and LibreOffice; no template, no dependency.
 */
export function planReportDocx(report: PlanReport): Buffer {
  return zip([
    { path: '[Content_Types].xml', content: CONTENT_TYPES },
    { path: '_rels/.rels', content: ROOT_RELS },
    { path: 'word/_rels/document.xml.rels', content: DOCUMENT_RELS },
    { path: 'word/styles.xml', content: STYLES },
    { path: 'docProps/core.xml', content: coreProperties(report) },
    { path: 'word/document.xml', content: documentXml(report) },
  ]);
}

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

const CONTENT_TYPES =
  XML +
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
  '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>' +
  '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
  '</Types>';

const ROOT_RELS =
  XML +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
  '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
  '</Relationships>';

const DOCUMENT_RELS =
  XML +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
  '</Relationships>';

const STYLES =
  XML +
  `<w:styles xmlns:w="${W}">` +
  '<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="26"/><w:szCs w:val="26"/><w:lang w:val="vi-VN"/></w:rPr></w:rPrDefault>' +
  '<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="288" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>' +
  '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:pPr><w:jc w:val="both"/></w:pPr></w:style>' +
  '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>' +
  '<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:i/></w:rPr></w:style>' +
  '<w:style w:type="table" w:styleId="ReportTable"><w:name w:val="Report Table"/><w:tblPr><w:tblBorders>' +
  ['top', 'left', 'bottom', 'right', 'insideH', 'insideV'].map((side) => `<w:${side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>`).join('') +
  '</w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>' +
  '</w:styles>';

function coreProperties(report: PlanReport): string {
  return (
    XML +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">' +
    `<dc:title>${escape(reportTitle(report))}</dc:title><dc:creator>bdg-hub</dc:creator><dc:language>vi-VN</dc:language>` +
    '</cp:coreProperties>'
  );
}

export function reportTitle(report: PlanReport): string {
  const number = report.planNumber ? ` số ${report.planNumber}` : '';
  return `Báo cáo kết quả thực hiện Kế hoạch${number} ${report.periodName}`;
}

/** XML text: the five predefined entities, and no character XML 1.0 forbids. */
function escape(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

interface RunStyle {
  bold?: boolean;
  italic?: boolean;
  size?: number;
}
interface ParagraphStyle extends RunStyle {
  align?: 'left' | 'center' | 'right' | 'both';
  style?: 'Heading1' | 'Heading2';
}

function run(text: string, s: RunStyle = {}): string {
  const props = [s.bold ? '<w:b/>' : '', s.italic ? '<w:i/>' : '', s.size ? `<w:sz w:val="${s.size * 2}"/><w:szCs w:val="${s.size * 2}"/>` : ''].join('');
  return `<w:r>${props ? `<w:rPr>${props}</w:rPr>` : ''}<w:t xml:space="preserve">${escape(text)}</w:t></w:r>`;
}

function paragraph(text: string, s: ParagraphStyle = {}): string {
  const props = [s.style ? `<w:pStyle w:val="${s.style}"/>` : '', s.align ? `<w:jc w:val="${s.align}"/>` : ''].join('');
  return `<w:p>${props ? `<w:pPr>${props}</w:pPr>` : ''}${text ? run(text, s) : ''}</w:p>`;
}

/** A table with a repeated bold header row; widths in twentieths of a point, summing to the text width (A4 less the margins: 9,071). */
function table(headers: string[], rows: string[][], widths: number[]): string {
  const cell = (text: string, width: number, header: boolean) =>
    `<w:tc><w:tcPr><w:tcW w:w="${width}" w:type="dxa"/></w:tcPr>${paragraph(text, { bold: header, align: header ? 'center' : 'left', size: 12 })}</w:tc>`;
  const row = (cells: string[], header: boolean) => `<w:tr>${header ? '<w:trPr><w:tblHeader/></w:trPr>' : ''}${cells.map((c, i) => cell(c, widths[i], header)).join('')}</w:tr>`;
  return (
    `<w:tbl><w:tblPr><w:tblStyle w:val="ReportTable"/><w:tblW w:w="${widths.reduce((a, b) => a + b, 0)}" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr>` +
    `<w:tblGrid>${widths.map((w) => `<w:gridCol w:w="${w}"/>`).join('')}</w:tblGrid>` +
    row(headers, true) +
    rows.map((r) => row(r, false)).join('') +
    '</w:tbl>'
  );
}

/** Blank lines an official fills in: a dotted leader is what a printed form would show. */
function blank(lines: number): string {
  return Array.from({ length: lines }, () => paragraph('…………………………………………………………………………………………………')).join('');
}

function documentXml(report: PlanReport): string {
  const body: string[] = [];
  const push = (...parts: string[]) => body.push(...parts);
  push(
    paragraph(report.unitName.toLocaleUpperCase('vi-VN'), { bold: true, align: 'left' }),
    paragraph('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { bold: true, align: 'center' }),
    paragraph('Độc lập – Tự do – Hạnh phúc', { bold: true, align: 'center' }),
    paragraph(`Ngày lập dự thảo: ${report.draftedOn}`, { italic: true, align: 'right' }),
    paragraph('DỰ THẢO', { bold: true, align: 'center' }),
    paragraph('BÁO CÁO', { bold: true, align: 'center', size: 14 }),
    paragraph(`Kết quả thực hiện Kế hoạch${report.planNumber ? ` số ${report.planNumber}` : ''}${report.issuedOn ? ` ngày ${report.issuedOn}` : ''} ${report.periodName}`, { bold: true, align: 'center' }),
    paragraph(`Thực hiện Kế hoạch “${report.planTitle}” (giai đoạn ${report.years}), ${report.unitName} báo cáo kết quả thực hiện ${report.periodName} như sau:`),
    paragraph('I. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU, CHỈ TIÊU', { style: 'Heading1' }),
  );
  for (const objective of report.objectives) {
    push(paragraph(`Mục tiêu ${objective.ordinal}: ${objective.title}`, { style: 'Heading2' }));
    if (!objective.targets.length) {
      push(paragraph('Mục tiêu không có chỉ tiêu định lượng.', { italic: true }));
      continue;
    }
    push(
      table(
        ['Chỉ tiêu', 'Nội dung', 'Giá trị cơ sở', `Thực hiện ${report.period}`, 'Mục tiêu', 'Đánh giá'],
        objective.targets.map((t) => [t.label, t.text, t.baseline, t.actual, t.target, t.statusLabel]),
        [900, 3400, 1100, 1100, 1371, 1200],
      ),
    );
  }
  push(paragraph('II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ, GIẢI PHÁP', { style: 'Heading1' }));
  push(
    report.tasks.length
      ? table(['STT', 'Nhiệm vụ', 'Cơ quan chủ trì', 'Thời gian', 'Tình trạng'], report.tasks.map((t) => [String(t.ordinal), t.title, t.lead, t.schedule, t.state]), [600, 3571, 1800, 1600, 1500])
      : paragraph('Kế hoạch chưa có nhiệm vụ nào được ghi nhận.', { italic: true }),
  );
  push(paragraph('III. TÌNH HÌNH BÁO CÁO SỐ LIỆU CỦA CÁC ĐƠN VỊ', { style: 'Heading1' }));
  push(
    report.completeness.length
      ? table(
          ['Chỉ số', 'Cấp nhập số liệu', 'Đã báo cáo', 'Đơn vị chưa báo cáo đủ'],
          report.completeness.map((c) => [`${c.name} (${c.indicator})`, c.entryLevel, `${c.reported}/${c.expected}`, c.missing.length ? c.missing.join('; ') : '–']),
          [3000, 1500, 1000, 3571],
        )
      : paragraph('Kế hoạch chưa có chỉ tiêu gắn với chỉ số.', { italic: true }),
  );
  if (report.obligations.length) {
    push(paragraph('Các báo cáo phải gửi theo Kế hoạch:', { italic: true }));
    push(table(['Loại báo cáo', 'Nơi nhận', 'Hạn gửi', 'Tình trạng'], report.obligations.map((o) => [o.kind, o.recipient, o.deadline, o.submitted]), [2000, 3071, 1500, 2500]));
  }
  push(
    paragraph('IV. ĐÁNH GIÁ CHUNG', { style: 'Heading1' }),
    paragraph('1. Kết quả đạt được', { style: 'Heading2' }),
    blank(3),
    paragraph('2. Tồn tại, hạn chế và nguyên nhân', { style: 'Heading2' }),
    blank(3),
    paragraph('V. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI', { style: 'Heading1' }),
    blank(3),
    paragraph('VI. KIẾN NGHỊ, ĐỀ XUẤT', { style: 'Heading1' }),
    blank(2),
    paragraph('Nơi nhận:', { bold: true, italic: true, size: 12 }),
    paragraph('- …………;', { size: 11 }),
    paragraph('- Lưu: VT.', { size: 11 }),
  );
  const section = '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1701" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>';
  return XML + `<w:document xmlns:w="${W}"><w:body>${body.join('')}${section}</w:body></w:document>`;
}
