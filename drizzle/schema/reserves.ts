import { sql } from 'drizzle-orm';
import { check, date, index, integer, numeric, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { items } from './catalog.ts';
import { organizations } from './organizations.ts';
import { regions } from './regions.ts';
import { stores } from './stores.ts';
import { users } from './users.ts';

// D19: a required quantity per store or per region subtree and item.
export const quotas = pgTable(
  'quotas',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    storeId: uuid('store_id').references(() => stores.id),
    regionCode: varchar('region_code', { length: 12 }).references(() => regions.code),
    quantity: integer('quantity').notNull(),
    updatedBy: uuid('updated_by')
      .notNull()
      .references(() => users.id),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('quotas_store_item_uq')
      .on(t.storeId, t.itemId)
      .where(sql`${t.storeId} IS NOT NULL`),
    uniqueIndex('quotas_region_item_uq')
      .on(t.regionCode, t.itemId)
      .where(sql`${t.regionCode} IS NOT NULL`),
    check('quotas_one_target', sql`(${t.storeId} IS NULL) <> (${t.regionCode} IS NULL)`),
    check('quotas_quantity_pos', sql`${t.quantity} > 0`),
  ],
);

export const agreementMode = pgEnum('agreement_mode', ['AGREEMENT', 'ENTRUSTED', 'CAPACITY']);

// D6: 协议储备 (company stock committed by contract), 企业代储 (government stock in a company store, for a fee),
// 产能储备 (production capacity after a lead time).
export const agreements = pgTable(
  'agreements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mode: agreementMode('mode').notNull(),
    companyOrgId: uuid('company_org_id')
      .notNull()
      .references(() => organizations.id),
    regionCode: varchar('region_code', { length: 12 })
      .notNull()
      .references(() => regions.code),
    storeId: uuid('store_id').references(() => stores.id),
    validFrom: date('valid_from').notNull(),
    validTo: date('valid_to').notNull(),
    annualFee: numeric('annual_fee', { precision: 14, scale: 2 }),
    contractNo: varchar('contract_no', { length: 64 }),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** D6, D22 (0039): ended early (endAgreement) — validTo is then the last day it binds; what the contract said, who, when, why. */
    contractValidTo: date('contract_valid_to'),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endedBy: uuid('ended_by').references(() => users.id),
    endReason: varchar('end_reason', { length: 500 }),
  },
  (t) => [
    index('agreements_region_idx').on(t.regionCode),
    // D6: one agreement per company, region and contract number (0017, 0022: a contract is one region's).
    uniqueIndex('agreements_company_contract_uq')
      .on(t.companyOrgId, t.regionCode, t.contractNo)
      .where(sql`${t.contractNo} IS NOT NULL`),
    // 0039: one voided as entered in error ends the day before it starts (never in force).
    check('agreements_validity', sql`${t.validTo} >= ${t.validFrom} OR (${t.endedAt} IS NOT NULL AND ${t.validTo} = ${t.validFrom} - 1)`),
    check(
      'agreements_ended_whole',
      sql`(${t.endedAt} IS NULL) = (${t.endReason} IS NULL) AND (${t.endedAt} IS NULL) = (${t.endedBy} IS NULL) AND (${t.endedAt} IS NULL) = (${t.contractValidTo} IS NULL)`,
    ),
    check('agreements_fee_nonneg', sql`${t.annualFee} IS NULL OR ${t.annualFee} >= 0`),
  ],
);

export const agreementLines = pgTable(
  'agreement_lines',
  {
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => agreements.id),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    quantity: integer('quantity'),
    dailyCapacity: integer('daily_capacity'),
    unitPrice: numeric('unit_price', { precision: 14, scale: 2 }),
    responseHours: numeric('response_hours', { precision: 6, scale: 1 }),
    leadDays: integer('lead_days'),
  },
  (t) => [
    primaryKey({ columns: [t.agreementId, t.itemId] }),
    check('agreement_lines_quantity_pos', sql`${t.quantity} IS NULL OR ${t.quantity} > 0`),
    check('agreement_lines_capacity_pos', sql`${t.dailyCapacity} IS NULL OR ${t.dailyCapacity} > 0`),
    check('agreement_lines_price_nonneg', sql`${t.unitPrice} IS NULL OR ${t.unitPrice} >= 0`),
    check('agreement_lines_response_pos', sql`${t.responseHours} IS NULL OR ${t.responseHours} > 0`),
    check('agreement_lines_lead_nonneg', sql`${t.leadDays} IS NULL OR ${t.leadDays} >= 0`),
  ],
);

// 抽查: a spot check of an agreement's stock; until a later check an AGREEMENT line counts for min(committed, counted).
export const agreementChecks = pgTable(
  'agreement_checks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => agreements.id),
    checkedOn: date('checked_on').notNull(),
    findings: text('findings'),
    recordedBy: uuid('recorded_by')
      .notNull()
      .references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('agreement_checks_agreement_idx').on(t.agreementId, t.checkedOn)],
);

export const agreementCheckLines = pgTable(
  'agreement_check_lines',
  {
    checkId: uuid('check_id')
      .notNull()
      .references(() => agreementChecks.id),
    itemId: uuid('item_id')
      .notNull()
      .references(() => items.id),
    countedQuantity: integer('counted_quantity').notNull(),
  },
  (t) => [primaryKey({ columns: [t.checkId, t.itemId] }), check('agreement_check_lines_nonneg', sql`${t.countedQuantity} >= 0`)],
);
