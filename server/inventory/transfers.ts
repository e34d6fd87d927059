import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { documents, transferLines, transfers } from '../../drizzle/schema/index.ts';
import { type Principal } from '../auth/principal.ts';
import { assertPointServing } from '../relief/closed-points.ts';
import { assertMayCancelTransfer, assertMayPost, assertStoreAccess } from '../auth/policy.ts';
import { badInput, invalidState, notFound } from '../errors.ts';
import { stableId } from '../ids.ts';
import { getStoreRow, type StoreRow } from '../stores/service.ts';
import { uuidArg, validate, idSchema } from '../validation.ts';
import {
  assertBatchesMatchItems,
  batchesFor,
  idempotencyKeySchema,
  inItemUnits,
  itemsFor,
  occurredAtOf,
  quantityText,
  reasonFor,
  storeForPosting,
} from './common.ts';
import { lockOutbound, outboundLine } from './issues.ts';
import { pickUnexpiredAt } from './expiry.ts';
import { lockBalances, postDocument, writeDocument, type LineDraft, type MovementDraft } from './posting.ts';
import type { ServiceContext } from '../context.ts';
import { statusText, TRANSFER_STATUS_NAMES } from '../paperwork/names.ts';
import { chinaText } from '../clock.ts';
import { assertLeavesWithoutOrder, consumeOrder, orderForExecution, returnToOrder } from '../authority/orders.ts';
import { assertMayHold, assertTransferDestination } from '../authority/custody.ts';
import { reduceSettlementsOfCancelledTransfer } from '../authority/settlements.ts';
import { requestDocumentApproval } from '../authority/pending.ts';

export type TransferRow = typeof transfers.$inferSelect;
export type TransferLineRow = typeof transferLines.$inferSelect;

const shipSchema = z
  .object({
    fromStoreId: idSchema,
    toStoreId: idSchema,
    dispatchPlanId: idSchema.nullish(),
    orderId: idSchema.nullish(),
    note: z.string().trim().max(500).nullish(),
    occurredAt: z.any().optional(),
    idempotencyKey: idempotencyKeySchema,
    lines: z.array(outboundLine).min(1, '至少一行').max(1000, '一张单据最多 1000 行'),
  })
  .refine((v) => v.fromStoreId !== v.toStoreId, { path: ['toStoreId'], message: '调出与调入仓库不能相同' })
  .refine((v) => !(v.dispatchPlanId && v.orderId), { path: ['orderId'], message: '调拨方案本身就是调拨令：不能同时指定出库申请' });

/**
 * A dispatch plan is the order for its own transfers (D23): what is shipped citing it must be a plan that is
 * executing, from one of its source stores to one of its destinations, within its lines not yet shipped — and dated
 * (`occurredAt`, the shipment's business time) no earlier than the plan's order for it (sweep 20c F5).
 */
export type PlanShipmentCheck = (
  tx: Db,
  planId: string,
  shipment: { fromStoreId: string; toStoreId: string; occurredAt: Date; picks: readonly { itemId: string; batchId: string; quantity: number }[] },
  actor: Principal,
) => Promise<void>;

/**
 * 调拨出库: stock leaves the source and is in transit to the destination until received or cancelled — against an
 * approved transfer order (D23) or the dispatch plan it executes (checked by the dispatch module, wired in).
 */
