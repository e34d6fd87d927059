import { DateTime, FixedOffsetZone } from 'luxon';

// House style 6: time comes from an injectable clock so deadlines and rotation dates are testable.
export const ZONE = 'Asia/Shanghai';

export interface Clock {
  now(): DateTime;
}

export const systemClock: Clock = { now: () => DateTime.utc() };

export function fixedClock(iso: string): Clock & { set(iso: string): void; advance(hours: number): void } {
  let t = DateTime.fromISO(iso, { zone: 'utc' });
  return {
    now: () => t,
    set: (v) => void (t = DateTime.fromISO(v, { zone: 'utc' })),
    advance: (hours) => void (t = t.plus({ hours })),
  };
}

/** China Standard Time, +08:00: what Asia/Shanghai is written as while its offset is not whole minutes (see inChina). */
const CHINA_STANDARD_TIME = FixedOffsetZone.instance(8 * 60);

/**
 * An instant in China time: Asia/Shanghai (so +09:00 in the summers of 1986–1991), except before 1901, when the zone
 * is local mean time, +08:05:43 — an offset ISO-8601 writes to the minute only ("+08:05"), so that the instant read back
 * would be 43 s off the one stored (finance sweep #2). There, and wherever the zone's offset is not whole minutes, it is
 * written in China Standard Time, +08:00: the same instant, in China time, whatever reads it.
 */
function inChina(dt: DateTime): DateTime {
  const local = dt.setZone(ZONE);
  return Number.isInteger(local.offset) ? local : local.setZone(CHINA_STANDARD_TIME);
}

/**
 * An instant as the API shows it (API.md: stored in UTC, shown in Asia/Shanghai): ISO-8601 with +08:00. The DateTime
 * scalar's form, and that of every instant in an error's details.
 */
export function chinaIso(v: Date | string): string {
  const dt = v instanceof Date ? DateTime.fromJSDate(v) : DateTime.fromISO(String(v), { setZone: true });
  return inChina(dt).toISO({ suppressMilliseconds: true })!;
}

/**
 * An instant as people here read it: China time, to the second (2026-12-03 23:43:36) unless `format` says otherwise —
 * in messages, reports, exports and file names alike.
 */
export const chinaText = (d: Date | string, format = 'yyyy-LL-dd HH:mm:ss') => chinaDateTime(d).toFormat(format);

/**
 * How a refusal says two instants it compares (a time and the earliest allowed, a count and a movement): China time to
 * the minute, to the second where the minutes would show them alike (09:00:10 before 09:00:40).
 */
export function chinaTextsApart(a: Date, b: Date): (d: Date) => string {
  const minutes = (d: Date) => chinaText(d, 'yyyy-LL-dd HH:mm');
  return minutes(a) === minutes(b) ? (d: Date) => chinaText(d) : minutes;
}

/** An instant in China time (inChina), for what reads its wall clock: the texts above, a spreadsheet's cells. */
export const chinaDateTime = (d: Date | string | number) => inChina(DateTime.fromJSDate(new Date(d)));

const yearFormat = new Intl.DateTimeFormat('en', { timeZone: ZONE, year: 'numeric' });
/** The China-time year of an instant (a document's or order's number): Intl, not luxon — it runs on every post. */
export const chinaYear = (d: Date) => yearFormat.format(d);

const dayFormat = new Intl.DateTimeFormat('en', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
/**
 * Today's date in China, for "today" in business rules: Intl, not luxon's zone conversion (about ten times dearer) —
 * a nested stock read asks it for every line (D26: expired, available).
 */
export const todayInChina = (clock: Clock) => {
  const part = Object.fromEntries(dayFormat.formatToParts(clock.now().toMillis()).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day}`;
};

/**
 * Dates of stock, batches and incidents lie in these years; anything else is a typing error, not a date to store. One
 * rule for GraphQL's Date and DateTime (schema/scalars.ts) and the export routes' dates (server/paperwork/params.ts).
 */
export const YEARS = { from: 1900, to: 2199 } as const;
export const inYearRange = (year: number) => year >= YEARS.from && year <= YEARS.to;
/** A well-formed date or time in a year the books cannot hold, said as such rather than as a format error. */
export const yearOutOfRange = (what: '日期' | '时间', written: string) => `${what}超出范围：${written.slice(0, 64)}（年份应在 ${YEARS.from}–${YEARS.to} 之间）`;

/**
 * The earliest business time the ledger and incidents take (00:00 China time on this day): a floor that catches a
 * mistyped year (1900: a receipt that rewrites the value of every instant back to then, an incident a million hours
 * old), not a window — stock and incidents of past years (the 2021 河南 floods) may still be recorded.
 */
export const EARLIEST_BUSINESS_DAY = '2000-01-01';
export const earliestBusinessTime = () => DateTime.fromISO(EARLIEST_BUSINESS_DAY, { zone: ZONE }).toJSDate();
