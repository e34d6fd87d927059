import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { chinaIso, chinaTextsApart } from '../clock.ts';
import { invalidState } from '../errors.ts';
import type { BalanceKey, LockedBalance, MovementDraft } from './posting.ts';

// D9, D22, D27 (sweep 12a F2): a count records "book 10, counted 10" at its moment. A movement of the same batch at the
// same store posted at a business time before that moment moves the book under the count: the ledger then says 8 at
// the count's instant, and the reconciliation shows a difference no document explains (the keeper rightly counted the
// goods on the shelf). One rule for both ways such a movement posts: a pending document approved after the count
// (assertNoLaterCount, at the approval) and a document posted at once (writeDocument) — refused, INVALID_STATE, nothing
// changed; the business time is what is wrong, so the keeper dates the document after the count. Not re-dated: a
// document posts at its own business time (README), and the keeper who counted knows whether the goods were there.
//
// A post dated at or after the rows' latest count (the usual case, a post dated now) costs no query: the lock step reads
// balances.last_counted_at, which the statement that records a count writes (posted or submitted for approval), so a
// locked row is current; only a post dated before it reads the stocktakes. The column is a monotonic max — a count
// rejected since still marks its rows, and the read then finds no count and lets the post through.

/** Where a refusal points, and the document it refuses when there is one already (a pending document's approval). */
export interface CountRefusal {
  /** The argument the keeper changes: the business time given (`input.occurredAt`), or the approval. */
  field: string;
  document?: { id: string; number: string };
}

/**
 * Refuses on-hand movements dated `at` of (store, batch) rows counted after `at` — by a stocktake posted or awaiting
 * approval, other than the document itself. Only on-hand movements (a count counts the shelf); a count at the same
 * instant is not after it (the reconciliation counts such a movement as since the count). `locked` holds the rows,
 * locked by the caller, so a count of them waits or is seen; a row not locked has no count to fall under (a count names
 * only rows the store has). `assert_open_period` is asked first on a direct post's refusal path (D22): a date in a
 * closed month is refused as such, as the count's own date check does (stocktakes.ts assertNotMovedSince).
 */
export async function assertNoCountAfter(
  tx: Db,
  moves: readonly MovementDraft[],
  locked: Map<string, LockedBalance>,
  at: Date,
  refusal: CountRefusal,
): Promise<void> {
  const keys: BalanceKey[] = [];
  for (const m of moves) {
    const row = m.bucket === 'ON_HAND' && m.quantity !== 0 ? locked.get(`${m.storeId}|${m.batchId}`) : undefined;
    if (row?.lastCountedAt && row.lastCountedAt > at && !keys.some((k) => k.storeId === m.storeId && k.batchId === m.batchId)) keys.push(m);
  }
  if (!keys.length) return;
  const pairs = sql.join(
    keys.map((k) => sql`(${k.storeId}::uuid, ${k.batchId}::uuid)`),
    sql`, `,
  );
  const counts = await queryRows<{ number: string; status: string; occurred_at: string | Date; batch_id: string; batch_no: string }>(
    tx,
    sql`SELECT d.number, d.status::text AS status, d.occurred_at, l.batch_id::text AS batch_id, b.batch_no
          FROM documents d JOIN document_lines l ON l.document_id = d.id JOIN batches b ON b.id = l.batch_id
         WHERE d.type = 'STOCKTAKE' AND d.status IN ('POSTED', 'PENDING_APPROVAL')
           ${refusal.document ? sql`AND d.id <> ${refusal.document.id}::uuid` : sql``}
           AND (d.store_id, l.batch_id) IN (${pairs}) AND d.occurred_at > ${at.toISOString()}::timestamptz
         ORDER BY d.occurred_at DESC, d.number DESC`,
  );
  if (!counts.length) return;
  if (!refusal.document) await queryRows(tx, sql`SELECT assert_open_period(${at.toISOString()}::timestamptz)`);
  // The latest count names the moment the document must be dated after; the details list every count it falls under.
  const [last] = counts;
  const countedAt = new Date(last.occurred_at);
  const china = chinaTextsApart(countedAt, at);
  const pendingNote = last.status === 'PENDING_APPROVAL' ? '，待审批' : '';
  const doc = refusal.document;
  throw invalidState(
    `${doc ? `${doc.number} 的` : ''}业务时间 ${china(at)} 早于批次 ${last.batch_no} 的盘点 ${last.number}（盘点时间 ${china(countedAt)}，北京时间${pendingNote}）：` +
      `该盘点已按当时的账面登记了实盘数，按${doc ? '原' : '该'}业务时间入账会使盘点时的账面与实盘不符。` +
      (doc ? `请驳回此申请，并按 ${china(countedAt)} 之后的时间重新登记` : `请按 ${china(countedAt)} 之后的时间登记（不填业务时间即按现在登记）`),
    {
      field: refusal.field,
      ...(doc ? { documentId: doc.id } : {}),
      occurredAt: chinaIso(at),
      batchId: last.batch_id,
      stocktake: last.number,
      countedAt: chinaIso(countedAt),
      stocktakes: [...new Set(counts.map((c) => c.number))],
    },
  );
}
