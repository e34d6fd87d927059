import type { Loaders } from '../loaders.ts';
import type { ReferenceCache } from '../reference-cache.ts';
import type { PolicyLookups } from './policy.ts';

// Beside the policy, not in it: policy.ts makes the decisions from what it is given and does no I/O; this is the one
// place that says how a decision's look-ups are answered — by a request's loaders (types only: no import at run time).

/**
 * The policy's look-ups (PolicyLookups) through one set of request loaders — the one builder for every caller: the
 * schema's record checks (schema/scope.ts, one per context) and the printed 调拨令 (paperwork/print/plan.ts).
 * `reference`: a store this process already holds in memory is taken from there, with no round trip (issue 11).
 */
export function policyLookupsThrough(
  loaders: Pick<Loaders, 'store' | 'batchStores' | 'incident'>,
  reference?: Pick<ReferenceCache, 'heldStore'>,
): PolicyLookups {
  return {
    store: async (id) => reference?.heldStore(id) ?? loaders.store.load(id),
    storesOfBatch: (id) => loaders.batchStores.load(id),
    incidentRegion: async (id) => (await loaders.incident.load(id))?.regionCode ?? null,
  };
}
