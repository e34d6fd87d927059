import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { computeExpiry } from '../../server/inventory/rules.ts';
import { agreementRaw, createAgreement } from '../support/agreements.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { COTTON_TENT, QUILT, WEIHUI } from '../support/ledger.ts';
import { ok, purchase, receiveRaw } from '../support/ledger-ops.ts';

// The administration sweep's validation findings (notes/findings-admin-auth.md #1–#4, #13): what an administrator
// records in the catalog, agreements and 联储 agreements must make sense, and no figure recorded there may break a
// region's planning screens. Today is 2026-07-20 (the test clock); the tests of this file share one database.

const t = useTestApp();

const ITEM = 'id code storageLifeMonths rotationLeadMonths';
const createItem = (input: Record<string, unknown>) =>
  t.gql(`mutation($input: CreateItemInput!) { createItem(input: $input) { ${ITEM} } }`, { input }, 'admin');
const updateItem = (id: string, input: Record<string, unknown>) =>
  t.gql(`mutation($id: ID!, $input: UpdateItemInput!) { updateItem(id: $id, input: $input) { ${ITEM} } }`, { id, input }, 'admin');
// Each its own name: a name and a spec identify one item (D5, catalog-sweep3.test.ts).
const itemInput = (code: string, over: Record<string, unknown> = {}) => ({ categoryCode: 'LIVING', code, name: `测试物资 ${code}`, unit: '件', ...over });

/** A refusal: the code, and the field it names. */
const refusal = (res: GqlResult) => [errorCode(res), res.errors?.[0]?.extensions?.field];
const isChinese = (res: GqlResult) => expect(res.errors?.[0]?.message).toMatch(/[\u4e00-\u9fff]/);

const itemCount = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM items`))[0].n);

describe('#1 D10, D26: an item’s rotation lead is shorter than its storage life', () => {
  it('D10: createItem refuses a lead equal to or longer than the storage life, the default lead included', async () => {
    const before = await itemCount();
    for (const [code, over] of [
      ['T-LEAD-1', { storageLifeMonths: 12, rotationLeadMonths: 24 }],
      ['T-LEAD-2', { storageLifeMonths: 12, rotationLeadMonths: 12 }],
      ['T-LEAD-3', { storageLifeMonths: 6 }], // the default lead is 12 months
    ] as const) {
      const res = await createItem(itemInput(code, over));
      expect(refusal(res), code).toEqual(['BAD_USER_INPUT', 'input.rotationLeadMonths']);
      isChinese(res);
    }
    expect(await itemCount()).toBe(before);
    expect(ok(await createItem(itemInput('T-LEAD-4', { storageLifeMonths: 12, rotationLeadMonths: 11 }))).createItem).toMatchObject({
      storageLifeMonths: 12,
      rotationLeadMonths: 11,
    });
    // Equipment has no storage life: any lead (it never rotates).
    expect(ok(await createItem(itemInput('T-LEAD-5', { rotationLeadMonths: 24 }))).createItem).toMatchObject({ storageLifeMonths: null });
  });

  it('D10: updateItem checks the lead against the life the item will have, naming the field that changed', async () => {
    const item = ok(await createItem(itemInput('T-LEAD-6', { storageLifeMonths: 36, rotationLeadMonths: 12 }))).createItem;
    expect(refusal(await updateItem(item.id, { rotationLeadMonths: 36 }))).toEqual(['BAD_USER_INPUT', 'input.rotationLeadMonths']);
    expect(refusal(await updateItem(item.id, { storageLifeMonths: 12 }))).toEqual(['BAD_USER_INPUT', 'input.storageLifeMonths']);
    expect(refusal(await updateItem(item.id, { storageLifeMonths: 24, rotationLeadMonths: 30 }))).toEqual(['BAD_USER_INPUT', 'input.rotationLeadMonths']);
    const [row] = await queryRows<{ l: number; r: number }>(
      t.database.db,
      sql`SELECT storage_life_months AS l, rotation_lead_months AS r FROM items WHERE id = ${item.id}::uuid`,
    );
    expect([row.l, row.r]).toEqual([36, 12]); // a refusal changes nothing
    expect(ok(await updateItem(item.id, { storageLifeMonths: 24, rotationLeadMonths: 6 })).updateItem).toMatchObject({
      storageLifeMonths: 24,
      rotationLeadMonths: 6,
    });
    expect(ok(await updateItem(item.id, { storageLifeMonths: null, rotationLeadMonths: 30 })).updateItem).toMatchObject({ storageLifeMonths: null });
  });
});

describe('#2 D5, D10, D26: a storage life is bounded, and an item with one always gives its batches an expiry', () => {
  it('D5: createItem and updateItem refuse a storage life beyond 600 months', async () => {
    for (const months of [2147483647, 601]) {
      const res = await createItem(itemInput(`T-LIFE-${months}`, { storageLifeMonths: months }));
      expect(refusal(res)).toEqual(['BAD_USER_INPUT', 'input.storageLifeMonths']);
      isChinese(res);
    }
    const item = ok(await createItem(itemInput('T-LIFE-600', { storageLifeMonths: 600 }))).createItem;
    expect(refusal(await updateItem(item.id, { storageLifeMonths: 2147483647 }))).toEqual(['BAD_USER_INPUT', 'input.storageLifeMonths']);
  });

  it('D26: a storage life recorded before the bound gives no batch "no expiry": the receipt is refused, naming the storage life', async () => {
    const item = ok(await createItem(itemInput('T-LIFE-OLD', { storageLifeMonths: 60 }))).createItem;
    await queryRows(t.database.db, sql`UPDATE items SET storage_life_months = 2147483647 WHERE id = ${item.id}::uuid`);
    const res = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: item.id, quantity: 2, batchNo: 'T-LIFE-B1', productionDate: '2026-01-01' }]));
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors![0].message).toContain('储存年限');
    const [n] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM batches WHERE item_id = ${item.id}::uuid`);
    expect(Number(n.n)).toBe(0);
  });

  it('D10: computeExpiry never answers null for an item with a storage life', () => {
    expect(() => computeExpiry({ productionDate: '2026-01-01', expiryDate: null, storageLifeMonths: 2147483647, receiptDate: '2026-07-20' })).toThrow(
      /储存年限/,
    );
    expect(computeExpiry({ productionDate: '2026-01-01', expiryDate: null, storageLifeMonths: 600, receiptDate: '2026-07-20' })).toBe('2076-01-01');
  });
});

