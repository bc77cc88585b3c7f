import fs from 'node:fs';
import { DataSource } from 'typeorm';
import { Role } from '../auth/role';
import { bulkIngest, BulkResult, RowBatch, SLICE_ROWS } from './bulk-import';
import type { IngestResult } from './observation-writer';
import { ObservationRow } from './observation-validation';
import { systemContext } from './system-context';

export const CSV_COLUMNS = ['indicator', 'unit', 'period', 'sex', 'numerator', 'denominator', 'source', 'comment'] as const;
/** A header column that is a dimension code (AGE, URBANISATION…): one column per dimension, empty or _T for its total. */
const DIMENSION_COLUMN = /^[A-Z][A-Z0-9_]*$/;

export interface CsvRecord {
  line: number;
  cells: string[];
}

/**
 * Incremental RFC 4180 reader: text may arrive in chunks cut anywhere (inside a quoted cell,
 * between a quote and its escaping quote, between CR and LF); records come out with the 1-based
 * line each starts on. The caller hands in decoded text (a StringDecoder never splits a UTF-8
 * character such as "ễ"); a BOM at the very start is dropped.
 */
export class CsvRecordReader {
  private cells: string[] = [];
  private cell = '';
  private quoted = false;
  /** A quote seen inside a quoted cell: the next character tells an escaped quote from the closing one. */
  private quoteEnds = false;
  /** A CR ended the last record: an LF right after it belongs to the same line break. */
  private afterCr = false;
  private line = 1;
  private start = 1;
  private started = false;

  /** The records completed by this chunk. */
  push(chunk: string): CsvRecord[] {
    const records: CsvRecord[] = [];
    let input = chunk;
    if (!this.started && input.length) {
      this.started = true;
      if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
    }
    for (let i = 0; i < input.length; i++) {
      const c = input[i];
      if (this.afterCr) {
        this.afterCr = false;
        if (c === '\n') continue;
      }
      if (this.quoteEnds) {
        this.quoteEnds = false;
        if (c === '"') {
          this.cell += '"';
          continue;
        }
        this.quoted = false;
      }
      if (this.quoted) {
        if (c === '"') this.quoteEnds = true;
        else {
          // Copy the run up to the next quote in one slice: most quoted cells are plain text.
          let end = input.indexOf('"', i);
          if (end < 0) end = input.length;
          const run = input.slice(i, end);
          for (let n = run.indexOf('\n'); n >= 0; n = run.indexOf('\n', n + 1)) this.line++;
          this.cell += run;
          i = end - 1;
        }
      } else if (c === '"' && this.cell === '') this.quoted = true;
      else if (c === ',') this.cells.push(this.cell), (this.cell = '');
      else if (c === '\n' || c === '\r') {
        this.afterCr = c === '\r';
        this.endRecord(records);
        this.line++;
        this.start = this.line;
      } else {
        // An ordinary run: up to the next comma, line break or quote.
        let end = i + 1;
        while (end < input.length) {
          const d = input.charCodeAt(end);
          if (d === 44 || d === 10 || d === 13 || d === 34) break;
          end++;
        }
        this.cell += input.slice(i, end);
        i = end - 1;
      }
    }
    return records;
  }

  /** The last record, when the text does not end with a line break. */
  end(): CsvRecord[] {
    const records: CsvRecord[] = [];
    this.quoteEnds = false;
    this.endRecord(records);
    return records;
  }

  private endRecord(records: CsvRecord[]): void {
    this.cells.push(this.cell);
    if (this.cells.length > 1 || this.cells[0] !== '') records.push({ line: this.start, cells: this.cells });
    this.cells = [];
    this.cell = '';
  }
}

/** RFC 4180 records with the 1-based line each starts on; UTF-8 with optional BOM, CRLF or LF. */
export function parseCsv(text: string): CsvRecord[] {
  const reader = new CsvRecordReader();
  return [...reader.push(text), ...reader.end()];
}

function number(text: string | undefined): number | null {
  const t = (text ?? '').trim();
  return t === '' ? null : Number(t);
}

/**
 * The header's columns: the known ones in lower case, a dimension by its code (AGE, or age) in
 * upper case. A column that is neither, or the free `disaggregation` text of old files, is
 * refused: silently dropping it would merge the rows it tells apart.
 */
function headerColumns(cells: string[]): string[] {
  return cells.map((cell) => {
    const name = cell.trim();
    if ((CSV_COLUMNS as readonly string[]).includes(name.toLowerCase())) return name.toLowerCase();
    if (name.toLowerCase() === 'disaggregation') throw new CsvHeaderError('the disaggregation column was replaced by one column per dimension, named by its code (e.g. AGE, URBANISATION), holding a code of its list');
    if (DIMENSION_COLUMN.test(name.toUpperCase())) return name.toUpperCase();
    throw new CsvHeaderError(`unknown column "${name}": the columns are ${CSV_COLUMNS.join(', ')} and one per dimension (e.g. AGE)`);
  });
}

export class CsvHeaderError extends Error {}

