import { readFileSync } from 'fs';

/**
 * Loader for the administrative-unit reference files in data/units/ (see data/units/README.md).
 * The files are third-party data that must never be edited by hand, so a bad row is reported
 * (with its line number) and left out instead of aborting the whole load.
 */

export type CsvLevel = 'PROVINCE' | 'DISTRICT' | 'COMMUNE';

export interface UnitRow {
  /** Physical line (1-based, header = line 1) on which the record starts. */
  line: number;
  code: string;
  parentCode: string | null;
  level: CsvLevel;
  type: string;
  name: string;
  fullName: string;
  nameEn: string;
  /** Free text of the 2026 file; null when the column is absent or the cell is empty. */
  predecessors: string | null;
}

export interface CsvProblem {
  line: number;
  message: string;
}

const LEVELS: readonly CsvLevel[] = ['PROVINCE', 'DISTRICT', 'COMMUNE'];
const REQUIRED_COLUMNS = ['code', 'parent_code', 'level', 'type', 'name', 'full_name', 'name_en'] as const;
/** Columns that must be non-empty on every row (name_en may be blank: it is informative only). */
const NON_EMPTY = ['code', 'level', 'type', 'name', 'full_name'] as const;
const ALLOWED_PARENTS: Record<CsvLevel, readonly CsvLevel[]> = {
  PROVINCE: [],
  DISTRICT: ['PROVINCE'],
  COMMUNE: ['DISTRICT', 'PROVINCE'],
};

interface RawRecord {
  line: number;
  fields: string[];
  /** Set when the record is malformed (the record is then reported and skipped). */
  error?: string;
}

/**
 * Splits RFC 4180 text into records: fields separated by ',', records by CRLF or LF (a lone CR too),
 * fields optionally quoted with '"' and a quote inside a quoted field written as '""'.
 * Quoted fields may contain commas and line breaks. Lines that are completely empty are skipped.
 */
function splitRecords(text: string): RawRecord[] {
  const records: RawRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quoted = false; // the current field started with a quote
  let closed = false; // the current quoted field was closed; only a separator may follow
  let anyQuoted = false; // some field of the current record was quoted
  let error: string | undefined;
  let i = 0;

  const endField = (): void => {
    fields.push(field);
    field = '';
    quoted = false;
    closed = false;
  };
  const endRecord = (): void => {
    endField();
    const blank = fields.length === 1 && fields[0] === '' && !anyQuoted;
    if (!blank) records.push(error === undefined ? { line: recordLine, fields } : { line: recordLine, fields, error });
    fields = [];
    anyQuoted = false;
    error = undefined;
  };

  while (i < text.length) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else {
          inQuotes = false;
          closed = true;
          i += 1;
        }
      } else if (ch === '\r' || ch === '\n') {
        // A line break inside a quoted field belongs to the value; normalise it to LF.
        field += '\n';
        line += 1;
        i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      } else {
        field += ch;
        i += 1;
      }
      continue;
    }
    if (ch === ',') {
      endField();
      i += 1;
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      line += 1;
      recordLine = line;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else if (ch === '"' && field === '' && !quoted) {
      inQuotes = true;
      quoted = true;
      anyQuoted = true;
      i += 1;
    } else {
      if (closed && error === undefined) error = `text after the closing quote of field ${fields.length + 1}`;
      else if (!quoted && ch === '"' && error === undefined) error = `stray quote inside unquoted field ${fields.length + 1}`;
      field += ch;
      i += 1;
    }
  }
  if (inQuotes) error = 'quoted field is not closed before the end of the file';
  if (field !== '' || fields.length > 0 || quoted) endRecord();
  return records;
}