const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）
const agreementInput = (over: Record<string, unknown> = {}) => ({
  mode: 'AGREEMENT',
  companyName: '新乡市惠民百货配送有限公司',
  regionCode: '410700',
  storeId: AGREEMENT_STORE,
  validFrom: '2026-01-01',
  validTo: '2026-12-31',
  lines: [{ itemId: COTTON_TENT, quantity: 500, unitPrice: '2180.00', responseHours: 8 }],
  ...over,
});
const agreementCount = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM agreements`))[0].n);

describe('#3 D6, D19: agreement quantities are bounded, and no agreement line breaks reserveGaps', () => {
  it('D6: quantities and daily capacities above 100,000,000 are refused at the line', async () => {
    const before = await agreementCount();
    const line = { itemId: COTTON_TENT, unitPrice: '9999999999.99', responseHours: 4 };
    for (const quantity of [2147483647, 100_000_001]) {
      const res = await agreementRaw(t, agreementInput({ storeId: null, contractNo: `BIG-${quantity}`, lines: [{ ...line, quantity }] }));
      expect(refusal(res)).toEqual(['BAD_USER_INPUT', 'input.lines.0.quantity']);
      isChinese(res);
    }
    const capacity = await agreementRaw(t, {
      mode: 'CAPACITY',
      companyName: '新乡市新星帐篷制造有限公司',
      regionCode: '410700',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      lines: [{ itemId: COTTON_TENT, dailyCapacity: 100_000_001 }],
    });
    expect(refusal(capacity)).toEqual(['BAD_USER_INPUT', 'input.lines.0.dailyCapacity']);
    expect(await agreementCount()).toBe(before);
  });

  it('D19: a line recorded before the bound (2,147,483,647) with another one on top leaves reserveGaps answering; the sum itself is INVALID_STATE with its digits (sweep 18c F1: never capped)', async () => {
    ok(await t.gql(`mutation { upsertQuota(input: { itemId: "${QUILT}", quantity: 5, regionCode: "410782" }) { id } }`, {}, 'admin'));
    const companies = ['辉县市测试企业甲', '辉县市测试企业乙'];
    for (const [i, companyName] of companies.entries()) {
      const id = await createAgreement(
        t,
        agreementInput({
          companyName,
          regionCode: '410782',
          storeId: null,
          contractNo: `GAP-${i}`,
          lines: [{ itemId: QUILT, quantity: 1000, unitPrice: '158.00', responseHours: 4 }],
        }),
      );
      if (i === 0) await queryRows(t.database.db, sql`UPDATE agreement_lines SET quantity = 2147483647 WHERE agreement_id = ${id}::uuid`);
    }
    const res = await t.gql(`query { reserveGaps(regionCode: "410782") { item { id } quota gap } }`, {}, 'admin');
    expect(ok(res).reserveGaps).toEqual([{ item: { id: QUILT }, quota: 5, gap: 5 }]);
    // README Finance: a sum beyond an API Int is said as such, with its exact digits — never shown as the ceiling.
    const sum = await t.gql(`query { reserveGaps(regionCode: "410782") { agreementCommitted } }`, {}, 'admin');
    expect(sum.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_STATE', value: '2147484647' });
    expect(sum.errors![0].message).toMatch(/^协议承储数量为 2,147,484,647，超过接口能表示的最大整数 2,147,483,647/);
  });
});

describe('#4 D6: one company store’s goods are not committed by two agreements at once', () => {
  it('D6: an agreement for the same store and item over an overlapping period is refused, naming the other agreement', async () => {
    const firstId = await createAgreement(t, agreementInput({ contractNo: 'XY-OVL-001' }));
    const before = await agreementCount();
    const res = await agreementRaw(
      t,
      agreementInput({
        contractNo: 'XY-OVL-002',
        validFrom: '2026-06-01',
        validTo: '2027-06-01',
        lines: [
          { itemId: QUILT, quantity: 100, unitPrice: '158.00', responseHours: 6 },
          { itemId: COTTON_TENT, quantity: 500, unitPrice: '2180.00', responseHours: 8 },
        ],
      }),
    );
    expect(refusal(res)).toEqual(['BAD_USER_INPUT', 'input.lines.1.itemId']);
    expect(res.errors![0].extensions).toMatchObject({ agreementId: firstId, contractNo: 'XY-OVL-001' });
    expect(res.errors![0].message).toContain('XY-OVL-001');
    expect(await agreementCount()).toBe(before);
  });

  it('D6: the same company may commit other goods of the store, or the same goods in a following period', async () => {
    await createAgreement(
      t,
      agreementInput({ contractNo: 'XY-OVL-003', validFrom: '2026-06-01', lines: [{ itemId: QUILT, quantity: 100, unitPrice: '158.00', responseHours: 6 }] }),
    );
    await createAgreement(t, agreementInput({ contractNo: 'XY-OVL-004', validFrom: '2027-01-01', validTo: '2027-12-31' }));
  });
});

const createJoint = (input: Record<string, unknown>) =>
  t.gql(`mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`, { i: input }, 'admin');
const jointCount = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM joint_reserve_agreements`))[0].n);

