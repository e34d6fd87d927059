import { and, eq, inArray } from 'drizzle-orm';
import type { DateTime } from 'luxon';
import { z } from 'zod';
import type { Db } from '../../drizzle/client.ts';
import { balances, batches, items, stockReasons } from '../../drizzle/schema/index.ts';
import { type Principal } from '../auth/principal.ts';
import { assertMayPost, assertStoreAccess } from '../auth/policy.ts';
import { chinaText, EARLIEST_BUSINESS_DAY, earliestBusinessTime, type Clock } from '../clock.ts';
import { badInput, DomainError, notFound } from '../errors.ts';
import { getStoreRow, type StoreRow } from '../stores/service.ts';
import { readableText, uuidArg } from '../validation.ts';
import type { ReferenceCache } from '../reference-cache.ts';

export type ItemRow = typeof items.$inferSelect;
export type BatchRow = typeof batches.$inferSelect;
export type ReasonUsage = 'ISSUE' | 'STOCKTAKE' | 'SCRAP' | 'TRANSFER' | 'ROTATION';

/**
 * The quantity limits, in one place (sweep 18c F3). A line moves at most LINE_QUANTITY_MAX; a batch's balance at a store
 * (on hand, in transit) holds at most BALANCE_MAX — the database's 32-bit balance and the API's Int — reached by many
 * receipts into one batch number (posting.ts refuses the one that would pass it). A count (D9) is of a whole balance, so
 * it may say anything a balance may hold: a batch of 2,100,000,000 can be counted, its book figure confirmed.
 */
export const LINE_QUANTITY_MAX = 100_000_000;
export const BALANCE_MAX = 2_147_483_647;

/** API.md: quantities are whole base units, > 0 in inputs. */
export const quantitySchema = z
  .number()
  .int('数量须为整数')
  .positive('数量须大于 0')
  .max(LINE_QUANTITY_MAX, `数量过大：每行最多 ${LINE_QUANTITY_MAX.toLocaleString('en-US')}`);

/** D9: a counted quantity — none at all up to what a balance may hold (BALANCE_MAX). */
export const countedQuantitySchema = z
  .number()
  .int('数量须为整数')
  .min(0, '实盘数量不能为负')
  .max(BALANCE_MAX, `不能超过 ${BALANCE_MAX.toLocaleString('en-US')}（一个批次结存的上限）`);

/** D22: auditors write nothing — checked before anything is looked up, so a refusal reveals nothing. */
/** A store where the principal may post: auditors write nothing; keepers only at their stores; others in region. */
export async function storeForPosting(db: Db, user: Principal, storeId: string, field: string, reference?: ReferenceCache): Promise<StoreRow> {
  assertMayPost(user);
  const store = reference ? await heldStore(db, reference, storeId, field) : await getStoreRow(db, storeId, field);
  assertStoreAccess(user, store, field);
  return store;
}

async function heldStore(db: Db, reference: ReferenceCache, storeId: string, field: string): Promise<StoreRow> {
  uuidArg(storeId, field, '仓库');
  const store = (await reference.storesByIds(db, [storeId])).get(storeId);
  if (!store) throw notFound(field, '仓库', storeId);
  return store;
}

/** D7: occurredAt may be earlier than recording time (not before EARLIEST_BUSINESS_DAY), never in the future; defaults to now. */
export function occurredAtOf(clock: Clock, occurredAt: DateTime | null | undefined, field = 'input.occurredAt'): Date {
  const now = clock.now();
  if (!occurredAt) return now.toJSDate();
  if (occurredAt.toMillis() > now.toMillis() + 60_000) {
    // Said in China time (the keeper's clock); the value as sent stays in the details.
    const china = chinaText(occurredAt.toJSDate(), 'yyyy-LL-dd HH:mm');
    throw badInput(field, `业务发生时间 ${china}（北京时间）晚于当前时间，不能预先登记`, { value: occurredAt.toISO() });
  }
  if (occurredAt.toMillis() < earliestBusinessTime().getTime()) {
    throw badInput(field, `业务发生时间不能早于 ${EARLIEST_BUSINESS_DAY}（北京时间）：请核对日期`, {
      value: occurredAt.toISO(),
      earliest: EARLIEST_BUSINESS_DAY,
    });
  }
  return occurredAt.toJSDate();
}

/** Items by id; unknown ids are NOT_FOUND naming the input line. */
export async function itemsFor(db: Db, lines: readonly { itemId: string }[], field = 'input.lines', reference?: ReferenceCache): Promise<Map<string, ItemRow>> {
  lines.forEach((l, i) => uuidArg(l.itemId, `${field}.${i}.itemId`, '物资'));
  const ids = [...new Set(lines.map((l) => l.itemId))];
  let map: Map<string, ItemRow>;
  if (reference) map = ids.length ? await reference.itemsByIds(db, ids) : new Map();
  else map = new Map((ids.length ? await db.select().from(items).where(inArray(items.id, ids)) : []).map((r) => [r.id, r]));
  lines.forEach((l, i) => {
    if (!map.has(l.itemId)) throw notFound(`${field}.${i}.itemId`, '物资', l.itemId);
  });
  return map;
}

/**
 * A quantity as a person reads it in a message or a summary: 999,999 — with its unit, after a space, when given:
 * 「1,300 床」 (sweep 22c F6: one way of writing a quantity, as the console's formatQuantity writes it).
 */
