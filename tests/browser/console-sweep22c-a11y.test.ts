import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { clickText, waitForStillness } from '../support/browser.ts';
import { clickRowButton, useConsoleFlows } from '../support/console-flows.ts';

// Sweep 22c, accessibility (axe-core is not a dependency: the DOM and Chromium's own accessibility tree are read).
// F1: fields named by nothing — a placeholder-only filter select, a table row's select or quantity in a dialog. F3: the
// map's Leaflet zoom buttons and every dialog's ✕ were named in English. F5 (WAI-ARIA dialog pattern): a dialog took
// the focus to its wrapper, and on close dropped it on <body> instead of the button that opened it. F9 (WCAG 2.4.7):
// the focused item of the dark side menu looked like every other.
const { t, open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store
const DEMO_TRANSFER = 'DB-2026-000001'; // 新乡市库 → 卫辉市库, in transit

/** Every visible field (input, text area, combobox) inside `scope` that Chromium names by nothing: its id or markup. */
async function unnamedFields(page: Page, scope = 'body'): Promise<string[]> {
  const fields = await page.$$(`${scope} :is(input:not([type="hidden"]), textarea, select, [role="combobox"])`);
  const unnamed = new Set<string>();
  for (const field of fields) {
    const { visible, id, markup } = await field.evaluate((e) => ({ visible: e.checkVisibility(), id: e.id, markup: e.outerHTML.slice(0, 160) }));
    if (visible) {
      const node = await page.accessibility.snapshot({ root: field, interestingOnly: false });
      if (!node?.name?.trim()) unnamed.add(id ? `#${id}` : markup);
    }
    await field.dispose();
  }
  return [...unnamed];
}

/** The accessible names of the page's buttons and links written in Latin letters only ("Close", "Zoom in"). */
const englishNames = (page: Page) =>
  page.$$eval('button, a, [role="button"]', (els) =>
    els.flatMap((e) => [e.getAttribute('aria-label'), e.getAttribute('title')]).filter((n): n is string => !!n && /^[A-Za-z][A-Za-z -]*$/.test(n)),
  );

/** Opens a screen by its address, and waits until its data has arrived and nothing moves. */
async function visit(page: Page, path: string, ready = '.ant-card') {
  await page.goto(`${t.origin}${path}`, { waitUntil: 'networkidle0' });
  await page.waitForSelector(ready, { visible: true });
  await waitForStillness(page);
}

/** What has the focus: its id, its text, and whether it sits in an open dialog's form. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    return { tag: e?.tagName.toLowerCase(), id: e?.id ?? '', text: (e?.textContent ?? '').replace(/\s/g, ''), inDialogBody: !!e?.closest('.ant-modal-body') };
  });

/** Waits until a dialog is open and still, and answers its ✕'s accessible name. */
async function openDialogCloseName(page: Page) {
  await page.waitForSelector('.ant-modal-content', { visible: true });
  await waitForStillness(page);
  return page.$eval('.ant-modal-close', (b) => b.getAttribute('aria-label'));
}

/** Presses Escape in the open dialog and waits for it to be gone (removed, or hidden by antd). */
async function escapeDialog(page: Page) {
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => ![...document.querySelectorAll('.ant-modal-wrap')].some((w) => (w as HTMLElement).checkVisibility()));
  await waitForStillness(page);
}

