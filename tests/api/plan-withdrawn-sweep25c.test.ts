import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { NOW, useTestApp } from '../support/harness.ts';
import { createIncident, ok } from '../support/relief.ts';
import { expectLedgerConsistent, receive, WEIHUI } from '../support/ledger.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { download } from '../support/paperwork.ts';

// Sweep 25c F2, F6, F7 (D14, D16, D24, D25, D28): a plan closed before it was carried out — rejected by its own approver,
// or cancelled by its requester — takes its pending approvals with it as withdrawals (Approval.withdrawn, the one rule
// withdrawApprovals/withdrawalOf keep): not as refusals. A consent asked of 运城 and closed so was never answered by 运城:
// the plan keeps the lines, total and shortages put to its approver, and nothing says 运城 refused (F2). The requester is
// never the decider of his own request (F6). A cancelled plan brings nothing: no first batch met, no target met, and no
// arrival time that moves with the clock (F7).

const t = useTestApp();
afterEach(() => t.clock.set(NOW));
afterEach(() => expectLedgerConsistent(t));

const BLANKET = itemId('LIV-006'); // 毛毯: local stock of 卫辉
const PURIFIER = itemId('LIV-019'); // 应急净水设备: only in 运城, which has no 联储 agreement with 新乡 (consent needed)
const YUNCHENG = storeId('S-140800-01');

const PLAN = `id status totalQuantity cancelReason
  shortages { requested planned missing reason }
  lines { store { id } needsConsent consent quantity arrivesAt hoursSinceIncident meetsBasicNeedsTarget arrivesInFull }
  meetsBasicNeedsTarget firstBatches { orderedAt dueAt arrivesAt met }`;
const APPROVAL = `id kind status subjectId reason requestedBy { username } decidedBy { username } withdrawn withdrawnBy { username } withdrawReason region { code }`;

let incidentId: string;

const request = async () =>
  ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`,
      {
        i: {
          incidentId,
          deadlineHours: 48,
          destinations: [
            {
              name: '汲水镇中心小学安置点',
              regionCode: '410781100000',
              lat: 35.3985,
              lng: 114.065,
              lines: [
                { itemId: BLANKET, quantity: 10 },
                { itemId: PURIFIER, quantity: 6 },
              ],
            },
          ],
        },
      },
      'dispatcher',
    ),
  ).requestDispatch;
const planById = async (planId: string) => ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} } }`, { p: planId }, 'dispatcher')).dispatchPlan;
const approvals = async (as: string, filter: Record<string, unknown>) =>
  ok(await t.gql(`query($f: ApprovalFilter!) { approvals(filter: $f, first: 500) { edges { node { ${APPROVAL} } } } }`, { f: filter }, as)).approvals.edges.map(
    (e: any) => e.node,
  );
const ofPlan = async (planId: string, as = 'admin', filter: Record<string, unknown> = {}) =>
  (await approvals(as, filter)).filter((a: any) => a.subjectId === planId);

