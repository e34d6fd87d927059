import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../drizzle/client.ts';
import type { Principal } from '../../server/auth/principal.ts';
import { decideApproval } from '../../server/authority/decide.ts';
import { closeOutboundOrder, requestOutboundOrder } from '../../server/authority/orders.ts';
import { fixedClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { isDomainError } from '../../server/errors.ts';
import { checkLedger } from '../../server/inventory/ledger-check.ts';
import { issueStock } from '../../server/inventory/issues.ts';
import { receiveStock } from '../../server/inventory/receipts.ts';
import { loadPrincipal } from '../../server/users/service.ts';
import { storeId, userId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { NOW, openTestDatabase } from '../support/harness.ts';

// D23 under concurrency (PostgreSQL only): what is executed against an order never exceeds what was approved,
// however many executions race for it; D24: of concurrent deciders one wins, and a withdrawal racing a decision
// neither deadlocks nor leaves the two out of step.
const clock = fixedClock(NOW);
let database: Database;
let keeper: Principal;
let director: Principal;
let admin: Principal;
const store = storeId('S-410781-01');
const item = itemId('LIV-008'); // 夏凉被

beforeAll(async () => {
  database = await openTestDatabase({ poolMax: 24 });
  keeper = (await loadPrincipal(database.db, userId('keeper')))!;
  director = (await loadPrincipal(database.db, userId('director')))!;
  admin = (await loadPrincipal(database.db, userId('admin')))!;
  await receiveStock(
    { db: database.db, actor: keeper, clock },
    {
      storeId: store,
      source: 'PURCHASE',
      contractNo: 'HT-A-1',
      inspectionReportNo: 'YS-A-1',
      idempotencyKey: randomUUID(),
      lines: [{ itemId: item, quantity: 1000, batchNo: 'CONC-ORDER', unitPrice: '80.00', expiryDate: '2031-06-30' }],
    },
  );
});
afterAll(() => database.close());

const codeOf = (e: unknown) => (isDomainError(e) ? e.code : `unexpected: ${String(e)}`);

async function order(quantity: number) {
  return requestOutboundOrder(
    { db: database.db, actor: keeper, clock },
    { storeId: store, purpose: 'RELIEF', recipient: '受灾群众', idempotencyKey: randomUUID(), lines: [{ itemId: item, quantity }] },
  );
}

describe('orders under concurrency (PostgreSQL)', () => {
  it('D23: 50 concurrent executions of 3 against an order of 100 — exactly 33 succeed, 99 executed, never more', async () => {
    const o = await order(100);
    await decideApproval({ db: database.db, actor: director, clock }, loadConfig({}), { approvalId: o.approvalId, decision: 'APPROVE' });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        issueStock(
          { db: database.db, actor: keeper, clock },
          { storeId: store, orderId: o.id, reason: 'RELIEF', idempotencyKey: randomUUID(), lines: [{ itemId: item, quantity: 3 }] },
        ),
      ),
    );
    expect(outcomes.filter((x) => x.status === 'fulfilled')).toHaveLength(33);
    const refused = outcomes.flatMap((x) => (x.status === 'rejected' ? [codeOf(x.reason)] : []));
    expect(new Set(refused)).toEqual(new Set(['BAD_USER_INPUT']));
    const [line] = await queryRows<{ executed: number }>(
      database.db,
      sql`SELECT executed_quantity AS executed FROM outbound_order_lines WHERE order_id = ${o.id}::uuid`,
    );
    expect(Number(line.executed)).toBe(99);
    const [moved] = await queryRows<{ q: number }>(
      database.db,
      sql`SELECT -sum(m.quantity)::int AS q FROM movements m JOIN documents d ON d.id = m.document_id WHERE d.order_id = ${o.id}::uuid`,
    );
    expect(Number(moved.q)).toBe(99);
    expect(await checkLedger(database.db)).toEqual([]);
  });

  it('D23: 50 concurrent executions of mixed sizes never exceed the order in total', async () => {
    const o = await order(120);
    await decideApproval({ db: database.db, actor: director, clock }, loadConfig({}), { approvalId: o.approvalId, decision: 'APPROVE' });
    await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        issueStock(
          { db: database.db, actor: keeper, clock },
          { storeId: store, orderId: o.id, reason: 'RELIEF', idempotencyKey: randomUUID(), lines: [{ itemId: item, quantity: 1 + (i % 7) }] },
        ),
      ),
    );
    const [row] = await queryRows<{ executed: number; status: string }>(
      database.db,
      sql`SELECT l.executed_quantity AS executed, o.status::text FROM outbound_order_lines l JOIN outbound_orders o ON o.id = l.order_id WHERE o.id = ${o.id}::uuid`,
    );
    expect(Number(row.executed)).toBeLessThanOrEqual(120);
    const [moved] = await queryRows<{ q: number }>(
      database.db,
      sql`SELECT coalesce(-sum(m.quantity), 0)::int AS q FROM movements m JOIN documents d ON d.id = m.document_id WHERE d.order_id = ${o.id}::uuid`,
    );
    expect(Number(moved.q)).toBe(Number(row.executed));
  });

  it('D24: 10 people deciding one approval at once — exactly one decision stands', async () => {
    const o = await order(5);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        decideApproval({ db: database.db, actor: i % 2 ? admin : director, clock }, loadConfig({}), {
          approvalId: o.approvalId,
          decision: i % 3 ? 'APPROVE' : 'REJECT',
          reason: '并发',
        }),
      ),
    );
    expect(outcomes.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect(new Set(outcomes.flatMap((x) => (x.status === 'rejected' ? [codeOf(x.reason)] : [])))).toEqual(new Set(['INVALID_STATE']));
  });

  it('D24 (sweep 21a N1): a withdrawal and a decision at once — no deadlock; the order ends withdrawn, or decided (closed if approved)', async () => {
    // The withdrawal takes the approval's row before the order's, as the decision does.
    for (let round = 0; round < 10; round++) {
      const o = await order(1);
      const approve = round % 2 === 0;
      const [withdrawal, decision] = await Promise.allSettled([
        closeOutboundOrder({ db: database.db, actor: keeper, clock }, o.id, '并发撤回'),
        decideApproval({ db: database.db, actor: director, clock }, loadConfig({}), {
          approvalId: o.approvalId,
          decision: approve ? 'APPROVE' : 'REJECT',
          reason: '并发',
        }),
      ]);
      const [row] = await queryRows<{ order: string; approval: string; withdrawn: boolean }>(
        database.db,
        sql`SELECT o.status::text AS order, a.status::text AS approval, coalesce((a.payload->>'withdrawn')::boolean, false) AS withdrawn
              FROM outbound_orders o JOIN approvals a ON a.id = o.approval_id WHERE o.id = ${o.id}::uuid`,
      );
      if (decision.status === 'rejected') {
        // Withdrawn first: the decision is told so.
        expect(codeOf(decision.reason)).toBe('INVALID_STATE');
        expect((decision.reason as Error).message).toBe('该出库申请已由申请方撤回，不能审批（撤回原因：并发撤回）');
        expect(withdrawal.status).toBe('fulfilled');
        expect(row).toEqual({ order: 'CLOSED', approval: 'REJECTED', withdrawn: true });
      } else if (approve) {
        // Approved first: the withdrawal closes the approved order as asked.
        expect(withdrawal.status).toBe('fulfilled');
        expect(row).toEqual({ order: 'CLOSED', approval: 'APPROVED', withdrawn: false });
      } else {
        // Rejected first: nothing is left to withdraw.
        expect(withdrawal.status === 'rejected' && codeOf(withdrawal.reason)).toBe('INVALID_STATE');
        expect(row).toEqual({ order: 'REJECTED', approval: 'REJECTED', withdrawn: false });
      }
    }
  });
});
