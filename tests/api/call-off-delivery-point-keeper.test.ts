import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { key } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { createIncident, openPoint } from '../support/relief.ts';

// D14, D17, D24 (sweep 20c F1): the keeper of the 安置点 a call-off delivers to confirms the delivery there — the person
// standing at the 安置点 when the company's lorry arrives; README and the refusal of the plan's sole emergency approver
// both say 「安置点库管员」 confirms. Only deliveries to their own 安置点: not another store's, and no call-off is cancelled
// by a keeper. Auditors write nothing. The emergency approver's segregation is unchanged (call-off-delivery-second-person).

const t = useTestApp();
const TABLE = itemId('LIV-011'); // 折叠桌椅 — no store holds it: a plan for it calls off the agreement
let incidentId: string;

/** A plan for `quantity` tables to the 安置点 `storeId`, approved in an emergency by the dispatcher and executed. */
async function executedPlanTo(storeId: string, name: string, quantity: number) {
  const fields = 'id callOffs { id status }';
  const i = { incidentId, destinations: [{ name, regionCode: '410781100000', lat: 35.47, lng: 114.01, storeId, lines: [{ itemId: TABLE, quantity }] }] };
  const plan = ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${fields} } }`, { i }, 'dispatcher')).requestDispatch;
  ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: plan.id }, 'dispatcher'));
  return ok(
    await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${fields} } }`, { p: plan.id, k: key() }, 'dispatcher'),
  ).executeDispatchPlan;
}
const confirmRaw = (callOffId: string, as: string, quantity?: number) =>
  t.gql(
    `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { id number store { id } lines { quantity } } }`,
    { i: { callOffId, quantity, batchNo: `PK-${key().slice(0, 6)}`, productionDate: '2026-07-01', idempotencyKey: key() } },
    as,
  );
const callOffStatus = async (planId: string) =>
  ok(await t.gql(`query($id: ID!) { dispatchPlan(id: $id) { callOffs { status } } }`, { id: planId }, 'director')).dispatchPlan.callOffs[0].status;

describe('the 安置点’s keeper confirms a call-off delivered to their 安置点 (D14, D17, D24; sweep 20c F1)', () => {
  let ownPoint: string;
  let otherPoint: string;

  beforeAll(async () => {
    incidentId = await createIncident(t, { name: '卫辉市洪涝（安置点库管员确认到货）' });
    ownPoint = await openPoint(t, incidentId, '汲水镇库管员确认安置点');
    otherPoint = await openPoint(t, incidentId, '汲水镇无库管员安置点', { managerIds: [], lat: 35.48, lng: 114.02 });
    await createAgreement(t, {
      companyName: '卫辉市安置点到货测试商贸有限公司',
      regionCode: '410781',
      contractNo: 'WH-PK-2026',
      lines: [{ itemId: TABLE, quantity: 40, unitPrice: '50.00', responseHours: 2 }],
    });
  });

  it('D14, D17: the keeper of the destination 安置点 confirms it (in part: the rest released) — the plan’s sole emergency approver may not', async () => {
    const plan = await executedPlanTo(ownPoint, '汲水镇库管员确认安置点', 6);
    const callOffId = plan.callOffs[0].id;
    // The dispatcher approved it alone in an emergency: refused, and told the 安置点's keeper confirms.
    expect((await confirmRaw(callOffId, 'dispatcher')).errors![0].message).toContain('请由安置点库管员');
    const receipt = ok(await confirmRaw(callOffId, 'keeper', 5)).confirmCallOffDelivery;
    expect(receipt.number).toMatch(/^RK-/);
    expect(receipt.store.id).toBe(ownPoint);
    expect(receipt.lines).toEqual([{ quantity: 5 }]);
    expect(await callOffStatus(plan.id)).toBe('DELIVERED');
    const stock = ok(
      await t.gql(
        `query($s: ID!, $i: ID!) { stock(filter: { storeId: $s, itemId: $i }, first: 10) { edges { node { onHand } } } }`,
        { s: ownPoint, i: TABLE },
        'keeper',
      ),
    ).stock.edges.map((e: any) => e.node.onHand);
    expect(stock).toEqual([5]);
  });

  it('D24: not a delivery to another 安置点 (nor a keeper’s cancellation, nor an auditor’s confirmation) — FORBIDDEN, nothing booked', async () => {
    const plan = await executedPlanTo(otherPoint, '汲水镇无库管员安置点', 4);
    const callOffId = plan.callOffs[0].id;
    const refused = await confirmRaw(callOffId, 'keeper');
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0].message).toContain('仓库保管员只能确认送达本人管理的安置点的协议企业到货');
    expect(errorCode(await confirmRaw(callOffId, 'auditor'))).toBe('FORBIDDEN');
    const cancel = await t.gql(`mutation($c: ID!) { cancelCallOff(callOffId: $c, reason: "企业无货") { id } }`, { c: callOffId }, 'keeper');
    expect(errorCode(cancel)).toBe('FORBIDDEN');
    expect(await callOffStatus(plan.id)).toBe('ISSUED');
    // Its own 安置点's call-off is still not the keeper's to cancel either.
    const own = await executedPlanTo(ownPoint, '汲水镇库管员确认安置点', 2);
    expect(errorCode(await t.gql(`mutation($c: ID!) { cancelCallOff(callOffId: $c, reason: "企业无货") { id } }`, { c: own.callOffs[0].id }, 'keeper'))).toBe(
      'FORBIDDEN',
    );
    // Someone else with authority confirms the other 安置点's.
    expect(ok(await confirmRaw(callOffId, 'director')).confirmCallOffDelivery.number).toMatch(/^RK-/);
  });
});
