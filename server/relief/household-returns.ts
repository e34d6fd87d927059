import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { invalidState } from '../errors.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import { recoveryRuleOf, type RecoveryRule } from './recovery-rules.ts';
import { distributionStands } from './trace.ts';
import { stableId } from '../ids.ts';
import { inItemUnits, itemsFor } from '../inventory/common.ts';
import { writeDocument, type lockBalances, type LineDraft, type MovementDraft } from '../inventory/posting.ts';
import { requestHash } from '../inventory/rules.ts';
import { openApproval } from '../authority/queue.ts';
import { formatFen, toFen } from '../money.ts';
import type { StoreRow } from '../stores/service.ts';
import type { Decider } from '../authority/pending.ts';
import type { ServiceContext } from '../context.ts';

// D12, D30 (sweep 11a F1): what a 安置点 handed to households of an item D12 says comes back is still owed back; the
// recovery count records what households gave back (good or damaged) or lost. The ledger, not a side table, says so:
//
// - An issue to a household took the pieces off the books (D29: relief reaching people). Pieces a household hands back
//   physically come back: a RECEIPT at the 安置点 (来源 回收, D7: recovery after an incident is a source of stock) books
//   them in again, and the count then treats them as the rest of what the point holds — good back to the owner's store
//   (a RECOVERY document), damaged to scrap pending approval (D27). The distribution stands: the household did receive
//   them (D18: the trace still ends there), and it is the receipt, not a reversal, that says they came back. The receipt
//   names no incident (`documents.incident_id` null; the incident is in its details): D28 counts receipts of the incident
//   at its 安置点 as relief arriving there, and a piece coming back is not.
// - Pieces lost at a household never come back, and their value left the books with the issue: booking them in only to
//   write them off would show at the 安置点, until the approval, stock that is not there (D9). Their write-off (D27,
//   pending approval, a 核销单 at the point) posts on approval two movements that net to zero — the pieces accounted for
//   from the household (+n) and written off as lost (−n) — so the journal and the batch's trace record the loss and
//   its approval, while the valuation, which counted the pieces out at the issue, is never touched.
//
// Both documents carry `details.fromHouseholds`; their positive lines are what households have accounted for, which
// bounds a count from households by what was handed out there (distributions that stand) and not yet accounted for.
// Reversible as the rest: the receipt by reverseDocument (once what it booked in is back at the point); the write-off,
// like every write-off, is decided in the approvals queue (rejected, nothing changes and the pieces are owed again).

/** documents.details of a document that accounts for pieces handed to households (`doc`: the documents alias). */
export const FROM_HOUSEHOLDS_DETAILS = { fromHouseholds: true } as const;
export const isFromHouseholds = (doc: SQL) => sql`COALESCE((${doc}.details ->> 'fromHouseholds')::boolean, false)`;

export interface WithHouseholds {
  storeId: string;
  batchId: string;
  itemId: string;
  /** Handed to households at the point (distributions that stand). */
  handed: number;
  /** Already accounted for by households: received back (posted) or lost (write-off posted or awaiting approval). */
  accounted: number;
  /** handed − accounted, never below 0: what households still hold of the batch, as far as the books know. */
  remaining: number;
  rule: RecoveryRule;
  /** When the batch first arrived at the point (D12's months of use run from it). */
  arrivedAt: Date | null;
  /** The store the batch was shipped to the point from (most shipped first): D30's default destination of good stock. */
  shippedFrom: string | null;
}

