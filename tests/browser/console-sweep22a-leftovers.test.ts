import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { stores } from '../../drizzle/schema/index.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { clickStill, clickText, clickXpath, rowByHeading, screenshot } from '../support/browser.ts';
import { downloadsOf, openAgreementForm, pickAmongMany, useConsoleFlows, waitForFile } from '../support/console-flows.ts';
import { openWorkbook, sheetValues, STOCK_HEADINGS } from '../support/paperwork.ts';

// Sweep 22a (a county at scale), left over, in a real browser. 我的申请 filtered a page of 20 orders in the browser (a
// page showed fewer, a later page's own orders were missed): the server filters (OutboundOrderFilter.mine, D23). The
// agreement form's company-store picker read the first 500 stores of the kind: it searches the server as one types, as
// every store picker does. 本库库存's Excel file held the whole store while the page showed what its search word found:
// the export reads the word (D7: the batch's label, the same lines). Then it left out the page's 到期早于 (the file held
// every expiry date), and the printed sheet did not say which word or date it was filtered by: it names them now.
const { t, open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store
const QILIYING = storeId('S-410721-02'); // 新乡县救灾物资代储库（七里营）, an entrusted store
const BREATHER = itemId('FIR-001'); // 空气呼吸器
const QUILT = itemId('LIV-004');
const ENTRUSTED = 510;
const entrustedCode = (n: number) => `Z22L-${String(n).padStart(3, '0')}`;
const LAST_ENTRUSTED = `新乡县第${ENTRUSTED}代储库`;
const KEEPER_ORDERS = 21;

const ORDER = `mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { id number } }`;
const order = (purpose: string) => ({
  i: { storeId: WEIHUI, purpose, recipient: '防汛演练', idempotencyKey: randomUUID(), lines: [{ itemId: BREATHER, quantity: 1 }] },
});

beforeAll(async () => {
  // 新乡县 gets 510 more entrusted stores, operated by 七里营's company: the 510th sorts past the first 500 by code.
  const [{ operator }] = await queryRows<{ operator: string }>(
    t.database.db,
    sql`SELECT operator_org_id::text AS operator FROM stores WHERE id = ${QILIYING}::uuid`,
  );
  await t.database.db.insert(stores).values(
    Array.from({ length: ENTRUSTED }, (_, i) => ({
      code: entrustedCode(i + 1),
      name: `新乡县第${i + 1}代储库`,
      regionCode: '410721000000',
      level: 'COUNTY' as const,
      kind: 'ENTRUSTED' as const,
      operatorOrgId: operator,
      lat: 35.19,
      lng: 113.81,
    })),
  );
  // 卫辉's orders, the keeper's 21 and the dispatcher's 21 interleaved: newest first, any 20 of them hold about 10 of each.
  const keeper = await api('keeper');
  const dispatcher = await api('dispatcher');
  for (let n = 0; n < KEEPER_ORDERS; n += 1) {
    await keeper(ORDER, order('DRILL'));
    await dispatcher(ORDER, order('DRILL'));
  }
  const receipt = {
    storeId: WEIHUI,
    source: 'PURCHASE',
    contractNo: 'HT-22L',
    inspectionReportNo: 'YS-22L',
    idempotencyKey: randomUUID(),
    lines: [
      ...['XS22L-1', 'XS22L-2'].map((batchNo) => ({ itemId: QUILT, quantity: 3, batchNo, expiryDate: '2030-12-31', unitPrice: '150.00' })),
      // For 到期早于: one quilt expiring before 2028-01-01, one after.
      { itemId: QUILT, quantity: 2, batchNo: 'XD22L-1', expiryDate: '2027-09-30', unitPrice: '150.00' },
      { itemId: QUILT, quantity: 2, batchNo: 'XD22L-2', expiryDate: '2029-09-30', unitPrice: '150.00' },
    ],
  };
  await (
    await api('admin')
  )(`mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }`, { i: receipt });
});

describe('sweep 22a, left over: 我的申请, the agreement’s store and the stock export at county scale', () => {
  it('D23: 我的申请 pages the keeper’s own orders 20 at a time — a full first page of the keeper’s, the rest on page 2', async () => {
    const { page } = await open('keeper');
    await page.goto(`${t.origin}/keeper/orders`, { waitUntil: 'domcontentloaded' });
    // The tab itself (an outer div containing the words is the whole page).
    await clickXpath(page, '//div[contains(@class, "ant-tabs-tab-btn") and normalize-space(.)="我的申请"]');
    const tab = '.ant-tabs-tabpane-active';
    // The keeper's 21 and those the demo data gave the keeper already: the API's count, which the tab must show.
    const keeper = await api('keeper');
    const mine = (await keeper(`{ outboundOrders(filter: { mine: true }, first: 1) { totalCount } }`)).outboundOrders.totalCount as number;
    expect(mine).toBeGreaterThanOrEqual(KEEPER_ORDERS);
    expect(mine).toBeLessThanOrEqual(40); // two pages
    await page.waitForFunction((s, n) => document.querySelector(`${s} .ant-pagination-total-text`)?.textContent === `共 ${n} 条`, {}, tab, mine);
    const applicants = () =>
      page.$$eval(`${tab} .ant-table-tbody tr.ant-table-row`, (rows) =>
        rows.map((r) => {
          const headings = [...(r.closest('table')?.querySelectorAll('thead th') ?? [])].map((th) => th.textContent?.trim());
          return r.querySelectorAll('td')[headings.indexOf('申请人')]?.textContent ?? '';
        }),
      );
    const first = await applicants();
    expect(first).toHaveLength(20);
    const keeperName = (await keeper(`{ me { displayName } }`)).me.displayName as string;
    expect(first.every((n) => n === keeperName)).toBe(true);
    await screenshot(page, 'sweep22a-leftover-my-orders');
    await clickStill(page, `${tab} .ant-pagination-item-2`);
    await page.waitForFunction((s, n) => document.querySelectorAll(`${s} .ant-table-tbody tr.ant-table-row`).length === n, {}, tab, mine - 20);
    expect(await applicants()).toEqual(Array(mine - 20).fill(keeperName));
  });

  it('D6: the agreement form picks the 510th entrusted store of 新乡县 by typing its code, and names its company', async () => {
    const { page } = await open('admin');
    await openAgreementForm(page, { mode: '企业代储', region: '新乡县' });
    // Opened without a word: the first 100 and a note that more match; typing the code picks the 510th.
    await pickAmongMany(page, 'agreement_storeId', { code: entrustedCode(ENTRUSTED), name: LAST_ENTRUSTED });
    // Its operator, named in the option, fills in the company.
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('#agreement_companyName')?.value === '新乡县中原物流仓储有限公司');
    await screenshot(page, 'sweep22a-leftover-agreement-store');
  });

  it('D7: 本库库存’s Excel file holds the lines its search word finds, as the table lists them', async () => {
    const { page } = await open('keeper');
    await page.waitForFunction(() => location.pathname === '/keeper/stock');
    await clickStill(page, '#stock-item');
    await page.type('#stock-item', 'XS22L-');
    await rowByHeading(page, 'XS22L-2');
    await page.waitForFunction(() => document.querySelector('.ant-pagination-total-text')?.textContent === '共 2 条');
    const downloads = await downloadsOf(page, 'downloads-sweep22a-leftover-stock');
    await clickText(page, 'button', 'Excel');
    const file = await waitForFile(downloads, /\.xlsx$/);
    const values = sheetValues(await openWorkbook(readFileSync(file)), 1);
    const batches = values.map((r) => r[STOCK_HEADINGS.indexOf('批号')]).filter((b) => typeof b === 'string' && b.startsWith('XS22L-'));
    expect(batches.sort()).toEqual(['XS22L-1', 'XS22L-2']);
    // Nothing else of the store: the rows are the two found, then the 合计.
    const head = values.findIndex((r) => r.includes('批号'));
    expect(values.slice(head + 1).filter((r) => r[0] !== '合计' && r.some((c) => c !== null && c !== undefined && c !== ''))).toHaveLength(2);
  });
  it('D7, D26: with 到期早于 set, 本库库存’s Excel file holds the lines the table lists, and its title block names the word and the date', async () => {
    const { page } = await open('keeper');
    await page.waitForFunction(() => location.pathname === '/keeper/stock');
    await clickStill(page, '#stock-item');
    await page.type('#stock-item', 'XD22L-');
    await rowByHeading(page, 'XD22L-2');
    await clickStill(page, '#stock-expiring-before');
    await page.keyboard.type('2028-01-01');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('.ant-pagination-total-text')?.textContent === '共 1 条');
    await rowByHeading(page, 'XD22L-1');
    const downloads = await downloadsOf(page, 'downloads-sweep22a-leftover-stock-expiring');
    await clickText(page, 'button', 'Excel');
    const file = await waitForFile(downloads, /\.xlsx$/);
    const values = sheetValues(await openWorkbook(readFileSync(file)), 1);
    const head = values.findIndex((r) => r.includes('批号'));
    // The title block says what the sheet holds: a line above the table (merged across it) naming the word and the date.
    expect(values[head - 1][0]).toBe('筛选条件：搜索词：「XD22L-」；到期早于：2028-01-01（不含当日）');
    // The one line the table lists, then the 合计: not the batch expiring after the date.
    const rows = values.slice(head + 1).filter((r) => r[0] !== '合计' && r.some((c) => c !== null && c !== undefined && c !== ''));
    expect(rows.map((r) => r[STOCK_HEADINGS.indexOf('批号')])).toEqual(['XD22L-1']);
  });
});
