import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { DOC_FIELDS, expectLedgerConsistent, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts, ok, stocktakeRaw } from '../support/ledger-ops.ts';

// Sweep 15a: API.md's conventions, as an acceptance test reads them.
// F9 — "Region arguments … include the whole subtree": reliefStandards(regionCode) lists the standards set in the
//   region's subtree (each with its region) beside those it inherits from above (D29: the nearest above applies).
// F7 — an unknown categoryCode is NOT_FOUND on Store.stock as on stock(filter) and items, not an empty list.
// F8 — a stocktake difference whose reason is given but invalid is told so (D9, D11), not asked for a reason.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const message = (res: GqlResult) => res.errors?.[0]?.message ?? '';
const ext = (res: GqlResult): Record<string, unknown> => res.errors?.[0]?.extensions ?? {};

describe('reliefStandards(regionCode): the subtree and what is inherited (sweep 15a F9, D29, API.md conventions)', () => {
  const OVERCOAT = itemId('LIV-002');
  type Row = { region: { code: string }; item: { id: string }; perPerson: number | null; perHousehold: number | null };
  const list = async (regionCode: string, as = 'dispatcher') =>
    ok(await t.gql(`query($r: String!) { reliefStandards(regionCode: $r) { region { code } item { id } perPerson perHousehold } }`, { r: regionCode }, as))
      .reliefStandards as Row[];
  const of = (rows: Row[], item: string) => rows.filter((r) => r.item.id === item).map((r) => `${r.region.code}:${r.perPerson ?? r.perHousehold}`);

  beforeAll(async () => {
    for (const s of [
      { regionCode: '410700', itemId: OVERCOAT, perHousehold: 3 }, // the city
      { regionCode: '410781', itemId: OVERCOAT, perPerson: 1 }, // 卫辉市 overrides it
      { regionCode: '410781105000', itemId: OVERCOAT, perPerson: 2 }, // 唐庄镇 overrides that
    ]) {
      ok(await t.gql(`mutation($i: ReliefStandardInput!) { upsertReliefStandard(input: $i) { region { code } } }`, { i: s }, 'dispatcher'));
    }
  });

  it('D29: the city lists the standards set in its counties and townships, each with its region', async () => {
    expect(of(await list('410700'), OVERCOAT)).toEqual(['410700000000:3', '410781000000:1', '410781105000:2']);
  });

  it('D29: a county lists its own and its townships’ standards; the city’s it overrides is not listed', async () => {
    expect(of(await list('410781'), OVERCOAT)).toEqual(['410781000000:1', '410781105000:2']);
  });

  it('D29: a township without its own standard still lists the one it inherits (the nearest above), and nothing else of the item', async () => {
    expect(of(await list('410781100000'), OVERCOAT)).toEqual(['410781000000:1']);
    expect(of(await list('410781105000'), OVERCOAT)).toEqual(['410781105000:2']);
  });

  it('D29: no standard twice, by item then region code; the same list for a 6-digit and a 12-digit code; public to any signed-in user', async () => {
    const rows = await list('410700');
    const keys = rows.map((r) => `${r.item.id}|${r.region.code}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual([...keys].sort());
    expect(await list('410700000000')).toEqual(rows);
    // Standards are public policy (reference data): another city's dispatcher and a keeper read them too.
    expect(await list('410700', 'jincheng')).toEqual(rows);
    expect(await list('410700', 'keeper')).toEqual(rows);
  });
});

describe('Store.stock(categoryCode): an unknown category is NOT_FOUND (sweep 15a F7)', () => {
  const storeStock = (args: string, as = 'keeper') => t.gql(`query($id: ID!) { store(id: $id) { stock(${args}) { totalCount } } }`, { id: WEIHUI }, as);

  it('an unknown code is NOT_FOUND at categoryCode, as stock(filter) and items(categoryCode) answer it — in either order', async () => {
    for (const args of ['first: 5, categoryCode: "NOPE"', 'first: 5, categoryCode: "1", orderBy: EXPIRY']) {
      const res = await storeStock(args);
      expect(errorCode(res), JSON.stringify(res)).toBe('NOT_FOUND');
      expect(ext(res)).toMatchObject({ field: 'categoryCode' });
      expect(message(res)).toMatch(/^物资类别不存在：/);
    }
    const filter = await t.gql(`query($id: ID!) { stock(filter: { storeId: $id, categoryCode: "NOPE" }, first: 5) { totalCount } }`, { id: WEIHUI }, 'keeper');
    expect(errorCode(filter)).toBe('NOT_FOUND');
    expect(message(filter)).toBe('物资类别不存在：NOPE');
  });

  it('nested under stores as well; a known category still lists the store’s stock', async () => {
    const nested = await t.gql(
      `{ stores(regionCode: "410781", first: 3) { edges { node { stock(categoryCode: "NOPE") { totalCount } } } } }`,
      {},
      'dispatcher',
    );
    expect(errorCode(nested)).toBe('NOT_FOUND');
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 5, batchNo: 'SW15A-F7', unitPrice: '150.00' }]);
    expect(ok(await storeStock('first: 5, categoryCode: "LIVING"')).store.stock.totalCount).toBeGreaterThan(0);
    expect(ok(await storeStock('first: 5, categoryCode: "LIVING", orderBy: EXPIRY')).store.stock.totalCount).toBeGreaterThan(0);
  });
});

describe('submitStocktake: a difference with an invalid reason is told the reason is invalid (sweep 15a F8, D9, D11)', () => {
  let batchId: string;
  let losses: { code: string; name: string }[];
  let gainName: string;
  const count = (reason: unknown) =>
    stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 39, ...(reason !== undefined && { reason }) }] }, DOC_FIELDS, false);

  beforeAll(async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 40, batchNo: 'SW15A-F8', unitPrice: '150.00' }]);
    batchId = doc.lines[0].batch.id;
    const reasons = ok(await t.gql(`{ stockReasons { code name direction usages } }`, {}, 'keeper')).stockReasons as {
      code: string;
      name: string;
      direction: string;
      usages: string[];
    }[];
    losses = reasons.filter((r) => r.usages.includes('STOCKTAKE') && r.direction === 'DECREASE');
    gainName = reasons.find((r) => r.code === 'STOCKTAKE_GAIN')!.name;
  });

  const expectRefused = (res: GqlResult, said: string, value?: string) => {
    expect(errorCode(res), JSON.stringify(res.errors)).toBe('BAD_USER_INPUT');
    expect(ext(res)).toMatchObject({ field: 'input.counts.0.reason', bookQuantity: 40, countedQuantity: 39 });
    expect(ext(res).value).toBe(value);
    expect([...(ext(res).allowed as string[])].sort()).toEqual(losses.map((r) => r.code).sort());
    const [, head, listed] = /^(.+)（可选：(.+)）$/.exec(message(res)) ?? [];
    expect(head).toBe(`账面 40、实盘 39，${said}`);
    expect((listed ?? '').split('、').sort()).toEqual(losses.map((r) => r.name).sort());
  };

  it.each([
    ['an unknown code', 'XYZ', 'XYZ'],
    ['a reason’s name where its code belongs', '破损', '破损'],
    ['a long unknown value (echoed shortened)', 'X'.repeat(300), `${'X'.repeat(20)}…`],
  ])('D11: %s → 原因「…」无效, echoed, the loss reasons listed; nothing posted', async (_, reason, shown) => {
    const before = await ledgerCounts(t);
    expectRefused(await count(reason), `原因「${shown}」无效`, reason);
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D9: a reason of the other direction (盘盈 on a loss) is named as not applying here', async () => {
    expectRefused(await count('STOCKTAKE_GAIN'), `原因「${gainName}」不适用于此处`, 'STOCKTAKE_GAIN');
  });

  it.each([
    ['no reason', undefined],
    ['null', null],
    ['an empty reason', ''],
    ['blanks', '   '],
  ])('D9: %s on a difference is still asked for (差异须说明原因)', async (_, reason) => {
    expectRefused(await count(reason), '差异须说明原因');
  });
});
