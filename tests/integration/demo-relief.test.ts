import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../drizzle/client.ts';
import { distributions, documents, incidents, reliefStandards, stores, userStores } from '../../drizzle/schema/index.ts';
import { fixedClock } from '../../server/clock.ts';
import { checkLedger } from '../../server/inventory/ledger-check.ts';
import { basicNeedsLines, basicNeedsMet, basicNeedsDeadline } from '../../server/relief/deadlines.ts';
import { seedDemoStock } from '../../seeds/demo-stock.ts';
import { seedDemoReserves } from '../../seeds/demo-reserves.ts';
import { seedDemoRelief } from '../../seeds/demo-relief.ts';
import { userId } from '../../seeds/demo.ts';
import { openTestDatabase } from '../support/harness.ts';

describe('demo flood in 卫辉市 (D16, D28–D30)', () => {
  let database: Database;
  const clock = fixedClock('2026-11-22T02:00:00Z');
  beforeAll(async () => {
    database = await openTestDatabase();
    await seedDemoStock(database.db, clock);
    await seedDemoReserves(database.db, clock);
    await seedDemoRelief(database.db, clock);
  });
  afterAll(() => database.close());

  it('an incident nine hours old, two 安置点 managed by the demo keeper, relief standards', async () => {
    const [incident] = await database.db.select().from(incidents);
    expect(incident.occurredAt.toISOString()).toBe('2026-11-21T17:00:00.000Z');
    const points = await database.db.select().from(stores).where(eq(stores.incidentId, incident.id));
    expect(points.map((p) => p.kind)).toEqual(['DISTRIBUTION_POINT', 'DISTRIBUTION_POINT']);
    const managed = await database.db
      .select()
      .from(userStores)
      .where(eq(userStores.userId, userId('keeper')));
    expect(points.every((p) => managed.some((m) => m.storeId === p.id))).toBe(true);
    const [standards] = await database.db.select({ n: count() }).from(reliefStandards);
    expect(standards.n).toBe(4);
    // Everything requested arrived within 10 hours of the disaster.
    expect(basicNeedsMet(await basicNeedsLines(database.db, incident.id, basicNeedsDeadline(incident.occurredAt)))).toBe(true);
  });

  it('distributions to households and a recovery of good tents, through the ledger', async () => {
    const [handed] = await database.db.select({ n: count() }).from(distributions);
    expect(handed.n).toBe(5);
    const recoveries = await database.db.select().from(documents).where(eq(documents.type, 'RECOVERY'));
    expect(recoveries).toHaveLength(1);
    // Damaged and lost tents wait for a second person's approval (D27).
    const pending = await database.db.select().from(documents).where(eq(documents.status, 'PENDING_APPROVAL'));
    expect(pending.map((d) => d.type).sort()).toEqual(['SCRAP', 'WRITE_OFF']);
    expect(await checkLedger(database.db)).toEqual([]);
  });
});
