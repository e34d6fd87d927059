import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { planNumber } from '../../server/paperwork/print/plan.ts';
import { useTestApp } from '../support/harness.ts';
import { createIncident } from '../support/relief.ts';
import { expectLedgerConsistent, key, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { download } from '../support/paperwork.ts';

// Sweep 14c LOW-3 — D14 (先调拨后补手续), D24 (the written approval recorded by another person): when the second person
// refuses to ratify an emergency plan that one dispatcher approved and executed, the command is told at once
// (EMERGENCY_APPROVAL_REJECTED, CRITICAL), not 12 h before the original due time; the alert lasts, re-submitted or not,
// until the written approval is recorded, and is seen by whoever sees the plan's due/overdue alerts (not keepers, not
// another region).

const t = useTestApp();

const TENT = itemId('LIV-001');
const ALERTS = `query($r: String) { alerts(regionCode: $r) { key kind severity message regionCode dispatchPlan { id } dueAt } }`;
const WRITTEN = `id status requestedAt approvalDueAt writtenApprovalRef writtenApproval { status reason }`;

let planId = '';
let plan: { requestedAt: string; approvalDueAt: string };

const alertsOf = async (as: string, r?: string) => ok(await t.gql(ALERTS, { r }, as)).alerts as any[];
const rejectedOf = async (as: string, r?: string) =>
  (await alertsOf(as, r)).filter((a) => a.kind === 'EMERGENCY_APPROVAL_REJECTED' && a.dispatchPlan?.id === planId);
const planAs = async (as: string) => ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${WRITTEN} } }`, { p: planId }, as)).dispatchPlan;
const resubmit = async () =>
  ok(await t.gql(`mutation($p: ID!) { requestWrittenApproval(planId: $p) { ${WRITTEN} } }`, { p: planId }, 'dispatcher')).requestWrittenApproval;

beforeAll(async () => {
  await receive(t, 'admin', WEIHUI, [{ itemId: TENT, quantity: 6, batchNo: 'ER-TENT-1', unitPrice: '900.00', expiryDate: '2032-01-01' }]);
  const incidentId = await createIncident(t, { name: '卫辉市紧急调拨复核', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } }, 'dispatcher');
  planId = ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
      {
        i: {
          incidentId,
          deadlineHours: 48,
          destinations: [{ name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: TENT, quantity: 6 }] }],
        },
      },
      'dispatcher',
    ),
  ).requestDispatch.id;
  // D14: one dispatcher approves (emergency) and executes at once; the written approval is owed within 48 h.
  ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: planId }, 'dispatcher'));
  ok(await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id } }`, { p: planId, k: key() }, 'dispatcher'));
  plan = await planAs('dispatcher');
  expect(plan.approvalDueAt).toBeTruthy();
});

describe('D14, D24: a rejected written approval of an emergency plan is an alert at once (sweep 14c LOW-3)', () => {
  it('none before the rejection; CRITICAL at once after it, naming the 调拨令, who rejected it, when and why', async () => {
    expect(await rejectedOf('dispatcher')).toEqual([]);
    // Executed just now: nothing about this plan is due yet (the due/overdue alerts start 12 h before 48 h).
    expect((await alertsOf('dispatcher')).some((a) => a.dispatchPlan?.id === planId)).toBe(false);

    t.clock.set(t.clock.now().plus({ hours: 1 }).toUTC().toISO()!);
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, planId, 'EMERGENCY_WRITTEN_APPROVAL'), 'REJECT', { reason: '运城调用未附对方同意函' }));
    expect((await planAs('dispatcher')).writtenApproval).toEqual({ status: 'REJECTED', reason: '运城调用未附对方同意函' });

    const [alert, ...more] = await rejectedOf('dispatcher');
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ severity: 'CRITICAL', regionCode: '410781000000' });
    expect(new Date(alert.dueAt).getTime()).toBe(new Date(plan.approvalDueAt).getTime());
    expect(alert.message).toContain(`调拨令 ${planNumber(planId, new Date(plan.requestedAt))}`);
    expect(alert.message).toContain('「卫辉市紧急调拨复核」');
    expect(alert.message).toContain('被 新乡市应急管理局副局长 驳回');
    expect(alert.message).toContain('运城调用未附对方同意函');
    expect(alert.message).toContain('须由紧急批准人重新提交书面审批');
    // The printed 调拨令 says it too (sweep 14c LOW-4), and that the written approval is still owed.
    const order = await download(t, `/paperwork/dispatch-plans/${planId}.html`, 'dispatcher');
    expect(/<dt>紧急调拨<\/dt><dd>([^<]*)<\/dd>/.exec(order.text)?.[1]).toMatch(
      /^先调拨后补手续，书面审批已被驳回（新乡市应急管理局副局长：运城调用未附对方同意函），须于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 前补办$/,
    );
    // Still only the rejection: the overdue alert is not early.
    expect((await alertsOf('dispatcher')).filter((a) => a.dispatchPlan?.id === planId).map((a) => a.kind)).toEqual(['EMERGENCY_APPROVAL_REJECTED']);
  });

  it('seen as the overdue alert is: the region’s command and auditors, the unscoped admin; not keepers, not another region', async () => {
    const [alert] = await rejectedOf('dispatcher');
    expect((await rejectedOf('director')).map((a) => a.key)).toEqual([alert.key]);
    expect((await rejectedOf('auditor')).map((a) => a.key)).toEqual([alert.key]);
    expect((await rejectedOf('auditor', '410781')).map((a) => a.key)).toEqual([alert.key]);
    expect((await rejectedOf('admin')).map((a) => a.key)).toEqual([alert.key]);
    expect(await rejectedOf('dispatcher', '410721')).toEqual([]); // another county of the dispatcher's city
    expect(await rejectedOf('keeper')).toEqual([]); // the keeper of the source store: plans' alerts are the command's
    expect(await rejectedOf('jincheng')).toEqual([]);
  });

  it('re-submitted it stays (saying so); rejected again a new key with the new reason; ended once the written approval is recorded', async () => {
    const [first] = await rejectedOf('dispatcher');
    expect((await resubmit()).writtenApproval).toEqual({ status: 'PENDING', reason: null });
    const [waiting] = await rejectedOf('dispatcher');
    expect(waiting.key).toBe(first.key);
    expect(waiting.message).toContain('已重新提交，待另一名有权限的人员审批');

    t.clock.set(t.clock.now().plus({ hours: 1 }).toUTC().toISO()!);
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, planId, 'EMERGENCY_WRITTEN_APPROVAL'), 'REJECT', { reason: '同意函仍未附' }));
    const [again, ...more] = await rejectedOf('dispatcher');
    expect(more).toEqual([]);
    expect(again.key).not.toBe(first.key); // the webhook announces the second refusal too
    expect(again.message).toContain('同意函仍未附');

    await resubmit();
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, planId, 'EMERGENCY_WRITTEN_APPROVAL'), 'APPROVE', { approvalRef: '新应急〔2026〕88号' }));
    expect(await planAs('dispatcher')).toMatchObject({ writtenApprovalRef: '新应急〔2026〕88号', writtenApproval: { status: 'APPROVED' } });
    for (const as of ['dispatcher', 'director', 'auditor', 'admin']) expect(await rejectedOf(as)).toEqual([]);
    await expectLedgerConsistent(t);
  });
});
