import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickModalOk, clickText, pickOption, screenshot, waitForStillness, waitForText } from '../support/browser.ts';
import { clickRowButton, retype, useConsoleFlows } from '../support/console-flows.ts';
import { itemId } from '../../seeds/reference.ts';

// Sweep 19a, the dispatcher's and director's console. F2: a refusal at a 安置点's name (D29: one name, one 安置点 of the
// incident) showed no text — the name sat in the card's title as a bare field. F7 (D23, D24): after 提交方案 the rows
// sent stayed in the form, and the next 安置点 added re-requested them all without a question. F3 (D24): the 审批 queue
// named no plan — two plans of one incident were identical rows. F8: a refusal because the plan was cancelled meanwhile
// read 「该审批已有决定」 and the dead row stayed. F11 (D30): 完好物资入库仓库 offered every store, 安置点 first.
const { t, open, api } = useConsoleFlows();

const QUILT = itemId('LIV-004'); // 棉被
const TENT = itemId('LIV-001'); // 棉帐篷
/** 汲水镇 (卫辉市): where the first 安置点 of each incident below is, by the API. */
const POINT = { regionCode: '410781100000', lat: 35.3985, lng: 114.065 };

type Gql = (query: string, variables?: Record<string, unknown>) => Promise<any>;

/** The 调拨令 number the server names a plan by (server/paperwork/print/plan.ts planNumber). */
const planNumber = (id: string, requestedAt: string) =>
  `DL-${DateTime.fromISO(requestedAt).setZone('Asia/Shanghai').toFormat('yyyyLLdd')}-${id.slice(0, 8).toUpperCase()}`;

async function createIncident(dispatcher: Gql, name: string): Promise<string> {
  const { createIncident } = await dispatcher(`mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, {
    i: { name, type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } },
  });
  return createIncident.id;
}

async function requestPlan(dispatcher: Gql, incidentId: string, point: string, item: string, quantity: number) {
  const { requestDispatch } = await dispatcher(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id requestedAt } }`, {
    i: { incidentId, deadlineHours: 48, destinations: [{ name: point, ...POINT, lines: [{ itemId: item, quantity }] }] },
  });
  return requestDispatch as { id: string; requestedAt: string };
}

const PLANS = `query($id: ID!) { incident(id: $id) { plans { id status requestedAt destinations { name location { lat lng } }
  lines { destination { name } item { id } quantity } } } }`;

/** The incident's plans, oldest first (方案 1 first). */
async function plansOf(dispatcher: Gql, incidentId: string): Promise<any[]> {
  const { incident } = await dispatcher(PLANS, { id: incidentId });
  return [...incident.plans].sort((a: any, b: any) => a.requestedAt.localeCompare(b.requestedAt));
}

/** A click on the incident page's map, `dx`/`dy` pixels from its centre: a new 安置点 row. */
async function clickMap(page: Page, dx: number, dy: number) {
  const map = (await (await page.waitForSelector('.leaflet-container'))!.boundingBox())!;
  await waitForStillness(page);
  await page.mouse.click(map.x + map.width / 2 + dx, map.y + map.height / 2 + dy);
}

/** The error shown in the form item of the field `id`, once there is one. */
async function fieldError(page: Page, id: string): Promise<string> {
  const handle = await page.waitForFunction(
    (field) => document.getElementById(field)?.closest('.ant-form-item')?.querySelector('.ant-form-item-explain-error')?.textContent || null,
    {},
    id,
  );
  return (await handle.jsonValue()) as string;
}

