import { sql } from 'drizzle-orm';
import { queryRows } from '../../drizzle/client.ts';
import type { ServiceContext } from '../context.ts';
import { normalizeRegionCode } from '../regions/codes.ts';

export interface TitleBlock {
  unit: string;
  preparedBy: string;
  preparedAt: Date;
}

/**
 * 编制单位, 制表人 and 制表时间 of a list: the region it covers (the one asked for, else the user's own), a keeper's
 * stores, or 全部 for a system-wide administrator; the user's display name; the clock's now.
 */
export async function titleBlock(ctx: ServiceContext, regionCode?: string | null): Promise<TitleBlock> {
  const { db, actor, clock } = ctx;
  const code = regionCode ? normalizeRegionCode(regionCode) : actor.regionCode;
  const [row] = await queryRows<{ display_name: string; region: string | null; stores: string | null }>(
    db,
    sql`SELECT u.display_name,
               (SELECT name FROM regions WHERE code = ${code}) AS region,
               (SELECT string_agg(s.name, '、' ORDER BY s.code) FROM user_stores us JOIN stores s ON s.id = us.store_id WHERE us.user_id = u.id) AS stores
          FROM users u WHERE u.id = ${actor.id}::uuid`,
  );
  const unit = row?.region ?? (actor.role === 'KEEPER' ? row?.stores : null) ?? '全部区划';
  return { unit, preparedBy: row?.display_name ?? actor.username, preparedAt: clock.now().toJSDate() };
}
