import fs from 'node:fs';
import path from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { PROJECT_ROOT } from '../core/config';
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

/**
 * Loads the code lists of the shipped file (or `file`): dimensions and values are added or renamed
 * by code; codes already stored but no longer listed stay, since observations may carry them.
 */
export async function loadDimensions(dataSource: DataSource, file = DIMENSIONS_FILE): Promise<number> {
  const entries = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as DimensionFileEntry[];
  const problems = problemsOf(entries);
  if (problems.length) throw new Error(`The dimension code lists ${file} were not loaded:\n${problems.join('\n')}`);
  return withWriteTransaction(dataSource, async (manager) => {
    const nfc = (text: string) => text.trim().normalize('NFC');
    await manager.getRepository(Dimension).upsert(
      entries.map((d, ordinal) => ({ code: d.code, name: nfc(d.name), nameEn: nfc(d.nameEn), ordinal })),
      ['code'],
    );
    const values = entries.flatMap((d) => d.values.map((v, ordinal) => ({ dimension: d.code, code: v.code, name: nfc(v.name), nameEn: nfc(v.nameEn), ordinal })));
    await manager.getRepository(DimensionCode).upsert(values, ['dimension', 'code']);
    return values.length;
  });
}
