import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { DOC_FIELDS, expectLedgerConsistent, JINCHENG, key, onHandOf, receive, stockAt, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok, receiveTransferRaw, reverseRaw, stocktakeRaw } from '../support/ledger-ops.ts';
import { approverFor, decideRaw, ORDER_FIELDS, pendingApprovalOf, requestOrderRaw } from '../support/authority.ts';
import { createIncident } from '../support/relief.ts';

// D23–D25, D27 through GraphQL: outbound orders, one approvals queue, segregation of duties, write-offs that wait,
// 联储 agreements, consent and settlements. Each scenario uses its own item so that their stock does not mix.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const BREATHER = itemId('FIR-001'); // 空气呼吸器: orders
const HOSE = itemId('FIR-003'); // 水带: concurrency of decisions, rejections
const SUIT = itemId('FIR-005'); // 灭火防护服: stocktake
const MASK = itemId('FIR-009'); // 防毒面具: transfers and write-offs
const FOAM = itemId('FIR-010'); // 泡沫灭火剂: scrap and reversal
const PURIFIER = itemId('LIV-019'); // 应急净水设备: 联储 and consent
const YUNCHENG = storeId('S-140800-01'); // 运城市救灾物资储备库: no agreement with 新乡
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）: the company's own stock

const issueRaw = (input: Record<string, unknown>, as = 'keeper') =>
  t.gql(
    `mutation($input: IssueStockInput!) { issueStock(input: $input) { ${DOC_FIELDS} } }`,
    { input: { storeId: WEIHUI, reason: 'RELIEF', idempotencyKey: key(), ...input } },
    as,
  );
const shipRaw = (input: Record<string, unknown>, as = 'keeper') =>
  t.gql(
    `mutation($input: ShipTransferInput!) { shipTransfer(input: $input) { id status lines { batch { id } shipped received lost inTransit } } }`,
    { input: { fromStoreId: WEIHUI, idempotencyKey: key(), ...input } },
    as,
  );
const scrapRaw = (input: Record<string, unknown>, as = 'keeper') =>
  t.gql(
    `mutation($input: ScrapStockInput!) { scrapStock(input: $input) { ${DOC_FIELDS} } }`,
    { input: { storeId: WEIHUI, approvalRef: '鉴定〔2026〕7号', reason: 'EXPIRED', idempotencyKey: key(), ...input } },
    as,
  );
const order = async (input: Record<string, unknown>, as = 'keeper') => ok(await requestOrderRaw(t, as, { storeId: WEIHUI, ...input })).requestOutboundOrder;
const orderById = async (id: string) => ok(await t.gql(`query($id: ID!) { outboundOrder(id: $id) { ${ORDER_FIELDS} } }`, { id }, 'admin')).outboundOrder;
const approvalsOf = async (as: string, filter: Record<string, unknown> = {}) =>
  ok(
    await t.gql(
      `query($f: ApprovalFilter!) { approvals(filter: $f, first: 500) { totalCount edges { node { id kind status subjectId summary value requestedBy { username } store { id } } } } }`,
      { f: filter },
      as,
    ),
  ).approvals.edges.map((e: any) => e.node);

