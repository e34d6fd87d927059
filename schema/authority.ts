import { builder } from './builder.ts';
import { connectionType } from './connection.ts';
import { must, serviceContext } from './resolve.ts';
import { policyLookups, scopedType } from './scope.ts';
import { Region } from './regions.ts';
import { Store } from './stores.ts';
import { Item } from './catalog.ts';
import { User } from './users.ts';
import { Batch, StockDocument, StockReason } from './inventory.ts';
import { DispatchPlan, Incident } from './dispatch.ts';
import {
  closeOutboundOrder,
  getOrder,
  listOutboundOrders,
  purposeOfReason,
  requestOutboundOrder,
  type OrderLineRow,
  type OrderRow,
} from '../server/authority/orders.ts';
import { decidingApproval, listApprovals, loginKnowers, withdrawalOf, type ApprovalRow } from '../server/authority/queue.ts';
import { decideApproval } from '../server/authority/decide.ts';
import { withdrawApproval } from '../server/authority/withdraw.ts';
import {
  createJointReserveAgreement,
  listJointReserveAgreements,
  neighbourStock,
  type JointAgreement,
  type NeighbourStockRow,
} from '../server/authority/joint-reserves.ts';
import { awaitsDelivery, isReleased, listSettlements, owingSideKnower, settle, valueBasisOf, type SettlementView } from '../server/authority/settlements.ts';
import { readableOrNull, settlementConfirmationBar } from '../server/auth/policy.ts';
import { loadPlan } from '../server/dispatch/plans.ts';
import { approvalWorth } from '../server/dispatch/plan-value.ts';
import type { Context } from '../server/context.ts';
import { withoutNulls } from '../server/validation.ts';

// API.md "Authority" (D20, D23–D25, D27): outbound orders, one approvals queue, 联储 agreements, settlements.

const signedIn = { authenticated: true } as const;
const headquarters = { roles: ['ADMIN', 'DISPATCHER'] as const };
const writers = { roles: ['ADMIN', 'DISPATCHER', 'KEEPER'] as const };

export const OutboundPurpose = builder.enumType('OutboundPurpose', {
  values: ['RELIEF', 'DRILL', 'LOAN', 'TRANSFER', 'ROTATION_SALE', 'SCRAP', 'OTHER'] as const,
});
export const OrderStatus = builder.enumType('OrderStatus', { values: ['PENDING', 'APPROVED', 'REJECTED', 'EXECUTED', 'CLOSED'] as const });
export const ApprovalKind = builder.enumType('ApprovalKind', {
  values: ['OUTBOUND_ORDER', 'DISPATCH_PLAN', 'CROSS_REGION_USE', 'STOCKTAKE', 'WRITE_OFF', 'SCRAP', 'REVERSAL', 'EMERGENCY_WRITTEN_APPROVAL'] as const,
});
export const ApprovalStatus = builder.enumType('ApprovalStatus', { values: ['PENDING', 'APPROVED', 'REJECTED'] as const });
const ApprovalDecision = builder.enumType('ApprovalDecision', { values: ['APPROVE', 'REJECT'] as const });
const ApprovalScope = builder.enumType('ApprovalScope', {
  values: ['TO_DECIDE', 'REQUESTED'] as const,
  description: 'TO_DECIDE: what I may decide (not my own requests); REQUESTED: my own requests',
});
export const SettlementStatus = builder.enumType('SettlementStatus', { values: ['OPEN', 'SETTLED'] as const });

const OutboundOrderLine = builder.objectRef<OrderLineRow>('OutboundOrderLine').implement({
  fields: (t) => ({
    item: t.field({ type: Item, resolve: (l, _a, ctx) => must(ctx.loaders.item.load(l.itemId)) }),
    batch: t.field({ type: Batch, nullable: true, resolve: (l, _a, ctx) => (l.batchId ? ctx.loaders.batch.load(l.batchId) : null) }),
    quantity: t.exposeInt('quantity'),
    executedQuantity: t.exposeInt('executedQuantity'),
    remainingQuantity: t.int({ resolve: (l) => l.quantity - l.executedQuantity }),
  }),
});

