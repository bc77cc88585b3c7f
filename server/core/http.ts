import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, ErrorCode } from './errors';

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code: string) {
    super(message);
  }
}

/** Reads a request body, refusing it as soon as it passes `maxBytes`. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new HttpError(413, `Request body is ${declared} bytes, the maximum is ${maxBytes}`, ErrorCode.LIMIT_EXCEEDED);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `Request body exceeds the maximum of ${maxBytes} bytes`, ErrorCode.LIMIT_EXCEEDED);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What an error adds to its code for the client (the limit and the figures of a LIMIT_EXCEEDED, the field of a bad input). */
export function extensionsOf(error: unknown): Record<string, unknown> {
  if (!(error instanceof AppError)) return {};
  const { code: _code, http: _http, ...rest } = error.extensions;
  return rest;
}

/** Errors outside GraphQL execution still answer in GraphQL's shape, so clients parse one format. */
export function sendGraphQLError(res: ServerResponse, status: number, message: string, code: string, extra: Record<string, unknown> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code, ...extra } }] }));
}

export function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof AppError) {
    const declared = (error.extensions.http as { status?: number } | undefined)?.status;
    if (declared) return declared;
    if (error.code === ErrorCode.UNAUTHENTICATED) return 401;
    if (error.code === ErrorCode.FORBIDDEN) return 403;
    if (error.code === ErrorCode.LIMIT_EXCEEDED) return 429;
    return 400;
  }
  return 500;
}
