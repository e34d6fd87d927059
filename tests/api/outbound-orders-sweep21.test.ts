import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { decideRaw, requestOrderRaw } from '../support/authority.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { DOC_FIELDS, key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { expectRefusedUnchanged, lastAudit } from '../support/refusals.ts';

// Outbound orders (D23) after sweeps 21a and 21c:
// - F8 (21c): an execution may name one batch (or, naming none, one item) on several rows — they are counted against
//   the order together. Short of stock together, the refusal names every one of those rows with their sum, at the last
//   of them (it named row 1 with the sum: 「第 1 行批次可用 1293，需要 5001」 though row 1 asked for 1). A row keeps its
//   own number when an order's batches split another row before it. Sweep 22c F6: the refusal writes each quantity with
//   the item's unit, grouped (「合计需要 5,001 床，批次可用 1,300 床」); the extensions keep the bare numbers.
// - N1 (21a): a pending order may be withdrawn by whoever may close an approved one (closeOutboundOrder, whoever may
//   post at its store): CLOSED with the reason, its approval closed with it as a cancelled plan's is — the queue no
//   longer offers it, and a decision on it says it was withdrawn (D24).

const COAT = itemId('LIV-005'); // 棉大衣, 件

const t = useTestApp({ resetClock: true, checkLedger: true });

const order = async (lines: unknown[], purpose = 'RELIEF', as = 'keeper') =>
  ok(await requestOrderRaw(t, as, { storeId: WEIHUI, purpose, recipient: purpose === 'SCRAP' ? null : '唐庄镇安置点', lines })).requestOutboundOrder;
const approved = async (lines: unknown[], purpose = 'RELIEF') => {
  const o = await order(lines, purpose);
  ok(await decideRaw(t, 'director', o.approval.id, 'APPROVE'));
  return o;
};
const issueRaw = (orderId: string, lines: unknown[]) =>
  t.gql(
    `mutation($i: IssueStockInput!) { issueStock(input: $i) { ${DOC_FIELDS} } }`,
    { i: { storeId: WEIHUI, orderId, reason: 'RELIEF', idempotencyKey: key(), lines } },
    'keeper',
  );
const executed = async (orderId: string) =>
  (
    await queryRows<{ line_no: number; executed: number }>(
      t.database.db,
      sql`SELECT line_no, executed_quantity AS executed FROM outbound_order_lines WHERE order_id = ${orderId}::uuid ORDER BY line_no`,
    )
  ).map((l) => Number(l.executed));