export const Approval = builder.objectRef<ApprovalRow>('Approval');

/** D20, D24 (sweep 12b F7): an approval's value and summary as this reader sees them (plan-value.ts: approvalWorth). */
const worthOf = (a: ApprovalRow, ctx: Context) => approvalWorth(ctx.user!, a, (id) => ctx.loaders.planPricedLines.load(id), policyLookups(ctx));
export const OutboundOrder = builder.objectRef<OrderRow>('OutboundOrder');

Approval.implement({
  description: 'D24, D27: something that waits for a second person with authority',
  ...scopedType('approval'),
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.expose('kind', { type: ApprovalKind }),
    status: t.expose('status', { type: ApprovalStatus }),
    subjectId: t.exposeID('subjectId', { description: 'The order, plan or document decided' }),
    summary: t.string({
      description:
        "What is decided. A plan's approval or consent request whose value leaves lines out for this reader (D20: another jurisdiction's or a 联储 partner's stock, quantity only) says which",
      resolve: async (a, _x, ctx) => (await worthOf(a, ctx)).summary,
    }),
    value: t.field({
      type: 'Money',
      nullable: true,
      description:
        "What is decided is worth (quantity × unit price). A plan's approval (DISPATCH_PLAN) or consent request (CROSS_REGION_USE): over the lines this reader may price, as the printed 调拨令's total — D20: another jurisdiction's or a 联储 partner's stock is quantity only, unpriced (null when no line is priced)",
      resolve: async (a, _x, ctx) => (await worthOf(a, ctx)).value,
    }),
    store: t.field({
      type: Store,
      nullable: true,
      description:
        'D24: the store over which the decider needs authority — a pending document’s own store, except the write-off (核销单) of a loss in transit: the store the goods left, whose they still are (D3, D27)',
      resolve: (a, _x, ctx) => (a.storeId ? ctx.loaders.store.load(a.storeId) : null),
    }),
    region: t.field({
      type: Region,
      description: 'D24: whose authority decides — its dispatchers and administrators, and those whose region covers it',
      resolve: (a, _x, ctx) => must(ctx.loaders.region.load(a.regionCode)),
    }),
    requestedBy: t.field({ type: User, resolve: (a, _x, ctx) => must(ctx.loaders.userAt.load({ id: a.requestedBy, at: a.requestedAt })) }),
    requestedAt: t.field({ type: 'DateTime', resolve: (a) => a.requestedAt }),
    dueAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.dueAt }),
    overdue: t.boolean({
      description: 'D14: pending past its due time',
      resolve: (a, _x, ctx) => a.status === 'PENDING' && a.dueAt !== null && a.dueAt.getTime() < ctx.clock.now().toMillis(),
    }),
    decidedLate: t.boolean({
      description:
        'D14: decided after its due time (an emergency plan’s written approval recorded later than 48 h after execution) — overdue no longer, but on the record',
      resolve: (a) => a.dueAt !== null && a.decidedAt !== null && a.decidedAt.getTime() > a.dueAt.getTime(),
    }),
    decidedBy: t.field({
      type: User,
      nullable: true,
      resolve: (a, _x, ctx) => (a.decidedBy && a.decidedAt ? ctx.loaders.userAt.load({ id: a.decidedBy, at: a.decidedAt }) : null),
    }),
    decidedAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.decidedAt }),
    approvalRef: t.exposeString('approvalRef', { nullable: true }),
    reason: t.exposeString('reason', { nullable: true }),
    // D22, D24 (sweep 24c F9 follow-up): a withdrawal is stored as a closing (REJECTED, 「申请人已撤回：…」, no decider);
    // these say so without parsing the reason. Read as the approval's other fields are: with the approval (mayRead).
    withdrawn: t.boolean({
      description:
        "Withdrawn by whoever filed it, not rejected: a reversal, stocktake difference, scrap or write-off by its requester (withdrawApproval), an outbound order by its store (closeOutboundOrder, withdraw); and a dispatch plan's approvals closed with their plan (sweep 25c F2, F6): its approval when the plan is cancelled, its consents and written approval when it is cancelled or rejected — withdrawn by who closed the plan, decided by nobody (decidedBy null), never a refusal by the jurisdiction asked. status stays REJECTED and reason keeps its prefix 「申请人已撤回：」/「出库申请已撤回：」/「调拨方案已取消：」/「调拨方案已驳回：」 as before; false for one rejected by its decider (a plan's approval rejected by its approver included)",
      resolve: (a) => withdrawalOf(a) !== null,
    }),
    withdrawnBy: t.field({
      type: User,
      nullable: true,
      description:
        "Who withdrew it, named as at the withdrawal (the requester, or for an order whoever at its store withdrew it, or for a plan's approval who cancelled or rejected the plan); null unless withdrawn",
      resolve: (a, _x, ctx) => {
        const w = withdrawalOf(a);
        return w ? ctx.loaders.userAt.load({ id: w.by, at: w.at }) : null;
      },
    }),
    withdrawnAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was withdrawn; null unless withdrawn',
      resolve: (a) => withdrawalOf(a)?.at ?? null,
    }),
    withdrawReason: t.string({
      nullable: true,
      description: 'The withdrawal’s own reason, without the prefix reason carries; null unless withdrawn',
      resolve: (a) => withdrawalOf(a)?.reason ?? null,
    }),
    document: t.field({
      type: StockDocument,
      nullable: true,
      description: 'The pending document (stocktake, write-off, scrap, reversal)',
      resolve: (a, _x, ctx) => (['STOCKTAKE', 'WRITE_OFF', 'SCRAP', 'REVERSAL'].includes(a.kind) ? ctx.loaders.document.load(a.subjectId) : null),
    }),
    order: t.field({
      type: OutboundOrder,
      nullable: true,
      resolve: (a, _x, ctx) => (a.kind === 'OUTBOUND_ORDER' ? getOrder(ctx.db, a.subjectId) : null),
    }),
    plan: t.field({
      type: DispatchPlan,
      nullable: true,
      description: 'The plan decided on; null for a reader who may not read it (a consent asked of another region: its id is subjectId)',
      resolve: async (a, _x, ctx) =>
        ['DISPATCH_PLAN', 'CROSS_REGION_USE', 'EMERGENCY_WRITTEN_APPROVAL'].includes(a.kind)
          ? readableOrNull('plan', ctx.user!, await loadPlan(ctx.db, a.subjectId), policyLookups(ctx))
          : null,
    }),
  }),
});

