import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { DOC_FIELDS, expectLedgerConsistent, key, receive, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts, lineOf, ok } from '../support/ledger-ops.ts';
import { approvedOrder, decideRaw, pendingApprovalOf } from '../support/authority.ts';

// D23 凭令出库, API.md ("Existing operations gain: issueStock/shipTransfer/rotateStock/scrapStock input `orderId: ID`
// (required for government-owned stock outside a dispatch plan)"): scrap is among what government-owned stock leaves
// by only against an approved outbound order. Without one it is refused at input.orderId as an issue is — nothing
// written, not even the idempotency key, which a corrected attempt may use. The company's own stock in its own agreement
// store is the company's business (D23): its scrap needs no order and waits for a second person (D27); with an
// approved SCRAP order a scrap posts at once, the order's approval being the second person.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）, operated by 新乡市惠民百货配送有限公司
const RAINCOAT = itemId('LIV-010');
const REFUSAL = '政府储备物资凭令出库：报废须依据已批准的出库申请';

const scrapRaw = (input: Record<string, unknown>, as: string) =>
  t.gql(
    `mutation($input: ScrapStockInput!) { scrapStock(input: $input) { ${DOC_FIELDS} approvalRef } }`,
    { input: { approvalRef: '鉴定〔2026〕31号', reason: 'DAMAGED', idempotencyKey: key(), ...input } },
    as,
  );

/** What a refused scrap must leave as it was (D22: the refusal itself is audited, on its own row; a first login is not counted). */
async function snapshot() {
  const [r] = await queryRows<{ approvals: number; orders: number; ok: number; refused: number; keys: number }>(
    t.database.db,
    sql`SELECT (SELECT count(*)::int FROM approvals) AS approvals, (SELECT count(*)::int FROM outbound_orders) AS orders,
               (SELECT count(*)::int FROM audit_log WHERE outcome = 'OK' AND operation <> 'login') AS ok,
               (SELECT count(*)::int FROM audit_log WHERE operation = 'scrapStock' AND outcome = 'BAD_USER_INPUT') AS refused,
               (SELECT count(*)::int FROM idempotency_keys) AS keys`,
  );
  return { ledger: await ledgerCounts(t), approvals: r.approvals, orders: r.orders, auditOk: r.ok, refused: r.refused, keys: r.keys };
}

const expectRefused = (res: Awaited<ReturnType<typeof scrapRaw>>) => {
  expect([errorCode(res), res.errors?.[0].extensions.field], JSON.stringify(res.errors)).toEqual(['BAD_USER_INPUT', 'input.orderId']);
  expect(res.errors![0].message).toBe(REFUSAL);
  expect(res.data?.scrapStock ?? null).toBeNull();
};

const scrapOrder = async (as: string, storeId: string, batchId: string, quantity: number) =>
  ok(await approvedOrder(t, as, { storeId, purpose: 'SCRAP', lines: [{ itemId: RAINCOAT, batchId, quantity }] })).order;

const batch: Record<string, string> = {};

beforeAll(async () => {
  const gov = await receive(t, 'keeper', WEIHUI, [{ itemId: RAINCOAT, quantity: 30, batchNo: 'SNO-GOV-1', unitPrice: '40.00', expiryDate: '2031-01-01' }]);
  batch.gov = gov.lines[0].batch.id;
  const own = await receive(t, 'admin', AGREEMENT_STORE, [
    { itemId: RAINCOAT, quantity: 30, batchNo: 'SNO-OWN-1', unitPrice: '40.00', expiryDate: '2031-01-01' },
    { itemId: RAINCOAT, quantity: 30, batchNo: 'SNO-GOVAG-1', unitPrice: '40.00', expiryDate: '2031-01-01' },
  ]);
  for (const l of own.lines) batch[l.batch.batchNo] = l.batch.id;
  // Government stock in an agreement store, as it could be there before D23's custody rule (order-by-owner.test.ts).
  await t.database.db.execute(
    sql`UPDATE batches SET owner_org_id = (SELECT owner_org_id FROM batches WHERE id = ${batch.gov}::uuid), funding_source = 'CITY'
        WHERE id = ${batch['SNO-GOVAG-1']}::uuid`,
  );
});

