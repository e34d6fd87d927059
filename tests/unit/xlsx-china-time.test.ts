import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { chinaText } from '../../server/clock.ts';
import type { Report } from '../../server/paperwork/report.ts';
import { renderXlsx } from '../../server/paperwork/xlsx.ts';

/** Excel has no zones: an instant's cell holds its China wall-clock time, by the one rule of clock.ts (chinaDateTime). */
describe('spreadsheet instants (xlsx.ts) are China wall-clock time, as the API writes them', () => {
  const report = (at: string): Report => ({
    fileName: 'china-time',
    title: '时间',
    sheetName: '时间',
    unit: '测试',
    period: '测试',
    preparedBy: '测试',
    preparedAt: new Date(at),
    columns: [{ header: '时间', key: 'at', width: 20, kind: 'datetime' }],
    rows: [{ cells: { at } }],
  });

  async function cellOf(at: string) {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await renderXlsx(report(at))) as unknown as ArrayBuffer);
    const sheet = book.worksheets[0];
    const cell = sheet.getRow(sheet.rowCount).getCell(1).value as Date;
    return { wallClock: cell.toISOString().slice(0, 19).replace('T', ' ') };
  }

  it('writes a recent instant as its Beijing time (2027-01-01 00:30:05 for 2026-12-31T16:30:05Z)', async () => {
    const { wallClock } = await cellOf('2026-12-31T16:30:05Z');
    expect(wallClock).toBe('2027-01-01 00:30:05');
  });

  // Finance sweep #2, the spreadsheet's share: before 1901 Asia/Shanghai is local mean time (+08:05:43); the cell had
  // shown 08:05:43 where the API, messages and reports say 08:00:00.
  it('writes an instant before 1901 at +08:00, the same wall clock as chinaText and chinaIso', async () => {
    const at = '1900-06-30T00:00:00Z';
    const { wallClock } = await cellOf(at);
    expect(wallClock).toBe('1900-06-30 08:00:00');
    expect(wallClock).toBe(chinaText(at));
  });
});
