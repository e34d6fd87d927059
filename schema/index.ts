import { GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './scalars.ts';
import './regions.ts';
import './stores.ts';
import './catalog.ts';
import './users.ts';
import './inventory.ts';
import './reserves.ts';
import './dispatch.ts';
import './audit.ts';
import './authority.ts';
import './expiry.ts';
import './relief.ts';
import './paperwork.ts';

/** DESIGN.md Auth: every field is denied unless it declares who may use it — checked when the schema is built. */
function assertEveryRootFieldDeclaresAuth(schema: GraphQLSchema): GraphQLSchema {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  const missing: string[] = [];
  for (const root of roots) {
    if (!(root instanceof GraphQLObjectType)) continue;
    for (const field of Object.values(root.getFields())) {
      const options = field.extensions?.pothosOptions as { authScopes?: unknown } | undefined;
      if (!options?.authScopes) missing.push(`${root.name}.${field.name}`);
    }
  }
  if (missing.length) throw new Error(`Root fields without authScopes: ${missing.join(', ')}`);
  return schema;
}

export const schema = assertEveryRootFieldDeclaresAuth(builder.toSchema({ sortSchema: true }));
