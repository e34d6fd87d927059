import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { useTestApp } from '../support/harness.ts';
import { documentById, ledgerCounts } from '../support/ledger-ops.ts';
import { QUILT, receive, stockAt, WEIHUI } from '../support/ledger.ts';
import { download, OPENING_HEAD, sheetValues } from '../support/paperwork.ts';

// Sweep 16c F3, F4 (README "the whole file is checked first … nothing posts unless every row is good"; D7 期初建账, D9
// 盘点表): both uploads read their workbook through one reader, which
//  - refuses a merged range touching the rows under the header, named by its rows and columns — a merged cell holds one
//    value, and it was read into every row of the range (数量 100 merged over two rows booked 200; a merged 物资编码 gave
//    both rows the first row's item);
//  - refuses a workbook with content on a sheet other than the one it reads, naming that sheet — rows on a second sheet
//    were left out without a word;
//  - reads the template's sheet by its name, wherever it stands; the templates as downloaded (one sheet, the title row
//    merged) and filled in still post.
// Every refusal is 400 BAD_USER_INPUT with error.errors, posts nothing and is audited as a refusal only.

const HEADER_ROW = 4;
const OPENING = `/paperwork/opening-balances/${WEIHUI}`;
const SHEET = `/paperwork/stocktake-sheets/${WEIHUI}`;
/** Column (1-based) of a 期初建账 heading in the template. */
const col = (h: (typeof OPENING_HEAD)[number]) => OPENING_HEAD.indexOf(h) + 1;

type RowError = { row: number; column: string; message: string };

const bufferOf = async (wb: ExcelJS.Workbook) => Buffer.from(await wb.xlsx.writeBuffer());
const workbookOf = async (file: Buffer) => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ArrayBuffer);
  return wb;
};

/** Puts the workbook's sheets in this order (exceljs writes them by orderNo, which its types leave out). */
const orderSheets = (wb: ExcelJS.Workbook, names: string[]) =>
  wb.worksheets.forEach((s) => ((s as unknown as { orderNo: number }).orderNo = names.indexOf(s.name)));

/** A copy of a sheet's values (as a keeper's 复制工作表 would have them) under another name. */
function copySheet(wb: ExcelJS.Workbook, from: ExcelJS.Worksheet, name: string): ExcelJS.Worksheet {
  const copy = wb.addWorksheet(name);
  from.eachRow((row, n) => {
    copy.getRow(n).values = row.values;
  });
  return copy;
}

