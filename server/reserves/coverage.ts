import { asc, sql } from 'drizzle-orm';
import { pgArray, queryRows } from '../../drizzle/client.ts';
import { categories } from '../../drizzle/schema/index.ts';
import { badInput } from '../errors.ts';
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
}

/**
 * D19: for each township in the subtree, how many plan categories and kinds its reserve holds, against a target —
 * stock at reserve stores (RESERVE_STORE_KINDS: not 安置点 nor agreement companies' stores), expired batches left out
 * (D26: frozen stock covers nothing), as reserveGaps counts it. The category target defaults to the configured one
 * (珲春: 6 大类) but never above the catalog's categories (D4's five 专栏): a target no township can reach would show
 * every township short for ever (sweep 10b A3); one asked for explicitly above them is refused.
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
  const rows = await queryRows<{ code: string; categories: string[] | string | null; kinds: number }>(
    db,
    sql`SELECT r.code,
               array_remove(array_agg(DISTINCT i.category_code), NULL) AS categories,
               count(DISTINCT bal.item_id)::int AS kinds
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
    };
  });
}
