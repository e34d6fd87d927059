import { describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, NOW, useTestApp } from '../support/harness.ts';
import { download, parseCsv } from '../support/paperwork.ts';
import { ok } from '../support/ledger-ops.ts';
import { QUILT, receive, WEIHUI } from '../support/ledger.ts';

// L8 (sweep 3): a filter or a path that cannot mean anything is said to be wrong, the same way everywhere — not answered
// with an empty list that reads as "nothing there", nor with a link that fails only when opened.

const t = useTestApp();

describe('L8 (sweep 3): bad filters and paths are refused, as the other lists refuse them', () => {
  it('an unknown category in stock(filter) is NOT_FOUND at filter.categoryCode, as items(categoryCode) says it; a known one lists', async () => {
    const STOCK = `query($c: String!) { stock(filter: { categoryCode: $c }, first: 5) { totalCount edges { node { item { category { code } } } } } }`;
    const res = await t.gql(STOCK, { c: 'NOPE' }, 'dispatcher');
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.errors![0].extensions).toMatchObject({ field: 'filter.categoryCode' });
    expect(res.errors![0].message).toContain('物资类别');
    const items = await t.gql(`{ items(categoryCode: "NOPE") { totalCount } }`, {}, 'dispatcher');
    expect(errorCode(items)).toBe('NOT_FOUND');
    await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 5, batchNo: 'L8-MB', expiryDate: '2031-01-01' }]);
    const category = 'LIVING'; // 生活类: 棉被 among them
    const listed = ok(await t.gql(STOCK, { c: category }, 'dispatcher')).stock;
    expect(listed.totalCount).toBeGreaterThan(0);
    expect(new Set(listed.edges.map((e: any) => e.node.item.category.code))).toEqual(new Set([category]));
  });

  it('D22: auditLog with its end before its start is BAD_USER_INPUT at filter.to, as journal and movements answer it', async () => {
    const AUDIT = `query($f: AuditFilter) { auditLog(filter: $f, first: 5) { totalCount } }`;
    const res = await t.gql(AUDIT, { f: { from: '2026-12-06T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' } }, 'auditor');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'filter.to' });
    expect(res.errors![0].message).toBe('截止时间 2026-12-01 00:00:00 早于起始时间 2026-12-06 00:00:00，请检查期间');
    const movements = await t.gql(
      `query($f: MovementFilter!) { movements(filter: $f, first: 5) { totalCount } }`,
      { f: { regionCode: '410700', from: '2026-12-06T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' } },
      'auditor',
    );
    expect(res.errors![0].message).toBe(movements.errors![0].message);
    expect(
      ok(await t.gql(AUDIT, { f: { from: '2026-01-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' } }, 'auditor')).auditLog.totalCount,
    ).toBeGreaterThanOrEqual(0);
  });

  it('a download link to a report that does not exist is refused when minted (BAD_USER_INPUT naming the reports), not when opened', async () => {
    const LINK = `mutation($p: String!) { createDownloadLink(path: $p) { url } }`;
    const res = await t.gql(LINK, { p: '/exports/nope.csv' }, 'auditor');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'path' });
    expect(res.errors![0].message).toContain('报表：stock、journal、valuation、rotation-due、reserve-gaps、incident-balance');
    for (const name of ['stock', 'journal', 'valuation', 'rotation-due', 'reserve-gaps', 'incident-balance']) {
      expect(ok(await t.gql(LINK, { p: `/exports/${name}.xlsx` }, 'auditor')).createDownloadLink.url).toMatch(new RegExp(`^/exports/${name}\\.xlsx\\?dl=`));
    }
  });

  it('D26 (console sweep L6): the 库存台账 export counts an expired batch as 0 available, as 本库库存 and 储备缺口 do; in stock still', async () => {
    const jacket = itemId('FLD-009'); // 救生衣
    await receive(t, 'keeper', WEIHUI, [{ itemId: jacket, quantity: 40, batchNo: 'L6-JSY', expiryDate: '2026-08-01' }]);
    t.clock.set('2026-08-02T09:00:00+08:00');
    try {
      const csv = await download(t, '/exports/stock.csv', 'keeper', { itemId: jacket });
      const [headings, ...rows] = parseCsv(csv.text);
      const row = rows.find((r) => r.includes('L6-JSY'))!;
      const cell = (heading: string) => row[headings.indexOf(heading)];
      expect([cell('在库'), cell('可用'), cell('状态')]).toEqual(['40', '0', '已过期']);
    } finally {
      t.clock.set(NOW);
    }
  });
});
