import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, JINCHENG, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { download, JOURNAL_HEADINGS, openSheets, openWorkbook, parseCsv, sheetValues } from '../support/paperwork.ts';
import { createAgreement } from '../support/agreements.ts';
import { buildFinanceHistory, fen, valuationOf, yuan, type FinanceHistory } from '../support/finance.ts';

// D21/D22 exports for the people who live in Excel: the journal and the valuation as CSV (UTF-8 with BOM) and
// XLSX, with Chinese headings, over authenticated HTTP (the GraphQL bearer token). The layout of every list (title
// block, cell types, printing, download links) is tested in paperwork-exports.test.ts.

const ENDPOINTS = ['/exports/journal.csv', '/exports/journal.xlsx', '/exports/valuation.csv', '/exports/valuation.xlsx'];

async function sheetRows(buffer: Buffer): Promise<{ name: string; rows: unknown[][] }> {
  const ws = await openWorkbook(buffer);
  const rows: unknown[][] = [];
  // Rows 1–3 are the title block; the header is row 4.
  ws.eachRow({ includeEmpty: false }, (r, n) => n >= 4 && rows.push((r.values as unknown[]).slice(1)));
  return { name: ws.name, rows };
}

const JOURNAL = `query($f: JournalFilter!) { journal(filter: $f, first: 500) { totalCount edges { node { document { number } quantity unitPrice value } } } }`;

