import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp } from '../support/harness.ts';
import { withOrder } from '../support/authority.ts';
import { DOC_FIELDS, key, receive, TRANSFER_FIELDS, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { lineOf, ok, purchase, receiveRaw, receiveTransferRaw, shipRaw, stocktakeRaw } from '../support/ledger-ops.ts';
import { expectRefusedUnchanged } from '../support/refusals.ts';

// Sweep 12a F2, the direct path (D9, D22, D27): a count records "book 10, counted 10" at its moment. A document posted
// at once — an issue, a transfer out or in, a receipt into a batch the store holds — dated before that moment moved the
// book under the count, and the reconciliation showed a difference no document explains. Such a post is now refused as
// the approval of a pending one is (INVALID_STATE naming the count, nothing changed, input.occurredAt); dated after the
// count it posts. The test clock stands at NOW, 2026-07-20 10:00 (China); tests that move it put it back.

type T = ReturnType<typeof useTestApp>;

const AT_6 = '2026-07-20T06:00:00+08:00';
const AT_7 = '2026-07-20T07:00:00+08:00';
const AT_8 = '2026-07-20T08:00:00+08:00';
const AT_9 = '2026-07-20T09:00:00+08:00';
const LATER = '2026-07-20T02:30:00Z'; // 10:30 China
const AFTER_COUNT = '2026-07-20T10:15:00+08:00';
const PRICE = { unitPrice: '10.00', expiryDate: '2031-01-01' };

async function stockUp(t: T, as: string, store: string, item: string, batchNo: string, quantity: number, occurredAt = AT_7) {
  const doc = await receive(t, as, store, [{ itemId: item, quantity, batchNo, ...PRICE }], { occurredAt });
  return doc.lines[0].batch.id as string;
}

const count = (t: T, as: string, storeId: string, counts: Record<string, unknown>[]) =>
  stocktakeRaw(t, as, { storeId, counts }, DOC_FIELDS, false).then((res) => ok(res).submitStocktake);

const ISSUE = `mutation($input: IssueStockInput!) { issueStock(input: $input) { ${DOC_FIELDS} } }`;
const SHIP = `mutation($input: ShipTransferInput!) { shipTransfer(input: $input) { ${TRANSFER_FIELDS} } }`;
const issueInput = (batchId: string, item: string, quantity: number, occurredAt?: string) => ({
  storeId: WEIHUI,
  recipient: '唐庄镇安置点',
  reason: 'RELIEF',
  ...(occurredAt ? { occurredAt } : {}),
  lines: [{ itemId: item, batchId, quantity }],
});
const issueOrder = { storeId: WEIHUI, purpose: 'RELIEF', recipient: '唐庄镇安置点' };

/** The refusal the keeper is told, for a post dated `at` under the count `number` (10:00 unless said). */
const refusal = (at: string, batchNo: string, number: string, note = '') =>
  `业务时间 2026-07-20 ${at} 早于批次 ${batchNo} 的盘点 ${number}（盘点时间 2026-07-20 10:00，北京时间${note}）：` +
  '该盘点已按当时的账面登记了实盘数，按该业务时间入账会使盘点时的账面与实盘不符。请按 2026-07-20 10:00 之后的时间登记（不填业务时间即按现在登记）';

async function reconciliationOf(t: T, storeId: string, batchId: string) {
  const rows = ok(
    await t.gql(`{ reconciliation(regionCode: "410781") { store { id } batch { id } ledgerOnHand lastCountedQuantity countVsBalance } }`, {}, 'auditor'),
  ).reconciliation;
  return rows.find((r: any) => r.store.id === storeId && r.batch.id === batchId);
}

describe('a document posted at once, dated before a count of its batch (sweep 12a F2, D9, D22, D27)', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });

  it('D9, D22: an issue dated 08:00 under a count at 10:00 (10 = 10) is refused, nothing changed (balances, journal, audit); dated after the count it posts and 账实相符', async () => {
    const item = itemId('LIV-015');
    const batchId = await stockUp(t, 'keeper', WEIHUI, item, 'CD-ISSUE', 10);
    const pd = await count(t, 'keeper', WEIHUI, [{ batchId, countedQuantity: 10 }]);
    expect(pd.status).toBe('POSTED');
    await withOrder(t, 'keeper', issueInput(batchId, item, 2, AT_8), issueOrder, (input) =>
      expectRefusedUnchanged(
        t,
        'issueStock',
        () => t.gql(ISSUE, { input: { idempotencyKey: key(), ...input } }, 'keeper'),
        'INVALID_STATE',
        refusal('08:00', 'CD-ISSUE', pd.number),
        {
          field: 'input.occurredAt',
          occurredAt: '2026-07-20T08:00:00+08:00',
          batchId,
          stocktake: pd.number,
          countedAt: '2026-07-20T10:00:00+08:00',
          stocktakes: [pd.number],
        },
      ),
    );
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 10, reserved: 0 });
    expect(await reconciliationOf(t, WEIHUI, batchId)).toMatchObject({ ledgerOnHand: 10, lastCountedQuantity: 10, countVsBalance: 0 });
    // What the message says to do: date it after the count.
    t.clock.set(LATER);
    const issued = ok(
      await withOrder(t, 'keeper', issueInput(batchId, item, 2, AFTER_COUNT), issueOrder, (i) =>
        t.gql(ISSUE, { input: { idempotencyKey: key(), ...i } }, 'keeper'),
      ),
    );
    expect(issued.issueStock.status).toBe('POSTED');
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 8 });
    expect(await reconciliationOf(t, WEIHUI, batchId)).toMatchObject({ ledgerOnHand: 8, lastCountedQuantity: 10, countVsBalance: 0 });
  });

  it('D9: a transfer shipped 08:00 from a batch counted at 10:00 is refused; shipped now it leaves', async () => {
    const item = itemId('LIV-016');
    const batchId = await stockUp(t, 'admin', WEIHUI, item, 'CD-SHIP', 10);
    const pd = await count(t, 'keeper', WEIHUI, [{ batchId, countedQuantity: 10 }]);
    const input = { fromStoreId: WEIHUI, toStoreId: XINXIANG, occurredAt: AT_8, lines: [{ itemId: item, batchId, quantity: 4 }] };
    await withOrder(t, 'admin', input, { storeId: WEIHUI, purpose: 'TRANSFER', toStoreId: XINXIANG }, (i) =>
      expectRefusedUnchanged(
        t,
        'shipTransfer',
        () => t.gql(SHIP, { input: { idempotencyKey: key(), ...i } }, 'admin'),
        'INVALID_STATE',
        refusal('08:00', 'CD-SHIP', pd.number),
        { field: 'input.occurredAt', batchId, stocktake: pd.number },
      ),
    );
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 10 });
    expect(await lineOf(t, XINXIANG, item, batchId)).toBeUndefined();
    t.clock.set(LATER);
    const { occurredAt: _dated, ...now } = input;
    expect(ok(await shipRaw(t, 'admin', now)).shipTransfer.status).toBe('IN_TRANSIT');
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 6 });
  });

  it('D9: goods shipped at 07:00 and received 09:00 under a count of the receiving store at 10:00 (nothing on the shelf yet) are refused; received after, they post', async () => {
    const item = itemId('LIV-017');
    const batchId = await stockUp(t, 'admin', XINXIANG, item, 'CD-IN', 10, AT_6);
    const shipped = ok(
      await shipRaw(t, 'admin', { fromStoreId: XINXIANG, toStoreId: WEIHUI, occurredAt: AT_7, lines: [{ itemId: item, batchId, quantity: 10 }] }),
    ).shipTransfer;
    const pd = await count(t, 'keeper', WEIHUI, [{ batchId, countedQuantity: 0 }]);
    expect(pd.status).toBe('POSTED');
    const receipt = { transferId: shipped.id, occurredAt: AT_9, lines: [{ batchId, quantity: 10 }] };
    await expectRefusedUnchanged(t, 'receiveTransfer', () => receiveTransferRaw(t, 'keeper', receipt), 'INVALID_STATE', refusal('09:00', 'CD-IN', pd.number), {
      field: 'input.occurredAt',
      batchId,
      stocktake: pd.number,
    });
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 0, inTransit: 10 });
    t.clock.set(LATER);
    expect(ok(await receiveTransferRaw(t, 'keeper', { ...receipt, occurredAt: AFTER_COUNT })).receiveTransfer.status).toBe('RECEIVED');
    expect(await reconciliationOf(t, WEIHUI, batchId)).toMatchObject({ ledgerOnHand: 10, lastCountedQuantity: 0, countVsBalance: 0 });
  });

  it('D7, D9: a receipt dated 08:00 into a batch the store holds and counted at 10:00 is refused; into a new batch, or dated now, it posts', async () => {
    const item = itemId('LIV-018');
    const batchId = await stockUp(t, 'keeper', WEIHUI, item, 'CD-RK', 10);
    const pd = await count(t, 'keeper', WEIHUI, [{ batchId, countedQuantity: 10 }]);
    const more = (batchNo: string, occurredAt?: string) =>
      purchase(WEIHUI, [{ itemId: item, quantity: 5, batchNo, ...PRICE }], occurredAt ? { occurredAt } : {});
    await expectRefusedUnchanged(t, 'receiveStock', () => receiveRaw(t, 'keeper', more('CD-RK', AT_8)), 'INVALID_STATE', refusal('08:00', 'CD-RK', pd.number), {
      field: 'input.occurredAt',
      batchId,
    });
    // The path that registers organisations (a named supplier) is refused alike.
    const named = { ...more('CD-RK', AT_8), sourceName: '卫辉市百货公司' };
    await expectRefusedUnchanged(t, 'receiveStock', () => receiveRaw(t, 'keeper', named), 'INVALID_STATE', refusal('08:00', 'CD-RK', pd.number));
    expect(ok(await receiveRaw(t, 'keeper', more('CD-RK-NEW', AT_8))).receiveStock.status).toBe('POSTED');
    expect(ok(await receiveRaw(t, 'keeper', more('CD-RK'))).receiveStock.status).toBe('POSTED');
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 15 });
    expect(await reconciliationOf(t, WEIHUI, batchId)).toMatchObject({ ledgerOnHand: 15, lastCountedQuantity: 10, countVsBalance: 0 });
  });

  it('D9, D27: a count still awaiting approval is a count too — an issue dated before it is refused, naming it as pending', async () => {
    const item = itemId('LIV-019');
    const batchId = await stockUp(t, 'keeper', WEIHUI, item, 'CD-PEND', 10);
    const pd = await count(t, 'keeper', WEIHUI, [{ batchId, countedQuantity: 11, reason: 'STOCKTAKE_GAIN' }]);
    expect(pd.status).toBe('PENDING_APPROVAL');
    await withOrder(t, 'keeper', issueInput(batchId, item, 1, AT_8), issueOrder, (input) =>
      expectRefusedUnchanged(
        t,
        'issueStock',
        () => t.gql(ISSUE, { input: { idempotencyKey: key(), ...input } }, 'keeper'),
        'INVALID_STATE',
        refusal('08:00', 'CD-PEND', pd.number, '，待审批'),
        { stocktake: pd.number },
      ),
    );
  });

  it('D9: a count of another batch, or of the same batch at another store, does not refuse; nor does a count dated before the post', async () => {
    const item = itemId('LIV-020');
    const counted = await stockUp(t, 'admin', WEIHUI, item, 'CD-OTHER-1', 10);
    const other = await stockUp(t, 'admin', WEIHUI, item, 'CD-OTHER-2', 10);
    // One batch at two stores: received at 新乡市, part of it transferred here; counted only there.
    const shared = await stockUp(t, 'admin', XINXIANG, item, 'CD-SHARED', 20, AT_6);
    const shipped = ok(
      await shipRaw(t, 'admin', { fromStoreId: XINXIANG, toStoreId: WEIHUI, occurredAt: AT_7, lines: [{ itemId: item, batchId: shared, quantity: 10 }] }),
    ).shipTransfer;
    ok(await receiveTransferRaw(t, 'keeper', { transferId: shipped.id, occurredAt: AT_7, lines: [{ batchId: shared, quantity: 10 }] }));
    await count(t, 'keeper', WEIHUI, [{ batchId: counted, countedQuantity: 10 }]);
    await count(t, 'admin', XINXIANG, [{ batchId: shared, countedQuantity: 10 }]);
    const issued = async (batchId: string, occurredAt: string) =>
      ok(
        await withOrder(t, 'keeper', issueInput(batchId, item, 1, occurredAt), issueOrder, (i) =>
          t.gql(ISSUE, { input: { idempotencyKey: key(), ...i } }, 'keeper'),
        ),
      ).issueStock.status;
    expect(await issued(other, AT_8)).toBe('POSTED');
    expect(await issued(shared, AT_8)).toBe('POSTED');
    t.clock.set(LATER);
    expect(await issued(counted, AFTER_COUNT)).toBe('POSTED');
    // A count at 10:00 and a post at 10:00 exactly: the count is not after it.
    expect(await issued(counted, '2026-07-20T10:00:00+08:00')).toBe('POSTED');
    expect(await reconciliationOf(t, WEIHUI, counted)).toMatchObject({ ledgerOnHand: 8, lastCountedQuantity: 10, countVsBalance: 0 });
  });

  it('migration 0032: the backfill of balances.last_counted_at from the stocktakes gives what the counts above wrote', async () => {
    // A count dated in the past after a later one: the row keeps the later time (a monotonic max), as the backfill does.
    const item = itemId('LIV-021');
    const batchId = await stockUp(t, 'keeper', WEIHUI, item, 'CD-MAX', 10, AT_6);
    await count(t, 'keeper', WEIHUI, [{ batchId, countedQuantity: 10 }]);
    ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, occurredAt: AT_9, counts: [{ batchId, countedQuantity: 10 }] }, DOC_FIELDS, false));
    const marks = (db: Parameters<typeof queryRows>[0] = t.database.db) =>
      queryRows<{ store_id: string; batch_id: string; at: string | null }>(
        db,
        sql`SELECT store_id::text, batch_id::text, last_counted_at::text AS at FROM balances WHERE last_counted_at IS NOT NULL ORDER BY 1, 2`,
      );
    const written = await marks();
    expect(written.length).toBeGreaterThanOrEqual(8);
    const backfill = readFileSync(new URL('../../drizzle/migrations/0032_balances_last_counted.sql', import.meta.url), 'utf8')
      .split('--> statement-breakpoint')
      .find((s) => s.includes('UPDATE "balances"'))!;
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`UPDATE balances SET last_counted_at = NULL`);
      await tx.execute(sql.raw(backfill));
      expect(await marks(tx)).toEqual(written);
    });
  });

  // Last: it closes June for the rest of the file.
  it('D22: a receipt dated in a closed month, before a count too, is refused as dated in the closed month (PERIOD_CLOSED)', async () => {
    const item = itemId('LIV-021');
    const batchId = await stockUp(t, 'keeper', WEIHUI, item, 'CD-CLOSED', 10, '2026-06-10T10:00:00+08:00');
    await count(t, 'keeper', WEIHUI, [{ batchId, countedQuantity: 10 }]);
    ok(await t.gql(`mutation { closePeriod(month: "2026-06") { month } }`, {}, 'admin'));
    await expectRefusedUnchanged(
      t,
      'receiveStock',
      () =>
        receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: item, quantity: 5, batchNo: 'CD-CLOSED', ...PRICE }], { occurredAt: '2026-06-20T10:00:00+08:00' })),
      'BAD_USER_INPUT',
      '该业务时间在已月结的期间内（已结账至 2026-07-01 00:00，含该时点），不能再入账；更正请在未结账期间登记',
      { field: 'input.occurredAt', reason: 'PERIOD_CLOSED' },
    );
  });
});
