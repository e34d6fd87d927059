import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { download, openWorkbook, parseCsv, sheetValues, STOCK_HEADINGS } from '../support/paperwork.ts';

// Sweep 22a (a county at scale), left over. 本库库存 is searched on the server (StockFilter.search: a word of the item's
// name, spec or code, or of the batch number), but its Excel export did not read the word: the file held every line of
// the store while the page showed those found. /exports/stock reads `search` now, with the stock query's own condition:
// the file lists what stock(filter: { search }) lists. Any other parameter is still refused, as every export refuses it.
// Then its 到期早于 (expiringBefore) was left out the same way: the file held every expiry date while the page showed the
// batches expiring before the day, and a printed sheet did not say which word or date it was filtered by. The export
// reads expiringBefore with the stock query's one condition (stockLineCondition), and its title block has a line,
// 筛选条件, naming every filter beyond the scope 编制单位 names.

const t = useTestApp();
afterAll(() => expectLedgerConsistent(t));

const TOILET = itemId('LIV-013'); // 简易厕所
const BATCH = STOCK_HEADINGS.indexOf('批号');
const ITEM = STOCK_HEADINGS.indexOf('物资');
const STOCK = `query($f: StockFilter!) { stock(filter: $f, first: 500) { totalCount edges { node { batch { batchNo } } } } }`;

beforeAll(async () => {
  await receive(t, 'admin', WEIHUI, [
    { itemId: QUILT, quantity: 4, batchNo: 'XS22-Q-1', unitPrice: '150.00' },
    { itemId: QUILT, quantity: 6, batchNo: 'XS22-Q-2', unitPrice: '150.00' },
    { itemId: TOILET, quantity: 2, batchNo: 'XS22-T-1', unitPrice: '260.00' },
    // For 到期早于 (StockFilter.expiringBefore): one quilt expiring before 2027-06-01, one on that day, one after.
    { itemId: QUILT, quantity: 5, batchNo: 'XE22-1', expiryDate: '2027-03-01', unitPrice: '150.00' },
    { itemId: QUILT, quantity: 7, batchNo: 'XE22-2', expiryDate: '2027-06-01', unitPrice: '150.00' },
    { itemId: QUILT, quantity: 9, batchNo: 'XE22-3', expiryDate: '2028-06-01', unitPrice: '150.00' },
  ]);
});

/** The batch numbers of the stock export's rows (not its subtotal and 合计 lines), as `as` downloads it. */
const exported = async (query: Record<string, string>, as = 'keeper') => {
  const res = await download(t, '/exports/stock.csv', as, query);
  expect(res.status, res.text).toBe(200);
  const [headings, ...rows] = parseCsv(res.text);
  expect(headings).toEqual(STOCK_HEADINGS);
  return rows.filter((r) => r[BATCH] !== '');
};
/** The batch numbers stock(filter) lists: what 本库库存 shows. */
const listed = async (f: Record<string, unknown>, as = 'keeper') =>
  ok(await t.gql(STOCK, { f }, as))
    .stock.edges.map((e: any) => e.node.batch.batchNo as string)
    .sort();

describe('sweep 22a: the stock export holds the lines the page’s search word finds', () => {
  it('by batch number, by item name, by a region: the file’s rows are the stock query’s lines', async () => {
    for (const search of ['XS22-Q', 'XS22-T-1', '简易厕所']) {
      const rows = await exported({ storeId: WEIHUI, search });
      expect(rows.map((r) => r[BATCH]).sort(), search).toEqual(await listed({ storeId: WEIHUI, search }));
      expect(rows.length, search).toBeGreaterThan(0);
    }
    const quilts = await exported({ storeId: WEIHUI, search: 'XS22-Q' });
    expect(quilts.map((r) => r[BATCH]).sort()).toEqual(['XS22-Q-1', 'XS22-Q-2']);
    expect((await exported({ storeId: WEIHUI, search: '简易厕所' })).every((r) => r[ITEM] === '简易厕所')).toBe(true);
    // Without a word, the whole store, as before.
    expect((await exported({ storeId: WEIHUI })).length).toBe((await listed({ storeId: WEIHUI })).length);
    // A dispatcher's region list too; a word matching nothing is an empty list with its 合计, and `%` is a character.
    const region = await exported({ regionCode: '410700', search: 'XS22-' }, 'dispatcher');
    expect(region.map((r) => r[BATCH]).sort()).toEqual(['XS22-Q-1', 'XS22-Q-2', 'XS22-T-1']);
    expect(await exported({ storeId: WEIHUI, search: '%' })).toEqual([]);
  });

  it('the xlsx through a download link reads it too, its one item’s quantities totalled', async () => {
    const path = `/exports/stock.xlsx?${new URLSearchParams({ storeId: WEIHUI, search: 'XS22-Q' })}`;
    const { url } = ok(await t.gql(`mutation($p: String!) { createDownloadLink(path: $p) { url } }`, { p: path }, 'keeper')).createDownloadLink;
    const res = await download(t, url);
    expect(res.status).toBe(200);
    const ws = await openWorkbook(res.body as Buffer);
    const values = sheetValues(ws, 1);
    const head = values.findIndex((r) => r.includes('批号'));
    const rows = values.slice(head + 1);
    expect(rows.filter((r) => r[BATCH] === 'XS22-Q-1' || r[BATCH] === 'XS22-Q-2')).toHaveLength(2);
    const total = rows.find((r) => r[0] === '合计')!;
    expect(total[STOCK_HEADINGS.indexOf('在库')]).toBe(10);
  });

  it('a word too long is refused at `search` as the stock query refuses it; a misspelt name is refused, not ignored', async () => {
    const long = await download(t, '/exports/stock.csv', 'keeper', { storeId: WEIHUI, search: '被'.repeat(65) });
    expect(long.status).toBe(400);
    expect(long.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'search', message: '搜索词过长（最多 64 个字符）' });
    const typo = await download(t, '/exports/stock.csv', 'keeper', { storeId: WEIHUI, Search: 'XS22' });
    expect(typo.status).toBe(400);
    expect(typo.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'Search', message: '未知参数：Search（参数名区分大小写，应为 search）' });
    // Other lists do not read it.
    const journal = await download(t, '/exports/journal.csv', 'keeper', { storeId: WEIHUI, search: 'XS22' });
    expect(journal.status).toBe(400);
    expect(journal.body.error).toMatchObject({ field: 'search' });
  });
});

