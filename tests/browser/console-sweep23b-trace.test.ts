import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickModalOk, clickText, screenshot, waitForText } from '../support/browser.ts';
import { clickRowButton, retype, useConsoleFlows, waitForMessage } from '../support/console-flows.ts';

// Sweep 23b. F5 (D22): a distribution entered in error and reversed stays on the 发放 list, marked 已冲销 with its 冲销单
// and reason. F6 (D22): 批次追溯 names every step's person — 经办人, and the approver where the API gives one — and
// 流水 shows a reversal's own reason under 原因, as the journal export does. F4 (D2): a 安置点's address is edited in 仓库.
const { t, open, api, approveAs } = useConsoleFlows();

const REASON = 'S23B误登，户主未领取';
const KEEPER = '卫辉市储备库库管员';
const DIRECTOR = '新乡市应急管理局副局长';

/** What the first test set up: the 安置点 (the one 发放 opens first), the distribution and its 冲销单, the batch it drew. */
let setUp: { pointName: string; number: string; reversal: string; batchId: string };

/** The 安置点 发放 shows first: the keeper's first point by the order its picker lists them. */
async function firstPointShown(page: Page): Promise<string> {
  await page.waitForSelector('[aria-label="安置点"]');
  return page.$eval('.ant-card-extra .ant-select-selection-item', (e) => (e as HTMLElement).innerText.trim());
}

describe('sweep 23b: the relief trace in the console', () => {
  it('F5 (D22, D29): a reversed distribution stays on 发放’s list, marked 已冲销 with its 冲销单 and reason', async () => {
    const { page } = await open('keeper');
    await clickText(page, 'a', '发放');
    const pointName = await firstPointShown(page);
    const keeper = await api('keeper');
    const { me } = await keeper(`{ me { stores { id name incidentId } } }`);
    const point = me.stores.find((s: any) => s.name === pointName);
    expect(point?.incidentId).toBeTruthy();
    const { stock } = await keeper(
      `query($s: ID!) { stock(filter: { storeId: $s }, first: 100) { edges { node { item { id } available batch { expired } } } } }`,
      {
        s: point.id,
      },
    );
    const line = stock.edges.map((e: any) => e.node).find((n: any) => n.available > 0 && !n.batch.expired);
    const { distributeRelief: d } = await keeper(`mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id number lines { batch { id } } } }`, {
      i: {
        storeId: point.id,
        incidentId: point.incidentId,
        household: { headName: '冲销测试户', size: 1, address: '汲水镇S23B村' },
        lines: [{ itemId: line.item.id, quantity: 1 }],
        signatureRef: 'S23B-E2E-1',
        overrideReason: '浏览器测试：登记后冲销',
        idempotencyKey: `s23b-e2e-${Date.now()}`,
      },
    });
    const { reverseDocument: r } = await keeper(
      `mutation($d: ID!, $k: String!) { reverseDocument(documentId: $d, reason: "${REASON}", idempotencyKey: $k) { id number } }`,
      { d: d.id, k: `s23b-e2e-rev-${Date.now()}` },
    );
    await approveAs('director', 'REVERSAL');
    setUp = { pointName, number: d.number, reversal: r.number, batchId: d.lines[0].batch.id };

    await page.reload({ waitUntil: 'domcontentloaded' });
    await waitForText(page, setUp.number);
    const row = await page.waitForSelector(`::-p-xpath(//tr[contains(., ${JSON.stringify(setUp.number)})])`);
    const text = await row!.evaluate((e) => (e as HTMLElement).innerText);
    await row!.dispose();
    expect(text).toContain('冲销测试户');
    expect(text).toContain('已冲销');
    expect(text).toContain(setUp.reversal);
    expect(text).toContain(`原因：${REASON}`);
    // The others stand, and say so.
    expect(await page.$$eval('tbody tr', (rows) => rows.filter((e) => (e as HTMLElement).innerText.includes('已发放')).length)).toBeGreaterThan(0);
    await screenshot(page, 'sweep23b-distribution-reversed');
  });

  it('F6 (D22): 批次追溯 names 经办人 and 批准人 on its steps; the reversed hand-out and its reversal with the reason', async () => {
    const { page } = await open('auditor');
    await page.goto(`${t.origin}/batches/${setUp.batchId}`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, '批次追溯');
    await page.waitForSelector('.ant-table-row');
    const headings = await page.$$eval('.ant-table-thead th', (ths) => ths.map((th) => (th as HTMLElement).innerText.trim()));
    expect(headings).toEqual(expect.arrayContaining(['经办人', '批准人']));
    const rows = await page.$$eval('.ant-table-row', (trs) => trs.map((r) => (r as HTMLElement).innerText));
    // Every step has its person.
    expect(rows.every((r) => /库管员|调度员|副局长|管理员/.test(r))).toBe(true);
    const issue = rows.find((r) => r.includes(setUp.number));
    expect(issue).toContain('已冲销');
    expect(issue).toContain(KEEPER);
    const reversal = rows.find((r) => r.includes(setUp.reversal));
    expect(reversal).toContain(`冲销 ${setUp.number}：${REASON}`);
    expect(reversal).toContain(KEEPER);
    expect(reversal).toContain(`${DIRECTOR}（新应急〔2026〕1号）`);
    await screenshot(page, 'sweep23b-batch-trace-persons');
  });

  it('F6 (D22): 流水 shows a reversal’s own reason under 原因, as the journal export does', async () => {
    const { page } = await open('auditor');
    await clickText(page, 'a', '流水');
    const row = await page.waitForSelector(`::-p-xpath(//tr[contains(., ${JSON.stringify(setUp.reversal)})])`);
    const cells = await row!.$$eval('td', (tds) => tds.map((td) => (td as HTMLElement).innerText.trim()));
    await row!.dispose();
    const headings = await page.$$eval('.ant-table-thead th', (ths) => ths.map((th) => (th as HTMLElement).innerText.trim()));
    expect(cells[headings.indexOf('原因')]).toBe(REASON);
    await screenshot(page, 'sweep23b-journal-reversal-reason');
  });

  it('F4 (D2): an administrator corrects a 安置点’s address in 仓库; no 运营企业 is asked of it', async () => {
    const { page } = await open('admin');
    await clickText(page, 'a', '仓库');
    await page.waitForSelector('#store-search', { visible: true });
    await page.type('#store-search', setUp.pointName);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`::-p-xpath(//tr[contains(., ${JSON.stringify(setUp.pointName)})])`);
    const admin = await api('admin');
    const { stores } = await admin(`query($s: String) { stores(search: $s, first: 5) { edges { node { code name address } } } }`, { s: setUp.pointName });
    const store = stores.edges.map((e: any) => e.node).find((s: any) => s.name === setUp.pointName);
    await clickRowButton(page, store.code, '编辑');
    await page.waitForSelector(`[id="edit-store-${store.code}_address"]`, { visible: true });
    expect(await page.$(`[id="edit-store-${store.code}_operatorName"]`)).toBeNull();
    await retype(page, `[id="edit-store-${store.code}_address"]`, '汲水镇S23B路 1 号');
    await clickModalOk(page);
    await waitForMessage(page, `仓库「${setUp.pointName}」已保存`);
    const after = await admin(`query($s: String) { stores(search: $s, first: 5) { edges { node { name address kind } } } }`, { s: setUp.pointName });
    expect(after.stores.edges.map((e: any) => e.node).find((s: any) => s.name === setUp.pointName)).toMatchObject({
      address: '汲水镇S23B路 1 号',
      kind: 'DISTRIBUTION_POINT',
    });
  });
});
