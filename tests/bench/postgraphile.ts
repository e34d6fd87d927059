import type { Sql } from 'postgres';
import { subtreePrefix } from '../../server/regions/codes.ts';

// P3's reference: the same nested read through PostGraphile v5 on the same database and data. PostGraphile maps
// tables, not services, so what the API computes is given to it the PostgreSQL way, as functions it exposes: the
// region's stores (a subtree), a store's stock (balances with stock on hand or in transit) and a line's available
// quantity and value.

export async function prepareReference(sql: Sql) {
  await sql.unsafe(`
    CREATE OR REPLACE FUNCTION bench_stores_under(prefix text) RETURNS SETOF stores LANGUAGE sql STABLE
      AS $$ SELECT * FROM stores WHERE region_code LIKE prefix || '%' ORDER BY code $$;
    CREATE OR REPLACE FUNCTION stores_stock(s stores) RETURNS SETOF balances LANGUAGE sql STABLE
      AS $$ SELECT * FROM balances WHERE store_id = s.id AND (on_hand > 0 OR in_transit > 0) ORDER BY batch_id $$;
    CREATE OR REPLACE FUNCTION balances_available(b balances) RETURNS integer LANGUAGE sql STABLE
      AS $$ SELECT CASE WHEN expiry_date <= (now() AT TIME ZONE 'Asia/Shanghai')::date THEN 0 ELSE b.on_hand - b.reserved END
              FROM batches WHERE id = b.batch_id $$;
    CREATE OR REPLACE FUNCTION balances_value(b balances) RETURNS numeric LANGUAGE sql STABLE
      AS $$ SELECT b.on_hand * unit_price FROM batches WHERE id = b.batch_id $$;`);
}

export const referenceVariables = (region: string, stores: number) => ({ prefix: subtreePrefix(region), stores });

/** The API's NESTED query, field for field, in PostGraphile's names. */
export const REFERENCE_NESTED = `query($prefix: String!, $stores: Int!) { benchStoresUnder(prefix: $prefix, first: $stores) { edges { node { name
  stock(first: 400) { totalCount edges { node { onHand available value batchByBatchId { batchNo expiryDate unitPrice }
  itemByItemId { name unit categoryByCategoryCode { name } } } } } } } } }`;

interface Lines {
  stores: number;
  lines: number;
  onHand: number;
  available: number;
}
type Edge<T> = { edges: { node: T }[] };
type StockOf<T> = { stock: Edge<{ onHand: number; available: number }> & { totalCount: number } } & T;

/** What both answers must agree on: stores, stock lines, units on hand and available (D26: none of an expired batch). */
export function summary(stores: Edge<StockOf<object>>): Lines {
  const all = stores.edges.flatMap((s) => s.node.stock.edges);
  const sum = (f: (l: { onHand: number; available: number }) => number) => all.reduce((a, l) => a + f(l.node), 0);
  return { stores: stores.edges.length, lines: all.length, onHand: sum((l) => l.onHand), available: sum((l) => l.available) };
}
