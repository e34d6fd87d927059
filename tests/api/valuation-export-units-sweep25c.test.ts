import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { valuationOf } from '../support/finance.ts';
import { download, openWorkbook, parseCsv, sheetValues } from '../support/paperwork.ts';

// Sweep 25c F8 (D21; the console's rule, sweep 22c F8 — ValuationPage quantityShown): a quantity is a count of one unit
// (顶, 床, 条 …). The valuation workbook printed 在库数量 per store and a 合计 adding 顶 + 床 + 条 + 张 into one number
// (151,304) where the console shows 「—」. Now the export prints a quantity only where the grouping is by item — on a 小计
// or the 合计 only when every group under it is the same item — and leaves the cell empty elsewhere; values everywhere.

const t = useTestApp();
const HEADER_ROW = 4;

/** The workbook's rows below the header (the title block is rows 1–3): [labels…, 在库数量, 在库金额, 在途数量, 在途金额]. */
const workbook = async (groupBy: string) => {
  const res = await download(t, '/exports/valuation.xlsx', 'auditor', { groupBy });
  expect(res.status).toBe(200);
  return sheetValues(await openWorkbook(res.body as Buffer), HEADER_ROW);
};

beforeAll(async () => {
  // 卫辉's store holds tents (顶) and quilts (床) at least: its stock is of mixed units.
  await receive(t, 'admin', WEIHUI, [
    { itemId: COTTON_TENT, quantity: 7, batchNo: 'S25C-F8-ZP', expiryDate: '2034-01-01', unitPrice: '2100.00' },
    { itemId: QUILT, quantity: 11, batchNo: 'S25C-F8-MB', expiryDate: '2034-01-01', unitPrice: '158.00' },
  ]);
});

describe('sweep 25c F8: the valuation export prints no quantity that adds up different units', () => {
  it('F8: by store — each store’s and the 合计’s quantities are empty (the console’s 「—」), the values are printed (XLSX and CSV)', async () => {
    const [header, ...rows] = await workbook('STORE');
    expect(header).toEqual(['仓库', '在库数量', '在库金额（元）', '在途数量', '在途金额（元）']);
    const v = await valuationOf(t, 'auditor', { groupBy: ['STORE'] });
    const weihui = rows.find((r) => r[0] === '卫辉市救灾物资储备库')!;
    expect([weihui[1], weihui[3]]).toEqual([null, null]);
    expect(typeof weihui[2]).toBe('number');
    const total = rows.at(-1)!;
    expect(total[0]).toBe('合计');
    expect([total[1], total[2], total[3], total[4]]).toEqual([null, Number(v.onHand), null, Number(v.inTransit)]);
    expect(rows.every((r) => r[1] === null && r[3] === null)).toBe(true);
    const csv = parseCsv((await download(t, '/exports/valuation.csv', 'auditor', { groupBy: 'STORE' })).text);
    expect(csv.at(-1)).toEqual(['合计', '', v.onHand, '', v.inTransit]);
  });

  it('F8: by item — each row is one item’s count and is printed; the 合计 of several items is empty', async () => {
    const [header, ...rows] = await workbook('ITEM');
    expect(header[0]).toBe('物资');
    const v = await valuationOf(t, 'auditor', { groupBy: ['ITEM'] });
    const groups = v.groups.filter((g) => !g.key.every((k) => k === '在途'));
    expect(groups.length).toBeGreaterThan(1);
    expect(rows.slice(0, -1).map((r) => [r[1], r[3]])).toEqual(groups.map((g) => [g.quantity, g.inTransitQuantity]));
    expect([rows.at(-1)![0], rows.at(-1)![1], rows.at(-1)![3]]).toEqual(['合计', null, null]);
  });

  it('F8: by item then store — each item’s 小计 is one item and is printed, summing its stores; by store then item, a store of several items has none', async () => {
    const [, ...byItem] = await workbook('ITEM,STORE');
    const subtotals = byItem.filter((r) => String(r[0]).endsWith(' 小计'));
    expect(subtotals.length).toBeGreaterThan(1);
    for (const s of subtotals) {
      const item = String(s[0]).replace(/ 小计$/, '');
      const mine = byItem.filter((r) => r[0] === item);
      expect(s[2]).toBe(mine.reduce((a, r) => a + (r[2] as number), 0));
      expect(s[4]).toBe(mine.reduce((a, r) => a + (r[4] as number), 0));
    }
    expect([byItem.at(-1)![0], byItem.at(-1)![2]]).toEqual(['合计', null]);

    const [, ...byStore] = await workbook('STORE,ITEM');
    // Rows name an item: their quantities are printed.
    expect(byStore.filter((r) => r[0] === '卫辉市救灾物资储备库').every((r) => typeof r[2] === 'number')).toBe(true);
    const weihui = byStore.find((r) => r[0] === '卫辉市救灾物资储备库 小计')!;
    expect([weihui[2], weihui[4]]).toEqual([null, null]);
    expect(typeof weihui[3]).toBe('number');
  });
});