OutboundOrder.implement({
  description: 'D23: 出库申请单 — what a store is to send out, executed only once approved and never beyond it',
  ...scopedType('order'),
  fields: (t) => ({
    id: t.exposeID('id'),
    number: t.exposeString('number'),
    status: t.expose('status', { type: OrderStatus }),
    store: t.field({ type: Store, resolve: (o, _a, ctx) => must(ctx.loaders.store.load(o.storeId)) }),
    purpose: t.expose('purpose', { type: OutboundPurpose }),
    recipient: t.exposeString('recipient', { nullable: true }),
    toStore: t.field({ type: Store, nullable: true, resolve: (o, _a, ctx) => (o.toStoreId ? ctx.loaders.store.load(o.toStoreId) : null) }),
    incident: t.field({ type: Incident, nullable: true, resolve: (o, _a, ctx) => (o.incidentId ? ctx.loaders.incident.load(o.incidentId) : null) }),
    note: t.exposeString('note', { nullable: true }),
    requestedBy: t.field({ type: User, resolve: (o, _a, ctx) => must(ctx.loaders.userAt.load({ id: o.requestedBy, at: o.requestedAt })) }),
    requestedAt: t.field({ type: 'DateTime', resolve: (o) => o.requestedAt }),
    approval: t.field({ type: Approval, nullable: true, resolve: (o, _a, ctx) => (o.approvalId ? ctx.loaders.approval.load(o.approvalId) : null) }),
    lines: t.field({ type: [OutboundOrderLine], resolve: (o, _a, ctx) => ctx.loaders.orderLines.load(o.id) }),
    closedAt: t.field({ type: 'DateTime', nullable: true, resolve: (o) => o.closedAt }),
    closeReason: t.exposeString('closeReason', { nullable: true }),
  }),
});

