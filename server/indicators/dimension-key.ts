/**
 * An observation's (or an aggregate's) coded dimension values as one canonical text key, stored in
 * `observation.disaggregation` and `statistics_rollup.dimensions`: `DIMENSION=CODE` pairs sorted by
 * dimension and joined by `;` ("AGE=Y15T24;URBANISATION=U"). A dimension at its total (`_T`) is
 * left out, so '' is the total over every dimension. Pure functions, shared by writes, rollups,
 * statistics and exports.
 */
export const TOTAL_CODE = '_T';
export const MAX_KEY_LENGTH = 64;

export type DimensionPairs = ReadonlyMap<string, string>;

export function encodeDimensions(pairs: Iterable<readonly [string, string]>): string {
  return [...pairs]
    .filter(([, value]) => value !== TOTAL_CODE)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([dimension, value]) => `${dimension}=${value}`)
    .join(';');
}

const decoded = new Map<string, DimensionPairs>();

/** The pairs of a key (memoised: a bulk load decodes the same few keys millions of times). */
export function decodeDimensions(key: string): DimensionPairs {
  let pairs = decoded.get(key);
  if (!pairs) {
    pairs = new Map(key ? key.split(';').map((pair) => pair.split('=') as [string, string]) : []);
    if (decoded.size < 100_000) decoded.set(key, pairs);
  }
  return pairs;
}

/** The value of `dimension` in a key: its code, or `_T`. */
export function valueIn(key: string, dimension: string): string {
  return decodeDimensions(key).get(dimension) ?? TOTAL_CODE;
}

/** Every key an observation with `key` enters: its own and each with some dimensions at `_T` (2^k keys). */
export function coarserKeys(key: string): string[] {
  const pairs = [...decodeDimensions(key)];
  const keys: string[] = [];
  for (let mask = 0; mask < 1 << pairs.length; mask++) keys.push(encodeDimensions(pairs.filter((_, i) => mask & (1 << i))));
  return keys;
}

/** Whether a row with key `row` lies inside the cell `cell` (it has each of the cell's values). */
export function liesIn(row: DimensionPairs, cell: DimensionPairs): boolean {
  for (const [dimension, value] of cell) if (row.get(dimension) !== value) return false;
  return true;
}

/** The cells of a cross-tabulation: every combination of the `by` dimensions' codes, each with the fixed `where` pairs. */
export function crossKeys(by: { dimension: string; codes: string[] }[], where: [string, string][]): string[] {
  let combos: [string, string][][] = [where];
  for (const { dimension, codes } of by) combos = combos.flatMap((combo) => codes.map((code) => [...combo, [dimension, code] as [string, string]]));
  return combos.map(encodeDimensions);
}
