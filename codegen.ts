import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the example operations in schema/operations, from the generated
 * schema/schema.graphql. `npm run codegen` regenerates; CI fails when the output is stale.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['schema/operations/**/*.graphql'],
  generates: {
    'schema/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { Date: 'string', DateTime: 'string' } },
    },
  },
  ignoreNoDocuments: false,
};

export default config;
