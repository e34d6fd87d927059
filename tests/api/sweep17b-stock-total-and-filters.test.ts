import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { COMPANY_STOCK_LABEL } from '../../server/paperwork/reports/stock.ts';
import { fen, yuan } from '../support/finance.ts';
import { useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, QUILT, receive, SANDBAG, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { download, openWorkbook, parseCsv, sheetValues, STOCK_HEADINGS } from '../support/paperwork.ts';

// Sweep 17b F2, F4, F8, F13.
// F2 (D3, D21): the 库存台账's 合计 added a company's own 协议储备 stock (the company's property) to the government's
// reserve value; valuation keeps it apart (companyStock). Its 合计 is now the government's stock — valuation's onHand for
// the same scope — and the company's stock a line of its own before it.
// F4: stock/movements/journal filtered by an unknown itemId answered an empty list, where an unknown store, batch or
// category is NOT_FOUND naming the filter. F8: the exports answered a whole-scope sheet for a misspelt parameter and an
// empty one for an unknown item or category. F13: documents(filter: { from }) included a document dated exactly at
// `from`, which journal and movements leave to the period before: a period is (from, to] everywhere.

const t = useTestApp();
afterAll(() => expectLedgerConsistent(t));

const AGREEMENT_XX = storeId('S-410711-02'); // 协议储备 store, operated by the company that owns its stock
const VALUE = STOCK_HEADINGS.indexOf('在库金额（元）');
const ON_HAND = STOCK_HEADINGS.indexOf('在库');
const MODE = STOCK_HEADINGS.indexOf('储备方式');

const stockCsv = async (query: Record<string, string>, as = 'auditor') => {
  const res = await download(t, '/exports/stock.csv', as, query);
  expect(res.status, res.text).toBe(200);
  const [headings, ...rows] = parseCsv(res.text);
  expect(headings).toEqual(STOCK_HEADINGS);
  return rows;
};
const sum = (rows: string[][]) => yuan(rows.reduce((s, r) => s + fen(r[VALUE]), 0n));

beforeAll(async () => {
  const [{ company }] = await queryRows<{ company: string }>(
    t.database.db,
    sql`SELECT operator_org_id::text AS company FROM stores WHERE id = ${AGREEMENT_XX}::uuid`,
  );
  // The company's own stock (D3: owner the company, ENTERPRISE funds) and the government's in the city's store.
  await receive(
    t,
    'admin',
    AGREEMENT_XX,
    [{ itemId: QUILT, quantity: 40, batchNo: 'F2-OWN', unitPrice: '100.00', fundingSource: 'ENTERPRISE', ownerOrgId: company }],
    { source: 'OTHER', reference: '企业自有储备入库' },
  );
  await receive(t, 'admin', XINXIANG, [{ itemId: QUILT, quantity: 5, batchNo: 'F2-GOV', unitPrice: '100.00' }]);
  await receive(t, 'admin', XINXIANG, [{ itemId: SANDBAG, quantity: 300, batchNo: 'F2-CITY', unitPrice: '1.50' }]);
});

describe('sweep 17b F2 (D3, D21): the 库存台账 totals the government’s stock; a company’s own is a line apart', () => {
  it('D21: the region’s 合计 is valuation’s onHand; the company’s stock is its own line before it, not in it', async () => {
    const v = ok(await t.gql(`{ valuation(regionCode: "410700") { onHand companyStock } }`, {}, 'auditor')).valuation;
    expect(fen(v.companyStock)).toBeGreaterThan(0n);
    const rows = await stockCsv({ regionCode: '410700' });
    const total = rows.at(-1)!;
    const apart = rows.at(-2)!;
    expect(total[0]).toBe('合计');
    expect(apart[0]).toBe(COMPANY_STOCK_LABEL);
    const lines = rows.slice(0, -2);
    const company = lines.filter((r) => r[MODE] === '协议储备');
    expect(company.map((r) => r[STOCK_HEADINGS.indexOf('批号')])).toContain('F2-OWN');
    // 合计 = the government's lines = valuation's onHand; the line apart = the company's lines (= companyStock: none of
    // it is on its way anywhere).
    expect(total[VALUE]).toBe(v.onHand);
    expect(total[VALUE]).toBe(sum(lines.filter((r) => r[MODE] !== '协议储备')));
    expect(apart[VALUE]).toBe(sum(company));
    expect(apart[VALUE]).toBe(v.companyStock);
  });

  it('D3: of one item, each line counts its own quantities; the workbook shows the line in bold before 合计', async () => {
    const rows = await stockCsv({ regionCode: '410700', itemId: QUILT }, 'admin');
    expect(rows.slice(-2).map((r) => [r[0], r[ON_HAND], r[VALUE]])).toEqual([
      [COMPANY_STOCK_LABEL, '40', '4000.00'],
      ['合计', '5', '500.00'],
    ]);
    const ws = await openWorkbook((await download(t, '/exports/stock.xlsx', 'admin', { regionCode: '410700', itemId: QUILT })).body as Buffer);
    const last = sheetValues(ws, ws.rowCount - 1);
    expect(last.map((r) => [r[0], r[ON_HAND], r[VALUE]])).toEqual([
      [COMPANY_STOCK_LABEL, 40, 4000],
      ['合计', 5, 500],
    ]);
    expect(ws.getRow(ws.rowCount - 1).getCell(1).font?.bold).toBe(true);
  });

  it('a list without company stock keeps its one 合计 row; one of company stock only totals 0.00', async () => {
    const own = await stockCsv({ storeId: AGREEMENT_XX }, 'admin');
    expect(own.slice(-2).map((r) => [r[0], r[VALUE]])).toEqual([
      [COMPANY_STOCK_LABEL, '4000.00'],
      ['合计', '0.00'],
    ]);
    const rows = await stockCsv({ storeId: XINXIANG }, 'admin');
    expect(rows.map((r) => r[0])).not.toContain(COMPANY_STOCK_LABEL);
    expect(rows.at(-1)![0]).toBe('合计');
    expect(rows.at(-1)![VALUE]).toBe(sum(rows.slice(0, -1)));
  });
});

describe('sweep 17b F4: an unknown item filter is NOT_FOUND naming it, as every other unknown id', () => {
  const unknown = randomUUID();
  const firstError = async (query: string, vars: Record<string, unknown>, as = 'dispatcher') => (await t.gql(query, vars, as)).errors?.[0];

  it('stock, movements and journal by filter.itemId; Store.stock by itemId', async () => {
    for (const [query, as] of [
      [`query($f: StockFilter!) { stock(filter: $f, first: 5) { totalCount } }`, 'dispatcher'],
      [`query($f: MovementFilter!) { movements(filter: $f, first: 5) { totalCount } }`, 'dispatcher'],
      [`query($f: JournalFilter!) { journal(filter: $f, first: 5) { totalCount } }`, 'auditor'],
    ] as const) {
      expect(await firstError(query, { f: { itemId: unknown } }, as)).toMatchObject({
        // Sweep 22c F4: the id is in extensions.id, not in the message.
        message: '物资不存在',
        extensions: { code: 'NOT_FOUND', field: 'filter.itemId', id: unknown },
      });
      // A known item is a list, as before.
      expect((await t.gql(query, { f: { itemId: QUILT } }, as)).errors).toBeUndefined();
    }
    const nested = `query($s: ID!, $i: ID) { store(id: $s) { stock(itemId: $i, first: 5) { totalCount } } }`;
    expect(await firstError(nested, { s: WEIHUI, i: unknown }, 'keeper')).toMatchObject({ extensions: { code: 'NOT_FOUND', field: 'itemId' } });
    expect(ok(await t.gql(nested, { s: AGREEMENT_XX, i: QUILT }, 'admin')).store.stock.totalCount).toBe(1);
  });
});

describe('sweep 17b F8: the exports refuse an unknown parameter, item or category rather than answer another sheet', () => {
  it('a misspelt or unknown parameter → 400 naming it, in Chinese', async () => {
    const typo = await download(t, '/exports/stock.csv', 'auditor', { regioncode: '410781' });
    expect(typo.status).toBe(400);
    expect(typo.body.error).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'regioncode',
      message: '未知参数：regioncode（参数名区分大小写，应为 regionCode）',
    });
    const journal = await download(t, '/exports/journal.csv', 'auditor', { storeid: WEIHUI });
    expect(journal.status).toBe(400);
    expect(journal.body.error).toMatchObject({ field: 'storeid', message: '未知参数：storeid（参数名区分大小写，应为 storeId）' });
    const other = await download(t, '/exports/valuation.csv', 'auditor', { regionCode: '410700', itemId: QUILT });
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({ field: 'itemId', message: '未知参数：itemId（此清单可用的参数：asOf、regionCode、groupBy）' });
    // Refused when a download link is minted for it, too.
    const link = await t.gql(`mutation($p: String!) { createDownloadLink(path: $p) { url } }`, { p: '/exports/stock.csv?regioncode=410781' }, 'auditor');
    expect(link.errors?.[0]).toMatchObject({
      message: '未知参数：regioncode（参数名区分大小写，应为 regionCode）',
      extensions: { code: 'BAD_USER_INPUT', field: 'path' },
    });
  });

  it('an unknown category or item → 404 with GraphQL’s message', async () => {
    const category = await download(t, '/exports/stock.csv', 'auditor', { regionCode: '410700', categoryCode: 'NOPE' });
    expect(category.status).toBe(404);
    expect(category.body.error).toMatchObject({ code: 'NOT_FOUND', field: 'categoryCode', message: '物资类别不存在：NOPE' });
    const unknown = randomUUID();
    for (const list of ['stock', 'journal']) {
      const res = await download(t, `/exports/${list}.csv`, 'auditor', { itemId: unknown });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', field: 'itemId', message: '物资不存在' }); // sweep 22c F4: no uuid
    }
  });

  it('every parameter README and the console send is read, through a download link too; its misspelling is refused', async () => {
    const incident = ok(
      await t.gql(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        { i: { name: 'F8 参数', type: 'FLOOD', regionCode: '410781', location: { lat: 35.398, lng: 114.064 } } },
        'dispatcher',
      ),
    ).createIncident.id;
    const cases: [string, string, Record<string, string>][] = [
      ['stock', 'keeper', { storeId: WEIHUI, categoryCode: 'LIVING', itemId: QUILT }],
      ['stock', 'auditor', { regionCode: '410781' }],
      ['journal', 'auditor', { regionCode: '410700', storeId: WEIHUI, itemId: QUILT, documentType: 'RECEIPT', from: '2026-07-01', to: '2026-07-20' }],
      ['valuation', 'auditor', { asOf: '2026-07-19', regionCode: '410700', groupBy: 'STORE,CATEGORY' }],
      ['rotation-due', 'keeper', { withinMonths: '12', regionCode: '410781' }],
      ['reserve-gaps', 'dispatcher', { regionCode: '410781' }],
      ['incident-balance', 'dispatcher', { incidentId: incident }],
    ];
    const categories = ok(await t.gql(`{ categories { code } }`, {}, 'keeper')).categories.map((c: { code: string }) => c.code);
    for (const [list, as, query] of cases) {
      if (query.categoryCode) query.categoryCode = categories[0];
      const res = await download(t, `/exports/${list}.csv`, as, query);
      expect(res.status, `${list}: ${res.text}`).toBe(200);
      const path = `/exports/${list}.xlsx?${new URLSearchParams(query)}`;
      const { url } = ok(await t.gql(`mutation($p: String!) { createDownloadLink(path: $p) { url } }`, { p: path }, as)).createDownloadLink;
      expect((await download(t, url)).status, list).toBe(200);
      // The same names in lower case (a hand-typed URL) are no parameters of the list: refused, not ignored.
      const [name, value] = Object.entries(query)[0];
      const typo = await download(t, `/exports/${list}.csv`, as, { [name.toLowerCase() === name ? `${name}s` : name.toLowerCase()]: value });
      expect(typo.status, list).toBe(400);
    }
  });
});

