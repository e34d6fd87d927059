import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { levelOfCode } from '../regions/codes.ts';

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
                      WHERE mv.bucket = 'ON_HAND' AND mv.quantity > 0 AND doc.status = 'POSTED'
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
