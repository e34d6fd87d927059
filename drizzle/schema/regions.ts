import { doublePrecision, index, pgEnum, pgTable, varchar } from 'drizzle-orm/pg-core';

export const regionLevel = pgEnum('region_level', ['PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP', 'VILLAGE']);

// D1: the administrative tree. The 12-digit 统计用区划代码 is hierarchical, so a subtree is a code prefix.
export const regions = pgTable(
  'regions',
  {
    code: varchar('code', { length: 12 }).primaryKey(),
    name: varchar('name', { length: 64 }).notNull(),
    level: regionLevel('level').notNull(),
    parentCode: varchar('parent_code', { length: 12 }),
    lat: doublePrecision('lat'),
    lng: doublePrecision('lng'),
  },
  (t) => [index('regions_parent_idx').on(t.parentCode)],
);
