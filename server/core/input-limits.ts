import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLID, GraphQLInputType, GraphQLNamedType, GraphQLObjectType, GraphQLSchema, GraphQLString, isInputObjectType, isListType, isNonNullType, isObjectType } from 'graphql';
import { BadUserInputError } from './errors';

/**
 * Every String, ID and list an operation can send has a maximum, enforced before any resolver
 * sees it: a text of a million characters, or 5,000 legal bases, would otherwise be stored (with
 * their old and new values in a plan's history) and sent back in every answer that reads them.
 *
 * The maximum follows from the kind of text a field holds (its name says it); lists hold
 * DEFAULT_LIST_ITEMS. An override, keyed `InputType.field` or `Type.field(argument)`, sets
 * another maximum for one place; the defaults, kinds and overrides together are listed per field
 * in docs/limits.md (generated: `npm run schema`).
 */

/** Characters of each kind of text. */
export const TEXT_KINDS = {
  /** Codes, ids, periods, keys, cursors. */
  code: 64,
  /** Names of people, agencies and places, a source, a search. */
  name: 255,
  /** One item of a plan's lists (a legal basis, a purpose): a list of 30 such fits a TEXT column. */
  line: 500,
  /** Titles of plans, objectives, tasks and documents. */
  title: 1000,
  /** Free text: descriptions, duties, a target's wording, reasons, notes. */
  text: 10_000,
} as const;

export type TextKind = keyof typeof TEXT_KINDS;

/** Items of a list input unless an override says otherwise. */
export const DEFAULT_LIST_ITEMS = 100;

/** The kind of text a field or argument of this name holds; any name not listed holds a code. */
const KIND_BY_NAME: Readonly<Record<string, TextKind>> = {
  name: 'name',
  signer: 'name',
  signerCapacity: 'name',
  issuer: 'name',
  recipient: 'name',
  source: 'name',
  search: 'name',
  legalBases: 'line',
  purposes: 'line',
  requirements: 'line',
  budgetSources: 'line',
  distributionList: 'line',
  title: 'title',
  group: 'title',
  generalObjective: 'text',
  description: 'text',
  duties: 'text',
  text: 'text',
  note: 'text',
  reason: 'text',
  comment: 'text',
};

/** One place's own maximum: characters of its text, items of its list, or both. */
export interface LimitOverride {
  characters?: number;
  items?: number;
}

export type LimitOverrides = Readonly<Record<string, LimitOverride>>;

/** One place of the schema where a client sends a String, an ID or a list, and its maximum. */
export interface InputLimit {
  /** `Mutation.updatePlan(input)` then the path inside it, e.g. `Mutation.updatePlan(input).legalBases[]`. */
  place: string;
  maximum: number;
  unit: 'characters' | 'items';
  /** Where the maximum comes from: a kind of text, the list default, or an override. */
  rule: string;
}

type Check = (value: unknown, path: string) => void;

function tooLong(path: string, maximum: number, length: number): BadUserInputError {
  return new BadUserInputError(`${path} is at most ${maximum} characters (got ${length}); nothing was changed`, path, { maximum, actual: length });
}

function tooMany(path: string, maximum: number, length: number): BadUserInputError {
  return new BadUserInputError(`${path} holds at most ${maximum} items (got ${length}); nothing was changed`, path, { maximum, actual: length });
}

/**
 * Compiles the checks of one schema: for each field with arguments, a function that throws
 * BAD_USER_INPUT naming the first value over its maximum. `describe` lists every place.
 */
export class InputLimits {
  private readonly checks = new Map<GraphQLNamedType, Map<string, Check>>();
  private readonly places: InputLimit[] = [];
  private readonly inputChecks = new Map<string, Check | null>();

