import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows } from '../../drizzle/client.ts';
import { quotas } from '../../drizzle/schema/index.ts';
import { assertStoreAccess } from '../auth/policy.ts';
import { todayInChina } from '../clock.ts';
import { badInput, notFound } from '../errors.ts';
import { getItem } from '../catalog/service.ts';
import { expiredSql } from '../inventory/expiry.ts';
import { companyOwnedSql, heldReserveModeSql } from '../inventory/reserve-mode.ts';
import { getRegionInScope } from '../regions/service.ts';
import { isInSubtree, subtreePrefix } from '../regions/codes.ts';
import { getStoreRow } from '../stores/service.ts';
import { validate, idSchema, uuidArg } from '../validation.ts';
import { assertReserveManager } from './access.ts';
import { activeAgreementLines } from './agreements.ts';
import { isReserveStoreKind, reserveStoreSql } from './rotation.ts';
import { gapOf, PHYSICAL_FLOOR, physicalShare } from './rules.ts';
import type { ServiceContext } from '../context.ts';

export type QuotaRow = typeof quotas.$inferSelect;

const quotaSchema = z
  .object({
    itemId: idSchema,
    quantity: z.number().int('定额须为整数').positive('定额须大于 0').max(100_000_000),
    storeId: idSchema.nullish(),
    regionCode: z.string().nullish(),
  })
  .refine((v) => !!v.storeId !== !!v.regionCode, { path: ['storeId'], message: '请选择仓库或填写区划代码（二选一）' });

/** D19: sets the required quantity of an item for a store or a region subtree (replacing an earlier one). */
export async function upsertQuota(ctx: ServiceContext, input: unknown): Promise<QuotaRow> {
  const { db, actor: user, clock } = ctx;
  assertReserveManager(user);
  const v = validate(quotaSchema, input);
  const item = await getItem(db, v.itemId, 'input.itemId');
  const now = clock.now().toJSDate();
  if (v.storeId) {
    const store = await getStoreRow(db, v.storeId, 'input.storeId');
    assertStoreAccess(user, store, 'input.storeId');
    // D19: a quota is met by reserve stock; a 安置点 or an agreement company's store holds none (RESERVE_STORE_KINDS).
    if (!isReserveStoreKind(store.kind)) {
      throw badInput(
        'input.storeId',
        `「${store.name}」是${store.kind === 'DISTRIBUTION_POINT' ? '安置点（发放点）' : '协议储备企业的仓库'}，不存放政府储备，不能设储备定额：请为实物储备库或代储库设定额，或按区划设定额`,
      );
    }
    const [row] = await db
      .insert(quotas)
      .values({ itemId: item.id, storeId: store.id, quantity: v.quantity, updatedBy: user.id, updatedAt: now })
      .onConflictDoUpdate({
        target: [quotas.storeId, quotas.itemId],
        targetWhere: sql`store_id IS NOT NULL`,
        set: { quantity: v.quantity, updatedBy: user.id, updatedAt: now },
      })
      .returning();
    return row;
  }
  const region = await getRegionInScope(db, user, v.regionCode!, 'input.regionCode');
  const [row] = await db
    .insert(quotas)
    .values({ itemId: item.id, regionCode: region.code, quantity: v.quantity, updatedBy: user.id, updatedAt: now })
    .onConflictDoUpdate({
      target: [quotas.regionCode, quotas.itemId],
      targetWhere: sql`region_code IS NOT NULL`,
      set: { quantity: v.quantity, updatedBy: user.id, updatedAt: now },
    })
    .returning();
  return row;
}

/**
 * D19: removes a quota that no longer applies (an item taken out of a store's reserve, a store closed) — a quota of 0
 * is no quota, and inputs take quantities above 0 (API.md). By whoever may set it: the store or region in their scope.
 * Answers the quota as it was.
 */
export async function removeQuota(ctx: ServiceContext, id: string): Promise<QuotaRow> {
  const { db, actor: user } = ctx;
  assertReserveManager(user);
  const [row] = await db
    .select()
    .from(quotas)
    .where(eq(quotas.id, uuidArg(id, 'id', '储备定额')));
  if (!row) throw notFound('id', '储备定额', id);
  if (row.storeId) assertStoreAccess(user, await getStoreRow(db, row.storeId));
  else await getRegionInScope(db, user, row.regionCode!, 'id');
  await db.delete(quotas).where(eq(quotas.id, row.id));
  return row;
}

export interface GapRow {
  quotaId: string;
  itemId: string;
  storeId: string | null;
  regionCode: string | null;
  quota: number;
  /** Government-owned stock available (physical and entrusted), expired batches left out (D26). */
  available: number;
  /** Government physical stock available (D6 floor), expired batches left out. */
  physical: number;
  agreementCommitted: number;
  gap: number;
}

/**
 * D19: quota against available own stock — in the store, or in the whole subtree for a region quota, at reserve stores
 * only (RESERVE_STORE_KINDS: not 安置点 nor agreement companies' stores); not expired
 * (D26: frozen stock meets no quota) — with agreement-committed quantity (min(committed, last counted), D6) shown apart;
 * worst first. reserveFloor (D6) and the 储备缺口 export read these lines.
 */
