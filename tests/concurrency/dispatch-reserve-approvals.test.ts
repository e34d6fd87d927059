import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { storeId } from '../../seeds/demo.ts';
import { createAgreement } from '../support/agreements.ts';
import { useTestApp, type GqlResult } from '../support/harness.ts';
import { createIncident, ok, requestPlan } from '../support/relief.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { receive, stockAt } from '../support/ledger.ts';

// Sweep (dispatch) #7 and #1 under concurrency (PostgreSQL only): approvals racing for one agreement reserve (D17) or
// one 联储 agreement's maximum (D25) — one lock decides between them, so what is promised never passes what there is.

const t = useTestApp({ poolMax: 16 });
const COMMAND_TENT = itemId('LIV-003'); // 救灾指挥帐篷: only 新乡's own agreement reserve
const GREATCOAT = itemId('LIV-005'); // 棉大衣: 晋城's agreement reserve under a 新乡–晋城 联储 agreement
const UNDERWEAR = itemId('LIV-021'); // 内衣裤: only 运城's store holds it, so a 新乡 plan needs 运城's consent
const YUNCHENG_STORE = storeId('S-140800-01');

let incidentId: string;

const approve = (planId: string) => t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id status } }`, { p: planId }, 'director');
const codes = (results: GqlResult[]) => results.map((r) => (r.errors ? r.errors[0].extensions.code : 'OK')).sort();

beforeAll(async () => {
  incidentId = await createIncident(
    t,
    { name: '卫辉市“7·20”洪涝灾害', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 }, affectedPopulation: 5000 },
    'admin',
  );
});

describe('approvals racing for reserves (PostgreSQL)', () => {
  it('D17: 12 plans offered the same 50 of an agreement reserve, approved at once — exactly one is approved, the others INSUFFICIENT_STOCK', async () => {
    await createAgreement(t, {
      companyName: '新乡市红旗帐篷厂',
      regionCode: '410700',
      lines: [{ itemId: COMMAND_TENT, quantity: 50, responseHours: 4, unitPrice: '100.00' }],
    });
    const plans = [];
    for (let i = 0; i < 12; i++) plans.push(await requestPlan(t, incidentId, COMMAND_TENT, 50, 'id lines { quantity tier }'));
    for (const p of plans) expect(p.lines).toMatchObject([{ quantity: 50, tier: 'AGREEMENT' }]);
    expect(codes(await Promise.all(plans.map((p) => approve(p.id))))).toEqual([...Array(11).fill('INSUFFICIENT_STOCK'), 'OK'].sort());
  });

  it('D25: 6 plans of 20 under a 联储 maximum of 30, approved at once — exactly one is approved, the others INVALID_STATE (consent needed)', async () => {
    ok(
      await t.gql(
        `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
        { i: { regionCodes: ['410700', '140500'], validFrom: '2026-01-01', validTo: '2027-12-31', lines: [{ itemId: GREATCOAT, maxQuantity: 30 }] } },
        'admin',
      ),
    );
    await createAgreement(t, {
      companyName: '晋城市太行服装有限公司',
      regionCode: '140500',
      lines: [{ itemId: GREATCOAT, quantity: 1000, responseHours: 4, unitPrice: '100.00' }],
    });
    const plans = [];
    for (let i = 0; i < 6; i++) plans.push(await requestPlan(t, incidentId, GREATCOAT, 20, 'id lines { quantity needsConsent }'));
    for (const p of plans) expect(p.lines).toMatchObject([{ quantity: 20, needsConsent: false }]);
    expect(codes(await Promise.all(plans.map((p) => approve(p.id))))).toEqual([...Array(5).fill('INVALID_STATE'), 'OK'].sort());
  });

  it('D25: a plan approved while its consent is given — the consented line is reserved whichever commits first', async () => {
    await receive(t, 'admin', YUNCHENG_STORE, [{ itemId: UNDERWEAR, quantity: 1000, unitPrice: '30.00' }]);
    for (let round = 1; round <= 8; round++) {
      const plan = await requestPlan(t, incidentId, UNDERWEAR, 10, 'id lines { needsConsent consent store { id } }');
      expect(plan.lines).toEqual([{ needsConsent: true, consent: 'PENDING', store: { id: YUNCHENG_STORE } }]);
      const consentId = await pendingApprovalOf(t, plan.id, 'CROSS_REGION_USE');
      const [approved, consented] = await Promise.all([approve(plan.id), decideRaw(t, 'admin', consentId, 'APPROVE')]);
      expect(codes([approved, consented])).toEqual(['OK', 'OK']);
      // Approval read the plan once locked: had it used a view read before, a consent committed in between was missed.
      const reserved = (await stockAt(t, YUNCHENG_STORE, UNDERWEAR)).reduce((n: number, l: { reserved: number }) => n + l.reserved, 0);
      expect(reserved, `round ${round}`).toBe(10 * round);
    }
  });
});