/**
 * Turns records into rows: an optional header (first cell "indicator") names the columns, and
 * must name any dimension columns; without one the columns are CSV_COLUMNS in order.
 */
export class ObservationRecordReader {
  private columns: string[] | null = null;
  private dimensionColumns: string[] = [];

  /** The row a record holds, or null for the header. */
  row(record: CsvRecord): ObservationRow | null {
    if (!this.columns) {
      const header = record.cells[0].trim().toLowerCase() === 'indicator';
      this.columns = header ? headerColumns(record.cells) : [...CSV_COLUMNS];
      this.dimensionColumns = this.columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
      if (header) return null;
    }
    const columns = this.columns;
    const get = (name: string) => {
      const i = columns.indexOf(name);
      return i >= 0 ? record.cells[i] : undefined;
    };
    return {
      indicator: (get('indicator') ?? '').trim(),
      unit: (get('unit') ?? '').trim(),
      period: (get('period') ?? '').trim(),
      sex: (get('sex') ?? '').trim(),
      numerator: number(get('numerator')) ?? NaN,
      denominator: number(get('denominator')),
      // An empty cell (or _T) is the dimension's total: rows of indicators without it leave it empty.
      dimensions: this.dimensionColumns.map((dimension) => ({ dimension, value: (get(dimension) ?? '').trim() })).filter((d) => d.value !== '' && d.value.toUpperCase() !== '_T'),
      source: get('source')?.trim() || null,
      comment: get('comment')?.trim() || null,
    };
  }
}

/** CSV text to rows (an optional header names the columns, and must name any dimension columns) and the line of each row. */
export function csvToRows(text: string): { rows: ObservationRow[]; lines: number[] } {
  const reader = new ObservationRecordReader();
  const rows: ObservationRow[] = [];
  const lines: number[] = [];
  for (const record of parseCsv(text)) {
    const row = reader.row(record);
    if (!row) continue;
    rows.push(row);
    lines.push(record.line);
  }
  return { rows, lines };
}


/** What tells the FEMALE, MALE and TOTAL rows of one observation apart from the next: a batch ends only where it changes. */
const sameGroup = (a: ObservationRow, b: ObservationRow) =>
  a.indicator === b.indicator && a.unit === b.unit && a.period === b.period && JSON.stringify(a.dimensions) === JSON.stringify(b.dimensions);

/**
 * Streams a CSV file as batches of about `batchSize` rows: memory holds one batch and one read
 * chunk, never the file. Adjacent rows of one observation's sexes stay in one batch, so the
 * TOTAL = FEMALE + MALE check sees them together.
 */
export async function* readCsvBatches(file: string, batchSize: number): AsyncGenerator<RowBatch> {
  const records = new CsvRecordReader();
  const reader = new ObservationRecordReader();
  let batch: RowBatch = { rows: [], lines: [] };
  // setEncoding('utf8') decodes with a StringDecoder: a character cut between two reads is kept whole.
  const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const take = function* (list: CsvRecord[]): Generator<RowBatch> {
    for (const record of list) {
      const row = reader.row(record);
      if (!row) continue;
      const last = batch.rows[batch.rows.length - 1];
      if (batch.rows.length >= batchSize && !sameGroup(last, row)) {
        yield batch;
        batch = { rows: [], lines: [] };
      }
      batch.rows.push(row);
      batch.lines.push(record.line);
    }
  };
  for await (const chunk of stream) yield* take(records.push(chunk as string));
  yield* take(records.end());
  if (batch.rows.length) yield batch;
}

export interface FileImportOptions {
  unit?: string;
  role?: Role;
  subject?: string;
  dryRun?: boolean;
  strict?: boolean;
  /** Rows per batch (default IMPORT_BATCH_ROWS or 20,000): memory grows with it, not with the file. */
  batchRows?: number;
  progress?: (line: string) => void;
}

export const DEFAULT_BATCH_ROWS = 20_000;

/**
 * Validates and loads a CSV file with the same rules as recordObservations, streamed in batches
 * inside one transaction: one bad row anywhere loads nothing (bulkIngest).
 */
export async function importObservationsFile(dataSource: DataSource, file: string, options: FileImportOptions = {}): Promise<BulkResult> {
  const batchRows = options.batchRows ?? (Number(process.env.IMPORT_BATCH_ROWS) || DEFAULT_BATCH_ROWS);
  const ctx = await systemContext(dataSource, { unit: options.unit, role: options.role, subject: options.subject });
  options.progress?.(`reading ${file} in batches of ${batchRows} rows`);
  return bulkIngest(ctx, () => readCsvBatches(file, Math.min(SLICE_ROWS, batchRows)), { writeRows: batchRows, dryRun: options.dryRun, strict: options.strict, progress: options.progress });
}

/** One line per error (or warning): "line 12: period: …". */
export function formatCsvErrors(problems: IngestResult['errors'], lines: Record<number, number>): string[] {
  return problems.map((e) => `line ${lines[e.index]}: ${e.field ?? 'row'}: ${e.message}`);
}
