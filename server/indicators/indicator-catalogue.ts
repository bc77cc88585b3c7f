import fs from 'node:fs';
import path from 'node:path';
import { DataSource, EntityManager, In } from 'typeorm';
import { PROJECT_ROOT } from '../core/config';
import { MAX_DIMENSIONS, MAX_REFERENCES } from '../core/list-bounds';
import { withWriteTransaction } from '../core/write-transaction';
import { Observation } from '../observations/observation.entity';
import { Target } from '../plans/target.entity';
import type { SeedIndicator } from '../plans/seed-plan.types';
import { UnitLevel } from '../tenancy/unit-level';
import { Domain, PeriodType, TemporalAggregation, ValueType } from './indicator-enums';
import { readDimensions } from './dimension-catalogue';
import { encodeDimensions, MAX_KEY_LENGTH } from './dimension-key';
import { Dimension } from './dimension.entity';
import { IndicatorReference } from './indicator-reference.entity';
import { denominatorIsOne, Indicator } from './indicator.entity';

export const CATALOGUE_FILE = path.join(PROJECT_ROOT, 'data', 'indicators', 'catalogue.json');

/** Every stored field of an indicator but its id, in the order files show them. */
export type CatalogueIndicator = Omit<Indicator, 'id'>;
export const INDICATOR_FIELDS = [
  'code',
  'name',
  'nameEn',
  'domain',
  'valueType',
  'factor',
  'unitOfMeasure',
  'entryLevel',
  'sexDisaggregated',
  'temporalAggregation',
  'periodType',
  'numeratorLabel',
  'denominatorLabel',
  'source',
  'plausibleMin',
  'plausibleMax',
  'dimensionCodes',
] as const satisfies readonly (keyof CatalogueIndicator)[];

/**
 * Fields that say how the stored numerators and denominators read: changing one would silently
 * reinterpret the observations already entered (and the statistics rollups built from them) and
 * the plan targets set on the indicator.
 */
const DATA_BOUND_FIELDS: Partial<Record<keyof CatalogueIndicator, { reason: string; targets: boolean }>> = {
  valueType: { reason: 'its numerators and denominators (and target values) were set for that value type', targets: true },
  factor: { reason: 'its values (and target values) would change by the ratio of the factors', targets: true },
  sexDisaggregated: { reason: 'its rows (and target measures) are keyed by sex accordingly', targets: true },
  entryLevel: { reason: 'its rows were entered by units of that level', targets: false },
  periodType: { reason: 'its rows were entered (and targets judged) for periods of that type', targets: true },
  temporalAggregation: { reason: 'its statistics rollups were built (and targets judged) for that aggregation over time', targets: true },
  dimensionCodes: { reason: 'its rows are keyed by the codes of those dimensions', targets: false },
};

export const FACTORS = [1, 100, 1000, 100000];


export interface CatalogueReference {
  framework: string;
  code: string;
  title: string | null;
  url: string | null;
}

/** One indicator as a file states it; `line` is where it is in that file (1-based). */
export interface CatalogueEntry {
  line: number;
  indicator: CatalogueIndicator;
  references: CatalogueReference[];
}

export interface CatalogueProblem {
  line: number;
  field: string;
  message: string;
}

export interface CatalogueChange {
  code: string;
  added: boolean;
  fields: { field: string; from: string; to: string }[];
}

export interface CatalogueResult {
  applied: boolean;
  added: number;
  changed: number;
  changes: CatalogueChange[];
  problems: CatalogueProblem[];
}

const TEXT_LIMITS: Partial<Record<keyof CatalogueIndicator, number>> = { name: 400, nameEn: 400, unitOfMeasure: 64, numeratorLabel: 400, source: 400 };
const ENUMS: Partial<Record<keyof CatalogueIndicator, readonly string[]>> = {
  domain: Object.values(Domain),
  valueType: Object.values(ValueType),
  entryLevel: Object.values(UnitLevel),
  temporalAggregation: Object.values(TemporalAggregation),
  periodType: Object.values(PeriodType),
};

