import { sql, type SQL } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { pgError, queryRows, tableRow, type Db } from '../../drizzle/client.ts';
import { afterCommit } from '../../drizzle/after-commit.ts';
import { retryingConflicts } from '../../drizzle/conflicts.ts';
import { documents } from '../../drizzle/schema/index.ts';
import type { Principal } from '../auth/principal.ts';
import { chinaIso, type Clock } from '../clock.ts';
import { yearlyNumber } from '../numbering.ts';
import { publishDocumentPosted } from '../diagnostics.ts';
import { badInput, DomainError } from '../errors.ts';
import { stableId } from '../ids.ts';
import { DOCUMENT_PREFIX, requestHash, type DocumentType } from './rules.ts';
import { answerOfFirst, claimIdempotencyKey, idempotencyKeyField } from './idempotency.ts';
import { ledgerPrepare, type PrepareSpec, type Prepared } from './prepare.ts';
import { pendingAuditInsert, type PendingAudit } from '../audit/log.ts';
import { assertHeldSince } from './backdating.ts';
import { assertNoCountAfter } from './counted.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import { BALANCE_MAX, quantityText } from './common.ts';

// DESIGN "The ledger": every stock change is a document whose lines post movements to the append-only ledger,
// and the balance cache changes only in the same transaction, guarded, rows locked in one fixed order.

export interface BalanceKey {
  storeId: string;
  batchId: string;
}

export interface LockedBalance extends BalanceKey {
  itemId: string;
  onHand: number;
  reserved: number;
  inTransit: number;
  expiryDate: string | null;
  receivedAt: Date;
  unitPrice: string;
  batchNo: string;
  /** When the latest movement of this (store, batch) occurred (null: none yet): a post dated earlier is backdated. */
  lastOccurredAt: Date | null;
  /** When the latest count of this (store, batch) was made (null: never): an on-hand post dated earlier is refused (counted.ts). */
  lastCountedAt: Date | null;
  /** D3, D25: the region of the government owning the batch (undefined: not read; null: none on record). */
  ownerRegion?: string | null;
}

export type Bucket = 'ON_HAND' | 'IN_TRANSIT';

export interface MovementDraft extends BalanceKey {
  itemId: string;
  bucket: Bucket;
  quantity: number;
  unitPrice: string;
  reasonCode?: string | null;
}

/** A change of the reserved quantity (dispatch reservations); not a ledger movement. */
export interface ReservationChange extends BalanceKey {
  itemId: string;
  quantity: number;
}

export interface LineDraft {
  itemId: string;
  batchId: string;
  quantity: number;
  unitPrice: string;
  reasonCode?: string | null;
  bookQuantity?: number | null;
  countedQuantity?: number | null;
  note?: string | null;
}

export interface DocumentDraft {
  type: DocumentType;
  storeId: string;
  counterpartStoreId?: string | null;
  transferId?: string | null;
  source?: (typeof documents.$inferInsert)['source'];
  sourceOrgId?: string | null;
  contractNo?: string | null;
  inspectionReportNo?: string | null;
  reference?: string | null;
  recipient?: string | null;
  reasonCode?: string | null;
  approvalRef?: string | null;
  note?: string | null;
  incidentId?: string | null;
  reversesDocumentId?: string | null;
  details?: unknown;
  lines: LineDraft[];
  movements: MovementDraft[];
  reservations?: ReservationChange[];
  /**
   * D27: the document waits for a second person's approval — its lines are written, its reservations held, its
   * movements posted only on approval (postPendingDocument) or dropped on rejection (rejectPendingDocument).
   */
  pending?: boolean;
  /** D23: the outbound order this document executes. */
  orderId?: string | null;
  /** The balance rows the build step locked (lockBalances); rows that only grow need no lock. */
  locked?: Map<string, LockedBalance>;
  /**
   * Where the input gave line i's quantity, when the lines are the input's in order (a receipt's): a refusal of the
   * balance the line would make names it. Else such a refusal names `input.lines`.
   */
  quantityField?: (line: number) => string;
  /** Further writes of the post, made by the document's own statement (an order's executed quantities, D23). */
  alsoWrites?: SQL[];
  /** Runs after the document row is written, in the same transaction (transfer rows, status changes). */
  afterPost?: (tx: Db, posted: { id: string; number: string }) => Promise<void>;
}

export interface PostingRequest {
  /** The operation, for idempotency: keys are unique per operation and actor. */
  kind: string;
  actor: Principal;
  idempotencyKey: string;
  /** The request as received; its hash detects a key reused with other input. */
  input: unknown;
  clock: Clock;
  occurredAt: Date;
  /**
   * Issue 11: what the post reads, claims and locks before it decides, in one round trip (prepare.ts) instead of the
   * claim alone; `check` runs on it before the claim's answer is looked at (the checks that come before the claim).
   */
  prepare?: { spec: (ids: { documentId: string; recordedAt: Date }) => PrepareSpec; check?: (prepared: Prepared) => void };
  /** Locks, reads and decides inside the transaction; returns what to post. */
  build: (tx: Db, ctx: { documentId: string; recordedAt: Date; prepared?: Prepared }) => Promise<DocumentDraft>;
  /** The audit row of the mutation the post runs in: written by the post's own statement (issue 11). */
  audit?: PendingAudit;
}

