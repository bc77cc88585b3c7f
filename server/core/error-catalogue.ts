import { GraphQLEnumType } from 'graphql';

/** One `extensions.code` the server can answer: who raises it, with which HTTP status, and what a client does. */
export interface ErrorCodeEntry {
  code: string;
  /** Who answers it: bdg-hub's own code, Apollo Server, or both. */
  source: 'bdg-hub' | 'Apollo Server' | 'bdg-hub and Apollo Server';
  /** HTTP statuses it comes with; "200 (in `errors`)" when execution has started and other fields may have data. */
  status: string;
  meaning: string;
  clientAction: string;
}

/**
 * Every error code a client can meet, as data: README.md's "Errors" table and the schema's
 * `ErrorCode` enum are made from it, and test/unit/error-catalogue.test.ts fails when server/
 * raises a code this list lacks or when the README's table differs from it.
 */
export const ERROR_CATALOGUE: readonly ErrorCodeEntry[] = [
  {
    code: 'UNAUTHENTICATED',
    source: 'bdg-hub',
    status: '401',
    meaning: 'No bearer token, or one that is forged, expired, or names a unit not in force.',
    clientAction: 'Get a new token and send `Authorization: Bearer <JWT>`; do not retry unchanged.',
  },
  {
    code: 'FORBIDDEN',
    source: 'bdg-hub',
    status: '200 (in `errors`); 403 on an export',
    meaning: 'The object is outside your subtree, does not exist, or your role may not do this (the two are indistinguishable on purpose).',
    clientAction: 'Check the code or id and your token\'s unit and role; do not retry unchanged.',
  },
  {
    code: 'BAD_USER_INPUT',
    source: 'bdg-hub and Apollo Server',
    status: '400 before execution (a variable that cannot be coerced, bad text, an empty batch); 200 (in `errors`) from a field',
    meaning: 'A value is invalid; `extensions.field` names it (`input[0].numerator`), and a refused batch lists every bad row.',
    clientAction: 'Fix the named value and send again.',
  },
  {
    code: 'NOT_FOUND',
    source: 'bdg-hub',
    status: '404',
    meaning: 'No such HTTP route (GraphQL answers an object it cannot show with `null` or FORBIDDEN instead).',
    clientAction: 'Check the URL: `/graphql`, `/healthz`, `/export/…`.',
  },
  {
    code: 'METHOD_NOT_ALLOWED',
    source: 'bdg-hub',
    status: '405',
    meaning: 'An export was asked with a method other than GET or HEAD.',
    clientAction: 'Use GET.',
  },
  {
    code: 'CONFLICT',
    source: 'bdg-hub',
    status: '200 (in `errors`)',
    meaning: 'A write lost a race: the stored version is not the `expectedVersion` you sent, or the plan changed meanwhile.',
    clientAction: 'Read the object again, reapply your change to what is stored, and send it with the new version.',
  },
  {
    code: 'IMPLAUSIBLE',
    source: 'bdg-hub',
    status: '200 (a row warning in `ImportResult.warnings`, not an error)',
    meaning: "A value outside the indicator's plausible range (`plausibleMin`–`plausibleMax`): it was applied, but flagged.",
    clientAction: 'Check the value at its source; send `strict: true` to have such rows refuse the batch instead.',
  },
  {
    code: 'INCONSISTENT',
    source: 'bdg-hub',
    status: '200 (a row warning in `ImportResult.warnings`, not an error)',
    meaning: 'A total differs from the sum over a full breakdown of it by a dimension (every code, the other values equal): the rows were applied, but `statistics(by:)` that dimension sums the values while totals read the reported row.',
    clientAction: 'Check the total and its breakdown at their source and send the corrected rows; a total that honestly counts more (people of unknown age) can stay.',
  },
  {
    code: 'LIMIT_EXCEEDED',
    source: 'bdg-hub',
    status: '400 (depth, aliases, cost, page size, rows per mutation, resolved fields, answer size); 413 (request body); 429 (rate limit, with `Retry-After`)',
    meaning: 'A limit was passed; `extensions.limit`, `actual` and `maximum` say which and by how much. Nothing ran.',
    clientAction: 'Ask for less (smaller `first`, fewer fields or rows, several requests); on 429 wait `Retry-After` seconds.',
  },
  {
    code: 'REQUEST_TIMEOUT',
    source: 'bdg-hub',
    status: '408 (`connection: close`)',
    meaning: 'The request body did not arrive whole within half of `REQUEST_TIMEOUT_MS`. Nothing ran.',
    clientAction: 'Send the request again on a new connection; a client that cannot send 2 MB in that time sends smaller batches.',
  },
  {
    code: 'DATABASE_BUSY',
    source: 'bdg-hub',
    status: '503 (with `Retry-After`), GraphQL, exports and SDMX (an SDMX-ML error message)',
    meaning: 'The database did not answer within the bounded waits: the request deadline (`REQUEST_TIMEOUT_MS`) passed, a statement or row lock timed out, no pooled connection came free, too many writes were waiting, or a deadlock outlasted the retries. A write was rolled back: nothing of it is stored.',
    clientAction: 'Retry the same request after `Retry-After` seconds (`extensions.retryAfter`), with backoff.',
  },
  {
    code: 'DATABASE_UNAVAILABLE',
    source: 'bdg-hub',
    status: '503 (with `Retry-After`), GraphQL, exports and SDMX (an SDMX-ML error message)',
    meaning: 'The connection to the database failed or was lost (restart, failover, network), or, with `REDIS_URL`, Redis, which the server instances share, did not answer. A transaction in flight was rolled back: nothing of it is stored.',
    clientAction: 'Retry the same request after `Retry-After` seconds, with backoff.',
  },
  {
    code: 'DATABASE_FULL',
    source: 'bdg-hub',
    status: '503 (with `Retry-After`), GraphQL and exports; `/readyz` 503 `database full`',
    meaning: 'The database has no space left (SQLite `SQLITE_FULL`; MariaDB disk or table full). The write was rolled back: nothing of it is stored, and every write answered `applied: true` before or after is. Reads still work; `/readyz` says so until a write succeeds again or space is free.',
    clientAction: 'Retry the write after `Retry-After` seconds, with backoff; an operator must free space (no restart needed).',
  },
  {
    code: 'DATABASE_READ_ONLY',
    source: 'bdg-hub',
    status: '503 (with `Retry-After`), GraphQL and exports; `/readyz` 503 `database read-only`',
    meaning: 'The database takes no writes (SQLite `SQLITE_READONLY`: a read-only file or file system; MariaDB `read_only`). The write was rolled back: nothing of it is stored. Reads still work; `/readyz` says so until a write succeeds again.',
    clientAction: 'Retry the write after `Retry-After` seconds, with backoff; an operator must make the database writable.',
  },
  {
    code: 'SHUTTING_DOWN',
    source: 'bdg-hub',
    status: '503 (with `Retry-After`, `connection: close`)',
    meaning: 'This instance received SIGTERM and takes no new requests while it finishes those in flight.',
    clientAction: 'Send the request again on a new connection (another instance answers).',
  },
  {
    code: 'INTERNAL_SERVER_ERROR',
    source: 'bdg-hub and Apollo Server',
    status: '500; 200 (in `errors`) when one field failed',
    meaning: 'A fault on the server (the details are in its log under the `x-request-id`, never in the answer).',
    clientAction: 'Retry later with backoff; report the `x-request-id` if it persists.',
  },
  {
    code: 'BAD_REQUEST',
    source: 'bdg-hub and Apollo Server',
    status: '400; 405 for a mutation sent with GET',
    meaning: 'The HTTP request is not a GraphQL request: a body that is not JSON or not UTF-8, no `query`, `variables` that are not an object, or a GET without a CSRF-safe header.',
    clientAction: 'Send `content-type: application/json` with `{"query": …, "variables": {…}}`; on GET add `apollo-require-preflight: true`; send mutations with POST.',
  },
  {
    code: 'GRAPHQL_PARSE_FAILED',
    source: 'Apollo Server',
    status: '400',
    meaning: 'The document is not GraphQL syntax.',
    clientAction: 'Fix the document (`locations` points at the error).',
  },
  {
    code: 'GRAPHQL_VALIDATION_FAILED',
    source: 'Apollo Server',
    status: '400',
    meaning: 'The document does not fit the schema (an unknown field, a wrong argument type, …).',
    clientAction: 'Check the document against schema/schema.graphql; regenerate typed clients after a schema change.',
  },
  {
    code: 'OPERATION_RESOLUTION_FAILURE',
    source: 'Apollo Server',
    status: '400',
    meaning: 'The document holds several operations and `operationName` names none of them (or is missing).',
    clientAction: 'Send `operationName`.',
  },
  {
    code: 'PERSISTED_QUERY_NOT_FOUND',
    source: 'Apollo Server',
    status: '200',
    meaning: 'Automatic persisted queries: this token subject has not registered the hash here (texts are kept per subject, in memory per instance unless REDIS_URL is set).',
    clientAction: 'Send the same request again with the full `query` and the hash; Apollo Client and urql do this by themselves.',
  },
  {
    code: 'PERSISTED_QUERY_NOT_SUPPORTED',
    source: 'Apollo Server',
    status: '200',
    meaning: 'Persisted queries are switched off (not the case in this server as configured).',
    clientAction: 'Send the full `query`.',
  },
];

/** The catalogue as a GraphQL enum, so generated clients and GraphiQL carry it in the schema. */
export const ErrorCodeEnum = new GraphQLEnumType({
  name: 'ErrorCode',
  description: 'Every `extensions.code` the API can answer, with its HTTP status and what the client should do. Not used by any field: the codes come in `errors[].extensions.code`.',
  values: Object.fromEntries(ERROR_CATALOGUE.map((e) => [e.code, { value: e.code, description: `HTTP ${e.status}. ${e.meaning} Client: ${e.clientAction} (${e.source})` }])),
});

/** README.md's "Errors" table, as the catalogue gives it. */
export function errorTable(): string {
  const rows = ERROR_CATALOGUE.map((e) => `| \`${e.code}\` | ${e.status} | ${e.meaning} | ${e.clientAction} | ${e.source} |`);
  return ['| `extensions.code` | HTTP status | meaning | what the client should do | raised by |', '|---|---|---|---|---|', ...rows].join('\n');
}
