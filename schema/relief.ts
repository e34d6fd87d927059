import { builder } from './builder.ts';
import { idOrNull, must, postedDocument, serviceContext } from './resolve.ts';
import { connectionType } from './connection.ts';
import { Item } from './catalog.ts';
import { Region } from './regions.ts';
import { Store } from './stores.ts';
import { User } from './users.ts';
import { Batch, BatchTrace, DocumentLine, StockDocument } from './inventory.ts';
import { DispatchDestination, DispatchPlan, DispatchPlanLine, Incident, IncidentBalanceLine } from './dispatch.ts';
import { scopedType, policyLookups } from './scope.ts';
import type { Context } from '../server/context.ts';
import { assertIncidentFigures, mayRead } from '../server/auth/policy.ts';
import { closeIncident, openDistributionPoint } from '../server/relief/points.ts';
import { listReliefStandards, upsertReliefStandard, type ReliefStandardRow } from '../server/relief/standards.ts';
import { distributeRelief, getDistribution, listDistributions, type DistributionRow } from '../server/relief/distributions.ts';
import { distributionsOfBatch, householdsServed, type TraceDistribution } from '../server/relief/trace.ts';
import { suggestedDemand, type SuggestedDemand } from '../server/relief/demand.ts';
import { handedOver } from '../server/relief/rules.ts';
import { outstandingRecovery, type OutstandingRecovery } from '../server/relief/recovery.ts';
import { recoveryStoresLoader } from '../server/relief/recovery-destinations.ts';
import type { PlanView } from '../server/dispatch/plans.ts';
import { arrivalOf as lineArrivalOf, cancelledAt, receivedOf } from '../server/dispatch/arrival.ts';
import type { IncidentRow } from '../server/dispatch/incidents.ts';
import {
  arrivalAt,
  basicNeedsDeadline,
  basicNeedsLines,
  basicNeedsMet,
  FIRST_BATCH_HOURS,
  hoursBetween,
  lineMeetsBasicNeedsTarget,
  respondingLevel,
  type BasicNeedsLine,
} from '../server/relief/deadlines.ts';

// D16, D28: the 10-hour clock on plans and incidents.

const incidentOf = (plan: PlanView, ctx: Context) => must(ctx.loaders.incident.load(plan.incidentId));
/**
 * The order (调拨令) is the approval; a plan not yet approved is measured as if ordered now — one cancelled (or rejected)
 * before approval, when it was cancelled: a time that no longer moves with the clock (sweep 25c F7).
 */
const orderOf = (plan: PlanView, ctx: Context) => plan.row?.approvedAt ?? cancelledAt(plan) ?? ctx.clock.now().toJSDate();

type Line = PlanView['lines'][number];

/** D28: the line's arrival (server/dispatch/arrival.ts, the 调拨令's rule too). */
const arrivalOf = (plan: PlanView, l: Line, ctx: Context) => lineArrivalOf(plan, l, ctx.loaders, ctx.clock.now().toJSDate());

builder.objectFields(DispatchPlanLine, (t) => ({
  arrivesAt: t.field({
    type: 'DateTime',
    description:
      "D28: when the line arrives at its 安置点 — once received there, the receipt's time (occurredAt; received short with nothing more on its way, the last receipt); on its way, when it left (execution, or a 补发) plus etaHours; its shipment cancelled and nothing on its way, now plus etaHours (the earliest a 补发 could bring it; never met); before execution, now plus etaHours; its plan cancelled or rejected, nothing comes: the plan's cancellation time plus etaHours, fixed, never met (meetsBasicNeedsTarget and arrivesInFull false)",
    resolve: async (l, _a, ctx) => (await arrivalOf(l.plan, l, ctx)).at,
  }),
  hoursSinceIncident: t.float({
    description: "D28: hours from the disaster (the incident's occurredAt) to the line's arrivesAt",
    resolve: async (l, _a, ctx) => hoursBetween((await incidentOf(l.plan, ctx)).occurredAt, (await arrivalOf(l.plan, l, ctx)).at),
  }),
  meetsBasicNeedsTarget: t.boolean({
    description:
      "D16, D28: the line's whole quantity arrives (arrivesAt: received, or planned to) no later than the incident's occurredAt + 10 h — the clock runs from the disaster, not from the order",
    resolve: async (l, _a, ctx) => lineMeetsBasicNeedsTarget(await arrivalOf(l.plan, l, ctx), (await incidentOf(l.plan, ctx)).occurredAt),
  }),
  receivedQuantity: t.int({
    description: 'D28: how much of the line its 安置点 has received so far (the receipts there: transfers received, call-offs delivered); 0 before execution',
    resolve: (l, _a, ctx) => receivedOf(l.plan, l, ctx.loaders),
  }),
  arrivesInFull: t.boolean({
    description:
      "D28: all of the line's quantity has arrived or the rest is on its way (before execution: planned to); false once part of it will not come — received short, or its shipment cancelled — until a 补发 is on its way",
    resolve: async (l, _a, ctx) => (await arrivalOf(l.plan, l, ctx)).complete,
  }),
}));