/** Would the change carry the balance past the limit? */
const passesLimit = (held: { onHand: number; inTransit: number }, c: NetChange) =>
  held.onHand + c.onHand > BALANCE_MAX || held.inTransit + c.inTransit > BALANCE_MAX;

/** The lines a refusal of a balance names (writeDocument's draft; an approval posting its pending document has none). */
type LinesOf = Pick<DocumentDraft, 'type' | 'lines' | 'quantityField'>;

/**
 * Balances are 32-bit integers in the database: a post that would carry one past 2,147,483,647 is refused as input, on
 * the line that passes it, saying so (sweep 11b B5: the database's overflow answered 输入的值超出允许范围或格式不被接受,
 * naming nothing). `held` is what the balance holds now, where known (a row neither locked nor read: the lines alone
 * pass the limit).
 */
function balanceOverflow(c: NetChange, held: { onHand: number; inTransit: number; batchNo?: string } | undefined, draft?: LinesOf): DomainError {
  const inTransit = (held?.inTransit ?? 0) + c.inTransit > BALANCE_MAX;
  const now = (inTransit ? held?.inTransit : held?.onHand) ?? 0;
  // The line that passes the limit: the document's lines of the batch, added in order to what the balance holds.
  let sum = now;
  const line = (draft?.lines ?? []).findIndex((l) => l.batchId === c.batchId && (sum += l.quantity) > BALANCE_MAX);
  const posting = draft?.type === 'RECEIPT' ? '入库' : draft?.type === 'TRANSFER_IN' ? '调入' : '入账';
  const batch = held?.batchNo ? `批次 ${held.batchNo} ` : '该批次';
  const message =
    `${line >= 0 ? `第 ${line + 1} 行：` : ''}${posting}后${batch}的${inTransit ? '在途数量' : '结存'}将超过上限 ${quantityText(BALANCE_MAX)}` +
    (held ? `（现有 ${quantityText(now)}）` : '');
  const field = line >= 0 && draft?.quantityField ? draft.quantityField(line) : 'input.lines';
  return badInput(field, message, { batchId: c.batchId, limit: BALANCE_MAX, ...(held ? { [inTransit ? 'inTransit' : 'onHand']: now } : {}) });
}

const keyOf = (k: BalanceKey) => `${k.storeId}|${k.batchId}`;
const compareKeys = (a: BalanceKey, b: BalanceKey) =>
  a.storeId < b.storeId ? -1 : a.storeId > b.storeId ? 1 : a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0;

export function insufficientStock(
  message: string,
  details: { storeId: string; itemId: string; batchId?: string; requested: number; available: number; field?: string; heldBy?: string[] },
) {
  return new DomainError('INSUFFICIENT_STOCK', message, details);
}

/**
 * Locks balance rows in (store, batch) order in one statement: the explicit keys plus every batch of the given
 * items at the given stores (FEFO candidates). One order for every document means no deadlocks.
 */
export async function lockBalances(
  tx: Db,
  spec: { keys?: BalanceKey[]; storeItems?: { storeId: string; itemIds: string[] }[] },
): Promise<Map<string, LockedBalance>> {
  const conditions: SQL[] = [];
  if (spec.keys?.length) {
    const pairs = sql.join(
      spec.keys.map((k) => sql`(${k.storeId}::uuid, ${k.batchId}::uuid)`),
      sql`, `,
    );
    conditions.push(sql`(bal.store_id, bal.batch_id) IN (${pairs})`);
  }
  for (const { storeId, itemIds } of spec.storeItems ?? []) {
    if (!itemIds.length) continue;
    const ids = uuidList(itemIds);
    conditions.push(sql`(bal.store_id = ${storeId}::uuid AND bal.item_id IN (${ids}))`);
  }
  if (!conditions.length) return new Map();
  const rows = await queryRows<LockedBalanceRow>(
    tx,
    sql`SELECT bal.store_id, bal.batch_id, bal.item_id, bal.on_hand, bal.reserved, bal.in_transit,
               b.expiry_date::text AS expiry_date, b.received_at, b.unit_price::text AS unit_price, b.batch_no, bal.last_occurred_at,
               bal.last_counted_at, (SELECT o.region_code FROM organizations o WHERE o.id = b.owner_org_id AND o.kind = 'GOVERNMENT') AS owner_region
          FROM balances bal JOIN batches b ON b.id = bal.batch_id
         WHERE ${sql.join(conditions, sql` OR `)}
         ORDER BY bal.store_id, bal.batch_id
           FOR UPDATE OF bal`,
  );
  return new Map(
    rows.map((r) => {
      const locked = lockedBalanceOf(r);
      return [keyOf(locked), locked];
    }),
  );
}

