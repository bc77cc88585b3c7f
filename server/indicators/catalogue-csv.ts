import fs from 'node:fs';
import { DataSource } from 'typeorm';
import { csvLine } from '../exports/csv-writer';
import { parseCsv } from '../observations/observation-csv';
import { applyCatalogue, CatalogueEntry, CatalogueIndicator, CatalogueProblem, CatalogueResult, decodeReferences, encodeReferences, formatField, INDICATOR_FIELDS, storedCatalogue } from './indicator-catalogue';

/** The catalogue file: every indicator field, then its references (`SDG:5.5.1 "title" <url> | …`). */
export const CATALOGUE_COLUMNS = [...INDICATOR_FIELDS, 'references'] as const;

/** The whole catalogue as CSV text: UTF-8 with a BOM (spreadsheets then read Vietnamese), CRLF, by code. */
export async function exportCatalogueCsv(dataSource: DataSource): Promise<{ csv: string; indicators: number }> {
  const entries = await storedCatalogue(dataSource.manager);
  const rows = entries.map((e) => csvLine([...INDICATOR_FIELDS.map((f) => formatField(e.indicator[f])), encodeReferences(e.references)]));
  return { csv: `\uFEFF${csvLine(CATALOGUE_COLUMNS)}${rows.join('')}`, indicators: entries.length };
}

function parseBoolean(text: string): boolean | string {
  const t = text.toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : text;
}

function parseNumber(text: string): number | string {
  return text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}

/**
 * CSV text to catalogue entries; the header names the columns (any order) and must name them all.
 * Text is trimmed and put in Unicode NFC (spreadsheets on some systems write decomposed accents).
 * Values that do not parse are kept as text so that validateEntry reports them with their field.
 */
export function parseCatalogueCsv(text: string): { entries: CatalogueEntry[]; problems: CatalogueProblem[] } {
  const records = parseCsv(text);
  const header = records.shift();
  if (!header) return { entries: [], problems: [{ line: 1, field: 'header', message: `the file is empty; expected the columns ${CATALOGUE_COLUMNS.join(',')}` }] };
  const columns = header.cells.map((c) => c.trim());
  const missing = CATALOGUE_COLUMNS.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !(CATALOGUE_COLUMNS as readonly string[]).includes(c));
  if (missing.length || unknown.length) {
    const message = [missing.length ? `missing ${missing.join(', ')}` : '', unknown.length ? `unknown ${unknown.join(', ')}` : ''].filter(Boolean).join('; ');
    return { entries: [], problems: [{ line: header.line, field: 'header', message: `${message} (expected ${CATALOGUE_COLUMNS.join(',')})` }] };
  }
  const problems: CatalogueProblem[] = [];
  const entries = records.map((record) => {
    const get = (name: string) => (record.cells[columns.indexOf(name)] ?? '').trim().normalize('NFC');
    if (record.cells.length !== columns.length) problems.push({ line: record.line, field: 'row', message: `${record.cells.length} fields where the header has ${columns.length}` });
    const decoded = decodeReferences(get('references'));
    for (const error of decoded.errors) problems.push({ line: record.line, field: 'references', message: error });
    const indicator = {
      ...Object.fromEntries(INDICATOR_FIELDS.map((f) => [f, get(f)])),
      factor: parseNumber(get('factor')),
      sexDisaggregated: parseBoolean(get('sexDisaggregated')),
      denominatorLabel: get('denominatorLabel') || null,
      plausibleMin: get('plausibleMin') === '' ? null : parseNumber(get('plausibleMin')),
      plausibleMax: get('plausibleMax') === '' ? null : parseNumber(get('plausibleMax')),
      dimensionCodes: get('dimensionCodes').replace(/\s+/g, '').toUpperCase(),
    } as unknown as CatalogueIndicator;
    return { line: record.line, indicator, references: decoded.references };
  });
  return { entries, problems };
}

/** Validates a catalogue CSV file as a whole and, unless anything is wrong or `dryRun`, applies it. */
export async function importCatalogueFile(dataSource: DataSource, file: string, options: { dryRun?: boolean } = {}): Promise<CatalogueResult & { names: Map<string, string> }> {
  const { entries, problems } = parseCatalogueCsv(fs.readFileSync(file, 'utf8'));
  const names = new Map(entries.map((e) => [e.indicator.code, e.indicator.name]));
  // Reading problems are reported together with the database checks: every bad line at once.
  const result = await applyCatalogue(dataSource, entries, { dryRun: options.dryRun || problems.length > 0 });
  const all = [...problems, ...result.problems].sort((a, b) => a.line - b.line);
  return { ...result, applied: result.applied && all.length === 0, problems: all, names };
}
