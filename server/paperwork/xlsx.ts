import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { chinaDateTime, chinaText } from '../clock.ts';
import { excelCellDate } from './excel-dates.ts';
import { type CellKind, type CellValue, type Report, YIELD_EVERY, yieldToEventLoop } from './report.ts';

// The workbook a bureau prints and sums: a title block (unit, period or instant, 制表人, 制表时间, and 筛选条件 — the filters
// asked for — when there are any), one header row that is frozen, filtered and repeated on every printed page, A4
// landscape fitted to the page width; dates as date cells, quantities as integers, money as numbers with two decimals.

const TITLE_ROWS = 3;
const HEADER_ROW = TITLE_ROWS + 1;
/** The row of the table's header: below the title block, which has a fourth line, 筛选条件, when filters were asked for. */
const headerRowOf = (report: Report) => HEADER_ROW + (report.filters ? 1 : 0);
const NUMBER_FORMAT: Record<CellKind, string | undefined> = {
  text: undefined,
  int: '#,##0',
  money: '#,##0.00',
  date: 'yyyy-mm-dd',
  datetime: 'yyyy-mm-dd hh:mm:ss',
};
const thin = { style: 'thin' as const };
const BORDER = { top: thin, left: thin, bottom: thin, right: thin };
const INPUT_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF7D6' } };

/**
 * A spreadsheet number is a binary double, exact to 15 significant digits: the API's amounts go up to
 * 99,999,999,999,999.99 (17), and 99999987473321.01 was written as …321.02 (sweep 8a F2). A money amount the number
 * cannot hold to the cent is written as its exact text instead (Excel shows no more than 15 digits anyway).
 */
const EXACT_DIGITS = 15;
const moneyCell = (v: string | number): string | number => {
  const digits = String(v).replace(/^-/, '').replace('.', '').replace(/^0+/, '').length;
  return digits <= EXACT_DIGITS ? Number(v) : String(v);
};

/** Excel has no time zones: an instant is written as its China wall-clock time (and a day as that day's midnight). */
function excelValue(kind: CellKind, v: CellValue): ExcelJS.CellValue {
  if (v === null || v === '') return null;
  switch (kind) {
    case 'int':
      return Number(v);
    case 'money':
      return v instanceof Date ? Number(v) : moneyCell(v);
    case 'date':
      // As Excel shows it, its fictitious 1900-02-29 counted (excel-dates.ts, sweep 18c F7).
      return excelCellDate(String(v).slice(0, 10));
    case 'datetime': {
      return DateTime.fromObject(chinaDateTime(v).toObject(), { zone: 'utc' }).toJSDate();
    }
    default:
      return String(v);
  }
}

/**
 * Sweep 22a F8: a county's list (~6,000 rows × 21 columns) built as one in-memory workbook and written by `writeBuffer`
 * held the event loop for 4–9 s — every other request of the process (a keeper's posting, /healthz) waited, some ended
 * in ECONNRESET. The workbook is now written with exceljs's streaming writer: each row becomes XML as it is committed,
 * zipped by zlib off the event loop, and the loop is let go every YIELD_EVERY rows (report.ts). The file is collected
 * whole before it is sent, so a failure leaves no half file (the route answers the error as JSON); what a reader sees —
 * cells, types, formats, title block, filter, print setup — is as before.
 */
