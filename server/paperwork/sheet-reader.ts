import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { DateTime } from 'luxon';
import { badInput } from '../errors.ts';
import { isBlank } from '../validation.ts';
import { excelShownDay } from './excel-dates.ts';
import { RowErrors } from './row-errors.ts';

// Reading an uploaded workbook's data sheet (readUploadSheet). exceljs's streaming reader is not used: it reads the archive in one
// pass in stored order, and when xl/workbook.xml comes after the sheets (exceljs itself writes it last, so our own
// templates do) it sometimes parses a sheet before the workbook and fails a valid file (exceljs issue 3064; seen
// here in CI and in 2 of 200 reads of a two-sheet template). Instead the archive is opened by its central directory
// (JSZip, exceljs's own zip library), every part is inflated once with its real size counted, and only a workbook
// whose parts together stay within MAX_UNZIPPED_BYTES is loaded whole — so a small upload that would inflate to
// gigabytes (a zip bomb) is refused while it is being inflated, whatever sizes its headers claim.

export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;
export const MAX_UPLOAD_ROWS = 1000;
/**
 * What an upload's parts may inflate to, together. A full 1,000-row, 20-column import with its styles and a second
 * sheet is under 2 MB; the whole workbook is parsed at once, and exceljs takes about a second for 3 MB of XML — 7.5 MB
 * of very wide rows took 2.8 s of CPU, and eight such uploads at once held the API for everyone (sweep 16a F7).
 */
export const MAX_UNZIPPED_BYTES = 3 * 1024 * 1024;
/** Parts a workbook may have: a template has about a dozen; 21,000 empty ones took seconds to open (sweep 16a F7). */
export const MAX_ZIP_ENTRIES = 200;
/** Rows above the header (a title block) that a sheet may have. */
const MAX_TITLE_ROWS = 10;

/**
 * A formula saved without its computed value (no cached result: a workbook written by a program and never opened in
 * Excel, or one whose formula gives an empty text, which exceljs does not keep). What the cell shows is unknown, so it
 * is never read as a value: the parsers below refuse it (undefined), textOf reads it as nothing, and an import names it
 * as a formula (uncomputedFormula) rather than as a value of the wrong kind.
 */
export class UncomputedFormula {
  constructor(readonly formula: string) {}
}

export type Cell = string | number | Date | UncomputedFormula | null;

export const isUncomputedFormula = (c: Cell): c is UncomputedFormula => c instanceof UncomputedFormula;

/** The refusal of a cell holding a formula without its result, worded by what the column takes. */
export const uncomputedFormula = (heading: string, takes: 'number' | 'date' | 'text') =>
  `${heading}为公式且无计算结果，请直接填写${takes === 'number' ? '数值' : takes === 'date' ? '日期' : '内容'}`;

export interface SheetRow {
  /** 1-based row number as Excel shows it. */
  row: number;
  /** Values by 1-based column (index 0 unused). */
  cells: Cell[];
}

/**
 * What an exceljs cell holds, as plain text, number or date (formulas by their result, rich text as its text); a
 * formula without a result as UncomputedFormula.
 */
function plain(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  // A cell of text that displays as nothing (spaces, a soft hyphen, a Hangul filler) is an empty cell (sweep 21c F1: isBlank).
  if (typeof v === 'string') return isBlank(v) ? null : v.trim();
  if (typeof v === 'number' || v instanceof Date) return v;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'object') {
    const o = v as { result?: unknown; formula?: unknown; sharedFormula?: unknown; richText?: { text: string }[]; text?: unknown; error?: unknown };
    if (o.result !== undefined && o.result !== null) return plain(o.result);
    if (o.formula !== undefined || o.sharedFormula !== undefined) return new UncomputedFormula(String(o.formula ?? o.sharedFormula));
    if ('result' in o) return null;
    if (o.richText) return plain(o.richText.map((r) => r.text).join(''));
    if ('text' in o) return plain(o.text);
    if ('error' in o) return null;
  }
  return String(v);
}

