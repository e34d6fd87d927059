import { integer, pgTable, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { users } from './users.ts';

// A short-lived download link is used once: its id is recorded when the file is served.
export const downloadLinkUses = pgTable('download_link_uses', {
  jti: uuid('jti').primaryKey(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id),
  usedAt: timestamp('used_at', { withTimezone: true }).notNull(),
});

// Issue 13: each alert (by its stable key) is sent to the group-robot webhook once; failed sends are retried with back-off.
export const alertDeliveries = pgTable('alert_deliveries', {
  key: varchar('key', { length: 300 }).primaryKey(),
  kind: varchar('kind', { length: 40 }).notNull(),
  message: text('message').notNull(),
  firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull(),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
  attempts: integer('attempts').notNull().default(0),
  deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  lastError: varchar('last_error', { length: 500 }),
});
