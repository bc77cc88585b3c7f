import { getOperationAST, parse } from 'graphql';
import type { ResponseCacheLimits } from './config';
import { sameVersions, Versions } from './reference-cache';

/** One answer as it went out, and the versions (read before it was computed) it is exact for. */
export interface CachedResponse {
  status: number;
  headers: [string, string][];
  body: string;
  versions: Versions;
  storedAt: number;
  /** What the entry is counted as against the bound: key and body as UTF-16, plus a fixed overhead. */
  bytes: number;
}

/** The verified token claims that decide what a viewer may see (auth/jwt.ts TokenClaims; not iat or exp). */
interface AccessClaims {
  sub: string;
  unit: string;
  role: string;
}

/** Per entry beyond its strings: the Map slot, the object, the headers. */
const ENTRY_OVERHEAD_BYTES = 256;
/** Query texts whose operation kind is remembered; past this, the memo starts again. */
const MAX_ANALYSED = 1000;

/**
 * Whole answers of GraphQL queries, kept in memory and served again only while every version they
 * were computed under (catalogue, hierarchy, data) is unchanged: a hit is exactly the answer the
 * resolvers would give now. The key holds everything the answer depends on: the access claims
 * (sub, unit, role), today's date, the Accept header and the request body as sent (query,
 * operationName, variables, extensions). Least recently used entries leave first once the bytes
 * reach the bound.
 */
export class ResponseCache {
  private readonly entries = new Map<string, CachedResponse>();
  private bytes = 0;
  private readonly queries = new Map<string, boolean>();

  constructor(private readonly limits: ResponseCacheLimits) {}

  /** Bytes held now (tests check the bound). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  keyOf(claims: AccessClaims, today: string, accept: string | undefined, rawBody: string): string {
    return JSON.stringify([claims.sub, claims.unit, claims.role, today, accept ?? '']) + rawBody;
  }

  /** Whether an entry exists, whatever its versions: only then is it worth reading them before execution. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The entry, when it was computed under `versions` and is not older than the maximum age. */
  get(key: string, versions: Versions, now = Date.now()): CachedResponse | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (!sameVersions(entry.versions, versions) || now - entry.storedAt > this.limits.maxAgeMs) {
      this.remove(key, entry);
      return null;
    }
    // Most recently used goes last: eviction takes from the front.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /**
   * Keeps a 200 answer without `errors` (Apollo writes `errors` first, so such a body starts with
   * `{"data":`) to a query operation. An entry larger than the whole bound is not kept.
   */
  store(key: string, body: unknown, answer: Omit<CachedResponse, 'bytes' | 'storedAt'>): void {
    if (answer.status !== 200 || !answer.body.startsWith('{"data":') || !this.isQuery(body)) return;
    const bytes = 2 * (key.length + answer.body.length) + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.limits.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    this.entries.set(key, { ...answer, storedAt: Date.now(), bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.limits.maxBytes) break;
      this.remove(oldest, entry);
    }
  }

  private remove(key: string, entry: CachedResponse): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  /**
   * True when the document's chosen operation is a query (never a mutation or subscription),
   * decided from the parsed text once per query text and operation name. A persisted-query request
   * carrying only the hash has no text here and is not cached.
   */
  isQuery(parsed: unknown): boolean {
    const body = parsed as { query?: unknown; operationName?: unknown } | null;
    if (typeof body?.query !== 'string') return false;
    const operationName = typeof body.operationName === 'string' ? body.operationName : null;
    const memoKey = `${operationName ?? ''}\n${body.query}`;
    let known = this.queries.get(memoKey);
    if (known === undefined) {
      known = operationKind(body.query, operationName) === 'query';
      if (this.queries.size >= MAX_ANALYSED) this.queries.clear();
      this.queries.set(memoKey, known);
    }
    return known;
  }
}

function operationKind(query: string, operationName: string | null): string | null {
  try {
    return getOperationAST(parse(query), operationName)?.operation ?? null;
  } catch {
    return null;
  }
}

/** Only JSON bodies are cached: the media type exactly, as Apollo's CSRF prevention reads it. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semicolon = contentType.indexOf(';');
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}