const RespondingLevel = builder.enumType('RespondingLevel', { values: ['COUNTY', 'CITY', 'PROVINCE'] as const });

interface FirstBatch {
  plan: PlanView;
  destinationIdx: number;
  orderedAt: Date;
  dueAt: Date;
  arrivesAt: Date | null;
}

const FirstBatchLine = builder.objectRef<FirstBatch>('FirstBatchTarget').implement({
  description: "D16: a destination's first batch against the responding level's target, counted from the order",
  fields: (t) => ({
    destination: t.field({ type: DispatchDestination, resolve: (f) => f.plan.destinations[f.destinationIdx] }),
    orderedAt: t.field({ type: 'DateTime', resolve: (f) => f.orderedAt }),
    dueAt: t.field({ type: 'DateTime', resolve: (f) => f.dueAt }),
    arrivesAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        "The earliest line's arrivesAt (received: the receipt's time; else on its way or planned); null when nothing is planned or on its way (a cancelled shipment brings no first batch)",
      resolve: (f) => f.arrivesAt,
    }),
    met: t.boolean({ resolve: (f) => f.arrivesAt !== null && f.arrivesAt.getTime() <= f.dueAt.getTime() }),
  }),
});

builder.objectFields(DispatchPlan, (t) => ({
  basicNeedsDeadline: t.field({
    type: 'DateTime',
    description: "D28: the incident's occurredAt + 10 h",
    resolve: async (p, _a, ctx) => basicNeedsDeadline((await incidentOf(p, ctx)).occurredAt),
  }),
  meetsBasicNeedsTarget: t.boolean({
    description:
      "D28: nothing is short and every line meets its basic-needs target (arrivesAt, received or planned, no later than the incident's occurredAt + 10 h)",
    resolve: async (p, _a, ctx) => {
      const { occurredAt } = await incidentOf(p, ctx);
      if (p.shortages.length) return false;
      const arrivals = await Promise.all(p.lines.map((l) => arrivalOf(p, l, ctx)));
      return arrivals.every((a) => lineMeetsBasicNeedsTarget(a, occurredAt));
    },
  }),
  respondingLevel: t.field({
    type: RespondingLevel,
    description: "D16: from the incident's response level (Ⅳ county, Ⅲ city, Ⅱ/Ⅰ province), else where it happened",
    resolve: async (p, _a, ctx) => {
      const incident = await incidentOf(p, ctx);
      return respondingLevel(incident.responseLevel, incident.regionCode);
    },
  }),
  firstBatchTargetHours: t.float({
    description: 'D16: 6 h county, 8 h city, 10 h province, from the order',
    resolve: async (p, _a, ctx) => {
      const incident = await incidentOf(p, ctx);
      return FIRST_BATCH_HOURS[respondingLevel(incident.responseLevel, incident.regionCode)];
    },
  }),
  firstBatches: t.field({
    type: [FirstBatchLine],
    description:
      'D16: per destination, its first arrival against the first-batch target (flagged when missed); a cancelled or rejected plan brings none: arrivesAt null, met false, orderedAt its approval or else its cancellation',
    resolve: async (p, _a, ctx) => {
      const incident = await incidentOf(p, ctx);
      const hours = FIRST_BATCH_HOURS[respondingLevel(incident.responseLevel, incident.regionCode)];
      const orderedAt = orderOf(p, ctx);
      // D28: the lines' arrivals by the one rule (received: the receipt's time; else on its way or planned). A line
      // nothing of which arrived or is on its way (its shipment cancelled) brings no first batch.
      const arrivals = await Promise.all(p.lines.map(async (l) => ({ idx: l.destinationIdx, arrival: await arrivalOf(p, l, ctx) })));
      return p.destinations.map((d): FirstBatch => {
        const times = arrivals.filter((a) => a.idx === d.idx && a.arrival.arriving).map((a) => a.arrival.at.getTime());
        return {
          plan: p,
          destinationIdx: d.idx,
          orderedAt,
          dueAt: arrivalAt(orderedAt, hours),
          arrivesAt: times.length ? new Date(Math.min(...times)) : null,
        };
      });
    },
  }),
}));

