import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { createAgreement } from '../support/agreements.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key } from '../support/ledger.ts';
import { ok, reverseRaw } from '../support/ledger-ops.ts';
import { createIncident } from '../support/relief.ts';

// Sweep 18a F1 (D22 "corrections are reversing entries", D6/D17, D25): reversing the receipt confirmCallOffDelivery
// booked was approved and took the goods off the ledger, while the call-off stayed DELIVERED, the agreement drawn
// down, the settlement as it was and the incident's 物资收支 showed the goods received. A call-off's receipt is not
// reversed (INVALID_STATE, saying what to do instead) — when asked, and again when a reversal asked before is approved.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const TABLE = itemId('LIV-011'); // 折叠桌椅 — no store holds it: a plan for it calls off the agreement
const POINT = { name: '唐庄镇中学安置点', regionCode: '410781100000', lat: 35.45, lng: 113.97 };
const COMPANY = '卫辉市调用冲销测试商贸有限公司';

let agreementId: string;
let callOffId: string;
let receipt: { id: string; number: string; store: { id: string } };

const agreementLine = async () =>
  ok(await t.gql(`query($id: ID!) { agreement(id: $id) { lines { effectiveQuantity contingentValue } } }`, { id: agreementId }, 'admin')).agreement.lines[0];
const callOffState = async () =>
  (
    await queryRows<{ status: string; delivered_quantity: number; receipt_document_id: string }>(
      t.database.db,
      sql`SELECT status::text AS status, delivered_quantity, receipt_document_id::text AS receipt_document_id FROM call_offs WHERE id = ${callOffId}::uuid`,
    )
  )[0];
const receiptState = async () => ok(await t.gql(`query($id: ID!) { document(id: $id) { status reversible } }`, { id: receipt.id }, 'dispatcher')).document;
const tablesOnHand = async () =>
  Number(
    (
      await queryRows<{ n: number }>(
        t.database.db,
        sql`SELECT COALESCE(sum(on_hand), 0)::int AS n FROM balances b JOIN batches x ON x.id = b.batch_id WHERE x.item_id = ${TABLE}::uuid AND b.store_id = ${receipt.store.id}::uuid`,
      )
    )[0].n,
  );

beforeAll(async () => {
  agreementId = await createAgreement(t, {
    companyName: COMPANY,
    regionCode: '410781',
    lines: [{ itemId: TABLE, quantity: 10, unitPrice: '50.00', responseHours: 2 }],
  });
  const incidentId = await createIncident(t, { name: '卫辉市洪涝（调用到货冲销）' });
  const i = { incidentId, destinations: [{ ...POINT, lines: [{ itemId: TABLE, quantity: 10 }] }] };
  const plan = ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, { i }, 'dispatcher')).requestDispatch;
  ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
  const executed = ok(
    await t.gql(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { callOffs { id } } }`,
      { p: plan.id, k: key() },
      'dispatcher',
    ),
  ).executeDispatchPlan;
  callOffId = executed.callOffs[0].id;
  receipt = ok(
    await t.gql(
      `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { id number store { id } } }`,
      { i: { callOffId, quantity: 6, batchNo: 'S18A-F1-TABLE', productionDate: '2026-07-01', idempotencyKey: key() } },
      'dispatcher',
    ),
  ).confirmCallOffDelivery;
});

describe('a call-off’s receipt is not reversed (sweep 18a F1, D22, D17, D25)', () => {
  it('D22, D17: reverseDocument of the receipt → INVALID_STATE naming the call-off and what to do instead; nothing changes', async () => {
    const before = { line: await agreementLine(), callOff: await callOffState(), onHand: await tablesOnHand() };
    expect(before.callOff).toMatchObject({ status: 'DELIVERED', delivered_quantity: 6 });
    expect(before.line).toEqual({ effectiveQuantity: 4, contingentValue: '200.00' });
    expect(before.onHand).toBe(6);
    const res = await reverseRaw(t, 'dispatcher', receipt.id, key(), false);
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors?.[0]?.extensions).toMatchObject({ field: 'documentId', callOffId });
    const message = String(res.errors?.[0]?.message);
    expect(message).toContain(receipt.number);
    expect(message).toContain('调用单');
    expect(message).toContain(COMPANY);
    expect(message).toContain('不能冲销');
    expect(message).toContain('盘点');
    expect({ line: await agreementLine(), callOff: await callOffState(), onHand: await tablesOnHand() }).toEqual(before);
    // The screens do not offer it (StockDocument.reversible), and the receipt stays posted.
    expect(await receiptState()).toEqual({ status: 'POSTED', reversible: false });
  });

  it('D22, D24: a reversal asked before the rule (pending) is refused on approval, telling the approver to reject it; nothing posts', async () => {
    // A reversal requested while the receipt was not yet known as the call-off's (the rule did not exist then).
    await t.database.db.execute(sql`UPDATE call_offs SET receipt_document_id = NULL WHERE id = ${callOffId}::uuid`);
    const pending = ok(await reverseRaw(t, 'dispatcher', receipt.id, key(), false)).reverseDocument;
    await t.database.db.execute(sql`UPDATE call_offs SET receipt_document_id = ${receipt.id}::uuid WHERE id = ${callOffId}::uuid`);
    expect(pending.status).toBe('PENDING_APPROVAL');
    const decided = await decideRaw(t, 'director', await pendingApprovalOf(t, pending.id, 'REVERSAL'), 'APPROVE');
    expect(errorCode(decided)).toBe('INVALID_STATE');
    expect(String(decided.errors?.[0]?.message)).toContain('请驳回该冲销申请');
    expect(decided.errors?.[0]?.extensions).toMatchObject({ field: 'input.approvalId', callOffId });
    expect(await tablesOnHand()).toBe(6);
    expect(await agreementLine()).toEqual({ effectiveQuantity: 4, contingentValue: '200.00' });
    expect((await receiptState()).status).toBe('POSTED');
    // Rejected, it leaves everything as it was.
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, pending.id, 'REVERSAL'), 'REJECT'));
    expect(await tablesOnHand()).toBe(6);
    expect(await callOffState()).toMatchObject({ status: 'DELIVERED', delivered_quantity: 6 });
  });
});