/** A balance row as the lock reads it (here, and in ledger_prepare), with its batch's expiry, receipt, price and number. */
export type LockedBalanceRow = {
  store_id: string;
  batch_id: string;
  item_id: string;
  on_hand: number;
  reserved: number;
  in_transit: number;
  expiry_date: string | Date | null;
  received_at: string | Date;
  unit_price: string;
  batch_no: string;
  last_occurred_at: string | Date | null;
  /** Read by the locks (not by an unlocked read of the rows, orders.ts balancesOf). */
  last_counted_at?: string | Date | null;
  /** Read by the locks (0045): the batch's government owner's region. */
  owner_region?: string | null;
};

export const lockedBalanceOf = (r: LockedBalanceRow): LockedBalance => ({
  storeId: r.store_id,
  batchId: r.batch_id,
  itemId: r.item_id,
  onHand: Number(r.on_hand),
  reserved: Number(r.reserved),
  inTransit: Number(r.in_transit),
  expiryDate: r.expiry_date === null ? null : String(r.expiry_date).slice(0, 10),
  receivedAt: new Date(r.received_at),
  unitPrice: String(r.unit_price),
  batchNo: r.batch_no,
  lastOccurredAt: r.last_occurred_at === null || r.last_occurred_at === undefined ? null : new Date(r.last_occurred_at),
  lastCountedAt: r.last_counted_at === null || r.last_counted_at === undefined ? null : new Date(r.last_counted_at),
  ...(r.owner_region === undefined ? {} : { ownerRegion: r.owner_region }),
});

export const lockedAt = (locked: Map<string, LockedBalance>, key: BalanceKey) => locked.get(keyOf(key));

export interface NetChange extends BalanceKey {
  itemId: string;
  onHand: number;
  reserved: number;
  inTransit: number;
}

/** Nets movements and reservation changes per (store, batch), in lock order. */
function netChanges(moves: MovementDraft[], reservations: ReservationChange[]): NetChange[] {
  const byKey = new Map<string, NetChange>();
  const entry = (k: BalanceKey & { itemId: string }) => {
    const key = keyOf(k);
    let c = byKey.get(key);
    if (!c) byKey.set(key, (c = { storeId: k.storeId, batchId: k.batchId, itemId: k.itemId, onHand: 0, reserved: 0, inTransit: 0 }));
    return c;
  };
  for (const m of moves) {
    const c = entry(m);
    if (m.bucket === 'ON_HAND') c.onHand += m.quantity;
    else c.inTransit += m.quantity;
  }
  for (const r of reservations) entry(r).reserved += r.quantity;
  return [...byKey.values()].filter((c) => c.onHand || c.reserved || c.inTransit).sort(compareKeys);
}

/**
 * Decides how the net changes reach the balance cache. Rows that were locked change by a guarded UPDATE
 * (never below zero, reserved never above on hand); rows that were not locked may only grow (upsert).
 * The CHECK constraint on balances is the backstop.
 */
function planBalances(
  changes: NetChange[],
  locked: Map<string, LockedBalance>,
  draft?: LinesOf,
): { updates: NetChange[]; inserts: NetChange[]; short?: ShortBalance } {
  const updates: NetChange[] = [];
  const inserts: NetChange[] = [];
  for (const c of changes) {
    const current = locked.get(keyOf(c));
    // A row not locked is checked as it grows (growBalances).
    if (passesLimit(current ?? { onHand: 0, inTransit: 0 }, c)) throw balanceOverflow(c, current, draft);
    if (current) {
      const onHand = current.onHand + c.onHand;
      const reserved = current.reserved + c.reserved;
      // Refused by the caller (shortOfStock), which reads the item's unit for the message.
      if (onHand < reserved || reserved < 0 || current.inTransit + c.inTransit < 0) return { updates, inserts, short: { change: c, current } };
      updates.push(c);
    } else if (c.onHand < 0 || c.reserved !== 0 || c.inTransit < 0) {
      throw insufficientStock('库存不足：该仓库没有这一批次的库存', {
        storeId: c.storeId,
        itemId: c.itemId,
        batchId: c.batchId,
        requested: -c.onHand,
        available: 0,
      });
    } else {
      inserts.push(c);
    }
  }
  return { updates, inserts };
}

/** A locked balance row a post would take below what it has available (planBalances). */
interface ShortBalance {
  change: NetChange;
  current: LockedBalance;
}

/**
 * The refusal of a post short of stock at a locked row (planBalances): what the batch has available, in its item's
 * unit (sweep 22c F6: quantityText, the one way a quantity is written; read only on this refusal's path). The details
 * keep the numbers.
 */