describe('sweep 21c F8 (D23): rows of one batch over stock are named together, at the last of them', () => {
  let batch: string;
  let second: string;
  let coats: string;

  beforeAll(async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [
      { itemId: QUILT, quantity: 1300, batchNo: 'F8-MB-2030', expiryDate: '2030-01-01' },
      { itemId: QUILT, quantity: 20, batchNo: 'F8-MB-2031', expiryDate: '2031-01-01' },
      { itemId: COAT, quantity: 5, batchNo: 'F8-MDY', expiryDate: '2031-01-01' },
    ]);
    [batch, second, coats] = doc.lines.map((l: any) => l.batch.id);
  });

  it('issueStock: 1 and 5,000 of a batch of 1,300 → 「第 1、2 行（同一批次）合计需要 5,001 床」 at input.lines.1.quantity; nothing executed', async () => {
    const o = await approved([{ itemId: QUILT, batchId: batch, quantity: 1300 }]);
    await expectRefusedUnchanged(
      t,
      'issueStock',
      () =>
        issueRaw(o.id, [
          { itemId: QUILT, batchId: batch, quantity: 1 },
          { itemId: QUILT, batchId: batch, quantity: 5000 },
        ]),
      'INSUFFICIENT_STOCK',
      '库存不足：第 1、2 行（同一批次）合计需要 5,001 床，批次可用 1,300 床',
      { field: 'input.lines.1.quantity', batchId: batch, requested: 5001, available: 1300 },
    );
    expect(await executed(o.id)).toEqual([0]);
  });

  it('rows of one batch within stock are still allowed, summed against the order', async () => {
    const o = await approved([{ itemId: QUILT, batchId: batch, quantity: 10 }]);
    const doc = ok(
      await issueRaw(o.id, [
        { itemId: QUILT, batchId: batch, quantity: 4 },
        { itemId: QUILT, batchId: batch, quantity: 6 },
      ]),
    ).issueStock;
    expect(doc.lines.map((l: any) => l.quantity)).toEqual([-10]);
    expect(await executed(o.id)).toEqual([10]);
  });

  it('rows naming only the item, together over stock → 「（同一物资）合计」 with the store’s available, at the last row', async () => {
    const o = await approved([{ itemId: QUILT, quantity: 1000 }]);
    await expectRefusedUnchanged(
      t,
      'issueStock',
      () =>
        issueRaw(o.id, [
          { itemId: QUILT, quantity: 1 },
          { itemId: COAT, batchId: coats, quantity: 1 },
          { itemId: QUILT, quantity: 5000 },
        ]),
      'INSUFFICIENT_STOCK',
      '库存不足：第 1、3 行（同一物资）合计需要 5,001 床，可用 1,310 床',
      { field: 'input.lines.2.quantity', itemId: QUILT, requested: 5001, available: 1310 },
    );
  });

  it('a row keeps its number when the order’s batches split a row before it (the refusal named 第 3 行, input.lines.2)', async () => {
    // The order names two batches of 棉被: a row of 棉被 naming none is taken from both — two picks for one row.
    const o = await approved([
      { itemId: QUILT, batchId: batch, quantity: 10 },
      { itemId: QUILT, batchId: second, quantity: 10 },
      { itemId: COAT, batchId: coats, quantity: 5 },
    ]);
    await expectRefusedUnchanged(
      t,
      'issueStock',
      () =>
        issueRaw(o.id, [
          { itemId: QUILT, quantity: 15 },
          { itemId: COAT, batchId: coats, quantity: 6 },
        ]),
      'INSUFFICIENT_STOCK',
      '库存不足：第 2 行批次可用 5 件，需要 6 件',
      { field: 'input.lines.1.quantity', batchId: coats, requested: 6, available: 5 },
    );
  });

  it('scrapStock (rows not merged): 1 and 5,000 of one batch are named together too, not row 2 against what row 1 left', async () => {
    const o = await approved([{ itemId: QUILT, batchId: second, quantity: 20 }], 'SCRAP');
    await expectRefusedUnchanged(
      t,
      'scrapStock',
      () =>
        t.gql(
          `mutation($i: ScrapStockInput!) { scrapStock(input: $i) { id } }`,
          {
            i: {
              storeId: WEIHUI,
              orderId: o.id,
              approvalRef: '鉴定〔2026〕21号',
              reason: 'DAMAGED',
              idempotencyKey: key(),
              lines: [
                { batchId: second, quantity: 1 },
                { batchId: second, quantity: 5000 },
              ],
            },
          },
          'keeper',
        ),
      'INSUFFICIENT_STOCK',
      '库存不足：第 1、2 行（同一批次）合计需要 5,001 床，批次可用 20 床',
      { field: 'input.lines.1.quantity', requested: 5001, available: 20 },
    );
  });
});

