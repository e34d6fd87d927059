import { beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { createIncident, ok, requestPlan } from '../support/relief.ts';
import { key, receive, WEIHUI } from '../support/ledger.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';

// Sweep (dispatch) findings #1, #7, #8, #9: what an approval promises is checked when it is given, not only when the
// plan was requested — a 联储 agreement's maximum and validity (D25), an agreement reserve's stock (D17) — partners are
// shown only stock they could lend (D20, D26), and the approver sees what a plan is worth (D24, D25).

const t = useTestApp({ resetClock: true, checkLedger: true });

const COMMAND_TENT = itemId('LIV-003'); // 救灾指挥帐篷: no stock anywhere; 新乡's own agreement reserve
const GREATCOAT = itemId('LIV-005'); // 棉大衣: 晋城's agreement reserve under a 新乡–晋城 联储 agreement (max 30)
const TOWEL_QUILT = itemId('LIV-007'); // 毛巾被: 晋城's agreement reserve under a 联储 agreement ending 2026-07-20
const SUMMER_QUILT = itemId('LIV-008'); // 夏凉被: 卫辉 store stock and 运城's agreement reserve (no 联储: consent)
const LIFE_JACKET = itemId('FLD-009'); // 救生衣: 新乡市库 1500 and 卫辉 400 expired (seed), 汲水镇 60 not
const XINXIANG_STORE = storeId('S-410700-01'); // 新乡市救灾物资储备库

const PLAN = `id status lines { quantity tier needsConsent consent jointAgreementId store { id } source { kind name region { code } } }
  callOffs { id quantity } shortages { missing }`;

let incidentId: string;

const approve = (planId: string) => t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id status } }`, { p: planId }, 'director');
const execute = (planId: string) =>
  t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`, { p: planId, k: key() }, 'dispatcher');
const cancel = (planId: string) => t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "测试取消") { id status } }`, { p: planId }, 'dispatcher');
const planById = async (planId: string) => ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} } }`, { p: planId }, 'dispatcher')).dispatchPlan;
const settlementsOf = async (planId: string) =>
  ok(await t.gql(`query { settlements { quantity plan { id } } }`, {}, 'admin')).settlements.filter((s: any) => s.plan?.id === planId);
const message = (res: GqlResult) => res.errors?.[0]?.message ?? '';

