import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickStill, screenshot, waitForStillness, waitForText } from '../support/browser.ts';
import { useConsoleFlows } from '../support/console-flows.ts';
import { itemId } from '../../seeds/reference.ts';
import { storeId } from '../../seeds/demo.ts';

// Console sweep findings 5–9: 估值 日终 and its URL (D21), the keeper's 单据 with in-transit rows and in business-time
// order (D8, D22), an incident's plan numbers and the plan it opens on, and the keeper's pages on a phone.
const { t, open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01');
const ZONE = 'Asia/Shanghai';

/** ¥ with thousands separators, as the console shows a Money string. */
const yuan = (money: string) => {
  const [whole, fraction = ''] = money.split('.');
  return `¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction.padEnd(2, '0')}`;
};

/** The cells' text of each row on the table's current page. */
const tableRows = (page: Page) =>
  page.$$eval('.ant-table-tbody tr.ant-table-row', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText.trim())));

const receiveAt = (occurredAt: string, batchNo: string, quantity: number) => ({
  i: {
    storeId: WEIHUI,
    source: 'PURCHASE',
    contractNo: 'HT-E2E-SWEEP',
    inspectionReportNo: 'YS-E2E-SWEEP',
    idempotencyKey: randomUUID(),
    occurredAt,
    lines: [{ itemId: itemId('LIV-004'), quantity, batchNo, unitPrice: '100.00', expiryDate: '2031-01-01' }],
  },
});
const RECEIVE = `mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { number } }`;