const OutboundOrderConnection = connectionType('OutboundOrder', OutboundOrder);

builder.objectField(StockReason, 'purpose', (t) =>
  t.field({
    type: OutboundPurpose,
    nullable: true,
    description:
      'D23: the purpose an issue reason says (救灾发放 and 应急处置使用 RELIEF, 演练 DRILL, 借用 LOAN): an order of another purpose is not executed with it; null: it fits any issue order',
    resolve: (r) => purposeOfReason(r.code),
  }),
);

builder.objectField(StockDocument, 'approval', (t) =>
  t.field({
    type: Approval,
    nullable: true,
    description:
      'D27: the approval deciding this document — a stocktake, write-off, scrap or reversal awaiting its second person, or decided (with the 批准文号 or the 驳回理由); D23: for a document executing an outbound order (an issue, transfer, rotation, or a scrap under an approved SCRAP order), the order’s approval (kind OUTBOUND_ORDER: its approver, time, 批准文号 and the order); D14: for the 调拨单（调出） of a dispatch plan’s shipment, the plan’s (kind DISPATCH_PLAN; after an emergency approval, the written approval once recorded, kind EMERGENCY_WRITTEN_APPROVAL, requested by the emergency approver) — D25: for a reader who may not read the plan’s approval (another region’s plan shipping the reader’s region’s stock), the consent the lending region gave it (kind CROSS_REGION_USE), if any (under a 联储 agreement there is none: null). Null for a document posted without one, and for a reader who may not read the approval (another store’s document listed as the other side: its approval is that store’s region’s; the write-off of a loss in transit is decided by the sending side, D3, D24: its approval is the sending store’s region’s)',
    resolve: async (d, _a, ctx) =>
      readableOrNull(
        'approval',
        ctx.user!,
        await decidingApproval(
          d,
          (id) => ctx.loaders.documentApproval.load(id),
          async (id) => (await ctx.loaders.transfer.load(id))?.dispatchPlanId,
          {
            consentOf: (id) => ctx.loaders.lenderConsent.load(id),
            readable: async (a) => (await readableOrNull('approval', ctx.user!, a, policyLookups(ctx))) !== null,
          },
        ),
        policyLookups(ctx),
      ),
  }),
);
const ApprovalConnection = connectionType('Approval', Approval);

const JointReserveAgreementLine = builder.objectRef<JointAgreement['lines'][number]>('JointReserveAgreementLine').implement({
  fields: (t) => ({
    item: t.field({ type: Item, resolve: (l, _a, ctx) => must(ctx.loaders.item.load(l.itemId)) }),
    maxQuantity: t.exposeInt('maxQuantity'),
  }),
});

const JointReserveAgreement = builder.objectRef<JointAgreement>('JointReserveAgreement').implement({
  description: 'D20, D25: 联储协议 — regions that may use each other’s stock within its items and quantities while valid',
  ...scopedType('jointAgreement'),
  fields: (t) => ({
    id: t.exposeID('id'),
    regions: t.field({ type: [Region], resolve: (a, _x, ctx) => Promise.all(a.regionCodes.map((c) => must(ctx.loaders.region.load(c)))) }),
    validFrom: t.field({ type: 'Date', resolve: (a) => a.validFrom }),
    validTo: t.field({ type: 'Date', resolve: (a) => a.validTo }),
    lines: t.field({
      type: [JointReserveAgreementLine],
      description: 'D25: the items covered, each up to its maxQuantity. Empty: every item, without a maximum quantity',
      resolve: (a) => a.lines,
    }),
    note: t.exposeString('note', { nullable: true }),
  }),
});

