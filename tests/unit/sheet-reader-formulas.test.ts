import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { dayOf, integerOf, moneyOf, readUploadSheet, textOf, UncomputedFormula } from '../../server/paperwork/sheet-reader.ts';

// Sweep 3 L8: a formula cell saved without its computed value is read as a formula whose value is unknown — never as
// a value (so an import names it as a formula, not as "not a whole number"); one saved with its value reads as it.

describe('readUploadSheet: formula cells', () => {
  it('reads a formula by its cached result, and one without a result (or a shared one) as UncomputedFormula', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('盘点表');
    ws.addRow(['实盘数', '其他']);
    ws.getCell('A2').value = { formula: '100+96', result: 196 };
    ws.getCell('B2').value = { formula: 'A2*1', result: 196 };
    ws.getCell('A3').value = { formula: '100+96' };
    ws.getCell('B3').value = { formula: 'DATE(2031,1,1)' };
    const { rows } = await readUploadSheet(Buffer.from(await wb.xlsx.writeBuffer()), '盘点表.xlsx', { sheetName: '盘点表', headings: ['实盘数'] });
    const [cached, uncomputed] = [rows[1].cells, rows[2].cells];
    expect(cached.slice(1)).toEqual([196, 196]);
    expect(uncomputed[1]).toBeInstanceOf(UncomputedFormula);
    expect((uncomputed[1] as UncomputedFormula).formula).toBe('100+96');
    expect(uncomputed[2]).toBeInstanceOf(UncomputedFormula);
  });

  it('no parser reads a formula without its value as a value: numbers, money and dates are refused, text is nothing', () => {
    const f = new UncomputedFormula('100+96');
    expect(integerOf(f)).toBeUndefined();
    expect(moneyOf(f)).toBeUndefined();
    expect(dayOf(f)).toBeUndefined();
    expect(textOf(f)).toBeNull();
  });
});
