import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, key, receive, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { documentById, ledgerCounts, lineOf, ok, receiveTransferRaw, reverseRaw, shipRaw } from '../support/ledger-ops.ts';

// Sweep-2 M3 asked whether a reversal (冲销, D22) should, like D27's write-offs, stocktakes and scrap, be approved only
// with an approval reference (文号). D27 names those decreases, not corrections: a reversal is decided by a second
// person (D24), who may record a reference — kept so, and pinned here; a rejection needs a reason, not a reference.
// Sweep-2 L2: reversing a write-off (核销单) answered that it was a transfer document; the refusal now names the
// document's own kind and, for one not posted, its status. A write-off stays not reversible (D27: approved).

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const REFERENCE = '新应急〔2026〕31号';

/** The approval as stored (status and reference), straight from the database. */
const approvalRow = async (id: string) =>
  (
    await queryRows<{ status: string; approval_ref: string | null }>(
      t.database.db,
      sql`SELECT status::text, approval_ref FROM approvals WHERE id = ${id}::uuid`,
    )
  )[0];

/** The audit rows of decideApproval on one approval: who, with what outcome and message. */
const decisionsAudited = (approvalId: string) =>
  queryRows<{ username: string; outcome: string; message: string | null }>(
    t.database.db,
    sql`SELECT username, outcome, message FROM audit_log WHERE operation = 'decideApproval' AND input->'input'->>'approvalId' = ${approvalId} ORDER BY id`,
  );

const documentRef = async (id: string) =>
  ok(await t.gql(`query($id: ID!) { document(id: $id) { status approvalRef } }`, { id }, 'admin')).document as { status: string; approvalRef: string | null };

/** A receipt of `quantity` at 卫辉 and the keeper's pending request to reverse it (a decrease of the same quantity). */
async function pendingReversalOfReceipt(item: string, batchNo: string, quantity: number, unitPrice = '2180.00') {
  const receipt = await receive(t, 'keeper', WEIHUI, [{ itemId: item, quantity, batchNo, unitPrice, expiryDate: '2031-01-01' }]);
  const reversal = ok(await reverseRaw(t, 'keeper', receipt.id, key(), false)).reverseDocument;
  expect(reversal.status).toBe('PENDING_APPROVAL');
  return { receipt, reversal, batchId: receipt.lines[0].batch.id as string, approvalId: await pendingApprovalOf(t, reversal.id, 'REVERSAL') };
}

describe('D22, D24: a reversal is approved by a second person, with or without an approval reference (文号)', () => {
  it('D22, D24: approved without approvalRef, the reversal of a receipt posts — the receipt reversed, the approval and the 冲销单 with no reference; audited', async () => {
    const { receipt, reversal, batchId, approvalId } = await pendingReversalOfReceipt(COTTON_TENT, 'M3-MZP-01', 100);
    expect(await lineOf(t, WEIHUI, COTTON_TENT, batchId)).toMatchObject({ onHand: 100, reserved: 100, value: '218000.00' }); // held while it waits
    // D24: not by the one who asked for it.
    expect(errorCode(await decideRaw(t, 'keeper', approvalId, 'APPROVE', { approvalRef: undefined }))).toBe('FORBIDDEN');
    const decided = ok(await decideRaw(t, 'director', approvalId, 'APPROVE', { approvalRef: undefined })).decideApproval;
    expect(decided).toMatchObject({ status: 'APPROVED', kind: 'REVERSAL', decidedBy: { username: 'director' }, approvalRef: null });
    expect(await approvalRow(approvalId)).toEqual({ status: 'APPROVED', approval_ref: null });
    expect(await documentRef(reversal.id)).toEqual({ status: 'POSTED', approvalRef: null });
    expect((await documentById(t, receipt.id)).status).toBe('REVERSED');
    expect((await decisionsAudited(approvalId)).map((r) => [r.username, r.outcome])).toEqual([
      ['keeper', 'FORBIDDEN'],
      ['director', 'OK'],
    ]);
  });

  it('D22: with a reference the reversal posts, the receipt is reversed, and the approval and the 冲销单 carry the reference', async () => {
    const { receipt, reversal, batchId, approvalId } = await pendingReversalOfReceipt(COTTON_TENT, 'M3-MZP-02', 100);
    const decided = ok(await decideRaw(t, 'director', approvalId, 'APPROVE', { approvalRef: `  ${REFERENCE} ` })).decideApproval;
    expect(decided).toMatchObject({ status: 'APPROVED', kind: 'REVERSAL', decidedBy: { username: 'director' }, approvalRef: REFERENCE });
    expect(await approvalRow(approvalId)).toEqual({ status: 'APPROVED', approval_ref: REFERENCE });
    expect(await documentRef(reversal.id)).toEqual({ status: 'POSTED', approvalRef: REFERENCE });
    expect((await documentById(t, receipt.id)).status).toBe('REVERSED');
    expect((await lineOf(t, WEIHUI, COTTON_TENT, batchId))?.onHand ?? 0).toBe(0); // a batch emptied is no longer listed
    expect((await decisionsAudited(approvalId)).map((r) => r.outcome)).toEqual(['OK']);
  });

  it('D24: rejecting a reversal needs a reason, not a reference; rejected, nothing changes and the receipt may be reversed again', async () => {
    const { receipt, reversal, batchId, approvalId } = await pendingReversalOfReceipt(itemId('LIV-003'), 'M3-REJ-01', 40, '120.00');
    const noReason = await decideRaw(t, 'director', approvalId, 'REJECT', { reason: undefined });
    expect(errorCode(noReason)).toBe('BAD_USER_INPUT');
    expect(noReason.errors![0].extensions).toMatchObject({ field: 'input.reason' });
    const rejected = ok(await decideRaw(t, 'director', approvalId, 'REJECT', { reason: '单据无误' })).decideApproval;
    expect(rejected).toMatchObject({ status: 'REJECTED', approvalRef: null, reason: '单据无误' });
    expect((await documentRef(reversal.id)).status).toBe('REJECTED');
    expect((await documentById(t, receipt.id)).status).toBe('POSTED');
    expect(await lineOf(t, WEIHUI, itemId('LIV-003'), batchId)).toMatchObject({ onHand: 40, reserved: 0 });
    expect(ok(await reverseRaw(t, 'keeper', receipt.id)).reverseDocument.status).toBe('POSTED'); // asked again and approved
  });
});

