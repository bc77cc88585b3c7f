import { ServerResponse } from 'node:http';
import ExcelJS from 'exceljs';
import { Cell, drained, nextTurn, untilDrain } from './export-table';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Uncompressed sheet XML allowed to wait for the zip before the writer stops adding rows. */
const INTAKE_LIMIT = 1024 * 1024;

/** The writable side of a Node stream, as far as back-pressure goes (readable-stream 2 has no `writableLength`). */
interface Intake extends NodeJS.EventEmitter {
  writableLength?: number;
  _writableState?: { length: number };
}

/**
 * The stream the zip reads the worksheet's XML from. exceljs 4 writes the sheet into its own
 * StreamBuf, which hands every 64 KB to archiver's intake (a PassThrough in front of the deflate
 * stream) without looking at what write() answers. When rows are produced faster than zlib
 * compresses (SQLite reads synchronously) the XML piles up there: 1,000,000 rows grew the
 * server's RSS by 700 MB of Buffers while the heap stayed flat. Watching this stream is the only
 * back-pressure signal exceljs leaves us; null when a future exceljs changes its insides.
 */
export function zipIntake(sheet: ExcelJS.Worksheet): Intake | null {
  const stream = (sheet as unknown as { stream?: { pipes?: unknown[] } }).stream;
  const intake = stream?.pipes?.[0] as Intake | undefined;
  return intake && typeof intake.on === 'function' ? intake : null;
}

function buffered(intake: Intake): number {
  return intake.writableLength ?? intake._writableState?.length ?? 0;
}

/**
 * A streamed workbook: exceljs' WorkbookWriter zips committed rows straight into the response.
 * The writer waits whenever the zip has more than INTAKE_LIMIT of XML to compress (see zipIntake)
 * and after every page for the socket to drain, so neither slow compression nor a slow client
 * lets memory grow; the database reads wait instead.
 */
export async function writeXlsx(res: ServerResponse, sheetName: string, columns: readonly string[], pages: AsyncIterable<Cell[][]>): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useSharedStrings: false, useStyles: false });
  workbook.creator = 'bdg-hub';
  const sheet = workbook.addWorksheet(sheetName);
  sheet.addRow([...columns]).commit();
  const intake = zipIntake(sheet);
  for await (const page of pages) {
    for (const cells of page) {
      sheet.addRow(cells).commit();
      if (intake && buffered(intake) > INTAKE_LIMIT) await untilDrain(intake, res);
    }
    await nextTurn();
    await drained(res);
  }
  sheet.commit();
  await workbook.commit();
}
