import { beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { useTestApp } from '../support/harness.ts';
import { createIncident, ok } from '../support/relief.ts';
import { key, receive } from '../support/ledger.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';

// D25 跨区域调用, sweep 11c:
// - F3: "every use of another level's or region's stock leaves a settlement owed" — the province's reserves used by
//   新乡市 (with the province's consent) were owed nothing, as if the province had used them for itself.
// - F5: a system-wide administrator is no jurisdiction: the plans it makes are made for the incident's city, so
//   another jurisdiction's stock needs that jurisdiction's consent (it shipped 运城's and the province's with nobody's).

const t = useTestApp({ resetClock: true, checkLedger: true });

const PLAN = `id status lines { quantity needsConsent consent store { id } }`;
let item: string;
let province: string;
let incidentId: string;

const request = (as: string) =>
  t.gql(
    `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`,
    {
      i: {
        incidentId,
        deadlineHours: 48,
        destinations: [{ name: '唐庄镇省储测试安置点', regionCode: '410781100000', lat: 35.4, lng: 114.06, lines: [{ itemId: item, quantity: 6 }] }],
      },
    },
    as,
  );
const settlementsOf = async (planId: string) =>
  ok(await t.gql(`query { settlements { owedTo { code } owedBy { code } quantity plan { id } } }`, {}, 'admin')).settlements.filter(
    (s: any) => s.plan?.id === planId,
  );

beforeAll(async () => {
  item = ok(
    await t.gql(
      `mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`,
      { input: { code: 'LIV-PROV1', categoryCode: 'LIVING', name: '省储专用物资', unit: '件' } },
      'admin',
    ),
  ).createItem.id;
  province = ok(
    await t.gql(
      `mutation($i: CreateStoreInput!) { createStore(input: $i) { id } }`,
      { i: { code: 'S-410000-T1', name: '河南省救灾物资储备库（测试）', regionCode: '410000', kind: 'GOVERNMENT', location: { lat: 34.75, lng: 113.62 } } },
      'admin',
    ),
  ).createStore.id;
  await receive(t, 'admin', province, [{ itemId: item, quantity: 20, batchNo: 'PROV-1', unitPrice: '100.00' }]);
  incidentId = await createIncident(t, { name: '卫辉市洪涝（省储）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } });
});

describe('D25: the province’s stock used by a city', () => {
  it('F3: needs the province’s consent, and once shipped leaves a settlement owed by 新乡市 to 河南省', async () => {
    const plan = ok(await request('dispatcher')).requestDispatch;
    expect(plan.lines).toMatchObject([{ quantity: 6, needsConsent: true, store: { id: province } }]);
    ok(await decideRaw(t, 'admin', await pendingApprovalOf(t, plan.id, 'CROSS_REGION_USE'), 'APPROVE'));
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
    ok(await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id } }`, { p: plan.id, k: key() }, 'dispatcher'));
    expect(await settlementsOf(plan.id)).toEqual([{ owedTo: { code: '410000000000' }, owedBy: { code: '410700000000' }, quantity: 6, plan: { id: plan.id } }]);
  });
});

describe('D25: a system-wide administrator plans for the incident’s city', () => {
  it('F5: the province’s stock in the administrator’s plan needs the province’s consent; execution waits for it', async () => {
    const plan = ok(await request('admin')).requestDispatch;
    expect(plan.lines).toMatchObject([{ quantity: 6, needsConsent: true, store: { id: province } }]);
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: plan.id }, 'admin'));
    const early = await t.gql(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id } }`,
      { p: plan.id, k: key() },
      'admin',
    );
    expect(early.errors?.[0].extensions.code).toBe('INVALID_STATE');
  });
});

describe('D25: a 联储 line beyond the agreement’s maximum', () => {
  it('its part beyond needs consent, and its reason says 须对方辖区同意, not 联储 (sweep 11c F2)', async () => {
    const boat = ok(
      await t.gql(
        `mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`,
        { input: { code: 'LIV-JNT1', categoryCode: 'LIVING', name: '联储限量物资', unit: '件' } },
        'admin',
      ),
    ).createItem.id;
    await receive(t, 'admin', storeId('S-140800-01'), [{ itemId: boat, quantity: 10, batchNo: 'JNT-1', unitPrice: '10.00' }]);
    ok(
      await t.gql(
        `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
        { i: { regionCodes: ['410700', '140800'], validFrom: '2026-01-01', validTo: '2027-12-31', lines: [{ itemId: boat, maxQuantity: 4 }] } },
        'admin',
      ),
    );
    const suggest = (quantity: number) =>
      t.gql(
        `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { lines { quantity needsConsent reason } } }`,
        {
          i: {
            incidentId,
            deadlineHours: 48,
            destinations: [{ name: '唐庄镇联储测试安置点', regionCode: '410781100000', lat: 35.4, lng: 114.06, lines: [{ itemId: boat, quantity }] }],
          },
        },
        'dispatcher',
      );
    const [within] = ok(await suggest(4)).suggestDispatchPlan.lines;
    expect(within).toMatchObject({ quantity: 4, needsConsent: false });
    expect(within.reason).toContain('（联储）');
    // Sweeps 15a F12, 15b F6: split at the maximum — the 4 it covers stay 联储, only the 5 beyond need consent.
    const [agreed, beyond, ...more] = ok(await suggest(9)).suggestDispatchPlan.lines;
    expect(more).toEqual([]);
    expect(agreed).toMatchObject({ quantity: 4, needsConsent: false });
    expect(agreed.reason).toContain('（联储）');
    expect(beyond).toMatchObject({ quantity: 5, needsConsent: true });
    expect(beyond.reason).toContain('（须对方辖区同意）');
    expect(beyond.reason).not.toContain('联储');
  });
});
