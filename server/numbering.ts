import { sql, type SQL } from 'drizzle-orm';
import { chinaYear } from './clock.ts';

/**
 * A readable number, drawn by the INSERT that stores it: prefix, recording year (China) and that year's count, at least
 * 6 digits (RK-2026-000123). `sequence` names the prefix's counters; each year has its own, so the count starts again
 * on 1 January (next_number, migration 0026).
 */
export const yearlyNumber = (prefix: string, sequence: string, at: Date): SQL => {
  const year = chinaYear(at);
  return sql`(SELECT ${`${prefix}-${year}-`} || lpad(n::text, greatest(6, length(n::text)), '0') FROM next_number(${sequence}, ${Number(year)}::int) AS n)`;
};
