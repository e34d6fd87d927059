import { sql, type SQL } from 'drizzle-orm';
import { DomainError, invalidState } from '../errors.ts';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { expiredSql } from '../inventory/expiry.ts';
import { companyOwnedSql } from '../inventory/reserve-mode.ts';
import { linesOfAgreements, type EffectiveLine } from '../reserves/agreements.ts';
import { daysBetween } from '../reserves/rules.ts';
import { capacityWithin, type Source, type Validity } from './planner.ts';
import { quantityText } from '../inventory/common.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import { lockBalances } from '../inventory/posting.ts';
import { allocateFefo } from '../inventory/rules.ts';

/**
 * D25 (sweep 20a F1): stock or agreement reserve of another jurisdiction that an approved plan has asked for and
 * whose consent is still pending — by the store or company holding it, the item and the quantity. Such stock is
 * neither reserved nor promised before the consent (D25), yet the planner does not offer it to other plans: they would
 * be promised the same goods, and whichever consent came second would fail. A plan's shortage says what is held so.
 */
export interface HeldForConsent {
  itemId: string;
  name: string;
  quantity: number;
}

/**
 * Every source that could serve the items (D15, D17, D20: neighbours' stock is visible for dispatch):
 * available government batches at government and entrusted stores, agreement lines at min(committed, last counted),
 * and capacity lines less the production already ordered from them (D6/D17: `claimed`, taking the first days' output) —
 * located at the company's store, else at its region's centroid. Sources of every region: an
 * agreement or capacity reserve is its agreement's region's, and another jurisdiction's is used as its store stock is
 * (D25, consent.ts). D6, D17 (sweep 18a F6): agreements in force today, each with its validity, which the planner
 * reads — a capacity reserve's output only on days inside it (productionDays). D25 (sweep 20a F1): less what approved
 * plans await another jurisdiction's consent for (`held`, HeldForConsent) — read in the same queries, none added.
 */
