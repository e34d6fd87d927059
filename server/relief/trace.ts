import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import type { Principal } from '../auth/principal.ts';
import { storesInScope } from '../auth/policy.ts';

// D18, D29: the trace of a batch ends at the households it reached; the incident balance counts the households served.

/**
 * D29, D22: a distribution that stands — its document POSTED; a reversed one (REVERSED, its goods booked back) is no
 * longer what the household received. The one condition the distributions list, the batch trace, the households
 * served and the allowance check share (`status`: the distribution's document's status column).
 */
export const distributionStands = (status: SQLWrapper): SQL => sql`${status} = 'POSTED'`;

export interface TraceDistribution {
  documentId: string;
  /** D22 (sweep 23b F5): POSTED, or REVERSED — recorded, then reversed; listed, marked, counted for no household. */
  status: 'POSTED' | 'REVERSED';
  storeId: string;
  distributedAt: Date;
  householdSize: number;
  householdKey: string;
  quantity: number;
}

/**
 * Distributions of a batch at stores in the principal's scope (quantities for all; who received them is the policy's).
 * D22 (sweep 23b F5): a reversed one too, marked — the trace shows it was recorded and reversed; what it reached (the
 * households counted) is the standing ones' (distributionStands).
 */
export async function distributionsOfBatch(db: Db, user: Principal, batchId: string): Promise<TraceDistribution[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`SELECT d.document_id, ${distributionStands(sql`doc.status`)} AS stands, d.store_id, d.distributed_at, d.household_size, d.household_key,
               -sum(dl.quantity)::bigint AS quantity
          FROM distributions d JOIN documents doc ON doc.id = d.document_id JOIN document_lines dl ON dl.document_id = d.document_id
          JOIN stores s ON s.id = d.store_id
         WHERE dl.batch_id = ${batchId}::uuid AND doc.status IN ('POSTED', 'REVERSED') AND ${storesInScope(user, sql`d.store_id`, sql`s.region_code`)}
         GROUP BY d.document_id, doc.status, d.store_id, d.distributed_at, d.household_size, d.household_key
         ORDER BY d.distributed_at, d.document_id`,
  );
  return rows.map((r) => ({
    documentId: String(r.document_id),
    status: r.stands === true || r.stands === 't' ? 'POSTED' : 'REVERSED',
    storeId: String(r.store_id),
    distributedAt: new Date(r.distributed_at as string),
    householdSize: Number(r.household_size),
    householdKey: String(r.household_key),
    quantity: Number(r.quantity),
  }));
}

/** Per item of an incident: households that received it; and in all (distinct households over the incident). */
export async function householdsServed(db: Db, incidentId: string): Promise<{ byItem: Map<string, number>; total: number }> {
  const rows = await queryRows<{ item_id: string | null; households: number }>(
    db,
    sql`SELECT dl.item_id, count(DISTINCT d.household_key)::int AS households
          FROM distributions d JOIN documents doc ON doc.id = d.document_id JOIN document_lines dl ON dl.document_id = d.document_id
         WHERE d.incident_id = ${incidentId}::uuid AND ${distributionStands(sql`doc.status`)}
         GROUP BY ROLLUP (dl.item_id)`,
  );
  return {
    byItem: new Map(rows.filter((r) => r.item_id !== null).map((r) => [String(r.item_id), Number(r.households)])),
    total: Number(rows.find((r) => r.item_id === null)?.households ?? 0),
  };
}
