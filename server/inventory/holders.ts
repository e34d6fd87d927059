import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import { DOCUMENT_TYPE_NAMES } from '../paperwork/names.ts';

/** One thing that holds reserved stock of a batch: a document awaiting approval (kind, number), or approved plans. */
export interface Holder {
  type: string;
  number: string | null;
  quantity: number;
}

/**
 * D27, D14: what holds the reserved stock of these batches at these stores, with how much each holds — for a refusal
 * to name (a stocktake counting below what is reserved, a recovery counting what is held): documents awaiting approval
 * whose decreases are held on hand (报废、盘亏、核销 of a recovery's losses, 冲销 …, pendingDecrease) by number, and
 * approved dispatch plans not yet executed (their store lines are reserved at approval). A loss in transit awaiting its
 * write-off is held in transit, not on hand (`transfer_id`), so it holds nothing here. Never another store's business:
 * only the stores asked about.
 */
export async function reservationHolders(db: Db, storeIds: string[], batchIds: string[]): Promise<Map<string, Holder[]>> {
  const holders = new Map<string, Holder[]>();
  if (!batchIds.length || !storeIds.length) return holders;
  const stores = uuidList(storeIds);
  const batches = uuidList(batchIds);
  const rows = await queryRows<{ batch_id: string; type: string; number: string | null; quantity: number }>(
    db,
    sql`SELECT l.batch_id::text AS batch_id, d.type::text AS type, d.number, -sum(l.quantity)::bigint AS quantity
          FROM document_lines l JOIN documents d ON d.id = l.document_id
         WHERE d.status = 'PENDING_APPROVAL' AND d.transfer_id IS NULL AND d.store_id IN (${stores})
           AND l.quantity < 0 AND l.batch_id IN (${batches})
         GROUP BY l.batch_id, d.type, d.number
        UNION ALL
        SELECT dl.batch_id::text, 'DISPATCH_PLAN', NULL, sum(dl.quantity)::bigint
          FROM dispatch_lines dl JOIN dispatch_plans p ON p.id = dl.plan_id
         WHERE p.status = 'APPROVED' AND dl.source_kind = 'STORE' AND dl.store_id IN (${stores}) AND dl.batch_id IN (${batches})
         GROUP BY dl.batch_id
         ORDER BY 1, 3`,
  );
  for (const r of rows) {
    const list = holders.get(r.batch_id) ?? [];
    list.push({ type: r.type, number: r.number, quantity: Number(r.quantity) });
    holders.set(r.batch_id, list);
  }
  return holders;
}

/** A holder by name: 待审批的报废单 BF-2026-000001, 已批准的调拨方案. */
export const holderName = (h: Holder) => (h.type === 'DISPATCH_PLAN' ? '已批准的调拨方案' : `待审批的${DOCUMENT_TYPE_NAMES[h.type] ?? '单据'} ${h.number}`);

/**
 * What holds `reserved`, each holder with its quantity — 待审批的报废单 BF-2026-000001：8、已批准的调拨方案：2 — and
 * whatever no holder explains as 其他预留, so that the parts always add up to `reserved`.
 */
export function heldText(reserved: number, holders: readonly Holder[]): string {
  const parts = holders.map((h) => `${holderName(h)}：${h.quantity}`);
  const other = reserved - holders.reduce((s, h) => s + h.quantity, 0);
  if (other > 0) parts.push(`其他预留：${other}`);
  return parts.join('、');
}

/**
 * What the keeper can do about these holders (sweep 24c F9): a pending document is approved or rejected by a second
 * person, or withdrawn by its requester (withdrawApproval); an approved plan's reserve is released by executing or
 * cancelling the plan. Said only of the holders there are.
 */
export function holdersAdvice(holders: readonly Holder[]): string {
  const documents = holders.some((h) => h.type !== 'DISPATCH_PLAN');
  const plans = holders.some((h) => h.type === 'DISPATCH_PLAN');
  const steps = [...(documents ? ['待审批的单据请审批、驳回或由申请人撤回'] : []), ...(plans ? ['已批准的调拨方案请执行或取消'] : [])];
  return steps.join('；');
}

/**
 * D9, D22, D27 (sweep 24c F8): the documents awaiting approval that move these batches' on-hand stock at this store
 * (a reversal, a scrap, a recovery's losses …; either way: a reversal of an issue adds stock and holds nothing), with
 * how much each moves. Each posts at its own business time when approved, onto the book it was asked against; a count
 * of the batch recorded meanwhile would make that approval impossible (stocktakes.ts assertNoLaterCount), so a count
 * waits for them. Transfer write-offs move stock in transit, not on the shelf: not listed.
 */
export async function pendingDocumentsOn(db: Db, storeId: string, batchIds: string[]): Promise<Map<string, Holder[]>> {
  const pending = new Map<string, Holder[]>();
  if (!batchIds.length) return pending;
  const rows = await queryRows<{ batch_id: string; type: string; number: string; quantity: number }>(
    db,
    sql`SELECT l.batch_id::text AS batch_id, d.type::text AS type, d.number, sum(abs(l.quantity))::bigint AS quantity
          FROM document_lines l JOIN documents d ON d.id = l.document_id
         WHERE d.status = 'PENDING_APPROVAL' AND d.transfer_id IS NULL AND d.store_id = ${storeId}::uuid
           AND l.quantity <> 0 AND l.batch_id IN (${uuidList(batchIds)})
         GROUP BY l.batch_id, d.type, d.number
         ORDER BY 1, 3`,
  );
  for (const r of rows) pending.set(r.batch_id, [...(pending.get(r.batch_id) ?? []), { type: r.type, number: r.number, quantity: Number(r.quantity) }]);
  return pending;
}
