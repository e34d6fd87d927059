import request from 'supertest';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { DOC_FIELDS, expectLedgerConsistent, issue, receive, WEIHUI, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';
import { documentById, ledgerCounts, lineOf, ok, receiveTransferRaw, shipRaw, stocktakeRaw } from '../support/ledger-ops.ts';
import { download, openWorkbook, sheetValues } from '../support/paperwork.ts';

// Stocktake integrity (findings-keeper 1 and 2): a count is a fact about one moment, so its difference posts only onto
// the book it was counted against, one pending count per batch at a time (D9, D27); and a store counts only batches it
// holds or has held (D3) — found goods are a receipt (D7).

type T = ReturnType<typeof useTestApp>;
const ext = (res: { errors?: { extensions: Record<string, unknown>; message: string }[] }) => res.errors?.[0]?.extensions ?? {};

async function stockUp(t: T, item: string, batchNo: string, quantity: number, store = WEIHUI, as = 'keeper') {
  const doc = await receive(t, as, store, [{ itemId: item, quantity, batchNo, unitPrice: '10.00', expiryDate: '2031-01-01' }]);
  return doc.lines[0].batch.id as string;
}

/** A count left pending (differences wait for a second person, D27). */
async function pendingCount(t: T, batchId: string, countedQuantity: number, reason: string) {
  const doc = ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity, reason }] }, DOC_FIELDS, false)).submitStocktake;
  expect(doc.status).toBe('PENDING_APPROVAL');
  return { doc, approvalId: await pendingApprovalOf(t, doc.id, 'STOCKTAKE') };
}

