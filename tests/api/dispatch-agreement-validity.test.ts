import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, NOW, useTestApp, type GqlResult } from '../support/harness.ts';
import { key } from '../support/ledger.ts';

// Sweep 18a F6 (D6 an agreement has a validity; D17 agreement and capacity reserves are sources "after their response
// or production lead time"). A capacity reserve ending soon was planned for production days after its end. Now a
// reserve is called off only while its agreement is in force (China dates) — its stock then owed whole, after its
// response time, on its last day too — and a capacity reserve's output only on days that end inside its validity; and
// approval and execution, on their own day, promise only that (assertAgreementStock, the planner's rules).
// Today is 2026-07-20 (China, 10:00); the planner's horizon is 3 days of production.

const t = useTestApp({ resetClock: true });

const ENDS_TODAY_CAPACITY = itemId('LIV-011'); // 折叠桌椅
const ENDS_SOON_CAPACITY = itemId('LIV-012'); // 家庭应急包
const FROM_TOMORROW_CAPACITY = itemId('LIV-013'); // 简易厕所
const ENDS_TODAY_STOCK = itemId('LIV-014'); // 取暖炉
const FROM_TOMORROW_STOCK = itemId('LIV-015'); // 场地照明灯
const ENDS_22ND_STOCK = itemId('LIV-016'); // 苫布

const POINT = { name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065 };
const PLAN = `id status lines { quantity etaHours reason source { kind name } } callOffs { quantity status } shortages { item { id } requested planned missing }`;

const ok = <T = any>(res: GqlResult<T>): T => {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
};

let incidentId = '';
const input = (item: string, quantity: number) => ({ incidentId, destinations: [{ ...POINT, lines: [{ itemId: item, quantity }] }] });
const suggest = async (item: string, quantity: number) =>
  ok(await t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${PLAN} } }`, { i: input(item, quantity) }, 'dispatcher'))
    .suggestDispatchPlan;
const request = async (item: string, quantity: number) =>
  ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`, { i: input(item, quantity) }, 'dispatcher')).requestDispatch;
const approve = (planId: string) =>
  t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: false, approvalRef: "新应急〔2026〕6号") { ${PLAN} } }`, { p: planId }, 'director');
const execute = (planId: string) =>
  t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`, { p: planId, k: key() }, 'dispatcher');
const agreement = async (i: Record<string, unknown>) =>
  ok(await t.gql(`mutation($i: AgreementInput!) { createAgreement(input: $i) { id } }`, { i: { regionCode: '410781', ...i } }, 'admin')).createAgreement.id;

