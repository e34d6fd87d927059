import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { waitForStillness, waitForText } from '../support/browser.ts';
import { useConsoleFlows } from '../support/console-flows.ts';

// Sweep 22c F2: an incident (D28) and its 安置点 (D29) are opened by keyboard alone — Tab, Enter and typing, no click
// on a map — so that a keyboard or screen-reader dispatcher reaches 生成方案 for a new disaster. F10: an address that is
// another role's screen, or none, says so (and leads home) instead of showing the home screen without a word. F12: an
// empty list says what would be listed there.
const { t, open, api } = useConsoleFlows();

/** What has the keyboard focus: its tag, id, text (spaces dropped: antd spaces out two-character buttons) and value. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const e = document.activeElement as HTMLInputElement | null;
    return { tag: e?.tagName.toLowerCase() ?? '', id: e?.id ?? '', text: (e?.textContent ?? '').replace(/\s/g, ''), value: e?.value ?? '' };
  });

/** Presses Tab (or Shift+Tab) until the focus is on what `is` accepts (unless it is already); fails after 60 presses. */
async function tabTo(page: Page, is: (f: Awaited<ReturnType<typeof focused>>) => boolean, what: string, back = false) {
  if (is(await focused(page))) return;
  for (let i = 0; i < 60; i++) {
    if (back) await page.keyboard.down('Shift');
    await page.keyboard.press('Tab');
    if (back) await page.keyboard.up('Shift');
    if (is(await focused(page))) return;
  }
  throw new Error(`Tab never reached ${what}; focus is on ${JSON.stringify(await focused(page))}`);
}
const button = (text: string) => (f: Awaited<ReturnType<typeof focused>>) => f.tag === 'button' && f.text === text.replace(/\s/g, '');
const field = (id: string) => (f: Awaited<ReturnType<typeof focused>>) => f.id === id;

/** The value an input shows now. */
const valueOf = (page: Page, id: string) => page.$eval(`[id="${id}"]`, (e) => (e as HTMLInputElement).value);