async function openIncident(page: Page, incidentId: string) {
  await page.goto(`${t.origin}/dispatch/incidents/${incidentId}`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.leaflet-container');
}

describe('sweep 19a: the incident page’s 安置点 and demand', () => {
  it('F2 (D29): a 安置点 named as the incident’s existing one but placed 9 km away is refused next to its name, in words; so is an empty name', async () => {
    const dispatcher = await api('dispatcher');
    const incidentId = await createIncident(dispatcher, 'E2E19a同名安置点');
    await requestPlan(dispatcher, incidentId, '安置点1', QUILT, 5);

    const { page } = await open('dispatcher');
    await openIncident(page, incidentId);
    await clickMap(page, -120, 60);
    await page.waitForSelector('[id="destinations_0_lines_0_itemId"]');
    await retype(page, '[id="destinations_0_name"]', '安置点1');
    await retype(page, '[id="destinations_0_lat"]', '35.47');
    await retype(page, '[id="destinations_0_lng"]', '114.01');
    await pickOption(page, 'destinations_0_lines_0_itemId', '棉被');
    await page.type('#destinations_0_lines_0_quantity', '50');
    await clickText(page, 'button', '生成方案');
    expect(await fieldError(page, 'destinations_0_name')).toMatch(
      /^本事件已有安置点「安置点1」位于（35\.3985，114\.065），与所填坐标相距约 [\d.]+ 公里：同一安置点请填它的位置，不同地点请换一个名称$/,
    );
    await waitForStillness(page);
    await screenshot(page, 'sweep19a-f2-name-refused');
    expect(await page.$eval('body', (b) => b.innerText.includes('建议方案'))).toBe(false);

    // The field's own rule: an empty name says so under it.
    await retype(page, '[id="destinations_0_name"]', '');
    await clickText(page, 'button', '生成方案');
    await page.waitForFunction(
      () =>
        document.getElementById('destinations_0_name')?.closest('.ant-form-item')?.querySelector('.ant-form-item-explain')?.textContent === '请输入安置点名称',
    );
  });

  it('F7 (D23, D24): 提交方案 clears the rows it sent; the next 安置点 is requested alone; a 安置点 and item of a live plan requested again — after a reload — asks first, naming the plan', async () => {
    const dispatcher = await api('dispatcher');
    const incidentId = await createIncident(dispatcher, 'E2E19a再次申请');
    const { page } = await open('dispatcher');
    await openIncident(page, incidentId);

    // 方案 1: 安置点1, 棉被 5 — nothing repeated, no question.
    await clickMap(page, 90, 70);
    await page.waitForSelector('[id="destinations_0_lines_0_itemId"]');
    expect(await page.$eval('[id="destinations_0_name"]', (e) => (e as HTMLInputElement).value)).toBe('安置点1');
    await pickOption(page, 'destinations_0_lines_0_itemId', '棉被');
    await page.type('#destinations_0_lines_0_quantity', '5');
    await clickText(page, 'button', '生成方案');
    await waitForText(page, '建议方案');
    await clickText(page, 'button', '提交方案');
    await expect.poll(async () => (await plansOf(dispatcher, incidentId)).length).toBe(1);
    // The rows sent have left the form.
    await page.waitForFunction(() => !document.getElementById('destinations_0_name'));

    // 方案 2: a new 安置点 alone, 棉帐篷 3 — no question, and 安置点1's quilts are not requested again.
    await waitForStillness(page);
    await clickMap(page, -90, -60);
    await page.waitForSelector('[id="destinations_0_lines_0_itemId"]');
    expect(await page.$('[id="destinations_1_name"]')).toBeNull();
    expect(await page.$eval('[id="destinations_0_name"]', (e) => (e as HTMLInputElement).value)).toBe('安置点2');
    await pickOption(page, 'destinations_0_lines_0_itemId', '棉帐篷');
    await page.type('#destinations_0_lines_0_quantity', '3');
    await clickText(page, 'button', '生成方案');
    await waitForText(page, '建议方案');
    await clickText(page, 'button', '提交方案');
    await expect.poll(async () => (await plansOf(dispatcher, incidentId)).length).toBe(2);
    // The page has its answer too: until it clears the rows, a reload asks first (useLeaveGuard's beforeunload) — the
    // server holding the plan is not yet the page knowing it (a CI run reloaded in between and hung on the question).
    await page.waitForFunction(() => !document.getElementById('destinations_0_name'));
    const [first, second] = await plansOf(dispatcher, incidentId);
    expect(second.destinations.map((d: any) => d.name)).toEqual(['安置点2']);
    expect(new Set(second.lines.map((l: any) => `${l.destination.name}|${l.item.id}`))).toEqual(new Set([`安置点2|${TENT}`]));

    // After a reload (the page's memory gone): 安置点1's quilts requested again ask first, naming 方案 1 and what it has.
    await page.reload({ waitUntil: 'domcontentloaded' });
    const point = first.destinations[0];
    await clickMap(page, -150, 40);
    await page.waitForSelector('[id="destinations_0_lines_0_itemId"]');
    await retype(page, '[id="destinations_0_name"]', point.name);
    await retype(page, '[id="destinations_0_lat"]', String(point.location.lat));
    await retype(page, '[id="destinations_0_lng"]', String(point.location.lng));
    await pickOption(page, 'destinations_0_lines_0_itemId', '棉被');
    await page.type('#destinations_0_lines_0_quantity', '2');
    await clickText(page, 'button', '生成方案');
    await waitForText(page, '建议方案');
    await clickText(page, 'button', '提交方案');
    const label = `方案 1（${planNumber(first.id, first.requestedAt)}）`;
    await waitForText(page, `与已提交的${label}需求相同`);
    const asked = await page.$eval('[data-testid="repeated-demand"]', (e) => e.textContent ?? '');
    expect(asked).toContain(`安置点1 · 棉被：${label}（待批准）已安排 5 床`);
    expect(asked).toContain('两份都批准会重复调拨');
    await screenshot(page, 'sweep19a-f7-asked');
    await clickText(page, 'div[contains(@class, "ant-popconfirm-buttons")]//button', '不提交');
    await new Promise((r) => setTimeout(r, 500));
    expect((await plansOf(dispatcher, incidentId)).length).toBe(2);

    // 仍要提交: the dispatcher's choice, once asked.
    await clickText(page, 'button', '提交方案');
    await waitForText(page, `与已提交的${label}需求相同`);
    await clickText(page, 'div[contains(@class, "ant-popconfirm-buttons")]//button', '仍要提交');
    await expect.poll(async () => (await plansOf(dispatcher, incidentId)).length).toBe(3);
  });
});

describe('sweep 19a: the 审批 queue', () => {
  it('F3 (D24): two plans of one incident are told apart as 方案 1 and 方案 2 with their DL- numbers, in the row and the 批准 dialog; F8: one cancelled meanwhile is refused saying so, and its row goes', async () => {
    const dispatcher = await api('dispatcher');
    const incidentId = await createIncident(dispatcher, 'E2E19a两份相同方案');
    const first = await requestPlan(dispatcher, incidentId, '安置点1', QUILT, 7);
    const second = await requestPlan(dispatcher, incidentId, '安置点1', QUILT, 7);
    const label1 = `方案 1（${planNumber(first.id, first.requestedAt)}）`;
    const label2 = `方案 2（${planNumber(second.id, second.requestedAt)}）`;

    const { page } = await open('director');
    await clickText(page, 'a', '审批');
    const subjects = async () =>
      page.$$eval('[data-testid="approval-subject"]', (es) => es.map((e) => e.textContent ?? '').filter((s) => s.includes('E2E19a两份相同方案')));
    await page.waitForFunction(() => document.body.innerText.includes('E2E19a两份相同方案'));
    await expect.poll(async () => (await subjects()).length).toBe(2);
    const rows = await subjects();
    expect(rows.some((s) => s.startsWith(`${label1} `))).toBe(true);
    expect(rows.some((s) => s.startsWith(`${label2} `))).toBe(true);
    await screenshot(page, 'sweep19a-f3-queue');

    // 批准's dialog names the plan too.
    await clickRowButton(page, label1, '批准');
    await waitForText(page, `批准：${label1} `);
    await clickText(page, 'div[contains(@class, "ant-modal-footer")]//button', '取消');
    await page.waitForFunction(() => !document.querySelector('.ant-modal'));

    // F8: the dispatcher cancels 方案 2 meanwhile; 批准 on its stale row says it was cancelled, by whom and why.
    await dispatcher(`mutation($p: ID!, $r: String!) { cancelDispatchPlan(planId: $p, reason: $r) { status } }`, { p: second.id, r: 'E2E重复申请作废' });
    await clickRowButton(page, label2, '批准');
    await waitForText(page, `批准：${label2} `);
    await clickModalOk(page);
    const alert = await page.waitForFunction(() => document.querySelector('.ant-modal [role="alert"]')?.textContent || null);
    expect(await alert.jsonValue()).toMatch(/^该审批已关闭：调拨方案已于 .+ 被新乡市应急管理局调度员取消，原因：E2E重复申请作废$/);
    // The queue is read again: the dead row is gone, 方案 1's stays.
    await page.waitForFunction(
      (l) => ![...document.querySelectorAll('[data-testid="approval-subject"]')].some((e) => e.textContent?.startsWith(l)),
      {},
      label2,
    );
    expect((await subjects()).some((s) => s.startsWith(`${label1} `))).toBe(true);
  });
});

describe('sweep 19a: the written approval of one’s own plan', () => {
  it('F15 (D14, D24): the plan’s requester is not offered 批准 on its written approval when another dispatcher approved it in the emergency', async () => {
    const dispatcher = await api('dispatcher');
    const director = await api('director');
    const incidentId = await createIncident(dispatcher, 'E2E19a书面审批补办');
    const plan = await requestPlan(dispatcher, incidentId, '安置点1', QUILT, 3);
    await director(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: plan.id });
    await director(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id } }`, { p: plan.id, k: `e2e-f15-${plan.id}` });
    const label = `方案 1（${planNumber(plan.id, plan.requestedAt)}）`;

    const { page } = await open('dispatcher');
    await clickText(page, 'a', '审批');
    const row = `//tr[.//*[@data-testid="approval-subject" and starts-with(normalize-space(.), ${JSON.stringify(label)})]]`;
    await page.waitForSelector(`::-p-xpath(${row})`, { visible: true });
    // Listed (the queue shows what its region decides), but with no 批准 or 驳回: the server would refuse them (D24).
    expect(await page.$$(`::-p-xpath(${row}//button)`)).toHaveLength(0);
  });
});