const BasicNeedsLineType = builder.objectRef<BasicNeedsLine>('BasicNeedsLine').implement({
  description: 'D28: per 安置点 and item, requested against received there (by the 10-hour deadline and in all)',
  fields: (t) => ({
    store: t.field({ type: Store, resolve: (l, _a, ctx) => must(ctx.loaders.store.load(l.storeId)) }),
    item: t.field({ type: Item, resolve: (l, _a, ctx) => must(ctx.loaders.item.load(l.itemId)) }),
    requested: t.exposeInt('requested'),
    receivedByDeadline: t.exposeInt('receivedByDeadline'),
    received: t.exposeInt('received'),
    met: t.boolean({ resolve: (l) => l.receivedByDeadline >= l.requested }),
  }),
});

const needsOf = (i: IncidentRow, ctx: Context) => {
  assertIncidentFigures(ctx.user!, i);
  return basicNeedsLines(ctx.db, i.id, basicNeedsDeadline(i.occurredAt));
};

builder.objectFields(Incident, (t) => ({
  hoursSinceOccurred: t.float({
    description:
      'D28: hours since the disaster — for a closed incident, from the disaster to its closing (0 for one recorded as occurring within the minute of clock skew ahead)',
    resolve: (i, _a, ctx) => Math.max(0, hoursBetween(i.occurredAt, i.closedAt ?? ctx.clock.now().toJSDate())),
  }),
  basicNeedsDeadline: t.field({ type: 'DateTime', description: 'D16, D28: occurredAt + 10 h', resolve: (i) => basicNeedsDeadline(i.occurredAt) }),
  basicNeedsMet: t.boolean({
    description: 'D28: every requested quantity was received at its 安置点 within 10 h of the disaster',
    resolve: async (i, _a, ctx) => basicNeedsMet(await needsOf(i, ctx)),
  }),
  basicNeeds: t.field({ type: [BasicNeedsLineType], description: 'D28: per 安置点 and item', resolve: (i, _a, ctx) => needsOf(i, ctx) }),
}));

// ---- D29 发放到人: 安置点, relief standards, distributions to households

const headquarters = { roles: ['ADMIN', 'DISPATCHER'] as const };

builder.objectField(Store, 'incidentId', (t) =>
  t.exposeID('incidentId', { nullable: true, description: 'D29: a 安置点: the incident it serves (its managers distribute for it)' }),
);

builder.objectField(Store, 'capacity', (t) => t.exposeInt('capacityPersons', { nullable: true, description: 'D29: a 安置点: how many people it takes' }));

const ReliefStandard = builder.objectRef<ReliefStandardRow>('ReliefStandard').implement({
  description: 'D29 救助标准: per region and item, per person or per household (public policy: reference data)',
  fields: (t) => ({
    region: t.field({ type: Region, resolve: (s, _a, ctx) => must(ctx.loaders.region.load(s.regionCode)) }),
    item: t.field({ type: Item, resolve: (s, _a, ctx) => must(ctx.loaders.item.load(s.itemId)) }),
    perPerson: t.float({ nullable: true, resolve: (s) => (s.perPerson === null ? null : Number(s.perPerson)) }),
    perHousehold: t.exposeInt('perHousehold', { nullable: true }),
  }),
});

const Household = builder.objectRef<DistributionRow>('Household').implement({
  description: 'D29: who received a distribution — only what is needed; the ID number is stored masked',
  fields: (t) => ({
    headName: t.exposeString('headName'),
    size: t.exposeInt('householdSize'),
    idNumberMasked: t.exposeString('idNumberMasked', { nullable: true }),
    address: t.exposeString('address', { nullable: true }),
  }),
});

/**
 * D22, D29 (sweep 23b F5): a distribution as it stands — its issue's status (StockDocument.status). A correction is a
 * reversing entry, never an edit: a distribution entered in error stays on the record, marked REVERSED, with its 冲销单.
 */