  constructor(schema: GraphQLSchema, private readonly overrides: LimitOverrides = {}) {
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      this.compileType(type);
    }
    const unknown = Object.keys(overrides).filter((key) => !this.places.some((p) => p.place === key));
    if (unknown.length) throw new Error(`input limit overrides name no place of the schema: ${unknown.join(', ')}`);
  }

  /** Throws BAD_USER_INPUT when an argument of `parentType.fieldName` is over its maximum. */
  check(parentType: GraphQLObjectType, fieldName: string, args: Record<string, unknown>): void {
    const check = this.checks.get(parentType)?.get(fieldName);
    if (check) check(args, '');
  }

  /** Every place with a maximum, in schema order. */
  describe(): readonly InputLimit[] {
    return this.places;
  }

  private compileType(type: GraphQLObjectType): void {
    for (const field of Object.values(type.getFields())) {
      const argChecks: [string, Check][] = [];
      for (const arg of field.args) {
        const place = `${type.name}.${field.name}(${arg.name})`;
        const check = this.compile(arg.type, place, arg.name, place);
        if (check) argChecks.push([arg.name, check]);
      }
      if (!argChecks.length) continue;
      const byField = this.checks.get(type) ?? new Map<string, Check>();
      byField.set(field.name, (args) => {
        for (const [name, check] of argChecks) {
          const value = (args as Record<string, unknown>)[name];
          if (value !== undefined && value !== null) check(value, name);
        }
      });
      this.checks.set(type, byField);
    }
  }

  /** `key`: the override's key; `name`: the field's own name (its kind); `place`: how the table names it. */
  private compile(type: GraphQLInputType, key: string, name: string, place: string): Check | null {
    if (isNonNullType(type)) return this.compile(type.ofType, key, name, place);
    if (isListType(type)) {
      const override = this.overrides[key]?.items;
      const maximum = override ?? DEFAULT_LIST_ITEMS;
      this.places.push({ place, maximum, unit: 'items', rule: override ? 'override' : 'list default' });
      const item = this.compile(type.ofType, key, name, `${place}[]`);
      return (value, path) => {
        if (!Array.isArray(value)) return item?.(value, path);
        if (value.length > maximum) throw tooMany(path, maximum, value.length);
        if (item) for (let i = 0; i < value.length; i++) if (value[i] !== null && value[i] !== undefined) item(value[i], `${path}[${i}]`);
      };
    }
    if (isInputObjectType(type)) {
      // Each input type's fields are compiled and listed once, under the type's own name.
      if (!this.inputChecks.has(type.name)) {
        this.inputChecks.set(type.name, null);
        const fieldChecks: [string, Check][] = [];
        for (const inner of Object.values(type.getFields())) {
          const check = this.compile(inner.type, `${type.name}.${inner.name}`, inner.name, `${type.name}.${inner.name}`);
          if (check) fieldChecks.push([inner.name, check]);
        }
        this.inputChecks.set(
          type.name,
          fieldChecks.length
            ? (value, path) => {
                const object = value as Record<string, unknown>;
                for (const [innerName, check] of fieldChecks) {
                  const inner = object[innerName];
                  if (inner !== undefined && inner !== null) check(inner, `${path}.${innerName}`);
                }
              }
            : null,
        );
      }
      return (value, path) => this.inputChecks.get(type.name)?.(value, path);
    }
    if (type !== GraphQLString && type !== GraphQLID) return null;
    const override = this.overrides[key]?.characters;
    const kind = KIND_BY_NAME[name] ?? 'code';
    const maximum = override ?? TEXT_KINDS[kind];
    this.places.push({ place, maximum, unit: 'characters', rule: override ? 'override' : kind });
    return (value, path) => {
      if (typeof value === 'string' && value.length > maximum) throw tooLong(path, maximum, value.length);
    };
  }
}

/** Refuses, field by field before its resolver runs, any argument over its maximum. */
export function inputLimitsPlugin<TContext extends BaseContext>(limits: InputLimits): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart() {
          return {
            willResolveField({ args, info }) {
              limits.check(info.parentType, info.fieldName, args);
            },
          };
        },
      };
    },
  };
}

/** docs/limits.md: every place and its maximum, generated from the schema. */
export function renderLimitsDoc(limits: InputLimits): string {
  const kinds = Object.entries(TEXT_KINDS)
    .map(([kind, characters]) => `| ${kind} | ${characters} characters |`)
    .join('\n');
  const rows = [...limits.describe()]
    .sort((a, b) => (a.place < b.place ? -1 : a.place > b.place ? 1 : 0))
    .map((l) => `| \`${l.place}\` | ${l.maximum} ${l.unit} | ${l.rule} |`)
    .join('\n');
  return `# Input limits

Generated from the schema by \`npm run schema\`; do not edit (test/unit/input-limits.test.ts fails when it is stale).

Every String, ID and list a client sends has a maximum. A value over it is refused with
\`BAD_USER_INPUT\`, \`extensions.field\` naming where it is (\`input.title\`, \`input.legalBases[3]\`),
before the field's resolver runs: nothing is written. The maximum follows from the kind of text
the field holds, lists hold ${DEFAULT_LIST_ITEMS} items, and a few places have their own (server/input-limit-overrides.ts).

| kind | maximum |
|---|---|
${kinds}
| list | ${DEFAULT_LIST_ITEMS} items |

| place | maximum | rule |
|---|---|---|
${rows}
`;
}
