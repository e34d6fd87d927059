import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, JINCHENG, QUILT, receive, stockAt, WEIHUI } from '../support/ledger.ts';
import { documentById, ledgerCounts } from '../support/ledger-ops.ts';
import { download, openWorkbook, sheetValues } from '../support/paperwork.ts';

// Issue 13, Excel in: a stocktake on paper and back (D9), and a store's existing 台账 loaded as one opening-balance
// receipt (D7). Uploads are validated whole — every bad row named by row, column and a Chinese message, nothing posted
// unless every row is good — and the same file uploaded twice posts once.

const HEADER_ROW = 4;

async function bufferOf(ws: ExcelJS.Worksheet): Promise<Buffer> {
  return Buffer.from(await ws.workbook.xlsx.writeBuffer());
}

/** A workbook with a header row and data rows, as a keeper would type it. */
async function sheet(headings: string[], rows: unknown[][], title = true): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('台账');
  if (title) ws.addRow(['卫辉市救灾物资储备库 期初库存']);
  ws.addRow(headings);
  rows.forEach((r) => ws.addRow(r));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('Excel in (issue 13)', () => {
  const t = useTestApp();
  const upload = async (path: string, as: string | null, content: Buffer, name = 'sheet.xlsx') => {
    const req = request(t.app).post(path);
    if (as) req.set('authorization', `Bearer ${await t.token(as)}`);
    return req.attach('file', content, name);
  };
  let owner = '';

  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [
      { itemId: QUILT, quantity: 120, batchNo: 'ST-Q1', expiryDate: '2030-06-30', unitPrice: '150.00' },
      { itemId: COTTON_TENT, quantity: 12, batchNo: 'ST-T1', expiryDate: '2033-06-30', unitPrice: '2000.00' },
    ]);
    [{ name: owner }] = await queryRows<{ name: string }>(t.database.db, sql`SELECT name FROM organizations WHERE name = '卫辉市人民政府'`);
  });

  describe('盘点表 (D9)', () => {
    const sheetPath = `/paperwork/stocktake-sheets/${WEIHUI}.xlsx`;
    const uploadPath = `/paperwork/stocktake-sheets/${WEIHUI}`;
    let counted: Buffer;
    let documentId = '';

    it('downloads pre-filled with the store’s batches and book quantities, counted columns empty, reasons as a list', async () => {
      const res = await download(t, sheetPath, 'keeper');
      expect(res.status).toBe(200);
      const ws = await openWorkbook(res.body as Buffer);
      expect(ws.getCell('A1').value).toBe('卫辉市救灾物资储备库 盘点表');
      const headings = sheetValues(ws, HEADER_ROW, HEADER_ROW)[0];
      expect(headings).toEqual(['序号', '物资编码', '物资', '规格', '单位', '批号', '生产日期', '有效期至', '账面数', '实盘数', '原因', '批次编号']);
      expect(ws.getColumn(12).hidden).toBe(true);
      const rows = sheetValues(ws, HEADER_ROW + 1);
      const stock = (await stockAt(t, WEIHUI)).filter((l: any) => l.onHand > 0);
      expect(rows).toHaveLength(stock.length);
      for (const l of stock) {
        const row = rows.find((r) => r[11] === l.batch.id)!;
        expect([row[5], row[8], row[9], row[10]]).toEqual([l.batch.batchNo, l.onHand, null, null]);
      }
      expect(ws.getCell(HEADER_ROW + 1, 11).dataValidation).toMatchObject({ type: 'list' });
      expect(String(ws.getCell(HEADER_ROW + 1, 11).dataValidation.formulae?.[0])).toContain('盘亏');
      // Only those who may count there.
      const byAuditor = await download(t, sheetPath, 'auditor');
      expect(byAuditor.status).toBe(403);
      // The refusal names the sheet (README: a refusal names the kind of record).
      expect(JSON.parse(String(byAuditor.body)).error).toMatchObject({
        code: 'FORBIDDEN',
        message: '无权访问：审计员只读，不能下载盘点表（盘点表供盘点填报）',
      });
      expect((await download(t, `/paperwork/stocktake-sheets/${JINCHENG}.xlsx`, 'keeper')).status).toBe(403);
    });

    it('a sheet with bad rows names every one (row, column, message) and posts nothing', async () => {
      const ws = await openWorkbook((await download(t, sheetPath, 'keeper')).body as Buffer);
      const rows = sheetValues(ws, HEADER_ROW + 1);
      const q = HEADER_ROW + 1 + rows.findIndex((r) => r[5] === 'ST-Q1');
      const tent = HEADER_ROW + 1 + rows.findIndex((r) => r[5] === 'ST-T1');
      ws.getCell(q, 10).value = 118; // a loss without a reason
      ws.getCell(tent, 10).value = -1; // not a count
      ws.getCell(tent, 11).value = '盘亏';
      const before = await ledgerCounts(t);
      const res = await upload(uploadPath, 'keeper', await bufferOf(ws), '盘点表.xlsx');
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('BAD_USER_INPUT');
      expect(res.body.error.errors, JSON.stringify(res.body)).toEqual([
        { row: Math.min(q, tent), column: q < tent ? '原因' : '实盘数', message: expect.any(String) },
        { row: Math.max(q, tent), column: q < tent ? '实盘数' : '原因', message: expect.any(String) },
      ]);
      const loss = res.body.error.errors.find((e: any) => e.row === q);
      expect(loss.message).toBe('账面 120、实盘 118，须填写盘亏原因（可选：盘亏、破损、过期、丢失、霉变、虫蛀鼠咬）');
      expect(res.body.error.message).toMatch(/^文件中有 2 处错误，未入账。第 \d+ 行/);
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('round trip: the counted sheet becomes one stocktake through the stocktake service', async () => {
      const ws = await openWorkbook((await download(t, sheetPath, 'keeper')).body as Buffer);
      const rows = sheetValues(ws, HEADER_ROW + 1);
      const q = HEADER_ROW + 1 + rows.findIndex((r) => r[5] === 'ST-Q1');
      const tent = HEADER_ROW + 1 + rows.findIndex((r) => r[5] === 'ST-T1');
      ws.getCell(q, 10).value = 117;
      ws.getCell(q, 11).value = '破损';
      ws.getCell(tent, 10).value = 12; // as booked: no reason needed
      counted = await bufferOf(ws);
      const res = await upload(uploadPath, 'keeper', counted, '卫辉盘点表.xlsx');
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ type: 'STOCKTAKE', lines: 2, replayed: false, number: expect.stringMatching(/-2026-/) });
      documentId = res.body.documentId;
      const doc = await documentById(t, documentId);
      expect(doc.store.id).toBe(WEIHUI);
      const lines = doc.lines.map((l: any) => [l.batch.batchNo, l.bookQuantity, l.countedQuantity, l.reason?.code ?? null]).sort();
      expect(lines).toEqual([
        ['ST-Q1', 120, 117, 'DAMAGED'],
        ['ST-T1', 12, 12, null],
      ]);
      // Posted now, or pending approval where the authority rules require it (D27): never both ways.
      expect(['POSTED', 'PENDING_APPROVAL']).toContain(doc.status);
      const quilts = (await stockAt(t, WEIHUI, QUILT)).find((l: any) => l.batch.batchNo === 'ST-Q1');
      expect(quilts.onHand).toBe(doc.status === 'POSTED' ? 117 : 120);
      await expectLedgerConsistent(t);
    });

    it('the same file uploaded again posts nothing and answers with the first stocktake', async () => {
      const before = await ledgerCounts(t);
      const res = await upload(uploadPath, 'keeper', counted, '卫辉盘点表（再次）.xlsx');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ documentId, replayed: true });
      expect(await ledgerCounts(t)).toEqual(before);
    });
  });

  describe('期初建账 (D7)', () => {
    const path = `/paperwork/opening-balances/${WEIHUI}`;
    const HEAD = ['物资编码', '物资名称', '规格', '批号', '生产日期', '有效期至', '数量', '单价（元）', '资金来源', '产权单位'];
    const good = () => [
      ['LIV-004', null, null, 'QC-2024-01', new Date('2024-03-01T00:00:00Z'), new Date('2030-02-28T00:00:00Z'), 200, 135.5, '县级资金', owner],
      [null, '棉帐篷', '12平方米 单层棉 框架式 外帐涤棉防水布 内衬保温棉 带门窗及烟囱口', 'QC-2024-02', '2024/5/1', '2032-04-30', '15', '2180', '省级', null],
      ['LIV-006', null, null, 'QC-2024-03', null, null, 40, 99.9, null, null],
    ];

    it('the template has the columns the upload reads', async () => {
      const ws = await openWorkbook((await download(t, '/paperwork/opening-balance-template.xlsx', 'keeper')).body as Buffer);
      expect(sheetValues(ws, HEADER_ROW, HEADER_ROW)[0]).toEqual(HEAD);
    });

    it('a sheet with one bad row posts nothing and names that row; every bad cell is listed', async () => {
      const rows = good();
      rows[1][0] = 'NO-SUCH';
      const before = await ledgerCounts(t);
      const res = await upload(path, 'keeper', await sheet(HEAD, rows));
      expect(res.status).toBe(400);
      expect(res.body.error.errors).toEqual([{ row: 4, column: '物资编码', message: '未知物资编码：NO-SUCH' }]);
      expect(await ledgerCounts(t)).toEqual(before);

      const many = good();
      many[0][6] = 0;
      many[0][5] = '2030-13-01';
      many[1][8] = '外星资金';
      many[2][9] = '不存在的单位';
      many[2][3] = 'QC-2024-01';
      many[2][0] = 'LIV-004';
      const bad = await upload(path, 'keeper', await sheet(HEAD, many));
      expect(bad.status).toBe(400);
      expect(bad.body.error.errors.map((e: any) => [e.row, e.column])).toEqual([
        [3, '有效期至'],
        [3, '数量'],
        [4, '资金来源'],
        [5, '批号'],
        [5, '产权单位'],
      ]);
      expect(bad.body.error.errors[1].message).toBe('数量须为大于 0 的整数');
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('a good sheet becomes one receipt with every batch as written; the same file again posts once', async () => {
      const file = await sheet(HEAD, good());
      const res = await upload(path, 'keeper', file, '卫辉台账.xlsx');
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ type: 'RECEIPT', status: 'POSTED', lines: 3, replayed: false });
      const doc = await documentById(t, res.body.documentId);
      expect(doc.lines.map((l: any) => [l.item.name, l.batch.batchNo, l.quantity, l.unitPrice, l.batch.expiryDate])).toEqual([
        ['棉被', 'QC-2024-01', 200, '135.50', '2030-02-28'],
        ['棉帐篷', 'QC-2024-02', 15, '2180.00', '2032-04-30'],
        ['毛毯', 'QC-2024-03', 40, '99.90', expect.any(String)],
      ]);
      const [batch] = await queryRows<{ funding_source: string; owner: string; production_date: string }>(
        t.database.db,
        sql`SELECT b.funding_source::text, o.name AS owner, b.production_date::text FROM batches b JOIN organizations o ON o.id = b.owner_org_id WHERE b.batch_no = 'QC-2024-01'`,
      );
      expect(batch).toEqual({ funding_source: 'COUNTY', owner, production_date: '2024-03-01' });
      const before = await ledgerCounts(t);
      const again = await upload(path, 'keeper', file, '卫辉台账-副本.xlsx');
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ documentId: res.body.documentId, replayed: true });
      expect(await ledgerCounts(t)).toEqual(before);
      await expectLedgerConsistent(t);
      // Audited like a mutation: who uploaded which file, and the refusals too; the same file again is a replay (D22),
      // recorded under the store's region.
      const audit = await queryRows<{ outcome: string; subject_region_code: string | null }>(
        t.database.db,
        sql`SELECT outcome, subject_region_code FROM audit_log WHERE operation = 'importOpeningBalance' ORDER BY id`,
      );
      expect(audit.map((a) => a.outcome)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'OK', 'REPLAYED']);
      expect(audit.slice(2).map((a) => a.subject_region_code)).toEqual(['410781000000', '410781000000']);
    });

    it('refuses a wrong file type, missing columns, too many rows, a file over the size limit; only where the user may post', async () => {
      const before = await ledgerCounts(t);
      const csv = await upload(path, 'keeper', Buffer.from('物资编码,批号\nLIV-004,X\n'), '台账.csv');
      expect(csv.status).toBe(400);
      expect(csv.body.error.message).toMatch(/^文件类型错误/);
      const fake = await upload(path, 'keeper', Buffer.from('not a workbook at all'), '台账.xlsx');
      expect(fake.status).toBe(400);
      const broken = await upload(path, 'keeper', Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.alloc(200, 7)]), '台账.xlsx');
      expect(broken.status).toBe(400);
      expect(broken.body.error.message).toMatch(/无法读取/);
      const missing = await upload(path, 'keeper', await sheet(['物资编码', '批号'], [['LIV-004', 'X']]));
      expect(missing.status).toBe(400);
      expect(missing.body.error.errors[0].message).toMatch(/缺少列.*数量.*单价/);
      const long = await upload(
        path,
        'keeper',
        await sheet(
          HEAD,
          Array.from({ length: 1015 }, (_, i) => ['LIV-004', null, null, `L-${i}`, null, null, 1, 1]),
        ),
      );
      expect(long.status).toBe(400);
      expect(long.body.error.message).toMatch(/行数超过上限/);
      const big = await upload(path, 'keeper', Buffer.alloc(2 * 1024 * 1024 + 10, 1), '大文件.xlsx');
      expect(big.status).toBe(413);
      expect(big.body.error.code).toBe('BAD_USER_INPUT');
      expect((await upload(path, null, await sheet(HEAD, good()))).status).toBe(401);
      expect((await upload(path, 'auditor', await sheet(HEAD, good()))).status).toBe(403);
      expect((await upload(`/paperwork/opening-balances/${JINCHENG}`, 'keeper', await sheet(HEAD, good()))).status).toBe(403);
      const json = await request(t.app)
        .post(path)
        .set('authorization', `Bearer ${await t.token('keeper')}`)
        .send({ file: 'x' });
      expect(json.status).toBe(400);
      expect(await ledgerCounts(t)).toEqual(before);
    });
  });
});
