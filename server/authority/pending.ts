import { eq, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { documents } from '../../drizzle/schema/index.ts';
import type { Principal } from '../auth/principal.ts';
import { formatFen, toFen } from '../money.ts';
import type { ScopedStore } from '../auth/policy.ts';
import { postPendingDocument, rejectPendingDocument, type DocumentRow, type MovementDraft, type PendingPosting } from '../inventory/posting.ts';
import { returnToOrder } from './orders.ts';
import { assertNotSettling, ownerRegionsOf, releaseSettlementsOfReversedIssue, settledOwingRegionsOf } from './settlements.ts';
import { assertNotAccountedByHouseholds } from '../relief/household-returns.ts';
import { assertNotCallOffReceipt } from '../dispatch/call-off-receipts.ts';
import { assertNoLaterCount } from '../inventory/stocktakes.ts';
import { openApproval, type ApprovalRow } from './queue.ts';
import { isInSubtree } from '../regions/codes.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';

// D27 核销审批: a decrease that is not an issue to a recipient — stocktake differences, scrap without an order (of a
// company's own stock in its agreement store: government stock is scrapped only under an approved order, D23),
// losses in transit, reversals — is written as a document PENDING_APPROVAL. Its on-hand decreases are held
// (reserved) so that nothing else takes them; its movements post only when a second person approves.

/** The draft fields of a pending document: held decreases of on-hand stock. */
export function pendingDecrease(movements: readonly MovementDraft[]) {
  return {
    pending: true as const,
    reservations: movements
      .filter((m) => m.bucket === 'ON_HAND' && m.quantity < 0)
      .map((m) => ({ storeId: m.storeId, batchId: m.batchId, itemId: m.itemId, quantity: -m.quantity })),
  };
}

// Exact, in fen (API.md: money is never a float).
const valueOf = (movements: readonly MovementDraft[]) => formatFen(movements.reduce((s, m) => s + toFen(m.unitPrice) * BigInt(Math.abs(m.quantity)), 0n));

/**
 * Whose authority decides a pending document (D24): a store's — its id and region —, or a region's without a store
 * (`id` null: another government's goods at a 安置点, shipped from none of its stores: recoveryLossDeciders).
 */
export type Decider = ScopedStore | { id: null; regionCode: string };

/**
 * Opens the approval that a pending document waits for (in the document's transaction). `store` is the store whose
 * authority decides (D24) — the document's own, except a receipt's loss in transit: the store the goods left (D3, D27;
 * transfers.ts requestWriteOff), and goods of another government counted damaged or lost at a 安置点: that government's
 * (recoveryLossDeciders).
 */
export async function requestDocumentApproval(
  tx: Db,
  actor: Principal,
  at: Date,
  posted: { id: string; number: string },
  store: Decider,
  a: { kind: 'STOCKTAKE' | 'SCRAP' | 'WRITE_OFF' | 'REVERSAL'; summary: string; pending: PendingPosting },
): Promise<void> {
  await openApproval(tx, actor, at, {
    kind: a.kind,
    subjectId: posted.id,
    summary: a.summary,
    value: valueOf(a.pending.movements),
    storeId: store.id,
    regionCode: store.regionCode,
    payload: { pending: a.pending },
  });
}

/**
 * D3, D24, D27 (sweep 20c F9): who decides the scrap (报废) or write-off (核销) of goods counted damaged or lost at a
 * 安置点 at recovery (relief/recovery.ts, household-returns.ts) — per batch, as a loss in transit is the sending side's
 * (requestWriteOff, sweep 17b F1): the goods are their owner's, and the borrower does not write off what it owes.
 * - null: the 安置点's own authority, as before — goods of the government whose plan brought them (the plan's
 *   jurisdiction), of no government (a company's, a donor's), or paid for by the plan's jurisdiction (D25: a settled
 *   settlement makes them the owing side's, settledOwingRegionsOf);
 * - another government's (the city's tents lent to a county's 安置点, a neighbour's by consent): that government's region
 *   — its dispatchers and administrators, and those above it (canDecide) — with the store they were shipped from when
 *   it is that government's (its keepers read the approval, as the sending store's read a transit loss's); a region
 *   alone when they came from none of its stores. Settled by another owing region: that region's.
 */
export async function recoveryLossDeciders(
  tx: Db,
  c: { incidentId: string; jurisdiction: string; batches: readonly { batchId: string; shippedFrom: string | null }[] },
): Promise<Map<string, Decider | null>> {
  const batchIds = [...new Set(c.batches.map((b) => b.batchId))];
  const owners = await ownerRegionsOf(tx, batchIds);
  const shippedFrom = [...new Set(c.batches.flatMap((b) => (b.shippedFrom ? [b.shippedFrom] : [])))];
  const stores = new Map(
    shippedFrom.length
      ? (await queryRows<{ id: string; region_code: string }>(tx, sql`SELECT id::text, region_code FROM stores WHERE id IN (${uuidList(shippedFrom)})`)).map(
          (r) => [r.id, r.region_code],
        )
      : [],
  );
  // The settled debts of every batch in one read (house style 5), not two or three statements a batch.
  const owing = await settledOwingRegionsOf(
    tx,
    batchIds.map((batchId) => ({ incidentId: c.incidentId, batchId })),
  );
  const settledBy = new Map(batchIds.map((id, i) => [id, owing[i][0]]));
  const deciders = new Map<string, Decider | null>();
  for (const b of c.batches) {
    if (deciders.has(b.batchId)) continue;
    const owner = settledBy.get(b.batchId) ?? owners.get(b.batchId) ?? null;
    if (owner === null || owner === c.jurisdiction) {
      deciders.set(b.batchId, null);
      continue;
    }
    const from = b.shippedFrom ? stores.get(b.shippedFrom) : undefined;
    deciders.set(b.batchId, from !== undefined && isInSubtree(from, owner) ? { id: b.shippedFrom!, regionCode: owner } : { id: null, regionCode: owner });
  }
  return deciders;
}

/** The key a decider groups a recovery's losses by (recoveryLossDeciders): '' for the 安置点's own. */
export const deciderKey = (d: Decider | null | undefined): string => (d ? `${d.regionCode}/${d.id ?? '-'}` : '');

async function pendingDocument(tx: Db, approval: ApprovalRow): Promise<{ doc: DocumentRow; pending: PendingPosting }> {
  const [doc] = await tx.select().from(documents).where(eq(documents.id, approval.subjectId));
  return { doc, pending: (approval.payload as { pending: PendingPosting }).pending };
}

/**
 * Approval: the document posts; a reversal marks its original reversed and gives what the original executed against
 * its order back to the order (D23) — an issue's settlements released (D25) —; a write-off closes the disputed transit.
 */
export async function approvePendingDocument(tx: Db, approval: ApprovalRow, at: Date, approvalRef: string | null): Promise<DocumentRow> {
  const { doc, pending } = await pendingDocument(tx, approval);
  // D22, D25: a settle may have cited the original since the reversal was asked: then the reversal is refused.
  if (doc.type === 'REVERSAL' && doc.reversesDocumentId) {
    const [original] = await tx.select({ id: documents.id, number: documents.number }).from(documents).where(eq(documents.id, doc.reversesDocumentId));
    await assertNotSettling(tx, original, 'input.approvalId', true);
    await assertNotAccountedByHouseholds(tx, original.id, 'input.approvalId');
    // D22, D17, D25 (sweep 18a F1): a call-off's receipt stands, even under a reversal asked before that was refused.
    await assertNotCallOffReceipt(tx, original, 'input.approvalId', true);
  }
  // D9: a count of its batches dated after its business time was taken on the book without it: refused, not re-dated.
  await assertNoLaterCount(tx, doc, pending);
  await postPendingDocument(tx, doc, pending, at, approvalRef);
  if (doc.type === 'REVERSAL' && doc.reversesDocumentId) {
    const [original] = await tx
      .update(documents)
      .set({ status: 'REVERSED' })
      .where(eq(documents.id, doc.reversesDocumentId))
      .returning({ id: documents.id, number: documents.number, type: documents.type, storeId: documents.storeId, orderId: documents.orderId });
    // What the original took out of its store comes back: that is what it counted against its order.
    if (original?.orderId) {
      const back = pending.movements.filter((m) => m.bucket === 'ON_HAND' && m.quantity > 0 && m.storeId === original.storeId);
      await returnToOrder(tx, original.orderId, back);
    }
    // D25 (sweep 17b F10): another government's goods an issue used are back: what it owed for them is released.
    if (original?.type === 'ISSUE') await releaseSettlementsOfReversedIssue(tx, { original, reversalNumber: doc.number, actorId: doc.actorId, at });
  }
  if (doc.type === 'WRITE_OFF' && doc.transferId) await settleDispute(tx, doc.transferId, pending, 'lost', at);
  return doc;
}

/** Rejection: no stock changes; a rejected reversal leaves the original reversible; disputed transit is open again. */
export async function rejectPendingDocumentOf(tx: Db, approval: ApprovalRow, at: Date): Promise<DocumentRow> {
  const { doc, pending } = await pendingDocument(tx, approval);
  await rejectPendingDocument(tx, doc, pending, at);
  if (doc.type === 'REVERSAL' && doc.reversesDocumentId) {
    await tx
      .update(documents)
      .set({ reversesDocumentId: null, details: { rejectedReversalOf: doc.reversesDocumentId } })
      .where(eq(documents.id, doc.id));
  }
  if (doc.type === 'WRITE_OFF' && doc.transferId) await settleDispute(tx, doc.transferId, pending, 'received', at);
  return doc;
}

/**
 * The disputed quantities of a transfer are decided: written off (lost) on approval, or open in transit again on
 * rejection (to be received when found). The transfer's status follows.
 */
async function settleDispute(tx: Db, transferId: string, pending: PendingPosting, outcome: 'lost' | 'received', at: Date) {
  for (const m of pending.movements) {
    const q = -m.quantity;
    await tx.execute(
      outcome === 'lost'
        ? sql`UPDATE transfer_lines SET disputed = disputed - ${q}, lost = lost + ${q} WHERE transfer_id = ${transferId}::uuid AND batch_id = ${m.batchId}::uuid`
        : sql`UPDATE transfer_lines SET disputed = disputed - ${q} WHERE transfer_id = ${transferId}::uuid AND batch_id = ${m.batchId}::uuid`,
    );
  }
  await tx.execute(sql`UPDATE transfers SET updated_at = ${at.toISOString()}::timestamptz,
           status = CASE WHEN (SELECT bool_and(received + lost + cancelled = shipped) FROM transfer_lines WHERE transfer_id = ${transferId}::uuid)
                         THEN 'RECEIVED'::transfer_status ELSE 'PARTIALLY_RECEIVED'::transfer_status END
         WHERE id = ${transferId}::uuid`);
}
