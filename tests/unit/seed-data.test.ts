import { describe, expect, it } from 'vitest';
import { categorySeeds, itemSeeds } from '../../seeds/data/catalog.ts';
import { regionSeeds, type RegionSeed } from '../../seeds/data/regions.ts';
import { storeSeeds } from '../../seeds/data/stores.ts';
import { demoUsers, WEIHUI_STORE_CODE } from '../../seeds/demo.ts';
import { GB_CODE } from '../../server/catalog/service.ts';
import { parseMoney } from '../../server/money.ts';
import { isInSubtree, levelOfCode, subtreePrefix } from '../../server/regions/codes.ts';

const byCode = new Map<string, RegionSeed>(regionSeeds.map((r) => [r.code, r]));
const region = (code6: string) => byCode.get(`${code6}000000`) ?? byCode.get(code6);
const childrenOf = (code6: string) => regionSeeds.filter((r) => r.parentCode === `${code6}000000`);
const NEXT_LEVEL = { PROVINCE: 'CITY', CITY: 'COUNTY', COUNTY: 'TOWNSHIP', TOWNSHIP: 'VILLAGE' } as const;

/** Great-circle distance in km (haversine, mean Earth radius). */
function haversineKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(rad(b.lat - a.lat) / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lng - a.lng) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(h));
}

describe('D1: seed regions form a consistent administrative tree', () => {
  it('every code is a unique 12-digit 统计用区划代码', () => {
    for (const r of regionSeeds) expect(r.code, r.name).toMatch(/^\d{12}$/);
    expect(new Set(regionSeeds.map((r) => r.code)).size).toBe(regionSeeds.length);
  });

  it('every level matches the shape of the code', () => {
    for (const r of regionSeeds) expect(levelOfCode(r.code), `${r.code} ${r.name}`).toBe(r.level);
  });

  it("every region's parent exists, is one level up, precedes it, and its code prefix matches", () => {
    regionSeeds.forEach((r, i) => {
      if (r.level === 'PROVINCE') {
        expect(r.parentCode, r.name).toBeNull();
        return;
      }
      const parent = byCode.get(r.parentCode ?? '');
      expect(parent, `parent of ${r.code} ${r.name}`).toBeDefined();
      expect(NEXT_LEVEL[parent!.level as keyof typeof NEXT_LEVEL], `${r.name} under ${parent!.name}`).toBe(r.level);
      expect(r.code.startsWith(subtreePrefix(parent!.code)), `${r.code} under ${parent!.code}`).toBe(true);
      expect(regionSeeds.indexOf(parent!), `${parent!.name} precedes ${r.name}`).toBeLessThan(i);
    });
  });

  it('every region has WGS-84 coordinates inside China', () => {
    for (const r of regionSeeds) {
      expect(r.lat, r.name).toBeGreaterThan(18);
      expect(r.lat, r.name).toBeLessThan(54);
      expect(r.lng, r.name).toBeGreaterThan(73);
      expect(r.lng, r.name).toBeLessThan(136);
    }
  });
});