const isZip = (b: Buffer) => b.length > 4 && b.readUInt32LE(0) === 0x04034b50;
const unreadable = () => badInput('file', '无法读取该文件：不是有效的 Excel 工作簿（.xlsx）');
const tooLarge = () =>
  badInput('file', `文件解压后过大（超过 ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB），不像是导入表格；请只保留需要导入的工作表`, {
    maxUnzippedBytes: MAX_UNZIPPED_BYTES,
  });

/** An upload's sheet as its template makes it: the sheet's name and the headings its header row holds. */
export interface SheetLayout {
  sheetName: string;
  headings: readonly string[];
}

export interface FoundHeader {
  header: SheetRow;
  /** Column (1-based) by heading, compared as normalHeading does. */
  columns: Map<string, number>;
}

export interface UploadSheet {
  /** The data sheet's name as the workbook spells it. */
  name: string;
  rows: SheetRow[];
  /** The header row (findHeader with the layout's headings); null when the sheet has none. */
  found: FoundHeader | null;
}

/**
 * The one sheet of an uploaded workbook that holds the rows (blank rows left out), read the same way for every upload —
 * BAD_USER_INPUT for a file that is not XLSX or too long, and for a workbook whose rows could not be read as written
 * (README: the whole file is checked, nothing posts unless every row is good):
 *  - the data sheet is the one named as the template's sheet; else (a workbook of the keeper's own) the only one with
 *    content, or the first holding the header. Any other sheet with content is refused, named: the upload reads one
 *    sheet, and rows on another would be left out without a word (sweep 16c F4). The templates have that one sheet.
 *  - a merged range touching the rows under the header is refused, each one named by its rows and columns: a merged
 *    cell holds one value, which exceljs copies into every cell of the range — a 数量 of 100 merged over two rows read
 *    as 100 twice (sweep 16c F3). Merges above (the template's title row) stay, and cells merged away read as empty.
 */
export async function readUploadSheet(file: Buffer, fileName: string, layout: SheetLayout, maxRows = MAX_UPLOAD_ROWS): Promise<UploadSheet> {
  if (!/\.xlsx$/i.test(fileName) || !isZip(file)) {
    throw badInput('file', `文件类型错误：请上传 Excel 工作簿（.xlsx），收到「${fileName.slice(0, 80)}」`);
  }
  await assertInflatesWithin(file, MAX_UNZIPPED_BYTES);
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs declares its own Buffer type (an ArrayBuffer); JSZip reads Node's Buffer as it is.
    await workbook.xlsx.load(file as unknown as ExcelJS.Buffer);
  } catch {
    throw unreadable();
  }
  const sheets = workbook.worksheets;
  if (!sheets.length) throw unreadable();
  const filled = sheets.filter(hasContent);
  const named = sheets.find((s) => s.name.trim() === layout.sheetName);
  const withHeader = named || filled.length < 2 ? undefined : filled.find((s) => findHeader(topRows(s), layout.headings));
  // Sweep 25b F3: several sheets with content, none of them the template's by name or holding its header — there is no
  // sheet of ours to point to: the refusal says which sheet is read (not "put your rows on" a sheet that is not read).
  if (!named && filled.length > 1 && !withHeader) {
    const names = filled.map((s) => `「${s.name}」${s.state === 'visible' ? '' : '（已隐藏）'}`).join('');
    const none = new RowErrors();
    none.add(
      0,
      '',
      `工作簿中没有「${layout.sheetName}」工作表，而有 ${filled.length} 个工作表填有内容（${names}）：本系统只读取名为「${layout.sheetName}」的工作表（或唯一填有内容的工作表）。请将要导入的行填在「${layout.sheetName}」表中（可下载模板），或删除其他工作表`,
    );
    none.throwIfAny();
  }
  const sheet = named ?? withHeader ?? filled[0] ?? sheets[0];
  const rows = rowsOf(sheet, maxRows);
  const found = findHeader(rows, layout.headings);
  const errors = new RowErrors();
  for (const other of filled.filter((s) => s !== sheet)) {
    errors.add(
      0,
      '',
      `工作表「${other.name}」${other.state === 'visible' ? '' : '（已隐藏）'}也填有内容：本系统只读取「${sheet.name}」表，请将所有行填在「${sheet.name}」表中，或删除其他工作表`,
    );
  }
  if (found) for (const merge of mergesInData(sheet, found.header)) refuseMerge(merge, found.header, errors);
  errors.throwIfAny();
  return { name: sheet.name, rows, found };
}

