import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, JINCHENG, QUILT, receive, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { ok, shipRaw } from '../support/ledger-ops.ts';
import { insertManyStores, manyStoreCode } from '../support/many-stores.ts';

// Sweep 22a, a county at scale (新乡市 with 509 stores, a store with 1,217 stock lines):
// F1: the console's store pickers asked for the first 500 stores and filtered them in the browser — the 501st could not
//     be picked. They now search on the server: transferDestinations takes `search` (a word of the name or code, as
//     stores(search) does), and stores(ids) names the stores already chosen (a keeper's scope) past the first page —
//     both through the same policy as the lists were (storesInScope, transferDestinations).
// F2: 估值 named store keys from the first 500 stores (a UUID past them): ValuationGroup.labels names every key, as the
//     Excel workbook does.
// F6: 本库库存's search filtered the first 500 lines in the browser: StockFilter.search (item name, spec, code, batch
//     number) searches them all on the server, with the stock query's scope and paging, in the same statements.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const TOILET = itemId('LIV-013'); // 简易厕所
const EXTRA = 510;
const code = manyStoreCode;
/** The stores past the demo's, in 汲水镇 of 卫辉市 (so in 新乡市, and the city of the keeper's store). */
const extraIds = new Map<string, string>();

beforeAll(async () => {
  const rows = await insertManyStores(t.database, EXTRA);
  for (const r of rows) extraIds.set(r.code, r.id);
});

const LAST = () => extraIds.get(code(EXTRA))!;

describe('sweep 22a F1: a store past the 500th is found by typing, in every picker', () => {
  const STORES = `query($r: String, $s: String, $ids: [ID!], $first: Int) { stores(regionCode: $r, search: $s, ids: $ids, first: $first) {
    totalCount edges { node { id code name } } } }`;
  const DESTINATIONS = `query($from: ID!, $s: String, $first: Int) { transferDestinations(fromStoreId: $from, search: $s, first: $first) {
    totalCount edges { node { id code name } } } }`;

  it('the region has more stores than a page: the last is not on the first 500, stores(search) finds it', async () => {
    const page = ok(await t.gql(STORES, { r: '410700', first: 500 }, 'dispatcher')).stores;
    expect(page.totalCount).toBeGreaterThan(500);
    expect(page.edges.map((e: any) => e.node.id)).not.toContain(LAST());
    const found = ok(await t.gql(STORES, { r: '410700', s: code(EXTRA), first: 100 }, 'dispatcher')).stores;
    expect(found.edges.map((e: any) => e.node.id)).toEqual([LAST()]);
  });

  it('D13, D23: transferDestinations(search) finds the keeper’s 调入仓库 past the 500th, by code or a word of the name', async () => {
    const all = ok(await t.gql(DESTINATIONS, { from: WEIHUI, first: 500 }, 'keeper')).transferDestinations;
    expect(all.totalCount).toBeGreaterThan(500);
    expect(all.edges.map((e: any) => e.node.id)).not.toContain(LAST());
    for (const s of [code(EXTRA), `第${EXTRA}村`, code(EXTRA).toLowerCase()]) {
      const found = ok(await t.gql(DESTINATIONS, { from: WEIHUI, s, first: 100 }, 'keeper')).transferDestinations;
      expect(
        found.edges.map((e: any) => e.node.id),
        s,
      ).toEqual([LAST()]);
      expect(found.totalCount).toBe(1);
    }
    // A word inside the name: 第51 is in 第51村 and 第510村 only (there is no 第511); % is no wildcard.
    const some = ok(await t.gql(DESTINATIONS, { from: WEIHUI, s: '第51', first: 5 }, 'keeper')).transferDestinations;
    expect(some.edges.map((e: any) => e.node.code).sort()).toEqual([code(51), code(510)]);
    expect(ok(await t.gql(DESTINATIONS, { from: WEIHUI, s: '%', first: 5 }, 'keeper')).transferDestinations.totalCount).toBe(0);
  });

  it('D13: the search narrows the policy’s destinations, never widens them — another city’s store is not found, nor the source', async () => {
    const jincheng = ok(await t.gql(`query($id: ID!) { store(id: $id) { code name } }`, { id: JINCHENG }, 'admin')).store;
    for (const s of [jincheng.code, jincheng.name]) {
      expect(ok(await t.gql(DESTINATIONS, { from: WEIHUI, s }, 'keeper')).transferDestinations.totalCount, s).toBe(0);
    }
    const weihui = ok(await t.gql(`query($id: ID!) { store(id: $id) { code } }`, { id: WEIHUI }, 'keeper')).store;
    expect(ok(await t.gql(DESTINATIONS, { from: WEIHUI, s: weihui.code }, 'keeper')).transferDestinations.totalCount).toBe(0);
    // Only whoever may post at the source lists its destinations, searching or not.
    expect(errorCode(await t.gql(DESTINATIONS, { from: WEIHUI, s: 'Z22A' }, 'auditor'))).toBe('FORBIDDEN');
  });

  it('API.md: a search word longer than 64 characters is BAD_USER_INPUT at search', async () => {
    const res = await t.gql(DESTINATIONS, { from: WEIHUI, s: 'Z'.repeat(65) }, 'keeper');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions.field).toBe('search');
  });

  it('stores(ids) names the stores already chosen, past the first page — in scope only', async () => {
    const ids = [LAST(), extraIds.get(code(EXTRA - 1))!, WEIHUI];
    const named = ok(await t.gql(STORES, { ids, first: 10 }, 'admin')).stores;
    expect(new Map(named.edges.map((e: any) => [e.node.id, e.node.name]))).toEqual(
      new Map([
        [LAST(), `汲水镇第${EXTRA}村级储备点`],
        [extraIds.get(code(EXTRA - 1))!, `汲水镇第${EXTRA - 1}村级储备点`],
        [WEIHUI, '卫辉市救灾物资储备库'],
      ]),
    );
    expect(named.totalCount).toBe(3);
    // Out of the dispatcher's region (晋城): not listed, as stores() never lists it; a keeper: their own stores only.
    const dispatcher = ok(await t.gql(STORES, { ids: [LAST(), JINCHENG], first: 10 }, 'dispatcher')).stores;
    expect(dispatcher.edges.map((e: any) => e.node.id)).toEqual([LAST()]);
    const keeper = ok(await t.gql(STORES, { ids: [LAST(), WEIHUI, TANGZHUANG], first: 10 }, 'keeper')).stores;
    expect(keeper.edges.map((e: any) => e.node.id)).toEqual([WEIHUI]);
    // With the other filters, all of them apply; none chosen: none listed.
    expect(ok(await t.gql(STORES, { ids: [LAST()], s: '卫辉', first: 10 }, 'admin')).stores.totalCount).toBe(0);
    expect(ok(await t.gql(STORES, { ids: [], first: 10 }, 'admin')).stores.totalCount).toBe(0);
  });

  it('stores(ids): a malformed id or more than 500 are BAD_USER_INPUT at ids', async () => {
    const bad = await t.gql(STORES, { ids: ['not-a-store'], first: 10 }, 'admin');
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].extensions.field).toBe('ids');
    const many = await t.gql(STORES, { ids: [...extraIds.values()], first: 10 }, 'admin');
    expect(errorCode(many)).toBe('BAD_USER_INPUT');
    expect(many.errors![0].extensions.field).toBe('ids');
  });
});

