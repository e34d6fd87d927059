import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickText, waitForText } from '../support/browser.ts';
import { openReceipt, useConsoleFlows, retype, waitForFieldError } from '../support/console-flows.ts';
import { storeId } from '../../seeds/demo.ts';

// What the user typed is what the form means. A quantity out of range or a fraction is not clamped or rounded into a
// different one (−5 → 1, 1.5 → 2, a count of −5 → 0: a loss nobody counted) and posted: the field keeps it, says what
// is wrong in Chinese, and nothing is sent (D8, D9, D27, D28). And 结清 is offered only to whom the API lets settle:
// never the owing side (D15, D24, D25).
const { open, api } = useConsoleFlows();

/** Counts the GraphQL operations named `operation` that the page sends from now on. */
function countPosts(page: Page, operation: string): () => number {
  let n = 0;
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/graphql') && (r.postData() ?? '').includes(`"operationName":"${operation}"`)) n++;
  });
  return () => n;
}

const valueOf = (page: Page, selector: string) => page.$eval(selector, (e) => (e as HTMLInputElement).value);

describe('typed quantities stay as typed and are refused next to their field; 结清 only for the side owed', () => {
  it('keeper receiving (D8): 数量 −5, 0 and 1.5 stay in the field with 「数量须为正整数」 and nothing is posted; 5 posts 5', async () => {
    const { page } = await open('keeper');
    const posts = countPosts(page, 'ReceiveStock');
    await openReceipt(page, '棉被', { contractNo: 'ZFCG-E2E-TYPED', inspectionReportNo: 'YS-E2E-TYPED' });
    await page.type('#lines_0_batchNo', 'E2E-TYPED-01');
    for (const typed of ['-5', '0', '1.5']) {
      await retype(page, '#lines_0_quantity', typed);
      await page.click('button[type="submit"]');
      await waitForFieldError(page, '数量须为正整数');
      // Not clamped or rounded once the field lost focus.
      expect(await valueOf(page, '#lines_0_quantity')).toBe(typed);
    }
    expect(posts()).toBe(0);
    await retype(page, '#lines_0_quantity', '5');
    await page.click('button[type="submit"]');
    await waitForText(page, '已过账');
    await waitForText(page, '批号 E2E-TYPED-01：5');
    expect(posts()).toBe(1);
  });

  it('keeper counting (D9, D27): 实盘 −5 stays −5 with 「实盘数量须为不小于 0 的整数」, and no 盘点单 (no loss) is submitted', async () => {
    const { page } = await open('keeper');
    const posts = countPosts(page, 'SubmitStocktake');
    await clickText(page, 'a', '盘点');
    const input = '.ant-table-row:nth-child(2) .ant-input-number-input';
    await page.waitForSelector(input);
    await page.type(input, '-5');
    await clickText(page, 'button', '提交盘点');
    await waitForFieldError(page, '实盘数量须为不小于 0 的整数');
    expect(await valueOf(page, input)).toBe('-5');
    await retype(page, input, '2.5');
    await clickText(page, 'button', '提交盘点');
    await waitForFieldError(page, '实盘数量须为不小于 0 的整数');
    expect(await valueOf(page, input)).toBe('2.5');
    expect(posts()).toBe(0);
    expect(await page.evaluate(() => document.body.innerText)).not.toMatch(/盘点单 PD-\S+ 已提交/);
  });

  it('keeper handing out relief (D28, D29): 家庭人数 80 and 数量 0 stay as typed, each refused under its field, nothing recorded', async () => {
    const { page } = await open('keeper');
    const posts = countPosts(page, 'DistributeRelief');
    await clickText(page, 'a', '发放');
    await page.waitForSelector('#distribute_household_headName');
    await page.type('#distribute_household_headName', '王测试');
    await retype(page, '#distribute_household_size', '80');
    await retype(page, '#distribute_lines_0_quantity', '0');
    await clickText(page, 'button', '登记发放');
    await waitForFieldError(page, '家庭人数须为 1–50 的整数');
    await waitForFieldError(page, '数量须为正整数');
    expect(await valueOf(page, '#distribute_household_size')).toBe('80');
    expect(await valueOf(page, '#distribute_lines_0_quantity')).toBe('0');
    expect(posts()).toBe(0);
  });

  it('dispatcher of 新乡市 (the owing side, D24) is offered no 结清 on what 新乡市 owes; the administrator over both sides is', async () => {
    const { page } = await open('dispatcher');
    await clickText(page, 'a', '结算');
    const owed = '//tr[contains(@class, "ant-table-row") and contains(., "新乡市") and contains(., "太公镇")]';
    await page.waitForSelector(`::-p-xpath(${owed})`);
    expect(await page.$$(`::-p-xpath(${owed}//button)`)).toHaveLength(0);
    await page.waitForSelector(`::-p-xpath(${owed}[contains(., "待被欠方确认")])`);

    await page.close();
    const admin = (await open('admin')).page;
    await admin.goto(new URL('/settlements', admin.url()).href, { waitUntil: 'domcontentloaded' });
    await admin.waitForSelector(`::-p-xpath(${owed}//button[contains(translate(normalize-space(.), ' ', ''), "结清")])`);
  });

  it('dispatcher of 新乡市 (the side owed, D3, D25): the city’s goods 卫辉 issued under an order are owed to it, the row naming the 出库单 (sweep 17b F10)', async () => {
    const weihui = storeId('S-410781-01');
    const admin = await api('admin');
    const item = (
      await admin(`mutation($i: CreateItemInput!) { createItem(input: $i) { id } }`, {
        i: { categoryCode: 'LIVING', code: 'E2E-ISO-01', name: '出库结算测试帐篷', unit: '顶' },
      })
    ).createItem.id;
    const owners = (await admin(`query($s: ID!) { receiptOwners(storeId: $s) { organization { id name } } }`, { s: weihui })).receiptOwners;
    const city = owners.find((o: { organization: { name: string } }) => o.organization.name === '新乡市人民政府').organization.id;
    const lines = [{ itemId: item, quantity: 4 }];
    await admin(`mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }`, {
      i: {
        storeId: weihui,
        source: 'PURCHASE',
        contractNo: 'HT-E2E-ISO',
        inspectionReportNo: 'YS-E2E-ISO',
        idempotencyKey: randomUUID(),
        lines: [{ ...lines[0], batchNo: 'E2E-ISO-CITY', unitPrice: '100.00', ownerOrgId: city }],
      },
    });
    // D23, D24: 卫辉's keeper asks, the city's director approves, the keeper issues the city's goods.
    const keeper = await api('keeper');
    const order = (
      await keeper(`mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { id approval { id } } }`, {
        i: { storeId: weihui, purpose: 'RELIEF', recipient: '唐庄镇受灾户', idempotencyKey: randomUUID(), lines },
      })
    ).requestOutboundOrder;
    await (
      await api('director')
    )(`mutation($id: ID!) { decideApproval(input: { approvalId: $id, decision: APPROVE }) { status } }`, { id: order.approval.id });
    const issued = (
      await keeper(`mutation($i: IssueStockInput!) { issueStock(input: $i) { number } }`, {
        i: { storeId: weihui, orderId: order.id, reason: 'RELIEF', idempotencyKey: randomUUID(), lines },
      })
    ).issueStock;

    const { page } = await open('dispatcher');
    await clickText(page, 'a', '结算');
    const row = `//tr[contains(@class, "ant-table-row") and contains(., "出库结算测试帐篷") and contains(., "出库单 ${issued.number}")]`;
    await page.waitForSelector('.ant-table-row');
    // The newest row is the last: page on until it shows.
    while (!(await page.$(`::-p-xpath(${row})`))) {
      const next = await page.$('.ant-pagination-next:not(.ant-pagination-disabled)');
      expect(next, `no row for ${issued.number}`).not.toBeNull();
      await next!.click();
      await new Promise((r) => setTimeout(r, 300));
    }
    const text = await page.$eval(`::-p-xpath(${row})`, (e) => e.textContent ?? '');
    expect(text).toContain('卫辉市');
    expect(text).toContain('400.00');
    // The side owed is offered 结清.
    await page.waitForSelector(`::-p-xpath(${row}//button[contains(translate(normalize-space(.), ' ', ''), "结清")])`);
  });
});