async function shortOfStock(tx: Db, { change: c, current }: ShortBalance): Promise<DomainError> {
  const [item] = await queryRows<{ unit: string }>(tx, sql`SELECT unit FROM items WHERE id = ${c.itemId}::uuid`);
  const available = current.onHand - current.reserved;
  return insufficientStock(`库存不足：批次 ${current.batchNo} 可用 ${quantityText(available, item?.unit)}`, {
    storeId: c.storeId,
    itemId: c.itemId,
    batchId: c.batchId,
    // A decrease, or a hold on stock (a pending write-off, reversal or scrap, D27).
    requested: -c.onHand || c.reserved,
    available,
  });
}

/**
 * The guarded UPDATE of locked rows; it returns one row per row changed. A row whose stock moves keeps when its latest
 * movement occurred (D21: a later post dated before it is backdated, backdating.ts); a row a count names, when it was
 * counted (`countedAt`, counted.ts).
 */
function updateBalances(updates: NetChange[], at: Date, occurredAt: Date, countedAt?: Date): SQL {
  const values = sql.join(
    updates.map((c) => sql`(${c.storeId}::uuid, ${c.batchId}::uuid, ${c.onHand}::int, ${c.reserved}::int, ${c.inTransit}::int)`),
    sql`, `,
  );
  return sql`UPDATE balances AS b
                SET on_hand = b.on_hand + v.d_on_hand, reserved = b.reserved + v.d_reserved,
                    in_transit = b.in_transit + v.d_in_transit, updated_at = ${at.toISOString()}::timestamptz,
                    last_occurred_at = CASE WHEN v.d_on_hand <> 0 OR v.d_in_transit <> 0
                                            THEN GREATEST(b.last_occurred_at, ${occurredAt.toISOString()}::timestamptz) ELSE b.last_occurred_at END
                    ${countedAt ? sql`, last_counted_at = GREATEST(b.last_counted_at, ${countedAt.toISOString()}::timestamptz)` : sql``}
               FROM (VALUES ${values}) AS v(store_id, batch_id, d_on_hand, d_reserved, d_in_transit)
              WHERE b.store_id = v.store_id AND b.batch_id = v.batch_id
                AND b.on_hand + v.d_on_hand >= b.reserved + v.d_reserved
                AND b.reserved + v.d_reserved >= 0 AND b.in_transit + v.d_in_transit >= 0
          RETURNING b.store_id`;
}

/**
 * The upsert of rows that only grow (each has a movement: a net change that is no reservation); one row per row it
 * wrote. A row that would grow past the limit is left as it was and not returned: the post is then refused
 * (assertGrownInFull), where the database would have refused it with an overflow naming nothing.
 */
function growBalances(inserts: NetChange[], at: Date, occurredAt: Date): SQL {
  const values = sql.join(
    inserts.map(
      (c) =>
        sql`(${c.storeId}::uuid, ${c.batchId}::uuid, ${c.itemId}::uuid, ${c.onHand}::int, 0, ${c.inTransit}::int, ${at.toISOString()}::timestamptz,
             ${occurredAt.toISOString()}::timestamptz)`,
    ),
    sql`, `,
  );
  return sql`INSERT INTO balances (store_id, batch_id, item_id, on_hand, reserved, in_transit, updated_at, last_occurred_at)
             VALUES ${values}
             ON CONFLICT (store_id, batch_id) DO UPDATE
                SET on_hand = balances.on_hand + excluded.on_hand,
                    in_transit = balances.in_transit + excluded.in_transit,
                    updated_at = excluded.updated_at,
                    last_occurred_at = GREATEST(balances.last_occurred_at, excluded.last_occurred_at)
              WHERE balances.on_hand::bigint + excluded.on_hand <= ${BALANCE_MAX}
                AND balances.in_transit::bigint + excluded.in_transit <= ${BALANCE_MAX}
          RETURNING balances.batch_id`;
}

/**
 * D9: the rows a count names, not otherwise changed by its statement, keep when they were counted (a monotonic max:
 * a count dated in the past leaves a later one's time). Every counted row exists and is locked (submitStocktake).
 */
function markCounted(keys: BalanceKey[], countedAt: Date): SQL {
  const pairs = sql.join(
    keys.map((k) => sql`(${k.storeId}::uuid, ${k.batchId}::uuid)`),
    sql`, `,
  );
  return sql`UPDATE balances SET last_counted_at = GREATEST(last_counted_at, ${countedAt.toISOString()}::timestamptz)
              WHERE (store_id, batch_id) IN (${pairs})`;
}

/** Every row grown (growBalances), or the refusal of the one that would have passed the limit, read as it stands. */
async function assertGrownInFull(tx: Db, grown: number, inserts: NetChange[], draft?: LinesOf): Promise<void> {
  if (grown === inserts.length) return;
  const pairs = sql.join(
    inserts.map((c) => sql`(${c.storeId}::uuid, ${c.batchId}::uuid)`),
    sql`, `,
  );
  const rows = await queryRows<{ store_id: string; batch_id: string; on_hand: number; in_transit: number; batch_no: string }>(
    tx,
    sql`SELECT bal.store_id, bal.batch_id, bal.on_hand, bal.in_transit, b.batch_no
          FROM balances bal JOIN batches b ON b.id = bal.batch_id
         WHERE (bal.store_id, bal.batch_id) IN (${pairs})`,
  );
  const held = new Map(rows.map((r) => [`${r.store_id}|${r.batch_id}`, { onHand: Number(r.on_hand), inTransit: Number(r.in_transit), batchNo: r.batch_no }]));
  const c = inserts.find((i) => passesLimit(held.get(keyOf(i)) ?? { onHand: 0, inTransit: 0 }, i)) ?? inserts[0];
  throw balanceOverflow(c, held.get(keyOf(c)), draft);
}

