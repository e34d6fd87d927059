import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { decideRaw, pendingApprovalOf, requestOrderRaw } from '../support/authority.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, key, receive, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok, receiveTransferRaw, reverseRaw, stocktakeRaw } from '../support/ledger-ops.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Sweep 24c F9 follow-up (D22, D24, D27): a request withdrawn by whoever filed it — a reversal, stocktake difference,
// scrap or write-off by its requester (withdrawApproval), an outbound order by its store (closeOutboundOrder's 撤回) —
// is stored as an approval closed REJECTED with the reason 「申请人已撤回：…」 and no decider. Approval.withdrawn,
// withdrawnBy, withdrawnAt and withdrawReason tell it apart from a rejection without parsing the reason; they are read
// as the approval's other fields are (the approval's own read policy), so a reader out of scope gets nothing more.

const t = useTestApp({ resetClock: true });
afterEach(() => expectLedgerConsistent(t));

const MASK = itemId('FIR-009'); // 防毒面具: the transit write-off
const FOAM = itemId('FIR-010'); // 泡沫灭火剂: the company's own scrap
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）: the company's own stock

const WITHDRAWAL = `id status reason decidedBy { username } decidedAt withdrawn withdrawnBy { username displayName } withdrawnAt withdrawReason`;
const withdrawRaw = (as: string, approvalId: string, reason: string) =>
  t.gql(`mutation($id: ID!, $r: String!) { withdrawApproval(approvalId: $id, reason: $r) { ${WITHDRAWAL} } }`, { id: approvalId, r: reason }, as);
const approvalIn = async (as: string, approvalId: string) =>
  ok(await t.gql(`query { approvals(filter: {}, first: 500) { edges { node { ${WITHDRAWAL} } } } }`, {}, as))
    .approvals.edges.map((e: any) => e.node)
    .find((a: any) => a.id === approvalId);
const documentApproval = (as: string, documentId: string) =>
  t.gql(`query($id: ID!) { document(id: $id) { status approval { ${WITHDRAWAL} } } }`, { id: documentId }, as);

/** What a withdrawal reads as, by `username` with `reason`, just now. */
const withdrawnAs = (username: string, reason: string) => ({
  status: 'REJECTED',
  withdrawn: true,
  withdrawnBy: { username },
  withdrawnAt: expect.any(String),
  withdrawReason: reason,
});
const notWithdrawn = { withdrawn: false, withdrawnBy: null, withdrawnAt: null, withdrawReason: null };

const received = async (itemId: string, batchNo: string, quantity: number, store = WEIHUI, as = 'keeper') =>
  (await receive(t, as, store, [{ itemId, quantity, batchNo, unitPrice: '100.00', expiryDate: '2031-10-01' }])).lines[0].batch.id as string;

