import { sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { type Principal } from '../auth/principal.ts';
import { storesInScope } from '../auth/policy.ts';
import { ZONE, todayInChina } from '../clock.ts';
import { badInput } from '../errors.ts';
import { parseMoney } from '../money.ts';
import { filterRegion } from '../regions/service.ts';
import { subtreePrefix } from '../regions/codes.ts';
import { validate, idSchema, nameKey } from '../validation.ts';
import { assertBatchesHeld, batchNoSchema, idempotencyKeySchema, occurredAtOf, quantitySchema, quantityText, storeForPosting } from '../inventory/common.ts';
import { getBatch } from '../inventory/queries.ts';
import { insufficientStock, lockBalances, postDocument } from '../inventory/posting.ts';
import { batchFor } from '../inventory/receipts.ts';
import { assertMadeBy, assertOutlivesRotationLead, expiredSql, expiryOfNewBatch, isExpired } from '../inventory/expiry.ts';
import { daysBetween, quarterOf, windowEnd } from './rules.ts';
import { STORAGE_LIFE_MAX_MONTHS } from '../catalog/service.ts';
import type { ServiceContext } from '../context.ts';
import { assertLeavesWithoutOrder, consumeOrder, orderForExecution } from '../authority/orders.ts';
import { approvedRecipient } from '../authority/approved-recipient.ts';

export interface RotationDueRow {
  storeId: string;
  batchId: string;
  quantity: number;
  unitPrice: string;
  rotateBy: string;
  daysLeft: number;
  /** D26: past its expiry date (China time) — frozen, leaves only by rotation or approved scrap. */
  expired: boolean;
}

/**
 * D6, D19: the stores that hold reserve — government stores (实物储备) and entrusted stores (企业代储). A distribution
 * point (安置点) holds relief stock on its way to households; an agreement store holds the company's own stock (协议储备,
 * counted by its agreement, not by the store). One rule for rotation, quotas and gaps, and township coverage.
 */
export const RESERVE_STORE_KINDS = ['GOVERNMENT', 'ENTRUSTED'] as const;
export const isReserveStoreKind = (kind: string) => (RESERVE_STORE_KINDS as readonly string[]).includes(kind);
/** RESERVE_STORE_KINDS as SQL on a store kind column, e.g. `reserveStoreSql(sql\`s.kind\`)`. */
export const reserveStoreSql = (kind: SQL) =>
  sql`${kind} IN (${sql.join(
    RESERVE_STORE_KINDS.map((k) => sql`${k}`),
    sql`, `,
  )})`;

/** Stock scope as SQL on stores `s`: a region subtree (checked against the user's scope), else the user's own scope. */
export async function storeScopeSql(db: Db, user: Principal, regionCode: string | null | undefined): Promise<SQL> {
  const parts: SQL[] = [];
  if (regionCode) {
    const region = await filterRegion(db, user, regionCode);
    parts.push(sql`s.region_code LIKE ${`${subtreePrefix(region.code)}%`}`);
  }
  parts.push(storesInScope(user, sql`s.id`, sql`s.region_code`));
  return sql.join(parts, sql` AND `);
}

/**
 * D10 in SQL over batches b: rotateBy (server/reserves/rules.ts) — the sooner of expiry and production + storage life, less the lead,
 * by the storage life and lead the batch was received under (D31, migration 0033: a later catalog edit re-dates no batch).
 * The life is read as at most STORAGE_LIFE_MAX_MONTHS, so that one item recorded before the catalog bounded it cannot
 * overflow the date arithmetic for a whole region (a life that long never comes before a batch's expiry).
 */
const rotateBySql = sql`(LEAST(b.expiry_date, (b.production_date + make_interval(months => LEAST(b.storage_life_months, ${sql.raw(String(STORAGE_LIFE_MAX_MONTHS))})))::date)
                         - make_interval(months => b.rotation_lead_months))::date`;

/** D10: government-owned batches on hand (company stock at agreement stores is the company's to rotate) whose rotate-by date (rotateBySql) falls within the window or has passed; most urgent first. */
export async function rotationDue(ctx: ServiceContext, args: { regionCode?: string | null; withinMonths?: number | null }): Promise<RotationDueRow[]> {
  const { db, actor: user, clock } = ctx;
  const within = args.withinMonths ?? 12;
  if (!Number.isInteger(within) || within < 0 || within > 120) throw badInput('withinMonths', '月数应为 0 到 120 之间的整数', { value: within });
  const today = todayInChina(clock);
  const scope = await storeScopeSql(db, user, args.regionCode);
  const rows = await queryRows<{ store_id: string; batch_id: string; on_hand: number; unit_price: string; rotate_by: string; expiry_date: string }>(
    db,
    sql`SELECT bal.store_id, bal.batch_id, bal.on_hand, b.unit_price::text AS unit_price, b.expiry_date::text AS expiry_date,
               ${rotateBySql}::text AS rotate_by
          FROM balances bal
          JOIN batches b ON b.id = bal.batch_id
          JOIN items i ON i.id = bal.item_id
          JOIN stores s ON s.id = bal.store_id
         WHERE bal.on_hand > 0 AND b.expiry_date IS NOT NULL AND ${reserveStoreSql(sql`s.kind`)}
           AND ${rotateBySql} <= ${windowEnd(today, within)}::date
           AND ${scope}
         ORDER BY ${expiredSql(sql`b.expiry_date`, today)} DESC, rotate_by, s.code, b.batch_no`, // D26: expired batches first
  );
  return rows.map((r) => ({
    storeId: r.store_id,
    batchId: r.batch_id,
    quantity: Number(r.on_hand),
    unitPrice: String(r.unit_price),
    rotateBy: String(r.rotate_by).slice(0, 10),
    daysLeft: daysBetween(today, String(r.rotate_by).slice(0, 10)),
    expired: isExpired(String(r.expiry_date).slice(0, 10), today),
  }));
}

/** D10: what is due per quarter (overdue apart), for planning purchases and disposals. */
export async function rotationPlan(ctx: ServiceContext, args: { regionCode?: string | null; withinMonths?: number | null }) {
  const lines = await rotationDue(ctx, { regionCode: args.regionCode, withinMonths: args.withinMonths ?? 24 });
  const groups = new Map<string, RotationDueRow[]>();
  for (const l of lines) {
    const key = l.expired ? 'EXPIRED' : l.daysLeft < 0 ? 'OVERDUE' : quarterOf(l.rotateBy); // D26: expired apart
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  return [...groups].map(([period, ls]) => ({ period, lines: ls }));
}

const DISPOSALS = ['SALE', 'USE', 'DONATION', 'TRANSFER'] as const;
/** How the old stock left, as the 轮换单 says it. */
const DISPOSAL_NAMES: Record<(typeof DISPOSALS)[number], string> = { SALE: '出售', USE: '使用', DONATION: '捐赠', TRANSFER: '调拨' };
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

const rotateSchema = z.object({
  storeId: idSchema,
  orderId: idSchema.nullish(),
  batchId: idSchema,
  quantity: quantitySchema,
  disposal: z.enum(DISPOSALS),
  // Optional (API.md line 115): defaults to the approved order's recipient (counterpartOf); given, it may not be blank.
  counterpart: z.string().trim().min(1, '须填写出陈的去向（买方、使用单位、受赠方或调入单位）').max(128).nullish(),
  note: z.string().trim().max(500).nullish(),
  occurredAt: z.any().optional(),
  idempotencyKey: idempotencyKeySchema,
  newBatch: z.object({
    batchNo: batchNoSchema,
    productionDate: isoDate.nullish(),
    expiryDate: isoDate.nullish(),
    unitPrice: z.string().nullish(),
  }),
});

/**
 * D10: where the old stock went (buyer, using unit, recipient of the donation, receiving unit): as given, else the
 * recipient its approved ROTATION_SALE order names (D23). Given, it is the order's recipient (approvedRecipient, the
 * rule issueStock's recipient follows; sweep 21b F2). Asked for only when there is no order to take it from (a
 * company's own stock in its agreement store).
 */
function counterpartOf(given: string | null | undefined, order: { number: string; recipient: string | null } | null): string {
  const counterpart = approvedRecipient(order, given, { field: 'input.counterpart', label: '接收方', act: '轮换' })?.trim();
  if (!counterpart) throw badInput('input.counterpart', '须填写出陈的去向（买方、使用单位、受赠方或调入单位）');
  return counterpart;
}

/**
 * D10, D18, D22 (sweep 21b F2): a rotation's old stock leaves the books to a unit outside the system — a buyer, a using
 * unit, a donee, a receiving unit (调拨 as a disposal is a hand-over to such a unit). One of the system's own stores,
 * named by its name or code (as a person reads them: nameKey), is refused at input.counterpart: the goods would leave
 * this store's books and arrive in no other's (a rotation has no receiving side, and its trace would end there); stock
 * moves between the system's stores by 调拨出库 (shipTransfer against an order for 调拨), received by the other store.
 */
async function assertCounterpartOutside(db: Db, counterpart: string): Promise<void> {
  const key = nameKey(counterpart);
  const stores = await queryRows<{ name: string; code: string }>(db, sql`SELECT name, code FROM stores ORDER BY code`);
  const store = stores.find((s) => nameKey(s.name) === key || nameKey(s.code) === key);
  if (!store) return;
  throw badInput(
    'input.counterpart',
    `「${counterpart}」是本系统的仓库（${store.name}，代码 ${store.code}）：轮换的出陈只能处置给本系统以外的单位（买方、使用单位、受赠方或调入单位），出账后不会进入该仓库；调往本系统的仓库请申请用途为「调拨」的出库申请，办理调拨出库，由调入仓库收货`,
    { storeCode: store.code },
  );
}

/**
 * 轮换 (D10): old stock out (sold, used, donated or transferred, to a recorded counterpart) and the same quantity of
 * a new batch in — one document, one transaction. The new batch keeps the old one's funding, owner and reserve mode.
 */
export async function rotateStock(ctx: ServiceContext, input: unknown) {
  const { db, actor: user, clock } = ctx;
  const v = validate(rotateSchema, input);
  const store = await storeForPosting(db, user, v.storeId, 'input.storeId');
  const old = await getBatch(db, v.batchId, 'input.batchId');
  await assertBatchesHeld(db, store.id, [{ batchId: old.id }], () => 'input.batchId'); // D3: nothing of another store's batch
  if (v.newBatch.batchNo === old.batchNo) throw badInput('input.newBatch.batchNo', '新批次的批号不能与被轮换批次相同');
  const [item] = await queryRows<{ storage_life_months: number | null; rotation_lead_months: number; name: string; unit: string }>(
    db,
    sql`SELECT storage_life_months, rotation_lead_months, name, unit FROM items WHERE id = ${old.itemId}::uuid`,
  );
  const occurredAt = occurredAtOf(clock, v.occurredAt);
  const receiptDate = DateTime.fromJSDate(occurredAt).setZone(ZONE).toISODate()!;
  // D7, D10: a production date in the future would stretch the new batch's storage life (as for receipts).
  assertMadeBy(
    v.newBatch.productionDate ?? null,
    { day: receiptDate, today: todayInChina(clock) },
    { field: 'input.newBatch.productionDate', dayLabel: '轮换时间', whose: '新批次的' },
  );
  const expiryDate = expiryOfNewBatch(
    { productionDate: v.newBatch.productionDate ?? null, expiryDate: v.newBatch.expiryDate ?? null, storageLifeMonths: item.storage_life_months },
    receiptDate,
    'input.newBatch.expiryDate',
  ); // D7, D10
  // D26: at the field the client gave (sweep 21b F4) — an expiry computed from the production date (+ storage life) is
  // the production date's fault, as receiveStock names it.
  const expiryField = !v.newBatch.expiryDate && v.newBatch.productionDate ? 'input.newBatch.productionDate' : 'input.newBatch.expiryDate';
  assertOutlivesRotationLead(expiryDate, Number(item.rotation_lead_months), receiptDate, expiryField);
  const unitPrice = v.newBatch.unitPrice ? parseMoney(v.newBatch.unitPrice, 'input.newBatch.unitPrice') : old.unitPrice;
  if (unitPrice.startsWith('-')) throw badInput('input.newBatch.unitPrice', '单价不能为负');
  // D23: the old stock leaves against an approved rotation order.
  const outgoing = { itemId: old.itemId, batchId: old.id, quantity: v.quantity };
  const { order } = await orderForExecution(db, store, v.orderId, { kind: 'ROTATION', by: user, occurredAt }, [outgoing]);
  const counterpart = counterpartOf(v.counterpart, order);
  await assertCounterpartOutside(db, counterpart);

  return postDocument(db, {
    kind: 'rotateStock',
    actor: user,
    idempotencyKey: v.idempotencyKey,
    input: v,
    clock,
    occurredAt,
    build: async (tx) => {
      const locked = await lockBalances(tx, { keys: [{ storeId: store.id, batchId: old.id }] });
      const row = locked.get(`${store.id}|${old.id}`);
      const available = row ? row.onHand - row.reserved : 0;
      if (available < v.quantity) {
        // Sweep 22c F6: quantities with the item's unit (quantityText); extensions keep the bare numbers.
        const amount = (n: number) => quantityText(n, item.unit);
        throw insufficientStock(`库存不足：批次 ${old.batchNo} 可用 ${amount(available)}，需轮换 ${amount(v.quantity)}`, {
          storeId: store.id,
          itemId: old.itemId,
          batchId: old.id,
          requested: v.quantity,
          available,
          field: 'input.quantity',
        });
      }
      if (order) await consumeOrder(tx, order.id, [outgoing], (_line, what = 'quantity') => (what === 'quantity' ? 'input.quantity' : 'input.batchId'));
      else await assertLeavesWithoutOrder(tx, store, 'ROTATION', [outgoing]); // D23: by the batch's owner
      // D3/D18: a new batch number that exists beyond the caller's scope is refused there (batchFor).
      const fresh = await batchFor(
        tx,
        user,
        {
          itemId: old.itemId,
          batchNo: v.newBatch.batchNo,
          productionDate: v.newBatch.productionDate ?? null,
          expiryDate,
          unitPrice,
          fundingSource: old.fundingSource,
          reserveMode: old.reserveMode,
          ownerOrgId: old.ownerOrgId,
          supplierOrgId: null,
          origin: null,
          receivedAt: occurredAt,
        },
        'input.newBatch',
      );
      const base = { storeId: store.id, itemId: old.itemId, bucket: 'ON_HAND' as const };
      return {
        type: 'ROTATION',
        storeId: store.id,
        orderId: order?.id,
        recipient: counterpart,
        reasonCode: 'ROTATION_OUT',
        note: v.note,
        details: { disposal: v.disposal, counterpart, oldBatchId: old.id, newBatchId: fresh.id },
        locked,
        lines: [
          {
            itemId: old.itemId,
            batchId: old.id,
            quantity: -v.quantity,
            unitPrice: old.unitPrice,
            reasonCode: 'ROTATION_OUT',
            note: `${DISPOSAL_NAMES[v.disposal]}：${counterpart}`,
          },
          { itemId: old.itemId, batchId: fresh.id, quantity: v.quantity, unitPrice: fresh.unitPrice },
        ],
        movements: [
          { ...base, batchId: old.id, quantity: -v.quantity, unitPrice: old.unitPrice, reasonCode: 'ROTATION_OUT' },
          { ...base, batchId: fresh.id, quantity: v.quantity, unitPrice: fresh.unitPrice },
        ],
      };
    },
  });
}
