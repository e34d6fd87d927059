import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { auditLog } from '../../drizzle/schema/index.ts';
import { storeId, XINXIANG_CITY } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { clickText, waitForText } from '../support/browser.ts';
import { useConsoleFlows } from '../support/console-flows.ts';

// Sweep 22a F3: a paged list showed every page number, but only the next page could be reached — the last page, far
// numbers and 「•••」 did nothing, as the API's connections go forward only (first/after). A jump now reads forward from
// the furthest page known, the cursors only, and lands on the page clicked. F9: 调拨 read every transfer of the store
// (500 a request) on each visit for ten rows on screen; each tab now reads one page from the server.
const { t, open, api, approveAs } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store
const JISHUI = storeId('S-410781100-01'); // 卫辉市汲水镇应急物资储备点

/** The GraphQL operations the page sends from now on, by name, with their variables. */
function recordOperations(page: Page) {
  const seen: { name: string; query: string; variables: Record<string, unknown> }[] = [];
  page.on('request', (r) => {
    if (r.method() !== 'POST' || !r.url().endsWith('/graphql')) return;
    const body = JSON.parse(r.postData() ?? '{}') as { operationName?: string; query?: string; variables?: Record<string, unknown> };
    const name = body.operationName ?? /^\s*(?:query|mutation)\s+(\w+)/.exec(body.query ?? '')?.[1] ?? '';
    seen.push({ name, query: body.query ?? '', variables: body.variables ?? {} });
  });
  return seen;
}

/**
 * The table's rows (text of each), once it has stopped loading, the active page is `n` and its first row contains
 * `first`: the page number moves a render before the page's query starts loading, so the rows of the page left can
 * show a moment with the new number and no spinner (CI of c27f96d read page 1's rows as page 6's).
 */
async function rowsOnPage(page: Page, n: number, first: string): Promise<string[]> {
  await page.waitForFunction(
    (p, f) =>
      document.querySelector('.ant-pagination-item-active')?.getAttribute('title') === String(p) &&
      !document.querySelector('.ant-table-wrapper .ant-spin-spinning') &&
      !!document.querySelector<HTMLElement>('tr.ant-table-row')?.innerText.includes(f),
    { timeout: 30_000 },
    n,
    first,
  );
  return page.$$eval('tr.ant-table-row', (rows) => rows.map((r) => (r as HTMLElement).innerText));
}

