import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, isInterfaceType, isObjectType, parse, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import { renderSchema, SCHEMA_FILE } from '../../server/cli/print-schema';

const ROOT = path.join(__dirname, '..', '..');

/** The contract clients read must match the code: regenerate with `npm run codegen`. */
describe('schema contract', () => {
  it('schema/schema.graphql is generated from the current code', async () => {
    const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed === (await renderSchema()) ? 'fresh' : 'stale: run npm run codegen').toBe('fresh');
  });

  it('the codegen output for the example operations is fresh', () => {
    // Run as the CLI does: the codegen package is ESM-only inside, which jest's CommonJS loader cannot import.
    const out = path.join(ROOT, 'test', 'artifacts', 'codegen');
    fs.rmSync(out, { recursive: true, force: true });
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', '@graphql-codegen', 'cli', 'esm', 'bin.js'), '--config', 'test/support/codegen-check.ts', '--silent'], { cwd: ROOT, stdio: 'pipe' });
    const generated = fs.readdirSync(path.join(out, 'generated'));
    expect(generated.length).toBeGreaterThan(0);
    for (const file of generated) {
      const committed = path.join(ROOT, 'schema', 'generated', file);
      const same = fs.existsSync(committed) && fs.readFileSync(committed, 'utf8') === fs.readFileSync(path.join(out, 'generated', file), 'utf8');
      expect(`${file}: ${same ? 'fresh' : 'stale: run npm run codegen'}`).toBe(`${file}: fresh`);
    }
  });

  it('the example client type-checks against the generated types', () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'schema', 'example-client', 'tsconfig.json')], { stdio: 'pipe' })).not.toThrow();
  });

  it('the example operations select the id of every Node they read, and the client reads units again with node(id:)', () => {
    const schema = buildSchema(fs.readFileSync(SCHEMA_FILE, 'utf8'));
    const node = schema.getType('Node');
    const dir = path.join(ROOT, 'schema', 'operations');
    const missing: string[] = [];
    for (const file of fs.readdirSync(dir)) {
      const typeInfo = new TypeInfo(schema);
      visit(parse(fs.readFileSync(path.join(dir, file), 'utf8')), visitWithTypeInfo(typeInfo, {
        SelectionSet(set, _key, parent) {
          // A fragment on one implementation shares the id selected next to it.
          if (parent && 'kind' in parent && parent.kind === 'InlineFragment') return;
          const type = typeInfo.getParentType();
          const keyed = (isObjectType(type) || isInterfaceType(type)) && (type === node || type.getInterfaces().some((i) => i === node));
          const fields = set.selections.flatMap((s) => (s.kind === 'Field' ? [s.name.value] : []));
          if (keyed && !fields.includes('id') && type.name !== 'Indicator') missing.push(`${file}: ${type.name} { ${fields.join(' ')} }`);
        },
      }));
    }
    // A normalised cache keys objects by id; the catalogue's indicators are keyed by code just as well.
    expect(missing).toEqual([]);
    const client = fs.readFileSync(path.join(ROOT, 'schema', 'example-client', 'client.ts'), 'utf8');
    expect(client).toMatch(/request\(NodeByIdDocument, \{ id: unitId \}\)/);
  });
});