export async function shipTransfer(ctx: ServiceContext, input: unknown, checkPlanShipment?: PlanShipmentCheck) {
  const { db, actor: user, clock } = ctx;
  const v = validate(shipSchema, input);
  const from = await storeForPosting(db, user, v.fromStoreId, 'input.fromStoreId');
  const to = await getStoreRow(db, v.toStoreId, 'input.toStoreId');
  assertTransferDestination(from, to, 'input.toStoreId'); // D23: government stock never into an agreement store
  const occurredAt = occurredAtOf(clock, v.occurredAt);
  // D29: a closed incident's 安置点 takes no more — a plan's 补发 neither (sweep 19a F10): its plan is closed short instead.
  // D21, D28 (sweep 20c F5): nor anything dated before its disaster — the 安置点 was not there to send to.
  await assertPointServing(db, to, 'input.toStoreId', { at: occurredAt, what: '调入' });
  const itemMap = await itemsFor(db, v.lines);
  assertBatchesMatchItems(v.lines, await batchesFor(db, v.lines), itemMap);
  if (v.dispatchPlanId) uuidArg(v.dispatchPlanId, 'input.dispatchPlanId', '调拨方案');
  if (v.dispatchPlanId && !checkPlanShipment) throw invalidState('调拨方案的调拨由方案执行发出');
  const { order, lines } = v.dispatchPlanId
    ? { order: null, lines: v.lines }
    : await orderForExecution(db, from, v.orderId, { kind: 'TRANSFER', by: user, toStoreId: to.id, occurredAt }, v.lines);
  return postDocument(db, {
    kind: 'shipTransfer',
    actor: user,
    idempotencyKey: v.idempotencyKey,
    input: v,
    clock,
    occurredAt,
    build: async (tx, { documentId, recordedAt }) => {
      const transferId = stableId('transfer', documentId);
      // Source and destination rows in one locking statement: opposite transfers cannot deadlock.
      const locked = await lockOutbound(tx, from.id, lines, [to.id]);
      // D26: expired stock is frozen; D8, D21: a backdated FEFO line picks from what was there at its date.
      const picks = await pickUnexpiredAt(tx, from.id, lines, locked, occurredAt, itemMap);
      if (order) await consumeOrder(tx, order.id, picks);
      else if (!v.dispatchPlanId) await assertLeavesWithoutOrder(tx, from, 'TRANSFER', picks); // D23: by the owner of what is picked
      const batchIds = picks.map((p) => p.batchId);
      await assertMayHold(tx, to, batchIds, 'input.toStoreId'); // D23: an agreement store takes its company's own stock only
      if (v.dispatchPlanId) await checkPlanShipment!(tx, v.dispatchPlanId, { fromStoreId: from.id, toStoreId: to.id, occurredAt, picks }, user);
      const perBatch = new Map<string, { itemId: string; quantity: number }>();
      for (const p of picks) {
        const e = perBatch.get(p.batchId);
        if (e) e.quantity += p.quantity;
        else perBatch.set(p.batchId, { itemId: p.itemId, quantity: p.quantity });
      }
      return {
        type: 'TRANSFER_OUT',
        storeId: from.id,
        counterpartStoreId: to.id,
        transferId,
        orderId: order?.id,
        note: v.note,
        locked,
        lines: picks.map((p): LineDraft => ({ ...p, quantity: -p.quantity })),
        movements: picks.flatMap((p): MovementDraft[] => [
          { ...p, storeId: from.id, bucket: 'ON_HAND', quantity: -p.quantity },
          { ...p, storeId: to.id, bucket: 'IN_TRANSIT', quantity: p.quantity },
        ]),
        afterPost: async (t, posted) => {
          await t.insert(transfers).values({
            id: transferId,
            number: posted.number,
            status: 'IN_TRANSIT',
            fromStoreId: from.id,
            toStoreId: to.id,
            dispatchPlanId: v.dispatchPlanId ?? null,
            shippedBy: user.id,
            shippedAt: occurredAt,
            updatedAt: recordedAt,
          });
          await t.insert(transferLines).values([...perBatch].map(([batchId, e]) => ({ transferId, batchId, itemId: e.itemId, shipped: e.quantity })));
        },
      };
    },
  });
}

export async function getTransferRow(db: Db, id: string, field = 'transferId'): Promise<TransferRow> {
  uuidArg(id, field, '调拨单');
  const [row] = await db.select().from(transfers).where(eq(transfers.id, id));
  if (!row) throw notFound(field, '调拨单', id);
  return row;
}

/** Either side of a transfer may read it. */
export async function getTransferInScope(db: Db, user: Principal, id: string, field = 'id'): Promise<TransferRow> {
  const t = await getTransferRow(db, id, field);
  const [from, to] = await Promise.all([getStoreRow(db, t.fromStoreId), getStoreRow(db, t.toStoreId)]);
  try {
    assertStoreAccess(user, from);
  } catch {
    assertStoreAccess(user, to, field);
  }
  return t;
}