export async function loadSources(db: Db, itemIds: string[], today: string): Promise<{ sources: Source[]; held: HeldForConsent[] }> {
  if (!itemIds.length) return { sources: [], held: [] };
  const ids = uuidList(itemIds);
  // D3, D6, D17, D23 (sweep 18a F14): a store source is government stock only. A company's own batch (协议储备, in its
  // 代储库 or anywhere) is the company's property — used only through its agreement's call-off, at its price — so it
  // is never planned as store stock: the one rule of what is company-owned (companyOwnedSql), as valuation, the stock
  // export, reserveGaps and neighbourStock read it. D25 (sweep 20a F1): `held` — what approved plans' lines of the batch
  // await their consent for (heldForConsentSql), not reserved, yet not offered again.
  const batches = await queryRows<Record<string, unknown>>(
    db,
    sql`WITH held AS (SELECT l.store_id, l.batch_id, sum(l.quantity)::bigint AS quantity
                        FROM dispatch_lines l JOIN dispatch_plans p ON p.id = l.plan_id
                       WHERE l.source_kind = 'STORE' AND l.item_id IN (${ids}) AND ${heldForConsentSql}
                       GROUP BY l.store_id, l.batch_id)
        SELECT bal.store_id, s.name AS store_name, s.region_code, s.lat, s.lng, bal.batch_id, b.batch_no, bal.item_id,
               bal.on_hand - bal.reserved AS available, COALESCE(h.quantity, 0) AS held,
               b.expiry_date::text AS expiry_date, b.received_at
          FROM balances bal JOIN stores s ON s.id = bal.store_id JOIN batches b ON b.id = bal.batch_id
          LEFT JOIN held h ON h.store_id = bal.store_id AND h.batch_id = bal.batch_id
         WHERE bal.item_id IN (${ids}) AND bal.on_hand > bal.reserved AND s.kind IN ('GOVERNMENT', 'ENTRUSTED')
           AND NOT ${companyOwnedSql(sql`b.reserve_mode`)}
           AND NOT ${expiredSql(sql`b.expiry_date`, today)} -- D26: expired batches are frozen, never planned
         ORDER BY bal.store_id, bal.batch_id`,
  );
  const held: HeldForConsent[] = [];
  const hold = (itemId: string, name: string, quantity: number) => {
    if (quantity <= 0) return;
    const seen = held.find((h) => h.itemId === itemId && h.name === name);
    if (seen) seen.quantity += quantity;
    else held.push({ itemId, name, quantity });
  };
  const sources: Source[] = batches.flatMap((r): Source[] => {
    const free = Number(r.available);
    const taken = Math.min(Number(r.held), free);
    hold(String(r.item_id), String(r.store_name), taken);
    if (free - taken <= 0) return [];
    return [
      {
        kind: 'STORE',
        storeId: String(r.store_id),
        storeName: String(r.store_name),
        regionCode: String(r.region_code),
        lat: Number(r.lat),
        lng: Number(r.lng),
        batchId: String(r.batch_id),
        batchNo: String(r.batch_no),
        itemId: String(r.item_id),
        available: free - taken,
        expiryDate: r.expiry_date === null ? null : String(r.expiry_date).slice(0, 10),
        receivedAt: new Date(r.received_at as string).toISOString(),
      },
    ];
  });
  const wanted = new Set(itemIds);
  const lines = (await reserveLinesInForce(db, today)).filter((l) => wanted.has(l.itemId));
  if (!lines.length) return { sources, held };
  const places = await queryRows<{ id: string; name: string; lat: number | null; lng: number | null }>(
    db,
    sql`SELECT a.id, o.name, COALESCE(s.lat, r.lat) AS lat, COALESCE(s.lng, r.lng) AS lng
          FROM agreements a JOIN organizations o ON o.id = a.company_org_id
          JOIN regions r ON r.code = a.region_code LEFT JOIN stores s ON s.id = a.store_id
         WHERE a.id IN (${uuidList([...new Set(lines.map((l) => l.agreementId))])})`,
  );
  const place = new Map(places.map((p) => [p.id, p]));
  // D25 (sweep 20a F1): what approved plans await consent for counts as claimed here (planning), not at approval.
  const claimed = await agreementClaims(db, null, { heldForConsent: true });
  for (const l of lines) {
    const p = place.get(l.agreementId)!;
    if (p.lat === null || p.lng === null) continue;
    const at = { lat: Number(p.lat), lng: Number(p.lng), agreementId: l.agreementId, companyName: p.name, itemId: l.itemId, validity: l.validity };
    const claim = claimed.get(`${l.agreementId}|${l.itemId}`);
    const available = l.effectiveQuantity - (claim?.quantity ?? 0);
    if (l.mode === 'AGREEMENT')
      hold(l.itemId, p.name, Math.min(claim?.held ?? 0, Math.max(l.effectiveQuantity - (claim ? claim.quantity - claim.held : 0), 0)));
    if (l.mode === 'AGREEMENT' && available > 0) {
      sources.push({ kind: 'AGREEMENT', ...at, available, responseHours: Number(l.responseHours ?? 24) });
    } else if (l.mode === 'CAPACITY' && l.dailyCapacity) {
      const claimedUnits = claim?.quantity ?? 0;
      hold(l.itemId, p.name, claim?.held ?? 0);
      sources.push({ kind: 'CAPACITY', ...at, dailyCapacity: l.dailyCapacity, leadDays: l.leadDays ?? 0, ...(claimedUnits ? { claimed: claimedUnits } : {}) });
    }
  }
  return { sources, held };
}

/**
 * D25 (sweep 20a F1): a dispatch line `l` of plan `p` held for its consent — the plan approved, the line asking another
 * jurisdiction, and its CROSS_REGION_USE request still pending. Not reserved or promised (D25); planning leaves it out.
 */
const heldForConsentSql = sql`p.status = 'APPROVED' AND l.needs_consent
  AND EXISTS (SELECT 1 FROM approvals a WHERE a.subject_id = p.id AND a.kind = 'CROSS_REGION_USE' AND a.status = 'PENDING'
                AND a.payload->'lineNos' @> to_jsonb(l.line_no))`;

/** The quantities of a plan's store lines per batch at their store (`${storeId}|${batchId}`), with their line numbers. */
const byBatch = (lines: readonly HoldingLine[]) => {
  const need = new Map<string, { storeId: string; batchId: string; itemId: string; quantity: number; lineNos: number[] }>();
  for (const l of lines) {
    if (l.sourceKind !== 'STORE' || !l.storeId || !l.batchId) continue;
    const k = `${l.storeId}|${l.batchId}`;
    const n = need.get(k) ?? { storeId: l.storeId, batchId: l.batchId, itemId: l.itemId, quantity: 0, lineNos: [] };
    n.quantity += l.quantity;
    n.lineNos.push(l.lineNo);
    need.set(k, n);
  }
  return need;
};

