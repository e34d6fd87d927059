import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import {
  ARTEFACTS,
  clickModalOk,
  clickText,
  logIn,
  openWatchedPage,
  pickOption,
  screenshot,
  useConsoleUnderTest,
  waitForText,
  type WatchedPage,
} from '../support/browser.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Issue 14: the console's flows in a real Chromium, as the demo users. Every flow fails on a console error or on a
// request that leaves the server's origin (the console must work offline).
const t = useConsoleUnderTest();
let current: WatchedPage | undefined;

async function open(username: string) {
  current = await openWatchedPage(t);
  await logIn(t, current, username);
  return current;
}

afterEach(async (ctx) => {
  const problems = current?.problems ?? [];
  if (current && ctx.task.result?.state === 'fail') await screenshot(current.page, `failed-${ctx.task.name.slice(0, 40)}`);
  await current?.page.close();
  current = undefined;
  expect(problems).toEqual([]);
});

describe('console in a real browser', () => {
  it('keeper receives a batch (D7 purchase fields) and sees it in stock; executes an approved issue and cannot exceed it (D23)', async () => {
    const { page } = await open('keeper');
    await waitForText(page, '本库库存');
    await page.waitForSelector('.ant-table-row');
    await screenshot(page, 'keeper-home');

    await clickText(page, 'a', '入库');
    await page.waitForSelector('[id="lines_0_itemId"]');
    await pickOption(page, 'lines_0_itemId', '棉被');
    await page.type('#lines_0_quantity', '50');
    await page.type('#lines_0_batchNo', 'E2E-MB-0001');
    await page.type('#contractNo', 'ZFCG-E2E-01');
    await page.type('#inspectionReportNo', 'YS-E2E-01');
    await page.click('button[type="submit"]');
    await waitForText(page, '已过账');

    await clickText(page, 'button', '查看库存');
    await pickOption(page, 'stock-item', '棉被');
    await waitForText(page, 'E2E-MB-0001');

    // D23, D24: 申请出库 in the console, approved by another person (the dispatcher), executed — never beyond it.
    await clickText(page, 'a', '出库');
    await clickText(page, 'div[@role="tab"]', '申请出库');
    await pickOption(page, 'request_lines_0_itemId', '棉被');
    await page.type('#request_lines_0_quantity', '30');
    await page.type('#request_recipient', '唐庄镇安置点');
    await clickText(page, 'button', '提交申请');
    await waitForText(page, '等待审批');
    await approveAs('dispatcher', 'OUTBOUND_ORDER');

    await page.reload({ waitUntil: 'domcontentloaded' });
    await clickText(page, 'button', '执行出库');
    await pickOption(page, 'execute_reason', '救灾发放');
    await page.click('#execute_lines_0_quantity', { count: 3 });
    await page.type('#execute_lines_0_quantity', '31');
    await clickModalOk(page);
    await page.waitForFunction(() => [...document.querySelectorAll('.ant-form-item-explain-error')].some((e) => e.textContent?.startsWith('超出出库申请')));
    await page.click('#execute_lines_0_quantity', { count: 3 });
    await page.type('#execute_lines_0_quantity', '30');
    await clickModalOk(page);
    await waitForText(page, '已过账');
  });

  it('dispatcher creates a flood on the map, generates a plan with routes and submits it; director approves (D24); the dispatcher sees it live and executes it', async () => {
    const { page } = await open('dispatcher');
    const map = await page.waitForSelector('.leaflet-container');
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-container canvas').length > 0);
    await screenshot(page, 'dispatcher-home');

    // An empty spot away from the zoom and scale controls.
    const box = (await map!.boundingBox())!;
    await page.mouse.click(box.x + box.width - 60, box.y + 60);
    await page.waitForSelector('#name', { visible: true });
    await page.type('#name', 'E2E洪涝');
    await clickText(page, 'button', '创建');
    await page.waitForFunction(() => location.pathname.startsWith('/dispatch/incidents/'));
    await waitForText(page, '安置点与需求');

    // A 安置点 by clicking beside the incident, with its demand.
    const incidentMap = (await (await page.waitForSelector('.leaflet-container'))!.boundingBox())!;
    await page.mouse.click(incidentMap.x + incidentMap.width / 2 + 90, incidentMap.y + incidentMap.height / 2 + 70);
    await page.waitForSelector('[id="destinations_0_lines_0_itemId"]');
    await pickOption(page, 'destinations_0_lines_0_itemId', '棉被');
    await page.type('#destinations_0_lines_0_quantity', '200');
    await clickText(page, 'button', '生成方案');
    await page.waitForSelector('path.plan-route');
    await waitForText(page, '建议方案');

    await clickText(page, 'button', '提交方案');
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent === '待批准');
    await page.waitForSelector('path.plan-route');

    // D24: director, the second person, approves it from the approvals queue; the dispatcher's page changes live.
    const director = await openWatchedPage(t);
    try {
      await logIn(t, director, 'director');
      await clickText(director.page, 'a', '审批');
      const approve = await director.page.waitForSelector(
        `::-p-xpath(//tr[contains(., "E2E洪涝")]//button[contains(translate(normalize-space(.), ' ', ''), "批准")])`,
      );
      await approve!.click();
      await clickModalOk(director.page);
      await waitForText(director.page, '已批准');
    } finally {
      await director.page.close();
    }
    expect(director.problems).toEqual([]);
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent === '已批准');
    await clickText(page, 'button', '执行');
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent === '执行中');
  });

  it('auditor reads the valuation as of a past date and downloads it as Excel', async () => {
    const { page } = await open('auditor');
    await waitForText(page, '储备物资估值');
    await page.waitForSelector('.ant-table-row');
    await screenshot(page, 'auditor-home');

    await page.click('#valuation-date');
    await page.keyboard.down('Control');
    await page.keyboard.press('a');
    await page.keyboard.up('Control');
    await page.keyboard.type('2025-12-31');
    await page.keyboard.press('Enter');
    await waitForText(page, '估值时点：2025-12-31 日终');
    await page.waitForSelector('.ant-table-row');
    expect(await page.$eval('.ant-statistic-content', (e) => e.textContent)).not.toBe('¥0.00');

    const downloads = join(ARTEFACTS, 'downloads');
    rmSync(downloads, { recursive: true, force: true });
    mkdirSync(downloads, { recursive: true });
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await clickText(page, 'button', '导出Excel');
    const file = await waitForFile(downloads, /\.xlsx$/);
    expect(readFileSync(file).subarray(0, 2).toString()).toBe('PK');
  });

  it('admin lands on the stores list; every screen of every role opens without an error', async () => {
    const { page } = await open('admin');
    await waitForText(page, '仓库');
    await page.waitForSelector('.ant-table-row');
    await screenshot(page, 'admin-home');
    await visitEveryScreen(page);
    const keeper = await openWatchedPage(t);
    try {
      await logIn(t, keeper, 'keeper');
      await visitEveryScreen(keeper.page);
    } finally {
      await keeper.page.close();
    }
    expect(keeper.problems).toEqual([]);
  });
});

