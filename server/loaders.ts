import DataLoader from 'dataloader';
import type { Db } from '../drizzle/client.ts';
import { categoriesByCodes, itemsByCategories, itemsByIds, type CategoryRow, type ItemRow } from './catalog/service.ts';
import { regionsByCodes, regionsByParents, type RegionRow } from './regions/service.ts';
import { organizationsByIds, storesByIds, storesInRegions, type StoreRow } from './stores/service.ts';
import { storesOfUsers, usersByIds, type UserRow } from './users/service.ts';
import { userNamesAt, type UserAtKey } from './users/names.ts';
import {
  balanceKey,
  balancesByKeys,
  batchesByIds,
  documentLinesOf,
  documentsByIds,
  movementsOfDocuments,
  reasonsByCodes,
  reversalsOf,
  stockCountsOfStores,
  stockOfStores,
  storesOfBatches,
  transferLinesOf,
  transfersByIds,
  type StoreStockKey,
} from './inventory/queries.ts';
import { checksOfAgreements, linesOfAgreements, linesOfChecks } from './reserves/agreements.ts';
import { agreementsByIds, callOffsOfPlans, incidentsByIds, plansOfIncidents, transfersOfPlans } from './dispatch/queries.ts';
import { orderLinesOf } from './authority/orders.ts';
import { approvalsByIds, approvalsOfDocuments, lenderConsentsOfTransfers } from './authority/queue.ts';
import { settlingDocuments } from './authority/settlements.ts';
import { callOffReceiptDocuments } from './dispatch/call-off-receipts.ts';
import { receiptsOfPlanLines } from './relief/deadlines.ts';
import { pricedLinesLoader } from './dispatch/plan-value.ts';

/** One loader per key: rows come back in key order, null where missing. */
export function byKey<K, V>(fetch: (keys: readonly K[]) => Promise<V[]>, keyOf: (v: V) => K) {
  return new DataLoader<K, V | null>(async (keys) => {
    const rows = await fetch(keys);
    const map = new Map(rows.map((r) => [keyOf(r), r]));
    return keys.map((k) => map.get(k) ?? null);
  });
}

/** One loader per key returning every matching row (one-to-many). */
export function groupedBy<K, V>(fetch: (keys: readonly K[]) => Promise<V[]>, keyOf: (v: V) => K) {
  return new DataLoader<K, V[]>(async (keys) => {
    const rows = await fetch(keys);
    const map = new Map<K, V[]>();
    for (const r of rows) {
      const k = keyOf(r);
      const list = map.get(k);
      if (list) list.push(r);
      else map.set(k, [r]);
    }
    return keys.map((k) => map.get(k) ?? []);
  });
}

