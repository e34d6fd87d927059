import { and, count, desc, eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { incidents } from '../../drizzle/schema/index.ts';
import { type Principal } from '../auth/principal.ts';
import { chinaIso, chinaTextsApart, EARLIEST_BUSINESS_DAY, earliestBusinessTime } from '../clock.ts';
import { assertActsOnIncident, assertMaySetTravelTime, incidentsInScope, worksForIncident } from '../auth/policy.ts';
import { policyLookupsThrough } from '../auth/lookups.ts';
import { createLoaders } from '../loaders.ts';
import { badInput, invalidState, notFound } from '../errors.ts';
import { getStoreRow } from '../stores/service.ts';
import { pageRequest, toPage, type PageArgs } from '../pagination.ts';
import { getRegion, getRegionInScope, inRegionSubtree } from '../regions/service.ts';
import { assertInRegion, latitude, longitude } from '../regions/location.ts';
import { uuidArg, validate } from '../validation.ts';
import type { ServiceContext } from '../context.ts';
import { isFromHouseholds } from '../relief/household-returns.ts';
import { claimCreateKey } from '../inventory/idempotency.ts';
import { idempotencyKeySchema } from '../inventory/common.ts';
import { incidentDemandSql } from './demand.ts';

export type IncidentRow = typeof incidents.$inferSelect;

/**
 * D29: an incident that is closed takes no more 安置点, dispatch requests, plan approvals or executions, or distributions
 * (recovery goes on).
 */
export function assertIncidentOpen(incident: IncidentRow, field = 'input.incidentId') {
  if (incident.closedAt) {
    throw invalidState(`事件「${incident.name}」已结束，不能再开设安置点、申请或执行调度、发放`, { field, closedAt: chinaIso(incident.closedAt) });
  }
}

/**
 * D28, D29: what is done for an incident — a distribution to its households — happens after the disaster: a time
 * before the incident's occurredAt is refused at `field`, both times said in China time.
 */
export function assertNotBeforeIncident(incident: IncidentRow, at: Date, what: string, field = 'input.occurredAt') {
  if (at.getTime() >= incident.occurredAt.getTime()) return;
  const china = chinaTextsApart(at, incident.occurredAt);
  throw badInput(field, `${what}时间 ${china(at)} 早于事件「${incident.name}」的发生时间 ${china(incident.occurredAt)}（北京时间），不能登记在灾前`, {
    incidentOccurredAt: chinaIso(incident.occurredAt),
  });
}

/**
 * The incident, locked for the rest of the transaction and refused when closed. A plan being requested, approved or
 * executed takes it FOR SHARE (plans do not wait for each other); closeIncident takes it FOR NO KEY UPDATE. So a close
 * and a plan's step take turns, and no plan moves on after its incident closed.
 */
export async function lockOpenIncident(tx: Db, incidentId: string, strength: 'share' | 'no key update', field?: string): Promise<IncidentRow> {
  const [row] = await tx.select().from(incidents).where(eq(incidents.id, incidentId)).for(strength);
  if (!row) throw notFound(field ?? 'incidentId', '事件', incidentId);
  assertIncidentOpen(row, field);
  return row;
}

const incidentSchema = z.object({
  name: z.string().trim().min(2, '事件名称至少 2 个字').max(128),
  type: z.enum(['FLOOD', 'EARTHQUAKE', 'FOREST_FIRE', 'MINE_ACCIDENT', 'FIRE', 'OTHER']),
  occurredAt: z.any().optional(),
  regionCode: z.string(),
  location: z.object({
    lat: latitude,
    lng: longitude,
  }),
  // A county's or city's disaster; 1 亿 is beyond any (2008's snowstorms: about 1 亿 over 20 provinces). Unbounded, 2^31 − 1
  // people made the suggested demand overflow and took the incidents list down with it (sweep 9a F3).
  affectedPopulation: z.number().int().min(0, '受灾人口不能为负').max(100_000_000, '受灾人口不超过 1 亿').nullish(),
  responseLevel: z.number().int().min(1, '响应级别为 1–4（Ⅰ–Ⅳ级）').max(4, '响应级别为 1–4（Ⅰ–Ⅳ级）').nullish(),
  // Sweep 23c F3: optional (API.md asks it of stock mutations only); given, 创建 retried after a lost answer is one incident.
  idempotencyKey: idempotencyKeySchema.nullish(),
});

/**
 * D28: the 10-hour clock, every plan's hours since the disaster and the incident's elapsed time run from occurredAt, so
 * a mistyped year (1900-01-01: a million hours "since the disaster") would make every figure of the response absurd:
 * refused before EARLIEST_BUSINESS_DAY, the ledger's floor (clock.ts). (A time in the future beyond a minute of clock
 * skew is refused as well, in createIncident.)
 */
function assertPlausibleOccurrence(occurredAt: Date): void {
  const earliest = earliestBusinessTime();
  if (occurredAt.getTime() >= earliest.getTime()) return;
  throw badInput('input.occurredAt', `事件发生时间不能早于 ${EARLIEST_BUSINESS_DAY}（北京时间）：请核对日期`, {
    value: chinaIso(occurredAt),
    earliest: chinaIso(earliest),
  });
}

/** Headquarters (dispatchers, administrators) open incidents in their region. */
export async function createIncident(ctx: ServiceContext, input: unknown): Promise<IncidentRow> {
  const { db, actor: user, clock } = ctx;
  const v = validate(incidentSchema, input);
  const region = await getRegionInScope(db, user, v.regionCode, 'input.regionCode');
  assertInRegion(region, v.location, 'input.location.lat');
  const now = clock.now();
  const occurredAt = v.occurredAt ? (v.occurredAt as { toJSDate(): Date; toMillis(): number }) : now;
  if (occurredAt.toMillis() > now.toMillis() + 60_000) throw badInput('input.occurredAt', '事件发生时间不能晚于当前时间');
  assertPlausibleOccurrence(occurredAt.toJSDate());
  // Sweep 23c F3 (D28: a second copy of one disaster splits its 安置点, plans and 10-hour clock): with a key, the
  // same key and input answer the incident first created (audited REPLAYED), other input IDEMPOTENCY_CONFLICT — the
  // stock mutations' mechanism (server/inventory/idempotency.ts), claimed in this mutation's transaction.
  const { id, first } = await claimCreateKey(db, 'incident', {
    kind: 'createIncident',
    actorId: user.id,
    key: v.idempotencyKey,
    input: v,
    resultName: 'incidentId',
    at: now.toJSDate(),
  });
  if (first) return getIncident(db, first);
  const [row] = await db
    .insert(incidents)
    .values({
      ...(id && { id }),
      name: v.name,
      type: v.type,
      occurredAt: occurredAt.toJSDate(),
      regionCode: region.code,
      lat: v.location.lat,
      lng: v.location.lng,
      affectedPopulation: v.affectedPopulation ?? null,
      responseLevel: v.responseLevel ?? null,
      createdBy: user.id,
      createdAt: now.toJSDate(),
    })
    .returning();
  return row;
}

/** The incident as a whole (to plan, report or act for it): NOT_FOUND, or FORBIDDEN outside the principal's region. */
export async function getIncidentInScope(db: Db, user: Principal, id: string, field = 'id', what = '该事件'): Promise<IncidentRow> {
  const row = await getIncident(db, id, field);
  // Sweep 21b F5: one who reads it from within (a township's dispatcher, the county's flood) is told whose it is.
  assertActsOnIncident(user, row, what, field);
  return row;
}

/**
 * D23, D28: the incident a receipt, an issue, an outbound order or a distribution is booked against (or a list of
 * distributions is filtered by) — whose figures
 * (物资收支, 已发放) then count it. One the caller does not work for (worksForIncident) is refused — FORBIDDEN, as
 * incident(id:) answers it (API.md: out of scope; sweep 9a F1: it said 事件不存在 of one the next screen shows) —
 * before anything that would tell more of it (sweep 7b H1: 卫辉's keeper booked an issue into 晋城's incident).
 * Whether a closed one is taken is the caller's (assertIncidentOpen).
 */
export async function referencedIncident(db: Db, user: Principal, incidentId: string, field = 'input.incidentId'): Promise<IncidentRow> {
  const row = await getIncident(db, incidentId, field);
  // Sweep 21b F5: reading it is not working for it — one who reads it from within is refused, told whose it is.
  if (!(await worksForIncident(user, row, policyLookupsThrough(createLoaders(db))))) assertActsOnIncident(user, row, '该事件', field);
  return row;
}

/** An incident by id (NOT_FOUND); who may read it is the policy's (mayRead.incident), asked where it is returned. */
export async function getIncident(db: Db, id: string, field = 'id'): Promise<IncidentRow> {
  uuidArg(id, field, '事件');
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id));
  if (!row) throw notFound(field, '事件', id);
  return row;
}

