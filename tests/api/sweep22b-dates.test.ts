import { afterEach, describe, expect, it } from 'vitest';
import { userId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { valuationRaw } from '../support/finance.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { download } from '../support/paperwork.ts';
import { createIncident } from '../support/relief.ts';

// Sweep 22b ("a year in the life": dates, periods, valuation over time). Today is 2026-07-20 (China, 10:00).
// F2 (D6, D22): an agreement ended early (endAgreement) read NOT_STARTED until its start day and then EXPIRED, as if it
// had run its term; a voided one (endOn the day before validFrom) NOT_STARTED although it never starts. It is now ENDED
// after its endOn, and a voided one at once; every other status is as before.
// F3 (D21): valuation(asOf, feesFrom) with feesFrom after asOf's China date answered feesAccrued 0.00 — "no fees owed" —
// where the same inverted period on journal is refused. It is refused too, BAD_USER_INPUT at feesFrom.
// F1 (D10, decided as design): rotationDue and rotationPlan list stock on hand at reserve stores (government and
// entrusted) only — not a 安置点's, whose expiring batches alerts flags, nor stock in transit; the schema says so.

const t = useTestApp({ resetClock: true });
afterEach(() => expectLedgerConsistent(t));

const TOILET = itemId('LIV-013'); // 简易厕所
const STATUS = `query($id: ID!) { agreement(id: $id) { validFrom validTo endedAt status } }`;
const statusOf = async (id: string, as = 'admin') => ok(await t.gql(STATUS, { id }, as)).agreement.status as string;
const END = `mutation($i: EndAgreementInput!) { endAgreement(input: $i) { id validTo status } }`;
const end = async (agreementId: string, endOn: string, reason = '企业停产，双方协商提前解除') =>
  ok(await t.gql(END, { i: { agreementId, endOn, reason } }, 'admin')).endAgreement;
const agreement = (companyName: string, validFrom: string, validTo: string) =>
  createAgreement(t, {
    companyName,
    regionCode: '410781',
    validFrom,
    validTo,
    lines: [{ itemId: TOILET, quantity: 10, unitPrice: '260.00', responseHours: 6 }],
  });
const listed = async (args: Record<string, unknown>) =>
  new Map<string, string>(
    ok(
      await t.gql(
        `query($a: Date) { agreements(regionCode: "410781", activeOn: $a, first: 500) { edges { node { id status } } } }`,
        { a: args.activeOn ?? null },
        'admin',
      ),
    ).agreements.edges.map((e: any) => [e.node.id, e.node.status]),
  );

describe('sweep 22b F2 (D6, D22): an agreement ended early reads ENDED, not NOT_STARTED or EXPIRED', () => {
  it('D6, D22: a voided agreement (endOn the day before validFrom) is ENDED at once and stays so — never NOT_STARTED, never EXPIRED', async () => {
    const id = await agreement('卫辉市环卫设备厂（22b 作废）', '2026-08-01', '2027-07-31');
    expect(await statusOf(id)).toBe('NOT_STARTED');
    expect(await end(id, '2026-07-31', '数量单价录入错误，作废')).toEqual({ id, validTo: '2026-07-31', status: 'ENDED' });
    expect(await statusOf(id)).toBe('ENDED');
    expect((await listed({})).get(id)).toBe('ENDED');
    // It is in force on no day: no activeOn lists it.
    expect((await listed({ activeOn: '2026-08-01' })).has(id)).toBe(false);
    for (const now of ['2026-08-01T02:00:00Z', '2027-08-01T02:00:00Z']) {
      t.clock.set(now); // its (voided) start day, and a year later
      expect(await statusOf(id, 'auditor')).toBe('ENDED');
    }
  });

  it('D6: ended early, it reads as before through its endOn (it binds that day) and ENDED from the day after; one never ended still EXPIRED', async () => {
    const ended = await agreement('卫辉市环卫设备厂（22b 提前终止）', '2026-01-01', '2026-12-31');
    const ranOut = await agreement('卫辉市环卫设备厂（22b 到期）', '2026-01-01', '2026-12-31');
    expect(await end(ended, '2026-08-31')).toEqual({ id: ended, validTo: '2026-08-31', status: 'EXPIRING' }); // 42 days left
    expect(await statusOf(ranOut)).toBe('ACTIVE'); // 164 days left
    // activeOn a day it was in force: as it read that day.
    expect((await listed({ activeOn: '2026-08-15' })).get(ended)).toBe('EXPIRING');
    t.clock.set('2026-08-31T15:59:59Z'); // 08-31 23:59:59 China time: its last day
    expect(await statusOf(ended)).toBe('EXPIRING');
    t.clock.set('2026-08-31T16:00:00Z'); // 09-01 00:00 China time (UTC still 08-31)
    expect(await statusOf(ended)).toBe('ENDED');
    t.clock.set('2027-01-01T02:00:00Z');
    expect([await statusOf(ended), await statusOf(ranOut)]).toEqual(['ENDED', 'EXPIRED']);
    expect((await listed({})).get(ended)).toBe('ENDED');
  });

  it('D6: ended before its start with an endOn after it, it still starts — NOT_STARTED, then ACTIVE/EXPIRING, then ENDED', async () => {
    const id = await agreement('卫辉市环卫设备厂（22b 未生效即终止）', '2027-01-01', '2027-12-31');
    expect(await end(id, '2027-03-31')).toMatchObject({ status: 'NOT_STARTED' });
    t.clock.set('2027-01-02T02:00:00Z');
    expect(await statusOf(id)).toBe('EXPIRING'); // 88 days to 03-31
    t.clock.set('2027-04-01T02:00:00Z');
    expect(await statusOf(id)).toBe('ENDED');
  });
});

describe('sweep 22b F3 (D21): valuation refuses a feesFrom after asOf’s China date, as journal refuses an inverted period', () => {
  const refusal = async (args: Parameters<typeof valuationRaw>[2]) => {
    const res = await valuationRaw(t, 'auditor', { regionCode: '410781', ...args });
    expect(errorCode(res), JSON.stringify(res.errors)).toBe('BAD_USER_INPUT');
    return { message: res.errors![0].message, field: res.errors![0].extensions.field };
  };
  const fees = async (args: Parameters<typeof valuationRaw>[2]) => {
    const res = await valuationRaw(t, 'auditor', { regionCode: '410781', ...args });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return { feesFrom: res.data.valuation.feesFrom, feesAccrued: res.data.valuation.feesAccrued };
  };

  it('D21: feesFrom a month after asOf → BAD_USER_INPUT at feesFrom naming both (the sweep’s repro), not feesAccrued 0.00', async () => {
    expect(await refusal({ asOf: '2026-02-01T00:00:00+08:00', feesFrom: '2026-03-01' })).toEqual({
      field: 'feesFrom',
      message: '估值时点 2026-02-01 00:00:00 早于计费起始日期 2026-03-01，请检查期间',
    });
    // The journal's own refusal of an inverted period, for comparison: the same code, the same words.
    const journal = await t.gql(`query { journal(filter: { from: "2026-01-01T00:00:00Z", to: "2025-01-01T00:00:00Z" }) { totalCount } }`, {}, 'auditor');
    expect(errorCode(journal)).toBe('BAD_USER_INPUT');
    expect(journal.errors![0].message).toMatch(/^截止时间 .* 早于起始时间 .*，请检查期间$/);
  });

  it('D21: by asOf’s China date — feesFrom that date is an empty period (0 days), the next day is refused; UTC’s date does not count', async () => {
    // 2026-01-31T16:30Z is 02-01 00:30 China time: 02-01 allowed, 02-02 refused.
    expect(await fees({ asOf: '2026-01-31T16:30:00Z', feesFrom: '2026-02-01' })).toEqual({ feesFrom: '2026-02-01', feesAccrued: '0.00' });
    expect(await refusal({ asOf: '2026-01-31T16:30:00Z', feesFrom: '2026-02-02' })).toEqual({
      field: 'feesFrom',
      message: '估值时点 2026-02-01 00:30:00 早于计费起始日期 2026-02-02，请检查期间',
    });
    // 2026-01-31T15:30Z is 01-31 23:30 China time: 02-01 is after it.
    expect((await refusal({ asOf: '2026-01-31T15:30:00Z', feesFrom: '2026-02-01' })).field).toBe('feesFrom');
    // Now (07-20 10:00 China time) by default: today allowed, tomorrow refused.
    expect((await fees({ feesFrom: '2026-07-20' })).feesAccrued).toBe('0.00');
    expect(await refusal({ feesFrom: '2026-07-21' })).toEqual({
      field: 'feesFrom',
      message: '估值时点 2026-07-20 10:00:00 早于计费起始日期 2026-07-21，请检查期间',
    });
  });

  it('D21: the valuation download takes no feesFrom (its fees run from 1 January of asOf’s year, never inverted): one given is refused, 400 naming it', async () => {
    const res = await download(t, '/exports/valuation.csv', 'auditor', { asOf: '2026-02-01', feesFrom: '2026-03-01' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'feesFrom' });
  });
});

describe('sweep 22b F1 (D10, design): rotationDue and rotationPlan list reserve stores’ stock on hand, not a 安置点’s', () => {
  const ROTATION = `query($r: String) { rotationDue(regionCode: $r, withinMonths: 12) { store { id kind } batch { batchNo } rotateBy } }`;
  const PLAN = `query($r: String) { rotationPlan(regionCode: $r, withinMonths: 12) { period lines { store { id } batch { batchNo } } } }`;
  const ALERTS = `query($r: String) { alerts(regionCode: $r) { kind store { id } batch { batchNo } } }`;
  const line = { itemId: QUILT, quantity: 3, productionDate: '2025-06-01', expiryDate: '2026-09-30', unitPrice: '158.00', fundingSource: 'COUNTY' };

  it('D10: a 安置点 batch past its rotate-by is in alerts (EXPIRING), not in rotationDue nor rotationPlan; the same at a reserve store is', async () => {
    // A 安置点 of 汲水镇 the demo keeper manages (the sweep's was the demo flood's 汲水镇第一小学安置点).
    const incidentId = await createIncident(t, {});
    const point = ok(
      await t.gql(
        `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id kind } }`,
        { i: { incidentId, name: '汲水镇 22b 安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, managerIds: [userId('keeper')] } },
        'dispatcher',
      ),
    ).openDistributionPoint.id as string;
    await receive(t, 'keeper', point, [{ ...line, batchNo: 'S22B-AZD1' }]);
    await receive(t, 'keeper', WEIHUI, [{ ...line, batchNo: 'S22B-WH1' }]);
    for (const as of ['keeper', 'auditor']) {
      const alerts = ok(await t.gql(ALERTS, { r: '410781' }, as)).alerts as any[];
      expect(alerts.filter((a) => a.batch?.batchNo === 'S22B-AZD1')).toEqual([{ kind: 'EXPIRING', store: { id: point }, batch: { batchNo: 'S22B-AZD1' } }]);
      const due = ok(await t.gql(ROTATION, { r: '410781' }, as)).rotationDue as any[];
      // Rotate-by 2025-09-30 (expiry less the 12 months' lead): overdue — at the reserve store only.
      expect(due.filter((d) => d.batch.batchNo.startsWith('S22B-'))).toEqual([
        { store: { id: WEIHUI, kind: 'GOVERNMENT' }, batch: { batchNo: 'S22B-WH1' }, rotateBy: '2025-09-30' },
      ]);
      expect(due.filter((d) => d.store.id === point)).toEqual([]);
      const plan = (ok(await t.gql(PLAN, { r: '410781' }, as)).rotationPlan as any[]).flatMap((p) => p.lines);
      expect(plan.filter((l) => l.batch.batchNo.startsWith('S22B-')).map((l) => [l.store.id, l.batch.batchNo])).toEqual([[WEIHUI, 'S22B-WH1']]);
      expect(plan.filter((l) => l.store.id === point)).toEqual([]);
    }
  });

  it('D10: the schema says so — rotationDue and rotationPlan name reserve stores, the 安置点 and stock in transit', async () => {
    const fields = ok(await t.gql(`{ __type(name: "Query") { fields { name description } } }`, {}, 'auditor')).__type.fields as any[];
    const described = (name: string) => fields.find((f) => f.name === name).description as string;
    expect(described('rotationDue')).toContain('government and entrusted stores');
    expect(described('rotationDue')).toContain('安置点');
    expect(described('rotationDue')).toContain('in transit');
    expect(described('rotationPlan')).toContain('not at a 安置点 nor in transit');
  });
});