describe('D1: the jurisdictions of the plans are present with their official codes', () => {
  it('新乡市 410700 with its 12 counties, incl. 卫辉市 410781 and 长垣市 410783', () => {
    expect(region('410700')).toMatchObject({ name: '新乡市', level: 'CITY', parentCode: '410000000000' });
    const counties = childrenOf('410700');
    expect(counties).toHaveLength(12);
    expect(counties.every((c) => c.level === 'COUNTY')).toBe(true);
    expect(region('410781')?.name).toBe('卫辉市');
    expect(region('410783')?.name).toBe('长垣市');
    expect(region('410782')?.name).toBe('辉县市');
    expect(region('410721')?.name).toBe('新乡县');
    expect(counties.map((c) => c.name)).toEqual(
      expect.arrayContaining(['红旗区', '卫滨区', '凤泉区', '牧野区', '新乡县', '获嘉县', '原阳县', '延津县', '封丘县', '卫辉市', '辉县市', '长垣市']),
    );
  });

  it('晋城市 140500 with 6 counties and 运城市 140800 with 13', () => {
    expect(region('140500')?.name).toBe('晋城市');
    expect(childrenOf('140500')).toHaveLength(6);
    expect(region('140525')?.name).toBe('泽州县');
    expect(region('140800')?.name).toBe('运城市');
    expect(childrenOf('140800')).toHaveLength(13);
    expect(region('140881')?.name).toBe('永济市');
  });

  it('河曲县 140930 (忻州市) and 珲春市 222404 (延边州) with their townships', () => {
    expect(region('140930')).toMatchObject({ name: '河曲县', parentCode: '140900000000' });
    expect(region('140900')?.name).toBe('忻州市');
    const hequ = childrenOf('140930');
    expect(hequ.length).toBeGreaterThanOrEqual(10);
    expect(hequ.map((t) => t.name)).toContain('西口镇');
    expect(region('222404')).toMatchObject({ name: '珲春市', parentCode: '222400000000' });
    expect(region('222400')?.name).toBe('延边朝鲜族自治州');
    const hunchun = childrenOf('222404');
    expect(hunchun.length).toBeGreaterThanOrEqual(10);
    expect(hunchun.map((t) => t.name)).toEqual(expect.arrayContaining(['靖和街道', '春化镇', '敬信镇', '哈达门乡']));
  });

  it('卫辉市 townships are present (汲水镇 410781100 … 城郊乡)', () => {
    const weihui = childrenOf('410781');
    expect(weihui).toHaveLength(13);
    expect(weihui.every((t) => t.level === 'TOWNSHIP')).toBe(true);
    expect(byCode.get('410781100000')?.name).toBe('汲水镇');
    expect(weihui.map((t) => t.name)).toEqual(expect.arrayContaining(['太公镇', '唐庄镇', '狮豹头乡', '城郊乡']));
  });
});

describe('D2: seed stores', () => {
  it('store codes are unique and every store sits in a seeded region', () => {
    expect(new Set(storeSeeds.map((s) => s.code)).size).toBe(storeSeeds.length);
    for (const s of storeSeeds) expect(byCode.has(s.regionCode), `${s.code} region ${s.regionCode}`).toBe(true);
  });

  it('every city and county has a GOVERNMENT store in the region itself', () => {
    const govRegions = new Set(storeSeeds.filter((s) => s.kind === 'GOVERNMENT').map((s) => s.regionCode));
    const missing = regionSeeds.filter((r) => (r.level === 'CITY' || r.level === 'COUNTY') && !govRegions.has(r.code)).map((r) => r.name);
    expect(missing).toEqual([]);
  });

  it('township stores exist in 卫辉市, 河曲县, 珲春市 and at least 2 more counties', () => {
    const countiesWithTownshipStores = new Set(
      storeSeeds.filter((s) => levelOfCode(s.regionCode) === 'TOWNSHIP').map((s) => byCode.get(s.regionCode)!.parentCode!),
    );
    for (const county of ['410781000000', '140930000000', '222404000000']) {
      expect(countiesWithTownshipStores.has(county), byCode.get(county)!.name).toBe(true);
    }
    expect(countiesWithTownshipStores.size).toBeGreaterThanOrEqual(5);
  });

  it('D2/D6: ENTRUSTED stores (代储库) exist in 珲春市, and every non-government store names its operator', () => {
    const entrusted = storeSeeds.filter((s) => s.kind === 'ENTRUSTED' && isInSubtree(s.regionCode, '222404000000'));
    expect(entrusted.length).toBeGreaterThanOrEqual(1);
    for (const s of storeSeeds) {
      if (s.kind === 'GOVERNMENT') expect(s.operatorName, s.code).toBeNull();
      else expect(s.operatorName, s.code).toMatch(/.{2,}/);
    }
  });

  it("D2: each store has coordinates within 30 km of its region's seat (haversine)", () => {
    const far = storeSeeds.map((s) => ({ code: s.code, km: haversineKm(s, byCode.get(s.regionCode)!) })).filter((d) => d.km > 30);
    expect(far).toEqual([]);
  });

  it('D2: each store has an address, a contact and a non-negative capacity', () => {
    for (const s of storeSeeds) {
      expect(s.address.length, s.code).toBeGreaterThan(4);
      expect(s.contactName.length, s.code).toBeGreaterThan(0);
      expect(s.contactPhone, s.code).toMatch(/^[0-9+\- ]{5,32}$/);
      expect(s.capacityM3, s.code).toBeGreaterThanOrEqual(0);
    }
  });

  it("the demo keeper's store is 卫辉市救灾物资储备库 in 卫辉市", () => {
    const store = storeSeeds.find((s) => s.code === WEIHUI_STORE_CODE);
    expect(store).toMatchObject({ name: '卫辉市救灾物资储备库', regionCode: '410781000000', kind: 'GOVERNMENT' });
    expect(demoUsers.find((u) => u.username === 'keeper')?.storeCodes).toEqual([WEIHUI_STORE_CODE]);
  });
});

