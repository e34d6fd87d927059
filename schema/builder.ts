import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { DateTime } from 'luxon';
import type { Context } from '../server/context.ts';
import type { Role } from '../server/auth/principal.ts';
import { forbidden, unauthenticated } from '../server/errors.ts';
import { recordPolicy } from './scope.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    DateTime: { Input: DateTime; Output: Date | string };
    Date: { Input: string; Output: string };
    Money: { Input: string; Output: string };
  };
  AuthScopes: { public: boolean; authenticated: boolean; roles: readonly Role[] };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, recordPolicy],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => ({
      public: true,
      authenticated: ctx.user !== null,
      roles: (roles) => ctx.user !== null && roles.includes(ctx.user.role),
    }),
    unauthorizedError: (_parent, ctx) => (ctx.user ? forbidden() : unauthenticated(ctx.sessionRefused)),
    authorizeOnSubscribe: true,
  },
});

builder.queryType({});
builder.mutationType({});
