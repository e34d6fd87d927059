import { describe, expect, it } from 'vitest';
import type { Source } from '../../server/dispatch/planner.ts';
import { SourceIndex } from '../../server/dispatch/source-index.ts';

// The planner's index of its sources (hundreds of thousands of batches in a province), checked against a plain
// filter of the input: each planned item's sources in input order, each beside the number of its store.

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function randomSources(seed: number): Source[] {
  const r = rng(seed);
  const pick = (n: number) => Math.floor(r() * n);
  return Array.from({ length: 1 + pick(300) }, (_, i): Source => {
    const itemId = `item-${pick(6)}`;
    const at = { lat: 35 + r(), lng: 114 + r() };
    if (r() < 0.1) return { kind: 'AGREEMENT', agreementId: `agr-${pick(3)}`, companyName: '协议企业', itemId, available: pick(50), responseHours: 4, ...at };
    if (r() < 0.05) return { kind: 'CAPACITY', agreementId: `cap-${pick(2)}`, companyName: '产能企业', itemId, dailyCapacity: pick(9), leadDays: 1, ...at };
    const store = pick(40);
    return {
      kind: 'STORE',
      storeId: `store-${store}`,
      storeName: `储备库${store}`,
      regionCode: '410781000000',
      batchId: `b-${i}`,
      batchNo: `PC-${i}`,
      itemId,
      available: pick(30),
      expiryDate: null,
      receivedAt: '2026-01-01T00:00:00Z',
      ...at,
    };
  });
}

describe('SourceIndex — the planner’s sources by item and store', () => {
  it('lists each planned item’s sources in input order with their store numbers; other items are left out', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const sources = randomSources(seed);
      // Items 0–3 are planned, 4 and 5 are not (their sources must not appear), 9 is planned but held nowhere.
      const items = ['item-0', 'item-1', 'item-2', 'item-3', 'item-9'];
      const index = new SourceIndex(sources, items);
      items.forEach((itemId, x) => {
        const entries = Array.from({ length: index.start[x + 1] - index.start[x] }, (_, e) => index.start[x] + e);
        expect(
          entries.map((k) => index.source[k]),
          `seed ${seed} ${itemId}`,
        ).toEqual(sources.flatMap((s, i) => (s.itemId === itemId ? [i] : [])));
        for (const k of entries) {
          const s = sources[index.source[k]];
          if (s.kind === 'STORE') expect(index.stores[index.store[k]].storeId).toBe(s.storeId);
          else expect(index.store[k]).toBe(-1);
        }
      });
      // Every store is numbered once (planned items or not), represented by its first source.
      const storeIds = [...new Set(sources.flatMap((s) => (s.kind === 'STORE' ? [s.storeId] : [])))];
      expect(index.stores.map((s) => s.storeId).sort()).toEqual(storeIds.sort());
      for (const store of index.stores) expect(sources.find((s) => s.kind === 'STORE' && s.storeId === store.storeId)).toBe(store);
    }
  });
});
