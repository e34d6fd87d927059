import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { levelOfCode } from '../regions/codes.ts';
import { stableId } from '../ids.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import { incidentDemandSql } from '../dispatch/demand.ts';

// D16, D28: the 10-hour clock runs from the disaster (the incident's occurredAt); first-batch targets run from the order.

/** D16, D28: basic needs of the affected people met within 10 hours of the disaster. */
export const BASIC_NEEDS_HOURS = 10;

export type RespondingLevel = 'COUNTY' | 'CITY' | 'PROVINCE';

/** D16: the first batch arrives within 6 h (county), 8 h (city), 10 h (province) of the order. */
export const FIRST_BATCH_HOURS: Record<RespondingLevel, number> = { COUNTY: 6, CITY: 8, PROVINCE: 10 };

/**
 * The level that responds: from the response level (Ⅳ county, Ⅲ city, Ⅱ and Ⅰ province and above), else from where the
 * incident happened (a county or below: the county responds).
 */
export function respondingLevel(responseLevel: number | null, regionCode: string): RespondingLevel {
  if (responseLevel === 4) return 'COUNTY';
  if (responseLevel === 3) return 'CITY';
  if (responseLevel === 1 || responseLevel === 2) return 'PROVINCE';
  const level = levelOfCode(regionCode);
  return level === 'PROVINCE' || level === 'CITY' ? level : 'COUNTY';
}

export const basicNeedsDeadline = (occurredAt: Date) => DateTime.fromJSDate(occurredAt).plus({ hours: BASIC_NEEDS_HOURS }).toJSDate();

export const hoursBetween = (from: Date, to: Date) => Math.round(((to.getTime() - from.getTime()) / 3_600_000) * 100) / 100;

export const arrivalAt = (start: Date, etaHours: number) => new Date(start.getTime() + Math.round(etaHours * 3_600_000));

/** D28: a line meets the basic-needs target when it arrives no later than occurredAt + 10 h. */
export const meetsBasicNeedsTarget = (arrivesAt: Date, occurredAt: Date) => arrivesAt.getTime() <= basicNeedsDeadline(occurredAt).getTime();

/**
 * D28: what counts as received at a 安置点, and when — the one rule for plans (receiptsOfPlanLines) and incidents
 * (basicNeedsLines): stock put on hand by a posted document, at that document's occurredAt (the time the receiving
 * keeper gives, which may be earlier than when it was recorded). `mv` is the movement, `doc` its document.
 */
const receivedOnHand = sql`mv.bucket = 'ON_HAND' AND mv.quantity > 0 AND doc.status = 'POSTED'`;

/**
 * D28: what became of an executed plan line's goods — its receipts at the 安置点, and what is still on its way there.
 * A store line's goods travel in its plan's shipments of its batch from its store to its 安置点: the one made at
 * execution and any 补发 after a cancellation or a loss in transit (shipTransfer citing the plan, D23); an agreement
 * or capacity line's in its call-off.
 */
export interface LineDelivery {
  planId: string;
  lineNo: number;
  receipts: { occurredAt: Date; quantity: number }[];
  /** Shipped (or called off) and not yet received, reported lost or damaged, or cancelled. */
  onTheWay: number;
  /** When the latest shipment (or call-off) with goods still on their way left; null when nothing is on its way. */
  leftAt: Date | null;
}

/**
 * D28: every executed line's receipts at its 安置点 and what is still on its way (one statement for any number of
 * plans): a store line's by its shipments (调拨入库 of their batch), an agreement or capacity line's by its call-off's
 * delivery. A line none of whose goods ever left, or all of whose shipments were cancelled, has nothing on its way.
 * The planner gives one line per source store, batch and destination: the key by which remainingToShip (dispatch/plans.ts)
 * counts what is left to ship (补发).
 */
