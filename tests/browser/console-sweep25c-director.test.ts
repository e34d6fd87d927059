import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickText, screenshot, waitForText } from '../support/browser.ts';
import { useConsoleFlows } from '../support/console-flows.ts';

// Sweep 25c — the director's questions, on screen: "how much reached each township / 安置点?" (F5, D28: the incident's
// basicNeeds per 安置点 and item), "how fast?" (F9, D16, D28: when each plan was requested, approved, executed and
// completed, with the hours between), the header's 10-hour flag named for what it measures — goods received at the
// 安置点 — beside 已救助户数 (F12, D28, D29), and the D6 50 % physical floor on 储备缺口与覆盖 (F13). The demo flood in
// 卫辉市 has had its relief delivered (seeds/demo-relief.ts); the demo quotas of 新乡市 (seeds/demo-reserves.ts).
const { t, open, api } = useConsoleFlows();

const DEMO_INCIDENT = '卫辉市洪涝灾害（演示）';

/** An instant as the console writes it: China time, to the minute. */
const chinaMinute = (iso: string) => new Date(iso).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);
const hoursFrom = (from: string, to: string) => ((Date.parse(to) - Date.parse(from)) / 3_600_000).toFixed(1);

/** The text of each row's cells of the table under `selector`. */
const rowsOf = (page: Page, selector: string) =>
  page.$$eval(`${selector} .ant-table-tbody tr.ant-table-row`, (rows) =>
    rows.map((r) => ({ cells: [...r.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText.trim()), className: r.className })),
  );

