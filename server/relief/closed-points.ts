import { eq, sql, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../../drizzle/client.ts';
import { incidents } from '../../drizzle/schema/index.ts';
import { badInput } from '../errors.ts';

// D29: a 安置点 serves its incident. Once the incident is closed nothing more is handed out there, so no new stock is
// sent to it outside a plan (an order's transfer, a shipment against it); what is there still goes back (回收清点).
// Sweep 9b D7: the closed incident's page said so, yet its 安置点 stayed among the 调入仓库 and took a shipment.

/** SQL: the store (columns) is no 安置点 of a closed incident. */
export const notClosedPoint = (store: { kind: SQLWrapper; incidentId: SQLWrapper }) =>
  sql`(${store.kind} <> 'DISTRIBUTION_POINT' OR ${store.incidentId} IS NULL
       OR NOT EXISTS (SELECT 1 FROM incidents ci WHERE ci.id = ${store.incidentId} AND ci.closed_at IS NOT NULL))`;

/** Refuses a transfer to a 安置点 whose incident is closed (BAD_USER_INPUT at `field`). */
export async function assertPointServing(db: Db, to: { name: string; kind: string; incidentId: string | null }, field: string): Promise<void> {
  if (to.kind !== 'DISTRIBUTION_POINT' || !to.incidentId) return;
  const [incident] = await db.select({ name: incidents.name, closedAt: incidents.closedAt }).from(incidents).where(eq(incidents.id, to.incidentId));
  if (incident?.closedAt) throw badInput(field, `安置点「${to.name}」所属的事件「${incident.name}」已结束，不再向其调拨物资（回收清点仍可进行）`);
}
