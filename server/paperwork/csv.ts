import { type Column, type Report, type CellValue, YIELD_EVERY, yieldToEventLoop } from './report.ts';
import { chinaText } from '../clock.ts';

// The same report as CSV (UTF-8 with a BOM so that Excel reads the Chinese headings): a header row, then the rows with
// subtotals and totals; money as exact decimals, instants in China time. The title block is left out: a CSV is read by
// programs as much as by people.

const csvCell = (v: unknown) => {
  let s = v === null || v === undefined ? '' : String(v);
  // Text that Excel would run as a formula (=, +, -, @ …, e.g. a batch number typed by a keeper) is quoted with
  // a leading apostrophe; numbers stay numbers.
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

function text(c: Column, v: CellValue): string {
  if (v === null) return '';
  if (c.kind === 'datetime') return chinaText(v as Date | string);
  if (c.kind === 'date') return String(v).slice(0, 10);
  return String(v);
}

/** Sweep 22a F8: written YIELD_EVERY rows at a time, letting the event loop go between (report.ts); the text is as before. */
export async function renderCsv(report: Report): Promise<string> {
  const line = (cells: string[]) => cells.map(csvCell).join(',');
  const lines = [line(report.columns.map((c) => c.header))];
  for (const [i, r] of report.rows.entries()) {
    lines.push(line(report.columns.map((c) => text(c, r.cells[c.key] ?? null))));
    if ((i + 1) % YIELD_EVERY === 0) await yieldToEventLoop();
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export const CSV_TYPE = 'text/csv; charset=utf-8';
