import { sql } from 'drizzle-orm';
import { queryRows } from '../../drizzle/client.ts';
import { readablePrefix } from '../regions/service.ts';
import { assertFinanceReader } from './valuation.ts';
import type { ServiceContext } from '../context.ts';

export interface ReconciliationRow {
  storeId: string;
  batchId: string;
  ledgerOnHand: number;
  balanceOnHand: number;
  ledgerInTransit: number;
  balanceInTransit: number;
  /**
   * Units by which the ledger and the balance table disagree, on hand and in transit (|Δ on hand| + |Δ in transit|).
   * Must always be zero: a non-zero line is a defect to alarm on. Absolute values, so that two errors cannot cancel.
   */
  ledgerVsBalance: number;
  lastCountedQuantity: number | null;
  lastCountedAt: Date | null;
  movementsSinceCount: number | null;
  /** Balance − (last count + movements since): zero when nothing went unrecorded since the count. */
  countVsBalance: number | null;
}

/** A line that differs: ledger vs balance, or the balance vs the last count and the movements since. */
export const differs = (r: ReconciliationRow) => r.ledgerVsBalance !== 0 || (r.countVsBalance ?? 0) !== 0;

/**
 * D9, D22: per store and batch, the ledger sum vs the balance table vs the last stocktake count. `differencesOnly`: only
 * the lines that differ (sweep 22a F5: 对账 asked for a whole city's balances, 1.8 MB, to show its few differences first).
 */
export async function reconciliation(ctx: ServiceContext, regionCode?: string | null, differencesOnly = false): Promise<ReconciliationRow[]> {
  const { db, actor: user } = ctx;
  assertFinanceReader(user);
  const prefix = await readablePrefix(db, user, regionCode);
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`WITH scope AS (SELECT id FROM stores WHERE region_code LIKE ${`${prefix}%`}),
             ledger AS (
               SELECT store_id, batch_id, COALESCE(sum(quantity) FILTER (WHERE bucket = 'ON_HAND'), 0) AS on_hand,
                      COALESCE(sum(quantity) FILTER (WHERE bucket = 'IN_TRANSIT'), 0) AS in_transit
                 FROM movements WHERE store_id IN (SELECT id FROM scope) GROUP BY store_id, batch_id),
             counts AS (
               SELECT DISTINCT ON (d.store_id, l.batch_id) d.store_id, l.batch_id, l.counted_quantity, d.occurred_at, d.id AS document_id
                 FROM documents d JOIN document_lines l ON l.document_id = d.id
                WHERE d.type = 'STOCKTAKE' AND d.status = 'POSTED' AND d.store_id IN (SELECT id FROM scope)
                ORDER BY d.store_id, l.batch_id, d.occurred_at DESC, d.recorded_at DESC)
        SELECT COALESCE(l.store_id, b.store_id) AS store_id, COALESCE(l.batch_id, b.batch_id) AS batch_id,
               COALESCE(l.on_hand, 0) AS ledger_on_hand, COALESCE(b.on_hand, 0) AS balance_on_hand,
               COALESCE(l.in_transit, 0) AS ledger_in_transit, COALESCE(b.in_transit, 0) AS balance_in_transit,
               c.counted_quantity, c.occurred_at AS counted_at,
               (SELECT COALESCE(sum(m.quantity), 0) FROM movements m
                 WHERE m.store_id = c.store_id AND m.batch_id = c.batch_id AND m.bucket = 'ON_HAND'
                   AND (m.occurred_at > c.occurred_at OR (m.occurred_at = c.occurred_at AND m.document_id <> c.document_id AND m.type <> 'STOCKTAKE'))) AS since
          FROM ledger l
          FULL OUTER JOIN (SELECT * FROM balances WHERE store_id IN (SELECT id FROM scope)) b ON b.store_id = l.store_id AND b.batch_id = l.batch_id
          LEFT JOIN counts c ON c.store_id = COALESCE(l.store_id, b.store_id) AND c.batch_id = COALESCE(l.batch_id, b.batch_id)
         WHERE COALESCE(l.on_hand, 0) <> 0 OR COALESCE(b.on_hand, 0) <> 0 OR COALESCE(l.in_transit, 0) <> 0 OR COALESCE(b.in_transit, 0) <> 0
            OR c.counted_quantity IS NOT NULL
         ORDER BY 1, 2`,
  );
  const lines = rows.map((r): ReconciliationRow => {
    const ledgerOnHand = Number(r.ledger_on_hand);
    const balanceOnHand = Number(r.balance_on_hand);
    const ledgerInTransit = Number(r.ledger_in_transit);
    const balanceInTransit = Number(r.balance_in_transit);
    const counted = r.counted_quantity === null || r.counted_quantity === undefined ? null : Number(r.counted_quantity);
    const since = counted === null ? null : Number(r.since);
    return {
      storeId: String(r.store_id),
      batchId: String(r.batch_id),
      ledgerOnHand,
      balanceOnHand,
      ledgerInTransit,
      balanceInTransit,
      ledgerVsBalance: Math.abs(ledgerOnHand - balanceOnHand) + Math.abs(ledgerInTransit - balanceInTransit),
      lastCountedQuantity: counted,
      lastCountedAt: r.counted_at ? new Date(r.counted_at as string) : null,
      movementsSinceCount: since,
      countVsBalance: counted === null ? null : balanceOnHand - (counted + since!),
    };
  });
  return differencesOnly ? lines.filter(differs) : lines;
}
