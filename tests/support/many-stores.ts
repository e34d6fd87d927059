import type { Database } from '../../drizzle/client.ts';
import { stores } from '../../drizzle/schema/index.ts';

/** The code of the n-th store insertManyStores adds (1-based). */
export const manyStoreCode = (n: number) => `Z22A-${String(n).padStart(3, '0')}`;
/** Its name. */
export const manyStoreName = (n: number) => `汲水镇第${n}村级储备点`;

/**
 * Sweep 22a: `count` government stores in 汲水镇 of 卫辉市 (so in 新乡市 and the demo keeper's city), inserted directly —
 * hundreds of createStore calls would take a minute and test nothing of a list's size. Returns their ids and codes.
 */
export async function insertManyStores(database: Database, count: number): Promise<{ id: string; code: string }[]> {
  return database.db
    .insert(stores)
    .values(
      Array.from({ length: count }, (_, i) => ({
        code: manyStoreCode(i + 1),
        name: manyStoreName(i + 1),
        regionCode: '410781100000',
        level: 'TOWNSHIP' as const,
        kind: 'GOVERNMENT' as const,
        lat: 35.4,
        lng: 114.1,
      })),
    )
    .returning({ id: stores.id, code: stores.code });
}
