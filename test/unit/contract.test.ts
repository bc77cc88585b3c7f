import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
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
});
