import { decodeJwt } from 'jose';
import { builder } from './builder.ts';
import { must, postedDocument, serviceContext } from './resolve.ts';
import { connectionType } from './connection.ts';
import { Item } from './catalog.ts';
import { Region } from './regions.ts';
import { LatLng, LatLngInput } from './scalars.ts';
import { Organization, Store } from './stores.ts';
import { User } from './users.ts';
import { Batch, StockDocument, Transfer } from './inventory.ts';
import { Agreement } from './reserves.ts';
import { Approval } from './authority.ts';
import {
  createIncident,
  getIncident,
  incidentBalance,
  listIncidents,
  setTravelTime,
  type IncidentItemBalance,
  type IncidentRow,
} from '../server/dispatch/incidents.ts';
import {
  approveDispatchPlan,
  cancelDispatchPlan,
  getPlanInScope,
  overdueApprovals,
  plannedLines,
  recordWrittenApproval,
  requestWrittenApproval,
  writtenApprovalOf,
  shortageReason,
  requestDispatch,
  suggestDispatchPlan,
  type PlanView,
} from '../server/dispatch/plans.ts';
import { cancelCallOff, confirmCallOffDelivery, executeDispatchPlan } from '../server/dispatch/execution.ts';
import { recoverByCondition } from '../server/relief/recovery.ts';
import { withoutNulls } from '../server/validation.ts';
import { planStatusForSession, type PlanStatusSubscriber } from '../server/dispatch/events.ts';
import { replenishmentsOwed, type CallOffRow, type ReplenishmentRow } from '../server/dispatch/queries.ts';
import { forbidden, unauthenticated } from '../server/errors.ts';
import { policyLookups, scopedType } from './scope.ts';
import { planNumber } from '../server/paperwork/print/plan.ts';
import { assertIncidentFigures, mayRead, mayShowPlanLineBatch, readsIncidentAsReference, reserveHolderOf } from '../server/auth/policy.ts';
import { authenticate } from '../server/users/service.ts';
import type { Principal } from '../server/auth/principal.ts';
import type { Context } from '../server/context.ts';

const headquarters = { roles: ['ADMIN', 'DISPATCHER'] as const };

export const IncidentType = builder.enumType('IncidentType', { values: ['FLOOD', 'EARTHQUAKE', 'FOREST_FIRE', 'MINE_ACCIDENT', 'FIRE', 'OTHER'] as const });
export const DispatchPlanStatus = builder.enumType('DispatchPlanStatus', { values: ['PROPOSED', 'APPROVED', 'EXECUTING', 'COMPLETED', 'CANCELLED'] as const });
const DispatchSourceKind = builder.enumType('DispatchSourceKind', { values: ['STORE', 'AGREEMENT', 'CAPACITY'] as const });

export const Incident = builder.objectRef<IncidentRow>('Incident');

type PlanLine = PlanView['lines'][number];
type Destination = PlanView['destinations'][number];

export const DispatchDestination = builder.objectRef<Destination>('DispatchDestination').implement({
  description: 'A destination (安置点) of a dispatch',
  fields: (t) => ({
    index: t.exposeInt('idx'),
    name: t.exposeString('name'),
    regionCode: t.exposeString('regionCode'),
    region: t.field({ type: Region, resolve: (d, _a, ctx) => must(ctx.loaders.region.load(d.regionCode)) }),
    location: t.field({ type: LatLng, resolve: (d) => ({ lat: d.lat, lng: d.lng }) }),
    store: t.field({
      type: Store,
      nullable: true,
      description: 'The receiving store: given, or the distribution point created for the request',
      resolve: (d, _a, ctx) => (d.storeId ? ctx.loaders.store.load(d.storeId) : null),
    }),
  }),
});

const DispatchSource = builder.objectRef<PlanLine>('DispatchSource').implement({
  description: 'Where a plan line comes from: a store (with batch), or an agreement / capacity reserve',
  fields: (t) => ({
    kind: t.field({ type: DispatchSourceKind, resolve: (l) => l.sourceKind }),
    name: t.string({
      resolve: async (l, _a, ctx) =>
        l.storeId
          ? (await must(ctx.loaders.store.load(l.storeId))).name
          : (await must(ctx.loaders.organization.load((await reserveHolder(ctx, l.agreementId!)).companyOrgId))).name,
    }),
    region: t.field({
      type: Region,
      description: "D25: the region whose reserve it is — its store's, or its agreement's (another region's is used with its consent)",
      resolve: async (l, _a, ctx) => must(ctx.loaders.region.load(await sourceRegionOf(l, ctx))),
    }),
    store: t.field({ type: Store, nullable: true, resolve: (l, _a, ctx) => (l.storeId ? ctx.loaders.store.load(l.storeId) : null) }),
    batch: t.field({
      type: Batch,
      nullable: true,
      description:
        "The source batch; null for an agreement reserve, and for a 联储 partner's or another jurisdiction's store (D20: `store` names it; quantity, no batch)",
      resolve: (l, _a, ctx) => lineBatch(l, ctx),
    }),
    agreement: t.field({
      type: Agreement,
      nullable: true,
      description: "The agreement (null with FORBIDDEN when it is another region's: its company is `name`, its region `region`)",
      resolve: (l, _a, ctx) => (l.agreementId ? ctx.loaders.agreement.load(l.agreementId) : null),
    }),
  }),
});

