import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, ErrorCode } from './errors';
import { capEchoedInput } from './text';

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code: string) {
    super(message);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

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
  try {
    return UTF8.decode(Buffer.concat(chunks));
  } catch {
    // Decoding leniently would turn the bad bytes into U+FFFD and store that without a word.
    throw new HttpError(400, 'The request body is not valid UTF-8', 'BAD_REQUEST');
  }
}

/** Errors outside GraphQL execution still answer in GraphQL's shape, so clients parse one format. */
export function sendGraphQLError(res: ServerResponse, status: number, message: string, code: string, extra: Record<string, unknown> = {}): void {
  // Already answered in full (the request deadline's 503): the later error is only logged.
  if (res.writableEnded) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // GraphQL over HTTP: a client that accepts application/graphql-response+json gets it.
  const mediaType = (res.req?.headers.accept ?? '').includes('application/graphql-response+json') ? 'application/graphql-response+json' : 'application/json';
  // A refusal that ends by itself (429) says when: extensions.retryAfter, in seconds, is also the header.
  if (typeof extra.retryAfter === 'number') res.setHeader('retry-after', String(extra.retryAfter));
  res.writeHead(status, { 'content-type': `${mediaType}; charset=utf-8` });
  res.end(JSON.stringify({ errors: [{ message: capEchoedInput(message), extensions: { code, ...extra } }] }));
}

/** An AppError's extensions as a client sees them: the HTTP status is the response's, not the body's. */
export function clientExtensions(error: AppError): Record<string, unknown> {
  const { http: _status, ...extensions } = error.extensions;
  return extensions;
}

export function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof AppError) {
    const http = error.extensions.http as { status?: number } | undefined;
    if (http?.status) return http.status;
    if (error.code === ErrorCode.UNAUTHENTICATED) return 401;
    if (error.code === ErrorCode.FORBIDDEN) return 403;
    if (error.code === ErrorCode.LIMIT_EXCEEDED) return 429;
    return 400;
  }
  return 500;
}