/** A plan line as the hold rule reads it (heldForConsentSql). */
export interface HoldingLine {
  lineNo: number;
  sourceKind: string;
  storeId: string | null;
  batchId: string | null;
  agreementId: string | null;
  itemId: string;
  quantity: number;
}

/**
 * D25 (sweep 24a F4): approving a plan reserves its own lines and holds those awaiting another jurisdiction's consent
 * (heldForConsentSql) — neither may take what another approved plan already holds for its pending consent. The planner
 * leaves such stock out (loadSources), but two plans proposed before either was approved were each offered it (a
 * proposed plan holds nothing); approved both, they claimed 9,900 of 5,000 and the second plan's consents could only
 * fail. As approval re-checks the stock it reserves (D14: a plan is approved with the stock it was generated from,
 * staleIfShort), it is refused INSUFFICIENT_STOCK — naming the store, item and the quantity held, never the other
 * plan's batch (D20) — rather than re-planned: the approver approves the plan as requested (D24), and the requester
 * plans again with what is left. The balance rows are locked first (store, batch order, as reserveStock locks them),
 * so two approvals decide one after the other, the second seeing the first's hold. Only a shortfall that another
 * plan's hold causes is refused here: stock simply gone is for reserveStock (own lines) and the consent (D25) to say.
 */
export async function assertNotHeldForOtherPlans(tx: Db, planId: string, lines: readonly HoldingLine[]): Promise<void> {
  const need = byBatch(lines);
  if (!need.size) return;
  const keys = [...need.values()].map((n) => ({ storeId: n.storeId, batchId: n.batchId }));
  const locked = await lockBalances(tx, { keys });
  const held = await queryRows<{ store_id: string; batch_id: string; quantity: number }>(
    tx,
    sql`SELECT l.store_id, l.batch_id, sum(l.quantity)::bigint AS quantity
          FROM dispatch_lines l JOIN dispatch_plans p ON p.id = l.plan_id
         WHERE p.id <> ${planId}::uuid AND l.source_kind = 'STORE' AND ${heldForConsentSql}
           AND (l.store_id, l.batch_id) IN (${sql.join(
             keys.map((k) => sql`(${k.storeId}::uuid, ${k.batchId}::uuid)`),
             sql`, `,
           )})
         GROUP BY l.store_id, l.batch_id`,
  );
  const heldAt = new Map(held.map((h) => [`${h.store_id}|${h.batch_id}`, Number(h.quantity)]));
  // Per store and item, as the requester planned them (the batches are the lender's to name, D20).
  const short = new Map<string, { storeId: string; itemId: string; lineNos: number[]; quantity: number; available: number; held: number }>();
  for (const [k, n] of need) {
    const b = locked.get(k);
    const taken = heldAt.get(k) ?? 0;
    const available = b ? b.onHand - b.reserved : 0;
    if (!taken || n.quantity <= available - taken) continue;
    const s = short.get(`${n.storeId}|${n.itemId}`) ?? { storeId: n.storeId, itemId: n.itemId, lineNos: [], quantity: 0, available: 0, held: 0 };
    s.lineNos.push(...n.lineNos);
    s.quantity += n.quantity;
    s.available += Math.max(available, 0);
    s.held += Math.min(taken, Math.max(available, 0));
    short.set(`${n.storeId}|${n.itemId}`, s);
  }
  const [first] = short.values();
  if (!first) return;
  const [names] = await queryRows<{ store: string; item: string; unit: string }>(
    tx,
    sql`SELECT s.name AS store, i.name AS item, i.unit FROM stores s, items i WHERE s.id = ${first.storeId}::uuid AND i.id = ${first.itemId}::uuid`,
  );
  const amount = (n: number) => quantityText(n, names?.unit);
  const lineNos = first.lineNos.sort((a, b) => a - b);
  throw new DomainError(
    'INSUFFICIENT_STOCK',
    `方案第 ${lineNos.join('、')} 行：${names?.store ?? ''}的「${names?.item ?? ''}」可用 ${amount(first.available)}，其中 ${amount(first.held)} 已由其他已批准的方案申请调用、正等待对方辖区同意，本方案需 ${amount(first.quantity)}`,
    {
      field: 'planId',
      lineNos,
      storeId: first.storeId,
      itemId: first.itemId,
      requested: first.quantity,
      available: Math.max(first.available - first.held, 0),
      heldForConsent: first.held,
    },
  );
}