/** Locks the transfer row first (before balances): concurrent receipts of one transfer take turns. */
async function lockTransfer(tx: Db, id: string) {
  await queryRows(tx, sql`SELECT id FROM transfers WHERE id = ${id}::uuid FOR UPDATE`);
  const [t] = await tx.select().from(transfers).where(eq(transfers.id, id));
  const lines = await tx.select().from(transferLines).where(eq(transferLines.transferId, id));
  return { transfer: t, lines };
}

/**
 * What runs in the receiving (or cancelling) transaction once a transfer's lines and status have changed. Modules that build on
 * transfers (dispatch completes its plans) are wired in by the composition root, so inventory does not depend on them.
 */
export type TransferReceivedHook = (tx: Db, transferId: string) => Promise<void>;

const open = (l: TransferLineRow) => l.shipped - l.received - l.lost - l.cancelled - l.disputed;

const receiveSchema = z.object({
  transferId: idSchema,
  note: z.string().trim().max(500).nullish(),
  occurredAt: z.any().optional(),
  idempotencyKey: idempotencyKeySchema,
  lines: z
    .array(
      z
        .object({
          batchId: idSchema,
          quantity: z.number().int('数量须为整数').min(0, '数量不能为负'),
          discrepancyReason: z.string().nullish(),
        })
        // Receiving nothing of a batch only makes sense when saying why (all lost or damaged): D9, D27 — the reason closes
        // the line and what did not arrive waits for its write-off. Said at the reason, the field that mends it (sweep
        // 18b F1: 「数量须大于 0」 at 实收 sent the keeper to type a quantity that never came).
        .refine((l) => l.quantity > 0 || !!l.discrepancyReason, {
          path: ['discrepancyReason'],
          message: '实收为 0 的须选择差异原因（未到货的原因，如破损、丢失）',
        }),
    )
    .min(1, '至少一行')
    .max(1000),
});

/**
 * 调拨入库: receipt at the destination, partial allowed. A line with a discrepancy reason closes the batch: what is
 * still in transit beyond the received quantity is disputed — it stays in transit and a write-off (核销单) waits for a
 * second person's approval (D27); rejected, it is open in transit again.
 */
