import { ServerResponse } from 'node:http';
import { ExportRow, formatNumber, writeChunk } from './observation-export';

export const CSV_COLUMNS = ['indicator', 'indicator_name', 'unit', 'unit_name', 'period', 'sex', 'disaggregation', 'numerator', 'denominator', 'value', 'unit_of_measure', 'status', 'version', 'updated_at'] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(fields: (string | number | null | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

function rowFields(r: ExportRow): (string | number)[] {
  return [r.indicator, r.indicatorName, r.unit, r.unitName, r.period, r.sex, r.disaggregation, formatNumber(r.numerator, 10), formatNumber(r.denominator, 10), formatNumber(r.value), r.unitOfMeasure, r.status, r.version, r.updatedAt];
}

/** UTF-8 with a BOM (so spreadsheet programs read Vietnamese correctly), CRLF line ends; one write per page. */
export async function writeCsv(res: ServerResponse, pages: AsyncIterable<ExportRow[]>): Promise<void> {
  await writeChunk(res, `\uFEFF${csvLine([...CSV_COLUMNS])}`);
  for await (const page of pages) await writeChunk(res, page.map((r) => csvLine(rowFields(r))).join(''));
}
