import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, key, receive, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { documentById, ledgerCounts, lineOf, ok, reverseRaw, stocktakeRaw } from '../support/ledger-ops.ts';

// Sweep 24c (mistakes and how they are put right): F7 a reversal refused for stock held names what holds it; F8 a count
// is not taken while a correction of the batch awaits approval (it would make that approval impossible); F9 the requester
// withdraws their own pending request (withdrawApproval), releasing what it held.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const WITHDRAW = `mutation($id: ID!, $r: String!) { withdrawApproval(approvalId: $id, reason: $r) { id kind status reason decidedBy { username } } }`;
const withdrawRaw = (as: string, approvalId: string, reason = '点错单了') => t.gql(WITHDRAW, { id: approvalId, r: reason }, as);

/** A receipt at 卫辉 of `quantity` 棉帐篷 under its own batch number. */
const received = async (batchNo: string, quantity: number) => {
  const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity, batchNo, unitPrice: '2180.00', expiryDate: '2031-10-01' }]);
  return { doc, batchId: doc.lines[0].batch.id as string };
};

const pendingReversal = async (documentId: string) => {
  const reversal = ok(await reverseRaw(t, 'keeper', documentId, key(), false)).reverseDocument;
  return { reversal, approvalId: await pendingApprovalOf(t, reversal.id, 'REVERSAL') };
};

const auditOf = (operation: string, approvalId: string) =>
  queryRows<{ username: string; outcome: string }>(
    t.database.db,
    sql`SELECT username, outcome FROM audit_log WHERE operation = ${operation} AND input->>'approvalId' = ${approvalId} ORDER BY id`,
  );

describe('sweep 24c F7: a reversal refused for held stock names what holds it', () => {
  it('D22, D27: a pending stocktake loss holds 2 of 30 — the refusal names the 盘点单 and its quantity, not 出库', async () => {
    const { doc, batchId } = await received('S24C-F', 30);
    const count = ok(
      await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 28, reason: 'DAMAGED' }] }, undefined, false),
    ).submitStocktake;
    const res = await t.gql(
      `mutation($id: ID!) { reverseDocument(documentId: $id, reason: "重复入库", idempotencyKey: "${key()}") { id } }`,
      { id: doc.id },
      'keeper',
    );
    expect(errorCode(res)).toBe('INSUFFICIENT_STOCK');
    const message = res.errors![0].message;
    expect(message).toContain(`已预留 2 顶（待审批的盘点单 ${count.number}：2）`);
    expect(message).toContain('现可用 28 顶，冲销需要 30 顶');
    expect(message).not.toContain('出库');
    expect(message).toContain('撤回');
    expect(res.errors![0].extensions).toMatchObject({ requested: 30, available: 28, heldBy: [`待审批的盘点单 ${count.number}`] });
  });
});

describe('sweep 24c F8: no count while a correction of the batch awaits approval', () => {
  it('D9, D22, D27: a count equal to the book is refused naming the pending 冲销单, nothing changes; the reversal is then approved', async () => {
    const { doc, batchId } = await received('S24C-G', 10);
    const { reversal, approvalId } = await pendingReversal(doc.id);
    const before = await ledgerCounts(t);
    const res = await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 10 }] }, undefined, false);
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors![0].message).toContain(`批次 S24C-G 有待审批的冲销单 ${reversal.number}（10）`);
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.counts.0.batchId', pendingDocuments: [reversal.number] });
    expect(await ledgerCounts(t)).toEqual(before);
    ok(await decideRaw(t, 'director', approvalId, 'APPROVE'));
    expect((await documentById(t, doc.id)).status).toBe('REVERSED');
  });
});

