import { afterEach, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { DOC_FIELDS, expectLedgerConsistent, key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts, ok, purchase, receiveRaw } from '../support/ledger-ops.ts';
import { withOrder } from '../support/authority.ts';

// D10 (with D7, D26): a batch comes up for rotation a lead time before the end of its storage life — its expiry, or
// its production date + the item's 储存年限 where that comes first. A label may promise more than the reserve keeps
// (棉被 made 2026-06-01 "expiring" 2199-12-31): the expiry is recorded as given, but rotation follows the storage life,
// in Batch.rotateBy and in rotationDue alike. An expiry before production stays refused on every path that makes a
// batch (one rule, server/inventory/expiry.ts). Today is 2026-07-20 (the test clock); 棉被 keeps 72 months, lead 12.

const FOLDING_TABLE = itemId('LIV-011'); // 折叠桌椅: no storage life
const BATCH_FIELDS = `id number lines { batch { id batchNo productionDate expiryDate rotateBy } }`;

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const receiveBatch = async (line: Record<string, unknown>) =>
  ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ quantity: 2, ...line }]), BATCH_FIELDS)).receiveStock.lines[0].batch;
const dueWithin = async (months: number) =>
  ok(await t.gql(`query($m: Int) { rotationDue(regionCode: "410781", withinMonths: $m) { batch { batchNo } rotateBy } }`, { m: months }, 'dispatcher'))
    .rotationDue;

describe('rotation follows the storage life (D10)', () => {
  it('D10: a label’s expiry far past production date + storage life is kept, but the batch rotates by the storage life', async () => {
    const batch = await receiveBatch({ itemId: QUILT, batchNo: 'FAR-1', productionDate: '2026-06-01', expiryDate: '2199-12-31' });
    expect(batch).toMatchObject({ expiryDate: '2199-12-31', rotateBy: '2031-06-01' });
    expect(await dueWithin(60)).toContainEqual({ batch: { batchNo: 'FAR-1' }, rotateBy: '2031-06-01' });
    expect((await dueWithin(58)).map((l: any) => l.batch.batchNo)).not.toContain('FAR-1');
  });

  it('D10: a label’s expiry sooner than the storage life comes first', async () => {
    const batch = await receiveBatch({ itemId: QUILT, batchNo: 'SOON-1', productionDate: '2026-06-01', expiryDate: '2029-03-01' });
    expect(batch).toMatchObject({ expiryDate: '2029-03-01', rotateBy: '2028-03-01' });
    expect(await dueWithin(20)).toContainEqual({ batch: { batchNo: 'SOON-1' }, rotateBy: '2028-03-01' });
  });

  it('D10: without a production date the expiry alone decides; without a storage life the item has no other limit', async () => {
    const label = await receiveBatch({ itemId: QUILT, batchNo: 'NOPROD-1', expiryDate: '2034-01-01' });
    expect(label).toMatchObject({ productionDate: null, expiryDate: '2034-01-01', rotateBy: '2033-01-01' });
    const computed = await receiveBatch({ itemId: QUILT, batchNo: 'NOPROD-2' });
    expect(computed).toMatchObject({ expiryDate: '2032-07-20', rotateBy: '2031-07-20' }); // receipt date + 72 months
    const equipment = await receiveBatch({ itemId: FOLDING_TABLE, batchNo: 'NOLIFE-1', productionDate: '2026-06-01', expiryDate: '2199-12-31' });
    expect(equipment.expiryDate).toBe('2199-12-31');
  });
});

describe('an expiry before production is refused on every path that makes a batch (D7)', () => {
  it('D7: receiveStock refuses it at the line’s expiry date; nothing is written', async () => {
    const before = await ledgerCounts(t);
    const res = await receiveRaw(
      t,
      'keeper',
      purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, batchNo: 'BEFORE-PROD', productionDate: '2026-06-01', expiryDate: '2026-05-01' }]),
      BATCH_FIELDS,
    );
    expect([errorCode(res), res.errors![0].extensions.field, res.errors![0].message]).toEqual([
      'BAD_USER_INPUT',
      'input.lines.0.expiryDate',
      '有效期 2026-05-01 早于生产日期 2026-06-01',
    ]);
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D7: a rotation’s new batch is refused at input.newBatch.expiryDate; nothing is written', async () => {
    const old = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'ROT-OLD', expiryDate: '2027-01-01' }]);
    const batchId = old.lines[0].batch.id as string;
    const rotate = (newBatch: Record<string, unknown>) =>
      withOrder(
        t,
        'keeper',
        { storeId: WEIHUI, lines: [{ itemId: QUILT, batchId, quantity: 4 }] },
        { storeId: WEIHUI, purpose: 'ROTATION_SALE', recipient: '卫辉市民政惠民超市' },
        ({ lines: _lines, ...i }) =>
          t.gql(
            `mutation($input: RotateStockInput!) { rotateStock(input: $input) { ${DOC_FIELDS} } }`,
            { input: { ...i, batchId, quantity: 4, disposal: 'SALE', counterpart: '卫辉市民政惠民超市', idempotencyKey: key(), newBatch } },
            'keeper',
          ),
      );
    const before = await ledgerCounts(t);
    const res = await rotate({ batchNo: 'ROT-NEW', productionDate: '2026-07-01', expiryDate: '2026-06-01' });
    expect([errorCode(res), res.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'input.newBatch.expiryDate']);
    expect(await ledgerCounts(t)).toEqual(before);
  });
});