describe('console sweep 22a: every page number can be reached; 调拨 reads a page', () => {
  it('F3: 审计日志 with 21 pages: the last page, 「•••」 and a far number each land on their page, read forward by cursors alone', async () => {
    // 410 entries of one user, the oldest first (ids ascending: the log lists newest first).
    const start = Date.now() - 3_600_000;
    await t.database.db.insert(auditLog).values(
      Array.from({ length: 410 }, (_, i) => ({
        at: new Date(start + i * 1000),
        username: 'pager22a',
        role: 'KEEPER',
        regionCode: XINXIANG_CITY,
        subjectRegionCode: XINXIANG_CITY,
        operation: 'shipTransfer',
        outcome: 'OK',
        message: `翻页测试第${i + 1}条`,
      })),
    );
    const { page } = await open('auditor');
    const ops = recordOperations(page);
    await page.click('.ant-menu a[href="/audit/log"]');
    await page.waitForSelector('input[placeholder="用户名"]');
    await page.type('input[placeholder="用户名"]', 'pager22a');
    await page.keyboard.press('Enter');
    await waitForText(page, '共 410 条');
    expect((await rowsOnPage(page, 1, '翻页测试第410条'))[0]).toContain('翻页测试第410条');

    // The last page: the ten oldest, 第10条 … 第1条.
    await page.click('li.ant-pagination-item-21');
    const last = await rowsOnPage(page, 21, '翻页测试第10条');
    expect(last).toHaveLength(10);
    expect(last[0]).toContain('翻页测试第10条');
    expect(last[9]).toContain('翻页测试第1条');
    // Read forward by cursors only (no rows), 500 at most a request; the table's own page stays 20 rows.
    const walks = ops.filter((o) => o.name === 'AuditLogCursors');
    expect(walks.length).toBeGreaterThan(0);
    expect(walks.every((o) => !o.query.includes('message') && (o.variables.first as number) <= 500)).toBe(true);
    expect(ops.filter((o) => o.name === 'AuditLog').every((o) => o.variables.first === 20)).toBe(true);

    // Known pages now: back to 1 and 20 at once.
    await page.click('li.ant-pagination-item-1');
    expect((await rowsOnPage(page, 1, '翻页测试第410条'))[0]).toContain('翻页测试第410条');
    // 「•••」 (five pages on): page 6, 第310条 … 第291条.
    await page.click('li.ant-pagination-jump-next');
    const sixth = await rowsOnPage(page, 6, '翻页测试第310条');
    expect(sixth[0]).toContain('翻页测试第310条');
    expect(sixth[19]).toContain('翻页测试第291条');
  });

  it('F9: 调拨 reads one page of 20 per tab, not every transfer of the store; its last page shows the oldest shipments', async () => {
    // 25 shipments of one sandbag each, WEIHUI → 汲水镇, against one approved transfer order (D23).
    const keeper = await api('keeper');
    const lines = [{ itemId: itemId('FLD-001'), quantity: 25 }];
    const { requestOutboundOrder: order } = await keeper(`mutation($input: OutboundOrderInput!) { requestOutboundOrder(input: $input) { id } }`, {
      input: { storeId: WEIHUI, purpose: 'TRANSFER', toStoreId: JISHUI, note: '翻页测试调拨', idempotencyKey: 'e2e-22a-order', lines },
    });
    await approveAs('director', 'OUTBOUND_ORDER');
    for (let i = 0; i < 25; i++) {
      await keeper(`mutation($input: ShipTransferInput!) { shipTransfer(input: $input) { id } }`, {
        input: {
          fromStoreId: WEIHUI,
          toStoreId: JISHUI,
          orderId: order.id,
          idempotencyKey: `e2e-22a-ship-${i}`,
          lines: [{ itemId: itemId('FLD-001'), quantity: 1 }],
        },
      });
    }
    // What 调出 should show, from the API: the store's own posted shipments, newest first.
    const { documents } = await keeper(
      `query($s: ID!) { documents(filter: { storeId: $s, type: "TRANSFER_OUT", status: ["POSTED"] }, first: 500) {
        edges { node { store { id } transfer { number } } } } }`,
      { s: WEIHUI },
    );
    const numbers = documents.edges.filter((e: any) => e.node.store.id === WEIHUI).map((e: any) => e.node.transfer.number as string);
    expect(numbers.length).toBeGreaterThanOrEqual(25);
    const pages = Math.ceil(numbers.length / 20);

    const { page } = await open('keeper');
    const ops = recordOperations(page);
    await page.click('.ant-menu a[href="/keeper/transfers"]');
    await clickText(page, 'div[@role="tab"]', '调出');
    const activeTab = () => page.$eval('.ant-tabs-tabpane-active', (e) => (e as HTMLElement).innerText);
    await page.waitForFunction((n) => document.querySelector('.ant-tabs-tabpane-active')?.textContent?.includes(n), { timeout: 30_000 }, numbers[0]);
    // Only pages are read: every TransferDocuments request asks for 20 rows, not the API's 500.
    const reads = () => ops.filter((o) => o.name === 'TransferDocuments');
    expect(reads().length).toBeGreaterThan(0);
    expect(reads().map((o) => o.variables.first)).toEqual(reads().map(() => 20));
    await waitForText(page, `共 ${numbers.length} 条`);
    expect(await activeTab()).not.toContain(numbers[20]);

    await page.click(`.ant-tabs-tabpane-active li.ant-pagination-item-${pages}`);
    await page.waitForFunction(
      (n) => !document.querySelector('.ant-spin-spinning') && document.querySelector('.ant-tabs-tabpane-active')?.textContent?.includes(n),
      { timeout: 30_000 },
      numbers[numbers.length - 1],
    );
    const shown = await page.$$eval('.ant-tabs-tabpane-active tr.ant-table-row', (rows) => rows.map((r) => (r as HTMLElement).innerText));
    const expected = numbers.slice((pages - 1) * 20);
    expect(shown.slice(-expected.length).map((r) => expected.find((n: string) => r.includes(n)))).toEqual(expected);

    // Still only pages; the jump read cursors alone.
    expect(reads().every((o) => o.variables.first === 20)).toBe(true);
    expect(ops.filter((o) => o.name === 'TransferDocumentsCursors').every((o) => !o.query.includes('lines'))).toBe(true);
  });
});
