import { DateTime } from 'luxon';
import { inYearRange, YEARS, yearOutOfRange, ZONE } from '../clock.ts';
import { badInput } from '../errors.ts';
import { fieldInWords } from '../field-words.ts';
import { assertPeriodOrder } from '../validation.ts';

// Query-string parameters of the download routes, checked like GraphQL arguments (BAD_USER_INPUT naming the field).

export type Params = Record<string, string | undefined>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A point in time of an export (from, to, asOf) — the one parser of every export route: a date-time (ISO-8601; without
 * an offset it is China time) or a date alone, in the years GraphQL accepts (YEARS, as its Date and DateTime). A date
 * alone is a whole China day: its first instant, 00:00 in China (from; asOf, the valuation at that midnight); as the end
 * of a range (to, `end`) its last — so `to=2026-11-30` takes in all of the 30th, as the console's end-of-day does. Other
 * partial forms (2026-11, week or ordinal dates) are refused rather than read as some midnight. Returns UTC ISO-8601;
 * a day's end to the microsecond, the database's resolution, so that `<=` it is "before the next day".
 */
export function parseInstant(raw: string, field: string, end = false): string {
  // A `+08:00` typed into a URL arrives as ` 08:00` (a `+` in a query string is a space): a space before a two-digit
  // offset at the end of a date-time can only have been that plus.
  const v = raw.replace(/^(\d{4}-\d{2}-\d{2}T[\d:.]+) (\d{2}(?::?\d{2})?)$/, '$1+$2');
  const day = DAY.test(v);
  const dt = DateTime.fromISO(v, { zone: ZONE });
  const year = day ? Number(v.slice(0, 4)) : dt.toUTC().year;
  if (!dt.isValid || (!day && !v.includes('T'))) {
    throw badInput(
      field,
      `${fieldInWords(field) ?? field}：时间格式错误 ${raw.slice(0, 64)}（应为 ${YEARS.from}–${YEARS.to} 年间的日期 YYYY-MM-DD 或 ISO-8601 时间，如 2026-11-30T23:59:59+08:00）`,
    );
  }
  if (!inYearRange(year)) throw badInput(field, `${fieldInWords(field) ?? field}：${yearOutOfRange(day ? '日期' : '时间', raw)}`);
  if (day && end) return dt.plus({ days: 1 }).toUTC().minus({ milliseconds: 1 }).toISO().replace(/Z$/, '999Z');
  return dt.toUTC().toISO();
}

/**
 * An export's period, from and to (either may be absent), as parseInstant reads them: a date-only `to` is its whole day.
 * A `to` before `from` is refused at `to` (assertPeriodOrder, the journal and movements queries' own check).
 */
export function periodOf(q: Params): { from?: string; to?: string } {
  const period = { from: q.from ? parseInstant(q.from, 'from') : undefined, to: q.to ? parseInstant(q.to, 'to', true) : undefined };
  assertPeriodOrder(period.from, period.to, 'to');
  return period;
}

export function parseInteger(v: string | undefined, field: string, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  if (!/^-?\d{1,9}$/.test(v)) throw badInput(field, `${fieldInWords(field) ?? field}：应为整数（${v.slice(0, 32)}）`);
  return Number(v);
}

export const listParam = (v: string | undefined) => (v ?? '').split(',').filter(Boolean);
