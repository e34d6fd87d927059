import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { clickModalOk, clickText, waitForText } from '../support/browser.ts';
import { clickRowButton, useConsoleFlows } from '../support/console-flows.ts';

// Sweep 23c (two people at once, network failure), in the console:
// - F3, F6: 新建事件 whose answer is lost — the connection drops after the server created it — says the incident may
//   have been created and that 创建 again is safe (one idempotency key per opening of the dialog): 创建 again opens the one incident (D28: one disaster, one 10-hour clock).
// - F1, F2: 撤回 of an order the director approved meanwhile is refused, saying so, and the list shows it approved (关闭
//   offered); 执行出库 of an order executed elsewhere meanwhile: the list behind the refusal is read again.
const { open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01');
const COAT = itemId('LIV-005'); // 棉大衣

/** The page's fetch, for the next `count` CreateIncident requests: they reach the server, and the connection fails once it has answered. */
async function loseCreateIncidentAnswers(page: Page, count: number) {
  await page.evaluate((n: number) => {
    const real = window.fetch.bind(window);
    let left = n;
    window.fetch = async (input, init) => {
      const body = typeof init?.body === 'string' ? init.body : '';
      if (!body.includes('createIncident') || left === 0) return real(input, init);
      left -= 1;
      await (await real(input, init)).text();
      throw new TypeError('Failed to fetch');
    };
  }, count);
}

const alertWith = (page: Page, text: string, timeout = 60_000) =>
  page.waitForFunction((s) => [...document.querySelectorAll('.ant-modal .form-alert')].some((e) => e.textContent?.includes(s)), { timeout }, text);

describe('console sweep 23c: answers lost, other people’s changes', () => {
  it('F3, F6 (D28): 新建事件 whose answer is lost says it may be done and that 创建 again is safe; again → the one incident', async () => {
    const { page } = await open('dispatcher');
    const dispatcher = await api('dispatcher');
    const name = `网络重试事件${randomUUID().slice(0, 6)}`;
    const named = async () =>
      ((await dispatcher(`query { incidents(first: 500) { edges { node { id name } } } }`)).incidents.edges as { node: { id: string; name: string } }[])
        .map((e) => e.node)
        .filter((n) => n.name === name);

    await page.click('.ant-menu a[href="/dispatch/incidents"]');
    await clickText(page, 'button', '新建事件');
    await page.waitForSelector('#name', { visible: true });
    await page.type('#name', name);
    await page.waitForFunction(() => Boolean(document.querySelector<HTMLInputElement>('[id="location_lat"]')?.value));
    await loseCreateIncidentAnswers(page, 1);

    // The connection drops after the server created it: the outcome is unknown, and 重试 is safe.
    await clickModalOk(page);
    await alertWith(page, '操作可能已经完成');
    await alertWith(page, '可以直接重试');
    expect(await page.$('.ant-modal .ant-btn-loading')).toBeNull();
    expect(await named()).toHaveLength(1);

    // 创建 again: the incident first created opens; none is added.
    await clickModalOk(page);
    const [only] = await named();
    await page.waitForFunction((id) => window.location.pathname === `/dispatch/incidents/${id}`, {}, only.id);
    expect(await named()).toHaveLength(1);
  });

  it('F1, F2 (D23, D24): 撤回 of an order approved meanwhile is refused saying by whom — the list shows it 已批准 with 关闭', async () => {
    const keeper = await api('keeper');
    const director = await api('director');
    await keeper(`mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }`, {
      i: {
        storeId: WEIHUI,
        source: 'DONATION',
        sourceName: 'E2E撤回测试捐赠方',
        idempotencyKey: randomUUID(),
        lines: [{ itemId: COAT, quantity: 20 }],
      },
    });
    const request = async () =>
      (
        await keeper(`mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { id number approval { id } } }`, {
          i: { storeId: WEIHUI, purpose: 'RELIEF', recipient: '唐庄镇安置点', idempotencyKey: randomUUID(), lines: [{ itemId: COAT, quantity: 2 }] },
        })
      ).requestOutboundOrder as { id: string; number: string; approval: { id: string } };
    const approve = (o: { approval: { id: string } }) =>
      director(`mutation($id: ID!) { decideApproval(input: { approvalId: $id, decision: APPROVE, approvalRef: "新应急〔2026〕23号" }) { status } }`, {
        id: o.approval.id,
      });
    const pending = await request();
    const executed = await request();
    await approve(executed);

    const { page } = await open('keeper');
    await page.click('.ant-menu a[href="/keeper/orders"]');
    await clickText(page, '*[@role="tab"]', '我的申请');
    await waitForText(page, pending.number);
    await approve(pending);
    await clickRowButton(page, pending.number, '撤回');
    await page.waitForSelector('#close_reason', { visible: true });
    await page.type('#close_reason', '不再需要');
    await clickModalOk(page);
    await page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('.ant-modal-confirm')].some(
          (e) => e.textContent?.includes(`出库申请 ${n} 已于`) && e.textContent.includes('批准，不能撤回'),
        ),
      {},
      pending.number,
    );
    await clickText(page, 'button', '知道了');
    const row = (n: string) => `//tr[contains(@class, "ant-table-row") and contains(., ${JSON.stringify(n)})]`;
    await page.waitForFunction(
      (x) => (document.evaluate(x, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE).singleNodeValue as HTMLElement | null)?.innerText.includes('已批准'),
      {},
      row(pending.number),
    );
    const order = await keeper(`query($id: ID!) { outboundOrder(id: $id) { status } }`, { id: pending.id });
    expect(order.outboundOrder.status).toBe('APPROVED');

    // F2: 执行出库 opened on an approved order that another keeper then executes: refused, and the list behind reads
    // the order again — it leaves 待执行.
    await clickText(page, '*[@role="tab"]', '待执行');
    await waitForText(page, executed.number);
    await clickRowButton(page, executed.number, '执行出库');
    await page.waitForSelector('.ant-modal #execute', { visible: true });
    await keeper(`mutation($i: IssueStockInput!) { issueStock(input: $i) { id } }`, {
      i: {
        storeId: WEIHUI,
        orderId: executed.id,
        recipient: '唐庄镇安置点',
        reason: 'RELIEF',
        idempotencyKey: randomUUID(),
        lines: [{ itemId: COAT, quantity: 2 }],
      },
    });
    await clickModalOk(page);
    await alertWith(page, '已全部执行');
    await page.waitForFunction(
      (x) => !document.evaluate(x, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE).singleNodeValue,
      {},
      `//div[contains(@class, "ant-tabs-tabpane-active")]${row(executed.number)}`,
    );
  });
});
