import QRCode from 'qrcode';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, QUILT, receive, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok, stocktakeRaw } from '../support/ledger-ops.ts';
import { download, RECEIPT_PRINT_HEADINGS } from '../support/paperwork.ts';

// Issue 13, printable documents: every stock document and the 调拨令 as a print-ready A4 page — bureau, store, number,
// date, lines with batch, quantity, unit price and amount, totals in figures and in 大写, signature blocks, a QR code of
// the number — for those who may see the document.

/** The text of each table row's cells (the HTML is rendered by the server; this reads it back). */
function tableRows(html: string, part: 'tbody' | 'tfoot' | 'thead'): string[][] {
  const body = new RegExp(`<${part}>([\\s\\S]*?)</${part}>`).exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]));
}

describe('printable documents (issue 13)', () => {
  const t = useTestApp();
  let receipt: any;

  beforeAll(async () => {
    receipt = await receive(t, 'keeper', WEIHUI, [
      { itemId: QUILT, quantity: 10, batchNo: 'PR-Q1', expiryDate: '2031-05-31', unitPrice: '128.50' },
      { itemId: COTTON_TENT, quantity: 3, batchNo: 'PR-T1', expiryDate: '2034-05-31', unitPrice: '2180.00' },
    ]);
  });

  it('入库单: number, date, store, every line with batch, quantity, price and amount, totals in figures and 大写, signatures, QR', async () => {
    const res = await download(t, `/paperwork/documents/${receipt.id}.html`, 'keeper');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    const html = res.text;
    expect(html).toContain('<h1>入库单</h1>');
    expect(html).toContain('卫辉市应急管理局');
    expect(html).toContain(`<strong class="number">${receipt.number}</strong>`);
    expect(html).toContain('日期：2026-07-20 10:00');
    expect(html).toContain('<dd>卫辉市救灾物资储备库</dd>');
    expect(html).toContain('size: A4');
    // D7: the batch's label — 产地 and 生产日期 too (sweep 12a F3; paperwork-batch-label-and-plan-print.test.ts).
    expect(tableRows(html, 'thead')[0]).toEqual(RECEIPT_PRINT_HEADINGS);
    const lines = tableRows(html, 'tbody');
    expect(lines.map((r) => [r[1], r[4], r[7], r[8], r[9], r[10]])).toEqual([
      ['棉被', 'PR-Q1', '2031-05-31', '10', '128.50', '1285.00'],
      ['棉帐篷', 'PR-T1', '2034-05-31', '3', '2180.00', '6540.00'],
    ]);
    expect(tableRows(html, 'tfoot')[0]).toEqual(['合计', '', '', '', '', '', '', '', '13', '', '7825.00', '']);
    expect(html).toContain('<strong class="amount-in-words">柒仟捌佰贰拾伍元整</strong>');
    expect(html).toContain('￥<strong class="amount">7825.00</strong>');
    for (const s of ['经办人', '审批人', '保管员', '接收人']) expect(html).toContain(`<div>${s}（签字）`);
    // The QR code is the document number's, inline; nothing is fetched from elsewhere.
    const qr = await QRCode.toString(receipt.number, { type: 'svg', margin: 0, errorCorrectionLevel: 'M', width: 96 });
    expect(html).toContain(qr);
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
  });

  it('盘点单 prints book, counted and difference with its reason; the amount of a loss is negative in figures and in 大写', async () => {
    const quilt = receipt.lines.find((l: any) => l.batch.batchNo === 'PR-Q1').batch.id;
    const st = ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId: quilt, countedQuantity: 8, reason: 'DAMAGED' }] })).submitStocktake;
    const html = (await download(t, `/paperwork/documents/${st.id}.html`, 'keeper')).text;
    expect(html).toContain('<h1>盘点单</h1>');
    expect(tableRows(html, 'thead')[0].slice(6, 9)).toEqual(['账面数', '实盘数', '盈亏数']);
    const [line] = tableRows(html, 'tbody');
    expect([line[4], line[6], line[7], line[8], line[9], line[10], line[11]]).toEqual(['PR-Q1', '10', '8', '-2', '128.50', '-257.00', '破损']);
    expect(html).toContain('负贰佰伍拾柒元整');
  });

  it('a document prints only for those who may see it; a download link opens it in a browser', async () => {
    const elsewhere = await receive(t, 'admin', XINXIANG, [{ itemId: QUILT, quantity: 1, batchNo: 'PR-X', unitPrice: '1.00' }]);
    expect((await download(t, `/paperwork/documents/${elsewhere.id}.html`, 'keeper')).status).toBe(403);
    expect((await download(t, `/paperwork/documents/${elsewhere.id}.html`, 'auditor')).status).toBe(200);
    expect((await download(t, `/paperwork/documents/${receipt.id}.html`)).status).toBe(401);
    expect((await download(t, '/paperwork/documents/00000000-0000-4000-8000-000000000000.html', 'admin')).status).toBe(404);
    expect((await download(t, '/paperwork/documents/not-an-id.html', 'admin')).status).toBe(400);
    const link = ok(await t.gql(`mutation($p: String!) { createDownloadLink(path: $p) { url } }`, { p: `/paperwork/documents/${receipt.id}.html` }, 'keeper'))
      .createDownloadLink.url;
    const page = await request(t.app).get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain(receipt.number);
  });

  it('调拨令 (D14): the dispatch plan with its lines, sources, totals, 大写 and signatures, for headquarters in the incident’s region', async () => {
    const incident = ok(
      await t.gql(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        { i: { name: '卫辉市暴雨', type: 'FLOOD', regionCode: '410781', location: { lat: 35.398, lng: 114.064 } } },
        'dispatcher',
      ),
    ).createIncident.id;
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id totalQuantity lines { quantity batch { batchNo unitPrice } store { name } } } }`,
        {
          i: {
            incidentId: incident,
            destinations: [{ name: '唐庄镇安置点', regionCode: '410781100000', lat: 35.475, lng: 114.012, lines: [{ itemId: COTTON_TENT, quantity: 4 }] }],
          },
        },
        'dispatcher',
      ),
    ).requestDispatch;
    const res = await download(t, `/paperwork/dispatch-plans/${plan.id}.html`, 'dispatcher');
    expect(res.status).toBe(200);
    const html = res.text;
    expect(html).toContain('<h1>调拨令</h1>');
    expect(html).toContain(`DL-20260720-${plan.id.slice(0, 8).toUpperCase()}`);
    expect(html).toContain('<dd>卫辉市暴雨</dd>');
    const lines = tableRows(html, 'tbody');
    expect(lines).toHaveLength(plan.lines.length);
    expect(lines.map((r) => [r[1], r[5], r[6], Number(r[7])])).toEqual(plan.lines.map((l: any) => ['唐庄镇安置点', l.store.name, l.batch.batchNo, l.quantity]));
    const total = plan.lines.reduce((s: number, l: any) => s + l.quantity * Math.round(Number(l.batch.unitPrice) * 100), 0);
    const figures = `${Math.floor(total / 100)}.${String(total % 100).padStart(2, '0')}`;
    expect(tableRows(html, 'tfoot')[0][9]).toBe(figures);
    expect(tableRows(html, 'tfoot')[0][7]).toBe(String(plan.totalQuantity));
    expect(html).toMatch(/<strong class="amount-in-words">[壹贰叁肆伍陆柒捌玖拾佰仟万零]+元/);
    for (const s of ['经办人', '审批人', '保管员', '接收人']) expect(html).toContain(`<div>${s}（签字）`);
    expect((await download(t, `/paperwork/dispatch-plans/${plan.id}.html`, 'keeper')).status).toBe(403);
  });
});