beforeAll(async () => {
  await agreement({
    mode: 'CAPACITY',
    companyName: '产能今日止',
    validFrom: '2026-07-01',
    validTo: '2026-07-20',
    lines: [{ itemId: ENDS_TODAY_CAPACITY, dailyCapacity: 10, leadDays: 2, unitPrice: '380.00' }],
  });
  await agreement({
    mode: 'CAPACITY',
    companyName: '产能四日后止',
    validFrom: '2026-07-01',
    validTo: '2026-07-24',
    lines: [{ itemId: ENDS_SOON_CAPACITY, dailyCapacity: 10, leadDays: 2, unitPrice: '120.00' }],
  });
  await agreement({
    mode: 'CAPACITY',
    companyName: '产能明日生效',
    validFrom: '2026-07-21',
    validTo: '2026-12-31',
    lines: [{ itemId: FROM_TOMORROW_CAPACITY, dailyCapacity: 10, leadDays: 0, unitPrice: '900.00' }],
  });
  await agreement({
    mode: 'AGREEMENT',
    companyName: '取暖炉公司（今日到期）',
    validFrom: '2026-01-01',
    validTo: '2026-07-20',
    lines: [{ itemId: ENDS_TODAY_STOCK, quantity: 100, unitPrice: '260.00', responseHours: 48 }],
  });
  await agreement({
    mode: 'AGREEMENT',
    companyName: '照明灯公司（明日生效）',
    validFrom: '2026-07-21',
    validTo: '2026-12-31',
    lines: [{ itemId: FROM_TOMORROW_STOCK, quantity: 100, unitPrice: '1500.00', responseHours: 48 }],
  });
  await agreement({
    mode: 'AGREEMENT',
    companyName: '苫布公司（22日到期）',
    validFrom: '2026-01-01',
    validTo: '2026-07-22',
    lines: [{ itemId: ENDS_22ND_STOCK, quantity: 100, unitPrice: '45.00', responseHours: 24 }],
  });
  incidentId = ok(
    await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      { i: { name: '卫辉市洪涝（F6）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.4, lng: 114.06 }, affectedPopulation: 3000 } },
      'dispatcher',
    ),
  ).createIncident.id;
});

const planned = (plan: any) => plan.lines.map((l: any) => [l.source.kind, l.source.name, l.quantity]);

describe('sweep 18a F6 (D6, D17): a capacity reserve’s days of production count only inside its agreement’s validity', () => {
  it('D6: a capacity agreement ending today (2 days’ lead) makes nothing inside it: not planned, a shortage', async () => {
    const plan = await suggest(ENDS_TODAY_CAPACITY, 100);
    expect(planned(plan)).toEqual([]);
    expect(plan.shortages).toEqual([{ item: { id: ENDS_TODAY_CAPACITY }, requested: 100, planned: 0, missing: 100 }]);
  });

  it('D6: one ending on the 24th makes 2 of the 3 days (the 22nd–23rd, 23rd–24th): 20, not 30', async () => {
    const plan = await suggest(ENDS_SOON_CAPACITY, 100);
    expect(planned(plan)).toEqual([['CAPACITY', '产能四日后止', 20]]);
    expect(plan.shortages[0].missing).toBe(80);
  });

  it('D6, D17: one in force from tomorrow is not ordered today; tomorrow its 3 days of production are', async () => {
    expect(planned(await suggest(FROM_TOMORROW_CAPACITY, 100))).toEqual([]);
    t.clock.set('2026-07-21T02:00:00Z');
    try {
      expect(planned(await suggest(FROM_TOMORROW_CAPACITY, 100))).toEqual([['CAPACITY', '产能明日生效', 30]]);
    } finally {
      t.clock.set(NOW);
    }
  });

  it('D6, D17: approved today, executed tomorrow — the agreement ending on the 24th then makes only 10 inside it: refused', async () => {
    const plan = await request(ENDS_SOON_CAPACITY, 20);
    expect(ok(await approve(plan.id)).approveDispatchPlan.status).toBe('APPROVED');
    t.clock.set('2026-07-21T02:00:00Z');
    const res = await execute(plan.id);
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors![0].message).toContain('协议有效期 2026-07-01 至 2026-07-24');
    expect(res.errors![0].extensions).toMatchObject({ requested: 20, available: 10 });
    t.clock.set(NOW);
    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "测试结束") { id } }`, { p: plan.id }, 'dispatcher'));
  });
});

describe('sweep 18a F6 (D6, D17): agreement stock while its agreement is in force', () => {
  it('D6: an agreement ending today is still called off (a 48 h response is owed to a call-off made in force)', async () => {
    const plan = await suggest(ENDS_TODAY_STOCK, 95);
    expect(planned(plan)).toEqual([['AGREEMENT', '取暖炉公司（今日到期）', 95]]);
    expect(plan.shortages).toEqual([]);
  });

  it('D6, D17: one in force only from tomorrow is not offered today; on the 21st it is', async () => {
    const plan = await suggest(FROM_TOMORROW_STOCK, 95);
    expect(planned(plan)).toEqual([]);
    expect(plan.shortages).toEqual([{ item: { id: FROM_TOMORROW_STOCK }, requested: 95, planned: 0, missing: 95 }]);
    t.clock.set('2026-07-21T02:00:00Z');
    try {
      expect(planned(await suggest(FROM_TOMORROW_STOCK, 95))).toEqual([['AGREEMENT', '照明灯公司（明日生效）', 95]]);
    } finally {
      t.clock.set(NOW);
    }
  });

  it('D6, D17: approved today, executed on its last day (the 22nd) — called off; executed on the 23rd — refused', async () => {
    const last = await request(ENDS_22ND_STOCK, 10);
    expect(planned(last)).toEqual([['AGREEMENT', '苫布公司（22日到期）', 10]]);
    expect(ok(await approve(last.id)).approveDispatchPlan.status).toBe('APPROVED');
    const after = await request(ENDS_22ND_STOCK, 10);
    expect(ok(await approve(after.id)).approveDispatchPlan.status).toBe('APPROVED');
    t.clock.set('2026-07-22T02:00:00Z');
    try {
      expect(ok(await execute(last.id)).executeDispatchPlan.callOffs).toEqual([{ quantity: 10, status: 'ISSUED' }]);
      t.clock.set('2026-07-23T02:00:00Z');
      const res = await execute(after.id);
      expect(errorCode(res)).toBe('INVALID_STATE');
      expect(res.errors![0].message).toContain('所属协议已不在有效期内');
      expect(res.errors![0].extensions).toMatchObject({ requested: 10, available: 0 });
    } finally {
      t.clock.set(NOW);
    }
  });
});
