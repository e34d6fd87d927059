import { describe, expect, it } from 'vitest';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { approvedOrder } from '../support/authority.ts';
import { QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { createIncident, executedPlan, ok, requestPlan } from '../support/relief.ts';

// Sweep 13a: a mutation's own text arguments (a reason, a written approval's 文号) are read as input fields are
// (validation.ts textArg): a string of zero-width characters is blank — an "approved" written approval with an invisible
// 文号, a plan cancelled for no visible reason — and a full ID number in a reason is refused (D29). Each refusal names its
// argument and changes nothing.

const t = useTestApp();
const ZW = '\u200b\u200b';
const ID_IN_TEXT = '户主身份证410781199001011232';
const refusal = (res: GqlResult) => ({ code: errorCode(res), field: res.errors?.[0]?.extensions?.field });

describe('Text arguments read as input fields are (sweep 13a)', () => {
  it('D14, D24: recordWrittenApproval with a 文号 of zero-width characters is refused at approvalRef; the written approval stays due', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'TXT-ARG-1', expiryDate: '2031-01-01' }]);
    const incidentId = await createIncident(t, { name: '卫辉市洪涝（文号）', affectedPopulation: 500 });
    const plan = await executedPlan(t, incidentId, [
      { name: '文号测试安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: QUILT, quantity: 2 }] },
    ]);
    const WRITTEN = `mutation($p: ID!, $r: String!) { recordWrittenApproval(planId: $p, approvalRef: $r) { writtenApproval { status approvalRef } } }`;
    expect(refusal(await t.gql(WRITTEN, { p: plan.id, r: ZW }, 'director'))).toEqual({ code: 'BAD_USER_INPUT', field: 'approvalRef' });
    const read = ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { writtenApproval { status approvalRef } } }`, { p: plan.id }, 'director'));
    expect(read.dispatchPlan.writtenApproval.status).not.toBe('APPROVED');
    expect(ok(await t.gql(WRITTEN, { p: plan.id, r: '新应急〔2026〕7号' }, 'director')).recordWrittenApproval.writtenApproval).toMatchObject({
      status: 'APPROVED',
      approvalRef: '新应急〔2026〕7号',
    });
  });

  it('D23: closeOutboundOrder with a zero-width reason, or an ID number in it, is refused at reason; the order stays approved', async () => {
    const order = ok(await approvedOrder(t, 'keeper', { storeId: WEIHUI, purpose: 'DRILL', recipient: '演练', lines: [{ itemId: QUILT, quantity: 1 }] })).order;
    const CLOSE = `mutation($id: ID!, $r: String!) { closeOutboundOrder(orderId: $id, reason: $r) { status closeReason } }`;
    expect(refusal(await t.gql(CLOSE, { id: order.id, r: ZW }, 'keeper'))).toEqual({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(refusal(await t.gql(CLOSE, { id: order.id, r: ID_IN_TEXT }, 'keeper'))).toEqual({ code: 'BAD_USER_INPUT', field: 'reason' });
    const read = ok(await t.gql(`query($id: ID!) { outboundOrder(id: $id) { status } }`, { id: order.id }, 'keeper'));
    expect(read.outboundOrder.status).toBe('APPROVED');
    expect(ok(await t.gql(CLOSE, { id: order.id, r: '  演练取消  ' }, 'keeper')).closeOutboundOrder).toEqual({ status: 'CLOSED', closeReason: '演练取消' });
  });

  it('cancelDispatchPlan with a zero-width reason is refused at reason; the plan stays proposed', async () => {
    const incidentId = await createIncident(t, { name: '卫辉市洪涝（取消）', affectedPopulation: 500 });
    const plan = await requestPlan(t, incidentId, QUILT, 3, 'id status');
    const CANCEL = `mutation($p: ID!, $r: String!) { cancelDispatchPlan(planId: $p, reason: $r) { status } }`;
    expect(refusal(await t.gql(CANCEL, { p: plan.id, r: ZW }, 'dispatcher'))).toEqual({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { status } }`, { p: plan.id }, 'dispatcher')).dispatchPlan.status).toBe('PROPOSED');
    expect(ok(await t.gql(CANCEL, { p: plan.id, r: '灾情缓解' }, 'dispatcher')).cancelDispatchPlan.status).toBe('CANCELLED');
  });
});
