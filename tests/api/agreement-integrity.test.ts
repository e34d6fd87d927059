import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { agreementRaw, createAgreement } from '../support/agreements.ts';
import { useTestApp, type GqlResult } from '../support/harness.ts';
import { expectLedgerConsistent, receive, WEIHUI } from '../support/ledger.ts';

// Agreements that cannot be counted twice or priced at will (findings sweep A #8, #9, #5, #13, #17):
// one agreement per company and contract number (D6, D17, D21); an agreement's store is the company's own, in the
// agreement's region (D6, D2, D20); a call-off delivery is booked at the contract price and its refusals name the
// delivery's own fields (D6, D21); a capacity line arrives with its last day's output (D17, D16).
// Items no demo store holds, so that plans draw on agreements: 睡袋, 夏凉被, 毛巾被.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const SLEEPING_BAG = itemId('LIV-009');
const SUMMER_QUILT = itemId('LIV-008');
const TOWEL_QUILT = itemId('LIV-007');
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）in 牧野区, operated by 新乡市惠民百货配送有限公司
const ENTRUSTED_STORE = storeId('S-410721-02'); // 新乡县救灾物资代储库（七里营）, 新乡县, operated by 新乡县中原物流仓储有限公司
const TAIGONG = { name: '太公镇中学安置点', regionCode: '410781101000', lat: 35.49, lng: 114.02 };

const ok = <T = any>(res: GqlResult<T>): T => {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
};
/** The one refusal of a result: its code, field and message. */
const refusal = (res: GqlResult) => {
  expect(res.errors, JSON.stringify(res.data)).toHaveLength(1);
  expect(res.data ?? null).toBeNull();
  const e = res.errors![0];
  return { code: e.extensions.code, field: e.extensions.field, message: e.message };
};

const counts = async () => {
  const [r] = await queryRows<{ a: number; o: number }>(
    t.database.db,
    sql`SELECT (SELECT count(*)::int FROM agreements) AS a, (SELECT count(*)::int FROM organizations) AS o`,
  );
  return { agreements: Number(r.a), organizations: Number(r.o) };
};

let incidentId: string;
beforeAll(async () => {
  incidentId = ok(
    await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      {
        i: {
          name: '卫辉市协议储备调用演练',
          type: 'FLOOD',
          regionCode: '410781',
          location: { lat: 35.39, lng: 114.06 },
          affectedPopulation: 3000,
          responseLevel: 3,
        },
      },
      'dispatcher',
    ),
  ).createIncident.id;
});

const PLAN_LINES = `lines { quantity tier etaHours meetsDeadline reason source { kind name agreement { id } } } shortages { missing }`;
const suggest = async (item: string, quantity: number, deadlineHours?: number) =>
  ok(
    await t.gql(
      `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${PLAN_LINES} } }`,
      { i: { incidentId, deadlineHours, destinations: [{ ...TAIGONG, lines: [{ itemId: item, quantity }] }] } },
      'dispatcher',
    ),
  ).suggestDispatchPlan;

