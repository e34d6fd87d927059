import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { DOC_FIELDS, expectLedgerConsistent, issue, receive, WEIHUI } from '../support/ledger.ts';
import { documentById, ledgerCounts, lineOf, ok, stocktakeRaw } from '../support/ledger-ops.ts';
import { download, openWorkbook, sheetValues } from '../support/paperwork.ts';

// Sweep 7b H1: a count is a fact about one moment (D9). A count dated in the past (occurredAt) was compared with the
// book *now* and its difference posted at its date: a correct count entered after an issue became a phantom gain, a
// real loss a gain, and a count dated before the batch came here a gain in a past valuation (D21, D31). It is refused
// when the batch moved after the count's moment, as an approval is when the book moved since the count (D27); the 盘点表
// upload says when the printed 账面数 is no longer the book. The test clock stands at NOW, 2026-07-20 10:00 (China).

type T = ReturnType<typeof useTestApp>;
const ext = (res: { errors?: { extensions: Record<string, unknown>; message: string }[] }) => res.errors?.[0]?.extensions ?? {};

const AT_7 = '2026-07-20T07:00:00+08:00';
const AT_9 = '2026-07-20T09:00:00+08:00';

async function stockUp(t: T, item: string, batchNo: string, quantity: number, extra: Record<string, unknown> = {}) {
  const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: item, quantity, batchNo, unitPrice: '10.00', expiryDate: '2031-01-01' }], extra);
  return doc.lines[0].batch.id as string;
}

const count = (t: T, counts: Record<string, unknown>[], occurredAt?: string) =>
  stocktakeRaw(t, 'keeper', { storeId: WEIHUI, ...(occurredAt ? { occurredAt } : {}), counts }, DOC_FIELDS, false);

async function summaryOf(t: T, documentId: string): Promise<string> {
  const approvals = ok(
    await t.gql(`{ approvals(filter: { kind: STOCKTAKE, status: PENDING }, first: 500) { edges { node { summary subjectId } } } }`, {}, 'director'),
  ).approvals.edges.map((e: any) => e.node);
  return approvals.find((a: any) => a.subjectId === documentId)?.summary as string;
}

const valuation = async (t: T, asOf: string) =>
  ok(await t.gql(`query($asOf: DateTime!) { valuation(asOf: $asOf, regionCode: "410781") { total } }`, { asOf }, 'auditor')).valuation.total as string;