const NeighbourStockLine = builder.objectRef<NeighbourStockRow>('NeighbourStockLine').implement({
  description: 'D20: a 联储 partner’s available stock — quantity only (no prices, batches or documents)',
  fields: (t) => ({
    store: t.field({ type: Store, resolve: (l, _a, ctx) => must(ctx.loaders.store.load(l.storeId)) }),
    region: t.field({ type: Region, resolve: (l, _a, ctx) => must(ctx.loaders.region.load(l.regionCode)) }),
    item: t.field({ type: Item, resolve: (l, _a, ctx) => must(ctx.loaders.item.load(l.itemId)) }),
    available: t.exposeInt('available'),
  }),
});

// D21, D25 (sweep 18a F18): what a settlement's value rests on; REFERENCE_PRICE and UNPRICED are not yet a price.
const SettlementValueBasis = builder.enumType('SettlementValueBasis', {
  description: "D21, D25: what a settlement's value rests on",
  values: {
    STOCK_COST: { description: 'Store stock: the unit cost of the batches taken' },
    CONTRACT_PRICE: { description: "A call-off not yet delivered: the agreement's unit price" },
    DELIVERY_PRICE: { description: 'A call-off delivered: the price its goods were booked at (the contract price, else the one stated at delivery)' },
    REFERENCE_PRICE: { description: "An estimate: a reserve with no price agreed, not yet delivered, valued at the item's reference price" },
    UNPRICED: {
      description: 'Not known yet: no price agreed, not yet delivered, and the item has no reference price; value 0.00 means "not priced", not "nothing owed"',
    },
  } as const,
});

/** Who could act as the request's user (loginKnowers), read once per request for every settlement's `settleable`. */
const knowersOfRequest = new WeakMap<object, ReturnType<typeof loginKnowers>>();
function knowersOf(ctx: { user: { id: string } | null; database: { db: Parameters<typeof loginKnowers>[0] } }) {
  let known = knowersOfRequest.get(ctx);
  if (!known) knowersOfRequest.set(ctx, (known = loginKnowers(ctx.database.db, ctx.user!.id)));
  return known;
}

