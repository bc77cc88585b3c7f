import { ServerResponse } from 'node:http';
import { Cell, nextTurn, writeChunk } from './export-table';

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(value: Cell | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(fields: readonly (Cell | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/**
 * CSV with CRLF line ends, one write per page. `bom`: UTF-8 with a BOM, so spreadsheet programs
 * read Vietnamese correctly (SDMX-CSV goes without one: its readers are programs).
 */
export async function writeCsv(res: ServerResponse, columns: readonly string[], pages: AsyncIterable<Cell[][]>, options: { bom: boolean }): Promise<void> {
  await writeChunk(res, `${options.bom ? '\uFEFF' : ''}${csvLine(columns)}`);
  for await (const page of pages) {
    if (page.length) await writeChunk(res, page.map(csvLine).join(''));
    await nextTurn();
  }
}
