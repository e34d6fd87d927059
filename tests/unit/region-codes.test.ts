import { describe, expect, it } from 'vitest';
import { DomainError } from '../../server/errors.ts';
import { isInSubtree, levelOfCode, normalizeRegionCode, subtreePrefix } from '../../server/regions/codes.ts';

/** Runs fn and returns the DomainError it throws (fails the test if it throws nothing or something else). */
function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

describe('D1: normalizeRegionCode accepts the 6-digit 行政区划代码 and the 12-digit 统计用区划代码', () => {
  it('pads a 6-digit code to 12 digits', () => {
    expect(normalizeRegionCode('410700')).toBe('410700000000');
    expect(normalizeRegionCode('410781')).toBe('410781000000');
  });

  it('keeps a 12-digit code as it is (township and village codes keep their tail)', () => {
    expect(normalizeRegionCode('410781100000')).toBe('410781100000');
    expect(normalizeRegionCode('410781100201')).toBe('410781100201');
  });

  it('trims surrounding whitespace', () => {
    expect(normalizeRegionCode('  410700 ')).toBe('410700000000');
  });

  it.each(['abc', '', '41070', '4107000', '41070000000', '4107000000001', '41O700', '410-700', '４１０７００'])(
    'rejects %j with BAD_USER_INPUT naming the field',
    (bad) => {
      const e = thrown(() => normalizeRegionCode(bad, 'parentCode'));
      expect(e.code).toBe('BAD_USER_INPUT');
      expect(e.code).toBe('BAD_USER_INPUT');
      expect(e.details.field).toBe('parentCode');
      expect(e.details.value).toBe(bad);
      expect(e.message).toContain('区划代码');
    },
  );

  it('names the field regionCode by default', () => {
    expect(thrown(() => normalizeRegionCode('x')).details.field).toBe('regionCode');
  });
});

describe('D1: subtreePrefix — codes are hierarchical (2 province, 2 city, 2 county, 3 township, 3 village digits)', () => {
  it.each([
    ['410000000000', '41'], // 河南省
    ['410700000000', '4107'], // 新乡市
    ['410781000000', '410781'], // 卫辉市
    ['410781100000', '410781100'], // 汲水镇
    ['222404001000', '222404001'], // 靖和街道: township digits starting with 00
    ['410781100201', '410781100201'], // a village is its own subtree
  ])('subtreePrefix(%s) = %s', (code, prefix) => {
    expect(subtreePrefix(code)).toBe(prefix);
  });
});

describe('D1: levelOfCode reads the level from the shape of the code', () => {
  it.each([
    ['140000000000', 'PROVINCE'],
    ['140500000000', 'CITY'],
    ['140930000000', 'COUNTY'],
    ['140930100000', 'TOWNSHIP'],
    ['222404060000', 'TOWNSHIP'],
    ['140930100201', 'VILLAGE'],
  ])('levelOfCode(%s) = %s', (code, level) => {
    expect(levelOfCode(code)).toBe(level);
  });
});

describe('D1: isInSubtree — a region is in the subtree of itself and its ancestors only', () => {
  it('includes the region itself and every descendant', () => {
    expect(isInSubtree('410700000000', '410700000000')).toBe(true);
    expect(isInSubtree('410781000000', '410700000000')).toBe(true);
    expect(isInSubtree('410781100000', '410700000000')).toBe(true);
    expect(isInSubtree('410781100000', '410000000000')).toBe(true);
    expect(isInSubtree('410781100201', '410781100000')).toBe(true);
  });

  it('excludes siblings, ancestors and other provinces', () => {
    expect(isInSubtree('410782000000', '410781000000')).toBe(false); // 辉县市 is not under 卫辉市
    expect(isInSubtree('410700000000', '410781000000')).toBe(false); // the parent is not in the child's subtree
    expect(isInSubtree('140500000000', '410700000000')).toBe(false); // 晋城市 is not under 新乡市
    expect(isInSubtree('410781101000', '410781100000')).toBe(false); // 太公镇 is not under 汲水镇
    expect(isInSubtree('220000000000', '410000000000')).toBe(false);
  });
});
