import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { createIncident, ok } from '../support/relief.ts';

// Console sweep L2, L4: what the approver reads in the queue. A dispatch plan's summary says its quantities in each
// item's own unit (床 and 顶 are not added up as 件), and an emergency plan's written approval names its incident, not
// the first characters of the plan's id.

const t = useTestApp({ resetClock: true });

const pendingSummaries = async (kind: string) =>
  (
    ok(
      await t.gql(
        `query($f: ApprovalFilter!) { approvals(filter: $f, first: 100) { edges { node { summary } } } }`,
        { f: { status: 'PENDING', kind } },
        'admin',
      ),
    ).approvals.edges as { node: { summary: string } }[]
  ).map((e) => e.node.summary);

describe('plan approvals as the approver reads them', () => {
  let planId: string;

  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [
      { itemId: QUILT, quantity: 300, batchNo: 'PAS-MB', expiryDate: '2031-01-01' },
      { itemId: COTTON_TENT, quantity: 20, batchNo: 'PAS-MZP', expiryDate: '2033-01-01' },
    ]);
    const incidentId = await createIncident(t, { name: '审批摘要测试洪涝' });
    const destination = {
      name: '汲水镇审批摘要安置点',
      regionCode: '410781100000',
      lat: 35.3985,
      lng: 114.065,
      lines: [
        { itemId: QUILT, quantity: 300 },
        { itemId: COTTON_TENT, quantity: 20 },
      ],
    };
    planId = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
        { i: { incidentId, destinations: [destination] } },
        'dispatcher',
      ),
    ).requestDispatch.id;
  });

  it('L2: the plan’s summary counts 床 and 顶 apart — 300 床、20 顶, not 320 件', async () => {
    expect(await pendingSummaries('DISPATCH_PLAN')).toContain('「审批摘要测试洪涝」调拨方案：1 个安置点，2 行共 300 床、20 顶');
  });

  it('L4: an emergency approval’s written approval names the incident, not the plan id', async () => {
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: planId }, 'director'));
    const summaries = await pendingSummaries('EMERGENCY_WRITTEN_APPROVAL');
    expect(summaries).toContain('「审批摘要测试洪涝」的紧急调拨方案已先行批准，须在执行后 48 小时内补办书面审批');
    expect(summaries.join('')).not.toContain(planId.slice(0, 8));
  });
});