/** A plan's reader sees who holds the agreement reserve a line or call-off uses, whichever region's (reserveHolderOf). */
const reserveHolder = async (ctx: Context, agreementId: string) => reserveHolderOf(await must(ctx.loaders.agreement.load(agreementId)));

async function sourceRegionOf(l: PlanLine, ctx: Context): Promise<string> {
  return l.storeId ? (await must(ctx.loaders.store.load(l.storeId))).regionCode : (await reserveHolder(ctx, l.agreementId!)).regionCode;
}

/**
 * D20, D25: the batch a plan line shows this reader (the policy's mayShowPlanLineBatch): null where its store's stock is
 * not theirs to see — a 联储 partner's or another jurisdiction's store (sweep 12b F3: not "a batch they once held").
 */
async function lineBatch(l: PlanLine, ctx: Context) {
  if (!ctx.user) throw unauthenticated(ctx.sessionRefused);
  return l.batchId && (await mayShowPlanLineBatch(ctx.user, l, policyLookups(ctx))) ? ctx.loaders.batch.load(l.batchId) : null;
}

const destinationOf = (plan: PlanView, idx: number) => plan.destinations[idx];

export const DispatchPlanLine = builder.objectRef<PlanLine & { plan: PlanView }>('DispatchPlanLine').implement({
  fields: (t) => ({
    destination: t.field({ type: DispatchDestination, resolve: (l) => destinationOf(l.plan, l.destinationIdx) }),
    item: t.field({ type: Item, resolve: (l, _a, ctx) => must(ctx.loaders.item.load(l.itemId)) }),
    source: t.field({ type: DispatchSource, resolve: (l) => l }),
    store: t.field({ type: Store, nullable: true, resolve: (l, _a, ctx) => (l.storeId ? ctx.loaders.store.load(l.storeId) : null) }),
    batch: t.field({
      type: Batch,
      nullable: true,
      description:
        "Set when the source is a store whose stock the user may see; null for a 联储 partner's or another jurisdiction's store (D20: `store` names it; quantity, no batch)",
      resolve: (l, _a, ctx) => lineBatch(l, ctx),
    }),
    // D20 (finding H2): the batch number is part of the batch — shown exactly where `batch` is (lineBatch, the policy's
    // mayShowPlanLineBatch), as the printed 调拨令 prints it; another jurisdiction's store's line shows quantity, no batch.
    batchNo: t.field({
      type: 'String',
      nullable: true,
      description:
        "The source batch's number, as the 调拨令 prints it: null where `batch` is — an agreement reserve, or a 联储 partner's or another jurisdiction's store (D20)",
      resolve: async (l, _a, ctx) => (await lineBatch(l, ctx))?.batchNo ?? null,
    }),
    quantity: t.exposeInt('quantity'),
    distanceKm: t.exposeFloat('distanceKm'),
    etaHours: t.exposeFloat('etaHours'),
    meetsDeadline: t.exposeBoolean('meetsDeadline', {
      description:
        "D16, measured from the order: the line's planned etaHours (hours from dispatch to arrival) is within the plan's deadlineHours (default 10). A planning figure, fixed when the plan is made; not the disaster's clock — for arrival by the incident's occurredAt + 10 h (D28) read meetsBasicNeedsTarget",
    }),
    tier: t.exposeString('tier', { description: 'LOCAL, UPPER, NEIGHBOUR, AGREEMENT, CAPACITY' }),
    reason: t.exposeString('reason'),
    transfer: t.field({ type: Transfer, nullable: true, resolve: (l, _a, ctx) => (l.transferId ? ctx.loaders.transfer.load(l.transferId) : null) }),
    needsConsent: t.exposeBoolean('needsConsent', {
      description:
        "D25: stock or an agreement reserve of another jurisdiction outside any 联储 agreement, or the part of a 联储 partner's beyond what the agreement still covers (the line is split there: the covered part is a line of its own, with jointAgreementId) — used only once that jurisdiction consents",
    }),
    consent: t.exposeString('consent', {
      nullable: true,
      description:
        'PENDING, APPROVED or REJECTED (refused by the jurisdiction asked: not planned) where consent is needed; WITHDRAWN when the request was closed with its plan (cancelled, or rejected by its approver) before that jurisdiction answered — not a refusal: the line stays counted as the plan was put to the approver (sweep 25c F2, D25)',
    }),
    jointAgreementId: t.exposeID('jointAgreementId', { nullable: true, description: 'D25: the 联储 agreement this line uses' }),
  }),
});

const Shortage = builder.objectRef<PlanView['shortages'][number] & { plan: PlanView }>('Shortage').implement({
  description: 'Demand the plan cannot meet: explicit, never silent',
  fields: (t) => ({
    destination: t.field({ type: DispatchDestination, resolve: (s) => destinationOf(s.plan, s.destinationIdx) }),
    item: t.field({ type: Item, resolve: (s, _a, ctx) => must(ctx.loaders.item.load(s.itemId)) }),
    requested: t.exposeInt('requested'),
    planned: t.exposeInt('planned'),
    missing: t.exposeInt('missing'),
    reason: t.string({
      nullable: true,
      description:
        "D25: why stock that exists is not in the plan — another jurisdiction's stock other approved plans have asked for, awaiting its consent (neither reserved nor offered again; given by suggestDispatchPlan and requestDispatch), or a consent refused: the region that refused and how much, with its stated reason for a reader who may read that approval",
      resolve: async (s, _a, ctx) => shortageReason(s, async (r) => mayRead.approval(ctx.user!, r, policyLookups(ctx))),
    }),
  }),
});

