import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp } from '../support/harness.ts';
import { QUILT, receive, TANGZHUANG, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { createIncident } from '../support/relief.ts';
import { download, openWorkbook, parseCsv, RECEIPT_PRINT_HEADINGS, sheetValues, STOCK_HEADINGS } from '../support/paperwork.ts';

// The paper a keeper prints or exports and the 调拨令 the command signs say what the API says (sweeps 12a F3, 12c C9):
// D7 — every batch is labelled 品名, 规格, 产地, 批号, 数量, 生产日期, 入库时间: the printed 入库单 and 调拨单（调入） carry
// 产地 and 生产日期 (入库时间 is the document's date), the 库存台账 export 产地 and 入库时间 (after the columns read before);
// D16, D17 — a plan states each line's ETA and flags lines that miss the 时限, and reports what it cannot bring: the
// printed 调拨令 marks late lines 超时 with their hours and lists the shortages in a 缺口 table.

const t = useTestApp();

const TOILET = itemId('LIV-013'); // 简易厕所: no stock in the demo data — the plan's shortage is ours to set
const POINT = { name: '唐庄镇安置点', regionCode: '410781100000', lat: 35.475, lng: 114.012 };

/** The text of each row's cells of the table after `after` in the page (the first table when `after` is omitted). */
function tableRows(html: string, part: 'tbody' | 'tfoot' | 'thead', after = ''): string[][] {
  const from = after ? html.indexOf(after) : 0;
  expect(from, `${after} in the page`).toBeGreaterThanOrEqual(0);
  const body = new RegExp(`<${part}>([\\s\\S]*?)</${part}>`).exec(html.slice(from))?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]));
}

const print = async (path: string, as: string) => {
  const res = await download(t, path, as);
  expect(res.status, res.text).toBe(200);
  return res.text;
};

