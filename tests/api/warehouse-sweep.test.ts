import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { approvedOrder, decideRaw, requestOrderRaw } from '../support/authority.ts';
import { JINCHENG, key, QUILT, receive, SANDBAG, TANGZHUANG, WEIHUI } from '../support/ledger.ts';

// Warehouse findings W1–W3, W5 (docs: /work/notes/findings-warehouse.md).

const SHIP = `mutation($input: ShipTransferInput!) { shipTransfer(input: $input) { id status } }`;
const ISSUE = `mutation($input: IssueStockInput!) { issueStock(input: $input) { id number occurredAt } }`;
const RECEIVE = `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id number status lines { value } } }`;
const REVERSE = `mutation($id: ID!, $k: String!) { reverseDocument(documentId: $id, reason: "测试大额", idempotencyKey: $k) { id status } }`;

describe('warehouse sweep', () => {
  const t = useTestApp();

  it('W1 D13/D25: a keeper cannot order a transfer to a store transferDestinations does not list', async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 5, unitPrice: '10.00' }]);
    const batchId = doc.lines[0].batch.id;
    const res = await requestOrderRaw(t, 'keeper', { storeId: WEIHUI, purpose: 'TRANSFER', toStoreId: JINCHENG, lines: [{ itemId: QUILT, quantity: 1 }] });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.toStoreId' });
    expect(res.errors?.[0].message).toContain('不在');
    // A listed destination of the city still works.
    const ok = await approvedOrder(t, 'keeper', { storeId: WEIHUI, purpose: 'TRANSFER', toStoreId: TANGZHUANG, lines: [{ itemId: QUILT, quantity: 1 }] });
    expect(ok.errors).toBeUndefined();
    // The dispatcher's scope is 新乡市: 晋城's store is outside it; the unscoped administrator's scope covers it.
    const director = await requestOrderRaw(t, 'director', {
      storeId: WEIHUI,
      purpose: 'TRANSFER',
      toStoreId: JINCHENG,
      lines: [{ itemId: QUILT, quantity: 1 }],
    });
    expect(director.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.toStoreId' });
    const admin = await approvedOrder(t, 'admin', { storeId: WEIHUI, purpose: 'TRANSFER', toStoreId: JINCHENG, lines: [{ itemId: QUILT, quantity: 1 }] });
    expect(admin.errors).toBeUndefined();
    // The destination is checked when the order is requested: the keeper executes the approved order as it stands.
    const ship = await t.gql(
      SHIP,
      {
        input: {
          fromStoreId: WEIHUI,
          toStoreId: JINCHENG,
          orderId: admin.data.order.id,
          idempotencyKey: key(),
          lines: [{ itemId: QUILT, batchId, quantity: 1 }],
        },
      },
      'keeper',
    );
    expect(ship.errors, JSON.stringify(ship.errors)).toBeUndefined();
  });

  it('W2 D22/D27: a receipt over 10^14 yuan is refused on its line; one just below posts and can be reversed and approved', async () => {
    const big = await t.gql(
      RECEIVE,
      {
        input: {
          storeId: WEIHUI,
          source: 'PURCHASE',
          contractNo: 'HT-big',
          idempotencyKey: key(),
          lines: [{ itemId: SANDBAG, quantity: 100000000, unitPrice: '999999999999.99' }],
        },
      },
      'keeper',
    );
    expect(big.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lines.0.unitPrice' });
    const max = await t.gql(
      RECEIVE,
      {
        input: {
          storeId: WEIHUI,
          source: 'PURCHASE',
          contractNo: 'HT-max',
          idempotencyKey: key(),
          lines: [{ itemId: SANDBAG, quantity: 99999, unitPrice: '999999999.99' }],
        },
      },
      'keeper',
    );
    expect(max.errors, JSON.stringify(max.errors)).toBeUndefined();
    expect(max.data.receiveStock.lines[0].value).toBe('99998999999000.01');
    const rev = await t.gql(REVERSE, { id: max.data.receiveStock.id, k: key() }, 'keeper');
    expect(rev.errors, JSON.stringify(rev.errors)).toBeUndefined();
    const approvals = await t.gql(
      `query { approvals(filter: { status: PENDING, kind: REVERSAL }, first: 500) { edges { node { id value subjectId } } } }`,
      {},
      'admin',
    );
    const approval = approvals.data.approvals.edges.map((e: any) => e.node).find((a: any) => a.value === '99998999999000.01');
    expect(approval).toBeTruthy();
    const decided = await decideRaw(t, 'director', approval.id, 'APPROVE');
    expect(decided.errors, JSON.stringify(decided.errors)).toBeUndefined();
  });

  it('W3 D23/D7: an issue is not dated before its order was approved (China time in the message)', async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 5, unitPrice: '10.00' }], { occurredAt: '2026-06-01T09:00:00+08:00' });
    const batchId = doc.lines[0].batch.id;
    const order = await approvedOrder(t, 'keeper', {
      storeId: WEIHUI,
      purpose: 'RELIEF',
      recipient: '唐庄镇',
      lines: [{ itemId: QUILT, batchId, quantity: 2 }],
    });
    const input = { storeId: WEIHUI, orderId: order.data.order.id, reason: 'RELIEF', recipient: '唐庄镇', lines: [{ itemId: QUILT, batchId, quantity: 1 }] };
    const early = await t.gql(ISSUE, { input: { ...input, idempotencyKey: key(), occurredAt: '2026-06-02T10:00:00+08:00' } }, 'keeper');
    expect(early.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.occurredAt' });
    expect(early.errors?.[0].message).toContain('2026-07-20 10:00（北京时间）');
    const now = await t.gql(ISSUE, { input: { ...input, idempotencyKey: key() } }, 'keeper');
    expect(now.errors, JSON.stringify(now.errors)).toBeUndefined();
  });

  it('W3: a transfer shipment is not dated before its order was approved either', async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 5, unitPrice: '10.00' }], { occurredAt: '2026-06-01T09:00:00+08:00' });
    const batchId = doc.lines[0].batch.id;
    const order = await approvedOrder(t, 'keeper', { storeId: WEIHUI, purpose: 'TRANSFER', toStoreId: TANGZHUANG, lines: [{ itemId: QUILT, quantity: 1 }] });
    const ship = await t.gql(
      SHIP,
      {
        input: {
          fromStoreId: WEIHUI,
          toStoreId: TANGZHUANG,
          orderId: order.data.order.id,
          occurredAt: '2026-06-02T10:00:00+08:00',
          idempotencyKey: key(),
          lines: [{ itemId: QUILT, batchId, quantity: 1 }],
        },
      },
      'keeper',
    );
    expect(ship.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.occurredAt' });
  });

  it('W5: a computed expiry already past names productionDate; a requisition without source is not labelled 捐赠方', async () => {
    const res = await t.gql(
      RECEIVE,
      { input: { storeId: WEIHUI, source: 'DONATION', idempotencyKey: key(), lines: [{ itemId: QUILT, quantity: 1, productionDate: '2015-01-01' }] } },
      'keeper',
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lines.0.productionDate' });
    const req = await t.gql(
      RECEIVE,
      { input: { storeId: WEIHUI, source: 'REQUISITION', idempotencyKey: key(), lines: [{ itemId: QUILT, quantity: 1 }] } },
      'keeper',
    );
    expect(req.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.sourceName' });
    expect(req.errors?.[0].message).not.toContain('捐赠方');
  });
});
