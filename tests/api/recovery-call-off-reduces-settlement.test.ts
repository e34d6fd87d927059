import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { key, onHandOf, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok, reverseRaw } from '../support/ledger-ops.ts';

// Sweep 18a F15 (D17, D25, D30): goods a call-off delivered under another jurisdiction's agreement are that government's
// (the batch owner's) and owed to it. They came from no store, so "recovered into the store they were taken from"
// never applied: recovered in good condition into the lender's own store — the only place assertRecoveredToOwner lets
// them go — the lender had its goods back and was still owed their full price. Now a recovery into a store of the side
// owed reduces the call-off's settlement by what came back, as for lent store stock (README): lost and damaged stay owed,
// a line given back in full is released (the recovery named, settledBy null), and that recovery is not reversed.

const t = useTestApp({ checkLedger: true });

const TABLE = itemId('LIV-011'); // 折叠桌椅: always recovered (D12), nobody holds it
const POINT = { name: '唐庄镇中学安置点（调用回收）', regionCode: '410781100000', lat: 35.45, lng: 113.97 };

const SETTLEMENT = `id status quantity value released reference settledBy { username } releasedBy { username } planId`;
const settlementOf = async (planId: string) =>
  (ok(await t.gql(`{ settlements { ${SETTLEMENT} } }`, {}, 'admin')).settlements as any[]).find((s) => s.planId === planId);
const recover = (planId: string, lines: Record<string, unknown>[], toStoreId: string) =>
  t.gql(`mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`, { i: { planId, idempotencyKey: key(), toStoreId, lines } }, 'dispatcher');
const newestRecoveryInto = async (storeId: string, batchId: string) =>
  ok(
    await t.gql(
      `query($f: MovementFilter!) { movements(filter: $f, first: 1) { edges { node { quantity document { id number status reversible } } } } }`,
      { f: { storeId, batchId, type: 'RECOVERY' } },
      'admin',
    ),
  ).movements.edges[0].node as { quantity: number; document: { id: string; number: string; status: string; reversible: boolean } };

let incidentId: string;
// Delivered before any recovery: once tables are back in 卫辉市's store, the planner would take those first (LOCAL).
let first: { planId: string; batchId: string };
let second: { planId: string; batchId: string };
let third: { planId: string; batchId: string };

/** 新乡市 calls off `quantity` tables from 卫辉市's agreement for its city incident; delivered in full: the plan and the delivered batch. */
async function deliveredCallOff(quantity: number, batchNo: string): Promise<{ planId: string; batchId: string }> {
  const input = { incidentId, deadlineHours: 200, destinations: [{ ...POINT, lines: [{ itemId: TABLE, quantity }] }] };
  const plan = ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, { i: input }, 'dispatcher')).requestDispatch;
  ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
  const [callOff] = ok(
    await t.gql(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { callOffs { id } } }`,
      { p: plan.id, k: key() },
      'dispatcher',
    ),
  ).executeDispatchPlan.callOffs;
  const receipt = ok(
    await t.gql(
      `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { lines { batch { id } } } }`,
      { i: { callOffId: callOff.id, batchNo, productionDate: '2026-07-01', idempotencyKey: key() } },
      'dispatcher',
    ),
  ).confirmCallOffDelivery;
  return { planId: plan.id, batchId: receipt.lines[0].batch.id };
}

beforeAll(async () => {
  incidentId = ok(
    await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      { i: { name: '新乡市洪涝（调用物资回收）', type: 'FLOOD', regionCode: '410700', location: { lat: 35.45, lng: 113.97 }, affectedPopulation: 500 } },
      'dispatcher',
    ),
  ).createIncident.id;
  await createAgreement(t, {
    companyName: '卫辉市回收测试桌椅公司',
    regionCode: '410781',
    lines: [{ itemId: TABLE, quantity: 30, unitPrice: '380.00', responseHours: 2 }],
  });
  first = await deliveredCallOff(10, 'F15-TBL-1');
  second = await deliveredCallOff(5, 'F15-TBL-2');
  third = await deliveredCallOff(3, 'F15-TBL-3');
});

describe('sweep 18a F15 (D17, D25, D30): call-off goods recovered into a store of the side owed reduce its settlement', () => {
  it('D25, D30: 10 delivered, owed to 卫辉市; 6 good back into 卫辉市’s store (1 lost): 4 owed; the recovery is not reversed', async () => {
    const { planId, batchId } = first;
    expect(await settlementOf(planId)).toMatchObject({ status: 'OPEN', quantity: 10, value: '3800.00' });
    const before = await onHandOf(t, WEIHUI, TABLE);
    ok(await recover(planId, [{ batchId, good: 6, lost: 1 }], WEIHUI));
    expect(await onHandOf(t, WEIHUI, TABLE)).toBe(before + 6);
    // The lost one was used up on the borrowing side's account: it stays owed.
    expect(await settlementOf(planId)).toMatchObject({ status: 'OPEN', quantity: 4, value: '1520.00', reference: null, released: false });
    // D22, D25: the recovery repaid the debt in kind: it is not reversed (the settlement would stay reduced for goods no longer returned).
    const recovery = await newestRecoveryInto(WEIHUI, batchId);
    expect(recovery).toMatchObject({ quantity: 6, document: { status: 'POSTED', reversible: false } });
    const refused = await reverseRaw(t, 'dispatcher', recovery.document.id, key(), false);
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(refused.errors![0].message).toContain('不能冲销');
    expect(await settlementOf(planId)).toMatchObject({ status: 'OPEN', quantity: 4 });
  });

  it('D25, D30: all of it back in good condition — released, the recovery named, settledBy null', async () => {
    const { planId, batchId } = second;
    ok(await recover(planId, [{ batchId, good: 5 }], WEIHUI));
    const recovery = await newestRecoveryInto(WEIHUI, batchId);
    const s = await settlementOf(planId);
    expect(s).toMatchObject({ status: 'SETTLED', quantity: 0, value: '0.00', released: true, settledBy: null, releasedBy: { username: 'dispatcher' } });
    expect(s.reference).toContain(`回收单 ${recovery.document.number}`);
    expect(s.reference).toContain('无需归还');
  });

  it('D23, D30: the owing side’s store (新乡市’s) is not the goods’ owner’s while the debt is open: refused, nothing changes', async () => {
    const { planId, batchId } = third;
    const refused = await recover(planId, [{ batchId, good: 3 }], XINXIANG);
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(await settlementOf(planId)).toMatchObject({ status: 'OPEN', quantity: 3, value: '1140.00' });
  });
});