const DistributionStatus = builder.enumType('DistributionStatus', {
  values: {
    POSTED: { description: 'Handed out, and stands (a reversal awaiting approval does not change it yet: D24)' },
    REVERSED: {
      description:
        'Reversed by an approved 冲销单 (reversedBy: its number, time, who, and reversalReason): what it recorded is back at the 安置点 and counts for no household',
    },
  } as const,
});

/** The status of a distribution: its issue's (a distribution posts at once, and only a reversal changes it). */
const statusOfDistribution = async (documentId: string, ctx: Context) =>
  (await must(ctx.loaders.document.load(documentId))).status === 'REVERSED' ? ('REVERSED' as const) : ('POSTED' as const);

/** The approved reversal (冲销单) of a reversed distribution; null while it stands. */
const reversalOfDistribution = async (documentId: string, ctx: Context) =>
  (await statusOfDistribution(documentId, ctx)) === 'REVERSED' ? ((await ctx.loaders.reversal.load(documentId)) ?? null) : null;

export const Distribution = builder.objectRef<DistributionRow>('Distribution').implement({
  description:
    "D29: a distribution to a household at a 安置点 (personal data: who may hand out there — the point's managers, and headquarters whose region covers the point and its incident; not auditors)",
  ...scopedType('distribution'),
  fields: (t) => ({
    id: t.exposeID('documentId'),
    number: t.string({
      description: 'The number of its issue (出库单)',
      resolve: async (d, _a, ctx) => (await must(ctx.loaders.document.load(d.documentId))).number,
    }),
    store: t.field({ type: Store, resolve: (d, _a, ctx) => must(ctx.loaders.store.load(d.storeId)) }),
    incident: t.field({ type: Incident, nullable: true, resolve: (d, _a, ctx) => ctx.loaders.incident.load(d.incidentId) }),
    household: t.field({ type: Household, resolve: (d) => d }),
    lines: t.field({
      type: [DocumentLine],
      description: 'D29: what the household received — quantity and value handed over, positive (the issue itself shows the stock change, negative)',
      resolve: async (d, _a, ctx) => (await ctx.loaders.documentLines.load(d.documentId)).map(handedOver),
    }),
    distributedBy: t.field({ type: User, resolve: (d, _a, ctx) => must(ctx.loaders.userAt.load({ id: d.distributedBy, at: d.distributedAt })) }),
    distributedAt: t.field({ type: 'DateTime', resolve: (d) => d.distributedAt }),
    signatureRef: t.exposeString('signatureRef', {
      nullable: true,
      description: 'D29: the number of the slip the head signed; one slip, one distribution of the incident (a reversed one frees it)',
    }),
    overrideReason: t.exposeString('overrideReason', { nullable: true }),
    status: t.field({
      type: DistributionStatus,
      description: 'D22 (sweep 23b F5): POSTED, or REVERSED once its 冲销 was approved — listed still, marked, never removed',
      resolve: (d, _a, ctx) => statusOfDistribution(d.documentId, ctx),
    }),
    reversedBy: t.field({
      type: StockDocument,
      nullable: true,
      description: 'D22: the 冲销单 that reversed it (number, occurredAt, actor, approval; its note is the reason); null while it stands',
      resolve: (d, _a, ctx) => reversalOfDistribution(d.documentId, ctx),
    }),
    reversalReason: t.string({
      nullable: true,
      description: 'D22: why it was reversed, as the reversal recorded it (reverseDocument reason); null while it stands',
      resolve: async (d, _a, ctx) => (await reversalOfDistribution(d.documentId, ctx))?.note ?? null,
    }),
  }),
});

const DistributionConnection = connectionType('Distribution', Distribution);

const TraceHousehold = builder.objectRef<TraceDistribution>('TraceDistribution').implement({
  description: 'D18, D29: where a batch ended — a household reached at a 安置点 (who it was only for roles that need it)',
  fields: (t) => ({
    store: t.field({ type: Store, resolve: (d, _a, ctx) => must(ctx.loaders.store.load(d.storeId)) }),
    distributedAt: t.field({ type: 'DateTime', resolve: (d) => d.distributedAt }),
    quantity: t.exposeInt('quantity'),
    householdSize: t.exposeInt('householdSize'),
    status: t.field({
      type: DistributionStatus,
      description: "D22 (sweep 23b F5): the distribution's status — a REVERSED one was recorded and then reversed: it reached no one",
      resolve: (d) => d.status,
    }),
    distribution: t.field({
      type: Distribution,
      nullable: true,
      description:
        "The distribution with its household; null for a reader who may not see the point's households (auditors; headquarters whose region does not cover the point's incident)",
      resolve: async (d, _a, ctx) => {
        const row = await getDistribution(ctx.db, d.documentId);
        return ctx.user && (await mayRead.distribution(ctx.user, row, policyLookups(ctx))) ? row : null;
      },
    }),
  }),
});

