import { describe, expect, it } from 'vitest';
import { kthSmallest } from '../../server/dispatch/select.ts';

// The planner ranks a province's stores per destination from the cheapest K on: kthSmallest finds the cost that
// bounds that cheap end without sorting every store. Checked against a brute-force sort on random data.

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

const sorted = (values: Float64Array) => values.slice().sort();

describe('kthSmallest — the cut-off of the planner’s nearest-K ranking', () => {
  it('equals the k-th value of a sort for every k, on random arrays with and without repeated values', () => {
    const r = rng(11);
    for (let round = 0; round < 300; round++) {
      const length = 1 + Math.floor(r() * 40);
      // Every third array draws from a few distinct values, so equal keys (stores at one place) are exercised.
      const distinct = round % 3 === 0 ? 1 + Math.floor(r() * 4) : 0;
      const values = Float64Array.from({ length }, () => (distinct ? Math.floor(r() * distinct) : r() * 1000 - 200));
      const expected = sorted(values);
      for (let k = 0; k < length; k++) {
        const copy = values.slice();
        expect(kthSmallest(copy, k)).toBe(expected[k]);
        // It only reorders: the same multiset of values remains.
        expect(sorted(copy)).toEqual(expected);
      }
    }
  });

  it('equals the sort on province-sized arrays (sorted, reversed, all equal, tier-like clusters)', () => {
    const r = rng(5);
    const n = 20_000;
    const shapes: Record<string, Float64Array> = {
      random: Float64Array.from({ length: n }, () => r() * 5000),
      ascending: Float64Array.from({ length: n }, (_, i) => i / 7),
      descending: Float64Array.from({ length: n }, (_, i) => (n - i) / 7),
      equal: new Float64Array(n).fill(2000.5),
      tiers: Float64Array.from({ length: n }, () => [0, 1000, 2000][Math.floor(r() * 3)] + Math.floor(r() * 50) / 10),
    };
    for (const [shape, values] of Object.entries(shapes)) {
      const expected = sorted(values);
      for (const k of [0, 1, 11, 1024, n / 2, n - 2, n - 1]) expect(kthSmallest(values.slice(), k), `${shape} k=${k}`).toBe(expected[k]);
    }
  });

  it('refuses an index outside the array', () => {
    expect(() => kthSmallest(new Float64Array(3), 3)).toThrow(RangeError);
    expect(() => kthSmallest(new Float64Array(3), -1)).toThrow(RangeError);
    expect(() => kthSmallest(new Float64Array(0), 0)).toThrow(RangeError);
  });
});
