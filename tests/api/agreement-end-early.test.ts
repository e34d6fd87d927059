import { describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { agreementRaw, createAgreement } from '../support/agreements.ts';
import { valuationOf } from '../support/finance.ts';
import { NOW, useTestApp } from '../support/harness.ts';
import { key } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { expectRefusedUnchanged, lastAudit } from '../support/refusals.ts';
import { createRegionalAdmin } from '../support/regional-admin.ts';

// Sweep 18a F8 (D6 an agreement has a validity; D21 its contingent value and fees at any past date; D22 corrections are
// recorded, never edits; D31 a closed month stays as closed): an agreement (协议储备/企业代储/产能储备) could be neither
// ended early (提前解除) nor voided — a typo or a duplicate was planned and charged for the rest of its term. Now
// endAgreement ends it from a date: it binds through endOn, then is neither planned nor valued nor charged; endOn the day
// before it starts voids it. What the contract said and who ended it, when and why stay on the agreement; the mutation
// is audited. Refused: other roles and other regions' administrators, dates outside its validity, an end whose first
// day without it lies in a closed month, an agreement already ended, and while an approved plan or an issued call-off
// claims it. Today is 2026-07-20 (China, 10:00).

const t = useTestApp({ resetClock: true });

const TOILET = itemId('LIV-013'); // 简易厕所: valued in a township of its own
const STOVE = itemId('LIV-014'); // 取暖炉: no store holds it — a plan for it is served by an agreement
const LIGHT = itemId('LIV-015'); // 场地照明灯: called off
const TOWNSHIP = '410781100000'; // 汲水镇: no other agreement is valued there
const POINT = { name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065 };

const END = `mutation($i: EndAgreementInput!) { endAgreement(input: $i) { id validFrom validTo contractValidTo endedAt endedBy { username } endReason status } }`;
const end = (agreementId: string, endOn: string, as = 'admin', reason = '企业停产，双方协商提前解除') => t.gql(END, { i: { agreementId, endOn, reason } }, as);
const PLAN = `id status lines { quantity source { kind name } } callOffs { id status }`;

/** The agreement part of the township's valuation at an instant. */
const agreementPart = async (asOf: string) => {
  const v = await valuationOf(t, 'auditor', { asOf, regionCode: TOWNSHIP });
  return { contingent: v.contingentAgreementValue, fees: v.feesAccrued };
};

let incidentId = '';
const input = (item: string, quantity: number) => ({ incidentId, destinations: [{ ...POINT, lines: [{ itemId: item, quantity }] }] });
const suggest = async (item: string, quantity: number) =>
  ok(await t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${PLAN} } }`, { i: input(item, quantity) }, 'dispatcher'))
    .suggestDispatchPlan;
const incident = async () =>
  ok(
    await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      { i: { name: '卫辉市洪涝（F8）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.4, lng: 114.06 }, affectedPopulation: 3000 } },
      'dispatcher',
    ),
  ).createIncident.id as string;

describe('endAgreement: an agreement ended early from a date (sweep 18a F8, D6/D21/D22)', () => {
  it('D6, D21, D22: ended from a date — it binds through endOn, then its contingent value and fees stop; earlier instants read the same; who, when, why recorded and audited', async () => {
    const id = await createAgreement(t, {
      companyName: '汲水镇环卫设备有限公司',
      regionCode: TOWNSHIP,
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      annualFee: '36500.00', // 100.00 a day
      lines: [{ itemId: TOILET, quantity: 100, unitPrice: '260.00', responseHours: 12 }],
    });
    const juneEnd = '2026-06-30T24:00:00+08:00';
    const before = { now: await agreementPart(NOW), juneEnd: await agreementPart(juneEnd) };
    expect(before).toEqual({ now: { contingent: '26000.00', fees: '20000.00' }, juneEnd: { contingent: '26000.00', fees: '18100.00' } });

    const ended = ok(await end(id, '2026-07-21')).endAgreement;
    expect(ended).toMatchObject({
      id,
      validFrom: '2026-01-01',
      validTo: '2026-07-21',
      contractValidTo: '2026-12-31',
      endedBy: { username: 'admin' },
      endReason: '企业停产，双方协商提前解除',
      status: 'EXPIRING',
    });
    expect(ended.endedAt).toBeTruthy();
    expect(await lastAudit(t, 'endAgreement')).toEqual({ outcome: 'OK', message: null });
    // Past instants read what they read before (D21, D31).
    expect({ now: await agreementPart(NOW), juneEnd: await agreementPart(juneEnd) }).toEqual(before);

    t.clock.set('2026-07-23T02:00:00Z'); // 07-23 10:00
    // Through 07-21's 24:00 it still counts: 202 days of fees, its stock (D21).
    expect(await agreementPart('2026-07-21T24:00:00+08:00')).toEqual({ contingent: '26000.00', fees: '20200.00' });
    // After it, nothing: the fees stop at 202 days (not 203), no contingent value.
    expect(await agreementPart('2026-07-23T10:00:00+08:00')).toEqual({ contingent: '0.00', fees: '20200.00' });
    const read = ok(await t.gql(`query($id: ID!) { agreement(id: $id) { validTo contractValidTo endReason status } }`, { id }, 'auditor')).agreement;
    // Sweep 22b F2: ENDED (it was ended early), not EXPIRED as if it had run its term (it was EXPIRED before).
    expect(read).toEqual({ validTo: '2026-07-21', contractValidTo: '2026-12-31', endReason: '企业停产，双方协商提前解除', status: 'ENDED' });
  });

  it('D6, D17: the planner offers an agreement ended today until today ends, and no longer after', async () => {
    incidentId = await incident();
    const id = await createAgreement(t, {
      companyName: '卫辉市取暖炉厂（提前解除）',
      regionCode: '410781',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      lines: [{ itemId: STOVE, quantity: 100, unitPrice: '260.00', responseHours: 24 }],
    });
    const offered = (plan: any) => plan.lines.filter((l: any) => l.source.kind === 'AGREEMENT').map((l: any) => [l.source.name, l.quantity]);
    expect(offered(await suggest(STOVE, 5))).toEqual([['卫辉市取暖炉厂（提前解除）', 5]]);
    ok(await end(id, '2026-07-20'));
    expect(offered(await suggest(STOVE, 5))).toEqual([['卫辉市取暖炉厂（提前解除）', 5]]);
    t.clock.set('2026-07-21T02:00:00Z');
    expect(offered(await suggest(STOVE, 5))).toEqual([]);
  });

  it('D6, D22: voided as entered in error (endOn the day before it starts) — never in force; the same company may record it again correctly', async () => {
    const wrong = {
      companyName: '卫辉市照明器材公司（录错）',
      regionCode: '410781',
      validFrom: '2026-08-01',
      validTo: '2027-07-31',
      lines: [{ itemId: LIGHT, quantity: 100000000, unitPrice: '999999999999.99', responseHours: 6 }],
    };
    const id = await createAgreement(t, wrong);
    const voided = ok(await end(id, '2026-07-31', 'admin', '数量单价录入错误，作废')).endAgreement;
    expect(voided).toMatchObject({ validFrom: '2026-08-01', validTo: '2026-07-31', contractValidTo: '2027-07-31', endReason: '数量单价录入错误，作废' });
    expect(
      ok(
        await t.gql(`query { agreements(regionCode: "410781", activeOn: "2026-09-01", first: 100) { edges { node { id } } } }`, {}, 'admin'),
      ).agreements.edges.map((e: any) => e.node.id),
    ).not.toContain(id);
    // The void overlaps nothing: recorded again with the right figures (sweep 18a F7's duplicate rule does not see it).
    // From an earlier start, too: the void's days (none) overlap no period.
    await createAgreement(t, { ...wrong, validFrom: '2026-07-25', lines: [{ itemId: LIGHT, quantity: 100, unitPrice: '1500.00', responseHours: 6 }] });
  });

  it('D6: only an administrator whose region covers it — a dispatcher and another region’s administrator are FORBIDDEN; nothing changes; audited', async () => {
    await createRegionalAdmin(t, 'jc-admin', '140500'); // 晋城's administrator
    const id = await createAgreement(t, {
      companyName: '卫辉市帐篷厂（权限）',
      regionCode: '410781',
      lines: [{ itemId: TOILET, quantity: 10, unitPrice: '260.00', responseHours: 6 }],
    });
    for (const as of ['dispatcher', 'director', 'jc-admin', 'auditor']) await t.token(as);
    for (const as of ['dispatcher', 'director', 'auditor']) {
      await expectRefusedUnchanged(t, 'endAgreement', () => end(id, '2026-09-30', as), 'FORBIDDEN', '无权访问：该操作超出您的权限范围');
    }
    await expectRefusedUnchanged(t, 'endAgreement', () => end(id, '2026-09-30', 'jc-admin'), 'FORBIDDEN', '无权访问：该协议超出您的权限范围');
    expect(ok(await t.gql(`query($id: ID!) { agreement(id: $id) { validTo endedAt } }`, { id }, 'admin')).agreement).toEqual({
      validTo: '2027-12-31',
      endedAt: null,
    });
  });

  it('D6: dates outside its validity, a blank reason and a second end are refused naming the field; nothing changes', async () => {
    const id = await createAgreement(t, {
      companyName: '卫辉市帐篷厂（日期）',
      regionCode: '410781',
      validFrom: '2026-03-01',
      validTo: '2026-12-31',
      lines: [{ itemId: TOILET, quantity: 10, unitPrice: '260.00', responseHours: 6 }],
    });
    await expectRefusedUnchanged(
      t,
      'endAgreement',
      () => end(id, '2026-02-27'),
      'BAD_USER_INPUT',
      '终止日期不能早于协议起始日 2026-03-01 的前一天（2026-02-28，即作废：协议从未生效）',
      { field: 'input.endOn' },
    );
    for (const endOn of ['2026-12-31', '2027-03-01']) {
      await expectRefusedUnchanged(
        t,
        'endAgreement',
        () => end(id, endOn),
        'BAD_USER_INPUT',
        '终止日期须早于协议截止日 2026-12-31：协议本就到 2026-12-31 为止，无需提前终止',
        { field: 'input.endOn' },
      );
    }
    const blank = await end(id, '2026-09-30', 'admin', '  ');
    expect(blank.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    expect(blank.errors?.[0].message).toContain('须填写终止原因');
    ok(await end(id, '2026-09-30'));
    await expectRefusedUnchanged(
      t,
      'endAgreement',
      () => end(id, '2026-08-31'),
      'INVALID_STATE',
      '该协议已于 2026-07-20 提前终止（有效至 2026-09-30），不能再次终止',
      { field: 'input.agreementId' },
    );
  });

  it('D17: not while an approved plan or an issued call-off claims it (INVALID_STATE naming them); once delivered it may end', async () => {
    incidentId = await incident();
    const id = await createAgreement(t, {
      companyName: '卫辉市照明灯厂（调用中）',
      regionCode: '410781',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      lines: [{ itemId: LIGHT, quantity: 100, unitPrice: '1500.00', responseHours: 24 }],
    });
    const plan = ok(
      await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`, { i: input(LIGHT, 4) }, 'dispatcher'),
    ).requestDispatch;
    expect(plan.lines.map((l: any) => l.source.name)).toEqual(['卫辉市照明灯厂（调用中）']);
    ok(
      await t.gql(
        `mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: false, approvalRef: "新应急〔2026〕8号") { id } }`,
        { p: plan.id },
        'director',
      ),
    );
    await expectRefusedUnchanged(
      t,
      'endAgreement',
      () => end(id, '2026-09-30'),
      'INVALID_STATE',
      '该协议仍有已批准未执行的调拨方案 1 个（「卫辉市洪涝（F8）」）在调用，不能提前终止：请先执行或取消方案、确认到货或取消调用单',
      { field: 'input.agreementId', planIds: [plan.id], callOffIds: [] },
    );
    const executed = ok(
      await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`, { p: plan.id, k: key() }, 'dispatcher'),
    ).executeDispatchPlan;
    const [callOff] = executed.callOffs;
    expect(callOff.status).toBe('ISSUED');
    await expectRefusedUnchanged(
      t,
      'endAgreement',
      () => end(id, '2026-09-30'),
      'INVALID_STATE',
      '该协议仍有已下达未到货的调用单 1 张（「卫辉市洪涝（F8）」）在调用，不能提前终止：请先执行或取消方案、确认到货或取消调用单',
      { field: 'input.agreementId', planIds: [], callOffIds: [callOff.id] },
    );
    ok(
      await t.gql(
        `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { id } }`,
        { i: { callOffId: callOff.id, idempotencyKey: key(), batchNo: 'F8-LIGHT-1' } },
        'dispatcher',
      ),
    );
    expect(ok(await end(id, '2026-09-30')).endAgreement.validTo).toBe('2026-09-30');
  });

  it('D21, D31: an end whose first day without it lies in a closed month is BAD_USER_INPUT PERIOD_CLOSED; the closed month’s last day itself is taken', async () => {
    const make = (companyName: string, validFrom = '2026-01-01') =>
      createAgreement(t, {
        companyName,
        regionCode: '410781',
        validFrom,
        validTo: '2026-12-31',
        lines: [{ itemId: TOILET, quantity: 10, unitPrice: '260.00', responseHours: 6 }],
      });
    const id = await make('卫辉市帐篷厂（月结）');
    const fromMay = await make('卫辉市帐篷厂（五月起，录错）', '2026-05-01');
    ok(await t.gql(`mutation { closePeriod(month: "2026-06") { month } }`, {}, 'admin'));
    const refusal = (date: string) =>
      `协议终止日期 ${date} 在已月结的期间内（已结账至 2026-06），已结月份的协议储备价值和费用不能再变动（协议在终止日当天仍有效）：最早可填 2026-06-30`;
    const period = { field: 'input.endOn', reason: 'PERIOD_CLOSED', closedMonth: '2026-06', earliestDate: '2026-06-30' };
    await expectRefusedUnchanged(t, 'endAgreement', () => end(id, '2026-06-29'), 'BAD_USER_INPUT', refusal('2026-06-29'), period);
    // A void of one in force in the closed month would take it out of June's figures.
    await expectRefusedUnchanged(t, 'endAgreement', () => end(fromMay, '2026-04-30'), 'BAD_USER_INPUT', refusal('2026-04-30'), period);
    expect(ok(await end(id, '2026-06-30')).endAgreement.validTo).toBe('2026-06-30');
  });
});

// After the month close above: from a day after it.
it('D6: an agreement without an end reads endedAt, endedBy and endReason null and contractValidTo its validTo', async () => {
  const res = await agreementRaw(
    t,
    {
      mode: 'AGREEMENT',
      companyName: '卫辉市帐篷厂（未终止）',
      regionCode: '410781',
      validFrom: '2026-08-01',
      validTo: '2026-12-31',
      lines: [{ itemId: STOVE, quantity: 1, unitPrice: '1.00', responseHours: 6 }],
    },
    'admin',
    'validTo contractValidTo endedAt endedBy { username } endReason',
  );
  expect(ok(res).createAgreement).toEqual({ validTo: '2026-12-31', contractValidTo: '2026-12-31', endedAt: null, endedBy: null, endReason: null });
});
