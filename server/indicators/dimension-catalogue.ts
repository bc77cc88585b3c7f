import fs from 'node:fs';
import path from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { PROJECT_ROOT } from '../core/config';
import { BadUserInputError } from '../core/errors';
import { withWriteTransaction } from '../core/write-transaction';
import { DimensionCode } from './dimension-code.entity';
import { TOTAL_CODE } from './dimension-key';
import { Dimension } from './dimension.entity';
import type { Indicator } from './indicator.entity';

export const DIMENSIONS_FILE = path.join(PROJECT_ROOT, 'data', 'indicators', 'dimensions.json');

interface DimensionFileEntry {
  code: string;
  name: string;
  nameEn: string;
  values: { code: string; name: string; nameEn: string }[];
}

const CODE = /^[A-Z][A-Z0-9_]{0,31}$/;

/** The dimensions an indicator is broken down by beyond sex, in its declared order. */
export function dimensionsOf(indicator: Pick<Indicator, 'dimensionCodes'>): string[] {
  return indicator.dimensionCodes ? indicator.dimensionCodes.split(';') : [];
}

/** Why `value` (already upper case) is not a code of `dimension`'s list nor `_T`, or null; `raw` is quoted as sent. */
/** Why `dimension` cannot be asked of `indicator`, whose dimensions beyond sex are `declared`. */
export function notDeclared(indicator: Indicator, dimension: string, declared: string[]): string {
  return declared.length ? `${indicator.code} is broken down by ${declared.join(', ')}; not by "${dimension}"` : `${indicator.code} has no dimensions beyond sex`;
}

/**
 * The `where` pairs of a query (statistics, observations), trimmed and upper-cased, each a
 * dimension of the indicator with a code of its list (or `_T`), none named twice nor among the
 * `by` dimensions of a query that has them. A wrong pair is BAD_USER_INPUT on `where`, saying why.
 */
export function fixedDimensionValues(indicator: Indicator, where: { dimension: string; value: string }[], codeLists: Map<string, Dimension>, by: string[] | null = null): [string, string][] {
  const declared = dimensionsOf(indicator);
  const fixed: [string, string][] = [];
  for (const { dimension: raw, value: rawValue } of where) {
    const dimension = raw.trim().toUpperCase();
    const value = rawValue.trim().toUpperCase();
    if (!declared.includes(dimension)) throw new BadUserInputError(notDeclared(indicator, dimension, declared), 'where');
    if (by?.includes(dimension) || fixed.some(([d]) => d === dimension)) throw new BadUserInputError(`${dimension} is named twice in ${by ? 'by and where' : 'where'}`, 'where');
    const problem = codeProblem(codeLists, dimension, value, rawValue);
    if (problem) throw new BadUserInputError(problem, 'where');
    fixed.push([dimension, value]);
  }
  return fixed;
}

export function codeProblem(codeLists: Map<string, Dimension>, dimension: string, value: string, raw: string): string | null {
  const codes = codeLists.get(dimension)?.values.map((v) => v.code) ?? [];
  if (value === TOTAL_CODE || codes.includes(value)) return null;
  return `"${raw}" is not a code of ${dimension}: one of ${[...codes, TOTAL_CODE].join(', ')}`;
}

/** Every dimension with its code list, in order: two small queries. */
export async function readDimensions(manager: EntityManager): Promise<Map<string, Dimension>> {
  const dimensions = await manager.getRepository(Dimension).find({ order: { ordinal: 'ASC' } });
  const codes = await manager.getRepository(DimensionCode).find({ order: { ordinal: 'ASC' } });
  for (const d of dimensions) d.values = codes.filter((c) => c.dimension === d.code);
  return new Map(dimensions.map((d) => [d.code, d]));
}

function problemsOf(entries: DimensionFileEntry[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const d of entries) {
    if (!d || typeof d !== 'object' || !Array.isArray(d.values) || d.values.some((v) => !v || typeof v !== 'object')) {
      problems.push(`${JSON.stringify(d)?.slice(0, 60)}: a dimension is { code, name, nameEn, values: [{ code, name, nameEn }, …] }`);
      continue;
    }
    if (!CODE.test(d.code ?? '')) problems.push(`dimension "${d.code}": a code is UPPER_SNAKE, at most 32 characters`);
    if (seen.has(d.code)) problems.push(`dimension ${d.code} is listed twice`);
    seen.add(d.code);
    if (!d.name || !d.nameEn) problems.push(`dimension ${d.code}: name and nameEn are required`);
    const values = new Set<string>();
    for (const v of d.values ?? []) {
      if (!CODE.test(v.code ?? '') || v.code === TOTAL_CODE) problems.push(`${d.code} value "${v.code}": a code is UPPER_SNAKE, at most 32 characters, and not ${TOTAL_CODE} (the total is implied)`);
      if (values.has(v.code)) problems.push(`${d.code} value ${v.code} is listed twice`);
      values.add(v.code);
      if (!v.name || !v.nameEn) problems.push(`${d.code} value ${v.code}: name and nameEn are required`);
    }
    if (!values.size) problems.push(`dimension ${d.code} has no values`);
  }
  return problems;
}

