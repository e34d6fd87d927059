import DataLoader from 'dataloader';
import { and, asc, inArray, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { stores } from '../../drizzle/schema/index.ts';
import { mayPost, storesInScope } from '../auth/policy.ts';
import { settledOwingRegionsOf } from '../authority/settlements.ts';
import { badInput } from '../errors.ts';
import type { StoreRow } from '../stores/service.ts';
import type { ServiceContext } from '../context.ts';

// D3, D12, D23–D25, D30: where good stock counted at a 安置点 may be booked back — one rule, read by the recovery that
// names a store (assertRecoveredToOwner) and by the list of stores a count may name (recoveryStoresOfLines).

/**
 * SQL: the store a batch reached a 安置点 from — the counterpart of its transfers in there, the one that brought most
 * (then by id) — recovery's default destination for its good stock (D30). `store`, `batch`: the point's and batch's ids.
 */
export function shippedFromSql(store: SQLWrapper, batch: SQLWrapper): SQL {
  return sql`(SELECT d.counterpart_store_id FROM movements m JOIN documents d ON d.id = m.document_id
               WHERE m.store_id = ${store} AND m.batch_id = ${batch} AND m.type = 'TRANSFER_IN' AND m.quantity > 0
               GROUP BY d.counterpart_store_id ORDER BY sum(m.quantity) DESC, d.counterpart_store_id LIMIT 1)`;
}

/** What decides where a batch's good stock may go, read once per batch. */
interface RecoveryFacts {
  batchNo: string;
  item: string;
  /** The batch's government owner (D3) and its region; null when no government owns it (a company's, a donor's). */
  owner: string | null;
  ownerRegion: string | null;
  shippedFrom: { id: string; name: string } | null;
  /** D25: regions whose debt for the batch is settled — the goods are theirs now (settledOwingRegionsOf). */
  owingRegions: string[];
}

/** A line awaiting recovery, as far as where its good stock may go: its incident, its batch and the store it came from. */
export interface RecoveryLineKey {
  incidentId: string;
  batchId: string;
  shippedFrom: string | null;
}

/** Ids as uuid::text spells them (lower case), whoever spelled the line. */
const lineKey = (l: RecoveryLineKey) => `${l.incidentId}|${l.batchId}|${l.shippedFrom ?? ''}`.toLowerCase();
const factsKey = (batchId: string, shippedFrom: string | null) => `${batchId}|${shippedFrom ?? ''}`.toLowerCase();

/**
 * The RecoveryFacts of many lines, in `lines` order (house style 5): one statement for the batches, their owners and the
 * stores they came from, and settledOwingRegionsOf's for the settled debts — whatever the number of lines.
 */
async function recoveryFactsOf(db: Db, lines: readonly RecoveryLineKey[]): Promise<RecoveryFacts[]> {
  if (!lines.length) return [];
  const distinct = [...new Map(lines.map((l) => [lineKey(l), l])).values()];
  const rows = await queryRows<{
    batch_id: string;
    shipped_from_id: string | null;
    batch_no: string;
    item: string;
    owner: string | null;
    owner_region: string | null;
    shipped_from: string | null;
  }>(
    db,
    sql`SELECT k.batch_id::text AS batch_id, k.shipped_from_id::text AS shipped_from_id, b.batch_no, i.name AS item, o.name AS owner,
               CASE WHEN o.kind = 'GOVERNMENT' THEN o.region_code END AS owner_region, s.name AS shipped_from
          FROM (VALUES ${sql.join(
            distinct.map((l) => sql`(${l.batchId}::uuid, ${l.shippedFrom}::uuid)`),
            sql`, `,
          )}) AS k (batch_id, shipped_from_id)
          JOIN batches b ON b.id = k.batch_id JOIN items i ON i.id = b.item_id LEFT JOIN organizations o ON o.id = b.owner_org_id
          LEFT JOIN stores s ON s.id = k.shipped_from_id`,
  );
  const byKey = new Map(rows.map((r) => [factsKey(r.batch_id, r.shipped_from_id), r]));
  const owing = await settledOwingRegionsOf(db, lines);
  return lines.map((l, i) => {
    const b = byKey.get(factsKey(l.batchId, l.shippedFrom));
    if (!b) throw new Error(`batch ${l.batchId} missing`);
    return {
      batchNo: b.batch_no,
      item: b.item,
      owner: b.owner,
      ownerRegion: b.owner_region,
      shippedFrom: l.shippedFrom && b.shipped_from !== null ? { id: l.shippedFrom, name: b.shipped_from } : null,
      owingRegions: owing[i],
    };
  });
}

const recoveryFacts = async (db: Db, line: RecoveryLineKey): Promise<RecoveryFacts> => (await recoveryFactsOf(db, [line]))[0];

/**
 * D12, D23, D24, D30 (sweep 14c HIGH-2): whether `to` takes a batch's good stock back. It must hold government reserves
 * — a government or entrusted store, not a 安置点 nor a company's agreement store — and be the store the batch was
 * shipped from, or one of the very region whose government owns the batch (its owner's store), or, for goods whose
 * settlement is settled, one of the owing region (D25: they are its goods now). Any other store would move reserves
 * between stores outside a plan without an approved order (D23) on one person's word (D24). A batch with no government
 * owner on record goes back only where it came from; call-off goods, shipped from nowhere, are the contracting
 * government's (execution.ts): they go to its store.
 */
function takesRecovery(to: Pick<StoreRow, 'id' | 'kind' | 'regionCode'>, f: RecoveryFacts): boolean {
  if (to.kind !== 'GOVERNMENT' && to.kind !== 'ENTRUSTED') return false;
  return to.id === f.shippedFrom?.id || to.regionCode === f.ownerRegion || f.owingRegions.includes(to.regionCode);
}

/**
 * recoverIncidentStock naming a store (`toStoreId`): refused unless takesRecovery, saying where the goods may go. A
 * store the goods came from is not looked up again.
 */
export async function assertRecoveredToOwner(
  tx: Db,
  c: { to: StoreRow; incidentId: string; batchId: string; shippedFrom: string | null; field: string },
): Promise<void> {
  if (c.to.id === c.shippedFrom) return;
  const f = await recoveryFacts(tx, c);
  if (takesRecovery(c.to, f)) return;
  const places: string[] = [];
  if (f.ownerRegion !== null) places.push(`产权单位（${f.owner}）的储备库`);
  if (f.shippedFrom) places.push(`原调出仓库（${f.shippedFrom.name}）`);
  if (f.owingRegions.length) {
    const names = await queryRows<{ name: string }>(
      tx,
      sql`SELECT name FROM regions WHERE code IN (${sql.join(
        f.owingRegions.map((o) => sql`${o}`),
        sql`, `,
      )}) ORDER BY code`,
    );
    places.push(`欠款已结清的欠方（${names.map((n) => n.name).join('、')}）的储备库`);
  }
  const what = `${f.item}（批次 ${f.batchNo}）`;
  throw badInput(
    c.field,
    places.length
      ? `${what}的完好物资须回收到${places.join('或')}；调往其他仓库请另行申请出库（调拨）`
      : `${what}没有政府产权单位，也不是从储备库调到安置点的，不能回收到所选仓库；调往其他仓库请另行申请出库（调拨）`,
    { batchId: c.batchId },
  );
}

/**
 * The stores a recovery count may name (`toStoreId`) for a batch's good stock, for each of `lines` in order: those
 * takesRecovery accepts that the principal may post at (recoverIncidentStock checks the same: storeForPosting), the
 * store it came from first, then by code. Empty for a principal who posts nowhere (an auditor). A settlement settled
 * meanwhile may still refuse goods beyond what is owed back to their lender (reduceSettlementsOfRecovery); the refusal
 * says so. House style 5: the lines' facts (recoveryFactsOf) and the candidate stores of them all (one statement, in
 * scope) are read together; takesRecovery then picks each line's.
 */
export async function recoveryStoresOfLines(ctx: ServiceContext, lines: readonly RecoveryLineKey[]): Promise<StoreRow[][]> {
  const { db, actor: p } = ctx;
  if (!mayPost(p)) return lines.map(() => []);
  const facts = await recoveryFactsOf(db, lines);
  const shippedFrom = new Set(facts.flatMap((f) => (f.shippedFrom ? [f.shippedFrom.id] : [])));
  const regions = new Set(facts.flatMap((f) => [...(f.ownerRegion === null ? [] : [f.ownerRegion]), ...f.owingRegions]));
  const candidates = [...(shippedFrom.size ? [inArray(stores.id, [...shippedFrom])] : []), ...(regions.size ? [inArray(stores.regionCode, [...regions])] : [])];
  if (!candidates.length) return lines.map(() => []);
  const rows = await db
    .select()
    .from(stores)
    .where(and(or(...candidates), storesInScope(p, stores.id, stores.regionCode)))
    .orderBy(asc(stores.code));
  return facts.map((f) => rows.filter((s) => takesRecovery(s, f)).sort((a, b) => Number(b.id === f.shippedFrom?.id) - Number(a.id === f.shippedFrom?.id)));
}

/** recoveryStoresOfLines through a loader: the lines of one request read together (built per request: schema/relief.ts). */
export const recoveryStoresLoader = (ctx: ServiceContext) =>
  new DataLoader<RecoveryLineKey, StoreRow[], string>((lines) => recoveryStoresOfLines(ctx, lines), { cacheKeyFn: lineKey });