export async function reserveGaps(ctx: ServiceContext, regionCode: string): Promise<GapRow[]> {
  const { db, actor: user, clock } = ctx;
  const region = await getRegionInScope(db, user, regionCode);
  const prefix = `${subtreePrefix(region.code)}%`;
  const today = todayInChina(clock);
  // D26: an expired batch is frozen — not issued, shipped or planned — so it meets no quota (China date, as everywhere).
  const usable = sql`NOT ${expiredSql(sql`b.expiry_date`, today)}`;
  const rows = await queryRows<{
    id: string;
    item_id: string;
    store_id: string | null;
    region_code: string | null;
    quantity: number;
    target_region: string;
    own: string | number; // bigint sums: never overflow, whatever the stock (read with Number)
    physical: string | number;
  }>(
    db,
    sql`SELECT q.id, q.item_id, q.store_id, q.region_code, q.quantity, COALESCE(qs.region_code, q.region_code) AS target_region,
               COALESCE(sum(bal.on_hand - bal.reserved) FILTER (WHERE NOT ${companyOwnedSql(sql`b.reserve_mode`)} AND ${usable}), 0)::bigint AS own,
               COALESCE(sum(bal.on_hand - bal.reserved) FILTER (WHERE ${heldReserveModeSql(sql`b.reserve_mode`, sql`s.kind`)} = 'PHYSICAL' AND ${usable}), 0)::bigint AS physical
          FROM quotas q
          LEFT JOIN stores qs ON qs.id = q.store_id
          LEFT JOIN regions qr ON qr.code = q.region_code
          LEFT JOIN stores s ON ((q.store_id IS NOT NULL AND s.id = q.store_id)
                             OR (q.region_code IS NOT NULL AND s.region_code LIKE substr(q.region_code, 1,
                                   CASE qr.level WHEN 'PROVINCE' THEN 2 WHEN 'CITY' THEN 4 WHEN 'COUNTY' THEN 6 WHEN 'TOWNSHIP' THEN 9 ELSE 12 END) || '%'))
                             AND ${reserveStoreSql(sql`s.kind`)} -- D6/D19: only reserve stores hold reserve
          LEFT JOIN balances bal ON bal.store_id = s.id AND bal.item_id = q.item_id
          LEFT JOIN batches b ON b.id = bal.batch_id
         WHERE COALESCE(qs.region_code, q.region_code) LIKE ${prefix}
         GROUP BY q.id, qs.region_code`,
  );
  const agreementLines = await activeAgreementLines(db, region.code, today, 'AGREEMENT');
  const gaps = rows.map((r): GapRow => {
    // A store quota counts agreements made for the store's own region; a region quota those anywhere in its subtree.
    const committed = agreementLines
      .filter((l) => l.itemId === r.item_id && (r.store_id ? l.regionCode === r.target_region : isInSubtree(l.regionCode, r.region_code!)))
      .reduce((s, l) => s + l.effectiveQuantity, 0);
    const quota = Number(r.quantity);
    const available = Number(r.own);
    return {
      quotaId: r.id,
      itemId: r.item_id,
      storeId: r.store_id,
      regionCode: r.region_code,
      quota,
      // Whole figures (sweep 18c F1): a sum beyond an API Int is answered at the edge as INVALID_STATE saying how large
      // (server/http/errors.ts answerBeyondInt, as valuation groups and neighbourStock), and the 储备缺口 export prints
      // it whole — never a capped figure, which would understate the stock (README Finance).
      available,
      physical: Number(r.physical),
      agreementCommitted: committed,
      gap: gapOf(quota, available),
    };
  });
  return gaps.sort((a, b) => b.gap / b.quota - a.gap / a.quota || b.gap - a.gap || a.quotaId.localeCompare(b.quotaId));
}

export interface FloorRegion {
  regionCode: string;
  share: number;
  meetsFloor: boolean;
  lines: (GapRow & { share: number; meetsFloor: boolean })[];
}

/**
 * D6: per region with region quotas, government physical stock as a share of each item's quota (target ≥ 50%). The
 * region's share is its weakest item's: quantities of different items are in different units (条, 平方米) and are not
 * added, and one item fully stocked does not make up for another held at a fifth (sweep 10b A15). The region meets the
 * floor when every item does.
 */
export async function reserveFloor(ctx: ServiceContext, regionCode: string): Promise<FloorRegion[]> {
  const gaps = (await reserveGaps(ctx, regionCode)).filter((g) => g.regionCode);
  const byRegion = new Map<string, GapRow[]>();
  for (const g of gaps) byRegion.set(g.regionCode!, [...(byRegion.get(g.regionCode!) ?? []), g]);
  return [...byRegion]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, gapLines]) => {
      const lines = gapLines.map((l) => {
        const share = physicalShare(l.physical, l.quota);
        return { ...l, share, meetsFloor: share >= PHYSICAL_FLOOR };
      });
      const share = Math.min(...lines.map((l) => l.share));
      return { regionCode: code, share, meetsFloor: lines.every((l) => l.meetsFloor), lines };
    });
}
