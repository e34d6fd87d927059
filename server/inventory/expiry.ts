import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { ZONE } from '../clock.ts';
import { badInput, DomainError, invalidState } from '../errors.ts';
import type { Db } from '../../drizzle/client.ts';
import { heldSince } from './backdating.ts';
import { lastRowOf, pickOutbound, type HeldAt, type OutboundLine, type Pick } from './issues.ts';
import type { LockedBalance } from './posting.ts';
import { computeExpiry } from './rules.ts';
import { quantityText } from './common.ts';

// D26 过期冻结. The convention, shared with rotation (server/reserves/rotation.ts): a batch's expiryDate is the last
// China-time day on which it may be used (有效期至: valid through that day); it is expired — "past its expiry date" —
// from 00:00 Asia/Shanghai on the day after. So a batch is expired when expiryDate < today's date in China; one
// expiring today still goes out today.

/** D26: expired on `today` (a China-time date, YYYY-MM-DD)? Batches without expiry never expire. */
export const isExpired = (expiryDate: string | null, today: string) => expiryDate !== null && expiryDate < today;

/** isExpired as an SQL condition on a batch's expiry_date column, for queries that sum usable stock (D19, D6). */
export const expiredSql = (expiryDate: SQLWrapper, today: string): SQL => sql`(${expiryDate} IS NOT NULL AND ${expiryDate} < ${today}::date)`;

/** Whole days from today (China) until expiry: 0 on the expiry date (its last usable day), negative once expired; null without expiry. */
export const daysToExpiry = (expiryDate: string | null, today: string): number | null =>
  expiryDate === null ? null : Math.round(DateTime.fromISO(expiryDate, { zone: 'utc' }).diff(DateTime.fromISO(today, { zone: 'utc' }), 'days').days);

/** The China-time date of an instant: what "today" means for a document that occurred then. */
export const chinaDateOf = (at: Date) => DateTime.fromJSDate(at).setZone(ZONE).toISODate()!;

/**
 * D26: a batch named to go out (issue, transfer, relief; an outbound order's request and approval) that has expired is
 * frozen: INVALID_STATE at `field`, with its expiry date. `prefix` says where, when not the input line itself.
 */
export function expiredBatchRefusal(b: { batchId: string; batchNo: string; expiryDate: string | null }, field: string, prefix = '') {
  return invalidState(`${prefix}批次 ${b.batchNo} 有效期至 ${b.expiryDate}，已过期冻结：不能出库或调拨，只能轮换或报废`, {
    field,
    batchId: b.batchId,
    expiryDate: b.expiryDate,
  });
}

/**
 * D26: outbound picking that leaves expired batches frozen. Naming an expired batch is INVALID_STATE with its expiry
 * date; FEFO lines take only unexpired batches, and when the unexpired stock is short the INSUFFICIENT_STOCK error
 * says how much expired stock is frozen there (extensions.expired). `day` is the China date the document occurs on;
 * `heldAt` bounds a backdated post's FEFO lines (pickUnexpiredAt).
 */
export function pickUnexpired(
  storeId: string,
  lines: readonly OutboundLine[],
  locked: Map<string, LockedBalance>,
  day: string,
  heldAt?: HeldAt,
  items?: ReadonlyMap<string, { unit: string }>,
): Pick[] {
  const rows = [...locked.values()].filter((r) => r.storeId === storeId);
  lines.forEach((l, i) => {
    const row = l.batchId ? rows.find((r) => r.batchId === l.batchId) : undefined;
    if (row && isExpired(row.expiryDate, day)) throw expiredBatchRefusal(row, `input.lines.${lastRowOf(l, i)}.batchId`);
  });
  const usable = new Map([...locked].filter(([, r]) => r.storeId !== storeId || !isExpired(r.expiryDate, day)));
  try {
    return pickOutbound(storeId, lines, usable, undefined, heldAt, items);
  } catch (e) {
    // A backdated line refused for what was there at its date (notHeldRefusal) is not short of stock now.
    if (!(e instanceof DomainError) || e.code !== 'INSUFFICIENT_STOCK' || e.details.field === 'input.occurredAt') throw e;
    const itemId = e.details.itemId;
    const expired = rows.filter((r) => r.itemId === itemId && isExpired(r.expiryDate, day)).reduce((s, r) => s + r.onHand - r.reserved, 0);
    if (!expired) throw e;
    // Sweep 22c F6: in the item's unit, as the rest of the message (quantityText).
    const frozen = quantityText(expired, (items ?? heldAt?.items)?.get(String(itemId))?.unit);
    throw new DomainError('INSUFFICIENT_STOCK', `${e.message}（另有已过期冻结 ${frozen}，不能出库）`, { ...e.details, expired });
  }
}