/** A guarded UPDATE that changed fewer rows than it should have: someone else's change won the race. */
function assertAllUpdated(changed: number, updates: NetChange[]) {
  if (changed !== updates.length) {
    throw insufficientStock('库存不足', { storeId: updates[0].storeId, itemId: updates[0].itemId, requested: 0, available: 0 });
  }
}

/** Applies the net changes to the balance cache (planBalances), in one statement each for updates and inserts. */
async function applyBalances(tx: Db, changes: NetChange[], locked: Map<string, LockedBalance>, at: Date, occurredAt = at): Promise<void> {
  const { updates, inserts, short } = planBalances(changes, locked);
  if (short) throw await shortOfStock(tx, short);
  if (updates.length) assertAllUpdated((await queryRows(tx, updateBalances(updates, at, occurredAt))).length, updates);
  if (inserts.length) await assertGrownInFull(tx, (await queryRows(tx, growBalances(inserts, at, occurredAt))).length, inserts);
}

/**
 * A document's number: its type's prefix, counted afresh each year (RK-2026-000123). One that moves stock (now, or
 * when approved) is drawn only in an open period (D22): refused for a closed month, it leaves no gap.
 */
function documentNumber(type: DocumentType, recordedAt: Date, movesStockAt: Date | undefined): SQL {
  const prefix = DOCUMENT_PREFIX[type];
  return yearlyNumber(prefix, `document_number_${prefix.toLowerCase()}`, recordedAt, movesStockAt);
}

export interface DocumentHeader {
  kind: string;
  actor: Principal;
  key: string;
  hash: string;
  documentId: string;
  occurredAt: Date;
  recordedAt: Date;
}

/**
 * Writes one decided document inside the caller's transaction, in one statement (issue 11: one round trip):
 * balances (guarded), lines and movements, the document row with its number, and the mutation's audit row when the
 * caller hands it over; then the draft's afterPost. postDocument wraps it in its own transaction when it has none;
 * dispatch execution writes several documents in one.
 */
export async function writeDocument(tx: Db, h: DocumentHeader, draft: DocumentDraft, audit?: PendingAudit): Promise<DocumentRow> {
  const posted = !draft.pending;
  const { updates, inserts, short } = planBalances(netChanges(posted ? draft.movements : [], draft.reservations ?? []), draft.locked ?? new Map(), draft);
  if (short) throw await shortOfStock(tx, short);
  // D9: posted at once, dated before a count of its rows — refused as its approval would be (a pending document's is
  // refused then: assertNoLaterCount). No query unless a locked row was counted after the business time.
  if (posted) await assertNoCountAfter(tx, draft.movements, draft.locked ?? new Map(), h.occurredAt, { field: 'input.occurredAt' });
  // D21: a pending document is checked now as well as when it posts (postPendingDocument).
  await assertHeldSince(tx, netChanges(draft.movements, []), draft.locked ?? new Map(), h.occurredAt);
  // D9: a count (posted or pending) marks the rows it names with its moment, in the same statement (counted.ts).
  const countedAt = draft.type === 'STOCKTAKE' ? h.occurredAt : undefined;
  const counted = countedAt
    ? draft.lines.map((l) => ({ storeId: draft.storeId, batchId: l.batchId })).filter((k) => !updates.some((u) => keyOf(u) === keyOf(k)))
    : [];
  const steps: SQL[] = [];
  if (updates.length) steps.push(sql`updated AS (${updateBalances(updates, h.recordedAt, h.occurredAt, countedAt)})`);
  if (counted.length) steps.push(sql`counted AS (${markCounted(counted, countedAt!)})`);
  if (inserts.length) steps.push(sql`grown AS (${growBalances(inserts, h.recordedAt, h.occurredAt)})`);
  // A pending increase (a batch found in a stocktake) makes its store a holder of the batch at once, with nothing on
  // hand yet: the document's lines are then readable wherever the document is (policy: a store in scope holds it).
  const held = posted ? [] : draft.movements.filter((m) => m.quantity > 0 && !draft.locked?.has(keyOf(m)));
  if (held.length) steps.push(sql`held AS (${holdBatches(held, h.recordedAt)})`);
  const { lines, movements } = linesAndMovements(h, posted ? draft : { ...draft, movements: [] });
  if (lines) steps.push(sql`lines AS (${lines})`);
  if (movements) steps.push(sql`moves AS (${movements})`);
  draft.alsoWrites?.forEach((write, i) => steps.push(sql`${sql.raw(`also_${i}`)} AS (${write})`));
  if (audit && !audit.written) steps.push(sql`audit AS (${pendingAuditInsert(audit)})`);
  steps.push(sql`doc AS (${documentInsert(h, draft, posted)} RETURNING *)`);
  const [row] = await queryRows<Record<string, unknown>>(
    tx,
    sql`WITH ${sql.join(steps, sql`, `)} SELECT doc.*, ${updates.length ? sql`(SELECT count(*) FROM updated)::int` : sql`0`} AS balances_updated,
               ${inserts.length ? sql`(SELECT count(*) FROM grown)::int` : sql`0`} AS balances_grown FROM doc`,
  );
  if (updates.length) assertAllUpdated(Number(row.balances_updated), updates);
  if (inserts.length) await assertGrownInFull(tx, Number(row.balances_grown), inserts, draft);
  const document = tableRow(documents, row);
  await draft.afterPost?.(tx, { id: h.documentId, number: document.number });
  if (posted) documentPosted(document.type, draft.lines.length);
  return document;
}

