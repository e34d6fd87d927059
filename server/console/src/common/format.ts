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
/** The exact sum of amounts (decimal strings, 2 places), as a decimal string: in fen, never drifting as floating point does. */
export function sumMoney(values: readonly string[]): string {
  const fen = values.reduce((sum, value) => {
    const negative = value.startsWith('-');
    const [whole, fraction = ''] = value.replace('-', '').split('.');
    const f = BigInt(whole || '0') * 100n + BigInt((fraction + '00').slice(0, 2));
    return sum + (negative ? -f : f);
  }, 0n);
  const abs = fen < 0n ? -fen : fen;
  return `${fen < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

export const formatNumber = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toLocaleString('zh-CN'));

/**
 * A quantity with its unit, the one way the console writes it (sweep 22c F6): grouped, a space before the unit —
 * 「1,300 床」, as the API's messages write it (quantityText in server/inventory/common.ts). Without a unit, the number.
 */
export const formatQuantity = (n: number | null | undefined, unit?: string | null) =>
  n === null || n === undefined ? '—' : unit ? `${formatNumber(n)} ${unit}` : formatNumber(n);

/** Today in China (YYYY-MM-DD). */
export const todayInChina = () => dayjs().tz(ZONE).format('YYYY-MM-DD');

/**
 * The end of a China-time calendar day (日终), as an instant the API takes: 24:00, the next day's 00:00, that instant
 * included — README's rule for a day as an end, as the exports and 月结 read it (sweep 18b F2: the console's
 * 23:59:59.999 put a movement at exactly 00:00 in no day's 流水 and no 日终). D21, D22: the API counts movements with
 * occurredAt <= this instant (valuation asOf, journal to); a day as a start is its 00:00, excluded (journal from).
 */
export const endOfChinaDay = (date: string) => dayjs.tz(date, ZONE).add(1, 'day').format();

/** The start of a China-time calendar day. */
export const startOfChinaDay = (date: string) => dayjs.tz(date, ZONE).format();

/** A fresh idempotency key for one submission of a form (API.md: every stock change carries one). */
export const newIdempotencyKey = () => crypto.randomUUID();
