/**
 * The value at index k of `values` sorted ascending — what `values.slice().sort()[k]` answers — in linear expected
 * time instead of a sort (Hoare's quickselect with a median-of-three pivot). It reorders `values` in place; pass a copy.
 * The values must not be NaN.
 */
export function kthSmallest(values: Float64Array, k: number): number {
  if (!Number.isInteger(k) || k < 0 || k >= values.length) throw new RangeError(`kthSmallest: index ${k} outside 0…${values.length - 1}`);
  let left = 0;
  let right = values.length - 1;
  while (left < right) {
    const pivot = medianOfThree(values[left], values[(left + right) >>> 1], values[right]);
    // Hoare's partition: afterwards [left, j] ≤ pivot, [i, right] ≥ pivot, and whatever lies between equals it.
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i++] = values[j];
        values[j--] = swap;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return pivot;
  }
  return values[k];
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a < b) return b < c ? b : a < c ? c : a;
  return a < c ? a : b < c ? c : b;
}
