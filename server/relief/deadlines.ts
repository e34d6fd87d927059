import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { levelOfCode } from '../regions/codes.ts';
import { stableId } from '../ids.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';

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

/** One receipt of a plan line's goods at its 安置点. */
export interface LineReceipt {
  planId: string;
  lineNo: number;
  occurredAt: Date;
  quantity: number;
  /** Nothing of the line's shipment is still on its way (the rest, if any, was reported lost or damaged, or cancelled). */
  settled: boolean;
}

/**
 * D28: every receipt of the plans' lines at their 安置点 (one statement for any number of plans): a store line's by its
 * shipment (调拨入库 of the line's transfer and batch), an agreement or capacity line's by its call-off's delivery.
 */
export async function receiptsOfPlanLines(db: Db, planIds: readonly string[]): Promise<LineReceipt[]> {
  if (!planIds.length) return [];
  const ids = uuidList(planIds);
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`SELECT l.plan_id, l.line_no, NULL::uuid AS call_off_id, doc.occurred_at, mv.quantity,
               tl.shipped - tl.received - tl.lost - tl.cancelled - tl.disputed = 0 AS settled
          FROM dispatch_lines l
          JOIN documents doc ON doc.transfer_id = l.transfer_id AND doc.type = 'TRANSFER_IN'
          JOIN movements mv ON mv.document_id = doc.id AND mv.batch_id = l.batch_id
          JOIN transfer_lines tl ON tl.transfer_id = l.transfer_id AND tl.batch_id = l.batch_id
         WHERE l.plan_id IN (${ids}) AND l.source_kind = 'STORE' AND ${receivedOnHand}
        UNION ALL
        SELECT l.plan_id, l.line_no, c.id, doc.occurred_at, mv.quantity, true
          FROM call_offs c
          JOIN dispatch_lines l ON l.plan_id = c.plan_id AND l.source_kind <> 'STORE' AND l.agreement_id = c.agreement_id
                               AND l.item_id = c.item_id AND l.destination_idx = c.destination_idx
          JOIN documents doc ON doc.id = c.receipt_document_id
          JOIN movements mv ON mv.document_id = doc.id
         WHERE c.plan_id IN (${ids}) AND ${receivedOnHand}`,
  );
  return (
    rows
      // A call-off's id is derived from its plan line (executeDispatchPlan): it picks the line the call-off was issued for.
      .filter((r) => r.call_off_id === null || r.call_off_id === stableId('call-off', `${String(r.plan_id)}/${Number(r.line_no)}`))
      .map((r) => ({
        planId: String(r.plan_id),
        lineNo: Number(r.line_no),
        occurredAt: new Date(r.occurred_at as string),
        quantity: Number(r.quantity),
        settled: r.settled === true || r.settled === 't',
      }))
  );
}

/** When a plan line arrives (D28), and whether all of it did. */
export interface LineArrival {
  at: Date;
  /** Received: the time comes from its receipts at the 安置点, not from the plan. */
  received: boolean;
  /** All of the line's quantity arrived (or, not yet received, is planned to). */
  complete: boolean;
}

/**
 * D28: a line arrives when its 安置点 has received all of it — the occurredAt of the receipt that completed its quantity,
 * as basicNeedsLines counts the incident's receipts. Received short with nothing more on its way: its last receipt,
 * short. Not yet received (or only in part, the rest still on its way): the planned estimate, execution time + ETA.
 */
export function lineArrival(receipts: readonly Pick<LineReceipt, 'occurredAt' | 'quantity' | 'settled'>[], quantity: number, planned: Date): LineArrival {
  const inOrder = [...receipts].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  let received = 0;
  for (const r of inOrder) {
    received += r.quantity;
    if (received >= quantity) return { at: r.occurredAt, received: true, complete: true };
  }
  const last = inOrder.at(-1);
  if (last && inOrder.some((r) => r.settled)) return { at: last.occurredAt, received: true, complete: false };
  return { at: planned, received: false, complete: true };
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
             wanted AS (SELECT d.store_id, m.item_id, sum(m.quantity) AS requested
                          FROM dispatch_demands m JOIN dispatch_destinations d ON d.plan_id = m.plan_id AND d.idx = m.destination_idx
                         WHERE m.plan_id IN (SELECT id FROM plans) AND d.store_id IS NOT NULL GROUP BY 1, 2),
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
