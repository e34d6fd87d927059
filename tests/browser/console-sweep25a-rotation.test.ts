import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickStill, rowByHeading, waitForText } from '../support/browser.ts';
import { useConsoleFlows } from '../support/console-flows.ts';

// Sweep 25a F1 (D10, D26): batches past their rotate-by date but not expired (棉帐篷 XX-MZP-1904 at 新乡市救灾物资储备库 —
// no keeper in the demo) showed nowhere in the console for the city: 轮换到期 was the keeper's only. The dispatcher and
// the auditor now read their region's list — the keeper's table, its columns, 合计 and Excel — read only: rotating is
// the keeper's, against an approved order (D24, D26). What each may read is the API's rotationDue scope.
const { open, api } = useConsoleFlows();

const CITY = '410700'; // 新乡市
const OVERDUE_BATCH = 'XX-MZP-1904'; // 棉帐篷 at 新乡市救灾物资储备库, rotate-by 2026-04-01, expires 2027-04-01 (demo data)

interface Due {
  store: { name: string };
  batch: { batchNo: string };
  value: string;
  daysLeft: number;
  expired: boolean;
}

const DUE_FIELDS = `store { name } batch { batchNo } value daysLeft expired`;
const stateOf = (d: Due) => (d.expired ? '已过期' : d.daysLeft < 0 ? '逾期' : '待轮换');
/** ¥1,234.50 from decimal strings, summed exactly in fen. */
function moneyTotal(lines: Due[]): string {
  const fen = lines.reduce((s, d) => s + Math.round(Number(d.value) * 100), 0);
  return `¥${Math.floor(fen / 100).toLocaleString('en-US')}.${String(fen % 100).padStart(2, '0')}`;
}

/** Waits for the 轮换到期 table (its 状态 column) and answers every row's 批号 and the buttons in the table. */
async function readRotationList(page: Page) {
  await page.waitForFunction(() => [...document.querySelectorAll('.ant-table-thead th')].some((th) => th.textContent === '状态'));
  await page.waitForSelector('.ant-table-row');
  await page.waitForNetworkIdle({ idleTime: 300 });
  const batchNos = await page.$$eval('.ant-table-row', (rows) => rows.map((r) => (r.querySelectorAll('td')[2] as HTMLElement).innerText.trim()));
  const buttons = await page.$$eval('.ant-table button', (bs) => bs.map((b) => (b as HTMLElement).innerText.replace(/\s/g, '')));
  const totals = await page.$eval('[data-testid="rotation-totals"]', (e) => (e as HTMLElement).innerText);
  return { batchNos, buttons, totals };
}

describe('sweep 25a F1: the city reads 轮换到期 (D10, D26)', () => {
  for (const username of ['dispatcher', 'auditor']) {
    it(`D10, D24: ${username} reads 新乡市's batches due for rotation — the overdue 棉帐篷 as 逾期, the 合计 of the API's values — with no 轮换`, async () => {
      const { rotationDue } = (await (
        await api(username)
      )(`query($r: String) { rotationDue(regionCode: $r, withinMonths: 12) { ${DUE_FIELDS} } }`, { r: CITY })) as {
        rotationDue: Due[];
      };
      const overdue = rotationDue.find((d) => d.batch.batchNo === OVERDUE_BATCH)!;
      expect(overdue).toMatchObject({ store: { name: '新乡市救灾物资储备库' }, expired: false });
      expect(overdue.daysLeft).toBeLessThan(0);
      expect(rotationDue.length).toBeLessThanOrEqual(20); // one page of the table

      const { page } = await open(username);
      await clickStill(page, '.ant-menu a[href="/rotation-due"]');
      const { batchNos, buttons, totals } = await readRotationList(page);
      expect(batchNos.sort()).toEqual(rotationDue.map((d) => d.batch.batchNo).sort());
      // Read only: no 轮换 (nor any other action) in the table.
      expect(buttons).toEqual([]);

      const row = await rowByHeading(page, OVERDUE_BATCH);
      expect(row).toMatchObject({ 仓库: '新乡市救灾物资储备库', 物资: '棉帐篷', 应轮换日期: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), 状态: '逾期' });
      expect(row['剩余天数']).toBe(`逾期 ${(-overdue.daysLeft).toLocaleString('zh-CN')} 天`);
      for (const d of rotationDue) expect((await rowByHeading(page, d.batch.batchNo))['状态']).toBe(stateOf(d));

      // Totals: per status and in all, as the API's values add up; the table's 合计 row the same.
      expect(totals).toContain(moneyTotal(rotationDue.filter((d) => stateOf(d) === '逾期')));
      expect(totals).toContain(moneyTotal(rotationDue));
      await waitForText(page, `合计（${rotationDue.length} 批）`);
      const summary = await page.$eval('.ant-table-summary', (e) => (e as HTMLElement).innerText);
      expect(summary).toContain(moneyTotal(rotationDue));
      // The Excel of the same list.
      await page.waitForSelector('::-p-xpath(//div[contains(@class, "ant-card-extra")]//button[contains(., "导出")])');
    });
  }

  it('D23: the keeper’s 轮换到期 is unchanged — its own store’s batches, each with 轮换', async () => {
    const { rotationDue } = (await (await api('keeper'))(`query { rotationDue(withinMonths: 12) { ${DUE_FIELDS} } }`)) as { rotationDue: Due[] };
    expect(new Set(rotationDue.map((d) => d.store.name))).toEqual(new Set(['卫辉市救灾物资储备库']));

    const { page } = await open('keeper');
    await clickStill(page, '.ant-menu a[href="/keeper/rotation"]');
    const { batchNos, buttons, totals } = await readRotationList(page);
    expect(batchNos.sort()).toEqual(rotationDue.map((d) => d.batch.batchNo).sort());
    expect(batchNos).not.toContain(OVERDUE_BATCH);
    expect(buttons).toEqual(rotationDue.map(() => '轮换'));
    expect(totals).toContain(moneyTotal(rotationDue));
  });
});
