import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { fen, yuan, valuationOf } from '../support/finance.ts';
import { download, JOURNAL_HEADINGS, openWorkbook, parseCsv, sheetValues, STOCK_HEADINGS } from '../support/paperwork.ts';

// Issue 13, Excel out: every list a bureau reports on, as XLSX and CSV. Opened with a real XLSX reader: the title block,
// Chinese headings, cell types (date cells, integer quantities, money with two decimals), frozen header, filter, widths,
// A4 landscape fit to width with the header repeated, totals that add up (D21 valuation subtotals per first grouping);
// and browser downloads through short-lived one-use links instead of the bearer token in a URL.

const HEADER_ROW = 4;
const INT_HEADINGS = new Set([
  ...['在库', '预留', '可用', '在途', '数量', '在库数量', '在途数量', '剩余天数'],
  ...['储备定额', '可用库存', '其中实物储备', '协议承储', '缺口', '需求', '计划调拨', '已发运', '已接收', '已发放', '已回收'],
]);
/**
 * Sweep 25c F5 (D28): the 物资收支's per-安置点 section (below its 按安置点 heading row) fills only these int columns — the
 * way and the point's books are counted per item, not per 安置点 —; the others stay empty there, not 0.
 */
const PER_POINT_INTS = new Set(['需求', '已接收', '10 小时内接收']);
const DATE_HEADINGS = new Set(['生产日期', '有效期至', '应轮换日期']);
const TIME_HEADINGS = new Set(['业务时间', '记账时间', '入库时间']);

interface ListCase {
  list: string;
  as: string;
  title: string;
  sheet: string;
  unit: string;
  headings: string[];
  query: () => Record<string, string>;
  /** Has a 合计 row as its last row. */
  total: boolean;
}