describe('outbound orders (D23)', () => {
  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: BREATHER, quantity: 100, batchNo: 'AU-HXQ-01', unitPrice: '3200.00', expiryDate: '2031-01-01' }]);
  });

  it('D23: issueStock of government stock without an order is refused (orderId named) and changes nothing', async () => {
    const before = await onHandOf(t, WEIHUI, BREATHER);
    const res = await issueRaw({ recipient: '唐庄镇受灾群众', lines: [{ itemId: BREATHER, quantity: 5 }] });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions.field).toBe('input.orderId');
    expect(await onHandOf(t, WEIHUI, BREATHER)).toBe(before);
  });

  it('D23: shipTransfer outside a dispatch plan and rotateStock without an order are refused', async () => {
    const ship = await shipRaw({ toStoreId: JINCHENG, lines: [{ itemId: BREATHER, quantity: 5 }] });
    expect(errorCode(ship), JSON.stringify(ship.errors)).toBe('BAD_USER_INPUT');
    expect(ship.errors![0].extensions.field, JSON.stringify(ship.errors)).toBe('input.orderId');
    expect(ship.errors![0].extensions.field).toBe('input.orderId');
    const [line] = await stockAt(t, WEIHUI, BREATHER);
    const rotate = await t.gql(
      `mutation($input: RotateStockInput!) { rotateStock(input: $input) { id } }`,
      {
        input: {
          storeId: WEIHUI,
          batchId: line.batch.id,
          quantity: 5,
          disposal: 'SALE',
          counterpart: '某公司',
          idempotencyKey: key(),
          newBatch: { batchNo: 'AU-HXQ-02', expiryDate: '2032-01-01' },
        },
      },
      'keeper',
    );
    expect(errorCode(rotate), JSON.stringify(rotate.errors)).toBe('BAD_USER_INPUT');
    expect(rotate.errors![0].extensions.field).toBe('input.orderId');
  });

  it('D23, D24: the keeper requests, cannot approve; director approves; the keeper issues against it and cannot issue more', async () => {
    const o = await order({ purpose: 'RELIEF', recipient: '唐庄镇受灾群众', lines: [{ itemId: BREATHER, quantity: 10 }] });
    expect(o).toMatchObject({ status: 'PENDING', purpose: 'RELIEF', requestedBy: { username: 'keeper' }, approval: { status: 'PENDING' } });
    expect(o.number).toMatch(/^SQ-\d{4}-\d{6}$/);
    // Not yet approved: nothing may leave.
    const early = await issueRaw({ orderId: o.id, lines: [{ itemId: BREATHER, quantity: 10 }] });
    expect(errorCode(early)).toBe('INVALID_STATE');
    // The keeper has no authority to decide; the dispatcher who did not request it has.
    expect(errorCode(await decideRaw(t, 'keeper', o.approval.id, 'APPROVE'))).toBe('FORBIDDEN');
    ok(await decideRaw(t, 'director', o.approval.id, 'APPROVE'));
    const first = ok(await issueRaw({ orderId: o.id, lines: [{ itemId: BREATHER, quantity: 6 }] })).issueStock;
    expect(first.lines[0].quantity).toBe(-6);
    const beyond = await issueRaw({ orderId: o.id, lines: [{ itemId: BREATHER, quantity: 5 }] });
    expect(errorCode(beyond)).toBe('BAD_USER_INPUT');
    expect(beyond.errors![0].extensions).toMatchObject({ field: 'input.lines.0.quantity', remaining: 4 });
    ok(await issueRaw({ orderId: o.id, lines: [{ itemId: BREATHER, quantity: 4 }] }));
    const done = await orderById(o.id);
    expect(done.status).toBe('EXECUTED');
    expect(done.lines[0]).toMatchObject({ quantity: 10, executedQuantity: 10, remainingQuantity: 0 });
    const after = await issueRaw({ orderId: o.id, lines: [{ itemId: BREATHER, quantity: 1 }] });
    expect(errorCode(after)).toBe('INVALID_STATE');
    // The recipient comes from the order.
    expect((await t.gql(`query($id: ID!) { document(id: $id) { recipient } }`, { id: first.id }, 'keeper')).data.document.recipient).toBe('唐庄镇受灾群众');
  });

  it('D23: an order executes only as what it was approved for — store, operation and item', async () => {
    const o = await order({ purpose: 'RELIEF', recipient: '某村', lines: [{ itemId: BREATHER, quantity: 3 }] });
    ok(await decideRaw(t, 'director', o.approval.id, 'APPROVE'));
    const other = await shipRaw({ toStoreId: XINXIANG, orderId: o.id, lines: [{ itemId: BREATHER, quantity: 1 }] });
    expect(errorCode(other)).toBe('BAD_USER_INPUT');
    expect(other.errors![0].extensions.field).toBe('input.orderId');
    const wrongItem = await issueRaw({ orderId: o.id, lines: [{ itemId: HOSE, quantity: 1 }] });
    expect(['BAD_USER_INPUT', 'INSUFFICIENT_STOCK']).toContain(errorCode(wrongItem));
    const unknown = await issueRaw({ orderId: '00000000-0000-4000-8000-000000000001', lines: [{ itemId: BREATHER, quantity: 1 }] });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    expect(unknown.errors![0].extensions.field).toBe('input.orderId');
  });

  it('D23 (sweep 17a F1): an order executes only to the recipient it was approved for; the same name, or none, issues to it', async () => {
    const o = await order({ purpose: 'RELIEF', recipient: '唐庄镇受灾群众', lines: [{ itemId: BREATHER, quantity: 2 }] });
    ok(await decideRaw(t, 'director', o.approval.id, 'APPROVE'));
    const before = await onHandOf(t, WEIHUI, BREATHER);
    const elsewhere = await issueRaw({ orderId: o.id, recipient: '别人', lines: [{ itemId: BREATHER, quantity: 1 }] });
    expect(errorCode(elsewhere)).toBe('BAD_USER_INPUT');
    expect(elsewhere.errors![0].extensions.field).toBe('input.recipient');
    expect(elsewhere.errors![0].message).toContain(`与出库申请 ${o.number} 批准的「唐庄镇受灾群众」不符`);
    expect(await onHandOf(t, WEIHUI, BREATHER)).toBe(before);
    expect((await orderById(o.id)).lines[0].executedQuantity).toBe(0);
    const same = ok(await issueRaw({ orderId: o.id, recipient: ' 唐庄镇受灾群众 ', lines: [{ itemId: BREATHER, quantity: 1 }] })).issueStock;
    const none = ok(await issueRaw({ orderId: o.id, lines: [{ itemId: BREATHER, quantity: 1 }] })).issueStock;
    for (const d of [same, none]) {
      expect((await t.gql(`query($id: ID!) { document(id: $id) { recipient } }`, { id: d.id }, 'keeper')).data.document.recipient).toBe('唐庄镇受灾群众');
    }
  });

  it('D23: an issue is booked as its order approved — a relief order is not booked as a loan, nor a drill as relief', async () => {
    const relief = await order({ purpose: 'RELIEF', recipient: '受灾群众', lines: [{ itemId: BREATHER, quantity: 2 }] });
    ok(await decideRaw(t, 'director', relief.approval.id, 'APPROVE'));
    const before = await onHandOf(t, WEIHUI, BREATHER);
    const loan = await issueRaw({ orderId: relief.id, reason: 'LOAN', lines: [{ itemId: BREATHER, quantity: 1 }] });
    expect(errorCode(loan)).toBe('BAD_USER_INPUT');
    expect(loan.errors![0].extensions).toMatchObject({ field: 'input.reason', purpose: 'RELIEF' });
    expect(loan.errors![0].message).toContain('与出库申请');
    expect(await onHandOf(t, WEIHUI, BREATHER)).toBe(before);
    // A reason of the same purpose, and one that names no purpose, are booked.
    ok(await issueRaw({ orderId: relief.id, reason: 'EMERGENCY_RESPONSE', lines: [{ itemId: BREATHER, quantity: 1 }] }));
    ok(await issueRaw({ orderId: relief.id, reason: 'OTHER_ISSUE', lines: [{ itemId: BREATHER, quantity: 1 }] }));
    const drill = await order({ purpose: 'DRILL', recipient: '演练', lines: [{ itemId: BREATHER, quantity: 1 }] });
    ok(await decideRaw(t, 'director', drill.approval.id, 'APPROVE'));
    expect(errorCode(await issueRaw({ orderId: drill.id, lines: [{ itemId: BREATHER, quantity: 1 }] }))).toBe('BAD_USER_INPUT');
    ok(await issueRaw({ orderId: drill.id, reason: 'DRILL', lines: [{ itemId: BREATHER, quantity: 1 }] }));
  });

  it('D24: a rejected order cannot be executed and moved no stock; a closed order neither', async () => {
    const before = await onHandOf(t, WEIHUI, BREATHER);
    const o = await order({ purpose: 'LOAN', recipient: '某公司', lines: [{ itemId: BREATHER, quantity: 2 }] });
    expect(errorCode(await decideRaw(t, 'director', o.approval.id, 'REJECT', { reason: '' }))).toBe('BAD_USER_INPUT');
    const rejected = ok(await decideRaw(t, 'director', o.approval.id, 'REJECT', { reason: '不得出借给企业' })).decideApproval;
    expect(rejected).toMatchObject({ status: 'REJECTED', reason: '不得出借给企业', decidedBy: { username: 'director' } });
    expect((await orderById(o.id)).status).toBe('REJECTED');
    expect(errorCode(await issueRaw({ orderId: o.id, lines: [{ itemId: BREATHER, quantity: 2 }] }))).toBe('INVALID_STATE');
    const c = await order({ purpose: 'DRILL', recipient: '演练', lines: [{ itemId: BREATHER, quantity: 2 }] });
    ok(await decideRaw(t, 'director', c.approval.id, 'APPROVE'));
    ok(await t.gql(`mutation($id: ID!) { closeOutboundOrder(orderId: $id, reason: "演练取消") { status } }`, { id: c.id }, 'keeper'));
    expect(errorCode(await issueRaw({ orderId: c.id, lines: [{ itemId: BREATHER, quantity: 2 }] }))).toBe('INVALID_STATE');
    expect(await onHandOf(t, WEIHUI, BREATHER)).toBe(before);
  });

  it('D24: deciding the same approval twice at once — one wins, the other gets INVALID_STATE', async () => {
    const o = await order({ purpose: 'DRILL', recipient: '演练', lines: [{ itemId: BREATHER, quantity: 1 }] });
    const results = await Promise.all([decideRaw(t, 'director', o.approval.id, 'APPROVE'), decideRaw(t, 'admin', o.approval.id, 'REJECT')]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.map(errorCode).filter(Boolean)).toEqual(['INVALID_STATE']);
  });

  it('D24: the requester never decides their own request; another city’s approval is FORBIDDEN, an unknown one NOT_FOUND; the decision is audited', async () => {
    const o = await order({ purpose: 'DRILL', recipient: '演练', lines: [{ itemId: BREATHER, quantity: 1 }] }, 'dispatcher');
    expect(errorCode(await decideRaw(t, 'dispatcher', o.approval.id, 'APPROVE'))).toBe('FORBIDDEN');
    // Another city's approval (sweep 8c F2): refused as its order is (outboundOrder: FORBIDDEN), naming the approval.
    const elsewhere = await decideRaw(t, 'jincheng', o.approval.id, 'APPROVE');
    expect(errorCode(elsewhere)).toBe('FORBIDDEN');
    expect(elsewhere.errors![0].message).toBe('无权访问：该审批超出您的权限范围');
    expect(errorCode(await decideRaw(t, 'director', '00000000-0000-4000-8000-000000000002', 'APPROVE'))).toBe('NOT_FOUND');
    ok(await decideRaw(t, 'director', o.approval.id, 'APPROVE'));
    const [audit] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE operation = 'decideApproval' AND outcome = 'OK' AND input::text LIKE ${`%${o.approval.id}%`}`,
    );
    expect(Number(audit.n)).toBe(1);
  });

  it('D24: the queue lists what I may decide and what I requested, not what is beyond my region', async () => {
    const o = await order({ purpose: 'DRILL', recipient: '演练', lines: [{ itemId: BREATHER, quantity: 1 }] });
    const forDirector = await approvalsOf('director', { status: 'PENDING', kind: 'OUTBOUND_ORDER' });
    expect(forDirector.map((a: any) => a.subjectId)).toContain(o.id);
    expect(forDirector.find((a: any) => a.subjectId === o.id)).toMatchObject({ summary: expect.stringContaining('空气呼吸器'), value: '3200.00' });
    expect((await approvalsOf('keeper', { mine: 'REQUESTED' })).map((a: any) => a.subjectId)).toContain(o.id);
    expect((await approvalsOf('jincheng')).map((a: any) => a.subjectId)).not.toContain(o.id);
  });
});

describe('stocktakes, write-offs, scrap and reversals wait for approval (D27, D24)', () => {
  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [
      { itemId: SUIT, quantity: 300, batchNo: 'AU-FHF-01', unitPrice: '168.00', expiryDate: '2031-01-01' },
      { itemId: MASK, quantity: 50, batchNo: 'AU-FDMJ-01', unitPrice: '90.00', expiryDate: '2031-01-01' },
      { itemId: FOAM, quantity: 40, batchNo: 'AU-PM-01', unitPrice: '25.00', expiryDate: '2031-01-01' },
    ]);
  });

  it('D27: a stocktake loss waits in the queue (stock unchanged, the loss held), posts only when another person approves', async () => {
    const [line] = await stockAt(t, WEIHUI, SUIT);
    const res = ok(
      await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId: line.batch.id, countedQuantity: 0, reason: 'LOST' }] }, DOC_FIELDS, false),
    ).submitStocktake;
    expect(res.status).toBe('PENDING_APPROVAL');
    const [held] = await stockAt(t, WEIHUI, SUIT);
    expect(held).toMatchObject({ onHand: 300, reserved: 300, available: 0 });
    const approvalId = await pendingApprovalOf(t, res.id, 'STOCKTAKE');
    expect(errorCode(await decideRaw(t, 'keeper', approvalId, 'APPROVE'))).toBe('FORBIDDEN');
    expect(errorCode(await decideRaw(t, 'director', approvalId, 'APPROVE', { approvalRef: null }))).toBe('BAD_USER_INPUT');
    ok(await decideRaw(t, 'director', approvalId, 'APPROVE', { approvalRef: '新应急〔2026〕9号' }));
    expect(await onHandOf(t, WEIHUI, SUIT)).toBe(0);
    const doc = ok(await t.gql(`query($id: ID!) { document(id: $id) { status approvalRef } }`, { id: res.id }, 'keeper')).document;
    expect(doc).toEqual({ status: 'POSTED', approvalRef: '新应急〔2026〕9号' });
  });

  it('D27: a transfer received as 0 of 20 writes nothing off until approved; rejected, the 20 are in transit again', async () => {
    const o = await order({ purpose: 'TRANSFER', toStoreId: XINXIANG, lines: [{ itemId: MASK, quantity: 20 }] });
    ok(await decideRaw(t, 'director', o.approval.id, 'APPROVE'));
    const shipped = ok(await shipRaw({ toStoreId: XINXIANG, orderId: o.id, lines: [{ itemId: MASK, quantity: 20 }] })).shipTransfer;
    const batchId = shipped.lines[0].batch.id;
    const got = ok(
      await receiveTransferRaw(t, 'dispatcher', { transferId: shipped.id, lines: [{ batchId, quantity: 0, discrepancyReason: 'TRANSIT_LOSS' }] }),
    ).receiveTransfer;
    expect(got.status).toBe('PARTIALLY_RECEIVED');
    expect(got.lines[0]).toMatchObject({ received: 0, lost: 0, inTransit: 20 });
    // Still in transit, but declared short: not to be received while its write-off waits (pendingWriteOff).
    const pendingLine = async () =>
      ok(await t.gql(`query($id: ID!) { transfer(id: $id) { lines { inTransit pendingWriteOff } } }`, { id: shipped.id }, 'dispatcher')).transfer.lines[0];
    expect(await pendingLine()).toEqual({ inTransit: 20, pendingWriteOff: 20 });
    const [writeOff] = await queryRows<{ id: string; status: string }>(
      t.database.db,
      sql`SELECT id, status::text FROM documents WHERE type = 'WRITE_OFF' AND transfer_id = ${shipped.id}::uuid`,
    );
    expect(writeOff.status).toBe('PENDING_APPROVAL');
    const approvalId = await pendingApprovalOf(t, writeOff.id, 'WRITE_OFF');
    // The approver reads the loss in the item's own unit (防毒面具 in 个), as a count's summary says it.
    expect((await approvalsOf('director')).find((a: any) => a.id === approvalId).summary).toMatch(/收货短少 20 个（运输损耗）$/);
    expect(errorCode(await decideRaw(t, 'dispatcher', approvalId, 'APPROVE'))).toBe('FORBIDDEN'); // the receiver requested it
    ok(await decideRaw(t, 'director', approvalId, 'REJECT', { reason: '请承运方再查找' }));
    const open = ok(
      await t.gql(`query($id: ID!) { transfer(id: $id) { status lines { inTransit lost pendingWriteOff } } }`, { id: shipped.id }, 'dispatcher'),
    ).transfer;
    expect(open).toEqual({ status: 'PARTIALLY_RECEIVED', lines: [{ inTransit: 20, lost: 0, pendingWriteOff: 0 }] });
    // Reported lost again and approved this time: written off.
    ok(await receiveTransferRaw(t, 'dispatcher', { transferId: shipped.id, lines: [{ batchId, quantity: 5, discrepancyReason: 'TRANSIT_LOSS' }] }));
    expect(await pendingLine()).toEqual({ inTransit: 15, pendingWriteOff: 15 });
    const [second] = await queryRows<{ id: string }>(
      t.database.db,
      sql`SELECT id FROM documents WHERE type = 'WRITE_OFF' AND transfer_id = ${shipped.id}::uuid AND status = 'PENDING_APPROVAL'`,
    );
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, second.id, 'WRITE_OFF'), 'APPROVE'));
    const closed = ok(
      await t.gql(`query($id: ID!) { transfer(id: $id) { status lines { received lost inTransit } } }`, { id: shipped.id }, 'dispatcher'),
    ).transfer;
    expect(closed).toEqual({ status: 'RECEIVED', lines: [{ received: 5, lost: 15, inTransit: 0 }] });
  });

  it('D27 (sweep 14c LOW-2): goods received damaged are queued for write-off as received short with their reason (破损), not as lost in transit', async () => {
    const o = await order({ purpose: 'TRANSFER', toStoreId: XINXIANG, lines: [{ itemId: MASK, quantity: 5 }] });
    ok(await decideRaw(t, 'director', o.approval.id, 'APPROVE'));
    const shipped = ok(await shipRaw({ toStoreId: XINXIANG, orderId: o.id, lines: [{ itemId: MASK, quantity: 5 }] })).shipTransfer;
    ok(
      await receiveTransferRaw(t, 'dispatcher', {
        transferId: shipped.id,
        lines: [{ batchId: shipped.lines[0].batch.id, quantity: 3, discrepancyReason: 'DAMAGED' }],
      }),
    );
    const [writeOff] = await queryRows<{ id: string }>(
      t.database.db,
      sql`SELECT id FROM documents WHERE type = 'WRITE_OFF' AND transfer_id = ${shipped.id}::uuid`,
    );
    const approvalId = await pendingApprovalOf(t, writeOff.id, 'WRITE_OFF');
    expect((await approvalsOf('director')).find((a: any) => a.id === approvalId).summary).toMatch(/收货短少 2 个（破损）$/);
  });

  // D23, API.md: scrapStock's orderId is required for government-owned stock, so 卫辉's scrap without an order is now
  // refused; the scrap that waits in the queue (held, rejected) is of the company's own stock in its agreement store.
  it('D23, D27: scrap of government stock without an order is refused; the company’s own scrap waits (held), a rejection changes no stock; with an approved scrap order it posts', async () => {
    const [line] = await stockAt(t, WEIHUI, FOAM);
    const refused = await scrapRaw({ lines: [{ batchId: line.batch.id, quantity: 10 }] });
    expect([errorCode(refused), refused.errors?.[0].extensions.field]).toEqual(['BAD_USER_INPUT', 'input.orderId']);
    expect((await stockAt(t, WEIHUI, FOAM))[0]).toMatchObject({ onHand: 40, reserved: 0 });
    const own = await receive(t, 'admin', AGREEMENT_STORE, [{ itemId: FOAM, quantity: 20, batchNo: 'AU-PM-AG', unitPrice: '25.00', expiryDate: '2031-01-01' }]);
    const ownBatch = own.lines[0].batch.id;
    const pending = ok(await scrapRaw({ storeId: AGREEMENT_STORE, lines: [{ batchId: ownBatch, quantity: 10 }] }, 'admin')).scrapStock;
    expect(pending.status).toBe('PENDING_APPROVAL');
    expect((await stockAt(t, AGREEMENT_STORE, FOAM))[0]).toMatchObject({ onHand: 20, reserved: 10 });
    const approvalId = await pendingApprovalOf(t, pending.id, 'SCRAP');
    expect(errorCode(await decideRaw(t, 'admin', approvalId, 'APPROVE'))).toBe('FORBIDDEN');
    ok(await decideRaw(t, 'director', approvalId, 'REJECT', { reason: '未经鉴定' }));
    expect((await stockAt(t, AGREEMENT_STORE, FOAM))[0]).toMatchObject({ onHand: 20, reserved: 0 });
    const o = await order({ purpose: 'SCRAP', lines: [{ itemId: FOAM, batchId: line.batch.id, quantity: 10 }] });
    ok(await decideRaw(t, 'director', o.approval.id, 'APPROVE'));
    const posted = ok(await scrapRaw({ orderId: o.id, lines: [{ batchId: line.batch.id, quantity: 10 }] })).scrapStock;
    expect(posted.status).toBe('POSTED');
    expect(await onHandOf(t, WEIHUI, FOAM)).toBe(30);
  });

  it('D24: a reversal posts only when someone else approves it; rejected, the original can be reversed later', async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: FOAM, quantity: 7, batchNo: 'AU-PM-02', unitPrice: '25.00', expiryDate: '2031-01-01' }]);
    // What screens offer: `reversible` says who may ask now, `pendingReversal` what awaits approval.
    const offer = async (as: string) =>
      ok(await t.gql(`query($id: ID!) { document(id: $id) { reversible pendingReversal { id status } } }`, { id: doc.id }, as)).document;
    expect(await offer('keeper')).toEqual({ reversible: true, pendingReversal: null });
    expect(await offer('auditor')).toEqual({ reversible: false, pendingReversal: null });
    const pending = ok(await reverseRaw(t, 'keeper', doc.id, key(), false)).reverseDocument;
    expect(pending.status).toBe('PENDING_APPROVAL');
    expect(await offer('keeper')).toEqual({ reversible: false, pendingReversal: { id: pending.id, status: 'PENDING_APPROVAL' } });
    expect(await onHandOf(t, WEIHUI, FOAM)).toBe(37);
    const approvalId = await pendingApprovalOf(t, pending.id, 'REVERSAL');
    // Asked again while the first awaits approval: refused for that reason, not as 库存不足 (the first holds the stock).
    const twice = await reverseRaw(t, 'keeper', doc.id, key(), false);
    expect(errorCode(twice)).toBe('INVALID_STATE');
    expect(twice.errors![0].message).toContain(`（${pending.number}）正在审批中`);
    expect(twice.errors![0].extensions.field).toBe('documentId');
    expect(errorCode(await decideRaw(t, 'keeper', approvalId, 'APPROVE'))).toBe('FORBIDDEN');
    ok(await decideRaw(t, 'director', approvalId, 'REJECT', { reason: '单据无误' }));
    expect(await onHandOf(t, WEIHUI, FOAM)).toBe(37);
    expect(await offer('keeper')).toEqual({ reversible: true, pendingReversal: null });
    const again = ok(await reverseRaw(t, 'keeper', doc.id)).reverseDocument;
    expect(again.status).toBe('POSTED');
    expect(await onHandOf(t, WEIHUI, FOAM)).toBe(30);
  });

  it('D23: a shipment citing a dispatch plan that does not exist is NOT_FOUND and nothing is shipped', async () => {
    const res = await shipRaw(
      { toStoreId: XINXIANG, dispatchPlanId: '00000000-0000-4000-8000-000000000003', lines: [{ itemId: MASK, quantity: 1 }] },
      'dispatcher',
    );
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.errors![0].extensions.field).toBe('input.dispatchPlanId');
  });

  it('D23 (sweep 7b L13, 9a F1): a plan that takes nothing from the shipping store — another region’s — is FORBIDDEN as dispatchPlan(id) answers; its state is not told', async () => {
    const incident = await createIncident(t, { name: '晋城测试洪涝', regionCode: '140500', location: { lat: 35.49, lng: 112.85 } }, 'jincheng');
    // 空气呼吸器备用气瓶: none at 卫辉, so the plan takes nothing from it.
    const destination = { name: '晋城测试安置点', regionCode: '140500', lat: 35.5, lng: 112.86, lines: [{ itemId: itemId('FIR-002'), quantity: 1 }] };
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
        { i: { incidentId: incident, destinations: [destination] } },
        'jincheng',
      ),
    ).requestDispatch.id;
    const res = await shipRaw({ toStoreId: XINXIANG, dispatchPlanId: plan, lines: [{ itemId: MASK, quantity: 1 }] });
    expect(res.errors![0]).toMatchObject({ message: '无权访问：该调拨方案超出您的权限范围', extensions: { code: 'FORBIDDEN' } });
    expect(errorCode(await t.gql(`query($id: ID!) { dispatchPlan(id: $id) { id } }`, { id: plan }, 'keeper'))).toBe('FORBIDDEN');
    // Who may read the plan (新乡's dispatcher, a plan of 卫辉's incident) is told that it takes nothing from the store.
    const ours = await createIncident(t, { name: '卫辉测试火情', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } }, 'dispatcher');
    const ourPlan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
        { i: { incidentId: ours, destinations: [{ ...destination, name: '卫辉测试安置点', regionCode: '410781', lat: 35.4, lng: 114.07 }] } },
        'dispatcher',
      ),
    ).requestDispatch.id;
    const own = await shipRaw({ toStoreId: XINXIANG, dispatchPlanId: ourPlan, lines: [{ itemId: MASK, quantity: 1 }] }, 'dispatcher');
    expect(own.errors![0]).toMatchObject({
      message: '该调拨方案没有从调出仓库调拨的物资，不能以它发运',
      extensions: { code: 'BAD_USER_INPUT', field: 'input.dispatchPlanId' },
    });
  });
});

describe('other regions’ stock: 联储, consent and settlements (D20, D25, D15)', () => {
  let agreementId: string;
  beforeAll(async () => {
    await receive(t, 'admin', JINCHENG, [{ itemId: PURIFIER, quantity: 4, batchNo: 'AU-JSSB-JC', unitPrice: '12000.00', expiryDate: '2031-01-01' }]);
    await receive(t, 'admin', YUNCHENG, [{ itemId: PURIFIER, quantity: 6, batchNo: 'AU-JSSB-YC', unitPrice: '11000.00', expiryDate: '2031-01-01' }]);
    const created = await t.gql(
      `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id regions { code } validFrom validTo lines { item { id } } } }`,
      { i: { regionCodes: ['410700', '140500'], validFrom: '2026-01-01', validTo: '2027-12-31', note: '豫晋联储' } },
      'admin',
    );
    agreementId = ok(created).createJointReserveAgreement.id;
  });

  it('D25: only administrators record 联储 agreements; bad regions and dates are refused', async () => {
    const i = { regionCodes: ['410700', '140800'], validFrom: '2026-01-01', validTo: '2027-12-31' };
    const q = `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`;
    expect(errorCode(await t.gql(q, { i }, 'dispatcher'))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(q, { i: { ...i, validTo: '2025-01-01' } }, 'admin'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(q, { i: { ...i, regionCodes: ['410700', '410781'] } }, 'admin'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(q, { i: { ...i, regionCodes: ['410700', '999900'] } }, 'admin'))).toBe('NOT_FOUND');
    const seen = ok(await t.gql(`query { jointReserveAgreements { id } }`, {}, 'jincheng')).jointReserveAgreements.map((a: any) => a.id);
    expect(seen).toContain(agreementId);
  });

  it('D20: a dispatcher sees its partners’ available stock (quantity only), not other regions’', async () => {
    const res = ok(await t.gql(`query($i: ID!) { neighbourStock(itemId: $i) { store { id } region { code } available } }`, { i: PURIFIER }, 'dispatcher'));
    expect(res.neighbourStock).toEqual([{ store: { id: JINCHENG }, region: { code: '140500000000' }, available: 4 }]);
    expect(errorCode(await t.gql(`query($i: ID!) { neighbourStock(itemId: $i) { available } }`, { i: PURIFIER }, 'keeper'))).toBe('FORBIDDEN');
  });

  it('D25: 晋城 stock is used under the agreement and a settlement opens; 运城 stock needs consent and is neither reserved nor shipped before it', async () => {
    const incident = ok(
      await t.gql(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        { i: { name: '卫辉市净水保障', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 }, affectedPopulation: 3000 } },
        'dispatcher',
      ),
    ).createIncident.id;
    const planFields = `id status requestedBy { username } approvedBy { username } lines { store { id } quantity needsConsent consent tier jointAgreementId } shortages { missing }`;
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${planFields} } }`,
        {
          i: {
            incidentId: incident,
            deadlineHours: 48,
            destinations: [{ name: '汲水镇安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: PURIFIER, quantity: 10 }] }],
          },
        },
        'dispatcher',
      ),
    ).requestDispatch;
    const fromJincheng = plan.lines.find((l: any) => l.store.id === JINCHENG);
    const fromYuncheng = plan.lines.find((l: any) => l.store.id === YUNCHENG);
    expect(fromJincheng).toMatchObject({ quantity: 4, needsConsent: false, jointAgreementId: agreementId });
    expect(fromYuncheng).toMatchObject({ quantity: 6, needsConsent: true, consent: 'PENDING' });
    // D24: the requesting dispatcher cannot approve their own plan; director can.
    const self = await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'dispatcher');
    expect(errorCode(self)).toBe('FORBIDDEN');
    const approved = ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { ${planFields} } }`, { p: plan.id }, 'director')).approveDispatchPlan;
    expect(approved).toMatchObject({ status: 'APPROVED', requestedBy: { username: 'dispatcher' }, approvedBy: { username: 'director' } });
    // 晋城 stock reserved under the agreement, 运城's untouched.
    expect((await stockAt(t, JINCHENG, PURIFIER))[0]).toMatchObject({ reserved: 4 });
    expect((await stockAt(t, YUNCHENG, PURIFIER))[0]).toMatchObject({ reserved: 0, onHand: 6 });
    const execute = () =>
      t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${planFields} } }`, { p: plan.id, k: key() }, 'dispatcher');
    expect(errorCode(await execute())).toBe('INVALID_STATE');
    // 运城's consent: not the 新乡 dispatcher's to give; the administrator (authority over 运城) gives it.
    const consentId = await pendingApprovalOf(t, plan.id, 'CROSS_REGION_USE');
    // D25 (sweep 6b M1): the consent asked names what it is for — the store, the item and how much in its unit.
    const asked = ok(
      await t.gql(`query { approvals(filter: { kind: CROSS_REGION_USE, status: PENDING }) { edges { node { id summary } } } }`, {}, 'admin'),
    ).approvals.edges.find((e: any) => e.node.id === consentId).node;
    expect(asked.summary).toContain('运城市救灾物资储备库 应急净水设备 6 台');
    expect(errorCode(await decideRaw(t, 'dispatcher', consentId, 'APPROVE'))).toBe('FORBIDDEN');
    expect(errorCode(await decideRaw(t, 'jincheng', consentId, 'APPROVE'))).toBe('FORBIDDEN');
    ok(await decideRaw(t, 'admin', consentId, 'APPROVE'));
    expect((await stockAt(t, YUNCHENG, PURIFIER))[0]).toMatchObject({ reserved: 6 });
    const executed = ok(await execute()).executeDispatchPlan;
    expect(executed.status).toBe('EXECUTING');
    const settlements = ok(
      await t.gql(`query { settlements(status: OPEN) { owedTo { code } owedBy { code } store { id } quantity value plan { id } status } }`, {}, 'dispatcher'),
    ).settlements.filter((s: any) => s.plan?.id === plan.id);
    expect(settlements).toEqual(
      expect.arrayContaining([
        {
          owedTo: { code: '140500000000' },
          owedBy: { code: '410700000000' },
          store: { id: JINCHENG },
          quantity: 4,
          value: '48000.00',
          plan: { id: plan.id },
          status: 'OPEN',
        },
        {
          owedTo: { code: '140800000000' },
          owedBy: { code: '410700000000' },
          store: { id: YUNCHENG },
          quantity: 6,
          value: '66000.00',
          plan: { id: plan.id },
          status: 'OPEN',
        },
      ]),
    );
    // 晋城 sees what it is owed and settles it with a reference; 新乡 cannot settle what it owes. 新乡's plan is not 晋城's
    // to read: the settlement names it by id, and `plan` is null — not an error in the list (D25, sweep 6b M1).
    const owed = ok(await t.gql(`query { settlements(status: OPEN) { id store { id } planId plan { id } } }`, {}, 'jincheng')).settlements.find(
      (s: any) => s.store.id === JINCHENG,
    );
    expect(owed).toMatchObject({ planId: plan.id, plan: null });
    const settle = (as: string, reference: string | null) =>
      t.gql(`mutation($i: SettleInput!) { settle(input: $i) { status reference settledBy { username } } }`, { i: { settlementId: owed.id, reference } }, as);
    expect(errorCode(await settle('dispatcher', '豫应急〔2026〕3号'))).toBe('FORBIDDEN');
    expect(errorCode(await settle('jincheng', null))).toBe('BAD_USER_INPUT');
    expect(ok(await settle('jincheng', '实物归还 RK-2026-000777')).settle).toEqual({
      status: 'SETTLED',
      reference: '实物归还 RK-2026-000777',
      settledBy: { username: 'jincheng' },
    });
    expect(errorCode(await settle('jincheng', '再次'))).toBe('INVALID_STATE');
  });

  it('D14, D24: the emergency path — one dispatcher approves and executes at once; the written approval must come from another person', async () => {
    await receive(t, 'dispatcher', XINXIANG, [{ itemId: HOSE, quantity: 30, batchNo: 'AU-SD-01', unitPrice: '300.00', expiryDate: '2031-01-01' }]);
    const incident = ok(
      await t.gql(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        { i: { name: '卫辉市紧急抢险', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } } },
        'dispatcher',
      ),
    ).createIncident.id;
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
        {
          i: {
            incidentId: incident,
            destinations: [{ name: '汲水镇', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: HOSE, quantity: 10 }] }],
          },
        },
        'dispatcher',
      ),
    ).requestDispatch;
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: plan.id }, 'dispatcher'));
    ok(await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id } }`, { p: plan.id, k: key() }, 'dispatcher'));
    const written = await pendingApprovalOf(t, plan.id, 'EMERGENCY_WRITTEN_APPROVAL');
    const due = (await approvalsOf('director', { kind: 'EMERGENCY_WRITTEN_APPROVAL' })).find((a: any) => a.id === written);
    expect(due).toBeTruthy();
    const record = (as: string) =>
      t.gql(`mutation($p: ID!) { recordWrittenApproval(planId: $p, approvalRef: "新应急〔2026〕12号") { writtenApprovalRef } }`, { p: plan.id }, as);
    expect(errorCode(await record('dispatcher'))).toBe('FORBIDDEN');
    expect(ok(await record('director')).recordWrittenApproval.writtenApprovalRef).toBe('新应急〔2026〕12号');
    expect(approverFor('keeper')).toBe('admin');
  });
});