builder.objectFields(BatchTrace, (t) => ({
  distributions: t.field({
    type: [TraceHousehold],
    description:
      'D18: the trace ends at the households the batch reached; D22 (sweep 23b F5): a distribution reversed since is listed too, marked REVERSED (status) — it reached no one',
    resolve: (x, _a, ctx) => distributionsOfBatch(ctx.db, ctx.user!, x.batch.id),
  }),
  householdsReached: t.int({
    description: 'D18, D29: the households the batch reached — by distributions that stand (POSTED)',
    resolve: async (x, _a, ctx) =>
      new Set((await distributionsOfBatch(ctx.db, ctx.user!, x.batch.id)).filter((d) => d.status === 'POSTED').map((d) => `${d.storeId}|${d.householdKey}`))
        .size,
  }),
}));

builder.objectField(IncidentBalanceLine, 'households', (t) =>
  t.int({
    description: 'D29: households that received this item',
    resolve: async (b, _a, ctx) => (await householdsServed(ctx.db, b.incidentId)).byItem.get(b.itemId) ?? 0,
  }),
);

const SuggestedDemandLine = builder.objectRef<SuggestedDemand>('SuggestedDemandLine').implement({
  description: "D28, D29: a 安置点's share of the affected people × the relief standard — to accept or edit in requestDispatch",
  fields: (t) => ({
    store: t.field({ type: Store, resolve: (l, _a, ctx) => must(ctx.loaders.store.load(l.storeId)) }),
    item: t.field({ type: Item, resolve: (l, _a, ctx) => must(ctx.loaders.item.load(l.itemId)) }),
    people: t.exposeInt('people'),
    quantity: t.exposeInt('quantity'),
    perPerson: t.exposeFloat('perPerson', { nullable: true }),
    perHousehold: t.exposeInt('perHousehold', { nullable: true }),
  }),
});

builder.objectFields(Incident, (t) => ({
  closedAt: t.field({ type: 'DateTime', nullable: true, resolve: (i) => i.closedAt }),
  householdsServed: t.int({
    description: 'D29: distinct households that received relief',
    resolve: async (i, _a, ctx) => {
      assertIncidentFigures(ctx.user!, i);
      return (await householdsServed(ctx.db, i.id)).total;
    },
  }),
  suggestedDemand: t.field({
    type: [SuggestedDemandLine],
    description: 'D28, D29: per 安置点 (affected people shared by capacity) and item with a relief standard',
    resolve: (i, _a, ctx) => {
      assertIncidentFigures(ctx.user!, i);
      return suggestedDemand(ctx.db, i);
    },
  }),
}));

const DistributionPointInput = builder.inputType('DistributionPointInput', {
  fields: (t) => ({
    incidentId: t.id({ required: true }),
    name: t.string({ required: true }),
    regionCode: t.string({ required: true }),
    lat: t.float({ required: true }),
    lng: t.float({ required: true }),
    address: t.string(),
    capacity: t.int({ description: 'People it takes' }),
    managerIds: t.idList({ description: 'Keepers who manage it: they receive transfers and distribute there' }),
    idempotencyKey: t.string({
      description:
        'Optional (sweep 23c): the same key with the same input answers the 安置点 first opened (a retry after a lost answer is not refused as a second point of that name); with other input IDEMPOTENCY_CONFLICT',
    }),
  }),
});

const ReliefStandardInput = builder.inputType('ReliefStandardInput', {
  fields: (t) => ({
    regionCode: t.string({ required: true }),
    itemId: t.id({ required: true }),
    perPerson: t.float(),
    perHousehold: t.int(),
  }),
});

const HouseholdInput = builder.inputType('HouseholdInput', {
  fields: (t) => ({
    headName: t.string({ required: true }),
    size: t.int({ required: true }),
    idNumber: t.string({ description: 'Stored masked (first 6 and last 4 characters)' }),
    address: t.string(),
  }),
});

