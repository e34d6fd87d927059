import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { chinaIso, chinaText } from '../clock.ts';
import { DomainError } from '../errors.ts';
import { quantityText } from './common.ts';
import type { Bucket, LockedBalance, NetChange } from './posting.ts';

// D21 (value at any past date), D22 (the ledger is exact): a document may be dated in the past (D7), so what it takes
// out of a (store, batch, bucket) must have been there at its date and at every later instant up to now; else a past
// valuation shows negative stock. One rule for every document, in the posting path they all take: writeDocument, and
// postPendingDocument when an approved document (D27) posts later. A post dated at or after the key's latest movement
// (the usual case, a post dated now) is covered by the guarded balance UPDATE and costs no query here: the lock step
// reads balances.last_occurred_at, which the post that moves a row writes with its quantities (so the locked row is
// current even when the lock waited for another post), and only a backdated take reads the ledger.

interface Take {
  storeId: string;
  batchId: string;
  itemId: string;
  bucket: Bucket;
  quantity: number;
}

/** The net decreases of keys that have a movement dated after `at`: only these need the ledger read. */
function backdatedTakes(changes: NetChange[], locked: Map<string, LockedBalance>, at: Date): Take[] {
  const takes: Take[] = [];
  for (const c of changes) {
    const row = locked.get(`${c.storeId}|${c.batchId}`);
    if (!row?.lastOccurredAt || row.lastOccurredAt <= at) continue;
    const base = { storeId: c.storeId, batchId: c.batchId, itemId: c.itemId };
    if (c.onHand < 0) takes.push({ ...base, bucket: 'ON_HAND', quantity: -c.onHand });
    if (c.inTransit < 0) takes.push({ ...base, bucket: 'IN_TRANSIT', quantity: -c.inTransit });
  }
  return takes;
}

type Lowest = { store_id: string; batch_id: string; bucket: Bucket; at: string | Date; balance: number | string; unit: string | null };

/**
 * Per key, the lowest balance from `at` to now and the first instant it is reached. The balance at an instant is the
 * balance now less what was moved after that instant: only the movements after `at` are read (index on store, batch,
 * occurred_at). The balance rows are locked by the caller, so nothing moves in between.
 */
function lowestSince(takes: Take[], at: Date): SQL {
  const keys = sql.join(
    takes.map((k) => sql`(${k.storeId}::uuid, ${k.batchId}::uuid, ${k.bucket}::stock_bucket)`),
    sql`, `,
  );
  const from = sql`${at.toISOString()}::timestamptz`;
  return sql`WITH k(store_id, batch_id, bucket) AS (VALUES ${keys}),
    later AS (
      SELECT m.store_id, m.batch_id, m.bucket, m.occurred_at, sum(m.quantity) AS q
        FROM k JOIN movements m ON m.store_id = k.store_id AND m.batch_id = k.batch_id AND m.bucket = k.bucket AND m.occurred_at > ${from}
       GROUP BY 1, 2, 3, 4),
    points AS (
      SELECT l.store_id, l.batch_id, l.bucket, l.occurred_at AS at,
             COALESCE(sum(l.q) OVER (PARTITION BY l.store_id, l.batch_id, l.bucket ORDER BY l.occurred_at DESC
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS after
        FROM later l
      UNION ALL
      SELECT k.store_id, k.batch_id, k.bucket, ${from},
             COALESCE((SELECT sum(l.q) FROM later l WHERE l.store_id = k.store_id AND l.batch_id = k.batch_id AND l.bucket = k.bucket), 0)
        FROM k)
    SELECT DISTINCT ON (p.store_id, p.batch_id, p.bucket) p.store_id, p.batch_id, p.bucket, p.at,
           (CASE p.bucket WHEN 'ON_HAND' THEN b.on_hand ELSE b.in_transit END) - p.after AS balance,
           (SELECT i.unit FROM batches bt JOIN items i ON i.id = bt.item_id WHERE bt.id = p.batch_id) AS unit
      FROM points p JOIN balances b ON b.store_id = p.store_id AND b.batch_id = p.batch_id
     ORDER BY p.store_id, p.batch_id, p.bucket, balance, p.at`;
}

const china = (d: Date) => chinaText(d, 'yyyy-LL-dd HH:mm');

/** What a batch held at a store from a backdated post's date to now: its lowest on hand, first reached at `at`. */
export interface HeldSince {
  quantity: number;
  at: Date;
}

/**
 * D8, D21: for an outbound dated `at`, what each of these rows (one store's FEFO candidates) held on hand from `at` to
 * now — the most a backdated FEFO line may take from it and still pass assertHeldSince. Only rows moved after `at` are
 * read, in one statement; a row not moved since holds now what it held then and is left out, so a post dated now (the
 * usual case) reads nothing. Keyed by batch.
 */
