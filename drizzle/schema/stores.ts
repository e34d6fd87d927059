import { sql } from 'drizzle-orm';
import { check, doublePrecision, index, integer, pgEnum, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { organizations } from './organizations.ts';
import { regionLevel, regions } from './regions.ts';

// DISTRIBUTION_POINT: an incident's 安置点/发放点, created by a dispatch request to receive and hand out stock.
export const storeKind = pgEnum('store_kind', ['GOVERNMENT', 'ENTRUSTED', 'AGREEMENT', 'DISTRIBUTION_POINT']);

// D2: stores (储备库/储备点) at city, county, township or village level.
export const stores = pgTable(
  'stores',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: varchar('code', { length: 32 }).notNull().unique(),
    name: varchar('name', { length: 128 }).notNull(),
    regionCode: varchar('region_code', { length: 12 })
      .notNull()
      .references(() => regions.code),
    level: regionLevel('level').notNull(),
    kind: storeKind('kind').notNull(),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    address: varchar('address', { length: 256 }),
    contactName: varchar('contact_name', { length: 64 }),
    contactPhone: varchar('contact_phone', { length: 32 }),
    capacityM3: integer('capacity_m3'),
    operatorOrgId: uuid('operator_org_id').references(() => organizations.id),
    incidentId: uuid('incident_id'),
    /** D29: a 安置点's capacity in people. */
    capacityPersons: integer('capacity_persons'),
    /** D29: a 安置点 opened by a dispatch request — it serves only while a plan still delivers there (0014). */
    openedByPlanId: uuid('opened_by_plan_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('stores_region_idx').using('btree', sql`${t.regionCode} varchar_pattern_ops`),
    check('stores_lat_range', sql`${t.lat} BETWEEN -90 AND 90`),
    check('stores_lng_range', sql`${t.lng} BETWEEN -180 AND 180`),
    check('stores_capacity_nonneg', sql`${t.capacityM3} IS NULL OR ${t.capacityM3} >= 0`),
    check('stores_capacity_persons_nonneg', sql`${t.capacityPersons} IS NULL OR ${t.capacityPersons} >= 0`),
  ],
);