describe('stocktake integrity (盘点, D9, D27, D3)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  it('D9, D27: a second count of a batch whose count awaits approval is refused (INVALID_STATE), naming the pending PD; after approval it may be counted again', async () => {
    const item = itemId('LIV-004');
    const batchId = await stockUp(t, item, 'SI-A', 80);
    const first = await pendingCount(t, batchId, 78, 'DAMAGED');
    const before = await ledgerCounts(t);
    // A lower count, and one that agrees with the book: either would leave the book matching no count once the first posts.
    for (const countedQuantity of [70, 80]) {
      const res = await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity, reason: 'DAMAGED' }] }, DOC_FIELDS, false);
      expect(errorCode(res)).toBe('INVALID_STATE');
      expect(ext(res).field).toBe('input.counts.0.batchId');
      expect(res.errors![0].message).toBe(`批次 SI-A 已有待审批的盘点 ${first.doc.number}，审批后再盘`);
    }
    expect(await ledgerCounts(t)).toEqual(before);
    ok(await decideRaw(t, 'admin', first.approvalId, 'APPROVE'));
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 78, reserved: 0 });
    const second = await pendingCount(t, batchId, 70, 'DAMAGED');
    ok(await decideRaw(t, 'admin', second.approvalId, 'APPROVE'));
    // 70, the last count made — not 68.
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 70, reserved: 0 });
  });

  it('D9, D27: a count rejected frees the batch for a new count', async () => {
    const item = itemId('LIV-006');
    const batchId = await stockUp(t, item, 'SI-REJ', 20);
    const first = await pendingCount(t, batchId, 15, 'LOST');
    ok(await decideRaw(t, 'admin', first.approvalId, 'REJECT'));
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 20, reserved: 0 });
    const again = await pendingCount(t, batchId, 19, 'LOST');
    ok(await decideRaw(t, 'admin', again.approvalId, 'APPROVE'));
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 19, reserved: 0 });
  });

  it('D9, D27: a gain counted while goods were in transit is refused at approval once they are received (book stays as received, never 45)', async () => {
    const item = itemId('FLD-001');
    const batchId = await stockUp(t, item, 'SI-B', 100, XINXIANG, 'admin');
    const shipped = ok(await shipRaw(t, 'admin', { fromStoreId: XINXIANG, toStoreId: WEIHUI, lines: [{ itemId: item, batchId, quantity: 50 }] })).shipTransfer;
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 0, inTransit: 50 });
    const count = await pendingCount(t, batchId, 5, 'STOCKTAKE_GAIN');
    ok(await receiveTransferRaw(t, 'keeper', { transferId: shipped.id, lines: [{ batchId, quantity: 40 }] }));
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 40 });
    const refused = await decideRaw(t, 'admin', count.approvalId, 'APPROVE');
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(refused.errors![0].message).toBe('批次 SI-B 的账面自盘点后已变动（盘点时 0，现为 40）：请驳回此盘点，重新盘点');
    // Nothing changed: the book is what was received, the count still waits, to be rejected.
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 40 });
    expect((await documentById(t, count.doc.id)).status).toBe('PENDING_APPROVAL');
    ok(await decideRaw(t, 'admin', count.approvalId, 'REJECT'));
    expect((await documentById(t, count.doc.id)).status).toBe('REJECTED');
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 40, reserved: 0 });
  });

  it('D9, D27: a held loss whose book moved (an issue) is refused at approval; its hold is not a move, and rejecting releases it', async () => {
    const item = itemId('LIV-002');
    const batchId = await stockUp(t, item, 'SI-HOLD', 10);
    const count = await pendingCount(t, batchId, 8, 'DAMAGED');
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 10, reserved: 2, available: 8 });
    ok(await issue(t, 'keeper', WEIHUI, [{ itemId: item, batchId, quantity: 3 }]));
    const refused = await decideRaw(t, 'admin', count.approvalId, 'APPROVE');
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(ext(refused)).toMatchObject({ bookQuantity: 10, currentBookQuantity: 7 });
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 7, reserved: 2 });
    ok(await decideRaw(t, 'admin', count.approvalId, 'REJECT'));
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 7, reserved: 0 });
  });

  it('D9, D27: normal path — a loss approved on an unchanged book (its own hold in place) and a gain approved: book = count', async () => {
    const item = itemId('LIV-003');
    const loss = await stockUp(t, item, 'SI-OK-1', 30);
    const gain = await stockUp(t, item, 'SI-OK-2', 30);
    const doc = ok(
      await stocktakeRaw(
        t,
        'keeper',
        {
          storeId: WEIHUI,
          counts: [
            { batchId: loss, countedQuantity: 27, reason: 'MOULDY' },
            { batchId: gain, countedQuantity: 31, reason: 'STOCKTAKE_GAIN' },
          ],
        },
        DOC_FIELDS,
        false,
      ),
    ).submitStocktake;
    expect(await lineOf(t, WEIHUI, item, loss)).toMatchObject({ onHand: 30, reserved: 3 });
    ok(await decideRaw(t, 'admin', await pendingApprovalOf(t, doc.id, 'STOCKTAKE'), 'APPROVE'));
    expect((await documentById(t, doc.id)).status).toBe('POSTED');
    expect(await lineOf(t, WEIHUI, item, loss)).toMatchObject({ onHand: 27, reserved: 0 });
    expect(await lineOf(t, WEIHUI, item, gain)).toMatchObject({ onHand: 31, reserved: 0 });
    // A count that agrees posts at once.
    const agreed = ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId: loss, countedQuantity: 27 }] })).submitStocktake;
    expect(agreed.status).toBe('POSTED');
  });

  it('D3: a batch this store never held (another store’s) is refused (BAD_USER_INPUT), its number not revealed, nothing written', async () => {
    const item = itemId('LIV-005');
    const foreign = await stockUp(t, item, 'SI-FOREIGN', 40, XINXIANG_COUNTY, 'admin');
    const own = await stockUp(t, item, 'SI-OWN', 5);
    const before = await ledgerCounts(t);
    const res = await t.gql(
      `mutation($input: StocktakeInput!) { submitStocktake(input: $input) { id lines { batch { batchNo } } } }`,
      {
        input: {
          storeId: WEIHUI,
          idempotencyKey: 'si-foreign',
          counts: [
            { batchId: own, countedQuantity: 5 },
            { batchId: foreign, countedQuantity: 5, reason: 'STOCKTAKE_GAIN' },
          ],
        },
      },
      'keeper',
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('input.counts.1.batchId');
    expect(res.errors![0].message).toBe('本库没有该批次的记录；新发现的物资请办理入库');
    expect(JSON.stringify(res)).not.toContain('SI-FOREIGN');
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await lineOf(t, WEIHUI, item, foreign)).toBeUndefined();
  });

  it('D3, D9: the 盘点表 upload follows the same rules — another store’s batch is a bad row; a batch with a pending count is refused', async () => {
    const item = itemId('LIV-007');
    const foreign = await stockUp(t, item, 'SI-SHEET-X', 9, XINXIANG_COUNTY, 'admin');
    const own = await stockUp(t, item, 'SI-SHEET', 9);
    const upload = async (ws: ExcelJS.Worksheet) =>
      request(t.app)
        .post(`/paperwork/stocktake-sheets/${WEIHUI}`)
        .set('authorization', `Bearer ${await t.token('keeper')}`)
        .attach('file', Buffer.from(await ws.workbook.xlsx.writeBuffer()), '盘点表.xlsx');
    const sheet = async (batchId: string, counted: number, reason: string) => {
      const ws = await openWorkbook((await download(t, `/paperwork/stocktake-sheets/${WEIHUI}.xlsx`, 'keeper')).body as Buffer);
      const rows = sheetValues(ws, 5);
      const at = 5 + rows.findIndex((r) => r[5] === 'SI-SHEET');
      ws.getCell(at, 10).value = counted;
      ws.getCell(at, 11).value = reason;
      ws.getCell(at, 12).value = batchId;
      return ws;
    };
    const before = await ledgerCounts(t);
    const res = await upload(await sheet(foreign, 9, '盘盈'));
    expect(res.status).toBe(400);
    expect(res.body.error.errors).toEqual([{ row: expect.any(Number), column: '批次编号', message: '本库没有该批次的记录；新发现的物资请办理入库' }]);
    expect(JSON.stringify(res.body)).not.toContain('SI-SHEET-X');
    expect(await ledgerCounts(t)).toEqual(before);

    const first = await pendingCount(t, own, 8, 'DAMAGED');
    const again = await upload(await sheet(own, 7, '破损'));
    // README: an upload's refusal names the Excel row (paperwork sweep C, P6).
    expect(again.status).toBe(400);
    expect(again.body.error.errors).toEqual([{ row: expect.any(Number), column: '批次编号', message: `已有待审批的盘点 ${first.doc.number}，审批后再盘` }]);
    ok(await decideRaw(t, 'admin', first.approvalId, 'APPROVE'));
    expect(await lineOf(t, WEIHUI, item, own)).toMatchObject({ onHand: 8 });
  });
});
