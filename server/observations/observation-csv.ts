import fs from 'node:fs';
import { DataSource } from 'typeorm';
import { Role } from '../auth/role';
import { ingestObservations, IngestResult } from './observation-writer';
import { ObservationRow } from './observation-validation';
import { systemContext } from './system-context';

export const CSV_COLUMNS = ['indicator', 'unit', 'period', 'sex', 'numerator', 'denominator', 'source', 'comment'] as const;
/** A header column that is a dimension code (AGE, URBANISATION…): one column per dimension, empty or _T for its total. */
const DIMENSION_COLUMN = /^[A-Z][A-Z0-9_]*$/;

/** RFC 4180 records with the 1-based line each starts on; UTF-8 with optional BOM, CRLF or LF. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const input = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') cells.push(cell), (cell = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.length > 1 || cells[0] !== '') records.push({ line: start, cells });
      cells = [];
      cell = '';
      line++;
      start = line;
    } else cell += c;
  }
  cells.push(cell);
  if (cells.length > 1 || cells[0] !== '') records.push({ line: start, cells });
  return records;
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

/** CSV text to rows (an optional header names the columns, and must name any dimension columns) and the line of each row. */
export function csvToRows(text: string): { rows: ObservationRow[]; lines: number[] } {
  const records = parseCsv(text);
  let columns: string[] = [...CSV_COLUMNS];
  if (records.length && records[0].cells[0].trim().toLowerCase() === 'indicator') columns = headerColumns(records.shift()!.cells);
  const dimensionColumns = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  const rows: ObservationRow[] = [];
  const lines: number[] = [];
  for (const record of records) {
    const get = (name: string) => {
      const i = columns.indexOf(name);
      return i >= 0 ? record.cells[i] : undefined;
    };
    rows.push({
      indicator: (get('indicator') ?? '').trim(),
      unit: (get('unit') ?? '').trim(),
      period: (get('period') ?? '').trim(),
      sex: (get('sex') ?? '').trim(),
      numerator: number(get('numerator')) ?? NaN,
      denominator: number(get('denominator')),
      // An empty cell (or _T) is the dimension's total: rows of indicators without it leave it empty.
      dimensions: dimensionColumns.map((dimension) => ({ dimension, value: (get(dimension) ?? '').trim() })).filter((d) => d.value !== '' && d.value.toUpperCase() !== '_T'),
      source: get('source')?.trim() || null,
      comment: get('comment')?.trim() || null,
    });
    lines.push(record.line);
  }
  return { rows, lines };
}

export interface FileImportOptions {
  unit?: string;
  role?: Role;
  subject?: string;
  dryRun?: boolean;
  strict?: boolean;
  progress?: (line: string) => void;
}

/** Validates and loads a CSV file with the same rules and atomicity as recordObservations. */
export async function importObservationsFile(dataSource: DataSource, file: string, options: FileImportOptions = {}): Promise<{ result: IngestResult; lines: number[]; rows: number }> {
  const progress = options.progress ?? (() => undefined);
  const { rows, lines } = csvToRows(fs.readFileSync(file, 'utf8'));
  progress(`read ${rows.length} rows from ${file}`);
  const ctx = await systemContext(dataSource, { unit: options.unit, role: options.role, subject: options.subject ?? `import:${file.split(/[\\/]/).pop()}` });
  const result = await ingestObservations(ctx, rows, { dryRun: options.dryRun, strict: options.strict, progress });
  return { result, lines, rows: rows.length };
}

/** One line per error (or warning): "line 12: period: …". */
export function formatCsvErrors(problems: IngestResult['errors'], lines: number[]): string[] {
  return problems.map((e) => `line ${lines[e.index]}: ${e.field ?? 'row'}: ${e.message}`);
}
