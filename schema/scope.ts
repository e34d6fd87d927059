import type { Context } from '../server/context.ts';
import { mayRead, type PolicyLookups, type ScopedKind } from '../server/auth/policy.ts';

// The schema's side of the policy module: a scoped object type is checked wherever an object of it is returned —
// at a root field or through any relation — by the policy's record decision, before any of its fields resolves. A
// record out of scope answers FORBIDDEN in its fields (non-null, so the record itself is null), the same way
// everywhere. The check runs in the fields' resolvers (once per record, cached by Pothos), not in isTypeOf: compiled
// execution (graphql-jit, app.ts) calls isTypeOf without the request's context and cannot wait for it.

const lookupsOf = new WeakMap<Context, PolicyLookups>();

/** The policy's look-ups through this request's loaders; one set per context (a check runs for every record). */
export function policyLookups(ctx: Context): PolicyLookups {
  let lookups = lookupsOf.get(ctx);
  if (!lookups) {
    lookups = {
      // A store a post has just read is in this process's memory (issue 11): no round trip after the post.
      store: async (id) => ctx.reference.heldStore(id) ?? ctx.loaders.store.load(id),
      storesOfBatch: (id) => ctx.loaders.batchStores.load(id),
      incidentRegion: async (id) => (await ctx.loaders.incident.load(id))?.regionCode ?? null,
    };
    lookupsOf.set(ctx, lookups);
  }
  return lookups;
}

/** Type options: objects of this type are shown only to principals the policy lets read them. */
export function scopedType<K extends ScopedKind>(kind: K) {
  const decide = mayRead[kind] as (p: NonNullable<Context['user']>, record: unknown, look: PolicyLookups) => boolean | Promise<boolean>;
  return {
    // Synchronous when the decision is (an unscoped principal, a record whose store is already loaded).
    authScopes: (record: unknown, ctx: Context) => ctx.user !== null && decide(ctx.user, record, policyLookups(ctx)),
  };
}
