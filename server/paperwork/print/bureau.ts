import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../../drizzle/client.ts';
import { governmentNameSql } from '../../inventory/owners.ts';

/**
 * 编制单位 of a printed document or 调拨令 (D1): the 应急管理局 of its region — for a township (乡/镇/街道) or village,
 * which has none, that of the nearest region above it at county level or higher (the county's bureau is responsible
 * for its 安置点 and stores). Should the tree hold no such region, the township's own government (人民政府 / 街道办事处).
 */
export async function bureauOf(db: Db, regionCode: string): Promise<string> {
  const [row] = await queryRows<{ bureau: string | null }>(
    db,
    sql`WITH RECURSIVE up AS (
          SELECT code, name, level, parent_code, 0 AS depth FROM regions WHERE code = ${regionCode}
          UNION ALL
          SELECT r.code, r.name, r.level, r.parent_code, up.depth + 1 FROM regions r JOIN up ON r.code = up.parent_code AND up.depth < 10)
        SELECT COALESCE(
          (SELECT name || '应急管理局' FROM up WHERE level IN ('PROVINCE', 'CITY', 'COUNTY') ORDER BY depth LIMIT 1),
          (SELECT ${governmentNameSql} FROM regions r WHERE r.code = ${regionCode})) AS bureau`,
  );
  return row?.bureau ?? '';
}
