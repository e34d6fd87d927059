import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { invalidState } from '../errors.ts';

// Pure ledger rules: no I/O, unit-tested in tests/unit.

export type DocumentType =
  'RECEIPT' | 'ISSUE' | 'TRANSFER_OUT' | 'TRANSFER_IN' | 'TRANSFER_CANCEL' | 'STOCKTAKE' | 'SCRAP' | 'REVERSAL' | 'ROTATION' | 'RECOVERY' | 'WRITE_OFF';

/** Readable number prefixes: 入库 RK, 出库 CK, 调拨 DB, 调入 DR, 调拨撤销 DC, 盘点 PD, 报废 BF, 冲销 CX, 轮换 LH, 回收 HS, 核销 HX. */
export const DOCUMENT_PREFIX: Record<DocumentType, string> = {
  RECEIPT: 'RK',
  ISSUE: 'CK',
  TRANSFER_OUT: 'DB',
  TRANSFER_IN: 'DR',
  TRANSFER_CANCEL: 'DC',
  STOCKTAKE: 'PD',
  SCRAP: 'BF',
  REVERSAL: 'CX',
  ROTATION: 'LH',
  RECOVERY: 'HS',
  WRITE_OFF: 'HX',
};

/** What FEFO orders batches by (D8): the batch's expiry, its receipt, its number, its id. */
export interface FefoKey {
  batchId: string;
  batchNo: string;
  expiryDate: string | null;
  /** A Date, or its ISO text (the planner's sources). */
  receivedAt: Date | string;
}

export interface FefoCandidate extends FefoKey {
  available: number;
}

export type FefoResult = { ok: true; picks: { batchId: string; quantity: number }[] } | { ok: false; available: number };

/**
 * D8: 先进先出、出陈存新 — earliest expiry first (no expiry last), then earliest received, then batch number, then batch id.
 * The batch number breaks a tie of expiry and receipt (two batches received together), so that which one leaves first
 * is the same in every database: batch ids are keyed per database (batch-ids.ts), numbers are what the keeper wrote.
 * The one order of issues, the planner (splitFefo) and the stock list's EXPIRY order (queries.ts, in SQL).
 */
export const fefoOrder = (a: FefoKey, b: FefoKey): number =>
  compareNullableDates(a.expiryDate, b.expiryDate) ||
  instant(a.receivedAt) - instant(b.receivedAt) ||
  compareBatchNo(a.batchNo, b.batchNo) ||
  (a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0);

const instant = (t: Date | string) => (typeof t === 'string' ? Date.parse(t) : t.getTime());

/** Batch numbers by their UTF-8 bytes: PostgreSQL's COLLATE "C", which the stock list sorts them with. */
const compareBatchNo = (a: string, b: string) => (a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b)));

/** D8: takes `quantity` from the candidates in FEFO order (fefoOrder), splitting across batches. */
export function allocateFefo(candidates: readonly FefoCandidate[], quantity: number): FefoResult {
  const ordered = candidates.filter((c) => c.available > 0).sort(fefoOrder);
  const total = ordered.reduce((s, c) => s + c.available, 0);
  if (total < quantity) return { ok: false, available: total };
  const picks: { batchId: string; quantity: number }[] = [];
  let left = quantity;
  for (const c of ordered) {
    if (left === 0) break;
    const take = Math.min(left, c.available);
    picks.push({ batchId: c.batchId, quantity: take });
    left -= take;
  }
  return { ok: true, picks };
}

function compareNullableDates(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/**
 * D7, D10: expiry is given, or production date (else receipt date) plus the item's storage life; null when the item has
 * none. An item with a storage life always gives a date: one that cannot be computed (a storage life beyond any
 * calendar, recorded before the catalog bounded it) is refused (INVALID_STATE), never taken as "does not expire" (D26).
 */
export function computeExpiry(opts: {
  productionDate: string | null;
  expiryDate: string | null;
  storageLifeMonths: number | null;
  receiptDate: string;
}): string | null {
  if (opts.expiryDate) return opts.expiryDate;
  if (!opts.storageLifeMonths) return null;
  const start = DateTime.fromISO(opts.productionDate ?? opts.receiptDate, { zone: 'utc' });
  const expiry = start.plus({ months: opts.storageLifeMonths });
  const date = expiry.isValid && expiry.year <= 9999 ? expiry.toISODate() : null;
  if (date === null) {
    throw invalidState(`无法按储存年限 ${opts.storageLifeMonths} 个月计算有效期：请先在物资目录中更正该物资的储存年限，或填写有效期`, {
      storageLifeMonths: opts.storageLifeMonths,
    });
  }
  return date;
}

/** D9: a stocktake posts counted − book; every non-zero difference needs a reason of the matching direction. */
export function stocktakeDifference(book: number, counted: number): { quantity: number; direction: 'INCREASE' | 'DECREASE' | null } {
  const quantity = counted - book;
  return { quantity, direction: quantity > 0 ? 'INCREASE' : quantity < 0 ? 'DECREASE' : null };
}

/** Idempotency: a stable hash of the request (keys sorted, idempotency key left out). */
export function requestHash(input: unknown): string {
  return createHash('sha256').update(stableJson(input)).digest('hex');
}

function stableJson(v: unknown): string {
  if (DateTime.isDateTime(v)) return JSON.stringify(v.toUTC().toISO());
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([k, x]) => k !== 'idempotencyKey' && x !== undefined && x !== null)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