function documentInsert(h: DocumentHeader, draft: DocumentDraft, posted: boolean): SQL {
  const details = draft.details === undefined || draft.details === null ? null : JSON.stringify(draft.details);
  return sql`INSERT INTO documents (id, number, type, status, store_id, counterpart_store_id, transfer_id, source, source_org_id, contract_no,
                                    inspection_report_no, reference, recipient, reason_code, approval_ref, note, incident_id,
                                    reverses_document_id, order_id, details, actor_id, occurred_at, recorded_at, idempotency_kind,
                                    idempotency_key, request_hash)
    VALUES (${h.documentId}::uuid, ${documentNumber(draft.type, h.recordedAt, draft.movements.length ? h.occurredAt : undefined)}, ${draft.type}::document_type,
            ${posted ? 'POSTED' : 'PENDING_APPROVAL'}::document_status, ${draft.storeId}::uuid, ${draft.counterpartStoreId ?? null}::uuid,
            ${draft.transferId ?? null}::uuid, ${draft.source ?? null}::receipt_source, ${draft.sourceOrgId ?? null}::uuid,
            ${draft.contractNo ?? null}::varchar, ${draft.inspectionReportNo ?? null}::varchar, ${draft.reference ?? null}::varchar,
            ${draft.recipient ?? null}::varchar, ${draft.reasonCode ?? null}::varchar, ${draft.approvalRef ?? null}::varchar,
            ${draft.note ?? null}::varchar, ${draft.incidentId ?? null}::uuid, ${draft.reversesDocumentId ?? null}::uuid,
            ${draft.orderId ?? null}::uuid, ${details}::jsonb, ${h.actor.id}::uuid, ${h.occurredAt.toISOString()}::timestamptz,
            ${h.recordedAt.toISOString()}::timestamptz, ${h.kind}::varchar, ${h.key}::varchar, ${h.hash}::varchar)`;
}

function holdBatches(moves: MovementDraft[], at: Date): SQL {
  const values = sql.join(
    moves.map((m) => sql`(${m.storeId}::uuid, ${m.batchId}::uuid, ${m.itemId}::uuid, 0, 0, 0, ${at.toISOString()}::timestamptz)`),
    sql`, `,
  );
  return sql`INSERT INTO balances (store_id, batch_id, item_id, on_hand, reserved, in_transit, updated_at) VALUES ${values} ON CONFLICT (store_id, batch_id) DO NOTHING`;
}

/** The INSERTs of document lines and of their movements (null where there are none). */
function linesAndMovements(
  h: Pick<DocumentHeader, 'documentId' | 'occurredAt' | 'recordedAt'> & { actor: { id: string } },
  draft: Pick<DocumentDraft, 'type' | 'lines' | 'movements'>,
): { lines: SQL | null; movements: SQL | null } {
  const documentId = h.documentId;
  const at = h.recordedAt.toISOString();
  const occurred = h.occurredAt.toISOString();
  const lineRows = draft.lines.map(
    (l, i) =>
      sql`(${documentId}::uuid, ${i + 1}::smallint, ${l.itemId}::uuid, ${l.batchId}::uuid, ${l.quantity}::int, ${l.unitPrice}::numeric,
           ${l.reasonCode ?? null}::varchar, ${l.bookQuantity ?? null}::int, ${l.countedQuantity ?? null}::int, ${l.note ?? null}::varchar)`,
  );
  const moveRows = draft.movements.map(
    (m) =>
      sql`(${documentId}::uuid, ${m.storeId}::uuid, ${m.batchId}::uuid, ${m.itemId}::uuid, ${m.bucket}::stock_bucket, ${m.quantity}::int,
           ${m.unitPrice}::numeric, ${draft.type}::document_type, ${m.reasonCode ?? null}::varchar, ${occurred}::timestamptz,
           ${at}::timestamptz, ${h.actor.id}::uuid)`,
  );
  return {
    lines: lineRows.length
      ? sql`INSERT INTO document_lines (document_id, line_no, item_id, batch_id, quantity, unit_price, reason_code,
                                 book_quantity, counted_quantity, note) VALUES ${sql.join(lineRows, sql`, `)}`
      : null,
    movements: moveRows.length
      ? sql`INSERT INTO movements (document_id, store_id, batch_id, item_id, bucket, quantity, unit_price, type,
                                 reason_code, occurred_at, recorded_at, actor_id) VALUES ${sql.join(moveRows, sql`, `)}`
      : null,
  };
}

