import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickModalOk, clickText, logIn, openWatchedPage, waitForText } from '../support/browser.ts';
import { useConsoleFlows, waitForMessage, waitForFieldError, clickRowButton } from '../support/console-flows.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';

// D22: a posted document is corrected by a reversing document (冲销单), never edited, and at most once; D24: the
// reversal posts only when a second person approves it. A transfer is not reversed but cancelled before receipt, by the
// shipping store: what was in transit goes back on hand there — a dispatch plan's shipment by the command, not by its
// keeper (D24, D27). Every flow fails on a console error or a foreign request.
const { t, open, api, approveAs } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store
const JISHUI = storeId('S-410781100-01'); // 卫辉市汲水镇应急物资储备点

/** A small donation receipt posted by the keeper through the API: the document to reverse. */
async function postReceipt(key: string, quantity: number): Promise<{ id: string; number: string }> {
  const keeper = await api('keeper');
  const { receiveStock } = await keeper(`mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id number } }`, {
    input: { storeId: WEIHUI, source: 'DONATION', sourceName: 'E2E冲销测试捐赠方', idempotencyKey: key, lines: [{ itemId: itemId('LIV-006'), quantity }] },
  });
  return receiveStock;
}

describe('keeper reverses a document and cancels a transfer in the console', () => {
  it('keeper requests the reversal of a receipt from its document page; it waits for approval (D24), and once the director approves it the receipt shows 已冲销 with its 冲销单 (D22)', async () => {
    const receipt = await postReceipt('e2e-reversal-receipt-1', 12);
    const { page } = await open('keeper');
    await page.click('.ant-menu a[href="/keeper/documents"]');
    await clickText(page, 'a', receipt.number);
    await page.waitForFunction((id) => location.pathname === `/documents/${id}`, {}, receipt.id);
    await waitForStatus(page, '已过账');

    await clickText(page, 'button', '冲销');
    await clickModalOk(page);
    await waitForFieldError(page, '请填写冲销原因');
    await page.type('#reverse_reason', 'E2E捐赠数量录入错误');
    await clickModalOk(page);
    await waitForMessage(page, '已提交，待审批');
    const reversal = /CX-\d{4}-\d+/.exec(await messageText(page))?.[0];
    expect(reversal).toBeDefined();

    // Pending: the receipt is still posted, the request is shown with its number, and no second 冲销 is offered.
    await waitForText(page, `冲销申请 ${reversal} 待审批`);
    await waitForStatus(page, '已过账');
    expect(await buttonCount(page, '冲销')).toBe(0);

    // The director approves it from 审批 (D24), recording a reference (批准文号: optional for a reversal, D22).
    const director = await openWatchedPage(t);
    try {
      await logIn(t, director, 'director');
      await clickText(director.page, 'a', '审批');
      await clickRowButton(director.page, reversal!, '批准');
      await director.page.type('#approvalRef', '新应急〔2026〕E2E冲销号');
      await clickModalOk(director.page);
      await waitForMessage(director.page, '已批准');
    } finally {
      await director.page.close();
    }
    expect(director.problems).toEqual([]);
    await page.reload({ waitUntil: 'domcontentloaded' });
    await waitForStatus(page, '已冲销');
    expect(await buttonCount(page, '冲销')).toBe(0);
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('待审批');

    // The 冲销单 is linked, posted, and names the receipt it reverses and why; its line takes the 12 back out.
    await clickText(page, 'a', reversal!);
    await waitForText(page, `冲销单 ${reversal}`);
    await waitForStatus(page, '已过账');
    await page.waitForSelector(
      `::-p-xpath(//th[normalize-space(.)="冲销原单"]/following-sibling::td[1]//a[normalize-space(.)=${JSON.stringify(receipt.number)}])`,
    );
    await waitForText(page, 'E2E捐赠数量录入错误');
    await waitForText(page, '新应急〔2026〕E2E冲销号'); // its 批准文号
    await page.waitForSelector('::-p-xpath(//tr[contains(., "毛毯") and contains(., "-12")])');
    expect(await buttonCount(page, '冲销')).toBe(0);
  });

  it('reversing a document a second time is refused in Chinese next to the reason, and the page then shows it reversed (D22: at most once)', async () => {
    const receipt = await postReceipt('e2e-reversal-receipt-2', 8);
    const { page } = await open('keeper');
    await page.goto(`${t.origin}/documents/${receipt.id}`, { waitUntil: 'domcontentloaded' });
    await waitForStatus(page, '已过账');
    await clickText(page, 'button', '冲销');
    await page.waitForSelector('#reverse_reason');

    // Meanwhile the receipt is reversed from another tab and the director approves it (D24): this page does not know.
    const keeper = await api('keeper');
    await keeper(`mutation($id: ID!) { reverseDocument(documentId: $id, reason: "E2E另一窗口冲销", idempotencyKey: "e2e-reversal-first-2") { id } }`, {
      id: receipt.id,
    });
    await approveAs('director', 'REVERSAL');
    await page.type('#reverse_reason', 'E2E重复冲销');
    await clickModalOk(page);
    await waitForFieldError(page, `${receipt.number} 已被冲销`);

    // Closed, the page shows what happened: reversed, with its 冲销单, and no 冲销 offered.
    await clickText(page, 'button', '取消');
    await waitForStatus(page, '已冲销');
    await page.waitForSelector('::-p-xpath(//th[normalize-space(.)="冲销单"]/following-sibling::td[1]//a[starts-with(normalize-space(.), "CX-")])');
    expect(await buttonCount(page, '冲销')).toBe(0);
  });

  it('keeper cancels a transfer it shipped, before receipt, from 调拨: it shows 已取消 and the stock is back on hand at the keeper’s store', async () => {
    const keeper = await api('keeper');
    const onHand = async () => {
      const { stock } = await keeper(
        `query($s: ID!, $i: ID!) { stock(filter: { storeId: $s, itemId: $i }, first: 50) { edges { node { onHand inTransit } } } }`,
        {
          s: WEIHUI,
          i: itemId('FLD-001'),
        },
      );
      return stock.edges.reduce((n: number, e: { node: { onHand: number } }) => n + e.node.onHand, 0);
    };
    const before = await onHand();
    // D23: the transfer order approved by a second person, then shipped by the keeper.
    const lines = [{ itemId: itemId('FLD-001'), quantity: 100 }];
    const { requestOutboundOrder: order } = await keeper(`mutation($input: OutboundOrderInput!) { requestOutboundOrder(input: $input) { id } }`, {
      input: { storeId: WEIHUI, purpose: 'TRANSFER', toStoreId: JISHUI, note: 'E2E调拨后取消', idempotencyKey: 'e2e-cancel-order', lines },
    });
    await approveAs('director', 'OUTBOUND_ORDER');
    const { shipTransfer } = await keeper(`mutation($input: ShipTransferInput!) { shipTransfer(input: $input) { id number status } }`, {
      input: { fromStoreId: WEIHUI, toStoreId: JISHUI, orderId: order.id, idempotencyKey: 'e2e-cancel-ship', lines },
    });
    expect(shipTransfer.status).toBe('IN_TRANSIT');
    expect(await onHand()).toBe(before - 100);

    const { page } = await open('keeper');
    await page.click('.ant-menu a[href="/keeper/transfers"]');
    await clickText(page, 'div[@role="tab"]', '调出');
    const row = `//tr[contains(., ${JSON.stringify(shipTransfer.number)})]`;
    await page.waitForSelector(`::-p-xpath(${row}[contains(., "在途")])`);
    await clickRowButton(page, shipTransfer.number, '取消');
    await waitForText(page, '取消后在途物资全部退回卫辉市救灾物资储备库：编织袋 100');
    await clickModalOk(page);
    await waitForFieldError(page, '请填写取消原因');
    await page.type('#cancelTransfer_reason', 'E2E汲水镇已就地采购');
    await clickModalOk(page);
    await waitForMessage(page, `调拨单 ${shipTransfer.number} 已取消`);
    await page.waitForSelector(`::-p-xpath(${row}[contains(., "已取消")])`);
    expect(await page.$$(`::-p-xpath(${row}//button)`)).toHaveLength(0);

    // The 100 are on hand at the source again; the keeper's 单据 lists the 调拨撤销 that brought them back.
    expect(await onHand()).toBe(before);
    await page.click('.ant-menu a[href="/keeper/documents"]');
    await page.waitForSelector('::-p-xpath(//tr[contains(., "调拨撤销") and contains(., "编织袋") and contains(., "+100")])');
  });

  it('a dispatch plan’s shipment is not the keeper’s to cancel (D24, D27): 调拨 says the command cancels it, and the dispatcher 撤销调拨 it from the incident page with a reason', async () => {
    const dispatcher = await api('dispatcher');
    const quilts = async () => {
      const { stock } = await dispatcher(`query($s: ID!, $i: ID!) { stock(filter: { storeId: $s, itemId: $i }, first: 50) { edges { node { onHand } } } }`, {
        s: WEIHUI,
        i: itemId('LIV-004'),
      });
      return stock.edges.reduce((n: number, e: { node: { onHand: number } }) => n + e.node.onHand, 0);
    };
    // Requested by the dispatcher, approved by the director, executed by the dispatcher: 卫辉's quilts on their way.
    const { createIncident: incident } = await dispatcher(`mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, {
      i: { name: 'E2E撤销方案调拨', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } },
    });
    const { requestDispatch: plan } = await dispatcher(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, {
      i: {
        incidentId: incident.id,
        deadlineHours: 48,
        destinations: [
          { name: 'E2E汲水镇撤销测试点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: itemId('LIV-004'), quantity: 10 }] },
        ],
      },
    });
    await (
      await api('director')
    )(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { status } }`, { p: plan.id });
    const before = await quilts();
    const { executeDispatchPlan: executed } = await dispatcher(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { lines { store { id } quantity transfer { number } } } }`,
      { p: plan.id, k: 'e2e-cancel-plan-execute' },
    );
    const fromWeihui = executed.lines.find((l: { store: { id: string } }) => l.store.id === WEIHUI);
    expect(fromWeihui).toBeDefined();
    const number: string = fromWeihui.transfer.number;
    const shipped: number = fromWeihui.quantity;
    expect(await quilts()).toBe(before - shipped);

    // The keeper's 调出 lists it in transit, with a note instead of 取消.
    const row = `//tr[contains(., ${JSON.stringify(number)})]`;
    const keeper = await openWatchedPage(t);
    try {
      await logIn(t, keeper, 'keeper');
      await keeper.page.click('.ant-menu a[href="/keeper/transfers"]');
      await clickText(keeper.page, 'div[@role="tab"]', '调出');
      await keeper.page.waitForSelector(`::-p-xpath(${row}[contains(., "在途") and contains(., "须由指挥部调度员撤销")])`);
      expect(await keeper.page.$$(`::-p-xpath(${row}//button)`)).toHaveLength(0);
    } finally {
      await keeper.page.close();
    }
    expect(keeper.problems).toEqual([]);

    // The dispatcher, whose region covers 卫辉市救灾物资储备库, cancels it from the incident page: a reason is required.
    const { page } = await open('dispatcher');
    await page.goto(`${t.origin}/dispatch/incidents/${incident.id}`, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent === '执行中');
    await page.waitForSelector(`::-p-xpath(${row}[contains(., "在途")])`);
    await clickRowButton(page, number, '撤销调拨');
    await waitForText(page, '撤销后在途物资全部退回卫辉市救灾物资储备库');
    await waitForText(page, '撤销后调拨方案仍在执行中');
    await clickModalOk(page);
    await waitForFieldError(page, '请填写撤销原因');
    await page.type('#cancelTransfer_reason', 'E2E安置点已由邻县保障');
    await clickModalOk(page);
    await waitForMessage(page, `调拨单 ${number} 已撤销`);
    await page.waitForSelector(`::-p-xpath(${row}[contains(., "已取消")])`);
    expect(await page.$$(`::-p-xpath(${row}//button)`)).toHaveLength(0);
    // The plan waits to be shipped again or closed; the quilts are back on hand at 卫辉.
    expect(await page.$eval('[data-testid="plan-status"]', (e) => e.textContent)).toBe('执行中');
    expect(await quilts()).toBe(before);

    // Not to be shipped again (sweep 9b D8, D10): 结束方案 with a reason closes it short, and the plan says why.
    await clickText(page, 'button', '结束方案');
    await waitForText(page, '结束后已撤销的调拨不再补发');
    await page.type('#cancelPlan_reason', 'E2E邻县已保障，不再补发');
    await clickModalOk(page);
    await waitForMessage(page, '调拨方案已结束');
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent === '已完成');
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-cancel-reason"]')?.textContent === 'E2E邻县已保障，不再补发');
  });

  it('sweep 9b D13, D10: the dispatcher receives a shipment at a 安置点 opened on the map (no keeper there) with 到货签收, and cancels a plan not executed', async () => {
    const dispatcher = await api('dispatcher');
    const { createIncident: incident } = await dispatcher(`mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, {
      i: { name: 'E2E到货签收', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } },
    });
    const request = async (name: string) =>
      (
        await dispatcher(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, {
          i: {
            incidentId: incident.id,
            deadlineHours: 48,
            destinations: [{ name, regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: itemId('LIV-004'), quantity: 4 }] }],
          },
        })
      ).requestDispatch.id as string;
    const plan = await request('E2E汲水镇签收测试点');
    await (
      await api('director')
    )(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { status } }`, { p: plan });
    const { executeDispatchPlan: executed } = await dispatcher(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { lines { transfer { number } } } }`,
      { p: plan, k: 'e2e-receive-at-point' },
    );
    const number: string = executed.lines[0].transfer.number;
    const row = `//tr[contains(., ${JSON.stringify(number)})]`;

    const { page } = await open('dispatcher');
    await page.goto(`${t.origin}/dispatch/incidents/${incident.id}`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector(`::-p-xpath(${row}[contains(., "在途")])`);
    await clickRowButton(page, number, '到货签收');
    await waitForText(page, `收货：${number}`);
    await clickModalOk(page);
    await waitForMessage(page, `调拨单 ${number} 本次收货 棉被 4 床`);
    await page.waitForSelector(`::-p-xpath(${row}[contains(., "已收货")])`);
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent === '已完成');

    // A second plan, submitted and then not wanted: 取消方案 with a reason (结束事件 asks for it of plans not executed).
    const second = await request('E2E汲水镇取消测试点');
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent === '待批准');
    await clickText(page, 'button', '取消方案');
    await page.type('#cancelPlan_reason', 'E2E需求已由第一批满足');
    await clickModalOk(page);
    await waitForMessage(page, '调拨方案已取消');
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent === '已取消');
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-cancel-reason"]')?.textContent === 'E2E需求已由第一批满足');
    const { dispatchPlan } = await dispatcher(`query($p: ID!) { dispatchPlan(id: $p) { status cancelReason } }`, { p: second });
    expect(dispatchPlan).toEqual({ status: 'CANCELLED', cancelReason: 'E2E需求已由第一批满足' });
  });
});

/** Waits until the document's 状态 reads `status`. */
async function waitForStatus(page: Page, status: string) {
  await page.waitForSelector(`::-p-xpath(//th[normalize-space(.)="状态"]/following-sibling::td[1][normalize-space(.)=${JSON.stringify(status)}])`);
}

/** How many buttons labelled `label` the page shows (antd spaces out two-character labels). */
async function buttonCount(page: Page, label: string): Promise<number> {
  const buttons = await page.$$(`::-p-xpath(//button[translate(normalize-space(.), ' ', '')=${JSON.stringify(label)}])`);
  return buttons.length;
}

/** The text of the antd messages on screen. */
async function messageText(page: Page): Promise<string> {
  return page.$$eval('.ant-message-notice', (notices) => notices.map((n) => n.textContent ?? '').join('\n'));
}