/** Per 安置点 (of `points`) and batch handed to households there: what they received, what they accounted for since. */
export async function withHouseholds(db: Db, points: readonly string[]): Promise<WithHouseholds[]> {
  if (!points.length) return [];
  const ids = uuidList([...points]);
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`WITH handed AS (
          SELECT d.store_id, dl.batch_id, dl.item_id, -sum(dl.quantity)::bigint AS handed
            FROM distributions d JOIN documents doc ON doc.id = d.document_id JOIN document_lines dl ON dl.document_id = d.document_id
           WHERE d.store_id IN (${ids}) AND ${distributionStands(sql`doc.status`)}
           GROUP BY d.store_id, dl.batch_id, dl.item_id),
        accounted AS (
          SELECT doc.store_id, l.batch_id, sum(l.quantity)::bigint AS accounted
            FROM documents doc JOIN document_lines l ON l.document_id = doc.id
           WHERE doc.store_id IN (${ids}) AND ${isFromHouseholds(sql`doc`)} AND doc.status IN ('POSTED', 'PENDING_APPROVAL') AND l.quantity > 0
           GROUP BY doc.store_id, l.batch_id)
        SELECT h.store_id, h.batch_id, h.item_id, h.handed, COALESCE(a.accounted, 0) AS accounted, i.recovery_kind, i.recovery_months,
               (SELECT min(m.occurred_at) FROM movements m JOIN documents d ON d.id = m.document_id
                 WHERE m.store_id = h.store_id AND m.batch_id = h.batch_id AND m.type IN ('TRANSFER_IN', 'RECEIPT') AND m.quantity > 0
                   AND d.status = 'POSTED' AND NOT ${isFromHouseholds(sql`d`)}) AS arrived_at,
               (SELECT d.counterpart_store_id FROM movements m JOIN documents d ON d.id = m.document_id
                 WHERE m.store_id = h.store_id AND m.batch_id = h.batch_id AND m.type = 'TRANSFER_IN' AND m.quantity > 0
                 GROUP BY d.counterpart_store_id ORDER BY sum(m.quantity) DESC, d.counterpart_store_id LIMIT 1) AS shipped_from
          FROM handed h JOIN items i ON i.id = h.item_id
          LEFT JOIN accounted a ON a.store_id = h.store_id AND a.batch_id = h.batch_id
         WHERE h.handed > 0
         ORDER BY array_position(ARRAY[${ids}]::uuid[], h.store_id), h.batch_id`,
  );
  return rows.map((r) => {
    const handed = Number(r.handed);
    const accounted = Number(r.accounted);
    return {
      storeId: String(r.store_id),
      batchId: String(r.batch_id),
      itemId: String(r.item_id),
      handed,
      accounted,
      remaining: Math.max(0, handed - accounted),
      rule: recoveryRuleOf(r.recovery_kind, r.recovery_months),
      arrivedAt: r.arrived_at === null ? null : new Date(r.arrived_at as string),
      shippedFrom: r.shipped_from === null ? null : String(r.shipped_from),
    };
  });
}

/**
 * D9, D22 (sweep 11a F1): a distribution is not reversed while what it handed out is needed to cover what households
 * have accounted for since (pieces received back or written off as lost at the point): the reversal would put those
 * pieces on the point's books a second time. The household's receipt (or write-off) is undone first. Asked when the
 * reversal is requested and again when it is approved (a count may come in between). `documentId`: the original issue.
 */
export async function assertNotAccountedByHouseholds(tx: Db, documentId: string, field: string): Promise<void> {
  const rows = await queryRows<{ store_id: string; batch_id: string; quantity: number }>(
    tx,
    sql`SELECT d.store_id, dl.batch_id, -sum(dl.quantity)::bigint AS quantity
          FROM distributions d JOIN document_lines dl ON dl.document_id = d.document_id
         WHERE d.document_id = ${documentId}::uuid
         GROUP BY d.store_id, dl.batch_id`,
  );
  if (!rows.length) return;
  const held = new Map((await withHouseholds(tx, [String(rows[0].store_id)])).map((h) => [h.batchId, h]));
  for (const r of rows) {
    const h = held.get(String(r.batch_id));
    if (h && h.handed - Number(r.quantity) < h.accounted) {
      throw invalidState(
        `该发放记录中的物资已有群众交回或丢失的回收登记（共 ${h.accounted}），冲销会让这些物资在安置点重复入账：请先冲销群众交回的入库单（或驳回其核销）`,
        { field, batchId: String(r.batch_id), accounted: h.accounted },
      );
    }
  }
}

/** A count of pieces at a 安置点 (`point`) of one batch. */
export interface Counted {
  point: string;
  held: { itemId: string; batchId: string };
  quantity: number;
}

/** What a count's household documents share: who counts, under which key and request, for which incident, when. */
export interface FromHouseholdsPosting {
  user: ServiceContext['actor'];
  idempotencyKey: string;
  request: unknown;
  incidentId: string;
  now: Date;
  locked: Awaited<ReturnType<typeof lockBalances>>;
}

/**
 * The header of a household document of a count: its id and key follow from the count's idempotency key, its point and
 * what it records (`what`: returned or lost), so a retried count finds them and a different one does not.
 */
function countHeader(p: FromHouseholdsPosting, point: string, what: 'returned' | 'lost', side = '') {
  const documentId = stableId(
    'document',
    `recoverIncidentStock/${p.user.id}/${p.idempotencyKey}/${point}/${what === 'returned' ? 'fromHouseholds' : 'lostAtHouseholds'}${side ? `/${side}` : ''}`,
  );
  return {
    kind: 'recoverIncidentStock',
    actor: p.user,
    key: documentId,
    hash: requestHash(side ? { request: p.request, point, fromHouseholds: what, side } : { request: p.request, point, fromHouseholds: what }),
    documentId,
    occurredAt: p.now,
    recordedAt: p.now,
  };
}