/**
 * D25, D8 (sweep 24a F1): a consent is given for the store's stock of the item, not for the batch the planner happened
 * to pick: what the store holds may have moved since the plan was made (its own outbound order lent part of a batch —
 * its stock, not reserved for a request still awaiting consent, D23, D25), and the consent then failed whole on that one
 * batch (INSUFFICIENT_STOCK) while another batch of the store held plenty. So, at consent, the consented store lines
 * whose batches no longer hold them are picked again among the store's batches of the item — earliest expiry first (D8,
 * allocateFefo), expired and company-owned batches left out as the planner leaves them (D26, D23), and nothing another
 * approved plan holds for its own pending consent (heldForConsentSql: its consent must succeed too). A line whose
 * quantity spans two batches is split: its first part keeps its number, the rest gets the plan's next line numbers,
 * added to the consent's lines (`lineNos` returned). Only when the store as a whole has too little is the consent
 * refused (INSUFFICIENT_STOCK, naming the store, what it can give and what is held) — to be refused with a reason, and
 * the rest planned again. The balance rows of the store's item are locked first (store, batch order), as reserveStock
 * locks them after.
 */
export async function repickConsentedBatches(tx: Db, planId: string, lineNos: readonly number[], today: string): Promise<number[]> {
  const lines = await queryRows<{ line_no: number; store_id: string; batch_id: string; item_id: string; quantity: number }>(
    tx,
    sql`SELECT line_no, store_id, batch_id, item_id, quantity FROM dispatch_lines
         WHERE plan_id = ${planId}::uuid AND source_kind = 'STORE' AND line_no IN (${sql.join(
           lineNos.map((n) => sql`${n}::int`),
           sql`, `,
         )}) ORDER BY line_no`,
  );
  const consented = [...lineNos];
  const groups = new Map<string, typeof lines>();
  for (const l of lines) groups.set(`${l.store_id}|${l.item_id}`, [...(groups.get(`${l.store_id}|${l.item_id}`) ?? []), l]);
  let next = (await queryRows<{ n: number }>(tx, sql`SELECT COALESCE(max(line_no), 0)::int AS n FROM dispatch_lines WHERE plan_id = ${planId}::uuid`))[0].n;
  for (const group of groups.values()) {
    const { store_id: storeId, item_id: itemId } = group[0];
    await lockBalances(tx, { storeItems: [{ storeId, itemIds: [itemId] }] });
    const batches = await queryRows<{ batch_id: string; batch_no: string; expiry_date: string | null; received_at: string; free: number; held: number }>(
      tx,
      sql`SELECT bal.batch_id, b.batch_no, b.expiry_date::text AS expiry_date, b.received_at,
                 bal.on_hand - bal.reserved AS free,
                 COALESCE((SELECT sum(l.quantity) FROM dispatch_lines l JOIN dispatch_plans p ON p.id = l.plan_id
                            WHERE p.id <> ${planId}::uuid AND l.source_kind = 'STORE' AND l.store_id = bal.store_id
                              AND l.batch_id = bal.batch_id AND ${heldForConsentSql}), 0)::bigint AS held
            FROM balances bal JOIN batches b ON b.id = bal.batch_id
           WHERE bal.store_id = ${storeId}::uuid AND bal.item_id = ${itemId}::uuid
             AND NOT ${companyOwnedSql(sql`b.reserve_mode`)} AND NOT ${expiredSql(sql`b.expiry_date`, today)}`,
    );
    const usable = new Map(batches.map((b) => [String(b.batch_id), Math.max(Number(b.free) - Number(b.held), 0)]));
    // As planned, while every batch still holds what the lines ask of it: nothing changes.
    const asked = new Map<string, number>();
    for (const l of group) asked.set(String(l.batch_id), (asked.get(String(l.batch_id)) ?? 0) + Number(l.quantity));
    if ([...asked].every(([b, q]) => q <= (usable.get(b) ?? 0))) continue;
    const total = group.reduce((sum, l) => sum + Number(l.quantity), 0);
    const picked = allocateFefo(
      batches.map((b) => ({
        batchId: String(b.batch_id),
        batchNo: String(b.batch_no),
        expiryDate: b.expiry_date === null ? null : String(b.expiry_date).slice(0, 10),
        receivedAt: new Date(b.received_at),
        available: usable.get(String(b.batch_id))!,
      })),
      total,
    );
    if (!picked.ok) {
      const held = batches.reduce((sum, b) => sum + Math.min(Number(b.held), Math.max(Number(b.free), 0)), 0);
      const [names] = await queryRows<{ store: string; item: string; unit: string }>(
        tx,
        sql`SELECT s.name AS store, i.name AS item, i.unit FROM stores s, items i WHERE s.id = ${storeId}::uuid AND i.id = ${itemId}::uuid`,
      );
      const amount = (n: number) => quantityText(n, names?.unit);
      const heldWords = held ? `（另有 ${amount(held)} 已由其他已批准的方案申请调用、正等待同意）` : '';
      throw new DomainError(
        'INSUFFICIENT_STOCK',
        `库存不足：${names?.store ?? ''}的「${names?.item ?? ''}」现可调用 ${amount(picked.available)}${heldWords}，本方案第 ${group.map((l) => l.line_no).join('、')} 行需 ${amount(total)}，不能同意调用。可驳回并说明理由，由申请方就余量重新编制方案`,
        { field: 'input.approvalId', storeId, itemId, lineNos: group.map((l) => l.line_no), requested: total, available: picked.available },
      );
    }
    // D8: the lines in their order take the picks in FEFO order; a line spanning two batches is split.
    const picks = picked.picks.map((p) => ({ ...p }));
    for (const l of group) {
      let left = Number(l.quantity);
      let first = true;
      while (left > 0) {
        const pick = picks.find((p) => p.quantity > 0)!;
        const take = Math.min(left, pick.quantity);
        pick.quantity -= take;
        left -= take;
        if (first) {
          await tx.execute(
            sql`UPDATE dispatch_lines SET batch_id = ${pick.batchId}::uuid, quantity = ${take} WHERE plan_id = ${planId}::uuid AND line_no = ${l.line_no}`,
          );
          first = false;
        } else {
          next += 1;
          consented.push(next);
          await tx.execute(
            sql`INSERT INTO dispatch_lines (plan_id, line_no, destination_idx, item_id, source_kind, store_id, batch_id, agreement_id, quantity,
                                            distance_km, eta_hours, meets_deadline, tier, reason, transfer_id, needs_consent, joint_agreement_id)
                SELECT plan_id, ${next}, destination_idx, item_id, source_kind, store_id, ${pick.batchId}::uuid, agreement_id, ${take},
                       distance_km, eta_hours, meets_deadline, tier, reason, transfer_id, needs_consent, joint_agreement_id
                  FROM dispatch_lines WHERE plan_id = ${planId}::uuid AND line_no = ${l.line_no}`,
          );
        }
      }
    }
  }
  return consented;
}

