import type { Source, StoreBatchSource } from './planner.ts';

/**
 * The planner's sources indexed in two passes over them (a province holds hundreds of thousands of batches): stores
 * numbered as they come, and each planned item's sources laid out together, in input order, each beside its store
 * number, so that an item's pass reads consecutive memory and allocates nothing per source.
 */
export class SourceIndex {
  /** Store number n → the store's first source (its place and region). */
  readonly stores: StoreBatchSource[] = [];
  /** Entries start[x] … start[x + 1] − 1 belong to item x (in the order of `items`). */
  readonly start: Int32Array;
  /** Per entry: the source's index in the input, and its store number (−1 for agreements and capacity). */
  readonly source: Int32Array;
  readonly store: Int32Array;
  constructor(sources: readonly Source[], items: readonly string[]) {
    const itemNumber = new Map(items.map((itemId, x) => [itemId, x]));
    const storeNumber = new Map<string, number>();
    const itemOf = new Int32Array(sources.length);
    const storeOf = new Int32Array(sources.length);
    this.start = new Int32Array(items.length + 1);
    // A store's batches usually come one after another: the previous source's number then saves the look-up.
    let lastId: string | undefined;
    let last = -1;
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i];
      const x = itemNumber.get(s.itemId) ?? -1;
      itemOf[i] = x;
      if (x >= 0) this.start[x + 1]++;
      if (s.kind !== 'STORE') {
        storeOf[i] = -1;
        continue;
      }
      if (s.storeId !== lastId) {
        let n = storeNumber.get(s.storeId);
        if (n === undefined) storeNumber.set(s.storeId, (n = this.stores.push(s) - 1));
        lastId = s.storeId;
        last = n;
      }
      storeOf[i] = last;
    }
    for (let x = 0; x < items.length; x++) this.start[x + 1] += this.start[x];
    const entries = this.start[items.length];
    this.source = new Int32Array(entries);
    this.store = new Int32Array(entries);
    const at = this.start.slice(0, items.length);
    for (let i = 0; i < sources.length; i++) {
      const x = itemOf[i];
      if (x < 0) continue;
      const k = at[x]++;
      this.source[k] = i;
      this.store[k] = storeOf[i];
    }
  }
}