/** The title block and table of a stock workbook, as `as` downloads it: its 筛选条件 line (or null) and header row. */
const workbookOf = async (query: Record<string, string>, as = 'keeper') => {
  const res = await download(t, '/exports/stock.xlsx', as, query);
  expect(res.status, String(res.body)).toBe(200);
  const ws = await openWorkbook(res.body as Buffer);
  const values = sheetValues(ws, 1);
  const header = values.findIndex((r) => r[0] === '仓库') + 1;
  const filters = values
    .slice(0, header - 1)
    .flat()
    .find((v) => String(v ?? '').startsWith('筛选条件：'));
  return { ws, header, filters: filters === undefined ? null : String(filters), rows: values.slice(header) };
};

describe('sweep 22a, left over: the stock export holds what 到期早于 shows, and its title block names every filter', () => {
  it('expiringBefore: the file’s rows are the stock query’s lines — before the day, not on it — alone and with the word', async () => {
    const before = await exported({ storeId: WEIHUI, expiringBefore: '2027-06-01' });
    expect(before.map((r) => r[BATCH]).sort()).toEqual(await listed({ storeId: WEIHUI, expiringBefore: '2027-06-01' }));
    const mine = before.map((r) => r[BATCH]).filter((b) => b.startsWith('XE22-'));
    expect(mine).toEqual(['XE22-1']);
    // Every row expires before the day; batches without an expiry date are not among them.
    const EXPIRY = STOCK_HEADINGS.indexOf('有效期至');
    expect(before.every((r) => r[EXPIRY] !== '' && r[EXPIRY] < '2027-06-01')).toBe(true);
    expect(before.length).toBeLessThan((await exported({ storeId: WEIHUI })).length);
    // With the word, both conditions; a dispatcher's region list too.
    const both = await exported({ storeId: WEIHUI, search: 'XE22', expiringBefore: '2028-01-01' });
    expect(both.map((r) => r[BATCH]).sort()).toEqual(['XE22-1', 'XE22-2']);
    expect(both.map((r) => r[BATCH]).sort()).toEqual(await listed({ storeId: WEIHUI, search: 'XE22', expiringBefore: '2028-01-01' }));
    const region = await exported({ regionCode: '410700', search: 'XE22', expiringBefore: '2027-06-02' }, 'dispatcher');
    expect(region.map((r) => r[BATCH]).sort()).toEqual(['XE22-1', 'XE22-2']);
  });

  it('the title block’s 筛选条件 names the word, the date, the item and the category; the table starts below it, frozen and filtered', async () => {
    const searched = await workbookOf({ storeId: WEIHUI, search: ' XE22 ', expiringBefore: '2027-06-01' });
    expect(searched.filters).toBe('筛选条件：搜索词：「XE22」；到期早于：2027-06-01（不含当日）');
    expect(searched.ws.getCell('A2').value).toBe('编制单位：卫辉市救灾物资储备库');
    expect(searched.header).toBe(5);
    expect(searched.rows.filter((r) => String(r[BATCH] ?? '').startsWith('XE22-')).map((r) => r[BATCH])).toEqual(['XE22-1']);
    expect(searched.ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 5 });
    expect(String(searched.ws.autoFilter)).toMatch(/^A5:[A-Z]+\d+$/);
    expect(searched.ws.pageSetup.printTitlesRow).toBe('5:5');
    const item = await workbookOf({ storeId: WEIHUI, itemId: QUILT, categoryCode: 'LIVING', expiringBefore: '2027-06-01' });
    expect(item.filters).toBe(
      '筛选条件：物资：棉被（200cm×150cm 棉花絮3kg 涤棉被套 真空压缩包装） LIV-004；类别：生活类救灾物资；到期早于：2027-06-01（不含当日）',
    );
    // No filter beyond the store: the title block is as before, the header on row 4.
    const whole = await workbookOf({ storeId: WEIHUI });
    expect(whole.filters).toBeNull();
    expect(whole.header).toBe(4);
  });

  it('a date that is not one is refused at expiringBefore, in the words GraphQL’s Date uses', async () => {
    for (const [value, message] of [
      ['2027-02-30', '到期日期：日期不存在：2027-02-30（该月没有这一天，请核对）'],
      ['2027/06/01', '到期日期：日期格式错误：2027/06/01（应为 1900–2199 年间的 YYYY-MM-DD）'],
      ['2300-01-01', '到期日期：日期超出范围：2300-01-01（年份应在 1900–2199 之间）'],
    ]) {
      const res = await download(t, '/exports/stock.csv', 'keeper', { storeId: WEIHUI, expiringBefore: value });
      expect(res.status, value).toBe(400);
      expect(res.body.error, value).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiringBefore', message });
    }
  });
});