describe('a back-dated stocktake against a book that moved since (盘点, D9, D21, D27, sweep 7b H1)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  it('D9, D22: 100 counted at 09:00, 20 issued at 10:00, the count entered now dated 09:00 is BAD_USER_INPUT at input.occurredAt — no phantom gain of 20', async () => {
    const item = itemId('LIV-004');
    const batchId = await stockUp(t, item, 'BD-GAIN', 100, { occurredAt: AT_7 });
    ok(await issue(t, 'keeper', WEIHUI, [{ itemId: item, batchId, quantity: 20 }]));
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 80 });
    const before = await ledgerCounts(t);
    const res = await count(t, [{ batchId, countedQuantity: 100, reason: 'STOCKTAKE_GAIN' }], AT_9);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res)).toMatchObject({ field: 'input.occurredAt', batchId, countedAt: '2026-07-20T09:00:00+08:00', lastMovementAt: '2026-07-20T10:00:00+08:00' });
    expect(res.errors![0].message).toBe(
      '批次 BD-GAIN 在盘点时间 2026-07-20 09:00 之后还有出入库（最近一笔在 2026-07-20 10:00，北京时间），现在的账面已不是盘点时的账面，不能按该时间登记盘点：' +
        '请现在重新盘点、不填盘点时间登记；如实际是在 2026-07-20 10:00 之后清点的，请填写实际清点时间',
    );
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 80, reserved: 0 });
    // The same shelf counted now (80) agrees with the book and posts at once.
    const now = ok(await count(t, [{ batchId, countedQuantity: 80 }])).submitStocktake;
    expect(now.status).toBe('POSTED');
  });

  it('D9: a loss counted at 09:00 (90 of 100) before 20 were issued is not turned into a gain of 10 on the book of 80 — refused with either reason', async () => {
    const item = itemId('LIV-006');
    const batchId = await stockUp(t, item, 'BD-LOSS', 100, { occurredAt: AT_7 });
    const other = await stockUp(t, item, 'BD-LOSS-2', 10, { occurredAt: AT_7 });
    ok(await issue(t, 'keeper', WEIHUI, [{ itemId: item, batchId, quantity: 20 }]));
    const before = await ledgerCounts(t);
    for (const reason of ['DAMAGED', 'STOCKTAKE_GAIN']) {
      // The unmoved batch counted beside it is fine; the moved one is named, whichever line it is on.
      const res = await count(
        t,
        [
          { batchId: other, countedQuantity: 10 },
          { batchId, countedQuantity: 90, reason },
        ],
        AT_9,
      );
      expect(errorCode(res), reason).toBe('BAD_USER_INPUT');
      expect(ext(res)).toMatchObject({ field: 'input.occurredAt', batchId, movedBatchIds: [batchId] });
      expect(res.errors![0].message).toMatch(/^批次 BD-LOSS 在盘点时间 2026-07-20 09:00 之后还有出入库/);
    }
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 80, reserved: 0 });
  });

  it('D21, D31: a count dated before the batch was received here is refused (gain or none), and the valuation at that past instant stays as it was', async () => {
    const item = itemId('LIV-001');
    const batchId = await stockUp(t, item, 'BD-PAST', 100);
    const past = '2001-01-01T00:00:00+08:00';
    const value = await valuation(t, past);
    const before = await ledgerCounts(t);
    const gain = await count(t, [{ batchId, countedQuantity: 102, reason: 'STOCKTAKE_GAIN' }], '2000-01-01T00:00:00+08:00');
    expect(errorCode(gain)).toBe('BAD_USER_INPUT');
    expect(ext(gain)).toMatchObject({ field: 'input.occurredAt', batchId });
    expect(gain.errors![0].message).toBe(
      '批次 BD-PAST 在本库最早的入库是 2026-07-20 10:00，盘点时间 2000-01-01 00:00（北京时间）时本库还没有该批次，不能按该时间登记盘点：请核对盘点时间，或现在重新盘点、不填盘点时间登记',
    );
    // A count that agrees with today's book, dated 1990, is not a record of 1990's shelf either.
    const agreed = await count(t, [{ batchId, countedQuantity: 100 }], '1990-01-01T00:00:00+08:00');
    expect(errorCode(agreed)).toBe('BAD_USER_INPUT');
    expect(ext(agreed).field).toBe('input.occurredAt');
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await valuation(t, past)).toBe(value);
  });

  it('D9, D27: a back-dated count with no movement since posts as before; its approval summary names the count time, and approval books it', async () => {
    const item = itemId('LIV-002');
    const batchId = await stockUp(t, item, 'BD-OK', 50, { occurredAt: AT_7 });
    const agreed = await stockUp(t, item, 'BD-OK-2', 5, { occurredAt: AT_7 });
    const doc = ok(await count(t, [{ batchId, countedQuantity: 48, reason: 'DAMAGED' }], AT_9)).submitStocktake;
    expect(doc.status).toBe('PENDING_APPROVAL');
    expect(doc.occurredAt).toBe('2026-07-20T09:00:00+08:00');
    expect(doc.lines[0]).toMatchObject({ bookQuantity: 50, countedQuantity: 48, quantity: -2 });
    const summary = await summaryOf(t, doc.id);
    expect(summary).toBe(`卫辉市救灾物资储备库 盘点 ${doc.number}（盘点时间 2026-07-20 09:00）：盘盈 0，盘亏 2 顶，待审批后调账`);
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, doc.id, 'STOCKTAKE'), 'APPROVE'));
    expect((await documentById(t, doc.id)).status).toBe('POSTED');
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 48, reserved: 0 });
    // One without differences posts at once; a count dated at the last movement itself is not after it.
    expect(ok(await count(t, [{ batchId: agreed, countedQuantity: 5 }], AT_7)).submitStocktake.status).toBe('POSTED');
  });

  it('D9: a count without occurredAt is of now — unaffected, even by a movement dated a few seconds ahead; its summary unchanged', async () => {
    const item = itemId('LIV-003');
    const batchId = await stockUp(t, item, 'BD-NOW', 30, { occurredAt: AT_7 });
    ok(await issue(t, 'keeper', WEIHUI, [{ itemId: item, batchId, quantity: 5 }]));
    // Received with a time 30 s ahead of the clock (within the minute a clock may run fast).
    const ahead = await stockUp(t, item, 'BD-AHEAD', 7, { occurredAt: '2026-07-20T10:00:30+08:00' });
    const doc = ok(
      await count(t, [
        { batchId, countedQuantity: 24, reason: 'DAMAGED' },
        { batchId: ahead, countedQuantity: 7 },
      ]),
    ).submitStocktake;
    expect(doc.status).toBe('PENDING_APPROVAL');
    expect(doc.lines.map((l: any) => [l.bookQuantity, l.countedQuantity])).toEqual([
      [25, 24],
      [7, 7],
    ]);
    const summary = await summaryOf(t, doc.id);
    expect(summary).toBe(`卫辉市救灾物资储备库 盘点 ${doc.number}：盘盈 0，盘亏 1 顶，待审批后调账`);
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, doc.id, 'STOCKTAKE'), 'APPROVE'));
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 24 });
  });

  it('D9: the 盘点表 printed with 账面数 57, one issued, 57 counted — the row says the book moved since printing, not asked for a 盘盈 reason; a count agreeing with the book now posts', async () => {
    const item = itemId('LIV-005');
    const batchId = await stockUp(t, item, 'BD-SHEET', 57);
    const printed = await openWorkbook((await download(t, `/paperwork/stocktake-sheets/${WEIHUI}.xlsx`, 'keeper')).body as Buffer);
    const rows = sheetValues(printed, 5);
    const at = 5 + rows.findIndex((r) => r[5] === 'BD-SHEET');
    expect(printed.getCell(at, 9).value).toBe(57);
    ok(await issue(t, 'keeper', WEIHUI, [{ itemId: item, batchId, quantity: 1 }]));
    const upload = async (counted: number, reason: string | null) => {
      const ws = await openWorkbook(Buffer.from(await printed.workbook.xlsx.writeBuffer()));
      ws.getCell(at, 10).value = counted;
      ws.getCell(at, 11).value = reason;
      return request(t.app)
        .post(`/paperwork/stocktake-sheets/${WEIHUI}`)
        .set('authorization', `Bearer ${await t.token('keeper')}`)
        .attach('file', Buffer.from(await ws.workbook.xlsx.writeBuffer()), '盘点表.xlsx');
    };
    const before = await ledgerCounts(t);
    for (const reason of [null, '盘盈']) {
      const res = await upload(57, reason);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.errors).toEqual([
        {
          row: at,
          column: '账面数',
          message: '打印盘点表后账面已由 57 变为 56（其间有出入库），实盘 57 不能判断是变动前还是变动后清点的：请重新下载盘点表，按现在的实存填写实盘数后上传',
        },
      ]);
    }
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 56, reserved: 0 });
    // Counted as the book is now: a count of now, posted at once.
    const agreed = await upload(56, null);
    expect(agreed.status, JSON.stringify(agreed.body)).toBe(201);
    expect(agreed.body).toMatchObject({ type: 'STOCKTAKE', status: 'POSTED', lines: 1 });
    // A sheet downloaded again prints 56: a loss on it asks for its reason, as ever.
    const fresh = await openWorkbook((await download(t, `/paperwork/stocktake-sheets/${WEIHUI}.xlsx`, 'keeper')).body as Buffer);
    const row = 5 + sheetValues(fresh, 5).findIndex((r) => r[5] === 'BD-SHEET');
    expect(fresh.getCell(row, 9).value).toBe(56);
    fresh.getCell(row, 10).value = 55;
    const loss = await request(t.app)
      .post(`/paperwork/stocktake-sheets/${WEIHUI}`)
      .set('authorization', `Bearer ${await t.token('keeper')}`)
      .attach('file', Buffer.from(await fresh.workbook.xlsx.writeBuffer()), '盘点表.xlsx');
    expect(loss.status).toBe(400);
    expect(loss.body.error.errors).toEqual([{ row, column: '原因', message: expect.stringMatching(/^账面 56、实盘 55，须填写盘亏原因/) }]);
  });
  // Last: it closes June for the rest of the file.
  it('D22: a back-dated count in a closed month is refused as such (PERIOD_CLOSED), though the batch moved since too', async () => {
    const item = itemId('LIV-007');
    const batchId = await stockUp(t, item, 'BD-CLOSED', 12, { occurredAt: '2026-06-10T10:00:00+08:00' });
    ok(await issue(t, 'keeper', WEIHUI, [{ itemId: item, batchId, quantity: 2 }]));
    ok(await t.gql(`mutation { closePeriod(month: "2026-06") { month } }`, {}, 'admin'));
    const before = await ledgerCounts(t);
    const res = await count(t, [{ batchId, countedQuantity: 12 }], '2026-06-20T10:00:00+08:00');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res)).toMatchObject({ field: 'input.occurredAt', reason: 'PERIOD_CLOSED' });
    expect(await ledgerCounts(t)).toEqual(before);
  });
});