/** D4's item names per category. An entry that is a list accepts any one of its names; a RegExp matches a name. */
const D4_ITEMS: Record<string, (string | string[] | RegExp)[]> = {
  LIVING: [
    '棉帐篷',
    '单帐篷',
    '棉被',
    '棉大衣',
    '毛毯',
    '毛巾被',
    '夏凉被',
    '睡袋',
    '折叠床',
    '折叠桌椅',
    '家庭应急包',
    '简易厕所',
    ['炉子', '取暖炉'],
    '场地照明灯',
    '苫布',
    '折叠式彩钢活动板房',
  ],
  FIREFIGHTING: ['空气呼吸器', '水带', '灭火防护服', '防化服', '隔热服', '防冻服', '防毒面具', '泡沫灭火剂', '高倍数泡沫发生器', '泡沫管枪'],
  FOREST_FIRE: [
    '风力灭火机',
    '以水灭火机具',
    '火场切割工具',
    '智能头盔',
    '过滤式呼吸面罩',
    '阻燃防护服',
    '隔离带挖掘机',
    '小型无人侦察机',
    '单兵通信终端',
    /^.*帐篷$/,
    /^.*睡袋$/,
  ],
  FLOOD: [
    '编织袋',
    '土工布',
    '无纺布',
    '防管涌单元',
    '抢险网兜',
    '防洪子堤',
    '木桩',
    '铁线',
    '救生衣',
    '橡皮艇',
    '冲锋舟',
    '救生船',
    '巡堤查险灯具',
    '大型移动灯塔',
    /^(汽油|柴油|汽柴油)?发电机(组)?$/,
    ['排涝泵', '水泵'],
    '喷灌机',
    '无人机',
  ],
  MINE_RESCUE: ['潜水泵', '排水管路', '应急电源', /^.*帐篷$/],
};