const DistributeLineInput = builder.inputType('DistributeLineInput', {
  fields: (t) => ({ itemId: t.id({ required: true }), quantity: t.int({ required: true }) }),
});

const DistributeReliefInput = builder.inputType('DistributeReliefInput', {
  fields: (t) => ({
    storeId: t.id({ required: true }),
    incidentId: t.id({ required: true }),
    household: t.field({ type: HouseholdInput, required: true }),
    lines: t.field({ type: [DistributeLineInput], required: true }),
    signatureRef: t.string({
      description: 'D29: the number of the receipt the head of household signed or thumb-printed (签收凭证号); the console requires it',
    }),
    overrideReason: t.string({
      description:
        'Required to give a household more than the standard, to record another size or head, or a household of more than 10 people. Shown to the command, auditors and the alert webhook: no names, ID numbers or health details (D29)',
    }),
    occurredAt: t.field({ type: 'DateTime' }),
    idempotencyKey: t.string({ required: true }),
  }),
});

const DistributionFilter = builder.inputType('DistributionFilter', {
  fields: (t) => ({
    incidentId: t.id(),
    storeId: t.id(),
    status: t.field({
      type: [DistributionStatus],
      description: 'Only distributions of these statuses (POSTED: those that stand); omitted or empty: all, reversed ones marked',
    }),
  }),
});

