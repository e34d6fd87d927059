import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { documents, movements } from '../../drizzle/schema/index.ts';
import { invalidState, notFound } from '../errors.ts';
import { uuidArg, validate, idSchema } from '../validation.ts';
import { idempotencyKeySchema, itemsFor, quantityText, storeForPosting } from './common.ts';
import { insufficientStock, lockBalances, postDocument, type LineDraft, type LockedBalance, type MovementDraft } from './posting.ts';
import type { ServiceContext } from '../context.ts';
import { DOCUMENT_STATUS_NAMES, DOCUMENT_TYPE_NAMES, statusText } from '../paperwork/names.ts';
import type { Loaders } from '../loaders.ts';
import { balanceKey } from './queries.ts';
import { heldText, holderName, holdersAdvice, reservationHolders } from './holders.ts';
import { pendingDecrease, requestDocumentApproval } from '../authority/pending.ts';
import { assertNotSettling } from '../authority/settlements.ts';
import { assertNotAccountedByHouseholds } from '../relief/household-returns.ts';
import { assertNotCallOffReceipt } from '../dispatch/call-off-receipts.ts';
import { canAccessStore, mayPost, type ScopedStore } from '../auth/policy.ts';
import type { Principal } from '../auth/principal.ts';

const reverseSchema = z.object({
  documentId: idSchema,
  reason: z.string().trim().min(1, '须填写冲销原因').max(500),
  idempotencyKey: idempotencyKeySchema,
});

// Transfers are corrected by cancelling (before receipt) or by a transfer back; a reversal is not reversed again; a
// write-off (核销, D27: a loss in transit or at recovery, approved) is not reversed either — what turns up is received.
const REVERSIBLE = new Set(['RECEIPT', 'ISSUE', 'STOCKTAKE', 'SCRAP', 'ROTATION', 'RECOVERY']);

/** What is done instead with a document that is never reversed (the refusal names it). */
const INSTEAD: Record<string, string> = {
  TRANSFER_OUT: '调拨请撤销或反向调拨',
  TRANSFER_IN: '调拨请撤销或反向调拨',
  TRANSFER_CANCEL: '需要时请重新调拨',
  WRITE_OFF: '核销经审批入账；已核销的物资如找回，请办理入库',
};

/**
 * The refusal of a document of a type that is never reversed, in its own words: its kind and number, and — one not
 * posted (a write-off or reversal awaiting approval, or rejected) — its status, for it changed no stock yet.
 */
function notReversible(doc: { number: string; type: string; status: string }) {
  const name = DOCUMENT_TYPE_NAMES[doc.type] ?? '单据';
  const instead = INSTEAD[doc.type];
  const status = `${name} ${doc.number} 状态为${statusText(DOCUMENT_STATUS_NAMES, doc.status)}`;
  const message =
    doc.status === 'PENDING_APPROVAL'
      ? `${status}，尚未入账，不能冲销（不同意的请在审批中驳回）`
      : doc.status === 'REJECTED'
        ? `${status}，没有入账，无需冲销`
        : `${name} ${doc.number} 不能冲销${instead ? `（${instead}）` : ''}`;
  return invalidState(message, { field: 'documentId', type: doc.type, status: doc.status });
}

/**
 * Whether `user` may ask now to reverse `doc` — what reverseDocument accepts, for screens to offer it: a posted document
 * of a reversible type, at a store where the user posts, with no reversal already requested or posted (D22, D24).
 * The stock check (reversalShortfall) comes on top: reversibleNow.
 */
export const mayRequestReversal = (user: Principal, doc: { type: string; status: string }, store: ScopedStore, reversal: { id: string } | undefined) =>
  REVERSIBLE.has(doc.type) && doc.status === 'POSTED' && !reversal && mayPost(user) && canAccessStore(user, store);

/** A balance as the reversal's stock rule reads it. */
type StockOf = Pick<LockedBalance, 'onHand' | 'reserved' | 'batchNo'>;

/**
 * D22, D24: the one stock rule of a reversal. What it takes out of a batch (the original's increases, negated — held
 * while it awaits approval, pendingDecrease) must still be available there (on hand, not reserved): a receipt whose
 * goods were partly issued since cannot be undone. Returns the first batch short, or null. `balances` is keyed
 * store|batch, as lockBalances returns it.
 */
export function reversalShortfall(moves: readonly MovementDraft[], balances: ReadonlyMap<string, StockOf>) {
  const need = new Map<string, { storeId: string; batchId: string; itemId: string; quantity: number }>();
  for (const r of pendingDecrease(moves).reservations) {
    const k = balanceKey(r);
    need.set(k, { ...r, quantity: (need.get(k)?.quantity ?? 0) + r.quantity });
  }
  for (const [k, n] of need) {
    const b = balances.get(k);
    const available = b ? b.onHand - b.reserved : 0;
    if (n.quantity > available) return { ...n, batchNo: b?.batchNo ?? '', available, onHand: b?.onHand ?? 0, reserved: b?.reserved ?? 0, need: n.quantity };
  }
  return null;
}

/**
 * D22: a reversal undoes a change of stock; a document that changed none — a stocktake with no difference (counted =
 * book: no movements, or only zero ones) — has nothing to undo, and an empty reversal would only wait in the approvals
 * queue for a second person. The one rule of reversibleNow and reverseDocument.
 */
const changesStock = (moves: readonly { quantity: number }[]) => moves.some((m) => m.quantity !== 0);

