import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { valuationOf } from '../support/finance.ts';
import { NOW, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { createIncident } from '../support/relief.ts';

// Sweep 18a F2 (D21 "value at any past instant", D6/D17): a call-off delivery lowered the agreement's contingent value
// from 00:00 of its China day, while the ledger counts the goods from the receipt's own instant — for hours they were
// counted nowhere. The delivery counts from its receipt's instant: before it the goods are the company's reserve
// (contingent), after it ours (on hand), never neither and never both.

const t = useTestApp();
afterEach(() => t.clock.set(NOW));
afterEach(() => expectLedgerConsistent(t));

const REGION = '410781'; // 卫辉市
const TABLE = itemId('LIV-011'); // 折叠桌椅 — no store holds it: a plan for it calls off the agreement
const POINT = { name: '唐庄镇中学安置点', regionCode: '410781100000', lat: 35.45, lng: 113.97 };

/** Contingent agreement value and the tables on hand (value) in 卫辉市 at an instant, in fen. */
async function at(asOf: string) {
  const v = await valuationOf(t, 'auditor', { asOf, regionCode: REGION, groupBy: ['ITEM'] });
  const tables = v.groups.find((g: { key: string[] }) => g.key[0] === TABLE);
  return { contingent: Math.round(Number(v.contingentAgreementValue) * 100), tables: Math.round(Number(tables?.value ?? 0) * 100) };
}

describe('a call-off delivery leaves the contingent value at its receipt’s instant (sweep 18a F2, D21, D17)', () => {
  // The delivery is booked at 2026-07-20 09:30 China time; the day began at 00:00 and the tests' now is 10:00.
  const BEFORE = '2026-07-20T09:00:00+08:00';
  const AFTER = '2026-07-20T09:45:00+08:00';
  let baseline: { contingent: number; tables: number };

  beforeAll(async () => {
    await createAgreement(t, {
      companyName: '卫辉市到货时点测试商贸有限公司',
      regionCode: REGION,
      lines: [{ itemId: TABLE, quantity: 10, unitPrice: '50.00', responseHours: 2 }],
    });
    baseline = await at(BEFORE);
    t.clock.set('2026-07-20T01:00:00Z'); // 09:00 China: incident, plan, call-off
    const incidentId = await createIncident(t, { name: '卫辉市洪涝（到货时点）' });
    const i = { incidentId, destinations: [{ ...POINT, lines: [{ itemId: TABLE, quantity: 10 }] }] };
    const plan = ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, { i }, 'dispatcher')).requestDispatch;
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
    const executed = ok(
      await t.gql(
        `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { callOffs { id } } }`,
        { p: plan.id, k: key() },
        'dispatcher',
      ),
    ).executeDispatchPlan;
    t.clock.set('2026-07-20T01:30:00Z'); // 09:30 China: the company delivers the 10 tables
    ok(
      await t.gql(
        `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { id } }`,
        { i: { callOffId: executed.callOffs[0].id, batchNo: 'S18A-F2-TABLE', productionDate: '2026-07-01', idempotencyKey: key() } },
        'dispatcher',
      ),
    );
    t.clock.set(NOW);
  });

  it('D21: before the receipt (the same China day) the tables are still the company’s reserve — contingent, not on hand', async () => {
    expect(baseline.tables).toBe(0);
    expect(await at(BEFORE)).toEqual(baseline);
    expect(await at('2026-07-20T00:00:01+08:00')).toEqual(await at('2026-07-20T00:00:00+08:00'));
  });

  it('D21, D17: from the receipt on they are ours — on hand — and no longer contingent: the sum is the same at every instant', async () => {
    expect(await at(AFTER)).toEqual({ contingent: baseline.contingent - 50_000, tables: 50_000 });
    const sum = (v: { contingent: number; tables: number }) => v.contingent + v.tables;
    for (const asOf of ['2026-07-20T00:00:01+08:00', BEFORE, '2026-07-20T09:29:59+08:00', '2026-07-20T09:30:00+08:00', AFTER]) {
      expect(sum(await at(asOf)), asOf).toBe(sum(baseline));
    }
  });
});
