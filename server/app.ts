import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { DataSource } from 'typeorm';
import { authenticate } from './auth/authenticate';
import { AppConfig } from './core/config';
import { attachAccess, pendingContext, RequestContext } from './request-context';
import { AppError, ErrorCode, LimitExceededError, RETRY_AFTER_BUSY } from './core/errors';
import { databaseFault, databaseFaultsPlugin } from './core/database-faults';
import { storageProblem } from './core/storage-health';
import { RequestDeadline, runInRequestScope } from './core/request-scope';
import { currentBounds } from './core/list-bounds';
import { createFormatError } from './core/format-error';
import { clientExtensions, HttpError, readBody, sendGraphQLError, statusOf } from './core/http';
import { logger } from './core/logger';
import { queryLimitsPlugin, RateLimiter, RedisRateLimiter, refuseDeepNesting } from './core/query-limits';
import { connectRedis, RedisKeyValueCache, redisNamespace } from './core/redis';
import { referenceCache, useRedisVersions, Versions } from './core/reference-cache';
import { InputLimits, inputLimitsPlugin } from './core/input-limits';
import { INPUT_LIMIT_OVERRIDES } from './input-limit-overrides';
import { responseBudgetPlugin } from './core/response-budget';
import { asQueryOwner, MemoryQueryStore, SubjectScopedStore } from './core/persisted-queries';
import { CachedResponse, isJsonContentType, ResponseCache } from './core/response-cache';
import { todayIso } from './core/scalars';
import { buildAppSchema } from './schema';
import { auditPlugin } from './audit/audit.plugin';
import { ASSET_PREFIX, renderGraphiqlPage, serveGraphiqlAsset } from './explorer/graphiql.page';
import { handleExport } from './exports/export.routes';
import { handleSdmx, SDMX_PREFIX } from './sdmx/sdmx.routes';
import { sendSdmxError } from './sdmx/sdmx-errors';

export interface App {
  server: http.Server;
  apollo: ApolloServer<RequestContext>;
  /** Resolves once the server listens; gives the port actually bound. */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
  /**
   * Graceful stop: refuses new connections and new requests (503 SHUTTING_DOWN, /readyz 503), lets
   * requests in flight finish for up to `graceMs`, then closes what is left (their transactions
   * roll back when the caller closes the data source).
   */
  shutdown(graceMs: number): Promise<void>;
}

/** Texts of persisted queries kept in memory (without REDIS_URL), all subjects together: about 16 MB. */
const PERSISTED_QUERY_CHARS = 8 * 1024 * 1024;
const MAX_BODY_BYTES = Number(process.env.MAX_BODY_BYTES ?? 2 * 1024 * 1024);
/** What a browser may send: the token, JSON, and the headers that satisfy Apollo's CSRF prevention on GET. */
const CORS_ALLOWED_HEADERS = 'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id';
/** When a load balancer or client should ask /readyz again after a 503. */
const HEALTH_RETRY_SECONDS = 10;
/** A readiness probe answers within this, whatever the database does. */
const READY_TIMEOUT_MS = 1000;
/**
 * After SIGTERM, kept-alive idle connections stay open this long: a client sending its next request
 * on one meanwhile is answered 503 SHUTTING_DOWN instead of finding the socket reset under it.
 */
const IDLE_LINGER_MS = 1000;
/** While a commit is under way at the deadline, look again this much later instead of answering 503. */
const COMMIT_RECHECK_MS = 25;

export interface AppOptions {
  /** A token GraphiQL fills in (the embedded demo only). */
  explorerToken?: string | null;
}

/** How a route says "503, the database is busy" in its own format (GraphQL JSON, SDMX-ML). */
type BusyAnswer = (message: string) => void;

