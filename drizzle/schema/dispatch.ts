import { sql } from 'drizzle-orm';
import { boolean, check, doublePrecision, index, integer, pgEnum, pgTable, primaryKey, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { items } from './catalog.ts';
import { batches } from './ledger.ts';
import { agreements } from './reserves.ts';
import { stores } from './stores.ts';
import { regions } from './regions.ts';
import { users } from './users.ts';

export const incidentType = pgEnum('incident_type', ['FLOOD', 'EARTHQUAKE', 'FOREST_FIRE', 'MINE_ACCIDENT', 'FIRE', 'OTHER']);

// D13–D18: an incident that stock is issued and dispatched for.
export const incidents = pgTable(
  'incidents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: varchar('name', { length: 128 }).notNull(),
    type: incidentType('type').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    regionCode: varchar('region_code', { length: 12 })
      .notNull()
      .references(() => regions.code),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    affectedPopulation: integer('affected_population'),
    responseLevel: integer('response_level'),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** D29: a closed incident takes no more distributions. */
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    index('incidents_region_idx').on(t.regionCode),
    check('incidents_response_level', sql`${t.responseLevel} IS NULL OR ${t.responseLevel} BETWEEN 1 AND 4`),
    check('incidents_population_nonneg', sql`${t.affectedPopulation} IS NULL OR ${t.affectedPopulation} >= 0`),
  ],
);

export const dispatchPlanStatus = pgEnum('dispatch_plan_status', ['PROPOSED', 'APPROVED', 'EXECUTING', 'COMPLETED', 'CANCELLED']);
export const dispatchSourceKind = pgEnum('dispatch_source_kind', ['STORE', 'AGREEMENT', 'CAPACITY']);
export const dispatchTier = pgEnum('dispatch_tier', ['LOCAL', 'UPPER', 'NEIGHBOUR', 'AGREEMENT', 'CAPACITY']);
export const callOffStatus = pgEnum('call_off_status', ['ISSUED', 'DELIVERED', 'CANCELLED']);

