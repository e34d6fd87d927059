import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { clickModalOk, clickText, pickOption } from '../support/browser.ts';
import { clickRowButton, downloadsOf, openReceipt, retype, useConsoleFlows, waitForFile, waitForMessage } from '../support/console-flows.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';

// Sweep 18b, the keeper's screens: F3 调拨 lists every transfer of the store, however many lines it shipped (a store's
// own shipments pushed its incoming transfer out of the first 200 movements); F1 收货 of 0 without a reason is told at
// 差异原因 that a reason is wanted (D9, D27), not 「数量须大于 0」 at 实收; F9 a 盘点表 with a difference says 待审批, not
// 已入账 (D27); F11 入库 records the 产权单位 — the funding level's government by default (D3, D21).
const { t, open, api } = useConsoleFlows();

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store
const JISHUI = storeId('S-410781100-01'); // 卫辉市汲水镇应急物资储备点
const QUILT = itemId('LIV-004'); // 棉被
const DEMO_TRANSFER = 'DB-2026-000001'; // 新乡市库 → 卫辉市库: 棉帐篷 50 顶, 编织袋 10000 条, in transit

/** The error shown in the form item of the field `id`, once there is one. */
async function fieldError(page: Page, id: string): Promise<string> {
  const handle = await page.waitForFunction(
    (field) => {
      const item = document.getElementById(field)?.closest('.ant-form-item');
      return item?.querySelector('.ant-form-item-explain-error')?.textContent || null;
    },
    {},
    id,
  );
  return (await handle.jsonValue()) as string;
}