describe('D4: the catalog has the five plan categories and every item D4 lists', () => {
  it('the five categories, in plan order', () => {
    expect([...categorySeeds].sort((a, b) => a.sortOrder - b.sortOrder).map((c) => [c.code, c.name])).toEqual([
      ['LIVING', '生活类救灾物资'],
      ['FIREFIGHTING', '综合性消防救援应急物资装备'],
      ['FOREST_FIRE', '森林草原防灭火物资装备'],
      ['FLOOD', '防汛抗旱物资装备'],
      ['MINE_RESCUE', '矿山事故救援物资装备'],
    ]);
  });

  it('item codes are unique and every item belongs to a seeded category', () => {
    expect(new Set(itemSeeds.map((i) => i.code)).size).toBe(itemSeeds.length);
    const cats = new Set(categorySeeds.map((c) => c.code));
    for (const i of itemSeeds) expect(cats.has(i.categoryCode), i.code).toBe(true);
  });

  it('sweep 19b F3: 水下探测设备 is a 防汛抗旱 item, with the 抢险装备 of 晋城 专栏 4 (4) and 河曲, its code in that category', () => {
    expect(itemSeeds.filter((i) => i.name === '水下探测设备').map((i) => [i.code, i.categoryCode])).toEqual([['FLD-026', 'FLOOD']]);
    // Every code says its category, as the migration that moved this one keeps it.
    const prefix = { LIVING: 'LIV', FIREFIGHTING: 'FIR', FOREST_FIRE: 'FOR', FLOOD: 'FLD', MINE_RESCUE: 'MIN' } as Record<string, string>;
    for (const i of itemSeeds) expect(i.code.slice(0, 3), i.code).toBe(prefix[i.categoryCode]);
  });

  for (const [category, wanted] of Object.entries(D4_ITEMS)) {
    it(`${category}: every D4 item is in the category`, () => {
      const names = itemSeeds.filter((i) => i.categoryCode === category).map((i) => i.name);
      const missing = wanted.filter((w) =>
        w instanceof RegExp ? !names.some((n) => w.test(n)) : !(Array.isArray(w) ? w : [w]).some((n) => names.includes(n)),
      );
      expect(missing.map(String)).toEqual([]);
    });
  }
});

describe('D4/D5: item attributes', () => {
  it('reference prices are Money strings (yuan, exactly 2 places, non-negative)', () => {
    for (const i of itemSeeds) {
      expect(i.referencePrice, i.code).toMatch(/^\d{1,12}\.\d{2}$/);
      expect(parseMoney(i.referencePrice, 'referencePrice'), i.code).toBe(i.referencePrice);
    }
  });

  it('D5: gbCode is null or a 7-digit GB/T 38565 code (大类 1–3, then three pairs 01–99)', () => {
    for (const i of itemSeeds) if (i.gbCode !== null) expect(i.gbCode, i.code).toMatch(GB_CODE);
    expect(GB_CODE.test('1010101')).toBe(true);
    expect(GB_CODE.test('3999999')).toBe(true);
    expect(GB_CODE.test('4010101')).toBe(false);
    expect(GB_CODE.test('1000101')).toBe(false);
    expect(GB_CODE.test('101010')).toBe(false);
  });

  it('D4: every item has a unit of measure and a specification', () => {
    for (const i of itemSeeds) {
      expect(i.unit.trim().length, i.code).toBeGreaterThan(0);
      expect(i.spec.trim().length, i.code).toBeGreaterThan(0);
    }
    expect(itemSeeds.find((i) => i.name === '棉帐篷')?.unit).toBe('顶');
    expect(itemSeeds.find((i) => i.name === '棉被')?.unit).toBe('床');
  });

  it('D10: storage life is positive where set, and the rotation lead is 0–120 months and shorter than the storage life', () => {
    for (const i of itemSeeds) {
      expect(i.rotationLeadMonths, i.code).toBeGreaterThanOrEqual(0);
      expect(i.rotationLeadMonths, i.code).toBeLessThanOrEqual(120);
      if (i.storageLifeMonths !== null) {
        expect(i.storageLifeMonths, i.code).toBeGreaterThan(0);
        expect(i.rotationLeadMonths, i.code).toBeLessThan(i.storageLifeMonths);
      }
    }
  });

  it('D12: single tents are recovered within 6 months, cotton tents within 12; bedding and sleeping bags are consumed', () => {
    const rule = (name: string) => itemSeeds.find((i) => i.name === name)?.recovery;
    expect(rule('单帐篷')).toEqual({ kind: 'WITHIN_MONTHS', months: 6 });
    expect(rule('棉帐篷')).toEqual({ kind: 'WITHIN_MONTHS', months: 12 });
    expect(rule('折叠式彩钢活动板房')).toEqual({ kind: 'ALWAYS' });
    expect(rule('棉被')).toEqual({ kind: 'NEVER' });
    expect(rule('睡袋')).toEqual({ kind: 'NEVER' });
    expect(rule('折叠床')).toEqual({ kind: 'NEVER' });
  });
});
