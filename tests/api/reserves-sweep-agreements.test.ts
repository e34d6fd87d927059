import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { agreementRaw, createAgreement } from '../support/agreements.ts';
import { errorCode, NOW, useTestApp, type GqlResult } from '../support/harness.ts';
import { createRegionalAdmin } from '../support/regional-admin.ts';
import { createIncident, ok, requestPlan } from '../support/relief.ts';
import { expectLedgerConsistent, key } from '../support/ledger.ts';

// Sweep (reserves) findings #2, #5, #1, #8, #10: an agreement reserve counts what the company still holds — a call-off
// delivered after a spot check is out of it even on the check's day (D6, D17); an approved plan issues call-offs only
// against agreement stock still there on the day it executes (D6, D17); agreement input is refused, not rounded or
// failed (responseHours, dates); an agreement is a company's, and one region's contract numbers are its own (D6, D20).
// Items no demo store or agreement holds, one per case: 救灾指挥帐篷, 棉大衣, 睡袋, 毛巾被.

const t = useTestApp();
afterEach(() => t.clock.set(NOW)); // NOW: 2026-07-20 10:00 in China
afterEach(() => expectLedgerConsistent(t));

const COMMAND_TENT = itemId('LIV-003');
const SLEEPING_BAG = itemId('LIV-009');
const TOWEL_QUILT = itemId('LIV-007');
const GREATCOAT = itemId('LIV-005');
const BAG = itemId('FLD-001'); // 编织袋

const PLAN = `id status lines { quantity tier source { kind name agreement { id } } } callOffs { id quantity status }`;
const message = (res: GqlResult) => res.errors?.[0]?.message ?? '';
const field = (res: GqlResult) => res.errors?.[0]?.extensions?.field;

const agreementInput = (companyName: string, item: string, quantity: number, extra: Record<string, unknown> = {}) => ({
  mode: 'AGREEMENT',
  companyName,
  regionCode: '410781',
  validFrom: '2026-01-01',
  validTo: '2027-12-31',
  lines: [{ itemId: item, quantity, unitPrice: '100.00', responseHours: 4 }],
  ...extra,
});
const newAgreement = (companyName: string, item: string, quantity: number, extra: Record<string, unknown> = {}) =>
  createAgreement(t, agreementInput(companyName, item, quantity, extra));
const check = (agreementId: string, item: string, countedQuantity: number, checkedOn = '2026-07-20') =>
  t.gql(
    `mutation($i: AgreementCheckInput!) { recordAgreementCheck(input: $i) { id } }`,
    { i: { agreementId, checkedOn, lines: [{ itemId: item, countedQuantity }] } },
    'admin',
  );
const effective = async (agreementId: string) =>
  ok(await t.gql(`query($id: ID!) { agreement(id: $id) { lines { effectiveQuantity contingentValue } } }`, { id: agreementId }, 'admin')).agreement
    .lines[0] as { effectiveQuantity: number; contingentValue: string };
const approve = (planId: string) => t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id status } }`, { p: planId }, 'director');
const execute = (planId: string) =>
  t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`, { p: planId, k: key() }, 'dispatcher');
const cancel = (planId: string) => t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "测试取消") { id status } }`, { p: planId }, 'dispatcher');
const planById = async (planId: string) => ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} } }`, { p: planId }, 'dispatcher')).dispatchPlan;
const deliver = (callOffId: string) =>
  t.gql(
    `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { id } }`,
    { i: { callOffId, batchNo: `CO-${callOffId.slice(0, 8)}`, expiryDate: '2031-07-01', idempotencyKey: key() } },
    'dispatcher',
  );
const fromCompany = (plan: { lines: { quantity: number; source: { name: string } }[] }, company: string) =>
  plan.lines.filter((l) => l.source.name === company).reduce((s, l) => s + l.quantity, 0);
const contingent = async () =>
  ok(await t.gql(`query { valuation(regionCode: "410781") { contingentAgreementValue } }`, {}, 'admin')).valuation.contingentAgreementValue as string;
