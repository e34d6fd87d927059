import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { chinaIso, chinaText, chinaYear, fixedClock, todayInChina, YEARS, ZONE } from '../../server/clock.ts';

/** One formatter for every instant people read — messages, reports, exports, prints, file names — in China time. */
describe('China time (clock.ts): instants as keepers read them', () => {
  const newYearsEveUtc = new Date('2026-12-31T16:30:05.250Z'); // 2027-01-01 00:30:05 in Beijing

  it('is China time to the second by default, whatever the server zone', () => {
    expect(chinaText(newYearsEveUtc)).toBe('2027-01-01 00:30:05');
    expect(chinaText('2026-12-31T16:30:05.250Z')).toBe('2027-01-01 00:30:05');
  });

  it('takes the precision a message, a report heading or a file name needs', () => {
    expect(chinaText(newYearsEveUtc, 'yyyy-LL-dd HH:mm')).toBe('2027-01-01 00:30');
    expect(chinaText(newYearsEveUtc, 'yyyyLLdd-HHmm')).toBe('20270101-0030');
  });

  it('numbers a document by its China-time year (RK-2027-… just after midnight on 1 January in Beijing)', () => {
    expect(chinaYear(newYearsEveUtc)).toBe('2027');
    expect(chinaYear(new Date('2026-12-31T15:59:59Z'))).toBe('2026');
  });

  // Finance sweep #2: before 1901 Asia/Shanghai is local mean time, +08:05:43, which ISO-8601 writes as "+08:05" — the
  // instant read back was 43 s off the one stored. Such an instant is written in China Standard Time (+08:00) instead.
  it('writes an instant before 1901 (local mean time) at +08:00, the same instant as stored, in ISO and in text', () => {
    const first = new Date(`${YEARS.from}-01-01T00:00:00Z`);
    expect(chinaIso(first)).toBe('1900-01-01T08:00:00+08:00');
    expect(chinaIso('1900-01-01T00:00:00Z')).toBe('1900-01-01T08:00:00+08:00');
    expect(new Date(chinaIso(first)).getTime()).toBe(first.getTime());
    expect(chinaText(first)).toBe('1900-01-01 08:00:00');
    // The last second of local mean time, and the first of standard time (1901-01-01 00:00 LMT = 1900-12-31T15:54:17Z).
    for (const utc of ['1900-12-31T15:54:16Z', '1900-12-31T15:54:17Z', '1900-06-30T23:59:59.500Z']) {
      expect(new Date(chinaIso(utc)).getTime(), utc).toBe(new Date(utc).getTime());
      expect(chinaIso(utc)).toMatch(/\+08:00$/);
    }
  });

  it('keeps Asia/Shanghai where its offset is whole minutes: summer time +09:00 in 1986–1991, +08:00 otherwise', () => {
    expect(chinaIso('1988-07-01T00:00:00Z')).toBe('1988-07-01T09:00:00+09:00');
    expect(chinaText('1988-07-01T00:00:00Z')).toBe('1988-07-01 09:00:00');
    expect(chinaIso('1988-01-01T00:00:00Z')).toBe('1988-01-01T08:00:00+08:00');
    expect(chinaIso(new Date('2026-12-31T16:30:05.250Z'))).toBe('2027-01-01T00:30:05.250+08:00');
    expect(chinaYear(new Date('1900-12-31T15:59:59Z'))).toBe('1900');
  });

  it('D26: todayInChina (Intl, read for every stock line) is the date luxon gives in Asia/Shanghai, at midnight and across summer time', () => {
    expect(todayInChina(fixedClock('2026-12-05T15:59:59Z'))).toBe('2026-12-05');
    expect(todayInChina(fixedClock('2026-12-05T16:00:00Z'))).toBe('2026-12-06');
    expect(todayInChina(fixedClock('1988-07-01T14:59:59Z'))).toBe('1988-07-01'); // +09:00 that summer
    expect(todayInChina(fixedClock('1988-07-01T15:00:00Z'))).toBe('1988-07-02');
    for (let ms = Date.UTC(1985, 0, 1); ms < Date.UTC(2031, 0, 1); ms += 7 * 3_600_000 + 13 * 60_000) {
      const clock = { now: () => DateTime.fromMillis(ms, { zone: 'utc' }) };
      expect(todayInChina(clock)).toBe(clock.now().setZone(ZONE).toISODate());
    }
  });
});
