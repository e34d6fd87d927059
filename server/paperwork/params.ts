import { DateTime } from 'luxon';
import { ZONE } from '../clock.ts';
import { badInput } from '../errors.ts';

// Query-string parameters of the download routes, checked like GraphQL arguments (BAD_USER_INPUT naming the field).

export type Params = Record<string, string | undefined>;

/** An instant (ISO-8601; without an offset it is China time) as a UTC ISO string. */
export function parseInstant(v: string, field: string): string {
  const dt = DateTime.fromISO(v, { zone: ZONE });
  if (!dt.isValid) throw badInput(field, `${field}：时间格式错误 ${v}`);
  return dt.toUTC().toISO();
}

export function parseInteger(v: string | undefined, field: string, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  if (!/^-?\d{1,9}$/.test(v)) throw badInput(field, `${field}：应为整数（${v.slice(0, 32)}）`);
  return Number(v);
}

export const listParam = (v: string | undefined) => (v ?? '').split(',').filter(Boolean);
