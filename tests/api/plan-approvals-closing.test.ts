import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, NOW, useTestApp } from '../support/harness.ts';
import { createIncident, ok, requestPlan } from '../support/relief.ts';
import { expectLedgerConsistent, receive, stockAt, WEIHUI } from '../support/ledger.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';

// D14, D24, D25: the approvals that hang on a dispatch plan. The written approval after an emergency approval is
// recorded by a third person (neither the plan's requester nor the emergency approver), on every route; a plan
// cancelled or rejected takes its pending approvals with it, so none waits for ever or turns overdue.

const t = useTestApp();
afterEach(() => t.clock.set(NOW));
afterEach(() => expectLedgerConsistent(t));

const BLANKET = itemId('LIV-006'); // 毛毯: local stock of 卫辉
const PURIFIER = itemId('LIV-019'); // 应急净水设备: only in 运城, which has no 联储 agreement with 新乡 (consent needed)
const YUNCHENG = storeId('S-140800-01');

const PLAN = `id status emergency approvalDueAt writtenApprovalRef writtenApprovedAt lines { store { id } quantity needsConsent consent }`;
const APPROVAL = `id kind status subjectId reason overdue decidedBy { username } approvalRef withdrawn withdrawnBy { username }`;

let incidentId: string;

const approve = (planId: string, as: string, emergency: boolean) =>
  t.gql(`mutation($p: ID!, $e: Boolean) { approveDispatchPlan(planId: $p, emergency: $e) { ${PLAN} } }`, { p: planId, e: emergency }, as);
const cancel = (planId: string, as = 'dispatcher') =>
  t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "需求变更") { ${PLAN} } }`, { p: planId }, as);
const recordWritten = (planId: string, as: string, ref = '新应急调〔2026〕21号') =>
  t.gql(`mutation($p: ID!, $r: String!) { recordWrittenApproval(planId: $p, approvalRef: $r) { ${PLAN} } }`, { p: planId, r: ref }, as);
const planById = async (planId: string) => ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} } }`, { p: planId }, 'admin')).dispatchPlan;

/** The approvals of a plan as `as` sees them through the queue (`filter` narrows, e.g. status PENDING, mine TO_DECIDE). */
const approvalsOfPlan = async (planId: string, as = 'admin', filter: Record<string, unknown> = {}) =>
  ok(await t.gql(`query($f: ApprovalFilter!) { approvals(filter: $f, first: 500) { edges { node { ${APPROVAL} } } } }`, { f: filter }, as))
    .approvals.edges.map((e: any) => e.node)
    .filter((a: any) => a.subjectId === planId);
const overdue = async () =>
  ok(await t.gql(`query { overdueEmergencyApprovals(regionCode: "410700") { id } }`, {}, 'director')).overdueEmergencyApprovals.map((p: any) => p.id);

beforeAll(async () => {
  await receive(t, 'admin', WEIHUI, [{ itemId: BLANKET, quantity: 500, batchNo: 'PA-MT-WH', expiryDate: '2032-01-01', unitPrice: '90.00' }]);
  await receive(t, 'admin', YUNCHENG, [{ itemId: PURIFIER, quantity: 6, batchNo: 'PA-JSSB-YC', expiryDate: '2031-01-01', unitPrice: '11000.00' }]);
  incidentId = await createIncident(
    t,
    { name: '卫辉市“7·20”洪涝灾害', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 }, affectedPopulation: 5000 },
    'dispatcher',
  );
});

