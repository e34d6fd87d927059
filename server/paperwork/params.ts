import { DateTime } from 'luxon';
import { chinaDateTime, inYearRange, YEARS, yearOutOfRange, ZONE } from '../clock.ts';
import { badInput } from '../errors.ts';
import { fieldInWords } from '../field-words.ts';
import { assertPeriodOrder } from '../validation.ts';

// Query-string parameters of the download routes, checked like GraphQL arguments (BAD_USER_INPUT naming the field).

export type Params = Record<string, string | undefined>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Where a point in time stands in what an export covers: the start of a period (`from`) or its end (`to`, `asOf`). */
export type Edge = 'start' | 'end';

/**
 * A point in time of an export (from, to, asOf) — the one parser of every export route: a date-time (ISO-8601; without
 * an offset it is China time) or a date alone, in the years GraphQL accepts (YEARS, as its Date and DateTime). Other
 * partial forms (2026-11, week or ordinal dates) are refused rather than read as some midnight. Returns UTC ISO-8601.
 *
 * D21, D22, D31 (sweep 16c F1): a date alone has one meaning in every export, that of 月结 and of README's (from, to]
 * ("the value at from plus the period's movements is the value at to"). As an end (`to`, `asOf`) it is the end of that
 * China day — 24:00, i.e. 00:00 of the next day, that instant included, as a closed month's end (closed-months.ts)
 * holds what is dated at it; as a start (`from`) it is 00:00 of the day, the instant itself excluded (the previous
 * day's end). So valuation(asOf=10-31) + journal(from=11-01, to=11-30) = valuation(asOf=11-30). `now`: today's end
 * has not come yet — a date-only end on today is read as now, the instant the figures then cover.
 */
export function parseInstant(raw: string, field: string, edge: Edge = 'start', now?: Date): string {
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
  if (edge === 'end') {
    const dayEnd = dt.plus({ days: 1 }).toUTC().toJSDate();
    const end = day ? (now && dayEnd > now && dt.toJSDate() <= now ? now : dayEnd) : dt.toUTC().toJSDate();
    if (now) assertEnded(end, raw, field, now);
    return end.toISOString();
  }
  return dt.toUTC().toISO();
}

/**
 * D21, D22 (sweep 18c F4): an end that has not come yet is refused — one rule for every export's end (valuation `asOf`,
 * journal `to`), as the valuation refuses a time after now: the figures up to a later instant are not known, and a
 * title 「至 2026-12-08 24:00」 would print a period that has not ended as if it had. Today's date alone is now (above).
 */
function assertEnded(end: Date, raw: string, field: string, now: Date): void {
  if (end <= now) return;
  throw badInput(
    field,
    `${fieldInWords(field) ?? field}：${instantText(end)} 晚于当前时间（${instantText(now)}），该时点尚未到来，数字还会变动：请选今天或更早的日期（选今天即截至此刻）`,
    { value: raw, now: now.toISOString() },
  );
}

/**
 * A day of an export's filter (the stock list's expiringBefore), checked as GraphQL's Date checks it — YYYY-MM-DD, in
 * YEARS, a day the month has — and refused at `field` in the same words; undefined when not given.
 */
export function parseDay(raw: string | undefined, field: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const words = fieldInWords(field) ?? field;
  if (!DAY.test(raw)) throw badInput(field, `${words}：日期格式错误：${raw.slice(0, 64)}（应为 ${YEARS.from}–${YEARS.to} 年间的 YYYY-MM-DD）`);
  if (!inYearRange(Number(raw.slice(0, 4)))) throw badInput(field, `${words}：${yearOutOfRange('日期', raw)}`);
  if (!DateTime.fromISO(raw).isValid) throw badInput(field, `${words}：日期不存在：${raw}（该月没有这一天，请核对）`);
  return raw;
}

/** Whether a query value is a date alone (YYYY-MM-DD), as parseInstant reads it. */
export const isDateOnly = (raw: string | undefined) => raw !== undefined && DAY.test(raw);

/**
 * An instant in the words of an export's title block (sweep 16c F1): China time, to the minute (to the second where it
 * has seconds). The end of a day — 00:00 as an end — is written 24:00 of that day ("截至 2026-11-30 24:00"), the one way
 * every export says it: the day whose movements it holds.
 */
export function instantText(d: Date | string, edge: Edge = 'end'): string {
  const t = chinaDateTime(d);
  const midnight = t.hour === 0 && t.minute === 0 && t.second === 0 && t.millisecond === 0;
  if (midnight && edge === 'end') return `${t.minus({ days: 1 }).toFormat('yyyy-LL-dd')} 24:00`;
  return t.toFormat(t.second || t.millisecond ? 'yyyy-LL-dd HH:mm:ss' : 'yyyy-LL-dd HH:mm');
}

/** The same for a file name: 20261130-2400. */
export const instantFileText = (d: Date | string) => instantText(d).replace(/[-:]/g, '').replace(' ', '-').slice(0, 13);

/**
 * An export's period, from and to (either may be absent), as parseInstant reads them — (from, to]: a date-only `from`
 * is that day's 00:00, a date-only `to` the end of its day (today's: now). A `to` before `from` is refused at `to`
 * (assertPeriodOrder, the journal and movements queries' own check); two dates alone, by their days.
 */
export function periodOf(q: Params, now?: Date): { from?: string; to?: string } {
  const period = { from: q.from ? parseInstant(q.from, 'from', 'start') : undefined, to: q.to ? parseInstant(q.to, 'to', 'end', now) : undefined };
  const details = { from: period.from, to: period.to };
  if (isDateOnly(q.from) && isDateOnly(q.to) && q.to! < q.from!) throw badInput('to', `截止日期 ${q.to} 早于起始日期 ${q.from}，请检查期间`, details);
  // A date alone beside a date-time: the instants in the title block's words (a date's end is its 24:00).
  if ((isDateOnly(q.from) || isDateOnly(q.to)) && period.from && period.to && new Date(period.to) < new Date(period.from)) {
    throw badInput('to', `截止时间 ${instantText(period.to)} 早于起始时间 ${instantText(period.from, 'start')}，请检查期间`, details);
  }
  assertPeriodOrder(period.from, period.to, 'to');
  return period;
}

export function parseInteger(v: string | undefined, field: string, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  if (!/^-?\d{1,9}$/.test(v)) throw badInput(field, `${fieldInWords(field) ?? field}：应为整数（${v.slice(0, 32)}）`);
  return Number(v);
}

export const listParam = (v: string | undefined) => (v ?? '').split(',').filter(Boolean);

/**
 * Sweep 17b F8: a query parameter a list does not read is refused, naming it — not ignored: a misspelt `regioncode`
 * answered the whole county's sheet, which reads as the township's. `known`: the list's parameters (reports/index.ts);
 * `field`: where the refusal points (the parameter itself; `path` when a download link is minted for it).
 */
export function assertKnownParams(names: Iterable<string>, known: readonly string[], field?: string) {
  for (const name of names) {
    if (known.includes(name)) continue;
    const shown = name.slice(0, 32);
    const meant = known.find((k) => k.toLowerCase() === name.toLowerCase());
    const hint = meant ? `参数名区分大小写，应为 ${meant}` : `此清单可用的参数：${known.join('、')}`;
    throw badInput(field ?? shown, `未知参数：${shown}（${hint}）`, { parameter: shown, allowed: known });
  }
}
