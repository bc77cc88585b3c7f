import { GraphQLScalarType, Kind } from 'graphql';
import { DateTimeISOResolver } from 'graphql-scalars';
import { BadUserInputError } from './errors';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isIsoDate(value)) {
    throw new BadUserInputError(`Date must be a calendar date written YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Calendar dates travel and are stored as YYYY-MM-DD strings: no time zone can shift them by a day.
 */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD (no time zone).',
  serialize: (value) => parseDate(value),
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new BadUserInputError('Date must be a string written YYYY-MM-DD');
    return parseDate(ast.value);
  },
});

/**
 * Instants (updatedAt, changedAt, submittedAt, recordedAt…), stored as ISO 8601 UTC strings and
 * answered as such ("2026-03-01T08:15:30.123Z"). graphql-scalars' DateTimeISO validates them; the
 * schema names it DateTime, the name clients and codegen presets expect.
 */
export const DateTimeScalar = new GraphQLScalarType({ ...DateTimeISOResolver.toConfig(), name: 'DateTime', description: 'An instant, ISO 8601 in UTC, e.g. 2026-03-01T08:15:30.123Z' });

const DAY_MS = 86_400_000;
/** Today's UTC date and the instants it covers: every request asks, the date changes once a day. */
let today = { from: 0, until: 0, iso: '' };

export function todayIso(): string {
  const now = Date.now();
  if (now >= today.from && now < today.until) return today.iso;
  const from = Math.floor(now / DAY_MS) * DAY_MS;
  today = { from, until: from + DAY_MS, iso: new Date(now).toISOString().slice(0, 10) };
  return today.iso;
}
