import { sql } from 'drizzle-orm';
import { check, index, integer, numeric, pgEnum, pgTable, smallint, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';

// D4: the plan (专栏) categories.
export const categories = pgTable('categories', {
  code: varchar('code', { length: 32 }).primaryKey(),
  name: varchar('name', { length: 64 }).notNull(),
  sortOrder: smallint('sort_order').notNull().default(0),
});

export const recoveryKind = pgEnum('recovery_kind', ['ALWAYS', 'WITHIN_MONTHS', 'NEVER']);

// D4, D5, D10, D12: items with unit, spec, reference price, storage life, rotation lead, GB/T 38565 code, recovery rule.
export const items = pgTable(
  'items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: varchar('code', { length: 32 }).notNull().unique(),
    categoryCode: varchar('category_code', { length: 32 })
      .notNull()
      .references(() => categories.code),
    name: varchar('name', { length: 64 }).notNull(),
    spec: varchar('spec', { length: 200 }),
    unit: varchar('unit', { length: 16 }).notNull(),
    gbCode: varchar('gb_code', { length: 7 }),
    referencePrice: numeric('reference_price', { precision: 14, scale: 2 }),
    storageLifeMonths: integer('storage_life_months'),
    rotationLeadMonths: integer('rotation_lead_months').notNull().default(12),
    recoveryKind: recoveryKind('recovery_kind').notNull().default('NEVER'),
    recoveryMonths: integer('recovery_months'),
  },
  (t) => [
    index('items_category_idx').on(t.categoryCode),
    // D5: one item per code whatever its case (0027).
    uniqueIndex('items_code_upper_uq').on(sql`upper(${t.code})`),
    check('items_gb_code_shape', sql`${t.gbCode} IS NULL OR ${t.gbCode} ~ '^[123](0[1-9]|[1-9][0-9]){3}$'`),
    check('items_reference_price_nonneg', sql`${t.referencePrice} IS NULL OR ${t.referencePrice} >= 0`),
    check('items_storage_life_pos', sql`${t.storageLifeMonths} IS NULL OR ${t.storageLifeMonths} > 0`),
    check('items_rotation_lead_nonneg', sql`${t.rotationLeadMonths} >= 0`),
  ],
);