const Settlement = builder.objectRef<SettlementView>('Settlement').implement({
  description:
    'D15, D25: stock of another region or level used — by a plan, or by an issue of another government’s goods held in the store (D3) — owed back in kind or in money until settled',
  ...scopedType('settlement'),
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.expose('status', { type: SettlementStatus }),
    owedTo: t.field({ type: Region, resolve: (s, _a, ctx) => must(ctx.loaders.region.load(s.owedToRegion)) }),
    owedBy: t.field({ type: Region, resolve: (s, _a, ctx) => must(ctx.loaders.region.load(s.owedByRegion)) }),
    store: t.field({ type: Store, resolve: (s, _a, ctx) => must(ctx.loaders.store.load(s.storeId)) }),
    item: t.field({ type: Item, resolve: (s, _a, ctx) => must(ctx.loaders.item.load(s.itemId)) }),
    quantity: t.exposeInt('quantity'),
    value: t.field({
      type: 'Money',
      description: 'What is owed, in yuan — see valueBasis: an estimate or "not yet priced" until a call-off with no agreed price is delivered',
      resolve: (s) => s.value,
    }),
    valueBasis: t.field({ type: SettlementValueBasis, resolve: (s) => valueBasisOf(s.callOff ?? undefined) }),
    valueEstimated: t.boolean({
      description: 'D25 (sweep 18a F18): true while value is not a price the goods were taken or booked at (REFERENCE_PRICE, UNPRICED)',
      resolve: (s) => ['REFERENCE_PRICE', 'UNPRICED'].includes(valueBasisOf(s.callOff ?? undefined)),
    }),
    awaitingDelivery: t.boolean({
      description: 'D17, D25 (sweep 18a F17): a call-off whose company has not delivered yet — nothing to settle until it has',
      resolve: (s) => s.status === 'OPEN' && awaitsDelivery(s.callOff ?? undefined),
    }),
    released: t.boolean({
      description:
        'D25 (sweep 18a F3): closed because nothing is owed — the goods were never used or all came back (a cancelled shipment or call-off, a short delivery, a recovery into the lender’s store); nobody settled it (settledBy null, reference says why)',
      resolve: (s) => isReleased(s),
    }),
    releasedBy: t.field({
      type: User,
      nullable: true,
      description: 'Who recorded what released it (the cancellation, delivery or recovery the reference names); null unless released',
      resolve: (s, _a, ctx) => (isReleased(s) && s.settledBy && s.settledAt ? ctx.loaders.userAt.load({ id: s.settledBy, at: s.settledAt }) : null),
    }),
    plan: t.field({
      type: DispatchPlan,
      nullable: true,
      description:
        'The plan that used the stock; null for one an issue used (see issueDocument), and for a reader who may not read it (the side owed, of another region: see planId)',
      resolve: async (s, _a, ctx) => (s.planId ? readableOrNull('plan', ctx.user!, await loadPlan(ctx.db, s.planId), policyLookups(ctx)) : null),
    }),
    planId: t.exposeID('planId', {
      nullable: true,
      description: "D25: the plan's id, for either side — the side owed knows it from the consent it gave (Approval.subjectId)",
    }),
    issueDocument: t.field({
      type: StockDocument,
      nullable: true,
      description:
        "D3, D25 (sweep 17b F10): the issue (出库单, executing an outbound order) that used the owner's goods held in another jurisdiction's store, in place of a plan; null for a plan's, and for a reader who may not read that store's documents (see issueDocumentNumber)",
      resolve: async (s, _a, ctx) =>
        s.issueDocumentId ? readableOrNull('document', ctx.user!, (await ctx.loaders.document.load(s.issueDocumentId)) ?? null, policyLookups(ctx)) : null,
    }),
    issueDocumentNumber: t.string({
      nullable: true,
      description: "D25: that issue's number (CK-…), for either side — what the side owed cites when it asks for the goods back",
      resolve: async (s, _a, ctx) => (s.issueDocumentId ? ((await ctx.loaders.document.load(s.issueDocumentId))?.number ?? null) : null),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
    settledBy: t.field({
      type: User,
      nullable: true,
      description: 'Who of the side owed confirmed it settled (D24); null while open, and for one released (see released, releasedBy)',
      resolve: (s, _a, ctx) => (s.settledBy && s.settledAt && !isReleased(s) ? ctx.loaders.userAt.load({ id: s.settledBy, at: s.settledAt }) : null),
    }),
    settledAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was settled or released', resolve: (s) => s.settledAt }),
    reference: t.exposeString('reference', { nullable: true }),
    documentId: t.exposeID('documentId', { nullable: true }),
    settleable: t.boolean({
      description:
        "Whether the user may confirm it settled now (D24, D25: the side owed, never the owing side nor through an account the owing side made or set the password of; D17: a call-off's only once delivered — awaitingDelivery)",
      resolve: async (s, _a, ctx) =>
        s.status === 'OPEN' &&
        !awaitsDelivery(s.callOff ?? undefined) &&
        settlementConfirmationBar(ctx.user!, s) === null &&
        // D24 (sweep 19c F4): nor through an account the owing side made or knows the login of — as settle refuses.
        !owingSideKnower(await knowersOf(ctx), s),
    }),
  }),
});