describe('sweep 24c F9: the requester withdraws their own pending request (withdrawApproval)', () => {
  it('D22, D24: a reversal filed by mistake is withdrawn by its requester — stock freed, original reversible, approval closed without decider, audited', async () => {
    const { doc, batchId } = await received('S24C-H', 7);
    const { reversal, approvalId } = await pendingReversal(doc.id);
    expect(await lineOf(t, WEIHUI, COTTON_TENT, batchId)).toMatchObject({ onHand: 7, reserved: 7, available: 0 });
    // Nobody else: not the approver (who rejects instead), not another keeper's colleague at headquarters.
    expect(errorCode(await withdrawRaw('director', approvalId))).toBe('FORBIDDEN');
    expect(errorCode(await withdrawRaw('admin', approvalId))).toBe('FORBIDDEN');
    expect(errorCode(await withdrawRaw('keeper', approvalId, '  '))).toBe('BAD_USER_INPUT');
    const withdrawn = ok(await withdrawRaw('keeper', approvalId)).withdrawApproval;
    expect(withdrawn).toMatchObject({ id: approvalId, kind: 'REVERSAL', status: 'REJECTED', reason: '申请人已撤回：点错单了', decidedBy: null });
    expect(await lineOf(t, WEIHUI, COTTON_TENT, batchId)).toMatchObject({ onHand: 7, reserved: 0, available: 7 });
    expect((await documentById(t, reversal.id)).status).toBe('REJECTED');
    expect((await documentById(t, doc.id)).status).toBe('POSTED');
    // Decided no more: the approver is told it was withdrawn; a second withdrawal says so too.
    const late = await decideRaw(t, 'director', approvalId, 'APPROVE');
    expect(errorCode(late)).toBe('INVALID_STATE');
    expect(late.errors![0].message).toBe('该申请已由申请人撤回，不能审批（撤回原因：点错单了）');
    const again = await withdrawRaw('keeper', approvalId);
    expect(errorCode(again)).toBe('INVALID_STATE');
    expect(again.errors![0].message).toContain(`冲销单 ${reversal.number} 已撤回`);
    expect((await auditOf('withdrawApproval', approvalId)).map((r) => [r.username, r.outcome])).toEqual([
      ['director', 'FORBIDDEN'],
      ['admin', 'FORBIDDEN'],
      ['keeper', 'BAD_USER_INPUT'],
      ['keeper', 'OK'],
      ['keeper', 'INVALID_STATE'],
    ]);
    // The original may be reversed again, and a count of the batch is taken again.
    const second = await pendingReversal(doc.id);
    ok(await decideRaw(t, 'director', second.approvalId, 'APPROVE'));
    expect((await documentById(t, doc.id)).status).toBe('REVERSED');
  });

  it('D24: one decided meanwhile is not withdrawn — INVALID_STATE saying by whom it was approved', async () => {
    const { doc } = await received('S24C-H2', 3);
    const { approvalId } = await pendingReversal(doc.id);
    ok(await decideRaw(t, 'director', approvalId, 'APPROVE'));
    const res = await withdrawRaw('keeper', approvalId);
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors![0].message).toMatch(/已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 由.+批准，不能撤回/);
  });

  it('D9, D27: a stocktake difference is withdrawn by the keeper who counted — the loss released, the batch counted again', async () => {
    const { batchId } = await received('S24C-P', 20);
    const count = ok(
      await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 18, reason: 'DAMAGED' }] }, undefined, false),
    ).submitStocktake;
    const approvalId = await pendingApprovalOf(t, count.id, 'STOCKTAKE');
    expect(await lineOf(t, WEIHUI, COTTON_TENT, batchId)).toMatchObject({ reserved: 2 });
    expect(ok(await withdrawRaw('keeper', approvalId, '数错了')).withdrawApproval).toMatchObject({ status: 'REJECTED', reason: '申请人已撤回：数错了' });
    expect(await lineOf(t, WEIHUI, COTTON_TENT, batchId)).toMatchObject({ onHand: 20, reserved: 0 });
    ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 20 }] }, undefined, false));
  });
});