describe('console sweep fixes (findings 5–9) in a real browser', () => {
  it("D21: 估值 at a day's end (日终) counts that day up to 24:00, the next day's 00:00 receipt included (sweep 18b F2: as 月结 and the exports read it); the date and grouping survive a reload in the URL", async () => {
    const today = DateTime.now().setZone(ZONE).startOf('day');
    const day = today.minus({ days: 2 }).toISODate()!;
    const next = today.minus({ days: 1 }).toISODate()!;
    // 1000 床 at ¥100 received at 00:00 of the next day: `day`'s 24:00, part of its 日终 (README: a day as an end).
    await (
      await api('keeper')
    )(RECEIVE, receiveAt(`${next}T00:00:00+08:00`, 'E2E-D21-MIDNIGHT', 1000));
    const asAuditor = await api('auditor');
    const total = async (asOf: string) =>
      (await asAuditor(`query($a: DateTime) { valuation(asOf: $a, regionCode: "410700") { total } }`, { a: asOf })).valuation.total as string;
    const endOfDay = await total(`${next}T00:00:00+08:00`);
    expect(Number(endOfDay) - Number(await total(`${day}T23:59:59.999+08:00`))).toBe(100000);

    // Opened from a link with the day in it (finding 9), the figures are that day's end (finding 5).
    const { page } = await open('auditor');
    await page.goto(`${t.origin}/audit/valuation?asOf=${day}&groupBy=STORE,CATEGORY`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, `估值时点：${day} 日终（${day} 24:00，北京时间）`);
    await waitForText(page, yuan(endOfDay));
    expect(await page.$eval('#valuation-date', (e) => (e as HTMLInputElement).value)).toBe(day);
    await page.waitForFunction(() => [...document.querySelectorAll('.ant-table-thead th')].some((th) => th.textContent === '类别'));

    // Another day, chosen on screen, goes into the URL with the grouping, and a reload keeps both.
    await clickStill(page, '#valuation-date');
    await page.keyboard.down('Control');
    await page.keyboard.press('a');
    await page.keyboard.up('Control');
    await page.keyboard.type('2025-08-02');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('asOf') === '2025-08-02');
    expect(await page.evaluate(() => new URL(location.href).searchParams.get('groupBy'))).toBe('STORE,CATEGORY');
    await page.reload({ waitUntil: 'domcontentloaded' });
    await waitForText(page, '估值时点：2025-08-02 日终（2025-08-02 24:00，北京时间）');
    expect(await page.$eval('#valuation-date', (e) => (e as HTMLInputElement).value)).toBe('2025-08-02');
    await page.waitForFunction(() => [...document.querySelectorAll('.ant-table-thead th')].some((th) => th.textContent === '类别'));
  });

  it("D8, D22: the keeper's 单据 shows an incoming transfer as 调拨在途 in its own 在途 column, the receipt moving 在途 to 在库, newest business time first", async () => {
    const asKeeper = await api('keeper');
    // The demo transfer DB-2026-000001 (新乡市库 → 卫辉市库, shipped 2025-08-03) is received in full …
    const { movements } = await asKeeper(
      `query($s: ID!) { movements(filter: { storeId: $s, type: TRANSFER_OUT }, first: 10) { edges { node { document { number transfer { id lines { batch { id } inTransit } } } } } } }`,
      { s: WEIHUI },
    );
    const transfer = movements.edges.map((e: any) => e.node.document).find((d: any) => d.number === 'DB-2026-000001').transfer;
    await asKeeper(`mutation($i: ReceiveTransferInput!) { receiveTransfer(input: $i) { status } }`, {
      i: { transferId: transfer.id, idempotencyKey: randomUUID(), lines: transfer.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.inTransit })) },
    });
    // … and then a receipt dated yesterday is recorded: recorded last, it is not the newest by business time.
    const yesterday = DateTime.now().setZone(ZONE).minus({ days: 1 }).toISODate()!;
    const { receiveStock } = await asKeeper(RECEIVE, receiveAt(`${yesterday}T09:00:00+08:00`, 'E2E-D22-BACKDATED', 5));

    const { page } = await open('keeper');
    await page.goto(`${t.origin}/keeper/documents`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, receiveStock.number);
    const first = await tableRows(page);
    const times = first.map((r) => r[0]);
    expect(times).toEqual([...times].sort().reverse()); // 业务时间, the column shown first, newest first
    /** A row's 在库 and 在途 for one of its items (one line per item in the 物资, 在库 and 在途 cells). */
    const ofItem = (r: string[], item: string) => {
      const i = r[3].split('\n').indexOf(item);
      return i < 0 ? undefined : [r[4].split('\n')[i], r[5].split('\n')[i]];
    };
    // The receipt of the transfer, one document (调拨入库): into 在库 and out of 在途, above the back-dated receipt.
    const receipt = first.findIndex((r) => r[2] === '调拨入库' && ofItem(r, '编织袋'));
    expect(ofItem(first[receipt], '编织袋')).toEqual(['+10,000 条', '-10,000 条']);
    const backdated = first.findIndex((r) => r[1] === receiveStock.number);
    expect(ofItem(first[backdated], '棉被')).toEqual(['+5 床', '—']);
    expect(receipt).toBeLessThan(backdated);

    // The shipment itself (dated 2025-08-03, further down): 调拨在途 here, never 调拨出库 with a plus sign.
    let shipped: string[] | undefined;
    for (let n = 0; n < 6 && !shipped; n++) {
      shipped = (await tableRows(page)).find((r) => r[1] === 'DB-2026-000001' && ofItem(r, '编织袋'));
      if (!shipped) {
        const top = await page.$eval('.ant-table-tbody tr.ant-table-row', (r) => r.innerText);
        await clickStill(page, 'li.ant-pagination-next:not(.ant-pagination-disabled) button');
        await page.waitForFunction((b) => document.querySelector<HTMLElement>('.ant-table-tbody tr.ant-table-row')?.innerText !== b, {}, top);
      }
    }
    expect(shipped?.[2]).toBe('调拨在途');
    expect(ofItem(shipped!, '编织袋')).toEqual(['—', '+10,000 条']);
  });

  it('plans keep their numbers in creation order, and the incident page opens on the plan waiting for action (D14), not an old completed one', async () => {
    const asDispatcher = await api('dispatcher');
    const { incidents } = await asDispatcher(`{ incidents(first: 50) { edges { node { id name plans { id status } } } } }`);
    const demo = incidents.edges.map((e: any) => e.node).find((i: any) => i.name === '卫辉市洪涝灾害（演示）');
    expect(demo.plans.map((p: any) => p.status)).toEqual(['COMPLETED']);
    const { requestDispatch } = await asDispatcher(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, {
      i: {
        incidentId: demo.id,
        deadlineHours: 48,
        destinations: [{ name: '城北临时安置点', regionCode: '410781100000', lat: 35.41, lng: 114.07, lines: [{ itemId: itemId('LIV-004'), quantity: 50 }] }],
      },
    });

    const { page } = await open('dispatcher');
    await page.goto(`${t.origin}/dispatch/incidents/${demo.id}`, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent === '待批准');
    await waitForText(page, '调拨方案 · 方案 2');
    await clickStill(page, '[aria-label="选择方案"]');
    await page.waitForSelector('.ant-select-dropdown:not(.ant-select-dropdown-hidden)', { visible: true });
    const options = await page.$$eval('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', (o) => o.map((e) => e.textContent));
    expect(options).toEqual(['方案 1 · 已完成', '方案 2 · 待批准']);
    await page.keyboard.press('Escape');

    // Approved by the second person (D24): after a reload the page opens on it, with 执行 at hand.
    await (
      await api('director')
    )(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { status } }`, { p: requestDispatch.id });
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent === '已批准');
    await waitForText(page, '调拨方案 · 方案 2');
    await page.waitForFunction(() => [...document.querySelectorAll('button')].some((b) => b.textContent?.replace(/\s/g, '') === '执行'));
  });

  it("on a phone (390×844) the keeper's header keeps the name and 退出 inside its 64 px, and the stocktake table scrolls inside its card", async () => {
    const { page } = await open('keeper');
    await page.setViewport({ width: 390, height: 844 });
    await page.goto(`${t.origin}/keeper/stock`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('[data-testid="current-user"]');
    await waitForStillness(page); // the side menu folds away on a narrow screen
    const header = await page.evaluate(() => {
      // Plain numbers: a DOMRect does not come back out of the page.
      const rect = (e: Element) => {
        const { top, bottom, left, right, height } = e.getBoundingClientRect();
        return { top, bottom, left, right, height };
      };
      const logout = [...document.querySelectorAll('.shell-header button')].find((b) => b.textContent?.replace(/\s/g, '') === '退出')!;
      const scope = document.querySelector<HTMLElement>('[data-testid="current-scope"]')!;
      return {
        header: rect(document.querySelector('.shell-header')!),
        user: rect(document.querySelector('[data-testid="current-user"]')!),
        logout: rect(logout),
        scopeCut: scope.scrollWidth > scope.clientWidth,
      };
    });
    await screenshot(page, 'sweep-phone-header');
    expect(header.header.height).toBe(64);
    for (const b of [header.user, header.logout]) {
      expect(b.top).toBeGreaterThanOrEqual(header.header.top);
      expect(b.bottom).toBeLessThanOrEqual(header.header.bottom);
      expect(b.left).toBeGreaterThanOrEqual(0);
      expect(b.right).toBeLessThanOrEqual(390);
    }
    expect(header.scopeCut).toBe(true); // the long list of stores ends in …

    await page.goto(`${t.origin}/keeper/stocktake`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, 'WH-MT-2303');
    await screenshot(page, 'sweep-phone-stocktake');
    const widths = await page.evaluate(() => {
      const content = document.querySelector('.ant-table-content') as HTMLElement;
      return { page: document.documentElement.scrollWidth, table: content.scrollWidth, box: content.clientWidth };
    });
    expect(widths.page).toBeLessThanOrEqual(390);
    expect(widths.table).toBeGreaterThan(widths.box);
  });
});
