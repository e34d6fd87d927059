import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { items } from './catalog.ts';
import { organizations } from './organizations.ts';
import { stores } from './stores.ts';
import { users } from './users.ts';

export const fundingSource = pgEnum('funding_source', ['CENTRAL', 'PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP', 'DONATION', 'ENTERPRISE']);
export const reserveMode = pgEnum('reserve_mode', ['PHYSICAL', 'ENTRUSTED', 'AGREEMENT', 'CAPACITY']);
export const receiptSource = pgEnum('receipt_source', ['PURCHASE', 'DONATION', 'RECOVERY', 'EMERGENCY_PURCHASE', 'REQUISITION', 'OTHER']);
export const documentType = pgEnum('document_type', [
  'RECEIPT', // 入库单
  'ISSUE', // 出库单
  'TRANSFER_OUT', // 调拨出库
  'TRANSFER_IN', // 调拨入库
  'TRANSFER_CANCEL', // 调拨撤销
  'STOCKTAKE', // 盘点单
  'SCRAP', // 报废单
  'REVERSAL', // 冲销单
  'ROTATION', // 轮换单
  'RECOVERY', // 回收单
  'WRITE_OFF', // 核销单 (D27: losses in transit)
]);
/** D27: a decrease waits as PENDING_APPROVAL (lines, no movements) until a second person approves or rejects it. */
export const documentStatus = pgEnum('document_status', ['POSTED', 'REVERSED', 'PENDING_APPROVAL', 'REJECTED']);
export const stockBucket = pgEnum('stock_bucket', ['ON_HAND', 'IN_TRANSIT']);
export const reasonDirection = pgEnum('reason_direction', ['INCREASE', 'DECREASE']);
export const transferStatus = pgEnum('transfer_status', ['IN_TRANSIT', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED']);

// Reason codes are data (盘盈, 盘亏, 破损, 霉变, 过期, 丢失 …); inputs take the code.
export const stockReasons = pgTable('stock_reasons', {
  code: varchar('code', { length: 32 }).primaryKey(),
  name: varchar('name', { length: 32 }).notNull(),
  direction: reasonDirection('direction').notNull(),
  /** Where the reason may be used: ISSUE, STOCKTAKE, SCRAP, TRANSFER (discrepancy), REVERSAL. */
  usages: varchar('usages', { length: 32 }).array().notNull(),
});

// D7: a batch keeps its identity when it moves between stores.
export const batches = pgTable(
  'batches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    batchNo: varchar('batch_no', { length: 64 }).notNull(),
    productionDate: date('production_date'),
    expiryDate: date('expiry_date'),
    unitPrice: numeric('unit_price', { precision: 14, scale: 2 }).notNull(),
    fundingSource: fundingSource('funding_source').notNull(),
    reserveMode: reserveMode('reserve_mode').notNull(),
    ownerOrgId: uuid('owner_org_id').references(() => organizations.id),
    supplierOrgId: uuid('supplier_org_id').references(() => organizations.id),
    origin: varchar('origin', { length: 64 }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    // D10, D31 (sweep 12c C4): the item's storage life and rotation lead as they were when the batch was made — set from
    // the item on every insert by the trigger batches_storage_terms (migration 0033), whatever path inserts it — so that
    // its rotate-by date (rotateBy) stays as received, like its printed expiry, when the catalog is edited later.
    storageLifeMonths: integer('storage_life_months'),
    rotationLeadMonths: integer('rotation_lead_months').notNull().default(12),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Sweep 24c F1 (D7, D22, migration 0049): when a spent batch — every receipt of it reversed, nothing of it in any
     * book — gave its number to a new batch registered by a later receipt (receipts.ts reRegisteredBatch). Kept whole.
     */
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  (t) => [
    // One live batch per (item, number); retired ones keep theirs.
    uniqueIndex('batches_item_batch_no_uq')
      .on(t.itemId, t.batchNo)
      .where(sql`${t.retiredAt} IS NULL`),
    check('batches_unit_price_nonneg', sql`${t.unitPrice} >= 0`),
    check('batches_expiry_after_production', sql`${t.expiryDate} IS NULL OR ${t.productionDate} IS NULL OR ${t.expiryDate} >= ${t.productionDate}`),
  ],
);

// Every stock change is a document with numbered lines (DESIGN: the ledger).
export const documents = pgTable(
  'documents',
  {
    id: uuid('id').primaryKey(),
    number: varchar('number', { length: 20 }).notNull().unique(),
    type: documentType('type').notNull(),
    status: documentStatus('status').notNull().default('POSTED'),
    storeId: uuid('store_id')
      .notNull()
      .references(() => stores.id),
    counterpartStoreId: uuid('counterpart_store_id'),
    transferId: uuid('transfer_id'),
    source: receiptSource('source'),
    sourceOrgId: uuid('source_org_id').references(() => organizations.id),
    contractNo: varchar('contract_no', { length: 64 }),
    inspectionReportNo: varchar('inspection_report_no', { length: 64 }),
    reference: varchar('reference', { length: 128 }),
    recipient: varchar('recipient', { length: 128 }),
    reasonCode: varchar('reason_code', { length: 32 }).references(() => stockReasons.code),
    approvalRef: varchar('approval_ref', { length: 128 }),
    note: varchar('note', { length: 500 }),
    incidentId: uuid('incident_id'),
    reversesDocumentId: uuid('reverses_document_id'),
    /** D23: the outbound order this document executed. */
    orderId: uuid('order_id'),
    actorId: uuid('actor_id')
      .notNull()
      .references(() => users.id),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
    idempotencyKind: varchar('idempotency_kind', { length: 32 }).notNull(),
    idempotencyKey: varchar('idempotency_key', { length: 128 }).notNull(),
    requestHash: varchar('request_hash', { length: 64 }).notNull(),
    details: jsonb('details'),
  },
  (t) => [
    uniqueIndex('documents_idempotency_uq').on(t.idempotencyKind, t.actorId, t.idempotencyKey),
    // A document is reversed at most once.
    uniqueIndex('documents_reverses_uq').on(t.reversesDocumentId),
    index('documents_store_idx').on(t.storeId, t.occurredAt),
    index('documents_transfer_idx').on(t.transferId),
    index('documents_counterpart_idx').on(t.counterpartStoreId, t.occurredAt),
  ],
);

export const documentLines = pgTable(
  'document_lines',
  {
    // References documents through a deferred constraint (custom migration): the document row is written last.
    documentId: uuid('document_id').notNull(),
    lineNo: smallint('line_no').notNull(),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    batchId: uuid('batch_id')
      .notNull()
      .references(() => batches.id),
    /** Signed change of on-hand stock at the document's store (a shipment is negative). */
    quantity: integer('quantity').notNull(),
    unitPrice: numeric('unit_price', { precision: 14, scale: 2 }).notNull(),
    reasonCode: varchar('reason_code', { length: 32 }).references(() => stockReasons.code),
    bookQuantity: integer('book_quantity'),
    countedQuantity: integer('counted_quantity'),
    note: varchar('note', { length: 500 }),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.lineNo] }), index('document_lines_batch_idx').on(t.batchId)],
);