/** Document lines and their movements in one statement. */
async function insertLinesAndMovements(
  tx: Db,
  h: Pick<DocumentHeader, 'documentId' | 'occurredAt' | 'recordedAt'> & { actor: { id: string } },
  draft: Pick<DocumentDraft, 'type' | 'lines' | 'movements'>,
) {
  const { lines, movements } = linesAndMovements(h, draft);
  if (lines && movements) await tx.execute(sql`WITH lines AS (${lines}) ${movements}`);
  else if (lines ?? movements) await tx.execute((lines ?? movements)!);
}

export type DocumentRow = typeof documents.$inferSelect;

/** The posted document (its row when this call wrote it, or a replay read it; else only the id of the first). */
export interface PostedDocument {
  documentId: string;
  replayed: boolean;
  document?: DocumentRow;
}

const isTransaction = (db: Db): boolean => db instanceof PgTransaction;

/**
 * Posts one document all-or-nothing: idempotency claim, build (locks and decisions), balances, movements,
 * lines, number and document row in one transaction. Same key + same input → the first result;
 * same key + other input → IDEMPOTENCY_CONFLICT. Inside a transaction already (a mutation's), the post is part of it:
 * no savepoint of its own, since a refusal rolls the whole transaction back, and the mutation is tried again after a
 * conflict with a concurrent request (retryingConflicts, in audited-mutations.ts); on its own, it opens its
 * transaction and tries again itself.
 */
export async function postDocument(db: Db, req: PostingRequest): Promise<PostedDocument> {
  const key = req.idempotencyKey.trim();
  if (!key || key.length > 128) throw badInput(idempotencyKeyField(req.kind), '幂等键不能为空，且不超过 128 个字符');
  const hash = requestHash(req.input);
  // The id follows from the idempotency key: a retried or replayed post names the same document.
  const documentId = stableId('document', `${req.kind}/${req.actor.id}/${key}`);
  const post = async (tx: Db): Promise<PostedDocument> => {
    const recordedAt = req.clock.now().toJSDate();
    let prepared: Prepared | undefined;
    if (req.prepare) {
      const claim = { kind: req.kind, actorId: req.actor.id, key, hash, resultId: documentId, at: recordedAt };
      prepared = await ledgerPrepare(tx, claim, req.prepare.spec({ documentId, recordedAt }));
      req.prepare.check?.(prepared);
      if (prepared.first) {
        return {
          documentId: answerOfFirst({ kind: req.kind, key, resultName: 'documentId' }, hash, prepared.first),
          replayed: true,
          document: prepared.firstDocument,
        };
      }
    } else {
      const first = await claimIdempotencyKey(tx, {
        kind: req.kind,
        actorId: req.actor.id,
        key,
        input: req.input,
        resultId: documentId,
        resultName: 'documentId',
        at: recordedAt,
      });
      if (first) return { documentId: first, replayed: true };
    }
    const draft = await req.build(tx, { documentId, recordedAt, prepared });
    const header = { kind: req.kind, actor: req.actor, key, hash, documentId, occurredAt: req.occurredAt, recordedAt };
    const document = await writeDocument(tx, header, draft, req.audit);
    return { documentId, replayed: false, document };
  };
  try {
    return isTransaction(db) ? await post(db) : await retryingConflicts(() => db.transaction(post));
  } catch (error) {
    throw ledgerError(error);
  }
}

/** The period guard's refusal (migrations 0006, 0029: movements_open_period): an entry dated at or before a closed month's end. */
const PERIOD_CLOSED = 'RS001';

/**
 * D22: the guard's refusal in the user's words. Its message carries the latest cutoff in China time (migration 0029);
 * the cutoff instant itself (00:00 on the 1st) is the closed month's, which "the month it falls in is closed" would
 * not say of it, so the words name how far the books are closed and that the instant is included.
 */
function periodClosedWords(message: string | undefined): string {
  const upTo = /closed up to (\d{4}-\d{2}-\d{2} \d{2}:\d{2})/.exec(message ?? '')?.[1];
  return upTo ? `在已月结的期间内（已结账至 ${upTo}，含该时点）` : '在已月结的期间内（月结截止时点当刻也属已结月份）';
}

