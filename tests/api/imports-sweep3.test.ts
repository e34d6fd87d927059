import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts } from '../support/ledger-ops.ts';
import { download, OPENING_HEAD, openingSheet, openWorkbook, sheetValues } from '../support/paperwork.ts';

// Sweep 3 (findings-sweep3 L1, L2, L4, L8): the 期初建账 import names every bad cell of the file in its first answer,
// also a row's conflict with a registered batch beside bad cells elsewhere (README "The whole file is checked first");
// the 盘点表 refuses a 批次编号 that is not the batch its row shows (D9); a formula cell saved without its value is named
// as such; a refused multipart form is worded without library codes. Every refusal posts nothing.

const HEADER_ROW = 4;
const OPENING = `/paperwork/opening-balances/${WEIHUI}`;
const SHEET = `/paperwork/stocktake-sheets/${WEIHUI}`;
const HEAD = OPENING_HEAD;
const sheet = openingSheet;

/** An opening-balance row of 棉被 (LIV-004) that is good by itself. */
const row = (batchNo: string, over: Partial<Record<(typeof HEAD)[number], unknown>> = {}): unknown[] => {
  const values: Record<string, unknown> = {
    物资编码: 'LIV-004',
    批号: batchNo,
    生产日期: '2026-01-05',
    有效期至: '2031-12-31',
    数量: 10,
    '单价（元）': 158,
    资金来源: '县级资金',
    ...over,
  };
  return HEAD.map((h) => values[h] ?? null);
};

const cells = (errors: { row: number; column: string; message: string }[]) => errors.map((e) => [e.row, e.column, e.message]);

