import { pgEnum, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';

// D3, D6: owners and holders — government levels, companies (entrusted/agreement/capacity), donors.
export const organizationKind = pgEnum('organization_kind', ['GOVERNMENT', 'COMPANY', 'DONOR', 'OTHER']);

export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: varchar('name', { length: 128 }).notNull().unique(),
  kind: organizationKind('kind').notNull(),
  regionCode: varchar('region_code', { length: 12 }),
  contact: varchar('contact', { length: 128 }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