const OutboundOrderFilter = builder.inputType('OutboundOrderFilter', {
  fields: (t) => ({
    storeId: t.id(),
    regionCode: t.string(),
    status: t.field({ type: OrderStatus }),
    mine: t.boolean({ description: 'true: only the orders I requested (我的申请), within the stores I may read' }),
    purpose: t.field({ type: OutboundPurpose, description: 'D23: only the orders of this purpose (调拨 TRANSFER awaiting shipment …)' }),
  }),
});
const ApprovalFilter = builder.inputType('ApprovalFilter', {
  fields: (t) => ({
    regionCode: t.string(),
    status: t.field({ type: ApprovalStatus }),
    kind: t.field({ type: ApprovalKind }),
    mine: t.field({ type: ApprovalScope }),
    withdrawn: t.boolean({
      description:
        'Sweep 25c F6 (D24): false — only those not withdrawn (with status REJECTED: the refusals, decided by a second person); true — only the withdrawn ones (Approval.withdrawn)',
    }),
  }),
});
const OutboundOrderLineInput = builder.inputType('OutboundOrderLineInput', {
  fields: (t) => ({ itemId: t.id({ required: true }), batchId: t.id(), quantity: t.int({ required: true }) }),
});
const OutboundOrderInput = builder.inputType('OutboundOrderInput', {
  fields: (t) => ({
    storeId: t.id({ required: true }),
    purpose: t.field({ type: OutboundPurpose, required: true }),
    recipient: t.string(),
    toStoreId: t.id(),
    incidentId: t.id(),
    note: t.string(),
    idempotencyKey: t.string({ required: true }),
    lines: t.field({ type: [OutboundOrderLineInput], required: true }),
  }),
});
const DecideApprovalInput = builder.inputType('DecideApprovalInput', {
  fields: (t) => ({
    approvalId: t.id({ required: true }),
    decision: t.field({ type: ApprovalDecision, required: true }),
    approvalRef: t.string({
      description: 'The approval reference (文号); required to approve write-offs, stocktakes, scrap (D27) and written approvals; optional for a reversal',
    }),
    reason: t.string({ description: 'Required to reject' }),
  }),
});
const JointReserveAgreementLineInput = builder.inputType('JointReserveAgreementLineInput', {
  fields: (t) => ({ itemId: t.id({ required: true }), maxQuantity: t.int({ required: true }) }),
});
const JointReserveAgreementInput = builder.inputType('JointReserveAgreementInput', {
  fields: (t) => ({
    regionCodes: t.stringList({ required: true }),
    validFrom: t.field({ type: 'Date', required: true }),
    validTo: t.field({ type: 'Date', required: true }),
    note: t.string(),
    lines: t.field({
      type: [JointReserveAgreementLineInput],
      description: 'D25: the items the partners may use without asking, each up to its maxQuantity. Omitted or empty: every item, without a maximum quantity',
    }),
  }),
});
const SettleInput = builder.inputType('SettleInput', {
  fields: (t) => ({ settlementId: t.id({ required: true }), reference: t.string(), documentId: t.id() }),
});

builder.queryFields((t) => ({
  outboundOrders: t.field({
    type: OutboundOrderConnection,
    authScopes: signedIn,
    description:
      'D23: outbound orders (出库申请单) of the stores in scope (a keeper: their stores), by store, region, status, purpose or requester (mine), newest first',
    args: { filter: t.arg({ type: OutboundOrderFilter, required: true }), first: t.arg.int(), after: t.arg.string() },
    resolve: (_r, args, ctx) => listOutboundOrders(serviceContext(ctx), withoutNulls(args.filter), args),
  }),
  outboundOrder: t.field({
    type: OutboundOrder,
    nullable: true,
    authScopes: signedIn,
    description: 'D23: an outbound order by id, with its lines and executed quantities; for whoever may read its store',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => getOrder(ctx.db, String(args.id)),
  }),
  approvals: t.field({
    type: ApprovalConnection,
    authScopes: signedIn,
    description: 'D24: what I may decide or requested, newest first',
    args: { filter: t.arg({ type: ApprovalFilter, required: true }), first: t.arg.int(), after: t.arg.string() },
    resolve: (_r, args, ctx) => listApprovals(serviceContext(ctx), withoutNulls(args.filter), args),
  }),
  jointReserveAgreements: t.field({
    type: [JointReserveAgreement],
    authScopes: headquarters,
    description:
      'D20, D25: the 联储 agreements you may see — those of a region within or above yours (all, without a region) — optionally only those involving regionCode; dispatchers and administrators',
    args: { regionCode: t.arg.string() },
    resolve: (_r, args, ctx) => listJointReserveAgreements(serviceContext(ctx), args.regionCode),
  }),
  neighbourStock: t.field({
    type: [NeighbourStockLine],
    authScopes: headquarters,
    description: "D20: available stock of an item at the 联储 partners' stores (quantity per store; no prices, batches or documents)",
    args: {
      itemId: t.arg.id({ required: true }),
      regionCode: t.arg.string({
        description:
          "Either your own side — a region in your scope (default: your region), whose 联储 partners' stores are listed — or a partner's region, to list only that partner's stores there. Any other region: FORBIDDEN.",
      }),
    },
    resolve: (_r, args, ctx) => neighbourStock(serviceContext(ctx), String(args.itemId), args.regionCode),
  }),
  settlements: t.field({
    type: [Settlement],
    authScopes: { roles: ['ADMIN', 'DISPATCHER', 'AUDITOR'] as const },
    description:
      'D15, D25: settlements owed to or by regions in scope, optionally involving a region subtree or of a status, oldest first; dispatchers, administrators and auditors',
    args: { regionCode: t.arg.string(), status: t.arg({ type: SettlementStatus }) },
    resolve: (_r, args, ctx) => listSettlements(serviceContext(ctx), args.regionCode, args.status),
  }),
}));

