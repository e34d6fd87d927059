import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickText, screenshot, waitForText } from '../support/browser.ts';
import { useConsoleFlows } from '../support/console-flows.ts';
import { batchIdOf } from '../../server/inventory/batch-ids.ts';
import { itemId } from '../../seeds/reference.ts';

// D18 全程追溯: a batch is followed from receipt to the people it reached — in the console from the keeper's 本库库存
// and the auditor's 流水 — as far as it passed through the user's scope; D29: the households it reached, named only to
// roles that need it; a user whose scope it never touched is refused in words, not shown a blank page.
const { t, open } = useConsoleFlows();

// The demo keeper's 棉被 (卫辉市救灾物资储备库): received in May 2025, 200 issued for 唐庄镇 in August (demo-stock.ts).
// Its id is keyed with the database's secret (sweep 14a F1): known once the database is.
let QUILT_BATCH = '';
beforeAll(async () => {
  QUILT_BATCH = await batchIdOf(t.database.db, itemId('LIV-004'), 'WH-MB-2204');
});

describe('batch trace (批次追溯) in the console', () => {
  it('keeper opens a batch from 本库库存 and follows it (D18): receipt, issue and the households it reached (D29) in time order, with what was left; opens the receipt', async () => {
    const { page } = await open('keeper');
    await page.waitForFunction(() => location.pathname === '/keeper/stock');
    await clickText(page, 'a', 'WH-MB-2204');
    await page.waitForFunction((id) => location.pathname === `/batches/${id}`, {}, QUILT_BATCH);
    await waitForText(page, '批次追溯 WH-MB-2204');
    await waitForText(page, '棉被');

    const rows = await traceRows(page);
    const receipt = rows.findIndex((r) => r.includes('入库') && r.includes('1,800'));
    const issue = rows.findIndex((r) => r.includes('出库') && r.includes('领用：唐庄镇临时安置点') && r.includes('200'));
    expect(receipt).toBe(0);
    expect(issue).toBeGreaterThan(receipt);
    // What the store was left with after each: 1,800 received, 1,600 after the issue.
    expect(rows[receipt]).toContain('1,800');
    expect(rows[issue]).toContain('1,600');
    expect(rows.join('\n')).toMatch(/RK-\d{4}-\d+/);
    // The demo flood's plan shipped it to a 安置点 the keeper manages, where it reached households, named to its manager (D29).
    expect(rows.some((r) => /调往 \S+安置点/.test(r))).toBe(true);
    expect(rows.join('\n')).toMatch(/发放到户：(王建国|李秀英|张志强|赵桂兰|刘长海) 户（\d+ 人）/);
    await screenshot(page, 'batch-trace-keeper');

    // The receipt's number opens its document.
    await page.click('::-p-xpath(//tr[contains(., "入库")]//a[contains(@href, "/documents/")])');
    await page.waitForFunction(() => location.pathname.startsWith('/documents/'));
    await waitForText(page, '入库单 RK-');
    await waitForText(page, 'WH-MB-2204');
  });

  it('auditor opens a batch from 流水 that reached households at a 安置点 (D29): how many people, not who', async () => {
    const { page } = await open('auditor');
    await clickText(page, 'a', '流水');
    // The newest movements are the demo flood's distributions at its 安置点.
    const link = await page.waitForSelector('::-p-xpath(//tr[td[normalize-space(.)="出库"] and contains(., "安置点")]//a[contains(@href, "/batches/")])');
    await link!.click();
    await link!.dispose();
    await page.waitForFunction(() => location.pathname.startsWith('/batches/'));
    await waitForText(page, '发放到户');
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toMatch(/发放到户：1 户（\d+ 人）/);
    // The trace starts at a receipt at a store and ends at households; no head of household is named to an auditor.
    expect(text).toContain('入库');
    expect(text).not.toMatch(/王建国|李秀英|张志强|赵桂兰|刘长海/);
    await screenshot(page, 'batch-trace-auditor');
  });

  it('a dispatcher of 晋城市, whose scope the batch never touched, is refused in Chinese (D18 within scope), and an unknown batch is not found', async () => {
    const { page } = await open('jincheng');
    await page.goto(`${t.origin}/batches/${QUILT_BATCH}`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, '无权查看该批次的流向');
    await waitForText(page, '该批次没有经过您权限范围内的仓库');
    expect(await page.$('.ant-table')).toBeNull();
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).not.toContain('WH-MB-2204');
    await screenshot(page, 'batch-trace-refused');

    await page.goto(`${t.origin}/batches/00000000-0000-4000-8000-000000000000`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, '找不到该批次');
  });
});

/** The trace table's rows as text, top to bottom. */
async function traceRows(page: Page): Promise<string[]> {
  await page.waitForSelector('.ant-table-row');
  return page.$$eval('.ant-table-row', (rows) => rows.map((r) => (r as HTMLElement).innerText));
}