const CallOff = builder.objectRef<CallOffRow>('CallOff').implement({
  description: 'D17: a call-off order to an agreement company, or a production order to a capacity holder',
  fields: (t) => ({
    id: t.exposeID('id'),
    agreement: t.field({
      type: Agreement,
      nullable: true,
      description: "The agreement called off (null with FORBIDDEN when it is another region's: see company and region)",
      resolve: (c, _a, ctx) => must(ctx.loaders.agreement.load(c.agreementId)),
    }),
    company: t.field({
      type: Organization,
      description: 'D25: the company whose reserve is called off, whichever region holds the agreement',
      resolve: async (c, _a, ctx) => must(ctx.loaders.organization.load((await reserveHolder(ctx, c.agreementId)).companyOrgId)),
    }),
    region: t.field({
      type: Region,
      description: "D25: the agreement's region — whose reserve it is, whose consent it needed and to whom a settlement is owed",
      resolve: async (c, _a, ctx) => must(ctx.loaders.region.load((await reserveHolder(ctx, c.agreementId)).regionCode)),
    }),
    item: t.field({ type: Item, resolve: (c, _a, ctx) => must(ctx.loaders.item.load(c.itemId)) }),
    quantity: t.exposeInt('quantity', { description: 'What was called off (ordered)' }),
    status: t.exposeString('status', { description: 'ISSUED, DELIVERED or CANCELLED' }),
    issuedAt: t.field({ type: 'DateTime', resolve: (c) => c.issuedAt }),
    deliveredAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.deliveredAt }),
    deliveredQuantity: t.exposeInt('deliveredQuantity', {
      nullable: true,
      description: 'D17: what the company delivered and was booked (≤ quantity; the rest was released); null until delivered',
    }),
    cancelledAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.cancelledAt }),
    cancelReason: t.exposeString('cancelReason', { nullable: true, description: 'Why the call-off was cancelled before delivery (cancelCallOff)' }),
  }),
});

export const DispatchPlan = builder.objectRef<PlanView>('DispatchPlan').implement({
  ...scopedType('plan'),
  fields: (t) => ({
    id: t.id({ nullable: true, resolve: (p) => p.id, description: 'null for suggestDispatchPlan' }),
    number: t.string({
      nullable: true,
      description:
        "The 调拨令's number (DL-, the China date it was requested, the first 8 characters of its id), as its print, the journal and the API's messages name it; null for suggestDispatchPlan",
      resolve: (p) => (p.row ? planNumber(p.row.id, p.row.requestedAt) : null),
    }),
    status: t.field({ type: DispatchPlanStatus, resolve: (p) => p.status }),
    incident: t.field({ type: Incident, resolve: (p, _a, ctx) => must(ctx.loaders.incident.load(p.incidentId)) }),
    deadlineHours: t.exposeFloat('deadlineHours', {
      description: "Hours from the order (default 10) that meetsDeadline measures each line's etaHours against (D16)",
    }),
    destinations: t.field({ type: [DispatchDestination], resolve: (p) => p.destinations }),
    lines: t.field({ type: [DispatchPlanLine], resolve: (p) => p.lines.map((l) => ({ ...l, plan: p })) }),
    shortages: t.field({ type: [Shortage], resolve: (p) => p.shortages.map((s) => ({ ...s, plan: p })) }),
    // D25: lines whose jurisdiction refused its consent are not planned (plannedLines); its shortages show them missing.
    totalQuantity: t.int({ resolve: (p) => plannedLines(p.lines).reduce((s, l) => s + l.quantity, 0) }),
    maxEtaHours: t.float({ resolve: (p) => plannedLines(p.lines).reduce((m, l) => Math.max(m, l.etaHours), 0) }),
    meetsDeadline: t.boolean({
      description:
        "D16, measured from the order: nothing is short and every planned line's meetsDeadline holds (etaHours within deadlineHours). A planning figure; not the disaster's clock — for arrival by the incident's occurredAt + 10 h (D28) read meetsBasicNeedsTarget",
      resolve: (p) => plannedLines(p.lines).every((l) => l.meetsDeadline) && p.shortages.length === 0,
    }),
    emergency: t.boolean({ resolve: (p) => p.row?.emergency ?? false }),
    requestedBy: t.field({
      type: User,
      nullable: true,
      resolve: (p, _a, ctx) => (p.row ? ctx.loaders.userAt.load({ id: p.row.requestedBy, at: p.row.requestedAt }) : null),
    }),
    requestedAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.row?.requestedAt ?? null }),
    approvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.row?.approvedAt ?? null }),
    approvedBy: t.field({
      type: User,
      nullable: true,
      resolve: (p, _a, ctx) => (p.row?.approvedBy && p.row.approvedAt ? ctx.loaders.userAt.load({ id: p.row.approvedBy, at: p.row.approvedAt }) : null),
    }),
    cancelledAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.row?.cancelledAt ?? null }),
    cancelReason: t.string({
      nullable: true,
      description: 'Why the plan was cancelled (cancelDispatchPlan), rejected (审批驳回：…) or closed short while executing',
      resolve: (p) => p.row?.cancelReason ?? null,
    }),
    approvalDueAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'D14: for an emergency approval, when the written approval is due: execution time + 48 h (null until executed)',
      resolve: (p) => p.row?.approvalDueAt ?? null,
    }),
    writtenApprovalRef: t.string({ nullable: true, resolve: (p) => p.row?.writtenApprovalRef ?? null }),
    writtenApprovedAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.row?.writtenApprovedAt ?? null }),
    writtenApproval: t.field({
      type: Approval,
      nullable: true,
      description: "D14: an emergency plan's latest written-approval item: PENDING, APPROVED, or REJECTED with its reason (then requestWrittenApproval)",
      resolve: (p, _a, ctx) => (p.id && p.row?.emergency ? writtenApprovalOf(ctx.db, p.id) : null),
    }),
    executedAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.row?.executedAt ?? null }),
    completedAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.row?.completedAt ?? null }),
    callOffs: t.field({ type: [CallOff], resolve: (p, _a, ctx) => (p.id ? ctx.loaders.planCallOffs.load(p.id) : []) }),
    transfers: t.field({
      type: [Transfer],
      description:
        "D14, D27, D28: the plan's shipments (调拨单) in the order shipped — those its execution sent (each line's `transfer`) and every 补发 citing it (shipTransfer with dispatchPlanId), whatever their status; those the reader may read (the policy's transfer scope: either side); empty before execution and for suggestDispatchPlan",
      // Sweep 19a F1: a 补发 is no line's `transfer`, so a list built from the lines never showed it — it could be neither
      // received nor cancelled where the plan is followed. Filtered as incident.plans is: one element out of the
      // reader's scope would refuse the whole list (and the plan with it).
      resolve: async (p, _a, ctx) => {
        if (!p.id) return [];
        const rows = await ctx.loaders.planTransfers.load(p.id);
        const look = policyLookups(ctx);
        const readable = await Promise.all(rows.map((r) => mayRead.transfer(ctx.user!, r, look)));
        return rows.filter((_r, k) => readable[k]);
      },
    }),
  }),
});