describe('sweep 24c F9 follow-up: Approval.withdrawn tells a withdrawal apart from a rejection', () => {
  it('D22, D24: a reversal withdrawn by its requester reads 撤回 — who, when, the reason without its prefix; reason and decidedBy as before', async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 4, batchNo: 'WD-R', unitPrice: '2180.00', expiryDate: '2031-10-01' }]);
    const reversal = ok(await reverseRaw(t, 'keeper', doc.id, key(), false)).reverseDocument;
    const approvalId = await pendingApprovalOf(t, reversal.id, 'REVERSAL');
    expect(await approvalIn('director', approvalId)).toMatchObject({ status: 'PENDING', ...notWithdrawn });
    const res = ok(await withdrawRaw('keeper', approvalId, '点错单了')).withdrawApproval;
    expect(res).toMatchObject({ ...withdrawnAs('keeper', '点错单了'), reason: '申请人已撤回：点错单了', decidedBy: null });
    expect(res.withdrawnAt).toBe(res.decidedAt);
    // The same through every relation that reads the approval: the queue, the document.
    expect(await approvalIn('director', approvalId)).toMatchObject(withdrawnAs('keeper', '点错单了'));
    expect(ok(await documentApproval('auditor', reversal.id)).document).toMatchObject({ status: 'REJECTED', approval: withdrawnAs('keeper', '点错单了') });
  });

  it('D24: a rejection is not a withdrawal — withdrawn false, nothing withdrawn on it', async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 2, batchNo: 'WD-RJ', unitPrice: '2180.00', expiryDate: '2031-10-01' }]);
    const reversal = ok(await reverseRaw(t, 'keeper', doc.id, key(), false)).reverseDocument;
    const approvalId = await pendingApprovalOf(t, reversal.id, 'REVERSAL');
    ok(await decideRaw(t, 'director', approvalId, 'REJECT', { reason: '申请人已撤回：不是撤回' }));
    expect(await approvalIn('director', approvalId)).toMatchObject({ status: 'REJECTED', decidedBy: { username: 'director' }, ...notWithdrawn });
  });

  it('D9, D27: a stocktake difference withdrawn by the keeper who counted', async () => {
    const batchId = await received(COTTON_TENT, 'WD-S', 10);
    const count = ok(
      await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 9, reason: 'DAMAGED' }] }, undefined, false),
    ).submitStocktake;
    const approvalId = await pendingApprovalOf(t, count.id, 'STOCKTAKE');
    expect(ok(await withdrawRaw('keeper', approvalId, '数错了')).withdrawApproval).toMatchObject(withdrawnAs('keeper', '数错了'));
    expect(ok(await documentApproval('keeper', count.id)).document.approval).toMatchObject(withdrawnAs('keeper', '数错了'));
  });

  it('D27: the company’s own scrap withdrawn by the administrator who filed it', async () => {
    const batchId = await received(FOAM, 'WD-SC', 20, AGREEMENT_STORE, 'admin');
    const scrap = ok(
      await t.gql(
        `mutation($input: ScrapStockInput!) { scrapStock(input: $input) { id status } }`,
        { input: { idempotencyKey: key(), storeId: AGREEMENT_STORE, approvalRef: 'JD-WD-1', reason: 'MOULDY', lines: [{ batchId, quantity: 5 }] } },
        'admin',
      ),
    ).scrapStock;
    expect(scrap.status).toBe('PENDING_APPROVAL');
    const approvalId = await pendingApprovalOf(t, scrap.id, 'SCRAP');
    expect(ok(await withdrawRaw('admin', approvalId, '鉴定未完成')).withdrawApproval).toMatchObject(withdrawnAs('admin', '鉴定未完成'));
    expect(ok(await documentApproval('director', scrap.id)).document.approval).toMatchObject(withdrawnAs('admin', '鉴定未完成'));
  });

  it('D3, D27: the write-off of a loss in transit withdrawn by the receiver who declared it', async () => {
    await received(MASK, 'WD-W', 10);
    const o = ok(
      await requestOrderRaw(t, 'keeper', { storeId: WEIHUI, purpose: 'TRANSFER', toStoreId: XINXIANG, lines: [{ itemId: MASK, quantity: 6 }] }),
    ).requestOutboundOrder;
    ok(await decideRaw(t, 'director', o.approval.id, 'APPROVE'));
    const shipped = ok(
      await t.gql(
        `mutation($input: ShipTransferInput!) { shipTransfer(input: $input) { id lines { batch { id } } } }`,
        { input: { fromStoreId: WEIHUI, toStoreId: XINXIANG, orderId: o.id, idempotencyKey: key(), lines: [{ itemId: MASK, quantity: 6 }] } },
        'keeper',
      ),
    ).shipTransfer;
    ok(
      await receiveTransferRaw(t, 'dispatcher', {
        transferId: shipped.id,
        lines: [{ batchId: shipped.lines[0].batch.id, quantity: 0, discrepancyReason: 'TRANSIT_LOSS' }],
      }),
    );
    const [writeOff] = await queryRows<{ id: string }>(
      t.database.db,
      sql`SELECT id FROM documents WHERE type = 'WRITE_OFF' AND transfer_id = ${shipped.id}::uuid`,
    );
    const approvalId = await pendingApprovalOf(t, writeOff.id, 'WRITE_OFF');
    expect(ok(await withdrawRaw('dispatcher', approvalId, '货已找到')).withdrawApproval).toMatchObject(withdrawnAs('dispatcher', '货已找到'));
    expect(await approvalIn('director', approvalId)).toMatchObject(withdrawnAs('dispatcher', '货已找到'));
  });

  it('D23, D24: an outbound order withdrawn by another keeper of its store — named as at the withdrawal; out of scope, nothing more than before', async () => {
    await received(COTTON_TENT, 'WD-O', 5);
    const created = await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username: 'keeper-wd', displayName: '卫辉二号库管员', password: TEST_PASSWORD, role: 'KEEPER', storeIds: [WEIHUI] } },
      'admin',
    );
    const colleague = ok(created).createUser.id;
    const o = ok(
      await requestOrderRaw(t, 'keeper', { storeId: WEIHUI, purpose: 'DRILL', recipient: '卫辉市消防救援大队', lines: [{ itemId: COTTON_TENT, quantity: 2 }] }),
    ).requestOutboundOrder;
    const closed = ok(
      await t.gql(
        `mutation($id: ID!) { closeOutboundOrder(orderId: $id, reason: "演练改期", withdraw: true) { status approval { ${WITHDRAWAL} } } }`,
        { id: o.id },
        'keeper-wd',
      ),
    ).closeOutboundOrder;
    expect(closed).toMatchObject({ status: 'CLOSED', approval: { ...withdrawnAs('keeper-wd', '演练改期'), reason: '出库申请已撤回：演练改期' } });
    expect(closed.approval.withdrawnBy.displayName).toBe('卫辉二号库管员');
    // Renamed an hour later: the withdrawal keeps the name it was made under (users/names.ts, userAt).
    t.clock.advance(1);
    ok(await t.gql(`mutation($id: ID!) { updateUser(id: $id, input: { displayName: "卫辉库管员（调岗）" }) { id } }`, { id: colleague }, 'admin'));
    const order = async (as: string) => t.gql(`query($id: ID!) { outboundOrder(id: $id) { status approval { ${WITHDRAWAL} } } }`, { id: o.id }, as);
    expect(ok(await order('auditor')).outboundOrder.approval).toMatchObject({
      ...withdrawnAs('keeper-wd', '演练改期'),
      withdrawnBy: { username: 'keeper-wd', displayName: '卫辉二号库管员' },
    });
    expect(await approvalIn('director', o.approval.id)).toMatchObject(withdrawnAs('keeper-wd', '演练改期'));
    // Another city's dispatcher: refused the order and its approval as before, and the queue does not list it.
    const outside = await order('jincheng');
    expect([errorCode(outside), outside.data?.outboundOrder ?? null]).toEqual(['FORBIDDEN', null]);
    expect(await approvalIn('jincheng', o.approval.id)).toBeUndefined();
    expect(JSON.stringify(outside)).not.toContain('演练改期');
  });

  it('D24: a withdrawn document’s approval stays out of an out-of-scope reader’s sight (another city’s dispatcher)', async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 3, batchNo: 'WD-X', unitPrice: '2180.00', expiryDate: '2031-10-01' }]);
    const reversal = ok(await reverseRaw(t, 'keeper', doc.id, key(), false)).reverseDocument;
    const approvalId = await pendingApprovalOf(t, reversal.id, 'REVERSAL');
    ok(await withdrawRaw('keeper', approvalId, '重复提交'));
    const outside = await documentApproval('jincheng', reversal.id);
    expect(errorCode(outside)).toBe('FORBIDDEN');
    expect(outside.data?.document ?? null).toBeNull();
    expect(JSON.stringify(outside)).not.toContain('重复提交');
    expect(await approvalIn('jincheng', approvalId)).toBeUndefined();
  });
});
