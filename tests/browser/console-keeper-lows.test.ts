import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { clickModalOk, clickOpenOption, clickStill, clickText, rowByHeading } from '../support/browser.ts';
import { clickRowButton, useConsoleFlows, waitForMessage } from '../support/console-flows.ts';

// Console sweep lows L1, L7, L12, L14 on the keeper's screens: 执行出库 offers only the reasons its order's purpose allows
// (D23) with the fitting one chosen; 轮换到期 shows an expired batch's expiry date apart from its rotate-by date (D10,
// D26); quantities have thousands separators; 发放 at a 安置点 whose incident has ended says so at once (D29).
const { open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store
const EXPIRED_BATCH = 'WH-JSY-2104'; // 救生衣 400 件, expired (demo data)
const DEMO_TRANSFER = 'DB-2026-000001'; // 新乡市库 → 卫辉市库: 棉帐篷 50 顶, 编织袋 10000 条, in transit
const DEMO_INCIDENT = '卫辉市洪涝灾害（演示）';

describe('keeper screens: the sweep lows L1, L7, L12, L14', () => {
  it('D23 (L1): 执行出库 of a relief order offers 救灾发放, 应急处置使用 and 其他出库 only, starts on 救灾发放, and posts with it', async () => {
    const keeper = await api('keeper');
    const { requestOutboundOrder: order } = await keeper(
      `mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { id number approval { id } } }`,
      {
        i: { storeId: WEIHUI, purpose: 'RELIEF', recipient: 'E2E救灾原因', idempotencyKey: randomUUID(), lines: [{ itemId: itemId('LIV-004'), quantity: 5 }] },
      },
    );
    await (
      await api('director')
    )(`mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { status } }`, { i: { approvalId: order.approval.id, decision: 'APPROVE' } });

    const { page } = await open('keeper');
    await clickText(page, 'a', '出库');
    await clickRowButton(page, order.number, '执行出库');
    await page.waitForSelector(
      '::-p-xpath(//div[contains(@class, "ant-modal")]//span[contains(@class, "ant-select-selection-item") and contains(., "救灾发放")])',
    );
    await clickStill(page, '#execute_reason');
    const offered = await page.waitForFunction(() => {
      const options = [...document.querySelectorAll('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option')];
      return options.length ? options.map((o) => o.textContent) : null;
    });
    expect(((await offered.jsonValue()) as string[]).sort()).toEqual(['其他出库', '应急处置使用', '救灾发放'].sort());
    await clickOpenOption(page, '救灾发放');
    await clickModalOk(page);
    await waitForMessage(page, '已过账');
    // Booked as 救灾发放 (the newest issue of the store).
    const { movements } = await keeper(`query($s: ID!) { movements(filter: { storeId: $s, type: ISSUE }, first: 1) { edges { node { reason { name } } } } }`, {
      s: WEIHUI,
    });
    expect(movements.edges[0].node.reason.name).toBe('救灾发放');
  });

  it('D26, D10 (L7, L12): 轮换到期 shows an expired batch’s expiry date and days since apart from its 应轮换日; 收货 shows 10,000 in transit', async () => {
    const keeper = await api('keeper');
    const { rotationDue } = await keeper(`query { rotationDue(withinMonths: 12) { batch { batchNo expiryDate daysToExpiry } rotateBy daysLeft expired } }`);
    const due = rotationDue.find((d: any) => d.batch.batchNo === EXPIRED_BATCH);
    expect(due.expired).toBe(true);
    expect(due.rotateBy < due.batch.expiryDate).toBe(true);

    const { page } = await open('keeper');
    await clickText(page, 'a', '轮换到期');
    // 本库库存 lists the same batch: read the row only once 轮换到期's own table is drawn.
    // Sweep 25a F1: the list is shared with the dispatcher's and auditor's 轮换到期 and has the Excel's columns — the
    // rotate-by date under 应轮换日期, the days to it under 剩余天数 (was one 应轮换日 column), and 状态.
    await page.waitForFunction(() => [...document.querySelectorAll('.ant-table-thead th')].some((th) => th.textContent === '应轮换日期'));
    const row = await rowByHeading(page, EXPIRED_BATCH);
    expect(row['有效期至']).toBe(`已过期（冻结）${due.batch.expiryDate}（过期 ${(-due.batch.daysToExpiry).toLocaleString('zh-CN')} 天）`);
    expect(row['应轮换日期']).toBe(due.rotateBy);
    expect(row['剩余天数']).toBe(`逾期 ${(-due.daysLeft).toLocaleString('zh-CN')} 天`);
    expect(row['状态']).toBe('已过期');
    expect(row['数量']).toBe('400 件');

    await clickText(page, 'a', '调拨');
    await clickRowButton(page, DEMO_TRANSFER, '收货');
    await page.waitForSelector('#receive_lines_0_quantity', { visible: true });
    const bags = await page.$eval('::-p-xpath(//div[contains(@class, "ant-modal")]//tr[contains(., "编织袋")])', (r) =>
      [...r.querySelectorAll('td')].map((c) => (c as HTMLElement).innerText.trim()),
    );
    expect(bags).toContain('10,000');

    // Sweep 13c: on a phone (375 px) the dialog's table scrolls inside the dialog, so 差异原因 is reached, not cut off.
    await page.setViewport({ width: 375, height: 812 });
    const fit = await page.waitForFunction(() => {
      const content = document.querySelector<HTMLElement>('.ant-modal .ant-table-content');
      const modal = document.querySelector<HTMLElement>('.ant-modal-content');
      if (!content || !modal || modal.getBoundingClientRect().width > 375) return null;
      content.scrollLeft = content.scrollWidth;
      const select = document.querySelector('#receive_lines_0_discrepancyReason')!.closest('.ant-select')!.getBoundingClientRect();
      const box = content.getBoundingClientRect();
      return { scrolls: content.scrollWidth > content.clientWidth, inside: select.left >= box.left - 1 && select.right <= box.right + 1 };
    });
    expect(await fit.jsonValue()).toEqual({ scrolls: true, inside: true });
  });

  it('D29 (L14): at a 安置点 whose incident has ended, 发放 says so as soon as it opens, and 登记发放 is disabled', async () => {
    const dispatcher = await api('dispatcher');
    const { incidents } = await dispatcher(`query { incidents(first: 100) { edges { node { id name } } } }`);
    const incidentId: string = incidents.edges.find((e: any) => e.node.name === DEMO_INCIDENT).node.id;
    await dispatcher(`mutation($id: ID!) { closeIncident(incidentId: $id) { id } }`, { id: incidentId });

    const { page } = await open('keeper');
    await clickText(page, 'a', '发放');
    const alert = await page.waitForSelector('[data-testid="point-incident-closed"]');
    expect(await alert!.evaluate((e) => (e as HTMLElement).innerText)).toContain(`事件「${DEMO_INCIDENT}」已于`);
    expect(await page.$eval('#distribute button[type="submit"]', (b) => b.disabled)).toBe(true);
  });
});