describe('scrapStock needs an approved order for government-owned stock (D23, D27, API.md)', () => {
  it('D23, API.md: government stock scrapped without orderId → BAD_USER_INPUT at input.orderId; no document, hold, approval or audit row of a change; the key is still free', async () => {
    const before = await snapshot();
    const idempotencyKey = key();
    const res = await scrapRaw({ storeId: WEIHUI, idempotencyKey, lines: [{ batchId: batch.gov, quantity: 4 }] }, 'keeper');
    expectRefused(res);
    expect(await snapshot()).toEqual({ ...before, refused: before.refused + 1 });
    expect(await lineOf(t, WEIHUI, RAINCOAT, batch.gov)).toMatchObject({ onHand: 30, reserved: 0 });
    // The key was not used up: the same key, now with an approved SCRAP order, posts at once — no queue (D27: the
    // order's approval is the second person).
    const order = await scrapOrder('keeper', WEIHUI, batch.gov, 4);
    const posted = ok(
      await scrapRaw({ storeId: WEIHUI, idempotencyKey, orderId: order.id, lines: [{ batchId: batch.gov, quantity: 4 }] }, 'keeper'),
    ).scrapStock;
    expect(posted).toMatchObject({ type: 'SCRAP', status: 'POSTED' });
    expect(await lineOf(t, WEIHUI, RAINCOAT, batch.gov)).toMatchObject({ onHand: 26, reserved: 0 });
    const [{ n }] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM approvals WHERE subject_id = ${posted.id}::uuid`);
    expect(n).toBe(0);
  });

  it('D3, D23: government stock in an agreement store is refused the same way (checked on the batch, under lock), whoever scraps it; the key then serves the company’s own scrap', async () => {
    const before = await snapshot();
    const idempotencyKey = key();
    for (const as of ['admin', 'dispatcher']) {
      expectRefused(await scrapRaw({ storeId: AGREEMENT_STORE, idempotencyKey, lines: [{ batchId: batch['SNO-GOVAG-1'], quantity: 2 }] }, as));
    }
    // A scrap of the company's own batch and the government's together is refused whole.
    const mixed = await scrapRaw(
      {
        storeId: AGREEMENT_STORE,
        idempotencyKey,
        lines: [
          { batchId: batch['SNO-OWN-1'], quantity: 1 },
          { batchId: batch['SNO-GOVAG-1'], quantity: 1 },
        ],
      },
      'admin',
    );
    expectRefused(mixed);
    expect(await snapshot()).toEqual({ ...before, refused: before.refused + 3 });
    expect(await lineOf(t, AGREEMENT_STORE, RAINCOAT, batch['SNO-GOVAG-1'])).toMatchObject({ onHand: 30, reserved: 0 });
    const own = ok(await scrapRaw({ storeId: AGREEMENT_STORE, idempotencyKey, lines: [{ batchId: batch['SNO-OWN-1'], quantity: 1 }] }, 'admin')).scrapStock;
    expect(own.status).toBe('PENDING_APPROVAL');
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, own.id, 'SCRAP'), 'REJECT', { reason: '未经鉴定' }));
  });

  it('D23, D27: the company’s own stock in its agreement store, without an order, waits (held) and posts when a second person approves; its government batch is refused without an order and posts under an approved one', async () => {
    const own = batch['SNO-OWN-1'];
    const before = (await lineOf(t, AGREEMENT_STORE, RAINCOAT, own))!.onHand;
    const pending = ok(await scrapRaw({ storeId: AGREEMENT_STORE, lines: [{ batchId: own, quantity: 5 }] }, 'admin')).scrapStock;
    expect(pending).toMatchObject({ type: 'SCRAP', status: 'PENDING_APPROVAL' });
    expect(await lineOf(t, AGREEMENT_STORE, RAINCOAT, own)).toMatchObject({ onHand: before, reserved: 5 });
    const approvalId = await pendingApprovalOf(t, pending.id, 'SCRAP');
    // D24: not by the one who asked.
    expect(errorCode(await decideRaw(t, 'admin', approvalId, 'APPROVE'))).toBe('FORBIDDEN');
    ok(await decideRaw(t, 'director', approvalId, 'APPROVE'));
    expect(ok(await t.gql(`query($id: ID!) { document(id: $id) { status } }`, { id: pending.id }, 'admin')).document.status).toBe('POSTED');
    expect(await lineOf(t, AGREEMENT_STORE, RAINCOAT, own)).toMatchObject({ onHand: before - 5, reserved: 0 });
    // The government's batch there leaves only against its order — refused without one, then at once.
    expectRefused(await scrapRaw({ storeId: AGREEMENT_STORE, lines: [{ batchId: batch['SNO-GOVAG-1'], quantity: 3 }] }, 'admin'));
    const order = await scrapOrder('admin', AGREEMENT_STORE, batch['SNO-GOVAG-1'], 3);
    const posted = ok(
      await scrapRaw({ storeId: AGREEMENT_STORE, orderId: order.id, lines: [{ batchId: batch['SNO-GOVAG-1'], quantity: 3 }] }, 'admin'),
    ).scrapStock;
    expect(posted.status).toBe('POSTED');
    expect(await lineOf(t, AGREEMENT_STORE, RAINCOAT, batch['SNO-GOVAG-1'])).toMatchObject({ onHand: 27, reserved: 0 });
  });
});
