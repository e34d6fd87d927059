import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import 'dayjs/locale/zh-cn';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.locale('zh-cn');

/** Dates are shown in China time whatever the browser's zone. */
export const ZONE = 'Asia/Shanghai';

export const formatDateTime = (iso: string | null | undefined) => (iso ? dayjs(iso).tz(ZONE).format('YYYY-MM-DD HH:mm') : '—');

/** Yuan with thousands separators, kept exact: Money is a decimal string. */
export function formatMoney(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const [whole, fraction = ''] = value.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `¥${sign}${digits}.${fraction.padEnd(2, '0')}`;
}

export const formatNumber = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toLocaleString('zh-CN'));

/** Today in China (YYYY-MM-DD). */
export const todayInChina = () => dayjs().tz(ZONE).format('YYYY-MM-DD');

/** The end of a China-time calendar day, as an instant the API takes (valuation "as of" a date). */
export const endOfChinaDay = (date: string) => dayjs.tz(date, ZONE).add(1, 'day').format();

/** The start of a China-time calendar day. */
export const startOfChinaDay = (date: string) => dayjs.tz(date, ZONE).format();

/** A fresh idempotency key for one submission of a form (API.md: every stock change carries one). */
export const newIdempotencyKey = () => crypto.randomUUID();