/** Field-level problems of one indicator and its references (no database needed). */
export function validateEntry(entry: CatalogueEntry): CatalogueProblem[] {
  const problems: CatalogueProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ line: entry.line, field, message });
  const i = entry.indicator;
  if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(i.code)) problem('code', `"${i.code}" is not an UPPER_SNAKE code (letters, digits, single underscores)`);
  else if (i.code.length > 64) problem('code', 'longer than 64 characters');
  for (const [field, limit] of Object.entries(TEXT_LIMITS) as [keyof CatalogueIndicator, number][]) {
    const text = i[field] as string;
    if (!text) problem(field, 'required');
    else if (text.length > limit) problem(field, `longer than ${limit} characters`);
  }
  for (const [field, values] of Object.entries(ENUMS) as [keyof CatalogueIndicator, string[]][]) {
    if (!values.includes(i[field] as string)) problem(field, `"${String(i[field])}" is not one of ${values.join(', ')}`);
  }
  if (!FACTORS.includes(i.factor)) problem('factor', `"${String(i.factor)}" is not one of ${FACTORS.join(', ')}`);
  if (typeof i.sexDisaggregated !== 'boolean') problem('sexDisaggregated', 'must be true or false');
  for (const field of ['plausibleMin', 'plausibleMax'] as const) {
    if (i[field] !== null && !(typeof i[field] === 'number' && Number.isFinite(i[field]))) problem(field, `"${String(i[field])}" is not a number (leave it empty for no bound)`);
  }
  if (typeof i.plausibleMin === 'number' && typeof i.plausibleMax === 'number' && i.plausibleMin > i.plausibleMax) problem('plausibleMax', `${i.plausibleMax} is below plausibleMin ${i.plausibleMin}`);
  if (i.denominatorLabel !== null && i.denominatorLabel.length > 400) problem('denominatorLabel', 'longer than 400 characters');
  if (ENUMS.valueType!.includes(i.valueType)) {
    if (denominatorIsOne(i) && i.denominatorLabel !== null) problem('denominatorLabel', `must be empty for ${i.valueType} (the denominator is always 1)`);
    if (!denominatorIsOne(i) && i.denominatorLabel === null) problem('denominatorLabel', `required for ${i.valueType}: say what the denominator counts`);
    if (i.valueType === ValueType.BOOLEAN && i.sexDisaggregated === true) problem('sexDisaggregated', 'a BOOLEAN indicator describes a unit, so it cannot be broken down by sex');
  }
  const dimensions = i.dimensionCodes ? i.dimensionCodes.split(';') : [];
  if (typeof i.dimensionCodes !== 'string' || dimensions.some((d) => !/^[A-Z][A-Z0-9_]{0,31}$/.test(d))) problem('dimensionCodes', `"${String(i.dimensionCodes)}" is not a list of dimension codes separated by ; (e.g. AGE;URBANISATION), or empty`);
  else if (new Set(dimensions).size !== dimensions.length) problem('dimensionCodes', `a dimension is listed twice in "${i.dimensionCodes}"`);
  else if (dimensions.length > MAX_DIMENSIONS) problem('dimensionCodes', `at most ${MAX_DIMENSIONS} dimensions beyond sex`);
  if (entry.references.length > MAX_REFERENCES) problem('references', `${entry.references.length} references; an indicator has at most ${MAX_REFERENCES}`);
  const seen = new Set<string>();
  for (const r of entry.references) {
    const name = `${r.framework}:${r.code}`;
    if (!r.framework || /[:|"<>]/.test(r.framework) || r.framework.length > 64) problem('references', `framework "${r.framework}" must be 1–64 characters without : | " < >`);
    if (!r.code || /[\s|"<>]/.test(r.code) || r.code.length > 32) problem('references', `code "${r.code}" of ${r.framework} must be 1–32 characters without spaces or | " < >`);
    if (r.title !== null && (r.title.length > 400 || /[|"]/.test(r.title))) problem('references', `title of ${name} must be at most 400 characters without | or "`);
    if (r.url !== null && (r.url.length > 400 || !/^https?:\/\/[^\s|<>"]+$/.test(r.url))) problem('references', `url of ${name} must be an http(s) address of at most 400 characters`);
    if (seen.has(name)) problem('references', `${name} is listed twice`);
    seen.add(name);
  }
  return problems;
}

/** `SDG:5.5.1 "Proportion of seats held by women…" <https://…>`; title and url are optional. */
export function encodeReference(r: CatalogueReference): string {
  return `${r.framework}:${r.code}${r.title ? ` "${r.title}"` : ''}${r.url ? ` <${r.url}>` : ''}`;
}

/** References joined by " | " in framework, code order: the one spelling files and summaries use. */
export function encodeReferences(references: readonly CatalogueReference[]): string {
  return sortReferences(references).map(encodeReference).join(' | ');
}

const REFERENCE = /^([^:|"<>]+?)\s*:\s*([^\s|"<>]+)(?:\s+"([^"|]*)")?(?:\s+<([^\s<>|"]+)>)?$/;

/** The inverse of encodeReferences; a malformed entry is returned as an error message. */
export function decodeReferences(text: string): { references: CatalogueReference[]; errors: string[] } {
  const references: CatalogueReference[] = [];
  const errors: string[] = [];
  for (const part of text.split('|').map((p) => p.trim()).filter(Boolean)) {
    const match = REFERENCE.exec(part);
    if (!match) errors.push(`"${part}" is not FRAMEWORK:CODE, optionally followed by "title" and <url>`);
    else references.push({ framework: match[1].trim(), code: match[2], title: match[3]?.trim() || null, url: match[4] ?? null });
  }
  return { references, errors };
}

function sortReferences<T extends CatalogueReference>(references: readonly T[]): T[] {
  return [...references].sort((a, b) => a.framework.localeCompare(b.framework) || a.code.localeCompare(b.code, undefined, { numeric: true }));
}

/** How a field reads in files and summaries: booleans and numbers as written, null as empty. */
export function formatField(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/**
 * Validates a whole catalogue against the database and, when nothing is wrong and not `dryRun`,
 * writes it in one transaction: new codes are added, changed fields updated, and the references
 * of each listed indicator replaced by the listed ones. Indicators the entries do not list stay.
 * A change of a data-bound field (value type, factor, …) of an indicator with observations or
 * plan targets is a problem, not a write.
 */
export function applyCatalogue(dataSource: DataSource, entries: CatalogueEntry[], options: { dryRun?: boolean } = {}): Promise<CatalogueResult> {
  return withWriteTransaction(dataSource, async (manager) => {
    const problems = entries.flatMap(validateEntry);
    const firstLine = new Map<string, number>();
    for (const entry of entries) {
      const earlier = firstLine.get(entry.indicator.code);
      if (earlier !== undefined) problems.push({ line: entry.line, field: 'code', message: `${entry.indicator.code} is already on line ${earlier}` });
      else firstLine.set(entry.indicator.code, entry.line);
    }
    problems.push(...dimensionProblems(entries, await readDimensions(manager)).filter((p) => !problems.some((q) => q.line === p.line && q.field === p.field)));
    const existing = new Map((await manager.getRepository(Indicator).find()).map((i) => [i.code, i]));
    const storedReferences = await referencesOf(manager, [...existing.values()].map((i) => i.id));
    const changes = entries.map((entry) => diff(entry, existing.get(entry.indicator.code), storedReferences));
    // A value that is itself invalid is reported once, as invalid, not also as a forbidden change.
    const invalid = new Set(problems.map((p) => `${p.line}|${p.field}`));
    problems.push(...(await dataBoundProblems(manager, entries, changes, existing)).filter((p) => !invalid.has(`${p.line}|${p.field}`)));
    const real = changes.filter((c) => c.added || c.fields.length > 0);
    const result = { applied: false, added: real.filter((c) => c.added).length, changed: real.filter((c) => !c.added).length, changes: real, problems: problems.sort((a, b) => a.line - b.line) };
    if (problems.length || options.dryRun) return result;
    for (const [index, entry] of entries.entries()) await write(manager, entry, existing.get(entry.indicator.code), changes[index]);
    return { ...result, applied: true };
  });
}

/** Dimensions that have no code list, and combinations whose keys would not fit the stored key. */
function dimensionProblems(entries: CatalogueEntry[], known: Map<string, Dimension>): CatalogueProblem[] {
  return entries.flatMap((entry) => {
    const codes = entry.indicator.dimensionCodes ? String(entry.indicator.dimensionCodes).split(';') : [];
    const unknown = codes.filter((c) => !known.has(c));
    if (unknown.length) return [{ line: entry.line, field: 'dimensionCodes', message: `no code list for ${unknown.join(', ')} (known: ${[...known.keys()].join(', ')})` }];
    const longest = encodeDimensions(codes.map((c) => [c, known.get(c)!.values.reduce((a, v) => (v.code.length > a.length ? v.code : a), '')]));
    if (longest.length > MAX_KEY_LENGTH) return [{ line: entry.line, field: 'dimensionCodes', message: `the combination ${longest} is longer than ${MAX_KEY_LENGTH} characters; use fewer dimensions` }];
    return [];
  });
}

/** The catalogue as stored, by code, each indicator with its references (two queries). */
export async function storedCatalogue(manager: EntityManager): Promise<{ indicator: Indicator; references: IndicatorReference[] }[]> {
  const indicators = await manager.getRepository(Indicator).find({ order: { code: 'ASC' } });
  const references = await referencesOf(manager, indicators.map((i) => i.id));
  return indicators.map((indicator) => ({ indicator, references: references.get(indicator.id) ?? [] }));
}

async function referencesOf(manager: EntityManager, indicatorIds: number[]): Promise<Map<number, IndicatorReference[]>> {
  const byIndicator = new Map<number, IndicatorReference[]>(indicatorIds.map((id) => [id, []]));
  if (indicatorIds.length === 0) return byIndicator;
  for (const r of await manager.getRepository(IndicatorReference).find({ where: { indicatorId: In(indicatorIds) } })) byIndicator.get(r.indicatorId)?.push(r);
  return byIndicator;
}

function diff(entry: CatalogueEntry, current: Indicator | undefined, storedReferences: Map<number, IndicatorReference[]>): CatalogueChange {
  const code = entry.indicator.code;
  if (!current) return { code, added: true, fields: [] };
  const fields = INDICATOR_FIELDS.filter((f) => current[f] !== entry.indicator[f]).map((f) => ({ field: f as string, from: formatField(current[f]), to: formatField(entry.indicator[f]) }));
  const from = encodeReferences(storedReferences.get(current.id) ?? []);
  const to = encodeReferences(entry.references);
  if (from !== to) fields.push({ field: 'references', from, to });
  return { code, added: false, fields };
}

async function dataBoundProblems(manager: EntityManager, entries: CatalogueEntry[], changes: CatalogueChange[], existing: Map<string, Indicator>): Promise<CatalogueProblem[]> {
  const bound = changes.map((c, index) => ({ entry: entries[index], fields: c.fields.filter((f) => f.field in DATA_BOUND_FIELDS) })).filter((b) => b.fields.length > 0);
  if (bound.length === 0) return [];
  const codes = bound.map((b) => b.entry.indicator.code);
  const observations = await countBy(manager, Observation, 'indicatorId', codes.map((code) => existing.get(code)!.id));
  // Targets name their indicator by code; one whose measure no longer fits would fail or mislead in targetProgress.
  const targets = await countBy(manager, Target, 'indicatorCode', codes);
  return bound.flatMap(({ entry, fields }) => {
    const code = entry.indicator.code;
    const rows = observations.get(String(existing.get(code)!.id)) ?? 0;
    const plans = targets.get(code) ?? 0;
    return fields.flatMap((f) => {
      const bound = DATA_BOUND_FIELDS[f.field as keyof CatalogueIndicator]!;
      const has = [rows ? count(rows, 'observation') : '', bound.targets && plans ? count(plans, 'plan target') : ''].filter(Boolean);
      if (has.length === 0) return [];
      return [{ line: entry.line, field: f.field, message: `cannot change ${f.from || '(none)'} to ${f.to || '(none)'}: ${code} has ${has.join(' and ')}, and ${bound.reason}; create a new indicator instead` }];
    });
  });
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Rows of `entity` per value of `column` among `values`, in one grouped query. */
async function countBy(manager: EntityManager, entity: typeof Observation | typeof Target, column: 'indicatorId' | 'indicatorCode', values: (number | string)[]): Promise<Map<string, number>> {
  const rows = await manager
    .createQueryBuilder(entity, 'x')
    .select(`x.${column}`, 'value')
    .addSelect('COUNT(*)', 'n')
    .where(`x.${column} IN (:...values)`, { values })
    .groupBy(`x.${column}`)
    .getRawMany<{ value: number | string; n: number | string }>();
  return new Map(rows.map((r) => [String(r.value), Number(r.n)]));
}

async function write(manager: EntityManager, entry: CatalogueEntry, current: Indicator | undefined, change: CatalogueChange): Promise<void> {
  let id = current?.id;
  if (!current) id = Number((await manager.getRepository(Indicator).insert({ ...entry.indicator })).identifiers[0].id);
  else if (change.fields.some((f) => f.field !== 'references')) await manager.getRepository(Indicator).update({ id: current.id }, { ...entry.indicator });
  if (current && !change.fields.some((f) => f.field === 'references')) return;
  const references = manager.getRepository(IndicatorReference);
  await references.delete({ indicatorId: id });
  if (entry.references.length) await references.insert(entry.references.map((r) => ({ ...r, indicatorId: id })));
}

/** One line per problem, the way every importer reports: "line 12: factor: …". */
export function formatProblems(problems: readonly CatalogueProblem[]): string[] {
  return problems.map((p) => `line ${p.line}: ${p.field}: ${p.message}`);
}

/** What an import did (or would do), one line per indicator and changed field, then the totals. */
export function formatChanges(result: CatalogueResult, names: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const change of result.changes) {
    if (change.added) {
      lines.push(`added ${change.code} (${names.get(change.code) ?? ''})`);
      continue;
    }
    lines.push(`changed ${change.code}:`);
    for (const f of change.fields) lines.push(`  ${f.field}: ${JSON.stringify(f.from)} → ${JSON.stringify(f.to)}`);
  }
  lines.push(`${result.added} added, ${result.changed} changed`);
  return lines;
}

export function readCatalogue(file = CATALOGUE_FILE): SeedIndicator[] {
  return JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as SeedIndicator[];
}

/** The shipped catalogue file as entries; `line` is the position in its array (1-based). */
export function catalogueEntries(catalogue: SeedIndicator[]): CatalogueEntry[] {
  return catalogue.map(({ references, ...seed }, index) => ({
    line: index + 1,
    indicator: { ...(seed as unknown as CatalogueIndicator), plausibleMin: seed.plausibleMin ?? null, plausibleMax: seed.plausibleMax ?? null, dimensionCodes: seed.dimensionCodes ?? '' },
    references: (references ?? []).map((r) => ({ framework: r.framework, code: r.code, title: r.title ?? null, url: r.url ?? null })),
  }));
}

/** Loads the shipped catalogue with the same rules as `npm run catalogue -- import` (idempotent by code). */
export async function loadIndicatorCatalogue(dataSource: DataSource, file = CATALOGUE_FILE): Promise<{ inserted: number; updated: number }> {
  const result = await applyCatalogue(dataSource, catalogueEntries(readCatalogue(file)));
  if (result.problems.length) throw new Error(`The indicator catalogue ${file} was not loaded (line = position in the file's array):\n${formatProblems(result.problems).join('\n')}`);
  return { inserted: result.added, updated: result.changed };
}