// The append-only ledger: the database refuses UPDATE and DELETE (trigger in a custom migration).
export const movements = pgTable(
  'movements',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    documentId: uuid('document_id').notNull(),
    storeId: uuid('store_id').notNull(),
    batchId: uuid('batch_id').notNull(),
    itemId: uuid('item_id').notNull(),
    bucket: stockBucket('bucket').notNull(),
    quantity: integer('quantity').notNull(),
    unitPrice: numeric('unit_price', { precision: 14, scale: 2 }).notNull(),
    type: documentType('type').notNull(),
    reasonCode: varchar('reason_code', { length: 32 }),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
    actorId: uuid('actor_id').notNull(),
  },
  (t) => [
    check('movements_quantity_nonzero', sql`${t.quantity} <> 0`),
    // A key's movements in time order: the backdating check and the lock step's latest occurred_at (migration 0018).
    index('movements_store_batch_occurred_idx').on(t.storeId, t.batchId, t.occurredAt),
    index('movements_batch_idx').on(t.batchId, t.id),
    index('movements_document_idx').on(t.documentId),
    index('movements_occurred_idx').on(t.occurredAt),
  ],
);

// The balance cache per (store, batch); changes only with its movements, guarded, never negative.
export const balances = pgTable(
  'balances',
  {
    storeId: uuid('store_id')
      .notNull()
      .references(() => stores.id),
    batchId: uuid('batch_id')
      .notNull()
      .references(() => batches.id),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    onHand: integer('on_hand').notNull().default(0),
    reserved: integer('reserved').notNull().default(0),
    inTransit: integer('in_transit').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** When the latest movement of this (store, batch) occurred (null: none yet); a post dated earlier is backdated (D21). */
    lastOccurredAt: timestamp('last_occurred_at', { withTimezone: true }),
    /**
     * When the latest count of this (store, batch) was made, posted or submitted for approval (null: never counted); an
     * on-hand post dated earlier would move the book under that count (D9, server/inventory/counted.ts).
     */
    lastCountedAt: timestamp('last_counted_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.batchId] }),
    index('balances_store_item_idx').on(t.storeId, t.itemId),
    index('balances_item_idx').on(t.itemId),
    check('balances_nonneg', sql`${t.onHand} >= 0 AND ${t.reserved} >= 0 AND ${t.reserved} <= ${t.onHand} AND ${t.inTransit} >= 0`),
  ],
);

// A two-sided transfer: shipped from one store, in transit, received (partly) at another, or cancelled.
export const transfers = pgTable(
  'transfers',
  {
    id: uuid('id').primaryKey(),
    number: varchar('number', { length: 20 }).notNull().unique(),
    status: transferStatus('status').notNull(),
    fromStoreId: uuid('from_store_id')
      .notNull()
      .references(() => stores.id),
    toStoreId: uuid('to_store_id')
      .notNull()
      .references(() => stores.id),
    dispatchPlanId: uuid('dispatch_plan_id'),
    shippedBy: uuid('shipped_by')
      .notNull()
      .references(() => users.id),
    shippedAt: timestamp('shipped_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('transfers_to_idx').on(t.toStoreId),
    index('transfers_from_idx').on(t.fromStoreId),
    // A plan's shipments (DispatchPlan.transfers, open-shipments, the 补发 checks) are read by plan.
    index('transfers_dispatch_plan_idx')
      .on(t.dispatchPlanId)
      .where(sql`${t.dispatchPlanId} IS NOT NULL`),
    check('transfers_two_stores', sql`${t.fromStoreId} <> ${t.toStoreId}`),
  ],
);

export const transferLines = pgTable(
  'transfer_lines',
  {
    transferId: uuid('transfer_id')
      .notNull()
      .references(() => transfers.id),
    batchId: uuid('batch_id')
      .notNull()
      .references(() => batches.id),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    shipped: integer('shipped').notNull(),
    received: integer('received').notNull().default(0),
    lost: integer('lost').notNull().default(0),
    cancelled: integer('cancelled').notNull().default(0),
    /** D27: reported lost or damaged, still in transit until its write-off is decided. */
    disputed: integer('disputed').notNull().default(0),
    discrepancyReason: varchar('discrepancy_reason', { length: 32 }).references(() => stockReasons.code),
  },
  (t) => [
    primaryKey({ columns: [t.transferId, t.batchId] }),
    check(
      'transfer_lines_quantities',
      sql`${t.shipped} > 0 AND ${t.received} >= 0 AND ${t.lost} >= 0 AND ${t.cancelled} >= 0 AND ${t.disputed} >= 0 AND ${t.received} + ${t.lost} + ${t.cancelled} + ${t.disputed} <= ${t.shipped}`,
    ),
  ],
);

// Idempotency keys of every operation that changes stock (documents, plan execution, recovery): unique per operation,
// actor and key, with the request's hash (same key + other input = conflict) and the id of the first result.
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    kind: varchar('kind', { length: 32 }).notNull(),
    actorId: uuid('actor_id').notNull(),
    key: varchar('key', { length: 128 }).notNull(),
    requestHash: varchar('request_hash', { length: 64 }).notNull(),
    resultId: uuid('result_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.actorId, t.key] })],
);
