import { builder } from './builder.ts';
import { LatLng } from './scalars.ts';
import { getRegion, listRegions, type RegionRow } from '../server/regions/service.ts';

export const RegionLevel = builder.enumType('RegionLevel', {
  values: ['PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP', 'VILLAGE'] as const,
});

export const Region = builder.objectRef<RegionRow>('Region');

Region.implement({
  description: 'D1: a node of the administrative tree, identified by its 12-digit 统计用区划代码',
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    level: t.expose('level', { type: RegionLevel }),
    parent: t.field({
      type: Region,
      nullable: true,
      resolve: (r, _a, ctx) => (r.parentCode ? ctx.loaders.region.load(r.parentCode) : null),
    }),
    children: t.field({ type: [Region], resolve: (r, _a, ctx) => ctx.loaders.regionChildren.load(r.code) }),
    location: t.field({
      type: LatLng,
      nullable: true,
      resolve: (r) => (r.lat === null || r.lng === null ? null : { lat: r.lat, lng: r.lng }),
    }),
  }),
});

builder.queryFields((t) => ({
  regions: t.field({
    type: [Region],
    description:
      'Regions under parentCode (6 or 12 digits): its direct children, or with level every region of that level in its subtree; without parentCode every region (of level). Reference data readable by every user',
    authScopes: { authenticated: true },
    args: { parentCode: t.arg.string(), level: t.arg({ type: RegionLevel }) },
    resolve: (_r, args, ctx) => listRegions(ctx.db, args),
  }),
  region: t.field({
    type: Region,
    nullable: true,
    authScopes: { authenticated: true },
    args: { code: t.arg.string({ required: true }) },
    description: 'A region by code (6 or 12 digits); an unknown code is NOT_FOUND, as every single record is',
    resolve: (_r, args, ctx) => getRegion(ctx.db, args.code, 'code'),
  }),
}));