describe('sweep 21a N1 (D23, D24): a pending outbound order is withdrawn by closeOutboundOrder', () => {
  const CLOSE = `mutation($id: ID!, $r: String!) { closeOutboundOrder(orderId: $id, reason: $r) { id status closeReason closedAt } }`;
  const approvalOf = async (id: string) =>
    ok(
      await t.gql(`query($id: ID!) { outboundOrder(id: $id) { status closeReason approval { id status reason decidedBy { username } } } }`, { id }, 'director'),
    ).outboundOrder;
  const queue = async () =>
    ok(
      await t.gql(
        `query { approvals(filter: { mine: TO_DECIDE, status: PENDING, kind: OUTBOUND_ORDER }, first: 500) { edges { node { id } } } }`,
        {},
        'director',
      ),
    ).approvals.edges.map((e: any) => e.node.id);

  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: COAT, quantity: 50, batchNo: 'N1-MDY', expiryDate: '2031-01-01' }]);
  });

  it('the requester withdraws: CLOSED with the reason, the approval closed as withdrawn (no decider), gone from the queue; audited', async () => {
    const o = await order([{ itemId: COAT, quantity: 3 }]);
    expect(await queue()).toContain(o.approval.id);
    const closed = ok(await t.gql(CLOSE, { id: o.id, r: '  申请数量有误，重新申请  ' }, 'keeper')).closeOutboundOrder;
    expect(closed).toMatchObject({ id: o.id, status: 'CLOSED', closeReason: '申请数量有误，重新申请', closedAt: '2026-07-20T10:00:00+08:00' });
    expect(await lastAudit(t, 'closeOutboundOrder')).toEqual({ outcome: 'OK', message: null });
    expect(await approvalOf(o.id)).toEqual({
      status: 'CLOSED',
      closeReason: '申请数量有误，重新申请',
      approval: { id: o.approval.id, status: 'REJECTED', reason: '出库申请已撤回：申请数量有误，重新申请', decidedBy: null },
    });
    expect(await queue()).not.toContain(o.approval.id);
  });

  it('D24: deciding a withdrawn order → INVALID_STATE saying it was withdrawn, at input.approvalId; executing it → INVALID_STATE', async () => {
    const o = await order([{ itemId: COAT, quantity: 2 }]);
    ok(await t.gql(CLOSE, { id: o.id, r: '演练取消' }, 'keeper'));
    for (const decision of ['APPROVE', 'REJECT'] as const) {
      await expectRefusedUnchanged(
        t,
        'decideApproval',
        () => decideRaw(t, 'director', o.approval.id, decision),
        'INVALID_STATE',
        '该出库申请已由申请方撤回，不能审批（撤回原因：演练取消）',
        { field: 'input.approvalId', approvalId: o.approval.id },
      );
    }
    const issued = await issueRaw(o.id, [{ itemId: COAT, quantity: 2 }]);
    expect(errorCode(issued)).toBe('INVALID_STATE');
    expect(issued.errors![0].message).toBe(`出库申请 ${o.number} 已关闭，不能执行`);
  });

  it('whoever may post at the store withdraws it (a dispatcher of the region: the decider on record); another region’s is FORBIDDEN', async () => {
    const o = await order([{ itemId: COAT, quantity: 1 }]);
    await expectRefusedUnchanged(
      t,
      'closeOutboundOrder',
      () => t.gql(CLOSE, { id: o.id, r: '撤回' }, 'jincheng'),
      'FORBIDDEN',
      '无权访问：该仓库超出您的权限范围',
      {
        field: 'orderId',
      },
    );
    ok(await t.gql(CLOSE, { id: o.id, r: '调度改由他库出库' }, 'dispatcher'));
    expect((await approvalOf(o.id)).approval).toMatchObject({ status: 'REJECTED', decidedBy: { username: 'dispatcher' } });
  });

  it('a rejected order, or one closed already, is INVALID_STATE naming its state; an approved one is closed as before', async () => {
    const rejected = await order([{ itemId: COAT, quantity: 1 }]);
    ok(await decideRaw(t, 'director', rejected.approval.id, 'REJECT'));
    await expectRefusedUnchanged(
      t,
      'closeOutboundOrder',
      () => t.gql(CLOSE, { id: rejected.id, r: '撤回' }, 'keeper'),
      'INVALID_STATE',
      `出库申请 ${rejected.number} 状态为已驳回，只有待审批（撤回）或已批准、未执行完的申请可以关闭`,
      { status: 'REJECTED' },
    );
    const withdrawn = await order([{ itemId: COAT, quantity: 1 }]);
    ok(await t.gql(CLOSE, { id: withdrawn.id, r: '撤回' }, 'keeper'));
    await expectRefusedUnchanged(
      t,
      'closeOutboundOrder',
      () => t.gql(CLOSE, { id: withdrawn.id, r: '再撤回' }, 'keeper'),
      'INVALID_STATE',
      `出库申请 ${withdrawn.number} 状态为已关闭，只有待审批（撤回）或已批准、未执行完的申请可以关闭`,
      { status: 'CLOSED' },
    );
    const approvedOrder = await approved([{ itemId: COAT, quantity: 1 }]);
    expect(ok(await t.gql(CLOSE, { id: approvedOrder.id, r: '不再出库' }, 'keeper')).closeOutboundOrder.status).toBe('CLOSED');
    expect((await approvalOf(approvedOrder.id)).approval).toMatchObject({ status: 'APPROVED', decidedBy: { username: 'director' } });
  });
});