/** The rows of a sheet with any value (blank rows left out); more than the title block, header and `maxRows` refused. */
function rowsOf(sheet: ExcelJS.Worksheet, maxRows: number): SheetRow[] {
  const rows: SheetRow[] = [];
  // The title block and the header row on top of the data rows; the data rows alone are counted by rowsBelow.
  const limit = maxRows + MAX_TITLE_ROWS + 1;
  sheet.eachRow((row) => {
    const cells = cellsOf(row);
    if (cells.every((c) => c === null)) return;
    if (rows.length >= limit) throw tooManyRows(maxRows);
    rows.push({ row: row.number, cells });
  });
  return rows;
}

/** A row's values by column; a cell merged into another (not the range's first) as empty, as the file holds it. */
function cellsOf(row: ExcelJS.Row): Cell[] {
  const cells: Cell[] = [];
  row.eachCell((cell, col) => {
    cells[col] = cell.type === ExcelJS.ValueType.Merge ? null : plain(cell.value);
  });
  return cells;
}

/** The rows a header may be in: the first of the sheet with any value, as many as the title block and the header. */
function topRows(sheet: ExcelJS.Worksheet): SheetRow[] {
  const rows: SheetRow[] = [];
  sheet.eachRow((row) => {
    if (rows.length > MAX_TITLE_ROWS) return;
    const cells = cellsOf(row);
    if (cells.some((c) => c !== null)) rows.push({ row: row.number, cells });
  });
  return rows;
}

function hasContent(sheet: ExcelJS.Worksheet): boolean {
  let any = false;
  sheet.eachRow((row) => {
    any ||= cellsOf(row).some((c) => c !== null);
  });
  return any;
}

/** Column number from its letters (A → 1, AA → 27). */
const columnNumber = (letters: string) => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
/** Column letters from its number (1 → A, 27 → AA). */
const columnLetters = (n: number): string => (n > 26 ? columnLetters(Math.floor((n - 1) / 26)) : '') + String.fromCharCode(65 + ((n - 1) % 26));

interface Range {
  text: string;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** A range in A1 notation (B3:C4, or one cell), by its rows and columns; null for what is not one. */
function rangeOf(text: string): Range | null {
  const m = /^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$/.exec(text.toUpperCase());
  if (!m) return null;
  const [top, bottom] = [Number(m[2]), Number(m[4] ?? m[2])].sort((a, b) => a - b);
  const [left, right] = [columnNumber(m[1]), columnNumber(m[3] ?? m[1])].sort((a, b) => a - b);
  return { text, top, bottom, left, right };
}

/** The sheet's merged ranges that reach below the header row, top to bottom and left to right. */
function mergesInData(sheet: ExcelJS.Worksheet, header: SheetRow): Range[] {
  return sheet.model.merges
    .map(rangeOf)
    .filter((r): r is Range => !!r && r.bottom > header.row)
    .sort((a, b) => a.top - b.top || a.left - b.left);
}

/** The refusal of a merged range in the data area, named as a keeper sees it: its rows and columns. */
function refuseMerge(range: Range, header: SheetRow, errors: RowErrors): void {
  const { top, bottom, left, right } = range;
  const heading = (col: number) => {
    const h = header.cells[col];
    return typeof h === 'string' ? `「${h}」` : ` ${columnLetters(col)} `;
  };
  const rows = top === bottom ? `第 ${top} 行` : `第 ${top}–${bottom} 行`;
  const columns = left === right ? `${heading(left)}列` : `${heading(left)}至${heading(right)}列`;
  const first = header.cells[left];
  errors.add(
    top,
    typeof first === 'string' ? first : '',
    `${rows}${columns}是合并单元格（${range.text}），只有第一格有值：请取消合并，${top === bottom ? '每格' : '每行'}分别填写`,
  );
}

const tooManyRows = (maxRows: number) => badInput('file', `行数超过上限：一次最多导入 ${maxRows} 行，请分成多个文件`, { maxRows });

/** The data rows under the header (blank rows left out): more than `maxRows` is the upload's row limit (README), refused. */
export function rowsBelow(rows: SheetRow[], header: SheetRow, maxRows = MAX_UPLOAD_ROWS): SheetRow[] {
  const data = rows.filter((r) => r.row > header.row);
  if (data.length > maxRows) throw tooManyRows(maxRows);
  return data;
}

/** Inflates every part of the archive, counting real bytes; refuses it once they pass `maxBytes` together. */
async function assertInflatesWithin(file: Buffer, maxBytes: number): Promise<void> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(file);
  } catch {
    throw unreadable();
  }
  const entries = Object.values(zip.files);
  if (entries.length > MAX_ZIP_ENTRIES) {
    throw badInput('file', `文件中的部件过多（超过 ${MAX_ZIP_ENTRIES} 个），不像是导入表格；请用下载的模板重新填写`, { maxZipEntries: MAX_ZIP_ENTRIES });
  }
  let total = 0;
  for (const entry of entries) {
    if (entry.dir) continue;
    await new Promise<void>((resolve, reject) => {
      const stream = entry.nodeStream('nodebuffer');
      stream
        .on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > maxBytes) {
            stream.pause();
            reject(tooLarge());
          }
        })
        .on('error', () => reject(unreadable()))
        .on('end', () => resolve());
    });
  }
}