describe('Sweep-2 L2 (D22, D27): reversing a document that is never reversed names its own kind and status', () => {
  it('D27: a write-off (核销单) awaiting approval, rejected, or posted is refused as a 核销单 — not as a transfer — and nothing changes', async () => {
    const item = itemId('FLD-002');
    await receive(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 50, batchNo: 'L2-HX-01', unitPrice: '15.00', expiryDate: '2031-01-01' }]);
    const shipped = ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: XINXIANG, lines: [{ itemId: item, quantity: 20 }] })).shipTransfer;
    const batchId: string = shipped.lines[0].batch.id;
    const writeOffs = async (status: string) =>
      queryRows<{ id: string; number: string }>(
        t.database.db,
        sql`SELECT id::text, number FROM documents WHERE type = 'WRITE_OFF' AND transfer_id = ${shipped.id}::uuid AND status = ${status}::document_status`,
      );
    const refusal = async (documentId: string) => {
      const before = await ledgerCounts(t);
      const res = await reverseRaw(t, 'dispatcher', documentId, key(), false);
      expect(errorCode(res)).toBe('INVALID_STATE');
      expect(res.errors![0].message).not.toContain('调拨单据');
      expect(await ledgerCounts(t)).toEqual(before);
      return { message: res.errors![0].message, extensions: res.errors![0].extensions };
    };

    // 0 of 20 received, reported lost: a pending write-off at 新乡 (the dispatcher's receipt).
    ok(await receiveTransferRaw(t, 'dispatcher', { transferId: shipped.id, lines: [{ batchId, quantity: 0, discrepancyReason: 'TRANSIT_LOSS' }] }));
    const [pending] = await writeOffs('PENDING_APPROVAL');
    expect(pending.number).toMatch(/^HX-2026-\d{6}$/);
    expect(await refusal(pending.id)).toMatchObject({
      message: `核销单 ${pending.number} 状态为待审批，尚未入账，不能冲销（不同意的请在审批中驳回）`,
      extensions: { field: 'documentId', type: 'WRITE_OFF', status: 'PENDING_APPROVAL' },
    });

    // Rejected: the 20 are in transit again.
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, pending.id, 'WRITE_OFF'), 'REJECT', { reason: '请承运方再查找' }));
    expect(await refusal(pending.id)).toMatchObject({
      message: `核销单 ${pending.number} 状态为已驳回，没有入账，无需冲销`,
      extensions: { field: 'documentId', type: 'WRITE_OFF', status: 'REJECTED' },
    });

    // Reported lost again (5 of 20 arrive) and approved: the posted write-off is still not reversed (the rule stays).
    ok(await receiveTransferRaw(t, 'dispatcher', { transferId: shipped.id, lines: [{ batchId, quantity: 5, discrepancyReason: 'TRANSIT_LOSS' }] }));
    const [second] = await writeOffs('PENDING_APPROVAL');
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, second.id, 'WRITE_OFF'), 'APPROVE', { approvalRef: REFERENCE }));
    expect(await documentRef(second.id)).toEqual({ status: 'POSTED', approvalRef: REFERENCE });
    expect(await refusal(second.id)).toMatchObject({
      message: `核销单 ${second.number} 不能冲销（核销经审批入账；已核销的物资如找回，请办理入库）`,
      extensions: { field: 'documentId', type: 'WRITE_OFF', status: 'POSTED' },
    });
  });

  it('D22: a reversal awaiting approval is refused as a 冲销单 with its status; a transfer document as a 调拨单 (cancel or transfer back)', async () => {
    const { reversal } = await pendingReversalOfReceipt(itemId('FLD-006'), 'L2-CX-01', 10, '5.00');
    const res = await reverseRaw(t, 'keeper', reversal.id, key(), false);
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors![0].message).toBe(`冲销单 ${reversal.number} 状态为待审批，尚未入账，不能冲销（不同意的请在审批中驳回）`);

    const item = itemId('FLD-010');
    const received = await receive(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 10, batchNo: 'L2-DB-01', unitPrice: '5.00', expiryDate: '2031-01-01' }]);
    ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: XINXIANG, lines: [{ itemId: item, quantity: 4 }] }));
    const [out] = await queryRows<{ id: string; number: string }>(
      t.database.db,
      sql`SELECT d.id::text, d.number FROM documents d JOIN movements m ON m.document_id = d.id
           WHERE d.type = 'TRANSFER_OUT' AND m.batch_id = ${received.lines[0].batch.id}::uuid LIMIT 1`,
    );
    const shippedRes = await reverseRaw(t, 'keeper', out.id, key(), false);
    expect(errorCode(shippedRes)).toBe('INVALID_STATE');
    expect(shippedRes.errors![0].message).toBe(`调拨单（调出） ${out.number} 不能冲销（调拨请撤销或反向调拨）`);
  });
});
