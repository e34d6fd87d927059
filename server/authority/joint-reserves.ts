import { randomUUID } from 'node:crypto';
import { and, asc, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { jointReserveAgreements, jointReserveLines, jointReserveRegions } from '../../drizzle/schema/index.ts';
import { assertRegionAccess, canAccessRegion, mayRead } from '../auth/policy.ts';
import { todayInChina } from '../clock.ts';
import { badInput, forbidden } from '../errors.ts';
import { isInSubtree, subtreePrefix } from '../regions/codes.ts';
import { getRegion, getRegionInScope } from '../regions/service.ts';
import { itemFor, itemsFor } from '../inventory/common.ts';
import { expiredSql } from '../inventory/expiry.ts';
import { companyOwnedSql } from '../inventory/reserve-mode.ts';
import { firstRepeat, idSchema, validate } from '../validation.ts';
import type { ServiceContext } from '../context.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';

// D20, D25: 联储协议 — regions that may use each other's stock without asking each time (within its items and
// maximum quantities, while valid). Partners see each other's available stock, read-only.

export interface JointAgreement {
  id: string;
  validFrom: string;
  validTo: string;
  note: string | null;
  regionCodes: string[];
  lines: { itemId: string; maxQuantity: number }[];
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const agreementSchema = z
  .object({
    regionCodes: z.array(z.string()).min(2, '联储协议至少涉及两个区划').max(20),
    validFrom: isoDate,
    validTo: isoDate,
    note: z.string().trim().max(500).nullish(),
    lines: z
      .array(z.object({ itemId: idSchema, maxQuantity: z.number().int('数量须为整数').positive('数量须大于 0').max(100_000_000) }))
      .max(1000)
      .nullish(),
  })
  .refine((v) => v.validTo >= v.validFrom, { path: ['validTo'], message: '有效期止不能早于有效期起' });

/** createJointReserveAgreement: administrators record a standing 联储 agreement between regions. */
export async function createJointReserveAgreement(ctx: ServiceContext, input: unknown): Promise<JointAgreement> {
  const { db, actor: user, clock } = ctx;
  if (user.role !== 'ADMIN') throw forbidden('联储协议（仅管理员可登记）');
  const v = validate(agreementSchema, input);
  const codes: string[] = [];
  for (const [i, c] of v.regionCodes.entries()) {
    const region = await getRegionInScope(db, user, c, `input.regionCodes.${i}`);
    if (codes.some((x) => isInSubtree(x, region.code) || isInSubtree(region.code, x))) {
      throw badInput(`input.regionCodes.${i}`, `区划「${region.name}」与协议中另一区划重复或相互包含`);
    }
    codes.push(region.code);
  }
  const lines = v.lines ?? [];
  await itemsFor(db, lines, 'input.lines');
  const repeat = firstRepeat(lines.map((l) => l.itemId));
  if (repeat >= 0) throw badInput(`input.lines.${repeat}.itemId`, '同一物资只能出现一次');
  const id = randomUUID();
  await db.transaction(async (tx) => {
    await assertNoOverlappingAgreement(tx, { ...v, regionCodes: codes, lines });
    await tx.insert(jointReserveAgreements).values({
      id,
      validFrom: v.validFrom,
      validTo: v.validTo,
      note: v.note ?? null,
      createdBy: user.id,
      createdAt: clock.now().toJSDate(),
    });
    await tx.insert(jointReserveRegions).values(codes.map((regionCode) => ({ agreementId: id, regionCode })));
    if (lines.length) await tx.insert(jointReserveLines).values(lines.map((l) => ({ agreementId: id, itemId: l.itemId, maxQuantity: l.maxQuantity })));
  });
  return (await loadAgreements(db, [id]))[0];
}

/** Two regions are the same side of an agreement when one lies within the other. */
const sameSide = (a: string, b: string) => isInSubtree(a, b) || isInSubtree(b, a);

/**
 * D25: two 联储 agreements must never both cover one use of stock — the same pair of regions (or regions within them),
 * on one day, for one item — or which agreement's items and maximum quantities limit the use (coveringAgreement) would
 * depend on the order rows happen to come in. So an agreement is refused when another one valid on any of its days
 * links two of its regions and covers an item it covers (no lines: every item). A changed arrangement is recorded as
 * a new agreement from the day after the old one ends. A lock decides between concurrent requests.
 */
async function assertNoOverlappingAgreement(tx: Db, v: { regionCodes: string[]; validFrom: string; validTo: string; lines: { itemId: string }[] }) {
  await queryRows(tx, sql`SELECT pg_advisory_xact_lock(hashtext('joint-reserve-agreements'))`);
  const overlapping = (await agreementsValidOn(tx, null)).filter((a) => a.validFrom <= v.validTo && a.validTo >= v.validFrom);
  const items = new Set(v.lines.map((l) => l.itemId));
  for (const a of overlapping) {
    const sharesItem = !a.lines.length || !items.size || a.lines.some((l) => items.has(l.itemId));
    // Each pair of requested regions [x, y] linked by the existing agreement's regions [cx, cy] (cx on x's side, cy on y's).
    const linked = v.regionCodes.flatMap((x, i) =>
      v.regionCodes.slice(i + 1).flatMap((y) => {
        const ax = a.regionCodes.filter((c) => sameSide(c, x));
        const ay = a.regionCodes.filter((c) => sameSide(c, y));
        return ax.flatMap((cx) => ay.flatMap((cy) => (cx !== cy ? [{ requested: [x, y], existing: [cx, cy] }] : [])));
      }),
    );
    if (!sharesItem || !linked.length) continue;
    const { requested, existing } = linked[0];
    // L3 (sweep 2): the refusal names the regions of the agreement in force (新乡市与晋城市), and the requested pair
    // that overlaps it (河南省—晋城市) — the requested names alone pointed at an agreement that does not exist.
    const [cx, cy, x, y] = await Promise.all([...existing, ...requested].map((c) => getRegion(tx, c)));
    throw badInput(
      'input.validFrom',
      `${cx.name}与${cy.name}之间已有联储协议（${a.validFrom} 至 ${a.validTo}${a.note ? `，${a.note}` : ''}），与本次的${x.name}—${y.name}重叠（有效期重叠且涉及相同物资）：请先让其到期，或从其截止日次日起登记新协议`,
      { agreementId: a.id, validFrom: a.validFrom, validTo: a.validTo, regionCodes: existing, requestedRegionCodes: requested },
    );
  }
}

async function loadAgreements(db: Db, ids: string[]): Promise<JointAgreement[]> {
  if (!ids.length) return [];
  const [rows, regions, lines] = await Promise.all([
    db.select().from(jointReserveAgreements).where(inArray(jointReserveAgreements.id, ids)).orderBy(asc(jointReserveAgreements.validFrom)),
    db.select().from(jointReserveRegions).where(inArray(jointReserveRegions.agreementId, ids)),
    db.select().from(jointReserveLines).where(inArray(jointReserveLines.agreementId, ids)),
  ]);
  return rows.map((r) => ({
    id: r.id,
    validFrom: r.validFrom,
    validTo: r.validTo,
    note: r.note,
    regionCodes: regions.filter((x) => x.agreementId === r.id).map((x) => x.regionCode),
    lines: lines.filter((x) => x.agreementId === r.id).map((x) => ({ itemId: x.itemId, maxQuantity: x.maxQuantity })),
  }));
}

/** Agreements valid on a date (all when no date). */
export async function agreementsValidOn(db: Db, day: string | null): Promise<JointAgreement[]> {
  const rows = await db
    .select({ id: jointReserveAgreements.id })
    .from(jointReserveAgreements)
    .where(day ? and(lte(jointReserveAgreements.validFrom, day), gte(jointReserveAgreements.validTo, day)) : undefined);
  return loadAgreements(
    db,
    rows.map((r) => r.id),
  );
}

/** jointReserveAgreements(regionCode): those the principal may see, optionally involving a region. */
export async function listJointReserveAgreements(ctx: ServiceContext, regionCode?: string | null): Promise<JointAgreement[]> {
  const { db, actor: user } = ctx;
  const code = regionCode ? (await getRegion(db, regionCode)).code : null;
  return (await agreementsValidOn(db, null)).filter(
    (a) => mayRead.jointAgreement(user, a) && (!code || a.regionCodes.some((c) => isInSubtree(c, code) || isInSubtree(code, c))),
  );
}

const covers = (a: JointAgreement, code: string) => a.regionCodes.find((c) => isInSubtree(code, c));

/**
 * D25: the agreement under which `user`'s jurisdiction may use stock held in `sourceRegion` for `itemId`, if any:
 * one of its regions covers the user's region, another the source's, and the item is covered (no lines: all items).
 */
export function coveringAgreement(agreements: readonly JointAgreement[], userRegion: string, sourceRegion: string, itemId: string) {
  return agreements.find((a) => {
    const mine = covers(a, userRegion);
    const theirs = covers(a, sourceRegion);
    return mine && theirs && mine !== theirs && (!a.lines.length || a.lines.some((l) => l.itemId === itemId));
  });
}

/**
 * D25: what has already been used under an agreement, per item: its settlements (opened at execution) and the lines of
 * plans approved but not yet executed (stock reserved or promised for them, no settlement yet). `exceptPlanId`: a plan
 * decided again (consent.ts) leaves its own lines out.
 */
export async function usedUnder(db: Db, agreementIds: string[], exceptPlanId: string | null = null): Promise<Map<string, number>> {
  if (!agreementIds.length) return new Map();
  const ids = uuidList(agreementIds);
  const other = (column: SQL) => (exceptPlanId ? sql` AND ${column} IS DISTINCT FROM ${exceptPlanId}::uuid` : sql``);
  const rows = await queryRows<{ joint_agreement_id: string; item_id: string; quantity: number }>(
    db,
    sql`SELECT joint_agreement_id, item_id, sum(quantity)::bigint AS quantity FROM (
          SELECT s.joint_agreement_id, s.item_id, s.quantity FROM settlements s WHERE s.joint_agreement_id IN (${ids})${other(sql`s.plan_id`)}
          UNION ALL
          SELECT l.joint_agreement_id, l.item_id, l.quantity FROM dispatch_lines l JOIN dispatch_plans p ON p.id = l.plan_id
           WHERE p.status = 'APPROVED' AND l.joint_agreement_id IN (${ids})${other(sql`p.id`)}) used
         GROUP BY joint_agreement_id, item_id`,
  );
  return new Map(rows.map((r) => [`${r.joint_agreement_id}|${r.item_id}`, Number(r.quantity)]));
}

/** D25: holds agreements against another approval counting their use at the same time (until the transaction ends). */
export async function lockJointAgreements(tx: Db, agreementIds: string[]): Promise<void> {
  if (!agreementIds.length) return;
  await queryRows(tx, sql`SELECT id FROM joint_reserve_agreements WHERE id IN (${uuidList([...new Set(agreementIds)])}) ORDER BY id FOR NO KEY UPDATE`);
}

export interface NeighbourStockRow {
  storeId: string;
  regionCode: string;
  itemId: string;
  available: number;
}

/** The regions of the 联储 partners of `own` among `agreements` (for `itemId`: only agreements that cover it). */
function partnersOf(agreements: readonly JointAgreement[], own: string, itemId: string | null): Set<string> {
  const partners = new Set<string>();
  for (const a of agreements) {
    const mine = covers(a, own);
    if (!mine || (itemId && a.lines.length && !a.lines.some((l) => l.itemId === itemId))) continue;
    for (const c of a.regionCodes) if (c !== mine) partners.add(c);
  }
  return partners;
}

/**
 * neighbourStock (D20): a dispatcher sees its 联储 partners' available stock of an item — per store, quantity only
 * (no prices, batches or documents). `regionCode` is either the caller's own side (a region in their scope; default
 * their region), whose partners are listed, or a partner's region (within a partner of the caller's region): only the
 * stores there. Any other region is FORBIDDEN.
 */
export async function neighbourStock(ctx: ServiceContext, itemId: string, regionCode?: string | null): Promise<NeighbourStockRow[]> {
  const { db, actor: user, clock } = ctx;
  if (user.role !== 'DISPATCHER' && user.role !== 'ADMIN') throw forbidden('联储伙伴库存（调度与管理员）');
  await itemFor(db, itemId, 'itemId');
  const today = todayInChina(clock);
  const agreements = await agreementsValidOn(db, today);
  const region = regionCode ? await getRegion(db, regionCode) : null;
  const partnerRegion = region && !canAccessRegion(user, region.code) ? region : null;
  const own = partnerRegion ? user.regionCode : (region?.code ?? user.regionCode);
  if (!own) throw badInput('regionCode', '请指定本方区划');
  if (partnerRegion && ![...partnersOf(agreements, own, null)].some((c) => isInSubtree(partnerRegion.code, c))) {
    assertRegionAccess(user, partnerRegion.code, `区划「${partnerRegion.name}」`, 'regionCode'); // not a partner: FORBIDDEN, as any region out of scope
  }
  const partners = partnersOf(agreements, own, itemId);
  if (!partners.size) return [];
  const within = partnerRegion ? sql` AND s.region_code LIKE ${`${subtreePrefix(partnerRegion.code)}%`}` : sql``;
  const prefixes = [...partners].map((c) => sql`s.region_code LIKE ${`${subtreePrefix(c)}%`}`);
  const rows = await queryRows<{ store_id: string; region_code: string; available: number }>(
    db,
    sql`SELECT s.id AS store_id, s.region_code, sum(bal.on_hand - bal.reserved)::bigint AS available
          FROM balances bal JOIN stores s ON s.id = bal.store_id JOIN batches b ON b.id = bal.batch_id
         WHERE bal.item_id = ${itemId}::uuid AND s.kind IN ('GOVERNMENT', 'ENTRUSTED') AND (${sql.join(prefixes, sql` OR `)})${within}
           AND NOT ${companyOwnedSql(sql`b.reserve_mode`)} -- D3, D20 (sweep 18a F14): government stock; a company's own is no partner's to use
           AND NOT ${expiredSql(sql`b.expiry_date`, today)} -- D26: expired batches are frozen, nobody's to lend
         GROUP BY s.id, s.region_code HAVING sum(bal.on_hand - bal.reserved) > 0
         ORDER BY s.region_code, s.id`,
  );
  return rows.map((r) => ({ storeId: r.store_id, regionCode: r.region_code, itemId, available: Number(r.available) }));
}