/**
 * D23, D25 (sweep 24a F1): per item, what approved plans' lines at `storeId` await their consent for (heldForConsentSql)
 * — not reserved (an outbound order of the store may still take it), but an outbound order's approver is told
 * (orders.ts requestOutboundOrder) that taking it leaves those consents unable to be given.
 */
export async function heldForConsentAt(db: Db, storeId: string, itemIds: readonly string[]): Promise<Map<string, number>> {
  if (!itemIds.length) return new Map();
  const rows = await queryRows<{ item_id: string; quantity: number }>(
    db,
    sql`SELECT l.item_id, sum(l.quantity)::bigint AS quantity FROM dispatch_lines l JOIN dispatch_plans p ON p.id = l.plan_id
         WHERE l.source_kind = 'STORE' AND l.store_id = ${storeId}::uuid AND l.item_id IN (${uuidList([...itemIds])}) AND ${heldForConsentSql}
         GROUP BY l.item_id`,
  );
  return new Map(rows.map((r) => [String(r.item_id), Number(r.quantity)]));
}

/** An agreement or capacity line with its agreement's validity from `today` (D6). */
interface ReserveLine extends EffectiveLine {
  mode: 'AGREEMENT' | 'CAPACITY';
  validFrom: string;
  validTo: string;
  validity: Validity;
}

