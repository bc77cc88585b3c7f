import type { IncomingMessage, ServerResponse } from 'node:http';
import { DataSource } from 'typeorm';
import { authenticate } from '../app';
import { AppConfig } from '../core/config';
import { createRequestContext } from '../core/context';
import { AppError, BadUserInputError, ErrorCode } from '../core/errors';
import { HttpError, sendGraphQLError, statusOf } from '../core/http';
import { todayIso } from '../core/scalars';
import { writeCsv } from './csv-writer';
import { ExportAborted, ExportFilter, ExportRow, observationPages } from './observation-export';
import { writeSdmxCsv } from './sdmx';
import { writeXlsx, XLSX_MIME } from './xlsx-writer';

export interface ExportDeps {
  dataSource: DataSource;
  config: AppConfig;
  requestId: string;
  /** The GraphQL endpoint's per-subject limiter, so exports count against the same budget. */
  rateLimiter?: { take(key: string): void };
}

interface Format {
  extension: string;
  contentType: string;
  write(res: ServerResponse, pages: AsyncIterable<ExportRow[]>): Promise<void>;
}

const FORMATS: Record<string, Format> = {
  '/export/observations.csv': { extension: 'csv', contentType: 'text/csv; charset=utf-8', write: writeCsv },
  '/export/observations.sdmx.csv': { extension: 'sdmx.csv', contentType: 'text/csv; charset=utf-8', write: writeSdmxCsv },
  '/export/observations.xlsx': { extension: 'xlsx', contentType: XLSX_MIME, write: writeXlsx },
};

/** The query parameters as the `observations` query's arguments; malformed ones are BAD_USER_INPUT. */
export function parseExportFilter(params: URLSearchParams): ExportFilter {
  const text = (name: string) => {
    const value = params.get(name)?.trim();
    return value ? value : null;
  };
  const descendants = text('includeDescendants');
  if (descendants !== null && !['true', 'false', '1', '0'].includes(descendants.toLowerCase())) {
    throw new BadUserInputError('includeDescendants is true or false', 'includeDescendants');
  }
  const periods = params
    .getAll('periods')
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean);
  return { indicator: text('indicator'), unit: text('unit'), includeDescendants: descendants !== null && ['true', '1'].includes(descendants.toLowerCase()), periods: periods.length ? periods : null };
}

function fileName(filter: ExportFilter, extension: string, today: string): string {
  const parts = ['observations', filter.indicator, filter.unit, today].filter(Boolean).map((p) => String(p).replace(/[^A-Za-z0-9_-]/g, '_'));
  return `${parts.join('-')}.${extension}`;
}

/** GET /export/observations.{csv,xlsx,sdmx.csv}: the `observations` query as a streamed file. */
export async function handleExport(req: IncomingMessage, res: ServerResponse, url: URL, deps: ExportDeps): Promise<void> {
  const format = FORMATS[url.pathname];
  if (!format) throw new HttpError(404, `No route ${url.pathname}`, ErrorCode.NOT_FOUND);
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'Exports are read with GET', 'METHOD_NOT_ALLOWED');
  let pages: AsyncGenerator<ExportRow[]>;
  let filter: ExportFilter;
  const today = todayIso();
  try {
    const claims = authenticate(deps.config, req);
    deps.rateLimiter?.take(claims.sub);
    filter = parseExportFilter(url.searchParams);
    const ctx = await createRequestContext(deps.dataSource, claims, deps.requestId, today);
    pages = await observationPages(ctx, filter);
  } catch (error) {
    // Answer like GraphQL does, with the extensions (e.g. the field) a client needs.
    if (error instanceof AppError) {
      const { http: _http, code, ...extensions } = error.extensions as Record<string, unknown>;
      sendGraphQLError(res, statusOf(error), error.message, String(code), extensions);
      return;
    }
    throw error;
  }
  res.writeHead(200, {
    'content-type': format.contentType,
    'content-disposition': `attachment; filename="${fileName(filter, format.extension, today)}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    await pages.return(undefined);
    res.end();
    return;
  }
  try {
    await format.write(res, pages);
    res.end();
  } catch (error) {
    await pages.return(undefined).catch(() => undefined);
    if (error instanceof ExportAborted) return;
    throw error;
  }
}
