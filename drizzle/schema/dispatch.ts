import { sql } from 'drizzle-orm';
import { check, doublePrecision, index, integer, pgEnum, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
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
  },
  (t) => [
    index('incidents_region_idx').on(t.regionCode),
    check('incidents_response_level', sql`${t.responseLevel} IS NULL OR ${t.responseLevel} BETWEEN 1 AND 4`),
    check('incidents_population_nonneg', sql`${t.affectedPopulation} IS NULL OR ${t.affectedPopulation} >= 0`),
  ],
);
