import ExcelJS from 'exceljs';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { expectLedgerConsistent, QUILT, receive, stockAt, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { documentById, ledgerCounts, ok, reverseRaw, stocktakeRaw } from '../support/ledger-ops.ts';
import { download, openWorkbook, parseCsv, sheetValues } from '../support/paperwork.ts';

// Sweep findings on the paperwork (findings-paperwork-relief #4, #5, #7, #8, #9, #10): the opening-balance import keyed
// by its content and brought in once (D7), receiveStock's refusals named by Excel row, full-width digits in uploads,
// printed status and letterhead, and export date ranges in China days.

const HEAD = ['物资编码', '物资名称', '规格', '批号', '生产日期', '有效期至', '数量', '单价（元）', '资金来源', '产权单位'];
const OPENING = `/paperwork/opening-balances/${WEIHUI}`;
const HEADER_ROW = 4;

/** A workbook as a keeper types it: a title row, optionally a blank row, the headings, the rows; `created` as Excel saves it. */
async function workbook(rows: unknown[][], opts: { created?: Date; blank?: boolean } = {}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.created = wb.modified = opts.created ?? new Date('2026-07-01T08:00:00Z');
  const ws = wb.addWorksheet('台账');
  ws.addRow(['卫辉市救灾物资储备库 期初库存']);
  if (opts.blank) ws.addRow([]);
  ws.addRow(HEAD);
  rows.forEach((r) => ws.addRow(r));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const quilts = (...batches: string[]) => batches.map((b) => ['LIV-004', null, null, b, null, '2031-12-31', 10, 158, null, null]);

describe('paperwork sweep B', () => {
  const t = useTestApp();
  const upload = async (path: string, as: string, content: Buffer, name = '台账.xlsx') =>
    request(t.app)
      .post(path)
      .set('authorization', `Bearer ${await t.token(as)}`)
      .attach('file', content, name);
  const onHand = async (batchNo: string) =>
    (await stockAt(t, WEIHUI, QUILT)).filter((l: any) => l.batch.batchNo === batchNo).reduce((s: number, l: any) => s + l.onHand, 0);

  describe('期初建账 is brought in once (D7, API.md idempotency; finding #4)', () => {
    let first: { documentId: string; number: string };

    beforeAll(async () => {
      const res = await upload(OPENING, 'keeper', await workbook(quilts('OB-A-1', 'OB-A-2', 'OB-A-3')));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      first = res.body;
    });

    it('D7: the same sheet saved again in Excel (other bytes, same rows) answers with the first receipt; the stock is not doubled', async () => {
      const original = await workbook(quilts('OB-A-1', 'OB-A-2', 'OB-A-3'));
      const resaved = await workbook(quilts('OB-A-1', 'OB-A-2', 'OB-A-3'), { created: new Date('2026-07-15T09:30:00Z') });
      expect(resaved.equals(original)).toBe(false);
      const before = await ledgerCounts(t);
      for (const file of [resaved, original]) {
        const res = await upload(OPENING, 'keeper', file, '台账（已另存）.xlsx');
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body).toMatchObject({ documentId: first.documentId, number: first.number, replayed: true });
      }
      expect(await ledgerCounts(t)).toEqual(before);
      expect(await onHand('OB-A-2')).toBe(10);
    });

    it('D7: rows whose batch an earlier 期初建账 import at this store brought in are refused by row, naming that receipt — whoever uploads', async () => {
      const before = await ledgerCounts(t);
      // The same rows in another order, and one batch of them beside a new one: not the same request, so not a replay.
      const reordered = await upload(OPENING, 'keeper', await workbook(quilts('OB-A-3', 'OB-A-1', 'OB-A-2')));
      expect(reordered.status, JSON.stringify(reordered.body)).toBe(400);
      expect(reordered.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file' });
      expect(reordered.body.error.errors).toEqual(
        [3, 4, 5].map((row, i) => ({
          row,
          column: '批号',
          message: `批号 OB-A-${[3, 1, 2][i]} 已由期初建账 ${first.number} 导入本库，不能重复建账；如需更正，请先冲销该单据`,
        })),
      );
      expect(reordered.body.error.message).toMatch(/^文件中有 3 处错误，未入账。第 3 行「批号」/);
      const partly = await upload(OPENING, 'keeper', await workbook(quilts('OB-A-4', 'OB-A-2')));
      expect(partly.status).toBe(400);
      expect(partly.body.error.errors.map((e: any) => [e.row, e.column])).toEqual([[4, '批号']]);
      // Another user of the store (keys are per user): the same content is still a second opening balance.
      const other = await upload(OPENING, 'admin', await workbook(quilts('OB-A-1', 'OB-A-2', 'OB-A-3')));
      expect(other.status).toBe(400);
      expect(other.body.error.errors).toHaveLength(3);
      expect(await ledgerCounts(t)).toEqual(before);
      expect(await onHand('OB-A-1')).toBe(10);
    });

    it('D7, D22: once that receipt is reversed, its batches may be brought in again', async () => {
      ok(await reverseRaw(t, 'keeper', first.documentId));
      const res = await upload(OPENING, 'keeper', await workbook(quilts('OB-A-3', 'OB-A-1', 'OB-A-2')));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(await onHand('OB-A-1')).toBe(10);
      await expectLedgerConsistent(t);
    });
  });

  describe('receiveStock’s refusals are named by Excel row (D7, D26; finding #5)', () => {
    it('D26: a row whose computed expiry (production date + storage life) has passed is 第 10 行「有效期至」 in the errors list', async () => {
      const good = quilts('RW-1', 'RW-2', 'RW-3', 'RW-4', 'RW-5', 'RW-6');
      // 棉被 keeps 72 months: made 2020-01-01, it expired 2026-01-01.
      const bad = ['LIV-004', null, null, 'RW-OLD', '2020-01-01', null, 5, 158, null, null];
      const before = await ledgerCounts(t);
      const res = await upload(OPENING, 'keeper', await workbook([...good, bad], { blank: true }));
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.field).toBe('file');
      expect(res.body.error.errors).toEqual([
        {
          row: 10,
          column: '有效期至',
          message: '物资有效期至 2026-01-01，入库日期 2026-07-20 时已过期，不能入库。有效期未填，按生产日期 2020-01-01 加保质期 72 个月推算',
        },
      ]);
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('D26: a written expiry of yesterday is expired on receipt (as receiveStock rules), named by its row', async () => {
      const res = await upload(OPENING, 'keeper', await workbook([['LIV-004', null, null, 'RW-YESTERDAY', null, '2026-07-19', 5, 158, null, null]]));
      expect(res.status).toBe(400);
      expect(res.body.error.errors).toEqual([{ row: 3, column: '有效期至', message: '物资有效期至 2026-07-19，入库日期 2026-07-20 时已过期，不能入库' }]);
    });

    it('D7: a refusal only receiveStock makes (an existing batch with another funding source) comes back as its row and column', async () => {
      await receive(t, 'keeper', WEIHUI, [
        { itemId: QUILT, quantity: 4, batchNo: 'RW-FUND', expiryDate: '2031-12-31', unitPrice: '158.00', fundingSource: 'COUNTY' },
      ]);
      const rows = [...quilts('RW-7'), ['LIV-004', null, null, 'RW-FUND', null, '2031-12-31', 6, 158, '省级', null]];
      const before = await ledgerCounts(t);
      const res = await upload(OPENING, 'keeper', await workbook(rows));
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file' });
      expect(res.body.error.errors).toEqual([
        { row: 4, column: '批号', message: '批号 RW-FUND 已存在，且资金来源与已登记的不同（已登记：资金来源 县级资金）' },
      ]);
      expect(res.body.error.message).toBe(
        '文件中有 1 处错误，未入账。第 4 行「批号」：批号 RW-FUND 已存在，且资金来源与已登记的不同（已登记：资金来源 县级资金）',
      );
      expect(await ledgerCounts(t)).toEqual(before);
    });
  });

  describe('full-width digits in uploads (finding #9)', () => {
    it('D7: an opening balance typed with a Chinese IME (１２, １５８．５, ２０３０－０１－０１, ＦＷ－１) reads as the digits it shows', async () => {
      const res = await upload(
        OPENING,
        'keeper',
        await workbook([['LIV-004', null, null, 'ＦＷ－１', '２０２５年３月１日', '２０３０－０１－０１', '１２', '１５８．５', null, null]]),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const doc = await documentById(t, res.body.documentId);
      expect(doc.lines.map((l: any) => [l.batch.batchNo, l.quantity, l.unitPrice, l.batch.expiryDate])).toEqual([['FW-1', 12, '158.50', '2030-01-01']]);
    });

    it('D9: a 盘点表 whose 实盘数 is typed in full-width digits is counted', async () => {
      const ws = await openWorkbook((await download(t, `/paperwork/stocktake-sheets/${WEIHUI}.xlsx`, 'keeper')).body as Buffer);
      const rows = sheetValues(ws, HEADER_ROW + 1);
      const at = HEADER_ROW + 1 + rows.findIndex((r) => r[5] === 'FW-1');
      expect(rows[at - HEADER_ROW - 1][8]).toBe(12);
      ws.getCell(at, 10).value = '１２';
      const res = await upload(`/paperwork/stocktake-sheets/${WEIHUI}`, 'keeper', Buffer.from(await ws.workbook.xlsx.writeBuffer()), '盘点表.xlsx');
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const doc = await documentById(t, res.body.documentId);
      expect(doc.lines.map((l: any) => [l.batch.batchNo, l.bookQuantity, l.countedQuantity])).toEqual([['FW-1', 12, 12]]);
    });
  });

  describe('printed documents (findings #7, #8)', () => {
    const print = async (id: string, as = 'keeper') => {
      const res = await download(t, `/paperwork/documents/${id}.html`, as);
      expect(res.status).toBe(200);
      return res.text;
    };

    it('a document awaiting approval or rejected prints 待审批 / 已驳回 and 提交于, not the status code and 记账于 (D27)', async () => {
      const [p1, p2] = ['PR-P1', 'PR-P2'];
      const doc = await receive(t, 'keeper', WEIHUI, [
        { itemId: QUILT, quantity: 5, batchNo: p1, expiryDate: '2031-12-31', unitPrice: '158.00' },
        { itemId: QUILT, quantity: 5, batchNo: p2, expiryDate: '2031-12-31', unitPrice: '158.00' },
      ]);
      const batch = (no: string) => doc.lines.find((l: any) => l.batch.batchNo === no).batch.id;
      const pending = ok(
        await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId: batch(p1), countedQuantity: 4, reason: 'DAMAGED' }] }, undefined, false),
      ).submitStocktake;
      expect(pending.status).toBe('PENDING_APPROVAL');
      const html = await print(pending.id);
      expect(html).toContain('<dt>状态</dt><dd>待审批</dd>');
      expect(html).toMatch(/<footer>\S+ 提交于 2026-07-20 10:00<\/footer>/);
      expect(html).not.toContain('PENDING_APPROVAL');
      expect(html).not.toContain('记账于');

      const refused = ok(
        await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId: batch(p2), countedQuantity: 3, reason: 'DAMAGED' }] }, undefined, false),
      ).submitStocktake;
      ok(await decideRaw(t, 'admin', await pendingApprovalOf(t, refused.id, 'STOCKTAKE'), 'REJECT'));
      const rejected = await print(refused.id);
      expect(rejected).toContain('<dt>状态</dt><dd>已驳回</dd>');
      expect(rejected).toContain('提交于');
      expect(rejected).not.toContain('REJECTED');

      const posted = await print(doc.id);
      expect(posted).toContain('<dt>状态</dt><dd>已过账</dd>');
      expect(posted).toContain('记账于 2026-07-20 10:00');
    });

    it('D1: a township store’s document prints under its county’s 应急管理局, not an invented township bureau', async () => {
      const doc = await receive(t, 'admin', TANGZHUANG, [{ itemId: QUILT, quantity: 2, batchNo: 'PR-TZ', expiryDate: '2031-12-31', unitPrice: '158.00' }]);
      const html = await print(doc.id, 'admin');
      expect(html).toContain('<div class="bureau">卫辉市应急管理局</div>');
      expect(html).not.toMatch(/(镇|乡|街道)应急管理局/);
    });
  });

  describe('export dates in China days (D22; finding #10)', () => {
    let late = '';
    let next = '';

    beforeAll(async () => {
      late = (
        await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 1, batchNo: 'EX-LATE', unitPrice: '1.00' }], { occurredAt: '2026-07-19T23:30:00+08:00' })
      ).number;
      next = (
        await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 1, batchNo: 'EX-NEXT', unitPrice: '1.00' }], { occurredAt: '2026-07-20T00:00:30+08:00' })
      ).number;
    });

    it('D22: a date-only `to` takes in the whole China day and a date-only `from` starts at 00:00 China time', async () => {
      const res = await download(t, '/exports/journal.csv', 'auditor', { regionCode: '410781', from: '2026-07-19', to: '2026-07-19' });
      expect(res.status, res.text).toBe(200);
      const numbers = parseCsv(res.text)
        .slice(1)
        .map((r) => r[0]);
      expect(numbers).toContain(late);
      expect(numbers).not.toContain(next);
      const from = parseCsv((await download(t, '/exports/journal.csv', 'auditor', { regionCode: '410781', from: '2026-07-20' })).text)
        .slice(1)
        .map((r) => r[0]);
      expect(from).toContain(next);
      expect(from).not.toContain(late);
      // An explicit time is taken as it is.
      const until = await download(t, '/exports/journal.csv', 'auditor', { regionCode: '410781', from: '2026-07-19', to: '2026-07-19T23:00:00+08:00' });
      expect(parseCsv(until.text).map((r) => r[0])).not.toContain(late);
      const ws = await openWorkbook(
        (await download(t, '/exports/journal.xlsx', 'auditor', { regionCode: '410781', from: '2026-07-19', to: '2026-07-19' })).body as Buffer,
      );
      // Sweep 16c F1: the period is (from, to] and a date-only `to` the day's end, 24:00 (its next day's 00:00 included,
      // as 月结 counts it) — said so, as every export says a day's end (export-date-meaning.test.ts); it had read 23:59.
      expect(JSON.stringify(sheetValues(ws, 1, 3))).toContain('2026-07-19 00:00 后至 2026-07-19 24:00');
    });

    it('D22: export dates before 1900, or partial forms that would be read as some midnight, are BAD_USER_INPUT naming the parameter', async () => {
      for (const [path, q, field] of [
        ['/exports/valuation.csv', { asOf: '1800-01-01' }, 'asOf'],
        ['/exports/valuation.csv', { asOf: '1899-12-31T12:00:00+08:00' }, 'asOf'],
        ['/exports/journal.csv', { from: '1899-12-31' }, 'from'],
        ['/exports/journal.csv', { to: '2026-07' }, 'to'],
        ['/exports/journal.csv', { to: '2200-01-01' }, 'to'],
      ] as const) {
        const res = await download(t, path, 'auditor', q);
        expect({ q, status: res.status }).toEqual({ q, status: 400 });
        expect(JSON.parse(res.text).error).toMatchObject({ code: 'BAD_USER_INPUT', field });
      }
      // A well-written date in a year the books cannot hold is said to be out of range, as GraphQL's Date says it.
      const late = await download(t, '/exports/journal.csv', 'auditor', { to: '2200-01-01' });
      expect(JSON.parse(late.text).error.message).toMatch(/日期超出范围：2200-01-01（年份应在 1900–2199 之间）$/);
      expect((await download(t, '/exports/valuation.csv', 'auditor', { asOf: '2026-07-19' })).status).toBe(200);
    });
  });
});
