import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, ErrorCode } from './errors';
import { capEchoedInput } from './text';

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code: string) {
    super(message);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a request body, refusing it as soon as it passes `maxBytes`, or with 408 when it has not
 * arrived whole within `timeoutMs`: a client trickling its body would otherwise hold the request
 * (and its socket) until the deadline answered a misleading 503 DATABASE_BUSY.
 */
export function readBody(req: IncomingMessage, maxBytes: number, timeoutMs = 0): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.reject(new HttpError(413, `Request body is ${declared} bytes, the maximum is ${maxBytes}`, ErrorCode.LIMIT_EXCEEDED));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error: Error) => {
      done();
      // Left unread: the answer goes out with "connection: close" and the socket closes after it.
      req.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return stop(new HttpError(413, `Request body exceeds the maximum of ${maxBytes} bytes`, ErrorCode.LIMIT_EXCEEDED));
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      try {
        resolve(UTF8.decode(Buffer.concat(chunks)));
      } catch {
        // Decoding leniently would turn the bad bytes into U+FFFD and store that without a word.
        reject(new HttpError(400, 'The request body is not valid UTF-8', 'BAD_REQUEST'));
      }
    };
    const onError = (error: Error) => stop(error);
    const timer = timeoutMs > 0 ? setTimeout(() => stop(new HttpError(408, `The request body did not arrive whole within ${timeoutMs} ms; send it again, faster`, ErrorCode.REQUEST_TIMEOUT)), timeoutMs) : undefined;
    function done(): void {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError);
    }
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
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