/**
 * D6, D17: the lines of agreement (协议储备) and capacity (产能储备) reserves in force on `today` (China date), with their
 * validity in days from today (sweep 18a F6: a capacity reserve's output counts only on days inside it);
 * `agreementIds` narrows them. Entrusted (代储) agreements are no source: their goods are government stock at the store
 * (loadSources' batches).
 */
async function reserveLinesInForce(db: Db, today: string, agreementIds?: readonly string[]): Promise<ReserveLine[]> {
  const only = agreementIds ? sql` AND id IN (${uuidList([...agreementIds])})` : sql``;
  const rows = await queryRows<{ id: string; valid_from: string; valid_to: string }>(
    db,
    sql`SELECT id, valid_from::text AS valid_from, valid_to::text AS valid_to FROM agreements
         WHERE mode IN ('AGREEMENT', 'CAPACITY') AND valid_from <= ${today}::date AND valid_to >= ${today}::date${only}`,
  );
  if (!rows.length) return [];
  const validity = new Map(rows.map((r) => [r.id, { validFrom: r.valid_from.slice(0, 10), validTo: r.valid_to.slice(0, 10) }]));
  return (
    await linesOfAgreements(
      db,
      rows.map((r) => r.id),
    )
  ).map((l) => {
    const v = validity.get(l.agreementId)!;
    return { ...l, mode: l.mode as ReserveLine['mode'], ...v, validity: { fromDay: daysBetween(today, v.validFrom), toDay: daysBetween(today, v.validTo) } };
  });
}

/**
 * D17: agreement stock and production capacity already promised — to an approved plan, or by a call-off (production
 * order, for a capacity agreement) still ISSUED — by `${agreementId}|${itemId}`; a cancelled call-off, and the rest of
 * one delivered in part, claim nothing (cancelCallOff, confirmCallOffDelivery); it is not offered (planning) nor
 * promised (approval) again. A delivered call-off is out of effectiveQuantity until a later check counts the company's
 * stock again; a delivered production order frees the capacity it occupied (D6: a daily output, not a stock). D25: a
 * line using another jurisdiction's reserve promises it only once that jurisdiction consented. `exceptPlanId`: the plan
 * being approved leaves its own out.
 */
async function agreementClaims(
  db: Db,
  exceptPlanId: string | null,
  how: { heldForConsent: boolean } = { heldForConsent: false },
): Promise<Map<string, { quantity: number; held: number }>> {
  const other = (column: SQL) => (exceptPlanId ? sql` AND ${column} <> ${exceptPlanId}::uuid` : sql``);
  // D25 (sweep 20a F1): planning also counts lines held for their consent (heldForConsentSql), as `held`; approval and
  // consent do not — they promise what was consented, and the planner kept others from being offered the rest.
  const held = how.heldForConsent ? sql`(${heldForConsentSql})` : sql`false`;
  const claims = await queryRows<{ agreement_id: string; item_id: string; quantity: number; held: number }>(
    db,
    sql`SELECT agreement_id, item_id, sum(quantity)::bigint AS quantity, sum(CASE WHEN held THEN quantity ELSE 0 END)::bigint AS held FROM (
          SELECT l.agreement_id, l.item_id, l.quantity, ${held} AS held FROM dispatch_lines l JOIN dispatch_plans p ON p.id = l.plan_id
           WHERE p.status = 'APPROVED' AND l.source_kind IN ('AGREEMENT', 'CAPACITY')${other(sql`p.id`)}
             AND (NOT l.needs_consent OR ${held} OR EXISTS (SELECT 1 FROM approvals a WHERE a.subject_id = p.id AND a.kind = 'CROSS_REGION_USE'
                    AND a.status = 'APPROVED' AND a.payload->'lineNos' @> to_jsonb(l.line_no)))
          UNION ALL
          SELECT c.agreement_id, c.item_id, c.quantity, false FROM call_offs c WHERE c.status = 'ISSUED'${other(sql`c.plan_id`)}) claimed
         GROUP BY agreement_id, item_id`,
  );
  return new Map(claims.map((c) => [`${c.agreement_id}|${c.item_id}`, { quantity: Number(c.quantity), held: Number(c.held) }]));
}