/**
 * pickUnexpired for an outbound (issue, transfer, relief distribution) occurring at `occurredAt` — D8 read at the
 * document's own date, D21: a FEFO line of a backdated post chooses among the batches on hand at the store at that date
 * and available now, each taken no further than it held from then to now (heldSince, one statement), so that a batch
 * received since — one that now expires first — is not picked and then refused by assertHeldSince. When these cannot
 * serve a line that today's stock could, the refusal names the item and the batches (notHeldRefusal); `namesBatch`
 * says whether the input can name a batch instead. A post dated now, and a named batch, pick as pickUnexpired does.
 */
export async function pickUnexpiredAt(
  tx: Db,
  storeId: string,
  lines: readonly OutboundLine[],
  locked: Map<string, LockedBalance>,
  occurredAt: Date,
  items: Map<string, { name: string; unit: string }>,
  namesBatch = true,
): Promise<Pick[]> {
  const day = chinaDateOf(occurredAt);
  const fefoItems = new Set(lines.filter((l) => !l.batchId).map((l) => l.itemId));
  const candidates = [...locked.values()].filter(
    (r) => r.storeId === storeId && fefoItems.has(r.itemId) && r.onHand > r.reserved && !isExpired(r.expiryDate, day),
  );
  const held = await heldSince(tx, candidates, occurredAt);
  return pickUnexpired(storeId, lines, locked, day, held.size ? { at: occurredAt, held, items, namesBatch } : undefined, items);
}

/** D26: shipping reserved stock (a dispatch plan approved before the batch expired) is refused once it has expired. */
export function assertNoneExpired(rows: Iterable<LockedBalance>, day: string) {
  for (const r of rows) {
    if (isExpired(r.expiryDate, day)) {
      throw invalidState(`批次 ${r.batchNo} 有效期至 ${r.expiryDate}，已过期冻结，不能发运：请取消本方案并重新编制`, {
        batchId: r.batchId,
        expiryDate: r.expiryDate,
      });
    }
  }
}

/**
 * D7: the expiry of a new batch (receipt, call-off delivery, opening balance, a rotation's new batch) — the one given,
 * else computed (computeExpiry) — never before its production date. A label's expiry past the item's storage life is
 * taken as given: rotation follows the storage life regardless (rotateBy, D10). `field` names the expiry date.
 */
export function expiryOfNewBatch(
  line: { productionDate: string | null; expiryDate: string | null; storageLifeMonths: number | null },
  receiptDate: string,
  field: string,
): string | null {
  const expiryDate = computeExpiry({ ...line, receiptDate });
  if (expiryDate && line.productionDate && expiryDate < line.productionDate) {
    throw badInput(field, `有效期 ${expiryDate} 早于生产日期 ${line.productionDate}`);
  }
  return expiryDate;
}

/**
 * D7, D10, D26: a new batch (receipt, call-off delivery, a rotation's new batch) was made by the day it comes in. Its
 * storage life, expiry and rotate-by date run from the production date, so a date in the future would stretch them:
 * refused at `field` ("生产日期不能晚于今天"). A document dated back before the production date is refused at
 * input.occurredAt (D22: goods are not received before they were made). `today` and `day` are China-time dates.
 */
export function assertMadeBy(productionDate: string | null, at: { day: string; today: string }, label: { field: string; dayLabel: string; whose: string }) {
  if (!productionDate) return;
  if (productionDate > at.today) throw badInput(label.field, `生产日期不能晚于今天：${productionDate}`);
  if (productionDate > at.day) throw badInput('input.occurredAt', `${label.dayLabel} ${at.day} 早于${label.whose}生产日期 ${productionDate}`);
}

/** D26: a receipt of goods already expired on the day they arrive (past their expiry date) is refused. */
export function assertNotExpiredOnReceipt(expiryDate: string | null, receiptDate: string, field: string) {
  if (isExpired(expiryDate, receiptDate)) {
    throw badInput(field, `物资有效期至 ${expiryDate}，入库日期 ${receiptDate} 时已过期，不能入库`, { expiryDate, receiptDate });
  }
}

/**
 * D26, D10: a rotation's new batch must outlive the item's rotation lead — its rotate-by date (expiry − lead) must lie
 * after the rotation day, or the new stock would be due for rotation the moment it arrives.
 */
export function assertOutlivesRotationLead(expiryDate: string | null, rotationLeadMonths: number, day: string, field: string) {
  if (expiryDate === null) return;
  const mustExceed = DateTime.fromISO(day, { zone: 'utc' }).plus({ months: rotationLeadMonths }).toISODate()!;
  if (expiryDate <= mustExceed) {
    throw badInput(field, `新批次有效期至 ${expiryDate}，须晚于 ${mustExceed}（轮换提前期 ${rotationLeadMonths} 个月）：轮换须换入能储存到下一轮换期的物资`, {
      expiryDate,
      rotationLeadMonths,
      mustExceed,
    });
  }
}
