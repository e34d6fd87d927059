import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { agreementRaw, createAgreement } from '../support/agreements.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { COTTON_TENT, QUILT } from '../support/ledger.ts';

// Sweep 18a F7 (D6, D17, D21): the same agreement submitted twice without a contract number was recorded twice — the
// planner then called off twice what the company committed, and the contingent value and fees doubled; leaving out the
// store got round "one store's goods are committed once". An agreement without a contract number that overlaps one of
// the same company, region, mode and item is refused, naming the one recorded; other items, a later period (a renewal),
// another mode, another region and a supplementary contract with its own number are still recorded.
// Sweep 18a F13 (D6): a line's field of another mode (a capacity line's "quantity 500", an agreement line's daily
// capacity or lead days) was kept and shown though nothing reads it: refused at the field.

const t = useTestApp();

const LIGHT = itemId('FLD-009');
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）, operated by 新乡市惠民百货配送有限公司

const refusal = (res: GqlResult) => [errorCode(res), res.errors?.[0]?.extensions?.field];
const message = (res: GqlResult) => String(res.errors?.[0]?.message ?? '');
const agreementCount = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM agreements`))[0].n);

const lighting = (over: Record<string, unknown> = {}) => ({
  mode: 'AGREEMENT',
  companyName: '卫辉市癸照明重复登记测试公司',
  regionCode: '410781',
  validFrom: '2026-07-01',
  validTo: '2027-06-30',
  annualFee: '1000.00',
  lines: [{ itemId: LIGHT, quantity: 50, unitPrice: '6500.00', responseHours: 3 }],
  ...over,
});

describe('sweep 18a F7 (D6, D17, D21): an agreement is recorded once', () => {
  it('D6, D21: the same agreement again without a contract number → BAD_USER_INPUT at the line, naming the one recorded; nothing recorded', async () => {
    const first = await createAgreement(t, lighting());
    const before = await agreementCount();
    const again = await agreementRaw(t, lighting());
    expect(refusal(again)).toEqual(['BAD_USER_INPUT', 'input.lines.0.itemId']);
    expect(message(again)).toContain('卫辉市癸照明重复登记测试公司');
    expect(message(again)).toContain('2026-07-01 至 2027-06-30');
    expect(message(again)).toMatch(/[\u4e00-\u9fff]/);
    expect(again.errors?.[0]?.extensions).toMatchObject({ agreementId: first, validFrom: '2026-07-01', validTo: '2027-06-30' });
    // Another period that overlaps by a day, or other lines that include the item, are the same commitment too.
    expect(refusal(await agreementRaw(t, lighting({ validFrom: '2027-06-30', validTo: '2027-12-31' })))).toEqual(['BAD_USER_INPUT', 'input.lines.0.itemId']);
    const withOther = lighting({
      lines: [
        { itemId: QUILT, quantity: 10, unitPrice: '158.00', responseHours: 3 },
        { itemId: LIGHT, quantity: 5, unitPrice: '6500.00', responseHours: 3 },
      ],
    });
    expect(refusal(await agreementRaw(t, withOther))).toEqual(['BAD_USER_INPUT', 'input.lines.1.itemId']);
    expect(await agreementCount()).toBe(before);
  });

  it('D6, D17: two identical requests at once (a retry racing its original) record one agreement', async () => {
    const input = lighting({ companyName: '卫辉市并发重复登记测试公司' });
    const before = await agreementCount();
    const results = await Promise.all([agreementRaw(t, input), agreementRaw(t, input)]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).map(refusal)).toEqual([['BAD_USER_INPUT', 'input.lines.0.itemId']]);
    expect(await agreementCount()).toBe(before + 1);
  });

  it('D6: leaving out the store does not get round the store’s agreement: the same company, item and period → BAD_USER_INPUT naming its contract', async () => {
    const base = { companyName: '新乡市惠民百货配送有限公司', regionCode: '410700', validFrom: '2026-07-01', validTo: '2026-12-31' };
    await createAgreement(t, {
      ...base,
      storeId: AGREEMENT_STORE,
      contractNo: 'S18A-F7-STORE',
      lines: [{ itemId: QUILT, quantity: 60, unitPrice: '158.00', responseHours: 6 }],
    });
    const res = await agreementRaw(t, { mode: 'AGREEMENT', ...base, lines: [{ itemId: QUILT, quantity: 60, unitPrice: '158.00', responseHours: 6 }] });
    expect(refusal(res)).toEqual(['BAD_USER_INPUT', 'input.lines.0.itemId']);
    expect(message(res)).toContain('合同编号 S18A-F7-STORE');
  });

  it('D6: other items, a renewal from the day after, another mode, another region, a supplementary contract with its own number are recorded', async () => {
    const company = '卫辉市续签补充测试照明公司';
    await createAgreement(t, lighting({ companyName: company }));
    const before = await agreementCount();
    // Other items of the same company, same period.
    await createAgreement(t, lighting({ companyName: company, lines: [{ itemId: QUILT, quantity: 20, unitPrice: '158.00', responseHours: 4 }] }));
    // The renewal: from the day after the old one ends.
    await createAgreement(t, lighting({ companyName: company, validFrom: '2027-07-01', validTo: '2028-06-30' }));
    // Another mode: the company's production of the item beside its stock.
    await createAgreement(
      t,
      lighting({ companyName: company, mode: 'CAPACITY', lines: [{ itemId: LIGHT, dailyCapacity: 5, leadDays: 2, unitPrice: '6500.00' }] }),
    );
    // Another region's contract with the company (新乡县's), and a supplementary contract told apart by its number.
    await createAgreement(t, lighting({ companyName: company, regionCode: '410721' }));
    await createAgreement(
      t,
      lighting({ companyName: company, contractNo: 'S18A-F7-SUPPL', lines: [{ itemId: LIGHT, quantity: 20, unitPrice: '6500.00', responseHours: 3 }] }),
    );
    expect(await agreementCount()).toBe(before + 5);
    // …while the same again, without a number, is still the one recorded.
    expect(refusal(await agreementRaw(t, lighting({ companyName: company })))).toEqual(['BAD_USER_INPUT', 'input.lines.0.itemId']);
    expect(await agreementCount()).toBe(before + 5);
  });
});

describe('sweep 18a F13 (D6): a line’s field of another mode is refused at the field', () => {
  const capacity = (line: Record<string, unknown>) => ({
    mode: 'CAPACITY',
    companyName: '新乡市十八甲产能测试救生圈厂',
    regionCode: '410700',
    validFrom: '2026-07-01',
    validTo: '2026-12-31',
    lines: [{ itemId: COTTON_TENT, dailyCapacity: 1, leadDays: 30, unitPrice: '95.00', ...line }],
  });
  const agreementLine = (line: Record<string, unknown>) =>
    lighting({ companyName: '卫辉市十八甲字段测试公司', lines: [{ itemId: COTTON_TENT, quantity: 10, unitPrice: '2180.00', responseHours: 4, ...line }] });

  it.each([
    ['CAPACITY quantity', capacity({ quantity: 500 }), 'input.lines.0.quantity'],
    ['CAPACITY responseHours', capacity({ responseHours: 4 }), 'input.lines.0.responseHours'],
    ['AGREEMENT dailyCapacity', agreementLine({ dailyCapacity: 10 }), 'input.lines.0.dailyCapacity'],
    ['AGREEMENT leadDays', agreementLine({ leadDays: 0 }), 'input.lines.0.leadDays'],
    [
      'ENTRUSTED dailyCapacity',
      {
        mode: 'ENTRUSTED',
        companyName: '新乡县中原物流仓储有限公司',
        regionCode: '410721',
        storeId: storeId('S-410721-02'),
        validFrom: '2026-07-01',
        validTo: '2026-12-31',
        lines: [{ itemId: COTTON_TENT, quantity: 10, dailyCapacity: 10 }],
      },
      'input.lines.0.dailyCapacity',
    ],
  ])('D6: %s → BAD_USER_INPUT at the field, in Chinese; nothing recorded', async (_, input, field) => {
    const before = await agreementCount();
    const res = await agreementRaw(t, input);
    expect(refusal(res)).toEqual(['BAD_USER_INPUT', field]);
    expect(message(res)).toMatch(/[\u4e00-\u9fff]/);
    expect(await agreementCount()).toBe(before);
  });

  it('D6: each mode’s own fields are still taken: without the quantity of 500 the capacity line is recorded, showing none', async () => {
    expect(refusal(await agreementRaw(t, capacity({ quantity: 500 })))).toEqual(['BAD_USER_INPUT', 'input.lines.0.quantity']);
    const res = await agreementRaw(t, capacity({}), 'admin', 'id lines { quantity effectiveQuantity dailyCapacity leadDays }');
    expect(res.errors).toBeUndefined();
    expect(res.data?.createAgreement.lines).toEqual([{ quantity: null, effectiveQuantity: 0, dailyCapacity: 1, leadDays: 30 }]);
  });
});
