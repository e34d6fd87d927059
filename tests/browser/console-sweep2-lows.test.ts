import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { storeId, XINXIANG_CITY } from '../../seeds/demo.ts';
import { clickModalOk, clickText, pickOption, rowByHeading, waitForText } from '../support/browser.ts';
import { openReceipt, useConsoleFlows, waitForMessage } from '../support/console-flows.ts';

// Console sweep 2 lows L2, L5, L6, L9: 入库 asks before entered lines are dropped by leaving the page (as 盘点 does);
// quantities on 盘点 and 对账 have thousands separators; 新建用户, 新增物资 and 设定定额 say that they saved; 盘点 lists
// only the batches on hand (D9), not those only in transit to the store.
const { open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store

/** Waits for the page's own table (the one with the column `heading`, not the page just left) to have loaded its rows. */
async function tableLoaded(page: Page, heading: string) {
  await page.waitForFunction(
    (h) =>
      [...document.querySelectorAll('.ant-table-thead th')].some((th) => th.textContent === h) &&
      !document.querySelector('.ant-table-wrapper .ant-spin-spinning') &&
      document.querySelectorAll('tr.ant-table-row').length > 0,
    {},
    heading,
  );
}

const leaveQuestion = '//div[contains(@class, "ant-modal-confirm") and contains(., "离开本页？")]';
const pathIs = (page: Page, path: string) => page.waitForFunction((p) => window.location.pathname === p, {}, path);

describe('console sweep 2: the lows L2, L5, L6, L9', () => {
  it('L2: 入库 asks before leaving with lines entered and not posted (留在本页 keeps them); not on an untouched form, nor once posted', async () => {
    const { page } = await open('keeper');
    // Untouched: the menu leaves at once.
    await clickText(page, 'a', '入库');
    await page.waitForSelector('[id="lines_0_itemId"]');
    await clickText(page, 'a', '本库库存');
    await pathIs(page, '/keeper/stock');
    expect(await page.$(`::-p-xpath(${leaveQuestion})`)).toBeNull();

    await openReceipt(page, '棉被', { contractNo: 'ZFCG-E2E-LEAVE', inspectionReportNo: 'YS-E2E-LEAVE' });
    await page.type('#lines_0_quantity', '30');
    await clickText(page, 'a', '本库库存');
    const question = await page.waitForSelector(`::-p-xpath(${leaveQuestion})`, { visible: true });
    expect(await question!.evaluate((e) => (e as HTMLElement).innerText)).toContain('录入的入库内容尚未过账');
    await clickText(page, 'button', '留在本页');
    await page.waitForFunction((x) => !document.evaluate(x, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE).singleNodeValue, {}, leaveQuestion);
    expect(await page.evaluate(() => window.location.pathname)).toBe('/keeper/receive');
    expect(await page.$eval('#contractNo', (e) => (e as HTMLInputElement).value)).toBe('ZFCG-E2E-LEAVE');
    expect(await page.$eval('#lines_0_quantity', (e) => (e as HTMLInputElement).value)).toBe('30');

    // D7 (sweep 9b K10): 产地 is asked per line and labels the batch.
    await page.type('#lines_0_origin', '河南新乡');
    // Posted: nothing is left to lose, and the menu leaves at once.
    await clickText(page, 'button', '过账入库');
    await waitForText(page, '已过账');
    const keeper = await api('keeper');
    const { documents } = await keeper(
      `query($s: ID!) { documents(filter: { storeId: $s, type: "RECEIPT" }, first: 1) { edges { node { lines { batch { origin } } } } } }`,
      { s: WEIHUI },
    );
    expect(documents.edges[0].node.lines[0].batch.origin).toBe('河南新乡');
    await clickText(page, 'a', '本库库存');
    await pathIs(page, '/keeper/stock');
    expect(await page.$(`::-p-xpath(${leaveQuestion})`)).toBeNull();
  });

  it('D9 (L9, L5): 盘点 lists only the batches on hand, not those only in transit to the store, with 账面 as 30,000 条', async () => {
    const keeper = await api('keeper');
    const { stock } = await keeper(`query($s: ID!) { stock(filter: { storeId: $s }, first: 500) { edges { node { batch { batchNo } onHand inTransit } } } }`, {
      s: WEIHUI,
    });
    const nodes = stock.edges.map((e: any) => e.node) as { batch: { batchNo: string }; onHand: number; inTransit: number }[];
    // The demo's transfer from 新乡市 (棉帐篷 50, 编织袋 10,000) is on its way: its batches are held here only in transit.
    const inTransitOnly = nodes.filter((n) => n.onHand === 0).map((n) => n.batch.batchNo);
    expect(inTransitOnly.length).toBeGreaterThan(0);
    const onHand = nodes.filter((n) => n.onHand > 0).map((n) => n.batch.batchNo);

    const { page } = await open('keeper');
    await clickText(page, 'a', '盘点');
    await tableLoaded(page, '实盘');
    expect((await rowByHeading(page, 'WH-BZD-2501'))['账面']).toBe('30,000 条');
    const listed = await page.$$eval('tr.ant-table-row', (rows) => rows.map((r) => (r.querySelectorAll('td')[1] as HTMLElement).innerText.trim()));
    expect(listed.sort()).toEqual(onHand.sort());
    for (const batchNo of inTransitOnly) expect(listed).not.toContain(batchNo);
  });

  it('L5: 对账 writes its quantities with thousands separators (25,000)', async () => {
    const auditor = await api('auditor');
    const { reconciliation } = await auditor(
      `query($r: String) { reconciliation(regionCode: $r) { store { name } batch { batchNo } ledgerOnHand balanceOnHand } }`,
      { r: XINXIANG_CITY },
    );
    const line = (reconciliation as { store: { name: string }; batch: { batchNo: string }; ledgerOnHand: number; balanceOnHand: number }[]).find(
      (l) => l.batch.batchNo === 'XXX-BZD-2412',
    )!;
    expect(line.ledgerOnHand).toBeGreaterThanOrEqual(1000);

    const { page } = await open('auditor');
    await clickText(page, 'a', '对账');
    // Sweep 22a F5: 对账 shows only the lines that differ at first; this batch agrees, so every line is asked for.
    await page.waitForSelector('#reconciliation-differences-only');
    await page.click('#reconciliation-differences-only');
    await page.waitForSelector('#reconciliation-differences-only:not(.ant-switch-checked)');
    // The page sorts differences first; the batch is found on whichever page it lands.
    const row = `::-p-xpath(//tr[contains(@class, "ant-table-row") and contains(., "XXX-BZD-2412")])`;
    await tableLoaded(page, '台账在库');
    for (let turns = 0; !(await page.$(row)) && turns < 20; turns++) {
      await page.click('li.ant-pagination-next button');
      await new Promise((r) => setTimeout(r, 300));
    }
    const cells = await rowByHeading(page, 'XXX-BZD-2412');
    expect(cells['台账在库']).toBe(line.ledgerOnHand.toLocaleString('zh-CN'));
    expect(cells['余额在库']).toBe(line.balanceOnHand.toLocaleString('zh-CN'));
    expect(cells['台账在库']).toContain(',');
  });

  it('L6: 新建用户, 新增物资 and 设定定额 say that they saved, as 新建仓库 does', async () => {
    const { page } = await open('admin');
    const suffix = randomUUID().slice(0, 6);

    await clickText(page, 'a', '用户');
    await clickText(page, 'button', '新建用户');
    await page.waitForSelector('#username', { visible: true });
    await page.type('#username', `e2e_${suffix}`);
    await page.type('#displayName', 'E2E库管员');
    await page.type('#password', 'e2e-password-1');
    await pickOption(page, 'storeIds', '卫辉');
    await clickModalOk(page);
    await waitForMessage(page, `用户「e2e_${suffix}」已创建`);

    await clickText(page, 'a', '物资目录');
    await clickText(page, 'button', '新增物资');
    await page.waitForSelector('#item_code', { visible: true });
    await page.type('#item_code', `E2E-${suffix}`);
    await page.type('#item_name', `E2E毛巾${suffix}`);
    await page.type('#item_unit', '条');
    await clickModalOk(page);
    await waitForMessage(page, `物资「E2E毛巾${suffix}」已保存`);

    await clickText(page, 'a', '储备定额');
    await clickText(page, 'button', '设定定额');
    await page.waitForSelector('#quantity', { visible: true });
    await pickOption(page, 'itemId', '棉被');
    await page.type('#quantity', '1234');
    await pickOption(page, 'regionCode', '新乡市');
    await clickModalOk(page);
    await waitForMessage(page, '定额已保存');
  });
});