export async function receiptsOfPlanLines(db: Db, planIds: readonly string[]): Promise<LineDelivery[]> {
  if (!planIds.length) return [];
  const ids = uuidList(planIds);
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`WITH shipments AS (
          SELECT l.plan_id, l.line_no, l.batch_id, t.id AS transfer_id, t.shipped_at,
                 tl.shipped - tl.received - tl.lost - tl.cancelled - tl.disputed AS open
            FROM dispatch_lines l
            JOIN dispatch_destinations d ON d.plan_id = l.plan_id AND d.idx = l.destination_idx
            JOIN transfers t ON t.dispatch_plan_id = l.plan_id AND t.from_store_id = l.store_id AND t.to_store_id = d.store_id
            JOIN transfer_lines tl ON tl.transfer_id = t.id AND tl.batch_id = l.batch_id
           WHERE l.plan_id IN (${ids}) AND l.source_kind = 'STORE')
        SELECT s.plan_id, s.line_no, NULL::uuid AS call_off_id, s.shipped_at AS at, s.open AS quantity, false AS receipt
          FROM shipments s
        UNION ALL
        SELECT s.plan_id, s.line_no, NULL::uuid, doc.occurred_at, mv.quantity, true
          FROM shipments s
          JOIN documents doc ON doc.transfer_id = s.transfer_id AND doc.type = 'TRANSFER_IN'
          JOIN movements mv ON mv.document_id = doc.id AND mv.batch_id = s.batch_id
         WHERE ${receivedOnHand}
        UNION ALL
        SELECT l.plan_id, l.line_no, c.id, c.issued_at, CASE WHEN c.status = 'ISSUED' THEN c.quantity ELSE 0 END, false
          FROM call_offs c
          JOIN dispatch_lines l ON l.plan_id = c.plan_id AND l.source_kind <> 'STORE' AND l.agreement_id = c.agreement_id
                               AND l.item_id = c.item_id AND l.destination_idx = c.destination_idx
         WHERE c.plan_id IN (${ids})
        UNION ALL
        SELECT l.plan_id, l.line_no, c.id, doc.occurred_at, mv.quantity, true
          FROM call_offs c
          JOIN dispatch_lines l ON l.plan_id = c.plan_id AND l.source_kind <> 'STORE' AND l.agreement_id = c.agreement_id
                               AND l.item_id = c.item_id AND l.destination_idx = c.destination_idx
          JOIN documents doc ON doc.id = c.receipt_document_id
          JOIN movements mv ON mv.document_id = doc.id
         WHERE c.plan_id IN (${ids}) AND ${receivedOnHand}`,
  );
  const lines = new Map<string, LineDelivery>();
  for (const r of rows) {
    const planId = String(r.plan_id);
    const lineNo = Number(r.line_no);
    // A call-off's id is derived from its plan line (executeDispatchPlan): it picks the line the call-off was issued for.
    if (r.call_off_id !== null && r.call_off_id !== stableId('call-off', `${planId}/${lineNo}`)) continue;
    const key = `${planId}|${lineNo}`;
    const line = lines.get(key) ?? lines.set(key, { planId, lineNo, receipts: [], onTheWay: 0, leftAt: null }).get(key)!;
    const at = new Date(r.at as string);
    const quantity = Number(r.quantity);
    if (r.receipt === true || r.receipt === 't') line.receipts.push({ occurredAt: at, quantity });
    else if (quantity > 0) {
      line.onTheWay += quantity;
      if (!line.leftAt || at > line.leftAt) line.leftAt = at;
    }
  }
  return [...lines.values()];
}

/** When a plan line arrives (D28), and whether all of it does. */
export interface LineArrival {
  at: Date;
  /** Received: the time comes from its receipts at the 安置点, not from the plan. */
  received: boolean;
  /** All of the line's quantity arrived (or, not yet received, is on its way or planned to be). */
  complete: boolean;
  /** Something of it arrived or is on its way (or, not yet executed, is planned to be): it counts for a first batch (D16). */
  arriving: boolean;
}

/** What an executed line without receipts or shipments shows: nothing arrived, nothing on its way. */
export const NOTHING_DELIVERED: Pick<LineDelivery, 'receipts' | 'onTheWay' | 'leftAt'> = { receipts: [], onTheWay: 0, leftAt: null };