/** RFC 4180 parsing (quoted fields with commas, doubled quotes, CRLF or LF, optional BOM); text NFC-normalised. */
export function parseUnitCsv(text: string): { rows: UnitRow[]; problems: CsvProblem[] } {
  const problems: CsvProblem[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records = splitRecords(body.normalize('NFC'));
  if (records.length === 0) {
    problems.push({ line: 1, message: 'file is empty: no header row' });
    return { rows: [], problems };
  }

  if (records[0].error !== undefined) {
    problems.push({ line: records[0].line, message: `header: ${records[0].error}` });
    return { rows: [], problems };
  }
  const header = records[0].fields.map((h) => h.trim().toLowerCase());
  const col = new Map<string, number>();
  header.forEach((name, index) => {
    if (name === '') return;
    if (col.has(name)) problems.push({ line: records[0].line, message: `column "${name}" appears twice in the header` });
    else col.set(name, index);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !col.has(c));
  if (missing.length > 0) {
    problems.push({ line: records[0].line, message: `header lacks required column(s): ${missing.join(', ')}` });
    return { rows: [], problems };
  }
  const predecessorsCol = col.get('predecessors');

  // Pass 1: per-row checks that need no other row.
  const candidates: UnitRow[] = [];
  for (const record of records.slice(1)) {
    const { line, fields } = record;
    if (record.error !== undefined) {
      problems.push({ line, message: record.error });
      continue;
    }
    if (fields.length !== header.length) {
      problems.push({ line, message: `expected ${header.length} fields, found ${fields.length}` });
      continue;
    }
    const get = (name: string): string => fields[col.get(name) as number].trim();
    const empty = NON_EMPTY.filter((c) => get(c) === '');
    if (empty.length > 0) {
      problems.push({ line, message: `required value(s) missing: ${empty.join(', ')}` });
      continue;
    }
    const level = get('level');
    if (!(LEVELS as readonly string[]).includes(level)) {
      problems.push({ line, message: `unknown level "${level}" (expected ${LEVELS.join(', ')})` });
      continue;
    }
    const code = get('code');
    if (/\s/.test(code)) {
      problems.push({ line, message: `code "${code}" contains white space` });
      continue;
    }
    const parent = get('parent_code');
    const predecessors = predecessorsCol === undefined ? '' : fields[predecessorsCol].trim();
    candidates.push({
      line,
      code,
      parentCode: parent === '' ? null : parent,
      level: level as CsvLevel,
      type: get('type'),
      name: get('name'),
      fullName: get('full_name'),
      nameEn: get('name_en'),
      predecessors: predecessors === '' ? null : predecessors,
    });
  }

  // Pass 2: codes unique in the file (the first occurrence wins, later ones are reported).
  const byCode = new Map<string, UnitRow>();
  const unique: UnitRow[] = [];
  for (const row of candidates) {
    const first = byCode.get(row.code);
    if (first) {
      problems.push({ line: row.line, message: `duplicate code ${row.code} (first used on line ${first.line})` });
      continue;
    }
    byCode.set(row.code, row);
    unique.push(row);
  }

  // Pass 3: parents, level by level so that a rejected parent also rejects its children.
  const accepted = new Map<string, UnitRow>();
  for (const level of LEVELS) {
    for (const row of unique) {
      if (row.level !== level) continue;
      const allowed = ALLOWED_PARENTS[level];
      if (allowed.length === 0) {
        if (row.parentCode !== null) {
          problems.push({ line: row.line, message: `${level} ${row.code} must not have a parent (parent_code "${row.parentCode}")` });
          continue;
        }
        accepted.set(row.code, row);
        continue;
      }
      if (row.parentCode === null) {
        problems.push({ line: row.line, message: `${level} ${row.code} has no parent_code` });
        continue;
      }
      const parent = byCode.get(row.parentCode);
      if (!parent) {
        problems.push({ line: row.line, message: `parent ${row.parentCode} of ${level} ${row.code} does not exist in the file` });
        continue;
      }
      if (!allowed.includes(parent.level)) {
        problems.push({
          line: row.line,
          message: `parent ${row.parentCode} of ${level} ${row.code} is a ${parent.level} (expected ${allowed.join(' or ')})`,
        });
        continue;
      }
      if (!accepted.has(parent.code)) {
        problems.push({ line: row.line, message: `parent ${row.parentCode} of ${level} ${row.code} was rejected (line ${parent.line})` });
        continue;
      }
      accepted.set(row.code, row);
    }
  }

  const rows = unique.filter((row) => accepted.has(row.code));
  problems.sort((a, b) => a.line - b.line);
  return { rows, problems };
}

export function readUnitCsv(path: string): { rows: UnitRow[]; problems: CsvProblem[] } {
  return parseUnitCsv(readFileSync(path, 'utf8'));
}