/**
 * D17: approving a plan (or consenting to its line once approved) promises its agreement lines' stock, as approval
 * reserves store stock: what is promised must still be there — the agreement not ended, its effective quantity less
 * what other approved plans and issued call-offs claim (agreementClaims, as planning subtracts it). D6/D17: likewise a
 * capacity line's production — the daily capacity over the planning horizon (`capacityHorizonDays`, as the planner
 * counts it) less what other approved plans and undelivered production orders claim. D6 (sweep 18a F6): both only
 * while the agreement is in force on `today`, the day of the approval, consent or execution, and a capacity line's
 * production only on days inside its validity (capacityWithin: the planner's own rule) — so a plan approved or
 * executed on a later day promises what the contract still binds the company to. Two plans requested while
 * both were proposed were each offered the same stock or capacity; the second approval is refused (INSUFFICIENT_STOCK,
 * naming the line). The agreement lines are locked until the transaction ends, so two approvals decide one after the
 * other. D3, D23 (sweep 18a F14): and its store lines take government stock only (assertGovernmentStock).
 */
export async function assertAgreementStock(
  tx: Db,
  planId: string,
  lines: readonly { lineNo: number; sourceKind: string; agreementId: string | null; itemId: string; quantity: number; batchId?: string | null }[],
  today: string,
  // The planner's horizon (config.planner, PLANNER_CAPACITY_HORIZON_DAYS): no default, so approval, consent and
  // execution promise what the planner offered.
  capacityHorizonDays: number,
  // D25 (sweep 24a F4): at approval, the plan's lines awaiting consent too, against what other approved plans hold for
  // theirs (agreementClaims' `held`): refused only where such a hold makes it short (the rest as before).
  how: { heldByOthers: boolean } = { heldByOthers: false },
): Promise<void> {
  await assertGovernmentStock(tx, lines);
  const promised = lines.filter((l) => l.sourceKind === 'AGREEMENT' || l.sourceKind === 'CAPACITY');
  if (!promised.length) return;
  const wanted = new Map<string, { lineNos: number[]; capacity: boolean; agreementId: string; itemId: string; quantity: number }>();
  for (const l of promised) {
    const k = `${l.agreementId}|${l.itemId}`;
    const w = wanted.get(k) ?? { lineNos: [], capacity: l.sourceKind === 'CAPACITY', agreementId: l.agreementId!, itemId: l.itemId, quantity: 0 };
    w.lineNos.push(l.lineNo);
    w.quantity += l.quantity;
    wanted.set(k, w);
  }
  await queryRows(
    tx,
    sql`SELECT agreement_id FROM agreement_lines WHERE (agreement_id, item_id) IN (${sql.join(
      [...wanted.values()].map((w) => sql`(${w.agreementId}::uuid, ${w.itemId}::uuid)`),
      sql`, `,
    )}) ORDER BY agreement_id, item_id FOR NO KEY UPDATE`,
  );
  const effective = new Map(
    (
      await reserveLinesInForce(
        tx,
        today,
        [...wanted.values()].map((w) => w.agreementId),
      )
    )
      .filter((l) => l.mode === (wanted.get(`${l.agreementId}|${l.itemId}`)?.capacity ? 'CAPACITY' : 'AGREEMENT'))
      .map((l) => [`${l.agreementId}|${l.itemId}`, l]),
  );
  const claimed = await agreementClaims(tx, planId, { heldForConsent: how.heldByOthers });
  for (const [k, w] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
    const line = effective.get(k);
    const taken = claimed.get(k)?.quantity ?? 0;
    const held = how.heldByOthers ? (claimed.get(k)?.held ?? 0) : 0;
    // As loadSources offers the line: an agreement in force today (else not loaded), the same production days.
    const production = line ? { dailyCapacity: line.dailyCapacity ?? 0, leadDays: line.leadDays ?? 0, validity: line.validity } : null;
    const supply = !line ? 0 : w.capacity ? capacityWithin(production!, capacityHorizonDays) : line.effectiveQuantity;
    const available = Math.max(supply - taken, 0);
    if (w.quantity <= available || (how.heldByOthers && !held)) continue;
    const [names] = await queryRows<{ company: string; item: string; unit: string }>(
      tx,
      sql`SELECT o.name AS company, i.name AS item, i.unit FROM agreements a JOIN organizations o ON o.id = a.company_org_id, items i
           WHERE a.id = ${w.agreementId}::uuid AND i.id = ${w.itemId}::uuid`,
    );
    const validity = line ? `协议有效期 ${line.validFrom} 至 ${line.validTo}` : '';
    const cut = w.capacity && production && capacityWithin(production, capacityHorizonDays) < production.dailyCapacity * capacityHorizonDays;
    const others = held
      ? `（其中 ${quantityText(Math.min(held, supply), names?.unit)} 已由其他已批准的方案申请调用、正等待对方辖区同意）`
      : taken
        ? `（其余${w.capacity ? '产能已由其他已批准方案或未交货的生产订单占用' : '已由其他已批准方案或未到货的调用单占用'}）`
        : '';
    // Sweep 22c F6: quantities with the item's unit (quantityText); the details keep the numbers.
    const amount = (n: number) => quantityText(n, names?.unit);
    const left = !line
      ? `所属协议已不在有效期内，尚可${w.capacity ? '生产' : '调用'} ${amount(0)}`
      : w.capacity
        ? `${capacityHorizonDays} 天内${cut ? `在${validity}内` : ''}尚可生产 ${amount(available)}${others}`
        : `尚可调用 ${amount(available)}${others}`;
    throw new DomainError(
      'INSUFFICIENT_STOCK',
      `方案第 ${w.lineNos.join('、')} 行：${w.capacity ? '产能储备' : '协议储备'}（${names?.company ?? ''}）的「${names?.item ?? ''}」${left}，本方案需 ${amount(w.quantity)}：请取消本方案并重新编制`,
      { field: 'planId', lineNos: w.lineNos, agreementId: w.agreementId, itemId: w.itemId, requested: w.quantity, available },
    );
  }
}