const createJoint = async (item: string, maxQuantity: number, validTo: string, regionCodes = ['410700', '140500']) =>
  ok(
    await t.gql(
      `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
      { i: { regionCodes, validFrom: '2026-01-01', validTo, lines: [{ itemId: item, maxQuantity }] } },
      'admin',
    ),
  ).createJointReserveAgreement.id as string;

beforeAll(async () => {
  incidentId = await createIncident(
    t,
    { name: '卫辉市“7·20”洪涝灾害', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 }, affectedPopulation: 5000 },
    'admin',
  );
});

describe('#7 an agreement reserve is promised once (D17)', () => {
  it('D17: two plans offered the same agreement stock while both proposed — the second approval is INSUFFICIENT_STOCK, naming the line, also after the first executes', async () => {
    await createAgreement(t, {
      companyName: '新乡市红旗帐篷厂',
      regionCode: '410700',
      lines: [{ itemId: COMMAND_TENT, quantity: 50, responseHours: 4, unitPrice: '800.00' }],
    });
    const a = await requestPlan(t, incidentId, COMMAND_TENT, 50, PLAN);
    const b = await requestPlan(t, incidentId, COMMAND_TENT, 50, PLAN);
    for (const p of [a, b]) expect(p.lines).toMatchObject([{ tier: 'AGREEMENT', quantity: 50, needsConsent: false }]);

    ok(await approve(a.id));
    const second = await approve(b.id);
    expect(errorCode(second)).toBe('INSUFFICIENT_STOCK');
    expect(message(second)).toContain('第 1 行');
    expect(message(second)).toContain('新乡市红旗帐篷厂');
    expect(message(second)).toContain('尚可调用 0 顶'); // sweep 22c F6: with the item's unit
    expect(message(second)).toContain('本方案需 50 顶');
    // Told once what to do (sweep 18a F11: 「请取消本方案并重新编制；…请取消本方案并重新生成」 said it twice).
    expect(message(second).match(/请取消本方案/g)).toHaveLength(1);
    expect(second.errors![0].extensions).toMatchObject({ field: 'planId', lineNos: [1], requested: 50, available: 0 });
    // The queue's route to the same approval refuses alike; the refusal changes nothing.
    const queued = await decideRaw(t, 'admin', await pendingApprovalOf(t, b.id, 'DISPATCH_PLAN'), 'APPROVE');
    expect(errorCode(queued)).toBe('INSUFFICIENT_STOCK');
    expect((await planById(b.id)).status).toBe('PROPOSED');
    await pendingApprovalOf(t, b.id, 'DISPATCH_PLAN'); // still waiting

    // Executed, the first plan's claim is its call-off (ISSUED) — still promised.
    expect(ok(await execute(a.id)).executeDispatchPlan.callOffs).toMatchObject([{ quantity: 50 }]);
    expect(errorCode(await approve(b.id))).toBe('INSUFFICIENT_STOCK');
  });

  it('D17: a plan cancelled releases its promise: the other plan is approved then', async () => {
    await createAgreement(t, {
      companyName: '新乡市红旗帐篷二厂',
      regionCode: '410700',
      lines: [{ itemId: COMMAND_TENT, quantity: 40, responseHours: 4, unitPrice: '800.00' }],
    });
    const a = await requestPlan(t, incidentId, COMMAND_TENT, 40, PLAN);
    const b = await requestPlan(t, incidentId, COMMAND_TENT, 40, PLAN);
    ok(await approve(a.id));
    expect(errorCode(await approve(b.id))).toBe('INSUFFICIENT_STOCK');
    ok(await cancel(a.id));
    expect(ok(await approve(b.id)).approveDispatchPlan.status).toBe('APPROVED');
  });
});

describe('#1 a 联储 agreement limits what plans use, when approved and executed (D25)', () => {
  it('D25: plans approved but not executed count against the maximum — the second approval beyond it is INVALID_STATE (consent needed), and a new request asks consent for the part beyond', async () => {
    const joint = await createJoint(GREATCOAT, 30, '2027-12-31');
    await createAgreement(t, {
      companyName: '晋城市太行服装有限公司',
      regionCode: '140500',
      lines: [{ itemId: GREATCOAT, quantity: 100, responseHours: 4, unitPrice: '150.00' }],
    });
    const a = await requestPlan(t, incidentId, GREATCOAT, 20, PLAN);
    const b = await requestPlan(t, incidentId, GREATCOAT, 20, PLAN);
    for (const p of [a, b]) {
      expect(p.lines).toMatchObject([{ tier: 'AGREEMENT', quantity: 20, needsConsent: false, jointAgreementId: joint }]);
    }
    ok(await approve(a.id));
    // Once A is approved its 20 count: 20 more would pass 30, so the 10 beyond need 晋城's consent (the 10 it still
    // covers are planned under it: sweeps 15a F12, 15b F6) — at request …
    const c = await requestPlan(t, incidentId, GREATCOAT, 20, PLAN);
    expect(c.lines).toMatchObject([
      { quantity: 10, needsConsent: false, consent: null, jointAgreementId: joint },
      { quantity: 10, needsConsent: true, consent: 'PENDING', jointAgreementId: null },
    ]);
    ok(await cancel(c.id));
    // … and at approval of a plan requested before.
    const refused = await approve(b.id);
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(message(refused)).toContain('第 1 行');
    expect(message(refused)).toContain('晋城市太行服装有限公司');
    expect(message(refused)).toContain('同意');
    expect(refused.errors![0].extensions).toMatchObject({ field: 'planId', lineNos: [1], jointAgreementId: joint });
    expect((await planById(b.id)).status).toBe('PROPOSED');

    ok(await execute(a.id));
    expect(await settlementsOf(a.id)).toEqual([{ quantity: 20, plan: { id: a.id } }]);
    expect(errorCode(await approve(b.id))).toBe('INVALID_STATE'); // the settlement counts as the approved plan did
  });

  it('D25: an agreement that expired between approval and execution — the line needs consent: execution is INVALID_STATE and ships nothing', async () => {
    await createJoint(TOWEL_QUILT, 1000, '2026-07-20');
    await createAgreement(t, {
      companyName: '晋城市沁河纺织有限公司',
      regionCode: '140500',
      lines: [{ itemId: TOWEL_QUILT, quantity: 100, responseHours: 4, unitPrice: '60.00' }],
    });
    const a = await requestPlan(t, incidentId, TOWEL_QUILT, 30, PLAN);
    const b = await requestPlan(t, incidentId, TOWEL_QUILT, 30, PLAN);
    expect(a.lines).toMatchObject([{ quantity: 30, needsConsent: false, jointAgreementId: expect.any(String) }]);
    ok(await approve(a.id));

    t.clock.set('2026-07-20T16:30:00Z'); // 00:30 on 2026-07-21 in China: the agreement has ended
    const executed = await execute(a.id);
    expect(errorCode(executed)).toBe('INVALID_STATE');
    expect(message(executed)).toContain('第 1 行');
    expect(message(executed)).toContain('有效期');
    const after = await planById(a.id);
    expect(after).toMatchObject({ status: 'APPROVED', callOffs: [] });
    expect(await settlementsOf(a.id)).toEqual([]);
    // Approving after it ended is refused alike.
    const approved = await approve(b.id);
    expect(errorCode(approved)).toBe('INVALID_STATE');
    expect(message(approved)).toContain('有效期');
  });
});

describe('#8 neighbourStock leaves out frozen batches (D20, D26)', () => {
  it('D26: 晋城 sees only the 新乡 救生衣 it could use — a batch expired at 卫辉 is frozen and not listed', async () => {
    await createJoint(LIFE_JACKET, 10_000, '2027-12-31');
    await receive(t, 'admin', WEIHUI, [{ itemId: LIFE_JACKET, quantity: 400, batchNo: 'SWP-JSY-WH', expiryDate: '2026-08-01', unitPrice: '90.00' }]);
    await receive(t, 'admin', XINXIANG_STORE, [{ itemId: LIFE_JACKET, quantity: 60, batchNo: 'SWP-JSY-XX', expiryDate: '2030-01-01', unitPrice: '90.00' }]);
    const seen = async () =>
      ok(await t.gql(`query($i: ID!) { neighbourStock(itemId: $i) { store { id } available } }`, { i: LIFE_JACKET }, 'jincheng')).neighbourStock;
    expect(await seen()).toEqual(
      expect.arrayContaining([
        { store: { id: WEIHUI }, available: 400 },
        { store: { id: XINXIANG_STORE }, available: 60 },
      ]),
    );
    t.clock.set('2026-07-31T16:00:00Z'); // 00:00 on 2026-08-01 in China: its last usable day, still listed
    expect(await seen()).toHaveLength(2);
    t.clock.set('2026-08-01T16:00:00Z'); // 00:00 on 2026-08-02 in China: 卫辉's batch is past its expiry date
    expect(await seen()).toEqual([{ store: { id: XINXIANG_STORE }, available: 60 }]);
  });
});

describe('#9 plan approvals and consents carry their value (D24, D25)', () => {
  it('D24, D25: DISPATCH_PLAN is worth every line (batch or agreement price × quantity); CROSS_REGION_USE its own lines', async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: SUMMER_QUILT, quantity: 5, batchNo: 'SWP-XLB-WH', expiryDate: '2032-01-01', unitPrice: '120.00' }]);
    await createAgreement(t, {
      companyName: '运城市盐湖被服有限公司',
      regionCode: '140800',
      lines: [{ itemId: SUMMER_QUILT, quantity: 10, responseHours: 4, unitPrice: '60.00' }],
    });
    const plan = await requestPlan(t, incidentId, SUMMER_QUILT, 15, PLAN);
    expect(plan.lines).toHaveLength(2);
    const values = async (kind: string) =>
      ok(
        await t.gql(
          `query($f: ApprovalFilter!) { approvals(filter: $f, first: 500) { edges { node { subjectId value } } } }`,
          { f: { status: 'PENDING', kind } },
          'admin',
        ),
      )
        .approvals.edges.map((e: any) => e.node)
        .filter((n: any) => n.subjectId === plan.id)
        .map((n: any) => n.value);
    expect(await values('DISPATCH_PLAN')).toEqual(['1200.00']);
    expect(await values('CROSS_REGION_USE')).toEqual(['600.00']);
  });
});
