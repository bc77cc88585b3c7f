import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from '../auth/authenticate';
import type { TokenClaims } from '../auth/jwt';
import { databaseFault } from '../core/database-faults';
import { AppError } from '../core/errors';
import { clientExtensions } from '../core/http';
import { logger } from '../core/logger';
import { todayIso } from '../core/scalars';
import { ExportAborted, nextTurn, writeChunk } from '../exports/export-table';
import type { ExportDeps } from '../exports/export.routes';
import { createRequestContext, RequestContext } from '../request-context';
import type { SdmxBudget } from '../core/config';
import { answerData, SdmxSeries } from './sdmx-data';
import { noResults, notImplemented, SdmxError, sdmxStatusOf, sendSdmxError, syntaxError } from './sdmx-errors';
import { AGENCY, CONCEPT_SCHEME_ID, CORE_DIMENSIONS, DATAFLOW_ID, DSD_ID, keyDimensions, VERSION } from './sdmx-model';
import { checkFlowRef, parseDataParams, parseKey, parseStructureParams, References } from './sdmx-query';
import { readStructureCatalogue, STRUCTURE_TYPES, StructureSelection, StructureType, structureMessage } from './sdmx-structures';
import { DATA_MEDIA_TYPES, DataFormat, dataWriter } from './sdmx-writers';

export const SDMX_PREFIX = '/sdmx/rest/';

/** Observations in one string written: what a write holds in memory, whatever the format. */
const OBSERVATIONS_PER_WRITE = 500;
/** An answer is held back until this much is ready, so one past the size budget at once is refused, not cut. */
const FIRST_WRITE_BYTES = 64 * 1024;
/** What a cut SDMX-ML answer ends with (README, "SDMX budget"). */
export const CUT_MARKER = 'bdg-hub: answer cut';
/** How long a cut answer waits for its marker to leave before the connection closes. */
const CUT_FLUSH_MS = 1000;

const STRUCTURE_CONTENT_TYPE = 'application/vnd.sdmx.structure+xml; version=2.1; charset=utf-8';

interface MediaRange {
  type: string;
  version: string | null;
  q: number;
}