export async function receiveTransfer(ctx: ServiceContext, input: unknown, onReceived?: TransferReceivedHook) {
  const { db, actor: user, clock } = ctx;
  const v = validate(receiveSchema, input);
  assertMayPost(user);
  const transfer = await getTransferRow(db, v.transferId, 'input.transferId');
  const to = await getStoreRow(db, transfer.toStoreId);
  assertStoreAccess(user, to, 'input.transferId');
  const seen = new Set<string>();
  for (const [i, l] of v.lines.entries()) {
    uuidArg(l.batchId, `input.lines.${i}.batchId`, '批次');
    if (seen.has(l.batchId)) throw badInput(`input.lines.${i}.batchId`, '同一批次只能出现一次');
    seen.add(l.batchId);
  }
  const reasons = new Map<number, string>();
  const reasonNames = new Map<string, string>();
  for (const [i, l] of v.lines.entries()) {
    if (!l.discrepancyReason) continue;
    const reason = await reasonFor(db, l.discrepancyReason, 'TRANSFER', `input.lines.${i}.discrepancyReason`);
    reasons.set(i, reason.code);
    reasonNames.set(reason.code, reason.name);
  }
  const occurredAt = occurredAtOf(clock, v.occurredAt);
  if (occurredAt < transfer.shippedAt) {
    throw badInput('input.occurredAt', `收货时间不能早于发货时间 ${chinaText(transfer.shippedAt)}（北京时间）`);
  }
  return postDocument(db, {
    kind: 'receiveTransfer',
    actor: user,
    idempotencyKey: v.idempotencyKey,
    input: v,
    clock,
    occurredAt,
    build: async (tx, { documentId, recordedAt }) => {
      const { transfer: t, lines: tLines } = await lockTransfer(tx, transfer.id);
      if (t.status !== 'IN_TRANSIT' && t.status !== 'PARTIALLY_RECEIVED') {
        throw invalidState(`调拨单 ${t.number} 状态为${statusText(TRANSFER_STATUS_NAMES, t.status)}，不能收货`, { status: t.status });
      }
      const locked = await lockBalances(tx, { keys: v.lines.map((l) => ({ storeId: t.toStoreId, batchId: l.batchId })) });
      const lines: LineDraft[] = [];
      const moves: MovementDraft[] = [];
      const losses: MovementDraft[] = [];
      const updates: { batchId: string; received: number; lost: number; reason: string | null }[] = [];
      for (const [i, l] of v.lines.entries()) {
        const tl = tLines.find((x) => x.batchId === l.batchId);
        if (!tl) throw badInput(`input.lines.${i}.batchId`, '该批次不在此调拨单中');
        const remaining = open(tl);
        if (l.quantity > remaining) {
          // A shortage recorded on an earlier receipt stays in transit until its write-off is decided (D10), but is not
          // there to receive: the keeper reading "在途 3" is told where the 3 went.
          // Sweep 22c F6: quantities with the item's unit (quantityText), read on this refusal's path.
          const unit = (await itemsFor(tx, [{ itemId: tl.itemId }], 'input.lines', ctx.reference)).get(tl.itemId)?.unit;
          const amount = (n: number) => quantityText(n, unit);
          const what =
            tl.disputed > 0 ? `可收数量 ${amount(remaining)}（另有 ${amount(tl.disputed)}已登记为在途短少，待核销审批）` : `在途数量 ${amount(remaining)}`;
          throw badInput(`input.lines.${i}.quantity`, `收货数量 ${amount(l.quantity)}超过${what}`, {
            inTransit: remaining,
            ...(tl.disputed > 0 ? { awaitingWriteOff: tl.disputed } : {}),
          });
        }
        const reason = reasons.get(i) ?? null;
        const lost = reason ? remaining - l.quantity : 0;
        const unitPrice = locked.get(`${t.toStoreId}|${l.batchId}`)!.unitPrice;
        const base = { storeId: t.toStoreId, batchId: l.batchId, itemId: tl.itemId, unitPrice };
        if (l.quantity > 0) {
          lines.push({ itemId: tl.itemId, batchId: l.batchId, quantity: l.quantity, unitPrice });
          moves.push({ ...base, bucket: 'IN_TRANSIT', quantity: -l.quantity }, { ...base, bucket: 'ON_HAND', quantity: l.quantity });
        }
        if (lost > 0) {
          lines.push({ itemId: tl.itemId, batchId: l.batchId, quantity: 0, unitPrice, reasonCode: reason, note: `在途短少 ${lost}，待核销审批` });
          losses.push({ ...base, bucket: 'IN_TRANSIT', quantity: -lost, reasonCode: reason });
        }
        updates.push({ batchId: l.batchId, received: l.quantity, lost, reason });
      }
      return {
        type: 'TRANSFER_IN',
        storeId: t.toStoreId,
        counterpartStoreId: t.fromStoreId,
        transferId: t.id,
        note: v.note,
        locked,
        lines,
        movements: moves,
        afterPost: async (tx2, posted) => {
          if (losses.length)
            await requestWriteOff(tx2, user, { documentId, recordedAt, occurredAt, transfer: t, receipt: posted, losses, store: to, reasonNames });
          for (const u of updates) {
            await tx2.execute(sql`UPDATE transfer_lines SET received = received + ${u.received}, disputed = disputed + ${u.lost},
                                         discrepancy_reason = COALESCE(${u.reason}, discrepancy_reason)
                                   WHERE transfer_id = ${t.id}::uuid AND batch_id = ${u.batchId}::uuid`);
          }
          await tx2.execute(sql`UPDATE transfers SET updated_at = ${recordedAt.toISOString()}::timestamptz,
                   status = CASE WHEN (SELECT bool_and(received + lost + cancelled = shipped) FROM transfer_lines WHERE transfer_id = ${t.id}::uuid)
                                 THEN 'RECEIVED'::transfer_status ELSE 'PARTIALLY_RECEIVED'::transfer_status END
                 WHERE id = ${t.id}::uuid`);
          await onReceived?.(tx2, t.id);
        },
      };
    },
  });
}

