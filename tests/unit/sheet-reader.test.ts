import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { MAX_UNZIPPED_BYTES, MAX_UPLOAD_BYTES, MAX_ZIP_ENTRIES, readUploadSheet, rowsBelow } from '../../server/paperwork/sheet-reader.ts';
import { DomainError } from '../../server/errors.ts';

// Issue 13 (Excel in): what an upload's sheet reads as, and which files are refused before they are loaded.

/** The rows of the upload's data sheet (a layout whose headings these sheets need not have). */
const readFirstSheet = async (file: Buffer, name: string, maxRows?: number) =>
  (await readUploadSheet(file, name, { sheetName: '盘点表', headings: ['物资'] }, maxRows)).rows;

async function workbook(fill: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  fill(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function refusal(file: Buffer, name = 'a.xlsx'): Promise<DomainError> {
  const error = await readFirstSheet(file, name).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('readUploadSheet', () => {
  it('reads the data sheet of a two-sheet workbook written by exceljs (workbook.xml stored last) every time', async () => {
    // exceljs issue 3064: its streaming reader sometimes parsed a sheet before xl/workbook.xml and failed such a file.
    const file = await workbook((wb) => {
      const first = wb.addWorksheet('盘点表');
      first.addRow(['物资', '数量', '日期']);
      first.addRow([]);
      first.addRow(['帐篷', 12, new Date(Date.UTC(2026, 3, 10))]);
      first.addRow([{ richText: [{ text: '棉' }, { text: '被' }] }, { formula: '2*3', result: 6 }, null]);
      wb.addWorksheet('说明'); // empty: another sheet with content is refused (sheet-reader-layout.test.ts)
    });
    const names = Object.keys((await JSZip.loadAsync(file)).files);
    expect(names.indexOf('xl/workbook.xml')).toBeGreaterThan(names.indexOf('xl/worksheets/sheet1.xml'));
    for (let i = 0; i < 100; i++) {
      const rows = await readFirstSheet(file, '盘点表.xlsx');
      expect(rows.map((r) => ({ row: r.row, cells: r.cells.slice(1) }))).toEqual([
        { row: 1, cells: ['物资', '数量', '日期'] },
        { row: 3, cells: ['帐篷', 12, new Date(Date.UTC(2026, 3, 10))] },
        { row: 4, cells: ['棉被', 6] },
      ]);
    }
  });

  it('sweep 21c F1: a cell of text that displays as nothing (a Hangul filler, a soft hyphen, a braille blank) is an empty cell', async () => {
    const file = await workbook((wb) => {
      const sheet = wb.addWorksheet('盘点表');
      sheet.addRow(['物资', '批号']);
      sheet.addRow(['\u3164', '\u00ad\u2800']); // nothing shown: no row
      sheet.addRow(['帐篷', '\u3164']);
      sheet.addRow(['棉被', 'B\u00ad1']); // visible text keeps what it holds
    });
    const rows = await readFirstSheet(file, '盘点表.xlsx');
    expect(rows.map((r) => ({ row: r.row, cells: r.cells.slice(1) }))).toEqual([
      { row: 1, cells: ['物资', '批号'] },
      { row: 3, cells: ['帐篷', null] },
      { row: 4, cells: ['棉被', 'B\u00ad1'] },
    ]);
  });

  it('refuses a small file that inflates past the limit, while inflating it (a zip bomb)', async () => {
    const zip = await JSZip.loadAsync(await workbook((wb) => wb.addWorksheet('表').addRow(['物资'])));
    zip.file('xl/media/pad.bin', Buffer.alloc(MAX_UNZIPPED_BYTES + 1024 * 1024));
    const bomb = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    expect(bomb.length).toBeLessThan(200 * 1024);
    const error = await refusal(bomb);
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/^文件解压后过大/);
    expect(error.details).toMatchObject({ field: 'file', maxUnzippedBytes: MAX_UNZIPPED_BYTES });
  });

  it('refuses a workbook of 21,000 parts before inflating any, and one of wide rows past 3 MB of XML (sweep 16a F7: each took ~3 s of CPU)', async () => {
    const zip = await JSZip.loadAsync(await workbook((wb) => wb.addWorksheet('表').addRow(['物资'])));
    for (let i = 0; i < 21_000; i++) zip.file(String(i), '');
    const many = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    expect(many.length).toBeLessThan(MAX_UPLOAD_BYTES);
    const started = performance.now();
    const error = await refusal(many);
    expect(error.message).toMatch(/^文件中的部件过多（超过 200 个）/);
    expect(error.details).toMatchObject({ field: 'file', maxZipEntries: MAX_ZIP_ENTRIES });
    expect(performance.now() - started).toBeLessThan(2000);

    const wide = await workbook((wb) => {
      const sheet = wb.addWorksheet('表');
      sheet.addRow(['物资']);
      for (let r = 0; r < 18; r++) sheet.addRow(Array.from({ length: 16_000 }, (_, i) => i));
    });
    expect(wide.length).toBeLessThan(MAX_UPLOAD_BYTES);
    expect((await refusal(wide)).message).toMatch(/^文件解压后过大（超过 3 MB）/);
  });

  it('refuses what is not a workbook: another type, a zip of something else, a cut-off file', async () => {
    expect((await refusal(Buffer.from('物资,数量\n帐篷,1\n'), 'a.csv')).message).toMatch(/^文件类型错误/);
    const other = await new JSZip().file('readme.txt', 'hello').generateAsync({ type: 'nodebuffer' });
    expect((await refusal(other)).message).toMatch(/^无法读取该文件/);
    const whole = await workbook((wb) => wb.addWorksheet('表').addRow(['物资']));
    expect((await refusal(whole.subarray(0, Math.floor(whole.length / 2)))).message).toMatch(/^无法读取该文件/);
  });

  it('refuses a sheet longer than the row limit (title rows and the header allowed on top)', async () => {
    const file = await workbook((wb) => {
      const sheet = wb.addWorksheet('表');
      for (let i = 0; i < 25; i++) sheet.addRow([`第${i + 1}行`]);
    });
    // 25 rows: up to 10 title rows and the header on top of 14 data rows.
    expect(await readFirstSheet(file, 'a.xlsx', 14)).toHaveLength(25);
    const error = await readFirstSheet(file, 'a.xlsx', 13).catch((e: DomainError) => e);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', details: { maxRows: 13 } });
  });

  it('counts the data rows under the header alone against the limit (rowsBelow)', async () => {
    const file = await workbook((wb) => {
      const sheet = wb.addWorksheet('表');
      sheet.addRow(['标题']);
      sheet.addRow(['物资', '数量']);
      for (let i = 0; i < 5; i++) sheet.addRow([`第${i + 1}行`, i]);
    });
    const rows = await readFirstSheet(file, 'a.xlsx');
    expect(rowsBelow(rows, rows[1], 5).map((r) => r.row)).toEqual([3, 4, 5, 6, 7]);
    let refusal: unknown;
    try {
      rowsBelow(rows, rows[1], 4);
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'file', maxRows: 4 } });
  });
});
