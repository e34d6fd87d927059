import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, issue, receive, stockAt, WEIHUI } from '../support/ledger.ts';

describe('ledger smoke', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  it('receives and issues FEFO', async () => {
    const a = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 10, batchNo: 'A', expiryDate: '2030-01-01', unitPrice: '2000.00' }]);
    expect(a.number).toMatch(/^RK-2026-\d{6}$/);
    await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 10, batchNo: 'B', expiryDate: '2029-01-01', unitPrice: '2100.00' }]);
    const res = await issue(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 15 }]);
    expect(res.errors).toBeUndefined();
    expect(res.data.issueStock.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual([
      ['B', -10],
      ['A', -5],
    ]);
    const stock = await stockAt(t, WEIHUI, COTTON_TENT);
    expect(stock.map((s: any) => s.onHand)).toEqual([5]);
  });

  it('document numbers keep every digit past six (RK-2026-1234567)', async () => {
    await t.database.db.execute(sql`SELECT setval('document_number_rk', 1234566)`);
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 1, batchNo: 'N7', unitPrice: '1.00' }]);
    expect(doc.number).toBe('RK-2026-1234567');
  });
});
