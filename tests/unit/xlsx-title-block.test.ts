import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../server/paperwork/report.ts';
import { renderXlsx } from '../../server/paperwork/xlsx.ts';

// The amounts a workbook shows apart (Report.apart: the valuation's 另列（不计入合计）, D21) are printed on a sheet of
// their own, which may be printed and filed alone: its title block says what its figures cover as the first sheet's
// does — 编制单位, 期间, 制表人, 制表时间 and the 筛选条件 line (README Paperwork). It had the first four only: one title
// block function now writes both sheets.
describe('xlsx.ts: every sheet of a workbook carries the same title block, 筛选条件 included (D21 另列 sheet)', () => {
  const report = (filters?: string): Report => ({
    fileName: 'title-block',
    title: '储备物资估值表',
    sheetName: '储备物资估值',
    unit: '新乡市',
    period: '截至 2026-11-30 24:00',
    filters,
    preparedBy: '审计员',
    preparedAt: new Date('2026-12-05T02:30:00Z'),
    columns: [
      { header: '仓库', key: 'store', width: 20, kind: 'text' },
      { header: '在库金额（元）', key: 'value', width: 16, kind: 'money' },
    ],
    rows: [{ cells: { store: '卫辉市救灾物资储备库', value: '100.00' } }, { role: 'total', cells: { store: '合计', value: '100.00' } }],
    apart: {
      sheetName: '另列（不计入合计）',
      note: '以上各项另列，不计入估值表合计',
      rows: [
        { label: '协议储备（或有价值）', value: '474000.00' },
        { label: '产能储备（一日产能，或有价值）', value: '630000.00' },
      ],
    },
  });

  async function sheets(r: Report) {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await renderXlsx(r)) as unknown as ArrayBuffer);
    // Each row's filled cells, a merged range read once (from its first cell).
    const text = (ws: ExcelJS.Worksheet, row: number) => {
      const out: string[] = [];
      ws.getRow(row).eachCell((c) => {
        if (c.master === c && c.value !== null) out.push(String(c.value));
      });
      return out;
    };
    return book.worksheets.map((ws) => ({ name: ws.name, rows: Array.from({ length: ws.rowCount }, (_, i) => text(ws, i + 1)) }));
  }

  it('filters asked for: the 另列 sheet has the 筛选条件 line too, its table below it', async () => {
    const [table, apart] = await sheets(report('物资：棉被 LIV-004；类别：生活类'));
    expect(apart.name).toBe('另列（不计入合计）');
    expect(table.rows.slice(1, 4)).toEqual([
      ['编制单位：新乡市', '期间：截至 2026-11-30 24:00'],
      ['制表人：审计员', '制表时间：2026-12-05 10:30'],
      ['筛选条件：物资：棉被 LIV-004；类别：生活类'],
    ]);
    // The same lines on the sheet shown apart (its title names the sheet).
    expect(apart.rows[0]).toEqual(['储备物资估值表（另列（不计入合计））']);
    expect(apart.rows.slice(1, 4)).toEqual(table.rows.slice(1, 4));
    expect(apart.rows.slice(4, 7)).toEqual([
      ['项目', '金额（元）'],
      ['协议储备（或有价值）', '474000'],
      ['产能储备（一日产能，或有价值）', '630000'],
    ]);
    expect(apart.rows[8]).toEqual(['以上各项另列，不计入估值表合计']);
  });

  it('no filters: no 筛选条件 line on either sheet, the header row right below the title block (as before)', async () => {
    const [table, apart] = await sheets(report());
    expect(table.rows[3]).toEqual(['仓库', '在库金额（元）']);
    expect(apart.rows.slice(1, 4)).toEqual(table.rows.slice(1, 3).concat([['项目', '金额（元）']]));
    expect(apart.rows.flat().some((v) => v.startsWith('筛选条件'))).toBe(false);
  });
});
