import dayjs from 'dayjs';
// The plugins by file name (.js): the API's tsconfig (NodeNext) checks this file too, as unit tests import it.
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import 'dayjs/locale/zh-cn';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.locale('zh-cn');

/** Dates are shown in China time whatever the browser's zone. */
export const ZONE = 'Asia/Shanghai';

export const formatDateTime = (iso: string | null | undefined) => (iso ? dayjs(iso).tz(ZONE).format('YYYY-MM-DD HH:mm') : '—');

/** Yuan with thousands separators, kept exact: Money is a decimal string. A negative amount is -¥32,700.00. */
export function formatMoney(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const [whole, fraction = ''] = value.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${digits}.${fraction.padEnd(2, '0')}`;
}

/**
 * A quantity (or any other count) with thousands separators, 10,000 — the one way the console writes one: in a table
 * cell, beside its unit (`${formatNumber(n)} ${unit}`) or inside a sentence. Negative ones keep their sign: -10,000.
 */
export const formatNumber = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toLocaleString('zh-CN'));

/** Today in China (YYYY-MM-DD). */
export const todayInChina = () => dayjs().tz(ZONE).format('YYYY-MM-DD');

/**
 * The end of a China-time calendar day (日终), as an instant the API takes: its last millisecond, 23:59:59.999+08:00.
 * D21, D22: the API counts movements with occurredAt <= this instant (valuation asOf, journal to), so the next day's
 * 00:00 would count the next day's first movements as this day's.
 */
export const endOfChinaDay = (date: string) => dayjs.tz(date, ZONE).add(1, 'day').subtract(1, 'millisecond').format('YYYY-MM-DDTHH:mm:ss.SSSZ');

/** An instant in China time to the second (a 日终 shows 23:59:59). */
export const formatDateTimeSeconds = (iso: string | null | undefined) => (iso ? dayjs(iso).tz(ZONE).format('YYYY-MM-DD HH:mm:ss') : '—');

/** The start of a China-time calendar day. */
export const startOfChinaDay = (date: string) => dayjs.tz(date, ZONE).format();

/** A fresh idempotency key for one submission of a form (API.md: every stock change carries one). */
export const newIdempotencyKey = () => crypto.randomUUID();
