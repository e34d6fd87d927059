import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { allocateFefo, computeExpiry, DOCUMENT_PREFIX, requestHash, stocktakeDifference, type FefoCandidate } from '../../server/inventory/rules.ts';

const at = (iso: string) => new Date(iso);
const cand = (batchId: string, available: number, expiryDate: string | null, receivedAt = '2026-01-01T00:00:00Z', batchNo = 'PC-1'): FefoCandidate => ({
  batchId,
  batchNo,
  available,
  expiryDate,
  receivedAt: at(receivedAt),
});

describe('allocateFefo — D8: 先进先出、出陈存新', () => {
  it('D8: takes the batch with the earliest expiry first', () => {
    const r = allocateFefo([cand('a', 10, '2030-01-01'), cand('b', 10, '2028-06-30'), cand('c', 10, '2029-01-01')], 5);
    expect(r).toEqual({ ok: true, picks: [{ batchId: 'b', quantity: 5 }] });
  });

  it('D8: splits a quantity across batches in expiry order', () => {
    const r = allocateFefo([cand('a', 10, '2030-01-01'), cand('b', 4, '2028-06-30'), cand('c', 3, '2029-01-01')], 12);
    expect(r).toEqual({
      ok: true,
      picks: [
        { batchId: 'b', quantity: 4 },
        { batchId: 'c', quantity: 3 },
        { batchId: 'a', quantity: 5 },
      ],
    });
  });

  it('D8: a batch without expiry goes last', () => {
    const r = allocateFefo([cand('none', 10, null), cand('late', 2, '2040-12-31')], 5);
    expect(r).toEqual({
      ok: true,
      picks: [
        { batchId: 'late', quantity: 2 },
        { batchId: 'none', quantity: 3 },
      ],
    });
  });

  it('D8: equal expiry → earliest received first', () => {
    const r = allocateFefo([cand('new', 5, '2030-01-01', '2026-05-01T00:00:00Z'), cand('old', 5, '2030-01-01', '2025-05-01T00:00:00Z')], 6);
    expect(r).toEqual({
      ok: true,
      picks: [
        { batchId: 'old', quantity: 5 },
        { batchId: 'new', quantity: 1 },
      ],
    });
  });

  it('D8: equal expiry and receipt → the batch number decides, not the id (ids are keyed per database)', () => {
    const received = '2026-03-01T08:00:00Z';
    const r = allocateFefo([cand('a-id', 5, '2029-01-01', received, 'PC-2026-002'), cand('z-id', 5, '2029-01-01', received, 'PC-2026-001')], 7);
    expect(r).toEqual({
      ok: true,
      picks: [
        { batchId: 'z-id', quantity: 5 },
        { batchId: 'a-id', quantity: 2 },
      ],
    });
  });

  it('D8: batch numbers compare by their bytes (as PostgreSQL COLLATE "C"), digits before letters before 汉字', () => {
    const tied = (no: string) => cand(`id-${no}`, 1, null, '2026-01-01T00:00:00Z', no);
    const r = allocateFefo([tied('批次A'), tied('b-1'), tied('B-1'), tied('9-1')], 4);
    expect(r.ok && r.picks.map((p) => p.batchId)).toEqual(['id-9-1', 'id-B-1', 'id-b-1', 'id-批次A']);
  });

  it("D8: equal expiry, receipt and number (other items' batches) → batch id decides (deterministic)", () => {
    const r = allocateFefo([cand('b2', 5, null), cand('b1', 5, null)], 7);
    expect(r).toEqual({
      ok: true,
      picks: [
        { batchId: 'b1', quantity: 5 },
        { batchId: 'b2', quantity: 2 },
      ],
    });
  });

  it('D8: null expiry received earlier still goes after a dated batch received later', () => {
    const r = allocateFefo([cand('old-none', 5, null, '2020-01-01T00:00:00Z'), cand('new-dated', 5, '2099-01-01', '2026-07-01T00:00:00Z')], 5);
    expect(r).toEqual({ ok: true, picks: [{ batchId: 'new-dated', quantity: 5 }] });
  });

  it('D8: the order of the candidates as given does not matter (a consistent ordering)', () => {
    const pool = [
      cand('none-old', 2, null, '2020-01-01T00:00:00Z'),
      cand('none-new', 2, null, '2026-01-01T00:00:00Z'),
      cand('2029', 2, '2029-01-01'),
      cand('2027', 2, '2027-01-01'),
    ];
    const expected = { ok: true, picks: ['2027', '2029', 'none-old', 'none-new'].map((batchId) => ({ batchId, quantity: 2 })) };
    const permutations = (xs: FefoCandidate[]): FefoCandidate[][] =>
      xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
    for (const p of permutations(pool)) expect(allocateFefo(p, 8)).toEqual(expected);
  });

  it('skips batches with nothing available', () => {
    const r = allocateFefo([cand('empty', 0, '2027-01-01'), cand('full', 3, '2030-01-01')], 3);
    expect(r).toEqual({ ok: true, picks: [{ batchId: 'full', quantity: 3 }] });
  });

  it('takes exactly the available total', () => {
    const r = allocateFefo([cand('a', 2, '2027-01-01'), cand('b', 3, '2028-01-01')], 5);
    expect(r).toEqual({
      ok: true,
      picks: [
        { batchId: 'a', quantity: 2 },
        { batchId: 'b', quantity: 3 },
      ],
    });
  });

  it('a shortfall reports the available total and picks nothing', () => {
    expect(allocateFefo([cand('a', 2, '2027-01-01'), cand('b', 3, null), cand('c', 0, null)], 6)).toEqual({ ok: false, available: 5 });
    expect(allocateFefo([], 1)).toEqual({ ok: false, available: 0 });
  });

  it('does not reorder the caller’s array', () => {
    const input = [cand('a', 1, '2030-01-01'), cand('b', 1, '2027-01-01')];
    allocateFefo(input, 1);
    expect(input.map((c) => c.batchId)).toEqual(['a', 'b']);
  });
});

