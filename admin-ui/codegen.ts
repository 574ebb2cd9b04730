import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types from the hub's committed schema (../schema/schema.graphql):
 * - src/gql/schema-types.ts: every schema type (`typescript`), for reference and helpers;
 * - src/gql/generated.ts: the result and variable types of each operation in src/ (`typescript-operations`;
 *   operations are the GraphQL-commented template strings in src/gql/operations.ts).
 */
const scalars = { JSON: 'unknown', DateTime: 'string' };
const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/generated.ts', '!src/gql/schema-types.ts'],
  generates: {
    'src/gql/schema-types.ts': {
      plugins: ['typescript'],
      config: { scalars, enumsAsTypes: true, skipTypename: true, useTypeImports: true },
    },
    'src/gql/generated.ts': {
      plugins: ['typescript-operations'],
      config: { scalars, enumType: 'string-literal', skipTypename: true, useTypeImports: true, avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false } },
    },
  },
};
export default config;
