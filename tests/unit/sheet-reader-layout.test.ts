import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../server/errors.ts';
import { readUploadSheet } from '../../server/paperwork/sheet-reader.ts';

// Sweep 16c F3, F4 (README: the whole file is checked, nothing posts unless every row is good): which sheet an upload
// reads, and what of the workbook's layout it refuses — merged cells under the header, content on another sheet.

const LAYOUT = { sheetName: '期初建账', headings: ['批号', '数量'] };

async function workbook(fill: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  fill(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A sheet with a merged title row, the header (row 2) and these rows. */
function table(wb: ExcelJS.Workbook, name: string, rows: unknown[][]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name);
  ws.addRow(['期初库存导入表']);
  ws.mergeCells('A1:C1');
  ws.addRow(['批号', '数量', '备注']);
  rows.forEach((r) => ws.addRow(r));
  return ws;
}

const refusal = async (file: Buffer) => {
  const error = await readUploadSheet(file, 'a.xlsx', LAYOUT).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return (error as DomainError).details.errors as { row: number; column: string; message: string }[];
};

describe('readUploadSheet: the data sheet and its layout (sweep 16c F3, F4)', () => {
  it('accepts merges above the data rows; a cell merged away reads as empty, never as its neighbour’s value', async () => {
    const file = await workbook((wb) => {
      const ws = table(wb, '期初建账', [['B-1', 5]]);
      ws.getCell('A2').value = '批号';
      ws.mergeCells('B2:C2'); // a header merged across: 数量 once, at B
    });
    const sheet = await readUploadSheet(file, 'a.xlsx', LAYOUT);
    expect(sheet.rows.map((r) => r.cells.slice(1))).toEqual([
      ['期初库存导入表', null, null],
      ['批号', '数量', null],
      ['B-1', 5],
    ]);
    expect(sheet.found?.columns.get('数量')).toBe(2);
  });

  it('refuses every merged range reaching below the header, each by its rows and columns (a column without heading by letter)', async () => {
    const file = await workbook((wb) => {
      const ws = table(wb, '期初建账', [
        ['B-1', 5],
        ['B-2', null],
      ]);
      ws.mergeCells('B3:B4');
      ws.mergeCells('D3:E4');
    });
    expect(await refusal(file)).toEqual([
      { row: 3, column: '数量', message: '第 3–4 行「数量」列是合并单元格（B3:B4），只有第一格有值：请取消合并，每行分别填写' },
      { row: 3, column: '', message: '第 3–4 行 D 至 E 列是合并单元格（D3:E4），只有第一格有值：请取消合并，每行分别填写' },
    ]);
  });

  it('reads the sheet named as the template’s wherever it stands; else the one sheet with content', async () => {
    const named = await workbook((wb) => {
      wb.addWorksheet('Sheet1');
      table(wb, '期初建账', [['B-1', 5]]);
    });
    expect(await readUploadSheet(named, 'a.xlsx', LAYOUT)).toMatchObject({ name: '期初建账', found: { header: { row: 2 } } });
    const own = await workbook((wb) => {
      wb.addWorksheet('Sheet1');
      table(wb, '台账', [['B-1', 5]]);
      wb.addWorksheet('Sheet3');
    });
    expect(await readUploadSheet(own, 'a.xlsx', LAYOUT)).toMatchObject({ name: '台账', found: { header: { row: 2 } } });
  });

  it('refuses content on any other sheet, naming it (hidden ones said so) and the sheet that is read', async () => {
    const file = await workbook((wb) => {
      wb.addWorksheet('说明').addRow(['填写说明']);
      table(wb, '台账', [['B-1', 5]]);
      table(wb, '第二页', [['B-2', 6]]).state = 'hidden';
    });
    expect((await refusal(file)).map((e) => [e.row, e.message])).toEqual([
      [0, '工作表「说明」也填有内容：本系统只读取「台账」表，请将所有行填在「台账」表中，或删除其他工作表'],
      [0, '工作表「第二页」（已隐藏）也填有内容：本系统只读取「台账」表，请将所有行填在「台账」表中，或删除其他工作表'],
    ]);
  });
});
