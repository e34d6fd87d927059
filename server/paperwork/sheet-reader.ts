import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { DateTime } from 'luxon';
import { badInput } from '../errors.ts';

// Reading an uploaded workbook's first sheet. exceljs's streaming reader is not used: it reads the archive in one
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
 * sheet is under 2 MB; the whole workbook is parsed at once, and 8 MB of XML already takes exceljs about a second.
 */
export const MAX_UNZIPPED_BYTES = 8 * 1024 * 1024;
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
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
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

/** The rows of the first worksheet (blank rows left out); BAD_USER_INPUT for a file that is not XLSX or too long. */
export async function readFirstSheet(file: Buffer, fileName: string, maxRows = MAX_UPLOAD_ROWS): Promise<SheetRow[]> {
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
  const sheet = workbook.worksheets[0];
  if (!sheet) throw unreadable();
  const rows: SheetRow[] = [];
  // The title block and the header row on top of the data rows; the data rows alone are counted by rowsBelow.
  const limit = maxRows + MAX_TITLE_ROWS + 1;
  sheet.eachRow((row) => {
    const cells = ((row.values as unknown[]) ?? []).map(plain);
    if (cells.every((c) => c === null)) return;
    if (rows.length >= limit) throw tooManyRows(maxRows);
    rows.push({ row: row.number, cells });
  });
  return rows;
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
  let total = 0;
  for (const entry of Object.values(zip.files)) {
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
export function findHeader(rows: SheetRow[], required: readonly string[]): { header: SheetRow; columns: Map<string, number> } | null {
  for (const r of rows.slice(0, MAX_TITLE_ROWS + 1)) {
    const columns = new Map<string, number>();
    r.cells.forEach((c, i) => {
      if (typeof c === 'string') columns.set(normalHeading(c), i);
    });
    if (required.every((h) => columns.has(normalHeading(h)))) return { header: r, columns };
  }
  return null;
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
  if (c instanceof Date) return DateTime.fromJSDate(c, { zone: 'utc' }).toISODate()!;
  if (typeof c === 'number') {
    if (!Number.isInteger(c) || c < 1 || c > 2958465) return undefined;
    return DateTime.fromObject({ year: 1899, month: 12, day: 30 }, { zone: 'utc' }).plus({ days: c }).toISODate()!;
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(c);
  if (!m) return undefined;
  const d = DateTime.fromObject({ year: +m[1], month: +m[2], day: +m[3] }, { zone: 'utc' });
  return d.isValid ? d.toISODate() : undefined;
}

/** A whole number from a number cell or digits. */
export function integerOf(cell: Cell): number | null | undefined {
  const c = folded(cell);
  if (c === null) return null;
  if (c instanceof UncomputedFormula) return undefined;
  const n = typeof c === 'number' ? c : typeof c === 'string' && /^-?\d+(\.0+)?$/.test(c.replace(/,/g, '')) ? Number(c.replace(/,/g, '')) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Yuan with at most two decimals, as the API's decimal string. */
export function moneyOf(cell: Cell): string | null | undefined {
  const c = folded(cell);
  if (c === null) return null;
  if (c instanceof UncomputedFormula) return undefined;
  if (typeof c === 'number') {
    const fen = Math.round(c * 100);
    if (!Number.isFinite(c) || Math.abs(c * 100 - fen) > 1e-6 || Math.abs(fen) > 1e14) return undefined;
    const abs = Math.abs(fen);
    return `${fen < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  }
  if (typeof c === 'string' && /^-?\d{1,12}(\.\d{1,2})?$/.test(c.replace(/,/g, ''))) return moneyOf(Number(c.replace(/,/g, '')));
  return undefined;
}

/** A cell as text (a date as its day); a formula without a result as nothing — the import names that cell itself. */
export const textOf = (c: Cell): string | null =>
  c === null || c instanceof UncomputedFormula ? null : c instanceof Date ? DateTime.fromJSDate(c, { zone: 'utc' }).toISODate() : String(c);
