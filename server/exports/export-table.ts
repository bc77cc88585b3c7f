import type { ServerResponse } from 'node:http';
import type { RequestContext } from '../request-context';
import { BadUserInputError } from '../core/errors';

/** One cell of an exported line: CSV writes it as text, XLSX keeps numbers as numbers. */
export type Cell = string | number | null;

export type FormatName = 'csv' | 'xlsx' | 'sdmx.csv';

/** What an export writes, whatever the format: a header and pages of lines, read lazily. */
export interface ExportTable {
  /** Parts of the file name (the date is added); empty parts are left out. */
  name: (string | null | undefined)[];
  sheet: string;
  columns: readonly string[];
  /** Each page is written at once, so a page's size is what an export holds in memory. */
  pages: AsyncGenerator<Cell[][]>;
}

/**
 * An export kind (observations, statistics). `parse` checks the query parameters without the
 * database and throws BAD_USER_INPUT naming the bad one; the function it returns resolves every
 * input (unknown codes, units outside the viewer's subtree) before the response starts.
 */
export interface ExportSource {
  parse(params: URLSearchParams): (ctx: RequestContext, format: FormatName) => Promise<ExportTable>;
}

/** Thrown when the client went away mid-download: the export stops quietly. */
export class ExportAborted extends Error {
  constructor() {
    super('The client closed the connection');
  }
}

/** The lines of each page of records, page by page; closing the result closes `pages`. */
export async function* linesOf<R>(pages: AsyncIterable<R[]>, lines: (record: R) => Cell[][]): AsyncGenerator<Cell[][]> {
  for await (const page of pages) yield page.flatMap(lines);
}

/**
 * Lets the event loop turn. better-sqlite3 answers synchronously and a fast local client drains
 * the socket within the same tick, so without this an export on SQLite never yields: timers and
 * every other request of the process would wait for the whole download.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Writes a chunk and, when the socket's buffer is full, waits for it to drain (or the client to leave). */
export async function writeChunk(res: ServerResponse, chunk: string | Buffer): Promise<void> {
  if (res.destroyed) throw new ExportAborted();
  if (res.write(chunk)) return;
  await drained(res);
}

/** Resolves once `res` can take more data; rejects with ExportAborted when the connection closes first. */
export function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.reject(new ExportAborted());
  if (!res.writableNeedDrain) return Promise.resolve();
  return untilDrain(res, res);
}

/** Resolves on `stream`'s next 'drain'; rejects with ExportAborted when `res` closes first. */
export function untilDrain(stream: NodeJS.EventEmitter, res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.reject(new ExportAborted());
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new ExportAborted());
    };
    const cleanup = () => {
      stream.off('drain', onDrain);
      res.off('close', onClose);
    };
    stream.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/** A number with at most `decimals` decimals, trailing zeros dropped, never in exponent form. */
export function formatNumber(value: number | null | undefined, decimals = 6): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  const fixed = value.toFixed(decimals);
  const trimmed = fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
  return trimmed === '-0' ? '0' : trimmed;
}

/**
 * A spreadsheet line (numbers as numbers) as CSV text: at most 10 decimals in the `numerator` and
 * `denominator` columns (components), 6 in the others (whole numbers stay as they are).
 */
export function csvText(columns: readonly string[]): (line: Cell[]) => Cell[] {
  const decimals = columns.map((column) => (column === 'numerator' || column === 'denominator' ? 10 : 6));
  return (line) => line.map((cell, i) => (typeof cell === 'number' ? formatNumber(cell, decimals[i]) : cell));
}

/** Names as NFC, so a file compares and sorts the same whatever form the database holds. */
export function nfc(text: string | null | undefined): string {
  return text ? text.normalize('NFC') : '';
}

/**
 * Refuses a parameter the export does not take, the same way on every export: a misspelt
 * `breakdown`, or an SDMX `startPeriod`, would otherwise be ignored and export something else.
 */
export function refuseUnknownParameters(params: URLSearchParams, known: readonly string[], exportName: string): void {
  const unknown = [...params.keys()].find((key) => !known.includes(key));
  if (unknown !== undefined) throw new BadUserInputError(`Unknown parameter "${unknown}"; the ${exportName} export takes ${known.join(', ')}`, unknown);
}

/** A parameter's trimmed value; null when absent or blank. */
export function textParam(params: URLSearchParams, name: string): string | null {
  const values = params.getAll(name);
  if (values.length > 1) throw new BadUserInputError(`Give ${name} once`, name);
  const value = values[0]?.trim();
  return value ? value : null;
}

/** A comma-separated list (the parameter may also repeat), trimmed, without blanks. */
export function listParam(params: URLSearchParams, name: string): string[] {
  return params
    .getAll(name)
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean);
}

/** `where=URBANISATION:R,AGE:Y15T24`: fixed dimension values, as the queries' `where` argument. */
export function whereParam(params: URLSearchParams): { dimension: string; value: string }[] {
  return listParam(params, 'where').map((pair) => {
    const match = /^([^:=]+)[:=]([^:=]+)$/.exec(pair);
    if (!match) throw new BadUserInputError(`where takes DIMENSION:CODE pairs, comma-separated (e.g. URBANISATION:R); got "${pair}"`, 'where');
    return { dimension: match[1].trim(), value: match[2].trim() };
  });
}
