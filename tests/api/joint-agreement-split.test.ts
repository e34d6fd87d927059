import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode, useTestApp } from '../support/harness.ts';
import { download } from '../support/paperwork.ts';
import { createIncident, ok, requestPlan } from '../support/relief.ts';
import { JINCHENG, key, receive, stockAt } from '../support/ledger.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';

// D25 (sweeps 15a F12, 15b F6): a 联储 agreement's maximum quantity is used as far as it goes. A partner's line beyond
// what the agreement still covers (its maximum less what approved and executed plans already use) is split there: the
// covered part planned under the agreement （联储, no consent), the rest a line of its own asking the partner's consent
// （须对方辖区同意）. A refusal removes only the rest; the covered part is approved and ships without consent. Before,
// one unit beyond made the whole line need consent, and a refusal dropped what the standing agreement allowed.

const t = useTestApp({ resetClock: true, checkLedger: true });

const LINE = 'quantity needsConsent consent jointAgreementId reason store { id } transfer { id }';
const PLAN = `id status totalQuantity lines { ${LINE} } shortages { requested planned missing }`;
/** The parts of a line as the plan shows them, in its order. */
const parts = (plan: any) => plan.lines.map((l: any) => ({ quantity: l.quantity, needsConsent: l.needsConsent, jointAgreementId: l.jointAgreementId }));
const covered = (quantity: number, joint: string) => ({ quantity, needsConsent: false, jointAgreementId: joint });
const asked = (quantity: number) => ({ quantity, needsConsent: true, jointAgreementId: null });

let incidentId: string;

const approve = (planId: string) => t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id status } }`, { p: planId }, 'director');
const execute = (planId: string) =>
  t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`, { p: planId, k: key() }, 'dispatcher');
const planById = async (planId: string) => ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} } }`, { p: planId }, 'dispatcher')).dispatchPlan;
const settlementsOf = async (planId: string) =>
  ok(await t.gql(`query { settlements { owedTo { code } owedBy { code } quantity plan { id } } }`, {}, 'admin'))
    .settlements.filter((s: any) => s.plan?.id === planId)
    .map((s: any) => ({ owedTo: s.owedTo.code, owedBy: s.owedBy.code, quantity: s.quantity }))
    .sort((a: any, b: any) => b.quantity - a.quantity);
const consentSummary = async (approvalId: string) =>
  ok(await t.gql(`query { approvals(filter: { kind: CROSS_REGION_USE }, first: 500) { edges { node { id summary } } } }`, {}, 'admin')).approvals.edges.find(
    (e: any) => e.node.id === approvalId,
  ).node.summary as string;

/**
 * A new item held only at 晋城市救灾物资储备库 (batches of `batches`, the first expiring first), and a 新乡–晋城 联储
 * agreement covering it up to `max`; returns the item and the agreement.
 */
async function partnerStock(code: string, batches: number[], max: number): Promise<{ item: string; joint: string }> {
  const item = ok(
    await t.gql(
      `mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`,
      { input: { code, categoryCode: 'LIVING', name: `联储分拆测试物资${code}`, unit: '床' } },
      'admin',
    ),
  ).createItem.id as string;
  for (const [i, quantity] of batches.entries()) {
    await receive(t, 'admin', JINCHENG, [{ itemId: item, quantity, batchNo: `${code}-${i + 1}`, expiryDate: `203${i + 1}-01-01`, unitPrice: '10.00' }]);
  }
  const joint = ok(
    await t.gql(
      `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
      { i: { regionCodes: ['410700', '140500'], validFrom: '2026-01-01', validTo: '2027-12-31', lines: [{ itemId: item, maxQuantity: max }] } },
      'admin',
    ),
  ).createJointReserveAgreement.id as string;
  return { item, joint };
}

beforeAll(async () => {
  incidentId = await createIncident(
    t,
    { name: '卫辉市“15a”洪涝灾害', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 }, affectedPopulation: 5000 },
    'admin',
  );
});

