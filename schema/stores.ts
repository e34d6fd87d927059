import { builder } from './builder.ts';
import { serviceContext } from './resolve.ts';
import { connectionType } from './connection.ts';
import { LatLng, LatLngInput } from './scalars.ts';
import { Region, RegionLevel } from './regions.ts';
import { getStoreInScope, listStores, listTransferDestinations, createStore, updateStore, type StoreRow } from '../server/stores/service.ts';
import type { organizations } from '../drizzle/schema/index.ts';
import { canAccessStore } from '../server/auth/policy.ts';

export const StoreKind = builder.enumType('StoreKind', {
  values: ['GOVERNMENT', 'ENTRUSTED', 'AGREEMENT', 'DISTRIBUTION_POINT'] as const,
  description: 'DISTRIBUTION_POINT: an incident 安置点 created by a dispatch request',
});

export const Organization = builder.objectRef<typeof organizations.$inferSelect>('Organization').implement({
  description: 'D3, D6: a government level, company or donor that owns or holds stock',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.exposeString('kind'),
  }),
});

export const Store = builder.objectRef<StoreRow>('Store').implement({
  description: 'D2: a store (储备库/储备点) at city, county, township or village level',
  fields: (t) => ({
    id: t.exposeID('id'),
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    level: t.expose('level', { type: RegionLevel }),
    kind: t.expose('kind', { type: StoreKind }),
    region: t.field({ type: Region, resolve: async (s, _a, ctx) => (await ctx.loaders.region.load(s.regionCode))! }),
    location: t.field({ type: LatLng, resolve: (s) => ({ lat: s.lat, lng: s.lng }) }),
    address: t.exposeString('address', { nullable: true }),
    contactName: t.exposeString('contactName', { nullable: true }),
    contactPhone: t.exposeString('contactPhone', { nullable: true }),
    capacityM3: t.exposeInt('capacityM3', { nullable: true }),
    operator: t.field({
      type: Organization,
      nullable: true,
      resolve: (s, _a, ctx) => (s.operatorOrgId ? ctx.loaders.organization.load(s.operatorOrgId) : null),
    }),
  }),
});

export const StoreConnection = connectionType('Store', Store);

builder.queryFields((t) => ({
  stores: t.field({
    type: StoreConnection,
    description: 'Stores in scope, optionally in a region subtree; keepers see their own stores',
    authScopes: { authenticated: true },
    args: {
      regionCode: t.arg.string(),
      level: t.arg({ type: RegionLevel }),
      kind: t.arg({ type: StoreKind }),
      search: t.arg.string({ description: 'A word of the name or the code, matched literally (at most 64 characters)' }),
      ids: t.arg.idList({ description: 'Only these stores (at most 500), of those in scope: the names of stores already picked' }),
      incidentId: t.arg.id({ description: 'D29: only the 安置点 opened for this incident (the incident page lists them), of those in scope' }),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: (_r, args, ctx) => listStores(serviceContext(ctx), args, args),
  }),
  transferDestinations: t.field({
    type: StoreConnection,
    description:
      "D13, D23: the stores a transfer from this store may go to (调入仓库) — those of the user's scope, and the government and entrusted stores and 安置点 of its city; for whoever may post at the store. What they hold stays scoped.",
    authScopes: { authenticated: true },
    args: {
      fromStoreId: t.arg.id({ required: true }),
      search: t.arg.string({ description: 'A word of the name or the code, matched literally (at most 64 characters)' }),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: (_r, args, ctx) => listTransferDestinations(serviceContext(ctx), String(args.fromStoreId), args, args.search),
  }),
  store: t.field({
    type: Store,
    nullable: true,
    authScopes: { authenticated: true },
    description: "A store by id; for whoever's scope covers it (a keeper: their own stores)",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => getStoreInScope(ctx.db, ctx.user!, String(args.id), 'id'),
  }),
}));

const storeInputFields = (t: PothosSchemaTypes.InputFieldBuilder<any, 'InputObject'>, required: boolean) => ({
  name: t.string({ required }),
  regionCode: t.string({ required }),
  kind: t.field({ type: StoreKind, required }),
  location: t.field({ type: LatLngInput, required }),
  address: t.string(),
  contactName: t.string(),
  contactPhone: t.string(),
  capacityM3: t.int(),
  operatorName: t.string({ description: 'The operating company (required for ENTRUSTED and AGREEMENT stores)' }),
});

const CreateStoreInput = builder.inputType('CreateStoreInput', {
  fields: (t) => ({
    code: t.string({ required: true }),
    ...storeInputFields(t, true),
    idempotencyKey: t.string({
      description:
        'Optional (sweep 23c): the same key with the same input answers the store first created (a retry after a lost answer creates no second one and is not refused as a duplicate code); with other input IDEMPOTENCY_CONFLICT',
    }),
  }),
});
const UpdateStoreInput = builder.inputType('UpdateStoreInput', {
  fields: (t) => ({ code: t.string(), ...storeInputFields(t, false) }),
});

builder.mutationFields((t) => ({
  createStore: t.field({
    type: Store,
    authScopes: { roles: ['ADMIN'] },
    description:
      "D2: creates a store (code, kind, region, coordinates inside it, operator for ENTRUSTED and AGREEMENT) in a region of the administrator's scope; administrators. Not a 安置点 (DISTRIBUTION_POINT: BAD_USER_INPUT at input.kind — opened for an incident by openDistributionPoint)",
    args: { input: t.arg({ type: CreateStoreInput, required: true }) },
    resolve: (_r, { input }, ctx) => createStore(serviceContext(ctx), input),
  }),
  updateStore: t.field({
    type: Store,
    // Who edits which store and which of its fields is the policy's (assertMayEditStore): administrators, and dispatchers a 安置点's.
    authScopes: { authenticated: true },
    description:
      "D2, D31: changes a store in the administrator's scope; one with ledger history keeps its region and kind, a 安置点 stays one and no other store becomes one (a 安置点's name, address, contact and place are edited as any store's; an operating company is required of ENTRUSTED and AGREEMENT stores only); administrators. D29: a dispatcher whose region covers a 安置点 corrects its name, address and contact (name, address, contactName, contactPhone; its kind, region, code and place are the administrators')",
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateStoreInput, required: true }) },
    resolve: (_r, { id, input }, ctx) => updateStore(serviceContext(ctx), String(id), input),
  }),
}));

builder.objectField(Region, 'stores', (t) =>
  t.field({
    type: [Store],
    description: 'Stores located in this region itself (not its subtree) that the user may see',
    resolve: async (r, _a, ctx) => (await ctx.loaders.regionStores.load(r.code)).filter((s) => canAccessStore(ctx.user!, s)),
  }),
);
