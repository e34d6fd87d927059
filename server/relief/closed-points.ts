import { eq, sql, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../../drizzle/client.ts';
import { incidents } from '../../drizzle/schema/index.ts';
import { badInput } from '../errors.ts';
import { chinaIso, chinaTextsApart } from '../clock.ts';

// D29: a 安置点 serves its incident. Once the incident is closed nothing more is handed out there, so no new stock is
// sent to it outside a plan (an order's transfer, a shipment against it); what is there still goes back (回收清点).
// Sweep 9b D7: the closed incident's page said so, yet its 安置点 stayed among the 调入仓库 and took a shipment.

/** SQL: the store (columns) is no 安置点 of a closed incident. */
export const notClosedPoint = (store: { kind: SQLWrapper; incidentId: SQLWrapper }) =>
  sql`(${store.kind} <> 'DISTRIBUTION_POINT' OR ${store.incidentId} IS NULL
       OR NOT EXISTS (SELECT 1 FROM incidents ci WHERE ci.id = ${store.incidentId} AND ci.closed_at IS NOT NULL))`;

type Point = { name: string; kind: string; incidentId: string | null };

/** A movement's business time at a 安置点 (`at`), and what it is called in a refusal (调入, 入库 …). */
export interface PointMovement {
  at: Date;
  what: string;
}

const incidentOfPoint = async (db: Db, point: Point) => {
  if (point.kind !== 'DISTRIBUTION_POINT' || !point.incidentId) return undefined;
  const [incident] = await db
    .select({ name: incidents.name, occurredAt: incidents.occurredAt, closedAt: incidents.closedAt })
    .from(incidents)
    .where(eq(incidents.id, point.incidentId));
  return incident;
};

/**
 * D21, D28, D29 (sweep 20c F5): a 安置点 is opened for its incident, so nothing moves there before the disaster: a
 * backdated receipt there made a past valuation show stock at a 安置点 that did not exist, and fed the incident's 10-hour
 * record. Refused at `field` (the business time), naming the earliest time allowed — the incident's occurredAt — in
 * China time. The bound is the disaster, not when the 安置点 was entered (stores.created_at): a point set up on the ground
 * before it was recorded takes what it received at the time it received it (a plan's shipments are bounded by the plan's
 * execution besides: checkPlanShipment), and a point opened by a plan's request takes the database's clock, not the
 * service's.
 */
function assertAfterDisaster(point: Point, incident: { name: string; occurredAt: Date }, m: PointMovement, field: string): void {
  if (m.at.getTime() >= incident.occurredAt.getTime()) return;
  const china = chinaTextsApart(m.at, incident.occurredAt);
  throw badInput(
    field,
    `安置点「${point.name}」为事件「${incident.name}」开设，${m.what}时间 ${china(m.at)} 早于该事件的发生时间 ${china(incident.occurredAt)}（北京时间）：` +
      `安置点的收发不能早于此时，请核对业务时间`,
    { earliest: chinaIso(incident.occurredAt) },
  );
}

/**
 * Refuses a transfer to a 安置点 whose incident is closed (BAD_USER_INPUT at `field`) — and, given the transfer's
 * business time, one dated before the incident occurred (at input.occurredAt: assertAfterDisaster), in the same read.
 */
export async function assertPointServing(db: Db, to: Point, field: string, movement?: PointMovement): Promise<void> {
  const incident = await incidentOfPoint(db, to);
  if (!incident) return;
  if (incident.closedAt) throw badInput(field, `安置点「${to.name}」所属的事件「${incident.name}」已结束，不再向其调拨物资（回收清点仍可进行）`);
  if (movement) assertAfterDisaster(to, incident, movement, 'input.occurredAt');
}

/**
 * D21, D28 (sweep 20c F5): stock put at a 安置点 (a receipt there) is not dated before its incident occurred —
 * assertAfterDisaster. Reads the incident for a 安置点 only: a store's own receipts cost no statement.
 */
export async function assertPointOpenAt(db: Db, store: Point, movement: PointMovement, field = 'input.occurredAt'): Promise<void> {
  const incident = await incidentOfPoint(db, store);
  if (incident) assertAfterDisaster(store, incident, movement, field);
}
