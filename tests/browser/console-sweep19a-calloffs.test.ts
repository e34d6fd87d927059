import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickModalOk, clickOpenOption, clickStill, clickText, screenshot, waitForText } from '../support/browser.ts';
import { clickRowButton, retype, useConsoleFlows, waitForMessage } from '../support/console-flows.ts';
import { itemId } from '../../seeds/reference.ts';

// Sweep 19a, the dispatcher's incident page. F12 (D17): an executed plan's call-offs (协议储备 lines) were listed nowhere,
// so nothing confirmed or cancelled them — the plan stayed 执行中 and 结束方案/结束事件 were refused for good. F16: 选择方案
// left the blocks of executing plans viewed before on the card (their figures, their dead 结束方案). F17 (D14): a rejected
// written approval showed neither its reason nor a way to submit it again.
const { t, open, api } = useConsoleFlows();

const CHAIRS = itemId('LIV-011'); // 折叠桌椅: no store holds it, so a plan calls it off an agreement
const QUILT = itemId('LIV-004'); // 棉被
const COMPANY = '卫辉市家具协议储备企业（E2E19a）';
/** 汲水镇 (卫辉市). */
const POINT = { regionCode: '410781100000', lat: 35.3985, lng: 114.065 };

type Gql = (query: string, variables?: Record<string, unknown>) => Promise<any>;

/** D6, D17: an agreement for 折叠桌椅 in 卫辉市 at a contract price, made once for the file. */
let agreement: Promise<string> | undefined;
function chairsAgreement(): Promise<string> {
  agreement ??= (async () => {
    const admin = await api('admin');
    const { createAgreement } = await admin(`mutation($i: AgreementInput!) { createAgreement(input: $i) { id } }`, {
      i: {
        mode: 'AGREEMENT',
        companyName: COMPANY,
        regionCode: '410781',
        contractNo: 'WH-E2E-19A',
        validFrom: '2026-01-01',
        validTo: '2030-12-31',
        lines: [{ itemId: CHAIRS, quantity: 1000, unitPrice: '85.00', responseHours: 6 }],
      },
    });
    return createAgreement.id as string;
  })();
  return agreement;
}