// D14: a dispatch order (调拨单) and its plan, from request to completion.
export const dispatchPlans = pgTable(
  'dispatch_plans',
  {
    id: uuid('id').primaryKey(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id),
    status: dispatchPlanStatus('status').notNull(),
    deadlineHours: doublePrecision('deadline_hours').notNull(),
    requestedBy: uuid('requested_by')
      .notNull()
      .references(() => users.id),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
    /**
     * D15, D25 (sweep 19c F5): the jurisdiction the plan is made for — its requester's region when requested, a
     * system-wide administrator's plan the incident's city (planningJurisdiction). Fixed at the request: the stock it
     * uses freely, the consents it asks, its tiers and who owes a settlement at execution are its own, whoever the
     * requester is moved to later.
     */
    jurisdictionCode: varchar('jurisdiction_code', { length: 12 })
      .notNull()
      .references(() => regions.code),
    approvedBy: uuid('approved_by').references(() => users.id),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    emergency: boolean('emergency').notNull().default(false),
    /** D14: an emergency approval's written approval is due 48 h after it. */
    approvalDueAt: timestamp('approval_due_at', { withTimezone: true }),
    writtenApprovalRef: varchar('written_approval_ref', { length: 128 }),
    writtenApprovedAt: timestamp('written_approved_at', { withTimezone: true }),
    executedBy: uuid('executed_by').references(() => users.id),
    executedAt: timestamp('executed_at', { withTimezone: true }),
    executionKey: varchar('execution_key', { length: 128 }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    cancelReason: varchar('cancel_reason', { length: 500 }),
    requestKey: varchar('request_key', { length: 128 }),
  },
  (t) => [index('dispatch_plans_incident_idx').on(t.incidentId), check('dispatch_plans_deadline_pos', sql`${t.deadlineHours} > 0`)],
);

export const dispatchDestinations = pgTable(
  'dispatch_destinations',
  {
    planId: uuid('plan_id')
      .notNull()
      .references(() => dispatchPlans.id),
    idx: integer('idx').notNull(),
    name: varchar('name', { length: 128 }).notNull(),
    regionCode: varchar('region_code', { length: 12 })
      .notNull()
      .references(() => regions.code),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    /** The receiving store: given, or the distribution point created for this destination. */
    storeId: uuid('store_id').notNull(),
    contact: varchar('contact', { length: 128 }),
  },
  (t) => [primaryKey({ columns: [t.planId, t.idx] })],
);

export const dispatchDemands = pgTable(
  'dispatch_demands',
  {
    planId: uuid('plan_id')
      .notNull()
      .references(() => dispatchPlans.id),
    destinationIdx: integer('destination_idx').notNull(),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    quantity: integer('quantity').notNull(),
  },
  (t) => [primaryKey({ columns: [t.planId, t.destinationIdx, t.itemId] }), check('dispatch_demands_pos', sql`${t.quantity} > 0`)],
);

export const dispatchLines = pgTable(
  'dispatch_lines',
  {
    planId: uuid('plan_id')
      .notNull()
      .references(() => dispatchPlans.id),
    lineNo: integer('line_no').notNull(),
    destinationIdx: integer('destination_idx').notNull(),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    sourceKind: dispatchSourceKind('source_kind').notNull(),
    storeId: uuid('store_id').references(() => stores.id),
    batchId: uuid('batch_id').references(() => batches.id),
    agreementId: uuid('agreement_id').references(() => agreements.id),
    quantity: integer('quantity').notNull(),
    distanceKm: doublePrecision('distance_km').notNull(),
    etaHours: doublePrecision('eta_hours').notNull(),
    meetsDeadline: boolean('meets_deadline').notNull(),
    tier: dispatchTier('tier').notNull(),
    reason: varchar('reason', { length: 300 }).notNull(),
    transferId: uuid('transfer_id'),
    /** D25: another jurisdiction's stock outside any 联储 agreement — used only once that jurisdiction consents. */
    needsConsent: boolean('needs_consent').notNull().default(false),
    /** D25: the 联储 agreement under which a partner's stock is used. */
    jointAgreementId: uuid('joint_agreement_id'),
  },
  (t) => [primaryKey({ columns: [t.planId, t.lineNo] }), check('dispatch_lines_pos', sql`${t.quantity} > 0`)],
);

// D17: call-off orders to agreement companies (and production orders to capacity holders).
export const callOffs = pgTable(
  'call_offs',
  {
    id: uuid('id').primaryKey(),
    planId: uuid('plan_id')
      .notNull()
      .references(() => dispatchPlans.id),
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => agreements.id),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    destinationIdx: integer('destination_idx').notNull(),
    quantity: integer('quantity').notNull(),
    status: callOffStatus('status').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    /** D17: what the company delivered (≤ quantity); the rest is released, no longer claimed from the agreement. */
    deliveredQuantity: integer('delivered_quantity'),
    receiptDocumentId: uuid('receipt_document_id'),
    /** D17: a call-off cancelled before delivery (cancelCallOff), and why. */
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    cancelReason: varchar('cancel_reason', { length: 500 }),
  },
  (t) => [
    index('call_offs_plan_idx').on(t.planId),
    check('call_offs_pos', sql`${t.quantity} > 0`),
    check('call_offs_delivered_within', sql`${t.deliveredQuantity} IS NULL OR (${t.deliveredQuantity} > 0 AND ${t.deliveredQuantity} <= ${t.quantity})`),
    check('call_offs_delivered_when', sql`(${t.status} = 'DELIVERED') = (${t.deliveredQuantity} IS NOT NULL)`),
  ],
);

// DESIGN: optional travel-time table (store → region) overriding the distance estimate.
export const travelTimes = pgTable(
  'travel_times',
  {
    storeId: uuid('store_id')
      .notNull()
      .references(() => stores.id),
    regionCode: varchar('region_code', { length: 12 })
      .notNull()
      .references(() => regions.code),
    hours: doublePrecision('hours').notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.regionCode] }), check('travel_times_pos', sql`${t.hours} > 0`)],
);
