import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { key } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { createIncident } from '../support/relief.ts';

// D14, D24 (sweep 19c F6): the dispatcher who approved a plan alone in an emergency (紧急批准) and executed it does not
// also confirm what the company delivered — the delivery books the goods and makes the contract price owed. Another
// person with authority confirms it; once the written approval is recorded by someone else, two people stand behind the
// plan and its approver may confirm too. A plan approved by a second person is not touched.

const t = useTestApp();
const TABLE = itemId('LIV-011'); // 折叠桌椅 — no store holds it: a plan for it calls off the agreement
const POINT = { name: '唐庄镇中学安置点', regionCode: '410781100000', lat: 35.45, lng: 113.97 };
let incidentId: string;

async function executedPlan(quantity: number, emergency: boolean) {
  const fields = 'id callOffs { id status }';
  const i = { incidentId, destinations: [{ ...POINT, lines: [{ itemId: TABLE, quantity }] }] };
  const plan = ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${fields} } }`, { i }, 'dispatcher')).requestDispatch;
  ok(
    await t.gql(
      `mutation($p: ID!, $e: Boolean) { approveDispatchPlan(planId: $p, emergency: $e) { id } }`,
      { p: plan.id, e: emergency },
      emergency ? 'dispatcher' : 'director',
    ),
  );
  return ok(
    await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${fields} } }`, { p: plan.id, k: key() }, 'dispatcher'),
  ).executeDispatchPlan;
}
const confirmRaw = (callOffId: string, as: string) =>
  t.gql(
    `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { id number } }`,
    { i: { callOffId, batchNo: `SOLE-${key().slice(0, 6)}`, productionDate: '2026-07-01', idempotencyKey: key() } },
    as,
  );
const callOffStatus = async (planId: string) =>
  ok(await t.gql(`query($id: ID!) { dispatchPlan(id: $id) { callOffs { status } } }`, { id: planId }, 'dispatcher')).dispatchPlan.callOffs[0].status;

describe('a call-off delivery is confirmed by someone other than the plan’s sole emergency approver (D14, D24)', () => {
  beforeAll(async () => {
    incidentId = await createIncident(t, { name: '卫辉市洪涝（到货确认）' });
    await createAgreement(t, {
      companyName: '卫辉市到货确认测试商贸有限公司',
      regionCode: '410781',
      contractNo: 'WH-SOLE-2026',
      lines: [{ itemId: TABLE, quantity: 30, unitPrice: '50.00', responseHours: 2 }],
    });
  });

  it('D24: the emergency approver is refused (FORBIDDEN, nothing booked); the director confirms it', async () => {
    const plan = await executedPlan(5, true);
    const refused = await confirmRaw(plan.callOffs[0].id, 'dispatcher');
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0].message).toContain('紧急批准本方案的人员不能再确认协议企业到货');
    expect(await callOffStatus(plan.id)).toBe('ISSUED');
    expect(ok(await confirmRaw(plan.callOffs[0].id, 'director')).confirmCallOffDelivery.number).toMatch(/^RK-/);
    expect(await callOffStatus(plan.id)).toBe('DELIVERED');
  });

  it('D14: once another person records the written approval, the approver may confirm', async () => {
    const plan = await executedPlan(5, true);
    ok(await t.gql(`mutation($p: ID!) { recordWrittenApproval(planId: $p, approvalRef: "新应急调〔2026〕31号") { id } }`, { p: plan.id }, 'director'));
    expect(ok(await confirmRaw(plan.callOffs[0].id, 'dispatcher')).confirmCallOffDelivery.number).toMatch(/^RK-/);
  });

  it('a plan approved by a second person: its requester confirms as before', async () => {
    const plan = await executedPlan(5, false);
    expect(ok(await confirmRaw(plan.callOffs[0].id, 'dispatcher')).confirmCallOffDelivery.number).toMatch(/^RK-/);
  });
});