async function createIncident(dispatcher: Gql, name: string): Promise<string> {
  const { createIncident } = await dispatcher(`mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, {
    i: { name, type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } },
  });
  return createIncident.id;
}

/**
 * A plan of `lines` at one 安置点, approved — by director (D24), or `emergency` by the dispatcher itself (D14) — and
 * executed: its 协议储备 lines become call-offs.
 */
async function executedPlan(dispatcher: Gql, incidentId: string, lines: { itemId: string; quantity: number }[], emergency: boolean, key: string) {
  const { requestDispatch: plan } = await dispatcher(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, {
    i: { incidentId, deadlineHours: 48, destinations: [{ name: '安置点1', ...POINT, lines }] },
  });
  if (emergency) await dispatcher(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: plan.id });
  else await (await api('director'))(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id });
  const { executeDispatchPlan } = await dispatcher(
    `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id status callOffs { id status quantity } } }`,
    { p: plan.id, k: key },
  );
  return executeDispatchPlan as { id: string; status: string; callOffs: { id: string; status: string; quantity: number }[] };
}

const CALL_OFFS = `query($id: ID!) { dispatchPlan(id: $id) { status callOffs { id status quantity deliveredQuantity cancelReason } } }`;

async function openIncident(page: Page, incidentId: string) {
  await page.goto(`${t.origin}/dispatch/incidents/${incidentId}`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.leaflet-container');
}

/** The alert text shown in the open dialog, once there is one. */
async function modalAlert(page: Page): Promise<string> {
  const handle = await page.waitForFunction(() => document.querySelector('.ant-modal [role="alert"]')?.textContent || null);
  return (await handle.jsonValue()) as string;
}

describe('sweep 19a F12: an executed plan’s call-offs on the incident page', () => {
  it('D17: 确认到货 books what the company delivered (less than called off releases the rest) and the plan completes', async () => {
    await chairsAgreement();
    const dispatcher = await api('dispatcher');
    const incidentId = await createIncident(dispatcher, 'E2E19a调用单到货');
    const plan = await executedPlan(dispatcher, incidentId, [{ itemId: CHAIRS, quantity: 12 }], false, 'e2e-19a-f12-confirm');
    expect(plan.status).toBe('EXECUTING');
    expect(plan.callOffs).toEqual([expect.objectContaining({ status: 'ISSUED', quantity: 12 })]);

    const { page } = await open('dispatcher');
    await openIncident(page, incidentId);
    await waitForText(page, '协议企业调用单');
    await clickRowButton(page, COMPANY, '确认到货');
    await waitForText(page, `确认到货：${COMPANY} 折叠桌椅`);
    // The agreement's price is used: no price to type; the quantity defaults to what was called off.
    expect(await page.$eval('[data-testid="call-off-confirm-intro"]', (e) => e.textContent)).toContain('协议单价 85.00 元');
    expect(await page.$('[id="confirmCallOff_unitPrice"]')).toBeNull();
    expect(await page.$eval('[id="confirmCallOff_quantity"]', (e) => (e as HTMLInputElement).value)).toBe('12');
    // More than called off is told at the field.
    await retype(page, '[id="confirmCallOff_quantity"]', '13');
    await clickModalOk(page);
    await waitForText(page, '实收数量不能超过调用数量 12');
    await retype(page, '[id="confirmCallOff_quantity"]', '10');
    await page.type('[id="confirmCallOff_batchNo"]', 'ZD-19A-01');
    await screenshot(page, 'sweep19a-f12-confirm');
    await clickModalOk(page);
    await waitForMessage(page, '已确认到货入库');

    const { dispatchPlan } = await dispatcher(CALL_OFFS, { id: plan.id });
    expect(dispatchPlan.callOffs).toEqual([expect.objectContaining({ status: 'DELIVERED', quantity: 12, deliveredQuantity: 10 })]);
    expect(dispatchPlan.status).toBe('COMPLETED');
    await page.waitForFunction(() => document.querySelector('[data-testid="call-off-status"]')?.textContent?.startsWith('已到货'));
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-status"]')?.textContent === '已完成');
    expect(await page.$$(`::-p-xpath(//tr[contains(., "${COMPANY}")]//button)`)).toHaveLength(0);
  });

  it('D14, D24: the sole emergency approver’s 确认到货 is refused in the API’s words; D17: 取消调用 asks for a reason and releases the call-off', async () => {
    await chairsAgreement();
    const dispatcher = await api('dispatcher');
    const incidentId = await createIncident(dispatcher, 'E2E19a调用单取消');
    const plan = await executedPlan(dispatcher, incidentId, [{ itemId: CHAIRS, quantity: 6 }], true, 'e2e-19a-f12-cancel');
    expect(plan.callOffs).toHaveLength(1);

    const { page } = await open('dispatcher');
    await openIncident(page, incidentId);
    await clickRowButton(page, COMPANY, '确认到货');
    await waitForText(page, `确认到货：${COMPANY} 折叠桌椅`);
    await clickModalOk(page);
    expect(await modalAlert(page)).toContain('不相容岗位分离：紧急批准本方案的人员不能再确认协议企业到货');
    await clickText(page, 'div[contains(@class, "ant-modal-footer")]//button', '返回');
    await page.waitForFunction(() => !document.querySelector('.ant-modal'));
    expect((await dispatcher(CALL_OFFS, { id: plan.id })).dispatchPlan.callOffs[0].status).toBe('ISSUED');

    await clickRowButton(page, COMPANY, '取消调用');
    await waitForText(page, `取消调用：${COMPANY} 折叠桌椅`);
    await clickModalOk(page);
    await waitForText(page, '请填写取消原因');
    await page.type('[id="cancelCallOff_reason"]', '企业库存不足，改由其他渠道供应');
    await clickModalOk(page);
    await waitForMessage(page, `已取消向${COMPANY}调用 折叠桌椅`);
    const { dispatchPlan } = await dispatcher(CALL_OFFS, { id: plan.id });
    expect(dispatchPlan.callOffs).toEqual([expect.objectContaining({ status: 'CANCELLED', cancelReason: '企业库存不足，改由其他渠道供应' })]);
    await waitForText(page, '取消原因：企业库存不足，改由其他渠道供应');
    expect(dispatchPlan.status).not.toBe('EXECUTING');
  });
});