describe('sweep 18b: the keeper’s 调拨, 收货, 盘点表 and 入库', () => {
  it('F3: after the store ships a transfer of 201 batch lines, 调入 still lists the demo transfer on its way to it, with 收货; 调出 lists the shipment', async () => {
    const keeper = await api('keeper');
    const lines = Array.from({ length: 201 }, (_, i) => ({
      itemId: QUILT,
      quantity: 1,
      batchNo: `F3-MB-${String(i + 1).padStart(3, '0')}`,
      unitPrice: '150.00',
      // Earlier than any other 棉被 of the store: shipped first-expiry-first-out (D8), one line per batch.
      expiryDate: '2027-06-01',
    }));
    const { receiveStock } = await keeper(`mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { lines { batch { id } } } }`, {
      i: { storeId: WEIHUI, source: 'DONATION', sourceName: 'E2E捐赠方', idempotencyKey: 's18b-f3-receipt', lines },
    });
    const batches: string[] = receiveStock.lines.map((l: any) => l.batch.id);
    const { requestOutboundOrder: order } = await keeper(`mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { id approval { id } } }`, {
      i: {
        storeId: WEIHUI,
        purpose: 'TRANSFER',
        toStoreId: JISHUI,
        idempotencyKey: 's18b-f3-order',
        lines: [{ itemId: QUILT, quantity: batches.length }],
      },
    });
    await (
      await api('director')
    )(`mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { status } }`, { i: { approvalId: order.approval.id, decision: 'APPROVE' } });
    const { shipTransfer } = await keeper(`mutation($i: ShipTransferInput!) { shipTransfer(input: $i) { number lines { shipped } } }`, {
      i: {
        fromStoreId: WEIHUI,
        toStoreId: JISHUI,
        orderId: order.id,
        idempotencyKey: 's18b-f3-ship',
        lines: [{ itemId: QUILT, quantity: batches.length }],
      },
    });
    expect(shipTransfer.lines).toHaveLength(201);

    const { page } = await open('keeper');
    await clickText(page, 'a', '调拨');
    // 调入: the transfer on its way to the store, receivable (the old screen's first 200 movements were the shipment's).
    await page.waitForSelector(
      `::-p-xpath(//tr[contains(., "${DEMO_TRANSFER}") and contains(., "在途")]//button[contains(translate(normalize-space(.), " ", ""), "收货")])`,
      { visible: true },
    );
    // 调出: the shipment itself.
    await clickText(page, 'div[@role="tab"]', '调出');
    await page.waitForSelector(`::-p-xpath(//tr[contains(., "${shipTransfer.number}") and contains(., "汲水镇")])`, { visible: true });
  });

  it('F1 (D9, D27): 收货 with 实收 0 and no 差异原因 is refused at 差异原因, saying a reason is wanted; nothing is received', async () => {
    const { page } = await open('keeper');
    await clickText(page, 'a', '调拨');
    await clickRowButton(page, DEMO_TRANSFER, '收货');
    await page.waitForSelector('#receive_lines_0_quantity', { visible: true });
    await retype(page, '#receive_lines_0_quantity', '0');
    await clickModalOk(page);
    expect(await fieldError(page, 'receive_lines_0_discrepancyReason')).toBe('实收为 0 的须选择差异原因（未到货的原因，如破损、丢失）');
    // Not the old refusal at 实收.
    expect(await page.$eval('body', (b) => b.innerText.includes('数量须大于 0'))).toBe(false);
    const keeper = await api('keeper');
    const { documents } = await keeper(
      `query($s: ID!) { documents(filter: { storeId: $s, type: "TRANSFER_OUT" }, first: 50) { edges { node { transfer { number status } } } } }`,
      {
        s: WEIHUI,
      },
    );
    expect(documents.edges.map((e: any) => e.node.transfer).find((t: any) => t?.number === DEMO_TRANSFER)?.status).toBe('IN_TRANSIT');
  });

  it('F9 (D27): a 盘点表 uploaded with a difference says the 盘点单 waits for approval, not 已入账', async () => {
    const keeper = await api('keeper');
    // A batch without a pending count of its own (the demo has one): a second count of it would be refused.
    const { documents } = await keeper(
      `query($s: ID!) { documents(filter: { storeId: $s, type: "STOCKTAKE", status: ["PENDING_APPROVAL"] }, first: 50) { edges { node { lines { batch { id } } } } } }`,
      { s: WEIHUI },
    );
    const pending = new Set<string>(documents.edges.flatMap((e: any) => e.node.lines.map((l: any) => l.batch.id)));

    const { page } = await open('keeper');
    await clickText(page, 'a', '盘点');
    await page.waitForFunction(() => location.pathname === '/keeper/stocktake');
    const downloads = await downloadsOf(page, 'downloads-18b-stocktake');
    await clickText(page, 'button', '下载盘点表');
    const blank = await waitForFile(downloads, /\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(blank);
    const sheet = book.worksheets[0];
    let header = 0;
    sheet.eachRow((row, n) => {
      if (!header && (row.values as unknown[]).includes('实盘数')) header = n;
    });
    const headings = sheet.getRow(header).values as unknown[];
    const col = (name: string) => headings.indexOf(name);
    let counted = 0;
    for (let n = header + 1; n <= sheet.rowCount && !counted; n++) {
      const row = sheet.getRow(n);
      const onBook = Number(row.getCell(col('账面数')).value);
      if (!pending.has(String(row.getCell(col('批次编号')).value)) && onBook > 1) {
        row.getCell(col('实盘数')).value = onBook - 1;
        row.getCell(col('原因')).value = '盘亏';
        counted = n;
      }
    }
    expect(counted).toBeGreaterThan(0);
    const filled = join(downloads, 'counted-18b.xlsx');
    await book.xlsx.writeFile(filled);
    const input = await page.waitForSelector('input[type="file"]');
    await input!.uploadFile(filled);
    await input!.dispose();
    await waitForMessage(page, '待审批后调账');
    const said = await page.waitForFunction(() => document.querySelector('.ant-alert-success')?.textContent || null);
    expect(await said.jsonValue()).toMatch(/^单据 PD-\d{4}-\d{6} 已提交，待审批后调账，查看单据$/);
    expect(await page.$eval('body', (b) => b.innerText.includes('已入账'))).toBe(false);
  });

  it('F11 (D3, D21): 入库 of 市级 funds records the city’s government as 产权单位, chosen with the funds and shown before posting', async () => {
    const { page } = await open('keeper');
    await openReceipt(page, '棉被', { contractNo: 'ZFCG-18B-F11', inspectionReportNo: 'YS-18B-F11' });
    await page.type('#lines_0_quantity', '7');
    await page.type('#lines_0_batchNo', 'S18B-F11-MB');
    await page.type('#lines_0_unitPrice', '150');
    await pickOption(page, 'lines_0_fundingSource', '', '市级');
    // The funds' government, chosen for the keeper (who may change it).
    await page.waitForFunction(() => {
      const item = document.getElementById('lines_0_ownerOrgId')?.closest('.ant-select');
      return item?.querySelector('.ant-select-selection-item')?.textContent === '新乡市人民政府';
    });
    await page.click('button[type="submit"]');
    await page.waitForFunction(() => document.body.innerText.includes('已过账'));
    const { stock } = await (
      await api('keeper')
    )(
      `query($s: ID!, $i: ID!) { stock(filter: { storeId: $s, itemId: $i }, first: 500) { edges { node { batch { batchNo fundingSource owner { name } } } } } }`,
      {
        s: WEIHUI,
        i: QUILT,
      },
    );
    expect(stock.edges.map((e: any) => e.node.batch).find((b: any) => b.batchNo === 'S18B-F11-MB')).toEqual({
      batchNo: 'S18B-F11-MB',
      fundingSource: 'CITY',
      owner: { name: '新乡市人民政府' },
    });
  });
});

describe('sweep 18b F10 (D23): the keeper learns at once what the approver will read', () => {
  it('申请出库 of more than the store holds says so on submitting, as the approval does; within stock it is a plain success', async () => {
    const { page } = await open('keeper');
    await page.goto(`${t.origin}/keeper/orders`, { waitUntil: 'domcontentloaded' });
    await clickText(page, 'div[@role="tab"]', '申请出库');
    await page.waitForSelector('#request_recipient');
    await page.type('#request_recipient', '卫辉市唐庄镇');
    await pickOption(page, 'request_lines_0_itemId', '棉被');
    await page.type('#request_lines_0_quantity', '99999');
    await clickText(page, 'button', '提交申请');
    await waitForMessage(page, '注意：申请时库存不足以执行——棉被可用');
    const text = await page.evaluate(() => document.querySelector('.ant-message-notice')?.textContent ?? '');
    expect(text).toMatch(/出库申请 SQ-\d{4}-\d{6} 已提交，等待审批。注意：申请时库存不足以执行——棉被可用 [\d,]+ 床，申请 99,999 床/);

    // Within stock: the plain success, no warning.
    await page.type('#request_recipient', '卫辉市唐庄镇');
    await pickOption(page, 'request_lines_0_itemId', '棉被');
    await page.type('#request_lines_0_quantity', '1');
    await clickText(page, 'button', '提交申请');
    await page.waitForFunction(() => [...document.querySelectorAll('.ant-message-notice')].some((e) => /已提交，等待审批$/.test(e.textContent ?? '')));
    expect(await page.$$eval('.ant-message-notice', (ns) => ns.filter((n) => n.textContent?.includes('注意')).length)).toBe(1);
  });
});
