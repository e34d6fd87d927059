import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { DOC_FIELDS, expectLedgerConsistent, key, receive, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts, ok } from '../support/ledger-ops.ts';
import { approvedOrder } from '../support/authority.ts';

// D23: a document executed against an approved order takes no more than the order allows; a line beyond it is
// BAD_USER_INPUT naming THAT input line — even when named batches are picked before first-expiry lines, or a line is
// split across batches (server/authority/orders.ts orderConsumption) — and a rotation names its own quantity.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const CYLINDER = itemId('FIR-002'); // 空气呼吸器备用气瓶: no demo stock at 卫辉
const LAMP = itemId('FIR-006');

let cylinderSoon = '';
let cylinderLate = '';
let lampBatch = '';
beforeAll(async () => {
  const r = await receive(t, 'keeper', WEIHUI, [
    { itemId: CYLINDER, quantity: 6, batchNo: 'OV-QP-1', unitPrice: '800.00', expiryDate: '2029-01-01' },
    { itemId: CYLINDER, quantity: 20, batchNo: 'OV-QP-2', unitPrice: '800.00', expiryDate: '2031-01-01' },
    { itemId: LAMP, quantity: 30, batchNo: 'OV-ZMD-1', unitPrice: '150.00', expiryDate: '2031-01-01' },
  ]);
  cylinderSoon = r.lines[0].batch.id;
  cylinderLate = r.lines[1].batch.id;
  lampBatch = r.lines[2].batch.id;
});

const order = async (lines: Record<string, unknown>[], purpose = 'RELIEF') =>
  (await approvedOrder(t, 'keeper', { storeId: WEIHUI, purpose, recipient: '唐庄镇受灾群众', lines })).data.order.id as string;
const issueRaw = (orderId: string, lines: Record<string, unknown>[]) =>
  t.gql(
    `mutation($input: IssueStockInput!) { issueStock(input: $input) { ${DOC_FIELDS} } }`,
    { input: { storeId: WEIHUI, reason: 'RELIEF', orderId, idempotencyKey: key(), lines } },
    'keeper',
  );

describe('beyond the order: the refusal names the input line (D23)', () => {
  it('D23 (sweep 7b L11, 10a F6): an item the order does not name is told so — not “beyond what was approved” — at the line’s itemId', async () => {
    const orderId = await order([{ itemId: CYLINDER, quantity: 2 }]);
    const before = await ledgerCounts(t);
    const res = await issueRaw(orderId, [
      { itemId: CYLINDER, quantity: 1 },
      { itemId: LAMP, quantity: 1 },
    ]);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lines.1.itemId', remaining: 0, requested: 1 });
    expect(res.errors![0].message).toMatch(/^出库申请 SQ-\d{4}-\d+ 中没有该物资（批次）/);
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D23 (sweep 10a F6): another batch of an item the order names for one batch is refused at the line’s batchId', async () => {
    const orderId = await order([{ itemId: CYLINDER, batchId: cylinderSoon, quantity: 2 }]);
    const before = await ledgerCounts(t);
    const res = await issueRaw(orderId, [{ itemId: CYLINDER, batchId: cylinderLate, quantity: 1 }]);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lines.0.batchId' });
    expect(res.errors![0].message).toMatch(/中没有该物资（批次）/);
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D23: a named-batch second line beyond its order line is refused at input.lines.1.quantity, though named batches are picked first', async () => {
    const orderId = await order([
      { itemId: CYLINDER, quantity: 4 },
      { itemId: LAMP, batchId: lampBatch, quantity: 5 },
    ]);
    const before = await ledgerCounts(t);
    const res = await issueRaw(orderId, [
      { itemId: CYLINDER, quantity: 4 },
      { itemId: LAMP, batchId: lampBatch, quantity: 8 },
    ]);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.lines.1.quantity', remaining: 5, requested: 8 });
    expect(res.errors![0].message).toMatch(/尚可出库 5 套，本次需要 8 套/); // sweep 22c F6: with the item's unit
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D8, D23: a line split across two batches first-expiry-first is one request: input.lines.0.quantity, the line’s whole quantity and what the order allows', async () => {
    const orderId = await order([{ itemId: CYLINDER, quantity: 10 }]);
    // First expiry first: all 6 of OV-QP-1, then OV-QP-2 (the first test's issue was refused and took nothing).
    const res = await issueRaw(orderId, [{ itemId: CYLINDER, quantity: 12 }]);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.lines.0.quantity', remaining: 10, requested: 12 });
    const done = ok(await issueRaw(orderId, [{ itemId: CYLINDER, quantity: 10 }])).issueStock;
    expect(done.lines.map((l: any) => [l.batch.id === cylinderSoon, l.quantity])).toEqual([
      [true, -6],
      [false, -4],
    ]);
  });

  it('D10, D23: a rotation beyond its order is refused at input.quantity (rotateStock has no lines)', async () => {
    const orderId = await order([{ itemId: LAMP, batchId: lampBatch, quantity: 4 }], 'ROTATION_SALE');
    const res = await t.gql(
      `mutation($input: RotateStockInput!) { rotateStock(input: $input) { id } }`,
      {
        input: {
          storeId: WEIHUI,
          orderId,
          batchId: lampBatch,
          quantity: 6,
          disposal: 'SALE',
          counterpart: '唐庄镇受灾群众',
          idempotencyKey: key(),
          newBatch: { batchNo: 'OV-ZMD-2', expiryDate: '2032-01-01', unitPrice: '150.00' },
        },
      },
      'keeper',
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.quantity', remaining: 4, requested: 6 });
  });
});
