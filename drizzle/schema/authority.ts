import { sql } from 'drizzle-orm';
import { check, date, index, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, smallint, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { items } from './catalog.ts';
import { dispatchPlans, incidents } from './dispatch.ts';
import { batches, documents } from './ledger.ts';
import { regions } from './regions.ts';
import { stores } from './stores.ts';
import { users } from './users.ts';

// D24, D27: everything that waits for a second person is one approval in one queue.
export const approvalKind = pgEnum('approval_kind', [
  'OUTBOUND_ORDER',
  'DISPATCH_PLAN',
  'CROSS_REGION_USE',
  'STOCKTAKE',
  'WRITE_OFF',
  'SCRAP',
  'REVERSAL',
  'EMERGENCY_WRITTEN_APPROVAL',
]);
export const approvalStatus = pgEnum('approval_status', ['PENDING', 'APPROVED', 'REJECTED']);

export const approvals = pgTable(
  'approvals',
  {
    id: uuid('id').primaryKey(),
    kind: approvalKind('kind').notNull(),
    status: approvalStatus('status').notNull().default('PENDING'),
    /** The order, plan or document the approval decides. */
    subjectId: uuid('subject_id').notNull(),
    summary: varchar('summary', { length: 500 }).notNull(),
    /** Migration 0021: as wide as a document's value can be — every posted document stays approvable and reversible. */
    value: numeric('value', { precision: 30, scale: 2 }),
    storeId: uuid('store_id').references(() => stores.id),
    /** Whose authority decides: the store's region, or the source region for consent (D25). */
    regionCode: varchar('region_code', { length: 12 })
      .notNull()
      .references(() => regions.code),
    requestedBy: uuid('requested_by')
      .notNull()
      .references(() => users.id),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    approvalRef: varchar('approval_ref', { length: 128 }),
    reason: varchar('reason', { length: 500 }),
    /** What approval will do (pending movements, the lines a consent covers). */
    payload: jsonb('payload'),
  },
  (t) => [
    index('approvals_region_idx').using('btree', sql`${t.regionCode} varchar_pattern_ops`, t.status),
    index('approvals_subject_idx').on(t.subjectId),
    check('approvals_segregation', sql`${t.decidedBy} IS NULL OR ${t.decidedBy} <> ${t.requestedBy} OR ${t.kind} = 'DISPATCH_PLAN'`),
    check('approvals_decided', sql`(${t.status} = 'PENDING') = (${t.decidedAt} IS NULL)`),
  ],
);

// D23: 出库申请单 — what a store is to send out, approved before it is executed.
export const outboundPurpose = pgEnum('outbound_purpose', ['RELIEF', 'DRILL', 'LOAN', 'TRANSFER', 'ROTATION_SALE', 'SCRAP', 'OTHER']);
export const orderStatus = pgEnum('order_status', ['PENDING', 'APPROVED', 'REJECTED', 'EXECUTED', 'CLOSED']);

export const outboundOrders = pgTable(
  'outbound_orders',
  {
    id: uuid('id').primaryKey(),
    number: varchar('number', { length: 20 }).notNull().unique(),
    status: orderStatus('status').notNull(),
    storeId: uuid('store_id')
      .notNull()
      .references(() => stores.id),
    purpose: outboundPurpose('purpose').notNull(),
    recipient: varchar('recipient', { length: 128 }),
    toStoreId: uuid('to_store_id').references(() => stores.id),
    incidentId: uuid('incident_id').references(() => incidents.id),
    note: varchar('note', { length: 500 }),
    requestedBy: uuid('requested_by')
      .notNull()
      .references(() => users.id),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
    approvalId: uuid('approval_id'),
    /** D23, D7: when the order was approved — no execution is dated before it (migration 0021). */
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closeReason: varchar('close_reason', { length: 500 }),
  },
  (t) => [index('outbound_orders_store_idx').on(t.storeId, t.status)],
);

export const outboundOrderLines = pgTable(
  'outbound_order_lines',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => outboundOrders.id),
    lineNo: smallint('line_no').notNull(),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    batchId: uuid('batch_id').references(() => batches.id),
    quantity: integer('quantity').notNull(),
    executedQuantity: integer('executed_quantity').notNull().default(0),
  },
  (t) => [
    primaryKey({ name: 'outbound_order_lines_pk', columns: [t.orderId, t.lineNo] }),
    check('outbound_order_lines_quantities', sql`${t.quantity} > 0 AND ${t.executedQuantity} >= 0 AND ${t.executedQuantity} <= ${t.quantity}`),
  ],
);