describe('sweep 19a: 回收清点', () => {
  it('F11 (D12, D30): 完好物资入库仓库 offers only reserve stores the server takes the batch into — the store it came from first, no 安置点', async () => {
    const dispatcher = await api('dispatcher');
    const incidentId = await createIncident(dispatcher, 'E2E19a回收入库');
    const { requestDispatch: plan } = await dispatcher(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, {
      i: { incidentId, deadlineHours: 48, destinations: [{ name: '回收安置点', ...POINT, lines: [{ itemId: TENT, quantity: 4 }] }] },
    });
    await dispatcher(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: plan.id });
    const { executeDispatchPlan: executed } = await dispatcher(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) {
        lines { source { store { id name } } transfer { id lines { batch { id } inTransit } } } } }`,
      { p: plan.id, k: 'e2e-19a-f11-execute' },
    );
    for (const [i, id] of [...new Set<string>(executed.lines.map((l: any) => l.transfer.id))].entries()) {
      const transfer = executed.lines.find((l: any) => l.transfer.id === id).transfer;
      await dispatcher(`mutation($i: ReceiveTransferInput!) { receiveTransfer(input: $i) { status } }`, {
        i: {
          transferId: id,
          idempotencyKey: `e2e-19a-f11-receive-${i}`,
          lines: transfer.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.inTransit })),
        },
      });
    }
    const from: string[] = [...new Set<string>(executed.lines.map((l: any) => l.source.store.name))];
    const { stores } = await dispatcher(`{ stores(first: 500) { edges { node { name code kind } } } }`);
    const kindOf = new Map<string, string>(stores.edges.map((e: any) => [`${e.node.name}（${e.node.code}）`, e.node.kind]));

    const { page } = await open('dispatcher');
    await openIncident(page, incidentId);
    await clickText(page, 'button', '登记回收');
    await page.waitForSelector('[id="recover_toStoreId"]', { visible: true });
    // Not while the modal zooms in: a click there lands beside the select and opens nothing (failed once in five runs).
    await waitForStillness(page);
    await page.click('[id="recover_toStoreId"]');
    await page.waitForSelector('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { visible: true });
    const options = await page.$$eval('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', (os) =>
      os.map((o) => o.textContent ?? ''),
    );
    await screenshot(page, 'sweep19a-f11-recovery-stores');
    // The store the tents came from first, marked; every option a government or entrusted store.
    expect(options[0]).toContain(from[0]);
    expect(options[0]).toContain('原发出仓库');
    for (const o of options) expect(['GOVERNMENT', 'ENTRUSTED']).toContain(kindOf.get(o.replace(' · 原发出仓库', '')));
    // A search for 安置点 finds none to offer.
    await page.type('[id="recover_toStoreId"]', '安置点');
    await waitForText(page, '没有能接收所清点批次的仓库');
  });
});