/** Opens each screen of the side menu in turn and waits for its requests to settle. */
async function visitEveryScreen(page: Page) {
  const links = await page.$$eval('.ant-menu a', (as) => as.map((a) => a.getAttribute('href')!));
  expect(links.length).toBeGreaterThan(3);
  for (const href of links) {
    await page.click(`.ant-menu a[href="${href}"]`);
    await page.waitForFunction((h) => location.pathname === h, {}, href);
    await page.waitForSelector('.ant-card');
    await page.waitForNetworkIdle({ idleTime: 300, timeout: 30_000 });
  }
}

/** Approves, through the API as `username`, the newest pending approval of a kind (the second person of D24). */
async function approveAs(username: string, kind: string) {
  const gql = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const res = await fetch(`${t.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data;
  };
  const { login } = await gql(`mutation($p: String!) { login(username: "${username}", password: $p) { token } }`, { p: TEST_PASSWORD });
  const { approvals } = await gql(
    `query($kind: ApprovalKind) { approvals(filter: { status: PENDING, kind: $kind }, first: 100) { edges { node { id requestedAt } } } }`,
    { kind },
    login.token,
  );
  const newest = approvals.edges.map((e: any) => e.node).sort((a: any, b: any) => (a.requestedAt < b.requestedAt ? 1 : -1))[0];
  await gql(
    `mutation($id: ID!) { decideApproval(input: { approvalId: $id, decision: APPROVE, approvalRef: "新应急〔2026〕1号" }) { status } }`,
    { id: newest.id },
    login.token,
  );
}

async function waitForFile(dir: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const name = existsSync(dir) ? readdirSync(dir).find((f) => pattern.test(f)) : undefined;
    if (name) return join(dir, name);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no file matching ${pattern} in ${dir}`);
}