/**
 * D3, D6/D17, D23 (sweep 18a F14): a plan's store lines take government stock only — a company's own batch
 * (companyOwnedSql) is used only through its agreement's call-off. A plan proposed before planning left such batches
 * out (loadSources) may still name one: approving, consenting to or executing it would ship the company's goods as
 * government stock, with no call-off, price or settlement. Refused (INVALID_STATE), naming the lines; nothing else
 * picks store stock for a plan (a 补发 ships only the plan's own batches, checkPlanShipment).
 */
async function assertGovernmentStock(tx: Db, lines: readonly { lineNo: number; sourceKind: string; batchId?: string | null }[]): Promise<void> {
  const stored = lines.filter((l) => l.sourceKind === 'STORE' && l.batchId);
  if (!stored.length) return;
  const owned = await queryRows<{ id: string; batch_no: string; owner: string | null }>(
    tx,
    sql`SELECT b.id, b.batch_no, o.name AS owner FROM batches b LEFT JOIN organizations o ON o.id = b.owner_org_id
         WHERE b.id IN (${uuidList([...new Set(stored.map((l) => l.batchId!))])}) AND ${companyOwnedSql(sql`b.reserve_mode`)}
         ORDER BY b.batch_no`,
  );
  if (!owned.length) return;
  const ownedIds = new Set(owned.map((b) => b.id));
  const lineNos = stored.filter((l) => ownedIds.has(l.batchId!)).map((l) => l.lineNo);
  const names = owned.map((b) => `批次 ${b.batch_no}${b.owner ? `（${b.owner}所有）` : ''}`).join('、');
  throw invalidState(
    `方案第 ${lineNos.join('、')} 行调用的${names}是企业自有的协议储备，不是政府储备：只能通过协议向企业调用，不能按库存调拨。请取消本方案并重新生成`,
    { field: 'planId', lineNos, batchIds: owned.map((b) => b.id) },
  );
}

/** The travel-time table as the planner takes it: `${storeId}|${regionCode}` → hours. */
export async function travelOverrides(db: Db): Promise<Map<string, number>> {
  const rows = await queryRows<{ store_id: string; region_code: string; hours: number }>(db, sql`SELECT store_id, region_code, hours FROM travel_times`);
  return new Map(rows.map((r) => [`${r.store_id}|${r.region_code}`, Number(r.hours)]));
}
