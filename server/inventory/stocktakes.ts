import { z } from 'zod';
import { badInput, invalidState } from '../errors.ts';
import { validate, idSchema } from '../validation.ts';
import { batchesFor, idempotencyKeySchema, occurredAtOf, storeForPosting } from './common.ts';
import { lockBalances, postDocument, type LineDraft, type MovementDraft } from './posting.ts';
import { stocktakeDifference } from './rules.ts';
import { stockReasons } from '../../drizzle/schema/index.ts';
import type { ServiceContext } from '../context.ts';
import { pendingDecrease, requestDocumentApproval } from '../authority/pending.ts';

const stocktakeSchema = z.object({
  storeId: idSchema,
  note: z.string().trim().max(500).nullish(),
  occurredAt: z.any().optional(),
  idempotencyKey: z.string().pipe(idempotencyKeySchema),
  counts: z
    .array(
      z.object({
        batchId: idSchema,
        countedQuantity: z.number().int('数量须为整数').min(0, '实盘数量不能为负').max(100_000_000),
        reason: z.string().nullish(),
      }),
    )
    .min(1, '至少盘点一个批次')
    .max(1000, '一张盘点单最多 1000 个批次（可分多张）'),
});

/**
 * 盘点 (D9, D27): counted against book quantity at submission (rows locked); every difference needs a reason
 * of the matching direction (盘盈 increase, 盘亏/破损/霉变 … decrease). A count with differences waits for a second
 * person's approval (PENDING_APPROVAL, losses held); a count without differences posts at once.
 */
export async function submitStocktake(ctx: ServiceContext, input: unknown) {
  const { db, actor: user, clock } = ctx;
  const v = validate(stocktakeSchema, input);
  const store = await storeForPosting(db, user, v.storeId, 'input.storeId');
  const batchMap = await batchesFor(db, v.counts, 'input.counts');
  const seen = new Set<string>();
  v.counts.forEach((c, i) => {
    if (seen.has(c.batchId)) throw badInput(`input.counts.${i}.batchId`, '同一批次只能盘点一次');
    seen.add(c.batchId);
  });
  const reasons = await db.select().from(stockReasons);
  const occurredAt = occurredAtOf(clock, v.occurredAt);
  return postDocument(db, {
    kind: 'submitStocktake',
    actor: user,
    idempotencyKey: v.idempotencyKey,
    input: v,
    clock,
    occurredAt,
    build: async (tx, { recordedAt }) => {
      const locked = await lockBalances(tx, { keys: v.counts.map((c) => ({ storeId: store.id, batchId: c.batchId })) });
      const lines: LineDraft[] = [];
      const moves: MovementDraft[] = [];
      for (const [i, c] of v.counts.entries()) {
        const batch = batchMap.get(c.batchId)!;
        const row = locked.get(`${store.id}|${c.batchId}`);
        const book = row?.onHand ?? 0;
        const diff = stocktakeDifference(book, c.countedQuantity);
        let reasonCode: string | null = null;
        if (diff.direction) {
          const reason = reasons.find((r) => r.code === c.reason);
          const allowed = reasons.filter((r) => r.usages.includes('STOCKTAKE') && r.direction === diff.direction);
          if (!reason || !allowed.includes(reason)) {
            throw badInput(
              `input.counts.${i}.reason`,
              `账面 ${book}、实盘 ${c.countedQuantity}，差异须说明原因（可用：${allowed.map((r) => `${r.code} ${r.name}`).join('、')}）`,
              {
                bookQuantity: book,
                countedQuantity: c.countedQuantity,
                allowed: allowed.map((r) => r.code),
              },
            );
          }
          reasonCode = reason.code;
        }
        if (row && c.countedQuantity < row.reserved) {
          throw invalidState(`批次 ${batch.batchNo} 已为调拨预留 ${row.reserved}，实盘 ${c.countedQuantity} 低于预留量：请先处理预留`, {
            field: `input.counts.${i}.countedQuantity`,
            reserved: row.reserved,
          });
        }
        lines.push({
          itemId: batch.itemId,
          batchId: batch.id,
          quantity: diff.quantity,
          unitPrice: batch.unitPrice,
          reasonCode,
          bookQuantity: book,
          countedQuantity: c.countedQuantity,
        });
        if (diff.quantity !== 0) {
          moves.push({
            storeId: store.id,
            batchId: batch.id,
            itemId: batch.itemId,
            bucket: 'ON_HAND',
            quantity: diff.quantity,
            unitPrice: batch.unitPrice,
            reasonCode,
          });
        }
      }
      if (!moves.length) return { type: 'STOCKTAKE', storeId: store.id, note: v.note, locked, lines, movements: moves };
      const held = pendingDecrease(moves);
      const gains = moves.filter((m) => m.quantity > 0).reduce((n, m) => n + m.quantity, 0);
      const losses = moves.filter((m) => m.quantity < 0).reduce((n, m) => n - m.quantity, 0);
      return {
        type: 'STOCKTAKE',
        storeId: store.id,
        note: v.note,
        locked,
        lines,
        movements: moves,
        ...held,
        afterPost: (t, posted) =>
          requestDocumentApproval(t, user, recordedAt, posted, store, {
            kind: 'STOCKTAKE',
            summary: `${store.name} 盘点 ${posted.number}：盘盈 ${gains} 件、盘亏 ${losses} 件，待审批后调账`,
            pending: { movements: moves, reservations: held.reservations },
          }),
      };
    },
  });
}
