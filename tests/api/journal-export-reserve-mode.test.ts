import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { ENTRUSTED_XX, fen, yuan } from '../support/finance.ts';
import { useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, QUILT, receive, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ok, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { download, JOURNAL_HEADINGS, openWorkbook, parseCsv, sheetValues } from '../support/paperwork.ts';

// Sweep 12c C10 (D3, D21): a company's own stock (协议储备) is the company's property, kept out of the valuation's total
// (companyStock apart). The journal export listed its receipt like any government one, with nothing to tell it apart, so
// the auditor could not reconcile the export with the valuation. It carries 储备方式 — the mode where the stock is held
// (reserve-mode.ts, D6: the stock list's and the valuation's labels) — at its end, the columns before in place: the
// public rows add up to the change of total, the 协议储备 rows to the change of companyStock.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const AGREEMENT_XX = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）, operated by the company that owns its stock
const FROM = '2026-07-19T10:00:00+08:00';
const TO = '2026-07-19T10:00:05+08:00';

const MODE = JOURNAL_HEADINGS.indexOf('储备方式');
const VALUE = JOURNAL_HEADINGS.indexOf('金额（元）');
const journalCsv = async (query: Record<string, string>) => {
  const res = await download(t, '/exports/journal.csv', 'auditor', query);
  expect(res.status).toBe(200);
  const [headings, ...rows] = parseCsv(res.text);
  expect(headings).toEqual(JOURNAL_HEADINGS);
  return rows;
};
/** The valuation's total and the company stock apart from it (D21), at an instant. */
const valuationAt = async (asOf: string) =>
  ok(await t.gql(`query($at: DateTime) { valuation(asOf: $at, regionCode: "410700") { total companyStock } }`, { at: asOf }, 'auditor')).valuation as {
    total: string;
    companyStock: string;
  };
const sum = (rows: string[][]) => yuan(rows.reduce((s, r) => s + fen(r[VALUE]), 0n));

let company: string;
beforeAll(async () => {
  company = (await queryRows<{ id: string }>(t.database.db, sql`SELECT operator_org_id::text AS id FROM stores WHERE id = ${AGREEMENT_XX}::uuid`))[0].id;
});

describe('the journal export tells a company’s own stock from the government’s (sweep 12c C10, D3, D21)', () => {
  it('D3, D21: 储备方式 comes after the columns read before (at the end); a company’s receipt is 协议储备, the government’s 实物储备', async () => {
    expect(JOURNAL_HEADINGS.slice(0, 18).at(-1)).toBe('出库申请');
    expect(MODE).toBeGreaterThan(JOURNAL_HEADINGS.indexOf('出库申请'));
    const before = await valuationAt(FROM);
    const own = await receive(
      t,
      'admin',
      AGREEMENT_XX,
      [{ itemId: QUILT, quantity: 40, batchNo: 'C10-OWN', unitPrice: '100.00', fundingSource: 'ENTERPRISE', ownerOrgId: company }],
      { source: 'OTHER', reference: '企业自有储备入库', occurredAt: '2026-07-19T10:00:01+08:00' },
    );
    const public_ = await receive(t, 'admin', XINXIANG, [{ itemId: QUILT, quantity: 5, batchNo: 'C10-GOV', unitPrice: '100.00' }], {
      occurredAt: '2026-07-19T10:00:02+08:00',
    });
    const rows = await journalCsv({ regionCode: '410700', from: FROM, to: TO });
    expect(rows.map((r) => [r[0], r[MODE], r[VALUE]]).sort()).toEqual(
      [
        [own.number, '协议储备', '4000.00'],
        [public_.number, '实物储备', '500.00'],
      ].sort(),
    );
    // The auditor's reconciliation: the public rows are the change of total, the 协议储备 rows that of companyStock.
    const after = await valuationAt(TO);
    expect(sum(rows.filter((r) => r[MODE] !== '协议储备'))).toBe(yuan(fen(after.total) - fen(before.total)));
    expect(sum(rows.filter((r) => r[MODE] === '协议储备'))).toBe(yuan(fen(after.companyStock) - fen(before.companyStock)));
    // The workbook has the same cell.
    const xlsx = await download(t, '/exports/journal.xlsx', 'auditor', { regionCode: '410700', from: FROM, to: TO });
    const sheet = sheetValues(await openWorkbook(xlsx.body as Buffer), 1);
    expect(sheet.find((r) => r[0] === own.number)![MODE]).toBe('协议储备');
    // The stock list had its 储备方式 already (the held mode, sweep 12c C1); its 合计 is the government's rows, the
    // company's a line apart (sweep 17b F2: sweep17b-stock-total-and-filters.test.ts).
    const [headings, ...stock] = parseCsv((await download(t, '/exports/stock.csv', 'admin', { storeId: AGREEMENT_XX })).text.slice(1));
    expect(stock.find((r) => r[headings.indexOf('批号')] === 'C10-OWN')?.[headings.indexOf('储备方式')]).toBe('协议储备');
  });

  it('D6: the mode is where the stock is held — government stock moved into an entrusted store is 企业代储 there, 实物储备 where it left', async () => {
    const doc = await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: QUILT, quantity: 30, batchNo: 'C10-MOVED', unitPrice: '100.00' }]);
    const batchId = doc.lines[0].batch.id as string;
    const tr = ok(
      await shipRaw(t, 'admin', { fromStoreId: XINXIANG_COUNTY, toStoreId: ENTRUSTED_XX, lines: [{ batchId, itemId: QUILT, quantity: 20 }] }),
    ).shipTransfer;
    ok(await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId, quantity: 20 }] }));
    const batchNo = JOURNAL_HEADINGS.indexOf('批号');
    const modes = async (store: string, documentType: string) => [
      ...new Set((await journalCsv({ storeId: store, documentType })).filter((r) => r[batchNo] === 'C10-MOVED').map((r) => r[MODE])),
    ];
    expect(await modes(ENTRUSTED_XX, 'TRANSFER_IN')).toEqual(['企业代储']);
    expect(await modes(XINXIANG_COUNTY, 'TRANSFER_OUT')).toEqual(['实物储备']);
    expect(await modes(XINXIANG_COUNTY, 'RECEIPT')).toEqual(['实物储备']);
  });
});
