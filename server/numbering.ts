import { sql, type SQL } from 'drizzle-orm';
import { chinaYear } from './clock.ts';

/**
 * A readable number, drawn by the INSERT that stores it: prefix, recording year (China) and that year's count, at least
 * 6 digits (RK-2026-000123). `sequence` names the prefix's counters; each year has its own, so the count starts again
 * on 1 January (next_number, migration 0026). With `openPeriodAt`, the business time of a document that moves stock,
 * the period guard is asked first (migration 0031): a post refused for a closed month draws no number (D22: no gaps).
 */
export const yearlyNumber = (prefix: string, sequence: string, at: Date, openPeriodAt?: Date): SQL => {
  const year = chinaYear(at);
  const n = openPeriodAt
    ? sql`next_number_in_open_period(${sequence}, ${Number(year)}::int, ${openPeriodAt.toISOString()}::timestamptz)`
    : sql`next_number(${sequence}, ${Number(year)}::int)`;
  return sql`(SELECT ${`${prefix}-${year}-`} || lpad(n::text, greatest(6, length(n::text)), '0') FROM ${n} AS n)`;
};
