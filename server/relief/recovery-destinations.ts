import { and, asc, eq, inArray, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { stores } from '../../drizzle/schema/index.ts';
import { mayPost, storesInScope } from '../auth/policy.ts';
import { settledOwingRegions } from '../authority/settlements.ts';
import { badInput } from '../errors.ts';
import type { StoreRow } from '../stores/service.ts';
import type { ServiceContext } from '../context.ts';

// D3, D12, D23–D25, D30: where good stock counted at a 安置点 may be booked back — one rule, read by the recovery that
// names a store (assertRecoveredToOwner) and by the list of stores a count may name (recoveryStores).

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
  /** D25: regions whose debt for the batch is settled — the goods are theirs now (settledOwingRegions). */
  owingRegions: string[];
}

async function recoveryFacts(db: Db, incidentId: string, batchId: string, shippedFrom: string | null): Promise<RecoveryFacts> {
  const [b] = await queryRows<{ batch_no: string; item: string; owner: string | null; owner_region: string | null; shipped_from: string | null }>(
    db,
    sql`SELECT b.batch_no, i.name AS item, o.name AS owner, CASE WHEN o.kind = 'GOVERNMENT' THEN o.region_code END AS owner_region,
               (SELECT s.name FROM stores s WHERE s.id = ${shippedFrom}::uuid) AS shipped_from
          FROM batches b JOIN items i ON i.id = b.item_id LEFT JOIN organizations o ON o.id = b.owner_org_id
         WHERE b.id = ${batchId}::uuid`,
  );
  return {
    batchNo: b.batch_no,
    item: b.item,
    owner: b.owner,
    ownerRegion: b.owner_region,
    shippedFrom: shippedFrom && b.shipped_from !== null ? { id: shippedFrom, name: b.shipped_from } : null,
    owingRegions: await settledOwingRegions(db, incidentId, batchId),
  };
}

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
  const f = await recoveryFacts(tx, c.incidentId, c.batchId, c.shippedFrom);
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
 * The stores a recovery count may name (`toStoreId`) for a batch's good stock: those takesRecovery accepts that the
 * principal may post at (recoverIncidentStock checks the same: storeForPosting), the store it came from first, then by
 * code. Empty for a principal who posts nowhere (an auditor). A settlement settled meanwhile may still refuse goods
 * beyond what is owed back to their lender (reduceSettlementsOfRecovery); the refusal says so.
 */
export async function recoveryStores(ctx: ServiceContext, line: { incidentId: string; batchId: string; shippedFrom: string | null }): Promise<StoreRow[]> {
  const { db, actor: p } = ctx;
  if (!mayPost(p)) return [];
  const f = await recoveryFacts(db, line.incidentId, line.batchId, line.shippedFrom);
  const regions = [...(f.ownerRegion === null ? [] : [f.ownerRegion]), ...f.owingRegions];
  const candidates = [...(f.shippedFrom ? [eq(stores.id, f.shippedFrom.id)] : []), ...(regions.length ? [inArray(stores.regionCode, regions)] : [])];
  if (!candidates.length) return [];
  const rows = await db
    .select()
    .from(stores)
    .where(and(or(...candidates), storesInScope(p, stores.id, stores.regionCode)))
    .orderBy(asc(stores.code));
  return rows.filter((s) => takesRecovery(s, f)).sort((a, b) => Number(b.id === f.shippedFrom?.id) - Number(a.id === f.shippedFrom?.id));
}
