import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, JINCHENG, receive, TANGZHUANG, TRANSFER_FIELDS, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { approveWriteOffs } from '../support/authority.ts';
import { cancelTransferRaw, ledgerCounts, lineOf, ok, receiveTransferRaw, seqOf, shipRaw, transferById } from '../support/ledger-ops.ts';

const ext = (res: { errors?: { extensions: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions ?? {};

type T = ReturnType<typeof useTestApp>;

/** Receives `quantity` of a fresh batch at 卫辉 and returns its batch id. */
async function stockUp(t: T, item: string, batchNo: string, quantity: number, unitPrice = '100.00') {
  const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: item, quantity, batchNo, unitPrice, expiryDate: '2031-01-01' }]);
  return doc.lines[0].batch.id as string;
}

/** Ships from 卫辉 to 唐庄 (汲水镇) as the keeper and returns the transfer. */
async function ship(t: T, lines: Record<string, unknown>[], from = WEIHUI, to = TANGZHUANG, as = 'keeper') {
  return ok(await shipRaw(t, as, { fromStoreId: from, toStoreId: to, lines })).shipTransfer;
}

describe('transfers (调拨): ship, receive, cancel', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  it('shipTransfer: source on hand drops, destination shows it in transit, transfer IN_TRANSIT with its lines', async () => {
    const item = itemId('FIR-003');
    const batchId = await stockUp(t, item, 'TR-SHIP', 30, '2000.00');
    const tr = await ship(t, [{ itemId: item, quantity: 12 }]);
    expect(tr.number).toMatch(/^DB-2026-\d{6}$/);
    expect(tr).toMatchObject({ status: 'IN_TRANSIT', fromStore: { id: WEIHUI }, toStore: { id: TANGZHUANG } });
    expect(tr.lines).toEqual([
      {
        batch: { id: batchId, batchNo: 'TR-SHIP' },
        item: { id: item },
        shipped: 12,
        received: 0,
        lost: 0,
        cancelled: 0,
        inTransit: 12,
        discrepancyReason: null,
      },
    ]);
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 18, inTransit: 0, value: '36000.00' });
    // In-transit stock is valued and traceable at the destination.
    expect(await lineOf(t, TANGZHUANG, item, batchId)).toMatchObject({ onHand: 0, inTransit: 12, value: '0.00', inTransitValue: '24000.00' });
    // Both sides may read the transfer.
    expect((await transferById(t, tr.id, 'keeper')).status).toBe('IN_TRANSIT');
    expect((await transferById(t, tr.id, 'dispatcher')).lines[0].inTransit).toBe(12);
  });

  it('shipTransfer takes batches FEFO (D8) and splits across batches', async () => {
    const item = itemId('FIR-004');
    const late = (await receive(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 5, batchNo: 'TR-FEFO-LATE', expiryDate: '2033-01-01' }])).lines[0].batch.id;
    const early = (await receive(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 5, batchNo: 'TR-FEFO-EARLY', expiryDate: '2028-01-01' }])).lines[0].batch.id;
    const tr = await ship(t, [{ itemId: item, quantity: 7 }]);
    const shipped = Object.fromEntries(tr.lines.map((l: any) => [l.batch.id, l.shipped]));
    expect(shipped).toEqual({ [early]: 5, [late]: 2 });
  });

  it('to the same store → BAD_USER_INPUT naming input.toStoreId', async () => {
    const item = itemId('LIV-003');
    await stockUp(t, item, 'TR-SAME', 3);
    const before = await ledgerCounts(t);
    const res = await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: WEIHUI, lines: [{ itemId: item, quantity: 1 }] });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('input.toStoreId');
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('shipping more than available → INSUFFICIENT_STOCK, no transfer is created', async () => {
    const item = itemId('LIV-007');
    await stockUp(t, item, 'TR-SHORT', 4);
    const before = await ledgerCounts(t);
    const res = await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, lines: [{ itemId: item, quantity: 5 }] });
    expect(errorCode(res)).toBe('INSUFFICIENT_STOCK');
    expect(ext(res).available).toBe(4);
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('the receiving keeper opens the shipping document by id (its counterpart, as the record policy reads it); 晋城 may not', async () => {
    const item = itemId('FIR-005');
    await receive(t, 'admin', XINXIANG, [{ itemId: item, quantity: 4, batchNo: 'TR-DOC-CP', expiryDate: '2031-01-01' }]);
    const tr = await ship(t, [{ itemId: item, quantity: 3 }], XINXIANG, WEIHUI, 'admin');
    const inTransit = ok(
      await t.gql(
        `query($f: MovementFilter!) { movements(filter: $f) { edges { node { document { id number store { id } counterpartStore { id } } } } } }`,
        { f: { storeId: WEIHUI, itemId: item } },
        'keeper',
      ),
    ).movements.edges.map((e: any) => e.node.document);
    expect(inTransit).toHaveLength(1);
    expect(inTransit[0]).toMatchObject({ store: { id: XINXIANG }, counterpartStore: { id: WEIHUI } });
    const read = (as: string) => t.gql(`query($id: ID!) { document(id: $id) { id number } }`, { id: inTransit[0].id }, as);
    expect(ok(await read('keeper')).document).toEqual({ id: inTransit[0].id, number: inTransit[0].number });
    expect(errorCode(await read('jincheng'))).toBe('FORBIDDEN');
    expect(tr.status).toBe('IN_TRANSIT');
  });

  it('a keeper may not ship from a store that is not theirs; an auditor not at all (FORBIDDEN)', async () => {
    const item = itemId('LIV-008');
    await receive(t, 'admin', TANGZHUANG, [{ itemId: item, quantity: 3, batchNo: 'TR-TZ' }]);
    expect(errorCode(await shipRaw(t, 'keeper', { fromStoreId: TANGZHUANG, toStoreId: WEIHUI, lines: [{ itemId: item, quantity: 1 }] }))).toBe('FORBIDDEN');
    expect(errorCode(await shipRaw(t, 'auditor', { fromStoreId: TANGZHUANG, toStoreId: WEIHUI, lines: [{ itemId: item, quantity: 1 }] }))).toBe('FORBIDDEN');
    expect(errorCode(await shipRaw(t, 'dispatcher', { fromStoreId: JINCHENG, toStoreId: WEIHUI, lines: [{ itemId: item, quantity: 1 }] }))).toBe('FORBIDDEN');
  });

  it('DESIGN: the shipping side ships, the receiving side receives — the keeper cannot receive at 唐庄 (FORBIDDEN)', async () => {
    const item = itemId('FIR-005');
    const batchId = await stockUp(t, item, 'TR-KEEPER', 10);
    const tr = await ship(t, [{ itemId: item, quantity: 10 }]);
    const before = await ledgerCounts(t);
    const res = await receiveTransferRaw(t, 'keeper', { transferId: tr.id, lines: [{ batchId, quantity: 10 }] });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await lineOf(t, TANGZHUANG, item, batchId)).toMatchObject({ onHand: 0, inTransit: 10 });
    // The auditor neither.
    expect(errorCode(await receiveTransferRaw(t, 'auditor', { transferId: tr.id, lines: [{ batchId, quantity: 10 }] }))).toBe('FORBIDDEN');
  });

  it('receiveTransfer: partial → PARTIALLY_RECEIVED, the rest → RECEIVED; the batch keeps its identity at the destination', async () => {
    const item = itemId('LIV-012');
    const batchId = await stockUp(t, item, 'TR-PARTIAL', 20, '268.00');
    const tr = await ship(t, [{ itemId: item, quantity: 15 }]);

    const first = ok(await receiveTransferRaw(t, 'dispatcher', { transferId: tr.id, lines: [{ batchId, quantity: 6 }] })).receiveTransfer;
    expect(first.status).toBe('PARTIALLY_RECEIVED');
    expect(first.lines[0]).toMatchObject({ shipped: 15, received: 6, lost: 0, inTransit: 9 });
    expect(await lineOf(t, TANGZHUANG, item, batchId)).toMatchObject({ onHand: 6, inTransit: 9, value: '1608.00' });

    const second = ok(await receiveTransferRaw(t, 'dispatcher', { transferId: tr.id, lines: [{ batchId, quantity: 9 }] })).receiveTransfer;
    expect(second.status).toBe('RECEIVED');
    expect(second.lines[0]).toMatchObject({ shipped: 15, received: 15, lost: 0, cancelled: 0, inTransit: 0 });
    // Same batch id at both stores: 5 left at the source, 15 at the destination.
    expect(await lineOf(t, TANGZHUANG, item, batchId)).toMatchObject({ onHand: 15, inTransit: 0 });
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 5, inTransit: 0 });

    // The receipt documents are numbered DR and stand at the destination.
    const docs = ok(
      await t.gql(
        `query($f: MovementFilter!) { movements(filter: $f) { edges { node { bucket quantity store { id } document { number type } } } } }`,
        { f: { batchId, type: 'TRANSFER_IN' } },
        'admin',
      ),
    ).movements.edges.map((e: any) => e.node);
    expect(docs).toHaveLength(4);
    expect(docs.every((d: any) => d.store.id === TANGZHUANG && /^DR-2026-\d{6}$/.test(d.document.number))).toBe(true);
  });

  it('receiving more than is in transit → BAD_USER_INPUT with the in-transit quantity, and nothing changes', async () => {
    const item = itemId('LIV-014');
    const batchId = await stockUp(t, item, 'TR-OVER', 10);
    const tr = await ship(t, [{ itemId: item, quantity: 8 }]);
    ok(await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId, quantity: 3 }] }));
    const before = await ledgerCounts(t);
    const res = await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId, quantity: 6 }] });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res)).toMatchObject({ field: 'input.lines.0.quantity', inTransit: 5 });
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await lineOf(t, TANGZHUANG, item, batchId)).toMatchObject({ onHand: 3, inTransit: 5 });
    expect((await transferById(t, tr.id)).status).toBe('PARTIALLY_RECEIVED');
  });

  it('a batch that is not on the transfer → BAD_USER_INPUT', async () => {
    const item = itemId('LIV-018');
    const batchId = await stockUp(t, item, 'TR-ON', 5);
    const other = await stockUp(t, item, 'TR-NOT-ON', 5);
    const tr = await ship(t, [{ itemId: item, quantity: 2, batchId }]);
    const res = await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId: other, quantity: 1 }] });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('input.lines.0.batchId');
  });

  it('a discrepancy reason (TRANSIT_LOSS) on a short receipt closes the line: the rest is disputed until its write-off is approved (D27), then lost, status RECEIVED', async () => {
    const item = itemId('FLD-002');
    const batchId = await stockUp(t, item, 'TR-LOSS', 100, '4.50');
    const tr = await ship(t, [{ itemId: item, quantity: 100 }]);
    const res = ok(
      await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId, quantity: 97, discrepancyReason: 'TRANSIT_LOSS' }] }),
    ).receiveTransfer;
    expect(res.status).toBe('PARTIALLY_RECEIVED');
    expect(res.lines[0]).toMatchObject({ shipped: 100, received: 97, lost: 0, cancelled: 0, inTransit: 3, discrepancyReason: { code: 'TRANSIT_LOSS' } });
    expect(await lineOf(t, TANGZHUANG, item, batchId)).toMatchObject({ onHand: 97, inTransit: 3 });
    await approveWriteOffs(t, 'admin', tr.id);
    const closed = ok(await t.gql(`query($id: ID!) { transfer(id: $id) { ${TRANSFER_FIELDS} } }`, { id: tr.id }, 'admin')).transfer;
    expect(closed.status).toBe('RECEIVED');
    expect(closed.lines[0]).toMatchObject({ shipped: 100, received: 97, lost: 3, cancelled: 0, inTransit: 0 });
    expect(await lineOf(t, TANGZHUANG, item, batchId)).toMatchObject({ onHand: 97, inTransit: 0, value: '436.50' });
    expect(await lineOf(t, WEIHUI, item, batchId)).toBeUndefined();
    // Nothing leaves the books silently: the loss is a movement out of transit with the reason, on the approved write-off.
    const lossMoves = ok(
      await t.gql(
        `query($f: MovementFilter!) { movements(filter: $f) { edges { node { bucket quantity reason { code } } } } }`,
        { f: { batchId, type: 'WRITE_OFF' } },
        'admin',
      ),
    )
      .movements.edges.map((e: any) => e.node)
      .filter((m: any) => m.reason);
    expect(lossMoves).toEqual([{ bucket: 'IN_TRANSIT', quantity: -3, reason: { code: 'TRANSIT_LOSS' } }]);
  });

  it('D9, D27: nothing of a batch arrived: quantity 0 with a reason (LOST) writes off the whole line; quantity 0 without a reason → BAD_USER_INPUT at the reason, saying a reason is wanted (sweep 18b F1)', async () => {
    const item = itemId('FLD-004');
    const gone = await stockUp(t, item, 'TR-ALL-LOST', 3);
    const arrived = await stockUp(t, item, 'TR-ARRIVED', 3);
    const tr = await ship(t, [
      { itemId: item, quantity: 3, batchId: gone },
      { itemId: item, quantity: 3, batchId: arrived },
    ]);
    const bad = await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId: gone, quantity: 0 }] });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    // Not 「数量须大于 0」 at the quantity: 0 is what closes the line, once a reason says why (sweep 18b F1).
    expect(ext(bad).field).toBe('input.lines.0.discrepancyReason');
    expect(bad.errors![0].message).toBe('第 1 行：实收为 0 的须选择差异原因（未到货的原因，如破损、丢失）');

    const part = ok(
      await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId: gone, quantity: 0, discrepancyReason: 'LOST' }] }),
    ).receiveTransfer;
    expect(part.status).toBe('PARTIALLY_RECEIVED'); // the other batch is still on its way
    expect(part.lines.find((l: any) => l.batch.id === gone)).toMatchObject({ received: 0, lost: 0, inTransit: 3, discrepancyReason: { code: 'LOST' } });
    await approveWriteOffs(t, 'admin', tr.id); // D27: written off once a second person approves
    const written = ok(await t.gql(`query($id: ID!) { transfer(id: $id) { ${TRANSFER_FIELDS} } }`, { id: tr.id }, 'admin')).transfer;
    expect(written.lines.find((l: any) => l.batch.id === gone)).toMatchObject({ received: 0, lost: 3, inTransit: 0 });
    expect(await lineOf(t, TANGZHUANG, item, gone)).toBeUndefined();

    const done = ok(await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId: arrived, quantity: 3 }] })).receiveTransfer;
    expect(done.status).toBe('RECEIVED');
    expect(await lineOf(t, TANGZHUANG, item, arrived)).toMatchObject({ onHand: 3, inTransit: 0 });
  });

  it('the same batch twice in one receipt → BAD_USER_INPUT', async () => {
    const item = itemId('FLD-006');
    const batchId = await stockUp(t, item, 'TR-TWICE', 4);
    const tr = await ship(t, [{ itemId: item, quantity: 4 }]);
    const res = await receiveTransferRaw(t, 'admin', {
      transferId: tr.id,
      lines: [
        { batchId, quantity: 1 },
        { batchId, quantity: 1 },
      ],
    });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('input.lines.1.batchId');
  });

  it('a discrepancy reason must be a TRANSFER reason (RELIEF → BAD_USER_INPUT)', async () => {
    const item = itemId('FLD-003');
    const batchId = await stockUp(t, item, 'TR-BADREASON', 10);
    const tr = await ship(t, [{ itemId: item, quantity: 10 }]);
    const res = await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId, quantity: 8, discrepancyReason: 'RELIEF' }] });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('input.lines.0.discrepancyReason');
    expect((await transferById(t, tr.id)).status).toBe('IN_TRANSIT');
  });

  it('API.md idempotency: a repeated receipt with the same key returns the transfer and posts nothing more', async () => {
    const item = itemId('FIR-009');
    const batchId = await stockUp(t, item, 'TR-REPLAY', 10, '1.10');
    const tr = await ship(t, [{ itemId: item, quantity: 10 }]);
    const input = { transferId: tr.id, lines: [{ batchId, quantity: 10 }], idempotencyKey: randomUUID() };
    const first = ok(await receiveTransferRaw(t, 'admin', input)).receiveTransfer;
    expect(first.status).toBe('RECEIVED');
    const before = await ledgerCounts(t);
    const again = ok(await receiveTransferRaw(t, 'admin', input)).receiveTransfer;
    expect(again).toEqual(first);
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await lineOf(t, TANGZHUANG, item, batchId)).toMatchObject({ onHand: 10, inTransit: 0 });
  });

  it('receiving a RECEIVED transfer → INVALID_STATE', async () => {
    const item = itemId('FLD-005');
    const batchId = await stockUp(t, item, 'TR-DONE', 4);
    const tr = await ship(t, [{ itemId: item, quantity: 4 }]);
    ok(await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId, quantity: 4 }] }));
    const before = await ledgerCounts(t);
    const res = await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId, quantity: 1 }] });
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(ext(res).status).toBe('RECEIVED');
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('cancelTransfer before receipt returns the stock to the source: CANCELLED, source restored, destination in transit 0', async () => {
    const item = itemId('FLD-007');
    const batchId = await stockUp(t, item, 'TR-CANCEL', 50, '35.00');
    const tr = await ship(t, [{ itemId: item, quantity: 20 }]);
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 30 });

    const res = ok(await cancelTransferRaw(t, 'keeper', tr.id)).cancelTransfer;
    expect(res.id).toBe(tr.id);
    expect(res.status).toBe('CANCELLED');
    expect(res.lines[0]).toMatchObject({ shipped: 20, received: 0, lost: 0, cancelled: 20, inTransit: 0 });
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 50, inTransit: 0, value: '1750.00' });
    expect(await lineOf(t, TANGZHUANG, item, batchId)).toBeUndefined(); // no on hand, nothing in transit

    // Receiving a CANCELLED transfer → INVALID_STATE; cancelling again → INVALID_STATE.
    const recv = await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId, quantity: 1 }] });
    expect(errorCode(recv)).toBe('INVALID_STATE');
    expect(ext(recv).status).toBe('CANCELLED');
    expect(errorCode(await cancelTransferRaw(t, 'keeper', tr.id))).toBe('INVALID_STATE');
  });

  it('cancelling after a partial receipt → INVALID_STATE and nothing changes', async () => {
    const item = itemId('FLD-008');
    const batchId = await stockUp(t, item, 'TR-CANCEL-LATE', 10);
    const tr = await ship(t, [{ itemId: item, quantity: 10 }]);
    ok(await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId, quantity: 4 }] }));
    const before = await ledgerCounts(t);
    const res = await cancelTransferRaw(t, 'keeper', tr.id);
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(ext(res).status).toBe('PARTIALLY_RECEIVED');
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await lineOf(t, TANGZHUANG, item, batchId)).toMatchObject({ onHand: 4, inTransit: 6 });
    expect(await lineOf(t, WEIHUI, item, batchId)).toBeUndefined();
  });

  it('cancelTransfer takes its own arguments: a blank reason is refused naming `reason` (no `input` here), and nothing changes', async () => {
    const item = itemId('FLD-009');
    await stockUp(t, item, 'TR-CANCEL-BLANK', 6);
    const tr = await ship(t, [{ itemId: item, quantity: 6 }]);
    const before = await ledgerCounts(t);
    const res = await t.gql(
      `mutation($id: ID!) { cancelTransfer(transferId: $id, reason: "   ", idempotencyKey: "cancel-blank-1") { id } }`,
      { id: tr.id },
      'keeper',
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('reason');
    expect(res.errors?.[0].message).toContain('撤销原因');
    expect(await ledgerCounts(t)).toEqual(before);
    expect((await transferById(t, tr.id)).status).toBe('IN_TRANSIT');
  });

  it('cancelling is for the shipping side: a user outside it → FORBIDDEN', async () => {
    const item = itemId('FIR-010');
    await receive(t, 'admin', XINXIANG, [{ itemId: item, quantity: 5, batchNo: 'TR-XX' }]);
    const tr = ok(await shipRaw(t, 'dispatcher', { fromStoreId: XINXIANG, toStoreId: TANGZHUANG, lines: [{ itemId: item, quantity: 5 }] })).shipTransfer;
    expect(errorCode(await cancelTransferRaw(t, 'keeper', tr.id))).toBe('FORBIDDEN');
    expect(errorCode(await cancelTransferRaw(t, 'auditor', tr.id))).toBe('FORBIDDEN');
    expect((await transferById(t, tr.id)).status).toBe('IN_TRANSIT');
  });

  it('a transfer is readable by either side only: the keeper of neither store → FORBIDDEN', async () => {
    const item = itemId('FLD-011');
    await receive(t, 'admin', XINXIANG, [{ itemId: item, quantity: 2, batchNo: 'TR-READ' }]);
    const tr = ok(await shipRaw(t, 'admin', { fromStoreId: XINXIANG, toStoreId: TANGZHUANG, lines: [{ itemId: item, quantity: 2 }] })).shipTransfer;
    const res = await t.gql(`query($id: ID!) { transfer(id: $id) { id } }`, { id: tr.id }, 'keeper');
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect((await transferById(t, tr.id, 'auditor')).status).toBe('IN_TRANSIT');
  });

  it('an unknown transfer → NOT_FOUND', async () => {
    expect(errorCode(await receiveTransferRaw(t, 'admin', { transferId: randomUUID(), lines: [{ batchId: randomUUID(), quantity: 1 }] }))).toBe('NOT_FOUND');
    expect(errorCode(await cancelTransferRaw(t, 'admin', randomUUID()))).toBe('NOT_FOUND');
  });

  it('transfer numbers increase (DB-2026-NNNNNN)', async () => {
    const item = itemId('FLD-010');
    await stockUp(t, item, 'TR-NUM', 2);
    const a = await ship(t, [{ itemId: item, quantity: 1 }]);
    const b = await ship(t, [{ itemId: item, quantity: 1 }]);
    expect(seqOf(b.number)).toBeGreaterThan(seqOf(a.number));
  });
});
