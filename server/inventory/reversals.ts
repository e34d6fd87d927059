import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { documents, movements } from '../../drizzle/schema/index.ts';
import { invalidState, notFound } from '../errors.ts';
import { uuidArg, validate, idSchema } from '../validation.ts';
import { idempotencyKeySchema, storeForPosting } from './common.ts';
import { lockBalances, postDocument, type LineDraft, type MovementDraft } from './posting.ts';
import type { ServiceContext } from '../context.ts';
import { pendingDecrease, requestDocumentApproval } from '../authority/pending.ts';
import { canAccessStore, mayPost, type ScopedStore } from '../auth/policy.ts';
import type { Principal } from '../auth/principal.ts';

const reverseSchema = z.object({
  documentId: idSchema,
  reason: z.string().trim().min(1, '须填写冲销原因').max(500),
  idempotencyKey: idempotencyKeySchema,
});

// Transfers are corrected by cancelling (before receipt) or by a transfer back; a reversal is not reversed again.
const REVERSIBLE = new Set(['RECEIPT', 'ISSUE', 'STOCKTAKE', 'SCRAP', 'ROTATION', 'RECOVERY']);

/**
 * Whether `user` may ask now to reverse `doc` — what reverseDocument accepts, for screens to offer it: a posted document
 * of a reversible type, at a store where the user posts, with no reversal already requested or posted (D22, D24).
 */
export const mayRequestReversal = (user: Principal, doc: { type: string; status: string }, store: ScopedStore, reversal: { id: string } | undefined) =>
  REVERSIBLE.has(doc.type) && doc.status === 'POSTED' && !reversal && mayPost(user) && canAccessStore(user, store);

/**
 * 冲销 (D22, D24): a reversing document with the original's movements negated; at most once; never an edit. It waits
 * for a second person's approval (PENDING_APPROVAL) and posts when approved; the original is reversed then.
 */
export async function reverseDocument(ctx: ServiceContext, input: unknown) {
  const { db, actor: user, clock } = ctx;
  const v = validate(reverseSchema, input, '');
  uuidArg(v.documentId, 'documentId', '单据');
  const [original] = await db.select().from(documents).where(eq(documents.id, v.documentId));
  if (!original) throw notFound('documentId', '单据', v.documentId);
  const store = await storeForPosting(db, user, original.storeId, 'documentId');
  if (!REVERSIBLE.has(original.type)) {
    throw invalidState(
      `${original.number} 是${original.type === 'REVERSAL' ? '冲销单' : '调拨单据'}，不能冲销${original.type === 'REVERSAL' ? '' : '（调拨请撤销或反向调拨）'}`,
      {
        field: 'documentId',
        type: original.type,
      },
    );
  }
  const originalMoves = await db.select().from(movements).where(eq(movements.documentId, original.id)).orderBy(asc(movements.id));
  return postDocument(db, {
    kind: 'reverseDocument',
    actor: user,
    idempotencyKey: v.idempotencyKey,
    input: v,
    clock,
    occurredAt: clock.now().toJSDate(),
    build: async (tx, { recordedAt }) => {
      // Checked here, after the idempotency check: repeating a reversal with its key returns the first reversal.
      const [current] = await tx.select({ status: documents.status }).from(documents).where(eq(documents.id, original.id));
      if (current.status === 'REVERSED') throw invalidState(`${original.number} 已被冲销`, { field: 'documentId' });
      if (current.status !== 'POSTED')
        throw invalidState(`${original.number} 尚未入账（${current.status}），不能冲销`, { field: 'documentId', status: current.status });
      // A reversal awaiting approval already holds the stock it takes out: a second request would be refused as
      // 库存不足, which is not the reason. (A rejected reversal no longer names the original: it may be asked again.)
      const [pending] = await tx
        .select({ number: documents.number })
        .from(documents)
        .where(and(eq(documents.reversesDocumentId, original.id), eq(documents.status, 'PENDING_APPROVAL')));
      if (pending)
        throw invalidState(`${original.number} 的冲销（${pending.number}）正在审批中，不能重复申请`, { field: 'documentId', pending: pending.number });
      const locked = await lockBalances(tx, { keys: originalMoves.map((m) => ({ storeId: m.storeId, batchId: m.batchId })) });
      const moves = originalMoves.map((m): MovementDraft => ({
        storeId: m.storeId,
        batchId: m.batchId,
        itemId: m.itemId,
        bucket: m.bucket,
        quantity: -m.quantity,
        unitPrice: m.unitPrice,
        reasonCode: m.reasonCode,
      }));
      const held = pendingDecrease(moves);
      return {
        type: 'REVERSAL',
        storeId: store.id,
        reversesDocumentId: original.id,
        note: v.reason,
        locked,
        lines: moves.map((m): LineDraft => ({ itemId: m.itemId, batchId: m.batchId, quantity: m.quantity, unitPrice: m.unitPrice, reasonCode: m.reasonCode })),
        movements: moves,
        ...held,
        afterPost: (t, posted) =>
          requestDocumentApproval(t, user, recordedAt, posted, store, {
            kind: 'REVERSAL',
            summary: `${store.name} 冲销 ${original.number}（${posted.number}）：${v.reason}`,
            pending: { movements: moves, reservations: held.reservations },
          }),
      };
    },
  });
}
