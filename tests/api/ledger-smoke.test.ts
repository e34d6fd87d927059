import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { NOW, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, issue, receive, stockAt, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { requestOrderRaw } from '../support/authority.ts';

describe('ledger smoke', () => {
  const t = useTestApp();
  afterEach(() => {
    t.clock.set(NOW);
    return expectLedgerConsistent(t);
  });

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
    await t.database.db.execute(sql`SELECT next_number('document_number_rk', 2026)`); // the year's counter, if not yet made
    await t.database.db.execute(sql`SELECT setval('document_number_rk_2026', 1234566)`);
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 1, batchNo: 'N7', unitPrice: '1.00' }]);
    expect(doc.number).toBe('RK-2026-1234567');
  });

  it('document and order numbers start again each year, from 00:00 on 1 January China time', async () => {
    const tent = (batchNo: string) => [{ itemId: COTTON_TENT, quantity: 1, batchNo, unitPrice: '1.00' }];
    const order = async () =>
      ok(await requestOrderRaw(t, 'keeper', { storeId: WEIHUI, purpose: 'RELIEF', recipient: '唐庄镇', lines: [{ itemId: COTTON_TENT, quantity: 1 }] }))
        .requestOutboundOrder.number;
    t.clock.set('2026-12-31T15:59:59Z'); // 23:59:59 on 31 December in China
    expect((await receive(t, 'keeper', WEIHUI, tent('Y2026'))).number).toMatch(/^RK-2026-\d{6,}$/);
    expect(await order()).toMatch(/^SQ-2026-\d{6}$/);
    t.clock.set('2026-12-31T16:00:00Z'); // 00:00 on 1 January 2027 in China
    expect((await receive(t, 'keeper', WEIHUI, tent('Y2027-A'))).number).toBe('RK-2027-000001');
    expect((await receive(t, 'keeper', WEIHUI, tent('Y2027-B'))).number).toBe('RK-2027-000002');
    expect(await order()).toBe('SQ-2027-000001');
    expect(ok(await issue(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 1 }])).issueStock.number).toBe('CK-2027-000001');
  });
});
