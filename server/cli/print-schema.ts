import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { PROJECT_ROOT } from '../core/config';
import { buildAppSchema } from '../schema';

export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schema', 'schema.graphql');

export async function renderSchema(): Promise<string> {
  const header = '# Generated from the code by `npm run schema`; do not edit. CI fails when it is stale.\n\n';
  return header + printSchema(lexicographicSortSchema(await buildAppSchema())) + '\n';
}

if (require.main === module) {
  renderSchema()
    .then((sdl) => {
      fs.writeFileSync(SCHEMA_FILE, sdl);
      console.log(`Wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