describe('sweep 22c: keyboard-only 新建事件 and 添加安置点, screens outside the role, empty lists', () => {
  it('F2 (D28, D29): a dispatcher opens an incident from 一张图 and adds a 安置点 by Tab, Enter and typing only, up to 生成方案', async () => {
    const { page } = await open('dispatcher');
    const dispatcher = await api('dispatcher');
    await page.waitForFunction(() => location.pathname === '/dispatch/map');
    await page.waitForSelector('.leaflet-container');

    // 一张图 → 新建事件 (a button, in the tab order), Enter: the dialog asks for the location, not a click.
    await tabTo(page, button('新建事件'), 'the 新建事件 button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.ant-modal [id="location_lat"]', { visible: true });
    await waitForStillness(page);
    expect(await page.$eval('.ant-modal-title', (e) => e.textContent)).toBe('新建事件');
    await tabTo(page, field('name'), '事件名称');
    await page.keyboard.type('E2E键盘事件');
    // 所在区划 by typing: 卫辉市 and Enter. Its centre fills 纬度/经度 (the API needs a location near the region).
    await tabTo(page, field('regionCode'), '所在区划');
    await page.keyboard.type('卫辉');
    await page.waitForSelector('::-p-xpath(//div[contains(@class,"ant-select-item-option") and contains(., "卫辉市")])', { visible: true });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('[id="location_lat"]')?.value === '35.3985');
    expect(await valueOf(page, 'location_lng')).toBe('114.065');
    // The place is typed over the centre, as a dispatcher who knows it would.
    await tabTo(page, field('location_lat'), '纬度');
    await page.keyboard.down('Control');
    await page.keyboard.press('a');
    await page.keyboard.up('Control');
    await page.keyboard.type('35.41');
    await tabTo(page, button('创建'), 'the 创建 button');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /^\/dispatch\/incidents\/[0-9a-f-]{36}$/.test(location.pathname));
    const incidentId = (await page.evaluate(() => location.pathname)).split('/').pop()!;
    const { incident } = await dispatcher(`query($id: ID!) { incident(id: $id) { name region { name } location { lat lng } } }`, { id: incidentId });
    expect(incident).toEqual({ name: 'E2E键盘事件', region: { name: '卫辉市' }, location: { lat: 35.41, lng: 114.065 } });

    // No 安置点 yet: 生成方案 says how to add one (it said 「至少一个安置点」 only).
    await waitForText(page, '安置点与需求');
    await waitForText(page, '尚无安置点');
    await tabTo(page, button('生成方案'), 'the 生成方案 button');
    await page.keyboard.press('Enter');
    await waitForText(page, '至少一个安置点：请在地图上点击，或点「添加安置点」');

    // 添加安置点 by keyboard: a row named 安置点1 in the incident's region, the cursor in its name, 纬度/经度 to type.
    await tabTo(page, button('添加安置点'), 'the 添加安置点 button', true);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'destinations_0_name');
    expect(await valueOf(page, 'destinations_0_name')).toBe('安置点1');
    expect(await valueOf(page, 'destinations_0_regionCode')).toBe('410781000000');
    expect(await valueOf(page, 'destinations_0_lat')).toBe('');
    await page.keyboard.down('Control');
    await page.keyboard.press('a');
    await page.keyboard.up('Control');
    await page.keyboard.type('键盘安置点');
    await tabTo(page, field('destinations_0_lat'), '纬度');
    await page.keyboard.type('35.40');
    await tabTo(page, field('destinations_0_lng'), '经度');
    await page.keyboard.type('114.07');
    await tabTo(page, field('destinations_0_lines_0_itemId'), '物资');
    await page.keyboard.type('棉被');
    await page.waitForSelector('::-p-xpath(//div[contains(@class,"ant-select-item-option-active") and contains(., "棉被")])', { visible: true });
    await page.keyboard.press('Enter');
    await tabTo(page, field('destinations_0_lines_0_quantity'), '需求数量');
    await page.keyboard.type('10');
    await tabTo(page, button('生成方案'), 'the 生成方案 button');
    await page.keyboard.press('Enter');
    await waitForText(page, '建议方案（未保存）');
    await waitForText(page, '键盘安置点');
  });

  it('F10: a keeper at 估值, at an incident or at an unknown address reads why, with a way to 本库库存; `/` is still the home', async () => {
    const { page } = await open('keeper');
    await page.waitForFunction(() => location.pathname === '/keeper/stock');

    await page.goto(`${t.origin}/audit/valuation`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, '该页面仅审计员/管理员可用');
    expect(await page.evaluate(() => location.pathname)).toBe('/audit/valuation');
    expect(await page.evaluate(() => document.body.innerText.includes('储备物资估值'))).toBe(false);

    await page.goto(`${t.origin}/dispatch/incidents/00000000-0000-4000-8000-000000000000`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, '该页面仅调度员/管理员可用');

    await page.goto(`${t.origin}/no/such/page`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, '页面不存在');
    expect(await page.evaluate(() => location.pathname)).toBe('/no/such/page');
    // The way home, by keyboard.
    await (await page.waitForSelector('::-p-xpath(//a[contains(., "返回首页（本库库存）")])'))!.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.pathname === '/keeper/stock');

    await page.goto(`${t.origin}/`, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => location.pathname === '/keeper/stock');
  });

  it('F12: 估值 for a day before any stock was booked says why its list is empty', async () => {
    const { page } = await open('auditor');
    await page.goto(`${t.origin}/audit/valuation?asOf=1990-01-01&groupBy=STORE`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, '截至 1990-01-01 日终，范围内没有在库或在途的储备物资');
    expect(await page.evaluate(() => document.body.innerText.includes('暂无数据'))).toBe(false);
  });

  it('F12: 结算 (未结清) with nothing owed says what would be listed there', async () => {
    const { page } = await open('jincheng');
    await page.goto(`${t.origin}/settlements`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, '没有未结清的结算。调拨方案动用其他区划或层级的储备');
    expect(await page.evaluate(() => document.body.innerText.includes('暂无数据'))).toBe(false);
  });
});
