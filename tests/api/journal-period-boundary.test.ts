import { describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp } from '../support/harness.ts';
import { receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { download, parseCsv } from '../support/paperwork.ts';

// D21, D22 (sweeps 12c C8, 13b #12, 14b F2): a period of the journal is (from, to]. A movement dated exactly at an
// instant belongs to the period ending there — as valuation(asOf) counts it — so the value at `from` plus the period's
// movements is the value at `to`, and two consecutive periods never both list it (it had been in both).

const t = useTestApp();
const FOLDING_TABLE = itemId('LIV-011');
const T = '2026-07-10T00:00:00+08:00'; // the boundary, and the receipt's business time
const BEFORE = '2026-07-09T00:00:00+08:00';
const AFTER = '2026-07-11T00:00:00+08:00';

interface Row {
  document: { id: string };
  value: string;
}
const journal = async (from: string, to: string): Promise<Row[]> =>
  ok(
    await t.gql(
      `query($f: JournalFilter!) { journal(filter: $f, first: 500) { edges { node { document { id } quantity value } } } }`,
      { f: { storeId: WEIHUI, from, to } },
      'auditor',
    ),
  ).journal.edges.map((e: { node: Row }) => e.node);
const valueAt = async (asOf: string) =>
  Number(ok(await t.gql(`query($a: DateTime) { valuation(asOf: $a, regionCode: "410781") { total } }`, { a: asOf }, 'auditor')).valuation.total);

describe('D21, D22: a journal period is (from, to] — the boundary movement is in one period only', () => {
  it('a receipt dated exactly at the boundary is in the period ending there, not in the one starting there; opening + movements = closing', async () => {
    const doc = await receive(t, 'admin', WEIHUI, [{ itemId: FOLDING_TABLE, quantity: 7, batchNo: 'JB-ZZ-1', unitPrice: '33.33' }], { occurredAt: T });
    const ending = await journal(BEFORE, T);
    const starting = await journal(T, AFTER);
    expect(ending.map((m) => m.document.id)).toContain(doc.id);
    expect(starting.map((m) => m.document.id)).not.toContain(doc.id);

    // Roll forward over both periods: value(BEFORE) + Σ(BEFORE, T] = value(T); value(T) + Σ(T, AFTER] = value(AFTER).
    const sum = (rows: { value: string }[]) => rows.reduce((s, m) => s + Math.round(Number(m.value) * 100), 0);
    const [v0, v1, v2] = [await valueAt(BEFORE), await valueAt(T), await valueAt(AFTER)].map((v) => Math.round(v * 100));
    expect(v0 + sum(ending)).toBe(v1);
    expect(v1 + sum(starting)).toBe(v2);

    // The export reads the period the same way.
    const csv = await download(t, '/exports/journal.csv', 'auditor', { storeId: WEIHUI, from: T, to: AFTER });
    expect(csv.status).toBe(200);
    expect(parseCsv(csv.text).flat()).not.toContain(doc.number);
  });
});