builder.mutationFields((t) => ({
  requestOutboundOrder: t.field({
    type: OutboundOrder,
    authScopes: writers,
    description:
      'D23: asks for what a store is to send out (issue, transfer, rotation, scrap …); it waits for the approval of another person with authority (D24); whoever may post at the store',
    args: { input: t.arg({ type: OutboundOrderInput, required: true }) },
    resolve: (_r, { input }, ctx) => requestOutboundOrder(serviceContext(ctx), input),
  }),
  closeOutboundOrder: t.field({
    type: OutboundOrder,
    authScopes: writers,
    description:
      'D23: an approved order that will not be executed further is closed; a pending one is withdrawn (closed, its approval with it); whoever may post at the store',
    args: {
      orderId: t.arg.id({ required: true }),
      reason: t.arg.string({ required: true }),
      withdraw: t.arg.boolean({
        defaultValue: false,
        description:
          'Sweep 23c F1: true for 撤回 — only a pending order is withdrawn; one approved or rejected meanwhile is refused (INVALID_STATE, saying by whom and when), not closed',
      }),
    },
    resolve: (_r, args, ctx) => closeOutboundOrder(serviceContext(ctx), String(args.orderId), args.reason, args.withdraw ?? false),
  }),
  decideApproval: t.field({
    type: Approval,
    authScopes: headquarters,
    description:
      'D24, D27: approves or rejects a pending approval — by a dispatcher or administrator whose region covers it, never its requester; approvalRef to approve write-offs, stocktakes, scrap and written approvals, reason to reject',
    args: { input: t.arg({ type: DecideApprovalInput, required: true }) },
    resolve: (_r, { input }, ctx) => decideApproval(serviceContext(ctx), ctx.config, input, ctx.wiring.transferReceived),
  }),
  withdrawApproval: t.field({
    type: Approval,
    authScopes: writers,
    description:
      "Sweep 24c F9 (extension): the requester withdraws their own pending request — a reversal, stocktake difference, scrap, write-off or outbound order — with a reason; what it held is released, nothing posts (D24 unaffected: it only closes). FORBIDDEN to anyone but the requester (approvers reject instead); INVALID_STATE if decided meanwhile (saying by whom and when), and for a plan's approvals (cancel the plan)",
    args: { approvalId: t.arg.id({ required: true }), reason: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => withdrawApproval(serviceContext(ctx), String(args.approvalId), args.reason, ctx.wiring.transferReceived),
  }),
  createJointReserveAgreement: t.field({
    type: JointReserveAgreement,
    authScopes: { roles: ['ADMIN'] as const },
    description:
      "D20, D25: records a standing 联储 agreement between regions in the administrator's scope (items with maximum quantities, validity); administrators",
    args: { input: t.arg({ type: JointReserveAgreementInput, required: true }) },
    resolve: (_r, { input }, ctx) => createJointReserveAgreement(serviceContext(ctx), input),
  }),
  settle: t.field({
    type: Settlement,
    authScopes: headquarters,
    description:
      'D15, D24, D25: confirms a settlement repaid, with the receipt document or a reference — by a dispatcher or administrator of the side owed, never of the owing side',
    args: { input: t.arg({ type: SettleInput, required: true }) },
    resolve: (_r, { input }, ctx) => settle(serviceContext(ctx), input),
  }),
}));
