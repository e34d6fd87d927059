import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode, useTestApp } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { createIncident, ok } from '../support/relief.ts';
import { receive, XINXIANG_COUNTY } from '../support/ledger.ts';

// D24 (sweep 15b F4): "The approver needs authority over the store (a dispatcher or administrator whose region covers
// it)". A plan was checked only for the sources it takes on its requester's own authority; a plan whose every line is
// another jurisdiction's stock awaiting consent took none, and anyone who could read it approved it — the dispatcher of
// a township under the county that made it (and recorded an emergency plan's written approval as well). The approver
// now also needs authority over the plan's own jurisdiction: the county's plan is the county's (or the city's) to approve.

const t = useTestApp({ resetClock: true, checkLedger: true });
const PLAN = `id status requestedBy { id } approvedBy { username } lines { quantity needsConsent }`;
const POINT = { name: '汲水镇审批权限测试安置点', regionCode: '410781100000', lat: 35.4, lng: 114.06 };
let incidentId: string;
let item: string;

const createDispatcher = async (username: string, regionCode: string) =>
  ok(
    await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username, displayName: `${username} 调度员`, password: TEST_PASSWORD, role: 'DISPATCHER', regionCode } },
      'admin',
    ),
  );

/** 卫辉市's plan for 3 of the item, which only 新乡县 holds: its one line awaits 新乡县's consent (D25). */
async function consentOnlyPlan() {
  const plan = ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`,
      { i: { incidentId, deadlineHours: 48, destinations: [{ ...POINT, lines: [{ itemId: item, quantity: 3 }] }] } },
      'wh-d',
    ),
  ).requestDispatch;
  expect(plan.lines).toEqual([{ quantity: 3, needsConsent: true }]);
  return plan;
}

const approve = (planId: string, as: string, emergency = false) =>
  t.gql(`mutation($p: ID!, $e: Boolean) { approveDispatchPlan(planId: $p, emergency: $e) { ${PLAN} } }`, { p: planId, e: emergency }, as);

beforeAll(async () => {
  await createDispatcher('wh-d', '410781000000'); // 卫辉市
  await createDispatcher('wh-d2', '410781000000');
  await createDispatcher('js-d', '410781100000'); // 汲水镇, a township of 卫辉市
  incidentId = await createIncident(t, { name: '汲水镇内涝（审批权限测试）', type: 'FLOOD', regionCode: '410781100000', location: { lat: 35.4, lng: 114.06 } });
  item = ok(
    await t.gql(
      `mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`,
      { input: { code: 'LIV-APJ1', categoryCode: 'LIVING', name: '审批权限测试物资', unit: '件' } },
      'admin',
    ),
  ).createItem.id;
  await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: item, quantity: 30, batchNo: 'APJ-1', unitPrice: '8.00' }]);
});

describe('D24: a plan is approved by someone with authority over its jurisdiction, even when every line awaits consent (sweep 15b F4)', () => {
  it('D24: the township’s dispatcher, who reads the plan, may not approve the county’s plan — FORBIDDEN, nothing changes; another county dispatcher may', async () => {
    const plan = await consentOnlyPlan();
    const res = await approve(plan.id, 'js-d');
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].message).toBe('无权批准：本方案全部动用其他辖区的储备，须由辖区包含「卫辉市」（方案编制辖区）的调度员或管理员批准');
    const read = ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} } }`, { p: plan.id }, 'js-d')).dispatchPlan;
    expect(read).toMatchObject({ status: 'PROPOSED', approvedBy: null });
    expect(ok(await approve(plan.id, 'wh-d2')).approveDispatchPlan).toMatchObject({ status: 'APPROVED', approvedBy: { username: 'wh-d2' } });
  });

  it('D14, D24: nor record the written approval of the county’s emergency plan; another county dispatcher records it', async () => {
    const plan = await consentOnlyPlan();
    ok(await approve(plan.id, 'wh-d', true));
    const written = (as: string) =>
      t.gql(`mutation($p: ID!, $r: String!) { recordWrittenApproval(planId: $p, approvalRef: $r) { id } }`, { p: plan.id, r: '卫应急〔2026〕APJ号' }, as);
    const res = await written('js-d');
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].message).toBe('无权补办书面审批：本方案全部动用其他辖区的储备，须由辖区包含「卫辉市」（方案编制辖区）的调度员或管理员补办书面审批');
    ok(await written('wh-d2'));
  });
});
