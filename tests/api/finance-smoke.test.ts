import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, issue, receive, WEIHUI } from '../support/ledger.ts';

describe('finance smoke', () => {
  const t = useTestApp();
  it('values, journals, reconciles, logs and exports', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 10, batchNo: 'V1', unitPrice: '2000.50' }], {
      occurredAt: '2026-05-10T08:00:00+08:00',
    });
    await issue(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 3 }]);
    const v = await t.gql(
      `{ valuation(regionCode: "410700", groupBy: [STORE, CATEGORY]) { total onHand inTransit snapshotMonth groups { key quantity value } } }`,
      {},
      'auditor',
    );
    expect(v.errors, JSON.stringify(v.errors)).toBeUndefined();
    expect(v.data.valuation.total).toBe('14003.50');
    const before = await t.gql(`{ valuation(asOf: "2026-05-31T00:00:00+08:00", regionCode: "410700") { total } }`, {}, 'auditor');
    expect(before.data.valuation.total).toBe('20005.00');
    const close = await t.gql(`mutation { closePeriod(month: "2026-05") { month cutoff } }`, {}, 'admin');
    expect(close.errors, JSON.stringify(close.errors)).toBeUndefined();
    const after = await t.gql(`{ valuation(asOf: "2026-06-30T00:00:00+08:00", regionCode: "410700") { total snapshotMonth } }`, {}, 'auditor');
    expect(after.data.valuation).toEqual({ total: '20005.00', snapshotMonth: '2026-05' });
    const back = await t.gql(
      `mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }`,
      {
        i: {
          storeId: WEIHUI,
          source: 'DONATION',
          sourceName: '红十字会',
          idempotencyKey: 'back-1',
          occurredAt: '2026-05-20T08:00:00+08:00',
          lines: [{ itemId: COTTON_TENT, quantity: 1, unitPrice: '1.00' }],
        },
      },
      'keeper',
    );
    expect(back.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    const j = await t.gql(
      `{ journal(filter: { regionCode: "410781" }) { totalCount edges { node { document { number } type value reason { name } actor { username } } } } }`,
      {},
      'auditor',
    );
    expect(j.data.journal.totalCount).toBe(2);
    const rec = await t.gql(`{ reconciliation(regionCode: "410781") { ledgerOnHand balanceOnHand ledgerVsBalance } }`, {}, 'auditor');
    expect(rec.data.reconciliation.every((r: any) => r.ledgerVsBalance === 0)).toBe(true);
    const log = await t.gql(`{ auditLog(first: 10) { edges { node { username role operation outcome } } } }`, {}, 'auditor');
    expect(log.errors, JSON.stringify(log.errors)).toBeUndefined();
    expect(log.data.auditLog.edges.map((e: any) => [e.node.username, e.node.operation, e.node.outcome])).toContainEqual([
      'keeper',
      'receiveStock',
      'BAD_USER_INPUT',
    ]);
    const forbidden = await t.gql(`mutation { closePeriod(month: "2026-06") { month } }`, {}, 'auditor');
    expect(forbidden.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const csv = await request(t.app)
      .get('/exports/journal.csv?regionCode=410781')
      .set('authorization', `Bearer ${await t.token('auditor')}`);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('单据编号');
    const xlsx = await request(t.app)
      .get('/exports/valuation.xlsx?regionCode=410700&groupBy=STORE')
      .set('authorization', `Bearer ${await t.token('auditor')}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(xlsx.status).toBe(200);
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).toBe('PK');
  });
});
