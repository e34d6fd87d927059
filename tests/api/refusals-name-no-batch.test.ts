import { beforeAll, describe, expect, it } from 'vitest';
import { userId } from '../../seeds/demo.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { DOC_FIELDS, JINCHENG, key, QUILT, receive, SANDBAG, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { withOrder } from '../support/authority.ts';

// D3 and API.md errors: a refusal says nothing of what lies outside the caller's scope. An order or a rotation that names
// another store's batch is refused at the batch, without its number, its item or whether a guess was right (an order
// naming it with the right item was even accepted); a regional administrator refused another region's user is not
// told the account name. And the 轮换单 says how the old stock left in Chinese (出售), not SALE.

const t = useTestApp();
let foreignBatch: string;

beforeAll(async () => {
  const doc = await receive(t, 'admin', XINXIANG, [{ itemId: QUILT, quantity: 20, batchNo: 'LEAK-XX-1', expiryDate: '2031-01-01' }]);
  foreignBatch = doc.lines[0].batch.id;
});

const requestOrder = (itemId: string) =>
  t.gql(
    `mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { id } }`,
    { i: { storeId: JINCHENG, purpose: 'ROTATION_SALE', recipient: '某单位', idempotencyKey: key(), lines: [{ itemId, batchId: foreignBatch, quantity: 1 }] } },
    'jincheng',
  );

describe('another store’s batch is not described (D3)', () => {
  it('D3: an order naming another region’s batch is refused at the batch, with the wrong item and with the right one; nothing names it', async () => {
    for (const itemId of [SANDBAG, QUILT]) {
      const res = await requestOrder(itemId);
      expect([errorCode(res), res.errors![0].extensions.field, res.errors![0].extensions.available]).toEqual([
        'INSUFFICIENT_STOCK',
        'input.lines.0.batchId',
        0,
      ]);
      expect(res.errors![0].message).toBe('库存不足：本库没有该批次的库存，请核对批次');
      expect(JSON.stringify(res)).not.toContain('LEAK-XX-1');
    }
  });

  it('D3: a rotation of another store’s batch is refused at input.batchId without its number', async () => {
    const res = await t.gql(
      `mutation($i: RotateStockInput!) { rotateStock(input: $i) { id } }`,
      {
        i: {
          storeId: WEIHUI,
          batchId: foreignBatch,
          quantity: 1,
          disposal: 'SALE',
          counterpart: '某超市',
          idempotencyKey: key(),
          newBatch: { batchNo: 'LEAK-XX-1' },
        },
      },
      'keeper',
    );
    expect([errorCode(res), res.errors![0].extensions.field]).toEqual(['INSUFFICIENT_STOCK', 'input.batchId']);
    expect(JSON.stringify(res)).not.toContain('LEAK-XX-1');
  });

  it('D3: a regional administrator refused another region’s user is not told the username', async () => {
    const created = await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username: 'wh-admin-leak', displayName: '卫辉管理员', password: TEST_PASSWORD, role: 'ADMIN', regionCode: '410781' } },
      'admin',
    );
    ok(created);
    const res = await t.gql(
      `mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }`,
      { id: userId('jincheng'), i: { displayName: '改名' } },
      'wh-admin-leak',
    );
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].message).not.toContain('jincheng');
  });
});

describe('the 轮换单 in Chinese (D10)', () => {
  it('D10: the rotation document’s outgoing line says 出售 and the counterpart', async () => {
    const old = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'NOTE-OLD', expiryDate: '2027-01-01' }]);
    const batchId = old.lines[0].batch.id as string;
    const res = await withOrder(
      t,
      'keeper',
      { storeId: WEIHUI, lines: [{ itemId: QUILT, batchId, quantity: 4 }] },
      { storeId: WEIHUI, purpose: 'ROTATION_SALE', recipient: '卫辉市民政惠民超市' },
      ({ lines: _lines, ...i }) =>
        t.gql(
          `mutation($input: RotateStockInput!) { rotateStock(input: $input) { ${DOC_FIELDS} lines { quantity note } } }`,
          {
            input: {
              ...i,
              batchId,
              quantity: 4,
              disposal: 'SALE',
              counterpart: '卫辉市民政惠民超市',
              idempotencyKey: key(),
              newBatch: { batchNo: 'NOTE-NEW' },
            },
          },
          'keeper',
        ),
    );
    const out = ok(res).rotateStock.lines.find((l: any) => l.quantity < 0);
    expect(out.note).toBe('出售：卫辉市民政惠民超市');
  });
});
