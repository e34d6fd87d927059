import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { clickModalOk, clickText, screenshot } from '../support/browser.ts';
import { clickRowButton, useConsoleFlows, waitForMessage } from '../support/console-flows.ts';

// D23 (凭令出库): a transfer outside a dispatch plan leaves the store only against an approved outbound order of purpose
// TRANSFER. 调拨 → 调出 lists the store's approved transfer orders under 待调拨出库, each with 调拨出库, which ships it to
// the order's receiving store; an API test covered the list's query only. Here a keeper sees it in the browser: the
// approved order with its status, purpose, receiving store and quantities, and its one action — not the order still
// pending approval, nor an approved order of another purpose — and, shipped, it leaves the list for 已发运 (在途, 取消).
const { open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store
const JISHUI = storeId('S-410781100-01'); // 卫辉市汲水镇应急物资储备点
const QUILT = itemId('LIV-004'); // 棉被, in 床

const ORDER = `mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { id number approval { id } } }`;
const DECIDE = `mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { status } }`;

/** The keeper's orders: approved and pending transfers to 汲水镇, and an approved drill. */
const orders: Record<'approved' | 'pending' | 'drill', { id: string; number: string }> = {} as never;

beforeAll(async () => {
  const keeper = await api('keeper');
  const dispatcher = await api('dispatcher');
  const request = async (purpose: string, quantity: number, approve: boolean) => {
    const { requestOutboundOrder: o } = await keeper(ORDER, {
      i: {
        storeId: WEIHUI,
        purpose,
        ...(purpose === 'TRANSFER' ? { toStoreId: JISHUI } : { recipient: '防汛演练' }),
        idempotencyKey: randomUUID(),
        lines: [{ itemId: QUILT, quantity }],
      },
    });
    // D24: the keeper requested it; a dispatcher of 新乡 approves it.
    if (approve) await dispatcher(DECIDE, { i: { approvalId: o.approval.id, decision: 'APPROVE', approvalRef: '卫应急〔2026〕7号' } });
    return { id: o.id as string, number: o.number as string };
  };
  orders.approved = await request('TRANSFER', 3, true);
  orders.pending = await request('TRANSFER', 4, false);
  orders.drill = await request('DRILL', 2, true);
});

const PANE = '//div[contains(@class, "ant-tabs-tabpane-active")]';
/** The table below a heading of the active tab (待调拨出库…, 已发运). */
const tableUnder = (heading: string) => `${PANE}//h5[contains(., ${JSON.stringify(heading)})]/following-sibling::div[contains(@class, "ant-table-wrapper")][1]`;

/** The cells' text of the row of `table` (an XPath) containing `text`, by that table's own column headings. */
async function rowOf(page: Page, table: string, text: string): Promise<Record<string, string>> {
  const row = `${table}//tr[contains(@class, "ant-table-row") and contains(., ${JSON.stringify(text)})]`;
  await page.waitForSelector(`::-p-xpath(${row})`, { visible: true });
  const cells = await page.$eval(`::-p-xpath(${row})`, (r) => [...r.querySelectorAll('td')].map((c) => (c as HTMLElement).innerText.trim()));
  const headings = await page.$eval(`::-p-xpath(${table})`, (w) =>
    [...w.querySelectorAll('.ant-table-thead th')].map((th) => (th as HTMLElement).innerText.trim()),
  );
  return Object.fromEntries(headings.map((h, i) => [h, cells[i]]));
}

/** The text of every row of `table`. */
const rowsOf = (page: Page, table: string) =>
  page.$eval(`::-p-xpath(${table})`, (w) => [...w.querySelectorAll('tr.ant-table-row')].map((r) => (r as HTMLElement).innerText));

describe('D23: the keeper’s 调拨 page lists the approved transfer orders to ship', () => {
  it('D23, D24: 待调拨出库 shows the approved TRANSFER order — 已批准, 调拨, to 汲水镇, 0/3 床, with 调拨出库 — not the pending one nor the drill; shipped, it moves to 已发运', async () => {
    const { page } = await open('keeper');
    await page.click('.ant-menu a[href="/keeper/transfers"]');
    await clickText(page, 'div[@role="tab"]', '调出');
    const toShip = tableUnder('待调拨出库');
    const row = await rowOf(page, toShip, orders.approved.number);
    expect(row).toMatchObject({
      出库申请: orders.approved.number,
      用途: '调拨',
      '领用/调入': '卫辉市汲水镇应急物资储备点',
      '物资（已出/批准）': '棉被 0/3 床',
      状态: '已批准',
      '': '调拨出库',
    });
    // No 仓库 column: the list is the store's own.
    expect(Object.keys(row)).not.toContain('仓库');
    // Only approved transfers: the order awaiting approval and the approved drill are not there to ship.
    const shown = (await rowsOf(page, toShip)).join('\n');
    expect(shown).not.toContain(orders.pending.number);
    expect(shown).not.toContain(orders.drill.number);
    // Every row listed is an approved 调拨 with its action.
    for (const text of await rowsOf(page, toShip)) {
      expect(text).toContain('已批准');
      expect(text).toContain('调拨出库');
    }
    await screenshot(page, 'transfer-orders-to-ship');

    // 调拨出库: the order's remaining quantity, shipped to its receiving store.
    await clickRowButton(page, orders.approved.number, '调拨出库');
    await page.waitForSelector(`::-p-xpath(//div[contains(@class, "ant-modal-title") and contains(., ${JSON.stringify(orders.approved.number)})])`, {
      visible: true,
    });
    await page.waitForSelector('::-p-xpath(//div[contains(@class, "ant-modal-content") and contains(., "卫辉市汲水镇应急物资储备点")])', { visible: true });
    await clickModalOk(page);
    await waitForMessage(page, '已发运');
    const said = await page.$$eval('.ant-message-notice', (notes) => notes.map((n) => n.textContent ?? '').join('\n'));
    const shipped = /调拨单 (\S+) 已发运/.exec(said)![1];
    // Executed, it leaves 待调拨出库; its shipment is listed under 已发运, on its way, cancellable by the store.
    await page.waitForFunction(
      (xpath, number) => {
        const table = document.evaluate(xpath, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue as HTMLElement | null;
        return !!table && !table.innerText.includes(number);
      },
      {},
      toShip,
      orders.approved.number,
    );
    const keeper = await api('keeper');
    const { outboundOrders } = await keeper(`query($s: ID!) { outboundOrders(filter: { storeId: $s }, first: 100) { edges { node { id status } } } }`, {
      s: WEIHUI,
    });
    expect(outboundOrders.edges.find((e: any) => e.node.id === orders.approved.id).node.status).toBe('EXECUTED');
    const transfer = await rowOf(page, tableUnder('已发运'), shipped);
    expect(transfer).toMatchObject({ 调拨单: shipped, 调入仓库: '卫辉市汲水镇应急物资储备点', 物资: '棉被 3 床', 状态: '在途' });
    // antd spaces out a two-character label: 取 消.
    expect(transfer[''].replace(/\s/g, '')).toBe('取消');
  });
});