function wantsHtml(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

export async function createApp(dataSource: DataSource, config: AppConfig, options: AppOptions = {}): Promise<App> {
  const schema = await buildAppSchema();
  const limits = config.limits;
  // With REDIS_URL, instances share rate limits, persisted queries and cache versions; else each keeps its own.
  const redis = config.redisUrl ? connectRedis(config.redisUrl) : null;
  const namespace = redisNamespace(dataSource);
  if (redis) useRedisVersions(dataSource, redis);
  // The cost bounds are kept with the reference data: read under the versions in force now, so the first requests need not read them again.
  const bounds = () => currentBounds(dataSource);
  await referenceCache(dataSource).refresh();
  await bounds();
  const rateLimiter = redis ? new RedisRateLimiter(redis, namespace, limits.requestsPerMinute) : new RateLimiter(limits.requestsPerMinute);
  const apollo = new ApolloServer<RequestContext>({
    schema,
    // Each token subject finds only the persisted queries it registered itself (persisted-queries.ts).
    persistedQueries: { cache: new SubjectScopedStore(redis ? new RedisKeyValueCache(redis, `${namespace}apollo:`) : new MemoryQueryStore(PERSISTED_QUERY_CHARS)) },
    plugins: [
      // The viewer's scope loads only once the limits accept: a refused query never reaches the database.
      queryLimitsPlugin<RequestContext>(schema, limits, bounds, attachAccess),
      inputLimitsPlugin(new InputLimits(schema, INPUT_LIMIT_OVERRIDES)),
      responseBudgetPlugin(limits.maxResponseBytes),
      auditPlugin(),
      databaseFaultsPlugin(),
    ],
    csrfPrevention: true,
    // Apollo's own SIGTERM handler (on unless NODE_ENV=test) stops it under requests in flight and
    // re-sends the signal, which main.ts's drain would take for a second one: main.ts alone drains.
    stopOnTerminationSignals: false,
    introspection: true, // only authenticated requests reach Apollo
    includeStacktraceInErrorResponses: config.exposeErrorDetails,
    formatError: createFormatError(config.exposeErrorDetails),
  });
  await apollo.start();
  // Half the deadline: a body still arriving then is the client's slowness, answered 408, not the database's 503.
  const bodyTimeoutMs = Math.max(1, Math.floor(config.requestTimeoutMs / 2));
  const responseCache = config.responseCache.maxBytes > 0 ? new ResponseCache(config.responseCache) : null;

  function sendCached(res: ServerResponse, entry: CachedResponse): void {
    for (const [key, value] of entry.headers) res.setHeader(key, value);
    res.setHeader('x-cache', 'hit');
    res.statusCode = entry.status;
    res.end(entry.body);
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const today = todayIso();
    const claims = authenticate(config, req);
    await rateLimiter.take(claims.sub);
    const rawBody = req.method === 'POST' ? await readBody(req, MAX_BODY_BYTES, bodyTimeoutMs) : '';
    // Authentication and the rate limit above apply to every request, answered from the cache or not.
    const cacheKey = responseCache && req.method === 'POST' && isJsonContentType(req.headers['content-type']) ? responseCache.keyOf(claims, today, req.headers.accept, rawBody) : null;
    let versions: Versions | undefined;
    if (cacheKey && responseCache?.has(cacheKey)) {
      versions = await referenceCache(dataSource).refresh();
      // The deadline may have answered already (503) while the versions were read.
      if (res.headersSent) return;
      const hit = responseCache.get(cacheKey, versions);
      if (hit) return sendCached(res, hit);
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = rawBody;
    if (req.method === 'POST' && (headers.get('content-type') ?? '').includes('application/json')) {
      try {
        body = rawBody ? JSON.parse(rawBody) : {};
      } catch {
        throw new HttpError(400, 'The request body is not valid JSON', 'BAD_REQUEST');
      }
    }
    refuseDeepNesting(req.method === 'POST' ? (body as { query?: unknown } | null)?.query : url.searchParams.get('query'), limits);
    // The versions a miss read (or the context reads now) are those the answer is computed under.
    const context = pendingContext(dataSource, claims, requestId, today, versions);
    const response = await asQueryOwner(claims.sub, () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => context,
      }),
    );
    // The deadline may have answered already (503): the late result has nowhere to go.
    if (res.headersSent) return;
    for (const [key, value] of response.headers) res.setHeader(key, value);
    // Only an answer the cache could keep says it was not taken from there (a mutation never).
    if (cacheKey && responseCache?.isQuery(body)) res.setHeader('x-cache', 'miss');
    if (response.body.kind === 'complete') {
      const bytes = Buffer.byteLength(response.body.string);
      if (bytes > limits.maxResponseBytes) throw new LimitExceededError('responseBytes', bytes, limits.maxResponseBytes, `Answer refused: it would be ${bytes} bytes, the maximum is ${limits.maxResponseBytes}; ask for less`);
      res.statusCode = response.status ?? 200;
      res.end(response.body.string);
      // Only a request that ran (its context read the versions) can be kept.
      if (cacheKey && context.versions.read) responseCache?.store(cacheKey, body, { status: res.statusCode, headers: [...response.headers], body: response.body.string, versions: context.versions.read });
      return;
    }
    res.statusCode = response.status ?? 200;
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  let draining = false;
  /** Draining, and idle connections are closed as they appear (IDLE_LINGER_MS has passed). */
  let closingIdle = false;
  const inFlight = new Set<ServerResponse>();

  function sendProbe(res: ServerResponse, status: number, body: string): void {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    if (status === 503) headers['retry-after'] = String(HEALTH_RETRY_SECONDS);
    res.writeHead(status, headers).end(JSON.stringify({ status: body }));
  }

  /** What a request needs and does not have now: the database, or Redis when instances share it (REDIS_URL). */
  async function missingDependency(): Promise<string | null> {
    const checks = [dataSource.query('SELECT 1').then(() => null, () => 'database unavailable')];
    // ioredis queues commands while it reconnects: not ready is answer enough.
    if (redis) checks.push(redis.status === 'ready' ? redis.ping().then(() => null, () => 'redis unavailable') : Promise.resolve('redis unavailable'));
    return (await Promise.all(checks)).find((missing) => missing !== null) ?? null;
  }

  /** Readiness: the database (and Redis, with REDIS_URL) answer within READY_TIMEOUT_MS, the database takes writes (not full, not read-only), and the server is not shutting down. */
  async function handleReady(res: ServerResponse): Promise<void> {
    if (draining) return sendProbe(res, 503, 'shutting down');
    const storage = storageProblem(dataSource);
    if (storage) return sendProbe(res, 503, storage);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(redis ? 'database or redis unavailable' : 'database unavailable'), READY_TIMEOUT_MS)));
    try {
      const missing = await Promise.race([missingDependency(), timeout]);
      if (missing) sendProbe(res, 503, missing);
      else sendProbe(res, 200, 'ok');
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Answers 503 DATABASE_BUSY when the request's deadline passes before its answer has started
   * (a streaming export that has started is bounded by its statements instead). A commit under
   * way is waited for, so a write that committed is never reported as failed.
   */
  function watchDeadline(deadline: RequestDeadline, res: ServerResponse, answerBusy: BusyAnswer): () => void {
    let timer: NodeJS.Timeout;
    const check = () => {
      if (res.headersSent) return;
      if (!deadline.expire()) {
        timer = setTimeout(check, COMMIT_RECHECK_MS);
        return;
      }
      answerBusy(`No answer within the request deadline of ${deadline.timeoutMs} ms (the database is busy); nothing was written. Retry shortly`);
    };
    timer = setTimeout(check, deadline.remainingMs);
    return () => clearTimeout(timer);
  }

  function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (origin && config.corsOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-allow-headers', CORS_ALLOWED_HEADERS);
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      // A browser caches the preflight for 10 minutes instead of asking before every request, and
      // lets scripts read the export's file name, the request id to report, when to retry, and
      // whether the response cache answered.
      res.setHeader('access-control-max-age', '600');
      res.setHeader('access-control-expose-headers', 'content-disposition, x-request-id, retry-after, x-cache');
    }
    if (req.method !== 'OPTIONS') return false;
    res.writeHead(204).end();
    return true;
  }

  const answerBusyInGraphQL = (res: ServerResponse): BusyAnswer => (message) => sendGraphQLError(res, 503, message, ErrorCode.DATABASE_BUSY, { retryAfter: RETRY_AFTER_BUSY });

  async function withDeadline(res: ServerResponse, requestId: string, work: () => Promise<void>, answerBusy = answerBusyInGraphQL(res)): Promise<void> {
    const deadline = new RequestDeadline(config.requestTimeoutMs);
    const stop = watchDeadline(deadline, res, answerBusy);
    try {
      await runInRequestScope({ deadline, requestId, answerStarted: () => res.headersSent && !deadline.abandoned }, work);
    } finally {
      stop();
    }
  }

  // Node checks its own request timeout (below) every second instead of every 30 s.
  const server = http.createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('x-request-id', requestId);
    // A client that takes nothing for this long (it stopped reading a streamed answer, or never
    // reads a large one) loses its connection; a stream waiting for it stops (ExportAborted) and
    // releases its database work.
    res.setTimeout(config.streamIdleTimeoutMs, () => res.destroy());
    const route = async (): Promise<void> => {
      if (applyCors(req, res)) return;
      // Liveness: the process answers. Readiness (may it get traffic?) asks the database.
      if (url.pathname === '/healthz') return sendProbe(res, 200, 'ok');
      if (url.pathname === '/readyz') return handleReady(res);
      if (draining) {
        res.shouldKeepAlive = false;
        throw new AppError('This server is shutting down; send the request again (another instance answers)', ErrorCode.SHUTTING_DOWN, { retryAfter: RETRY_AFTER_BUSY }, 503);
      }
      if (url.pathname === '/graphql' && wantsHtml(req)) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(renderGraphiqlPage(options.explorerToken ?? null));
        return;
      }
      if (url.pathname === '/graphql') return withDeadline(res, requestId, () => handleGraphQL(req, res, url, requestId));
      if (url.pathname.startsWith('/export/')) return withDeadline(res, requestId, () => handleExport(req, res, url, { dataSource, config, requestId, rateLimiter }));
      // As for exports, the deadline runs until the first byte: a national query then streams for minutes, each read bounded by the statement timeout.
      if (url.pathname.startsWith(SDMX_PREFIX)) return withDeadline(res, requestId, () => handleSdmx(req, res, url, { dataSource, config, requestId, rateLimiter }), (message) => sendSdmxError(res, 503, message, RETRY_AFTER_BUSY));
      if (url.pathname.startsWith(ASSET_PREFIX) && serveGraphiqlAsset(url.pathname.slice(ASSET_PREFIX.length), res)) return;
      throw new HttpError(404, `No route ${url.pathname}`, ErrorCode.NOT_FOUND);
    };
    inFlight.add(res);
    route()
      .catch((raised: unknown) => {
        const error = databaseFault(raised) ?? raised;
        if (error !== raised) logger.warn('database fault', { requestId, error: raised instanceof Error ? raised.message : String(raised) });
        const status = statusOf(error);
        // The rest of a body refused unread is not worth the socket.
        if (status === 408) res.shouldKeepAlive = false;
        // Our own 503s (SHUTTING_DOWN) are answers, not failures to log with a stack.
        if (status >= 500 && error === raised && !(error instanceof AppError)) logger.error('request failed', { requestId, error: error instanceof Error ? error.stack : String(error) });
        const code = error instanceof AppError || error instanceof HttpError ? error.code : ErrorCode.INTERNAL_SERVER_ERROR;
        // Our own coded errors (the 503s) say what happened; anything else at 5xx stays opaque.
        const opaque = status >= 500 && !(error instanceof AppError) && !config.exposeErrorDetails;
        const message = opaque ? 'Internal server error' : error instanceof Error ? error.message : String(error);
        sendGraphQLError(res, status, message, code, error instanceof AppError ? clientExtensions(error) : {});
      })
      .finally(() => {
        inFlight.delete(res);
        if (closingIdle) server.closeIdleConnections();
        logger.info('request', { requestId, method: req.method, path: url.pathname, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 });
      });
  });

  // Longer than load balancers' idle timeouts (often 60 s), so the server never closes a kept-alive
  // socket a client is about to reuse (the client would see ECONNRESET).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // The whole request, headers and body, within the deadline (Node answers 408 and closes), for
  // routes that never read a body; /graphql refuses a slow body itself, earlier (readBody).
  server.requestTimeout = config.requestTimeoutMs;

  return {
    server,
    apollo,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
      redis?.disconnect();
    },
    shutdown: async (graceMs) => {
      draining = true;
      // Answers still to start go out with "connection: close".
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      // net.Server's close stops accepting and keeps the open connections; http.Server's would also
      // close the idle kept-alive ones at once, racing the clients about to send on them.
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
      const linger = setTimeout(() => {
        closingIdle = true;
        server.closeIdleConnections();
      }, Math.min(IDLE_LINGER_MS, graceMs));
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(linger);
      clearTimeout(force);
      await apollo.stop();
    },
  };
}