beforeAll(async () => {
  await receive(t, 'admin', WEIHUI, [{ itemId: BLANKET, quantity: 500, batchNo: 'PW25-MT-WH', expiryDate: '2032-01-01', unitPrice: '90.00' }]);
  await receive(t, 'admin', YUNCHENG, [{ itemId: PURIFIER, quantity: 6, batchNo: 'PW25-JSSB-YC', expiryDate: '2031-01-01', unitPrice: '11000.00' }]);
  incidentId = await createIncident(
    t,
    { name: '卫辉市暴雨内涝（sweep25c）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 }, affectedPopulation: 5000 },
    'dispatcher',
  );
});

describe('a plan rejected by its approver: its pending consent is withdrawn, not refused by the jurisdiction asked (sweep 25c F2, D25)', () => {
  it('D25: the plan keeps the lines, total and shortages put to the approver; the consent reads withdrawn by the approver, decided by nobody', async () => {
    const requested = await request();
    const consentLines = requested.lines.filter((l: any) => l.needsConsent);
    expect(consentLines.length).toBeGreaterThan(0);
    expect(consentLines.every((l: any) => l.store.id === YUNCHENG && l.consent === 'PENDING')).toBe(true);
    expect(requested.shortages).toEqual([]);
    expect(requested.totalQuantity).toBe(16);

    const approvalId = await pendingApprovalOf(t, requested.id, 'DISPATCH_PLAN');
    const consentId = await pendingApprovalOf(t, requested.id, 'CROSS_REGION_USE');
    ok(await decideRaw(t, 'director', approvalId, 'REJECT', { reason: '需求量过大，请核实安置人数后重报' }));

    const rejected = await planById(requested.id);
    expect(rejected.status).toBe('CANCELLED');
    expect(rejected.cancelReason).toBe('审批驳回：需求量过大，请核实安置人数后重报');
    // What was put to the approver: 16 in all, nothing short — not 运城's 6 dropped as if refused.
    expect(rejected.totalQuantity).toBe(16);
    expect(rejected.shortages).toEqual([]);
    expect(rejected.lines.filter((l: any) => l.needsConsent).map((l: any) => l.consent)).toEqual(consentLines.map(() => 'WITHDRAWN'));

    // The plan's own approval is the director's refusal; 运城's consent is a withdrawal, decided by nobody.
    const closed = await ofPlan(requested.id);
    expect(closed.find((a: any) => a.id === approvalId)).toMatchObject({
      status: 'REJECTED',
      decidedBy: { username: 'director' },
      withdrawn: false,
      reason: '需求量过大，请核实安置人数后重报',
    });
    expect(closed.find((a: any) => a.id === consentId)).toMatchObject({
      status: 'REJECTED',
      decidedBy: null,
      withdrawn: true,
      withdrawnBy: { username: 'director' },
      withdrawReason: '需求量过大，请核实安置人数后重报',
      reason: '调拨方案已驳回：需求量过大，请核实安置人数后重报',
      region: { code: '140800000000' },
    });
    // 运城's queue shows it closed with the plan (withdrawn), among no refusal of its own.
    const yuncheng = await approvals('admin', { regionCode: '140800000000', kind: 'CROSS_REGION_USE' });
    expect(yuncheng.find((a: any) => a.id === consentId)).toMatchObject({ withdrawn: true, decidedBy: null });
    expect((await approvals('admin', { regionCode: '140800000000', status: 'REJECTED', withdrawn: false })).map((a: any) => a.id)).not.toContain(consentId);

    // The 调拨令 says nothing of 运城 refusing, and no shortage.
    const printed = (await download(t, `/paperwork/dispatch-plans/${requested.id}.html`, 'dispatcher')).text;
    expect(printed).not.toContain('不同意调用');
    expect(printed).not.toContain('未获同意');
    expect(printed).not.toContain('需求未能足额安排');
    // Its line says the request closed unanswered, not that it waits for an answer that will never come.
    expect(printed).toContain('跨区域调用请求已随方案撤回（对方辖区未答复），未调运');
    expect(printed).not.toContain('待对方辖区同意');
  });
});

describe('a plan cancelled by its requester is withdrawn, not refused, and decided by nobody (sweep 25c F6, D24)', () => {
  it('D24: its DISPATCH_PLAN approval names no decider (never the requester), reads withdrawn by him, and is not among the refusals', async () => {
    const requested = await request();
    const approvalId = await pendingApprovalOf(t, requested.id, 'DISPATCH_PLAN');
    const consentId = await pendingApprovalOf(t, requested.id, 'CROSS_REGION_USE');
    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "测试方案撤回") { id } }`, { p: requested.id }, 'dispatcher'));

    const closed = await ofPlan(requested.id, 'director');
    expect(closed.find((a: any) => a.id === approvalId)).toMatchObject({
      kind: 'DISPATCH_PLAN',
      status: 'REJECTED',
      requestedBy: { username: 'dispatcher' },
      decidedBy: null,
      withdrawn: true,
      withdrawnBy: { username: 'dispatcher' },
      withdrawReason: '测试方案撤回',
      reason: '调拨方案已取消：测试方案撤回',
    });
    expect((await ofPlan(requested.id, 'admin')).find((a: any) => a.id === consentId)).toMatchObject({
      decidedBy: null,
      withdrawn: true,
      withdrawnBy: { username: 'dispatcher' },
    });
    // D24: no approval anywhere records its requester as its decider.
    const rejected = await approvals('admin', { status: 'REJECTED' });
    expect(rejected.filter((a: any) => a.decidedBy && a.decidedBy.username === a.requestedBy.username)).toEqual([]);
    // The director asking "what was refused" lists real refusals only.
    const refusals = await approvals('director', { status: 'REJECTED', withdrawn: false });
    expect(refusals.map((a: any) => a.id)).not.toContain(approvalId);
    expect(refusals.every((a: any) => a.withdrawn === false && a.decidedBy !== null)).toBe(true);
    expect((await approvals('director', { status: 'REJECTED', withdrawn: true })).map((a: any) => a.id)).toContain(approvalId);
    // Its consent line is withdrawn too, not refused: the plan's figures stay as requested.
    const plan = await planById(requested.id);
    expect(plan.totalQuantity).toBe(16);
    expect(plan.shortages).toEqual([]);
  });
});

describe('a cancelled plan brings nothing and its times do not move (sweep 25c F7, D16, D28)', () => {
  it('D16, D28: rejected — no first batch met, no line meets the target, and arrival times stay put as the clock runs', async () => {
    const requested = await request();
    // Before: planned, measured as if ordered now (the target is met).
    expect(requested.firstBatches[0].met).toBe(true);
    const approvalId = await pendingApprovalOf(t, requested.id, 'DISPATCH_PLAN');
    ok(await decideRaw(t, 'director', approvalId, 'REJECT', { reason: '方案不合理' }));

    const first = await planById(requested.id);
    expect(first.firstBatches).toEqual([expect.objectContaining({ arrivesAt: null, met: false })]);
    expect(first.meetsBasicNeedsTarget).toBe(false);
    expect(first.lines.every((l: any) => l.meetsBasicNeedsTarget === false && l.arrivesInFull === false)).toBe(true);

    t.clock.advance(3);
    const later = await planById(requested.id);
    expect(later.firstBatches).toEqual(first.firstBatches);
    expect(later.lines.map((l: any) => [l.arrivesAt, l.hoursSinceIncident])).toEqual(first.lines.map((l: any) => [l.arrivesAt, l.hoursSinceIncident]));
  });

  it('D16, D28: cancelled by its requester — the same', async () => {
    const requested = await request();
    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "需求变更") { id } }`, { p: requested.id }, 'dispatcher'));
    const first = await planById(requested.id);
    expect(first.firstBatches.every((f: any) => f.arrivesAt === null && f.met === false)).toBe(true);
    expect(first.lines.some((l: any) => l.meetsBasicNeedsTarget)).toBe(false);
    t.clock.advance(2);
    const later = await planById(requested.id);
    expect(later.firstBatches).toEqual(first.firstBatches);
    expect(later.lines.map((l: any) => l.arrivesAt)).toEqual(first.lines.map((l: any) => l.arrivesAt));
  });
});
