import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { useTestApp } from '../support/harness.ts';
import { valuationOf } from '../support/finance.ts';
import { expectLedgerConsistent, key, QUILT, receive, stockAt, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { issueRaw, ok, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { createIncident } from '../support/relief.ts';
import { storeId, userId } from '../../seeds/demo.ts';

// D21 (value at any past date), D22 (the ledger is exact), D7 (a document may be dated in the past): an outbound dated
// before the stock was there is refused (INSUFFICIENT_STOCK on input.occurredAt), so that no (store, batch, bucket)
// has a negative balance at any instant. The clock stands at 2026-07-20T02:00Z (10:00 China time).

const EXPIRY = '2031-01-01';
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）

describe('D21/D22: backdated outbounds never leave a past balance negative', () => {
  const t = useTestApp();

  /** A receipt of one new batch of 棉被 at 卫辉, dated `occurredAt`; returns the batch id. */
  async function receiveBatch(batchNo: string, quantity: number, occurredAt: string, store = WEIHUI) {
    const doc = await receive(t, 'keeper', store, [{ itemId: QUILT, quantity, unitPrice: '158.00', batchNo, expiryDate: EXPIRY }], { occurredAt });
    return doc.lines[0].batch.id as string;
  }

  const issueOf = (batchId: string, quantity: number, occurredAt: string) =>
    issueRaw(t, 'keeper', { storeId: WEIHUI, recipient: '汲水镇安置点', reason: 'RELIEF', occurredAt, lines: [{ itemId: QUILT, batchId, quantity }] });

  const onHandOf = async (batchId: string, store = WEIHUI) => (await stockAt(t, store, QUILT)).find((l: any) => l.batch.id === batchId)?.onHand ?? 0;

  /** Every (store, batch, bucket) of the ledger: its lowest balance at any instant (movements at one instant together). */
  async function lowestRunningBalance(): Promise<number> {
    const [{ lowest }] = await queryRows<{ lowest: number | null }>(
      t.database.db,
      sql`SELECT min(run)::int AS lowest FROM (
            SELECT sum(q) OVER (PARTITION BY store_id, batch_id, bucket ORDER BY occurred_at) AS run
              FROM (SELECT store_id, batch_id, bucket, occurred_at, sum(quantity) AS q FROM movements GROUP BY 1, 2, 3, 4) i) r`,
    );
    return lowest ?? 0;
  }

  it('D21: an issue dated before the batch arrived is refused, in China time, on input.occurredAt, and changes nothing', async () => {
    const batchId = await receiveBatch('BD-BEFORE', 10, '2026-07-10T00:00:00Z');
    const [{ n: before }] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM movements`);
    const res = await issueOf(batchId, 3, '2026-07-01T00:00:00Z');
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'INSUFFICIENT_STOCK', field: 'input.occurredAt', requested: 3, available: 0 });
    // Sweep 22c F6: a refusal writes each quantity with the item's unit (quantityText), as every other message does.
    expect(res.errors?.[0].message).toBe('该批次在 2026-07-01 08:00 时库存仅 0 床，不能按该日期出库');
    expect(res.errors?.[0].message).not.toContain('BD-BEFORE');
    const [{ n: after }] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM movements`);
    expect(after).toBe(before);
    expect(await onHandOf(batchId)).toBe(10);
  });

  it('D21: after the receipt, an issue larger than what was there at its date is refused, a smaller one posts', async () => {
    const batchId = await receiveBatch('BD-PART', 5, '2026-07-05T00:00:00Z');
    await receiveBatch('BD-PART', 5, '2026-07-15T00:00:00Z'); // the same batch again, later: 10 now, 5 on 07-10
    const tooMuch = await issueOf(batchId, 6, '2026-07-10T00:00:00Z');
    expect(tooMuch.errors?.[0].extensions).toMatchObject({ code: 'INSUFFICIENT_STOCK', field: 'input.occurredAt', requested: 6, available: 5 });
    expect(tooMuch.errors?.[0].message).toBe('该批次在 2026-07-10 08:00 时库存仅 5 床，不能按该日期出库');
    const doc = ok(await issueOf(batchId, 5, '2026-07-10T00:00:00Z')).issueStock;
    expect(doc.lines.map((l: any) => l.quantity)).toEqual([-5]);
    expect(await onHandOf(batchId)).toBe(5);
    // What a later outbound already took counts too: 07-08 has 5, but after the issue on 07-10 only 0 until 07-15.
    const later = await issueOf(batchId, 1, '2026-07-08T00:00:00Z');
    expect(later.errors?.[0].extensions).toMatchObject({ code: 'INSUFFICIENT_STOCK', field: 'input.occurredAt', requested: 1, available: 0 });
    expect(later.errors?.[0].message).toBe('该批次在 2026-07-10 08:00 时库存仅 0 床，按 2026-07-08 08:00 出库 1 床会使其为负，不能按该日期出库');
    await expectLedgerConsistent(t);
  });

  it('D7/D21: a backdated receipt, then a backdated issue between it and now, posts', async () => {
    const batchId = await receiveBatch('BD-BETWEEN', 4, '2026-07-02T00:00:00Z');
    const doc = ok(await issueOf(batchId, 4, '2026-07-03T12:00:00Z')).issueStock;
    expect(doc.occurredAt).toBe('2026-07-03T20:00:00+08:00');
    expect(await onHandOf(batchId)).toBe(0);
    // Posting now (no date) is the usual path and still guarded as before.
    const none = await issueRaw(t, 'keeper', {
      storeId: WEIHUI,
      recipient: '汲水镇安置点',
      reason: 'RELIEF',
      lines: [{ itemId: QUILT, batchId, quantity: 1 }],
    });
    expect(none.errors?.[0].extensions?.code).toBe('INSUFFICIENT_STOCK');
  });

  // D23, API.md: a scrap of government stock needs an approved order and posts at once; only the company's own stock in
  // its agreement store is scrapped without one and waits (D27) — so the pending scrap here is of that stock, and the
  // issue that takes the rest is the company's own too (no order).
  it('D27/D21: a scrap waiting for approval is checked at its own date when it posts', async () => {
    const own = async (quantity: number, occurredAt: string) =>
      (
        await receive(t, 'admin', AGREEMENT_STORE, [{ itemId: QUILT, quantity, unitPrice: '158.00', batchNo: 'BD-PENDING', expiryDate: EXPIRY }], {
          occurredAt,
        })
      ).lines[0].batch.id as string;
    const batchId = await own(5, '2026-07-10T00:00:00Z');
    const scrap = await t.gql(
      `mutation($input: ScrapStockInput!) { scrapStock(input: $input) { id status } }`,
      {
        input: {
          storeId: AGREEMENT_STORE,
          approvalRef: '鉴定-2026-07',
          reason: 'DAMAGED',
          occurredAt: '2026-07-15T00:00:00Z',
          idempotencyKey: key(),
          lines: [{ batchId, quantity: 5 }],
        },
      },
      'admin',
    );
    expect(ok(scrap).scrapStock.status).toBe('PENDING_APPROVAL');
    await own(5, '2026-07-18T00:00:00Z');
    // The 5 held for the scrap stay held; the other 5 now were there on 07-12 (the first 5) and after 07-18.
    ok(
      await t.gql(
        `mutation($input: IssueStockInput!) { issueStock(input: $input) { id } }`,
        {
          input: {
            storeId: AGREEMENT_STORE,
            recipient: '汲水镇安置点',
            reason: 'RELIEF',
            occurredAt: '2026-07-12T00:00:00Z',
            idempotencyKey: key(),
            lines: [{ itemId: QUILT, batchId, quantity: 5 }],
          },
        },
        'admin',
      ),
    );
    const approvalId = await pendingApprovalOf(t, scrap.data.scrapStock.id, 'SCRAP');
    const decided = await decideRaw(t, 'director', approvalId, 'APPROVE'); // the administrator asked for it
    expect(decided.errors?.[0].extensions).toMatchObject({ code: 'INSUFFICIENT_STOCK', requested: 5, available: 0 });
    expect(decided.errors?.[0].message).toBe('该批次在 2026-07-15 08:00 时库存仅 0 床，不能按该日期出库');
    expect(await onHandOf(batchId, AGREEMENT_STORE)).toBe(5);
  });

  it('D21: a transfer receipt dated before its shipment is refused', async () => {
    const batchId = await receiveBatch('BD-TRANSFER', 6, '2026-07-01T00:00:00Z');
    const shipped = ok(
      await shipRaw(t, 'keeper', {
        fromStoreId: WEIHUI,
        toStoreId: TANGZHUANG,
        occurredAt: '2026-07-16T00:00:00Z',
        lines: [{ itemId: QUILT, batchId, quantity: 6 }],
      }),
    ).shipTransfer;
    const early = await receiveTransferRaw(t, 'dispatcher', { transferId: shipped.id, occurredAt: '2026-07-14T00:00:00Z', lines: [{ batchId, quantity: 6 }] });
    expect(early.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.occurredAt' });
    // A shipment dated before the batch arrived at its source is refused like an issue.
    const batch2 = await receiveBatch('BD-TRANSFER-2', 6, '2026-07-16T00:00:00Z');
    const before = await shipRaw(t, 'keeper', {
      fromStoreId: WEIHUI,
      toStoreId: TANGZHUANG,
      occurredAt: '2026-07-15T00:00:00Z',
      lines: [{ itemId: QUILT, batchId: batch2, quantity: 1 }],
    });
    expect(before.errors?.[0].extensions).toMatchObject({ code: 'INSUFFICIENT_STOCK', field: 'input.occurredAt', available: 0 });
    ok(await receiveTransferRaw(t, 'dispatcher', { transferId: shipped.id, occurredAt: '2026-07-17T00:00:00Z', lines: [{ batchId, quantity: 6 }] }));
    expect(await onHandOf(batchId, TANGZHUANG)).toBe(6);
  });

  it('D21/D29: a distribution at a 安置点 dated before its 棉被 arrived there is refused; one dated after posts', async () => {
    const batchId = await receiveBatch('BD-RELIEF', 10, '2026-07-01T00:00:00Z');
    const incidentId = await createIncident(t, { affectedPopulation: 100, occurredAt: '2026-07-02T00:00:00Z' });
    const point = ok(
      await t.gql(
        `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id } }`,
        {
          i: { incidentId, name: '汲水镇第一小学安置点', regionCode: '410781100000', lat: 35.475, lng: 114.012, capacity: 100, managerIds: [userId('keeper')] },
        },
        'dispatcher',
      ),
    ).openDistributionPoint.id;
    const shipped = ok(
      await shipRaw(t, 'keeper', {
        fromStoreId: WEIHUI,
        toStoreId: point,
        occurredAt: '2026-07-18T00:00:00Z',
        lines: [{ itemId: QUILT, batchId, quantity: 6 }],
      }),
    ).shipTransfer;
    ok(await receiveTransferRaw(t, 'keeper', { transferId: shipped.id, occurredAt: '2026-07-19T00:00:00Z', lines: [{ batchId, quantity: 6 }] }));
    const distribute = (occurredAt: string) =>
      t.gql(
        `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id number } }`,
        {
          i: {
            storeId: point,
            incidentId,
            household: { headName: '李七', size: 2, idNumber: '410781199001012222' },
            lines: [{ itemId: QUILT, quantity: 2 }],
            occurredAt,
            idempotencyKey: key(),
          },
        },
        'keeper',
      );
    const early = await distribute('2026-07-18T12:00:00Z');
    expect(early.errors?.[0].extensions).toMatchObject({ code: 'INSUFFICIENT_STOCK', field: 'input.occurredAt', requested: 2, available: 0 });
    // Sweep 7b M1: FEFO at the business time names the item, the batch and what it held then.
    expect(early.errors?.[0].message).toBe(
      '库存不足：第 1 行「棉被」按业务时间 2026-07-18 20:00 可出库 0 床，需要 2 床——批次 BD-RELIEF 在 2026-07-18 20:00 时库存仅 0 床（现可用 6 床），不能按该日期出库。请核对业务时间',
    );
    ok(await distribute('2026-07-19T12:00:00Z'));
    expect(await onHandOf(batchId, point)).toBe(4);
  });

  it('D21/D22: afterwards no store, batch or bucket is negative at any past instant, and past valuations show none', async () => {
    expect(await lowestRunningBalance()).toBeGreaterThanOrEqual(0);
    for (const asOf of ['2026-07-01T12:00:00+08:00', '2026-07-08T12:00:00+08:00', '2026-07-12T12:00:00+08:00', '2026-07-16T12:00:00+08:00']) {
      const v = await valuationOf(t, 'auditor', { asOf, groupBy: ['STORE', 'ITEM'] });
      expect(v.groups.filter((g) => g.quantity < 0 || Number(g.value) < 0)).toEqual([]);
    }
    await expectLedgerConsistent(t);
  });
});