function mediaRanges(accept: string | undefined): MediaRange[] {
  if (!accept?.trim()) return [{ type: '*/*', version: null, q: 1 }];
  return accept
    .split(',')
    .map((range) => {
      const [type, ...params] = range.split(';').map((p) => p.trim());
      const param = (name: string) => params.find((p) => p.toLowerCase().startsWith(`${name}=`))?.slice(name.length + 1).replace(/"/g, '') ?? null;
      return { type: type.toLowerCase(), version: param('version'), q: Number(param('q') ?? 1) };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q);
}

const ANY_XML = ['*/*', 'application/*', 'application/xml', 'text/xml'];

/** The data format a client accepts: SDMX-ML generic data unless it asks for another (the SDMX 2.1 default). */
function dataFormatOf(req: IncomingMessage): DataFormat {
  for (const range of mediaRanges(req.headers.accept)) {
    if (ANY_XML.includes(range.type)) return 'generic';
    if (range.type === 'application/vnd.sdmx.data+csv' && range.version?.startsWith('2')) return 'csv2';
    const found = DATA_MEDIA_TYPES.find((m) => m.types.includes(range.type));
    if (found) return found.format;
  }
  throw new SdmxError(406, `None of the media types asked for can be given; data come as ${DATA_MEDIA_TYPES.map((m) => m.contentType.split(';')[0]).filter((t, i, all) => all.indexOf(t) === i).join(', ')}`);
}

function checkStructureAccept(req: IncomingMessage): void {
  if (mediaRanges(req.headers.accept).some((r) => ANY_XML.includes(r.type) || r.type === 'application/vnd.sdmx.structure+xml')) return;
  throw new SdmxError(406, 'Structures come as application/vnd.sdmx.structure+xml;version=2.1');
}

/** The token first (no token, 401, whatever else is wrong), then the rate limit; the viewer's scope loads once the query parses. */
async function claimsOf(req: IncomingMessage, deps: ExportDeps): Promise<TokenClaims> {
  const claims = authenticate(deps.config, req);
  await deps.rateLimiter?.take(claims.sub);
  return claims;
}

function contextOf(claims: TokenClaims, deps: ExportDeps): Promise<RequestContext> {
  return createRequestContext(deps.dataSource, claims, deps.requestId, todayIso());
}

/** Writes pieces as they come, letting the event loop turn between them and waiting for a slow client. */
async function stream(res: ServerResponse, pieces: AsyncIterable<string>): Promise<void> {
  for await (const piece of pieces) {
    if (piece) await writeChunk(res, piece);
    await nextTurn();
  }
}

const matchesId = (asked: string | undefined, id: string) => asked === undefined || asked === 'all' || asked === id || asked.split('+').includes(id);

/** The hub's structure graph: the dataflow uses the DSD, which uses the code lists and the concept scheme. */
const CHILDREN: Record<StructureType, StructureType[]> = { dataflow: ['datastructure'], datastructure: ['codelist', 'conceptscheme'], codelist: [], conceptscheme: [] };
const PARENTS: Record<StructureType, StructureType[]> = { dataflow: [], datastructure: ['dataflow'], codelist: ['datastructure'], conceptscheme: ['datastructure'] };

function descendantsOf(type: StructureType): StructureType[] {
  return CHILDREN[type].flatMap((child) => [child, ...descendantsOf(child)]);
}

/** The kinds of artefact `references` adds to those asked for (a code list's siblings are the other code lists and the concept scheme). */
function referencedTypes(type: StructureType, references: References): Set<StructureType> {
  const parentsAndSiblings = [...PARENTS[type], ...PARENTS[type].flatMap((p) => CHILDREN[p])];
  const all = new Set([...parentsAndSiblings, ...descendantsOf(type)]);
  if (references === 'none') return new Set();
  if (references === 'children') return new Set(CHILDREN[type]);
  if (references === 'descendants') return new Set(descendantsOf(type));
  if (references === 'parents') return new Set(PARENTS[type]);
  if (references === 'parentsandsiblings') return new Set(parentsAndSiblings);
  if (references === 'all') return all;
  return new Set([...all].filter((t) => t === references));
}

/** The artefacts a structure query names, and those its `references` add. */
function selectStructures(type: StructureType, id: string | undefined, references: References, codelistIds: string[]): { dataflow: boolean; datastructure: boolean; codelists: string[]; conceptscheme: boolean } {
  const picked = { dataflow: false, datastructure: false, codelists: [] as string[], conceptscheme: false };
  const ownId = { dataflow: DATAFLOW_ID, datastructure: DSD_ID, conceptscheme: CONCEPT_SCHEME_ID, codelist: '' }[type];
  if (type === 'codelist') picked.codelists = codelistIds.filter((c) => matchesId(id, c));
  else picked[type] = matchesId(id, ownId);
  if (type === 'codelist' ? !picked.codelists.length : !picked[type]) return picked;
  for (const t of referencedTypes(type, references)) {
    if (t === 'codelist') picked.codelists = codelistIds;
    else picked[t] = true;
  }
  return picked;
}

/** GET /sdmx/rest/{dataflow|datastructure|codelist|conceptscheme}/{agencyID}/{resourceID}/{version} */
async function handleStructure(req: IncomingMessage, res: ServerResponse, deps: ExportDeps, type: StructureType, path: string[]): Promise<void> {
  const [agency, id, version, item, ...rest] = path;
  const claims = await claimsOf(req, deps);
  const references = parseStructureParams(new URL(req.url ?? '/', 'http://localhost').searchParams);
  if (rest.length) throw syntaxError(`Too many path segments: /${type}/{agencyID}/{resourceID}/{version}`);
  if (item !== undefined && item !== 'all') throw notImplemented('Item queries are not supported; ask for the whole code list');
  checkStructureAccept(req);
  const ctx = await contextOf(claims, deps);
  if (!matchesId(agency, AGENCY) || (version !== undefined && !['all', 'latest', '~', '+', VERSION].includes(version))) throw noResults();
  const catalogue = await readStructureCatalogue(ctx);
  const picked = selectStructures(type, id, references, catalogue.codelists.map((c) => c.id));
  const selection: StructureSelection = { ...picked, codelists: catalogue.codelists.filter((c) => picked.codelists.includes(c.id)) };
  if (!selection.dataflow && !selection.datastructure && !selection.codelists.length && !selection.conceptscheme) throw noResults();
  // The request's deadline answered 503 meanwhile.
  if (res.headersSent) return;
  res.writeHead(200, { 'content-type': STRUCTURE_CONTENT_TYPE, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  if (req.method === 'HEAD') return void res.end();
  await stream(res, structureMessage(deps.requestId, catalogue, selection));
  res.end();
}

/** GET /sdmx/rest/data/{flowRef}/{key}/{providerRef} */
async function handleData(req: IncomingMessage, res: ServerResponse, url: URL, deps: ExportDeps, path: string[], started: number): Promise<void> {
  const [flowRef, key = 'all', provider, ...rest] = path;
  const claims = await claimsOf(req, deps);
  if (!flowRef) throw syntaxError('A data query names its dataflow: /sdmx/rest/data/GENDER_STATISTICS/{key}');
  if (rest.length) throw syntaxError('Too many path segments: /data/{flowRef}/{key}/{providerRef}');
  const params = parseDataParams(url.searchParams);
  const format = dataFormatOf(req);
  const ctx = await contextOf(claims, deps);
  checkFlowRef(flowRef);
  if (provider !== undefined && !['all', AGENCY, `${AGENCY},${AGENCY}`].includes(provider)) throw noResults();
  const extra = [...(await ctx.loaders.dimensions.load('all')).keys()];
  const dimensions = keyDimensions(extra);
  const query = { ...params, key: parseKey(key, dimensions, CORE_DIMENSIONS.length) };
  const answer = await answerData(ctx, query, extra);
  const catalogue = format === 'json' ? await readStructureCatalogue(ctx) : null;
  const writer = dataWriter(format, {
    requestId: deps.requestId,
    dimensions,
    conceptNames: new Map(catalogue?.concepts.map((c) => [c.id, c.name]) ?? []),
    status: answer.status,
    detail: params.detail,
    atObservation: params.dimensionAtObservation,
  });
  if (res.headersSent) {
    // The request's deadline answered 503 meanwhile.
    await answer.pages.return(undefined);
    return;
  }
  const head = () => res.writeHead(200, { 'content-type': DATA_MEDIA_TYPES.find((m) => m.format === format)!.contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  if (req.method === 'HEAD') {
    await answer.pages.return(undefined);
    head();
    return void res.end();
  }
  const budget = new StreamBudget(res, deps.config.sdmx, started, format !== 'json' && format !== 'csv' && format !== 'csv2', head);
  try {
    await budget.write(writer.open());
    for await (const page of answer.pages) {
      for (const slice of slices(page)) {
        await budget.write(writer.page(slice));
        await nextTurn();
      }
    }
    await budget.write(writer.close());
    await budget.end();
  } catch (error) {
    await answer.pages.return(undefined).catch(() => undefined);
    if (error instanceof ExportAborted) return;
    throw error;
  } finally {
    budget.stop();
  }
}

/**
 * Slices of a page holding at most OBSERVATIONS_PER_WRITE observations (a series at least), so no
 * string written holds more than that, whatever the format: with dimensionAtObservation=
 * AllDimensions every observation repeats the whole key.
 */
function* slices(page: SdmxSeries[]): Generator<SdmxSeries[]> {
  let start = 0;
  let observations = 0;
  for (let at = 0; at < page.length; at++) {
    observations += Math.max(1, page[at].observations.length);
    if (observations < OBSERVATIONS_PER_WRITE && at + 1 < page.length) continue;
    yield page.slice(start, at + 1);
    start = at + 1;
    observations = 0;
  }
}

/**
 * The budget of one data answer (config.sdmx, README "SDMX budget"): the answer is held back until
 * FIRST_WRITE_BYTES are ready, so one that outgrows the size budget at once is refused with an
 * SDMX-ML error (413) before anything is sent. Once the answer has started, passing the time or
 * the size budget cuts it: SDMX-ML gets the comment CUT_MARKER, then the connection is closed
 * without the end of the chunked body, so no client takes the answer for complete.
 */
class StreamBudget {
  private held: string[] = [];
  private heldBytes = 0;
  private bytes = 0;
  /** Cuts the answer when its time runs out, even while it waits for a slow client to read. */
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly res: ServerResponse,
    private readonly limits: SdmxBudget,
    private readonly started: number,
    private readonly xml: boolean,
    private readonly head: () => void,
  ) {}

  async write(chunk: string): Promise<void> {
    // Answered or cut already: the request's deadline (503) came while the answer was held back, or the time ran out.
    if (this.res.writableEnded || this.res.destroyed) throw new ExportAborted();
    this.bytes += Buffer.byteLength(chunk);
    if (this.bytes > this.limits.maxBytes) {
      const message = `The answer passed ${this.limits.maxBytes} bytes (SDMX_MAX_BYTES); ask for fewer areas, indicators or periods`;
      if (!this.res.headersSent) throw new SdmxError(413, message);
      return this.cut(message);
    }
    if (this.res.headersSent) return writeChunk(this.res, chunk);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes >= FIRST_WRITE_BYTES) await this.flush();
  }

  async end(): Promise<void> {
    if (this.res.writableEnded || this.res.destroyed) throw new ExportAborted();
    await this.flush();
    this.stop();
    this.res.end();
  }

  /** Clears the timer; the handler calls it however the answer ends. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async flush(): Promise<void> {
    if (!this.res.headersSent) this.start();
    const held = this.held.join('');
    this.held = [];
    this.heldBytes = 0;
    if (held) await writeChunk(this.res, held);
  }

  private start(): void {
    this.head();
    const message = `The answer took longer than ${this.limits.maxMs / 1000} s (SDMX_MAX_SECONDS); ask for fewer areas, indicators or periods, or read faster`;
    this.timer = setTimeout(() => void this.cut(message).catch(() => undefined), Math.max(0, this.started + this.limits.maxMs - Date.now()));
  }

  private async cut(reason: string): Promise<never> {
    this.stop();
    if (this.xml && !this.res.destroyed) {
      const marker = `\n<!-- ${CUT_MARKER}: ${reason.replace(/--/g, '-')} -->\n`;
      // The marker goes out if the client reads; one that does not gets the close alone.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CUT_FLUSH_MS);
        this.res.write(marker, () => (clearTimeout(timer), resolve()));
      });
    }
    this.res.destroy();
    throw new ExportAborted();
  }
}

function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw syntaxError(`"${segment}" is not a well-formed URL path segment`);
  }
}

/**
 * The SDMX REST web service (the SDMX 2.1 conventions): structures and data of the dataflow
 * GENDER_STATISTICS, behind the same bearer token, access layer and rate limit as GraphQL. Every
 * refusal is an SDMX-ML error message with the HTTP status that goes with it.
 */
export async function handleSdmx(req: IncomingMessage, res: ServerResponse, url: URL, deps: ExportDeps): Promise<void> {
  const started = Date.now();
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new SdmxError(405, 'The SDMX web service is read with GET');
    const path = url.pathname.slice(SDMX_PREFIX.length).split('/').map(decodedSegment);
    if (path[path.length - 1] === '') path.pop();
    const [resource, ...rest] = path;
    if (resource === 'data') return await handleData(req, res, url, deps, rest, started);
    if (STRUCTURE_TYPES.includes(resource as StructureType)) return await handleStructure(req, res, deps, resource as StructureType, rest);
    throw new SdmxError(404, `No resource "${resource ?? ''}": the service answers data, dataflow, datastructure, codelist and conceptscheme`);
  } catch (raised) {
    // Answered in full already (the deadline's 503): nothing to add, and the socket may serve the next request.
    if (res.writableEnded) return void logger.warn('sdmx request failed after its answer', { requestId: deps.requestId, error: raised instanceof Error ? raised.message : String(raised) });
    // The database or Redis away: 503 with Retry-After, as GraphQL and the exports answer.
    const error = databaseFault(raised) ?? raised;
    if (error !== raised) logger.warn('database fault', { requestId: deps.requestId, error: raised instanceof Error ? raised.message : String(raised) });
    const status = sdmxStatusOf(error);
    const ours = error instanceof SdmxError || error instanceof AppError;
    if (status >= 500 && !ours) logger.error('sdmx request failed', { requestId: deps.requestId, error: error instanceof Error ? error.stack : String(error) });
    const message = status >= 500 && !ours && !deps.config.exposeErrorDetails ? 'Internal server error' : error instanceof Error ? error.message : String(error);
    const retryAfter = error instanceof AppError ? (clientExtensions(error).retryAfter as number | undefined) : undefined;
    sendSdmxError(res, status, message, retryAfter);
  }
}