/** Incidents in a region subtree (in scope; a keeper's: policy incidentsInScope), newest first. */
export async function listIncidents(ctx: ServiceContext, regionCode: string | null | undefined, page: PageArgs) {
  const { db, actor: user } = ctx;
  const req = pageRequest(page, 'incidents', ['timestamp', 'uuid']);
  const where: (SQL | undefined)[] = [];
  if (regionCode) {
    // Keepers filter by any region (regions are reference data); what they see is their incidents within it.
    const region = user.role === 'KEEPER' ? await getRegion(db, regionCode) : await getRegionInScope(db, user, regionCode);
    where.push(inRegionSubtree(incidents.regionCode, region.code));
  }
  where.push(incidentsInScope(user, incidents));
  const [afterAt, afterId] = (req.after ?? []) as string[];
  const after = req.after ? sql`(${incidents.occurredAt}, ${incidents.id}) < (${afterAt}::timestamptz, ${afterId}::uuid)` : undefined;
  const rows = await db
    .select()
    .from(incidents)
    .where(and(...where, after))
    .orderBy(desc(incidents.occurredAt), desc(incidents.id))
    .limit(req.limit + 1);
  return toPage(
    rows,
    req,
    (i) => [i.occurredAt.toISOString(), i.id],
    async () => {
      const [r] = await db
        .select({ n: count() })
        .from(incidents)
        .where(and(...where));
      return r.n;
    },
  );
}

