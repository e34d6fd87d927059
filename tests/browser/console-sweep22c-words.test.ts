import { describe, expect, it } from 'vitest';
import { clickText, waitForText } from '../support/browser.ts';
import { useConsoleFlows } from '../support/console-flows.ts';

// Sweep 22c, console words: F8 (D21) 估值 by 仓库 added up pieces of different units (顶 + 床 + 条) into one 在库数量;
// a quantity is shown only where the groups are by item. F11 (D22) 审计日志 read a refused login as 「登录 — 未登录」 (the
// UNAUTHENTICATED code's label); it reads 登录失败. Each flow fails on a console error or a foreign request.
const { t, open } = useConsoleFlows();

const NO_QUANTITY = '—';
/** The cells of the valuation table's rows and of its 合计 row: 分组… | 在库数量 | 在库金额 | 在途数量 | 在途金额. */
const rowsOf = (page: Awaited<ReturnType<typeof open>>['page']) =>
  page.$$eval('.ant-table-tbody .ant-table-row', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')));
const totalOf = (page: Awaited<ReturnType<typeof open>>['page']) =>
  page.$$eval('[data-testid="valuation-total-row"] td', (tds) => tds.map((td) => td.textContent?.trim() ?? ''));

describe('sweep 22c: words the auditor reads', () => {
  it('D21 (F8): 估值 by 仓库 shows no quantity (—) where a store mixes items; by 物资 each row has its count', async () => {
    const { page } = await open('auditor');
    await waitForText(page, '储备物资估值');
    await page.waitForSelector('[data-testid="valuation-total-row"]');
    const byStore = await rowsOf(page);
    expect(byStore.length).toBeGreaterThan(1);
    for (const cells of byStore) {
      expect([cells[1], cells[3]]).toEqual([NO_QUANTITY, NO_QUANTITY]);
      expect(cells[2]).toMatch(/^¥[\d,]+\.\d{2}$/);
    }
    const total = await totalOf(page);
    expect([total[0], total[1], total[3]]).toEqual(['合计', NO_QUANTITY, NO_QUANTITY]);

    await page.goto(`${t.origin}/audit/valuation?groupBy=ITEM`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('[data-testid="valuation-total-row"]');
    // Grouped by item, each row's 在库数量 is its count.
    await page.waitForFunction(() => /^[\d,]+$/.test(document.querySelector('.ant-table-tbody .ant-table-row td:nth-child(2)')?.textContent?.trim() ?? ''));
    const byItem = await rowsOf(page);
    expect(byItem.length).toBeGreaterThan(1);
    for (const cells of byItem) expect(cells[1]).toMatch(/^[\d,]+$/);
    // Several items: their pieces are not added up in 合计 either.
    expect((await totalOf(page))[1]).toBe(NO_QUANTITY);
  });

  it('D22 (F11): a wrong-password login reads 登录失败 in 审计日志, not 未登录; the result filter names it', async () => {
    const refused = await fetch(`${t.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { login(username: "auditor", password: "wrong-pass-22c") { token } }' }),
    });
    expect(((await refused.json()) as { errors?: { extensions: { code: string } }[] }).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');

    const { page } = await open('auditor');
    await clickText(page, 'a', '审计日志');
    const row = '//tr[contains(@class, "ant-table-row") and contains(., "用户名或密码错误")]';
    await page.waitForSelector(`::-p-xpath(${row})`);
    const cells = await page.$eval(`::-p-xpath((${row})[1])`, (r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? ''));
    expect(cells).toContain('登录');
    expect(cells).toContain('登录失败');
    expect(cells).not.toContain('未登录');
    // The result filter offers it by the same words.
    await page.click('[aria-label="结果"]');
    await waitForText(page, '登录失败/未登录');
  });
});