describe('sweep 19a F16: 选择方案 shows only the chosen plan', () => {
  it('switching between two executing plans leaves one status block and one 结束方案 on the card', async () => {
    await chairsAgreement();
    const dispatcher = await api('dispatcher');
    const incidentId = await createIncident(dispatcher, 'E2E19a切换方案');
    await executedPlan(dispatcher, incidentId, [{ itemId: CHAIRS, quantity: 3 }], false, 'e2e-19a-f16-1');
    await executedPlan(dispatcher, incidentId, [{ itemId: QUILT, quantity: 4 }], false, 'e2e-19a-f16-2');

    const { page } = await open('dispatcher');
    await openIncident(page, incidentId);
    await waitForText(page, '调拨方案 · 方案 2');
    const choose = async (label: string) => {
      await clickStill(page, '[aria-label="选择方案"]');
      await clickOpenOption(page, label);
      await waitForText(page, `调拨方案 · ${label}`);
    };
    await choose('方案 1');
    await choose('方案 2');
    await choose('方案 1');
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-quantities"]')?.textContent === '3 套');
    expect(await page.$$eval('[data-testid="plan-quantities"]', (es) => es.map((e) => e.textContent))).toEqual(['3 套']);
    const ends = await page.$$eval('button', (bs) => bs.filter((b) => b.textContent?.replace(/\s/g, '') === '结束方案').length);
    expect(ends).toBe(1);
    // 方案 1's call-off is listed, 方案 2's shipments are not.
    await waitForText(page, '协议企业调用单');
    expect(await page.$$eval('[data-testid="call-offs"]', (es) => es.length)).toBe(1);
  });
});

describe('sweep 19a F17: a rejected written approval', () => {
  it('D14: the reason is shown and the emergency approver submits it again', async () => {
    const dispatcher = await api('dispatcher');
    const director = await api('director');
    const incidentId = await createIncident(dispatcher, 'E2E19a书面审批驳回');
    const plan = await executedPlan(dispatcher, incidentId, [{ itemId: QUILT, quantity: 2 }], true, 'e2e-19a-f17');
    const written = async () =>
      (await dispatcher(`query($id: ID!) { dispatchPlan(id: $id) { writtenApproval { id status reason } } }`, { id: plan.id })).dispatchPlan.writtenApproval;
    const first = await written();
    await director(`mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { status } }`, {
      i: { approvalId: first.id, decision: 'REJECT', reason: '缺少现场灾情报告，请补充' },
    });

    const { page } = await open('dispatcher');
    await openIncident(page, incidentId);
    await page.waitForSelector('[data-testid="written-approval-rejected"]');
    expect(await page.$eval('[data-testid="written-approval-rejected"]', (e) => e.textContent)).toContain('书面审批被驳回：缺少现场灾情报告，请补充');
    await clickText(page, 'button', '重新提交书面审批');
    await waitForText(page, '上次被驳回：缺少现场灾情报告，请补充');
    await screenshot(page, 'sweep19a-f17-resubmit');
    await clickText(page, 'div[contains(@class, "ant-modal-confirm-btns")]//button', '重新提交');
    await waitForMessage(page, '的书面审批已重新提交');
    await expect.poll(async () => (await written()).status).toBe('PENDING');
    await page.waitForFunction(() => !document.querySelector('[data-testid="written-approval-rejected"]'));
    await page.waitForFunction(() => document.querySelector('[data-testid="written-approval"]')?.textContent?.includes('待补办'));
  });
});