describe('computeExpiry — D7, D10: storage life', () => {
  it('a given expiry date wins over the storage life', () => {
    expect(computeExpiry({ productionDate: '2026-01-01', expiryDate: '2027-03-31', storageLifeMonths: 96, receiptDate: '2026-07-20' })).toBe('2027-03-31');
  });

  it('a given expiry date is kept even for an item without storage life', () => {
    expect(computeExpiry({ productionDate: null, expiryDate: '2031-01-01', storageLifeMonths: null, receiptDate: '2026-07-20' })).toBe('2031-01-01');
  });

  it('production date + storage life months', () => {
    expect(computeExpiry({ productionDate: '2026-01-15', expiryDate: null, storageLifeMonths: 72, receiptDate: '2026-07-20' })).toBe('2032-01-15');
  });

  it('month arithmetic clamps to the end of a shorter month', () => {
    expect(computeExpiry({ productionDate: '2026-01-31', expiryDate: null, storageLifeMonths: 1, receiptDate: '2026-07-20' })).toBe('2026-02-28');
  });

  it('without production date: receipt date + storage life', () => {
    expect(computeExpiry({ productionDate: null, expiryDate: null, storageLifeMonths: 96, receiptDate: '2026-07-20' })).toBe('2034-07-20');
  });

  it('null without storage life (equipment is inspected, not expired)', () => {
    expect(computeExpiry({ productionDate: '2026-01-15', expiryDate: null, storageLifeMonths: null, receiptDate: '2026-07-20' })).toBeNull();
    expect(computeExpiry({ productionDate: null, expiryDate: null, storageLifeMonths: 0, receiptDate: '2026-07-20' })).toBeNull();
  });
});

describe('stocktakeDifference — D9: 账实相符', () => {
  it('counted above book is an INCREASE of the difference', () => {
    expect(stocktakeDifference(10, 13)).toEqual({ quantity: 3, direction: 'INCREASE' });
  });
  it('counted below book is a DECREASE of the (negative) difference', () => {
    expect(stocktakeDifference(10, 6)).toEqual({ quantity: -4, direction: 'DECREASE' });
  });
  it('equal counts: no difference and no direction', () => {
    expect(stocktakeDifference(7, 7)).toEqual({ quantity: 0, direction: null });
    expect(stocktakeDifference(0, 0)).toEqual({ quantity: 0, direction: null });
  });
  it('a batch not on the books (book 0) counted is an increase', () => {
    expect(stocktakeDifference(0, 5)).toEqual({ quantity: 5, direction: 'INCREASE' });
  });
});

