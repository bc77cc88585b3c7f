import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import { logger } from './logger';
import { AppError, ErrorCode } from './errors';
import { databaseFault } from './database-faults';
import { capEchoedInput } from './text';

const CLIENT_CODES = new Set<string>(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);

/**
 * What a client sees of an error: our own errors and GraphQL's request errors as they are, with
 * what they echo of the input capped (capEchoedInput); anything unexpected (a database error, a
 * bug) as a bare INTERNAL_SERVER_ERROR unless details are exposed (LOG_LEVEL=debug outside
 * production), so no SQL, stack or file path leaks.
 */
export function createFormatError(exposeDetails: boolean) {
  const format = formatErrorUncapped(exposeDetails);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => capped(format(formatted, error));
}

function capped(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const field = formatted.extensions?.field;
  const extensions = typeof field === 'string' ? { ...formatted.extensions, field: capEchoedInput(field) } : formatted.extensions;
  return { ...formatted, message: capEchoedInput(formatted.message), ...(extensions ? { extensions } : {}) };
}

function formatErrorUncapped(exposeDetails: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const fault = original instanceof AppError ? null : databaseFault(original);
    if (fault) {
      logger.warn('database fault', { message: original instanceof Error ? original.message : String(original) });
      const { http: _status, ...extensions } = fault.extensions;
      return { message: fault.message, path: formatted.path, locations: formatted.locations, extensions };
    }
    // Apollo has already taken extensions.http (the status) out of `formatted`.
    if (original instanceof AppError) return withoutStack({ ...formatted, message: original.message });
    if (original instanceof ArgumentValidationError) {
      return withoutStack({ ...formatted, extensions: { code: ErrorCode.BAD_USER_INPUT, validationErrors: original.extensions.validationErrors } });
    }
    const code = String(formatted.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
    if (CLIENT_CODES.has(code)) return exposeDetails ? formatted : withoutStack(formatted);
    logger.error('unexpected error', { message: original instanceof Error ? original.message : String(original), stack: original instanceof Error ? original.stack : undefined });
    if (exposeDetails) return formatted;
    return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}

function withoutStack(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions)) return formatted;
  const { stacktrace: _ignored, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}