/**
 * D28: a line arrives when its 安置点 has received all of it — the occurredAt of the receipt that completed its quantity,
 * as basicNeedsLines counts the incident's receipts. Not executed (`delivery` null): planned, `start` (now) + ETA.
 * Executed and not yet all received:
 * - something on its way: when its latest shipment left + ETA (execution time for the first; a 补发 leaves later); all
 *   of it arrives only if the rest is on its way too;
 * - nothing on its way, some received (the rest lost, damaged or cancelled): its last receipt, short;
 * - nothing received nor on its way (its shipment cancelled and not yet re-shipped, or its call-off cancelled): it is not
 *   arriving — at the earliest, re-shipped now, `now` + ETA — never at the time planned, and never met.
 */
export function lineArrival(
  delivery: Pick<LineDelivery, 'receipts' | 'onTheWay' | 'leftAt'> | null,
  quantity: number,
  etaHours: number,
  start: Date,
  now: Date,
): LineArrival {
  if (!delivery) return { at: arrivalAt(start, etaHours), received: false, complete: true, arriving: true };
  const inOrder = [...delivery.receipts].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  let received = 0;
  for (const r of inOrder) {
    received += r.quantity;
    if (received >= quantity) return { at: r.occurredAt, received: true, complete: true, arriving: true };
  }
  if (delivery.onTheWay > 0 && delivery.leftAt) {
    return { at: arrivalAt(delivery.leftAt, etaHours), received: false, complete: received + delivery.onTheWay >= quantity, arriving: true };
  }
  const last = inOrder.at(-1);
  if (last) return { at: last.occurredAt, received: true, complete: false, arriving: true };
  return { at: arrivalAt(now, etaHours), received: false, complete: false, arriving: false };
}

/** D28: the line's whole quantity arrives (or arrived) by occurredAt + 10 h — what basicNeedsMet asks of its 安置点. */
export const lineMeetsBasicNeedsTarget = (arrival: LineArrival, occurredAt: Date) => arrival.complete && meetsBasicNeedsTarget(arrival.at, occurredAt);

export interface BasicNeedsLine {
  storeId: string;
  itemId: string;
  requested: number;
  receivedByDeadline: number;
  received: number;
}

/**
 * D28: per 安置点 (a plan destination's store) and item, what its plans requested and what was actually received there —
 * by the 10-hour deadline and in all — from shipments of the incident's plans and call-off deliveries for the incident.
 */
export async function basicNeedsLines(db: Db, incidentId: string, deadline: Date): Promise<BasicNeedsLine[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`WITH plans AS (SELECT id FROM dispatch_plans WHERE incident_id = ${incidentId}::uuid AND status <> 'CANCELLED'),
             -- D28 (sweep 24a F6): a plan's shortage asked for again counts once (incidentDemandSql).
             wanted AS (SELECT store_id, item_id, requested FROM (${incidentDemandSql(incidentId)}) dm WHERE store_id IS NOT NULL),
             got AS (SELECT mv.store_id, mv.item_id, sum(mv.quantity) AS received,
                            COALESCE(sum(mv.quantity) FILTER (WHERE doc.occurred_at <= ${deadline.toISOString()}::timestamptz), 0) AS by_deadline
                       FROM movements mv JOIN documents doc ON doc.id = mv.document_id
                       LEFT JOIN transfers t ON t.id = doc.transfer_id
                      WHERE ${receivedOnHand}
                        AND ((doc.type = 'TRANSFER_IN' AND t.dispatch_plan_id IN (SELECT id FROM plans))
                          OR (doc.type = 'RECEIPT' AND doc.incident_id = ${incidentId}::uuid))
                      GROUP BY 1, 2)
        SELECT w.store_id, w.item_id, w.requested, COALESCE(g.received, 0) AS received, COALESCE(g.by_deadline, 0) AS by_deadline
          FROM wanted w LEFT JOIN got g ON g.store_id = w.store_id AND g.item_id = w.item_id
         ORDER BY w.store_id, w.item_id`,
  );
  return rows.map((r) => ({
    storeId: String(r.store_id),
    itemId: String(r.item_id),
    requested: Number(r.requested),
    received: Number(r.received),
    receivedByDeadline: Number(r.by_deadline),
  }));
}

/** D28: met when something was requested and every requested quantity was received at its 安置点 by the deadline. */
export const basicNeedsMet = (lines: readonly BasicNeedsLine[]) => lines.length > 0 && lines.every((l) => l.receivedByDeadline >= l.requested);