/**
 * D7, D30 (sweep 11a F1): what households gave back, good or damaged, is received at their 安置点 — one RECEIPT per point,
 * 来源 回收, marked fromHouseholds, its incident in its details but not on the document (D28 would count it as relief
 * arriving). Good pieces then go back with the point's own (RECOVERY), damaged ones to scrap (D27).
 */
export async function receiveFromHouseholds(tx: Db, p: FromHouseholdsPosting & { returns: (Counted & { condition: 'good' | 'damaged' })[] }): Promise<void> {
  for (const point of [...new Set(p.returns.map((r) => r.point))]) {
    const rs = p.returns.filter((r) => r.point === point);
    const price = (r: (typeof rs)[number]) => p.locked.get(`${point}|${r.held.batchId}`)!.unitPrice;
    await writeDocument(tx, countHeader(p, point, 'returned'), {
      type: 'RECEIPT',
      storeId: point,
      source: 'RECOVERY',
      details: { ...FROM_HOUSEHOLDS_DETAILS, incidentId: p.incidentId },
      note: '回收清点：群众交回',
      locked: p.locked,
      lines: rs.map((r): LineDraft => ({
        itemId: r.held.itemId,
        batchId: r.held.batchId,
        quantity: r.quantity,
        unitPrice: price(r),
        note: r.condition === 'good' ? '群众交回（完好）' : '群众交回（破损，待报废）',
      })),
      movements: rs.map((r): MovementDraft => ({
        storeId: point,
        batchId: r.held.batchId,
        itemId: r.held.itemId,
        bucket: 'ON_HAND',
        quantity: r.quantity,
        unitPrice: price(r),
      })),
    });
  }
}

/**
 * D27, D30 (sweep 11a F1): pieces lost at households — a 核销单 at their 安置点, marked fromHouseholds, awaiting a second
 * person's approval. Nothing is held (the pieces left the books with their issue); approved, it posts the pieces as
 * accounted for from the households (+n) and written off as lost (−n): the journal and the trace show the loss, the
 * valuation does not change. The approval's value is that of the pieces lost. D3, D24 (sweep 20c F9): `decider` — another
 * government's goods are written off on its side's approval (recoveryLossDeciders; `side` its key), null: the 安置点's.
 */
export async function writeOffLostAtHouseholds(
  tx: Db,
  p: FromHouseholdsPosting & { store: StoreRow; lost: Counted[]; side?: string; decider?: Decider | null },
): Promise<void> {
  const point = p.store.id;
  const price = (m: (typeof p.lost)[number]) => p.locked.get(`${point}|${m.held.batchId}`)!.unitPrice;
  const lines = p.lost.flatMap((m): LineDraft[] => [
    { itemId: m.held.itemId, batchId: m.held.batchId, quantity: m.quantity, unitPrice: price(m), note: '发放到户，未交回' },
    { itemId: m.held.itemId, batchId: m.held.batchId, quantity: -m.quantity, unitPrice: price(m), reasonCode: 'LOST', note: '群众处丢失' },
  ]);
  const movements = lines.map((l): MovementDraft => ({
    storeId: point,
    batchId: l.batchId,
    itemId: l.itemId,
    bucket: 'ON_HAND',
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    reasonCode: l.reasonCode,
  }));
  const lost = movements.filter((m) => m.quantity < 0);
  await writeDocument(tx, countHeader(p, point, 'lost', p.side), {
    type: 'WRITE_OFF',
    storeId: point,
    reasonCode: 'LOST',
    incidentId: p.incidentId,
    details: FROM_HOUSEHOLDS_DETAILS,
    note: '回收清点：群众处丢失核销（发放到户未交回）',
    locked: p.locked,
    lines,
    movements,
    pending: true,
    reservations: [],
    afterPost: async (t, posted) =>
      void (await openApproval(t, p.user, p.now, {
        kind: 'WRITE_OFF',
        subjectId: posted.id,
        summary: `${p.store.name} 回收清点群众处丢失核销 ${posted.number}：共 ${inItemUnits(await itemsFor(t, lost), lost, -1)}（发放到户未交回）`,
        value: formatFen(lost.reduce((s, m) => s + toFen(m.unitPrice) * BigInt(-m.quantity), 0n)),
        storeId: p.decider ? p.decider.id : point,
        regionCode: (p.decider ?? p.store).regionCode,
        payload: { pending: { movements, reservations: [] } },
      })),
  });
}
