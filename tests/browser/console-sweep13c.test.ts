import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { clickText, waitForText } from '../support/browser.ts';
import { openReceipt, retype, useConsoleFlows, waitForFieldError } from '../support/console-flows.ts';

// Sweep 13c: the document page names the outbound order it executed and who approved it, as the printed form does
// (W3; D23); a malformed 单价 on 入库 is refused at its field before anything is sent (W4; API.md Money, D7). Each flow
// fails on a console error (a refused request logs one) or a foreign request.
const { open, api, approveAs } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store
const QUILT = itemId('LIV-004'); // 棉被

describe('sweep 13c: the document page and the 入库 form', () => {
  it('D23 (W3): an issue executing an approved order shows 出库申请 (the order) and 批准人 (who, when) and the order’s 批准文号 on its page', async () => {
    const keeper = await api('keeper');
    const { requestOutboundOrder: order } = await keeper(`mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { id number } }`, {
      i: { storeId: WEIHUI, purpose: 'RELIEF', recipient: 'E2E卫辉市城郊乡人民政府', idempotencyKey: randomUUID(), lines: [{ itemId: QUILT, quantity: 5 }] },
    });
    await approveAs('director', 'OUTBOUND_ORDER'); // 批准文号 新应急〔2026〕1号
    const { issueStock: doc } = await keeper(`mutation($i: IssueStockInput!) { issueStock(input: $i) { id number approval { decidedBy { displayName } } } }`, {
      i: { storeId: WEIHUI, orderId: order.id, reason: 'RELIEF', idempotencyKey: randomUUID(), lines: [{ itemId: QUILT, quantity: 2 }] },
    });
    const approver: string = doc.approval.decidedBy.displayName;
    expect(approver).toBeTruthy();

    const { page } = await open('keeper');
    await page.click('.ant-menu a[href="/keeper/documents"]');
    await clickText(page, 'a', doc.number);
    await waitForText(page, `出库单 ${doc.number}`);
    const cell = (label: string) =>
      page
        .waitForSelector(`::-p-xpath(//th[normalize-space(.)=${JSON.stringify(label)}]/following-sibling::td[1])`)
        .then((h) => h!.evaluate((e) => e.textContent));
    expect(await cell('出库申请')).toBe(order.number);
    expect(await cell('批准人')).toMatch(new RegExp(`^${approver} \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}$`));
    expect(await cell('批准文号')).toBe('新应急〔2026〕1号');
  });

  it('D7 (W4): 单价 12.345 or -1 on 入库 is refused at the field in the server’s words, and nothing is sent', async () => {
    const { page } = await open('keeper');
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.postData()?.includes('receiveStock')) sent.push(r.url());
    });
    await openReceipt(page, '棉被', { contractNo: 'ZFCG-E2E-13C', inspectionReportNo: 'YS-E2E-13C' });
    await page.type('#lines_0_quantity', '10');
    await page.type('#lines_0_unitPrice', '12.345');
    await clickText(page, 'button', '过账入库');
    await waitForFieldError(page, '金额格式错误：12.345（应为最多两位小数的元）');
    await retype(page, '#lines_0_unitPrice', '-1');
    await clickText(page, 'button', '过账入库');
    await waitForFieldError(page, '单价不能为负');
    await new Promise((r) => setTimeout(r, 1000));
    expect(sent).toEqual([]);
    expect(await page.evaluate(() => document.body.innerText.includes('已过账'))).toBe(false);
  });

  it('D21 (W2): the 估值 table lists the groups by value (在库 + 在途), largest first — the chart’s order', async () => {
    const { page } = await open('auditor');
    await waitForText(page, '储备物资估值');
    await page.waitForSelector('.ant-table-row');
    const values = await page.$$eval('.ant-table-row', (rows) =>
      rows.map((r) => {
        const cells = [...r.querySelectorAll('td')].map((td) => Number((td.textContent ?? '').replace(/[¥,]/g, '')));
        return cells[2] + cells[4]; // 仓库 | 在库数量 | 在库金额 | 在途数量 | 在途金额
      }),
    );
    expect(values.length).toBeGreaterThan(2);
    expect(values).toEqual([...values].sort((a, b) => b - a));
  });
});