describe('#13 D25: 联储 agreements of one pair of regions do not overlap', () => {
  it('D25: a duplicate, or an overlapping one between regions within the same pair, is refused naming the agreement in force', async () => {
    const base = { regionCodes: ['410700', '140500'], validFrom: '2026-01-01', validTo: '2027-12-31' };
    const first = ok(await createJoint(base)).createJointReserveAgreement;
    const before = await jointCount();
    for (const input of [
      base,
      { regionCodes: ['140500', '410700'], validFrom: '2027-06-01', validTo: '2028-06-01', lines: [{ itemId: COTTON_TENT, maxQuantity: 10 }] },
      { regionCodes: ['410781', '140500', '140800'], validFrom: '2026-03-01', validTo: '2026-04-01' }, // 卫辉市 lies within 新乡市
    ]) {
      const res = await createJoint(input);
      expect(refusal(res)).toEqual(['BAD_USER_INPUT', 'input.validFrom']);
      expect(res.errors![0].extensions).toMatchObject({ agreementId: first.id });
      isChinese(res);
    }
    expect(await jointCount()).toBe(before);
    // The following period, and another pair, are fine.
    ok(await createJoint({ ...base, validFrom: '2028-01-01', validTo: '2028-12-31' }));
    ok(await createJoint({ ...base, regionCodes: ['410700', '140800'] }));
  });

  it('a 联储 agreement naming an item twice is refused at the repeated line (input.lines.1.itemId), nothing created (sweep 13a LOW)', async () => {
    const before = await jointCount();
    const res = await createJoint({
      regionCodes: ['140500', '410781'],
      validFrom: '2030-01-01',
      validTo: '2030-12-31',
      lines: [
        { itemId: COTTON_TENT, maxQuantity: 10 },
        { itemId: COTTON_TENT, maxQuantity: 5 },
      ],
    });
    expect(refusal(res)).toEqual(['BAD_USER_INPUT', 'input.lines.1.itemId']);
    expect(res.errors![0].message).toContain('同一物资只能出现一次');
    expect(await jointCount()).toBe(before);
  });

  it('D25: agreements of one pair for different items may overlap; one for every item overlaps them all', async () => {
    const pair = { regionCodes: ['140500', '140800'], validFrom: '2026-01-01', validTo: '2026-12-31' };
    ok(await createJoint({ ...pair, lines: [{ itemId: COTTON_TENT, maxQuantity: 10 }] }));
    ok(await createJoint({ ...pair, lines: [{ itemId: QUILT, maxQuantity: 5 }] }));
    const tents = await createJoint({ ...pair, validFrom: '2026-12-01', lines: [{ itemId: COTTON_TENT, maxQuantity: 20 }] });
    expect(refusal(tents)).toEqual(['BAD_USER_INPUT', 'input.validFrom']);
    const all = await createJoint({ regionCodes: ['140800', '140500'], validFrom: '2026-12-01', validTo: '2027-01-31' });
    expect(refusal(all)).toEqual(['BAD_USER_INPUT', 'input.validFrom']);
  });
});