describe('D7: the batch label on the printed 入库单 and in the 库存台账 export (sweep 12a F3)', () => {
  let receipt: any;
  const batchOf = (no: string) => receipt.lines.find((l: any) => l.batch.batchNo === no).batch.id as string;

  beforeAll(async () => {
    receipt = await receive(
      t,
      'keeper',
      WEIHUI,
      [
        { itemId: QUILT, quantity: 10, batchNo: 'BL-Q1', origin: '河南新乡', productionDate: '2025-12-01', expiryDate: '2031-05-31', unitPrice: '128.50' },
        // A batch labelled without 产地 or 生产日期: blank, not "null".
        { itemId: QUILT, quantity: 3, batchNo: 'BL-Q2', expiryDate: '2032-05-31', unitPrice: '130.00' },
      ],
      { occurredAt: '2026-07-18T09:30:00+08:00' },
    );
  });

  it('D7: the 入库单 prints 产地 and 生产日期 beside 批号 and 有效期至; quantity, price and amount stay numbers, the 合计 under them', async () => {
    const html = await print(`/paperwork/documents/${receipt.id}.html`, 'keeper');
    expect(html).toContain('日期：2026-07-18 09:30');
    expect(tableRows(html, 'thead')[0]).toEqual(RECEIPT_PRINT_HEADINGS);
    expect(tableRows(html, 'tbody').map((r) => r.slice(4, 11))).toEqual([
      ['BL-Q1', '河南新乡', '2025-12-01', '2031-05-31', '10', '128.50', '1285.00'],
      ['BL-Q2', '', '', '2032-05-31', '3', '130.00', '390.00'],
    ]);
    expect(html).toContain('<td class="n">10</td><td class="n">128.50</td><td class="n">1285.00</td>');
    expect(tableRows(html, 'tfoot')[0]).toEqual(['合计', '', '', '', '', '', '', '', '13', '', '1675.00', '']);
    expect(html).not.toMatch(/null|undefined/);
  });

  it('D7: the 调拨单（调入） prints the label the batch travels with', async () => {
    const shipped = ok(
      await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, lines: [{ itemId: QUILT, batchId: batchOf('BL-Q1'), quantity: 4 }] }),
    ).shipTransfer;
    ok(await receiveTransferRaw(t, 'dispatcher', { transferId: shipped.id, lines: [{ batchId: batchOf('BL-Q1'), quantity: 4 }] }));
    const [arrival] = ok(
      await t.gql(
        `query($f: MovementFilter!) { movements(filter: $f) { edges { node { document { id type } } } } }`,
        { f: { batchId: batchOf('BL-Q1'), type: 'TRANSFER_IN' } },
        'admin',
      ),
    ).movements.edges.map((e: any) => e.node.document);
    expect(arrival.type).toBe('TRANSFER_IN');
    const html = await print(`/paperwork/documents/${arrival.id}.html`, 'admin');
    const [headings] = tableRows(html, 'thead');
    expect(headings.slice(4, 9)).toEqual(['批号', '产地', '生产日期', '有效期至', '数量']);
    expect(tableRows(html, 'tbody').map((r) => r.slice(4, 9))).toEqual([['BL-Q1', '河南新乡', '2025-12-01', '2031-05-31', '4']]);
  });

  it('D7: the 库存台账 (csv and xlsx) ends with 产地 and 入库时间 — the batch’s receipt, at the store it was moved to too — the columns before in place', async () => {
    const batches = ok(
      await t.gql(
        `query($f: StockFilter!) { stock(filter: $f, first: 500) { edges { node { store { id } batch { batchNo origin receivedAt } } } } }`,
        { f: { itemId: QUILT } },
        'admin',
      ),
    ).stock.edges.map((e: any) => e.node);
    const api = (store: string, no: string) => batches.find((b: any) => b.store.id === store && b.batch.batchNo === no).batch;
    expect(api(WEIHUI, 'BL-Q1')).toEqual({ batchNo: 'BL-Q1', origin: '河南新乡', receivedAt: '2026-07-18T09:30:00+08:00' });

    const [headings, ...rows] = parseCsv((await download(t, '/exports/stock.csv', 'admin', { itemId: QUILT, regionCode: '410781' })).text);
    expect(headings).toEqual(STOCK_HEADINGS);
    const cells = (store: string, no: string) => {
      const row = rows.find((r) => r[headings.indexOf('仓库')] === store && r[headings.indexOf('批号')] === no)!;
      return ['批号', '生产日期', '在库', '产地', '入库时间'].map((h) => row[headings.indexOf(h)]);
    };
    expect(cells('卫辉市救灾物资储备库', 'BL-Q1')).toEqual(['BL-Q1', '2025-12-01', '6', '河南新乡', '2026-07-18 09:30:00']);
    expect(cells('卫辉市救灾物资储备库', 'BL-Q2')).toEqual(['BL-Q2', '', '3', '', '2026-07-18 09:30:00']);
    // Moved to 唐庄 on 07-20, the batch still reads its own 入库 of 07-18 (Batch.receivedAt, as FEFO orders by, D8).
    const tangzhuang = rows.find((r) => r[headings.indexOf('批号')] === 'BL-Q1' && r[0] !== '卫辉市救灾物资储备库')!;
    expect(tangzhuang.slice(-2)).toEqual(['河南新乡', '2026-07-18 09:30:00']);

    const ws = await openWorkbook((await download(t, '/exports/stock.xlsx', 'keeper', { itemId: QUILT })).body as Buffer);
    // Sweep 22a, left over: filtered to an item, the title block has a fourth line (筛选条件) and the header is on row 5.
    const header = sheetValues(ws, 5, 5)[0];
    expect(header).toEqual(STOCK_HEADINGS);
    const at = 5 + 1 + sheetValues(ws, 6).findIndex((r) => r[5] === 'BL-Q1');
    const cell = (h: string) => ws.getRow(at).getCell(STOCK_HEADINGS.indexOf(h) + 1);
    expect(cell('产地').value).toBe('河南新乡');
    // Excel has no time zones: the China wall-clock time, as a date-time cell.
    expect(cell('入库时间').value).toEqual(new Date('2026-07-18T09:30:00Z'));
    expect(cell('入库时间').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
  });
});