/** The 核销单 a receipt's loss in transit opened (its id follows from the receipt's): the print names it and its state. */
export const writeOffIdOf = (receiptId: string) => stableId('document', `${receiptId}/write-off`);

/**
 * D27: what was reported lost in transit is written off only on approval: a pending 核销单 at the destination — its
 * store, number and print stay the receipt's. D24, D27, D3 (sweep 17b F1): until received the goods are the sending
 * side's (in transit from the store they left), so the write-off is decided by someone with authority over the SENDING
 * store — the approval is that store's and its region's (the approvals queue of its dispatchers and administrators, and
 * its keepers' read-only view; the requester still sees it as theirs). The receiving side, which would keep the goods,
 * does not confirm its own claim that they never arrived. Where one region covers both stores (the city above two
 * counties, a county's own stores) its dispatchers decide as before.
 */
async function requestWriteOff(
  tx: Db,
  user: Principal,
  w: {
    documentId: string;
    recordedAt: Date;
    occurredAt: Date;
    transfer: TransferRow;
    receipt: { number: string };
    losses: MovementDraft[];
    store: StoreRow;
    reasonNames: ReadonlyMap<string, string>;
  },
) {
  const id = writeOffIdOf(w.documentId);
  const posted = await writeDocument(
    tx,
    { kind: 'receiveTransfer', actor: user, key: id, hash: id.replace(/-/g, ''), documentId: id, occurredAt: w.occurredAt, recordedAt: w.recordedAt },
    {
      type: 'WRITE_OFF',
      storeId: w.store.id,
      counterpartStoreId: w.transfer.fromStoreId,
      transferId: w.transfer.id,
      note: `调拨单 ${w.transfer.number} 在途短少（收货单 ${w.receipt.number}）`,
      lines: w.losses.map((m): LineDraft => ({ itemId: m.itemId, batchId: m.batchId, quantity: m.quantity, unitPrice: m.unitPrice, reasonCode: m.reasonCode })),
      movements: w.losses,
      pending: true,
    },
  );
  const from = await getStoreRow(tx, w.transfer.fromStoreId);
  await requestDocumentApproval(tx, user, w.recordedAt, posted, from, {
    kind: 'WRITE_OFF',
    // The approver reads why the goods were not received (运输损耗, 破损 …), as the keeper gave it (sweep 14c LOW-2: a
    // damaged shortfall read 在途短少), and — deciding for the store the goods left — where they were received short.
    summary:
      `${w.store.name} 核销 ${posted.number}：调拨单 ${w.transfer.number}（自 ${from.name} 调出）收货短少 ${inItemUnits(await itemsFor(tx, w.losses), w.losses, -1)}` +
      `（${[...new Set(w.losses.map((m) => w.reasonNames.get(m.reasonCode!) ?? m.reasonCode))].join('、')}）`,
    pending: { movements: w.losses, reservations: [] },
  });
}

const cancelSchema = z.object({
  transferId: idSchema,
  reason: z.string().trim().min(1, '须填写撤销原因').max(500),
  idempotencyKey: idempotencyKeySchema,
});

/**
 * Cancel before any receipt: everything in transit returns to the source — by the shipping side, or, for a dispatch
 * plan's shipment, by the command only (assertMayCancelTransfer: D24, D27). What never left is
 * given back in the same transaction: to the outbound order the shipment executed (D23), and off the settlements a
 * dispatch plan's shipment of another region's or level's stock opened (D25). A dispatch shipment's plan may then be
 * complete: `onSettled` is the hook receipts run (wired by the composition root).
 */