export interface IncidentItemBalance {
  incidentId: string;
  itemId: string;
  requested: number;
  planned: number;
  // The way to the 安置点 (the plans' shipments, 补发 included, and call-offs): shipped = received + inTransit + lostInTransit + cancelled.
  shipped: number;
  cancelled: number;
  lostInTransit: number;
  inTransit: number;
  /** Of inTransit: declared short on receipt, awaiting its write-off (D27) — TransferLine.pendingWriteOff summed. */
  pendingWriteOff: number;
  received: number;
  // At the 安置点: received + otherIn + returnedByHouseholds − distributed − recovered − scrapped − writtenOff − otherOut = atPoints.
  otherIn: number;
  returnedByHouseholds: number;
  distributed: number;
  /**
   * D22, D29 (sweep 23b F5): handed out at a 安置点 and then reversed by an approved 冲销单 — in none of the sums
   * (`distributed` counts the distributions that stand), shown beside them so that what was recorded and cancelled is seen.
   */
  distributedReversed: number;
  /** How many reversed distributions (their issues, 出库单) carried this item. */
  distributionsReversed: number;
  recovered: number;
  scrapped: number;
  writtenOff: number;
  otherOut: number;
  atPoints: number;
  /**
   * Of atPoints: counted damaged or lost at the point and awaiting the scrap or write-off approval (D27) — not a shortage
   * declared on receipt, which never reached the point (pendingWriteOff, of inTransit: sweep 25c F1).
   */
  pendingAtPoints: number;
  // With households: distributed − returnedByHouseholds − lostAtHouseholds = withHouseholds.
  lostAtHouseholds: number;
  withHouseholds: number;
  /** Of withHouseholds: counted lost at households and awaiting the write-off approval (D27). */
  pendingLostAtHouseholds: number;
  /** Issued for the incident straight from a reserve store (an issue citing it, sweep 7b H1), not through a 安置点. */
  issuedFromStores: number;
}