export const IncidentBalanceLine = builder.objectRef<IncidentItemBalance>('IncidentBalanceLine').implement({
  description:
    "D12, D18, D27, D30 (sweep 20c F3): per item, the incident's 物资收支, each row adding up three ways — shipped = received + inTransit + lostInTransit + cancelled; received + otherIn + returnedByHouseholds − distributed − recovered − scrapped − writtenOff − otherOut = atPoints; distributed − returnedByHouseholds − lostAtHouseholds = withHouseholds",
  fields: (t) => ({
    item: t.field({ type: Item, resolve: (b, _a, ctx) => must(ctx.loaders.item.load(b.itemId)) }),
    requested: t.exposeInt('requested'),
    planned: t.exposeInt('planned'),
    shipped: t.exposeInt('shipped', {
      description:
        "What the incident's plans sent to its 安置点: every shipment citing a plan (补发 included), as shipped, and each call-off's quantity called off — = received + inTransit + lostInTransit + cancelled",
    }),
    cancelled: t.exposeInt('cancelled', {
      description:
        'Of shipped: shipments cancelled back to their store (cancelTransfer), and call-offs cancelled or the rest released by a part delivery (D17)',
    }),
    lostInTransit: t.exposeInt('lostInTransit', { description: 'Of shipped: lost in transit and written off on approval (D27)' }),
    inTransit: t.exposeInt('inTransit', {
      description:
        'Of shipped: still on its way — shipped and neither received, written off nor cancelled (as TransferLine.inTransit), and call-offs not yet delivered',
    }),
    pendingWriteOff: t.exposeInt('pendingWriteOff', {
      description: 'Of inTransit: declared short on receipt and awaiting its write-off approval (D27; TransferLine.pendingWriteOff)',
    }),
    received: t.exposeInt('received', { description: "Received at the incident's 安置点 of what its plans shipped (and call-offs delivered)" }),
    otherIn: t.exposeInt('otherIn', {
      description: "Came onto the 安置点's books otherwise: a transfer or receipt not under the plans, a stocktake gain",
    }),
    returnedByHouseholds: t.exposeInt('returnedByHouseholds', {
      description: 'D30: handed back by households, good or damaged — received back at the 安置点 (then recovered or scrapped with the rest)',
    }),
    distributed: t.exposeInt('distributed', { description: "D29: handed out at the incident's 安置点 (the distributions that stand)" }),
    distributedReversed: t.exposeInt('distributedReversed', {
      description:
        "D22, D29 (sweep 23b F5): handed out at the incident's 安置点 and then reversed by an approved 冲销单 (Distribution.status REVERSED) — in none of the sums: distributed and the rest count what stands",
    }),
    distributionsReversed: t.exposeInt('distributionsReversed', {
      description: 'D22, D29 (sweep 23b F5): the reversed distributions (their 出库单) that carried this item',
    }),
    recovered: t.exposeInt('recovered', {
      description: 'D12, D30: good stock booked back from the 安置点 into a store (what households handed back included)',
    }),
    scrapped: t.exposeInt('scrapped', { description: 'D30: counted damaged at a 安置点 and scrapped on approval (D27)' }),
    writtenOff: t.exposeInt('writtenOff', { description: 'D30: counted lost at a 安置点 and written off on approval (D27)' }),
    otherOut: t.exposeInt('otherOut', { description: 'Left the 安置点 otherwise: a transfer out (net of its cancellation), a stocktake loss' }),
    atPoints: t.exposeInt('atPoints', {
      description: "Still at the incident's 安置点 = received + otherIn + returnedByHouseholds − distributed − recovered − scrapped − writtenOff − otherOut",
    }),
    pendingAtPoints: t.exposeInt('pendingAtPoints', {
      description: 'Of atPoints: counted damaged or lost and awaiting its scrap or write-off approval (D27; rejected, it is simply there)',
    }),
    lostAtHouseholds: t.exposeInt('lostAtHouseholds', { description: 'D30: lost at households and written off on approval (D27)' }),
    withHouseholds: t.exposeInt('withHouseholds', {
      description: 'Still with households = distributed − returnedByHouseholds − lostAtHouseholds (consumed items for good)',
    }),
    pendingLostAtHouseholds: t.exposeInt('pendingLostAtHouseholds', {
      description: 'Of withHouseholds: counted lost at households and awaiting its write-off approval (D27)',
    }),
    issuedFromStores: t.exposeInt('issuedFromStores', {
      description: 'Issued for the incident straight from a reserve store (an issue citing it), not through a 安置点 — in none of the sums above',
    }),
  }),
});

