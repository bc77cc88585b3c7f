import fs from 'node:fs';
import path from 'node:path';
import { GraphQLID, GraphQLInputType, GraphQLObjectType, GraphQLString, isInputObjectType, isListType, isNonNullType, isObjectType } from 'graphql';
import { AppError } from '../../server/core/errors';
import { InputLimits, renderLimitsDoc } from '../../server/core/input-limits';
import { INPUT_LIMIT_OVERRIDES } from '../../server/input-limit-overrides';
import { buildAppSchema } from '../../server/schema';

/** One place where a client sends text or a list, found by walking the schema (not the limits' own walk). */
interface Position {
  type: GraphQLObjectType;
  fieldName: string;
  /** As docs/limits.md names it. */
  place: string;
  /** As an error names it, e.g. input.legalBases[0]. */
  field: string;
  unit: 'characters' | 'items';
  /** The field's arguments with only this position holding `size` characters or items. */
  args(size: number): Record<string, unknown>;
}

function positionsOf(type: GraphQLInputType, place: string, field: string, wrap: (value: unknown) => unknown, seen: Set<string>, found: Omit<Position, 'type' | 'fieldName'>[]): void {
  if (isNonNullType(type)) return positionsOf(type.ofType, place, field, wrap, seen, found);
  if (isListType(type)) {
    found.push({ place, field, unit: 'items', args: (size) => wrap(Array.from({ length: size }, () => null)) as Record<string, unknown> });
    return positionsOf(type.ofType, `${place}[]`, `${field}[0]`, (value) => wrap([value]), seen, found);
  }
  if (isInputObjectType(type)) {
    if (seen.has(type.name)) return;
    for (const inner of Object.values(type.getFields())) positionsOf(inner.type, `${type.name}.${inner.name}`, `${field}.${inner.name}`, (value) => wrap({ [inner.name]: value }), new Set([...seen, type.name]), found);
    return;
  }
  if (type === GraphQLString || type === GraphQLID) found.push({ place, field, unit: 'characters', args: (size) => wrap('x'.repeat(size)) as Record<string, unknown> });
}

async function allPositions(): Promise<{ limits: InputLimits; positions: Position[] }> {
  const schema = await buildAppSchema();
  const positions: Position[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      for (const arg of field.args) {
        const found: Omit<Position, 'type' | 'fieldName'>[] = [];
        positionsOf(arg.type, `${type.name}.${field.name}(${arg.name})`, arg.name, (value) => ({ [arg.name]: value }), new Set(), found);
        positions.push(...found.map((p) => ({ ...p, type, fieldName: field.name })));
      }
    }
  }
  return { limits: new InputLimits(schema, INPUT_LIMIT_OVERRIDES), positions };
}

describe('input limits', () => {
  it('every String, ID and list an operation can send has a maximum, enforced naming the field, and the maximum itself passes', async () => {
    const { limits, positions } = await allPositions();
    const maxima = new Map(limits.describe().map((l) => [`${l.place} ${l.unit}`, l.maximum]));
    // The control: the walk finds what it should (a mutation's input text, a list of texts, a query's search).
    for (const place of ['UpdatePlanInput.title', 'UpdatePlanInput.legalBases', 'UpdatePlanInput.legalBases[]', 'Query.units(search)', 'Mutation.recordObservations(input)', 'ObservationInput.source']) expect(positions.some((p) => p.place === place)).toBe(true);
    expect(positions.length).toBeGreaterThan(150);
    const failures: string[] = [];
    for (const position of positions) {
      const maximum = maxima.get(`${position.place} ${position.unit}`);
      if (!maximum || !Number.isFinite(maximum)) {
        failures.push(`${position.place}: no maximum`);
        continue;
      }
      try {
        limits.check(position.type, position.fieldName, position.args(maximum + 1));
        failures.push(`${position.type.name}.${position.fieldName} ${position.field}: ${maximum + 1} ${position.unit} accepted`);
      } catch (error) {
        const field = error instanceof AppError ? error.extensions.field : undefined;
        if (!(error instanceof AppError) || error.code !== 'BAD_USER_INPUT' || field !== position.field) failures.push(`${position.type.name}.${position.fieldName} ${position.field}: refused as ${String(error)} naming ${String(field)}`);
      }
      // At the maximum, a list of nulls or a text of that length passes.
      expect(() => limits.check(position.type, position.fieldName, position.args(maximum))).not.toThrow();
    }
    expect(failures).toEqual([]);
  });

  it('names the field as the brief does: input.title and input.legalBases[3]', async () => {
    const schema = await buildAppSchema();
    const limits = new InputLimits(schema, INPUT_LIMIT_OVERRIDES);
    const mutation = schema.getMutationType() as GraphQLObjectType;
    expect(() => limits.check(mutation, 'updatePlan', { id: 'Plan:1', input: { title: 'x'.repeat(1_000_000) } })).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ field: 'input.title' }) }));
    const bases = ['a', 'b', 'c', 'x'.repeat(300_000)];
    expect(() => limits.check(mutation, 'updatePlan', { id: 'Plan:1', input: { legalBases: bases } })).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ field: 'input.legalBases[3]' }) }));
    expect(() => limits.check(mutation, 'updatePlan', { id: 'Plan:1', input: { legalBases: Array(5000).fill('x') } })).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ field: 'input.legalBases' }) }));
  });

  it('refuses an override that names no place of the schema', async () => {
    const schema = await buildAppSchema();
    expect(() => new InputLimits(schema, { 'UpdatePlanInput.titel': { characters: 10 } })).toThrow('UpdatePlanInput.titel');
  });

  it('docs/limits.md is the table generated from the schema (npm run schema writes it)', async () => {
    const { limits } = await allPositions();
    expect(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'limits.md'), 'utf8')).toBe(renderLimitsDoc(limits));
  });
});
