import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';

export type LedgerMismatch = BalanceMismatch | CostMismatch;

/** A balance row that the movements do not add up to. */
export interface BalanceMismatch {
  kind: 'BALANCE';
  storeId: string;
  batchId: string;
  ledgerOnHand: number;
  balanceOnHand: number;
  ledgerInTransit: number;
  balanceInTransit: number;
}

/** A movement valued at another price than its batch's unit cost (valuation reads either, D21). */
export interface CostMismatch {
  kind: 'UNIT_COST';
  movementId: string;
  batchId: string;
  movementUnitPrice: string;
  batchUnitPrice: string;
}

/**
 * DESIGN: the ledger is the truth — recompute every balance from movements; and every movement carries its batch's
 * unit cost (posting copies it, batches are never repriced, D22), which valuation relies on. Any row is a defect.
 */
export async function checkLedger(db: Db): Promise<LedgerMismatch[]> {
  return [...(await balanceMismatches(db)), ...(await costMismatches(db))];
}

async function costMismatches(db: Db): Promise<CostMismatch[]> {
  const rows = await queryRows<{ id: string; batch_id: string; m_price: string; b_price: string }>(
    db,
    sql`SELECT m.id::text, m.batch_id, m.unit_price::text AS m_price, b.unit_price::text AS b_price
          FROM movements m JOIN batches b ON b.id = m.batch_id WHERE m.unit_price <> b.unit_price`,
  );
  return rows.map((r) => ({ kind: 'UNIT_COST', movementId: r.id, batchId: r.batch_id, movementUnitPrice: r.m_price, batchUnitPrice: r.b_price }));
}

async function balanceMismatches(db: Db): Promise<BalanceMismatch[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`WITH ledger AS (
          SELECT store_id, batch_id,
                 COALESCE(sum(quantity) FILTER (WHERE bucket = 'ON_HAND'), 0) AS on_hand,
                 COALESCE(sum(quantity) FILTER (WHERE bucket = 'IN_TRANSIT'), 0) AS in_transit
            FROM movements GROUP BY store_id, batch_id)
        SELECT COALESCE(l.store_id, b.store_id) AS store_id, COALESCE(l.batch_id, b.batch_id) AS batch_id,
               COALESCE(l.on_hand, 0) AS ledger_on_hand, COALESCE(b.on_hand, 0) AS balance_on_hand,
               COALESCE(l.in_transit, 0) AS ledger_in_transit, COALESCE(b.in_transit, 0) AS balance_in_transit
          FROM ledger l FULL OUTER JOIN balances b ON b.store_id = l.store_id AND b.batch_id = l.batch_id
         WHERE COALESCE(l.on_hand, 0) <> COALESCE(b.on_hand, 0) OR COALESCE(l.in_transit, 0) <> COALESCE(b.in_transit, 0)`,
  );
  return rows.map((r) => ({
    kind: 'BALANCE',
    storeId: String(r.store_id),
    batchId: String(r.batch_id),
    ledgerOnHand: Number(r.ledger_on_hand),
    balanceOnHand: Number(r.balance_on_hand),
    ledgerInTransit: Number(r.ledger_in_transit),
    balanceInTransit: Number(r.balance_in_transit),
  }));
}