export async function cancelTransfer(ctx: ServiceContext, input: unknown, onSettled?: TransferReceivedHook) {
  const { db, actor: user, clock } = ctx;
  const v = validate(cancelSchema, input, ''); // its own arguments: a refusal names `reason`, not `input.reason`
  assertMayPost(user);
  const transfer = await getTransferRow(db, v.transferId, 'transferId');
  // D24, D27: a dispatch plan's shipment is undone by the command, not by its source store's keeper alone.
  assertMayCancelTransfer(user, transfer, await getStoreRow(db, transfer.fromStoreId));
  return postDocument(db, {
    kind: 'cancelTransfer',
    actor: user,
    idempotencyKey: v.idempotencyKey,
    input: v,
    clock,
    occurredAt: clock.now().toJSDate(),
    build: async (tx, { recordedAt }) => {
      const { transfer: t, lines: tLines } = await lockTransfer(tx, transfer.id);
      if (t.status !== 'IN_TRANSIT') {
        throw invalidState(`调拨单 ${t.number} 状态为${statusText(TRANSFER_STATUS_NAMES, t.status)}，只有尚未收货的调拨可以撤销`, { status: t.status });
      }
      const locked = await lockBalances(tx, {
        keys: tLines.flatMap((l) => [
          { storeId: t.fromStoreId, batchId: l.batchId },
          { storeId: t.toStoreId, batchId: l.batchId },
        ]),
      });
      const price = (batchId: string) => locked.get(`${t.toStoreId}|${batchId}`)!.unitPrice;
      // D22 (sweep 24c F2): the 调拨撤销单 names the 调拨出库 it undoes the way a 冲销单 names its original
      // (reversesDocumentId: StockDocument.reverses / reversedBy, the print's 依据 and the journal's 依据). The shipment
      // stays POSTED — its movements stand and the cancel's offset them, as a reversal's do not.
      const [shipment] = await tx
        .select({ id: documents.id, orderId: documents.orderId })
        .from(documents)
        .where(and(eq(documents.transferId, t.id), eq(documents.type, 'TRANSFER_OUT')));
      return {
        type: 'TRANSFER_CANCEL',
        reversesDocumentId: shipment?.id ?? null,
        storeId: t.fromStoreId,
        counterpartStoreId: t.toStoreId,
        transferId: t.id,
        note: v.reason,
        locked,
        lines: tLines.map((l): LineDraft => ({ itemId: l.itemId, batchId: l.batchId, quantity: open(l), unitPrice: price(l.batchId) })),
        movements: tLines.flatMap((l): MovementDraft[] => [
          { storeId: t.toStoreId, batchId: l.batchId, itemId: l.itemId, bucket: 'IN_TRANSIT', quantity: -open(l), unitPrice: price(l.batchId) },
          { storeId: t.fromStoreId, batchId: l.batchId, itemId: l.itemId, bucket: 'ON_HAND', quantity: open(l), unitPrice: price(l.batchId) },
        ]),
        afterPost: async (tx2, posted) => {
          await tx2.execute(sql`UPDATE transfer_lines SET cancelled = shipped - received - lost WHERE transfer_id = ${t.id}::uuid`);
          await tx2.update(transfers).set({ status: 'CANCELLED', updatedAt: recordedAt }).where(eq(transfers.id, t.id));
          const returned = tLines.map((l) => ({ itemId: l.itemId, batchId: l.batchId, quantity: open(l) }));
          // The order is locked after the transfer and the balances, as shipping locks the order after the balances.
          if (shipment?.orderId) await returnToOrder(tx2, shipment.orderId, returned);
          if (t.dispatchPlanId) {
            await reduceSettlementsOfCancelledTransfer(tx2, { transfer: t, cancelNumber: posted.number, returned, actorId: user.id, at: recordedAt });
          }
          await onSettled?.(tx2, t.id);
        },
      };
    },
  });
}

/** The transfer a shipping, receiving or cancelling document belongs to. */
export async function transferOfDocument(db: Db, documentId: string): Promise<TransferRow> {
  const [doc] = await db.select({ transferId: documents.transferId }).from(documents).where(eq(documents.id, documentId));
  return getTransferRow(db, doc.transferId!);
}
