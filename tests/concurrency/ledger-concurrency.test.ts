import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import type { Principal } from '../../server/auth/principal.ts';
import { fixedClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { issueStock } from '../../server/inventory/issues.ts';
import { checkLedger } from '../../server/inventory/ledger-check.ts';
import { receiveStock } from '../../server/inventory/receipts.ts';
import { receiveTransfer, shipTransfer } from '../../server/inventory/transfers.ts';
import { loadPrincipal } from '../../server/users/service.ts';
import { storeId, userId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { NOW, openTestDatabase } from '../support/harness.ts';
import type { Database } from '../../drizzle/client.ts';
import { isDomainError } from '../../server/errors.ts';
import { requestOutboundOrder } from '../../server/authority/orders.ts';
import { decideApproval } from '../../server/authority/decide.ts';

// Runs on the real PostgreSQL server only (PGlite has one connection): DESIGN "The ledger" under concurrency.
const clock = fixedClock(NOW);
let database: Database;
let admin: Principal;
let director: Principal;

beforeAll(async () => {
  database = await openTestDatabase({ poolMax: 24 });
  admin = (await loadPrincipal(database.db, userId('admin')))!;
  director = (await loadPrincipal(database.db, userId('director')))!;
});
afterAll(() => database.close());

/**
 * D23: a standing order approved by a second person (新乡's director), large enough that only stock limits what the
 * operations under test may take — these tests are about the ledger, the order's own limit is tested elsewhere.
 */
async function standingOrder(store: string, items: string[], purpose: 'RELIEF' | 'TRANSFER' = 'RELIEF', toStoreId?: string): Promise<string> {
  const order = await requestOutboundOrder(
    { db: database.db, actor: admin, clock },
    {
      storeId: store,
      purpose,
      recipient: purpose === 'RELIEF' ? '群众' : null,
      toStoreId: toStoreId ?? null,
      idempotencyKey: randomUUID(),
      lines: items.map((itemId) => ({ itemId, quantity: 10_000_000 })),
    },
  );
  await decideApproval({ db: database.db, actor: director, clock }, loadConfig({}), { approvalId: order.approvalId, decision: 'APPROVE' });
  return order.id;
}

const codeOf = (e: unknown) => (isDomainError(e) ? e.code : `unexpected: ${String(e)}`);

async function receiptOf(store: string, item: string, quantity: number, batchNo: string) {
  return receiveStock(
    { db: database.db, actor: admin, clock: clock },
    {
      storeId: store,
      source: 'PURCHASE',
      contractNo: 'HT-C-1',
      inspectionReportNo: 'YS-C-1',
      idempotencyKey: randomUUID(),
      lines: [{ itemId: item, quantity, batchNo, unitPrice: '100.00', expiryDate: '2031-06-30' }],
    },
  );
}

describe('ledger under concurrency (PostgreSQL)', () => {
  it('200 concurrent single-unit issues against a batch of 100: exactly 100 succeed, the rest INSUFFICIENT_STOCK', async () => {
    const store = storeId('S-410721-01');
    const item = itemId('LIV-006');
    await receiptOf(store, item, 100, 'CONC-100');
    const orderId = await standingOrder(store, [item]);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, () =>
        issueStock(
          { db: database.db, actor: admin, clock: clock },
          {
            storeId: store,
            orderId,
            recipient: '群众', // D23: the order's own (standingOrder); another is refused (sweep 17a F1)
            reason: 'RELIEF',
            idempotencyKey: randomUUID(),
            lines: [{ itemId: item, quantity: 1 }],
          },
        ),
      ),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [codeOf(o.reason)] : []));
    expect(ok).toBe(100);
    expect(new Set(refused)).toEqual(new Set(['INSUFFICIENT_STOCK']));
    const [bal] = await queryRows<{ on_hand: number }>(
      database.db,
      sql`SELECT on_hand FROM balances b JOIN batches x ON x.id = b.batch_id WHERE x.batch_no = 'CONC-100' AND b.store_id = ${store}::uuid`,
    );
    expect(Number(bal.on_hand)).toBe(0);
    expect(await checkLedger(database.db)).toEqual([]);
  });

  it('concurrent duplicates of one idempotency key create one document', async () => {
    const input = {
      storeId: storeId('S-410781-01'),
      source: 'DONATION',
      sourceName: '新乡市红十字会',
      idempotencyKey: `dup-${randomUUID()}`,
      lines: [{ itemId: itemId('LIV-004'), quantity: 7, unitPrice: '150.00' }],
    };
    const results = await Promise.all(Array.from({ length: 24 }, () => receiveStock({ db: database.db, actor: admin, clock: clock }, input)));
    expect(new Set(results.map((r) => r.documentId)).size).toBe(1);
    const [row] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM documents WHERE idempotency_key = ${input.idempotencyKey}`);
    expect(row.n).toBe(1);
    const [moves] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM movements WHERE document_id = ${results[0].documentId}::uuid`,
    );
    expect(moves.n).toBe(1);
  });

  it('a randomized mix of ≥ 5,000 receipts, issues, transfers and transfer receipts over 16 connections keeps the ledger exact', async () => {
    const stores = ['S-410700-01', 'S-410781-01', 'S-410721-01', 'S-410781100-01', 'S-410781101-01', 'S-410782-01'].map(storeId);
    const items = ['LIV-001', 'LIV-004', 'FLD-001', 'FLD-002', 'FIR-001'].map(itemId);
    const openTransfers: string[] = [];
    const tally = new Map<string, number>();
    const count = (k: string) => tally.set(k, (tally.get(k) ?? 0) + 1);
    let seed = 20260720;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(xs: T[]) => xs[rand(xs.length)];
    const issueOrders = new Map<string, string>();
    const transferOrders = new Map<string, string>();
    for (const store of stores) {
      issueOrders.set(store, await standingOrder(store, items));
      for (const to of stores) if (to !== store) transferOrders.set(`${store}|${to}`, await standingOrder(store, items, 'TRANSFER', to));
    }
    const TOTAL = 5200;
    let started = 0;

    async function operation() {
      const r = rand(100);
      if (r < 22) {
        const item = pick(items);
        const store = pick(stores);
        // Batch numbers repeat: later receipts add to a batch the store received before.
        await receiptOf(store, item, 1 + rand(40), `MIX-${stores.indexOf(store)}-${items.indexOf(item)}-${rand(6)}`);
        return 'receipt';
      }
      if (r < 55) {
        const store = pick(stores);
        await issueStock(
          { db: database.db, actor: admin, clock: clock },
          {
            storeId: store,
            orderId: issueOrders.get(store),
            reason: 'RELIEF',
            idempotencyKey: randomUUID(),
            lines: [{ itemId: pick(items), quantity: 1 + rand(8) }, ...(rand(3) === 0 ? [{ itemId: pick(items), quantity: 1 + rand(5) }] : [])],
          },
        );
        return 'issue';
      }
      if (r < 80 || openTransfers.length === 0) {
        const from = pick(stores);
        let to = pick(stores);
        while (to === from) to = pick(stores);
        const posted = await shipTransfer(
          { db: database.db, actor: admin, clock: clock },
          {
            fromStoreId: from,
            toStoreId: to,
            orderId: transferOrders.get(`${from}|${to}`),
            idempotencyKey: randomUUID(),
            lines: [{ itemId: pick(items), quantity: 1 + rand(10) }],
          },
        );
        const [doc] = await queryRows<{ transfer_id: string }>(database.db, sql`SELECT transfer_id FROM documents WHERE id = ${posted.documentId}::uuid`);
        openTransfers.push(doc.transfer_id);
        return 'ship';
      }
      const transferId = openTransfers.splice(rand(openTransfers.length), 1)[0];
      const lines = await queryRows<{ batch_id: string; open: number }>(
        database.db,
        sql`SELECT batch_id, shipped - received - lost - cancelled - disputed AS open FROM transfer_lines WHERE transfer_id = ${transferId}::uuid`,
      );
      const partial = rand(3) === 0;
      let stillOpen = false;
      await receiveTransfer(
        { db: database.db, actor: admin, clock: clock },
        {
          transferId,
          idempotencyKey: randomUUID(),
          lines: lines
            .filter((l) => Number(l.open) > 0)
            .map((l) => {
              const open = Number(l.open);
              const q = partial ? Math.max(1, Math.floor(open / 2)) : open;
              // Now and then a short receipt with a discrepancy reason disputes the rest (written off on approval, D27).
              if (rand(10) === 0) return { batchId: l.batch_id, quantity: q, discrepancyReason: 'TRANSIT_LOSS' };
              stillOpen ||= q < open;
              return { batchId: l.batch_id, quantity: q };
            }),
        },
      );
      if (stillOpen) openTransfers.push(transferId);
      return 'receive';
    }

    async function worker() {
      while (started < TOTAL) {
        started++;
        try {
          count(await operation());
        } catch (e) {
          count(codeOf(e));
        }
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker));

    const outcomes = Object.fromEntries(tally);
    if (process.env.TEST_LOG) console.log(outcomes);
    // The only refusal is running out of stock: no deadlock, no constraint error, no unexpected failure.
    const unexpected = Object.keys(outcomes).filter((k) => !['receipt', 'issue', 'ship', 'receive', 'INSUFFICIENT_STOCK'].includes(k));
    expect(unexpected).toEqual([]);
    expect(outcomes.receipt + outcomes.issue + outcomes.ship + outcomes.receive).toBeGreaterThan(4000);
    expect(outcomes.receive).toBeGreaterThan(100);

    expect(await checkLedger(database.db)).toEqual([]);
    const [negative] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM balances WHERE on_hand < 0 OR in_transit < 0 OR reserved < 0`,
    );
    expect(negative.n).toBe(0);
    // In transit = shipped − received (− written off − cancelled), per destination and batch.
    const drift = await queryRows(
      database.db,
      sql`WITH open AS (
            SELECT t.to_store_id AS store_id, l.batch_id, sum(l.shipped - l.received - l.lost - l.cancelled) AS q
              FROM transfer_lines l JOIN transfers t ON t.id = l.transfer_id GROUP BY 1, 2)
          SELECT * FROM open o FULL JOIN balances b ON b.store_id = o.store_id AND b.batch_id = o.batch_id
           WHERE COALESCE(o.q, 0) <> COALESCE(b.in_transit, 0)`,
    );
    expect(drift).toEqual([]);
  }, 300_000);
});
