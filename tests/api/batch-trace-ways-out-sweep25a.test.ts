import { describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp, type TestApp } from '../support/harness.ts';
import { key, receive, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { issueRaw, ok, receiveTransferRaw, scrapRaw, shipRaw } from '../support/ledger-ops.ts';
import { approveWriteOffs, withOrder } from '../support/authority.ts';

// Sweep 25a F2 (D10, D11, D18 全程追溯, D27): batchTrace.issuedQuantity counted ISSUE documents only — a batch rotated out
// in full read 入库 400 / 出库（含发放）0 / 现存 无 in the console's 批次追溯 while its recipients listed the 400 sold. It
// counts every way the batch left the books, once: issues, rotation out, scrap and write-off (a loss in transit
// included), net of reversals — so that receivedQuantity = holdings + issuedQuantity (no stocktake here, all in scope).

const LIFE_JACKET = itemId('FLD-009'); // 救生衣
const TRACE = `query($b: ID!) { batchTrace(batchId: $b) { receivedQuantity issuedQuantity holdings { onHand inTransit } recipients { recipient quantity } } }`;

/** D10: the batch leaves against an approved rotation order, a new batch comes in (as reserves-rotation.test.ts rotates). */
const rotate = (t: TestApp, batchId: string, quantity: number, counterpart: string, batchNo: string) =>
  withOrder(
    t,
    'keeper',
    { storeId: WEIHUI, lines: [{ itemId: LIFE_JACKET, batchId, quantity }] },
    { storeId: WEIHUI, purpose: 'ROTATION_SALE', recipient: counterpart },
    ({ orderId }) =>
      t.gql(
        `mutation($input: RotateStockInput!) { rotateStock(input: $input) { id number } }`,
        {
          input: {
            idempotencyKey: key(),
            orderId,
            storeId: WEIHUI,
            batchId,
            quantity,
            disposal: 'SALE',
            counterpart,
            newBatch: { batchNo, productionDate: '2026-07-01', expiryDate: '2034-07-01', unitPrice: '130.00' },
          },
        },
        'keeper',
      ),
  );

const trace = async (t: TestApp, batchId: string, as = 'admin') => ok(await t.gql(TRACE, { b: batchId }, as)).batchTrace;
const held = (x: any) => x.holdings.reduce((s: number, h: any) => s + h.onHand + h.inTransit, 0);

describe('sweep 25a F2 (D18): batchTrace.issuedQuantity counts every way out — rotation and scrap too', () => {
  const t = useTestApp({ checkLedger: true });

  it('D10, D18: a batch rotated out in full — received 400, issued 400, held nothing; the recipient has the 400', async () => {
    const batchId = (await receive(t, 'keeper', WEIHUI, [{ itemId: LIFE_JACKET, quantity: 400, batchNo: 'S25A-F2-ALL', expiryDate: '2027-04-09' }])).lines[0]
      .batch.id;
    ok(await rotate(t, batchId, 400, '卫辉市民政惠民超市', 'S25A-F2-ALL-NEW'));
    const x = await trace(t, batchId, 'keeper');
    expect(x).toMatchObject({ receivedQuantity: 400, issuedQuantity: 400, holdings: [], recipients: [{ recipient: '卫辉市民政惠民超市', quantity: 400 }] });
  });

  it('D10, D11, D27: issued, rotated out, scrapped and lost in transit — each counted once; received = held + issued', async () => {
    const batchId = (await receive(t, 'keeper', WEIHUI, [{ itemId: LIFE_JACKET, quantity: 100, batchNo: 'S25A-F2-MIX', expiryDate: '2027-05-01' }])).lines[0]
      .batch.id;
    ok(await issueRaw(t, 'keeper', { storeId: WEIHUI, recipient: '唐庄镇安置点', reason: 'RELIEF', lines: [{ itemId: LIFE_JACKET, quantity: 10, batchId }] }));
    ok(await rotate(t, batchId, 50, '卫辉市红十字会', 'S25A-F2-MIX-NEW'));
    ok(await scrapRaw(t, 'keeper', { storeId: WEIHUI, approvalRef: '卫应急〔2026〕25号 鉴定意见', reason: 'DAMAGED', lines: [{ batchId, quantity: 5 }] }));
    // 20 shipped to the township store, 18 received: 2 lost on the road and written off on approval (D27).
    const shipped = ok(
      await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, lines: [{ itemId: LIFE_JACKET, batchId, quantity: 20 }] }),
    ).shipTransfer;
    ok(
      await receiveTransferRaw(t, 'dispatcher', {
        transferId: shipped.id,
        idempotencyKey: key(),
        lines: [{ batchId, quantity: 18, discrepancyReason: 'TRANSIT_LOSS' }],
      }),
    );
    await approveWriteOffs(t, 'dispatcher', shipped.id);

    const x = await trace(t, batchId);
    expect(x.receivedQuantity).toBe(100);
    expect(x.issuedQuantity).toBe(10 + 50 + 5 + 2);
    expect(held(x)).toBe(100 - 67); // 15 at 卫辉市, 18 at 唐庄镇
    expect(x.receivedQuantity).toBe(held(x) + x.issuedQuantity);
    // The recipients are those the batch reached (an issue, a rotation): what was scrapped or lost reached no one.
    expect(x.recipients).toEqual([
      { recipient: '唐庄镇安置点', quantity: 10 },
      { recipient: '卫辉市红十字会', quantity: 50 },
    ]);
  });
});