Incident.implement({
  ...scopedType('incident'),
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    type: t.expose('type', { type: IncidentType }),
    occurredAt: t.field({ type: 'DateTime', resolve: (i) => i.occurredAt }),
    region: t.field({ type: Region, resolve: (i, _a, ctx) => must(ctx.loaders.region.load(i.regionCode)) }),
    location: t.field({ type: LatLng, resolve: (i) => ({ lat: i.lat, lng: i.lng }) }),
    affectedPopulation: t.exposeInt('affectedPopulation', { nullable: true }),
    responseLevel: t.exposeInt('responseLevel', { nullable: true, description: '1–4 for response levels Ⅰ–Ⅳ' }),
    referenceOnly: t.boolean({
      description:
        "Read as reference data only (policy readsIncidentAsReference): by a keeper, or by one whose region lies inside the incident's (sweep 21b F5) — no plans, figures or steps on it; those are its region's command's",
      resolve: (i, _a, ctx) => readsIncidentAsReference(ctx.user!, i),
    }),
    plans: t.field({
      type: [DispatchPlan],
      description:
        "Its requests and their plans — those the user may read (a keeper, or one whose region lies inside the incident's, who reads the incident as reference data, reads no plan)",
      // A list of the incident's plans shows those in scope (the policy's mayRead.plan), as a root list would: refusing
      // one element refused the whole list, and with it the incident a keeper may read.
      resolve: async (i, _a, ctx) => {
        const plans = await ctx.loaders.incidentPlans.load(i.id);
        const look = policyLookups(ctx);
        const readable = await Promise.all(plans.map((p) => mayRead.plan(ctx.user!, p, look)));
        return plans.filter((_p, k) => readable[k]);
      },
    }),
    balance: t.field({
      type: [IncidentBalanceLine],
      resolve: (i, _a, ctx) => {
        assertIncidentFigures(ctx.user!, i);
        return incidentBalance(ctx.db, i.id);
      },
    }),
  }),
});

const IncidentConnection = connectionType('Incident', Incident);

const Replenishment = builder.objectRef<ReplenishmentRow>('Replenishment').implement({
  description: 'D15: stock a higher level took from a lower level, owed back to it',
  fields: (t) => ({
    id: t.exposeID('id'),
    store: t.field({ type: Store, resolve: (r, _a, ctx) => must(ctx.loaders.store.load(r.storeId)) }),
    item: t.field({ type: Item, resolve: (r, _a, ctx) => must(ctx.loaders.item.load(r.itemId)) }),
    quantity: t.exposeInt('quantity'),
    planId: t.id({ resolve: (r) => r.planId! }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    settledAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.settledAt }),
  }),
});

const IncidentInput = builder.inputType('IncidentInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    type: t.field({ type: IncidentType, required: true }),
    occurredAt: t.field({ type: 'DateTime' }),
    regionCode: t.string({ required: true }),
    location: t.field({ type: LatLngInput, required: true }),
    affectedPopulation: t.int(),
    responseLevel: t.int(),
    idempotencyKey: t.string({
      description:
        'Optional (sweep 23c F3): the same key with the same input answers the incident first created (a retry after a lost answer creates no second one); with other input IDEMPOTENCY_CONFLICT',
    }),
  }),
});

const DispatchLineInput = builder.inputType('DispatchLineInput', {
  fields: (t) => ({ itemId: t.id({ required: true }), quantity: t.int({ required: true }) }),
});

