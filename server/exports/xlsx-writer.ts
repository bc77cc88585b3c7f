import { ServerResponse } from 'node:http';
import ExcelJS from 'exceljs';
import { CSV_COLUMNS } from './csv-writer';
import { drained, ExportAborted, ExportRow } from './observation-export';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * A streamed workbook: exceljs' WorkbookWriter zips each committed row straight into the
 * response. After every page the writer waits for the socket to drain, so a slow client holds
 * back the database reads instead of filling memory.
 */
export async function writeXlsx(res: ServerResponse, pages: AsyncIterable<ExportRow[]>): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useSharedStrings: false, useStyles: false });
  workbook.creator = 'bdg-hub';
  const sheet = workbook.addWorksheet('observations');
  sheet.addRow([...CSV_COLUMNS]).commit();
  for await (const page of pages) {
    for (const r of page) {
      sheet
        .addRow([r.indicator, r.indicatorName, r.unit, r.unitName, r.period, r.sex, r.disaggregation, r.numerator, r.denominator, r.value ?? null, r.unitOfMeasure, r.status, r.version, r.updatedAt])
        .commit();
    }
    // Let the zip stream hand its buffered data to the socket, then respect its back-pressure.
    await new Promise((resolve) => setImmediate(resolve));
    if (res.destroyed) throw new ExportAborted();
    await drained(res);
  }
  sheet.commit();
  await workbook.commit();
}
