import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { approvedOrder } from '../support/authority.ts';
import { key, QUILT, receive, WEIHUI } from '../support/ledger.ts';

// Issue 11 (P1): a single-line post costs at most 4 round trips to the database, the whole request counted —
// authentication, reference data, idempotency, locks, the guarded writes, the audit row, BEGIN and COMMIT.
// Reference data (the principal, stores, items, reasons) comes from a cache, so the first request warms it.

const MAX_ROUND_TRIPS = 4;

describe('Issue 11 P1: round trips per single-line post', () => {
  const t = useTestApp();

  /** The round trips of one request (asserted error-free), and its answer. */
  async function roundTrips(query: string, input: Record<string, unknown>, as: string) {
    await t.token(as);
    const before = t.database.stats.roundTrips;
    const res = await t.gql(query, { input }, as);
    const n = t.database.stats.roundTrips - before;
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return { n, data: res.data };
  }

  const RECEIVE = `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id number } }`;
  const ISSUE = `mutation($input: IssueStockInput!) { issueStock(input: $input) { id number } }`;
  const receipt = () => ({
    storeId: WEIHUI,
    source: 'PURCHASE',
    contractNo: 'HT-RT',
    inspectionReportNo: 'YS-RT',
    idempotencyKey: key(),
    lines: [{ itemId: QUILT, quantity: 20, unitPrice: '12.50' }],
  });

  let orderId: string;
  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 100, unitPrice: '12.50' }]);
    const order = await approvedOrder(t, 'keeper', { storeId: WEIHUI, purpose: 'RELIEF', recipient: '唐庄镇安置点', lines: [{ itemId: QUILT, quantity: 50 }] });
    expect(order.errors, JSON.stringify(order.errors)).toBeUndefined();
    orderId = order.data.order.id;
  });

  it(`receiveStock of one line: ≤ ${MAX_ROUND_TRIPS} round trips`, async () => {
    await roundTrips(RECEIVE, receipt(), 'keeper');
    const { n, data } = await roundTrips(RECEIVE, receipt(), 'keeper');
    expect(data.receiveStock.number).toMatch(/^RK-/);
    expect(n).toBeLessThanOrEqual(MAX_ROUND_TRIPS);
  });

  it(`issueStock of one line (FEFO, against an approved order, D8/D23): ≤ ${MAX_ROUND_TRIPS} round trips`, async () => {
    const input = () => ({
      storeId: WEIHUI,
      orderId,
      recipient: '唐庄镇安置点',
      reason: 'RELIEF',
      idempotencyKey: key(),
      lines: [{ itemId: QUILT, quantity: 1 }],
    });
    await roundTrips(ISSUE, input(), 'keeper');
    const { n, data } = await roundTrips(ISSUE, input(), 'keeper');
    expect(data.issueStock.number).toMatch(/^CK-/);
    expect(n).toBeLessThanOrEqual(MAX_ROUND_TRIPS);
  });

  it(`a replay (same key, same request) answers the first document in ≤ ${MAX_ROUND_TRIPS} round trips`, async () => {
    const input = receipt();
    const first = await roundTrips(RECEIVE, input, 'keeper');
    const again = await roundTrips(RECEIVE, input, 'keeper');
    expect(again.data.receiveStock).toEqual(first.data.receiveStock);
    expect(again.n).toBeLessThanOrEqual(MAX_ROUND_TRIPS);
  });
});
