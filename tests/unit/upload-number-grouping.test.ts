import { describe, expect, it } from 'vitest';
import { integerOf, misgroupedNumber, moneyOf, numberText, UncomputedFormula } from '../../server/paperwork/sheet-reader.ts';

// Sweep 25b F2 (D9 账实相符, D21 value; README Paperwork: every bad cell named, nothing posts): the uploads' one number
// reader (期初建账 数量 and 单价, 盘点表 实盘数) drops a comma only where it groups thousands — 1,000, 30,000,
// 1,234,567.50, full-width １，０００ — and refuses any other comma: "1,00" was read 100, "1,2" 元 12.00, "2,40" 240.

describe('sweep 25b F2: thousands grouping in upload number cells', () => {
  it('D21: well-formed grouping (ASCII or full-width) reads as the number it groups', () => {
    expect(integerOf('1,000')).toBe(1000);
    expect(integerOf('30,000')).toBe(30000);
    expect(integerOf('1,234,567')).toBe(1234567);
    expect(integerOf('-1,000')).toBe(-1000); // the import refuses it as negative, not as a format
    expect(integerOf('１，０００')).toBe(1000);
    expect(integerOf('1,000.00')).toBe(1000);
    expect(moneyOf('1,234,567.50')).toBe('1234567.50');
    expect(moneyOf('１，２３４．５０')).toBe('1234.50');
    expect(moneyOf('999,999,999,999.99')).toBe('999999999999.99');
    for (const good of ['1,000', '1,234.50', '１，０００', '12', 12, '1.5']) expect(misgroupedNumber(good), String(good)).toBeNull();
  });

  it('D9, D21: a comma that groups no thousands is no number — refused, never read with the comma dropped', () => {
    for (const bad of ['1,00', '1,2', '2,40', '12,34,5', '1,234,5', '1,0000', '10,00.5', ',100', '100,', '1,,000', '１，００', '1,000,00']) {
      expect(numberText(bad), bad).toBe(numberText('1,00'));
      expect(integerOf(bad), bad).toBeUndefined();
      expect(moneyOf(bad), bad).toBeUndefined();
      expect(misgroupedNumber(bad), bad).toBe(
        `「${bad}」中的逗号不是千位分隔符，无法确定数值：千位分隔符须每三位一个（如 1,000、1,234.50），小数请用小数点（如 1.2），或不用分隔符`,
      );
    }
  });

  it('what is no number with or without commas is left to the column’s own refusal; empty cells and formulas as before', () => {
    for (const other of ['abc', 'a,b', '1,2x', '1e3', '']) expect(misgroupedNumber(other), other).toBeNull();
    expect(integerOf('a,b')).toBeUndefined();
    expect(integerOf(null)).toBeNull();
    expect(moneyOf(null)).toBeNull();
    expect(integerOf(new UncomputedFormula('A1*2'))).toBeUndefined();
    expect(misgroupedNumber(new UncomputedFormula('A1*2'))).toBeNull();
    expect(integerOf(240)).toBe(240);
    expect(moneyOf(0.1 + 0.2)).toBe('0.3');
  });
});
