import { sql } from 'drizzle-orm';
import { check, index, integer, numeric, pgTable, primaryKey, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { items } from './catalog.ts';
import { incidents } from './dispatch.ts';
import { documents } from './ledger.ts';
import { regions } from './regions.ts';
import { stores } from './stores.ts';
import { users } from './users.ts';

// D29 救助标准: per region and item, per person or per household (exactly one).
export const reliefStandards = pgTable(
  'relief_standards',
  {
    regionCode: varchar('region_code', { length: 12 })
      .notNull()
      .references(() => regions.code),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    perPerson: numeric('per_person', { precision: 10, scale: 3 }),
    perHousehold: integer('per_household'),
    updatedBy: uuid('updated_by')
      .notNull()
      .references(() => users.id),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.regionCode, t.itemId] }),
    check('relief_standards_one_basis', sql`(${t.perPerson} IS NULL) <> (${t.perHousehold} IS NULL)`),
    check('relief_standards_per_person_pos', sql`${t.perPerson} IS NULL OR ${t.perPerson} > 0`),
    check('relief_standards_per_household_pos', sql`${t.perHousehold} IS NULL OR ${t.perHousehold} > 0`),
  ],
);

// D29 发放到人: a distribution to a household; its lines are its ISSUE document's lines. Only the personal data needed.
export const distributions = pgTable(
  'distributions',
  {
    documentId: uuid('document_id')
      .primaryKey()
      .references(() => documents.id),
    storeId: uuid('store_id')
      .notNull()
      .references(() => stores.id),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id),
    headName: varchar('head_name', { length: 64 }).notNull(),
    householdSize: integer('household_size').notNull(),
    idNumberMasked: varchar('id_number_masked', { length: 18 }),
    /** D29: 3 hex characters of the full number's SHA-256, telling apart numbers with one mask (null before 0025). */
    idNumberFingerprint: varchar('id_number_fingerprint', { length: 8 }),
    address: varchar('address', { length: 200 }),
    /** Who the household is, within an incident: its masked ID number and fingerprint (else the head's name and address, or the name alone). */
    householdKey: varchar('household_key', { length: 300 }).notNull(),
    distributedBy: uuid('distributed_by')
      .notNull()
      .references(() => users.id),
    distributedAt: timestamp('distributed_at', { withTimezone: true }).notNull(),
    signatureRef: varchar('signature_ref', { length: 128 }),
    overrideReason: varchar('override_reason', { length: 500 }),
  },
  (t) => [
    index('distributions_household_idx').on(t.incidentId, t.householdKey),
    index('distributions_store_idx').on(t.storeId, t.distributedAt),
    check('distributions_household_size_pos', sql`${t.householdSize} > 0`),
  ],
);