describe('sweep 17b F13 (D21, D22): documents(filter) reads a period as (from, to], as journal and movements do', () => {
  it('a document dated exactly at `from` is the period before’s in all three; at `to`, in all three', async () => {
    const at = '2026-07-18T10:30:00.000+08:00';
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 2, batchNo: 'F13-EDGE', unitPrice: '90.00' }], { occurredAt: at });
    const lists = async (period: Record<string, string>) => {
      const docs = ok(
        await t.gql(
          `query($f: DocumentFilter!) { documents(filter: $f, first: 50) { edges { node { id } } } }`,
          { f: { storeId: WEIHUI, ...period } },
          'admin',
        ),
      ).documents.edges.map((e: any) => e.node.id);
      const moves = ok(
        await t.gql(
          `query($f: MovementFilter!) { movements(filter: $f, first: 50) { edges { node { document { id } } } } }`,
          { f: { storeId: WEIHUI, ...period } },
          'admin',
        ),
      ).movements.edges.map((e: any) => e.node.document.id);
      const journal = ok(
        await t.gql(
          `query($f: JournalFilter!) { journal(filter: $f, first: 50) { edges { node { document { id } } } } }`,
          { f: { storeId: WEIHUI, ...period } },
          'auditor',
        ),
      ).journal.edges.map((e: any) => e.node.document.id);
      return [docs.includes(doc.id), moves.includes(doc.id), journal.includes(doc.id)];
    };
    expect(await lists({ from: at })).toEqual([false, false, false]);
    expect(await lists({ to: at })).toEqual([true, true, true]);
    expect(await lists({ from: '2026-07-18T10:29:59.999+08:00', to: at })).toEqual([true, true, true]);
  });
});