builder.queryFields((t) => ({
  reliefStandards: t.field({
    type: [ReliefStandard],
    authScopes: { authenticated: true },
    description:
      'D29: the standards set in a region and its subtree (each with its region), and those it inherits — per item the nearest above, which applies there unless the region sets its own; by item, then region code',
    args: { regionCode: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => listReliefStandards(serviceContext(ctx), args.regionCode),
  }),
  distributions: t.field({
    type: DistributionConnection,
    authScopes: { authenticated: true },
    description:
      "D29: distributions to households by incident and/or 安置点, newest first — D22 (sweep 23b F5): a reversed one is listed too, marked (status REVERSED, reversedBy, reversalReason), unless filter.status leaves it out; the point's managers and headquarters whose region covers the point and its incident — auditors none (personal data). A 安置点 whose households the reader may not see (its incident out of their region) is FORBIDDEN at filter.storeId, as its incident at filter.incidentId",
    args: { filter: t.arg({ type: DistributionFilter, required: true }), first: t.arg.int(), after: t.arg.string() },
    resolve: (_r, { filter, ...page }, ctx) =>
      listDistributions(
        serviceContext(ctx),
        { incidentId: idOrNull(filter.incidentId), storeId: idOrNull(filter.storeId), status: filter.status ?? null },
        page,
      ),
  }),
}));

builder.mutationFields((t) => ({
  openDistributionPoint: t.field({
    type: Store,
    authScopes: headquarters,
    description:
      'D29: opens a 安置点 (distribution point) of an open incident in a region in scope, with its managers (keepers); dispatchers and administrators',
    args: { input: t.arg({ type: DistributionPointInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      openDistributionPoint(serviceContext(ctx), { ...input, incidentId: String(input.incidentId), managerIds: input.managerIds?.map(String) }),
  }),
  upsertReliefStandard: t.field({
    type: ReliefStandard,
    authScopes: headquarters,
    description: 'D29: sets the relief standard of an item for a region in scope, per person or per household; dispatchers and administrators',
    args: { input: t.arg({ type: ReliefStandardInput, required: true }) },
    resolve: (_r, { input }, ctx) => upsertReliefStandard(serviceContext(ctx), { ...input, itemId: String(input.itemId) }),
  }),
  distributeRelief: t.field({
    type: Distribution,
    authScopes: { authenticated: true },
    description:
      "D29: hands stock at a 安置点 to a household, within the relief standard unless overrideReason; the point's managers or headquarters in scope (not auditors)",
    args: { input: t.arg({ type: DistributeReliefInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const posted = await postedDocument(
        ctx,
        distributeRelief(serviceContext(ctx), {
          ...input,
          storeId: String(input.storeId),
          incidentId: String(input.incidentId),
          lines: input.lines.map((l) => ({ ...l, itemId: String(l.itemId) })),
        }),
      );
      return getDistribution(ctx.db, posted.id);
    },
  }),
  closeIncident: t.field({
    type: Incident,
    authScopes: headquarters,
    description: 'D29: a closed incident takes no more 安置点 or distributions',
    args: { incidentId: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => closeIncident(serviceContext(ctx), String(args.incidentId)),
  }),
}));

// ---- D12, D30: what should come back and has not

/**
 * House style 5: the recoveryStores of every line a request reads, answered together (recoveryStoresOfLines) — one
 * loader per request and principal, as the scope of the stores listed is the reader's.
 */
const recoveryStoresOfRequest = new WeakMap<Context, ReturnType<typeof recoveryStoresLoader>>();
function recoveryStoresOf(ctx: Context) {
  let loader = recoveryStoresOfRequest.get(ctx);
  if (!loader) recoveryStoresOfRequest.set(ctx, (loader = recoveryStoresLoader(serviceContext(ctx))));
  return loader;
}

const OutstandingRecoveryLine = builder.objectRef<OutstandingRecovery>('OutstandingRecoveryLine').implement({
  description: 'D12, D30: stock D12 says comes back (always, or tents within 6 / 12 months of use) that has not come back',
  fields: (t) => ({
    incident: t.field({ type: Incident, resolve: (l, _a, ctx) => must(ctx.loaders.incident.load(l.incidentId)) }),
    store: t.field({ type: Store, description: 'The 安置点 it went to', resolve: (l, _a, ctx) => must(ctx.loaders.store.load(l.storeId)) }),
    item: t.field({ type: Item, resolve: (l, _a, ctx) => must(ctx.loaders.item.load(l.itemId)) }),
    batch: t.field({ type: Batch, resolve: (l, _a, ctx) => must(ctx.loaders.batch.load(l.batchId)) }),
    shippedFrom: t.field({
      type: Store,
      nullable: true,
      description: 'D30: the store it reached the 安置点 from — where recoverIncidentStock books its good stock without a toStoreId; null: none',
      resolve: (l, _a, ctx) => (l.shippedFrom ? must(ctx.loaders.store.load(l.shippedFrom)) : null),
    }),
    recoveryStores: t.field({
      type: [Store],
      description:
        "D3, D23–D25, D30: the stores recoverIncidentStock takes as toStoreId for this line's good stock, of those the user may post at — the store it came from first, its government owner's, or, once its debt is settled, the owing region's (empty for an auditor)",
      resolve: (l, _a, ctx) => recoveryStoresOf(ctx).load({ incidentId: l.incidentId, batchId: l.batchId, shippedFrom: l.shippedFrom }),
    }),
    received: t.exposeInt('received'),
    returned: t.exposeInt('returned', {
      description: 'D30: came back — good stock booked back into a store (recoverIncidentStock), or moved out of the 安置点 by a transfer that stands',
    }),
    scrapped: t.exposeInt('scrapped', { description: 'D30: counted damaged and scrapped on approval (D27)' }),
    lost: t.exposeInt('lost', {
      description: 'D30: counted lost — at the 安置点 or at households — and written off on approval (D27), or a stocktake loss at the 安置点',
    }),
    pending: t.exposeInt('pending', {
      description: 'D27, D30: counted damaged or lost (a scrap or write-off at the point) and awaiting approval — accounted for, not outstanding',
    }),
    outstanding: t.exposeInt('outstanding', { description: 'received − returned − scrapped − lost − pending' }),
    withHouseholds: t.exposeInt('withHouseholds', {
      description:
        'Of outstanding, what households received at the 安置点 and have not accounted for: to be counted with fromHouseholds in recoverIncidentStock (D30)',
    }),
    rule: t.string({
      description: 'ALWAYS, or WITHIN_MONTHS:n',
      resolve: (l) => (l.rule.kind === 'WITHIN_MONTHS' ? `WITHIN_MONTHS:${l.rule.months}` : l.rule.kind),
    }),
    arrivedAt: t.field({ type: 'DateTime', resolve: (l) => l.arrivedAt }),
  }),
});

builder.queryField('outstandingRecovery', (t) =>
  t.field({
    type: [OutstandingRecoveryLine],
    // Public equipment not yet back is what an auditor checks (no personal data here); recovering it is headquarters'.
    authScopes: { roles: ['ADMIN', 'DISPATCHER', 'AUDITOR'] },
    description:
      'D12, D30: per 安置点 and batch of an incident, what should come back and has not (what households received is still owed back); dispatchers, administrators and auditors whose region covers it',
    args: { incidentId: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => outstandingRecovery(serviceContext(ctx), String(args.incidentId)),
  }),
);
