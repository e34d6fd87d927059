import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { key, SANDBAG } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Sweep 18a F18, F17, F3 — the settlement a call-off of another jurisdiction's reserve leaves (D6, D17, D21, D24, D25).
// F18: a capacity reserve with no contract price was owed at 0.00, before and after its goods were booked at a price:
//      now an estimate at the item's reference price, marked so (valueBasis REFERENCE_PRICE, valueEstimated), until the
//      delivery's booked price replaces it (DELIVERY_PRICE). API.md keeps `value: Money!`, so not null: a marked estimate.
// F17: the side owed could settle before anything was delivered, after which the call-off could be neither cancelled
//      nor delivered short: now refused (INVALID_STATE, settleable false, awaitingDelivery) until delivered.
// F3:  a settlement zeroed by cancelCallOff read SETTLED "settledBy" the owing side's dispatcher (whom D24 refuses
//      `settle`): now released — settledBy null, released true, releasedBy the one who cancelled, the reference says why.

const t = useTestApp({ checkLedger: true });

const TABLE = itemId('LIV-011'); // 折叠桌椅: reference price 380.00, nobody holds it
const POINT = { name: '唐庄镇中学安置点（结算）', regionCode: '410781100000', lat: 35.45, lng: 113.97 };
const OWED = 'weihui18a'; // a dispatcher of 卫辉市, the side owed

const SETTLEMENT = `id status quantity value valueBasis valueEstimated awaitingDelivery settleable released reference
  settledBy { username } releasedBy { username } planId`;
const settlementOf = async (planId: string, as = 'admin') =>
  (ok(await t.gql(`{ settlements { ${SETTLEMENT} } }`, {}, as)).settlements as any[]).find((s) => s.planId === planId);
const settle = (settlementId: string, as = OWED) =>
  t.gql(`mutation($i: SettleInput!) { settle(input: $i) { ${SETTLEMENT} } }`, { i: { settlementId, reference: '提前结清-测试' } }, as);
const cancel = (callOffId: string) =>
  t.gql(`mutation($c: ID!, $r: String!) { cancelCallOff(callOffId: $c, reason: $r) { status } }`, { c: callOffId, r: '企业无法供货' }, 'dispatcher');
const confirm = (callOffId: string, extra: Record<string, unknown>) =>
  t.gql(
    `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { lines { quantity unitPrice value } } }`,
    { i: { callOffId, batchNo: `CO-${key().slice(0, 8)}`, productionDate: '2026-07-01', idempotencyKey: key(), ...extra } },
    'dispatcher',
  );
const auditCount = async (operation: string, outcome: string) =>
  Number(
    (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM audit_log WHERE operation = ${operation} AND outcome = ${outcome}`))[0].n,
  );

let incidentId: string;

/** 新乡市 (the dispatcher) plans `quantity` of `item` for its city incident, approved by the director and executed: the plan's id and its one call-off. */
async function executed(item: string, quantity: number): Promise<{ planId: string; callOffId: string }> {
  const input = { incidentId, deadlineHours: 200, destinations: [{ ...POINT, lines: [{ itemId: item, quantity }] }] };
  const plan = ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, { i: input }, 'dispatcher')).requestDispatch;
  ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
  const done = ok(
    await t.gql(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { callOffs { id quantity } } }`,
      { p: plan.id, k: key() },
      'dispatcher',
    ),
  ).executeDispatchPlan;
  expect(done.callOffs).toMatchObject([{ quantity }]);
  return { planId: plan.id, callOffId: done.callOffs[0].id };
}

beforeAll(async () => {
  // A city-level incident: 卫辉市's reserves serve outside their own area, so each call-off leaves a settlement owed to 卫辉市 (D15, D25).
  incidentId = ok(
    await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      { i: { name: '新乡市洪涝（调用结算）', type: 'FLOOD', regionCode: '410700', location: { lat: 35.45, lng: 113.97 }, affectedPopulation: 500 } },
      'dispatcher',
    ),
  ).createIncident.id;
  ok(
    await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username: OWED, displayName: '卫辉市调度员', password: TEST_PASSWORD, role: 'DISPATCHER', regionCode: '410781' } },
      'admin',
    ),
  );
  // 卫辉市's capacity reserve with no contract price (allowed for CAPACITY: the price is typed at delivery).
  await createAgreement(t, {
    mode: 'CAPACITY',
    companyName: '卫辉市无价桌椅厂',
    regionCode: '410781',
    lines: [{ itemId: TABLE, dailyCapacity: 10, leadDays: 0 }],
  });
  // 卫辉市's agreement reserve at a contract price.
  await createAgreement(t, {
    companyName: '卫辉市结算测试编织袋公司',
    regionCode: '410781',
    lines: [{ itemId: SANDBAG, quantity: 100, unitPrice: '10.00', responseHours: 2 }],
  });
});