describe('imports, sweep 3', () => {
  const t = useTestApp();
  const upload = async (path: string, content: Buffer, name = 'sheet.xlsx') =>
    request(t.app)
      .post(path)
      .set('authorization', `Bearer ${await t.token('keeper')}`)
      .attach('file', content, name);
  /** The upload is refused (400) with these errors, and nothing is posted. */
  const refused = async (path: string, content: Buffer) => {
    const before = await ledgerCounts(t);
    const res = await upload(path, content);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('BAD_USER_INPUT');
    expect(await ledgerCounts(t)).toEqual(before);
    return res.body.error as { message: string; errors: { row: number; column: string; message: string }[] };
  };

  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [
      { itemId: QUILT, quantity: 30, batchNo: 'S3-REG', productionDate: '2025-01-01', expiryDate: '2030-06-30', unitPrice: '150.00' },
      { itemId: COTTON_TENT, quantity: 8, batchNo: 'S3-TENT', productionDate: '2025-03-01', expiryDate: '2033-06-30', unitPrice: '2000.00' },
    ]);
  });

  describe('L1: 期初建账 names every bad cell in the first answer (README, D7)', () => {
    it('a bad quantity in one row does not hide the next row’s conflict with a registered batch (dates and price)', async () => {
      const error = await refused(
        OPENING,
        await sheet([row('S3-X1', { 数量: -1 }), row('S3-REG', { 生产日期: '2025-02-01', 有效期至: '2030-01-01', '单价（元）': 99 })]),
      );
      expect(cells(error.errors)).toEqual([
        [3, '数量', '数量须为大于 0 的整数'],
        [4, '有效期至', '批号 S3-REG 已登记，有效期为 2030-06-30'],
        [4, '生产日期', '批号 S3-REG 已登记，生产日期为 2025-01-01'],
        [4, '单价（元）', '批号 S3-REG 已登记，单价为 150.00'],
      ]);
      expect(error.message).toMatch(/^文件中有 4 处错误，未入账。第 3 行「数量」/);
    });

    it('a row with a bad cell is still compared with the registered batch as far as its cells can be read', async () => {
      // Row 3: the price cannot be read (not compared), the expiry can (and differs); row 4 is the conflict's neighbour.
      const error = await refused(
        OPENING,
        await sheet([row('S3-REG', { 生产日期: '2025-01-01', 有效期至: '2030-01-01', '单价（元）': 'abc' }), row('S3-X2', { 资金来源: '外星资金' })]),
      );
      expect(cells(error.errors)).toEqual([
        [3, '单价（元）', '单价须为不小于 0 的金额，最多两位小数'],
        [3, '有效期至', '批号 S3-REG 已登记，有效期为 2030-06-30'],
        [4, '资金来源', expect.stringMatching(/^资金来源应为：中央资金、/)],
      ]);
    });

    it('a batch an earlier 期初建账 brought in is named beside a bad cell in another row (and only as brought in)', async () => {
      const first = await upload(OPENING, await sheet([row('S3-OPEN')]), '期初一.xlsx');
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      const error = await refused(OPENING, await sheet([row('S3-X3', { 资金来源: '外星资金' }), row('S3-OPEN', { '单价（元）': 1 })]));
      expect(cells(error.errors)).toEqual([
        [3, '资金来源', expect.stringMatching(/^资金来源应为/)],
        [4, '批号', `批号 S3-OPEN 已由期初建账 ${first.body.number} 导入本库，不能重复建账；如需更正，请先冲销该单据`],
      ]);
      // The same rows as the first file, beside a bad row: the first receipt is not this file's own.
      const again = await refused(OPENING, await sheet([row('S3-OPEN'), row('S3-X4', { 数量: 0 })]));
      expect(cells(again.errors).map((e) => e.slice(0, 2))).toEqual([
        [3, '批号'],
        [4, '数量'],
      ]);
    });
  });

  describe('L5, M3 (D5): 期初建账 finds items as the catalog identifies them', () => {
    it('a 物资编码 typed in another case finds the item (codes are one regardless of case)', async () => {
      const res = await upload(OPENING, await sheet([row('S3-CASE', { 物资编码: 'liv-004' })]));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ status: 'POSTED', lines: 1 });
    });

    it('two items of one name and spec from before the rule: the row by name and spec is asked for the 物资编码, naming both', async () => {
      const spec = '双人 200cm×230cm 扫尾三测试';
      await queryRows(
        t.database.db,
        sql`INSERT INTO items (code, category_code, name, spec, unit, rotation_lead_months)
            VALUES ('S3-DUP-A', 'LIVING', '扫尾三测试被', ${spec}, '床', 12), ('S3-DUP-B', 'LIVING', '扫尾三测试被', ${spec}, '床', 12)`,
      );
      const error = await refused(OPENING, await sheet([row('S3-DUP', { 物资编码: null, 物资名称: '扫尾三测试被', 规格: spec })]));
      expect(cells(error.errors)).toEqual([[3, '物资编码', `「扫尾三测试被」（${spec}）有 2 种同名同规格的物资（S3-DUP-A、S3-DUP-B），请填写物资编码`]]);
    });
  });

  describe('L8: a formula saved without its value is named as a formula', () => {
    it('期初建账: the number, date and text cells say so, and nothing else is said of them', async () => {
      const error = await refused(
        OPENING,
        await sheet([row('S3-F1', { 数量: { formula: '100+96' }, 有效期至: { formula: 'DATE(2031,1,1)' }, 资金来源: { formula: 'K9' } })]),
      );
      expect(cells(error.errors)).toEqual([
        [3, '有效期至', '有效期至为公式且无计算结果，请直接填写日期'],
        [3, '数量', '数量为公式且无计算结果，请直接填写数值'],
        [3, '资金来源', '资金来源为公式且无计算结果，请直接填写内容'],
      ]);
    });
  });

  describe('盘点表 (D9)', () => {
    /** The downloaded sheet, and the Excel rows of the S3-REG and S3-TENT batches. */
    async function counted() {
      const ws = await openWorkbook((await download(t, `${SHEET}.xlsx`, 'keeper')).body as Buffer);
      const values = sheetValues(ws, HEADER_ROW + 1);
      const at = (batchNo: string) => HEADER_ROW + 1 + values.findIndex((r) => r[5] === batchNo);
      const quilt = at('S3-REG');
      const tent = at('S3-TENT');
      expect(Math.min(quilt, tent)).toBeGreaterThan(HEADER_ROW);
      return { ws, quilt, tent, idOf: (n: number) => String(ws.getCell(n, 12).value) };
    }
    const bytes = async (ws: ExcelJS.Worksheet) => Buffer.from(await ws.workbook.xlsx.writeBuffer());

    it('L2: a row whose 批次编号 is another row’s batch is refused at that row; the other row is counted as usual', async () => {
      const { ws, quilt, tent, idOf } = await counted();
      ws.getCell(quilt, 12).value = idOf(tent); // the 棉被 row now carries the 棉帐篷 batch's id
      ws.getCell(quilt, 10).value = 8; // the tent's book figure: no difference, so no reason is asked for
      ws.getCell(tent, 10).value = 8;
      const error = await refused(SHEET, await bytes(ws));
      expect(error.errors).toEqual([
        {
          row: quilt,
          column: '批次编号',
          message: '批次编号与本行的物资编码/批号不符：该编号是 LIV-001 棉帐篷 批号 S3-TENT 的批次（请勿修改本系统下载的盘点表中的批次编号列）',
        },
      ]);
    });

    it('L2: a 批号 typed over on a row is refused the same way (the count would go to the batch of the id)', async () => {
      const { ws, quilt } = await counted();
      ws.getCell(quilt, 6).value = 'S3-OTHER';
      ws.getCell(quilt, 10).value = 30;
      const error = await refused(SHEET, await bytes(ws));
      expect(cells(error.errors)).toEqual([
        [quilt, '批次编号', expect.stringMatching(/^批次编号与本行的物资编码\/批号不符：该编号是 LIV-004 棉被 批号 S3-REG 的批次/)],
      ]);
    });

    it('L8: a 实盘数 formula without its value says so (not "not a whole number"); so does one in 原因', async () => {
      const { ws, quilt, tent } = await counted();
      ws.getCell(quilt, 10).value = { formula: '100+96' };
      ws.getCell(tent, 10).value = 8; // as booked: a reason that cannot be read is still not to be passed over
      ws.getCell(tent, 11).value = { formula: 'L1' };
      const error = await refused(SHEET, await bytes(ws));
      expect(cells(error.errors)).toEqual(
        [
          [quilt, '实盘数', '实盘数为公式且无计算结果，请直接填写数值'],
          [tent, '原因', '原因为公式且无计算结果，请直接填写内容'],
        ].sort((a, b) => Number(a[0]) - Number(b[0])),
      );
    });
  });

  describe('L4: a refused multipart form is worded without library codes', () => {
    const BOUNDARY = 'sweep3boundary';
    /** A multipart body of these parts (headers and content), posted as the keeper. */
    const post = async (parts: { headers: string; content: string | Buffer }[]) => {
      const body = Buffer.concat([
        ...parts.flatMap((p) => [Buffer.from(`--${BOUNDARY}\r\n${p.headers}\r\n\r\n`), Buffer.from(p.content), Buffer.from('\r\n')]),
        Buffer.from(`--${BOUNDARY}--\r\n`),
      ]);
      return request(t.app)
        .post(SHEET)
        .set('authorization', `Bearer ${await t.token('keeper')}`)
        .set('content-type', `multipart/form-data; boundary=${BOUNDARY}`)
        .send(body);
    };
    const file = (name: string) => ({ headers: `Content-Disposition: form-data; name="${name}"; filename="a.xlsx"`, content: 'x' });
    const field = (name: string, content = 'v') => ({ headers: `Content-Disposition: form-data; name="${name}"`, content });

    it.each([
      ['the file in a part not named file (LIMIT_UNEXPECTED_FILE)', [file('other')], '文件不在字段 file 中，或不止一个文件'],
      ['two files (LIMIT_UNEXPECTED_FILE / LIMIT_FILE_COUNT)', [file('file'), file('file')], /^(文件不在字段 file 中，或不止一个文件|文件过多)$/],
      ['too many fields (LIMIT_FIELD_COUNT)', [...['a', 'b', 'c', 'd', 'e', 'f'].map((n) => field(n)), file('file')], '表单字段过多'],
      [
        'too many parts (LIMIT_PART_COUNT)',
        [...['a', 'b', 'c', 'd', 'e'].map((n) => field(n)), file('x1'), file('file')],
        /^(表单的部分过多|文件不在字段 file 中，或不止一个文件)$/,
      ],
      ['a field value over 1 MB (LIMIT_FIELD_VALUE)', [field('note', 'v'.repeat(1024 * 1024 + 10)), file('file')], '表单字段内容过长'],
      [
        'a file part without a name (MISSING_FIELD_NAME)',
        [{ headers: 'Content-Disposition: form-data; filename="a.xlsx"', content: 'x' }],
        /^(表单字段缺少名称|表单字段名无效)$/,
      ],
    ] as const)('%s', async (_, parts, words) => {
      const before = await ledgerCounts(t);
      const res = await post([...parts]);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('BAD_USER_INPUT');
      const message = String(res.body.error.message);
      expect(message).not.toMatch(/[A-Z]+_[A-Z_]+/);
      const m = /^上传格式错误：(.+)（一次上传一个文件，字段名 file）$/.exec(message);
      expect(m, message).not.toBeNull();
      if (typeof words === 'string') expect(m![1]).toBe(words);
      else expect(m![1]).toMatch(words);
      expect(await ledgerCounts(t)).toEqual(before);
    });
  });
});