/** What an import of code lists did (or, on a dry run, would do). */
export interface DimensionImport {
  problems: string[];
  /** Lines such as "added ETHNICITY value TAY (Tày)", "renamed AGE value Y0T14: …". */
  changes: string[];
  codes: number;
}

function readEntries(file: string): { entries: DimensionFileEntry[]; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    return { entries: [], problems: [`${file} is not JSON: ${(error as Error).message}`] };
  }
  if (!Array.isArray(parsed)) return { entries: [], problems: [`${file}: a JSON array of dimensions is expected, each { code, name, nameEn, values: [{ code, name, nameEn }] }`] };
  return { entries: parsed as DimensionFileEntry[], problems: problemsOf(parsed as DimensionFileEntry[]) };
}

const nfc = (text: string) => text.trim().normalize('NFC');

function changesOf(entries: DimensionFileEntry[], stored: Map<string, Dimension>): string[] {
  const changes: string[] = [];
  for (const d of entries) {
    const before = stored.get(d.code);
    if (!before) changes.push(`added dimension ${d.code} (${nfc(d.name)})`);
    else if (before.name !== nfc(d.name) || before.nameEn !== nfc(d.nameEn)) changes.push(`renamed dimension ${d.code}: ${before.name} → ${nfc(d.name)}`);
    const values = new Map((before?.values ?? []).map((v) => [v.code, v]));
    for (const v of d.values) {
      const old = values.get(v.code);
      if (!old) changes.push(`added ${d.code} value ${v.code} (${nfc(v.name)})`);
      else if (old.name !== nfc(v.name) || old.nameEn !== nfc(v.nameEn)) changes.push(`renamed ${d.code} value ${v.code}: ${old.name} → ${nfc(v.name)}`);
    }
  }
  return changes;
}

/**
 * Loads code lists from a file (the shipped one by default): dimensions and values are added or
 * renamed by code, in the file's order; codes already stored but no longer listed stay, since
 * observations may carry them. Checked as a whole: with any problem nothing is written.
 */
export async function importDimensionsFile(dataSource: DataSource, file = DIMENSIONS_FILE, options: { dryRun?: boolean } = {}): Promise<DimensionImport> {
  const { entries, problems } = readEntries(file);
  if (problems.length) return { problems, changes: [], codes: 0 };
  return withWriteTransaction(dataSource, async (manager) => {
    const changes = changesOf(entries, await readDimensions(manager));
    const values = entries.flatMap((d) => d.values.map((v, ordinal) => ({ dimension: d.code, code: v.code, name: nfc(v.name), nameEn: nfc(v.nameEn), ordinal })));
    if (options.dryRun) return { problems: [], changes, codes: values.length };
    await manager.getRepository(Dimension).upsert(
      entries.map((d, ordinal) => ({ code: d.code, name: nfc(d.name), nameEn: nfc(d.nameEn), ordinal })),
      ['code'],
    );
    await manager.getRepository(DimensionCode).upsert(values, ['dimension', 'code']);
    return { problems: [], changes, codes: values.length };
  });
}

/** The shipped code lists at setup; a broken file stops the setup. Gives the number of codes. */
export async function loadDimensions(dataSource: DataSource, file = DIMENSIONS_FILE): Promise<number> {
  const result = await importDimensionsFile(dataSource, file);
  if (result.problems.length) throw new Error(`The dimension code lists ${file} were not loaded:\n${result.problems.join('\n')}`);
  return result.codes;
}

/** Every stored code list as the JSON file `importDimensionsFile` reads. */
export async function exportDimensions(dataSource: DataSource): Promise<{ json: string; codes: number }> {
  const dimensions = [...(await readDimensions(dataSource.manager)).values()];
  const entries: DimensionFileEntry[] = dimensions.map((d) => ({ code: d.code, name: d.name, nameEn: d.nameEn, values: d.values.map((v) => ({ code: v.code, name: v.name, nameEn: v.nameEn })) }));
  return { json: JSON.stringify(entries, null, 2) + '\n', codes: entries.reduce((n, d) => n + d.values.length, 0) };
}
