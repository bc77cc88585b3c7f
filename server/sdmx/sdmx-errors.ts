import type { ServerResponse } from 'node:http';
import { AppError } from '../core/errors';
import { HttpError, statusOf } from '../core/http';
import { capEchoedInput } from '../core/text';
import { NS, XML_DECLARATION, xmlEscape } from './sdmx-xml';

/**
 * The SDMX web service error codes (SDMX 2.1 section 7, "Error handling") for the HTTP statuses
 * the service answers with. The hub's own error codes stay in GraphQL; here the code a client of
 * an SDMX service expects goes in the SDMX-ML error message, and the HTTP status says the same.
 */
const SDMX_CODES: Record<number, { code: number; title: string }> = {
  400: { code: 140, title: 'Syntax error' },
  401: { code: 110, title: 'Unauthorized' },
  403: { code: 150, title: 'Semantic error' },
  404: { code: 100, title: 'No Results Found' },
  406: { code: 140, title: 'Not Acceptable' },
  413: { code: 510, title: 'Response size exceeds service limit' },
  429: { code: 510, title: 'Too many requests' },
  500: { code: 500, title: 'Internal Server error' },
  501: { code: 501, title: 'Not implemented' },
  503: { code: 503, title: 'Service unavailable' },
};

/** A refusal of the SDMX service: its HTTP status and what is wrong, in words a user can act on. */
export class SdmxError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const NO_RESULTS = 'No Results Found';

/** Nothing matches: the same answer for a code that does not exist and one outside the viewer's area. */
export function noResults(): SdmxError {
  return new SdmxError(404, NO_RESULTS);
}

export function syntaxError(message: string): SdmxError {
  return new SdmxError(400, message);
}

export function notImplemented(message: string): SdmxError {
  return new SdmxError(501, message);
}

/** The HTTP status of any error met while answering (the hub's coded errors keep theirs). */
export function sdmxStatusOf(error: unknown): number {
  if (error instanceof SdmxError) return error.status;
  if (error instanceof AppError || error instanceof HttpError) return statusOf(error);
  return 500;
}

/** The SDMX-ML 2.1 error message. */
export function errorMessageXml(status: number, message: string): string {
  const { code } = SDMX_CODES[status] ?? SDMX_CODES[status >= 500 ? 500 : 400];
  return (
    `${XML_DECLARATION}<message:Error xmlns:message="${NS.message}" xmlns:common="${NS.common}">` +
    `<message:ErrorMessage code="${code}"><common:Text xml:lang="en">${xmlEscape(capEchoedInput(message))}</common:Text></message:ErrorMessage></message:Error>\n`
  );
}

/** Answers with an SDMX-ML error message; a response already under way is cut instead (a truncated file must not look complete). */
export function sendSdmxError(res: ServerResponse, status: number, message: string, retryAfter?: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { 'content-type': 'application/xml; charset=utf-8', 'cache-control': 'no-store' };
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  res.writeHead(status, headers);
  res.end(res.req?.method === 'HEAD' ? undefined : errorMessageXml(status, message));
}
