import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp, type GqlResult } from '../support/harness.ts';
import { receive, SANDBAG, WEIHUI } from '../support/ledger.ts';

// D21, D20, D10 (sweeps 14b F1, 15a F10): a figure summed over many batches or stores may pass what an API Int carries
// (2,147,483,647) although every balance is below it. The request is fine: the answer says which figure cannot be
// told and how large it is — INVALID_STATE, never BAD_USER_INPUT, never the database's SQLSTATE — and what it can
// answer (the value, a Money) it still answers. The state is built through the API: 22 receipts of 100,000,000 編织袋
// at 0.01, 21 into one batch (2,100,000,000, below the balance's limit) and one into another, in 卫辉市.

const INT_MAX = 2_147_483_647;

const expectBeyondInt = (res: GqlResult, path: (string | number)[]) => {
  expect(res.errors, JSON.stringify(res.errors)).toHaveLength(1);
  const [e] = res.errors!;
  expect(e.extensions.code).toBe('INVALID_STATE');
  expect(e.path).toEqual(path);
  expect(e.message).toMatch(/超过接口能表示的最大整数 2,147,483,647/);
  // The exact figure (with the demo stock of 编织袋 already there): in the message and, as digits, in `value`.
  expect(e.extensions.value).toMatch(/^\d+$/);
  expect(Number(e.extensions.value)).toBeGreaterThanOrEqual(2_200_000_000);
  expect(e.message).toContain(Number(e.extensions.value).toLocaleString('en-US'));
  expect(e.extensions.limit).toBe(INT_MAX);
  expect(e.extensions.sqlState).toBeUndefined();
};

describe('sums beyond an API Int (D21, D20, D10)', () => {
  const t = useTestApp();

  beforeAll(async () => {
    // D20: 新乡 and 晋城 are 联储 partners, so 晋城's dispatcher reads 卫辉's available stock.
    const created = await t.gql(
      `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
      { i: { regionCodes: ['410700', '140500'], validFrom: '2026-01-01', validTo: '2027-12-31', note: '豫晋联储' } },
      'admin',
    );
    expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
    const line = (batchNo: string) => ({ itemId: SANDBAG, quantity: 100_000_000, batchNo, unitPrice: '0.01', expiryDate: '2027-06-30' });
    for (let n = 0; n < 21; n++) await receive(t, 'admin', WEIHUI, [line('BZD-BIG-1')]);
    await receive(t, 'admin', WEIHUI, [line('BZD-BIG-2')]);
  });

  it('D21: valuation by item answers the value, and the quantity as INVALID_STATE saying how large, not BAD_USER_INPUT', async () => {
    const value = await t.gql(`{ valuation(regionCode: "410781", groupBy: [ITEM]) { total groups { key value } } }`, {}, 'auditor');
    expect(value.errors, JSON.stringify(value.errors)).toBeUndefined();
    const bags = value.data.valuation.groups.find((g: { key: string[] }) => g.key[0] === SANDBAG);
    expect(Number(bags.value)).toBeGreaterThanOrEqual(22_000_000);

    const res = await t.gql(`{ valuation(regionCode: "410781", groupBy: [ITEM]) { total groups { key quantity value } } }`, {}, 'auditor');
    const at = value.data.valuation.groups.findIndex((g: { key: string[] }) => g.key[0] === SANDBAG);
    expectBeyondInt(res, ['valuation', 'groups', at, 'quantity']);
    expect(res.errors![0].message).toMatch(/^数量为.*或用导出报表查看完整数字$/);
  });

  it('D21: the same with variables (compiled execution) and as of a past instant', async () => {
    const res = await t.gql(
      `query($r: String, $a: DateTime) { valuation(regionCode: $r, asOf: $a, groupBy: [REGION]) { groups { key quantity } } }`,
      { r: '410700', a: '2026-07-20T10:00:00+08:00' },
      'auditor',
    );
    expect(res.errors?.[0]?.extensions.code).toBe('INVALID_STATE');
    expect(res.errors?.[0]?.extensions.sqlState).toBeUndefined();
  });

  it('D20: a partner’s dispatcher reads neighbourStock beyond Int as INVALID_STATE, with no SQLSTATE', async () => {
    const stores = await t.gql(`query($i: ID!) { neighbourStock(itemId: $i) { store { id } } }`, { i: SANDBAG }, 'jincheng');
    expect(stores.errors, JSON.stringify(stores.errors)).toBeUndefined();
    const at = stores.data.neighbourStock.findIndex((l: { store: { id: string } }) => l.store.id === WEIHUI);
    expect(at).toBeGreaterThanOrEqual(0);
    const res = await t.gql(`query($i: ID!) { neighbourStock(itemId: $i) { store { id } available } }`, { i: SANDBAG }, 'jincheng');
    expectBeyondInt(res, ['neighbourStock', at, 'available']);
    expect(res.errors![0].message).toMatch(/^可用数量为/);
    expect(res.errors![0].message).not.toMatch(/导出/); // no export lists a partner's stock
  });

  it('D10: rotationPlan’s quarter total beyond Int is INVALID_STATE; its lines and value are answered', async () => {
    const lines = await t.gql(`{ rotationPlan(regionCode: "410781") { period value lines { quantity } } }`, {}, 'auditor');
    expect(lines.errors, JSON.stringify(lines.errors)).toBeUndefined();
    const res = await t.gql(`{ rotationPlan(regionCode: "410781") { period quantity } }`, {}, 'auditor');
    expect(res.errors?.[0]?.extensions.code).toBe('INVALID_STATE');
    expect(res.errors?.[0]?.message).toMatch(/^数量为 2,\d{3},\d{3},\d{3}，超过/);
  });
});
