// A list as the bureau files it: a title block, typed columns, rows, subtotal and total rows. Renderers (xlsx.ts,
// csv.ts) turn it into a file; the report builders (reports/*.ts) fill it from the services, in the user's scope.

/** How a column's values are stored: text; whole base units; yuan as an exact decimal string; a day; an instant. */
export type CellKind = 'text' | 'int' | 'money' | 'date' | 'datetime';

export interface Column {
  header: string;
  key: string;
  width: number;
  kind: CellKind;
  /** Hidden from view (an id the upload matches rows by). */
  hidden?: boolean;
  /** A column the reader fills in (shaded), optionally from a list of choices. */
  input?: { choices?: readonly string[] };
}

export type CellValue = string | number | Date | null;

export interface ReportRow {
  cells: Record<string, CellValue>;
  /** A subtotal (小计) or the grand total (合计): printed bold, kept out of the filter range. */
  role?: 'subtotal' | 'total';
}

export interface Report {
  /** The file name without extension (ASCII: it goes into a Content-Disposition header). */
  fileName: string;
  /** The title printed on top, e.g. 储备物资估值表. */
  title: string;
  sheetName: string;
  /** 编制单位: the region or stores the list covers. */
  unit: string;
  /** 期间 or 时点, in words. */
  period: string;
  /**
   * 筛选条件: the filters the list was asked for beyond its scope (a search word, an expiry date …), in words — a line of
   * the title block when there are any, so that a printed sheet says what it holds (sweep 22a, left over).
   */
  filters?: string;
  /** 制表人 */
  preparedBy: string;
  /** 制表时间 */
  preparedAt: Date;
  columns: Column[];
  rows: ReportRow[];
  /**
   * Amounts shown apart from the table and its 合计 (D21: agreement reserves' contingent value and their fees). The
   * workbook prints them on a sheet of their own, so that the table's rows stay the groups and their total; a CSV,
   * one table read by programs, leaves them out (the API answers them).
   */
  apart?: { sheetName: string; note: string; rows: { label: string; value: string }[] };
}

/**
 * Sweep 22a F8: rows a renderer (xlsx.ts, csv.ts) writes between two yields to the event loop, so that a county-sized
 * export does not hold every other request of the process while it is written.
 */
export const YIELD_EVERY = 100;

/** Lets the event loop serve what waits (other requests, timers) before the next chunk of work. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