/**
 * D12, D18, D22, D27, D28, D30 (sweep 20c F3): per item, the incident's 物资收支 — each row adds up three ways.
 *
 * - The way there: what the incident's plans shipped to its 安置点 (every shipment citing a plan: execution's and each
 *   补发; a call-off counts the quantity called off from the company) is received, still in transit (of which
 *   `pendingWriteOff`: declared short, awaiting approval), lost in transit and written off, or cancelled (a call-off's
 *   undelivered rest released): shipped = received + inTransit + lostInTransit + cancelled — the plans' transfer lines
 *   and call-offs summed, as each transfer line adds up.
 * - At the 安置点 (the incident's points, their ledger — movements whose documents stand, D22): what was received, what
 *   else came onto their books (`otherIn`: a transfer or receipt outside the plans, a stocktake gain) and what households
 *   handed back (`returnedByHouseholds`, received back at the point: counted here once; what then goes back to a store
 *   is in `recovered` with the rest) less what was handed out there (`distributed`), booked back into stores
 *   (`recovered`), scrapped or written off on approval, or moved out otherwise (`otherOut`: a transfer out, net of its
 *   cancellation; a stocktake loss) is what the points still hold (`atPoints`, of which `pendingAtPoints` is counted
 *   damaged or lost and awaits its approval).
 * - With households: what was handed out less what they handed back and what they lost (written off on approval) is
 *   still with them (consumed items for good; of it `pendingLostAtHouseholds` is counted lost, awaiting approval).
 *
 * `issuedFromStores`: issues citing the incident from a reserve store (not a 安置点), which no row above contains.
 * `distributedReversed` / `distributionsReversed` (D22, sweep 23b F5): what was handed out at the points and reversed
 * (its issue REVERSED by an approved 冲销单) — beside `distributed`, in none of the sums: a reversed issue and its
 * reversal count neither way, so the net figures stand unchanged, and an auditor still sees what was recorded and cancelled.
 */