describe('sweep 18a F18 (D21, D25): a priceless reserve’s settlement is an estimate, marked so, until delivered; then the booked price', () => {
  it('D25, D21: issued — valued at the reference price (10 × 380.00), valueBasis REFERENCE_PRICE, valueEstimated; delivered 8 at 37.77 — 302.16, DELIVERY_PRICE', async () => {
    const { planId, callOffId } = await executed(TABLE, 10);
    expect(await settlementOf(planId)).toMatchObject({
      status: 'OPEN',
      quantity: 10,
      value: '3800.00',
      valueBasis: 'REFERENCE_PRICE',
      valueEstimated: true,
      awaitingDelivery: true,
    });
    const doc = ok(await confirm(callOffId, { quantity: 8, unitPrice: '37.77' })).confirmCallOffDelivery;
    expect(doc.lines).toEqual([{ quantity: 8, unitPrice: '37.77', value: '302.16' }]);
    expect(await settlementOf(planId)).toMatchObject({
      status: 'OPEN',
      quantity: 8,
      value: '302.16',
      valueBasis: 'DELIVERY_PRICE',
      valueEstimated: false,
      awaitingDelivery: false,
    });
  });

  it('D6, D25: with a contract price, CONTRACT_PRICE until delivered and the same price once booked', async () => {
    const { planId, callOffId } = await executed(SANDBAG, 20);
    expect(await settlementOf(planId)).toMatchObject({ quantity: 20, value: '200.00', valueBasis: 'CONTRACT_PRICE', valueEstimated: false });
    ok(await confirm(callOffId, { quantity: 15 }));
    expect(await settlementOf(planId)).toMatchObject({ quantity: 15, value: '150.00', valueBasis: 'DELIVERY_PRICE', valueEstimated: false });
  });
});

describe('sweep 18a F17 (D17, D25): a call-off’s settlement is settled only once the company delivered', () => {
  let planId: string;
  let callOffId: string;
  let settlementId: string;

  it('D17, D25: before delivery the side owed may not settle it — settleable false, INVALID_STATE in Chinese; nothing changes; audited', async () => {
    ({ planId, callOffId } = await executed(SANDBAG, 10));
    const open = await settlementOf(planId, OWED);
    settlementId = open.id;
    expect(open).toMatchObject({ status: 'OPEN', awaitingDelivery: true, settleable: false });
    const refusals = await auditCount('settle', 'INVALID_STATE');
    const early = await settle(settlementId);
    expect(errorCode(early)).toBe('INVALID_STATE');
    expect(early.errors![0].message).toMatch(/企业尚未交货，不能确认结清/);
    expect(early.errors![0].extensions).toMatchObject({ field: 'input.settlementId', callOffId });
    expect(await settlementOf(planId, OWED)).toMatchObject({ status: 'OPEN', quantity: 10, settledBy: null, reference: null });
    expect(await auditCount('settle', 'INVALID_STATE')).toBe(refusals + 1);
  });

  it('D17: so the borrower can still confirm a shorter delivery; then the side owed settles what arrived', async () => {
    ok(await confirm(callOffId, { quantity: 4 }));
    const delivered = await settlementOf(planId, OWED);
    expect(delivered).toMatchObject({ status: 'OPEN', quantity: 4, value: '40.00', awaitingDelivery: false, settleable: true });
    const oks = await auditCount('settle', 'OK');
    expect(ok(await settle(settlementId)).settle).toMatchObject({ status: 'SETTLED', quantity: 4, settledBy: { username: OWED }, released: false });
    expect(await auditCount('settle', 'OK')).toBe(oks + 1);
  });

  it('D17: an undelivered call-off can still be cancelled by the borrower (the plan completes)', async () => {
    const other = await executed(SANDBAG, 5);
    expect(errorCode(await settle((await settlementOf(other.planId)).id))).toBe('INVALID_STATE');
    expect(ok(await cancel(other.callOffId)).cancelCallOff.status).toBe('COMPLETED');
  });
});

describe('sweep 18a F3 (D24, D25): a settlement zeroed by cancelCallOff is released, not settled by the owing side', () => {
  it('D24, D25: cancelled — SETTLED with quantity 0, released, settledBy null, releasedBy the dispatcher who cancelled, reference says why; not settleable again', async () => {
    const { planId, callOffId } = await executed(SANDBAG, 6);
    ok(await cancel(callOffId));
    const closed = await settlementOf(planId, OWED);
    expect(closed).toMatchObject({
      status: 'SETTLED',
      quantity: 0,
      value: '0.00',
      released: true,
      settledBy: null,
      releasedBy: { username: 'dispatcher' },
      settleable: false,
      awaitingDelivery: false,
    });
    expect(closed.reference).toMatch(/已取消，未调用，无需归还/);
    const again = await settle(closed.id);
    expect(errorCode(again)).toBe('INVALID_STATE');
    expect(again.errors![0].message).toMatch(/已关闭.*无需归还/);
  });
});
