import fs from 'node:fs';
import path from 'node:path';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLEnumType } from 'graphql';
import { ERROR_CATALOGUE, errorTable } from '../../server/core/error-catalogue';
import { ErrorCode } from '../../server/core/errors';
import { buildAppSchema } from '../../server/schema';

const ROOT = path.join(__dirname, '..', '..');
const catalogued = new Set(ERROR_CATALOGUE.map((e) => e.code));

function sources(dir: string): { file: string; text: string }[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => ({ file: path.join(dir, f), text: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

/** Every code server/ can put in `extensions.code`, the ways the code base writes one. */
function codesUsedInServer(): Map<string, string> {
  const found = new Map<string, string>();
  const patterns = [
    /\bErrorCode\.([A-Z_]+)/g, // AppError subclasses, HttpError and sendGraphQLError with the enum
    /new HttpError\([^;]*?,\s*'([A-Z_]+)'\s*\)/g, // HttpError(status, message, 'CODE')
    /sendGraphQLError\([^;]*?,\s*'([A-Z_]+)'/g,
    /\bcode: ('[A-Z_]+'(?: \| '[A-Z_]+')+)/g, // the type of a refused batch row's code: TypeScript holds every row to it
  ];
  for (const { file, text } of sources(path.join(ROOT, 'server'))) {
    if (file.endsWith('error-catalogue.ts')) continue;
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) {
        for (const code of match[1].split(' | ').map((c) => c.replace(/'/g, ''))) found.set(code, path.relative(ROOT, file));
      }
    }
  }
  return found;
}

describe('the error catalogue', () => {
  it('finds the codes server/ uses (the control: the scan sees what it should)', () => {
    const used = codesUsedInServer();
    for (const code of ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'CONFLICT', 'LIMIT_EXCEEDED', 'NOT_FOUND', 'BAD_REQUEST', 'METHOD_NOT_ALLOWED']) expect(used.has(code)).toBe(true);
  });

  it('lists every code server/ throws or sends', () => {
    const missing = [...codesUsedInServer()].filter(([code]) => !catalogued.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  it("lists every member of server's ErrorCode and every code Apollo Server answers", () => {
    expect([...Object.values(ErrorCode), ...Object.values(ApolloServerErrorCode)].filter((code) => !catalogued.has(code))).toEqual([]);
  });

  it('lists no code twice, and each with a status, a meaning and what to do', () => {
    expect(catalogued.size).toBe(ERROR_CATALOGUE.length);
    for (const entry of ERROR_CATALOGUE) expect([entry.code, /\d{3}/.test(entry.status), entry.meaning.length > 10, entry.clientAction.length > 5]).toEqual([entry.code, true, true, true]);
  });

  it("is README.md's Errors table, exactly", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = /\n## Errors\n([\s\S]*?)(?=\n## )/.exec(readme)?.[1] ?? '';
    const table = section.split('\n').filter((line) => line.startsWith('|')).join('\n');
    expect(table).toBe(errorTable());
  });

  it('is the schema\'s ErrorCode enum, each value described', async () => {
    const type = (await buildAppSchema()).getType('ErrorCode') as GraphQLEnumType;
    expect(type.getValues().map((v) => v.name).sort()).toEqual([...catalogued].sort());
    for (const value of type.getValues()) expect(value.description).toMatch(/^HTTP \d{3}/);
  });
});