describe('sweep 22c: every field named, Chinese names, focus kept by dialogs and shown in the menu', () => {
  it('F1: the keeper’s 盘点 差异原因 per batch, the filter selects, and the 收货 / 执行出库 / 报废 dialogs’ line fields all have a name', async () => {
    const keeper = await api('keeper');
    const director = await api('director');
    const approved = async (purpose: string, item: string, quantity: number) => {
      const { requestOutboundOrder: order } = await keeper(
        `mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { id number approval { id } } }`,
        { i: { storeId: WEIHUI, purpose, recipient: 'E2E无障碍检查', idempotencyKey: randomUUID(), lines: [{ itemId: itemId(item), quantity }] } },
      );
      await director(`mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { status } }`, {
        i: { approvalId: order.approval.id, decision: 'APPROVE', approvalRef: '新应急〔2026〕22号' },
      });
      return order.number as string;
    };
    const relief = await approved('RELIEF', 'LIV-004', 2);
    const scrap = await approved('SCRAP', 'FLD-009', 1);

    const { page } = await open('keeper');
    await visit(page, '/keeper/stocktake', '[aria-label^="实盘 批号"]');
    // Named as 实盘 is: by the column and the row's batch.
    const reasons = await page.$$eval('input[id^="counts_"][id$="_reason"]', (es) => es.map((e) => e.getAttribute('aria-label')));
    expect(reasons.length).toBeGreaterThan(0);
    for (const name of reasons) expect(name).toMatch(/^差异原因 批号 \S+$/);
    expect(await unnamedFields(page)).toEqual([]);
    for (const path of ['/keeper/stock', '/keeper/documents']) {
      await visit(page, path);
      expect({ path, unnamed: await unnamedFields(page) }).toEqual({ path, unnamed: [] });
    }

    await visit(page, '/keeper/transfers');
    await clickRowButton(page, DEMO_TRANSFER, '收货');
    await page.waitForSelector('#receive_lines_0_quantity', { visible: true });
    await waitForStillness(page);
    expect(await page.$eval('#receive_lines_0_quantity', (e) => e.getAttribute('aria-label'))).toMatch(/^实收 批号 \S+$/);
    expect(await page.$eval('#receive_lines_0_discrepancyReason', (e) => e.getAttribute('aria-label'))).toMatch(/^差异原因 批号 \S+$/);
    expect(await unnamedFields(page, '.ant-modal')).toEqual([]);
    await escapeDialog(page);

    await visit(page, '/keeper/orders');
    await clickRowButton(page, relief, '执行出库');
    await page.waitForSelector('#execute_lines_0_quantity', { visible: true });
    await waitForStillness(page);
    expect(await page.$eval('#execute_lines_0_quantity', (e) => e.getAttribute('aria-label'))).toMatch(/^本次出库 棉被/);
    expect(await unnamedFields(page, '.ant-modal')).toEqual([]);
    await escapeDialog(page);

    await clickRowButton(page, scrap, '报废');
    await page.waitForSelector('#scrap_lines_0_quantity', { visible: true });
    await waitForStillness(page);
    expect(await unnamedFields(page, '.ant-modal')).toEqual([]);
    expect(await page.$eval('#scrap_lines_0_batchId', (e) => e.getAttribute('aria-label'))).toBe('批次 第 1 行');
    // F5: 报废 shows a loading dialog first, then its form: closed, the focus is on the row's 报废 again.
    await escapeDialog(page);
    expect(await focused(page)).toMatchObject({ tag: 'button', text: '报废' });
  });

  // One test per user: the four in one test passed 120 s on a loaded machine (CI load 25).
  it.each<[string, string[]]>([
    [
      'dispatcher',
      ['/alerts', '/dispatch/orders', '/dispatch/neighbours', '/dispatch/reserves', '/dispatch/relief-standards', '/settlements', '/dispatch/map'],
    ],
    ['director', ['/dispatch/approvals']],
    ['auditor', ['/audit/log', '/audit/journal']],
    ['admin', ['/alerts', '/admin/quotas', '/admin/stores', '/dispatch/reserves', '/dispatch/relief-standards', '/admin/joint-reserves']],
  ])('F1: the %s’s filter selects (and the administrator’s 新建联储协议 fields) have a name', async (username, paths) => {
    const { page } = await open(username);
    for (const path of paths) {
      await visit(page, path);
      expect({ username, path, unnamed: await unnamedFields(page) }).toEqual({ username, path, unnamed: [] });
    }
    if (username === 'admin') {
      await clickText(page, 'button', '新建联储协议');
      await page.waitForSelector('#joint_regionCodes', { visible: true });
      await waitForStillness(page);
      expect(await unnamedFields(page, '.ant-modal')).toEqual([]);
    }
  });

  it('F3: the map’s zoom buttons are 放大/缩小 and a dialog’s ✕ is 关闭 — no English name on the map screen or in the 修改密码 dialog', async () => {
    const { page } = await open('dispatcher');
    await visit(page, '/dispatch/map', '.leaflet-control-zoom-in');
    expect(await page.$eval('.leaflet-control-zoom-in', (a) => [a.getAttribute('aria-label'), a.getAttribute('title')])).toEqual(['放大', '放大']);
    expect(await page.$eval('.leaflet-control-zoom-out', (a) => [a.getAttribute('aria-label'), a.getAttribute('title')])).toEqual(['缩小', '缩小']);
    expect(await englishNames(page)).toEqual([]);
    // Every antd dialog: 修改密码 is on every screen.
    await clickText(page, 'button', '修改密码');
    expect(await openDialogCloseName(page)).toBe('关闭');
    expect(await englishNames(page)).toEqual([]);
    await escapeDialog(page);
  });

  it('F5 (WAI-ARIA dialog): 驳回 opened by keyboard puts the focus in 驳回理由, and Escape gives it back to the 驳回 button; so does 修改密码', async () => {
    const keeper = await api('keeper');
    const { requestOutboundOrder: order } = await keeper(`mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { number } }`, {
      i: { storeId: WEIHUI, purpose: 'DRILL', recipient: 'E2E焦点检查', idempotencyKey: randomUUID(), lines: [{ itemId: itemId('LIV-004'), quantity: 1 }] },
    });
    const { page } = await open('director');
    await visit(page, '/dispatch/approvals', '.ant-table-row');
    const reject = `::-p-xpath(//tr[contains(., ${JSON.stringify(order.number)})]//button[contains(translate(normalize-space(.), ' ', ''), "驳回")])`;
    await (await page.waitForSelector(reject, { visible: true }))!.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.ant-modal textarea', { visible: true });
    await waitForStillness(page);
    expect(await focused(page)).toMatchObject({ tag: 'textarea', inDialogBody: true });
    await escapeDialog(page);
    expect(await focused(page)).toMatchObject({ tag: 'button', text: '驳回' });
    // The button is the one of this row.
    expect(await page.evaluate(() => document.activeElement?.closest('tr')?.textContent)).toContain(order.number);

    // The header's 修改密码 (a FormDialog like most of the console's): first field on open, the button again on close.
    await (await page.waitForSelector('::-p-xpath(//button[contains(., "修改密码")])'))!.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.ant-modal-body input', { visible: true });
    await waitForStillness(page);
    const first = await page.$eval('.ant-modal-body input', (e) => e.id);
    expect(await focused(page)).toMatchObject({ id: first, inDialogBody: true });
    await escapeDialog(page);
    expect(await focused(page)).toMatchObject({ tag: 'button', text: '修改密码' });
  });

  it('F9 (WCAG 2.4.7): the side menu item reached by Tab is outlined; the others are not', async () => {
    const { page } = await open('keeper');
    await visit(page, '/keeper/receive', '#lines_0_itemId');
    const links = await page.$$('.shell-sider .ant-menu-item a');
    expect(links.length).toBeGreaterThan(3);
    await links[1].focus();
    await page.keyboard.press('Tab');
    const look = () =>
      page.$$eval('.shell-sider .ant-menu-item', (items) =>
        items.map((li) => {
          const s = getComputedStyle(li);
          return {
            focused: li.contains(document.activeElement) && document.activeElement!.matches(':focus-visible'),
            shown: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none',
          };
        }),
      );
    const items = await look();
    expect(items.filter((i) => i.focused)).toHaveLength(1);
    expect(items.findIndex((i) => i.focused)).toBe(2);
    for (const item of items) expect(item.shown).toBe(item.focused);
    for (const link of links) await link.dispose();
  });
});