/** The header row: the first row (within the title block's reach) that holds every required heading. */
export function findHeader(rows: SheetRow[], required: readonly string[]): FoundHeader | null {
  for (const r of rows.slice(0, MAX_TITLE_ROWS + 1)) {
    const columns = new Map<string, number>();
    r.cells.forEach((c, i) => {
      if (typeof c === 'string') columns.set(normalHeading(c), i);
    });
    if (required.every((h) => columns.has(normalHeading(h)))) return { header: r, columns };
  }
  return null;
}

/**
 * The headings (as normalHeading gives them) of the row, within the title block's reach, that holds most of `wanted` —
 * where a sheet findHeader found no header in meant its header to be: a 「缺少列」 refusal names only what that row
 * lacks, not every required heading (sweep 25b F1). Empty when no row holds any.
 */
export function headingsNear(rows: SheetRow[], wanted: readonly string[]): Set<string> {
  let best: { held: number; headings: Set<string> } = { held: 0, headings: new Set() };
  for (const r of rows.slice(0, MAX_TITLE_ROWS + 1)) {
    const headings = new Set(r.cells.filter((c): c is string => typeof c === 'string').map(normalHeading));
    const held = wanted.filter((h) => headings.has(normalHeading(h))).length;
    if (held > best.held) best = { held, headings };
  }
  return best.headings;
}

/** Headings compared without spaces, the unit in brackets, or a trailing asterisk (必填 marks). */
export const normalHeading = (h: string) =>
  h
    .replace(/\s+/g, '')
    .replace(/[（(][^）)]*[）)]$/, '')
    .replace(/\*$/, '');

/**
 * A cell as the number and date parsers read it: text folded to its compatibility form (NFKC), so that what a keeper
 * typed with a Chinese IME — full-width ２０３０－０１－０１, １２, １５８．５ — reads as the digits it shows. Names,
 * specifications and owners are compared as written (they may be registered with full-width brackets); batch numbers
 * fold through the ledger's own rule (batchNoSchema).
 */
export const folded = (c: Cell): Cell => (typeof c === 'string' ? c.normalize('NFKC').trim() : c);

