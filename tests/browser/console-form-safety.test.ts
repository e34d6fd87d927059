import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { clickModalOk, clickStill, clickText, pickOption, waitForStillness, waitForText } from '../support/browser.ts';
import { openReceipt, useConsoleFlows, waitForFieldError, retype } from '../support/console-flows.ts';

// What a form sends is what the user meant: Enter in a field of 入库 posts nothing (D7, D22: a posted document is put
// right only by an approved 冲销), numbers are kept as typed and refused under their field instead of being clamped
// (D16, D28: 受灾人口, 送达时限; D10: 储存年限, 轮换提前期), an item stored 12 months or less gets a shorter 轮换提前期 (D10),
// and the incident's 10-hour line (D28) stays readable on a 1024 px screen.
const { open, api } = useConsoleFlows();

const WEIHUI_STORE = storeId('S-410781-01');
const QUILT = itemId('LIV-004'); // 棉被

const RECEIPTS = `query($storeId: ID!, $itemId: ID!) {
  movements(filter: { storeId: $storeId, itemId: $itemId, type: RECEIPT }, first: 1) { totalCount }
}`;
const INCIDENTS = `query { incidents(first: 1) { totalCount } }`;

describe('console forms keep to what was typed and post only when asked', () => {
  it('D7, D22: Enter in 有效期至 (or any field) of 入库 posts nothing; 过账入库 posts it with the date and the batch typed', async () => {
    const { page } = await open('keeper');
    const asKeeper = await api('keeper');
    const receipts = async () => (await asKeeper(RECEIPTS, { storeId: WEIHUI_STORE, itemId: QUILT })).movements.totalCount as number;
    const before = await receipts();

    await openReceipt(page, '棉被', { contractNo: 'ZFCG-E2E-ENTER', inspectionReportNo: 'YS-E2E-ENTER' });
    await page.type('#lines_0_quantity', '12');
    await page.type('#lines_0_unitPrice', '150');
    // Typing a date and pressing Enter is how the picker takes a typed date: it must take it, and post nothing.
    await clickStill(page, '#lines_0_expiryDate');
    await page.keyboard.type('2031-06-30');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('#lines_0_expiryDate')?.value === '2031-06-30');
    // Enter in a plain text field does not post either.
    await clickStill(page, '#contractNo');
    await page.keyboard.press('Enter');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.evaluate(() => document.body.innerText.includes('已过账'))).toBe(false);
    expect(await receipts()).toBe(before);

    // The rest is filled in, and only 过账入库 posts: with the batch number typed, not one made up.
    await page.type('#lines_0_batchNo', 'E2E-ENTER-0001');
    await clickText(page, 'button', '过账入库');
    await waitForText(page, '已过账');
    await waitForText(page, '批号 E2E-ENTER-0001：12');
    expect(await receipts()).toBe(before + 1);
  });

  it('D28: 新建事件 keeps a bad 受灾人口 as typed and refuses it under the field, creating nothing; 响应级别 is chosen from 一级…四级', async () => {
    const { page } = await open('dispatcher');
    const asDispatcher = await api('dispatcher');
    const incidents = async () => (await asDispatcher(INCIDENTS)).incidents.totalCount as number;
    const before = await incidents();

    const map = await page.waitForSelector('.leaflet-container');
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-container canvas').length > 0);
    const box = (await map!.boundingBox())!;
    await page.mouse.click(box.x + box.width - 60, box.y + 60);
    await page.waitForSelector('#name', { visible: true });
    await page.type('#name', 'E2E人口校验');
    await clickStill(page, '#affectedPopulation');
    await page.type('#affectedPopulation', '-5');
    await clickModalOk(page);
    await waitForFieldError(page, '受灾人口须为不小于 0 的整数');
    // Not clamped to 0 on blur: the field still says what was typed.
    expect(await page.$eval('#affectedPopulation', (e) => (e as HTMLInputElement).value)).toBe('-5');

    await retype(page, '#affectedPopulation', '1500.7');
    await clickModalOk(page);
    await waitForFieldError(page, '受灾人口须为不小于 0 的整数');
    expect(await page.$eval('#affectedPopulation', (e) => (e as HTMLInputElement).value)).toBe('1500.7');
    expect(await incidents()).toBe(before);

    // 响应级别 is a list of the four levels: nothing outside 1–4 can be entered.
    await pickOption(page, 'responseLevel', '三级', '三级（Ⅲ级）');
    await retype(page, '#affectedPopulation', '1500');
    await clickModalOk(page);
    await page.waitForFunction(() => location.pathname.startsWith('/dispatch/incidents/'));
    await waitForText(page, '三级（Ⅲ级）');
    expect(await incidents()).toBe(before + 1);
  });

  it('D16, D28: the incident page keeps the 10-hour line readable at 1024 and 1280 px; a bad 送达时限 is refused under the field, not made 1 hour', async () => {
    const asDispatcher = await api('dispatcher');
    const { createIncident } = await asDispatcher(`mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, {
      i: { name: 'E2E窄屏事件', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } },
    });
    const { page } = await open('dispatcher');
    for (const width of [1024, 1280]) {
      await page.setViewport({ width, height: 768 });
      await page.goto(new URL(`/dispatch/incidents/${createIncident.id}`, page.url()).href, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('[data-testid="basic-needs"]');
      await waitForText(page, '安置点与需求');
      const { height, line } = await deadlineBox(page);
      // One or two lines, not a character per line (about 20 lines at 1024 px before).
      expect(height, `at ${width} px`).toBeLessThanOrEqual(3 * line);
    }

    await clickStill(page, '#deadlineHours');
    await retype(page, '#deadlineHours', '-3');
    await clickText(page, 'button', '生成方案');
    await waitForFieldError(page, '送达时限须大于 0 小时');
    expect(await page.$eval('#deadlineHours', (e) => (e as HTMLInputElement).value)).toBe('-3');
    expect(await page.evaluate(() => document.body.innerText.includes('建议方案'))).toBe(false);
  });

  it('D10, D5: admin creates an item stored 6 months with a 轮换提前期 of 6 refused under the field, then of 3; the GB/T 38565 code is kept', async () => {
    const { page } = await open('admin');
    await clickText(page, 'a', '物资目录');
    await clickText(page, 'button', '新增物资');
    await page.waitForSelector('#item_code', { visible: true });
    // The default lead is shown, 12 months.
    expect(await page.$eval('#item_rotationLeadMonths', (e) => (e as HTMLInputElement).value)).toBe('12');
    await page.type('#item_code', 'E2E-WATER-6');
    await page.type('#item_name', 'E2E瓶装饮用水');
    await page.type('#item_unit', '箱');
    await page.type('#item_gbCode', '1010101');
    await page.type('#item_storageLifeMonths', '-5');
    await clickModalOk(page);
    await waitForFieldError(page, '储存年限须为正整数（月）');
    expect(await page.$eval('#item_storageLifeMonths', (e) => (e as HTMLInputElement).value)).toBe('-5');

    await retype(page, '#item_storageLifeMonths', '6');
    await retype(page, '#item_rotationLeadMonths', '6');
    await clickModalOk(page);
    await waitForFieldError(page, '轮换提前期 6 个月须短于储存年限 6 个月');
    await retype(page, '#item_rotationLeadMonths', '3');
    await clickModalOk(page);
    await page.waitForFunction(() => !document.querySelector('#item_code'));

    const asAdmin = await api('admin');
    const { categories } = await asAdmin(`query { categories { items { code gbCode storageLifeMonths rotationLeadMonths } } }`);
    const item = (categories as { items: { code: string }[] }[]).flatMap((c) => c.items).find((i) => i.code === 'E2E-WATER-6');
    expect(item).toEqual({ code: 'E2E-WATER-6', gbCode: '1010101', storageLifeMonths: 6, rotationLeadMonths: 3 });
  });

  it('a click beside an open form (on the dimmed page) keeps the dialog and what was typed; 取消 closes it', async () => {
    const { page } = await open('admin');
    await clickText(page, 'a', '救助标准');
    await clickText(page, 'button', '新增标准');
    await pickOption(page, 'standard_itemId', '棉大衣');
    await page.type('#standard_perPerson', '1.5');
    await waitForStillness(page);
    // The top-left corner of the window is the mask: a click there closed the dialog and lost the form.
    await page.mouse.click(8, 8);
    await new Promise((r) => setTimeout(r, 800));
    expect(await page.$eval('#standard_perPerson', (e) => (e as HTMLInputElement).value)).toBe('1.5');
    expect(await page.evaluate(() => document.body.innerText.includes('棉大衣'))).toBe(true);
    await clickText(page, 'button', '取消');
    await page.waitForFunction(() => !document.querySelector('#standard_perPerson'));
  });
});

/** The height of the 10-hour line's text on the incident page, and the height of one line of it. */
async function deadlineBox(page: Page) {
  return page.$eval('[data-testid="basic-needs"]', (tag) => {
    const content = tag.closest('.ant-descriptions-item-content') as HTMLElement;
    const style = getComputedStyle(content);
    const line = Number.parseFloat(style.lineHeight) || Number.parseFloat(style.fontSize) * 1.6;
    return { height: content.getBoundingClientRect().height, line };
  });
}
