import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickText, pickOption, screenshot, waitForText } from '../support/browser.ts';
import { useConsoleFlows } from '../support/console-flows.ts';

// 预警: the API's alerts (D10, D14, D19, D22, D26, D27, D29) on a screen of every role — a keeper's stores, a
// dispatcher's region —, critical ones first, counted by kind and filtered by kind; the side menu counts the critical.
const { open, api } = useConsoleFlows();

const EXPIRED_BATCH = 'WH-JSY-2104'; // 救生衣 400 件 at 卫辉市救灾物资储备库, expired (demo data)
const KEEPER_STORES = ['卫辉市救灾物资储备库', '汲水镇第一小学安置点', '唐庄镇中心学校安置点'];

/** The alerts table's rows, top to bottom, as their cells' text by column heading. */
async function alertRows(page: Page): Promise<Record<string, string>[]> {
  await page.waitForSelector('.ant-table-row');
  const headings = await page.$$eval('.ant-table-thead th', (ths) => ths.map((th) => (th as HTMLElement).innerText.trim()));
  const rows = await page.$$eval('.ant-table-row', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText.trim())));
  return rows.map((cells) => Object.fromEntries(headings.map((h, i) => [h, cells[i]])));
}

describe('预警 (alerts) in the console', () => {
  it('D26: the keeper sees the expired batch of their store as 严重 已过期 with its message, only their stores, and follows it to its trace', async () => {
    const { page } = await open('keeper');
    await clickText(page, 'a', '预警');
    await page.waitForFunction(() => location.pathname === '/alerts');
    await waitForText(page, EXPIRED_BATCH);
    await waitForText(page, '已过期');

    const rows = await alertRows(page);
    const expired = rows.find((r) => r['内容'].includes(EXPIRED_BATCH))!;
    expect(expired['级别']).toBe('严重');
    expect(expired['类型']).toBe('已过期');
    expect(expired['内容']).toMatch(/^卫辉市救灾物资储备库：救生衣 批次 WH-JSY-2104 有效期至 \d{4}-\d{2}-\d{2}，已过期，在库 400 件，已冻结，请轮换或报废$/);
    expect(expired['仓库/区划']).toBe('卫辉市救灾物资储备库');
    // D26: due when the batch freezes, 00:00 China time on the day after its expiry date (sweep 16c F6).
    const expiry = /有效期至 (\d{4}-\d{2}-\d{2})/.exec(expired['内容'])![1];
    expect(expired['截止']).toBe(`${DateTime.fromISO(expiry).plus({ days: 1 }).toISODate()} 00:00`);
    // Critical ones first; a keeper is told of their own stores only (no quota or reconciliation alerts, D19, D22).
    const severities = rows.map((r) => r['级别']);
    expect(severities).toEqual([...severities].sort((a, b) => Number(b === '严重') - Number(a === '严重')));
    for (const r of rows.filter((x) => ['已过期', '即将到期'].includes(x['类型']))) expect(KEEPER_STORES).toContain(r['仓库/区划']);
    expect(rows.map((r) => r['类型'])).not.toContain('低于定额');
    await screenshot(page, 'alerts-keeper');

    await clickText(page, 'a', EXPIRED_BATCH);
    await page.waitForFunction(() => location.pathname.startsWith('/batches/'));
    await waitForText(page, `批次追溯 ${EXPIRED_BATCH}`);
  });

  it('the dispatcher sees the alerts of 新乡市 counted by kind and filters them by kind (D19, D26)', async () => {
    const { alerts } = await (await api('dispatcher'))(`{ alerts { kind severity } }`);
    const expected = (kind: string) => alerts.filter((a: { kind: string }) => a.kind === kind).length;
    expect(expected('EXPIRED')).toBeGreaterThanOrEqual(1);
    expect(expected('BELOW_QUOTA')).toBeGreaterThanOrEqual(1);

    const { page } = await open('dispatcher');
    await clickText(page, 'a', '预警');
    await page.waitForFunction(() => location.pathname === '/alerts');
    await waitForText(page, EXPIRED_BATCH);
    // The counts at the top: 严重 and one per kind, as the API lists them.
    const counts = await page.$eval('[data-testid="alert-counts"]', (e) => (e as HTMLElement).innerText);
    expect(counts).toContain('严重');
    expect(counts.replace(/\s+/g, ' ')).toContain(`低于定额 ${expected('BELOW_QUOTA')}`);
    expect(counts.replace(/\s+/g, ' ')).toContain(`已过期 ${expected('EXPIRED')}`);
    expect((await alertRows(page))[0]['级别']).toBe('严重');

    await pickOption(page, 'alerts-kind', '低于定额');
    await page.waitForFunction(() => !document.body.innerText.includes('WH-JSY-2104'));
    const quota = await alertRows(page);
    expect(quota.length).toBe(Math.min(expected('BELOW_QUOTA'), 20));
    for (const r of quota) {
      expect(r['类型']).toBe('低于定额');
      expect(r['级别']).toBe('提醒');
      expect(r['内容']).toMatch(/低于储备定额/);
    }

    await pickOption(page, 'alerts-kind', '已过期');
    await waitForText(page, EXPIRED_BATCH);
    const expired = await alertRows(page);
    expect(expired.length).toBe(expected('EXPIRED'));
    for (const r of expired) expect(r['类型']).toBe('已过期');
    await screenshot(page, 'alerts-dispatcher');
  });
});