export async function incidentBalance(db: Db, incidentId: string): Promise<IncidentItemBalance[]> {
  const households = isFromHouseholds(sql`d`);
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`WITH plans AS (SELECT id FROM dispatch_plans WHERE incident_id = ${incidentId}::uuid AND status <> 'CANCELLED'),
             points AS (SELECT id FROM stores WHERE incident_id = ${incidentId}::uuid AND kind = 'DISTRIBUTION_POINT'),
             -- D28 (sweep 24a F6): a plan's shortage asked for again counts once (incidentDemandSql, as basicNeeds).
             requested AS (SELECT item_id, sum(requested) q FROM (${incidentDemandSql(incidentId)}) dm GROUP BY 1),
             -- D25: a line whose jurisdiction refused its consent is not planned.
             planned AS (SELECT item_id, sum(quantity) q FROM dispatch_lines l WHERE plan_id IN (SELECT id FROM plans)
                            AND NOT (l.needs_consent AND EXISTS (SELECT 1 FROM approvals a WHERE a.subject_id = l.plan_id
                                     AND a.kind = 'CROSS_REGION_USE' AND a.status = 'REJECTED' AND a.payload->'lineNos' @> to_jsonb(l.line_no)))
                          GROUP BY 1),
             -- D14, D27: every shipment citing a plan (补发 included), line by line: shipped = received + lost + cancelled + in transit.
             moved AS (SELECT l.item_id, sum(l.shipped) shipped, sum(l.received) received, sum(l.lost) lost,
                              sum(l.cancelled) cancelled, sum(l.disputed) disputed
                         FROM transfer_lines l JOIN transfers t ON t.id = l.transfer_id
                        WHERE t.dispatch_plan_id IN (SELECT id FROM plans) GROUP BY 1),
             -- D17: a call-off is on its way until delivered; a part delivery releases the rest, a cancellation all of it.
             called AS (SELECT item_id, sum(quantity) shipped,
                               COALESCE(sum(delivered_quantity) FILTER (WHERE status = 'DELIVERED'), 0) received,
                               COALESCE(sum(quantity) FILTER (WHERE status = 'ISSUED'), 0) in_transit,
                               COALESCE(sum(quantity - delivered_quantity) FILTER (WHERE status = 'DELIVERED'), 0)
                                 + COALESCE(sum(quantity) FILTER (WHERE status = 'CANCELLED'), 0) cancelled
                          FROM call_offs WHERE plan_id IN (SELECT id FROM plans) GROUP BY 1),
             -- What came onto a point's books as the plans' delivery: a plan shipment's receipt, a call-off's.
             supplied AS (SELECT d.id FROM documents d JOIN transfers t ON t.id = d.transfer_id
                           WHERE d.type = 'TRANSFER_IN' AND t.dispatch_plan_id IN (SELECT id FROM plans)
                          UNION SELECT receipt_document_id FROM call_offs WHERE plan_id IN (SELECT id FROM plans) AND receipt_document_id IS NOT NULL),
             -- D22: a movement counts while its document stands (a reversal and what it reverses count neither).
             at_points AS (
               SELECT m.item_id, sum(m.quantity) on_hand,
                      sum(m.quantity) FILTER (WHERE m.quantity > 0 AND m.type <> 'TRANSFER_CANCEL' AND NOT ${households}
                                                AND d.id NOT IN (SELECT id FROM supplied)) other_in,
                      sum(m.quantity) FILTER (WHERE m.type = 'RECEIPT' AND ${households}) returned_by_households,
                      -sum(m.quantity) FILTER (WHERE m.type = 'ISSUE') distributed,
                      -sum(m.quantity) FILTER (WHERE m.type = 'RECOVERY') recovered,
                      -sum(m.quantity) FILTER (WHERE m.type = 'SCRAP') scrapped,
                      -sum(m.quantity) FILTER (WHERE m.type = 'WRITE_OFF' AND NOT ${households}) written_off,
                      -- what households lost: a write-off at the point netting to zero there (household-returns.ts)
                      -sum(m.quantity) FILTER (WHERE m.type = 'WRITE_OFF' AND ${households} AND m.quantity < 0) lost_at_households,
                      -sum(m.quantity) FILTER (WHERE m.type = 'TRANSFER_CANCEL'
                                                  OR (m.quantity < 0 AND m.type NOT IN ('ISSUE', 'RECOVERY', 'SCRAP', 'WRITE_OFF'))) other_out
                 FROM movements m JOIN documents d ON d.id = m.document_id
                WHERE m.store_id IN (SELECT id FROM points) AND m.bucket = 'ON_HAND' AND d.status = 'POSTED' AND d.type <> 'REVERSAL'
                GROUP BY 1),
             -- D27: counted damaged or lost at a point (or lost at households) and awaiting approval. Sweep 25c F1: not a
             -- shortage declared on receipt — its 核销单 is the point's document but its goods are in transit, never on the
             -- point's books (transfer_id set: holders.ts's rule); they are pendingWriteOff, of inTransit, only.
             pending AS (
               SELECT l.item_id, -sum(l.quantity) FILTER (WHERE NOT ${households}) at_points,
                      -sum(l.quantity) FILTER (WHERE ${households}) at_households
                 FROM documents d JOIN document_lines l ON l.document_id = d.id
                WHERE d.store_id IN (SELECT id FROM points) AND d.status = 'PENDING_APPROVAL' AND d.type IN ('SCRAP', 'WRITE_OFF')
                  AND d.transfer_id IS NULL AND l.quantity < 0
                GROUP BY 1),
             -- D22 (sweep 23b F5): handed out at a point and reversed by an approved 冲销单 — shown, counted in no sum.
             reversed AS (
               SELECT m.item_id, -sum(m.quantity) q, count(DISTINCT d.id) n FROM movements m JOIN documents d ON d.id = m.document_id
                WHERE m.store_id IN (SELECT id FROM points) AND m.bucket = 'ON_HAND' AND m.type = 'ISSUE' AND d.status = 'REVERSED'
                GROUP BY 1),
             -- Sweep 7b H1: an issue from a reserve store citing the incident.
             direct AS (
               SELECT m.item_id, -sum(m.quantity) q FROM movements m JOIN documents d ON d.id = m.document_id
                WHERE d.incident_id = ${incidentId}::uuid AND m.type = 'ISSUE' AND m.store_id NOT IN (SELECT id FROM points)
                  AND d.status = 'POSTED' GROUP BY 1)
        SELECT i.item_id, COALESCE(r.q, 0) requested, COALESCE(p.q, 0) planned,
               COALESCE(mv.shipped, 0) + COALESCE(co.shipped, 0) shipped, COALESCE(mv.cancelled, 0) + COALESCE(co.cancelled, 0) cancelled,
               COALESCE(mv.lost, 0) lost_in_transit,
               COALESCE(mv.shipped - mv.received - mv.lost - mv.cancelled, 0) + COALESCE(co.in_transit, 0) in_transit,
               COALESCE(mv.disputed, 0) pending_write_off, COALESCE(mv.received, 0) + COALESCE(co.received, 0) received,
               COALESCE(ap.other_in, 0) other_in, COALESCE(ap.returned_by_households, 0) returned_by_households,
               COALESCE(ap.distributed, 0) distributed, COALESCE(ap.recovered, 0) recovered, COALESCE(ap.scrapped, 0) scrapped,
               COALESCE(ap.written_off, 0) written_off, COALESCE(ap.other_out, 0) other_out, COALESCE(ap.on_hand, 0) at_points,
               COALESCE(pd.at_points, 0) pending_at_points, COALESCE(ap.lost_at_households, 0) lost_at_households,
               COALESCE(pd.at_households, 0) pending_lost_at_households, COALESCE(dr.q, 0) issued_from_stores,
               COALESCE(rv.q, 0) distributed_reversed, COALESCE(rv.n, 0) distributions_reversed
          FROM (SELECT item_id FROM requested UNION SELECT item_id FROM moved UNION SELECT item_id FROM called
                UNION SELECT item_id FROM at_points UNION SELECT item_id FROM pending UNION SELECT item_id FROM direct
                UNION SELECT item_id FROM reversed) i
          LEFT JOIN requested r USING (item_id) LEFT JOIN planned p USING (item_id) LEFT JOIN moved mv USING (item_id)
          LEFT JOIN called co USING (item_id) LEFT JOIN at_points ap USING (item_id) LEFT JOIN pending pd USING (item_id)
          LEFT JOIN direct dr USING (item_id) LEFT JOIN reversed rv USING (item_id)
         ORDER BY i.item_id`,
  );
  return rows.map((r) => {
    const n = (k: string) => Number(r[k]);
    const distributed = n('distributed');
    const returnedByHouseholds = n('returned_by_households');
    const lostAtHouseholds = n('lost_at_households');
    return {
      incidentId,
      itemId: String(r.item_id),
      requested: n('requested'),
      planned: n('planned'),
      shipped: n('shipped'),
      cancelled: n('cancelled'),
      lostInTransit: n('lost_in_transit'),
      inTransit: n('in_transit'),
      pendingWriteOff: n('pending_write_off'),
      received: n('received'),
      otherIn: n('other_in'),
      returnedByHouseholds,
      distributed,
      distributedReversed: n('distributed_reversed'),
      distributionsReversed: n('distributions_reversed'),
      recovered: n('recovered'),
      scrapped: n('scrapped'),
      writtenOff: n('written_off'),
      otherOut: n('other_out'),
      atPoints: n('at_points'),
      pendingAtPoints: n('pending_at_points'),
      lostAtHouseholds,
      withHouseholds: distributed - returnedByHouseholds - lostAtHouseholds,
      pendingLostAtHouseholds: n('pending_lost_at_households'),
      issuedFromStores: n('issued_from_stores'),
    };
  });
}

/** DESIGN: an optional travel time from a store to a region overrides the distance estimate; both in the setter's scope. */
export async function setTravelTime(ctx: ServiceContext, input: { storeId: string; regionCode: string; hours: number }) {
  const { db, actor: user } = ctx;
  const store = await getStoreRow(db, input.storeId, 'storeId');
  const region = await getRegion(db, input.regionCode);
  assertMaySetTravelTime(user, store, region);
  if (!(input.hours > 0 && input.hours < 240)) throw badInput('hours', `路程时间须大于 0 且小于 240 小时（收到 ${input.hours}）`);
  await queryRows(
    db,
    sql`INSERT INTO travel_times (store_id, region_code, hours) VALUES (${store.id}::uuid, ${region.code}, ${input.hours})
        ON CONFLICT (store_id, region_code) DO UPDATE SET hours = excluded.hours RETURNING store_id`,
  );
  return { storeId: store.id, regionCode: region.code, hours: input.hours };
}
