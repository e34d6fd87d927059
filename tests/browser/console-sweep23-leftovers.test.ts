import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { storeId, userId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { clickModalOk, rowByHeading, waitForText } from '../support/browser.ts';
import { clickRowButton, openStocktakeAt, retype, useConsoleFlows, waitForMessage } from '../support/console-flows.ts';

// What sweeps 23b and 23c left noted, in the console:
// - 23b (D29): the dispatcher corrects a 安置点 of the incident — its name, address, contact — on the incident page (编辑).
// - 23c F6 (D24): a retried 批准 whose first request went through (the answer lost) is the user's approval done, not a
//   refusal naming the user themselves.
// - 23c (D9): a stocktake refused because the book moved since the page was read refreshes the 账面, keeps the counts
//   and says that the book changed.
const { t, open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store
const COAT = itemId('LIV-005'); // 棉大衣

/** The page's fetch, for the next `count` requests naming `operation`: they reach the server, and the connection fails once it has answered. */
async function loseAnswers(page: Page, operation: string, count: number) {
  await page.evaluate(
    (op: string, n: number) => {
      const real = window.fetch.bind(window);
      let left = n;
      window.fetch = async (input, init) => {
        const body = typeof init?.body === 'string' ? init.body : '';
        if (!body.includes(op) || left === 0) return real(input, init);
        left -= 1;
        await (await real(input, init)).text();
        throw new TypeError('Failed to fetch');
      };
    },
    operation,
    count,
  );
}

const modalAlert = (page: Page) =>
  page.waitForFunction(() => [...document.querySelectorAll('.ant-modal .form-alert')].some((e) => (e.textContent ?? '').trim().length > 0), {
    timeout: 60_000,
  });

describe('console: sweep 23b and 23c leftovers', () => {
  it('D29 (sweep 23b): the incident page lists its 安置点 and the dispatcher corrects one’s name, address and contact (编辑)', async () => {
    const dispatcher = await api('dispatcher');
    const suffix = randomUUID().slice(0, 6);
    const { createIncident } = await dispatcher(`mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, {
      i: { name: `安置点编辑事件${suffix}`, type: 'FLOOD', regionCode: '410781', location: { lat: 35.398, lng: 114.064 } },
    });
    const name = `汲水镇编辑安置点${suffix}`;
    const { openDistributionPoint: point } = await dispatcher(`mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id } }`, {
      i: {
        incidentId: createIncident.id,
        name,
        regionCode: '410781100000',
        lat: 35.47,
        lng: 114.01,
        address: '汲水镇旧址 1 号',
        managerIds: [userId('keeper')],
      },
    });

    const { page } = await open('dispatcher');
    await page.goto(`${t.origin}/dispatch/incidents/${createIncident.id}`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, '汲水镇旧址 1 号');
    await clickRowButton(page, name, '编辑');
    await page.waitForSelector('#point_address', { visible: true });
    await retype(page, '#point_address', '汲水镇新华路 8 号');
    await retype(page, '#point_contactName', '王主任');
    await retype(page, '#point_contactPhone', '0373-4400001');
    await clickModalOk(page);
    await waitForMessage(page, `安置点「${name}」已修改`);
    const row = await rowByHeading(page, name);
    expect([row['地址'], row['联系人'], row['联系电话']]).toEqual(['汲水镇新华路 8 号', '王主任', '0373-4400001']);
    const { store } = await dispatcher(`query($id: ID!) { store(id: $id) { name kind address contactName contactPhone } }`, { id: point.id });
    expect(store).toEqual({ name, kind: 'DISTRIBUTION_POINT', address: '汲水镇新华路 8 号', contactName: '王主任', contactPhone: '0373-4400001' });
  });

  it('D24 (sweep 23c F6): 批准 retried after its answer was lost reads 「您的批准已生效」, the queue read again — not 「…不能重复审批」', async () => {
    const keeper = await api('keeper');
    await keeper(`mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }`, {
      i: { storeId: WEIHUI, source: 'DONATION', sourceName: 'E2E审批重试捐赠方', idempotencyKey: randomUUID(), lines: [{ itemId: COAT, quantity: 4 }] },
    });
    const { requestOutboundOrder: order } = await keeper(
      `mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { id number approval { id } } }`,
      { i: { storeId: WEIHUI, purpose: 'RELIEF', recipient: 'E2E审批重试安置点', idempotencyKey: randomUUID(), lines: [{ itemId: COAT, quantity: 2 }] } },
    );

    const { page } = await open('dispatcher');
    await page.click('.ant-menu a[href="/dispatch/approvals"]');
    await clickRowButton(page, order.number, '批准');
    await page.waitForSelector('.ant-modal', { visible: true });
    await loseAnswers(page, 'decideApproval', 1);
    await clickModalOk(page);
    await modalAlert(page); // the answer lost: the outcome unknown
    await clickModalOk(page); // the user retries
    await waitForMessage(page, '您的批准已生效');
    await page.waitForFunction(() => !document.querySelector('.ant-modal-wrap:not([style*="display: none"]) .ant-modal'));
    await page.waitForFunction((n) => !document.body.innerText.includes(n), {}, order.number);
    expect(await page.evaluate(() => document.body.innerText.includes('不能重复审批'))).toBe(false);
    const { outboundOrder } = await keeper(`query($id: ID!) { outboundOrder(id: $id) { status approval { status decidedBy { username } } } }`, {
      id: order.id,
    });
    expect(outboundOrder).toEqual({ status: 'APPROVED', approval: { status: 'APPROVED', decidedBy: { username: 'dispatcher' } } });
  });

  it('D9 (sweep 23c): a count refused because the book moved meanwhile refreshes 账面, keeps the count and says the book changed', async () => {
    const keeper = await api('keeper');
    const batchNo = `E2E-PD-${randomUUID().slice(0, 6)}`;
    const receive = (quantity: number) =>
      keeper(`mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }`, {
        i: {
          storeId: WEIHUI,
          source: 'DONATION',
          sourceName: 'E2E盘点账面捐赠方',
          idempotencyKey: randomUUID(),
          lines: [{ itemId: COAT, quantity, batchNo, expiryDate: '2031-06-30' }],
        },
      });
    await receive(7);
    const { page } = await open('keeper');
    const counted = await openStocktakeAt(page, keeper, WEIHUI, batchNo);
    expect((await rowByHeading(page, batchNo))['账面']).toBe('7 件');
    await page.type(counted, '7');
    await receive(2); // the book moves while the page is open: 9

    await page.click('::-p-xpath(//button[contains(translate(normalize-space(.), " ", ""), "提交盘点")])');
    await waitForText(page, '账面已变动');
    await waitForText(page, '现为 9 件');
    await page.waitForFunction(
      (b) => [...document.querySelectorAll('tr')].some((r) => r.textContent?.includes(b) && r.textContent.includes('9 件')),
      {},
      batchNo,
    );
    expect((await rowByHeading(page, batchNo))['账面']).toBe('9 件');
    expect(await page.$eval(counted, (e) => (e as HTMLInputElement).value)).toBe('7');
    // The refusal's own words stay at the row: 账面 9、实盘 7 — nothing was posted against the old book.
    await waitForText(page, '账面 9、实盘 7');
    const { stock } = await keeper(`query($s: ID!) { stock(filter: { storeId: $s }, first: 500) { edges { node { batch { batchNo } onHand } } } }`, {
      s: WEIHUI,
    });
    expect(stock.edges.find((e: any) => e.node.batch.batchNo === batchNo)?.node.onHand).toBe(9);
  });
});
