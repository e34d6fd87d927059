import { and, asc, count, desc, eq, gt, ilike, inArray, lt, lte, or, sql, type Column, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import {
  balances,
  batches,
  categories,
  documentLines,
  documents,
  items,
  movements,
  stockReasons,
  stores,
  transferLines,
  transfers,
} from '../../drizzle/schema/index.ts';
import { type Principal } from '../auth/principal.ts';
import { storesInScope } from '../auth/policy.ts';
import { forbidden, notFound } from '../errors.ts';
import { pageRequest, toPage, type PageArgs } from '../pagination.ts';
import { filterRegion, inRegionSubtree } from '../regions/service.ts';
import { getStoreInScope } from '../stores/service.ts';
import { assertPeriodOrder, searchPattern, uuidArg } from '../validation.ts';
import type { BatchRow } from './common.ts';
import { getCategory, getItem, type ItemWithCategory } from '../catalog/service.ts';
import type { ServiceContext } from '../context.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';

export type BalanceRow = typeof balances.$inferSelect;
/** A batch as a stock line carries it: what the API shows of a batch (its row's bookkeeping timestamp is not shown). */
export type BatchOfLine = Omit<BatchRow, 'createdAt' | 'retiredAt'>;
/** A balance, optionally with its batch and item already loaded (its updatedAt is not shown). */
export type StockRow = Omit<BalanceRow, 'updatedAt' | 'lastOccurredAt' | 'lastCountedAt'> & { batch?: BatchOfLine; item?: ItemWithCategory };
export type DocumentRow = typeof documents.$inferSelect;
export type DocumentLineRow = typeof documentLines.$inferSelect;
export type MovementRow = typeof movements.$inferSelect;

export interface StockFilter {
  storeId?: string | null;
  regionCode?: string | null;
  itemId?: string | null;
  categoryCode?: string | null;
  expiringBefore?: string | null;
  /**
   * Sweep 22a F6 (README: 本库库存's search "by name, spec or code among what the store holds"): a word of the item's
   * name, spec or code, or of the batch number — matched in the query, so that a store of thousands of lines is searched
   * whole, not its first page.
   */
  search?: string | null;
}

/** Conditions on balances (joined with stores as s, items as i, batches as b) for a filter, in the user's scope. */
async function stockConditions(db: Db, user: Principal, f: StockFilter): Promise<(SQL | undefined)[]> {
  const where: (SQL | undefined)[] = [or(gt(balances.onHand, 0), gt(balances.inTransit, 0))];
  if (f.storeId) where.push(eq(balances.storeId, (await getStoreInScope(db, user, f.storeId, 'filter.storeId')).id));
  if (f.regionCode) {
    const region = await filterRegion(db, user, f.regionCode, 'filter.regionCode');
    where.push(inRegionSubtree(stores.regionCode, region.code));
  }
  where.push(storesInScope(user, balances.storeId, stores.regionCode));
  // An unknown item is NOT_FOUND naming the filter, as an unknown store, region or category (sweep 17b F4).
  if (f.itemId) where.push(eq(balances.itemId, (await getItem(db, f.itemId, 'filter.itemId')).id));
  // An unknown category is NOT_FOUND, as items(categoryCode) says it — not an empty list that reads as "none held".
  if (f.categoryCode) where.push(eq(items.categoryCode, (await getCategory(db, f.categoryCode, 'filter.categoryCode')).code));
  // The stock query joins items and batches already: the search and 到期早于 add a condition, not a statement.
  where.push(stockLineCondition(f, 'filter.search'));
  return where;
}

/**
 * StockFilter's conditions on a line's item and batch, in one place: the search word (sweep 22a F6: a word of the item's
 * name, spec or code, or of the batch number) and 到期早于 (expiringBefore: an expiry date before that day — not that
 * day itself; a batch without an expiry date never matches). The stock query's and the 库存台账 export's, which names
 * its tables i and b and passes them (drizzle's alias) — so that the file lists what 本库库存's filters show (sweep 22a,
 * left over: the export read the word but not the date, and held every line whatever the page's 到期早于).
 */
export function stockLineCondition(
  f: Pick<StockFilter, 'search' | 'expiringBefore'>,
  searchField: string,
  t: { items: Record<'name' | 'spec' | 'code', Column>; batches: Record<'batchNo' | 'expiryDate', Column> } = { items, batches },
): SQL | undefined {
  const pattern = searchPattern(f.search, searchField);
  const found = pattern
    ? or(ilike(t.items.name, pattern), ilike(t.items.spec, pattern), ilike(t.items.code, pattern), ilike(t.batches.batchNo, pattern))
    : undefined;
  return and(found, f.expiringBefore ? lt(t.batches.expiryDate, f.expiringBefore) : undefined);
}

const stockSelect = (db: Db) =>
  db
    .select({ balance: balances, expiry: batches.expiryDate, received: receivedKey, batchNo: batches.batchNo })
    .from(balances)
    .innerJoin(stores, eq(stores.id, balances.storeId))
    .innerJoin(items, eq(items.id, balances.itemId))
    .innerJoin(batches, eq(batches.id, balances.batchId));

export type StockOrder = 'STORE' | 'EXPIRY';

/**
 * EXPIRY's sort key, FEFO's order (D8, rules.ts fefoOrder, which picks the batches an issue takes): earliest expiry
 * first, batches without expiry last; then earliest received (the batch's own receipt: a batch transferred in keeps
 * its date); then batch number (by its bytes, as fefoOrder compares it); then batch id. The store comes last, so that at
 * one store the list is the order FEFO takes the batches in. Written out in SQL, not sorted with fefoOrder, because the
 * list pages by it (keyset); a test holds the two together.
 */
const expiryKey = sql`COALESCE(${batches.expiryDate}, '9999-12-31'::date)`;
/** The batch's receipt to the microsecond, as a cursor part: a page ends exactly where the next begins. */
const receivedKey = sql<string>`to_char(${batches.receivedAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const batchNoKey = sql`${batches.batchNo} COLLATE "C"`;

/**
 * Stock lines (per store and batch) in scope; keyset pagination. Ordered by store and batch, or (EXPIRY) in FEFO order
 * — the batches that leave first under FEFO (D8) and freeze first (D26) at the top.
 */
export async function listStock(ctx: ServiceContext, filter: StockFilter, page: PageArgs, orderBy: StockOrder = 'STORE') {
  const { db, actor: user } = ctx;
  const byExpiry = orderBy === 'EXPIRY';
  const req = pageRequest(page, 'stock', byExpiry ? ['date', 'timestamp', 'text', 'uuid', 'uuid'] : ['uuid', 'uuid']);
  const where = await stockConditions(db, user, filter);
  const cursor = (req.after ?? []) as string[];
  const after = !req.after
    ? undefined
    : byExpiry
      ? sql`(${expiryKey}, ${batches.receivedAt}, ${batchNoKey}, ${balances.batchId}, ${balances.storeId}) > (${cursor[0]}::date, ${cursor[1]}::timestamptz, ${cursor[2]}::text COLLATE "C", ${cursor[3]}::uuid, ${cursor[4]}::uuid)`
      : sql`(${balances.storeId}, ${balances.batchId}) > (${cursor[0]}::uuid, ${cursor[1]}::uuid)`;
  const rows = await stockSelect(db)
    .where(and(...where, after))
    .orderBy(
      ...(byExpiry
        ? [asc(expiryKey), asc(batches.receivedAt), asc(batchNoKey), asc(balances.batchId), asc(balances.storeId)]
        : [asc(balances.storeId), asc(balances.batchId)]),
    )
    .limit(req.limit + 1);
  const keyOf = new Map(rows.map((r) => [`${r.balance.storeId}|${r.balance.batchId}`, [r.expiry ?? '9999-12-31', r.received, r.batchNo]]));
  return toPage<StockRow>(
    rows.map((r) => r.balance),
    req,
    (b) => (byExpiry ? [...keyOf.get(`${b.storeId}|${b.batchId}`)!, b.batchId, b.storeId] : [b.storeId, b.batchId]),
    async () => {
      const [r] = await db
        .select({ n: count() })
        .from(balances)
        .innerJoin(stores, eq(stores.id, balances.storeId))
        .innerJoin(items, eq(items.id, balances.itemId))
        .innerJoin(batches, eq(batches.id, balances.batchId))
        .where(and(...where));
      return r.n;
    },
  );
}

export interface StoreStockKey {
  storeId: string;
  first: number;
  afterBatch: string | null;
  itemId: string | null;
  categoryCode: string | null;
}

/** A timestamp column as the driver returned it: a Date already (postgres.js, PGlite), else its text. */
const dateOf = (v: unknown): Date => (v instanceof Date ? v : new Date(v as string));

/** Store.stock for many stores in one statement (window per store): no N+1 in nested queries. */
export async function stockOfStores(db: Db, keys: readonly StoreStockKey[]): Promise<StockRow[][]> {
  const groups = new Map<string, StoreStockKey[]>();
  for (const k of keys) {
    const g = `${k.first}|${k.afterBatch}|${k.itemId}|${k.categoryCode}`;
    groups.set(g, [...(groups.get(g) ?? []), k]);
  }
  const result = new Map<StoreStockKey, StockRow[]>();
  for (const group of groups.values()) {
    const { first, afterBatch, itemId, categoryCode } = group[0];
    const ids = group.map((k) => k.storeId);
    const rows = await queryRows<Record<string, unknown>>(
      db,
      // Only the columns the API shows (P3: every column of 16,350 rows is parsed, and most are kept until the answer
      // is written).
      sql`SELECT store_id, batch_id, item_id, on_hand, reserved, in_transit, batch_no, production_date, expiry_date, unit_price,
                 funding_source, reserve_mode, owner_org_id, supplier_org_id, origin, received_at, storage_life_months, rotation_lead_months FROM (
            SELECT bal.store_id, bal.batch_id, bal.item_id, bal.on_hand, bal.reserved, bal.in_transit,
                   b.batch_no, b.production_date::text AS production_date, b.expiry_date::text AS expiry_date, b.unit_price::text AS unit_price,
                   b.funding_source, b.reserve_mode, b.owner_org_id, b.supplier_org_id, b.origin, b.received_at,
                   b.storage_life_months, b.rotation_lead_months,
                   row_number() OVER (PARTITION BY bal.store_id ORDER BY bal.batch_id) AS rn
              FROM balances bal JOIN batches b ON b.id = bal.batch_id JOIN items i ON i.id = bal.item_id
             WHERE bal.store_id IN (${uuidList(ids)})
               AND (bal.on_hand > 0 OR bal.in_transit > 0)
               ${afterBatch ? sql`AND bal.batch_id > ${afterBatch}::uuid` : sql``}
               ${itemId ? sql`AND bal.item_id = ${itemId}::uuid` : sql``}
               ${categoryCode ? sql`AND i.category_code = ${categoryCode}` : sql``}
          ) ranked WHERE rn <= ${first + 1} ORDER BY store_id, batch_id`,
    );
    const byStore = new Map<string, StockRow[]>();
    for (const r of rows) {
      const itemId = String(r.item_id);
      const b: StockRow = {
        storeId: String(r.store_id),
        batchId: String(r.batch_id),
        itemId,
        onHand: Number(r.on_hand),
        reserved: Number(r.reserved),
        inTransit: Number(r.in_transit),
        // The batch and the item come with the balance: nested stock lines resolve batch, item, price and value
        // without a loader round (and synchronously). The item is set below, one object per catalog item.
        batch: {
          id: String(r.batch_id),
          itemId,
          batchNo: String(r.batch_no),
          productionDate: r.production_date === null ? null : String(r.production_date).slice(0, 10),
          expiryDate: r.expiry_date === null ? null : String(r.expiry_date).slice(0, 10),
          unitPrice: String(r.unit_price),
          fundingSource: r.funding_source as BatchRow['fundingSource'],
          reserveMode: r.reserve_mode as BatchRow['reserveMode'],
          ownerOrgId: (r.owner_org_id as string | null) ?? null,
          supplierOrgId: (r.supplier_org_id as string | null) ?? null,
          origin: (r.origin as string | null) ?? null,
          receivedAt: dateOf(r.received_at),
          storageLifeMonths: r.storage_life_months === null ? null : Number(r.storage_life_months),
          rotationLeadMonths: Number(r.rotation_lead_months),
        },
      };
      const lines = byStore.get(b.storeId);
      if (lines) lines.push(b);
      else byStore.set(b.storeId, [b]);
    }
    for (const k of group) result.set(k, byStore.get(k.storeId) ?? []);
  }
  // The catalog items of all the lines, with their categories, in one more statement, rather than their columns
  // repeated on every line.
  const lines = [...result.values()].flat();
  const itemIds = [...new Set(lines.map((l) => l.itemId))];
  const itemRows = itemIds.length
    ? await db
        .select({ item: items, category: categories })
        .from(items)
        .innerJoin(categories, eq(categories.code, items.categoryCode))
        .where(inArray(items.id, itemIds))
    : [];
  const itemsById = new Map<string, ItemWithCategory>(itemRows.map((r) => [r.item.id, { ...r.item, category: r.category }]));
  for (const l of lines) l.item = itemsById.get(l.itemId);
  return keys.map((k) => result.get(k)!);
}

/** Stock line counts per store (Store.stock totalCount) with the same filters, one statement per filter. */
export async function stockCountsOfStores(db: Db, keys: readonly Omit<StoreStockKey, 'first' | 'afterBatch'>[]): Promise<number[]> {
  const out = new Map<string, number>();
  const groups = new Map<string, string[]>();
  for (const k of keys) groups.set(`${k.itemId}|${k.categoryCode}`, [...(groups.get(`${k.itemId}|${k.categoryCode}`) ?? []), k.storeId]);
  for (const [g, storeIds] of groups) {
    const { itemId, categoryCode } = keys.find((k) => `${k.itemId}|${k.categoryCode}` === g)!;
    const rows = await db
      .select({ storeId: balances.storeId, n: count() })
      .from(balances)
      .innerJoin(items, eq(items.id, balances.itemId))
      .where(
        and(
          inArray(balances.storeId, storeIds),
          or(gt(balances.onHand, 0), gt(balances.inTransit, 0)),
          itemId ? eq(balances.itemId, itemId) : undefined,
          categoryCode ? eq(items.categoryCode, categoryCode) : undefined,
        ),
      )
      .groupBy(balances.storeId);
    for (const r of rows) out.set(`${r.storeId}|${g}`, r.n);
  }
  return keys.map((k) => out.get(`${k.storeId}|${k.itemId}|${k.categoryCode}`) ?? 0);
}

export interface MovementFilter {
  storeId?: string | null;
  regionCode?: string | null;
  itemId?: string | null;
  batchId?: string | null;
  documentId?: string | null;
  type?: MovementRow['type'] | null;
  from?: Date | null;
  to?: Date | null;
}

/** RECORDED: newest recorded first (the ledger's own order); OCCURRED: newest business time first (D22). */
export type MovementOrder = 'RECORDED' | 'OCCURRED';

/** occurred_at to the microsecond, as a cursor part: a page ends exactly where the next begins. */
const occurredKey = sql<string>`to_char(${movements.occurredAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Ledger movements in scope, newest first: by record (keyset on the movement id), or (OCCURRED) by business time, then
 * newest recorded (keyset on occurred_at and id), so a list that shows 业务时间 is in the order it shows.
 */
export async function listMovements(ctx: ServiceContext, f: MovementFilter, page: PageArgs, orderBy: MovementOrder = 'RECORDED') {
  const { db, actor: user } = ctx;
  const byOccurred = orderBy === 'OCCURRED';
  const req = pageRequest(page, 'movements', byOccurred ? ['timestamp', 'int'] : ['int']);
  const where: (SQL | undefined)[] = [];
  if (f.storeId) where.push(eq(movements.storeId, (await getStoreInScope(db, user, f.storeId, 'filter.storeId')).id));
  if (f.regionCode) {
    const region = await filterRegion(db, user, f.regionCode, 'filter.regionCode');
    where.push(inRegionSubtree(stores.regionCode, region.code));
  }
  where.push(storesInScope(user, movements.storeId, stores.regionCode));
  // An id filter answers as the record itself does (sweep 9a F7): unknown NOT_FOUND, out of scope FORBIDDEN — not an
  // empty list. An item is reference data, so only unknown (sweep 17b F4). A batch is in scope where one of its
  // movements is (batchTrace's rule); a document, by its stores.
  if (f.itemId) where.push(eq(movements.itemId, (await getItem(db, f.itemId, 'filter.itemId')).id));
  if (f.batchId) where.push(eq(movements.batchId, await batchInScope(db, user, f.batchId, 'filter.batchId')));
  if (f.documentId) where.push(eq(movements.documentId, (await getDocumentInScope(db, user, f.documentId, 'filter.documentId')).id));
  if (f.type) where.push(eq(movements.type, f.type));
  assertPeriodOrder(f.from, f.to, 'filter.to');
  // D21, D22: a period is (from, to] — a movement dated exactly at an instant belongs to the period that ends there, as
  // valuation(asOf) counts it; so the value at `from` plus the period's movements is the value at `to`, and consecutive
  // periods share no movement (sweeps 12c C8, 13b #12, 14b F2: one at the boundary was in both).
  if (f.from) where.push(gt(movements.occurredAt, f.from));
  if (f.to) where.push(lte(movements.occurredAt, f.to));
  let after: SQL | undefined;
  if (req.after && byOccurred) {
    const [at, id] = req.after as [string, number];
    after = sql`(${movements.occurredAt}, ${movements.id}) < (${at}::timestamptz, ${id})`;
  } else if (req.after) after = lt(movements.id, Number(req.after[0]));
  const rows = await db
    .select({ m: movements, at: occurredKey })
    .from(movements)
    .innerJoin(stores, eq(stores.id, movements.storeId))
    .where(and(...where, after))
    .orderBy(...(byOccurred ? [desc(movements.occurredAt)] : []), desc(movements.id))
    .limit(req.limit + 1);
  const keys = new Map(rows.map((r) => [r.m, r.at]));
  return toPage(
    rows.map((r) => r.m),
    req,
    (m) => (byOccurred ? [keys.get(m), m.id] : [m.id]),
    async () => {
      const [r] = await db
        .select({ n: count() })
        .from(movements)
        .innerJoin(stores, eq(stores.id, movements.storeId))
        .where(and(...where));
      return r.n;
    },
  );
}

export async function getDocumentInScope(db: Db, user: Principal, id: string, field = 'id'): Promise<DocumentRow> {
  uuidArg(id, field, '单据');
  const [doc] = await db.select().from(documents).where(eq(documents.id, id));
  if (!doc) throw notFound(field, '单据', id);
  // Read from its store or its counterpart (the other side of a transfer, the store a recovery went to), as the
  // record policy reads a document wherever it appears: the receiving keeper opens the transfer they received.
  try {
    await getStoreInScope(db, user, doc.storeId, field);
  } catch (error) {
    if (!doc.counterpartStoreId) throw error;
    await getStoreInScope(db, user, doc.counterpartStoreId, field);
  }
  return doc;
}

export async function getBatch(db: Db, id: string, field = 'batchId'): Promise<BatchRow> {
  uuidArg(id, field, '批次');
  const [row] = await db.select().from(batches).where(eq(batches.id, id));
  if (!row) throw notFound(field, '批次', id);
  return row;
}

/**
 * D18: the movements of a batch from receipt to the people it reached — those at stores in the user's scope (a batch
 * that travelled through other regions shows its path here; theirs is theirs to read). FORBIDDEN when none are.
 */
/** A batch the user reads: NOT_FOUND when there is none, FORBIDDEN when none of its movements is at a store in scope. */
async function batchInScope(db: Db, user: Principal, batchId: string, field: string): Promise<string> {
  const batch = await getBatch(db, batchId, field);
  const [seen] = await db
    .select({ id: movements.id })
    .from(movements)
    .innerJoin(stores, eq(stores.id, movements.storeId))
    .where(and(eq(movements.batchId, batch.id), storesInScope(user, movements.storeId, stores.regionCode)))
    .limit(1);
  if (!seen) throw forbidden('该批次');
  return batch.id;
}

export async function batchTrace(ctx: ServiceContext, batchId: string) {
  const { db, actor: user } = ctx;
  const batch = await getBatch(db, batchId);
  const moves = (
    await db
      .select({ m: movements })
      .from(movements)
      .innerJoin(stores, eq(stores.id, movements.storeId))
      .where(and(eq(movements.batchId, batch.id), storesInScope(user, movements.storeId, stores.regionCode)))
      .orderBy(asc(movements.occurredAt), asc(movements.id))
  ).map((r) => r.m);
  if (!moves.length) throw forbidden('该批次');
  const docIds = [...new Set(moves.map((m) => m.documentId))];
  const docs = await db.select().from(documents).where(inArray(documents.id, docIds));
  const holdings = (
    await db
      .select({ b: balances })
      .from(balances)
      .innerJoin(stores, eq(stores.id, balances.storeId))
      .where(
        and(eq(balances.batchId, batch.id), or(gt(balances.onHand, 0), gt(balances.inTransit, 0)), storesInScope(user, balances.storeId, stores.regionCode)),
      )
  ).map((r) => r.b);
  return { batch, movements: moves, documents: new Map(docs.map((d) => [d.id, d])), holdings };
}

export const listStockReasons = (db: Db) => db.select().from(stockReasons).orderBy(asc(stockReasons.direction), asc(stockReasons.code));

export const batchesByIds = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(batches)
    .where(inArray(batches.id, [...ids]));
export const documentsByIds = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(documents)
    .where(inArray(documents.id, [...ids]));
export const documentLinesOf = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(documentLines)
    .where(inArray(documentLines.documentId, [...ids]))
    .orderBy(asc(documentLines.lineNo));
export const transfersByIds = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(transfers)
    .where(inArray(transfers.id, [...ids]));
export const transferLinesOf = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(transferLines)
    .where(inArray(transferLines.transferId, [...ids]))
    .orderBy(asc(transferLines.batchId));
export const reasonsByCodes = (db: Db, codes: readonly string[]) =>
  db
    .select()
    .from(stockReasons)
    .where(inArray(stockReasons.code, [...codes]));
export const reversalsOf = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(documents)
    .where(inArray(documents.reversesDocumentId, [...ids]));

/** The movements of each document, in posting order: what its reversal would negate. */
export const movementsOfDocuments = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(movements)
    .where(inArray(movements.documentId, [...ids]))
    .orderBy(asc(movements.id));

/** A balance and its batch number, keyed `store|batch` (balanceKey). */
export const balanceKey = (k: { storeId: string; batchId: string }) => `${k.storeId}|${k.batchId}`;

/** Balances by `store|batch` keys, with their batch numbers. */
export const balancesByKeys = (db: Db, keys: readonly string[]) => {
  const pairs = keys.map((k) => k.split('|'));
  return db
    .select({ storeId: balances.storeId, batchId: balances.batchId, onHand: balances.onHand, reserved: balances.reserved, batchNo: batches.batchNo })
    .from(balances)
    .innerJoin(batches, eq(batches.id, balances.batchId))
    .where(or(...pairs.map(([storeId, batchId]) => and(eq(balances.storeId, storeId), eq(balances.batchId, batchId)))));
};

/** Every store with a balance row for each batch (held, held before, or in transit to it): the policy's batch lookup. */
export const storesOfBatches = (db: Db, ids: readonly string[]) =>
  db
    .selectDistinct({ batchId: balances.batchId, id: stores.id, regionCode: stores.regionCode })
    .from(balances)
    .innerJoin(stores, eq(stores.id, balances.storeId))
    .where(inArray(balances.batchId, [...ids]));
