import type { Context } from '../server/context.ts';
import { mayRead, type PolicyLookups, type ScopedKind } from '../server/auth/policy.ts';

// The schema's side of the policy module: a scoped object type is checked wherever an object of it is returned —
// at a root field or through any relation — by the policy's record decision. A record out of scope makes the field
// that returned it null with a FORBIDDEN error, the same way everywhere.

export const policyLookups = (ctx: Context): PolicyLookups => ({
  store: (id) => ctx.loaders.store.load(id),
  storesOfBatch: (id) => ctx.loaders.batchStores.load(id),
  incidentRegion: async (id) => (await ctx.loaders.incident.load(id))?.regionCode ?? null,
});

/** Type options: objects of this type are shown only to principals the policy lets read them. */
export function scopedType<K extends ScopedKind>(kind: K) {
  const decide = mayRead[kind] as (p: NonNullable<Context['user']>, record: unknown, look: PolicyLookups) => boolean | Promise<boolean>;
  return {
    runScopesOnType: true as const,
    authScopes: async (record: unknown, ctx: Context) => ctx.user !== null && (await decide(ctx.user, record, policyLookups(ctx))),
  };
}