describe('Excel out (issue 13)', () => {
  const t = useTestApp();
  let incidentId = '';

  beforeAll(async () => {
    // A receipt with known dates and prices, a quota below stock for a gap, an incident with a request.
    await receive(t, 'keeper', WEIHUI, [
      { itemId: QUILT, quantity: 300, batchNo: 'PW-Q1', productionDate: '2026-01-05', expiryDate: '2027-03-31', unitPrice: '128.50' },
      { itemId: COTTON_TENT, quantity: 7, batchNo: 'PW-T1', productionDate: '2025-11-01', expiryDate: '2035-10-31', unitPrice: '3200.00' },
    ]);
    ok(await t.gql(`mutation($i: QuotaInput!) { upsertQuota(input: $i) { id } }`, { i: { itemId: QUILT, quantity: 100_000, storeId: WEIHUI } }, 'admin'));
    const incident = ok(
      await t.gql(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        { i: { name: '卫辉市洪涝', type: 'FLOOD', regionCode: '410781', location: { lat: 35.398, lng: 114.064 }, affectedPopulation: 500 } },
        'dispatcher',
      ),
    );
    incidentId = incident.createIncident.id;
    ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
        {
          i: {
            incidentId,
            destinations: [{ name: '唐庄镇安置点', regionCode: '410781100000', lat: 35.475, lng: 114.012, lines: [{ itemId: QUILT, quantity: 40 }] }],
          },
        },
        'dispatcher',
      ),
    );
  });

  const CASES: ListCase[] = [
    {
      list: 'stock',
      as: 'dispatcher',
      title: '库存台账',
      sheet: '库存台账',
      unit: '新乡市',
      total: true,
      query: () => ({ regionCode: '410700' }),
      headings: STOCK_HEADINGS,
    },
    {
      list: 'journal',
      as: 'auditor',
      title: '出入库流水',
      sheet: '出入库流水',
      unit: '新乡市',
      total: false,
      query: () => ({ regionCode: '410700' }),
      headings: JOURNAL_HEADINGS,
    },
    {
      list: 'valuation',
      as: 'auditor',
      title: '储备物资估值表',
      sheet: '储备物资估值',
      unit: '新乡市',
      total: true,
      // Sweep 25c F8: by item first, so that every row and 小计 counts one item (integer quantities); by store or category
      // the quantities are left empty (tests/api/valuation-export-units-sweep25c.test.ts).
      query: () => ({ groupBy: 'ITEM,STORE' }),
      headings: ['物资', '仓库', '在库数量', '在库金额（元）', '在途数量', '在途金额（元）'],
    },
    {
      list: 'rotation-due',
      as: 'dispatcher',
      title: '轮换到期物资清单',
      sheet: '轮换到期',
      unit: '新乡市',
      total: true,
      query: () => ({ withinMonths: '24' }),
      headings: ['仓库', '物资', '规格', '单位', '批号', '有效期至', '应轮换日期', '剩余天数', '数量', '单价（元）', '金额（元）', '状态'],
    },
    {
      list: 'reserve-gaps',
      as: 'dispatcher',
      title: '储备缺口表',
      sheet: '储备缺口',
      unit: '卫辉市',
      total: false,
      query: () => ({ regionCode: '410781' }),
      headings: ['定额对象', '区划代码', '仓库编码', '物资编码', '物资', '规格', '单位', '储备定额', '可用库存', '其中实物储备', '协议承储', '缺口'],
    },
    {
      list: 'incident-balance',
      as: 'dispatcher',
      title: '卫辉市洪涝 物资收支表',
      sheet: '事件物资收支',
      unit: '卫辉市',
      total: false,
      query: () => ({ incidentId }),
      // Sweep 20c F3: where what was shipped is, what became of it at the 安置点 and with households, households served.
      headings: [
        '物资编码',
        '物资',
        '规格',
        '单位',
        '需求',
        '计划调拨',
        '已发运',
        '撤销/释放',
        '途中损失（已核销）',
        '在途',
        '其中：短少待核销',
        '已接收',
        '其他调入',
        '群众交回',
        '已发放',
        // Sweep 23b F5 (D22): handed out and then reversed, beside 已发放 (in none of the sums).
        '已冲销发放',
        '冲销发放笔数',
        '回收入库',
        '报废（已批准）',
        '核销（已批准）',
        '其他调出',
        '安置点现存',
        '其中：待审批报废/核销',
        '群众处丢失（已核销）',
        '群众处',
        '其中：丢失待核销',
        '受助户数',
        '储备库直接发放',
        // Sweep 25c F5 (D28): the per-安置点 section's own columns, after the items' (Incident.basicNeeds).
        '安置点',
        '所在乡镇',
        '10 小时内接收',
        '10 小时内送达',
      ],
    },
  ];

  it.each(CASES)('xlsx of $list: title block, headings, cell types, frozen filtered header, A4 landscape fit to width', async (c) => {
    const res = await download(t, `/exports/${c.list}.xlsx`, c.as, c.query());
    expect(res.status, String(res.body)).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[a-z-]+-\d{8}(-\d{4})?\.xlsx"$/);
    const ws = await openWorkbook(res.body as Buffer);
    expect(ws.name).toBe(c.sheet);
    // Title block.
    expect(ws.getCell('A1').value).toBe(c.title);
    expect(ws.getCell('A1').isMerged).toBe(true);
    const block = sheetValues(ws, 2, 3).flat().filter(Boolean).map(String);
    expect(block).toEqual([
      `编制单位：${c.unit}`,
      expect.stringMatching(/^期间：\S/),
      expect.stringMatching(/^制表人：新乡市/),
      expect.stringMatching(/^制表时间：2026-07-20 10:00$/),
    ]);
    // Header, frozen, filtered, repeated on every printed page.
    expect(sheetValues(ws, HEADER_ROW, HEADER_ROW)[0]).toEqual(c.headings);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: HEADER_ROW });
    expect(String(ws.autoFilter)).toMatch(new RegExp(`^A${HEADER_ROW}:[A-Z]+\\d+$`));
    expect(ws.pageSetup).toMatchObject({
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${HEADER_ROW}:${HEADER_ROW}`,
    });
    c.headings.forEach((_, i) => expect(ws.getColumn(i + 1).width).toBeGreaterThanOrEqual(6));
    // Cell types of every data row.
    const last = c.total ? ws.rowCount - 1 : ws.rowCount;
    expect(last).toBeGreaterThan(HEADER_ROW);
    // Sweep 25c F5: where the incident balance's per-安置点 section starts (its heading row), if it has one.
    const section = sheetValues(ws, HEADER_ROW + 1).findIndex((r) => String(r[1] ?? '').startsWith('按安置点')) + HEADER_ROW + 1;
    for (let n = HEADER_ROW + 1; n <= last; n++) {
      c.headings.forEach((h, i) => {
        const cell = ws.getRow(n).getCell(i + 1);
        const where = `${c.list} row ${n} ${h}`;
        if (section > HEADER_ROW && n >= section && (INT_HEADINGS.has(h) || PER_POINT_INTS.has(h))) {
          if (n > section && PER_POINT_INTS.has(h)) {
            expect(Number.isInteger(cell.value), where).toBe(true);
            expect(cell.numFmt, where).toBe('#,##0');
          } else expect(cell.value, where).toBeNull();
        } else if (PER_POINT_INTS.has(h) && !INT_HEADINGS.has(h)) {
          expect(cell.value, where).toBeNull(); // an item row: 10 小时内接收 is the section's
        } else if (INT_HEADINGS.has(h)) {
          expect(Number.isInteger(cell.value), where).toBe(true);
          expect(cell.numFmt, where).toBe('#,##0');
        } else if (h.endsWith('（元）')) {
          expect(typeof cell.value, where).toBe('number');
          expect(Math.abs((cell.value as number) * 100 - Math.round((cell.value as number) * 100)), where).toBeLessThan(1e-6);
          expect(cell.numFmt, where).toBe('#,##0.00');
        } else if (DATE_HEADINGS.has(h) || TIME_HEADINGS.has(h)) {
          if (cell.value !== null) expect(cell.value instanceof Date, where).toBe(true);
          expect(cell.numFmt, where).toBe(DATE_HEADINGS.has(h) ? 'yyyy-mm-dd' : 'yyyy-mm-dd hh:mm:ss');
        }
      });
    }
    if (c.total) {
      expect(ws.getRow(ws.rowCount).getCell(1).value).toBe('合计');
      expect(ws.getRow(ws.rowCount).getCell(1).font?.bold).toBe(true);
    }
  });

  it.each(CASES)('csv of $list: BOM, the same headings and rows as the workbook', async (c) => {
    const csv = await download(t, `/exports/${c.list}.csv`, c.as, c.query());
    expect(csv.status).toBe(200);
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    const [headings, ...rows] = parseCsv(csv.text);
    expect(headings).toEqual(c.headings);
    const ws = await openWorkbook((await download(t, `/exports/${c.list}.xlsx`, c.as, c.query())).body as Buffer);
    expect(rows).toHaveLength(ws.rowCount - HEADER_ROW);
    expect(rows.map((r) => r[0])).toEqual(sheetValues(ws, HEADER_ROW + 1).map((r) => String(r[0] ?? '')));
  });

  it('库存台账 lists what the stock query lists: dates as date cells, integer quantities, amounts to the fen, a 合计 equal to their sum', async () => {
    const ws = await openWorkbook((await download(t, '/exports/stock.xlsx', 'keeper', { itemId: QUILT })).body as Buffer);
    // A keeper's list: her store only, named in the title block.
    expect(ws.getCell('A2').value).toBe('编制单位：卫辉市救灾物资储备库');
    // Sweep 22a, left over: a list filtered to an item names it on a fourth title line, 筛选条件; the header is below it.
    expect(String(ws.getCell('A4').value)).toMatch(/^筛选条件：物资：棉被/);
    const rows = sheetValues(ws, HEADER_ROW + 2, ws.rowCount - 1);
    const stock = ok(
      await t.gql(
        `query($f: StockFilter!) { stock(filter: $f, first: 500) { edges { node { onHand value batch { batchNo } } } } }`,
        { f: { storeId: WEIHUI, itemId: QUILT } },
        'keeper',
      ),
    ).stock.edges.map((e: any) => e.node);
    expect(rows).toHaveLength(stock.length);
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(['卫辉市救灾物资储备库']));
    const mine = rows.find((r) => r[5] === 'PW-Q1')!;
    expect(mine.slice(6, 14)).toEqual([
      new Date('2026-01-05T00:00:00Z'),
      new Date('2027-03-31T00:00:00Z'),
      expect.any(Number),
      0,
      expect.any(Number),
      0,
      128.5,
      expect.any(Number),
    ]);
    expect(Math.round((mine[13] as number) * 100)).toBe(Math.round((mine[8] as number) * 12850));
    const total = ws.getRow(ws.rowCount);
    const sumFen = stock.reduce((s: bigint, l: any) => s + fen(l.value), 0n);
    expect(total.getCell(14).value).toBe(Number(yuan(sumFen)));
    // One item: the quantities add up too.
    expect(total.getCell(9).value).toBe(stock.reduce((s: number, l: any) => s + l.onHand, 0));
    // Value is not for keepers, but their own stock list is.
    expect((await download(t, '/exports/valuation.xlsx', 'keeper')).status).toBe(403);
  });

  it('D21: the valuation has a 小计 per store (first grouping) and a 合计; both add up to the fen (sweep 25c F8: no mixed-unit quantity)', async () => {
    const ws = await openWorkbook((await download(t, '/exports/valuation.xlsx', 'auditor', { groupBy: 'STORE,CATEGORY' })).body as Buffer);
    const rows = sheetValues(ws, HEADER_ROW + 1);
    const v = await valuationOf(t, 'auditor', { groupBy: ['STORE', 'CATEGORY'] });
    const body = rows.filter((r) => r[1] !== null && r[1] !== '');
    expect(body).toHaveLength(v.groups.length);
    const subtotals = rows.filter((r) => String(r[0]).endsWith(' 小计'));
    const stores = [...new Set(body.map((r) => r[0]))];
    expect(subtotals.map((r) => String(r[0]).replace(/ 小计$/, ''))).toEqual(stores);
    for (const s of subtotals) {
      const store = String(s[0]).replace(/ 小计$/, '');
      const mine = body.filter((r) => r[0] === store);
      // Sweep 25c F8 (was: the pieces of the store's categories added up): a store's or category's stock mixes items —
      // its quantities are left empty, as the console's 「—」 (tests/api/valuation-export-units-sweep25c.test.ts).
      expect([s[2], s[4]]).toEqual([null, null]);
      expect(Math.round((s[3] as number) * 100)).toBe(mine.reduce((a, r) => a + Math.round((r[3] as number) * 100), 0));
      // A subtotal row follows the last row of its store.
      const at = rows.indexOf(s);
      expect(rows[at - 1][0]).toBe(store);
    }
    const total = rows.at(-1)!;
    expect(total[0]).toBe('合计');
    expect([total[2], total[4]]).toEqual([null, null]);
    expect(body.every((r) => r[2] === null && r[4] === null)).toBe(true);
    expect(total[3]).toBe(Number(v.onHand));
    expect(total[5]).toBe(Number(v.inTransit));
    // A value of 300 is the number 300, shown with two decimals by the cell format (not the text "300.00").
    expect(body.every((r) => typeof r[3] === 'number')).toBe(true);
  });

  it('轮换到期 and 储备缺口 list the rotationDue and reserveGaps lines', async () => {
    const due = ok(await t.gql(`{ rotationDue(withinMonths: 24) { quantity batch { batchNo } } }`, {}, 'dispatcher')).rotationDue;
    const rot = await openWorkbook((await download(t, '/exports/rotation-due.xlsx', 'dispatcher', { withinMonths: '24' })).body as Buffer);
    const rotRows = sheetValues(rot, HEADER_ROW + 1, rot.rowCount - 1);
    expect(rotRows.map((r) => [r[4], r[8]])).toEqual(due.map((d: any) => [d.batch.batchNo, d.quantity]));
    const gaps = ok(await t.gql(`{ reserveGaps(regionCode: "410781") { quota gap item { name } } }`, {}, 'dispatcher')).reserveGaps;
    const ws = await openWorkbook((await download(t, '/exports/reserve-gaps.xlsx', 'dispatcher', { regionCode: '410781' })).body as Buffer);
    const rows = sheetValues(ws, HEADER_ROW + 1);
    expect(rows.map((r) => [r[4], r[7], r[11]])).toEqual(gaps.map((g: any) => [g.item.name, g.quota, g.gap]));
    expect(rows.find((r) => r[0] === '卫辉市救灾物资储备库' && r[4] === '棉被')?.[7]).toBe(100_000);
  });

  it('事件物资收支 is the incident’s balance, for those who may see the incident', async () => {
    const ws = await openWorkbook((await download(t, '/exports/incident-balance.xlsx', 'dispatcher', { incidentId })).body as Buffer);
    const quilts = sheetValues(ws, HEADER_ROW + 1).find((r) => r[1] === '棉被')!;
    expect(quilts.slice(4, 6)).toEqual([40, 40]);
    expect((await download(t, '/exports/incident-balance.xlsx', 'keeper', { incidentId })).status).toBe(403);
    const elsewhere = ok(
      await t.gql(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        { i: { name: '晋城市森林火灾', type: 'FOREST_FIRE', regionCode: '140500', location: { lat: 35.49, lng: 112.85 } } },
        'admin',
      ),
    ).createIncident.id;
    expect((await download(t, '/exports/incident-balance.xlsx', 'dispatcher', { incidentId: elsewhere })).status).toBe(403);
    expect((await download(t, '/exports/incident-balance.csv', 'dispatcher')).status).toBe(400);
  });

  it('unknown lists and formats are 404; bad parameters are 400 naming the parameter', async () => {
    expect((await download(t, '/exports/salaries.xlsx', 'admin')).status).toBe(404);
    expect((await download(t, '/exports/stock.ods', 'admin')).status).toBe(404);
    const bad = await download(t, '/exports/rotation-due.csv', 'admin', { withinMonths: 'soon' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'withinMonths' });
    const twice = await request(t.app)
      .get('/exports/stock.csv?regionCode=410700&regionCode=140500')
      .set('authorization', `Bearer ${await t.token('admin')}`);
    expect(twice.status).toBe(400);
  });
});

const LINK = `mutation($p: String!) { createDownloadLink(path: $p) { url expiresAt } }`;

describe('download links for browsers (issue 13)', () => {
  const t = useTestApp();
  const mint = async (path: string, as: string) => ok(await t.gql(LINK, { p: path }, as)).createDownloadLink as { url: string; expiresAt: string };

  it('a link opens its file without the bearer token, once, for two minutes', async () => {
    const before = Date.now();
    const link = await mint('/exports/valuation.xlsx?groupBy=STORE,CATEGORY&regionCode=410700', 'auditor');
    expect(link.url).toMatch(/^\/exports\/valuation\.xlsx\?groupBy=STORE%2CCATEGORY&regionCode=410700&dl=[\w-]+\.[\w-]+\.[\w-]+$/);
    const lifetime = new Date(link.expiresAt).getTime() - before;
    expect(lifetime).toBeGreaterThan(100_000);
    expect(lifetime).toBeLessThanOrEqual(121_000);
    const res = await request(t.app)
      .get(link.url)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const ws = await openWorkbook(res.body as Buffer);
    expect(ws.getCell('A3').value).toBe('制表人：新乡市财政审计员');
    // Spent.
    const again = await request(t.app).get(link.url);
    expect(again.status).toBe(401);
    expect(again.body.error.message).toMatch(/已使用/);
  });

  it('a link is bound to its path and query, is not a bearer token, and cannot be forged', async () => {
    const link = await mint('/exports/journal.csv?regionCode=410781', 'auditor');
    const token = new URL(link.url, 'http://x').searchParams.get('dl')!;
    // Another file, another filter, another parameter added.
    expect((await request(t.app).get(`/exports/valuation.csv?dl=${token}`)).status).toBe(401);
    expect((await request(t.app).get(`/exports/journal.csv?regionCode=410700&dl=${token}`)).status).toBe(401);
    expect((await request(t.app).get(`/exports/journal.csv?regionCode=410781&documentType=ISSUE&dl=${token}`)).status).toBe(401);
    // Not a login token.
    const me = await request(t.app).post('/graphql').set('authorization', `Bearer ${token}`).send({ query: '{ me { id } }' });
    expect(me.body.data?.me ?? null).toBeNull();
    // A login token is not a link.
    expect((await request(t.app).get(`/exports/journal.csv?regionCode=410781&dl=${await t.token('auditor')}`)).status).toBe(401);
    expect((await request(t.app).get(`/exports/journal.csv?regionCode=410781&dl=${token.slice(0, -2)}xx`)).status).toBe(401);
    // Parameters in another order are the same query.
    const two = await mint('/exports/journal.csv?regionCode=410781&documentType=RECEIPT', 'auditor');
    const dl = new URL(two.url, 'http://x').searchParams.get('dl')!;
    expect((await request(t.app).get(`/exports/journal.csv?documentType=RECEIPT&dl=${dl}&regionCode=410781`)).status).toBe(200);
  });

  it('the file is produced in the scope of the user who minted the link; links only for paperwork paths', async () => {
    const link = await mint('/exports/valuation.csv', 'keeper');
    const res = await request(t.app).get(link.url);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    for (const p of [
      '/graphql',
      'https://example.com/exports/stock.csv',
      '//example.com/exports/stock.csv',
      '/exports/../graphql',
      'exports/stock.csv',
      '/exports/stock.csv?dl=1',
    ]) {
      const r = await t.gql(LINK, { p }, 'admin');
      expect({ p, code: r.errors?.[0]?.extensions.code }).toEqual({ p, code: 'BAD_USER_INPUT' });
    }
    expect((await t.gql(LINK, { p: '/exports/stock.csv' })).errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });
});
