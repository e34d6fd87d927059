// What a printed document shows: a heading with the bureau, store and number, facts, lines with batch, quantity, unit
// price and amount, totals in figures and in 大写, and signature blocks. Built from a stock document or a dispatch plan
// (document.ts, plan.ts), rendered as print-ready A4 HTML (html.ts).

export interface PrintableLine {
  cells: (string | number | null)[];
}

/** A table of its own below the lines, e.g. the 缺口 a dispatch plan cannot meet (plan.ts). */
export interface PrintableSection {
  title: string;
  headings: string[];
  /** Columns (by index) printed right-aligned: numbers. */
  numeric: readonly number[];
  lines: PrintableLine[];
}

export interface Printable {
  /** 入库单, 出库单, 调拨令 … */
  title: string;
  /** 编制单位: the 应急管理局 of the store's (or incident's) region — a township's is its county's (bureau.ts). */
  bureau: string;
  number: string;
  date: string;
  facts: [label: string, value: string][];
  headings: string[];
  /** Columns (by index) printed right-aligned: numbers. */
  numeric: readonly number[];
  lines: PrintableLine[];
  totalQuantity: number;
  total: string;
  totalInWords: string;
  /**
   * A two-way document's totals (a rotation's 出库 and 入库, D10): each printed as its own 合计 row and 大写 line, with
   * `total` (their difference) named `netLabel` instead of 合计金额 — a net of two sides is no amount of the slip.
   */
  sides?: { label: string; quantity: number; amount: string; inWords: string }[];
  netLabel?: string;
  /** Printed after the totals, before the signatures: what the signer must see besides the lines. */
  sections?: PrintableSection[];
  signatures: readonly string[];
  /** Who recorded it and when (printed in the footer). */
  recorded: string;
}

export const SIGNATURES = ['经办人', '审批人', '保管员', '接收人'] as const;