export const quantityText = (n: number, unit?: string | null) => (unit ? `${n.toLocaleString('zh-CN')} ${unit}` : n.toLocaleString('zh-CN'));

/**
 * Quantities of one sign said in each item's own unit (毛毯 in 条, tents in 顶): "5 条、1,200 顶" ('0' when none), for
 * summaries a person reads — an approval's, a count's. `items` holds the moves' items (itemsFor).
 */
export function inItemUnits(items: Map<string, Pick<ItemRow, 'unit'>>, moves: readonly { itemId: string; quantity: number }[], sign: 1 | -1): string {
  const byUnit = new Map<string, number>();
  for (const m of moves) {
    const unit = items.get(m.itemId)!.unit;
    if (m.quantity * sign > 0) byUnit.set(unit, (byUnit.get(unit) ?? 0) + m.quantity * sign);
  }
  return byUnit.size ? [...byUnit].map(([unit, n]) => quantityText(n, unit)).join('、') : '0';
}

/** One item named by an argument or input field (not a line): a malformed or unknown id is refused at that field. */
export async function itemFor(db: Db, itemId: string, field: string): Promise<ItemRow> {
  const [row] = await db
    .select()
    .from(items)
    .where(eq(items.id, uuidArg(itemId, field, '物资')));
  if (!row) throw notFound(field, '物资', itemId);
  return row;
}

/** Batches by id; unknown ids are NOT_FOUND naming the input line. */
export async function batchesFor(db: Db, lines: readonly { batchId?: string | null }[], field = 'input.lines'): Promise<Map<string, BatchRow>> {
  lines.forEach((l, i) => l.batchId && uuidArg(l.batchId, `${field}.${i}.batchId`, '批次'));
  const ids = [...new Set(lines.flatMap((l) => (l.batchId ? [l.batchId] : [])))];
  const rows = ids.length ? await db.select().from(batches).where(inArray(batches.id, ids)) : [];
  const map = new Map(rows.map((r) => [r.id, r]));
  lines.forEach((l, i) => {
    if (l.batchId && !map.has(l.batchId)) throw notFound(`${field}.${i}.batchId`, '批次', l.batchId);
  });
  return map;
}

/** Checks that each named batch belongs to its line's item (a batch of another item is bad input). */
export function assertBatchesMatchItems(
  lines: readonly { itemId: string; batchId?: string | null }[],
  batchMap: Map<string, BatchRow>,
  itemMap: Map<string, ItemRow>,
  field = 'input.lines',
) {
  lines.forEach((l, i) => {
    const batch = l.batchId ? batchMap.get(l.batchId) : undefined;
    if (batch && batch.itemId !== l.itemId) {
      throw badInput(`${field}.${i}.batchId`, `第 ${i + 1} 行的批次不是物资「${itemMap.get(l.itemId)!.name}」的批次`);
    }
  });
}

/**
 * D3: the batches lines name are ones the store holds or held (it has their balance row); otherwise INSUFFICIENT_STOCK
 * (available 0) at the line, saying nothing of the batch — its number, item and holder are another store's business.
 */
export async function assertBatchesHeld(db: Db, storeId: string, lines: readonly { batchId?: string | null }[], field: (i: number) => string) {
  const ids = [...new Set(lines.flatMap((l) => (l.batchId ? [l.batchId] : [])))];
  if (!ids.length) return;
  const rows = await db
    .select({ batchId: balances.batchId })
    .from(balances)
    .where(and(eq(balances.storeId, storeId), inArray(balances.batchId, ids)));
  const held = new Set(rows.map((r) => r.batchId));
  lines.forEach((l, i) => {
    if (l.batchId && !held.has(l.batchId)) {
      throw new DomainError('INSUFFICIENT_STOCK', '库存不足：本库没有该批次的库存，请核对批次', { storeId, available: 0, field: field(i) });
    }
  });
}

/** A reason code valid for this use (and direction, where given); else BAD_USER_INPUT. */
export async function reasonFor(db: Db, code: string, usage: ReasonUsage, field: string, direction?: 'INCREASE' | 'DECREASE', reference?: ReferenceCache) {
  const reasons = reference ? await reference.reasons(db) : await db.select().from(stockReasons);
  const reason = reasons.find((r) => r.code === code);
  const allowed = reasons.filter((r) => r.usages.includes(usage) && (!direction || r.direction === direction));
  if (!reason || !allowed.includes(reason)) {
    // The keeper picked the reason by its name from a list: the message names the reasons, the codes stay in extensions.
    const choices = `（可选：${allowed.map((r) => r.name).join('、')}）`;
    throw badInput(field, reason ? `原因「${reason.name}」不适用于此处${choices}` : `原因无效${choices}`, {
      value: code,
      allowed: allowed.map((r) => r.code),
    });
  }
  return reason;
}

/**
 * A batch number as printed on the label (D7, D18): compatibility forms folded (NFKC: full-width Ｔ－１ is T-1) and
 * invisible format characters (zero-width space, joiners, BOM) dropped, so that a number that looks the same is the same
 * batch, not a look-alike second one.
 */
export const batchNoSchema = z.string().transform(readableText).pipe(z.string().min(1, '批号不能为空').max(64));

export const idempotencyKeySchema = z.string().trim().min(1, '幂等键不能为空').max(128, '幂等键不超过 128 个字符');
