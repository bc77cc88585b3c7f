import type { IncomingMessage, ServerResponse } from 'node:http';
import { DataSource } from 'typeorm';
import { authenticate } from '../auth/authenticate';
import { AppConfig } from '../core/config';
import { createRequestContext } from '../request-context';
import { AppError, ErrorCode } from '../core/errors';
import { clientExtensions, HttpError, sendGraphQLError, statusOf } from '../core/http';
import { todayIso } from '../core/scalars';
import { writeCsv } from './csv-writer';
import { ExportAborted, ExportSource, ExportTable, FormatName } from './export-table';
import { observationExport } from './observation-export';
import { buildPlanReport, planReportParams } from './plan-report';
import { DOCX_MIME, planReportDocx } from './plan-report-docx';
import { planReportXlsx } from './plan-report-xlsx';
import { statisticsExport } from './statistics-export';
import { writeXlsx, XLSX_MIME } from './xlsx-writer';

export interface ExportDeps {
  dataSource: DataSource;
  config: AppConfig;
  requestId: string;
  /** The GraphQL endpoint's per-subject limiter, so exports count against the same budget. */
  rateLimiter?: { take(key: string): void | Promise<void> };
}

interface Writer {
  contentType: string;
  write(res: ServerResponse, table: ExportTable): Promise<void>;
}

const SOURCES = new Map<string, ExportSource>([
  ['observations', observationExport],
  ['statistics', statisticsExport],
]);

const WRITERS: { [F in FormatName]: Writer } = {
  csv: { contentType: 'text/csv; charset=utf-8', write: (res, t) => writeCsv(res, t.columns, t.pages, { bom: true }) },
  'sdmx.csv': { contentType: 'text/csv; charset=utf-8', write: (res, t) => writeCsv(res, t.columns, t.pages, { bom: false }) },
  xlsx: { contentType: XLSX_MIME, write: (res, t) => writeXlsx(res, t.sheet, t.columns, t.pages) },
};

const ROUTE = /^\/export\/([a-z]+)\.(csv|xlsx|sdmx\.csv)$/;

function routeOf(pathname: string): { source: ExportSource; format: FormatName } | null {
  const match = ROUTE.exec(pathname);
  const source = match ? SOURCES.get(match[1]) : undefined;
  return match && source ? { source, format: match[2] as FormatName } : null;
}

function fileName(table: ExportTable, format: FormatName, today: string): string {
  const parts = [...table.name, today].filter(Boolean).map((p) => String(p).replace(/[^A-Za-z0-9_-]/g, '_'));
  return `${parts.join('-')}.${format}`;
}

/** Token, rate limit, parameters, then every input resolved: any failure answers like GraphQL does, before a byte of the file. */
async function openTable(req: IncomingMessage, url: URL, deps: ExportDeps, source: ExportSource, format: FormatName, today: string): Promise<ExportTable> {
  const claims = authenticate(deps.config, req);
  await deps.rateLimiter?.take(claims.sub);
  const open = source.parse(url.searchParams);
  const ctx = await createRequestContext(deps.dataSource, claims, deps.requestId, today);
  return open(ctx, format);
}

const PLAN_REPORT = /^\/export\/plan-report\.(docx|xlsx)$/;

/**
 * GET /export/plan-report.{docx,xlsx}?plan=ID&period=2026: the periodic report on a plan, drafted
 * from its targets' progress, tasks and reporting. The same token and access as the GraphQL
 * queries; built whole before the first byte (one plan is small), so every error answers like
 * GraphQL does.
 */
async function handlePlanReport(req: IncomingMessage, res: ServerResponse, url: URL, deps: ExportDeps, format: 'docx' | 'xlsx'): Promise<void> {
  const today = todayIso();
  let body: Buffer;
  let name: string;
  try {
    const claims = authenticate(deps.config, req);
    await deps.rateLimiter?.take(claims.sub);
    const params = planReportParams(url.searchParams);
    const ctx = await createRequestContext(deps.dataSource, claims, deps.requestId, today);
    const report = await buildPlanReport(ctx, params.plan, params.period);
    body = format === 'docx' ? planReportDocx(report) : await planReportXlsx(report);
    name = ['plan-report', params.plan, report.period, today].map((p) => p.replace(/[^A-Za-z0-9_-]/g, '_')).join('-');
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    sendGraphQLError(res, statusOf(error), error.message, error.code, clientExtensions(error));
    return;
  }
  res.writeHead(200, {
    'content-type': format === 'docx' ? DOCX_MIME : XLSX_MIME,
    'content-disposition': `attachment; filename="${name}.${format}"`,
    'content-length': body.length,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * GET /export/{observations,statistics}.{csv,xlsx,sdmx.csv}: the `observations` or `statistics`
 * query as a streamed file, with the same token, arguments and errors; GET
 * /export/plan-report.{docx,xlsx}: the periodic report on a plan.
 */
export async function handleExport(req: IncomingMessage, res: ServerResponse, url: URL, deps: ExportDeps): Promise<void> {
  const report = PLAN_REPORT.exec(url.pathname);
  if (report && req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'Exports are read with GET', 'METHOD_NOT_ALLOWED');
  if (report) return handlePlanReport(req, res, url, deps, report[1] as 'docx' | 'xlsx');
  const route = routeOf(url.pathname);
  if (!route) throw new HttpError(404, `No route ${url.pathname}`, ErrorCode.NOT_FOUND);
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'Exports are read with GET', 'METHOD_NOT_ALLOWED');
  const today = todayIso();
  let table: ExportTable;
  try {
    table = await openTable(req, url, deps, route.source, route.format, today);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    sendGraphQLError(res, statusOf(error), error.message, error.code, clientExtensions(error));
    return;
  }
  if (res.headersSent) {
    // The request's deadline answered 503 meanwhile.
    await table.pages.return(undefined);
    return;
  }
  const writer = WRITERS[route.format];
  res.writeHead(200, {
    'content-type': writer.contentType,
    'content-disposition': `attachment; filename="${fileName(table, route.format, today)}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    await table.pages.return(undefined);
    res.end();
    return;
  }
  try {
    await writer.write(res, table);
    res.end();
  } catch (error) {
    await table.pages.return(undefined).catch(() => undefined);
    if (error instanceof ExportAborted) return;
    throw error;
  }
}