describe('the written approval after an emergency approval (D14, D24)', () => {
  it('D24: the plan’s requester may record it neither by recordWrittenApproval nor by decideApproval; nothing changes', async () => {
    const plan = await requestPlan(t, incidentId, BLANKET, 10, PLAN);
    ok(await approve(plan.id, 'director', true)); // the director approves the dispatcher's plan in an emergency
    const writtenId = await pendingApprovalOf(t, plan.id, 'EMERGENCY_WRITTEN_APPROVAL');

    const byRecord = await recordWritten(plan.id, 'dispatcher', '请求人自补');
    expect(errorCode(byRecord)).toBe('FORBIDDEN');
    expect(byRecord.errors![0].message).toMatch(/^不相容岗位分离：/);
    const byQueue = await decideRaw(t, 'dispatcher', writtenId, 'APPROVE', { approvalRef: '请求人经队列自批' });
    expect(errorCode(byQueue)).toBe('FORBIDDEN');
    expect(byQueue.errors![0].message).toMatch(/^不相容岗位分离：/);
    // Nor the emergency approver, on either route.
    expect(errorCode(await recordWritten(plan.id, 'director'))).toBe('FORBIDDEN');
    expect(errorCode(await decideRaw(t, 'director', writtenId, 'APPROVE'))).toBe('FORBIDDEN');

    expect(await planById(plan.id)).toMatchObject({ status: 'APPROVED', emergency: true, writtenApprovalRef: null, writtenApprovedAt: null });
    expect(await approvalsOfPlan(plan.id, 'admin', { kind: 'EMERGENCY_WRITTEN_APPROVAL' })).toEqual([
      expect.objectContaining({ id: writtenId, status: 'PENDING', decidedBy: null, approvalRef: null }),
    ]);
    // Not in the requester's list of what they may decide.
    expect(await approvalsOfPlan(plan.id, 'dispatcher', { mine: 'TO_DECIDE', status: 'PENDING' })).toEqual([]);

    // A third person with authority (the administrator) records it.
    const recorded = ok(await recordWritten(plan.id, 'admin')).recordWrittenApproval;
    expect(recorded).toMatchObject({ status: 'APPROVED', writtenApprovalRef: '新应急调〔2026〕21号' });
    expect(await approvalsOfPlan(plan.id, 'admin', { kind: 'EMERGENCY_WRITTEN_APPROVAL' })).toEqual([
      expect.objectContaining({ id: writtenId, status: 'APPROVED', decidedBy: { username: 'admin' }, approvalRef: '新应急调〔2026〕21号' }),
    ]);
    ok(await cancel(plan.id));
  });

  it('D24: a third person records it through the queue (decideApproval)', async () => {
    const plan = await requestPlan(t, incidentId, BLANKET, 10, PLAN);
    ok(await approve(plan.id, 'dispatcher', true)); // the requester approves their own plan in an emergency
    const writtenId = await pendingApprovalOf(t, plan.id, 'EMERGENCY_WRITTEN_APPROVAL');
    expect(errorCode(await decideRaw(t, 'dispatcher', writtenId, 'APPROVE'))).toBe('FORBIDDEN');
    const decided = ok(await decideRaw(t, 'director', writtenId, 'APPROVE', { approvalRef: '新应急调〔2026〕22号' })).decideApproval;
    expect(decided).toMatchObject({ status: 'APPROVED', decidedBy: { username: 'director' } });
    expect((await planById(plan.id)).writtenApprovalRef).toBe('新应急调〔2026〕22号');
    ok(await cancel(plan.id));
  });
});

