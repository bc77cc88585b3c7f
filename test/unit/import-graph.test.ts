import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SERVER = path.join(__dirname, '..', '..', 'server');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The file a relative specifier names, as Node's resolution would find it; null outside server/. */
function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), specifier);
  const candidate = [`${base}.ts`, path.join(base, 'index.ts'), base].find((file) => fs.existsSync(file) && fs.statSync(file).isFile());
  return candidate && candidate.startsWith(SERVER + path.sep) ? candidate : null;
}

/**
 * Every file of server/ and the server files it imports. The compiler's own pre-processor reads
 * `import … from`, `import type`, `export … from`, `import x = require()` and dynamic `import('…')`,
 * so a type-only import counts like any other (it ties the two files together just the same).
 */
export function importGraph(files: string[]): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
      const targets = info.importedFiles.map((f) => resolve(file, f.fileName)).filter((f): f is string => f !== null);
      return [file, [...new Set(targets)]];
    }),
  );
}

/** Every elementary circle's first occurrence found by depth-first search, as a path a → b → … → a. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  [...graph.keys()].sort().forEach((node) => state.has(node) || visit(node));
  return cycles;
}

const relative = (file: string): string => path.relative(path.dirname(SERVER), file).split(path.sep).join('/');

describe('import graph of server/', () => {
  const graph = importGraph(sourceFiles(SERVER));

  it('reads every kind of import', () => {
    const dir = fs.mkdtempSync(path.join(SERVER, '.graph-probe-'));
    try {
      const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
      write('a.ts', "import type { B } from './b';\nexport const a = 1;\n");
      write('b.ts', "export type { C } from './c';\nexport type B = 1;\n");
      write('c.ts', "export type C = 1;\nexport const load = () => import('./a');\n");
      write('d.ts', "import { a } from './a';\nexport const d = a;\n");
      const probe = importGraph(['a', 'b', 'c', 'd'].map((n) => path.join(dir, `${n}.ts`)));
      expect([...probe.values()].map((targets) => targets.map((t) => path.basename(t)))).toEqual([['b.ts'], ['c.ts'], ['a.ts'], ['a.ts']]);
      expect(findCycles(probe).map((c) => c.map((f) => path.basename(f)).join(' → '))).toEqual(['a.ts → b.ts → c.ts → a.ts']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no circle, type-only imports included', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(findCycles(graph).map((cycle) => cycle.map(relative).join(' → '))).toEqual([]);
  });

  it('core/ imports nothing of server/ outside core/: the domains build on it, never the reverse', () => {
    const core = path.join(SERVER, 'core') + path.sep;
    const outward = [...graph].filter(([file]) => file.startsWith(core)).flatMap(([file, targets]) => targets.filter((t) => !t.startsWith(core)).map((t) => `${relative(file)} → ${relative(t)}`));
    expect(outward).toEqual([]);
  });
});
