import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../drizzle/client.ts';
import { auditLog, balances, documents, movements, transfers } from '../../drizzle/schema/index.ts';
import { fixedClock } from '../../server/clock.ts';
import { checkLedger } from '../../server/inventory/ledger-check.ts';
import { stableId } from '../../server/ids.ts';
import { seedDemoStock } from '../../seeds/demo-stock.ts';
import { seedDemoReserves } from '../../seeds/demo-reserves.ts';
import { rotationDue } from '../../server/reserves/rotation.ts';
import { reserveGaps } from '../../server/reserves/quotas.ts';
import { listAgreements } from '../../server/reserves/agreements.ts';
import { loadPrincipal } from '../../server/users/service.ts';
import { seedDatabase } from '../../seeds/index.ts';
import { userId } from '../../seeds/demo.ts';
import { openTestDatabase } from '../support/harness.ts';

describe('demo stock (npm start loads it once)', () => {
  let database: Database;
  const clock = fixedClock('2026-11-22T02:00:00Z');
  beforeAll(async () => {
    database = await openTestDatabase();
    await seedDemoStock(database.db, clock);
    await seedDemoReserves(database.db, clock);
  });
  afterAll(() => database.close());

  it('posts through the ledger: documents, movements and balances agree', async () => {
    expect(await checkLedger(database.db)).toEqual([]);
    const [docs] = await database.db.select({ n: count() }).from(documents);
    expect(docs.n).toBeGreaterThanOrEqual(15);
    const [held] = await database.db.select({ n: count() }).from(balances);
    expect(held.n).toBeGreaterThan(30);
  });

  it('has a transfer in transit, an issue and a stocktake with a 破损 difference — requested, approved by another, executed (D23, D24, D27)', async () => {
    const dispatcher = userId('dispatcher');
    const keeper = userId('keeper');
    const transferDoc = stableId('document', `shipTransfer/${dispatcher}/demo-transfer-1`);
    const [t] = await database.db
      .select()
      .from(transfers)
      .where(eq(transfers.id, stableId('transfer', transferDoc)));
    expect(t.status).toBe('IN_TRANSIT');
    const [stocktake] = await database.db
      .select()
      .from(documents)
      .where(eq(documents.id, stableId('document', `submitStocktake/${keeper}/demo-stocktake-1`)));
    expect(stocktake).toMatchObject({ type: 'STOCKTAKE', status: 'POSTED', approvalRef: '新应急〔2025〕31号' });
    const moves = await database.db.select().from(movements).where(eq(movements.documentId, stocktake.id));
    expect(moves.map((m) => [m.quantity, m.reasonCode])).toEqual([[-4, 'DAMAGED']]);
  });

  it('D22: its documents and approvals are journaled like mutations — who received, requested, approved, counted, in which region', async () => {
    const rows = await database.db
      .select({ username: auditLog.username, operation: auditLog.operation, outcome: auditLog.outcome, subject: auditLog.subjectRegionCode })
      .from(auditLog);
    const docs = await database.db.select({ id: documents.id }).from(documents);
    const posts = rows.filter((r) => ['receiveStock', 'issueStock', 'shipTransfer', 'submitStocktake'].includes(r.operation));
    expect(posts).toHaveLength(docs.length);
    expect(rows.every((r) => r.outcome === 'OK')).toBe(true);
    const decisions = rows.filter((r) => r.operation === 'decideApproval');
    expect(decisions.length).toBeGreaterThanOrEqual(4);
    expect(decisions.every((r) => r.username === 'director' && r.subject?.startsWith('4107'))).toBe(true);
    expect(rows.filter((r) => r.operation === 'submitStocktake').map((r) => [r.username, r.subject])).toEqual([['keeper', '410781000000']]);
  });

  it('shows a new user due batches, quotas with gaps, and agreements of all three modes (D6, D10, D19)', async () => {
    const admin = (await loadPrincipal(database.db, userId('admin')))!;
    expect((await rotationDue({ db: database.db, actor: admin, clock: clock }, { regionCode: '410700' })).length).toBeGreaterThan(0);
    expect((await reserveGaps({ db: database.db, actor: admin, clock: clock }, '410700')).filter((g) => g.gap > 0).length).toBeGreaterThan(0);
    const page = await listAgreements({ db: database.db, actor: admin, clock }, { regionCode: '410700' }, { first: 50 });
    expect(new Set(page.nodes.map((a) => a.mode))).toEqual(new Set(['AGREEMENT', 'ENTRUSTED', 'CAPACITY']));
  });

  it('is deterministic and not loaded twice: seeding again changes nothing', async () => {
    const [before] = await database.db.select({ n: count() }).from(movements);
    const result = await seedDatabase(database.db, { demo: true, demoPassword: 'whatever-123', demoStock: { clock } });
    expect(result.demoSeeded).toBe(false);
    const [after] = await database.db.select({ n: count() }).from(movements);
    expect(after.n).toBe(before.n);
  });
});
