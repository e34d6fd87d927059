import request from 'supertest';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/http/app.ts';
import { createLogger } from '../../server/logger.ts';
import { createAgreement } from '../support/agreements.ts';
import { errorCode, NOW, useTestApp, type GqlResult } from '../support/harness.ts';
import { expectLedgerConsistent, key, SANDBAG } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';

// Call-offs (调用单, findings-reserves #4, D17): an issued call-off is cancelled before delivery with a reason, or
// delivered in part; either way what was not delivered no longer claims the agreement, settlements and the contingent
// value count what was delivered, and the plan completes when nothing is outstanding — as for transfers. And the
// capacity horizon (产能储备, D6/D17) that approval and execution re-check is the planner's configured one.

const t = useTestApp();
afterEach(() => t.clock.set(NOW));
afterEach(() => expectLedgerConsistent(t));

const TABLE = itemId('LIV-011'); // 折叠桌椅 — capacity only, nobody holds it
const POINT = { name: '唐庄镇中学安置点', regionCode: '410781100000', lat: 35.45, lng: 113.97 };

const PLAN = `id status lines { tier quantity source { kind agreement { id } } } shortages { missing }
  callOffs { id status quantity deliveredQuantity deliveredAt cancelledAt cancelReason agreement { id } }`;
const input = (item: string, quantity: number) => ({ incidentId, destinations: [{ ...POINT, lines: [{ itemId: item, quantity }] }] });
const offered = (plan: any, agreement: string) =>
  plan.lines.filter((l: any) => l.source.agreement?.id === agreement).reduce((s: number, l: any) => s + l.quantity, 0);

const suggest = async (item: string, quantity: number) =>
  ok(await t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${PLAN} } }`, { i: input(item, quantity) }, 'dispatcher'))
    .suggestDispatchPlan;
/** Requested, approved by a second person and executed: the plan with its call-offs ISSUED. */
async function executedPlan(item: string, quantity: number) {
  const plan = ok(
    await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`, { i: input(item, quantity) }, 'dispatcher'),
  ).requestDispatch;
  ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
  return ok(
    await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`, { p: plan.id, k: key() }, 'dispatcher'),
  ).executeDispatchPlan;
}
const cancel = (callOffId: string, reason = '企业库存不足，无法供货', as = 'dispatcher') =>
  t.gql(`mutation($c: ID!, $r: String!) { cancelCallOff(callOffId: $c, reason: $r) { ${PLAN} } }`, { c: callOffId, r: reason }, as);
const confirm = (callOffId: string, extra: Record<string, unknown> = {}) =>
  t.gql(
    `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { id type lines { quantity unitPrice value } } }`,
    { i: { callOffId, batchNo: `CO-${key().slice(0, 8)}`, productionDate: '2026-07-01', idempotencyKey: key(), ...extra } },
    'dispatcher',
  );
const planOf = async (id: string) => ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} } }`, { p: id }, 'dispatcher')).dispatchPlan;
const agreementLine = async (id: string) =>
  ok(await t.gql(`query($a: ID!) { agreement(id: $a) { lines { effectiveQuantity contingentValue } } }`, { a: id }, 'admin')).agreement.lines[0];
const settlementOf = async (planId: string) =>
  (ok(await t.gql(`{ settlements(regionCode: "410781") { status quantity value reference plan { id } } }`, {}, 'admin')).settlements as any[]).find(
    (s) => s.plan?.id === planId,
  );
const auditRows = (operation: string) =>
  queryRows<{ outcome: string; message: string | null }>(
    t.database.db,
    sql`SELECT outcome, message FROM audit_log WHERE operation = ${operation} ORDER BY at, outcome`,
  );

type Run = (query: string, variables: Record<string, unknown>, as: string) => Promise<GqlResult>;

let incidentId: string;
let company: string; // 卫辉市 (county) agreement: 100 sandbags at 10.00 — used for a city incident, it is owed back (D15)

beforeAll(async () => {
  // A city-level incident: the county's agreement reserve serves outside its own area, so each call-off opens a settlement.
  incidentId = ok(
    await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      { i: { name: '新乡市洪涝（调用单）', type: 'FLOOD', regionCode: '410700', location: { lat: 35.45, lng: 113.97 }, affectedPopulation: 500 } },
      'dispatcher',
    ),
  ).createIncident.id;
  company = await createAgreement(t, {
    companyName: '卫辉市调用测试商贸有限公司',
    regionCode: '410781',
    lines: [{ itemId: SANDBAG, quantity: 100, unitPrice: '10.00', responseHours: 2 }],
  });
});