describe('DOCUMENT_PREFIX', () => {
  it('each document type has its own readable prefix', () => {
    expect(DOCUMENT_PREFIX).toMatchObject({ RECEIPT: 'RK', ISSUE: 'CK', TRANSFER_OUT: 'DB', TRANSFER_IN: 'DR', STOCKTAKE: 'PD', SCRAP: 'BF', REVERSAL: 'CX' });
    expect(new Set(Object.values(DOCUMENT_PREFIX)).size).toBe(Object.keys(DOCUMENT_PREFIX).length);
  });
});

describe('requestHash — idempotency (API.md)', () => {
  const input = { storeId: 's1', source: 'PURCHASE', lines: [{ itemId: 'i1', quantity: 5, batchNo: 'A' }], idempotencyKey: 'k1' };

  it('is a sha-256 hex digest and stable', () => {
    expect(requestHash(input)).toMatch(/^[0-9a-f]{64}$/);
    expect(requestHash(input)).toBe(requestHash(structuredClone(input)));
  });

  it('key order does not matter (also inside nested objects)', () => {
    const reordered = { lines: [{ batchNo: 'A', quantity: 5, itemId: 'i1' }], idempotencyKey: 'k1', source: 'PURCHASE', storeId: 's1' };
    expect(requestHash(reordered)).toBe(requestHash(input));
  });

  it('the idempotency key itself is ignored', () => {
    expect(requestHash({ ...input, idempotencyKey: 'another-key' })).toBe(requestHash(input));
    const { idempotencyKey: _k, ...withoutKey } = input;
    expect(requestHash(withoutKey)).toBe(requestHash(input));
  });

  it('absent, undefined and null fields hash alike', () => {
    expect(requestHash({ ...input, note: undefined, reference: null })).toBe(requestHash(input));
  });

  it('different input → different hash', () => {
    const base = requestHash(input);
    expect(requestHash({ ...input, storeId: 's2' })).not.toBe(base);
    expect(requestHash({ ...input, lines: [{ itemId: 'i1', quantity: 6, batchNo: 'A' }] })).not.toBe(base);
    expect(
      requestHash({
        ...input,
        lines: [
          { itemId: 'i1', quantity: 5, batchNo: 'A' },
          { itemId: 'i1', quantity: 5, batchNo: 'A' },
        ],
      }),
    ).not.toBe(base);
    // A number and the same digits as a string are different inputs.
    expect(requestHash({ ...input, lines: [{ itemId: 'i1', quantity: '5', batchNo: 'A' }] })).not.toBe(base);
  });

  it('array order matters (lines are ordered)', () => {
    const two = {
      lines: [
        { itemId: 'a', quantity: 1 },
        { itemId: 'b', quantity: 2 },
      ],
    };
    const swapped = {
      lines: [
        { itemId: 'b', quantity: 2 },
        { itemId: 'a', quantity: 1 },
      ],
    };
    expect(requestHash(two)).not.toBe(requestHash(swapped));
  });

  it('the same instant in different zones hashes alike; different instants do not', () => {
    const utc = DateTime.fromISO('2026-07-20T00:00:00Z', { setZone: true });
    const shanghai = DateTime.fromISO('2026-07-20T08:00:00+08:00', { setZone: true });
    expect(requestHash({ occurredAt: utc })).toBe(requestHash({ occurredAt: shanghai }));
    expect(requestHash({ occurredAt: utc })).toBe(requestHash({ occurredAt: new Date('2026-07-20T00:00:00Z') }));
    expect(requestHash({ occurredAt: utc.plus({ minutes: 1 }) })).not.toBe(requestHash({ occurredAt: utc }));
  });
});
