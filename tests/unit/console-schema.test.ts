import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.ts';

// The console's operations are type-checked (gql.tada) against its copy of the schema: a stale copy would let an
// operation the API no longer accepts pass `npm run typecheck`.
// Under vitest the schema's types come from graphql's CommonJS build (through Pothos); print them with the same one.
const { printSchema } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

describe('console schema copy', () => {
  it('matches the API schema (run `npm run console:schema` after changing the schema)', () => {
    const copy = readFileSync(new URL('../../server/console/src/graphql/schema.graphql', import.meta.url), 'utf8');
    expect(copy).toBe(`${printSchema(schema)}\n`);
  });
});
