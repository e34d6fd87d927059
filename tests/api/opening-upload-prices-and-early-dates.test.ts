import ExcelJS from 'exceljs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { WEIHUI } from '../support/ledger.ts';
import { ledgerCounts } from '../support/ledger-ops.ts';
import { download, OPENING_HEAD, openWorkbook, sheetValues } from '../support/paperwork.ts';

// Sweep 18c F5, F7 (D7 期初建账; README uploads: "The whole file is checked first … naming every bad cell"):
// - F5: every bad cell is named in the first answer — a price too large for the API (1,000,000,000,000) among them, not
//   only once the rest is fixed — and a price typed with more decimals than two (1.999999999, shown so in Excel) is
//   refused as the API refuses it, not booked rounded to 2.00; a quantity over a line's limit is told the limit.
// - F7: a date cell before 1900-03-01 is the day Excel shows (its serials 1–59 count a 1900-02-29 that never was), not a
//   day early — 1900-01-01 was booked as 1899-12-31, a date the API refuses; a date outside the API's years is refused
//   at its cell; and the 盘点表 writes such a day as the cell Excel shows as that day.

const t = useTestApp();
const OPENING = `/paperwork/opening-balances/${WEIHUI}`;

/** A 期初建账 workbook; a cell given as { serial } is a date-formatted number cell, as Excel and openpyxl write dates. */
async function sheet(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('期初建账');
  ws.addRow(['卫辉市救灾物资储备库 期初库存']);
  ws.addRow([...OPENING_HEAD]);
  for (const values of rows) {
    const row = ws.addRow(values.map((v) => (v && typeof v === 'object' && 'serial' in v ? (v as { serial: number }).serial : v)));
    values.forEach((v, i) => {
      if (v && typeof v === 'object' && 'serial' in v) row.getCell(i + 1).numFmt = 'yyyy-mm-dd';
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A row of 棉被 (LIV-004), good by itself. */
const row = (batchNo: string, over: Partial<Record<(typeof OPENING_HEAD)[number], unknown>> = {}) => {
  const values: Record<string, unknown> = {
    物资编码: 'LIV-004',
    批号: batchNo,
    有效期至: '2199-12-31',
    数量: 3,
    '单价（元）': 1,
    资金来源: '县级资金',
    ...over,
  };
  return OPENING_HEAD.map((h) => values[h] ?? null);
};

async function upload(content: Buffer) {
  return request(t.app)
    .post(OPENING)
    .set('authorization', `Bearer ${await t.token('keeper')}`)
    .attach('file', content, '期初.xlsx');
}

describe('sweep 18c F5, F7: the opening-balance upload reads prices and dates as the cell shows them (D7)', () => {
  it('D7 (F5): every bad cell in one answer — a price too large and one of 9 decimals among them; nothing posts', async () => {
    const before = await ledgerCounts(t);
    const res = await upload(
      await sheet([
        row('S18C-P1', { '单价（元）': 1.005 }),
        row('S18C-P2', { '单价（元）': 1.999999999 }),
        row('S18C-P3', { 数量: 1, '单价（元）': 1_000_000_000_000 }),
        row('S18C-P4', { 数量: 100_000_001 }),
        row('S18C-P5', { '单价（元）': 0.1 + 0.2 }), // a formula's float noise: shown 0.3, taken as 0.30
        row('S18C-P6', { '单价（元）': 999_999_999_999.99 }),
      ]),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.errors.map((e: { row: number; column: string; message: string }) => [e.row, e.column, e.message])).toEqual([
      [3, '单价（元）', '单价须为不小于 0 的金额，最多两位小数'],
      [4, '单价（元）', '单价须为不小于 0 的金额，最多两位小数'],
      [5, '单价（元）', '金额过大：1000000000000（最多 999999999999.99 元）'],
      [6, '数量', '数量过大：每行最多 100,000,000'],
    ]);
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D7 (F7): date cells before 1900-03-01 are the days Excel shows; 1900-02-29 and a year before 1900 are refused at their cells', async () => {
    const refused = await upload(
      await sheet([
        row('S18C-D60', { 生产日期: { serial: 60 } }),
        row('S18C-D1899', { 生产日期: '1899-12-31' }),
        row('S18C-D2200', { 有效期至: '2200-01-01' }),
      ]),
    );
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(refused.body.error.errors.map((e: { row: number; column: string; message: string }) => [e.row, e.column, e.message])).toEqual([
      [3, '生产日期', '日期格式错误（应为日期，如 2026-04-10）'],
      [4, '生产日期', '日期超出范围：1899-12-31（年份应在 1900–2199 之间）'],
      [5, '有效期至', '日期超出范围：2200-01-01（年份应在 1900–2199 之间）'],
    ]);

    const serials: Record<string, number> = { 'S18C-D15': 15, 'S18C-D59': 59, 'S18C-D61': 61, 'S18C-D1': 1 };
    const posted = await upload(await sheet(Object.entries(serials).map(([batchNo, serial]) => row(batchNo, { 生产日期: { serial } }))));
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    const doc = await t.gql(`query($id: ID!) { document(id: $id) { lines { batch { batchNo productionDate } } } }`, { id: posted.body.documentId }, 'keeper');
    expect(doc.errors, JSON.stringify(doc.errors)).toBeUndefined();
    const days = Object.fromEntries(
      doc.data.document.lines.map((l: { batch: { batchNo: string; productionDate: string } }) => [l.batch.batchNo, l.batch.productionDate]),
    );
    expect(days).toEqual({ 'S18C-D15': '1900-01-15', 'S18C-D59': '1900-02-28', 'S18C-D61': '1900-03-01', 'S18C-D1': '1900-01-01' });

    // The 盘点表 writes each as the serial Excel shows as that day (exceljs reads it back by the plain count).
    const ws = await openWorkbook((await download(t, `/paperwork/stocktake-sheets/${WEIHUI}.xlsx`, 'keeper')).body as Buffer);
    const written = Object.fromEntries(
      sheetValues(ws, 5)
        .filter((r) => String(r[5]).startsWith('S18C-D'))
        .map((r) => [r[5], Math.round(((r[6] as Date).getTime() - Date.UTC(1899, 11, 30)) / 86_400_000)]),
    );
    expect(written).toEqual(serials);
  });
});
