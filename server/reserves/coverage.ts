import { asc, sql } from 'drizzle-orm';
import { pgArray, queryRows } from '../../drizzle/client.ts';
import { categories } from '../../drizzle/schema/index.ts';
import { badInput } from '../errors.ts';
import { storesInScope } from '../auth/policy.ts';
import { getRegionInScope } from '../regions/service.ts';
import { subtreePrefix } from '../regions/codes.ts';
import { todayInChina } from '../clock.ts';
import { expiredSql } from '../inventory/expiry.ts';
import { reserveStoreSql } from './rotation.ts';
import type { ServiceContext } from '../context.ts';

export interface CoverageRow {
  regionCode: string;
  categoriesHeld: string[];
  kindsHeld: number;
  missingCategories: string[];
  targetCategories: number;
  targetKinds: number;
  /**
   * D2, D19: the township's 储备点 — its government and entrusted stores and its villages' (RESERVE_STORE_KINDS, whose stock
   * coverage counts), by store code; never a 安置点 (D29, sweep 19b F6) nor an agreement company's own warehouse (D6).
   */
  storeIds: string[];
}

/**
 * D19: for each township in the subtree, how many plan categories and kinds its reserve holds, against a target —
 * stock at reserve stores (RESERVE_STORE_KINDS: not 安置点 nor agreement companies' stores), expired batches left out
 * (D26: frozen stock covers nothing), as reserveGaps counts it. The category target defaults to the configured one
 * (珲春: 6 大类) but never above the catalog's categories (D4's five 专栏): a target no township can reach would show
 * every township short for ever (sweep 10b A3); one asked for explicitly above them is refused.
 *
 * Each line also names the township's 储备点 (RESERVE_STORE_KINDS), so a township with none (「无储备点」) reads apart from
 * one whose store is empty, and a township with two is one covered township, not two (sweep 19b F6: 新乡 plans a 储备库
 * in every township, 晋城 and 河曲 储备点 in their townships). Stores as the policy module scopes them (storesInScope):
 * the reader's region covers the township, so they are all the reader's. One statement, whatever the number of townships.
 */
export async function coverage(
  ctx: ServiceContext,
  regionCode: string,
  target: { categories: number | null; defaultCategories: number; kinds: number },
): Promise<CoverageRow[]> {
  const { db, actor: user, clock } = ctx;
  const all = (await db.select({ code: categories.code }).from(categories).orderBy(asc(categories.sortOrder))).map((c) => c.code);
  const targetCategories = target.categories ?? Math.min(target.defaultCategories, all.length);
  if (!Number.isInteger(targetCategories) || targetCategories < 1) throw badInput('targetCategories', '目标类别数须为正整数');
  if (targetCategories > all.length) {
    throw badInput('targetCategories', `目标类别数不能超过物资目录的类别数（${all.length} 类）`, { categories: all.length });
  }
  if (!Number.isInteger(target.kinds) || target.kinds < 1) throw badInput('targetKinds', '目标品种数须为正整数');
  const region = await getRegionInScope(db, user, regionCode);
  const rows = await queryRows<{ code: string; categories: string[] | string | null; kinds: number; stores: string[] | string | null }>(
    db,
    sql`SELECT r.code,
               array_remove(array_agg(DISTINCT i.category_code), NULL) AS categories,
               count(DISTINCT bal.item_id)::int AS kinds,
               ARRAY(SELECT p.id::text FROM stores p
                      WHERE p.region_code LIKE substr(r.code, 1, 9) || '%' AND ${reserveStoreSql(sql`p.kind`)}
                        AND ${storesInScope(user, sql`p.id`, sql`p.region_code`)}
                      ORDER BY p.code) AS stores
          FROM regions r
          LEFT JOIN stores s ON s.region_code LIKE substr(r.code, 1, 9) || '%' AND ${reserveStoreSql(sql`s.kind`)}
          LEFT JOIN (balances bal JOIN batches b ON b.id = bal.batch_id AND NOT ${expiredSql(sql`b.expiry_date`, todayInChina(clock))})
                 ON bal.store_id = s.id AND bal.on_hand > 0
          LEFT JOIN items i ON i.id = bal.item_id
         WHERE r.level = 'TOWNSHIP' AND r.code LIKE ${`${subtreePrefix(region.code)}%`}
         GROUP BY r.code ORDER BY r.code`,
  );
  return rows.map((r) => {
    const held = pgArray(r.categories);
    return {
      regionCode: r.code,
      categoriesHeld: held,
      kindsHeld: Number(r.kinds),
      missingCategories: all.filter((c) => !held.includes(c)),
      targetCategories,
      targetKinds: target.kinds,
      storeIds: pgArray(r.stores),
    };
  });
}