/** The database's refusals of a ledger write, in the user's words (other errors pass through unchanged). */
export function ledgerError(error: unknown): unknown {
  // A second reversal of one document (documents_reverses_uq) is no refusal of its own here: the post runs again
  // (retryingConflicts) and reverseDocument's checks refuse it, in the same words as a reversal asked a moment later.
  const { code, constraint, message } = pgError(error);
  if (code === PERIOD_CLOSED) {
    return badInput('input.occurredAt', `该业务时间${periodClosedWords(message)}，不能再入账；更正请在未结账期间登记`, { reason: 'PERIOD_CLOSED' });
  }
  if (code === '23514' && constraint === 'balances_nonneg') {
    return new DomainError('INSUFFICIENT_STOCK', '库存不足', {});
  }
  return error;
}

/** What a pending document will post on approval (kept with its approval). */
export interface PendingPosting {
  movements: MovementDraft[];
  reservations: ReservationChange[];
}

export const pendingPostingOf = (draft: DocumentDraft): PendingPosting => ({ movements: draft.movements, reservations: draft.reservations ?? [] });

/** D27: an approved pending document posts its movements now and releases what it held. */
export async function postPendingDocument(tx: Db, doc: DocumentRow, pending: PendingPosting, at: Date, approvalRef: string | null): Promise<void> {
  const keys = [...pending.movements, ...pending.reservations].map((k) => ({ storeId: k.storeId, batchId: k.batchId }));
  const locked = await lockBalances(tx, { keys });
  // D21: the ledger as it stands when the document posts, at the document's own date (read before it changes).
  await assertHeldSince(tx, netChanges(pending.movements, []), locked, doc.occurredAt, undefined);
  const releases = pending.reservations.map((r) => ({ ...r, quantity: -r.quantity }));
  await applyBalances(tx, netChanges(pending.movements, releases), locked, at, doc.occurredAt);
  const h = { documentId: doc.id, actor: { id: doc.actorId }, occurredAt: doc.occurredAt, recordedAt: at };
  try {
    await insertLinesAndMovements(tx, h, { type: doc.type, lines: [], movements: pending.movements });
  } catch (error) {
    // The approver gave no date: the document's own is in a month closed since it was submitted (closePeriod waits
    // for pending documents, so only one left from before that rule gets here). It can only be rejected.
    const refused = pgError(error);
    if (refused.code !== PERIOD_CLOSED) throw error;
    throw new DomainError(
      'INVALID_STATE',
      `单据 ${doc.number} 的业务时间${periodClosedWords(refused.message)}，不能再入账：请驳回该申请，并在未结账期间重新登记`,
      {
        reason: 'PERIOD_CLOSED',
        documentId: doc.id,
        occurredAt: chinaIso(doc.occurredAt),
      },
    );
  }
  const { lines } = await setPendingStatus(tx, doc.id, 'POSTED', approvalRef);
  documentPosted(doc.type, lines);
}

/**
 * For the metrics (documents and lines posted, by type): told once the transaction that posts the document commits,
 * whichever path posted it — a mutation, a dispatch's execution, a recovery, an approval — and never if it rolls back.
 */
const documentPosted = (type: string, lines: number) => afterCommit(() => publishDocumentPosted({ type, lines }));

/** D27: a rejected pending document changes no stock: what it held is released. */
export async function rejectPendingDocument(tx: Db, doc: DocumentRow, pending: PendingPosting, at: Date): Promise<void> {
  if (pending.reservations.length) {
    const locked = await lockBalances(tx, { keys: pending.reservations.map((k) => ({ storeId: k.storeId, batchId: k.batchId })) });
    await applyBalances(
      tx,
      netChanges(
        [],
        pending.reservations.map((r) => ({ ...r, quantity: -r.quantity })),
      ),
      locked,
      at,
    );
  }
  await setPendingStatus(tx, doc.id, 'REJECTED', null);
}

async function setPendingStatus(tx: Db, id: string, status: 'POSTED' | 'REJECTED', approvalRef: string | null): Promise<{ lines: number }> {
  const rows = await queryRows<{ id: string; lines: number }>(
    tx,
    sql`UPDATE documents SET status = ${status}::document_status, approval_ref = COALESCE(approval_ref, ${approvalRef})
         WHERE id = ${id}::uuid AND status = 'PENDING_APPROVAL'
     RETURNING id, (SELECT count(*)::int FROM document_lines l WHERE l.document_id = documents.id) AS lines`,
  );
  if (!rows.length) throw new DomainError('INVALID_STATE', '该单据不在待审批状态', { documentId: id });
  return { lines: Number(rows[0].lines) };
}

/** Reserves (positive) or releases (negative) stock for approved dispatches: guarded like any balance change. */
export async function reserveStock(tx: Db, changes: ReservationChange[], at: Date): Promise<void> {
  if (!changes.length) return;
  const locked = await lockBalances(tx, { keys: changes.map((c) => ({ storeId: c.storeId, batchId: c.batchId })) });
  await applyBalances(tx, netChanges([], changes), locked, at);
}
