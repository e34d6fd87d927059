import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { clickStill, clickText, pickOption, waitForStillness, waitForText } from '../support/browser.ts';
import { useConsoleFlows } from '../support/console-flows.ts';

// Console sweep L5, L6: what the console says in words a government user reads. The domain rules' ids (D28 and the
// like) are for developers and stay out of the screens; an expired batch is frozen (D26), so 本库库存 shows none of it
// as 可用, as 储备定额 and 储备缺口 count it — the API's `available` is unchanged.
const { t, open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store
const EXPIRED_BATCH = 'WH-JSY-2104'; // 救生衣 400 件, expired (demo data)
const DEMO_INCIDENT = '卫辉市洪涝灾害（演示）';

const pageText = (page: Page) => page.evaluate(() => document.body.innerText);

/** The page names no domain rule by its id: neither 「（D28）」 nor 「D24」 standing alone. */
async function expectNoRuleIds(page: Page) {
  const text = await pageText(page);
  expect(text).not.toMatch(/（D\d+/);
  expect(text).not.toMatch(/\bD\d{1,2}\b/);
}

describe('the console in plain words', () => {
  it('D26 (L6): 本库库存 shows an expired batch as 可用 0, frozen 400 — as the API says it (available 0, frozen 400)', async () => {
    const keeper = await api('keeper');
    const { stock } = await keeper(
      `query($f: StockFilter!) { stock(filter: $f, first: 20) { edges { node { batch { batchNo expired } available frozen } } } }`,
      { f: { storeId: WEIHUI, itemId: itemId('FLD-009') } },
    );
    const expired = stock.edges.map((e: any) => e.node).find((n: any) => n.batch.batchNo === EXPIRED_BATCH);
    expect(expired).toEqual({ batch: { batchNo: EXPIRED_BATCH, expired: true }, available: 0, frozen: 400 });

    const { page } = await open('keeper');
    await page.waitForFunction(() => location.pathname === '/keeper/stock');
    await pickOption(page, 'stock-item', '救生衣');
    const row = `::-p-xpath(//tr[contains(@class, "ant-table-row") and contains(., "${EXPIRED_BATCH}")])`;
    await page.waitForSelector(row);
    // 物资, 类别, 批号, 有效期, 在库, 预留, 可用.
    const cells = await page.$eval(row, (r) => [...r.querySelectorAll('td')].map((c) => (c as HTMLElement).innerText.trim()));
    expect(cells[3]).toContain('已过期');
    expect(cells[4]).toBe('400 件');
    expect(cells[6]).toBe('0（冻结 400）');
    expect(await page.$eval(row, (r) => !!r.querySelector('[data-testid="frozen-available"]'))).toBe(true);
  });

  it('L5: the incident page, its 结束事件 confirmation and its 回收清点 dialog say the 10-hour target and the rules in words, with no rule ids', async () => {
    const { page } = await open('dispatcher');
    await page.goto(`${t.origin}/dispatch/incidents`, { waitUntil: 'domcontentloaded' });
    await clickText(page, 'a', DEMO_INCIDENT);
    // Sweep 25c F12 (D28): the flag is named for what it measures, goods received at the 安置点 (was 「基本生活得到救助」).
    await waitForText(page, '灾后 10 小时内物资送达安置点');
    await waitForText(page, '回收清点与结束事件');
    await page.waitForSelector('[data-testid="outstanding-recovery"] .ant-table-row');
    await expectNoRuleIds(page);

    await clickText(page, 'button', '结束事件');
    await waitForText(page, '按规定应回收而未回收');
    await waitForText(page, '回收清点和查询仍可继续');
    await expectNoRuleIds(page);
    await clickText(page, 'div[contains(@class, "ant-modal-confirm-btns")]//button', '取消');
    await page.waitForFunction(() => !document.querySelector('.ant-modal-confirm'));

    await clickText(page, 'button', '登记回收');
    await page.waitForSelector('#recover_toStoreId');
    await waitForText(page, '均须另一位有权限的人员审批后过账');
    await expectNoRuleIds(page);
  });

  it('L5: 新建事件 says the 10-hour target runs from 发生时间, with no rule id', async () => {
    const { page } = await open('dispatcher');
    const map = await page.waitForSelector('.leaflet-container');
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-container canvas').length > 0);
    const box = (await map!.boundingBox())!;
    await page.mouse.click(box.x + box.width - 60, box.y + 60);
    await page.waitForSelector('#name', { visible: true });
    await waitForStillness(page);
    await waitForText(page, '时限从发生时间起算');
    await expectNoRuleIds(page);
  });

  it('L5: 储备缺口与覆盖 and 月结 name no rule ids', async () => {
    const { page } = await open('admin');
    await clickText(page, 'a', '月结');
    await waitForText(page, '月结后，业务时间在该月及以前的入库');
    await expectNoRuleIds(page);

    await clickStill(page, '.ant-menu a[href="/dispatch/reserves"]');
    await page.waitForFunction(() => location.pathname === '/dispatch/reserves');
    await pickOption(page, 'reserves-region', '新乡市', '新乡市（市）');
    await page.waitForSelector('::-p-xpath(//tr[contains(., "棉帐篷")])');
    await waitForText(page, '乡镇储备覆盖');
    await page.waitForFunction(() => [...document.querySelectorAll('tr')].some((r) => r.textContent?.includes('镇')));
    await expectNoRuleIds(page);
  });
});
