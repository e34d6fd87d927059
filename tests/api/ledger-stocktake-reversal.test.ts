import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, issue, key, receive, TANGZHUANG, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { documentById, ledgerCounts, lineOf, ok, reverseRaw, scrapRaw, seqOf, shipRaw, stocktakeRaw } from '../support/ledger-ops.ts';

const ext = (res: { errors?: { extensions: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions ?? {};

type T = ReturnType<typeof useTestApp>;

async function stockUp(t: T, item: string, batchNo: string, quantity: number, unitPrice = '10.00', store = WEIHUI, as = 'keeper') {
  const doc = await receive(t, as, store, [{ itemId: item, quantity, batchNo, unitPrice, expiryDate: '2031-01-01' }]);
  return { doc, batchId: doc.lines[0].batch.id as string };
}

const movementsOf = async (t: T, documentId: string) =>
  ok(
    await t.gql(
      `query($f: MovementFilter!) { movements(filter: $f) { totalCount edges { node { quantity bucket type store { id } batch { id } reason { code } } } } }`,
      { f: { documentId } },
      'admin',
    ),
  ).movements;

describe('submitStocktake (盘点, D9: 账实相符)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  it('D9: records book (at submission) and counted quantity; a gain with STOCKTAKE_GAIN posts the difference', async () => {
    const item = itemId('LIV-001');
    const { batchId } = await stockUp(t, item, 'ST-GAIN', 10, '2180.00');
    const res = await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 12, reason: 'STOCKTAKE_GAIN' }] });
    const doc = ok(res).submitStocktake;
    expect(doc.number).toMatch(/^PD-2026-\d{6}$/);
    expect(doc.type).toBe('STOCKTAKE');
    expect(doc.lines).toHaveLength(1);
    expect(doc.lines[0]).toMatchObject({
      bookQuantity: 10,
      countedQuantity: 12,
      quantity: 2,
      value: '4360.00',
      reason: { code: 'STOCKTAKE_GAIN' },
      batch: { id: batchId },
    });
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 12 });
    const moves = await movementsOf(t, doc.id);
    expect(moves.edges.map((e: any) => e.node)).toEqual([
      { quantity: 2, bucket: 'ON_HAND', type: 'STOCKTAKE', store: { id: WEIHUI }, batch: { id: batchId }, reason: { code: 'STOCKTAKE_GAIN' } },
    ]);
  });

  it('D9: the book quantity is the one at submission (after earlier issues)', async () => {
    const item = itemId('LIV-002');
    const { batchId } = await stockUp(t, item, 'ST-BOOK', 10);
    ok(await issue(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 4, batchId }]));
    const doc = ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 6 }] })).submitStocktake;
    expect(doc.lines[0]).toMatchObject({ bookQuantity: 6, countedQuantity: 6, quantity: 0 });
  });

  it.each(['STOCKTAKE_LOSS', 'DAMAGED', 'MOULDY', 'EXPIRED', 'LOST', 'PEST_DAMAGE'])(
    'D9: a loss with a DECREASE reason (%s) posts the negative difference',
    async (reason) => {
      const item = itemId('LIV-003');
      const { batchId } = await stockUp(t, item, `ST-LOSS-${reason}`, 10, '7600.00');
      const doc = ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 7, reason }] })).submitStocktake;
      expect(doc.lines[0]).toMatchObject({ bookQuantity: 10, countedQuantity: 7, quantity: -3, value: '-22800.00', reason: { code: reason } });
      expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 7 });
    },
  );

  it('D9: equal counts post no movement but still a line (the count is on record)', async () => {
    const item = itemId('LIV-004');
    const { batchId } = await stockUp(t, item, 'ST-EQUAL', 9);
    const doc = ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 9 }] })).submitStocktake;
    expect(doc.lines).toEqual([expect.objectContaining({ lineNo: 1, bookQuantity: 9, countedQuantity: 9, quantity: 0, reason: null })]);
    expect((await movementsOf(t, doc.id)).totalCount).toBe(0);
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 9 });
  });

  it('D9: a multi-batch count posts one movement per difference only', async () => {
    const item = itemId('LIV-005');
    const a = await stockUp(t, item, 'ST-MULTI-A', 5);
    const b = await stockUp(t, item, 'ST-MULTI-B', 5);
    const c = await stockUp(t, item, 'ST-MULTI-C', 5);
    const doc = ok(
      await stocktakeRaw(t, 'keeper', {
        storeId: WEIHUI,
        counts: [
          { batchId: a.batchId, countedQuantity: 5 },
          { batchId: b.batchId, countedQuantity: 6, reason: 'RECORDING_ERROR' },
          { batchId: c.batchId, countedQuantity: 0, reason: 'LOST' },
        ],
      }),
    ).submitStocktake;
    expect(doc.lines.map((l: any) => [l.batch.id, l.bookQuantity, l.countedQuantity, l.quantity])).toEqual([
      [a.batchId, 5, 5, 0],
      [b.batchId, 5, 6, 1],
      [c.batchId, 5, 0, -5],
    ]);
    expect((await movementsOf(t, doc.id)).totalCount).toBe(2);
    expect(await lineOf(t, WEIHUI, item, c.batchId)).toBeUndefined();
  });

  it('D9: a batch of this store found again after its book reached 0 is a gain', async () => {
    const item = itemId('LIV-006');
    const { batchId } = await stockUp(t, item, 'ST-FOUND', 5, '118.00');
    ok(await issue(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 5, batchId }]));
    const doc = ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 2, reason: 'STOCKTAKE_GAIN' }] })).submitStocktake;
    expect(doc.lines[0]).toMatchObject({ bookQuantity: 0, countedQuantity: 2, quantity: 2 });
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 2, value: '236.00' });
  });

  it('D3, D9: a batch this store never held is refused, not counted as a gain (found goods are a receipt)', async () => {
    const item = itemId('LIV-006');
    const { batchId } = await stockUp(t, item, 'ST-ELSEWHERE', 5, '118.00', XINXIANG, 'admin');
    const before = await ledgerCounts(t);
    const res = await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 2, reason: 'STOCKTAKE_GAIN' }] });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('input.counts.0.batchId');
    expect(JSON.stringify(res.errors)).not.toContain('ST-ELSEWHERE');
    expect(await ledgerCounts(t)).toEqual(before);
  });

  describe('D9: every difference needs a reason of the matching direction', () => {
    const cases: [string, number, string | undefined][] = [
      ['a gain without reason', 12, undefined],
      ['a gain with a DECREASE reason (DAMAGED)', 12, 'DAMAGED'],
      ['a loss without reason', 8, undefined],
      ['a loss with an INCREASE reason (STOCKTAKE_GAIN)', 8, 'STOCKTAKE_GAIN'],
      ['a loss with a reason not for stocktakes (OBSOLETE, scrap only)', 8, 'OBSOLETE'],
      ['a loss with an issue reason (RELIEF)', 8, 'RELIEF'],
      ['a loss with an unknown code', 8, 'NO_SUCH_REASON'],
    ];
    it.each(cases)('%s → BAD_USER_INPUT and nothing posted', async (_title, counted, reason) => {
      const item = itemId('LIV-007');
      const { batchId } = await stockUp(t, item, `ST-BAD-${randomUUID().slice(0, 8)}`, 10);
      const before = await ledgerCounts(t);
      const res = await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: counted, reason }] });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      const direction = counted > 10 ? 'INCREASE' : 'DECREASE';
      expect(ext(res)).toMatchObject({ field: 'input.counts.0.reason', bookQuantity: 10, countedQuantity: counted });
      const allowed = [...(ext(res).allowed as string[])].sort();
      expect(allowed).toEqual(
        direction === 'INCREASE' ? ['RECORDING_ERROR', 'STOCKTAKE_GAIN'] : ['DAMAGED', 'EXPIRED', 'LOST', 'MOULDY', 'PEST_DAMAGE', 'STOCKTAKE_LOSS'],
      );
      expect(await ledgerCounts(t)).toEqual(before);
      expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 10 });
    });

    it('one good and one bad count: the whole stocktake is refused, the good difference is not posted', async () => {
      const item = itemId('LIV-008');
      const a = await stockUp(t, item, 'ST-ATOM-A', 10);
      const b = await stockUp(t, item, 'ST-ATOM-B', 10);
      const before = await ledgerCounts(t);
      const res = await stocktakeRaw(t, 'keeper', {
        storeId: WEIHUI,
        counts: [
          { batchId: a.batchId, countedQuantity: 7, reason: 'DAMAGED' },
          { batchId: b.batchId, countedQuantity: 9 },
        ],
      });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(ext(res).field).toBe('input.counts.1.reason');
      expect(await ledgerCounts(t)).toEqual(before);
      expect(await lineOf(t, WEIHUI, item, a.batchId)).toMatchObject({ onHand: 10 });
    });
  });

  it('a negative count, a batch counted twice, an unknown batch, another store: refused', async () => {
    const item = itemId('LIV-009');
    const { batchId } = await stockUp(t, item, 'ST-REFUSE', 3);
    const neg = await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: -1, reason: 'LOST' }] });
    expect(errorCode(neg)).toBe('BAD_USER_INPUT');
    expect(ext(neg).field).toBe('input.counts.0.countedQuantity');
    const twice = await stocktakeRaw(t, 'keeper', {
      storeId: WEIHUI,
      counts: [
        { batchId, countedQuantity: 3 },
        { batchId, countedQuantity: 3 },
      ],
    });
    expect(errorCode(twice)).toBe('BAD_USER_INPUT');
    expect(ext(twice).field).toBe('input.counts.1.batchId');
    expect(errorCode(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId: randomUUID(), countedQuantity: 1 }] }))).toBe('NOT_FOUND');
    expect(errorCode(await stocktakeRaw(t, 'keeper', { storeId: XINXIANG, counts: [{ batchId, countedQuantity: 0 }] }))).toBe('FORBIDDEN');
    expect(errorCode(await stocktakeRaw(t, 'auditor', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 3 }] }))).toBe('FORBIDDEN');
  });
});