describe('sweep 22a F2 (D21): every valuation group is named by the API', () => {
  const VALUATION = `query($g: [ValuationDimension!], $r: String) { valuation(groupBy: $g, regionCode: $r) { groups { key labels value } } }`;

  beforeAll(async () => {
    await receive(t, 'admin', LAST(), [{ itemId: TOILET, quantity: 3, batchNo: 'Z22A-VAL-1', expiryDate: '2031-01-01', unitPrice: '99999.00' }]);
  });

  it('a store past the 500th is named, not shown as its id; every dimension is named as the Excel workbook names it', async () => {
    const byStore = ok(await t.gql(VALUATION, { g: ['STORE'], r: '410700' }, 'auditor')).valuation.groups;
    const last = byStore.find((g: any) => g.key[0] === LAST());
    expect(last).toEqual({ key: [LAST()], labels: [`汲水镇第${EXTRA}村级储备点`], value: '299997.00' });
    // Every store group is named (no label is its key), and names agree with stores().
    expect(byStore.filter((g: any) => g.key[0] !== '在途').every((g: any) => g.labels[0] !== g.key[0])).toBe(true);

    const all = ok(await t.gql(VALUATION, { g: ['REGION', 'CATEGORY', 'ITEM', 'RESERVE_MODE', 'FUNDING_SOURCE', 'STORE'], r: '410781' }, 'auditor')).valuation
      .groups;
    const toilets = all.find((g: any) => g.key[5] === LAST());
    const funding: Record<string, string> = { CENTRAL: '中央资金', PROVINCE: '省级资金', CITY: '市级资金', COUNTY: '县级资金', TOWNSHIP: '乡级资金' };
    expect(toilets.labels).toEqual(['汲水镇', '生活类救灾物资', '简易厕所', '实物储备', funding[toilets.key[4]], `汲水镇第${EXTRA}村级储备点`]);
  });

  it('D21: the in-transit group is named 在途 in every dimension', async () => {
    const XINXIANG_STORE = ok(await t.gql(`{ stores(regionCode: "410700", level: CITY, first: 1) { edges { node { id } } } }`, {}, 'admin')).stores.edges[0]
      .node.id;
    const { shipTransfer } = ok(await shipRaw(t, 'admin', { fromStoreId: LAST(), toStoreId: XINXIANG_STORE, lines: [{ itemId: TOILET, quantity: 1 }] }));
    expect(shipTransfer.id).toBeTruthy();
    const groups = ok(await t.gql(VALUATION, { g: ['STORE', 'ITEM'], r: '410700' }, 'auditor')).valuation.groups;
    expect(groups.find((g: any) => g.key[0] === '在途')).toMatchObject({ key: ['在途', '在途'], labels: ['在途', '在途'] });
  });
});

