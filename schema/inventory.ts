import { builder } from './builder.ts';
import { stableId } from '../server/ids.ts';
import { idOrNull, must, postedDocument, serviceContext } from './resolve.ts';
import { connectionType } from './connection.ts';
import { Item } from './catalog.ts';
import { Organization, Store } from './stores.ts';
import { User } from './users.ts';
import type { Context } from '../server/context.ts';
import { moneyTimes } from '../server/money.ts';
import { pageRequest, toPage } from '../server/pagination.ts';
import { uuidArg } from '../server/validation.ts';
import { rotateBy } from '../server/reserves/rules.ts';
import { canAccessStore } from '../server/auth/policy.ts';
import { knownCategory, knownItem } from '../server/catalog/service.ts';
import { scopedType } from './scope.ts';
import type { BatchRow } from '../server/inventory/common.ts';
import {
  batchTrace,
  getBatch,
  getDocumentInScope,
  listMovements,
  listStock,
  listStockReasons,
  type BalanceRow,
  type StockRow,
  type BatchOfLine,
  type DocumentLineRow,
  type DocumentRow,
  type MovementRow,
} from '../server/inventory/queries.ts';
import type { PostedDocument } from '../server/inventory/posting.ts';
import { receiveStock } from '../server/inventory/receipts.ts';
import { listReceiptOwners, type ReceiptOwner as ReceiptOwnerRow } from '../server/inventory/owners.ts';
import { RegionLevel } from './regions.ts';
import { issueStock, scrapStock } from '../server/inventory/issues.ts';
import { cancelTransfer, getTransferInScope, receiveTransfer, shipTransfer, type TransferLineRow, type TransferRow } from '../server/inventory/transfers.ts';
import { submitStocktake } from '../server/inventory/stocktakes.ts';
import { listStoreDocuments } from '../server/inventory/store-documents.ts';
import { reverseDocument, reversibleNow } from '../server/inventory/reversals.ts';

