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
