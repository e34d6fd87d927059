import { pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.ts';

// A short-lived download link is used once: its id is recorded when the file is served.
export const downloadLinkUses = pgTable('download_link_uses', {
  jti: uuid('jti').primaryKey(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id),
  usedAt: timestamp('used_at', { withTimezone: true }).notNull(),
});