export async function renderXlsx(report: Report): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  book.creator = report.preparedBy;
  book.lastModifiedBy = report.preparedBy;
  book.created = report.preparedAt;
  book.modified = report.preparedAt;
  (book as unknown as { title: string }).title = report.title;
  const n = report.columns.length;
  const headerRow = headerRowOf(report);
  const ws = book.addWorksheet(report.sheetName, {
    pageSetup: {
      paperSize: 9, // A4
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
      printTitlesRow: `${headerRow}:${headerRow}`,
    },
    headerFooter: { oddFooter: '第 &P 页，共 &N 页' },
    views: [{ state: 'frozen', xSplit: 0, ySplit: headerRow, topLeftCell: `A${headerRow + 1}`, activeCell: `A${headerRow + 1}` }],
  });
  ws.columns = report.columns.map((c) => ({ key: c.key, width: c.width, hidden: c.hidden ?? false }));
  writeTitleBlock(ws, report, n, report.title);

  const header = ws.getRow(headerRow);
  report.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7EEF7' } };
    cell.border = BORDER;
  });
  for (let r = 1; r <= headerRow; r++) ws.getRow(r).commit();

  let lastPlain = headerRow;
  for (const [i, r] of report.rows.entries()) {
    const row = ws.getRow(headerRow + 1 + i);
    report.columns.forEach((c, j) => {
      const cell = row.getCell(j + 1);
      cell.value = excelValue(c.kind, r.cells[c.key] ?? null);
      const fmt = NUMBER_FORMAT[c.kind];
      if (fmt) cell.numFmt = fmt;
      cell.border = BORDER;
      if (r.role) cell.font = { bold: true };
      if (c.input) cell.fill = INPUT_FILL;
      if (c.input?.choices) cell.dataValidation = { type: 'list', allowBlank: true, formulae: [`"${c.input.choices.join(',')}"`] };
    });
    row.commit();
    if (!r.role) lastPlain = headerRow + 1 + i;
    if ((i + 1) % YIELD_EVERY === 0) await yieldToEventLoop();
  }
  // The filter covers the header and the plain rows; the 合计 row below stays put when a column is sorted.
  ws.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: Math.max(lastPlain, headerRow), column: n } };
  ws.commit();
  if (report.apart) addApart(book, report, report.apart);
  await book.commit();
  return Buffer.concat(chunks);
}

type Sheet = ReturnType<ExcelJS.stream.xlsx.WorkbookWriter['addWorksheet']>;

/**
 * The title block of every sheet of a report's workbook, over its `n` columns: the title, 编制单位 and 期间, 制表人 and
 * 制表时间, and 筛选条件 when filters were asked for (headerRowOf leaves room for it). One function for the table's sheet
 * and the amounts shown apart: the 另列（不计入合计） sheet, printed alone, lacked the 筛选条件 line that says what its
 * figures cover (sweep 22a's line reached the first sheet only).
 */
function writeTitleBlock(ws: Sheet, report: Report, n: number, text: string) {
  ws.mergeCells(1, 1, 1, n);
  const title = ws.getCell(1, 1);
  title.value = text;
  title.font = { bold: true, size: 16 };
  title.alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 28;
  const half = Math.max(1, Math.floor(n / 2));
  ws.getCell(2, 1).value = `编制单位：${report.unit}`;
  ws.getCell(2, half + 1).value = `期间：${report.period}`;
  ws.getCell(3, 1).value = `制表人：${report.preparedBy}`;
  ws.getCell(3, half + 1).value = `制表时间：${chinaText(report.preparedAt, 'yyyy-LL-dd HH:mm')}`;
  if (report.filters) {
    // One line across the sheet, wrapped when long: printed whole on the page's width.
    ws.mergeCells(TITLE_ROWS + 1, 1, TITLE_ROWS + 1, n);
    const filters = ws.getCell(TITLE_ROWS + 1, 1);
    filters.value = `筛选条件：${report.filters}`;
    filters.alignment = { wrapText: true, vertical: 'middle' };
  }
}

/** The amounts shown apart (Report.apart): a sheet with the same title block, 项目 and 金额（元）, and what they are. */
function addApart(book: ExcelJS.stream.xlsx.WorkbookWriter, report: Report, apart: NonNullable<Report['apart']>) {
  const ws = book.addWorksheet(apart.sheetName, { pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  ws.columns = [{ width: 40 }, { width: 22 }];
  writeTitleBlock(ws, report, 2, `${report.title}（${apart.sheetName}）`);
  const headerRow = headerRowOf(report);
  ['项目', '金额（元）'].forEach((h, i) => {
    const cell = ws.getCell(headerRow, i + 1);
    cell.value = h;
    cell.font = { bold: true };
    cell.border = BORDER;
  });
  apart.rows.forEach((r, i) => {
    ws.getCell(headerRow + 1 + i, 1).value = r.label;
    const value = ws.getCell(headerRow + 1 + i, 2);
    value.value = moneyCell(r.value);
    value.numFmt = NUMBER_FORMAT.money!;
    [1, 2].forEach((c) => (ws.getCell(headerRow + 1 + i, c).border = BORDER));
  });
  ws.getCell(headerRow + 2 + apart.rows.length, 1).value = apart.note;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
