import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, QUILT, receive, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { ok, shipRaw } from '../support/ledger-ops.ts';
import { fen, valuationOf, yuan, type Dimension } from '../support/finance.ts';
import { storeId } from '../../seeds/demo.ts';

// D21: the groups of a valuation add up to its total, in-transit stock a group of its own (在途).
// D31: history does not change — a store with ledger history keeps its region; past valuations stay as they were.

const PAST = '2026-07-10T12:00:00+08:00';
const UPDATE = `mutation($id: ID!, $input: UpdateStoreInput!) { updateStore(id: $id, input: $input) { id name region { code } } }`;

describe('D21, D31: valuation groups add up, and history does not change', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  beforeAll(async () => {
    await receive(t, 'admin', TANGZHUANG, [{ itemId: QUILT, quantity: 100, batchNo: 'HIS-JS-MB', expiryDate: '2031-01-01', unitPrice: '150.00' }], {
      occurredAt: '2026-07-01T09:00:00+08:00',
    });
    await receive(t, 'admin', WEIHUI, [{ itemId: COTTON_TENT, quantity: 60, batchNo: 'HIS-WH-ZP', expiryDate: '2032-01-01', unitPrice: '2000.00' }], {
      occurredAt: '2026-07-02T09:00:00+08:00',
    });
    // 20 tents on their way from 卫辉 to 汲水镇 (120,000 of the 卫辉 stores' value is in no store's 在库).
    ok(
      await shipRaw(t, 'admin', {
        fromStoreId: WEIHUI,
        toStoreId: TANGZHUANG,
        occurredAt: '2026-07-03T09:00:00+08:00',
        lines: [{ itemId: COTTON_TENT, quantity: 20 }],
      }),
    );
  });

  it.each<Dimension[]>([['STORE'], ['REGION'], ['CATEGORY'], ['FUNDING_SOURCE'], ['STORE', 'ITEM']])(
    'D21: by %s the groups add up to the total, in transit as 在途',
    async (...groupBy) => {
      const v = await valuationOf(t, 'auditor', { regionCode: '410781', groupBy, asOf: PAST });
      expect(v.total).toBe('135000.00'); // 100 × 150 + 60 × 2000
      expect(yuan(v.groups.reduce((s, g) => s + fen(g.value), 0n))).toBe(v.total);
      expect(v.groups.reduce((s, g) => s + g.quantity, 0)).toBe(160);
      expect(v.groups.find((g) => g.key.every((k) => k === '在途'))).toMatchObject({ key: groupBy.map(() => '在途'), quantity: 20, value: '40000.00' });
    },
  );

  it('D31: a store with ledger history keeps its region (INVALID_STATE); other edits pass; the past valuation by region is unchanged', async () => {
    const before = await valuationOf(t, 'auditor', { regionCode: '410700', groupBy: ['REGION'], asOf: PAST });
    const moved = await t.gql(UPDATE, { id: TANGZHUANG, input: { regionCode: '410782' } }, 'admin');
    expect(errorCode(moved)).toBe('INVALID_STATE');
    expect(moved.errors![0].extensions).toMatchObject({ field: 'input.regionCode', regionCode: '410781100000' });
    expect(moved.errors![0].message).toContain('区划');
    ok(await t.gql(UPDATE, { id: TANGZHUANG, input: { name: '卫辉市汲水镇应急物资储备点（新址）', regionCode: '410781100000' } }, 'admin'));
    const after = await valuationOf(t, 'auditor', { regionCode: '410700', groupBy: ['REGION'], asOf: PAST });
    expect(after).toEqual(before);
    expect(before.groups.find((g) => g.key[0] === '410781000000')).toMatchObject({ quantity: 140, value: '95000.00' });
  });

  it('D3: government stock at a 街道 store is owned by its 街道办事处 (a 街道 has no 人民政府)', async () => {
    const doc = await receive(t, 'admin', storeId('S-222404060-01'), [{ itemId: QUILT, quantity: 5, batchNo: 'HIS-JH-MB', expiryDate: '2031-01-01' }]);
    const res = ok(
      await t.gql(
        `query($f: StockFilter!) { stock(filter: $f) { edges { node { batch { id owner { name } } } } } }`,
        { f: { storeId: storeId('S-222404060-01') } },
        'admin',
      ),
    );
    const line = res.stock.edges.map((e: any) => e.node).find((n: any) => n.batch.id === doc.lines[0].batch.id);
    expect(line.batch.owner.name).toBe('近海街道办事处');
  });
});
