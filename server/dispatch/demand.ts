import { sql, type SQL } from 'drizzle-orm';

/**
 * D28 (sweep 24a F6): what an incident's plans requested, per 安置点 (the destination's store) and item — the one sum
 * behind the incident's `basicNeeds` (relief/deadlines.ts) and its 物资收支 `requested` (incidents.ts, the export).
 * A plan's unplanned remainder — its shortage, a line whose jurisdiction refused its consent among it (D25) — asked
 * for again by a later plan for the same 安置点 and item is the same need, not a new one: counted against what was
 * requested once, as a 补发 is (README). Summed plan by plan, the refused 570 of 900 tents, re-requested, made the
 * need 1,470 and `basicNeedsMet` could never come true. So, the plans of a 安置点 and item taken in the order requested
 * (live plans only, as before: a cancelled plan requested nothing), the need is the largest of (what the earlier plans
 * planned + what this plan requested): a later request first makes good what the earlier ones left unplanned, and only
 * what it asks beyond that is new need (900 planned in full, then 1,000 more: 1,900). A destination without a store
 * (none is persisted so today) counts on its own. Rows: store_id (null for such a destination), item_id, requested.
 */
export const incidentDemandSql = (incidentId: SQL | string): SQL =>
  sql`SELECT store_id, item_id, max(earlier + requested)::bigint AS requested FROM (
        SELECT d.store_id, m.item_id, m.quantity AS requested,
               COALESCE(d.store_id::text, m.plan_id::text || '/' || m.destination_idx::text) AS point,
               COALESCE(sum(LEAST(COALESCE(pl.q, 0), m.quantity)) OVER (
                 PARTITION BY COALESCE(d.store_id::text, m.plan_id::text || '/' || m.destination_idx::text), m.item_id
                 ORDER BY p.requested_at, p.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS earlier
          FROM dispatch_demands m
          JOIN dispatch_plans p ON p.id = m.plan_id
          JOIN dispatch_destinations d ON d.plan_id = m.plan_id AND d.idx = m.destination_idx
          LEFT JOIN LATERAL (
            -- D25: a line whose jurisdiction refused its consent is not planned (as loadPlan's shortages count it).
            SELECT sum(l.quantity) AS q FROM dispatch_lines l
             WHERE l.plan_id = m.plan_id AND l.destination_idx = m.destination_idx AND l.item_id = m.item_id
               AND NOT (l.needs_consent AND EXISTS (SELECT 1 FROM approvals a WHERE a.subject_id = l.plan_id
                        AND a.kind = 'CROSS_REGION_USE' AND a.status = 'REJECTED' AND a.payload->'lineNos' @> to_jsonb(l.line_no)))) pl ON true
         WHERE p.incident_id = ${typeof incidentId === 'string' ? sql`${incidentId}::uuid` : incidentId} AND p.status <> 'CANCELLED') demand
       GROUP BY point, store_id, item_id`;
