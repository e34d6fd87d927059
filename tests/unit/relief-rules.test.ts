import { describe, expect, it } from 'vitest';
import { itemSeeds } from '../../seeds/data/catalog.ts';
import { regionSeeds } from '../../seeds/data/regions.ts';
import {
  allowanceOf,
  allowanceWithoutStandard,
  effectiveStandard,
  householdKey,
  maskIdNumber,
  regionPath,
  sharePeople,
  storedIdNumber,
  suggestedQuantity,
} from '../../server/relief/rules.ts';
import { daysToExpiry, isExpired } from '../../server/inventory/expiry.ts';
import { respondingLevel } from '../../server/relief/deadlines.ts';

describe('D26: expiry in China time', () => {
  it('a batch is expired once past its expiry date — its last usable day, 有效期至 (expiryDate < today) — never without one', () => {
    expect(isExpired('2026-07-19', '2026-07-20')).toBe(true);
    expect(isExpired('2026-07-20', '2026-07-20')).toBe(false);
    expect(isExpired('2026-07-21', '2026-07-20')).toBe(false);
    expect(isExpired(null, '2026-07-20')).toBe(false);
    expect(daysToExpiry('2026-07-21', '2026-07-20')).toBe(1);
    expect(daysToExpiry('2026-07-10', '2026-07-20')).toBe(-10);
  });
});

describe('D16: responding level', () => {
  it('Ⅳ county, Ⅲ city, Ⅱ/Ⅰ province; without a level, where it happened', () => {
    expect([4, 3, 2, 1].map((l) => respondingLevel(l, '410781000000'))).toEqual(['COUNTY', 'CITY', 'PROVINCE', 'PROVINCE']);
    expect(respondingLevel(null, '410781100000')).toBe('COUNTY');
    expect(respondingLevel(null, '410700000000')).toBe('CITY');
  });
});

describe('D29: distribution rules', () => {
  it('masks the ID number to its first 6 and last 4 characters', () => {
    expect(maskIdNumber('41078119800101123x')).toBe('410781********123X');
    expect(maskIdNumber('410781800101123')).toBe('410781*****1123');
  });

  it('per household, or per person × size rounded up', () => {
    expect(allowanceOf({ perHousehold: 2, perPerson: null }, 5)).toBe(2);
    expect(allowanceOf({ perHousehold: null, perPerson: 0.5 }, 3)).toBe(2);
    expect(allowanceOf({ perHousehold: null, perPerson: 1 }, 3)).toBe(3);
  });

  it('D12 (sweep 11a F2): without a standard, equipment always recovered may not go to a household (0); other items are not limited', () => {
    expect(allowanceWithoutStandard({ kind: 'ALWAYS' })).toBe(0);
    expect(allowanceWithoutStandard({ kind: 'WITHIN_MONTHS', months: 12 })).toBeNull();
    expect(allowanceWithoutStandard({ kind: 'NEVER' })).toBeNull();
    // The catalog's 场地照明灯 and 汽油发电机 are such equipment.
    expect(itemSeeds.filter((i) => ['场地照明灯', '汽油发电机'].includes(i.name)).map((i) => allowanceWithoutStandard(i.recovery))).toEqual([0, 0]);
  });

  it('the standard set nearest to the place applies', () => {
    expect(regionPath('410781100000')).toEqual(['410781100000', '410781000000', '410700000000', '410000000000']);
    const standards = [
      { regionCode: '410000000000', itemId: 'q', perPerson: 3, perHousehold: null },
      { regionCode: '410781000000', itemId: 'q', perPerson: 1, perHousehold: null },
    ];
    expect(effectiveStandard(standards, '410781100000', 'q')?.perPerson).toBe(1);
    expect(effectiveStandard(standards, '410782000000', 'q')?.perPerson).toBe(3);
    expect(effectiveStandard(standards, '140500000000', 'q')).toBeNull();
  });

  it('a household is its ID number (mask and fingerprint) whatever the name; else its head with the address, spaces aside', () => {
    const id = storedIdNumber('41078119800101123x');
    expect(householdKey('王 建国', id, null)).toBe(householdKey('李四', id, '别处'));
    expect(householdKey('赵四', null, '五组 3 号')).toBe(householdKey('赵 四', null, '五组3号'));
    expect(householdKey('赵四', null, '五组 3 号')).not.toBe(householdKey('赵四', null, '五组 4 号'));
  });

  it('D29: numbers with one mask (another birth date) have other fingerprints; one number, 15 or 18 digits, has one', () => {
    const [a, b] = [storedIdNumber('410781199001011234'), storedIdNumber('410781198507071234')];
    expect(a.masked).toBe(b.masked);
    expect(a.fingerprint).not.toBe(b.fingerprint);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{3}$/);
    // One household (its key and fingerprint, and the masks it is matched by), each form masked as given (D29, sweep 11a F7).
    const [old, now] = [storedIdNumber('410781900101123'), storedIdNumber('410781199001011232')];
    expect(old).toEqual({ ...now, masked: '410781*****1123' });
    expect(now.masks).toEqual(['410781********1232', '410781*****1123']);
    expect(householdKey('王', old, null)).toBe(householdKey('王', now, null));
    expect(storedIdNumber('41078119800101123x')).toEqual(storedIdNumber('41078119800101123X'));
    // Born in 2000 or later: no 15-digit form, one mask.
    expect(storedIdNumber('410781200501011234').masks).toEqual(['410781********1234']);
  });

  it('suggested demand: people shared by capacity, per person or per household (2.62 persons)', () => {
    expect(sharePeople(1000, [600, 400])).toEqual([600, 400]);
    expect(sharePeople(10, [null, 5, 5])).toEqual([4, 3, 3]);
    expect(suggestedQuantity({ perPerson: 1, perHousehold: null }, 600)).toBe(600);
    expect(suggestedQuantity({ perPerson: null, perHousehold: 2 }, 600)).toBe(460);
  });
});

describe('catalog facts', () => {
  it('珲春市 has 14 township-level units, 海东街道 (222404006000) among them', () => {
    const hunchun = regionSeeds.filter((r) => r.parentCode === '222404000000');
    expect(hunchun).toHaveLength(14);
    expect(hunchun.find((r) => r.code === '222404006000')?.name).toBe('海东街道');
  });

  it('the items the plans name are in the catalog', () => {
    const names = new Set(itemSeeds.map((i) => i.name));
    const named = [
      '全道路运兵车',
      '履带式森林消防车',
      '履带式水泡车',
      '前线移动指挥车',
      '水下探测设备',
      '移动水池',
      '电动水枪',
      '抢险指挥艇',
      '船外机',
      '褥子',
      '内衣裤',
      '应急通讯指挥车',
    ];
    expect(named.filter((n) => !names.has(n))).toEqual([]);
  });
});
