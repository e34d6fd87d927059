import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { useTestApp } from '../support/harness.ts';
import { WEIHUI } from '../support/ledger.ts';
import { ledgerCounts } from '../support/ledger-ops.ts';
import { download, OPENING_HEAD, openingSheet, openWorkbook, sheetValues } from '../support/paperwork.ts';

// Sweep 25b (uploads; README Paperwork: "a refusal is 400 with error.errors … naming every bad cell, and nothing posts
// unless every row is good"):
// - F2: a comma in a number cell was dropped wherever it stood — "1,00" 条 booked 100, "1,2" 元 12.00, a 实盘数 "2,40"
//   read 240. A comma is read only as a thousands separator (1,000 · 1,234,567.50, full-width too); else the cell is
//   refused at its row and column (D9 账实相符, D21 value).
// - F5: 期初建账 — a row whose 物资编码 and 物资名称/规格 name different items was booked under the code; refused naming
//   both (D5, D7).
// - F1: 「缺少列」 names only the missing columns; a 盘点表 row added without 批次编号 is told to book a receipt.
// - F3: a workbook of several sheets with content, none the template's, is told which sheet is read.
// - F6: the over-limit amount refusal names the sheet's row only (本行, not receiveStock's 「第 1 行」 beside 「第 5 行」).

const t = useTestApp();
const OPENING = `/paperwork/opening-balances/${WEIHUI}`;
const STOCKTAKE = `/paperwork/stocktake-sheets/${WEIHUI}`;
/** The 盘点表's header row, and its columns 账面数, 实盘数, 原因 and 批次编号. */
const HEADER_ROW = 4;
const [BOOK, COUNTED, BATCH_ID] = [9, 10, 12];

type RowError = { row: number; column: string; message: string };
const GROUPING = (typed: string) =>
  `「${typed}」中的逗号不是千位分隔符，无法确定数值：千位分隔符须每三位一个（如 1,000、1,234.50），小数请用小数点（如 1.2），或不用分隔符`;

async function upload(path: string, content: Buffer, name = '期初.xlsx') {
  return request(t.app)
    .post(path)
    .set('authorization', `Bearer ${await t.token('keeper')}`)
    .attach('file', content, name);
}

/** A 期初建账 row (header on row 2 of openingSheet, so the first data row is row 3): 棉被 LIV-004 unless told. */
const row = (batchNo: string, over: Partial<Record<(typeof OPENING_HEAD)[number], unknown>> = {}) => {
  const values: Record<string, unknown> = { 物资编码: 'LIV-004', 批号: batchNo, 有效期至: '2031-06-30', 数量: 1, '单价（元）': 1, 资金来源: '县级', ...over };
  return OPENING_HEAD.map((h) => values[h] ?? null);
};

const errorsOf = (res: request.Response): RowError[] => res.body.error?.errors ?? [];

async function linesOf(documentId: string) {
  const doc = await t.gql(
    `query($id: ID!) { document(id: $id) { lines { quantity unitPrice item { code } batch { batchNo } } } }`,
    { id: documentId },
    'keeper',
  );
  expect(doc.errors, JSON.stringify(doc.errors)).toBeUndefined();
  return Object.fromEntries(
    doc.data.document.lines.map((l: { quantity: number; unitPrice: string; item: { code: string }; batch: { batchNo: string } }) => [
      l.batch.batchNo,
      [l.item.code, l.quantity, l.unitPrice],
    ]),
  );
}

let items: Record<string, { name: string; spec: string | null }> = {};
beforeAll(async () => {
  const rows = await queryRows<{ code: string; name: string; spec: string | null }>(
    t.database.db,
    sql`SELECT code, name, spec FROM items WHERE code IN ('LIV-001', 'LIV-004', 'LIV-006')`,
  );
  items = Object.fromEntries(rows.map((r) => [r.code, { name: r.name, spec: r.spec }]));
});
const shown = (code: string) => `「${items[code].name}」${items[code].spec ? `（${items[code].spec}）` : ''}`;

