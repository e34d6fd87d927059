import { sql } from 'drizzle-orm';
import { queryRows, tableRow as rowOf, type Db } from '../../drizzle/client.ts';
import { batches, documents, outboundOrderLines, outboundOrders } from '../../drizzle/schema/index.ts';
import { lockedBalanceOf, type LockedBalance, type LockedBalanceRow } from './posting.ts';

// Issue 11 (P1): what a post reads and claims before it decides — the order it executes, the idempotency claim, the
// balance rows it locks, the order locked after them, a receipt's owner and batches — in one round trip, through
// the server-side function ledger_prepare (migration 0011). The decisions stay here, in the same code as before.

type BatchRow = typeof batches.$inferSelect;
type OrderRow = typeof outboundOrders.$inferSelect;
type OrderLineRow = typeof outboundOrderLines.$inferSelect;

export interface PrepareSpec {
  /** D23: the outbound order the post executes. */
  orderId?: string | null;
  /** The balance rows to lock at a store: every batch of these items, and these batches. */
  lock?: { storeId: string; itemIds: string[]; batchIds: string[] };
  /** A receipt: the region whose government owns new stock by default (D3), or the owner itself. */
  ownerRegion?: string;
  ownerOrgId?: string | null;
  /** A receipt: the batches to create unless their (item, number) exists; the owner is filled in. */
  batches?: Omit<typeof batches.$inferInsert, 'ownerOrgId'>[];
}

export interface Prepared {
  /** The first request's answer when the key was claimed before: nothing else was done. */
  first?: { requestHash: string; resultId: string };
  /** The first request's document, for its answer. */
  firstDocument?: typeof documents.$inferSelect;
  order?: OrderRow | null;
  orderLines?: OrderLineRow[];
  locked?: Map<string, LockedBalance>;
  lockedOrder?: { status: OrderRow['status']; number: string } | null;
  lockedOrderLines?: OrderLineRow[];
  /** The default owner: id null when the region's government is not registered yet (then no batches either). */
  owner?: { id: string | null; name: string };
  batches?: (BatchRow & { created: boolean })[];
}

export interface PrepareClaim {
  kind: string;
  actorId: string;
  key: string;
  hash: string;
  resultId: string;
  at: Date;
}

export async function ledgerPrepare(tx: Db, claim: PrepareClaim, spec: PrepareSpec): Promise<Prepared> {
  const p = {
    claim: { ...claim, at: claim.at.toISOString() },
    ...(spec.orderId ? { orderId: spec.orderId } : {}),
    ...(spec.lock ? { lock: spec.lock } : {}),
    ...(spec.ownerRegion ? { ownerRegion: spec.ownerRegion } : {}),
    ...(spec.ownerOrgId ? { ownerOrgId: spec.ownerOrgId } : {}),
    ...(spec.batches ? { batches: spec.batches.map((b) => ({ ...b, receivedAt: b.receivedAt.toISOString() })) } : {}),
  };
  const [row] = await queryRows<{ prepared: string | RawPrepared }>(tx, sql`SELECT ledger_prepare(${JSON.stringify(p)}::jsonb) AS prepared`);
  const raw: RawPrepared = typeof row.prepared === 'string' ? JSON.parse(row.prepared) : row.prepared;
  return {
    first: raw.first,
    firstDocument: raw.firstDocument ? rowOf(documents, raw.firstDocument) : undefined,
    order: raw.order === undefined ? undefined : raw.order && rowOf(outboundOrders, raw.order),
    orderLines: raw.orderLines?.map((l) => rowOf(outboundOrderLines, l)),
    locked: raw.locked && new Map(raw.locked.map((r) => [`${r.store_id}|${r.batch_id}`, lockedBalanceOf(r)])),
    lockedOrder: raw.lockedOrder,
    lockedOrderLines: raw.lockedOrderLines?.map((l) => rowOf(outboundOrderLines, l)),
    owner: raw.owner,
    batches: raw.batches?.map((b) => ({ ...rowOf(batches, b), created: b.created as boolean })),
  };
}

type Json = Record<string, unknown>;

interface RawPrepared {
  first?: { requestHash: string; resultId: string };
  firstDocument?: Json | null;
  order?: Json | null;
  orderLines?: Json[];
  locked?: LockedBalanceRow[];
  lockedOrder?: { status: OrderRow['status']; number: string } | null;
  lockedOrderLines?: Json[];
  owner?: { id: string | null; name: string };
  batches?: Json[];
}
