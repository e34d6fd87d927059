import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { useTestApp } from '../support/harness.ts';
import { ok } from '../support/ledger-ops.ts';

// D4 (sweep 19b F3): 水下探测设备 is one of the 防汛抗旱 抢险装备 (晋城 专栏 4 (4), 河曲), not a 消防 item: township
// coverage counted it for 综合性消防救援 and reported 防汛抗旱 missing where one was held.

describe('水下探测设备 in 防汛抗旱 (D4)', () => {
  const t = useTestApp();
  const detector = async () =>
    (ok(await t.gql(`{ categories { code items { id code name } } }`, {}, 'admin')).categories as any[]).flatMap((c) =>
      c.items.filter((i: any) => i.name === '水下探测设备').map((i: any) => ({ category: c.code, code: i.code, id: i.id })),
    );

  it('the catalog lists it under FLOOD as FLD-026', async () => {
    expect((await detector()).map(({ category, code }) => [category, code])).toEqual([['FLOOD', 'FLD-026']]);
  });

  it('migration 0042 moves the item of a database seeded before, keeping its id (its batches and movements)', async () => {
    const [before] = await detector();
    await t.database.db.execute(sql`UPDATE items SET category_code = 'FIREFIGHTING', code = 'FIR-015' WHERE id = ${before.id}::uuid`);
    expect((await detector())[0]).toMatchObject({ category: 'FIREFIGHTING', code: 'FIR-015' });
    const migration = readFileSync(new URL('../../drizzle/migrations/0042_underwater_detector_flood.sql', import.meta.url), 'utf8');
    for (const statement of migration.split('--> statement-breakpoint')) await t.database.db.execute(sql.raw(statement));
    expect(await detector()).toEqual([{ category: 'FLOOD', code: 'FLD-026', id: before.id }]);
    const [{ n }] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM items WHERE code IN ('FIR-015', 'FLD-026')`);
    expect(Number(n)).toBe(1);
  });
});