describe('D5, D31: an item’s unit stays while anything counts the item in it (sweep 12c C12)', () => {
  it('a quota, then an agreement, keep the unit (INVALID_STATE at input.unit, naming what counts in it); an item nothing counts yet changes freely', async () => {
    const free = ok(await createItem(itemInput('T-UNIT-1', { unit: '台' }))).createItem;
    expect(ok(await updateItem(free.id, { unit: '套' })).updateItem.id).toBe(free.id);

    const pump = ok(await createItem(itemInput('T-UNIT-2', { unit: '台' }))).createItem;
    ok(await t.gql(`mutation($i: QuotaInput!) { upsertQuota(input: $i) { id } }`, { i: { regionCode: '410781', itemId: pump.id, quantity: 20 } }, 'admin'));
    const byQuota = await updateItem(pump.id, { unit: '千克' });
    expect(refusal(byQuota)).toEqual(['INVALID_STATE', 'input.unit']);
    expect(byQuota.errors?.[0].message).toContain('储备定额以「台」计');

    const tent = ok(await createItem(itemInput('T-UNIT-3', { unit: '顶' }))).createItem;
    await createAgreement(t, {
      mode: 'AGREEMENT',
      companyName: '卫辉市测试商贸有限公司',
      regionCode: '410781',
      validFrom: '2026-07-01',
      validTo: '2027-06-30',
      lines: [{ itemId: tent.id, quantity: 15, unitPrice: '8000.00', responseHours: 12 }],
    });
    const byAgreement = await updateItem(tent.id, { unit: '千克' });
    expect(refusal(byAgreement)).toEqual(['INVALID_STATE', 'input.unit']);
    expect(byAgreement.errors?.[0].message).toContain('协议储备以「顶」计');
    const [row] = await queryRows<{ unit: string }>(t.database.db, sql`SELECT unit FROM items WHERE id = ${tent.id}::uuid`);
    expect(row.unit).toBe('顶');
    // Other fields still change.
    expect(ok(await updateItem(tent.id, { name: '测试物资 T-UNIT-3（改）' })).updateItem.id).toBe(tent.id);
  });
});
