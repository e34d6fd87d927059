import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, QUILT, receive, stockAt, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { issueRaw, ledgerCounts, ok, scrapRaw } from '../support/ledger-ops.ts';

const COAT = itemId('LIV-005'); // 棉大衣
const SLEEPING_BAG = itemId('LIV-009'); // 睡袋
const LIFE_BUOY = itemId('FLD-010'); // 救生圈
const GENERATOR = itemId('FLD-016'); // 汽油发电机: no storage life
const TARP = itemId('LIV-016'); // 苫布
const TOWEL_QUILT = itemId('LIV-007'); // 毛巾被
const LAMP = itemId('FLD-014'); // 巡堤查险灯具

const ISSUE_FIELDS = `id number type status recipient reason { code direction } approvalRef store { id }
  lines { lineNo quantity unitPrice value item { id } batch { id batchNo } reason { code } }`;

const ext = (res: { errors?: { extensions: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions ?? {};

/** On hand per batch number at a store for an item. */
const byBatchNo = async (t: ReturnType<typeof useTestApp>, store: string, item: string) =>
  Object.fromEntries((await stockAt(t, store, item)).map((s: any) => [s.batch.batchNo, s.onHand]));

describe('issueStock (出库)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  // 棉大衣 at 卫辉: three batches — expiring 2031, 2029 (oldest by expiry), and one without expiry.
  const coat: Record<string, string> = {};
  beforeAll(async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [
      { itemId: COAT, quantity: 10, batchNo: 'COAT-2031', expiryDate: '2031-06-30', unitPrice: '185.00' },
      { itemId: COAT, quantity: 10, batchNo: 'COAT-2029', expiryDate: '2029-06-30', unitPrice: '180.00' },
    ]);
    const late = await receive(t, 'keeper', WEIHUI, [{ itemId: COAT, quantity: 10, batchNo: 'COAT-2030', expiryDate: '2030-06-30', unitPrice: '190.00' }]);
    for (const l of [...doc.lines, ...late.lines]) coat[l.batch.batchNo] = l.batch.id;
  });

  it('D8: FEFO splits one line across batches, earliest expiry first, and posts negative lines at each batch price', async () => {
    const res = await issueRaw(
      t,
      'keeper',
      { storeId: WEIHUI, recipient: '唐庄镇安置点', reason: 'RELIEF', lines: [{ itemId: COAT, quantity: 25 }] },
      ISSUE_FIELDS,
    );
    const doc = ok(res).issueStock;
    expect(doc.number).toMatch(/^CK-2026-\d{6}$/);
    expect(doc).toMatchObject({ type: 'ISSUE', status: 'POSTED', recipient: '唐庄镇安置点', reason: { code: 'RELIEF', direction: 'DECREASE' } });
    expect(doc.lines.map((l: any) => [l.lineNo, l.batch.batchNo, l.quantity, l.unitPrice, l.value, l.reason.code])).toEqual([
      [1, 'COAT-2029', -10, '180.00', '-1800.00', 'RELIEF'],
      [2, 'COAT-2030', -10, '190.00', '-1900.00', 'RELIEF'],
      [3, 'COAT-2031', -5, '185.00', '-925.00', 'RELIEF'],
    ]);
    expect(await byBatchNo(t, WEIHUI, COAT)).toEqual({ 'COAT-2031': 5 });

    const moves = ok(
      await t.gql(
        `query($f: MovementFilter!) { movements(filter: $f) { totalCount edges { node { quantity bucket type batch { batchNo } reason { code } } } } }`,
        { f: { documentId: doc.id } },
        'admin',
      ),
    ).movements;
    expect(moves.totalCount).toBe(3);
    expect(moves.edges.map((e: any) => e.node).sort((a: any, b: any) => a.batch.batchNo.localeCompare(b.batch.batchNo))).toEqual([
      { quantity: -10, bucket: 'ON_HAND', type: 'ISSUE', batch: { batchNo: 'COAT-2029' }, reason: { code: 'RELIEF' } },
      { quantity: -10, bucket: 'ON_HAND', type: 'ISSUE', batch: { batchNo: 'COAT-2030' }, reason: { code: 'RELIEF' } },
      { quantity: -5, bucket: 'ON_HAND', type: 'ISSUE', batch: { batchNo: 'COAT-2031' }, reason: { code: 'RELIEF' } },
    ]);
  });

  it('D8: batches without expiry go last, after dated ones', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: GENERATOR, quantity: 2, batchNo: 'GEN-NONE' }]);
    await receive(t, 'keeper', WEIHUI, [{ itemId: GENERATOR, quantity: 2, batchNo: 'GEN-DATED', expiryDate: '2035-01-01' }]);
    const doc = ok(
      await issueRaw(
        t,
        'keeper',
        { storeId: WEIHUI, recipient: '防汛指挥部', reason: 'EMERGENCY_RESPONSE', lines: [{ itemId: GENERATOR, quantity: 3 }] },
        ISSUE_FIELDS,
      ),
    ).issueStock;
    expect(doc.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual([
      ['GEN-DATED', -2],
      ['GEN-NONE', -1],
    ]);
  });

  it('D8: equal expiry → the batch received first leaves first', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: TARP, quantity: 3, batchNo: 'TARP-LATER', expiryDate: '2030-01-01' }], {
      occurredAt: '2026-07-01T00:00:00Z',
    });
    await receive(t, 'keeper', WEIHUI, [{ itemId: TARP, quantity: 3, batchNo: 'TARP-EARLIER', expiryDate: '2030-01-01' }], {
      occurredAt: '2026-06-01T00:00:00Z',
    });
    const doc = ok(
      await issueRaw(t, 'keeper', { storeId: WEIHUI, recipient: '汲水镇', reason: 'RELIEF', lines: [{ itemId: TARP, quantity: 4 }] }, ISSUE_FIELDS),
    ).issueStock;
    expect(doc.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual([
      ['TARP-EARLIER', -3],
      ['TARP-LATER', -1],
    ]);
  });

  it('a named batch is issued as named, even when another batch expires earlier', async () => {
    const a = await receive(t, 'keeper', WEIHUI, [{ itemId: SLEEPING_BAG, quantity: 10, batchNo: 'SB-EARLY', expiryDate: '2027-01-01' }]);
    const b = await receive(t, 'keeper', WEIHUI, [{ itemId: SLEEPING_BAG, quantity: 10, batchNo: 'SB-LATE', expiryDate: '2032-01-01' }]);
    const late = b.lines[0].batch.id;
    const doc = ok(
      await issueRaw(
        t,
        'keeper',
        { storeId: WEIHUI, recipient: '演练队', reason: 'DRILL', lines: [{ itemId: SLEEPING_BAG, quantity: 4, batchId: late }] },
        ISSUE_FIELDS,
      ),
    ).issueStock;
    expect(doc.lines.map((l: any) => [l.batch.id, l.quantity])).toEqual([[late, -4]]);
    expect(await byBatchNo(t, WEIHUI, SLEEPING_BAG)).toEqual({ 'SB-EARLY': 10, 'SB-LATE': 6 });
    expect(a.lines[0].batch.id).not.toBe(late);
  });

  it('a named batch and a FEFO line of the same item: the FEFO line takes what the named line leaves', async () => {
    const a = await receive(t, 'keeper', WEIHUI, [{ itemId: LIFE_BUOY, quantity: 5, batchNo: 'LJ-A', expiryDate: '2028-01-01' }]);
    await receive(t, 'keeper', WEIHUI, [{ itemId: LIFE_BUOY, quantity: 5, batchNo: 'LJ-B', expiryDate: '2029-01-01' }]);
    const doc = ok(
      await issueRaw(
        t,
        'keeper',
        {
          storeId: WEIHUI,
          recipient: '河道巡查队',
          reason: 'EMERGENCY_RESPONSE',
          lines: [
            { itemId: LIFE_BUOY, quantity: 3, batchId: a.lines[0].batch.id },
            { itemId: LIFE_BUOY, quantity: 4 },
          ],
        },
        ISSUE_FIELDS,
      ),
    ).issueStock;
    expect(doc.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual([
      ['LJ-A', -3],
      ['LJ-A', -2],
      ['LJ-B', -2],
    ]);
    expect(await byBatchNo(t, WEIHUI, LIFE_BUOY)).toEqual({ 'LJ-B': 3 });
  });

  describe('refusals change nothing', () => {
    it('over-issue (FEFO) → INSUFFICIENT_STOCK with extensions.available = what is available', async () => {
      await receive(t, 'keeper', WEIHUI, [
        { itemId: TOWEL_QUILT, quantity: 7, batchNo: 'TQ-OVER-1' },
        { itemId: TOWEL_QUILT, quantity: 5, batchNo: 'TQ-OVER-2', expiryDate: '2028-01-01' },
      ]);
      const stockBefore = await stockAt(t, WEIHUI, TOWEL_QUILT);
      const before = await ledgerCounts(t);
      const res = await issueRaw(t, 'keeper', { storeId: WEIHUI, recipient: '安置点', reason: 'RELIEF', lines: [{ itemId: TOWEL_QUILT, quantity: 13 }] });
      expect(errorCode(res)).toBe('INSUFFICIENT_STOCK');
      expect(ext(res)).toMatchObject({ available: 12, requested: 13, itemId: TOWEL_QUILT, storeId: WEIHUI, field: 'input.lines.0.quantity' });
      expect(await ledgerCounts(t)).toEqual(before);
      expect(await stockAt(t, WEIHUI, TOWEL_QUILT)).toEqual(stockBefore);
    });

    it('over-issue of a named batch → INSUFFICIENT_STOCK with that batch’s available quantity', async () => {
      const before = await ledgerCounts(t);
      const res = await issueRaw(t, 'keeper', {
        storeId: WEIHUI,
        recipient: '安置点',
        reason: 'RELIEF',
        lines: [{ itemId: COAT, quantity: 11, batchId: coat['COAT-2031'] }],
      });
      expect(errorCode(res)).toBe('INSUFFICIENT_STOCK');
      const onHand = (await byBatchNo(t, WEIHUI, COAT))['COAT-2031'];
      expect(ext(res)).toMatchObject({ available: onHand, requested: 11, batchId: coat['COAT-2031'] });
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('a multi-line issue where the second line is short changes nothing (the first line is not posted)', async () => {
      await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 6, batchNo: 'CT-MULTI' }]);
      const tentsBefore = await stockAt(t, WEIHUI, COTTON_TENT);
      const res = await issueRaw(t, 'keeper', {
        storeId: WEIHUI,
        recipient: '安置点',
        reason: 'RELIEF',
        lines: [
          { itemId: COTTON_TENT, quantity: 6 },
          { itemId: LAMP, quantity: 1 },
        ],
      });
      expect(errorCode(res)).toBe('INSUFFICIENT_STOCK');
      expect(ext(res)).toMatchObject({ available: 0, field: 'input.lines.1.quantity' });
      expect(await stockAt(t, WEIHUI, COTTON_TENT)).toEqual(tentsBefore);
    });

    it('nothing of the item at the store → INSUFFICIENT_STOCK, available 0', async () => {
      const res = await issueRaw(t, 'admin', { storeId: XINXIANG, recipient: '安置点', reason: 'RELIEF', lines: [{ itemId: COAT, quantity: 1 }] });
      expect(errorCode(res)).toBe('INSUFFICIENT_STOCK');
      expect(ext(res).available).toBe(0);
    });

    it('a named batch held at another store only → INSUFFICIENT_STOCK, available 0', async () => {
      const res = await issueRaw(t, 'admin', {
        storeId: XINXIANG,
        recipient: '安置点',
        reason: 'RELIEF',
        lines: [{ itemId: COAT, quantity: 1, batchId: coat['COAT-2031'] }],
      });
      expect(errorCode(res)).toBe('INSUFFICIENT_STOCK');
      expect(ext(res).available).toBe(0);
    });

    it('a batch of another item → BAD_USER_INPUT naming the batch', async () => {
      const before = await ledgerCounts(t);
      const res = await issueRaw(t, 'keeper', {
        storeId: WEIHUI,
        recipient: '安置点',
        reason: 'RELIEF',
        lines: [{ itemId: QUILT, quantity: 1, batchId: coat['COAT-2031'] }],
      });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(ext(res).field).toBe('input.lines.0.batchId');
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('an unknown batch → NOT_FOUND', async () => {
      const res = await issueRaw(t, 'keeper', {
        storeId: WEIHUI,
        recipient: '安置点',
        reason: 'RELIEF',
        lines: [{ itemId: COAT, quantity: 1, batchId: randomUUID() }],
      });
      expect(errorCode(res)).toBe('NOT_FOUND');
      expect(ext(res).field).toBe('input.lines.0.batchId');
    });

    it('a malformed batch id → BAD_USER_INPUT', async () => {
      const res = await issueRaw(t, 'keeper', {
        storeId: WEIHUI,
        recipient: '安置点',
        reason: 'RELIEF',
        lines: [{ itemId: COAT, quantity: 1, batchId: 'not-a-uuid' }],
      });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
    });

    it('an unknown reason code → BAD_USER_INPUT listing the codes allowed for issues', async () => {
      const before = await ledgerCounts(t);
      const res = await issueRaw(t, 'keeper', { storeId: WEIHUI, recipient: '安置点', reason: 'GIFT', lines: [{ itemId: COAT, quantity: 1 }] });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(ext(res).field).toBe('input.reason');
      expect([...(ext(res).allowed as string[])].sort()).toEqual(['DRILL', 'EMERGENCY_RESPONSE', 'LOAN', 'OTHER_ISSUE', 'RELIEF']);
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it.each(['STOCKTAKE_GAIN', 'EXPIRED', 'TRANSIT_LOSS'])('a reason of another usage (%s) → BAD_USER_INPUT', async (reason) => {
      const res = await issueRaw(t, 'keeper', { storeId: WEIHUI, recipient: '安置点', reason, lines: [{ itemId: COAT, quantity: 1 }] });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(ext(res).field).toBe('input.reason');
    });

    it.each(['', '   '])('a recipient is required (%j → BAD_USER_INPUT)', async (recipient) => {
      const before = await ledgerCounts(t);
      const res = await issueRaw(t, 'keeper', { storeId: WEIHUI, recipient, reason: 'RELIEF', lines: [{ itemId: COAT, quantity: 1 }] });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(ext(res).field).toBe('input.recipient');
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it.each([0, -3])('quantity %i → BAD_USER_INPUT', async (quantity) => {
      const res = await issueRaw(t, 'keeper', { storeId: WEIHUI, recipient: '安置点', reason: 'RELIEF', lines: [{ itemId: COAT, quantity }] });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(ext(res).field).toBe('input.lines.0.quantity');
    });

    it('a keeper issuing at another store → FORBIDDEN; an auditor → FORBIDDEN', async () => {
      expect(errorCode(await issueRaw(t, 'keeper', { storeId: XINXIANG, recipient: '安置点', reason: 'RELIEF', lines: [{ itemId: COAT, quantity: 1 }] }))).toBe(
        'FORBIDDEN',
      );
      expect(errorCode(await issueRaw(t, 'auditor', { storeId: WEIHUI, recipient: '安置点', reason: 'RELIEF', lines: [{ itemId: COAT, quantity: 1 }] }))).toBe(
        'FORBIDDEN',
      );
    });
  });
});

describe('scrapStock (报废, D11)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  let batchId = '';
  beforeAll(async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 20, batchNo: 'Q-SCRAP', expiryDate: '2027-01-01', unitPrice: '150.00' }]);
    batchId = doc.lines[0].batch.id;
  });

  it('D11: posts a negative movement with the SCRAP reason and the approval reference', async () => {
    const doc = ok(
      await scrapRaw(t, 'keeper', { storeId: WEIHUI, approvalRef: '卫应急〔2026〕12号 鉴定意见', reason: 'MOULDY', lines: [{ batchId, quantity: 4 }] }),
    ).scrapStock;
    expect(doc.number).toMatch(/^BF-2026-\d{6}$/);
    expect(doc).toMatchObject({ type: 'SCRAP', approvalRef: '卫应急〔2026〕12号 鉴定意见', reason: { code: 'MOULDY' } });
    expect(doc.lines.map((l: any) => [l.batch.id, l.quantity, l.value, l.reason.code])).toEqual([[batchId, -4, '-600.00', 'MOULDY']]);
    const moves = ok(
      await t.gql(
        `query($f: MovementFilter!) { movements(filter: $f) { edges { node { quantity bucket type reason { code } } } } }`,
        { f: { documentId: doc.id } },
        'admin',
      ),
    ).movements.edges.map((e: any) => e.node);
    expect(moves).toEqual([{ quantity: -4, bucket: 'ON_HAND', type: 'SCRAP', reason: { code: 'MOULDY' } }]);
    expect((await stockAt(t, WEIHUI, QUILT)).find((s: any) => s.batch.id === batchId)).toMatchObject({ onHand: 16 });
  });

  it.each(['', '   '])('D11: no approval reference (%j) → BAD_USER_INPUT, nothing leaves the books', async (approvalRef) => {
    const before = await ledgerCounts(t);
    const res = await scrapRaw(t, 'keeper', { storeId: WEIHUI, approvalRef, reason: 'EXPIRED', lines: [{ batchId, quantity: 1 }] });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('input.approvalRef');
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it.each(['RELIEF', 'STOCKTAKE_LOSS', 'TRANSIT_LOSS', 'NO_SUCH_CODE'])('D11: a reason that is not a SCRAP reason (%s) → BAD_USER_INPUT', async (reason) => {
    const before = await ledgerCounts(t);
    const res = await scrapRaw(t, 'keeper', { storeId: WEIHUI, approvalRef: 'PS-1', reason, lines: [{ batchId, quantity: 1 }] });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('input.reason');
    expect([...(ext(res).allowed as string[])].sort()).toEqual(['DAMAGED', 'EXPIRED', 'MOULDY', 'OBSOLETE', 'PEST_DAMAGE']);
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('scrapping more than on hand → INSUFFICIENT_STOCK and nothing changes', async () => {
    const onHand = (await stockAt(t, WEIHUI, QUILT)).find((s: any) => s.batch.id === batchId).onHand;
    const before = await ledgerCounts(t);
    const res = await scrapRaw(t, 'keeper', { storeId: WEIHUI, approvalRef: 'PS-2', reason: 'EXPIRED', lines: [{ batchId, quantity: onHand + 1 }] });
    expect(errorCode(res)).toBe('INSUFFICIENT_STOCK');
    expect(ext(res)).toMatchObject({ available: onHand, requested: onHand + 1 });
    expect(await ledgerCounts(t)).toEqual(before);
    expect((await stockAt(t, WEIHUI, QUILT)).find((s: any) => s.batch.id === batchId).onHand).toBe(onHand);
  });

  it('scrapping an unknown batch → NOT_FOUND', async () => {
    const res = await scrapRaw(t, 'keeper', { storeId: WEIHUI, approvalRef: 'PS-3', reason: 'EXPIRED', lines: [{ batchId: randomUUID(), quantity: 1 }] });
    expect(errorCode(res)).toBe('NOT_FOUND');
  });

  it('an auditor cannot scrap → FORBIDDEN', async () => {
    const res = await scrapRaw(t, 'auditor', { storeId: WEIHUI, approvalRef: 'PS-4', reason: 'EXPIRED', lines: [{ batchId, quantity: 1 }] });
    expect(errorCode(res)).toBe('FORBIDDEN');
  });
});