const DispatchDestinationInput = builder.inputType('DispatchDestinationInput', {
  fields: (t) => ({
    // D14, D29 (sweep 20a F3): required unless storeId names one of the incident's 安置点, which brings its own.
    name: t.string({ description: "The 安置点's name; may be omitted with storeId (the 安置点's own)" }),
    regionCode: t.string({ description: "Its region; may be omitted with storeId (the 安置点's own)" }),
    lat: t.float({ description: "Its position; may be omitted with storeId (the 安置点's own; typed, it is checked against it)" }),
    lng: t.float({ description: "Its position; may be omitted with storeId (the 安置点's own)" }),
    storeId: t.id({
      description:
        "D14, D29: one of this incident's 安置点 (distribution points); omit to name one by `name` — the incident's point of that name, or a new one created with the request. Another incident's point or an ordinary store is refused (stock moves between stores by an outbound order, D23)",
    }),
    contact: t.string(),
    lines: t.field({ type: [DispatchLineInput], required: true }),
  }),
});

const DispatchRequestInput = builder.inputType('DispatchRequestInput', {
  fields: (t) => ({
    incidentId: t.id({ required: true }),
    deadlineHours: t.float({ defaultValue: 10, description: 'D16: basic needs within 10 hours by default (null also means 10)' }),
    destinations: t.field({ type: [DispatchDestinationInput], required: true }),
  }),
});

const CallOffDeliveryInput = builder.inputType('CallOffDeliveryInput', {
  fields: (t) => ({
    callOffId: t.id({ required: true }),
    quantity: t.int({ description: 'D17: what the company delivered, if less than called off (the rest is released); omitted: all of it' }),
    batchNo: t.string(),
    productionDate: t.field({ type: 'Date' }),
    expiryDate: t.field({ type: 'Date' }),
    unitPrice: t.field({ type: 'Money' }),
    idempotencyKey: t.string({ required: true }),
  }),
});

const RecoveryLineInput = builder.inputType('RecoveryLineInput', {
  description: 'D30: per batch, what came back good, damaged or lost',
  fields: (t) => ({
    batchId: t.id({ required: true }),
    storeId: t.id({ description: "The 安置点 where it was counted; without it, the batch is counted over the plan's 安置点 in destination order" }),
    good: t.int(),
    damaged: t.int(),
    lost: t.int(),
    fromHouseholds: t.boolean({
      description:
        'D12, D30: the line counts pieces the 安置点 handed to households (up to what they received there and have not accounted for): good and damaged ones are received back at the point (入库单, 来源 回收) and go on as the rest; lost ones are written off pending approval (D27) without coming back onto the books — the issue already took them off',
    }),
  }),
});

const RecoveryInput = builder.inputType('RecoveryInput', {
  fields: (t) => ({
    planId: t.id({ required: true }),
    toStoreId: t.id({
      description:
        "D23, D24, D30: where good recovered items are booked; defaults to the store each batch was shipped from. Another store only if it is a reserve store of the batch owner's region (or, once the batch's settlement is settled, of the owing side's); else BAD_USER_INPUT",
    }),
    lines: t.field({ type: [RecoveryLineInput], description: 'D30: recovery by condition' }),
    idempotencyKey: t.string({ required: true }),
  }),
});

const requestOf = (input: { incidentId: string | number; destinations: { storeId?: string | number | null }[] }) => ({
  ...input,
  incidentId: String(input.incidentId),
  destinations: input.destinations.map((d) => ({
    ...d,
    storeId: d.storeId ? String(d.storeId) : null,
    lines: (d as { lines: { itemId: string | number }[] }).lines.map((l) => ({ ...l, itemId: String(l.itemId) })),
  })),
});

