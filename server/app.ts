import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { DataSource } from 'typeorm';
import { authenticate } from './auth/authenticate';
import { AppConfig } from './core/config';
import { attachAccess, pendingContext, RequestContext } from './request-context';
import { AppError, ErrorCode, LimitExceededError } from './core/errors';
import { loadHierarchyBounds } from './core/list-bounds';
import { createFormatError } from './core/format-error';
import { clientExtensions, HttpError, readBody, sendGraphQLError, statusOf } from './core/http';
import { logger } from './core/logger';
import { queryLimitsPlugin, RateLimiter, refuseDeepNesting } from './core/query-limits';
import { todayIso } from './core/scalars';
import { buildAppSchema } from './schema';
import { auditPlugin } from './audit/audit.plugin';
import { ASSET_PREFIX, renderGraphiqlPage, serveGraphiqlAsset } from './explorer/graphiql.page';
import { handleExport } from './exports/export.routes';
import { handleSdmx, SDMX_PREFIX } from './sdmx/sdmx.routes';

export interface App {
  server: http.Server;
  apollo: ApolloServer<RequestContext>;
  /** Resolves once the server listens; gives the port actually bound. */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = Number(process.env.MAX_BODY_BYTES ?? 2 * 1024 * 1024);
/** What a browser may send: the token, JSON, and the headers that satisfy Apollo's CSRF prevention on GET. */
const CORS_ALLOWED_HEADERS = 'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id';
/** When a load balancer or client should ask /healthz again after a 503. */
const HEALTH_RETRY_SECONDS = 10;

export interface AppOptions {
  /** A token GraphiQL fills in (the embedded demo only). */
  explorerToken?: string | null;
}

function wantsHtml(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

export async function createApp(dataSource: DataSource, config: AppConfig, options: AppOptions = {}): Promise<App> {
  const schema = await buildAppSchema();
  const limits = config.limits;
  const hierarchy = await loadHierarchyBounds(dataSource);
  const rateLimiter = new RateLimiter(limits.requestsPerMinute);
  const apollo = new ApolloServer<RequestContext>({
    schema,
    plugins: [
      // The viewer's scope loads only once the limits accept: a refused query never reaches the database.
      queryLimitsPlugin<RequestContext>(schema, limits, hierarchy, attachAccess),
      auditPlugin(),
    ],
    csrfPrevention: true,
    introspection: true, // only authenticated requests reach Apollo
    includeStacktraceInErrorResponses: config.exposeErrorDetails,
    formatError: createFormatError(config.exposeErrorDetails),
  });
  await apollo.start();

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const today = todayIso();
    const claims = authenticate(config, req);
    rateLimiter.take(claims.sub);
    const rawBody = req.method === 'POST' ? await readBody(req, MAX_BODY_BYTES) : '';
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
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => pendingContext(dataSource, claims, requestId, today),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    if (response.body.kind === 'complete') {
      const bytes = Buffer.byteLength(response.body.string);
      if (bytes > limits.maxResponseBytes) throw new LimitExceededError('responseBytes', bytes, limits.maxResponseBytes, `Answer refused: it would be ${bytes} bytes, the maximum is ${limits.maxResponseBytes}; ask for less`);
      res.statusCode = response.status ?? 200;
      res.end(response.body.string);
      return;
    }
    res.statusCode = response.status ?? 200;
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  async function handleHealth(res: ServerResponse): Promise<void> {
    try {
      await dataSource.query('SELECT 1');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
    } catch {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': String(HEALTH_RETRY_SECONDS) }).end(JSON.stringify({ status: 'database unavailable' }));
    }
  }

  function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (origin && config.corsOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-allow-headers', CORS_ALLOWED_HEADERS);
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      // A browser caches the preflight for 10 minutes instead of asking before every request, and
      // lets scripts read the export's file name, the request id to report, and when to retry.
      res.setHeader('access-control-max-age', '600');
      res.setHeader('access-control-expose-headers', 'content-disposition, x-request-id, retry-after');
    }
    if (req.method !== 'OPTIONS') return false;
    res.writeHead(204).end();
    return true;
  }

  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('x-request-id', requestId);
    const route = async (): Promise<void> => {
      if (applyCors(req, res)) return;
      if (url.pathname === '/healthz') return handleHealth(res);
      if (url.pathname === '/graphql' && wantsHtml(req)) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(renderGraphiqlPage(options.explorerToken ?? null));
        return;
      }
      if (url.pathname === '/graphql') return handleGraphQL(req, res, url, requestId);
      if (url.pathname.startsWith('/export/')) return handleExport(req, res, url, { dataSource, config, requestId, rateLimiter });
      if (url.pathname.startsWith(SDMX_PREFIX)) return handleSdmx(req, res, url, { dataSource, config, requestId, rateLimiter });
      if (url.pathname.startsWith(ASSET_PREFIX) && serveGraphiqlAsset(url.pathname.slice(ASSET_PREFIX.length), res)) return;
      throw new HttpError(404, `No route ${url.pathname}`, ErrorCode.NOT_FOUND);
    };
    route()
      .catch((error: unknown) => {
        const status = statusOf(error);
        if (status >= 500) logger.error('request failed', { requestId, error: error instanceof Error ? error.stack : String(error) });
        const code = error instanceof AppError || error instanceof HttpError ? error.code : ErrorCode.INTERNAL_SERVER_ERROR;
        const message = status >= 500 && !config.exposeErrorDetails ? 'Internal server error' : error instanceof Error ? error.message : String(error);
        sendGraphQLError(res, status, message, code, error instanceof AppError ? clientExtensions(error) : {});
      })
      .finally(() => {
        logger.info('request', { requestId, method: req.method, path: url.pathname, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 });
      });
  });

  // Longer than load balancers' idle timeouts (often 60 s), so the server never closes a kept-alive
  // socket a client is about to reuse (the client would see ECONNRESET).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

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
    },
  };
}