describe('uploads: merged cells and other sheets (sweep 16c F3, F4; README, D7, D9)', () => {
  const t = useTestApp();
  const upload = async (path: string, content: Buffer, name = 'sheet.xlsx') =>
    request(t.app)
      .post(path)
      .set('authorization', `Bearer ${await t.token('keeper')}`)
      .attach('file', content, name);

  /** What a refusal must leave as it was: the ledger, the store's stock, and the audit log but for the refusal's row. */
  const state = async (operation: string) => ({
    ledger: await ledgerCounts(t),
    stock: (await stockAt(t, WEIHUI)).map((l: any) => [l.batch.id, l.onHand, l.reserved]).sort(),
    audit: await queryRows<{ outcome: string }>(t.database.db, sql`SELECT outcome FROM audit_log WHERE operation = ${operation} ORDER BY id`),
  });
  /** The upload is refused (400 BAD_USER_INPUT) with these errors, and nothing changed. */
  const refused = async (path: string, operation: string, content: Buffer): Promise<{ message: string; errors: RowError[] }> => {
    const before = await state(operation);
    const res = await upload(path, content);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('BAD_USER_INPUT');
    const after = await state(operation);
    expect(after.ledger).toEqual(before.ledger);
    expect(after.stock).toEqual(before.stock);
    expect(after.audit).toEqual([...before.audit, { outcome: 'BAD_USER_INPUT' }]);
    return res.body.error;
  };

  /** The 期初建账 template as downloaded, with these rows of 棉被 (LIV-004) filled in from row 5 on. */
  const openingTemplate = async (rows: { batchNo: string; quantity: number | null }[]) => {
    const res = await download(t, '/paperwork/opening-balance-template.xlsx', 'keeper');
    expect(res.status).toBe(200);
    const wb = await workbookOf(res.body as Buffer);
    const ws = wb.getWorksheet('期初建账')!;
    rows.forEach((r, i) => {
      const row = ws.getRow(HEADER_ROW + 1 + i);
      row.getCell(col('物资编码')).value = 'LIV-004';
      row.getCell(col('批号')).value = r.batchNo;
      row.getCell(col('生产日期')).value = new Date('2026-01-01T00:00:00Z');
      row.getCell(col('有效期至')).value = new Date('2030-01-01T00:00:00Z');
      row.getCell(col('数量')).value = r.quantity;
      row.getCell(col('单价（元）')).value = 1;
      row.getCell(col('资金来源')).value = '县级资金';
    });
    return { wb, ws };
  };

  /** The store's 盘点表 as downloaded, and the Excel rows of the two batches this file counts. */
  const stocktakeSheet = async () => {
    const res = await download(t, `${SHEET}.xlsx`, 'keeper');
    expect(res.status).toBe(200);
    const wb = await workbookOf(res.body as Buffer);
    const ws = wb.getWorksheet('盘点表')!;
    const values = sheetValues(ws, HEADER_ROW + 1);
    const [a, b] = ['S16C-CNT-A', 'S16C-CNT-B'].map((n) => HEADER_ROW + 1 + values.findIndex((r) => r[5] === n));
    // Adjacent rows of one item with the same book (30): a merge over both reads as a plausible count of each.
    expect(b).toBe(a + 1);
    return { wb, ws, a, b };
  };
  const COUNTED = 10;
  const REASON = 11;

  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [
      { itemId: QUILT, quantity: 30, batchNo: 'S16C-CNT-A', productionDate: '2026-01-01', expiryDate: '2031-01-01', unitPrice: '150.00' },
      { itemId: QUILT, quantity: 30, batchNo: 'S16C-CNT-B', productionDate: '2026-01-01', expiryDate: '2031-01-01', unitPrice: '150.00' },
    ]);
  });

  describe('the templates as they are downloaded (D7, D9)', () => {
    it('each has its one sheet, merged only in its title row (above the header)', async () => {
      for (const [path, name] of [
        ['/paperwork/opening-balance-template.xlsx', '期初建账'],
        [`${SHEET}.xlsx`, '盘点表'],
      ]) {
        const wb = await workbookOf((await download(t, path, 'keeper')).body as Buffer);
        expect(wb.worksheets.map((s) => s.name)).toEqual([name]);
        const merges = wb.worksheets[0].model.merges;
        expect(merges.length).toBeGreaterThan(0);
        for (const m of merges) expect(m).toMatch(/^[A-Z]+1:[A-Z]+1$/);
      }
    });
  });

  describe('F3: a merged cell in the data area is refused, named by its rows and columns (README, D7)', () => {
    it('期初建账: 数量 100 merged over rows 5–6 is not booked twice', async () => {
      const { wb, ws } = await openingTemplate([
        { batchNo: 'S16C-M-1', quantity: 100 },
        { batchNo: 'S16C-M-2', quantity: null },
      ]);
      ws.mergeCells('G5:G6');
      const error = await refused(OPENING, 'importOpeningBalance', await bufferOf(wb));
      expect(error.errors).toEqual([{ row: 5, column: '数量', message: '第 5–6 行「数量」列是合并单元格（G5:G6），只有第一格有值：请取消合并，每行分别填写' }]);
      expect(error.message).toBe(
        '文件中有 1 处错误，未入账。第 5 行「数量」：第 5–6 行「数量」列是合并单元格（G5:G6），只有第一格有值：请取消合并，每行分别填写',
      );
    });

    it('期初建账: a merged 物资编码 does not give the next row its item; every merged range is named, across columns too', async () => {
      const { wb, ws } = await openingTemplate([
        { batchNo: 'S16C-M-3', quantity: 5 },
        { batchNo: 'S16C-M-4', quantity: 6 },
        { batchNo: 'S16C-M-5', quantity: 7 },
      ]);
      ws.getCell('A6').value = null;
      ws.mergeCells('A5:A6');
      ws.mergeCells('I7:J7'); // 资金来源 and 产权单位 of row 7
      const error = await refused(OPENING, 'importOpeningBalance', await bufferOf(wb));
      expect(error.errors).toEqual([
        { row: 5, column: '物资编码', message: '第 5–6 行「物资编码」列是合并单元格（A5:A6），只有第一格有值：请取消合并，每行分别填写' },
        { row: 7, column: '资金来源', message: '第 7 行「资金来源」至「产权单位」列是合并单元格（I7:J7），只有第一格有值：请取消合并，每格分别填写' },
      ]);
    });

    it('盘点表: 实盘数 merged over two batches’ rows is not a count of each', async () => {
      const { wb, ws, a, b } = await stocktakeSheet();
      ws.getCell(a, COUNTED).value = 30;
      ws.mergeCells(a, COUNTED, b, COUNTED);
      const error = await refused(SHEET, 'importStocktakeSheet', await bufferOf(wb));
      expect(error.errors).toEqual([
        { row: a, column: '实盘数', message: `第 ${a}–${b} 行「实盘数」列是合并单元格（J${a}:J${b}），只有第一格有值：请取消合并，每行分别填写` },
      ]);
    });

    it('盘点表: a merged 物资编码 is refused too (one reader, one rule)', async () => {
      const { wb, ws, a, b } = await stocktakeSheet();
      ws.getCell(a, COUNTED).value = 30;
      ws.getCell(b, COUNTED).value = 30;
      ws.getCell(b, 2).value = null;
      ws.mergeCells(a, 2, b, 2);
      const error = await refused(SHEET, 'importStocktakeSheet', await bufferOf(wb));
      expect(error.errors).toEqual([
        { row: a, column: '物资编码', message: `第 ${a}–${b} 行「物资编码」列是合并单元格（B${a}:B${b}），只有第一格有值：请取消合并，每行分别填写` },
      ]);
    });
  });

  describe('F4: content on another sheet is refused, naming the sheet; the data sheet is found by its name (README)', () => {
    it('期初建账: a copy of the sheet named 第二页 with more rows is not left out', async () => {
      const { wb, ws } = await openingTemplate([{ batchNo: 'S16C-X-1', quantity: 5 }]);
      const second = copySheet(wb, ws, '第二页');
      second.getCell(HEADER_ROW + 1, col('批号')).value = 'S16C-X-2';
      second.getCell(HEADER_ROW + 1, col('数量')).value = 6;
      const error = await refused(OPENING, 'importOpeningBalance', await bufferOf(wb));
      expect(error.errors).toEqual([
        { row: 0, column: '', message: '工作表「第二页」也填有内容：本系统只读取「期初建账」表，请将所有行填在「期初建账」表中，或删除其他工作表' },
      ]);
    });

    it('期初建账: a hidden sheet with rows is named as hidden; a sheet before the data sheet is named as well', async () => {
      const { wb, ws } = await openingTemplate([{ batchNo: 'S16C-X-3', quantity: 5 }]);
      copySheet(wb, ws, '备份').state = 'hidden';
      const notes = wb.addWorksheet('说明');
      notes.addRow(['期初数取自 2025 年末台账']);
      // 说明 first: the upload reads the sheet named 期初建账, not the first one.
      orderSheets(wb, ['说明', '期初建账', '备份']);
      const file = await bufferOf(wb);
      expect((await workbookOf(file)).worksheets.map((s) => s.name)).toEqual(['说明', '期初建账', '备份']);
      const error = await refused(OPENING, 'importOpeningBalance', file);
      expect(error.errors.map((e) => e.message)).toEqual([
        '工作表「说明」也填有内容：本系统只读取「期初建账」表，请将所有行填在「期初建账」表中，或删除其他工作表',
        '工作表「备份」（已隐藏）也填有内容：本系统只读取「期初建账」表，请将所有行填在「期初建账」表中，或删除其他工作表',
      ]);
    });

    it('期初建账: the template’s sheet behind an empty first sheet is read (by its name), its rows as written', async () => {
      const { wb } = await openingTemplate([
        { batchNo: 'S16C-Y-1', quantity: 5 },
        { batchNo: 'S16C-Y-2', quantity: 6 },
      ]);
      wb.addWorksheet('Sheet1');
      orderSheets(wb, ['Sheet1', '期初建账']);
      const file = await bufferOf(wb);
      expect((await workbookOf(file)).worksheets.map((s) => s.name)).toEqual(['Sheet1', '期初建账']);
      const res = await upload(OPENING, file);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const doc = await documentById(t, res.body.documentId);
      expect(doc.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual([
        ['S16C-Y-1', 5],
        ['S16C-Y-2', 6],
      ]);
    });

    it('盘点表: counts on a copy named 第二页 are not left out while the first sheet’s post', async () => {
      const { wb, ws, a, b } = await stocktakeSheet();
      ws.getCell(a, COUNTED).value = 30;
      const second = copySheet(wb, ws, '第二页');
      second.getCell(a, COUNTED).value = null;
      second.getCell(b, COUNTED).value = 29;
      second.getCell(b, REASON).value = '盘亏';
      const error = await refused(SHEET, 'importStocktakeSheet', await bufferOf(wb));
      expect(error.errors).toEqual([
        { row: 0, column: '', message: '工作表「第二页」也填有内容：本系统只读取「盘点表」表，请将所有行填在「盘点表」表中，或删除其他工作表' },
      ]);
    });
  });

  describe('the templates filled in as they are still post (D7, D9)', () => {
    it('期初建账: two rows, the title row merged as downloaded → one receipt of 5 and 6', async () => {
      const { wb } = await openingTemplate([
        { batchNo: 'S16C-OK-1', quantity: 5 },
        { batchNo: 'S16C-OK-2', quantity: 6 },
      ]);
      const res = await upload(OPENING, await bufferOf(wb), '期初建账.xlsx');
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ type: 'RECEIPT', status: 'POSTED', lines: 2 });
      const doc = await documentById(t, res.body.documentId);
      expect(doc.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual([
        ['S16C-OK-1', 5],
        ['S16C-OK-2', 6],
      ]);
    });

    it('盘点表: both batches counted → one stocktake of both', async () => {
      const { wb, ws, a, b } = await stocktakeSheet();
      ws.getCell(a, COUNTED).value = 30;
      ws.getCell(b, COUNTED).value = 29;
      ws.getCell(b, REASON).value = '盘亏';
      const res = await upload(SHEET, await bufferOf(wb), '盘点表.xlsx');
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ type: 'STOCKTAKE', lines: 2 });
      const doc = await documentById(t, res.body.documentId);
      expect(doc.lines.map((l: any) => [l.batch.batchNo, l.bookQuantity, l.countedQuantity]).sort()).toEqual([
        ['S16C-CNT-A', 30, 30],
        ['S16C-CNT-B', 30, 29],
      ]);
    });
  });
});
