import { describe, expect, it } from 'vitest';
import { refusedBefore } from '../../server/dispatch/consent.ts';

// Sweep 24a F5 (D25): 「该辖区曾在本事件中拒绝调用此物资」 names the jurisdiction that refused — that very one. The city
// (410700) refusing its own store's tents said nothing of 辉县 (410782), a county inside it that had consented.
describe('D25 (sweep 24a F5): refusedBefore matches the refusing jurisdiction exactly', () => {
  const tent = 'item-tent';
  const refused = [{ regionCode: '410700000000', itemId: tent }];
  it('D25: the region that refused the item, asked again, refused before', () => {
    expect(refusedBefore(refused, '410700000000', tent)).toBe(true);
  });
  it('D25: a county inside the refusing city did not refuse; nor did the city refuse another item', () => {
    expect(refusedBefore(refused, '410782000000', tent)).toBe(false);
    expect(refusedBefore(refused, '410700000000', 'item-quilt')).toBe(false);
    expect(refusedBefore(refused, null, tent)).toBe(false);
  });
});