describe('D17: cancelCallOff — an issued call-off cancelled before delivery, with a reason', () => {
  let plan: any;
  let callOffId: string;

  it('D17: an issued call-off claims the agreement: nothing more is offered, and the plan stays EXECUTING', async () => {
    plan = await executedPlan(SANDBAG, 100);
    expect(plan.status).toBe('EXECUTING');
    expect(plan.callOffs).toMatchObject([{ status: 'ISSUED', quantity: 100, deliveredQuantity: null, agreement: { id: company } }]);
    callOffId = plan.callOffs[0].id;
    expect(offered(await suggest(SANDBAG, 100), company)).toBe(0);
    expect(await settlementOf(plan.id)).toMatchObject({ status: 'OPEN', quantity: 100, value: '1000.00' });
  });

  it('D14, D17: keepers and auditors may not cancel; a reason is required; a refusal changes nothing and is audited', async () => {
    expect(errorCode(await cancel(callOffId, '企业无货', 'keeper'))).toBe('FORBIDDEN');
    expect(errorCode(await cancel(callOffId, '企业无货', 'auditor'))).toBe('FORBIDDEN');
    const blank = await cancel(callOffId, '   ');
    expect(errorCode(blank)).toBe('BAD_USER_INPUT');
    expect(blank.errors![0].extensions.field).toBe('reason');
    expect(errorCode(await cancel('00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
    expect((await planOf(plan.id)).callOffs[0].status).toBe('ISSUED');
    expect((await auditRows('cancelCallOff')).map((r) => r.outcome)).toEqual(['BAD_USER_INPUT', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND']);
  });

  it('D17: cancelled, it no longer claims the agreement, its settlement is closed, and the plan completes; audited', async () => {
    const after = ok(await cancel(callOffId)).cancelCallOff;
    expect(after.status).toBe('COMPLETED');
    expect(after.callOffs).toMatchObject([{ status: 'CANCELLED', cancelReason: '企业库存不足，无法供货', deliveredQuantity: null }]);
    expect(Date.parse(after.callOffs[0].cancelledAt)).toBe(Date.parse(NOW));
    expect(offered(await suggest(SANDBAG, 100), company)).toBe(100);
    expect(await agreementLine(company)).toEqual({ effectiveQuantity: 100, contingentValue: '1000.00' });
    expect(await settlementOf(plan.id)).toMatchObject({ status: 'SETTLED', quantity: 0, value: '0.00' });
    expect((await auditRows('cancelCallOff')).filter((r) => r.outcome === 'OK')).toHaveLength(1);
  });

  it('D17: only an ISSUED call-off is cancelled, and a cancelled one is not delivered (INVALID_STATE)', async () => {
    const again = await cancel(callOffId);
    expect(errorCode(again)).toBe('INVALID_STATE');
    expect(again.errors![0].message).toMatch(/已取消.*只有尚未到货的调用单可以取消/);
    const late = await confirm(callOffId);
    expect(errorCode(late)).toBe('INVALID_STATE');
    expect(late.errors![0].extensions.field).toBe('input.callOffId');
  });
});

describe('D17: confirmCallOffDelivery with a quantity — a part delivery closes the call-off and releases the rest', () => {
  let plan: any;
  let callOffId: string;

  it('D17: the delivered quantity is an integer > 0 and at most what was called off (BAD_USER_INPUT at input.quantity)', async () => {
    plan = await executedPlan(SANDBAG, 100);
    callOffId = plan.callOffs[0].id;
    for (const quantity of [0, -5, 101]) {
      const res = await confirm(callOffId, { quantity });
      expect(errorCode(res), String(quantity)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions.field).toBe('input.quantity');
    }
    expect((await planOf(plan.id)).callOffs[0]).toMatchObject({ status: 'ISSUED', deliveredQuantity: null });
  });

  it('D17, D6, D21, D25: 60 of 100 delivered — 60 booked, the rest released; agreement, contingent value and settlement count 60', async () => {
    const doc = ok(await confirm(callOffId, { quantity: 60 })).confirmCallOffDelivery;
    expect(doc.lines).toMatchObject([{ quantity: 60, unitPrice: '10.00', value: '600.00' }]);
    const after = await planOf(plan.id);
    expect(after.status).toBe('COMPLETED');
    expect(after.callOffs).toMatchObject([{ status: 'DELIVERED', quantity: 100, deliveredQuantity: 60 }]);
    // The company handed over 60 of its 100: 40 remain its reserve, and are offered again.
    expect(await agreementLine(company)).toEqual({ effectiveQuantity: 40, contingentValue: '400.00' });
    expect(offered(await suggest(SANDBAG, 100), company)).toBe(40);
    expect(await settlementOf(plan.id)).toMatchObject({ status: 'OPEN', quantity: 60, value: '600.00' });
    const balance = ok(
      await t.gql(`query($i: ID!) { incident(id: $i) { balance { item { id } shipped received cancelled inTransit } } }`, { i: incidentId }, 'dispatcher'),
    ).incident.balance;
    // Sweep 20c F3: the incident's two call-offs of 100 are shipped — the first cancelled (above), of this one 60 received
    // and the 40 released (D17): shipped 200 = received 60 + cancelled 140, the row adds up.
    expect(balance.find((b: any) => b.item.id === SANDBAG)).toMatchObject({ shipped: 200, received: 60, cancelled: 140, inTransit: 0 });
    expect(errorCode(await cancel(callOffId))).toBe('INVALID_STATE'); // delivered: nothing left to cancel
  });

  it('D17: without a quantity, the whole call-off is delivered, as before', async () => {
    const rest = await executedPlan(SANDBAG, 40);
    expect(rest.callOffs).toMatchObject([{ status: 'ISSUED', quantity: 40 }]);
    const doc = ok(await confirm(rest.callOffs[0].id)).confirmCallOffDelivery;
    expect(doc.lines).toMatchObject([{ quantity: 40 }]);
    const after = await planOf(rest.id);
    expect(after).toMatchObject({ status: 'COMPLETED', callOffs: [{ status: 'DELIVERED', quantity: 40, deliveredQuantity: 40 }] });
    expect(await agreementLine(company)).toEqual({ effectiveQuantity: 0, contingentValue: '0.00' });
    expect(await settlementOf(rest.id)).toMatchObject({ status: 'OPEN', quantity: 40, value: '400.00' });
  });
});

describe('D6, D17: approval and execution re-check capacity over the configured horizon (PLANNER_CAPACITY_HORIZON_DAYS)', () => {
  // The same database, served by an app whose planner looks 5 days ahead instead of the built-in 3.
  let fiveDays: ReturnType<typeof buildApp>;
  const gql5: Run = async (query, variables, as) =>
    (
      await request(fiveDays)
        .post('/graphql')
        .set('content-type', 'application/json')
        .set('authorization', `Bearer ${await t.token(as)}`)
        .send({ query, variables })
    ).body as GqlResult;
  let factory: string; // 10 a day, no lead time

  beforeAll(async () => {
    fiveDays = buildApp({
      database: t.database,
      config: loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'test-secret-test-secret-test-secret!', LOG_LEVEL: 'silent', PLANNER_CAPACITY_HORIZON_DAYS: '5' }),
      clock: t.clock,
      log: createLogger('silent'),
    });
    factory = await createAgreement(t, {
      mode: 'CAPACITY',
      companyName: '卫辉市产能期限测试家具厂',
      regionCode: '410781',
      lines: [{ itemId: TABLE, dailyCapacity: 10, leadDays: 0, unitPrice: '120.00' }],
    });
  });

  it('D17: a plan the planner offered over 5 days is approved and executed under the same 5 days (not the built-in 3)', async () => {
    const plan = ok(
      await gql5(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`,
        { i: { ...input(TABLE, 50), deadlineHours: 200 } },
        'dispatcher',
      ),
    ).requestDispatch;
    expect(offered(plan, factory)).toBe(50); // 10 a day × 5 days
    // An app on the built-in 3 days would promise only 30: that is what the old default did to every approval.
    const three = await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director');
    expect(errorCode(three)).toBe('INSUFFICIENT_STOCK');
    // Sweep 22c F6: a refusal writes each quantity with the item's unit (quantityText), as every other message does.
    expect(three.errors![0].message).toMatch(/3 天内尚可生产 30 套.*本方案需 50 套/);
    expect(ok(await gql5(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { status } }`, { p: plan.id }, 'director')).approveDispatchPlan.status).toBe(
      'APPROVED',
    );
    const execute = (run: Run) =>
      run(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`, { p: plan.id, k: key() }, 'dispatcher');
    expect(errorCode(await execute((q, v, as) => t.gql(q, v, as)))).toBe('INVALID_STATE');
    const executed = ok(await execute(gql5)).executeDispatchPlan;
    expect(executed.status).toBe('EXECUTING');
    expect(executed.callOffs).toMatchObject([{ status: 'ISSUED', quantity: 50, agreement: { id: factory } }]);
  });

  it('D17: the approvals queue (decideApproval) approves under the configured horizon too', async () => {
    // The 50 ordered above take the 5 days; cancelling the production order frees them again.
    const [order] = (await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM call_offs WHERE agreement_id = ${factory}::uuid`)).map((r) => r.id);
    ok(await gql5(`mutation($c: ID!, $r: String!) { cancelCallOff(callOffId: $c, reason: $r) { id } }`, { c: order, r: '改由其他企业生产' }, 'dispatcher'));
    const plan = ok(
      await gql5(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`,
        { i: { ...input(TABLE, 45), deadlineHours: 200 } },
        'dispatcher',
      ),
    ).requestDispatch;
    expect(offered(plan, factory)).toBe(45);
    const [approval] = await queryRows<{ id: string }>(
      t.database.db,
      sql`SELECT id FROM approvals WHERE subject_id = ${plan.id}::uuid AND kind = 'DISPATCH_PLAN' AND status = 'PENDING'`,
    );
    const decide = (run: Run) =>
      run(
        `mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { status } }`,
        { i: { approvalId: approval.id, decision: 'APPROVE', approvalRef: '新应急〔2026〕9号' } },
        'director',
      );
    expect(errorCode(await decide((q, v, as) => t.gql(q, v, as)))).toBe('INSUFFICIENT_STOCK');
    expect(ok(await decide(gql5)).decideApproval.status).toBe('APPROVED');
    expect((await planOf(plan.id)).status).toBe('APPROVED');
  });
});