describe('sweep 22a F6: StockFilter.search finds what a store of more than 500 lines holds', () => {
  const STOCK = `query($f: StockFilter!, $first: Int, $after: String, $o: StockOrder) { stock(filter: $f, first: $first, after: $after, orderBy: $o) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { store { id } item { id code name spec } batch { batchNo } onHand } } } }`;
  const LINES = 505;

  beforeAll(async () => {
    // 505 quilt batches expiring first, then one toilet batch expiring last: in the keeper's order (earliest expiry
    // first) it is past line 500.
    const quilts = Array.from({ length: LINES }, (_, i) => ({
      itemId: QUILT,
      quantity: 1,
      batchNo: `Q22A-${String(i + 1).padStart(4, '0')}`,
      expiryDate: '2026-12-31',
      unitPrice: '150.00',
    }));
    await receive(t, 'admin', WEIHUI, quilts);
    await receive(t, 'admin', WEIHUI, [{ itemId: TOILET, quantity: 2, batchNo: 'ZZ22A-LAST', expiryDate: '2099-12-31', unitPrice: '260.00' }]);
  });

  const batchNos = (stock: any) => stock.edges.map((e: any) => e.node.batch.batchNo);

  it('the toilet batch is past the first 500 lines; a search by name, code, spec or batch number finds it', async () => {
    const first500 = ok(await t.gql(STOCK, { f: { storeId: WEIHUI }, first: 500, o: 'EXPIRY' }, 'keeper')).stock;
    expect(first500.totalCount).toBeGreaterThan(LINES);
    expect(batchNos(first500)).not.toContain('ZZ22A-LAST');
    const toilet = ok(await t.gql(STOCK, { f: { storeId: WEIHUI, itemId: TOILET }, first: 500 }, 'keeper')).stock;
    const spec = toilet.edges[0].node.item.spec as string | null;
    for (const search of ['简易厕所', '厕所', 'LIV-013', 'liv-013', ...(spec ? [spec] : [])]) {
      const found = ok(await t.gql(STOCK, { f: { storeId: WEIHUI, search }, first: 50, o: 'EXPIRY' }, 'keeper')).stock;
      expect(batchNos(found), search).toContain('ZZ22A-LAST');
      expect(
        found.edges.every((e: any) => e.node.item.id === TOILET || e.node.item.name.includes(search)),
        search,
      ).toBe(true);
    }
    // By the item's name: exactly the item's lines, as itemId lists them.
    const byName = ok(await t.gql(STOCK, { f: { storeId: WEIHUI, search: '简易厕所' }, first: 500 }, 'keeper')).stock;
    expect(byName.totalCount).toBe(toilet.totalCount);
    const byBatch = ok(await t.gql(STOCK, { f: { storeId: WEIHUI, search: 'ZZ22A-LAST' } }, 'keeper')).stock;
    expect(batchNos(byBatch)).toEqual(['ZZ22A-LAST']);
    expect(byBatch.totalCount).toBe(1);
  });

  it('paging: totalCount is every line found, and walking the pages gives them all once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (;;) {
      const page: any = ok(await t.gql(STOCK, { f: { storeId: WEIHUI, search: 'Q22A-' }, first: 200, after, o: 'EXPIRY' }, 'keeper')).stock;
      total = page.totalCount;
      seen.push(...batchNos(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(total).toBe(LINES);
    expect(new Set(seen).size).toBe(LINES);
    expect(seen.every((b) => b.startsWith('Q22A-'))).toBe(true);
  });

  it('scope: the search narrows what the user may read — a keeper’s search without a store reads only their stores', async () => {
    const keeper = ok(await t.gql(STOCK, { f: { search: '棉被' }, first: 500 }, 'keeper')).stock;
    expect(keeper.edges.every((e: any) => e.node.store.id === WEIHUI)).toBe(true);
    const dispatcher = ok(await t.gql(STOCK, { f: { regionCode: '410700', search: '棉被' }, first: 1 }, 'dispatcher')).stock;
    expect(dispatcher.totalCount).toBeGreaterThanOrEqual(keeper.totalCount);
    expect(errorCode(await t.gql(STOCK, { f: { storeId: JINCHENG, search: '棉被' } }, 'keeper'))).toBe('FORBIDDEN');
    expect(ok(await t.gql(STOCK, { f: { storeId: WEIHUI, search: '%' } }, 'keeper')).stock.totalCount).toBe(0);
    const long = await t.gql(STOCK, { f: { storeId: WEIHUI, search: '被'.repeat(65) } }, 'keeper');
    expect(errorCode(long)).toBe('BAD_USER_INPUT');
    expect(long.errors![0].extensions.field).toBe('filter.search');
  });

  it('DESIGN 5: the search adds a condition, not a statement — the same number with and without it', async () => {
    const count = async (f: Record<string, unknown>) => {
      t.database.stats.statements = 0;
      ok(await t.gql(STOCK, { f, first: 50, o: 'EXPIRY' }, 'keeper'));
      return t.database.stats.statements;
    };
    await count({ storeId: WEIHUI }); // warm the token and reference caches
    expect(await count({ storeId: WEIHUI, search: '棉被' })).toBe(await count({ storeId: WEIHUI }));
  });
});