describe('D25: a 联储 line beyond what the agreement still covers is split there (sweeps 15a F12, 15b F6)', () => {
  it('D25: suggestDispatchPlan — over two of the partner’s batches, the agreement’s 500 go to the lines in order, the 50 beyond are a line of their own needing consent', async () => {
    const { item, joint } = await partnerStock('LIV-SPL1', [200, 400], 500);
    const suggest = async (quantity: number) =>
      ok(
        await t.gql(
          `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { totalQuantity lines { ${LINE} } shortages { missing } } }`,
          {
            i: {
              incidentId,
              deadlineHours: 48,
              destinations: [{ name: '唐庄镇联储分拆安置点', regionCode: '410781100000', lat: 35.4, lng: 114.06, lines: [{ itemId: item, quantity }] }],
            },
          },
          'dispatcher',
        ),
      ).suggestDispatchPlan;
    // Within the maximum: as before, every line under the agreement.
    expect(parts(await suggest(500))).toEqual([covered(200, joint), covered(300, joint)]);

    const beyond = await suggest(550);
    expect(parts(beyond)).toEqual([covered(200, joint), covered(300, joint), asked(50)]);
    expect(beyond).toMatchObject({ totalQuantity: 550, shortages: [] });
    expect(beyond.lines.every((l: any) => l.store.id === JINCHENG)).toBe(true);
    for (const l of beyond.lines.slice(0, 2)) expect(l.reason).toContain('（联储）');
    expect(beyond.lines[2].reason).toContain('（须对方辖区同意）');
    expect(beyond.lines[2].reason).not.toContain('联储');
    // One beyond is one asked for, not the whole line (it was: 400 needing consent, nothing under the agreement).
    expect(parts(await suggest(501))).toEqual([covered(200, joint), covered(300, joint), asked(1)]);
  });

  it('D25: requestDispatch — 晋城 refuses the 50 beyond: the 500 the agreement covers are approved and ship without consent, each owed back to 晋城', async () => {
    const { item, joint } = await partnerStock('LIV-SPL2', [200, 400], 500);
    const plan = await requestPlan(t, incidentId, item, 550, PLAN);
    expect(parts(plan)).toEqual([covered(200, joint), covered(300, joint), asked(50)]);
    expect(plan.lines.map((l: any) => l.consent)).toEqual([null, null, 'PENDING']);

    // 晋城 is asked for the 50 only: the consent names them, not the whole line.
    const consentId = await pendingApprovalOf(t, plan.id, 'CROSS_REGION_USE');
    const summary = await consentSummary(consentId);
    expect(summary).toContain('晋城市救灾物资储备库 联储分拆测试物资LIV-SPL2 50 床');
    expect(summary).toContain('1 行共 50 床');
    ok(await decideRaw(t, 'jincheng', consentId, 'REJECT', { reason: '本区自用' }));

    const refused = await planById(plan.id);
    expect(refused.lines.map((l: any) => [l.quantity, l.consent])).toEqual([
      [200, null],
      [300, null],
      [50, 'REJECTED'],
    ]);
    expect(refused).toMatchObject({ totalQuantity: 500, shortages: [{ requested: 550, planned: 500, missing: 50 }] });

    // Approved with the agreement's 500 reserved (the re-check at approval accepts the split), executed with no consent.
    expect(ok(await approve(plan.id)).approveDispatchPlan.status).toBe('APPROVED');
    expect(await stockAt(t, JINCHENG, item)).toEqual(expect.arrayContaining([expect.objectContaining({ onHand: 400, reserved: 300 })]));
    const executed = ok(await execute(plan.id)).executeDispatchPlan;
    expect(executed.status).toBe('EXECUTING');
    expect(executed.lines.map((l: any) => l.transfer !== null)).toEqual([true, true, false]);
    expect((await stockAt(t, JINCHENG, item)).reduce((s: number, l: any) => s + l.onHand, 0)).toBe(100);
    expect(await settlementsOf(plan.id)).toEqual([
      { owedTo: '140500000000', owedBy: '410700000000', quantity: 300 },
      { owedTo: '140500000000', owedBy: '410700000000', quantity: 200 },
    ]);

    // The printed 调拨令 lists the two lines that ship (the refused one is left out, as the plan leaves it out).
    const res = await download(t, `/paperwork/dispatch-plans/${plan.id}.html`, 'dispatcher');
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('（联储）');
    expect(res.text).not.toContain('须对方辖区同意');
  });

  it('D25: the remainder counts across plans — 300 approved under the agreement leave 200: the next plan of 350 is 200 under it and 150 asked; consented, both ship; then nothing is left', async () => {
    const { item, joint } = await partnerStock('LIV-SPL3', [1000], 500);
    const first = await requestPlan(t, incidentId, item, 300, PLAN);
    expect(parts(first)).toEqual([covered(300, joint)]);
    ok(await approve(first.id));

    const second = await requestPlan(t, incidentId, item, 350, PLAN);
    expect(parts(second)).toEqual([covered(200, joint), asked(150)]);
    expect(second.lines[0].reason).toContain('（联储）');
    expect(second.lines[1].reason).toContain('（须对方辖区同意）');
    // Approval decides the covered part again — the first plan's 300 counted, 200 are left: it passes.
    expect(ok(await approve(second.id)).approveDispatchPlan.status).toBe('APPROVED');
    // The part asked for waits for 晋城: nothing of the plan ships before.
    expect(errorCode(await execute(second.id))).toBe('INVALID_STATE');
    ok(await decideRaw(t, 'jincheng', await pendingApprovalOf(t, second.id, 'CROSS_REGION_USE'), 'APPROVE'));
    const executed = ok(await execute(second.id)).executeDispatchPlan;
    expect(executed.lines.map((l: any) => [l.quantity, l.consent, l.transfer !== null])).toEqual([
      [200, null, true],
      [150, 'APPROVED', true],
    ]);
    expect(await settlementsOf(second.id)).toEqual([
      { owedTo: '140500000000', owedBy: '410700000000', quantity: 200 },
      { owedTo: '140500000000', owedBy: '410700000000', quantity: 150 },
    ]);
    ok(await execute(first.id));

    // 300 + 200 used: the agreement covers no more — a new plan asks consent for all of it.
    const third = await requestPlan(t, incidentId, item, 10, PLAN);
    expect(parts(third)).toEqual([asked(10)]);
  });

  it('D25: two plans split against the same remainder while both proposed — the first approved uses it, the second’s covered part is refused at approval (INVALID_STATE), not shipped beyond the maximum', async () => {
    const { item, joint } = await partnerStock('LIV-SPL4', [1000], 100);
    const a = await requestPlan(t, incidentId, item, 150, PLAN);
    const b = await requestPlan(t, incidentId, item, 150, PLAN);
    for (const p of [a, b]) expect(parts(p)).toEqual([covered(100, joint), asked(50)]);
    ok(await approve(a.id));
    const refused = await approve(b.id);
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(refused.errors![0].extensions).toMatchObject({ field: 'planId', lineNos: [1], jointAgreementId: joint });
    expect((await planById(b.id)).status).toBe('PROPOSED');
  });
});
