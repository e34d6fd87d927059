import { createGraphQLError } from '@graphql-tools/utils';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';

// yoga decides a refusal's HTTP status by `instanceof GraphQLError` on its own copy of graphql. Under Node the server
// and yoga share one copy; the tests must run on that same copy, or they measure a server that does not exist.
describe('graphql is loaded once', () => {
  it('an error yoga builds is a GraphQLError of ours', () => {
    expect(createGraphQLError('x')).toBeInstanceOf(GraphQLError);
  });
});
