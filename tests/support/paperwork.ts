import ExcelJS from 'exceljs';
import request from 'supertest';
import type { TestApp } from './harness.ts';
import { binary } from './finance.ts';

// Reading what the paperwork routes serve: workbooks with exceljs, CSV by RFC 4180.

/** The columns of a 期初建账 (opening balances) sheet, in order. */
export const OPENING_HEAD = ['物资编码', '物资名称', '规格', '批号', '生产日期', '有效期至', '数量', '单价（元）', '资金来源', '产权单位'] as const;

/** A 期初建账 workbook of 卫辉市救灾物资储备库: a title row, the header row (row 2) and data rows from row 3 on. */
export async function openingSheet(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('台账');
  ws.addRow(['卫辉市救灾物资储备库 期初库存']);
  ws.addRow([...OPENING_HEAD]);
  rows.forEach((r) => ws.addRow(r));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The columns of 出入库流水 (journal exports), in order. */
export const JOURNAL_HEADINGS = [
  '单据编号',
  '单据类型',
  '仓库',
  '物资',
  '规格',
  '单位',
  '批号',
  '库存类别',
  '数量',
  '单价（元）',
  '金额（元）',
  '原因',
  '经办人',
  '业务时间',
  '记账时间',
  // D22, D27: the second person — its own approval or its order's (D23) — and the order executed.
  '批准人',
  '批准文号',
  '出库申请',
  // D3, D21: where the stock is held (sweep 12c C10); D7, D22: the document's contract and what it cites (C11) — last.
  '储备方式',
  '合同编号',
  '依据',
];

/** The columns of 库存台账 (stock exports), in order. */
export const STOCK_HEADINGS = [
  '仓库',
  '物资编码',
  '物资',
  '规格',
  '单位',
  '批号',
  '生产日期',
  '有效期至',
  '在库',
  '预留',
  '可用',
  '在途',
  '单价（元）',
  '在库金额（元）',
  '资金来源',
  '储备方式',
  '状态',
  // D7: the rest of the batch's label, after the columns read before (sweep 12a F3).
  '产地',
  '入库时间',
];

/** The line table of a printed 入库单: D7's label — 产地 and 生产日期 beside 批号 and 有效期至 (sweep 12a F3). */
export const RECEIPT_PRINT_HEADINGS = ['序号', '物资', '规格', '单位', '批号', '产地', '生产日期', '有效期至', '数量', '单价（元）', '金额（元）', '原因/说明'];

/** GET a paperwork path as a user (bearer token) or without one; binary bodies as a Buffer. */
export async function download(t: TestApp, path: string, as?: string, query: Record<string, string> = {}) {
  const req = request(t.app).get(path).query(query);
  if (as) req.set('authorization', `Bearer ${await t.token(as)}`);
  return /\.(xlsx|pdf)(\?|$)/.test(path) ? req.buffer(true).parse(binary) : req;
}

/** The sheets of a workbook, checking how many it has. */
export async function openSheets(buffer: Buffer, sheets: number): Promise<ExcelJS.Worksheet[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  if (wb.worksheets.length !== sheets) throw new Error(`expected ${sheets} sheet(s), got ${wb.worksheets.length}`);
  return wb.worksheets;
}

/** The report's sheet: the first (the valuation adds a second, of amounts shown apart: finance-exports checks it). */
export async function openWorkbook(buffer: Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  return wb.worksheets[0];
}

/** The cell values of rows from..to (1-based, inclusive; to defaults to the last row). */
export function sheetValues(ws: ExcelJS.Worksheet, from: number, to = ws.rowCount): ExcelJS.CellValue[][] {
  const rows: ExcelJS.CellValue[][] = [];
  for (let n = from; n <= to; n++) {
    const row = ws.getRow(n);
    rows.push(Array.from({ length: ws.columnCount }, (_, i) => row.getCell(i + 1).value));
  }
  return rows;
}

/** RFC 4180 CSV (quotes, doubled quotes, CRLF), BOM removed. */
export function parseCsv(text: string): string[][] {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && src[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
