import { describe, expect, it } from 'vitest';
import { excelCellDate, excelShownDay } from '../../server/paperwork/excel-dates.ts';
import { dayOf, moneyOf } from '../../server/paperwork/sheet-reader.ts';

// Sweep 18c F5, F7 (D7 期初建账): an upload's cells as Excel shows them. Dates: Excel's 1900 system counts a
// 1900-02-29 that never was (serial 60), so serials 1–59 are a day later than the plain count (exceljs's) gives.
// Prices: the number as shown (15 significant digits), never rounded to two decimals.

const plainDate = (serial: number) => new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000);

describe('sweep 18c F7: Excel serials and date cells before 1900-03-01 (D7)', () => {
  it('D7: serials 1, 15, 59, 61 are 1900-01-01, 01-15, 02-28, 03-01; 60 (1900-02-29) is no day', () => {
    const cases: [number, string | undefined][] = [
      [1, '1900-01-01'],
      [15, '1900-01-15'],
      [59, '1900-02-28'],
      [60, undefined],
      [61, '1900-03-01'],
      [46000, '2025-12-09'],
    ];
    for (const [serial, day] of cases) {
      expect(dayOf(serial), `serial ${serial}`).toBe(day);
      // A date cell, as exceljs hands it over (converted by the plain count).
      expect(dayOf(plainDate(serial)), `date cell ${serial}`).toBe(day);
    }
  });

  it('D7: a day written to a workbook is the serial Excel shows as that day, and read back as it', () => {
    for (const day of ['1900-01-01', '1900-01-15', '1900-02-28', '1900-03-01', '2026-12-07']) {
      const written = excelCellDate(day);
      expect(excelShownDay(written.toISOString().slice(0, 10))).toBe(day);
      expect(dayOf(written)).toBe(day);
    }
    expect(excelCellDate('1900-01-01').getTime()).toBe(plainDate(1).getTime());
  });
});

describe('sweep 18c F5: a price cell as shown, never rounded (D7, API.md Money)', () => {
  it('D7: more than two decimals as shown is no price; float noise and 15-digit amounts are', () => {
    expect(moneyOf(1.999999999)).toBeUndefined();
    expect(moneyOf(1.005)).toBeUndefined();
    expect(moneyOf(1e-7)).toBeUndefined();
    expect(moneyOf(0.1 + 0.2)).toBe('0.3');
    expect(moneyOf(999_999_999_999.99)).toBe('999999999999.99');
    // Whole, for the API's rule to name as too large (not rounded, not refused as a format).
    expect(moneyOf(1_000_000_000_000)).toBe('1000000000000');
    expect(moneyOf('1,234.50')).toBe('1234.50');
    expect(moneyOf('1e2')).toBeUndefined();
  });
});
