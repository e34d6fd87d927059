import { describe, expect, it } from 'vitest';
import { errorCode, useTestApp } from '../support/harness.ts';
import { regionSeeds } from '../../seeds/data/regions.ts';

const XINXIANG_COUNTIES = ['红旗区', '卫滨区', '凤泉区', '牧野区', '新乡县', '获嘉县', '原阳县', '延津县', '封丘县', '卫辉市', '辉县市', '长垣市'];
const TREE = `query($code: String!) {
  region(code: $code) { code name level parent { code name } children { code name level children { name level } } }
}`;

describe('D1: the administrative tree is reference data every user reads', () => {
  const t = useTestApp();

  describe.each(['admin', 'dispatcher', 'keeper', 'auditor'])('as %s', (user) => {
    it("新乡市's tree: 12 counties, and 卫辉市's 13 townships", async () => {
      const res = await t.gql(TREE, { code: '410700' }, user);
      expect(res.errors).toBeUndefined();
      const city = res.data.region;
      expect(city).toMatchObject({ code: '410700000000', name: '新乡市', level: 'CITY', parent: { code: '410000000000', name: '河南省' } });
      expect(city.children.map((c: any) => c.name)).toEqual(XINXIANG_COUNTIES); // ordered by code
      expect(city.children.every((c: any) => c.level === 'COUNTY')).toBe(true);
      const weihui = city.children.find((c: any) => c.code === '410781000000');
      expect(weihui.name).toBe('卫辉市');
      expect(weihui.children).toHaveLength(13);
      expect(weihui.children[0]).toEqual({ name: '汲水镇', level: 'TOWNSHIP' });
      expect(weihui.children.every((c: any) => c.level === 'TOWNSHIP')).toBe(true);
      expect(city.children.find((c: any) => c.name === '长垣市').children).toEqual([]);
    });
  });

  it('6-digit and 12-digit codes give the same region', async () => {
    const six = await t.gql(TREE, { code: '410781' }, 'dispatcher');
    const twelve = await t.gql(TREE, { code: '410781000000' }, 'dispatcher');
    expect(six.data.region.name).toBe('卫辉市');
    expect(twelve.data).toEqual(six.data);
    const township = await t.gql('{ region(code: "410781100000") { name level parent { name } location { lat lng } } }', {}, 'dispatcher');
    expect(township.data.region).toEqual({ name: '汲水镇', level: 'TOWNSHIP', parent: { name: '卫辉市' }, location: { lat: 35.3985, lng: 114.065 } });
  });

  it('a malformed code → BAD_USER_INPUT naming the argument', async () => {
    const res = await t.gql('{ region(code: "abc") { name } }', {}, 'dispatcher');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions.field).toBe('code');
    const short = await t.gql('{ regions(parentCode: "4107") { name } }', {}, 'dispatcher');
    expect(errorCode(short)).toBe('BAD_USER_INPUT');
    expect(short.errors![0].extensions.field).toBe('parentCode');
  });

  it('a well-formed code that does not exist: region → NOT_FOUND naming code, as store(id) and every single record answer (sweep 9a F8)', async () => {
    const res = await t.gql('{ region(code: "419999") { name } }', {}, 'dispatcher');
    expect(res.errors?.[0]).toMatchObject({ message: '区划不存在：419999', extensions: { code: 'NOT_FOUND', field: 'code' } });
    expect(res.data?.region ?? null).toBeNull();
  });

  it('regions(parentCode) of an unknown region → NOT_FOUND naming parentCode', async () => {
    const res = await t.gql('{ regions(parentCode: "419999") { name } }', {}, 'dispatcher');
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.errors![0].extensions.field).toBe('parentCode');
  });

  it('regions(parentCode) lists the children: 新乡县 has 7 townships', async () => {
    const res = await t.gql('{ regions(parentCode: "410721") { code name level } }', {}, 'keeper');
    expect(res.data.regions).toHaveLength(7);
    expect(res.data.regions[0]).toEqual({ code: '410721101000', name: '翟坡镇', level: 'TOWNSHIP' });
  });

  it('regions(level: CITY) lists the five cities', async () => {
    const res = await t.gql('{ regions(level: CITY) { code name } }', {}, 'auditor');
    expect(res.data.regions).toEqual([
      { code: '140500000000', name: '晋城市' },
      { code: '140800000000', name: '运城市' },
      { code: '140900000000', name: '忻州市' },
      { code: '222400000000', name: '延边朝鲜族自治州' },
      { code: '410700000000', name: '新乡市' },
    ]);
  });

  it('regions(level: PROVINCE) lists the three provinces, and parentCode + level combine', async () => {
    const provinces = await t.gql('{ regions(level: PROVINCE) { name } }', {}, 'admin');
    expect(provinces.data.regions.map((r: any) => r.name)).toEqual(['山西省', '吉林省', '河南省']);
    // API.md: region arguments include the whole subtree — with a level, every region of it under parentCode (C8).
    const cityTownships = await t.gql('{ regions(parentCode: "410700", level: TOWNSHIP) { code } }', {}, 'admin');
    expect(cityTownships.data.regions.map((r: any) => r.code)).toEqual(
      regionSeeds
        .filter((r) => r.level === 'TOWNSHIP' && r.code.startsWith('4107'))
        .map((r) => r.code)
        .sort(),
    );
    const townships = await t.gql('{ regions(level: TOWNSHIP) { code } }', {}, 'admin');
    expect(townships.data.regions).toHaveLength(regionSeeds.filter((r) => r.level === 'TOWNSHIP').length);
  });

  it('an unknown level value is refused by the schema with BAD_USER_INPUT', async () => {
    const res = await t.gql('query($l: RegionLevel) { regions(level: $l) { name } }', { l: 'STATE' }, 'admin');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});