describe('reverseDocument (冲销, D22: corrections are reversing entries, never edits)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  it('D22: reverses a receipt — stock back to zero, original REVERSED, reversedBy/reverses linked, original movements kept', async () => {
    const item = itemId('FLD-001');
    const { doc: receipt, batchId } = await stockUp(t, item, 'RV-RECEIPT', 500, '1.10');
    const res = await reverseRaw(t, 'keeper', receipt.id);
    const rev = ok(res).reverseDocument;
    expect(rev.number).toMatch(/^CX-2026-\d{6}$/);
    expect(rev).toMatchObject({
      type: 'REVERSAL',
      status: 'POSTED',
      note: '录入错误',
      reverses: { id: receipt.id, number: receipt.number, status: 'REVERSED' },
      reversedBy: null,
    });
    expect(rev.lines.map((l: any) => [l.batch.id, l.quantity, l.value])).toEqual([[batchId, -500, '-550.00']]);
    expect(await lineOf(t, WEIHUI, item, batchId)).toBeUndefined();

    const original = await documentById(t, receipt.id);
    expect(original).toMatchObject({ status: 'REVERSED', reversedBy: { id: rev.id, number: rev.number }, reverses: null });
    // Never an edit: the receipt's own movement is still there, and the reversal adds the opposite one.
    expect((await movementsOf(t, receipt.id)).edges.map((e: any) => e.node.quantity)).toEqual([500]);
    expect((await movementsOf(t, rev.id)).edges.map((e: any) => [e.node.quantity, e.node.type])).toEqual([[-500, 'REVERSAL']]);
  });

  it('D22: a second reversal of the same document → INVALID_STATE', async () => {
    const { doc: receipt } = await stockUp(t, itemId('FLD-002'), 'RV-TWICE', 10);
    ok(await reverseRaw(t, 'keeper', receipt.id));
    const before = await ledgerCounts(t);
    const res = await reverseRaw(t, 'keeper', receipt.id);
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('API.md idempotency: repeating a reversal with the same key returns the first reversal (not INVALID_STATE)', async () => {
    const { doc: receipt } = await stockUp(t, itemId('FLD-003'), 'RV-REPLAY', 10);
    const k = key();
    const first = ok(await reverseRaw(t, 'keeper', receipt.id, k)).reverseDocument;
    const before = await ledgerCounts(t);
    const again = ok(await reverseRaw(t, 'keeper', receipt.id, k)).reverseDocument;
    expect(again.id).toBe(first.id);
    expect(again.number).toBe(first.number);
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D22: reversing a reversal → INVALID_STATE', async () => {
    const { doc: receipt } = await stockUp(t, itemId('FLD-004'), 'RV-OF-RV', 10);
    const rev = ok(await reverseRaw(t, 'keeper', receipt.id)).reverseDocument;
    const res = await reverseRaw(t, 'keeper', rev.id);
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(ext(res)).toMatchObject({ field: 'documentId', type: 'REVERSAL' });
  });

  it('D22: a transfer document is not reversed (cancel or transfer back) → INVALID_STATE', async () => {
    const item = itemId('FLD-005');
    const { batchId } = await stockUp(t, item, 'RV-TRANSFER', 10);
    ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, lines: [{ itemId: item, quantity: 4 }] }));
    const shipDoc = ok(
      await t.gql(
        `query($f: MovementFilter!) { movements(filter: $f) { edges { node { document { id type } } } } }`,
        { f: { batchId, type: 'TRANSFER_OUT' } },
        'admin',
      ),
    ).movements.edges[0].node.document;
    expect(shipDoc.type).toBe('TRANSFER_OUT');
    const before = await ledgerCounts(t);
    const res = await reverseRaw(t, 'keeper', shipDoc.id);
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(ext(res).type).toBe('TRANSFER_OUT');
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 6 });
  });

  it('D22: reversing a receipt whose stock was already issued → INSUFFICIENT_STOCK and nothing changes', async () => {
    const item = itemId('FLD-007');
    const { doc: receipt, batchId } = await stockUp(t, item, 'RV-ISSUED', 10);
    ok(await issue(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 3, batchId }]));
    const before = await ledgerCounts(t);
    const res = await reverseRaw(t, 'keeper', receipt.id);
    expect(errorCode(res)).toBe('INSUFFICIENT_STOCK');
    expect(ext(res)).toMatchObject({ batchId, available: 7, requested: 10 });
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 7 });
    expect((await documentById(t, receipt.id)).status).toBe('POSTED');
  });

  it('D22: reversing an issue returns the stock, at the issue’s batches', async () => {
    const item = itemId('FLD-008');
    const a = await stockUp(t, item, 'RV-ISSUE-A', 5);
    const b = await stockUp(t, item, 'RV-ISSUE-B', 5);
    const issued = ok(await issue(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 8 }])).issueStock;
    const rev = ok(await reverseRaw(t, 'keeper', issued.id)).reverseDocument;
    expect(rev.lines.map((l: any) => l.quantity).sort()).toEqual([3, 5]);
    expect(rev.lines.every((l: any) => l.reason?.code === 'RELIEF')).toBe(true);
    expect(await lineOf(t, WEIHUI, item, a.batchId)).toMatchObject({ onHand: 5 });
    expect(await lineOf(t, WEIHUI, item, b.batchId)).toMatchObject({ onHand: 5 });
  });

  it('D22: reversing a stocktake and a scrap restores the book quantity', async () => {
    const item = itemId('FLD-009');
    const { batchId } = await stockUp(t, item, 'RV-ST', 10);
    const st = ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 4, reason: 'STOCKTAKE_LOSS' }] })).submitStocktake;
    const scrap = ok(await scrapRaw(t, 'keeper', { storeId: WEIHUI, approvalRef: 'PS-RV', reason: 'DAMAGED', lines: [{ batchId, quantity: 1 }] })).scrapStock;
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 3 });
    ok(await reverseRaw(t, 'keeper', st.id));
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 9 });
    ok(await reverseRaw(t, 'keeper', scrap.id));
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 10 });
  });

  it('who may reverse: keeper of another store and auditor → FORBIDDEN; an unknown document → NOT_FOUND', async () => {
    const { doc: receipt } = await stockUp(t, itemId('FLD-010'), 'RV-WHO', 5, '95.00', XINXIANG, 'admin');
    expect(errorCode(await reverseRaw(t, 'keeper', receipt.id))).toBe('FORBIDDEN');
    expect(errorCode(await reverseRaw(t, 'auditor', receipt.id))).toBe('FORBIDDEN');
    expect(errorCode(await reverseRaw(t, 'admin', randomUUID()))).toBe('NOT_FOUND');
    expect((await documentById(t, receipt.id)).status).toBe('POSTED');
    // The dispatcher of 新乡市 may.
    const rev = ok(await reverseRaw(t, 'dispatcher', receipt.id)).reverseDocument;
    expect(seqOf(rev.number)).toBeGreaterThan(0);
  });
});