export function createLoaders(db: Db) {
  const user = byKey<string, UserRow>(
    (ids) => usersByIds(db, ids),
    (u) => u.id,
  );
  return {
    region: byKey<string, RegionRow>(
      (codes) => regionsByCodes(db, codes),
      (r) => r.code,
    ),
    regionChildren: groupedBy<string, RegionRow>(
      (codes) => regionsByParents(db, codes),
      (r) => r.parentCode!,
    ),
    regionStores: groupedBy<string, StoreRow>(
      (codes) => storesInRegions(db, codes),
      (s) => s.regionCode,
    ),
    store: byKey<string, StoreRow>(
      (ids) => storesByIds(db, ids),
      (s) => s.id,
    ),
    item: byKey<string, ItemRow>(
      (ids) => itemsByIds(db, ids),
      (i) => i.id,
    ),
    category: byKey<string, CategoryRow>(
      (codes) => categoriesByCodes(db, codes),
      (c) => c.code,
    ),
    categoryItems: groupedBy<string, ItemRow>(
      (codes) => itemsByCategories(db, codes),
      (i) => i.categoryCode,
    ),
    organization: byKey(
      (ids: readonly string[]) => organizationsByIds(db, ids),
      (o) => o.id,
    ),
    user,
    /**
     * D22, D31 (sweep 24b F1): the person of a past act — the account as it is, named as it was named at the act
     * (users/names.ts userNameAt): a document's actor, an approval's requester and decider, a distributor …. Two
     * statements for any number of keys: the accounts (the `user` loader's, shared) and their names at the instants.
     */
    userAt: new DataLoader<UserAtKey, UserRow | null, string>(
      async (keys) => {
        const [rows, names] = await Promise.all([user.loadMany(keys.map((k) => k.id)), userNamesAt(db, keys)]);
        return rows.map((row, i) => (row instanceof Error ? row : row && { ...row, displayName: names[i] ?? row.displayName }));
      },
      { cacheKeyFn: (k) => `${k.id}|${k.at.getTime()}` },
    ),
    userStores: groupedBy(
      (ids: readonly string[]) => storesOfUsers(db, ids),
      (r) => r.userId,
    ),
    batch: byKey(
      (ids: readonly string[]) => batchesByIds(db, ids),
      (b) => b.id,
    ),
    batchStores: groupedBy(
      (ids: readonly string[]) => storesOfBatches(db, ids),
      (s) => s.batchId,
    ),
    document: byKey(
      (ids: readonly string[]) => documentsByIds(db, ids),
      (d) => d.id,
    ),
    documentLines: groupedBy(
      (ids: readonly string[]) => documentLinesOf(db, ids),
      (l) => l.documentId,
    ),
    documentMovements: groupedBy(
      (ids: readonly string[]) => movementsOfDocuments(db, ids),
      (m) => m.documentId,
    ),
    /** Keyed `store|batch` (balanceKey). */
    balance: byKey((keys: readonly string[]) => balancesByKeys(db, keys), balanceKey),
    reversal: byKey(
      (ids: readonly string[]) => reversalsOf(db, ids),
      (d) => d.reversesDocumentId!,
    ),
    /** Documents that settled a settlement (归还 in kind), whose reversal is refused. */
    settling: byKey(
      (ids: readonly string[]) => settlingDocuments(db, ids),
      (r) => r.documentId,
    ),
    /** Receipts of call-off deliveries, whose reversal is refused (D22, assertNotCallOffReceipt). */
    callOffReceipt: byKey(
      (ids: readonly string[]) => callOffReceiptDocuments(db, ids),
      (r) => r.documentId,
    ),
    transfer: byKey(
      (ids: readonly string[]) => transfersByIds(db, ids),
      (t) => t.id,
    ),
    transferLines: groupedBy(
      (ids: readonly string[]) => transferLinesOf(db, ids),
      (l) => l.transferId,
    ),
    reason: byKey(
      (codes: readonly string[]) => reasonsByCodes(db, codes),
      (r) => r.code,
    ),
    storeStock: new DataLoader((keys: readonly StoreStockKey[]) => stockOfStores(db, keys), { cacheKeyFn: (k) => JSON.stringify(k) }),
    storeStockCount: new DataLoader((keys: readonly Omit<StoreStockKey, 'first' | 'afterBatch'>[]) => stockCountsOfStores(db, keys), {
      cacheKeyFn: (k) => JSON.stringify(k),
    }),
    agreementLines: groupedBy(
      (ids: readonly string[]) => linesOfAgreements(db, ids),
      (l) => l.agreementId,
    ),
    agreementChecks: groupedBy(
      (ids: readonly string[]) => checksOfAgreements(db, ids),
      (c) => c.agreementId,
    ),
    agreementCheckLines: groupedBy(
      (ids: readonly string[]) => linesOfChecks(db, ids),
      (l) => l.checkId,
    ),
    agreement: byKey(
      (ids: readonly string[]) => agreementsByIds(db, ids),
      (a) => a.id,
    ),
    incident: byKey(
      (ids: readonly string[]) => incidentsByIds(db, ids),
      (i) => i.id,
    ),
    incidentPlans: groupedBy(
      (ids: readonly string[]) => plansOfIncidents(db, ids),
      (p) => p.incidentId,
    ),
    orderLines: groupedBy(
      (ids: readonly string[]) => orderLinesOf(db, ids),
      (l) => l.orderId,
    ),
    approval: byKey(
      (ids: readonly string[]) => approvalsByIds(db, ids),
      (a) => a.id,
    ),
    /**
     * D27: the approval of each subject — a document's own (the newest, should a document ever have had two), or, by
     * an order's id, the order's, or by a plan's id, the plan's (its approval or written approval, as given) — queue.ts
     * decidingApproval: a document executed under an order or a plan takes its approval.
     */
    documentApproval: byKey(
      (ids: readonly string[]) => approvalsOfDocuments(db, ids),
      (a) => a.subjectId,
    ),
    /** D25 (sweep 14a F7): the lender's consent a plan shipment went out under, by transfer id (decidingApproval's `lender`). */
    lenderConsent: byKey(
      async (ids: readonly string[]) => (await lenderConsentsOfTransfers(db, ids)).map((r) => ({ ...r.approval, transferId: r.transferId! })),
      (a) => a.transferId,
    ),
    /** D20 (sweep 12b F7): each plan's lines with their prices, for its approvals' value as each reader sees it. */
    planPricedLines: pricedLinesLoader(db),
    planCallOffs: groupedBy(
      (ids: readonly string[]) => callOffsOfPlans(db, ids),
      (c) => c.planId,
    ),
    /** D14, D27, D28: each plan's shipments, its 补发 included (transfers citing it). */
    planTransfers: groupedBy(
      (ids: readonly string[]) => transfersOfPlans(db, ids),
      (t) => t.dispatchPlanId!,
    ),
    /** D28: receipts of each plan's lines at their 安置点 (a received line arrives when it was received). */
    planLineReceipts: groupedBy(
      (ids: readonly string[]) => receiptsOfPlanLines(db, ids),
      (r) => r.planId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
