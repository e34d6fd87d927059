import { sql } from 'drizzle-orm';
import { queryRows } from '../../drizzle/client.ts';
import type { ServiceContext } from '../context.ts';
import { normalizeRegionCode, subtreePrefix } from '../regions/codes.ts';

export interface TitleBlock {
  unit: string;
  preparedBy: string;
  preparedAt: Date;
}

/** What a list's figures cover: the region asked for (else the user's own), and the one store it is filtered to. */
export interface TitleScope {
  regionCode?: string | null;
  storeId?: string | null;
}

/**
 * 编制单位, 制表人 and 制表时间 of a list. 编制单位 names the scope its figures actually cover (sweep 16c F7: a keeper's
 * 「新乡市 库存台账 … 合计」 stated a city total that was three stores'): the store a list is filtered to; for a keeper,
 * the keeper's own stores (within the region asked for) — the only rows a keeper's list holds; otherwise the region
 * (the one asked for, else the user's own), or 全部区划 for a system-wide administrator. The user's display name; the
 * clock's now. A region code alone as the scope: a list of the region's own figures, whoever reads it (its quotas, an
 * incident's balance) — the region, even for a keeper.
 */
export async function titleBlock(ctx: ServiceContext, scope: TitleScope | string | null = {}): Promise<TitleBlock> {
  const { db, actor, clock } = ctx;
  const regionOnly = typeof scope === 'string' || scope === null;
  const { regionCode, storeId } = regionOnly ? { regionCode: scope, storeId: null } : scope;
  const code = regionCode ? normalizeRegionCode(regionCode) : actor.regionCode;
  const keeper = actor.role === 'KEEPER';
  // A keeper's stores in the region asked for; every one of them when none was asked for.
  const within = keeper && regionCode && code ? sql`AND s.region_code LIKE ${`${subtreePrefix(code)}%`}` : sql``;
  const [row] = await queryRows<{ display_name: string; region: string | null; stores: string | null; store: string | null }>(
    db,
    sql`SELECT u.display_name,
               (SELECT name FROM regions WHERE code = ${code}) AS region,
               (SELECT string_agg(s.name, '、' ORDER BY s.code) FROM user_stores us JOIN stores s ON s.id = us.store_id
                 WHERE us.user_id = u.id ${within}) AS stores,
               (SELECT name FROM stores WHERE id = ${storeId ?? null}::uuid) AS store
          FROM users u WHERE u.id = ${actor.id}::uuid`,
  );
  const stores = keeper ? row?.stores : null;
  const unit = row?.store ?? (regionOnly ? (row?.region ?? stores) : (stores ?? row?.region)) ?? '全部区划';
  return { unit, preparedBy: row?.display_name ?? actor.username, preparedAt: clock.now().toJSDate() };
}