// D20, D25: 联储协议 — regions that may use each other's stock, optionally only some items up to a quantity.
export const jointReserveAgreements = pgTable(
  'joint_reserve_agreements',
  {
    id: uuid('id').primaryKey(),
    validFrom: date('valid_from').notNull(),
    validTo: date('valid_to').notNull(),
    note: varchar('note', { length: 500 }),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [check('joint_reserve_agreements_validity', sql`${t.validTo} >= ${t.validFrom}`)],
);

export const jointReserveRegions = pgTable(
  'joint_reserve_regions',
  {
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => jointReserveAgreements.id),
    regionCode: varchar('region_code', { length: 12 })
      .notNull()
      .references(() => regions.code),
  },
  (t) => [primaryKey({ name: 'joint_reserve_regions_pk', columns: [t.agreementId, t.regionCode] })],
);

export const jointReserveLines = pgTable(
  'joint_reserve_lines',
  {
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => jointReserveAgreements.id),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    maxQuantity: integer('max_quantity').notNull(),
  },
  (t) => [primaryKey({ name: 'joint_reserve_lines_pk', columns: [t.agreementId, t.itemId] }), check('joint_reserve_lines_pos', sql`${t.maxQuantity} > 0`)],
);

// D15, D25: what a region owes another for stock it used, until settled in kind or in money.
export const settlementStatus = pgEnum('settlement_status', ['OPEN', 'SETTLED']);

export const settlements = pgTable(
  'settlements',
  {
    id: uuid('id').primaryKey(),
    status: settlementStatus('status').notNull().default('OPEN'),
    owedToRegion: varchar('owed_to_region', { length: 12 })
      .notNull()
      .references(() => regions.code),
    owedByRegion: varchar('owed_by_region', { length: 12 })
      .notNull()
      .references(() => regions.code),
    storeId: uuid('store_id')
      .notNull()
      .references(() => stores.id),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    quantity: integer('quantity').notNull(),
    value: numeric('value', { precision: 30, scale: 2 }).notNull(),
    planId: uuid('plan_id').references(() => dispatchPlans.id),
    jointAgreementId: uuid('joint_agreement_id').references(() => jointReserveAgreements.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    settledBy: uuid('settled_by').references(() => users.id),
    settledAt: timestamp('settled_at', { withTimezone: true }),
    reference: varchar('reference', { length: 128 }),
    /** The document that settled it (归还 in kind), if one did. */
    documentId: uuid('document_id'),
    /**
     * D3, D25 (sweep 17b F10, migration 0040): the issue (出库单, executing an outbound order) that used another
     * government's goods — in place of a plan: one or the other.
     */
    issueDocumentId: uuid('issue_document_id').references(() => documents.id),
  },
  (t) => [
    index('settlements_owed_to_idx').using('btree', sql`${t.owedToRegion} varchar_pattern_ops`),
    index('settlements_owed_by_idx').using('btree', sql`${t.owedByRegion} varchar_pattern_ops`),
    // D25: a cancelled shipment can reduce a settlement to nothing; it is closed then (migration 0013).
    check('settlements_pos', sql`${t.quantity} > 0 OR (${t.quantity} = 0 AND ${t.status} = 'SETTLED')`),
    check('settlements_settled', sql`(${t.status} = 'SETTLED') = (${t.settledAt} IS NOT NULL)`),
    check('settlements_one_use', sql`${t.planId} IS NULL OR ${t.issueDocumentId} IS NULL`),
    index('settlements_issue_document_idx')
      .on(t.issueDocumentId)
      .where(sql`${t.issueDocumentId} IS NOT NULL`),
  ],
);