describe('exports (D21, D22)', () => {
  const t = useTestApp();
  let h: FinanceHistory;
  afterEach(() => expectLedgerConsistent(t));
  beforeAll(async () => {
    h = await buildFinanceHistory(t);
  });

  const get = download;

  const journal = async (f: Record<string, string>) => ok(await t.gql(JOURNAL, { f }, 'auditor')).journal;

  it.each(ENDPOINTS)('D22: %s is 401 without a (valid) token and 403 for a keeper', async (path) => {
    expect((await get(t, path)).status).toBe(401);
    expect((await request(t.app).get(path).set('authorization', 'Bearer not-a-token')).status).toBe(401);
    expect((await request(t.app).get(path).set('authorization', 'Basic YWRtaW46YWRtaW4=')).status).toBe(401);
    const keeper = await get(t, path, 'keeper');
    expect(keeper.status).toBe(403);
    expect(JSON.parse(keeper.text ?? (keeper.body as Buffer).toString()).error.code).toBe('FORBIDDEN');
    expect((await get(t, path, 'auditor', { regionCode: '140500' })).status).toBe(403);
  });

  it('D22: the journal CSV has a BOM, the Chinese headings and one row per movement of the filter, newest first, with exact values', async () => {
    const res = await get(t, '/exports/journal.csv', 'auditor', { regionCode: '410700' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="journal-\d{8}\.csv"$/);
    expect(res.text.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(res.text).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [headings, ...rows] = parseCsv(res.text.slice(1));
    expect(headings).toEqual(JOURNAL_HEADINGS);
    const j = await journal({ regionCode: '410700' });
    expect(rows).toHaveLength(j.totalCount);
    expect(rows.map((r) => r[0])).toEqual(j.edges.map((e: any) => e.node.document.number));
    expect(rows.map((r) => [r[8], r[9], r[10]])).toEqual(j.edges.map((e: any) => [String(e.node.quantity), e.node.unitPrice, e.node.value]));
    expect(rows.every((r) => r.length === JOURNAL_HEADINGS.length)).toBe(true);
    // The relief issue of 2026-04-10 (20 quilts at 12.35) in full.
    expect(rows.find((r) => r[0] === h.documents.E5.number)).toEqual([
      h.documents.E5.number,
      '出库',
      '卫辉市救灾物资储备库',
      '棉被',
      expect.any(String),
      '床',
      'VA-Q2',
      '在库',
      '-20',
      '12.35',
      '-247.00',
      '救灾发放',
      '卫辉市储备库库管员',
      '2026-04-10 16:00:00',
      '2026-04-10 17:00:00',
      // D23: the relief order's approver (a second person) and 文号, and the order (sweep 12a F5).
      '系统管理员',
      '审批〔2026〕1号',
      expect.stringMatching(/^SQ-2026-\d{6}$/),
      // D3, D21: government stock in a government store (sweep 12c C10); an issue names no contract and cites nothing.
      '实物储备',
      '',
      '',
    ]);
    // The transfer to 卫辉 shows its in-transit leg.
    expect(
      rows
        .filter((r) => r[0] === h.documents.E6.number)
        .map((r) => [r[1], r[7], r[8]])
        .sort(),
    ).toEqual([
      ['调拨出库', '在库', '-10'],
      ['调拨出库', '在途', '10'],
    ]);
    // 晋城 is not 新乡's.
    expect(rows.some((r) => r[2].startsWith('晋城'))).toBe(false);
  });

  it('D22: the journal export applies period, store, item and document type filters like the journal query', async () => {
    const cases: Record<string, string>[] = [
      { from: '2026-04-01T00:00:00+08:00', to: '2026-05-31T23:59:59+08:00' },
      { storeId: WEIHUI },
      { itemId: QUILT },
      { documentType: 'RECEIPT' },
      { regionCode: '410781', documentType: 'ISSUE' },
      { storeId: WEIHUI, itemId: COTTON_TENT, from: '2026-05-01T00:00:00+08:00' },
    ];
    for (const f of cases) {
      const csv = await get(t, '/exports/journal.csv', 'auditor', f);
      expect(csv.status, JSON.stringify(f)).toBe(200);
      const [, ...rows] = parseCsv(csv.text.slice(1));
      const j = await journal(f);
      expect(j.totalCount).toBeGreaterThan(0);
      expect({ f, numbers: rows.map((r) => r[0]) }).toEqual({ f, numbers: j.edges.map((e: any) => e.node.document.number) });
      const xlsx = await get(t, '/exports/journal.xlsx', 'auditor', f);
      expect(xlsx.status).toBe(200);
      const { rows: sheet } = await sheetRows(xlsx.body as Buffer);
      expect(sheet.slice(1).map((r) => r[0])).toEqual(rows.map((r) => r[0]));
    }
    // An auditor's store filter cannot reach outside the region.
    const outside = await get(t, '/exports/journal.csv', 'auditor', { storeId: JINCHENG });
    expect(outside.status === 403 || parseCsv(outside.text.slice(1)).length === 1).toBe(true);
    // Malformed filters are the client's error, not the server's.
    for (const bad of <Record<string, string>[]>[
      { documentType: 'BOGUS' },
      { storeId: 'not-a-uuid' },
      { itemId: '42' },
      { from: 'yesterday' },
      { regionCode: 'xx' },
    ]) {
      const res = await get(t, '/exports/journal.csv', 'auditor', bad);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      expect(JSON.parse(res.text).error.code).toBe('BAD_USER_INPUT');
    }
    expect((await get(t, '/exports/journal.pdf', 'auditor')).status).toBe(404);
  });

  it('D22: the journal XLSX opens with exceljs, with the headings, one row per movement and numeric values', async () => {
    const res = await get(t, '/exports/journal.xlsx', 'auditor', { regionCode: '410700' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toMatch(/filename="journal-\d{8}\.xlsx"/);
    const { name, rows } = await sheetRows(res.body as Buffer);
    expect(name).toBe('出入库流水');
    expect(rows[0]).toEqual(JOURNAL_HEADINGS);
    const j = await journal({ regionCode: '410700' });
    expect(rows.length - 1).toBe(j.totalCount);
    expect(rows.slice(1).map((r) => r[0])).toEqual(j.edges.map((e: any) => e.node.document.number));
    const relief = rows.find((r) => r[0] === h.documents.E5.number)!;
    expect(relief.slice(0, 4)).toEqual([h.documents.E5.number, '出库', '卫辉市救灾物资储备库', '棉被']);
    // Times are date cells holding China wall-clock time.
    expect(relief.slice(6, 15)).toEqual([
      'VA-Q2',
      '在库',
      -20,
      12.35,
      -247,
      '救灾发放',
      '卫辉市储备库库管员',
      new Date('2026-04-10T16:00:00Z'),
      new Date('2026-04-10T17:00:00Z'),
    ]);
    // Every amount is quantity × price (to the fen).
    for (const r of rows.slice(1)) expect(Math.round((r[8] as number) * Math.round((r[9] as number) * 100))).toBe(Math.round((r[10] as number) * 100));
  });

  it('D21: the valuation CSV has one row per group and a 合计 row with the quantities and valuation.onHand and inTransit', async () => {
    for (const asOf of [undefined, '2026-04-30T12:00:00+08:00']) {
      const q: Record<string, string> = { regionCode: '410700', groupBy: 'STORE' };
      if (asOf) q.asOf = asOf;
      const res = await get(t, '/exports/valuation.csv', 'auditor', q);
      expect(res.status).toBe(200);
      expect(res.text.charCodeAt(0)).toBe(0xfeff);
      const [headings, ...rows] = parseCsv(res.text.slice(1));
      expect(headings).toEqual(['仓库', '在库数量', '在库金额（元）', '在途数量', '在途金额（元）']);
      const v = await valuationOf(t, 'auditor', { regionCode: '410700', groupBy: ['STORE'], asOf });
      // The sheet shows in-transit stock in its own columns, so the 在途 group (D21) is not a row of it.
      const groups = v.groups.filter((g) => !g.key.every((k) => k === '在途'));
      expect(rows).toHaveLength(groups.length + 1);
      const footer = rows.at(-1)!;
      // Sweep 25c F8 (was: 在库数量 and 在途数量 summed over the stores): a store holds several items, whose pieces added
      // up mean nothing — as the console's 「—」, the quantities are left empty; the values are the valuation's.
      expect(footer).toEqual(['合计', '', v.onHand, '', v.inTransit]);
      const body = rows.slice(0, -1);
      expect(yuan(body.reduce((s, r) => s + fen(r[2]), 0n))).toBe(v.onHand);
      expect(yuan(body.reduce((s, r) => s + fen(r[4]), 0n))).toBe(v.inTransit);
      expect(body.map((r) => [r[1], r[2], r[3], r[4]])).toEqual(groups.map((g) => ['', g.value, '', g.inTransitValue]));
      expect(body.map((r) => r[0])).toContain('卫辉市救灾物资储备库');
    }
    // Now: 289955.59 on hand, 15835.00 in transit (see finance-valuation).
    const now = parseCsv((await get(t, '/exports/valuation.csv', 'auditor', { groupBy: 'FUNDING_SOURCE' })).text.slice(1));
    // Sweep 25c F8: a funding source's stock mixes items — no quantity (was the sum of 顶, 床, 条 …).
    expect(now.slice(1, -1).map((r) => r[1])).toEqual(now.slice(1, -1).map(() => ''));
    expect(now.at(-1)).toEqual(['合计', '', '289955.59', '', '15835.00']);
    expect(now.map((r) => r[0])).toEqual(expect.arrayContaining(['资金来源', '中央资金', '省级资金', '捐赠', '合计']));
  });

  it('D21: the valuation XLSX (two dimensions) opens with exceljs; its groups and total row equal the valuation', async () => {
    const res = await get(t, '/exports/valuation.xlsx', 'auditor', { groupBy: 'STORE,FUNDING_SOURCE', asOf: '2026-06-30T12:00:00+08:00' });
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/filename="valuation-20260630-1200\.xlsx"/);
    const { name, rows: all } = await sheetRows(res.body as Buffer);
    expect(name).toBe('储备物资估值');
    expect(all[0]).toEqual(['仓库', '资金来源', '在库数量', '在库金额（元）', '在途数量', '在途金额（元）']);
    // Subtotals per store are checked in paperwork-exports.test.ts.
    const rows = all.filter((r) => !String(r[0]).endsWith(' 小计'));
    const v = await valuationOf(t, 'auditor', { groupBy: ['STORE', 'FUNDING_SOURCE'], asOf: '2026-06-30T12:00:00+08:00' });
    const groups = v.groups.filter((g) => !g.key.every((k) => k === '在途'));
    expect(rows.length).toBe(groups.length + 2);
    const footer = rows.at(-1)!;
    expect(footer[0]).toBe('合计');
    expect(footer[3]).toBe(Number(v.onHand));
    expect(footer[5]).toBe(Number(v.inTransit));
    // Sweep 25c F8: by store and funding source, a row mixes items — its quantities are left empty (the console's 「—」).
    expect(rows.slice(1, -1).map((r) => [r[2], r[3], r[4], r[5]])).toEqual(
      groups.map((g) => [undefined, Number(g.value), undefined, Number(g.inTransitValue)]),
    );
    expect([footer[2], footer[4]]).toEqual([undefined, undefined]);
    const sumFen = rows.slice(1, -1).reduce((s, r) => s + Math.round((r[3] as number) * 100), 0);
    expect(sumFen).toBe(Number(fen(v.onHand)));
  });

  it('D21: the valuation XLSX shows agreement reserves apart, as the API does — contingent values and fees on a sheet of their own, out of 合计', async () => {
    // An agreement reserve with a fee and a capacity reserve in 新乡 (D6).
    await createAgreement(t, {
      mode: 'AGREEMENT',
      companyName: '新乡市惠民百货配送有限公司',
      regionCode: '410700',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      annualFee: '36500.00',
      lines: [{ itemId: QUILT, quantity: 3000, unitPrice: '158.00', responseHours: 6 }],
    });
    await createAgreement(t, {
      mode: 'CAPACITY',
      companyName: '新乡市新星帐篷制造有限公司',
      regionCode: '410700',
      validFrom: '2026-01-01',
      validTo: '2028-12-31',
      lines: [{ itemId: COTTON_TENT, dailyCapacity: 300, leadDays: 2, unitPrice: '2100.00' }],
    });
    const asOf = '2026-06-30T12:00:00+08:00';
    const res = await get(t, '/exports/valuation.xlsx', 'auditor', { regionCode: '410700', groupBy: 'STORE', asOf });
    const [, apart] = await openSheets(res.body as Buffer, 2);
    expect(apart.name).toBe('另列（不计入合计）');
    const v = (
      await t.gql(
        `query($asOf: DateTime) { valuation(asOf: $asOf, regionCode: "410700") { contingentAgreementValue contingentCapacityValue companyStock feesAccrued feesFrom } }`,
        { asOf },
        'auditor',
      )
    ).data!.valuation as Record<string, string>;
    expect(v).toMatchObject({ contingentAgreementValue: '474000.00', contingentCapacityValue: '630000.00', feesAccrued: '18000.00' });
    const rows = sheetValues(apart, 5, 8).map((r) => [r[0], r[1]]);
    expect(rows).toEqual([
      ['协议储备（或有价值）', Number(v.contingentAgreementValue)],
      ['产能储备（一日产能，或有价值）', Number(v.contingentCapacityValue)],
      ['企业自有库存（协议储备企业库）', Number(v.companyStock)],
      [`协议储备费用（${v.feesFrom} 起计提）`, Number(v.feesAccrued)],
    ]);
    expect(String(sheetValues(apart, 1, 1)[0][0])).toContain('储备物资估值表');
    expect(String(sheetValues(apart, 10, 10)[0][0])).toContain('不计入估值表合计');
  });

  it('D21: bad valuation parameters are 400 (unknown dimension, malformed or future asOf)', async () => {
    for (const q of <Record<string, string>[]>[{ groupBy: 'STORE,COLOUR' }, { asOf: 'last tuesday' }, { asOf: '2027-01-01T00:00:00+08:00' }]) {
      const res = await get(t, '/exports/valuation.csv', 'auditor', q);
      expect({ q, status: res.status }).toEqual({ q, status: 400 });
    }
    expect((await get(t, '/exports/valuation.ods', 'auditor')).status).toBe(404);
  });

  it('D22: text that Excel would run as a formula (a keeper’s batch number) is neutralised in the CSV', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 1, batchNo: '=HYPERLINK("http://x.example","点我")', unitPrice: '1.00' }]);
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 1, batchNo: '@SUM(A1)', unitPrice: '1.00' }]);
    const res = await get(t, '/exports/journal.csv', 'auditor', { storeId: WEIHUI, documentType: 'RECEIPT' });
    const rows = parseCsv(res.text.slice(1)).slice(1);
    const batchNos = rows.map((r) => r[6]);
    expect(batchNos).toContain(`'=HYPERLINK("http://x.example","点我")`);
    expect(batchNos).toContain(`'@SUM(A1)`);
    expect(rows.every((r) => !/^[=+@]/.test(r[6]))).toBe(true);
    // Negative numbers stay numbers.
    const issues = parseCsv((await get(t, '/exports/journal.csv', 'auditor', { documentType: 'ISSUE' })).text.slice(1)).slice(1);
    expect(issues.every((r) => /^-\d+$/.test(r[8]) && /^-\d+\.\d{2}$/.test(r[10]))).toBe(true);
  });
});
