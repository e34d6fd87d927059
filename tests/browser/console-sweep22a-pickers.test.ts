import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { clickStill, rowByHeading, screenshot } from '../support/browser.ts';
import { pickAmongMany, useConsoleFlows } from '../support/console-flows.ts';
import { insertManyStores, manyStoreCode } from '../support/many-stores.ts';

// Sweep 22a, a county at scale, in a real browser. F1: every store picker offered the first 500 stores of the region
// and filtered them here — the 501st could not be picked; it searches on the server now. F2: 估值 by 仓库 showed a
// store past the 500th as its UUID; the API names it. F6: 本库库存's search looked through the first 500 lines only —
// goods on the shelf were "not found"; the server searches the store's lines.
const { t, open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01');
const QUILT = itemId('LIV-004');
const TOILET = itemId('LIV-013'); // 简易厕所
const EXTRA = 510;
const code = manyStoreCode;
const LAST_NAME = `汲水镇第${EXTRA}村级储备点`;
let last: string;

const RECEIVE = `mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }`;
const receipt = (store: string, lines: Record<string, unknown>[]) => ({
  i: { storeId: store, source: 'PURCHASE', contractNo: 'HT-22A', inspectionReportNo: 'YS-22A', idempotencyKey: randomUUID(), lines },
});

beforeAll(async () => {
  // 新乡市 gets 510 more stores, in 汲水镇 of 卫辉市.
  const rows = await insertManyStores(t.database, EXTRA);
  last = rows.find((r) => r.code === code(EXTRA))!.id;
  const admin = await api('admin');
  await admin(RECEIVE, receipt(last, [{ itemId: TOILET, quantity: 3, batchNo: 'Z22A-VAL-1', expiryDate: '2031-01-01', unitPrice: '99999.00' }]));
  // 505 quilt batches expiring first, then one toilet batch expiring last: past line 500 in 本库库存's order.
  const quilts = Array.from({ length: 505 }, (_, i) => ({
    itemId: QUILT,
    quantity: 1,
    batchNo: `Q22A-${String(i + 1).padStart(4, '0')}`,
    expiryDate: '2026-12-31',
    unitPrice: '150.00',
  }));
  await admin(RECEIVE, receipt(WEIHUI, quilts));
  await admin(RECEIVE, receipt(WEIHUI, [{ itemId: TOILET, quantity: 2, batchNo: 'ZZ22A-LAST', expiryDate: '2099-12-31', unitPrice: '260.00' }]));
});

describe('sweep 22a: a county past 500 stores and a store past 500 lines, in the console', () => {
  it('F1: 出库申请’s store filter picks the 510th store of 汲水镇 by typing its code; the list says when more match than it shows', async () => {
    const { page } = await open('dispatcher');
    await page.goto(`${t.origin}/dispatch/orders`, { waitUntil: 'domcontentloaded' });
    // Opened without a word: the first page, and a note that more match; typing the code picks the 510th.
    await pickAmongMany(page, 'orders-store', { code: code(EXTRA), name: LAST_NAME });
    await screenshot(page, 'sweep22a-store-picker');
  });

  it('F2: 估值 by 仓库 names the store past the 500th, not its id', async () => {
    const { page } = await open('auditor');
    await page.goto(`${t.origin}/audit/valuation?groupBy=STORE`, { waitUntil: 'domcontentloaded' });
    const row = await rowByHeading(page, LAST_NAME);
    expect(Object.values(row)).toContain(LAST_NAME);
    expect(Object.values(row).join(' ')).not.toContain(last);
    expect(await page.$$eval('.ant-table-tbody td', (cells, id) => cells.some((c) => c.textContent?.includes(id)), last)).toBe(false);
  });

  it('F6: 本库库存’s search finds the batch past line 500, and counts what it found', async () => {
    const { page } = await open('keeper');
    await page.waitForFunction(() => location.pathname === '/keeper/stock');
    await clickStill(page, '#stock-item');
    await page.type('#stock-item', '简易厕所');
    const row = await rowByHeading(page, 'ZZ22A-LAST');
    expect(row['物资']).toContain('简易厕所');
    // Every row is a toilet, and 共 N 条 is the API's count of the store's toilet lines.
    const keeper = await api('keeper');
    const { stock } = await keeper(`query($f: StockFilter!) { stock(filter: $f, first: 0) { totalCount } }`, { f: { storeId: WEIHUI, itemId: TOILET } });
    await page.waitForFunction((n) => document.querySelector('.ant-pagination-total-text')?.textContent === `共 ${n} 条`, {}, stock.totalCount);
    const names = await page.$$eval('.ant-table-tbody tr.ant-table-row', (rows) => rows.map((r) => r.querySelector('td')?.textContent ?? ''));
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.includes('简易厕所'))).toBe(true);
    // By batch number too.
    await page.click('#stock-item', { count: 3 });
    await page.type('#stock-item', 'Q22A-0505');
    await rowByHeading(page, 'Q22A-0505');
    await page.waitForFunction(() => document.querySelector('.ant-pagination-total-text')?.textContent === '共 1 条');
    await screenshot(page, 'sweep22a-stock-search');
  });
});