const callOffsOf = async (planId: string) =>
  queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM call_offs WHERE plan_id = ${planId}::uuid`);

let incidentId: string;
beforeAll(async () => {
  incidentId = await createIncident(t, { affectedPopulation: 3000 }, 'admin');
});

describe('#2 a call-off delivered after a spot check is out of the agreement, also on the check’s day (D6, D17)', () => {
  it('D6, D17: checked at 10:00, delivered at 11:00 the same day — the agreement counts 0, is not planned or valued again; a check recorded after the delivery counts the company anew', async () => {
    const company = '同日抽查测试企业';
    const id = await newAgreement(company, COMMAND_TENT, 50);
    ok(await check(id, COMMAND_TENT, 30)); // 10:00 China, 2026-07-20
    expect(await effective(id)).toEqual({ effectiveQuantity: 30, contingentValue: '3000.00' });
    const valuedBefore = Number(await contingent());

    t.clock.set('2026-07-20T03:00:00Z'); // 11:00 China, the same day
    const plan = await requestPlan(t, incidentId, COMMAND_TENT, 30, PLAN);
    expect(fromCompany(plan, company)).toBe(30);
    ok(await approve(plan.id));
    const executed = ok(await execute(plan.id)).executeDispatchPlan;
    expect(executed.callOffs).toMatchObject([{ quantity: 30, status: 'ISSUED' }]);
    ok(await deliver(executed.callOffs[0].id));

    // Delivered: the 30 are ours, in the ledger — not the company's reserve (the old join kept 30 until the next day).
    expect(await effective(id)).toEqual({ effectiveQuantity: 0, contingentValue: '0.00' });
    expect(Number(await contingent())).toBeCloseTo(valuedBefore - 3000, 2);
    const again = await requestPlan(t, incidentId, COMMAND_TENT, 30, PLAN);
    expect(fromCompany(again, company)).toBe(0);
    ok(await cancel(again.id));

    // A check recorded after the delivery (the company restocked to 40) counts it anew: the delivery is in its count.
    t.clock.set('2026-07-20T05:00:00Z');
    ok(await check(id, COMMAND_TENT, 40));
    expect((await effective(id)).effectiveQuantity).toBe(40);
  });

  it('D6, D17: a check entered later for an earlier day (checkedOn the day before) still leaves a delivery after that day out of its count', async () => {
    const company = '补录抽查测试企业';
    const id = await newAgreement(company, GREATCOAT, 20);
    t.clock.set('2026-07-20T03:00:00Z');
    const plan = await requestPlan(t, incidentId, GREATCOAT, 20, PLAN);
    expect(fromCompany(plan, company)).toBe(20);
    ok(await approve(plan.id));
    ok(await deliver(ok(await execute(plan.id)).executeDispatchPlan.callOffs[0].id));
    expect((await effective(id)).effectiveQuantity).toBe(0);
    // Counted on 07-19 (before the delivery), recorded on 07-20 after it: 20 counted, 20 delivered since.
    t.clock.set('2026-07-20T04:00:00Z');
    ok(await check(id, GREATCOAT, 20, '2026-07-19'));
    expect((await effective(id)).effectiveQuantity).toBe(0);
  });
});

describe('#5 an approved plan issues call-offs only against agreement stock still there when it executes (D6, D17)', () => {
  it('D6, D17: the agreement expired between approval and execution — INVALID_STATE naming the line; nothing shipped or called off', async () => {
    const company = '到期测试企业';
    await newAgreement(company, SLEEPING_BAG, 10, { validTo: '2026-07-20' });
    const plan = await requestPlan(t, incidentId, SLEEPING_BAG, 10, PLAN);
    expect(plan.lines).toMatchObject([{ tier: 'AGREEMENT', quantity: 10, source: { name: company } }]);
    ok(await approve(plan.id));

    t.clock.set('2026-07-20T16:30:00Z'); // 00:30 on 2026-07-21 in China: the agreement has ended
    const executed = await execute(plan.id);
    expect(errorCode(executed)).toBe('INVALID_STATE');
    expect(message(executed)).toContain('第 1 行');
    expect(message(executed)).toContain(company);
    expect(message(executed)).toContain('有效期');
    expect(executed.errors![0].extensions).toMatchObject({ field: 'planId', lineNos: [1], requested: 10, available: 0 });
    expect(await planById(plan.id)).toMatchObject({ status: 'APPROVED', callOffs: [] });
    expect(await callOffsOf(plan.id)).toEqual([{ n: 0 }]);
    ok(await cancel(plan.id));
  });

  it('D6, D17: a spot check counted the company down to 0 since approval — INVALID_STATE naming the line; with stock there it executes', async () => {
    const company = '竞态测试企业';
    const id = await newAgreement(company, TOWEL_QUILT, 10);
    const plan = await requestPlan(t, incidentId, TOWEL_QUILT, 10, PLAN);
    expect(fromCompany(plan, company)).toBe(10);
    ok(await approve(plan.id));
    ok(await check(id, TOWEL_QUILT, 0));

    const executed = await execute(plan.id);
    expect(errorCode(executed)).toBe('INVALID_STATE');
    expect(message(executed)).toContain('第 1 行');
    expect(message(executed)).toContain('尚可调用 0 条，本方案需 10 条'); // sweep 22c F6: with the item's unit
    expect(await callOffsOf(plan.id)).toEqual([{ n: 0 }]);

    // The company restocked: the same approved plan now executes and issues its call-off.
    t.clock.set('2026-07-20T03:00:00Z');
    ok(await check(id, TOWEL_QUILT, 10));
    expect(ok(await execute(plan.id)).executeDispatchPlan.callOffs).toMatchObject([{ quantity: 10, status: 'ISSUED' }]);
  });
});

describe('#1 responseHours is refused beyond one decimal or below 0.1, never stored rounded nor failed (API.md Errors)', () => {
  it.each([0.04, 0.001, 0.05, 4.25, 719.99, 1e-7])('responseHours %s → BAD_USER_INPUT at input.lines.0.responseHours', async (hours) => {
    const res = await agreementRaw(
      t,
      agreementInput('响应时间测试企业', BAG, 5, { lines: [{ itemId: BAG, quantity: 5, unitPrice: '1.00', responseHours: hours }] }),
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(field(res)).toBe('input.lines.0.responseHours');
  });

  it('responseHours 0.1, 4.5 and 720 are stored as given', async () => {
    for (const [i, hours] of [0.1, 4.5, 720].entries()) {
      const res = ok(
        await agreementRaw(
          t,
          agreementInput(`响应时间测试企业${i}`, BAG, 5, { lines: [{ itemId: BAG, quantity: 5, unitPrice: '1.00', responseHours: hours }] }),
          'admin',
          'id lines { responseHours }',
        ),
      );
      expect(res.createAgreement.lines).toEqual([{ responseHours: hours }]);
    }
  });
});

describe('#8 spot checks within the agreement; agreement dates in the project’s date range (D6)', () => {
  it('D6: a check dated after the agreement’s validTo → BAD_USER_INPUT at input.checkedOn; on validTo it is accepted', async () => {
    const id = await newAgreement('抽查到期测试企业', BAG, 5, { validFrom: '2026-01-01', validTo: '2026-07-19' });
    const late = await check(id, BAG, 5, '2026-07-20');
    expect(errorCode(late)).toBe('BAD_USER_INPUT');
    expect(field(late)).toBe('input.checkedOn');
    expect(message(late)).toContain('2026-07-19');
    ok(await check(id, BAG, 5, '2026-07-19'));
  });

  it('dates before 1900 are refused at the field like every other date', async () => {
    const res = await agreementRaw(t, agreementInput('远古协议企业', BAG, 5, { validFrom: '1899-01-01', validTo: '1899-12-31' }));
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(field(res)).toBe('input.validFrom');
  });
});

describe('#10 an agreement is a company’s; a region’s contract numbers are its own (D6, D20)', () => {
  it('D6: a government named as the company → BAD_USER_INPUT at input.companyName; nothing created', async () => {
    const [before] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM agreements`);
    const res = await agreementRaw(t, agreementInput('卫辉市人民政府', BAG, 5)); // registered as GOVERNMENT (the demo's receipts)
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(field(res)).toBe('input.companyName');
    expect(await queryRows(t.database.db, sql`SELECT count(*)::int AS n FROM agreements`)).toEqual([before]);
  });

  it('D20: another region’s contract number with the same company is neither refused nor revealed; the same region’s is refused', async () => {
    const company = '新乡市惠民百货配送有限公司';
    const input = agreementInput(company, BAG, 10, { regionCode: '410700', contractNo: 'XY-SWEEP-001', validFrom: '2026-12-01', validTo: '2027-06-30' });
    await createAgreement(t, input);
    // 晋城's administrator (agreements are the administrators', each in its region): it cannot see 新乡's contracts.
    await createRegionalAdmin(t, 'jc-admin', '140500');
    const jincheng = await agreementRaw(t, { ...input, regionCode: '140500' }, 'jc-admin');
    expect(jincheng.errors).toBeUndefined();
    const again = await agreementRaw(t, input);
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(field(again)).toBe('input.contractNo');
  });
});