describe('a cancelled or rejected plan takes its pending approvals with it (D14, D24, D25)', () => {
  it('D24: cancelling a PROPOSED plan closes its DISPATCH_PLAN approval; it is in no queue and cannot be decided', async () => {
    const plan = await requestPlan(t, incidentId, BLANKET, 10, PLAN);
    const approvalId = await pendingApprovalOf(t, plan.id, 'DISPATCH_PLAN');
    expect(ok(await cancel(plan.id)).cancelDispatchPlan.status).toBe('CANCELLED');
    expect(await approvalsOfPlan(plan.id)).toEqual([
      expect.objectContaining({
        id: approvalId,
        kind: 'DISPATCH_PLAN',
        status: 'REJECTED',
        reason: '调拨方案已取消：需求变更',
        // Sweep 25c F6 (D24): was decidedBy dispatcher — the requester "deciding" his own request. A cancellation is a
        // withdrawal: decided by nobody, withdrawn by the requester.
        decidedBy: null,
        withdrawn: true,
        withdrawnBy: { username: 'dispatcher' },
      }),
    ]);
    expect(await approvalsOfPlan(plan.id, 'admin', { status: 'PENDING' })).toEqual([]);
    expect(await approvalsOfPlan(plan.id, 'director', { mine: 'TO_DECIDE', status: 'PENDING' })).toEqual([]);
    expect(errorCode(await decideRaw(t, 'director', approvalId, 'APPROVE'))).toBe('INVALID_STATE');
  });

  it('D14: an emergency-approved plan, then cancelled, closes its written approval; it is never overdue', async () => {
    const plan = await requestPlan(t, incidentId, BLANKET, 10, PLAN);
    ok(await approve(plan.id, 'director', true));
    const writtenId = await pendingApprovalOf(t, plan.id, 'EMERGENCY_WRITTEN_APPROVAL');
    expect((await stockAt(t, WEIHUI, BLANKET))[0].reserved).toBe(10);
    t.clock.advance(1);
    ok(await cancel(plan.id));
    expect((await stockAt(t, WEIHUI, BLANKET))[0].reserved).toBe(0);
    t.clock.advance(48); // 49 h after the emergency approval: past its due time
    expect(await approvalsOfPlan(plan.id, 'admin', { kind: 'EMERGENCY_WRITTEN_APPROVAL' })).toEqual([
      // Sweep 25c F6 (D24): was decidedBy dispatcher — closed with the plan, the written approval is withdrawn, decided by nobody.
      expect.objectContaining({
        id: writtenId,
        status: 'REJECTED',
        overdue: false,
        reason: '调拨方案已取消：需求变更',
        decidedBy: null,
        withdrawn: true,
        withdrawnBy: { username: 'dispatcher' },
      }),
    ]);
    expect(await approvalsOfPlan(plan.id, 'admin', { status: 'PENDING' })).toEqual([]);
    expect(await overdue()).not.toContain(plan.id);
    expect(errorCode(await recordWritten(plan.id, 'admin'))).toBe('INVALID_STATE');
  });

  it('D24, D25: a plan rejected in the queue leaves no pending approval (its consent is closed too)', async () => {
    const plan = await requestPlan(t, incidentId, PURIFIER, 6, PLAN);
    expect(plan.lines).toEqual([expect.objectContaining({ store: { id: YUNCHENG }, needsConsent: true, consent: 'PENDING' })]);
    const approvalId = await pendingApprovalOf(t, plan.id, 'DISPATCH_PLAN');
    const consentId = await pendingApprovalOf(t, plan.id, 'CROSS_REGION_USE');
    ok(await decideRaw(t, 'director', approvalId, 'REJECT', { reason: '方案不合理' }));
    expect((await planById(plan.id)).status).toBe('CANCELLED');
    expect(await approvalsOfPlan(plan.id, 'admin', { status: 'PENDING' })).toEqual([]);
    expect((await approvalsOfPlan(plan.id)).find((a: any) => a.id === consentId)).toMatchObject({
      status: 'REJECTED',
      reason: '调拨方案已驳回：方案不合理',
      // Sweep 25c F2 (D25): was decidedBy director — as if 新乡's approver had decided 运城's consent (and the line read
      // REJECTED, 运城's refusal). Closed with the plan, it is withdrawn by the director, decided by nobody.
      decidedBy: null,
      withdrawn: true,
      withdrawnBy: { username: 'director' },
    });
    expect((await planById(plan.id)).lines).toEqual([expect.objectContaining({ needsConsent: true, consent: 'WITHDRAWN' })]);
    expect(errorCode(await decideRaw(t, 'admin', consentId, 'APPROVE'))).toBe('INVALID_STATE');
  });

  it('D25: cancelling a plan closes its pending consent, requested by the one who cancels (withdrawn, no decider)', async () => {
    const plan = await requestPlan(t, incidentId, PURIFIER, 6, PLAN);
    const consentId = await pendingApprovalOf(t, plan.id, 'CROSS_REGION_USE');
    ok(await cancel(plan.id));
    expect(await approvalsOfPlan(plan.id, 'admin', { status: 'PENDING' })).toEqual([]);
    expect((await approvalsOfPlan(plan.id)).find((a: any) => a.id === consentId)).toMatchObject({
      status: 'REJECTED',
      reason: '调拨方案已取消：需求变更',
      decidedBy: null,
      withdrawn: true,
    });
    expect((await stockAt(t, YUNCHENG, PURIFIER))[0]).toMatchObject({ reserved: 0, onHand: 6 });
  });

  it('D14: cancelling a plan twice says it is already cancelled (INVALID_STATE)', async () => {
    const plan = await requestPlan(t, incidentId, BLANKET, 10, PLAN);
    ok(await cancel(plan.id));
    const again = await cancel(plan.id);
    expect(errorCode(again)).toBe('INVALID_STATE');
    expect(again.errors![0].message).toContain('已取消');
    expect(again.errors![0].message).not.toContain('已执行');
  });
});