export async function heldSince(tx: Db, rows: readonly LockedBalance[], at: Date): Promise<Map<string, HeldSince>> {
  const moved = rows.filter((r) => r.lastOccurredAt && r.lastOccurredAt > at);
  if (!moved.length) return new Map();
  const takes = moved.map((r): Take => ({ storeId: r.storeId, batchId: r.batchId, itemId: r.itemId, bucket: 'ON_HAND', quantity: 0 }));
  const lowest = new Map((await queryRows<Lowest>(tx, lowestSince(takes, at))).map((r) => [r.batch_id, r]));
  return new Map(
    moved.map((r) => {
      const row = lowest.get(r.batchId);
      return [r.batchId, { quantity: Math.max(0, row ? Number(row.balance) : 0), at: row ? new Date(row.at) : at }];
    }),
  );
}

/**
 * D8, D21: a backdated FEFO line the store could serve now, but not from what it held at the line's date — batches
 * received (or emptied) since then are no candidates. INSUFFICIENT_STOCK on input.occurredAt, as assertHeldSince
 * refuses, but naming the item and the batches that fell short, and what to do: name a batch (where the input can),
 * or check the business time. `short` lists those batches, in FEFO order.
 */
export function notHeldRefusal(r: {
  line: number;
  storeId: string;
  itemId: string;
  item?: { name: string; unit: string };
  requested: number;
  available: number;
  at: Date;
  short: { batchId: string; batchNo: string; held: HeldSince; now: number }[];
  namesBatch: boolean;
}): DomainError {
  // Sweep 22c F6: the one way a quantity is written, with the item's unit.
  const amount = (n: number) => quantityText(n, r.item?.unit);
  const shown = r.short.slice(0, 5).map((b) => `批次 ${b.batchNo} 在 ${china(b.held.at)} 时库存仅 ${amount(b.held.quantity)}（现可用 ${amount(b.now)}）`);
  const more = r.short.length > shown.length ? `等 ${r.short.length} 个批次` : '';
  const what = r.namesBatch ? '请指定出库批次，或核对业务时间' : '请核对业务时间';
  return new DomainError(
    'INSUFFICIENT_STOCK',
    `库存不足：第 ${r.line + 1} 行「${r.item?.name ?? '该物资'}」按业务时间 ${china(r.at)} 可出库 ${amount(r.available)}，需要 ${amount(r.requested)}——` +
      `${shown.join('；')}${more}，不能按该日期出库。${what}`,
    {
      field: 'input.occurredAt',
      storeId: r.storeId,
      itemId: r.itemId,
      requested: r.requested,
      available: r.available,
      at: chinaIso(r.at),
      batchIds: r.short.map((b) => b.batchId),
    },
  );
}

/**
 * D21: refuses (INSUFFICIENT_STOCK, the code for stock) a document dated `at` that would take a key below zero at
 * any instant from `at` to now. `field` names the date the caller gave (a document posted on approval has none);
 * the message names no batch, only the key's own store and batch ids go in the details.
 */
export async function assertHeldSince(
  tx: Db,
  changes: NetChange[],
  locked: Map<string, LockedBalance>,
  at: Date,
  field: string | undefined = 'input.occurredAt',
): Promise<void> {
  const takes = backdatedTakes(changes, locked, at);
  if (!takes.length) return;
  const lowest = new Map((await queryRows<Lowest>(tx, lowestSince(takes, at))).map((r) => [`${r.store_id}|${r.batch_id}|${r.bucket}`, r]));
  for (const take of takes) {
    const row = lowest.get(`${take.storeId}|${take.batchId}|${take.bucket}`);
    const available = Math.max(0, row ? Number(row.balance) : 0);
    if (available >= take.quantity) continue;
    const when = row ? new Date(row.at) : at;
    const [what, verb] = take.bucket === 'ON_HAND' ? ['库存', '出库'] : ['在途', '收货或核销'];
    // Sweep 22c F6: quantities with the item's unit (quantityText); the details keep the numbers.
    const amount = (n: number) => quantityText(n, row?.unit);
    const message =
      when.getTime() === at.getTime()
        ? `该批次在 ${china(at)} 时${what}仅 ${amount(available)}，不能按该日期${verb}`
        : `该批次在 ${china(when)} 时${what}仅 ${amount(available)}，按 ${china(at)} ${verb} ${amount(take.quantity)}会使其为负，不能按该日期${verb}`;
    throw new DomainError('INSUFFICIENT_STOCK', message, {
      ...(field ? { field } : {}),
      storeId: take.storeId,
      itemId: take.itemId,
      batchId: take.batchId,
      requested: take.quantity,
      available,
      at: chinaIso(when),
    });
  }
}
