import { bigserial, date, index, integer, jsonb, pgTable, primaryKey, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { users } from './users.ts';

// 月结: a closed month; entries dated before its cutoff are refused (trigger on movements, custom migration).
export const periodCloses = pgTable('period_closes', {
  month: date('month').primaryKey(), // first day of the month
  cutoff: timestamp('cutoff', { withTimezone: true }).notNull(), // the month's end (00:00 Asia/Shanghai of the next month)
  closedBy: uuid('closed_by')
    .notNull()
    .references(() => users.id),
  closedAt: timestamp('closed_at', { withTimezone: true }).notNull(),
});

// Balances per (store, batch) as of a closed month's cutoff, by business time (occurred_at).
export const balanceSnapshots = pgTable(
  'balance_snapshots',
  {
    month: date('month')
      .notNull()
      .references(() => periodCloses.month),
    storeId: uuid('store_id').notNull(),
    batchId: uuid('batch_id').notNull(),
    onHand: integer('on_hand').notNull(),
    inTransit: integer('in_transit').notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.storeId, t.batchId] })],
);

// D22: every mutation — who, role, when, operation, input summary, outcome (refusals too). Append-only.
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    userId: uuid('user_id'),
    username: varchar('username', { length: 64 }),
    // D22, D31 (0043): the actor's 姓名 when the row was written; null on rows written before (read the account's now).
    displayName: varchar('display_name', { length: 64 }),
    role: varchar('role', { length: 16 }),
    regionCode: varchar('region_code', { length: 12 }), // the actor's
    // D22: the region of what the mutation acted on (store, region, user, approval …), so that its auditors read it too.
    subjectRegionCode: varchar('subject_region_code', { length: 12 }),
    // D22 (sweep 12c C6): an edit that moved its record (a store, a user) to another region: the region it had before,
    // so that the auditors of the region it left read the move too. Null when the record stayed where it was.
    subjectPriorRegionCode: varchar('subject_prior_region_code', { length: 12 }),
    // D22 (sweep 19c F3, 0046): the other regions what it acted on touches — a keeper's stores', a settlement's owing
    // region, the regions a dispatch plan takes stock from, a 联储 agreement's — whose auditors read it too. Sorted,
    // without subject_region_code; null when there are none (a store, a document, a transfer: always).
    subjectOtherRegionCodes: varchar('subject_other_region_codes', { length: 12 }).array(),
    operation: varchar('operation', { length: 64 }).notNull(),
    input: jsonb('input'),
    outcome: varchar('outcome', { length: 32 }).notNull(),
    message: varchar('message', { length: 500 }),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_region_idx').on(t.regionCode),
    index('audit_log_subject_region_idx').on(t.subjectRegionCode),
    index('audit_log_subject_prior_region_idx').on(t.subjectPriorRegionCode),
  ],
);