/** A day from a date cell, an Excel serial number, or text such as 2026-04-10, 2026/4/10, 2026年4月10日. */
export function dayOf(cell: Cell): string | null | undefined {
  const c = folded(cell);
  if (c === null) return null;
  if (c instanceof UncomputedFormula) return undefined;
  // exceljs (and the serial's plain count) reads days before 1900-03-01 one day early: the day Excel shows (sweep 18c F7).
  if (c instanceof Date) return excelShownDay(DateTime.fromJSDate(c, { zone: 'utc' }).toISODate()!);
  if (typeof c === 'number') {
    if (!Number.isInteger(c) || c < 1 || c > 2958465) return undefined;
    return excelShownDay(DateTime.fromObject({ year: 1899, month: 12, day: 30 }, { zone: 'utc' }).plus({ days: c }).toISODate()!);
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(c);
  if (!m) return undefined;
  const d = DateTime.fromObject({ year: +m[1], month: +m[2], day: +m[3] }, { zone: 'utc' });
  return d.isValid ? d.toISODate() : undefined;
}

/** Thousands grouping as a keeper writes it: 1,000 · 30,000 · 1,234,567.50 — one to three digits, then groups of three. */
const GROUPED = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;
/** Digits with a comma anywhere, a number once the commas are dropped (what the readers took before sweep 25b F2). */
const COMMA_NUMBER = /^-?[\d,]*\d[\d,]*(\.\d+)?$/;

/** A number cell whose commas are not thousands separators (numberText). */
export const MISGROUPED = Symbol('misgrouped');

/**
 * The one number reader of the uploads (期初建账 数量 and 单价, 盘点表 实盘数 and 账面数): a cell as plain decimal text —
 * a number cell as Excel shows it (15 significant digits: a formula's 0.1+0.2 is 0.3), text folded (NFKC: full-width
 * digits, ，and ．) with its thousands separators dropped. A comma is one only where it groups thousands (GROUPED);
 * anywhere else ("1,2" — a decimal comma —, "1,00", "12,34,5": a typo) the cell is no number (MISGROUPED), never read
 * with the comma dropped — 10× or 100× what was meant, booked without a word (sweep 25b F2; D9, D21). Null for an empty
 * cell; undefined for a formula without its result and for text that is no number.
 */
export function numberText(cell: Cell): string | typeof MISGROUPED | null | undefined {
  const c = folded(cell);
  if (c === null) return null;
  if (c instanceof UncomputedFormula) return undefined;
  if (typeof c === 'number') return Number.isFinite(c) ? String(Number(c.toPrecision(15))) : undefined;
  if (typeof c !== 'string') return undefined; // a date cell
  if (!c.includes(',')) return c;
  if (GROUPED.test(c)) return c.replace(/,/g, '');
  return COMMA_NUMBER.test(c) ? MISGROUPED : undefined;
}

/**
 * The refusal of a number cell whose commas do not group thousands (numberText), named at its row and column by the
 * import; null for any other cell (which the import checks by what its column takes).
 */
export function misgroupedNumber(cell: Cell): string | null {
  if (numberText(cell) !== MISGROUPED) return null;
  return `「${String(cell)}」中的逗号不是千位分隔符，无法确定数值：千位分隔符须每三位一个（如 1,000、1,234.50），小数请用小数点（如 1.2），或不用分隔符`;
}

/** A whole number from a number cell or digits (numberText: thousands grouped as 1,000, or not at all). */
export function integerOf(cell: Cell): number | null | undefined {
  const text = numberText(cell);
  if (text === null) return null;
  if (text === undefined || text === MISGROUPED) return undefined;
  const n = /^-?\d+(\.0+)?$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Yuan with at most two decimals, as decimal text — the amount as the cell shows it, never rounded to two places: a
 * number cell is read as Excel displays it, to 15 significant digits (a formula's 0.1+0.2 is 0.3; 1.9999999999999998,
 * which Excel cannot hold as typed, is 2), so a price typed with more decimals (1.999999999) is no price (sweep 18c F5).
 * Undefined for anything else — commas that group no thousands among it (numberText) —; the caller checks the text by
 * the API's own rule (parseMoney: at most 999999999999.99).
 */
export function moneyOf(cell: Cell): string | null | undefined {
  const text = numberText(cell);
  if (text === null) return null;
  return typeof text === 'string' && /^-?\d+(\.\d{1,2})?$/.test(text) ? text : undefined;
}

/** A cell as text (a date as its day); a formula without a result as nothing — the import names that cell itself. */
export const textOf = (c: Cell): string | null =>
  c === null || c instanceof UncomputedFormula ? null : c instanceof Date ? DateTime.fromJSDate(c, { zone: 'utc' }).toISODate() : String(c);
