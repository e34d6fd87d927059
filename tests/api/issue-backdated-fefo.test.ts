import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp } from '../support/harness.ts';
import { approvedOrder } from '../support/authority.ts';
import { DOC_FIELDS, key, receive, stockAt, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { ok, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { createIncident, openPoint } from '../support/relief.ts';

// D8 (FEFO) read at a document's own business time, D21 (the ledger at every past instant): a backdated outbound that
// names no batch chooses first-expiry-first-out among the batches the store held at its date (sweep 7b M1) — a batch
// received since, one that now expires first, is no candidate. When what was held then cannot serve the line, the
// refusal names the item and the batches, and says what to do. A named batch, and an outbound dated now, pick as before.
// The clock stands at 2026-07-20T02:00Z (10:00 China time); tests move it and it is put back after each.

const BLANKET = itemId('LIV-006'); // 毛毯, 条
const COAT = itemId('LIV-005'); // 棉大衣, 件
const SLEEPING_BAG = itemId('LIV-009'); // 睡袋, 个
const SUMMER_QUILT = itemId('LIV-008'); // 夏凉被, 床
const TOWEL_QUILT = itemId('LIV-007'); // 毛巾被, 条

const ISSUE = `mutation($input: IssueStockInput!) { issueStock(input: $input) { ${DOC_FIELDS} } }`;

describe('D8/D21 (sweep 7b M1): a backdated FEFO outbound picks among the batches held at its business time', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });

  /** A receipt of one new batch at 卫辉 (at the clock's time unless `occurredAt`); returns the batch id. */
  async function receiveBatch(item: string, batchNo: string, quantity: number, expiryDate: string, occurredAt?: string) {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: item, quantity, unitPrice: '100.00', batchNo, expiryDate }], occurredAt ? { occurredAt } : {});
    return doc.lines[0].batch.id as string;
  }

  /** An approved relief order (requested and approved now, 10:00) for `quantity` of the item at 卫辉. */
  async function reliefOrder(item: string, quantity: number): Promise<string> {
    const res = await approvedOrder(t, 'keeper', { storeId: WEIHUI, purpose: 'RELIEF', recipient: '唐庄镇安置点', lines: [{ itemId: item, quantity }] });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data.order.id;
  }

  const issueRaw = (input: Record<string, unknown>) =>
    t.gql(ISSUE, { input: { reason: 'RELIEF', idempotencyKey: key(), storeId: WEIHUI, ...input } }, 'keeper');

  const onHand = async (item: string) => new Map((await stockAt(t, WEIHUI, item)).map((l: any) => [l.batch.batchNo, l.onHand]));
  const movementCount = async () => (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM movements`))[0].n;

  it('D8/D21: the finding — order approved, a soon-expiring batch received later, an issue dated between posts from the batches held then, FEFO among them', async () => {
    await receiveBatch(BLANKET, 'MT-HELD-B', 10, '2026-11-01', '2026-07-19T00:00:00Z');
    await receiveBatch(BLANKET, 'MT-HELD-A', 3, '2026-10-01', '2026-07-19T00:00:00Z');
    const orderId = await reliefOrder(BLANKET, 5);
    t.clock.set('2026-07-20T03:00:00Z');
    await receiveBatch(BLANKET, 'MT-EARLY', 10, '2026-09-01'); // expires first, but arrived at 11:00
    t.clock.set('2026-07-20T04:00:00Z');
    const doc = ok(await issueRaw({ orderId, occurredAt: '2026-07-20T02:30:00Z', lines: [{ itemId: BLANKET, quantity: 5 }] })).issueStock;
    expect(doc.occurredAt).toBe('2026-07-20T10:30:00+08:00');
    // Earliest expiry among what was there at 10:30: all 3 of MT-HELD-A, then 2 of MT-HELD-B; MT-EARLY untouched.
    expect(doc.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual([
      ['MT-HELD-A', -3],
      ['MT-HELD-B', -2],
    ]);
    expect(Object.fromEntries(await onHand(BLANKET))).toEqual({ 'MT-HELD-B': 8, 'MT-EARLY': 10 }); // MT-HELD-A is empty
  });

  it('D8/D21: nothing held at the business time — refused on input.occurredAt naming the item and the batch, and what to do; nothing posted', async () => {
    const orderId = await reliefOrder(COAT, 5);
    t.clock.set('2026-07-20T03:00:00Z');
    const early = await receiveBatch(COAT, 'MDY-NEW', 10, '2026-09-01');
    t.clock.set('2026-07-20T04:00:00Z');
    const before = await movementCount();
    const res = await issueRaw({ orderId, occurredAt: '2026-07-20T02:30:00Z', lines: [{ itemId: COAT, quantity: 2 }] });
    expect(res.errors?.[0].extensions).toMatchObject({
      code: 'INSUFFICIENT_STOCK',
      field: 'input.occurredAt',
      itemId: COAT,
      requested: 2,
      available: 0,
      batchIds: [early],
    });
    expect(res.errors?.[0].message).toBe(
      '库存不足：第 1 行「棉大衣」按业务时间 2026-07-20 10:30 可出库 0 件，需要 2 件——批次 MDY-NEW 在 2026-07-20 10:30 时库存仅 0 件（现可用 10 件），' +
        '不能按该日期出库。请指定出库批次，或核对业务时间',
    );
    expect(await movementCount()).toBe(before);
    // A named batch keeps today's behaviour: assertHeldSince refuses it at its date.
    const named = await issueRaw({ orderId, occurredAt: '2026-07-20T02:30:00Z', lines: [{ itemId: COAT, batchId: early, quantity: 2 }] });
    expect(named.errors?.[0].extensions).toMatchObject({ code: 'INSUFFICIENT_STOCK', field: 'input.occurredAt', batchId: early, requested: 2, available: 0 });
    // Sweep 22c F6: a refusal writes each quantity with the item's unit (quantityText), as every other message does.
    expect(named.errors?.[0].message).toBe('该批次在 2026-07-20 10:30 时库存仅 0 件，不能按该日期出库');
    // Dated after the receipt, the same line posts.
    const later = ok(await issueRaw({ orderId, occurredAt: '2026-07-20T03:30:00Z', lines: [{ itemId: COAT, quantity: 2 }] })).issueStock;
    expect(later.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual([['MDY-NEW', -2]]);
  });

  it('D8/D21: partly held — the refusal says how much was there then, per batch, when today’s stock could serve the line', async () => {
    // The next test issues 睡袋 dated now from what this one leaves: 4 of SD-OLD, 10 of SD-NEW.
    const orderId = await reliefOrder(SLEEPING_BAG, 20);
    await receiveBatch(SLEEPING_BAG, 'SD-OLD', 4, '2026-11-01', '2026-07-19T00:00:00Z');
    t.clock.set('2026-07-20T03:00:00Z');
    await receiveBatch(SLEEPING_BAG, 'SD-NEW', 10, '2026-09-01');
    t.clock.set('2026-07-20T04:00:00Z');
    const res = await issueRaw({ orderId, occurredAt: '2026-07-20T02:30:00Z', lines: [{ itemId: SLEEPING_BAG, quantity: 6 }] });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'INSUFFICIENT_STOCK', field: 'input.occurredAt', requested: 6, available: 4 });
    expect(res.errors?.[0].message).toBe(
      '库存不足：第 1 行「睡袋」按业务时间 2026-07-20 10:30 可出库 4 个，需要 6 个——批次 SD-NEW 在 2026-07-20 10:30 时库存仅 0 个（现可用 10 个），' +
        '不能按该日期出库。请指定出库批次，或核对业务时间',
    );
    // More than the store holds even now: the refusal is the usual one, of today's stock.
    const tooMuch = await issueRaw({ orderId, occurredAt: '2026-07-20T02:30:00Z', lines: [{ itemId: SLEEPING_BAG, quantity: 15 }] });
    expect(tooMuch.errors?.[0].extensions).toMatchObject({ code: 'INSUFFICIENT_STOCK', field: 'input.lines.0.quantity', requested: 15, available: 14 });
    // Sweep 22c F6: a refusal writes each quantity with the item's unit (quantityText), as every other message does.
    expect(tooMuch.errors?.[0].message).toBe('库存不足：第 1 行可用 14 个，需要 15 个');
  });

  it('D8: an issue dated now is unchanged — FEFO over today’s stock takes the batch received last when it expires first', async () => {
    const orderId = await reliefOrder(SLEEPING_BAG, 3);
    t.clock.set('2026-07-20T04:00:00Z');
    const doc = ok(await issueRaw({ orderId, lines: [{ itemId: SLEEPING_BAG, quantity: 3 }] })).issueStock;
    expect(doc.occurredAt).toBe('2026-07-20T12:00:00+08:00');
    expect(doc.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual([['SD-NEW', -3]]);
    expect(Object.fromEntries(await onHand(SLEEPING_BAG))).toEqual({ 'SD-OLD': 4, 'SD-NEW': 7 });
  });

  it('D8/D21: a backdated transfer picks among the batches held at its date as well', async () => {
    await receiveBatch(SUMMER_QUILT, 'XLB-HELD', 10, '2026-11-01', '2026-07-19T00:00:00Z');
    t.clock.set('2026-07-20T03:00:00Z');
    await receiveBatch(SUMMER_QUILT, 'XLB-EARLY', 10, '2026-09-01');
    t.clock.set('2026-07-20T04:00:00Z');
    const shipped = ok(
      await shipRaw(t, 'keeper', {
        fromStoreId: WEIHUI,
        toStoreId: TANGZHUANG,
        occurredAt: '2026-07-20T02:30:00Z',
        lines: [{ itemId: SUMMER_QUILT, quantity: 4 }],
      }),
    ).shipTransfer;
    expect(shipped.lines.map((l: any) => [l.batch.batchNo, l.shipped])).toEqual([['XLB-HELD', 4]]);
  });

  it('D8/D21/D29: a backdated relief distribution hands out what the 安置点 held then; before anything arrived it is told to check the time', async () => {
    const held = await receiveBatch(TOWEL_QUILT, 'MJB-HELD', 10, '2026-11-01', '2026-07-01T00:00:00Z');
    const early = await receiveBatch(TOWEL_QUILT, 'MJB-EARLY', 10, '2026-09-01', '2026-07-01T00:00:00Z');
    const incidentId = await createIncident(t, { affectedPopulation: 100, occurredAt: '2026-07-02T00:00:00Z' });
    const point = await openPoint(t, incidentId, '汲水镇第二小学安置点', { lat: 35.476, lng: 114.013, capacity: 100 });
    const deliver = async (batchId: string, shippedAt: string, receivedAt: string) => {
      const shipped = ok(
        await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: point, occurredAt: shippedAt, lines: [{ itemId: TOWEL_QUILT, batchId, quantity: 6 }] }),
      ).shipTransfer;
      ok(await receiveTransferRaw(t, 'keeper', { transferId: shipped.id, occurredAt: receivedAt, lines: [{ batchId, quantity: 6 }] }));
    };
    await deliver(held, '2026-07-15T00:00:00Z', '2026-07-16T00:00:00Z');
    await deliver(early, '2026-07-18T00:00:00Z', '2026-07-19T00:00:00Z'); // expires first, at the point since 07-19
    const distribute = (occurredAt: string) =>
      t.gql(
        `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id number lines { quantity batch { batchNo } } } }`,
        {
          i: {
            storeId: point,
            incidentId,
            household: { headName: '周九', size: 2, address: '汲水镇汲水村5组3号' },
            lines: [{ itemId: TOWEL_QUILT, quantity: 2 }],
            occurredAt,
            idempotencyKey: key(),
          },
        },
        'keeper',
      );
    const doc = ok(await distribute('2026-07-17T12:00:00Z')).distributeRelief;
    expect(doc.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual([['MJB-HELD', 2]]);
    const before = await distribute('2026-07-15T12:00:00Z');
    expect(before.errors?.[0].extensions).toMatchObject({ code: 'INSUFFICIENT_STOCK', field: 'input.occurredAt', requested: 2, available: 0 });
    expect(before.errors?.[0].message).toBe(
      '库存不足：第 1 行「毛巾被」按业务时间 2026-07-15 20:00 可出库 0 条，需要 2 条——批次 MJB-EARLY 在 2026-07-15 20:00 时库存仅 0 条（现可用 6 条）；' +
        '批次 MJB-HELD 在 2026-07-15 20:00 时库存仅 0 条（现可用 4 条），不能按该日期出库。请核对业务时间',
    );
  });
});
