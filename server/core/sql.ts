import { DataSource } from 'typeorm';

export function isMysql(dataSource: DataSource): boolean {
  return dataSource.options.type === 'mysql';
}

let parameterCounter = 0;

/** A parameter name that cannot collide with another condition's in the same query. */
export function uniqueParam(stem: string): string {
  parameterCounter = (parameterCounter + 1) % 1_000_000_000;
  return `${stem}_${parameterCounter}`;
}

/**
 * `column` starts with `prefix`, written so each database uses its index on the column:
 * MySQL ranges a LIKE with a constant prefix, SQLite does the same for GLOB (LIKE there is
 * case-insensitive and skips the index). Paths hold only digits and slashes, so no escaping.
 */
export function pathPrefixSql(dataSource: DataSource, column: string, prefix: string): { sql: string; params: Record<string, string> } {
  const param = uniqueParam('path');
  return isMysql(dataSource)
    ? { sql: `${column} LIKE :${param}`, params: { [param]: `${prefix}%` } }
    : { sql: `${column} GLOB :${param}`, params: { [param]: `${prefix}*` } };
}

/** Placement or unit valid on a date; dates are YYYY-MM-DD strings, null bounds are open. */
export function validOnSql(alias: string, dateParam: string): string {
  return `(${alias}.valid_from IS NULL OR ${alias}.valid_from <= :${dateParam}) AND (${alias}.valid_to IS NULL OR ${alias}.valid_to >= :${dateParam})`;
}

/**
 * Escapes LIKE wildcards in user text, so `%` and `_` match themselves; use with {@link LIKE_ESCAPE}.
 * The escape is '!', which both databases read alike (a backslash is itself escaped in MySQL's
 * string literals and not in SQLite's).
 */
export function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}

export const LIKE_ESCAPE = "ESCAPE '!'";

/** Splits a list into chunks so an IN (...) or a multi-row INSERT stays within driver limits. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** `a || b || …` in SQLite, CONCAT(a, b, …) in MySQL: parts are SQL expressions. */
export function concatSql(dataSource: DataSource, ...parts: string[]): string {
  return isMysql(dataSource) ? `CONCAT(${parts.join(', ')})` : `(${parts.join(' || ')})`;
}
