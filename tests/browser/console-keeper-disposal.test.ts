import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickModalOk, clickText, pickOption, waitForText } from '../support/browser.ts';
import { useConsoleFlows, waitForMessage, waitForFieldError, clickRowButton, retype } from '../support/console-flows.ts';

// D23 凭令出库 for what leaves a store other than by issue: an approved scrap order is executed as 报废 (D11, D27: it
// posts at once with its appraisal reference), an approved rotation order as 轮换 (D10) — from the order, or from the
// batch due for rotation, where a keeper without such an order is told to request one and may do so there.
const { open, approveAs } = useConsoleFlows();

describe('keeper disposes of stock against approved orders in the console', () => {
  it('keeper requests a scrap order, the director approves it (D24), and the keeper executes it as 报废: posted, the order executed', async () => {
    const { page } = await open('keeper');
    await clickText(page, 'a', '出库');
    await clickText(page, 'div[@role="tab"]', '申请出库');
    await pickOption(page, 'request_purpose', '报废');
    await pickOption(page, 'request_lines_0_itemId', '救生衣');
    await page.type('#request_lines_0_quantity', '20');
    await page.type('#request_note', 'E2E过期救生衣报废');
    await clickText(page, 'button', '提交申请');
    const number = await orderNumberOf(page);
    await approveAs('director', 'OUTBOUND_ORDER');

    await page.reload({ waitUntil: 'domcontentloaded' });
    await clickRowButton(page, number, '报废');
    // The order names no batch: the store's 救生衣 batch is picked for it.
    await page.waitForSelector('#scrap_reason');
    await page.waitForSelector(
      '::-p-xpath(//div[contains(@class, "ant-modal")]//span[contains(@class, "ant-select-selection-item") and contains(., "WH-JSY-2104")])',
    );
    await pickOption(page, 'scrap_reason', '过期');
    // D11: no appraisal reference, no scrap.
    await clickModalOk(page);
    await waitForFieldError(page, '请填写鉴定或审批文号');
    await page.type('#scrap_approvalRef', '卫应急鉴〔2026〕E2E号');
    // Not beyond what was approved (D23): the API's refusal shows next to the quantity.
    await retype(page, '#scrap_lines_0_quantity', '21');
    await clickModalOk(page);
    await waitForFieldError(page, '超出出库申请');
    await retype(page, '#scrap_lines_0_quantity', '20');
    await clickModalOk(page);
    await waitForMessage(page, '已过账');
    expect(await messageText(page)).toMatch(/报废单 \S+ 已过账/);

    await clickText(page, 'div[@role="tab"]', '全部');
    await page.waitForSelector(`::-p-xpath(//tr[contains(., ${JSON.stringify(number)}) and contains(., "已执行") and contains(., "20/20")])`);
  });

  it('keeper without a rotation order is told to request one from the batch due (D23), requests it there, and once approved rotates the batch against it', async () => {
    const { page } = await open('keeper');
    await clickText(page, 'a', '轮换到期');
    await clickRowButton(page, 'WH-MZP-2005', '轮换');
    await waitForText(page, '需要已批准的轮换出库申请');
    await clickModalOk(page);
    await page.waitForSelector('#rotationRequest_recipient');
    await retype(page, '#rotationRequest_quantity', '10');
    await page.type('#rotationRequest_recipient', '卫辉市E2E物资回收公司');
    await clickModalOk(page);
    const number = await orderNumberOf(page);
    await approveAs('director', 'OUTBOUND_ORDER');

    await clickRowButton(page, 'WH-MZP-2005', '轮换');
    await page.waitForSelector('#rotate_newBatch_batchNo');
    // The approved order is chosen, its quantity and counterpart filled in.
    await page.waitForSelector(
      `::-p-xpath(//div[contains(@class, "ant-modal")]//span[contains(@class, "ant-select-selection-item") and contains(., ${JSON.stringify(number)})])`,
    );
    expect(await page.$eval('#rotate_quantity', (e) => (e as HTMLInputElement).value)).toBe('10');
    expect(await page.$eval('#rotate_counterpart', (e) => (e as HTMLInputElement).value)).toBe('卫辉市E2E物资回收公司');
    await page.type('#rotate_newBatch_batchNo', 'WH-MZP-E2E-01');
    await clickModalOk(page);
    await waitForMessage(page, '已过账');
    expect(await messageText(page)).toMatch(/轮换单 \S+ 已过账/);

    await clickText(page, 'a', '出库');
    await clickText(page, 'div[@role="tab"]', '全部');
    await page.waitForSelector(`::-p-xpath(//tr[contains(., ${JSON.stringify(number)}) and contains(., "已执行") and contains(., "10/10")])`);
  });

  it('keeper executes an approved 轮换出售 order from 出库 as 轮换, on a batch of the store', async () => {
    const { page } = await open('keeper');
    await clickText(page, 'a', '出库');
    await clickText(page, 'div[@role="tab"]', '申请出库');
    await pickOption(page, 'request_purpose', '轮换', '轮换出售');
    await pickOption(page, 'request_lines_0_itemId', '救生衣');
    await page.type('#request_lines_0_quantity', '5');
    await page.type('#request_recipient', '卫辉市E2E防汛队');
    await clickText(page, 'button', '提交申请');
    const number = await orderNumberOf(page);
    await approveAs('director', 'OUTBOUND_ORDER');

    await page.reload({ waitUntil: 'domcontentloaded' });
    await clickRowButton(page, number, '轮换');
    await page.waitForSelector('#rotate_newBatch_batchNo');
    await page.waitForSelector(
      '::-p-xpath(//div[contains(@class, "ant-modal")]//span[contains(@class, "ant-select-selection-item") and contains(., "WH-JSY-2104")])',
    );
    expect(await page.$eval('#rotate_quantity', (e) => (e as HTMLInputElement).value)).toBe('5');
    await page.type('#rotate_newBatch_batchNo', 'WH-JSY-E2E-01');
    await clickModalOk(page);
    await waitForMessage(page, '已过账');
    expect(await messageText(page)).toMatch(/轮换单 \S+ 已过账/);

    await clickText(page, 'div[@role="tab"]', '全部');
    await page.waitForSelector(`::-p-xpath(//tr[contains(., ${JSON.stringify(number)}) and contains(., "已执行") and contains(., "5/5")])`);
  });
});

/** The number of the outbound order just requested, from the console's confirmation. */
async function orderNumberOf(page: Page): Promise<string> {
  await waitForMessage(page, '等待审批');
  const text = await messageText(page);
  const number = /SQ-\d{4}-\d+/.exec(text)?.[0];
  expect(number).toBeDefined();
  return number!;
}

/** The text of the antd messages on screen. */
async function messageText(page: Page): Promise<string> {
  return page.$$eval('.ant-message-notice', (notices) => notices.map((n) => n.textContent ?? '').join('\n'));
}
