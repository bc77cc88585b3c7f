import fs from 'node:fs';

/**
 * bench/FAULTS.md is written by several modules of `npm run bench:faults`, and a run may select only
 * some cases (`--cases`): each case's section sits between its own markers and is replaced in
 * place (or appended), so the others' last results stay.
 */
export function writeSection(file: string, id: string, markdown: string): void {
  const begin = `<!-- faults:${id} -->`;
  const end = `<!-- /faults:${id} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? current.slice(0, from) + block + current.slice(to + end.length) : `${current.trimEnd()}${current ? '\n\n' : ''}${block}\n`;
  fs.writeFileSync(file, next);
}