describe('D16, D17: the printed 调拨令 flags late lines and lists the shortage (sweep 12c C9)', () => {
  let plan: any;

  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: TOILET, quantity: 10, batchNo: 'BL-WC-WH', expiryDate: '2032-01-01', unitPrice: '300.00' }]);
    await receive(t, 'admin', XINXIANG, [{ itemId: TOILET, quantity: 5, batchNo: 'BL-WC-XX', expiryDate: '2032-01-01', unitPrice: '300.00' }]);
    // 新乡市's store is 12 h from 唐庄镇 by the travel-time table: its line arrives after the 10-hour 时限.
    ok(
      await t.gql(
        `mutation($s: ID!, $r: String!) { setTravelTime(storeId: $s, regionCode: $r, hours: 12) { hours } }`,
        { s: XINXIANG, r: POINT.regionCode },
        'admin',
      ),
    );
    const incidentId = await createIncident(t, { name: '卫辉市内涝' });
    plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) {
           id deadlineHours lines { store { id name } quantity etaHours meetsDeadline reason }
           shortages { destination { name } item { name spec unit } requested planned missing } } }`,
        { i: { incidentId, destinations: [{ ...POINT, lines: [{ itemId: TOILET, quantity: 30 }] }] } },
        'dispatcher',
      ),
    ).requestDispatch;
    // The API's plan: one line in time, one late, 15 short.
    expect(plan.deadlineHours).toBe(10);
    expect(plan.lines.map((l: any) => [l.store.id, l.quantity, l.meetsDeadline])).toEqual(
      expect.arrayContaining([
        [WEIHUI, 10, true],
        [XINXIANG, 5, false],
      ]),
    );
    expect(plan.shortages).toHaveLength(1);
  });

  it('D16: a line that misses the 时限 is marked 超时 with its hours, at the head and on the line, with the reason; a line in time is not', async () => {
    const html = await print(`/paperwork/dispatch-plans/${plan.id}.html`, 'dispatcher');
    const [headings] = tableRows(html, 'thead');
    expect(headings.slice(-2)).toEqual(['预计到达（小时）', '说明']);
    const rows = tableRows(html, 'tbody');
    expect(rows).toHaveLength(plan.lines.length);
    const late = plan.lines.find((l: any) => !l.meetsDeadline);
    const inTime = plan.lines.find((l: any) => l.meetsDeadline);
    const printed = (l: any) => rows.find((r) => r[5] === l.store.name)!;
    expect(late.etaHours).toBeGreaterThan(10);
    expect(printed(late).slice(-2)).toEqual([String(late.etaHours), `超时：${late.reason}`]);
    expect(printed(inTime).slice(-2)).toEqual([String(inTime.etaHours), inTime.reason]);
    expect(html).toContain(`<dt>超时</dt><dd>第 ${printed(late)[0]} 行预计 ${late.etaHours} 小时到达，超出 10 小时时限</dd>`);
  });

  it('D16, D17: the shortage the plan reports is printed — a 缺口 table of destination, item, requested, planned and missing', async () => {
    const html = await print(`/paperwork/dispatch-plans/${plan.id}.html`, 'dispatcher');
    expect(html).toContain('<dt>缺口</dt><dd>1 项需求未能足额安排，见缺口表</dd>');
    expect(tableRows(html, 'thead', '<h2>缺口</h2>')[0]).toEqual(['调入地点（安置点）', '物资', '规格', '单位', '需求', '已安排', '缺口']);
    expect(tableRows(html, 'tbody', '<h2>缺口</h2>')).toEqual(
      plan.shortages.map((s: any) => [s.destination.name, s.item.name, s.item.spec, s.item.unit, String(s.requested), String(s.planned), String(s.missing)]),
    );
    expect(plan.shortages[0]).toMatchObject({ destination: { name: POINT.name }, requested: 30, planned: 15, missing: 15 });
    // Before the signatures, where the signer reads it.
    expect(html.indexOf('<h2>缺口</h2>')).toBeLessThan(html.indexOf('class="signatures"'));
  });

  it('D16: a plan that meets its 时限 in full prints each line’s reason, and neither 超时 nor 缺口', async () => {
    const incidentId = await createIncident(t, { name: '卫辉市小范围内涝' });
    const small = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id lines { meetsDeadline reason } shortages { missing } } }`,
        { i: { incidentId, destinations: [{ ...POINT, lines: [{ itemId: QUILT, quantity: 2 }] }] } },
        'dispatcher',
      ),
    ).requestDispatch;
    expect(small.lines.every((l: any) => l.meetsDeadline)).toBe(true);
    expect(small.shortages).toEqual([]);
    const html = await print(`/paperwork/dispatch-plans/${small.id}.html`, 'dispatcher');
    expect(tableRows(html, 'tbody').map((r) => r.at(-1))).toEqual(small.lines.map((l: any) => l.reason));
    expect(html).not.toContain('超时');
    expect(html).not.toContain('缺口');
  });
});
