import { DateTime } from 'luxon';

// Excel's 1900 date system counts a 29 February 1900 that never was (serial 60, kept from Lotus 1-2-3): serials 1–59
// are 1900-01-01 … 1900-02-28, one day later than a plain count of days from 1899-12-30 gives, and from serial 61
// (1900-03-01) on the plain count is right. exceljs converts both ways by the plain count (utils.excelToDate,
// dateToExcel), so without this a date cell of 1900-01-01 read as 1899-12-31, a date the API refuses, and a batch of
// 1900-01-14 was written as a cell Excel shows as 1900-01-15 (sweep 18c F7). The 1904 system (date1904 workbooks)
// starts at 1904 and has no such day: nothing before 1900-03-01 comes from it.

/** The first day on which the plain count and Excel's agree. */
const AGREE_FROM = '1900-03-01';
/** What the plain count gives for Excel's serial 60, the 29 February 1900 that never was. */
const FICTITIOUS = '1900-02-28';

const shift = (day: string, days: number) => DateTime.fromISO(day, { zone: 'utc' }).plus({ days }).toISODate()!;

/**
 * The day Excel shows for a date cell or serial that the plain count read as `plain` (YYYY-MM-DD); undefined for
 * Excel's 1900-02-29, which is no day.
 */
export function excelShownDay(plain: string): string | undefined {
  if (plain >= AGREE_FROM) return plain;
  if (plain === FICTITIOUS) return undefined;
  return shift(plain, 1);
}

/** The date to give exceljs (which writes it by the plain count) for a cell Excel shows as `day` (YYYY-MM-DD). */
export function excelCellDate(day: string): Date {
  return DateTime.fromISO(day < AGREE_FROM ? shift(day, -1) : day, { zone: 'utc' }).toJSDate();
}