describe('sweep 25c: the director reads per 安置点, how fast, what the 10-hour flag means, and the 50 % floor', () => {
  it('F5, F12 (D28, D29): the incident page lists each 安置点 and item — 乡镇, 需求, 已接收, 10 小时内接收, 达标 — as basicNeeds; the flag reads 物资送达安置点 beside 已救助户数', async () => {
    const director = await api('director');
    const { incidents } = await director(`query { incidents(first: 100) { edges { node { id name } } } }`);
    const id: string = incidents.edges.find((e: any) => e.node.name === DEMO_INCIDENT).node.id;
    const { incident } = await director(
      `query($id: ID!) { incident(id: $id) { basicNeedsMet householdsServed hoursSinceOccurred
         basicNeeds { store { id name region { name } } item { name unit } requested received receivedByDeadline met } } }`,
      { id },
    );
    expect(incident.basicNeeds.length).toBeGreaterThan(1);

    const { page } = await open('director');
    await page.goto(`${t.origin}/dispatch/incidents/${id}`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, '各安置点物资送达（灾后 10 小时）');
    await page.waitForSelector('[data-testid="point-needs"] .ant-table-row');
    // F12: the flag says what it measures; 已救助户数 stays beside it; no "基本生活得到救助" claimed of goods at a point.
    await waitForText(page, '灾后 10 小时内物资送达安置点');
    expect(await page.evaluate(() => document.body.innerText.includes('基本生活得到救助'))).toBe(false);
    await waitForText(page, '已救助户数');
    const flag = await page.$eval('[data-testid="basic-needs"]', (e) => e.textContent);
    const settled = incident.hoursSinceOccurred > 10;
    expect(flag).toBe(incident.basicNeedsMet ? '已达标' : settled ? '未达标' : '进行中');

    // F5: one row per 安置点 and item, the API's figures; the 安置点 and its 乡镇 named once over its items (rowSpan).
    const rows = await rowsOf(page, '[data-testid="point-needs"]');
    expect(rows).toHaveLength(incident.basicNeeds.length);
    let point: string[] = [];
    const shown = rows.map(({ cells }) => {
      if (cells.length === 7) point = cells.slice(0, 2);
      return [...point, ...cells.slice(-5)];
    });
    const qty = (n: number, unit: string) => `${n.toLocaleString('zh-CN')} ${unit}`;
    for (const n of incident.basicNeeds) {
      const row = shown.find((r) => r[0] === n.store.name && r[2] === n.item.name);
      expect(row, `${n.store.name} · ${n.item.name}`).toBeDefined();
      expect(row!.slice(1, 6)).toEqual([
        n.store.region.name,
        n.item.name,
        qty(n.requested, n.item.unit),
        qty(n.received, n.item.unit),
        qty(n.receivedByDeadline, n.item.unit),
      ]);
      expect(row![6]).toMatch(n.met ? /^达标$/ : settled ? /^未达标（缺 / : /^进行中（尚缺 /);
    }
    const short = new Set(incident.basicNeeds.filter((n: any) => !n.met).map((n: any) => n.store.id)).size;
    expect(await page.$eval('[data-testid="point-needs-summary"]', (e) => e.textContent)).toContain(
      short ? `${short} 个安置点未全部送达` : '各安置点均已在 10 小时内全部送达',
    );
    await screenshot(page, 'sweep25c-point-needs');
  });

  it('F9 (D16, D28): each plan shows when it was requested, approved, executed and completed, in China time, with the hours between', async () => {
    const director = await api('director');
    const { incidents } = await director(`query { incidents(first: 100) { edges { node { id name } } } }`);
    const id: string = incidents.edges.find((e: any) => e.node.name === DEMO_INCIDENT).node.id;
    const { incident } = await director(
      `query($id: ID!) { incident(id: $id) { occurredAt plans { id number emergency requestedAt approvedAt executedAt completedAt cancelledAt } } }`,
      { id },
    );
    const { page } = await open('director');
    await page.goto(`${t.origin}/dispatch/incidents/${id}`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('[data-testid="plan-timeline"]');
    const title = await page.$eval('[data-testid="plan-title"]', (e) => e.textContent ?? '');
    const plan = incident.plans.find((p: any) => title.includes(p.number));
    expect(plan, title).toBeDefined();
    expect(plan.approvedAt && plan.executedAt).toBeTruthy();
    const at = (key: string) => page.$eval(`[data-testid="plan-${key}-at"]`, (e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim());
    expect(await at('requested')).toBe(`${chinaMinute(plan.requestedAt)} 灾后 ${hoursFrom(incident.occurredAt, plan.requestedAt)} 小时`);
    const approval = plan.emergency ? '紧急批准' : '批准';
    expect(await at('approved')).toBe(
      `${chinaMinute(plan.approvedAt)} 申请后 ${hoursFrom(plan.requestedAt, plan.approvedAt)} 小时，灾后 ${hoursFrom(incident.occurredAt, plan.approvedAt)} 小时`,
    );
    expect(await at('executed')).toBe(
      `${chinaMinute(plan.executedAt)} ${approval}后 ${hoursFrom(plan.approvedAt, plan.executedAt)} 小时，灾后 ${hoursFrom(incident.occurredAt, plan.executedAt)} 小时`,
    );
    const last = plan.completedAt ?? plan.cancelledAt;
    const lastKey = !plan.completedAt && plan.cancelledAt ? 'cancelled' : 'completed';
    expect(await at(lastKey)).toBe(
      last ? `${chinaMinute(last)} 执行发运后 ${hoursFrom(plan.executedAt, last)} 小时，灾后 ${hoursFrom(incident.occurredAt, last)} 小时` : '—',
    );
    await screenshot(page, 'sweep25c-plan-timeline');
  });

  it('F13 (D6): 储备缺口与覆盖 shows each region quota’s government physical stock against 50 %, the failing items marked', async () => {
    const dispatcher = await api('dispatcher');
    const { reserveFloor } = await dispatcher(
      `query { reserveFloor(regionCode: "410700") { region { name } meetsFloor share lines { item { name unit } quota physical share meetsFloor } } }`,
    );
    const lines = reserveFloor.flatMap((f: any) => f.lines.map((l: any) => ({ ...l, region: f.region.name })));
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.some((l: any) => !l.meetsFloor)).toBe(true);

    const { page } = await open('dispatcher');
    await clickText(page, 'a', '储备缺口与覆盖');
    await page.waitForSelector('[data-testid="reserve-floor"] .ant-table-row');
    await waitForText(page, '政府实物储备应不低于储备定额的 50%');
    const rows = await rowsOf(page, '[data-testid="reserve-floor"]');
    expect(rows).toHaveLength(lines.length);
    const qty = (n: number, unit: string) => `${n.toLocaleString('zh-CN')} ${unit}`;
    for (const l of lines) {
      const row = rows.find((r) => r.cells[0] === l.region && r.cells[1] === l.item.name);
      expect(row, `${l.region} · ${l.item.name}`).toBeDefined();
      expect(row!.cells.slice(2, 5)).toEqual([qty(l.quota, l.item.unit), qty(l.physical, l.item.unit), `${Math.floor(l.share * 1000) / 10}%`]);
      // The failing items marked — red, saying how much more physical stock the floor needs — and listed first.
      if (l.meetsFloor) expect(row!.cells[5]).toBe('达标');
      else {
        expect(row!.cells[5]).toBe(`未达标（差 ${qty(Math.ceil(l.quota / 2) - l.physical, l.item.unit)}）`);
        expect(row!.className).toContain('reserve-floor-short');
      }
    }
    const failing = rows.filter((r) => r.cells[5] !== '达标').length;
    expect(rows.slice(0, failing).every((r) => r.cells[5].startsWith('未达标'))).toBe(true);
    const summary = await page.$eval('[data-testid="reserve-floor-summary"]', (e) => e.textContent ?? '');
    for (const f of reserveFloor)
      expect(summary).toContain(f.meetsFloor ? `${f.region.name}达标` : `${f.region.name}未达标（最低 ${Math.floor(f.share * 1000) / 10}%）`);
    await screenshot(page, 'sweep25c-reserve-floor');
  });
});