describe('sweep 25b F2: a comma in a number cell is a thousands separator or a bad cell (D9, D21)', () => {
  it('D7 期初建账: "1,00", "1,2", "12,34,5", "1,234,5" and "1,0000" refused at their cells, every one named; nothing posts', async () => {
    const before = await ledgerCounts(t);
    const res = await upload(
      OPENING,
      await openingSheet([
        row('S25B-C1', { 数量: '1,00' }),
        row('S25B-C2', { '单价（元）': '1,2' }),
        row('S25B-C3', { 数量: '12,34,5' }),
        row('S25B-C4', { '单价（元）': '1,234,5' }),
        row('S25B-C5', { 数量: '１，００' }), // full-width, as typed with a Chinese IME
        row('S25B-C6', { '单价（元）': '1,0000.5' }),
      ]),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('BAD_USER_INPUT');
    expect(errorsOf(res)).toEqual([
      { row: 3, column: '数量', message: GROUPING('1,00') },
      { row: 4, column: '单价（元）', message: GROUPING('1,2') },
      { row: 5, column: '数量', message: GROUPING('12,34,5') },
      { row: 6, column: '单价（元）', message: GROUPING('1,234,5') },
      { row: 7, column: '数量', message: GROUPING('１，００') },
      { row: 8, column: '单价（元）', message: GROUPING('1,0000.5') },
    ]);
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D7 期初建账: well-formed grouping is read as before — 1,000 · 30,000 · 1,234,567.50 · full-width １，２３４．５０', async () => {
    const res = await upload(
      OPENING,
      await openingSheet([
        row('S25B-G1', { 数量: '1,000', '单价（元）': '1,234,567.50' }),
        row('S25B-G2', { 数量: '30,000', '单价（元）': '１，２３４．５０' }),
        row('S25B-G3', { 数量: '2', '单价（元）': '12' }),
      ]),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await linesOf(res.body.documentId)).toEqual({
      'S25B-G1': ['LIV-004', 1000, '1234567.50'],
      'S25B-G2': ['LIV-004', 30000, '1234.50'],
      'S25B-G3': ['LIV-004', 2, '12.00'],
    });
  });

  it('D9 盘点表: a 实盘数 "2,40" is refused at its cell (was read 240); the book written "1,800"-style is a count', async () => {
    const ws = await openWorkbook((await download(t, `${STOCKTAKE}.xlsx`, 'keeper')).body as Buffer);
    const rows = sheetValues(ws, HEADER_ROW + 1);
    // The two largest books: one counted as its book with thousands grouped, one mistyped with a comma.
    const order = rows.map((r, i) => ({ i, book: Number(r[BOOK - 1]) })).sort((a, b) => b.book - a.book);
    const [big, other] = order.map((o) => HEADER_ROW + 1 + o.i);
    const bigBook = order[0].book;
    expect(bigBook).toBeGreaterThanOrEqual(1000);
    ws.getCell(big, COUNTED).value = bigBook.toLocaleString('en-US');
    ws.getCell(other, COUNTED).value = '2,40';
    const before = await ledgerCounts(t);
    const refused = await upload(STOCKTAKE, Buffer.from(await ws.workbook.xlsx.writeBuffer()), '盘点表.xlsx');
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(errorsOf(refused)).toEqual([{ row: other, column: '实盘数', message: GROUPING('2,40') }]);
    expect(await ledgerCounts(t)).toEqual(before);

    ws.getCell(other, COUNTED).value = null;
    const posted = await upload(STOCKTAKE, Buffer.from(await ws.workbook.xlsx.writeBuffer()), '盘点表.xlsx');
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    expect(posted.body).toMatchObject({ type: 'STOCKTAKE', lines: 1 });
    const doc = await t.gql(
      `query($id: ID!) { document(id: $id) { status lines { countedQuantity bookQuantity } } }`,
      { id: posted.body.documentId },
      'keeper',
    );
    expect(doc.data.document).toEqual({ status: 'POSTED', lines: [{ countedQuantity: bigBook, bookQuantity: bigBook }] });
  });
});

describe('sweep 25b F5: 期初建账 — a row whose 物资编码 and 物资名称/规格 name different items is refused naming both (D5, D7)', () => {
  it('D5: a mistyped code beside the right name, and a right name with another item’s spec, are refused at 物资编码; nothing posts', async () => {
    const before = await ledgerCounts(t);
    const res = await upload(
      OPENING,
      await openingSheet([
        row('S25B-M1', { 物资编码: 'LIV-006', 物资名称: items['LIV-004'].name, 规格: items['LIV-004'].spec }),
        row('S25B-M2', { 物资编码: 'LIV-004', 物资名称: items['LIV-004'].name, 规格: items['LIV-001'].spec }),
        row('S25B-M3', { 物资编码: 'LIV-006', 物资名称: '随便写的名称' }),
      ]),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(errorsOf(res)).toEqual([
      {
        row: 3,
        column: '物资编码',
        message: `物资编码 LIV-006 是${shown('LIV-006')}，与本行物资名称「${items['LIV-004'].name}」、规格「${items['LIV-004'].spec}」不符（LIV-004 是${shown('LIV-004')}）：请核对物资编码和物资名称`,
      },
      {
        row: 4,
        column: '物资编码',
        message: `物资编码 LIV-004 是${shown('LIV-004')}，与本行规格「${items['LIV-001'].spec}」不符（目录中没有这样的物资）：请核对物资编码和规格`,
      },
      {
        row: 5,
        column: '物资编码',
        message: `物资编码 LIV-006 是${shown('LIV-006')}，与本行物资名称「随便写的名称」不符（目录中没有这样的物资）：请核对物资编码和物资名称`,
      },
    ]);
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D5: code, name and spec of one item — or the code with the name alone — post as that item', async () => {
    const res = await upload(
      OPENING,
      await openingSheet([
        row('S25B-A1', { 物资名称: items['LIV-004'].name, 规格: items['LIV-004'].spec }),
        row('S25B-A2', { 物资编码: 'LIV-006', 物资名称: items['LIV-006'].name }),
      ]),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await linesOf(res.body.documentId)).toEqual({ 'S25B-A1': ['LIV-004', 1, '1.00'], 'S25B-A2': ['LIV-006', 1, '1.00'] });
  });
});

describe('sweep 25b F1: missing columns named alone; a 盘点表 row for goods found is told to book a receipt', () => {
  it('期初建账: a stock list (物资编码, 批号, 在库, 单价) is told only 数量 is missing, and that 在库 is not read as it', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('库存台账');
    ws.addRow(['卫辉市救灾物资储备库 库存台账']);
    ws.addRow(['仓库', '物资编码', '物资', '规格', '批号', '在库', '单价（元）']);
    ws.addRow(['卫辉市救灾物资储备库', 'LIV-004', '棉被', null, 'S25B-L1', 5, 158]);
    const res = await upload(OPENING, Buffer.from(await wb.xlsx.writeBuffer()), 'stock.xlsx');
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(errorsOf(res)).toEqual([
      { row: 0, column: '', message: '缺少列：「数量」。「在库」列不作为期初数量读取：请在「数量」列填写期初数量（可下载期初建账模板）' },
    ]);
  });

  it('盘点表 with its 批次编号 column deleted: only 批次编号 is named (实盘数 and 原因 are there)', async () => {
    const ws = await openWorkbook((await download(t, `${STOCKTAKE}.xlsx`, 'keeper')).body as Buffer);
    ws.getCell(HEADER_ROW + 1, COUNTED).value = ws.getCell(HEADER_ROW + 1, BOOK).value;
    ws.spliceColumns(BATCH_ID, 1);
    const res = await upload(STOCKTAKE, Buffer.from(await ws.workbook.xlsx.writeBuffer()), '盘点表.xlsx');
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(errorsOf(res)).toEqual([{ row: 0, column: '', message: '缺少列：「批次编号」（请使用本系统下载的盘点表）' }]);
  });

  it('D9: a row added below the sheet’s without 批次编号 is told that goods found come in by a receipt (入库)', async () => {
    const ws = await openWorkbook((await download(t, `${STOCKTAKE}.xlsx`, 'keeper')).body as Buffer);
    const added = ws.addRow([null, 'LIV-004', '棉被', null, '床', 'S25B-NEW-1', null, null, null, 5, '盘盈']);
    const res = await upload(STOCKTAKE, Buffer.from(await ws.workbook.xlsx.writeBuffer()), '盘点表.xlsx');
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(errorsOf(res)).toEqual([
      { row: added.number, column: '批次编号', message: '本行没有批次编号：盘点表只清点表中列出的批次；表中没有的、新发现的物资请办理入库' },
    ]);
  });
});

describe('sweep 25b F3: several sheets with content and none of them 期初建账', () => {
  it('is told the workbook has no 期初建账 sheet and which sheet the upload reads — not to move its rows onto one it does not', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('储备物资估值').addRows([['新乡市 储备物资估值'], ['仓库', '金额（元）'], ['卫辉市救灾物资储备库', 100]]);
    wb.addWorksheet('另列（不计入合计）').addRows([['协议储备'], ['企业', '金额（元）']]);
    const res = await upload(OPENING, Buffer.from(await wb.xlsx.writeBuffer()), 'valuation.xlsx');
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(errorsOf(res)).toEqual([
      {
        row: 0,
        column: '',
        message:
          '工作簿中没有「期初建账」工作表，而有 2 个工作表填有内容（「储备物资估值」「另列（不计入合计）」）：本系统只读取名为「期初建账」的工作表（或唯一填有内容的工作表）。请将要导入的行填在「期初建账」表中（可下载模板），或删除其他工作表',
      },
    ]);
  });
});

describe('sweep 25b F6: the over-limit amount refusal numbers the row once, the sheet’s way', () => {
  it('D22: 100,000,000 × 99,999,999.99 on row 4 (the document’s line 2) is told 「本行数量 × 单价…」', async () => {
    const before = await ledgerCounts(t);
    const res = await upload(OPENING, await openingSheet([row('S25B-H0'), row('S25B-H1', { 数量: 100_000_000, '单价（元）': 99_999_999.99 })]));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(errorsOf(res)).toEqual([
      {
        row: 4,
        column: '单价（元）',
        message: '本行数量 × 单价使本单金额超过 99999999999999.99 元（一张入库单的上限）：请核对数量和单价，或分单入库',
      },
    ]);
    expect(await ledgerCounts(t)).toEqual(before);
  });
});