builder.queryFields((t) => ({
  incidents: t.field({
    type: IncidentConnection,
    authScopes: { authenticated: true },
    description:
      'Incidents in scope, optionally in a region subtree, newest first; as reference data, keepers see those their stores serve or lie in, and others those whose region contains theirs (sweep 21b F5)',
    args: { regionCode: t.arg.string(), first: t.arg.int(), after: t.arg.string() },
    resolve: (_r, args, ctx) => listIncidents(serviceContext(ctx), args.regionCode, args),
  }),
  incident: t.field({
    type: Incident,
    nullable: true,
    authScopes: { authenticated: true },
    description:
      'An incident by id; for those whose region covers it, and as reference data (referenceOnly: no figures, no plans) for keepers whose stores serve it or lie in its area and for those whose region lies inside its region',
    args: { id: t.arg.id({ required: true }) },
    // Policy mayRead.incident: a keeper reads their 安置点's and county's incidents as reference data (D23, D29), and so does
    // one whose region lies inside the incident's (sweep 21b F5: a township's dispatcher, the county's flood).
    resolve: async (_r, args, ctx) => {
      const row = await getIncident(ctx.db, String(args.id));
      if (!(await mayRead.incident(ctx.user!, row, policyLookups(ctx)))) throw forbidden('该事件', 'id');
      return row;
    },
  }),
  suggestDispatchPlan: t.field({
    type: DispatchPlan,
    authScopes: headquarters,
    description:
      'D15, D16, D17, D25: the plan requestDispatch would propose — lowest level first, with ETAs and shortages — computed only, nothing saved; dispatchers and administrators',
    args: { input: t.arg({ type: DispatchRequestInput, required: true }) },
    resolve: (_r, { input }, ctx) => suggestDispatchPlan(serviceContext(ctx), ctx.config, requestOf(input)),
  }),
  dispatchPlan: t.field({
    type: DispatchPlan,
    nullable: true,
    authScopes: { authenticated: true },
    description:
      'A dispatch plan by id, with its lines, shortages, call-offs, approvals and progress; for those whose region covers its incident (keepers: none)',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => getPlanInScope(ctx.db, ctx.user!, String(args.id), 'id'),
  }),
  overdueEmergencyApprovals: t.field({
    type: [DispatchPlan],
    authScopes: { authenticated: true },
    description: 'D14: emergency approvals whose written approval is more than 48 h late',
    args: { regionCode: t.arg.string() },
    resolve: async (_r, args, ctx) =>
      Promise.all((await overdueApprovals(serviceContext(ctx), args.regionCode)).map((p) => getPlanInScope(ctx.db, ctx.user!, p.id))),
  }),
  replenishmentsOwed: t.field({
    type: [Replenishment],
    authScopes: { authenticated: true },
    description: 'D15: replenishment owed to lower levels whose stock a higher level used',
    args: { regionCode: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => replenishmentsOwed(serviceContext(ctx), args.regionCode),
  }),
}));

builder.mutationFields((t) => ({
  createIncident: t.field({
    type: Incident,
    authScopes: headquarters,
    description: 'Opens an incident in a region in scope; occurredAt (default now) starts the 10-hour clock (D28); dispatchers and administrators',
    args: { input: t.arg({ type: IncidentInput, required: true }) },
    resolve: (_r, { input }, ctx) => createIncident(serviceContext(ctx), input),
  }),
  requestDispatch: t.field({
    type: DispatchPlan,
    authScopes: headquarters,
    description:
      "D15, D16, D17: saves an incident's request and its proposed plan (PROPOSED), opening a 安置点 for each destination without a store; dispatchers and administrators",
    args: { input: t.arg({ type: DispatchRequestInput, required: true }) },
    resolve: (_r, { input }, ctx) => requestDispatch(serviceContext(ctx), ctx.config, requestOf(input)),
  }),
  approveDispatchPlan: t.field({
    type: DispatchPlan,
    authScopes: headquarters,
    description:
      'D14, D24: approves a proposed plan and reserves its stock — a dispatcher or administrator whose region covers it, not its requester; emergency: true lets the requester approve at once, the written approval due within 48 h from another person',
    args: {
      planId: t.arg.id({ required: true }),
      emergency: t.arg.boolean({ defaultValue: false }),
      approvalRef: t.arg.string({ description: 'The written approval reference (for a non-emergency approval)' }),
    },
    resolve: (_r, args, ctx) => approveDispatchPlan(serviceContext(ctx), ctx.config, String(args.planId), args.emergency ?? false, args.approvalRef),
  }),
  recordWrittenApproval: t.field({
    type: DispatchPlan,
    authScopes: headquarters,
    description: 'D14: the written approval following an emergency approval',
    args: { planId: t.arg.id({ required: true }), approvalRef: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => recordWrittenApproval(serviceContext(ctx), String(args.planId), args.approvalRef),
  }),
  requestWrittenApproval: t.field({
    type: DispatchPlan,
    authScopes: headquarters,
    description: 'D14: submits the written approval of an emergency plan again after it was rejected',
    args: { planId: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => requestWrittenApproval(serviceContext(ctx), String(args.planId)),
  }),
  executeDispatchPlan: t.field({
    type: DispatchPlan,
    authScopes: headquarters,
    description:
      "D14, D17, D25: executes an approved plan in one transaction — ships its transfers, issues its call-offs, opens settlements for another region's or level's stock; idempotent by idempotencyKey; dispatchers and administrators",
    args: { planId: t.arg.id({ required: true }), idempotencyKey: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => executeDispatchPlan(serviceContext(ctx), ctx.config, String(args.planId), args.idempotencyKey),
  }),
  cancelDispatchPlan: t.field({
    type: DispatchPlan,
    authScopes: headquarters,
    description:
      'Cancels a plan before execution, with a reason: its reservations are released and its pending approvals closed; an executing plan whose cancelled shipments will not be shipped again is closed short. Dispatchers and administrators',
    args: { planId: t.arg.id({ required: true }), reason: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => cancelDispatchPlan(serviceContext(ctx), String(args.planId), args.reason),
  }),
  confirmCallOffDelivery: t.field({
    type: StockDocument,
    // D14, D17, D24 (sweep 20c F1): and the keeper of the 安置点 it delivers to (assertMayConfirmCallOffDelivery).
    authScopes: { roles: ['ADMIN', 'DISPATCHER', 'KEEPER'] as const },
    description:
      "D6, D17: books a call-off's (调用单) delivery as stock at its destination — all of it, or less (quantity): the rest is released; dispatchers and administrators, and the keeper of the 安置点 it delivers to (its own 安置点 only)",
    args: { input: t.arg({ type: CallOffDeliveryInput, required: true }) },
    resolve: (_r, { input }, ctx) => postedDocument(ctx, confirmCallOffDelivery(serviceContext(ctx), { ...input, callOffId: String(input.callOffId) })),
  }),
  cancelCallOff: t.field({
    type: DispatchPlan,
    authScopes: headquarters,
    description:
      'D17: cancels a call-off (调用单) not yet delivered, with a reason: it no longer claims the agreement, and its plan completes when nothing else is outstanding',
    args: { callOffId: t.arg.id({ required: true }), reason: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => cancelCallOff(serviceContext(ctx), String(args.callOffId), args.reason),
  }),
  recoverIncidentStock: t.field({
    type: DispatchPlan,
    authScopes: headquarters,
    description:
      "D12, D30: book what comes back into its owner's store (or toStoreId) by condition — good back, damaged to scrap and lost to write-off (both pending approval); without lines, all that D12 says comes back counts as good and consumed items stay at the 安置点 for distribution",
    args: { input: t.arg({ type: RecoveryInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      recoverByCondition(serviceContext(ctx), {
        ...input,
        planId: String(input.planId),
        toStoreId: input.toStoreId ? String(input.toStoreId) : null,
        lines: input.lines?.map((l) => ({ ...withoutNulls(l), batchId: String(l.batchId) })),
      }),
  }),
  setTravelTime: t.field({
    type: builder.objectRef<{ storeId: string; regionCode: string; hours: number }>('TravelTime').implement({
      fields: (f) => ({ storeId: f.exposeID('storeId'), regionCode: f.exposeString('regionCode'), hours: f.exposeFloat('hours') }),
    }),
    authScopes: { roles: ['ADMIN'] },
    description:
      'Sets the travel time in hours (more than 0, less than 240) from a store to a region, which overrides the distance estimate in plans; administrators, for a store and a region both in scope',
    args: { storeId: t.arg.id({ required: true }), regionCode: t.arg.string({ required: true }), hours: t.arg.float({ required: true }) },
    resolve: (_r, args, ctx) => setTravelTime(serviceContext(ctx), { ...args, storeId: String(args.storeId) }),
  }),
}));

builder.subscriptionType({});
builder.subscriptionFields((t) => ({
  dispatchPlanStatus: t.field({
    type: builder.objectRef<{ planId: string; status: string }>('DispatchPlanStatusEvent').implement({
      fields: (f) => ({ planId: f.exposeID('planId'), status: f.exposeString('status') }),
    }),
    authScopes: { authenticated: true },
    description: 'Live status changes of a plan (GraphQL over SSE)',
    args: { planId: t.arg.id({ required: true }) },
    subscribe: async (_r, args, ctx) => {
      // authScopes guard resolve, not subscribe: check here too.
      if (!ctx.user) throw unauthenticated(ctx.sessionRefused);
      // Whoever reads the plan follows it: the decision of dispatchPlan(id) — the plan in scope, then the DispatchPlan
      // type's record policy (mayRead.plan) — so the region's auditor may, keepers may not.
      const planId = String(args.planId);
      const plan = await readablePlan(ctx, ctx.user, planId);
      // Ends at shutdown (the stream gets `complete`): an open subscription does not hold the server's close.
      return planStatusForSession(ctx.db, planId, sessionOfSubscription(ctx, plan), ctx.stopping);
    },
    resolve: (event) => event,
  }),
}));

/** A plan `user` may read, as dispatchPlan(id) decides it (getPlanInScope, then mayRead.plan); FORBIDDEN otherwise. */
async function readablePlan(ctx: Context, user: Principal, planId: string): Promise<PlanView> {
  const plan = await getPlanInScope(ctx.db, user, planId, 'planId');
  if (!(await mayRead.plan(user, plan, policyLookups(ctx)))) throw forbidden('该调拨方案', 'planId');
  return plan;
}

/**
 * D18: the session a subscription was opened in (its request's bearer token), which it lasts as long as. Before each
 * change is told, the session is checked as every request's is (authenticate: the token, and the user's credentials
 * version and active flag), and the plan must still be the user's to read; at the token's expiry the stream ends.
 */
function sessionOfSubscription(ctx: Context, plan: PlanView): PlanStatusSubscriber {
  const authorization = (ctx as Context & { request?: Request }).request?.headers.get('authorization') ?? null;
  const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  // The token was verified for this request (ctx.user): its expiry is read, not checked again.
  const exp = token ? decodeJwt(token).exp : undefined;
  const keys = { secret: ctx.config.jwtSecret, ttlHours: ctx.config.tokenTtlHours };
  return {
    userId: ctx.user!.id,
    sessionEndsAt: new Date(exp === undefined ? 0 : exp * 1000),
    // One database read per change told: plan status changes are rare. Not the principal held in this process's
    // memory (ctx.reference): a logout drops it by a NOTIFY of its own, which may be heard after the plan's.
    mayStillHear: async () => {
      const user = await authenticate(ctx.db, keys, authorization);
      return user !== null && (await mayRead.plan(user, plan, policyLookups(ctx)));
    },
    // A logout, a password reset or a deactivation changes users: the stream ends then, not at the plan's next change.
    watchSession: (onChange) => ctx.reference.watch(onChange),
  };
}
