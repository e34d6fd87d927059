import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../drizzle/client.ts';
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

  it('D22 (sweep 9c F3): every demo document has the audit row of the operation that made it — the flood’s as the rest', async () => {
    // A document keyed by its request's key is matched to the audit row carrying that key; those an operation makes
    // under keys derived from its own (a plan's shipments, a recovery's scrap and write-off) are counted by operation.
    const unaudited = await queryRows<{ number: string }>(
      database.db,
      sql`WITH keys AS (SELECT DISTINCT k #>> '{}' AS key FROM audit_log a, jsonb_path_query(a.input, 'strict $.**.idempotencyKey') k WHERE a.outcome = 'OK')
          SELECT d.number FROM documents d
           WHERE d.idempotency_key !~ '^[0-9a-f]{8}-[0-9a-f]{4}-' AND NOT EXISTS (SELECT 1 FROM keys WHERE keys.key = d.idempotency_key)
           ORDER BY d.number`,
    );
    expect(unaudited).toEqual([]);
    const rows = await queryRows<{ operation: string; n: number }>(
      database.db,
      sql`SELECT operation, count(*)::int AS n FROM audit_log WHERE outcome = 'OK' GROUP BY operation ORDER BY operation`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.operation, Number(r.n)]))).toMatchObject({
      createIncident: 1,
      openDistributionPoint: 2,
      upsertReliefStandard: 4,
      requestDispatch: 1,
      approveDispatchPlan: 1,
      executeDispatchPlan: 1,
      receiveTransfer: 4,
      distributeRelief: 5,
      recoverIncidentStock: 1,
    });
  });
});