export const FundingSource = builder.enumType('FundingSource', {
  values: ['CENTRAL', 'PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP', 'DONATION', 'ENTERPRISE'] as const,
});
export const ReserveMode = builder.enumType('ReserveMode', { values: ['PHYSICAL', 'ENTRUSTED', 'AGREEMENT', 'CAPACITY'] as const });
export const ReceiptSource = builder.enumType('ReceiptSource', {
  values: ['PURCHASE', 'DONATION', 'RECOVERY', 'EMERGENCY_PURCHASE', 'REQUISITION', 'OTHER'] as const,
});
export const TransferStatus = builder.enumType('TransferStatus', { values: ['IN_TRANSIT', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'] as const });
export const StockBucket = builder.enumType('StockBucket', { values: ['ON_HAND', 'IN_TRANSIT'] as const });
export const ReasonDirection = builder.enumType('ReasonDirection', { values: ['INCREASE', 'DECREASE'] as const });
export const DocumentType = builder.enumType('DocumentType', {
  values: [
    'RECEIPT',
    'ISSUE',
    'TRANSFER_OUT',
    'TRANSFER_IN',
    'TRANSFER_CANCEL',
    'STOCKTAKE',
    'SCRAP',
    'REVERSAL',
    'ROTATION',
    'RECOVERY',
    'WRITE_OFF',
  ] as const,
});

export const StockReason = builder.objectRef<{ code: string; name: string; direction: 'INCREASE' | 'DECREASE'; usages: string[] }>('StockReason').implement({
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    direction: t.expose('direction', { type: ReasonDirection }),
    usages: t.exposeStringList('usages', { description: 'Where the code may be used: ISSUE, STOCKTAKE, SCRAP, TRANSFER, ROTATION' }),
  }),
});

export const Batch = builder.objectRef<BatchOfLine>('Batch').implement({
  description: 'D7: a batch keeps its identity when it moves between stores',
  ...scopedType('batch'),
  fields: (t) => ({
    id: t.exposeID('id'),
    batchNo: t.exposeString('batchNo'),
    item: t.field({ type: Item, resolve: (b, _a, ctx) => must(ctx.loaders.item.load(b.itemId)) }),
    productionDate: t.field({ type: 'Date', nullable: true, resolve: (b) => b.productionDate }),
    expiryDate: t.field({ type: 'Date', nullable: true, resolve: (b) => b.expiryDate }),
    rotateBy: t.field({
      type: 'Date',
      nullable: true,
      description:
        'D10: the end of its storage life (expiry, or production date + storage life if sooner) minus the rotation lead — the storage life and lead the batch was received under (D31: a later edit of the item re-dates no batch already received)',
      // The batch carries the item's storage terms as they were at receipt (migration 0033).
      resolve: (b) => (b.expiryDate || b.productionDate ? rotateBy(b, b) : null),
    }),
    unitPrice: t.field({ type: 'Money', resolve: (b) => b.unitPrice }),
    fundingSource: t.expose('fundingSource', { type: FundingSource }),
    reserveMode: t.expose('reserveMode', {
      type: ReserveMode,
      description:
        "D6: the mode the batch was received under. Government stock moved between a government store and a company's store keeps its batch but counts by where it is held (实物储备 / 企业代储): valuation's RESERVE_MODE, reserveFloor and the stock list read it there",
    }),
    owner: t.field({ type: Organization, nullable: true, resolve: (b, _a, ctx) => (b.ownerOrgId ? ctx.loaders.organization.load(b.ownerOrgId) : null) }),
    supplier: t.field({
      type: Organization,
      nullable: true,
      resolve: (b, _a, ctx) => (b.supplierOrgId ? ctx.loaders.organization.load(b.supplierOrgId) : null),
    }),
    origin: t.exposeString('origin', { nullable: true }),
    receivedAt: t.field({ type: 'DateTime', resolve: (b) => b.receivedAt }),
  }),
});

export const StockLine = builder.objectRef<StockRow>('StockLine').implement({
  description: 'A balance of one batch at one store',
  ...scopedType('stockLine'),
  fields: (t) => ({
    store: t.field({ type: Store, resolve: (l, _a, ctx) => must(ctx.loaders.store.load(l.storeId)) }),
    item: t.field({ type: Item, resolve: (l, _a, ctx) => l.item ?? must(ctx.loaders.item.load(l.itemId)) }),
    batch: t.field({ type: Batch, resolve: (l, _a, ctx) => l.batch ?? must(ctx.loaders.batch.load(l.batchId)) }),
    onHand: t.exposeInt('onHand'),
    reserved: t.exposeInt('reserved', { description: 'Held for approved dispatches' }),
    inTransit: t.exposeInt('inTransit', { description: 'Shipped to this store and not yet received' }),
    value: t.field({
      type: 'Money',
      description: 'On-hand quantity × batch unit price',
      // Synchronous when the batch came with the line.
      resolve: (l, _a, ctx) =>
        l.batch ? moneyTimes(l.onHand, l.batch.unitPrice) : must(ctx.loaders.batch.load(l.batchId)).then((b) => moneyTimes(l.onHand, b.unitPrice)),
    }),
    inTransitValue: t.field({
      type: 'Money',
      resolve: (l, _a, ctx) =>
        l.batch ? moneyTimes(l.inTransit, l.batch.unitPrice) : must(ctx.loaders.batch.load(l.batchId)).then((b) => moneyTimes(l.inTransit, b.unitPrice)),
    }),
  }),
});

export const StockLineConnection = connectionType('StockLine', StockLine);

const StockOrder = builder.enumType('StockOrder', {
  description:
    'STORE: by store and batch; EXPIRY: in the order first-expiry-first-out takes them — earliest expiry first, batches without expiry last, then earliest received, then batch number (D8, D26)',
  values: ['STORE', 'EXPIRY'] as const,
});

builder.objectField(Store, 'stock', (t) =>
  t.field({
    type: StockLineConnection,
    description: "This store's balances (batches with stock on hand or in transit); only for stores in the user's scope",
    // What a store holds is scoped, though the store itself is reference data wherever a record names it.
    authScopes: (store, _args, ctx) => ctx.user !== null && canAccessStore(ctx.user, store),
    args: {
      first: t.arg.int(),
      after: t.arg.string(),
      itemId: t.arg.id(),
      categoryCode: t.arg.string(),
      orderBy: t.arg({ type: StockOrder, defaultValue: 'STORE' }),
    },
    resolve: async (store, args, ctx) => {
      const itemId = args.itemId ? uuidArg(String(args.itemId), 'itemId', '物资') : null;
      // An unknown item or category is NOT_FOUND, as stock(filter: { itemId, categoryCode }) and items(categoryCode)
      // answer it (sweep 17b F4; by the loaders: one statement for every store of a nested read).
      if (itemId) knownItem(await ctx.loaders.item.load(itemId), itemId);
      if (args.categoryCode) knownCategory(await ctx.loaders.category.load(args.categoryCode), args.categoryCode);
      const filter = { storeId: store.id, itemId, categoryCode: args.categoryCode ?? null };
      // EXPIRY (D8, D26), as Query.stock orders it: one statement for this store. By store and batch, the nested reads'
      // order: one statement for every store of the request (storeStock).
      if (args.orderBy === 'EXPIRY') return listStock(serviceContext(ctx), filter, args, 'EXPIRY');
      const req = pageRequest(args, 'stock', ['uuid', 'uuid']);
      const [, afterBatch] = (req.after ?? [null, null]) as (string | null)[];
      const rows = await ctx.loaders.storeStock.load({ ...filter, first: req.limit, afterBatch });
      return toPage(
        rows,
        req,
        (b) => [b.storeId, b.batchId],
        () => ctx.loaders.storeStockCount.load(filter),
      );
    },
  }),
);

export const DocumentLine = builder.objectRef<DocumentLineRow>('DocumentLine').implement({
  fields: (t) => ({
    lineNo: t.exposeInt('lineNo'),
    item: t.field({ type: Item, resolve: (l, _a, ctx) => must(ctx.loaders.item.load(l.itemId)) }),
    batch: t.field({ type: Batch, resolve: (l, _a, ctx) => must(ctx.loaders.batch.load(l.batchId)) }),
    quantity: t.exposeInt('quantity', {
      description: "Signed change of on-hand stock at the document store (out is negative); a Distribution's lines give the quantity handed over (positive)",
    }),
    unitPrice: t.field({ type: 'Money', resolve: (l) => l.unitPrice }),
    value: t.field({ type: 'Money', resolve: (l) => moneyTimes(l.quantity, l.unitPrice) }),
    reason: t.field({ type: StockReason, nullable: true, resolve: (l, _a, ctx) => (l.reasonCode ? ctx.loaders.reason.load(l.reasonCode) : null) }),
    bookQuantity: t.exposeInt('bookQuantity', { nullable: true, description: 'Stocktakes: book quantity at submission' }),
    countedQuantity: t.exposeInt('countedQuantity', { nullable: true, description: 'Stocktakes: counted quantity' }),
    note: t.exposeString('note', { nullable: true }),
  }),
});

export const TransferLine = builder.objectRef<TransferLineRow>('TransferLine').implement({
  fields: (t) => ({
    item: t.field({ type: Item, resolve: (l, _a, ctx) => must(ctx.loaders.item.load(l.itemId)) }),
    batch: t.field({ type: Batch, resolve: (l, _a, ctx) => must(ctx.loaders.batch.load(l.batchId)) }),
    quantity: t.exposeInt('shipped', {
      description: "The quantity shipped on this line (as shipTransfer's input line names it); shipped, received, lost … break it down",
    }),
    shipped: t.exposeInt('shipped'),
    received: t.exposeInt('received'),
    lost: t.exposeInt('lost', { description: 'Written off on receipt with the discrepancy reason' }),
    cancelled: t.exposeInt('cancelled'),
    inTransit: t.int({ resolve: (l) => l.shipped - l.received - l.lost - l.cancelled }),
    pendingWriteOff: t.exposeInt('disputed', {
      description: 'D27: declared short on receipt and awaiting its write-off approval — still in transit, but not to be received',
    }),
    discrepancyReason: t.field({
      type: StockReason,
      nullable: true,
      resolve: (l, _a, ctx) => (l.discrepancyReason ? ctx.loaders.reason.load(l.discrepancyReason) : null),
    }),
  }),
});

export const Transfer = builder.objectRef<TransferRow>('Transfer').implement({
  description: 'A two-sided transfer: shipped, in transit, received (partly) or cancelled',
  ...scopedType('transfer'),
  fields: (t) => ({
    id: t.exposeID('id'),
    number: t.exposeString('number'),
    status: t.expose('status', { type: TransferStatus }),
    fromStore: t.field({ type: Store, resolve: (x, _a, ctx) => must(ctx.loaders.store.load(x.fromStoreId)) }),
    toStore: t.field({ type: Store, resolve: (x, _a, ctx) => must(ctx.loaders.store.load(x.toStoreId)) }),
    lines: t.field({ type: [TransferLine], resolve: (x, _a, ctx) => ctx.loaders.transferLines.load(x.id) }),
    dispatchPlanId: t.exposeID('dispatchPlanId', { nullable: true }),
    shippedAt: t.field({ type: 'DateTime', resolve: (x) => x.shippedAt }),
    shippedBy: t.field({ type: User, resolve: (x, _a, ctx) => must(ctx.loaders.userAt.load({ id: x.shippedBy, at: x.shippedAt })) }),
  }),
});

export const StockDocument = builder.objectRef<DocumentRow>('StockDocument');

StockDocument.implement({
  description: 'A stock document (入库单, 出库单, 调拨单, 盘点单, 报废单, 冲销单 …) and its lines',
  ...scopedType('document'),
  fields: (t) => ({
    id: t.exposeID('id'),
    number: t.exposeString('number', { description: 'Type, year and sequence, e.g. RK-2026-000123' }),
    type: t.exposeString('type'),
    status: t.exposeString('status'),
    store: t.field({ type: Store, nullable: true, resolve: (d, _a, ctx) => ctx.loaders.store.load(d.storeId) }),
    counterpartStore: t.field({
      type: Store,
      nullable: true,
      resolve: (d, _a, ctx) => (d.counterpartStoreId ? ctx.loaders.store.load(d.counterpartStoreId) : null),
    }),
    lines: t.field({ type: [DocumentLine], resolve: (d, _a, ctx) => ctx.loaders.documentLines.load(d.id) }),
    occurredAt: t.field({ type: 'DateTime', resolve: (d) => d.occurredAt }),
    recordedAt: t.field({ type: 'DateTime', resolve: (d) => d.recordedAt }),
    actor: t.field({ type: User, resolve: (d, _a, ctx) => must(ctx.loaders.userAt.load({ id: d.actorId, at: d.recordedAt })) }),
    source: t.expose('source', { type: ReceiptSource, nullable: true }),
    sourceOrganization: t.field({
      type: Organization,
      nullable: true,
      resolve: (d, _a, ctx) => (d.sourceOrgId ? ctx.loaders.organization.load(d.sourceOrgId) : null),
    }),
    compensationOwedTo: t.field({
      type: Organization,
      nullable: true,
      description: 'D7: a requisition (征用, source REQUISITION): the organisation owed compensation for what was taken',
      resolve: (d, _a, ctx) => {
        const owed = (d.details as { compensationOwedTo?: string | null } | null)?.compensationOwedTo;
        return owed ? ctx.loaders.organization.load(owed) : null;
      },
    }),
    contractNo: t.exposeString('contractNo', { nullable: true }),
    inspectionReportNo: t.exposeString('inspectionReportNo', { nullable: true }),
    reference: t.exposeString('reference', { nullable: true }),
    recipient: t.exposeString('recipient', { nullable: true }),
    reason: t.field({ type: StockReason, nullable: true, resolve: (d, _a, ctx) => (d.reasonCode ? ctx.loaders.reason.load(d.reasonCode) : null) }),
    approvalRef: t.exposeString('approvalRef', { nullable: true }),
    note: t.exposeString('note', { nullable: true }),
    incidentId: t.exposeID('incidentId', { nullable: true }),
    transfer: t.field({ type: Transfer, nullable: true, resolve: (d, _a, ctx) => (d.transferId ? ctx.loaders.transfer.load(d.transferId) : null) }),
    reverses: t.field({
      type: StockDocument,
      nullable: true,
      description:
        'D22: the document a 冲销单 reverses — or, rejected (status REJECTED), the one it asked to reverse and did not — or the 调拨出库 a 调拨撤销单 undoes',
      resolve: (d, _a, ctx) => {
        // Sweep 24c F6: a rejected 冲销单 is unlinked (its original reversible again) but still says what it tried to reverse, as its print does.
        const rejectedOf = d.type === 'REVERSAL' && d.status === 'REJECTED' ? (d.details as { rejectedReversalOf?: string } | null)?.rejectedReversalOf : null;
        const id = d.reversesDocumentId ?? rejectedOf;
        return id ? ctx.loaders.document.load(id) : null;
      },
    }),
    reversedBy: t.field({
      type: StockDocument,
      nullable: true,
      description: '已被冲销 (D22): the 冲销单 of a REVERSED document — or the 调拨撤销单 (TRANSFER_CANCEL) that undid this posted 调拨出库',
      // Sweep 24c F2: a cancelled transfer's shipment stays POSTED (its movements stand; the cancel's offset them).
      resolve: async (d, _a, ctx) => {
        if (d.status !== 'REVERSED' && d.type !== 'TRANSFER_OUT') return null;
        const by = await ctx.loaders.reversal.load(d.id);
        return by && (d.status === 'REVERSED' || by.type === 'TRANSFER_CANCEL') ? by : null;
      },
    }),
    pendingReversal: t.field({
      type: StockDocument,
      nullable: true,
      description: '冲销申请待审批 (D24): the reversal of this posted document awaiting a second person',
      // A posted document's reversal is one not yet approved (approved, the original is REVERSED; rejected, unlinked).
      resolve: async (d, _a, ctx) => {
        if (d.status !== 'POSTED') return null;
        const by = await ctx.loaders.reversal.load(d.id);
        return by?.status === 'PENDING_APPROVAL' ? by : null; // not a posted 调拨撤销单 (sweep 24c F2)
      },
    }),
    reversible: t.boolean({
      description: 'Whether the user may ask now to reverse it (冲销, D22, D24)',
      resolve: async (d, _a, ctx) =>
        d.status === 'POSTED' &&
        reversibleNow(ctx.loaders, ctx.user!, d, await must(ctx.loaders.store.load(d.storeId)), (await ctx.loaders.reversal.load(d.id)) ?? undefined),
    }),
  }),
});

export const Movement = builder.objectRef<MovementRow>('Movement').implement({
  description: 'One ledger entry (append-only)',
  ...scopedType('movement'),
  fields: (t) => ({
    // API.md: IDs are UUIDs — the ledger's sequence number, which tells how many entries exist in all, is not shown.
    id: t.id({ resolve: (m) => stableId('movement', String(m.id)) }),
    document: t.field({ type: StockDocument, resolve: (m, _a, ctx) => must(ctx.loaders.document.load(m.documentId)) }),
    store: t.field({ type: Store, resolve: (m, _a, ctx) => must(ctx.loaders.store.load(m.storeId)) }),
    item: t.field({ type: Item, resolve: (m, _a, ctx) => must(ctx.loaders.item.load(m.itemId)) }),
    batch: t.field({ type: Batch, resolve: (m, _a, ctx) => must(ctx.loaders.batch.load(m.batchId)) }),
    bucket: t.expose('bucket', { type: StockBucket }),
    quantity: t.exposeInt('quantity'),
    unitPrice: t.field({ type: 'Money', resolve: (m) => m.unitPrice }),
    value: t.field({ type: 'Money', resolve: (m) => moneyTimes(m.quantity, m.unitPrice) }),
    type: t.expose('type', { type: DocumentType }),
    reason: t.field({ type: StockReason, nullable: true, resolve: (m, _a, ctx) => (m.reasonCode ? ctx.loaders.reason.load(m.reasonCode) : null) }),
    occurredAt: t.field({ type: 'DateTime', resolve: (m) => m.occurredAt }),
    recordedAt: t.field({ type: 'DateTime', resolve: (m) => m.recordedAt }),
    actor: t.field({ type: User, resolve: (m, _a, ctx) => must(ctx.loaders.userAt.load({ id: m.actorId, at: m.recordedAt })) }),
  }),
});

export const MovementConnection = connectionType('Movement', Movement);

interface TraceShape {
  batch: BatchRow;
  movements: MovementRow[];
  documents: Map<string, DocumentRow>;
  holdings: BalanceRow[];
}

/** D18, D22: movements of a type whose document was not reversed (a reversed receipt or issue did not happen). */
const liveMovements = (x: TraceShape, type: MovementRow['type']) =>
  x.movements.filter((m) => m.type === type && x.documents.get(m.documentId)?.status !== 'REVERSED');

const TraceRecipient = builder.objectRef<{ recipient: string; quantity: number; document: DocumentRow }>('TraceRecipient').implement({
  description: 'Who the batch reached: an issue to a recipient, or the buyer or donee of stock rotated out (D10)',
  fields: (t) => ({
    recipient: t.exposeString('recipient'),
    quantity: t.exposeInt('quantity'),
    document: t.field({ type: StockDocument, resolve: (r) => r.document }),
  }),
});

export const BatchTrace = builder.objectRef<TraceShape>('BatchTrace').implement({
  description: 'D18: every movement of a batch, from receipt to the people it reached',
  fields: (t) => ({
    batch: t.field({ type: Batch, resolve: (x) => x.batch }),
    movements: t.field({ type: [Movement], resolve: (x) => x.movements }),
    holdings: t.field({ type: [StockLine], description: 'Where the batch is now', resolve: (x) => x.holdings }),
    recipients: t.field({
      type: [TraceRecipient],
      description:
        'Issues to recipients, and stock rotated out to a buyer or donee (D10); an issue or rotation that was reversed (entered in error) reached no one',
      resolve: (x) =>
        [...liveMovements(x, 'ISSUE'), ...liveMovements(x, 'ROTATION').filter((m) => m.quantity < 0)]
          .filter((m) => x.documents.get(m.documentId)?.recipient)
          .map((m) => ({ recipient: x.documents.get(m.documentId)!.recipient!, quantity: -m.quantity, document: x.documents.get(m.documentId)! })),
    }),
    receivedQuantity: t.int({
      description: 'What came onto the books as this batch: its receipts, and a rotation that put it in as the new stock (D10)',
      resolve: (x) =>
        [...liveMovements(x, 'RECEIPT'), ...liveMovements(x, 'ROTATION').filter((m) => m.quantity > 0)]
          .filter((m) => m.bucket === 'ON_HAND')
          .reduce((s, m) => s + m.quantity, 0),
    }),
    // Sweep 25a F2 (D10, D11, D18): every way the batch left the books, counted once — not issues alone (a batch rotated
    // out in full read 入库 400 / 出库 0 / 现存 无).
    issuedQuantity: t.int({
      description:
        'What left the books of this batch (D18): issues (distributions to households included), stock rotated out to a buyer or donee (D10), scrapped and written off (D11, D27; a loss in transit included) — each once, net of reversals. So receivedQuantity − issuedQuantity is what the holdings show, but for stocktake differences and transfers to or from stores outside your scope (movements lists each)',
      resolve: (x) =>
        // Net per type: a write-off of what households lost posts +n and −n at the point (its pieces left with their
        // issue, household-returns.ts) and adds nothing here.
        [
          ...liveMovements(x, 'ISSUE'),
          ...liveMovements(x, 'ROTATION').filter((m) => m.quantity < 0),
          ...liveMovements(x, 'SCRAP'),
          ...liveMovements(x, 'WRITE_OFF'),
        ].reduce((s, m) => s - m.quantity, 0),
    }),
  }),
});

const StockFilter = builder.inputType('StockFilter', {
  fields: (t) => ({
    storeId: t.id(),
    regionCode: t.string(),
    itemId: t.id(),
    categoryCode: t.string(),
    expiringBefore: t.field({ type: 'Date' }),
    search: t.string({
      description: "A word of the item's name, spec or code, or of the batch number, matched literally (at most 64 characters)",
    }),
  }),
});

const MovementFilter = builder.inputType('MovementFilter', {
  fields: (t) => ({
    storeId: t.id(),
    regionCode: t.string(),
    itemId: t.id(),
    batchId: t.id(),
    documentId: t.id(),
    type: t.field({ type: DocumentType }),
    from: t.field({
      type: 'DateTime',
      description:
        'Business time (occurredAt) after this instant: a period is (from, to], so that the value at `from` plus its movements is the value at `to` (D21, D22)',
    }),
    to: t.field({ type: 'DateTime', description: 'Business time (occurredAt) up to this instant, inclusive (as valuation(asOf) counts it)' }),
  }),
});

const MovementOrder = builder.enumType('MovementOrder', {
  description: 'RECORDED: newest recorded first (the ledger order); OCCURRED: newest business time (occurredAt) first, then newest recorded (D22)',
  values: ['RECORDED', 'OCCURRED'] as const,
});

// Sweep 22a F9: 调拨 pages its incoming (COUNTERPART) and outgoing (OWN) transfers on the server, as 单据 pages.
const DocumentSide = builder.enumType('DocumentSide', {
  description:
    "OWN: the documents the store holds (its receipts, its own shipments …); COUNTERPART: another store's naming it the other side (a transfer shipped to it, a recovery into it)",
  values: ['OWN', 'COUNTERPART'] as const,
});

const DocumentFilter = builder.inputType('DocumentFilter', {
  fields: (t) => ({
    storeId: t.id({ required: true }),
    side: t.field({ type: DocumentSide, description: 'Only the store’s own documents, or only those of another store naming it; omitted: both' }),
    status: t.stringList({ description: 'Any of PENDING_APPROVAL, POSTED, REVERSED, REJECTED (StockDocument.status); omitted or empty: all' }),
    type: t.string({ description: 'A document type (StockDocument.type): RECEIPT, ISSUE, TRANSFER_OUT, STOCKTAKE …' }),
    from: t.field({
      type: 'DateTime',
      description:
        'Business time (occurredAt) after this instant: a period is (from, to], as journal and movements read it, so that consecutive periods share no document (D21, D22)',
    }),
    to: t.field({ type: 'DateTime', description: 'Business time (occurredAt) up to this instant, inclusive (as valuation(asOf) counts it)' }),
  }),
});

const StockDocumentConnection = connectionType('StockDocument', StockDocument);

const ReceiptOwner = builder.objectRef<ReceiptOwnerRow>('ReceiptOwner').implement({
  description: 'D3: an owner a receipt at a store may record (产权单位) — a government, with its level, or the store’s operating company',
  fields: (t) => ({
    organization: t.field({ type: Organization, resolve: (o) => o.organization }),
    level: t.field({
      type: RegionLevel,
      nullable: true,
      description: 'The government’s level (its funds are the FundingSource of that level, D21); null for the store’s operating company',
      resolve: (o) => o.level,
    }),
    defaultFor: t.field({
      type: [FundingSource],
      description:
        'D3, D21 (sweep 21b F3): the funding sources whose lines naming no owner are this one’s — a government’s its level’s funds, the operating company’s ENTERPRISE; a funding source no entry lists (DONATION, CENTRAL, a level below the store’s) leaves the store’s default owner, its government (an agreement store’s operator)',
      resolve: (o) => o.defaultFor,
    }),
  }),
});

builder.queryFields((t) => ({
  receiptOwners: t.field({
    type: [ReceiptOwner],
    authScopes: { authenticated: true },
    description:
      'D3: the owners (产权单位) a receipt at the store may record — its region’s government and those above it, and a company store’s operator — nearest first (the operator, then the store’s own government); for whoever may post at the store',
    args: { storeId: t.arg.id({ required: true }) },
    resolve: (_r, { storeId }, ctx) => listReceiptOwners(serviceContext(ctx), String(storeId)),
  }),
  stock: t.field({
    type: StockLineConnection,
    authScopes: { authenticated: true },
    description:
      'Stock lines (per store and batch) in scope — a keeper: their stores — by store, region, item, category or expiry; ordered by store (default) or earliest expiry first (D8, D26)',
    args: {
      filter: t.arg({ type: StockFilter, required: true }),
      first: t.arg.int(),
      after: t.arg.string(),
      orderBy: t.arg({ type: StockOrder, defaultValue: 'STORE' }),
    },
    resolve: (_r, { filter, orderBy, ...page }, ctx) =>
      listStock(serviceContext(ctx), { ...filter, storeId: idOrNull(filter.storeId), itemId: idOrNull(filter.itemId) }, page, orderBy ?? 'STORE'),
  }),
  movements: t.field({
    type: MovementConnection,
    authScopes: { authenticated: true },
    description:
      'D22: ledger movements in scope (a keeper: their stores) by store, region, item, batch, document, type or business time; newest recorded first (default), or by business time (OCCURRED)',
    args: {
      filter: t.arg({ type: MovementFilter, required: true }),
      first: t.arg.int(),
      after: t.arg.string(),
      orderBy: t.arg({ type: MovementOrder, defaultValue: 'RECORDED' }),
    },
    resolve: (_r, { filter, orderBy, ...page }, ctx) =>
      listMovements(
        serviceContext(ctx),
        {
          ...filter,
          storeId: idOrNull(filter.storeId),
          itemId: idOrNull(filter.itemId),
          batchId: idOrNull(filter.batchId),
          documentId: idOrNull(filter.documentId),
          from: filter.from?.toJSDate(),
          to: filter.to?.toJSDate(),
        },
        page,
        orderBy ?? 'RECORDED',
      ),
  }),
  batch: t.field({
    type: Batch,
    nullable: true,
    authScopes: { authenticated: true },
    description: "A batch by id (number, dates, price, owner, funding); for whoever's scope holds or held it",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => getBatch(ctx.db, String(id), 'id'),
  }),
  batchTrace: t.field({
    type: BatchTrace,
    authScopes: { authenticated: true },
    description:
      'D18: a batch from receipt to the people it reached — its movements at stores in your scope, where it is now, its issues and distributions; FORBIDDEN when none of its movements is in scope',
    args: { batchId: t.arg.id({ required: true }) },
    resolve: (_r, { batchId }, ctx) => batchTrace(serviceContext(ctx), String(batchId)),
  }),
  stockReasons: t.field({
    type: [StockReason],
    description: 'The reason codes for issues, transfers, stocktakes, scrap and rotations, by direction; reference data readable by every user',
    authScopes: { authenticated: true },
    resolve: (_r, _a, ctx) => listStockReasons(ctx.db),
  }),
  transfer: t.field({
    type: Transfer,
    nullable: true,
    authScopes: { authenticated: true },
    description:
      'A transfer by id, with what of each batch was shipped, received, lost, cancelled or is still in transit; for whoever may read the store of either side',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => getTransferInScope(ctx.db, ctx.user!, String(id)),
  }),
  document: t.field({
    type: StockDocument,
    nullable: true,
    authScopes: { authenticated: true },
    description:
      'A stock document by id (receipt, issue, transfer, stocktake, scrap …) with its lines and approval; for whoever may read its store or its other side',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => getDocumentInScope(ctx.db, ctx.user!, String(id)),
  }),
  documents: t.field({
    type: StockDocumentConnection,
    description:
      "A store's documents in every status — awaiting approval (D27), posted, reversed, rejected — with those of another store naming it the other side (a transfer shipped to it, a recovery into it); newest business time first. Whoever may read the store's movements may list them",
    authScopes: { authenticated: true },
    args: { filter: t.arg({ type: DocumentFilter, required: true }), first: t.arg.int(), after: t.arg.string() },
    resolve: (_r, { filter, ...page }, ctx) =>
      listStoreDocuments(serviceContext(ctx), { ...filter, storeId: String(filter.storeId), from: filter.from?.toJSDate(), to: filter.to?.toJSDate() }, page),
  }),
}));

// ---- mutations: keepers at their stores, dispatchers and admins in their region; auditors write nothing.

const writers = { roles: ['ADMIN', 'DISPATCHER', 'KEEPER'] as const };

const ReceiptLineInput = builder.inputType('ReceiptLineInput', {
  fields: (t) => ({
    itemId: t.id({ required: true }),
    quantity: t.int({ required: true }),
    batchNo: t.string({ description: 'Omit to number a new batch automatically; an existing number of the item adds to that batch' }),
    productionDate: t.field({ type: 'Date' }),
    expiryDate: t.field({ type: 'Date', description: "Omit to compute it from the item's storage life" }),
    unitPrice: t.field({ type: 'Money', description: "Omit to use the item's reference price" }),
    fundingSource: t.field({ type: FundingSource }),
    ownerOrgId: t.id(),
    origin: t.string({ description: '产地' }),
  }),
});

const ReceiveStockInput = builder.inputType('ReceiveStockInput', {
  fields: (t) => ({
    storeId: t.id({ required: true }),
    source: t.field({ type: ReceiptSource, required: true }),
    sourceOrgId: t.id({ description: 'Supplier, donor or requisitioned owner' }),
    sourceName: t.string({ description: 'Supplier, donor or requisitioned owner by name (created if new)' }),
    reference: t.string(),
    contractNo: t.string({ description: "D7: a purchase's contract number; without it, a purchase's `reference` is taken as the contract number" }),
    inspectionReportNo: t.string({ description: 'D7: the inspection (acceptance) report number, recorded and printed when given' }),
    incidentId: t.id(),
    note: t.string(),
    occurredAt: t.field({ type: 'DateTime' }),
    idempotencyKey: t.string({ required: true }),
    lines: t.field({ type: [ReceiptLineInput], required: true }),
  }),
});

const OutboundLineInput = builder.inputType('OutboundLineInput', {
  fields: (t) => ({
    itemId: t.id({ required: true }),
    quantity: t.int({ required: true }),
    batchId: t.id({ description: 'Omit to take batches first-expiry-first-out (D8)' }),
  }),
});

const IssueStockInput = builder.inputType('IssueStockInput', {
  fields: (t) => ({
    storeId: t.id({ required: true }),
    orderId: t.id({ description: 'D23: the approved outbound order executed (required for government stock)' }),
    recipient: t.string({ description: "Defaults to the order's recipient" }),
    reason: t.string({ required: true, description: 'A stock reason code for issues, e.g. RELIEF' }),
    incidentId: t.id(),
    note: t.string(),
    occurredAt: t.field({ type: 'DateTime' }),
    idempotencyKey: t.string({ required: true }),
    lines: t.field({ type: [OutboundLineInput], required: true }),
  }),
});

const ShipTransferInput = builder.inputType('ShipTransferInput', {
  fields: (t) => ({
    fromStoreId: t.id({ required: true }),
    toStoreId: t.id({ required: true }),
    dispatchPlanId: t.id({ description: 'A plan executing this shipment: it must match the plan’s lines' }),
    orderId: t.id({ description: 'D23: the approved transfer order executed (required outside a dispatch plan)' }),
    note: t.string(),
    occurredAt: t.field({ type: 'DateTime' }),
    idempotencyKey: t.string({ required: true }),
    lines: t.field({ type: [OutboundLineInput], required: true }),
  }),
});

const ReceiveTransferLineInput = builder.inputType('ReceiveTransferLineInput', {
  fields: (t) => ({
    batchId: t.id({ required: true }),
    quantity: t.int({ required: true }),
    discrepancyReason: t.string({ description: 'A TRANSFER reason code; closes the batch and writes off what did not arrive' }),
  }),
});

const ReceiveTransferInput = builder.inputType('ReceiveTransferInput', {
  fields: (t) => ({
    transferId: t.id({ required: true }),
    note: t.string(),
    occurredAt: t.field({ type: 'DateTime' }),
    idempotencyKey: t.string({ required: true }),
    lines: t.field({ type: [ReceiveTransferLineInput], required: true }),
  }),
});

const StocktakeCountInput = builder.inputType('StocktakeCountInput', {
  fields: (t) => ({
    batchId: t.id({ required: true }),
    countedQuantity: t.int({ required: true }),
    reason: t.string({ description: 'Required when counted ≠ book: a STOCKTAKE reason code of the matching direction' }),
  }),
});

const StocktakeInput = builder.inputType('StocktakeInput', {
  fields: (t) => ({
    storeId: t.id({ required: true }),
    note: t.string(),
    occurredAt: t.field({ type: 'DateTime' }),
    idempotencyKey: t.string({ required: true }),
    counts: t.field({ type: [StocktakeCountInput], required: true }),
  }),
});

const ScrapLineInput = builder.inputType('ScrapLineInput', {
  fields: (t) => ({ batchId: t.id({ required: true }), quantity: t.int({ required: true }) }),
});

const ScrapStockInput = builder.inputType('ScrapStockInput', {
  fields: (t) => ({
    storeId: t.id({ required: true }),
    orderId: t.id({
      description:
        "D23: the approved scrap order executed (required for government stock): the scrap posts at once; the company's own stock in its agreement store needs none, and its scrap then waits for a second person's approval (D27)",
    }),
    approvalRef: t.string({ required: true, description: 'D11: the approval (inspection or expert appraisal) reference' }),
    reason: t.string({ required: true, description: 'A SCRAP reason code' }),
    note: t.string(),
    occurredAt: t.field({ type: 'DateTime' }),
    idempotencyKey: t.string({ required: true }),
    lines: t.field({ type: [ScrapLineInput], required: true }),
  }),
});

const transferResult = async (ctx: Context, posted: Promise<PostedDocument>) => {
  const doc = await postedDocument(ctx, posted);
  return must(ctx.loaders.transfer.load(doc.transferId!));
};

builder.mutationFields((t) => ({
  receiveStock: t.field({
    type: StockDocument,
    authScopes: writers,
    description:
      'D7: receives new or existing batches at a store (purchase, donation, requisition …), all lines or none; keepers at their stores, dispatchers and administrators in their region',
    args: { input: t.arg({ type: ReceiveStockInput, required: true }) },
    // D3: the owner a keeper names must be one the store may record (server/inventory/owners.ts).
    resolve: (_r, { input }, ctx) => postedDocument(ctx, receiveStock(serviceContext(ctx), input)),
  }),
  issueStock: t.field({
    type: StockDocument,
    authScopes: writers,
    description:
      'D8, D23: issues stock to a recipient against an approved outbound order (required for government stock), earliest expiry first unless a batch is named; keepers at their stores, dispatchers and administrators in their region',
    args: { input: t.arg({ type: IssueStockInput, required: true }) },
    resolve: (_r, { input }, ctx) => postedDocument(ctx, issueStock(serviceContext(ctx), input)),
  }),
  shipTransfer: t.field({
    type: Transfer,
    authScopes: writers,
    description:
      'D23: ships stock from a store to another, in transit until received or cancelled — against an approved transfer order or the dispatch plan it executes; whoever may post at the source store',
    args: { input: t.arg({ type: ShipTransferInput, required: true }) },
    resolve: (_r, { input }, ctx) => transferResult(ctx, shipTransfer(serviceContext(ctx), input, ctx.wiring.planShipment)),
  }),
  receiveTransfer: t.field({
    type: Transfer,
    authScopes: writers,
    description:
      "Receives a transfer at its destination, partly if need be; a line's discrepancy reason closes its batch, and what did not arrive is written off once a second person approves (D27); whoever may post at the destination",
    args: { input: t.arg({ type: ReceiveTransferInput, required: true }) },
    resolve: (_r, { input }, ctx) => transferResult(ctx, receiveTransfer(serviceContext(ctx), input, ctx.wiring.transferReceived)),
  }),
  cancelTransfer: t.field({
    type: Transfer,
    authScopes: writers,
    description:
      "Cancels a transfer before anything is received: the stock returns to the source. A dispatch plan's shipment is cancelled by a dispatcher or administrator whose region covers the source store (D24, D27), any other transfer by the shipping side",
    args: { transferId: t.arg.id({ required: true }), reason: t.arg.string({ required: true }), idempotencyKey: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) =>
      transferResult(ctx, cancelTransfer(serviceContext(ctx), { ...args, transferId: String(args.transferId) }, ctx.wiring.transferReceived)),
  }),
  submitStocktake: t.field({
    type: StockDocument,
    authScopes: writers,
    description:
      "D9, D27: records counted against book quantities; a count without differences posts at once, one with differences (each with a reason) waits for a second person's approval",
    args: { input: t.arg({ type: StocktakeInput, required: true }) },
    resolve: (_r, { input }, ctx) => postedDocument(ctx, submitStocktake(serviceContext(ctx), input)),
  }),
  scrapStock: t.field({
    type: StockDocument,
    authScopes: writers,
    description:
      "D11, D23, D27: scraps stock with an appraisal reference; against an approved scrap order it posts at once — government stock leaves only so (BAD_USER_INPUT at input.orderId without one); the company's own stock in its agreement store, scrapped without an order, waits for a second person's approval",
    args: { input: t.arg({ type: ScrapStockInput, required: true }) },
    resolve: (_r, { input }, ctx) => postedDocument(ctx, scrapStock(serviceContext(ctx), input)),
  }),
  reverseDocument: t.field({
    type: StockDocument,
    authScopes: writers,
    description:
      'D22, D24: asks to reverse (冲销) a posted document, its movements negated, at most once; it posts when a second person with authority approves',
    args: { documentId: t.arg.id({ required: true }), reason: t.arg.string({ required: true }), idempotencyKey: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => postedDocument(ctx, reverseDocument(serviceContext(ctx), { ...args, documentId: String(args.documentId) })),
  }),
}));
