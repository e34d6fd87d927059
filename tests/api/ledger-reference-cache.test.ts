import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { userId } from '../../seeds/demo.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { approvedOrder } from '../support/authority.ts';
import { key, QUILT, receive, WEIHUI, XINXIANG } from '../support/ledger.ts';

// Issue 11 (P1): posts read the principal, stores, items and reasons from this process's memory. Whatever changes
// them — a mutation here, or anyone else writing to the database (another API process, the CLI, psql) — the next
// post sees the change: this process drops its cache when its own mutation commits, and when the database notifies
// `reference_changed`. A change made behind the API's back arrives as a notification, so those cases wait for it.

const RECEIVE = `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id number } }`;
const ISSUE = `mutation($input: IssueStockInput!) { issueStock(input: $input) { id number reason { code name } } }`;
const NOTIFIED = { timeout: 5_000, interval: 50 };

describe('Issue 11 P1: the reference data cache — the next post sees every change', () => {
  const t = useTestApp();
  const receipt = (extra: Record<string, unknown> = {}) => ({
    storeId: WEIHUI,
    source: 'PURCHASE',
    contractNo: 'HT-RC',
    inspectionReportNo: 'YS-RC',
    idempotencyKey: key(),
    lines: [{ itemId: QUILT, quantity: 5, unitPrice: '12.50' }],
    ...extra,
  });
  const post = (as = 'keeper', extra: Record<string, unknown> = {}) => t.gql(RECEIVE, { input: receipt(extra) }, as);
  /**
   * The store's name as a post sees it: an issue against another store's order is refused naming this store — asked by
   * the dispatcher, who may see both stores' orders (to the keeper, 新乡市's order is FORBIDDEN: sweep 12b F8).
   */
  const storeName = async () => {
    const res = await t.gql(
      ISSUE,
      { input: { storeId: WEIHUI, orderId: otherStoresOrder, reason: 'RELIEF', idempotencyKey: key(), lines: [{ itemId: QUILT, quantity: 1 }] } },
      'dispatcher',
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).not.toMatch(/SQ-\d{4}-/); // another store's order is not numbered (sweep 9a F6)
    return /不是本仓库（(.+)）的申请/.exec(res.errors![0].message)![1];
  };

  let orderId: string;
  let otherStoresOrder: string;
  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 100, unitPrice: '12.50' }]);
    const order = await approvedOrder(t, 'keeper', { storeId: WEIHUI, purpose: 'RELIEF', recipient: '唐庄镇安置点', lines: [{ itemId: QUILT, quantity: 50 }] });
    expect(order.errors, JSON.stringify(order.errors)).toBeUndefined();
    orderId = order.data.order.id;
    const other = await approvedOrder(t, 'admin', { storeId: XINXIANG, purpose: 'RELIEF', recipient: '新乡市安置点', lines: [{ itemId: QUILT, quantity: 1 }] });
    expect(other.errors, JSON.stringify(other.errors)).toBeUndefined();
    otherStoresOrder = other.data.order.id;
  });

  it('a store renamed through updateStore: the very next post knows it by its new name', async () => {
    const before = await storeName(); // the store is now held in memory
    const renamed = await t.gql(
      `mutation($id: ID!, $input: UpdateStoreInput!) { updateStore(id: $id, input: $input) { name } }`,
      {
        id: WEIHUI,
        input: { name: `${before}（新）` },
      },
      'admin',
    );
    expect(renamed.errors, JSON.stringify(renamed.errors)).toBeUndefined();
    expect(await storeName()).toBe(`${before}（新）`);
  });

  it('a store renamed in the database by someone else (another process, psql): posts see it once notified', async () => {
    const before = await storeName();
    await t.database.db.execute(sql`UPDATE stores SET name = ${`${before}·二`} WHERE id = ${WEIHUI}::uuid`);
    await vi.waitFor(async () => expect(await storeName()).toBe(`${before}·二`), NOTIFIED);
  });

  // Period closes are not held in memory at all: the guard is the database's own (a trigger on every ledger row).
  it('a period closed (月结): the next post dated in it is refused (PERIOD_CLOSED)', async () => {
    const april = { occurredAt: '2026-04-15T02:00:00Z' };
    const open = await post('keeper', april);
    expect(open.errors, JSON.stringify(open.errors)).toBeUndefined();
    const closed = await t.gql(`mutation { closePeriod(month: "2026-04") { month } }`, {}, 'admin');
    expect(closed.errors, JSON.stringify(closed.errors)).toBeUndefined();
    const refused = await post('keeper', april);
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0].extensions).toMatchObject({ field: 'input.occurredAt', reason: 'PERIOD_CLOSED' });
  });

  it('a reason added in the database: the next issue may give it, though the reasons were held before', async () => {
    const issue = () =>
      t.gql(
        ISSUE,
        { input: { storeId: WEIHUI, orderId, recipient: '唐庄镇安置点', reason: 'RC_TEST', idempotencyKey: key(), lines: [{ itemId: QUILT, quantity: 1 }] } },
        'keeper',
      );
    const unknown = await issue(); // reads (and holds) the reasons: RC_TEST is not one of them
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0].extensions.field).toBe('input.reason');
    await t.database.db.execute(sql`INSERT INTO stock_reasons (code, name, direction, usages) VALUES ('RC_TEST', '缓存测试', 'DECREASE', ARRAY['ISSUE'])`);
    await vi.waitFor(async () => {
      const res = await issue();
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      expect(res.data.issueStock.reason).toEqual({ code: 'RC_TEST', name: '缓存测试' });
    }, NOTIFIED);
  });

  it("a keeper's store taken away in the database: the keeper's next post there is FORBIDDEN (the principal is not held stale)", async () => {
    expect((await post('keeper')).errors).toBeUndefined(); // the keeper's principal is held
    await t.database.db.execute(sql`DELETE FROM user_stores WHERE user_id = ${userId('keeper')}::uuid AND store_id = ${WEIHUI}::uuid`);
    await vi.waitFor(async () => expect(errorCode(await post('keeper'))).toBe('FORBIDDEN'), NOTIFIED);
  });
});
