import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { PROJECT_ROOT } from '../core/config';
import { InputLimits, renderLimitsDoc } from '../core/input-limits';
import { INPUT_LIMIT_OVERRIDES } from '../input-limit-overrides';
import { buildAppSchema } from '../schema';

export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schema', 'schema.graphql');

export const LIMITS_FILE = path.join(PROJECT_ROOT, 'docs', 'limits.md');

export async function renderLimits(): Promise<string> {
  return renderLimitsDoc(new InputLimits(await buildAppSchema(), INPUT_LIMIT_OVERRIDES));
}

export async function renderSchema(): Promise<string> {
  const header = '# Generated from the code by `npm run schema`; do not edit. CI fails when it is stale.\n\n';
  return header + printSchema(lexicographicSortSchema(await buildAppSchema())) + '\n';
}

if (require.main === module) {
  Promise.all([renderSchema(), renderLimits()])
    .then(([sdl, limits]) => {
      fs.writeFileSync(SCHEMA_FILE, sdl);
      fs.mkdirSync(path.dirname(LIMITS_FILE), { recursive: true });
      fs.writeFileSync(LIMITS_FILE, limits);
      console.log(`Wrote ${path.relative(process.cwd(), SCHEMA_FILE)} and ${path.relative(process.cwd(), LIMITS_FILE)}`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
