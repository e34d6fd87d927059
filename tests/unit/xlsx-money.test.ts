import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../server/paperwork/report.ts';
import { renderXlsx } from '../../server/paperwork/xlsx.ts';

// API.md: Money is exact, never a float. A spreadsheet number is a double, exact to 15 significant digits; the API's
// amounts reach 17 (a document's cap, 99,999,999,999,999.99). Sweep 8a F2: the journal's XLSX wrote 99999987473321.01
// as 99999987473321.02 while the API, the CSV and the printed 入库单 said .01.
describe('money in spreadsheets (xlsx.ts) is the API amount to the cent', () => {
  const report = (values: string[]): Report => ({
    fileName: 'money',
    title: '金额',
    sheetName: '金额',
    unit: '测试',
    period: '测试',
    preparedBy: '测试',
    preparedAt: new Date('2026-12-05T00:00:00Z'),
    columns: [{ header: '金额', key: 'value', width: 20, kind: 'money' }],
    rows: values.map((value) => ({ cells: { value } })),
  });

  async function cells(values: string[]) {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await renderXlsx(report(values))) as unknown as ArrayBuffer);
    const sheet = book.worksheets[0];
    return values.map((_, i) => sheet.getRow(sheet.rowCount - values.length + 1 + i).getCell(1).value);
  }

  it('an amount of up to 15 significant digits is a number cell (summed in Excel): 12345678.99, -0.10, 9999999999999.99', async () => {
    expect(await cells(['12345678.99', '-0.10', '9999999999999.99'])).toEqual([12345678.99, -0.1, 9999999999999.99]);
  });

  it('an amount a double cannot hold to the cent is its exact text: 99999987473321.01, -101012341478326.71', async () => {
    expect(await cells(['99999987473321.01', '-101012341478326.71'])).toEqual(['99999987473321.01', '-101012341478326.71']);
  });
});
