import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickText, pickOption, screenshot, waitForStillness, waitForText } from '../support/browser.ts';
import { useConsoleFlows } from '../support/console-flows.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { itemId } from '../../seeds/reference.ts';

// The incident and dispatch leftovers of sweeps 21b and 23c. 21b F5 (D15, D23): a county-wide incident was FORBIDDEN to
// the dispatcher of a township inside it (its keepers read it); the township's dispatcher now finds it under 事件, marked
// 仅查看, and its page shows what it is and where — no figures, plans, forms or actions. 23c F7 (D14, D28): 提交方案 of a
// suggestion made stale by another plan submitted another plan (the server plans afresh) without a word; the page now
// says what changed, line by line.
const { t, open, api } = useConsoleFlows();

const QUILT = itemId('LIV-004'); // 棉被
const TOWN = '410781100000'; // a township of 卫辉市

async function clickMap(page: Page, dx: number, dy: number) {
  const map = (await (await page.waitForSelector('.leaflet-container'))!.boundingBox())!;
  await waitForStillness(page);
  await page.mouse.click(map.x + map.width / 2 + dx, map.y + map.height / 2 + dy);
}

describe('sweep 21b F5: a county-wide incident on the township dispatcher’s console', () => {
  it('D15, D23: listed under 事件 marked 仅查看; its page shows it read-only — no 物资收支, forms, plans or 结束事件', async () => {
    const admin = await api('admin');
    await admin(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
      i: { username: 'e2e-town-disp', displayName: 'E2E乡镇调度员', password: TEST_PASSWORD, role: 'DISPATCHER', regionCode: TOWN },
    });
    const dispatcher = await api('dispatcher');
    const { createIncident } = await dispatcher(`mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, {
      i: { name: 'E2E卫辉市全域洪涝', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 }, affectedPopulation: 2400 },
    });

    const { page } = await open('e2e-town-disp');
    await page.goto(`${t.origin}/dispatch/incidents`, { waitUntil: 'domcontentloaded' });
    const row = await page.waitForSelector('::-p-xpath(//tr[contains(., "E2E卫辉市全域洪涝")])');
    expect(await row!.evaluate((r) => r.textContent)).toContain('仅查看');
    await clickText(page, 'a', 'E2E卫辉市全域洪涝');
    await page.waitForSelector('[data-testid="incident-reference-only"]');
    await page.waitForSelector('.leaflet-container');
    await waitForStillness(page);
    const text = await page.$eval('body', (b) => b.innerText);
    expect(text).toContain('本事件由卫辉市指挥处置');
    expect(text).toContain('只能查看事件的基本信息');
    expect(text).toContain('2400');
    for (const absent of ['物资收支 Excel', '生成方案', '提交方案', '添加安置点', '结束事件', '已救助户数', '找不到该事件'])
      expect(text, absent).not.toContain(absent);
    expect(page.url()).toContain(`/dispatch/incidents/${createIncident.id}`);
    await screenshot(page, 'dispatch-leftovers-21b-f5-reference');
  });
});

describe('sweep 23c F7: 提交方案 of a stale suggestion says what changed', () => {
  it('D14, D28: another plan takes the suggested store’s quilts; the submitted plan’s other source is named beside the suggestion', async () => {
    const dispatcher = await api('dispatcher');
    const director = await api('director');
    const { createIncident } = await dispatcher(`mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, {
      i: { name: 'E2E过期建议', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } },
    });
    const { page } = await open('dispatcher');
    await page.goto(`${t.origin}/dispatch/incidents/${createIncident.id}`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.leaflet-container');
    await clickMap(page, 90, 70);
    await page.waitForSelector('[id="destinations_0_lines_0_itemId"]');
    await pickOption(page, 'destinations_0_lines_0_itemId', '棉被');
    await page.type('#destinations_0_lines_0_quantity', '30');
    await clickText(page, 'button', '生成方案');
    await waitForText(page, '建议方案');
    // What the suggestion counted on: its first source store — now taken by another incident's plan, approved (reserved).
    const lat = Number(await page.$eval('#destinations_0_lat', (e) => (e as HTMLInputElement).value));
    const lng = Number(await page.$eval('#destinations_0_lng', (e) => (e as HTMLInputElement).value));
    const { suggestDispatchPlan } = await dispatcher(
      `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { lines { store { id name } tier } } }`,
      { i: { incidentId: createIncident.id, destinations: [{ name: '安置点1', regionCode: TOWN, lat, lng, lines: [{ itemId: QUILT, quantity: 30 }] }] } },
    );
    const source = suggestDispatchPlan.lines[0].store;
    const { stock } = await director(`query($f: StockFilter!) { stock(filter: $f, first: 100) { edges { node { available } } } }`, {
      f: { storeId: source.id, itemId: QUILT },
    });
    const available = stock.edges.reduce((n: number, e: any) => n + e.node.available, 0);
    expect(available).toBeGreaterThan(0);
    const other = await director(`mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, {
      i: { name: 'E2E抢先方案', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } },
    });
    // Requested at the store's own place: the planner takes that store first, all it has.
    const { store } = await director(`query($id: ID!) { store(id: $id) { location { lat lng } region { code } } }`, { id: source.id });
    const { requestDispatch } = await director(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id lines { store { id } quantity } } }`, {
      i: {
        incidentId: other.createIncident.id,
        deadlineHours: 48,
        destinations: [
          {
            name: '抢先安置点',
            regionCode: store.region.code,
            lat: store.location.lat,
            lng: store.location.lng,
            lines: [{ itemId: QUILT, quantity: available }],
          },
        ],
      },
    });
    expect(requestDispatch.lines.filter((l: any) => l.store?.id === source.id).reduce((n: number, l: any) => n + l.quantity, 0)).toBe(available);
    await director(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { status } }`, { p: requestDispatch.id });

    await clickText(page, 'button', '提交方案');
    const alert = await page.waitForSelector('[data-testid="plan-changed"]');
    const said = (await alert!.evaluate((e) => e.textContent)) ?? '';
    expect(said).toContain('库存已变化，提交的方案与建议不同：');
    expect(said).toContain(`安置点1 · 棉被：建议 ${source.name}（本级）30 床`);
    expect(said).toMatch(/；提交 /);
    expect(said.split('；提交 ')[1]).not.toContain(source.name);
    await screenshot(page, 'dispatch-leftovers-23c-f7-changed');
  });

  it('an unchanged plan submitted says nothing of changes', async () => {
    const dispatcher = await api('dispatcher');
    const { createIncident } = await dispatcher(`mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, {
      i: { name: 'E2E未变建议', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } },
    });
    const { page } = await open('dispatcher');
    await page.goto(`${t.origin}/dispatch/incidents/${createIncident.id}`, { waitUntil: 'domcontentloaded' });
    await clickMap(page, 90, 70);
    await page.waitForSelector('[id="destinations_0_lines_0_itemId"]');
    await pickOption(page, 'destinations_0_lines_0_itemId', '棉被');
    await page.type('#destinations_0_lines_0_quantity', '2');
    await clickText(page, 'button', '生成方案');
    await waitForText(page, '建议方案');
    await clickText(page, 'button', '提交方案');
    await page.waitForSelector('[data-testid="plan-title"]');
    await waitForStillness(page);
    expect(await page.$('[data-testid="plan-changed"]')).toBeNull();
  });
});
