import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';

// Sweep 12c C4, D10, D31: editing an item's storage life (储存年限) or rotation lead re-dated the rotation of stock
// already received — a batch labelled 有效期至 2029 became due in 2027 — while the batch kept its printed expiry. A batch
// keeps the storage terms it was received under; a new storage life applies to later receipts. Today is 2026-07-20.

const t = useTestApp();

const BATCH = 'batchNo productionDate expiryDate rotateBy';
const createItem = async (input: Record<string, unknown>): Promise<string> =>
  ok(await t.gql(`mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`, { input }, 'admin')).createItem.id;
const updateItem = (id: string, input: Record<string, unknown>) =>
  t.gql(
    `mutation($id: ID!, $input: UpdateItemInput!) { updateItem(id: $id, input: $input) { id storageLifeMonths rotationLeadMonths } }`,
    { id, input },
    'admin',
  );
const batchesOf = async (itemId: string) =>
  (
    ok(await t.gql(`query($i: ID!) { stock(filter: { itemId: $i }, first: 50) { edges { node { batch { ${BATCH} } } } } }`, { i: itemId }, 'admin')).stock
      .edges as any[]
  )
    .map((e) => e.node.batch)
    .sort((a, b) => a.batchNo.localeCompare(b.batchNo));
/** The same batches as the store's own stock list shows them (Store.stock reads its batches in one statement of its own). */
const storeBatchesOf = async (itemId: string) =>
  (
    ok(
      await t.gql(
        `query($s: ID!, $i: ID!) { store(id: $s) { stock(itemId: $i) { edges { node { batch { ${BATCH} } } } } } }`,
        { s: WEIHUI, i: itemId },
        'admin',
      ),
    ).store.stock.edges as any[]
  )
    .map((e) => e.node.batch)
    .sort((a, b) => a.batchNo.localeCompare(b.batchNo));
const due = async (batchPrefix: string, withinMonths: number) =>
  (
    ok(await t.gql(`query($w: Int) { rotationDue(regionCode: "410781", withinMonths: $w) { batch { batchNo } rotateBy } }`, { w: withinMonths }, 'admin'))
      .rotationDue as any[]
  )
    .filter((l) => l.batch.batchNo.startsWith(batchPrefix))
    .map((l) => [l.batch.batchNo, l.rotateBy]);

describe('D10, D31 (sweep 12c C4): a batch keeps the storage life and rotation lead it was received under', () => {
  it('D10, D31: a shorter storage life and lead after receipt leave the received batch’s expiry and rotate-by date as they were; the next receipt takes the new ones', async () => {
    const item = await createItem({ categoryCode: 'FLOOD', code: 'T-C4-BZD', name: '测试编织袋 C4', unit: '条', storageLifeMonths: 36, rotationLeadMonths: 6 });
    // No expiry on the label: computed from the production date + 36 months; due 6 months before.
    await receive(t, 'admin', WEIHUI, [{ itemId: item, quantity: 1000, batchNo: 'C4-OLD', productionDate: '2026-06-01', unitPrice: '0.85' }]);
    expect(await batchesOf(item)).toEqual([{ batchNo: 'C4-OLD', productionDate: '2026-06-01', expiryDate: '2029-06-01', rotateBy: '2028-12-01' }]);

    expect(ok(await updateItem(item, { storageLifeMonths: 12, rotationLeadMonths: 1 })).updateItem).toMatchObject({
      storageLifeMonths: 12,
      rotationLeadMonths: 1,
    });
    // Before: rotateBy 2027-05-01 (2026-06-01 + 12 months − 1), against a label reading 有效期至 2029-06-01.
    await receive(t, 'admin', WEIHUI, [{ itemId: item, quantity: 10, batchNo: 'C4-NEW', productionDate: '2026-07-01', unitPrice: '0.85' }]);
    const both = [
      { batchNo: 'C4-NEW', productionDate: '2026-07-01', expiryDate: '2027-07-01', rotateBy: '2027-06-01' },
      { batchNo: 'C4-OLD', productionDate: '2026-06-01', expiryDate: '2029-06-01', rotateBy: '2028-12-01' },
    ];
    expect(await batchesOf(item)).toEqual(both);
    expect(await storeBatchesOf(item)).toEqual(both);
  });

  it('D10, D31: rotationDue reads the batch’s own terms — a catalog edit moves no received batch into (or out of) the county’s rotation list', async () => {
    const item = await createItem({ categoryCode: 'LIVING', code: 'T-C4-ZP', name: '测试棉帐篷 C4', unit: '顶', storageLifeMonths: 60, rotationLeadMonths: 6 });
    // A label promising more than the storage life: rotation follows the life (2026-03-01 + 60 months − 6 = 2030-09-01).
    await receive(t, 'admin', WEIHUI, [
      { itemId: item, quantity: 5, batchNo: 'C4-DUE-A', productionDate: '2026-03-01', expiryDate: '2032-03-01', unitPrice: '3850.00' },
    ]);
    expect(await due('C4-DUE-', 60)).toEqual([['C4-DUE-A', '2030-09-01']]);
    ok(await updateItem(item, { storageLifeMonths: 12, rotationLeadMonths: 3 }));
    // Before: due 2026-12-01 (2026-03-01 + 12 − 3), in this year's list.
    expect(await due('C4-DUE-', 12)).toEqual([]);
    expect(await due('C4-DUE-', 60)).toEqual([['C4-DUE-A', '2030-09-01']]);
    // And back the other way: a longer life given later does not push a received batch's rotation out.
    await receive(t, 'admin', WEIHUI, [{ itemId: item, quantity: 5, batchNo: 'C4-DUE-B', productionDate: '2026-07-01', unitPrice: '3850.00' }]);
    ok(await updateItem(item, { storageLifeMonths: 120, rotationLeadMonths: 12 }));
    expect(await due('C4-DUE-', 12)).toEqual([['C4-DUE-B', '2027-04-01']]);
  });
});