/** The reason a document that changed no stock is not reversed (changesStock). */
const nothingToReverse = (doc: { number: string; type: string }) =>
  invalidState(doc.type === 'STOCKTAKE' ? '该盘点单没有盈亏，无需冲销' : `${doc.number} 没有库存变动，无需冲销`, { field: 'documentId', type: doc.type });

/** The reversal's movements: the original's, negated. */
const reversingMoves = (originalMoves: readonly (typeof movements.$inferSelect)[]) =>
  originalMoves.map((m): MovementDraft => ({
    storeId: m.storeId,
    batchId: m.batchId,
    itemId: m.itemId,
    bucket: m.bucket,
    quantity: -m.quantity,
    unitPrice: m.unitPrice,
    reasonCode: m.reasonCode,
  }));

/**
 * StockDocument.reversible (W6): mayRequestReversal, not a document that settled a settlement (assertNotSettling) nor a
 * call-off's receipt (assertNotCallOffReceipt), a document that changed stock (changesStock), and the stock rule reverseDocument applies (reversalShortfall), on the
 * balances as they are now — so that 冲销 is offered only where it can be asked.
 */
export async function reversibleNow(
  loaders: Pick<Loaders, 'documentMovements' | 'balance' | 'settling' | 'callOffReceipt'>,
  user: Principal,
  doc: { id: string; type: string; status: string },
  store: ScopedStore,
  reversal: { id: string } | undefined,
) {
  if (!mayRequestReversal(user, doc, store, reversal)) return false;
  if (await loaders.settling.load(doc.id)) return false;
  if (doc.type === 'RECEIPT' && (await loaders.callOffReceipt.load(doc.id))) return false; // D22: assertNotCallOffReceipt
  // Through loaders: a list of documents asks for all their movements, then all their balances, in two statements.
  const moves = reversingMoves(await loaders.documentMovements.load(doc.id));
  if (!changesStock(moves)) return false;
  const keys = [...new Set(pendingDecrease(moves).reservations.map(balanceKey))];
  const rows = await Promise.all(keys.map((k) => loaders.balance.load(k)));
  return !reversalShortfall(moves, new Map(rows.flatMap((r) => (r ? [[balanceKey(r), r] as const] : []))));
}

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
  if (!REVERSIBLE.has(original.type)) throw notReversible(original);
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
        throw invalidState(`${original.number} 状态为${statusText(DOCUMENT_STATUS_NAMES, current.status)}，尚未入账，不能冲销`, {
          field: 'documentId',
          status: current.status,
        });
      if (!changesStock(originalMoves)) throw nothingToReverse(original);
      // D22, D25: the return that settled a cross-region settlement stands (checked again on approval).
      await assertNotSettling(tx, original, 'documentId');
      // D9: a distribution whose pieces households have since accounted for stands (checked again on approval).
      if (original.type === 'ISSUE') await assertNotAccountedByHouseholds(tx, original.id, 'documentId');
      // D22, D17, D25: a call-off's receipt stands — call-off, agreement and settlement rest on it (checked again on approval).
      if (original.type === 'RECEIPT') await assertNotCallOffReceipt(tx, original, 'documentId');
      const locked = await lockBalances(tx, { keys: originalMoves.map((m) => ({ storeId: m.storeId, batchId: m.batchId })) });
      // A reversal awaiting approval already holds the stock it takes out: a second request would be refused as
      // 库存不足, which is not the reason. (A rejected reversal no longer names the original: it may be asked again.)
      // Asked under the lock: a reversal of the same document requested at the same moment held these rows until it
      // was committed, and is seen now.
      const [pending] = await tx
        .select({ number: documents.number })
        .from(documents)
        .where(and(eq(documents.reversesDocumentId, original.id), eq(documents.status, 'PENDING_APPROVAL')));
      if (pending)
        throw invalidState(`${original.number} 的冲销（${pending.number}）正在审批中，不能重复申请`, { field: 'documentId', pending: pending.number });
      const moves = reversingMoves(originalMoves);
      const short = reversalShortfall(moves, locked);
      if (short) {
        // Sweep 22c F6: quantities with the item's unit (quantityText); extensions keep the bare numbers.
        const unit = (await itemsFor(tx, [{ itemId: short.itemId }], 'documentId', ctx.reference)).get(short.itemId)?.unit;
        // Sweep 24c F7: what holds the stock is named — the pending documents (盘点单 PD-…, 报废单 BF-…) or approved
        // plans that reserve it, with how much each holds (holders.ts, the wording a count below a reserve uses) —
        // and stock gone out is said apart from stock held, so that the keeper knows what to approve, reject or withdraw.
        const holders = short.reserved > 0 ? ((await reservationHolders(tx, [short.storeId], [short.batchId])).get(short.batchId) ?? []) : [];
        const causes = [
          ...(short.onHand < short.need ? [`已有部分出库（现存 ${quantityText(short.onHand, unit)}）`] : []),
          ...(short.reserved > 0 ? [`已预留 ${quantityText(short.reserved, unit)}（${heldText(short.reserved, holders)}）`] : []),
        ];
        throw insufficientStock(
          `${original.number} 不能冲销：批次 ${short.batchNo} 的库存${causes.join('，')}，现可用 ${quantityText(short.available, unit)}，冲销需要 ${quantityText(short.need, unit)}${holders.length ? `：${holdersAdvice(holders)}，之后再冲销` : ''}`,
          {
            storeId: short.storeId,
            itemId: short.itemId,
            batchId: short.batchId,
            requested: short.need,
            available: short.available,
            field: 'documentId',
            ...(holders.length > 0 && { heldBy: holders.map(holderName) }),
          },
        );
      }
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
