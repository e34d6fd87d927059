import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

/** Typed operations: each document is checked against the API's schema (schema.graphql) by `npm run typecheck`. */
// Fragments are shared shapes here, not data boundaries: masking is off.
export const graphql = initGraphQLTada<{
  disableMasking: true;
  introspection: introspection;
  scalars: { Money: string; Date: string; DateTime: string };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
