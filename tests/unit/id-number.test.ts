import { describe, expect, it } from 'vitest';
import { hasRealBirthDate, idCheckDigit, idNumber18, maskIdNumber } from '../../server/relief/rules.ts';

// D29: a household's ID number — the old 15-digit form is the same person's 18-digit number (GB 11643-1999), and its
// birth date is a day of the calendar.

describe('D29: 居民身份证号码 — 15 to 18 digits, check digit, birth date', () => {
  it('GB 11643-1999: the check digit is ISO 7064 MOD 11-2 of the first 17 digits (X for 10)', () => {
    expect(idCheckDigit('11010519491231002')).toBe('X'); // the standard's own example
    expect(idCheckDigit('44052418800101001')).toBe('4');
    expect(idCheckDigit('41078119900101123')).toBe('2');
  });

  it('D29: a 15-digit number gains the century 19 and its check digit; an 18-digit one is kept (upper-cased), its check digit unverified', () => {
    expect(idNumber18('410781900101123')).toBe('410781199001011232');
    expect(idNumber18('110105491231002')).toBe('11010519491231002X');
    expect(idNumber18('410781199001011234')).toBe('410781199001011234');
    expect(idNumber18('41078119800101123x')).toBe('41078119800101123X');
    // So both forms of one number have one mask.
    expect(maskIdNumber(idNumber18('410781900101123'))).toBe(maskIdNumber('410781199001011232'));
  });

  it('D29: the birth date is a real date — month 1–12, the month’s days, 29 Feb in leap years only', () => {
    for (const id of ['410781199001011232', '410781200002291234', '410781199612311234', '410781960229123', '41078119880229123X']) {
      expect(hasRealBirthDate(id), id).toBe(true);
    }
    for (const id of [
      '410781199013451234',
      '410781199000101234',
      '410781199001001234',
      '410781199001321234',
      '410781199002301234',
      '410781199004311234',
      '410781190002291234',
      '410781000229123',
      '410781901301123',
    ]) {
      expect(hasRealBirthDate(id), id).toBe(false);
    }
  });
});
