import { describe, expect, it } from 'vitest';
import { errorCode, useTestApp } from '../support/harness.ts';

// 仓库 list (console sweep L11): a province holds thousands of stores; the list is searched by a word of the name or
// the code, matched literally, inside the user's scope as ever.

const SEARCH = `query($search: String, $regionCode: String) {
  stores(search: $search, regionCode: $regionCode, first: 100) { totalCount edges { node { code name } } }
}`;

describe('stores(search) — by a word of the name or the code, within scope (DESIGN: one policy module)', () => {
  const t = useTestApp();
  const found = async (search: string, as = 'admin', regionCode?: string) => {
    const res = await t.gql(SEARCH, { search, regionCode }, as);
    expect(res.errors).toBeUndefined();
    return res.data!.stores.edges.map((e: any) => e.node) as { code: string; name: string }[];
  };

  it('finds the stores whose name or code holds the word, in either case for the code', async () => {
    const byName = await found('卫辉');
    expect(byName.length).toBeGreaterThan(0);
    expect(byName.every((s) => s.name.includes('卫辉') || s.code.includes('卫辉'))).toBe(true);
    const byCode = await found('s-410781');
    expect(byCode.length).toBeGreaterThan(0);
    expect(byCode.every((s) => s.code.startsWith('S-410781'))).toBe(true);
    // With a region as well: both conditions hold.
    expect(await found('卫辉', 'admin', '140500')).toEqual([]);
  });

  it('matches % and _ literally, and a blank word lists every store', async () => {
    expect(await found('%')).toEqual([]);
    expect(await found('_')).toEqual([]);
    const all = await t.gql(SEARCH, {}, 'admin');
    const blank = await t.gql(SEARCH, { search: '   ' }, 'admin');
    expect(blank.data!.stores.totalCount).toBe(all.data!.stores.totalCount);
  });

  it('stays inside the scope: a keeper finds only their own stores, a dispatcher none of another city', async () => {
    const own = (await t.gql(SEARCH, {}, 'keeper')).data!.stores.edges.map((e: any) => e.node.code);
    const keeper = await found('储备', 'keeper');
    expect(keeper.length).toBeGreaterThan(0);
    expect(keeper.every((s) => own.includes(s.code))).toBe(true);
    expect((await found('储备')).length).toBeGreaterThan(keeper.length);
    expect(await found('晋城', 'dispatcher')).toEqual([]);
  });

  it('refuses a word longer than 64 characters in Chinese, as the other lists do (BAD_USER_INPUT)', async () => {
    const res = await t.gql(SEARCH, { search: '库'.repeat(65) }, 'admin');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toContain('搜索词过长（最多 64 个字符）');
  });
});
