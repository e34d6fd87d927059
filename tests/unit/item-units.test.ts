import { describe, expect, it } from 'vitest';
import { inItemUnits, quantityText } from '../../server/inventory/common.ts';

// Quantities a person reads — a refusal's, an approval's summary — are said one way everywhere: with thousands
// separators and in each item's own unit (毛毯 in 条, tents in 顶), never 件 for all.

const units = new Map([
  ['tent', { unit: '顶' }],
  ['blanket', { unit: '条' }],
  ['tent2', { unit: '顶' }],
]);

describe('quantities in messages', () => {
  it('quantityText separates thousands: 999,999', () => {
    expect(quantityText(999_999)).toBe('999,999');
    expect(quantityText(1_300)).toBe('1,300');
    expect(quantityText(12)).toBe('12');
  });

  it('inItemUnits adds the moves of one sign by unit, in the order first met, with the same separators', () => {
    const moves = [
      { itemId: 'tent', quantity: -1_000 },
      { itemId: 'blanket', quantity: -5 },
      { itemId: 'tent2', quantity: -200 },
      { itemId: 'blanket', quantity: 7 },
    ];
    expect(inItemUnits(units, moves, -1)).toBe('1,200 顶、5 条');
    expect(inItemUnits(units, moves, 1)).toBe('7 条');
    expect(inItemUnits(units, [], 1)).toBe('0');
  });
});
