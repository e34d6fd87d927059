import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { key, receive, SANDBAG, WEIHUI } from '../support/ledger.ts';
import { download, openWorkbook, parseCsv, sheetValues } from '../support/paperwork.ts';

// Sweep 18c F1, F3: the largest figures the books may hold. 22 receipts of 100,000,000 编织袋 (FLD-001) at 0.01 into
// 卫辉市救灾物资储备库, 21 into one batch (2,100,000,000 — a balance may hold up to 2,147,483,647) and one into another:
// - F1 (D19, D6; README Finance): reserveGaps' available / physical are sums beyond an API Int. They are answered as
//   INVALID_STATE with the exact digits (as valuation groups and neighbourStock), never capped at 2,147,483,647, and the
//   储备缺口 export prints the whole figure.
// - F3 (D9 账实相符): such a batch can be counted — by submitStocktake and by the 盘点表 the server itself printed,
//   returned with 实盘数 = 账面数 — for a count says what a balance may hold (inventory/common.ts BALANCE_MAX).

const t = useTestApp();
const BIG = 'S18C-BIG-1';
const BIG_BOOK = 2_100_000_000;
const HEADER_ROW = 4;

describe('sweep 18c F1, F3: reserve gaps and counts of the largest batches', () => {
  let batchId = '';
  let total = 0;

  beforeAll(async () => {
    const line = (batchNo: string) => ({ itemId: SANDBAG, quantity: 100_000_000, batchNo, unitPrice: '0.01', expiryDate: '2030-06-30' });
    for (let n = 0; n < 21; n++) batchId = (await receive(t, 'admin', WEIHUI, [line(BIG)])).lines[0].batch.id;
    await receive(t, 'admin', WEIHUI, [line('S18C-BIG-2')]);
    for (const target of [{ storeId: WEIHUI }, { regionCode: '410781' }]) {
      const q = await t.gql(
        `mutation($i: QuotaInput!) { upsertQuota(input: $i) { id } }`,
        { i: { itemId: SANDBAG, quantity: 100_000_000, ...target } },
        'admin',
      );
      expect(q.errors, JSON.stringify(q.errors)).toBeUndefined();
    }
    const gaps = await t.gql(`{ reserveGaps(regionCode: "410781") { item { id } store { id } region { code } quota gap } }`, {}, 'dispatcher');
    expect(gaps.errors, JSON.stringify(gaps.errors)).toBeUndefined();
    // The store's and the county's lines of the bags: quota met, gap 0 (the figures not beyond an Int are answered).
    const bags = gaps.data.reserveGaps.filter((g: { item: { id: string } }) => g.item.id === SANDBAG);
    expect(bags).toHaveLength(2);
    expect(bags.map((g: { gap: number }) => g.gap)).toEqual([0, 0]);
    const stock = await t.gql(
      `query($s: ID!, $i: ID!) { store(id: $s) { stock(itemId: $i, first: 100) { edges { node { available expired } } } } }`,
      { s: WEIHUI, i: SANDBAG },
      'keeper',
    );
    total = stock.data.store.stock.edges.reduce(
      (s: number, e: { node: { available: number; expired: boolean } }) => s + (e.node.expired ? 0 : e.node.available),
      0,
    );
    expect(total).toBeGreaterThanOrEqual(2_200_000_000);
  });

  it('D19, D6 (F1): reserveGaps answers available and physical beyond Int as INVALID_STATE with the exact digits, never capped', async () => {
    for (const field of ['available', 'physical']) {
      const res = await t.gql(`{ reserveGaps(regionCode: "410781") { item { id } ${field} } }`, {}, 'dispatcher');
      expect(res.errors?.length, JSON.stringify(res.errors)).toBeGreaterThanOrEqual(1);
      for (const e of res.errors!) {
        expect(e.extensions.code).toBe('INVALID_STATE');
        expect(e.path?.[0]).toBe('reserveGaps');
        expect(e.path?.at(-1)).toBe(field);
        expect(e.extensions.value).toBe(String(total));
        expect(e.message).toContain(`${total.toLocaleString('en-US')}，超过接口能表示的最大整数 2,147,483,647`);
        expect(e.message).toMatch(field === 'available' ? /^可用数量为/ : /^实物储备数量为/);
        expect(e.message).toMatch(/或用导出报表查看完整数字$/);
      }
      expect(JSON.stringify(res.data ?? null)).not.toContain('2147483647');
    }
  });

  it('D19 (F1): the 储备缺口 export prints the whole figure', async () => {
    const res = await download(t, '/exports/reserve-gaps.csv', 'dispatcher', { regionCode: '410781' });
    expect(res.status, res.text).toBe(200);
    const [head, ...rows] = parseCsv(res.text.replace(/^\uFEFF/, ''));
    const bags = rows.filter((r) => r[head.indexOf('物资编码')] === 'FLD-001');
    expect(bags).toHaveLength(2);
    for (const r of bags) {
      expect(Number(r[head.indexOf('可用库存')].replace(/,/g, ''))).toBe(total);
      expect(Number(r[head.indexOf('其中实物储备')].replace(/,/g, ''))).toBe(total);
    }
  });

  it('D9 (F3): the 盘点表 the server printed, returned with 实盘数 = 账面数 for the batch of 2,100,000,000, is taken; beyond a balance is named as too large', async () => {
    const res = await download(t, `/paperwork/stocktake-sheets/${WEIHUI}.xlsx`, 'keeper');
    expect(res.status).toBe(200);
    const ws = await openWorkbook(res.body as Buffer);
    const rows = sheetValues(ws, HEADER_ROW + 1);
    const at = rows.findIndex((r) => r[5] === BIG);
    expect(rows[at][8]).toBe(BIG_BOOK);
    const row = HEADER_ROW + 1 + at;
    const post = async (counted: number) => {
      ws.getCell(row, 10).value = counted;
      const content = Buffer.from(await ws.workbook.xlsx.writeBuffer());
      return request(t.app)
        .post(`/paperwork/stocktake-sheets/${WEIHUI}`)
        .set('authorization', `Bearer ${await t.token('keeper')}`)
        .attach('file', content, '盘点表.xlsx');
    };
    const tooMany = await post(2_147_483_648);
    expect(tooMany.status, JSON.stringify(tooMany.body)).toBe(400);
    expect(tooMany.body.error.errors).toEqual([{ row, column: '实盘数', message: '实盘数过大：一个批次的结存最多 2,147,483,647，请核对' }]);
    const same = await post(BIG_BOOK);
    expect(same.status, JSON.stringify(same.body)).toBe(201);
  });

  it('D9 (F3): a batch of 2,100,000,000 is counted by submitStocktake — its book confirmed, a loss recorded for approval', async () => {
    const count = (countedQuantity: number, reason?: string) =>
      t.gql(
        `mutation($i: StocktakeInput!) { submitStocktake(input: $i) { status lines { bookQuantity countedQuantity } } }`,
        { i: { storeId: WEIHUI, idempotencyKey: key(), counts: [{ batchId, countedQuantity, ...(reason ? { reason } : {}) }] } },
        'keeper',
      );
    const same = await count(BIG_BOOK);
    expect(same.errors, JSON.stringify(same.errors)).toBeUndefined();
    expect(same.data.submitStocktake.status).toBe('POSTED');
    const loss = await count(BIG_BOOK - 1, 'STOCKTAKE_LOSS');
    expect(loss.errors, JSON.stringify(loss.errors)).toBeUndefined();
    expect(loss.data.submitStocktake.status).toBe('PENDING_APPROVAL');
    expect(loss.data.submitStocktake.lines[0]).toMatchObject({ bookQuantity: BIG_BOOK, countedQuantity: BIG_BOOK - 1 });
  });
});
