import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { valuationOf } from '../support/finance.ts';
import { NOW, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key, QUILT } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { createIncident } from '../support/relief.ts';

// D21, D22, D31 (sweep 12c): the contingent part of the valuation at a month's cutoff. The ledger counts the instant
// 24:00 on the last day (= 00:00 on the 1st) as the month's last (a period close holds what is dated up to and
// including its cutoff); the agreement part read the 1st's agreements there, so an agreement starting on the 1st, a
// spot check dated the 1st or a call-off delivered on the 1st moved the month's last value — after the month was
// over, and after its close. At an instant the contingent part reads the agreements, checks and deliveries in force at
// that instant by the ledger's convention: at 24:00 on the 30th, those of the 30th.

const t = useTestApp();
afterEach(() => t.clock.set(NOW));
afterEach(() => expectLedgerConsistent(t));

const REGION = '410781'; // 卫辉市
const JUNE_END = '2026-06-30T24:00:00+08:00'; // June's cutoff: 2026-07-01 00:00 China time, June's last instant
const JULY_STARTED = '2026-07-01T00:00:00.001+08:00'; // a millisecond later: July's
const TABLE = itemId('LIV-011'); // 折叠桌椅 — no store holds it: a plan for it calls off the agreement

/** The contingent part of 卫辉市's valuation at an instant, in fen. */
const contingentAt = async (asOf: string) => {
  const v = await valuationOf(t, 'auditor', { asOf, regionCode: REGION });
  return { agreement: Math.round(Number(v.contingentAgreementValue) * 100), capacity: Math.round(Number(v.contingentCapacityValue) * 100) };
};
const agreement = (companyName: string, validFrom: string, validTo: string, line: Record<string, unknown>, mode = 'AGREEMENT') =>
  createAgreement(t, { mode, companyName, regionCode: REGION, validFrom, validTo, lines: [line] });
const check = async (agreementId: string, checkedOn: string, countedQuantity: number, itemId = QUILT) =>
  ok(
    await t.gql(
      `mutation($i: AgreementCheckInput!) { recordAgreementCheck(input: $i) { id } }`,
      { i: { agreementId, checkedOn, lines: [{ itemId, countedQuantity }], findings: '月末抽查' } },
      'admin',
    ),
  );

describe('the contingent value at a month’s cutoff is the month’s (D21, D22, D31)', () => {
  let june: { agreement: number; capacity: number };
  let july: { agreement: number; capacity: number };
  beforeAll(async () => {
    june = await contingentAt(JUNE_END);
    july = await contingentAt(JULY_STARTED);
  });

  it('D21, D31: an agreement (or capacity) starting on the 1st does not change the value as of the month before’s cutoff — from the 1st on it counts', async () => {
    await agreement('卫辉市七月协议储备测试公司', '2026-07-01', '2026-12-31', { itemId: QUILT, quantity: 100, unitPrice: '150.00', responseHours: 8 });
    await agreement(
      '卫辉市七月产能储备测试公司',
      '2026-07-01',
      '2026-12-31',
      { itemId: QUILT, dailyCapacity: 20, leadDays: 1, unitPrice: '30.00' },
      'CAPACITY',
    );
    expect(await contingentAt(JUNE_END)).toEqual(june);
    expect(await contingentAt(JULY_STARTED)).toEqual({ agreement: july.agreement + 1_500_000, capacity: july.capacity + 60_000 });
    july = await contingentAt(JULY_STARTED);
  });

  it('D21: one that started earlier counts at the cutoff, and one that ended on the last day counts to its end (24:00), not after', async () => {
    const started = await agreement('卫辉市六月末协议储备测试公司', '2026-06-30', '2026-12-31', {
      itemId: QUILT,
      quantity: 10,
      unitPrice: '100.00',
      responseHours: 8,
    });
    await agreement('卫辉市六月止协议储备测试公司', '2026-06-01', '2026-06-30', { itemId: QUILT, quantity: 3, unitPrice: '1000.00', responseHours: 8 });
    expect(await contingentAt(JUNE_END)).toEqual({ agreement: june.agreement + 100_000 + 300_000, capacity: june.capacity });
    expect(await contingentAt('2026-06-30T23:59:59.999+08:00')).toEqual(await contingentAt(JUNE_END));
    expect(await contingentAt(JULY_STARTED)).toEqual({ agreement: july.agreement + 100_000, capacity: july.capacity });
    june = await contingentAt(JUNE_END);
    july = await contingentAt(JULY_STARTED);

    // D6: a spot check dated the 1st counts from the 1st; one dated the 30th counts at the 30th's end.
    await check(started, '2026-07-01', 4);
    expect(await contingentAt(JUNE_END)).toEqual(june);
    expect((await contingentAt(JULY_STARTED)).agreement).toBe(july.agreement - 60_000); // 10 → 4 at 100.00
    await check(started, '2026-06-30', 7);
    expect((await contingentAt(JUNE_END)).agreement).toBe(june.agreement - 30_000); // 10 → 7
  });

  it('D17, D21: a call-off delivered on the 1st takes its goods from the agreement from the 1st, not at the month before’s cutoff', async () => {
    await agreement('卫辉市调用月末测试商贸有限公司', '2026-06-01', '2026-12-31', { itemId: TABLE, quantity: 10, unitPrice: '50.00', responseHours: 2 });
    june = await contingentAt(JUNE_END);
    const firstOfJuly = await contingentAt('2026-07-01T12:00:00+08:00');
    // On 1 July at 09:00 an incident; the plan calls the 10 tables off; the company delivers them at 10:00.
    t.clock.set('2026-07-01T01:00:00Z');
    const incidentId = await createIncident(t, { name: '卫辉市七月一日洪涝' });
    const i = {
      incidentId,
      destinations: [{ name: '唐庄镇中学安置点', regionCode: '410781100000', lat: 35.45, lng: 113.97, lines: [{ itemId: TABLE, quantity: 10 }] }],
    };
    const plan = ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, { i }, 'dispatcher')).requestDispatch;
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
    const executed = ok(
      await t.gql(
        `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { callOffs { id quantity } } }`,
        { p: plan.id, k: key() },
        'dispatcher',
      ),
    ).executeDispatchPlan;
    expect(executed.callOffs).toMatchObject([{ quantity: 10 }]);
    t.clock.set('2026-07-01T02:00:00Z');
    ok(
      await t.gql(
        `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { id } }`,
        { i: { callOffId: executed.callOffs[0].id, batchNo: 'CUTOFF-TABLE', productionDate: '2026-06-01', idempotencyKey: key() } },
        'dispatcher',
      ),
    );
    t.clock.set(NOW);
    expect(await contingentAt(JUNE_END)).toEqual(june);
    // On the day of the delivery the 10 tables are ours (in the ledger), no longer the company's reserve.
    expect((await contingentAt('2026-07-01T12:00:00+08:00')).agreement).toBe(firstOfJuly.agreement - 50_000);
  });
});