describe('one agreement per company and contract number (D6, D17, D21)', () => {
  const raceInput = {
    mode: 'AGREEMENT',
    companyName: '并发协议企业',
    regionCode: '410781',
    contractNo: 'XY-RACE-1',
    validFrom: '2026-01-01',
    validTo: '2027-12-31',
    lines: [{ itemId: SLEEPING_BAG, quantity: 100, unitPrice: '135.00', responseHours: 6 }],
  };

  it('D6, D17: the same agreement sent three times at once is stored once; the others are refused at input.contractNo「该合同已登记」', async () => {
    const before = await counts();
    const results = await Promise.all([1, 2, 3].map(() => agreementRaw(t, raceInput, 'admin')));
    const stored = results.filter((r) => !r.errors);
    expect(stored).toHaveLength(1);
    for (const r of results.filter((x) => x.errors)) {
      expect(refusal(r)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.contractNo', message: expect.stringContaining('该合同已登记') });
    }
    expect((await counts()).agreements).toBe(before.agreements + 1);
    // D17: dispatch counts the commitment once: 100 from the company, the rest short.
    const plan = await suggest(SLEEPING_BAG, 300);
    const fromCompany = plan.lines.filter((l: any) => l.source.name === '并发协议企业');
    expect(fromCompany.reduce((s: number, l: any) => s + l.quantity, 0)).toBe(100);
    expect(new Set(fromCompany.map((l: any) => l.source.agreement.id))).toEqual(new Set([stored[0].data.createAgreement.id]));
  });

  it('D6: registering the contract again later is refused and changes nothing; another company may use the same number', async () => {
    const before = await counts();
    const again = refusal(await agreementRaw(t, { ...raceInput, validFrom: '2026-03-01', contractNo: ' XY-RACE-1 ' }, 'admin'));
    expect(again).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.contractNo', message: expect.stringContaining('该合同已登记') });
    expect(await counts()).toEqual(before);
    await createAgreement(t, { ...raceInput, companyName: '另一家协议企业' });
    // Without a contract number the same company's agreement for the same item and period is the one recorded again
    // (sweep 18a F7): refused — a supplementary contract is told apart by a number of its own.
    await createAgreement(t, { ...raceInput, companyName: '无合同号企业', contractNo: null });
    const numberless = refusal(await agreementRaw(t, { ...raceInput, companyName: '无合同号企业', contractNo: '' }, 'admin'));
    expect(numberless).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lines.0.itemId', message: expect.stringContaining('已有一份协议储备协议') });
    await createAgreement(t, { ...raceInput, companyName: '无合同号企业', contractNo: 'XY-RACE-2' });
    expect((await counts()).agreements).toBe(before.agreements + 3);
  });
});

describe('an agreement’s store is the company’s own, in the agreement’s region (D6, D2, D20)', () => {
  const base = { validFrom: '2026-01-01', validTo: '2027-12-31' };

  it('D6, D2: another company’s agreement store → BAD_USER_INPUT at input.storeId; nothing is created, not even the company', async () => {
    const before = await counts();
    const res = await agreementRaw(
      t,
      {
        ...base,
        mode: 'AGREEMENT',
        companyName: '冒名公司',
        regionCode: '410700',
        storeId: AGREEMENT_STORE,
        lines: [{ itemId: SLEEPING_BAG, quantity: 10, unitPrice: '1.00', responseHours: 3 }],
      },
      'admin',
    );
    expect(refusal(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.storeId', message: expect.stringContaining('不是「冒名公司」的仓库') });
    expect(await counts()).toEqual(before);
  });

  it('D6, D2: an entrusted store run by another company → BAD_USER_INPUT at input.storeId', async () => {
    const res = await agreementRaw(
      t,
      {
        ...base,
        mode: 'ENTRUSTED',
        companyName: '另一公司',
        regionCode: '410721',
        storeId: ENTRUSTED_STORE,
        lines: [{ itemId: SLEEPING_BAG, quantity: 10 }],
      },
      'admin',
    );
    expect(refusal(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.storeId' });
  });

  it('D20, D2: the company’s own store outside the agreement’s region (a 新乡县 store for 卫辉市) → BAD_USER_INPUT at input.storeId', async () => {
    const before = await counts();
    const entrusted = await agreementRaw(
      t,
      {
        ...base,
        mode: 'ENTRUSTED',
        companyName: '新乡县中原物流仓储有限公司',
        regionCode: '410781',
        storeId: ENTRUSTED_STORE,
        lines: [{ itemId: SLEEPING_BAG, quantity: 10 }],
      },
      'admin',
    );
    expect(refusal(entrusted)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.storeId', message: expect.stringContaining('不在协议所属区域') });
    // 惠民's store is in 牧野区 (410711), not in 卫辉市.
    const agreement = await agreementRaw(
      t,
      {
        ...base,
        mode: 'AGREEMENT',
        companyName: '新乡市惠民百货配送有限公司',
        regionCode: '410781',
        storeId: AGREEMENT_STORE,
        lines: [{ itemId: SLEEPING_BAG, quantity: 10, unitPrice: '130.00', responseHours: 6 }],
      },
      'admin',
    );
    expect(refusal(agreement)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.storeId' });
    expect(await counts()).toEqual(before);
  });

  it('D6: the operating company, in a region that covers its store, is accepted', async () => {
    const a = ok(
      await agreementRaw(
        t,
        {
          ...base,
          mode: 'ENTRUSTED',
          companyName: '新乡县中原物流仓储有限公司',
          regionCode: '410700',
          storeId: ENTRUSTED_STORE,
          contractNo: 'DC-INTEGRITY-1',
          lines: [{ itemId: SLEEPING_BAG, quantity: 10 }],
        },
        'admin',
        'id company { name } store { id }',
      ),
    ).createAgreement;
    expect(a).toMatchObject({ company: { name: '新乡县中原物流仓储有限公司' }, store: { id: ENTRUSTED_STORE } });
  });
});

describe('call-off deliveries at the contract price, with the delivery’s own field names (D6, D21)', () => {
  let callOffId: string;
  let pointId: string;
  const deliver = (input: Record<string, unknown>) =>
    t.gql(
      `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { id lines { quantity unitPrice value batch { batchNo unitPrice } } } }`,
      { i: { callOffId, idempotencyKey: randomUUID(), ...input } },
      'dispatcher',
    );
  const receiptsAt = async () => {
    const [r] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM documents WHERE type = 'RECEIPT' AND store_id = ${pointId}::uuid`,
    );
    return Number(r.n);
  };
  const callOffStatus = async () =>
    (await queryRows<{ status: string }>(t.database.db, sql`SELECT status FROM call_offs WHERE id = ${callOffId}::uuid`))[0].status;

  beforeAll(async () => {
    await createAgreement(
      t,
      {
        companyName: '卫辉夏凉被协议厂',
        regionCode: '410781',
        contractNo: 'XLB-2026-01',
        lines: [{ itemId: SUMMER_QUILT, quantity: 200, unitPrice: '62.00', responseHours: 6 }],
      },
      'admin',
    );
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id lines { tier quantity } } }`,
        { i: { incidentId, destinations: [{ ...TAIGONG, lines: [{ itemId: SUMMER_QUILT, quantity: 150 }] }] } },
        'dispatcher',
      ),
    ).requestDispatch;
    expect(plan.lines).toEqual([{ tier: 'AGREEMENT', quantity: 150 }]);
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
    const executed = ok(
      await t.gql(
        `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { callOffs { id quantity } destinations { store { id } } } }`,
        { p: plan.id, k: randomUUID() },
        'dispatcher',
      ),
    ).executeDispatchPlan;
    callOffId = executed.callOffs[0].id;
    pointId = executed.destinations[0].store.id;
  });

  it('D21, D6: a price above the contract price (999.00) → BAD_USER_INPUT at input.unitPrice naming「协议单价为 62.00 元」; nothing is booked', async () => {
    const r = refusal(await deliver({ batchNo: 'XLB-1', productionDate: '2026-07-01', unitPrice: '999.00' }));
    expect(r).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.unitPrice', message: expect.stringContaining('协议单价为 62.00 元') });
    expect(await receiptsAt()).toBe(0);
    expect(await callOffStatus()).toBe('ISSUED');
  });

  it('D21: a price of 0.00 (or below the contract price) → BAD_USER_INPUT at input.unitPrice', async () => {
    expect(refusal(await deliver({ batchNo: 'XLB-1', unitPrice: '0.00' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.unitPrice' });
    expect(refusal(await deliver({ batchNo: 'XLB-1', unitPrice: '61.99' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.unitPrice' });
    expect(await receiptsAt()).toBe(0);
  });

  it('API: the delivery’s refusals name its own fields — input.expiryDate, input.batchNo, input.productionDate — not input.lines.0.*', async () => {
    const expired = refusal(await deliver({ batchNo: 'XLB-1', expiryDate: '2021-01-01' }));
    expect(expired).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.expiryDate' });
    const badDate = refusal(await deliver({ batchNo: 'XLB-1', productionDate: '2026-13-45' }));
    expect(badDate).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.productionDate' });
    expect(badDate.message).not.toContain('lines');
    // A batch number already registered (in 卫辉's own store) at another price.
    await receive(t, 'admin', WEIHUI, [{ itemId: SUMMER_QUILT, quantity: 5, batchNo: 'XLB-CLASH', unitPrice: '70.00' }]);
    const clash = refusal(await deliver({ batchNo: 'XLB-CLASH' }));
    expect(clash).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.batchNo' });
    expect(await receiptsAt()).toBe(0);
  });

  it('D21, D6: without a price, or with the contract price, the delivery is booked at 62.00: 150 × 62.00 = 9,300.00', async () => {
    const doc = ok(await deliver({ batchNo: 'XLB-1', productionDate: '2026-07-01', unitPrice: '62' })).confirmCallOffDelivery;
    expect(doc.lines).toEqual([{ quantity: 150, unitPrice: '62.00', value: '9300.00', batch: { batchNo: 'XLB-1', unitPrice: '62.00' } }]);
    expect(await callOffStatus()).toBe('DELIVERED');
  });

  it('D6, D17, D21: delivered goods leave the agreement until a later check counts the company’s stock again — 50 of 200 offered and valued, then 200', async () => {
    const line = async () => {
      const list = ok(
        await t.gql(`{ agreements(regionCode: "410781") { edges { node { contractNo lines { effectiveQuantity contingentValue } } } } }`, {}, 'dispatcher'),
      ).agreements.edges.map((e: any) => e.node);
      return list.find((a: any) => a.contractNo === 'XLB-2026-01').lines[0];
    };
    const contingent = async () =>
      ok(await t.gql(`{ valuation(regionCode: "410781") { contingentAgreementValue } }`, {}, 'auditor')).valuation.contingentAgreementValue as string;
    expect(await line()).toEqual({ effectiveQuantity: 50, contingentValue: '3100.00' });
    const plan = await suggest(SUMMER_QUILT, 300);
    expect(plan.lines.filter((l: any) => l.tier === 'AGREEMENT').reduce((s: number, l: any) => s + l.quantity, 0)).toBe(50);
    const before = await contingent();
    // The company restocked; a check (today, after the delivery) counts 200 again.
    const { agreementId } = (
      await queryRows<{ agreementId: string }>(t.database.db, sql`SELECT agreement_id::text AS "agreementId" FROM call_offs WHERE id = ${callOffId}::uuid`)
    )[0];
    ok(
      await t.gql(
        `mutation($i: AgreementCheckInput!) { recordAgreementCheck(input: $i) { id } }`,
        { i: { agreementId, checkedOn: '2026-07-20', lines: [{ itemId: SUMMER_QUILT, countedQuantity: 200 }] } },
        'admin',
      ),
    );
    expect(await line()).toEqual({ effectiveQuantity: 200, contingentValue: '12400.00' });
    expect(Number(await contingent()) - Number(before)).toBe(9300);
  });
});

describe('a capacity line arrives with its last day’s output (D17, D16)', () => {
  beforeAll(async () => {
    await createAgreement(
      t,
      {
        mode: 'CAPACITY',
        companyName: '卫辉毛巾被产能厂',
        regionCode: '410781',
        lines: [{ itemId: TOWEL_QUILT, dailyCapacity: 100, leadDays: 1, unitPrice: '56.00' }],
      },
      'admin',
    );
  });

  it('D17: 250 at 100 a day after 1 day’s lead: one line, ETA = 0.5 h + (1 + 3) × 24 h + the road', async () => {
    const plan = await suggest(TOWEL_QUILT, 250, 200);
    expect(plan.lines).toHaveLength(1);
    const [line] = plan.lines;
    expect(line).toMatchObject({ tier: 'CAPACITY', quantity: 250, meetsDeadline: true });
    expect(line.etaHours).toBeGreaterThan(0.5 + 4 * 24);
    expect(line.etaHours).toBeLessThan(0.5 + 4 * 24 + 2); // the road from the factory is short
    expect(line.reason).toContain('生产 3 天');
    // Within one day's output: 1 day's lead and 1 day.
    const small = (await suggest(TOWEL_QUILT, 100, 200)).lines[0];
    expect(small.etaHours).toBeGreaterThan(0.5 + 2 * 24);
    expect(small.etaHours).toBeLessThan(0.5 + 2 * 24 + 2);
  });

  it('D16, D17: with a 50 h deadline, 270 units cannot all arrive in time — meetsDeadline is false; 100 can', async () => {
    const late = await suggest(TOWEL_QUILT, 270, 50);
    expect(late.lines).toHaveLength(1);
    expect(late.lines[0]).toMatchObject({ quantity: 270, meetsDeadline: false });
    expect(late.lines[0].etaHours).toBeGreaterThan(0.5 + 4 * 24);
    const inTime = await suggest(TOWEL_QUILT, 100, 50);
    expect(inTime.lines[0]).toMatchObject({ quantity: 100, meetsDeadline: true });
  });
});