describe('sweep 24c F1: a reversed mistyped receipt does not hold the real 批号 hostage', () => {
  const line = (batchNo: string, extra: Record<string, unknown>) => ({ itemId: COTTON_TENT, quantity: 40, batchNo, expiryDate: '2031-10-01', ...extra });
  const reversedReceipt = async (as: string, store: string, batchNo: string, extra: Record<string, unknown>, header: Record<string, unknown> = {}) => {
    const doc = await receive(t, as, store, [line(batchNo, extra)], header);
    ok(await reverseRaw(t, as, doc.id));
    expect((await documentById(t, doc.id)).status).toBe('REVERSED');
    return doc;
  };

  it('D7, D22, D31: 单价 218.00 for 2180.00, reversed — the goods are received again under S24C-B at 2180.00; the reversed receipt keeps its batch at 218.00', async () => {
    const wrong = await reversedReceipt('keeper', WEIHUI, 'S24C-B', { unitPrice: '218.00' });
    const right = await receive(t, 'keeper', WEIHUI, [line('S24C-B', { unitPrice: '2180.00' })]);
    expect(right.lines[0].batch).toMatchObject({ batchNo: 'S24C-B', unitPrice: '2180.00' });
    expect(right.lines[0].batch.id).not.toBe(wrong.lines[0].batch.id);
    expect(await lineOf(t, WEIHUI, COTTON_TENT, right.lines[0].batch.id)).toMatchObject({ onHand: 40, value: '87200.00' });
    // History as posted: the reversed receipt and its reversal still show the batch they moved, at 218.00.
    const old = await documentById(t, wrong.id);
    expect(old.lines[0].batch).toMatchObject({ id: wrong.lines[0].batch.id, batchNo: 'S24C-B', unitPrice: '218.00' });
    expect((await documentById(t, old.reversedBy.id)).lines[0].batch.unitPrice).toBe('218.00');
    // Further receipts of the number join the live batch (and are compared with it).
    const more = await receive(t, 'keeper', WEIHUI, [line('S24C-B', { unitPrice: '2180.00', quantity: 5 })]);
    expect(more.lines[0].batch.id).toBe(right.lines[0].batch.id);
    const typo = await t.gql(
      `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id } }`,
      { input: { storeId: WEIHUI, source: 'PURCHASE', contractNo: 'HT-1', idempotencyKey: key(), lines: [line('S24C-B', { unitPrice: '218.00' })] } },
      'keeper',
    );
    expect(errorCode(typo)).toBe('BAD_USER_INPUT');
  });

  it('D7, D22: a wrong 有效期, reversed — received again with the real expiry; a batch still in stock keeps refusing a different one', async () => {
    await reversedReceipt('keeper', WEIHUI, 'S24C-C', { unitPrice: '2180.00', expiryDate: '2027-10-01' });
    const right = await receive(t, 'keeper', WEIHUI, [line('S24C-C', { unitPrice: '2180.00', expiryDate: '2031-10-01' })]);
    expect(right.lines[0].batch).toMatchObject({ batchNo: 'S24C-C', expiryDate: '2031-10-01' });
    // Not spent (40 on hand): the number is that batch's, and a differing expiry is refused as before.
    const res = await t.gql(
      `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id } }`,
      {
        input: {
          storeId: WEIHUI,
          source: 'PURCHASE',
          contractNo: 'HT-1',
          idempotencyKey: key(),
          lines: [line('S24C-C', { unitPrice: '2180.00', expiryDate: '2027-10-01' })],
        },
      },
      'keeper',
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toContain('有效期与已登记的不同');
  });

  it('D3, D7, D22: posted at the wrong store (a township store) and reversed — the same donation is received at 卫辉 under S24C-W', async () => {
    const wrong = await reversedReceipt('admin', TANGZHUANG, 'S24C-W', { unitPrice: '2180.00' }, { source: 'DONATION', contractNo: undefined });
    const right = await receive(t, 'keeper', WEIHUI, [line('S24C-W', { unitPrice: '2180.00' })], { source: 'DONATION' });
    expect(right.lines[0].batch.batchNo).toBe('S24C-W');
    expect(right.lines[0].batch.id).not.toBe(wrong.lines[0].batch.id);
    expect(await lineOf(t, WEIHUI, COTTON_TENT, right.lines[0].batch.id)).toMatchObject({ onHand: 40 });
  });
});
