import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickModalOk, clickText, screenshot, waitForText } from '../support/browser.ts';
import { useConsoleFlows, waitForMessage, waitForFieldError, retype } from '../support/console-flows.ts';

// The end of an incident in the console: what D12 says should come back from its 安置点 and has not (D30), 回收清点 by
// condition — good back to the store it came from, damaged to scrap pending approval (D27) — and 结束事件, after which
// no 安置点 or dispatch request is offered (D29) while recovery goes on. The demo flood in 卫辉市 has had its relief
// delivered, handed out in part and a first recovery counted (seeds/demo-relief.ts).
const { t, open, api } = useConsoleFlows();

const DEMO_INCIDENT = '卫辉市洪涝灾害（演示）';
const JISHUI = '汲水镇第一小学安置点';

const INCIDENT = `id name closedAt plans { id lines { destination { index } item { name } batchNo quantity } }`;

interface OutstandingLine {
  store: { name: string };
  batch: { id: string; batchNo: string };
  item: { unit: string };
  returned: number;
  outstanding: number;
  withHouseholds: number;
}

describe('dispatcher recovers stock and closes an incident in the console', () => {
  it('dispatcher sees what should come back (D12), records a recovery with a damaged quantity (D30, D27: scrap pending approval), and closes the incident (D29)', async () => {
    const dispatcher = await api('dispatcher');
    const { incidents } = await dispatcher(`query { incidents(first: 100) { edges { node { id name } } } }`);
    const incidentId: string = incidents.edges.find((e: any) => e.node.name === DEMO_INCIDENT).node.id;
    const outstanding = async (): Promise<OutstandingLine[]> =>
      (
        await dispatcher(
          `query($id: ID!) { outstandingRecovery(incidentId: $id) { store { name } batch { id batchNo } item { unit } returned outstanding withHouseholds } }`,
          { id: incidentId },
        )
      ).outstandingRecovery;
    // The scraps waiting for a second person (D27), by their summaries ("… 回收清点破损报废 BF-…：共 n 顶", in the item's unit).
    const pendingScraps = async (): Promise<string[]> =>
      (await dispatcher(`query { approvals(filter: { status: PENDING, kind: SCRAP }, first: 100) { edges { node { summary } } } }`)).approvals.edges.map(
        (e: any) => e.node.summary,
      );
    // The demo's tents sent to 汲水镇 (and 唐庄镇): the batch of its first recovery, whose 2 damaged and 1 lost wait for
    // approval, held at the 安置点 and still outstanding, as are tents handed to households — so more is outstanding
    // than the 安置点 hold.
    const { incident } = await dispatcher(`query($id: ID!) { incident(id: $id) { ${INCIDENT} } }`, { id: incidentId });
    expect(incident.closedAt).toBeNull();
    const tents = incident.plans[0].lines.find((l: any) => l.destination.index === 0 && l.item.name === '棉帐篷' && l.quantity >= 8);
    const batchNo: string = tents.batchNo;
    const before = await outstanding();
    const atJishui = before.find((l) => l.store.name === JISHUI && l.batch.batchNo === batchNo)!;
    const ofBatch = before.filter((l) => l.batch.batchNo === batchNo).reduce((n, l) => n + l.outstanding, 0);
    expect(atJishui.outstanding).toBeGreaterThan(7);
    const scrapsBefore = await pendingScraps();

    const { page } = await open('dispatcher');
    await page.goto(`${t.origin}/dispatch/incidents`, { waitUntil: 'domcontentloaded' });
    await clickText(page, 'a', DEMO_INCIDENT);
    await waitForText(page, '回收清点与结束事件');
    // 1. The outstanding lines: 安置点, item, batch, quantity.
    // Sweep 22c F6: a quantity grouped, a space before its unit.
    expect(await outstandingCell(page, JISHUI, batchNo)).toBe(`${atJishui.outstanding.toLocaleString('zh-CN')} ${atJishui.item.unit}`);
    await waitForText(page, '使用未满 12 个月须回收');

    // 2. 回收清点 by condition, per 安置点 and batch.
    await clickText(page, 'button', '登记回收');
    await page.waitForSelector('#recover_toStoreId');
    const i = await modalRowIndex(page, JISHUI, batchNo);
    // The tents handed to households are a row of their own (sweep 11a F1: counted back from them, fromHouseholds); the
    // 安置点's row has the rest.
    const atPoint = atJishui.outstanding - atJishui.withHouseholds;
    expect(atJishui.withHouseholds).toBeGreaterThan(0);
    expect(atPoint).toBeGreaterThanOrEqual(7);
    const rows = await page.$$eval('.ant-modal .ant-table-tbody tr.ant-table-row', (r) => r.map((x) => x.textContent ?? ''));
    expect(rows[i]).toContain('安置点');
    expect(rows[i + 1]).toContain('群众处');
    expect(rows[i + 1]).toContain(`${atJishui.withHouseholds.toLocaleString('zh-CN')} ${atJishui.item.unit}`);
    // More than is outstanding there: refused in the form.
    await page.type(`#recover_lines_${i}_damaged`, String(atPoint + 1));
    await submitModal(page);
    await waitForFieldError(page, `合计 ${atPoint + 1} 超过待回收数量 ${atPoint}`);
    await screenshot(page, 'dispatcher-recovery-refused');
    await retype(page, `#recover_lines_${i}_damaged`, '2');
    await page.type(`#recover_lines_${i}_good`, '5');
    await submitModal(page);
    await waitForMessage(page, '回收已登记：完好 5 已入库，破损 2 待报废审批');

    // The list refreshes: the 5 good tents counted at 汲水镇 are back in their store; the 2 damaged wait, as scrap, for a
    // second person's approval (D27) — accounted for, no longer outstanding (sweep 4 L3). Nothing changed at the other 安置点.
    const after = await outstanding();
    const ofBatchAfter = after.filter((l) => l.batch.batchNo === batchNo);
    expect(ofBatchAfter.reduce((n, l) => n + l.outstanding, 0)).toBe(ofBatch - 7);
    const changed = ofBatchAfter.filter((l) => l.outstanding !== before.find((b) => b.store.name === l.store.name && b.batch.id === l.batch.id)?.outstanding);
    expect(changed.map((l) => [l.store.name, l.outstanding])).toEqual([[JISHUI, atJishui.outstanding - 7]]);
    await page.waitForFunction(
      (point, batch, text) =>
        [...document.querySelectorAll('[data-testid="outstanding-recovery"] tr')].some(
          (r) => r.textContent?.includes(point) && r.textContent.includes(batch) && r.lastElementChild?.textContent === text,
        ),
      {},
      changed[0].store.name,
      batchNo,
      `${changed[0].outstanding.toLocaleString('zh-CN')} ${changed[0].item.unit}`, // sweep 22c F6
    );
    // Console sweep 2, M2: the row adds up — 已到 = 已回收/报废/核销 + 待审批 (the damaged and lost awaiting approval) + 待回收.
    const cells = await page.$$eval(
      `::-p-xpath(//div[@data-testid="outstanding-recovery"]//tr[contains(., ${JSON.stringify(JISHUI)}) and contains(., ${JSON.stringify(batchNo)})]/td)`,
      (tds) => tds.map((td) => Number((td.textContent ?? '').replace(/[^\d]/g, ''))),
    );
    const [received, returned, pending, left] = cells.slice(-4);
    expect(pending).toBeGreaterThanOrEqual(2);
    expect(received).toBe(returned + pending + left);
    const newScraps = (await pendingScraps()).filter((a) => !scrapsBefore.includes(a));
    expect(newScraps.reduce((n, a) => n + Number(/共 (\d+) /.exec(a)?.[1]), 0)).toBe(2);

    // 3. 结束事件: the confirmation names what is still outstanding; once closed, the page says so and offers no
    // 安置点, dispatch request or second closing — recovery goes on.
    await clickText(page, 'button', '结束事件');
    await waitForText(page, '按规定应回收而未回收');
    await clickText(page, 'div[contains(@class, "ant-modal-confirm-btns")]//button', '结束事件');
    await waitForMessage(page, `事件「${DEMO_INCIDENT}」已结束`);
    await page.waitForSelector('[data-testid="incident-closed"]');
    await waitForText(page, '事件已结束，不再开设安置点、申请调拨或向群众发放；回收清点仍可继续');
    await page.waitForFunction(() => !document.querySelector('.ant-modal-confirm'));
    await screenshot(page, 'dispatcher-incident-closed');
    const labels = await buttonLabels(page);
    expect(labels).not.toContain('结束事件');
    expect(labels).not.toContain('生成方案');
    expect(labels).toContain('登记回收');
    const closed = await dispatcher(`query($id: ID!) { incident(id: $id) { closedAt } }`, { id: incidentId });
    expect(closed.incident.closedAt).not.toBeNull();
  });

  it('dispatcher closing an incident closed meanwhile is told so in Chinese, and the page then shows it closed (D29)', async () => {
    const dispatcher = await api('dispatcher');
    const { createIncident } = await dispatcher(`mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, {
      i: { name: 'E2E结束事件', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } },
    });
    const { page } = await open('dispatcher');
    await page.goto(`${t.origin}/dispatch/incidents/${createIncident.id}`, { waitUntil: 'domcontentloaded' });
    await waitForText(page, '没有待回收的物资');
    await waitForText(page, '安置点与需求');
    // Another dispatcher's window closes it first.
    await dispatcher(`mutation($id: ID!) { closeIncident(incidentId: $id) { id } }`, { id: createIncident.id });

    await clickText(page, 'button', '结束事件');
    await waitForText(page, '回收清点和查询仍可继续');
    expect(await page.$('[data-testid="close-outstanding"]')).toBeNull();
    await clickText(page, 'div[contains(@class, "ant-modal-confirm-btns")]//button', '结束事件');
    await page.waitForFunction(() => [...document.querySelectorAll('[role="alert"]')].some((e) => e.textContent?.includes('事件「E2E结束事件」已结束')));
    await page.waitForSelector('[data-testid="incident-closed"]');
    await page.waitForFunction(() => !document.querySelector('.ant-modal-confirm'));
    expect(await buttonLabels(page)).not.toContain('结束事件');
  });
});

/** The 待回收 cell of the outstanding line of a 安置点 and batch. */
async function outstandingCell(page: Page, point: string, batchNo: string): Promise<string> {
  const cell = await page.waitForSelector(
    `::-p-xpath(//div[@data-testid="outstanding-recovery"]//tr[contains(., ${JSON.stringify(point)}) and contains(., ${JSON.stringify(batchNo)})]/td[last()])`,
  );
  return cell!.evaluate((e) => e.textContent ?? '');
}

/** The index, in the recovery form, of the line of a batch at a 安置点. */
async function modalRowIndex(page: Page, point: string, batchNo: string): Promise<number> {
  await page.waitForSelector(
    `::-p-xpath(//div[contains(@class, "ant-modal")]//tr[contains(., ${JSON.stringify(point)}) and contains(., ${JSON.stringify(batchNo)})])`,
  );
  const i = await page.$$eval(
    '.ant-modal .ant-table-tbody tr.ant-table-row',
    (rows, p, b) => rows.findIndex((r) => r.textContent?.includes(p) && r.textContent.includes(b)),
    point,
    batchNo,
  );
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
}

/** The labels of the buttons on the page, spaces removed (antd spaces out two-character labels). */
async function buttonLabels(page: Page): Promise<string[]> {
  return page.$$eval('button', (buttons) => buttons.map((b) => (b.textContent ?? '').replace(/\s/g, '')));
}

/** Clicks the modal's OK once the corrected form shows no error (the shared click waits for the page to be still). */
async function submitModal(page: Page) {
  await page.waitForFunction(() => !document.querySelector('.ant-modal .ant-form-item-explain-error'));
  await clickModalOk(page);
}
