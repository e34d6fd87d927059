import { describe, expect, it } from 'vitest';
import { awaitsDelivery, callOffSettlementPrice, isReleased, valueBasisOf, type CallOffOfSettlement } from '../../server/authority/settlements.ts';

// Sweep 18a F18, F17, F3 (D17, D21, D24, D25): the rules the Settlement fields read, including the case no seeded item
// reaches (no contract price and no reference price: UNPRICED, value 0.00 meaning "not priced", never "nothing owed").

const callOff = (over: Partial<CallOffOfSettlement>): CallOffOfSettlement => ({
  callOffId: 'c',
  lineNo: 1,
  status: 'ISSUED',
  quantity: 10,
  deliveredQuantity: null,
  contractPrice: null,
  referencePrice: null,
  ...over,
});

describe('sweep 18a F18 (D21, D25): what a settlement’s value rests on', () => {
  it('D25: store stock is valued at its batches’ cost; a call-off at its contract price, its reference price (estimate) or not at all, until delivered', () => {
    expect(valueBasisOf(undefined)).toBe('STOCK_COST');
    expect(valueBasisOf(callOff({ contractPrice: '10.00', referencePrice: '12.00' }))).toBe('CONTRACT_PRICE');
    expect(valueBasisOf(callOff({ contractPrice: '0.00', referencePrice: '12.00' }))).toBe('REFERENCE_PRICE');
    expect(valueBasisOf(callOff({ contractPrice: null, referencePrice: '0.00' }))).toBe('UNPRICED');
    expect(valueBasisOf(callOff({ status: 'DELIVERED', deliveredQuantity: 8 }))).toBe('DELIVERY_PRICE');
  });

  it('D25: the unit price a call-off’s settlement opens at — the contract’s, else the reference price, else 0 (UNPRICED)', () => {
    expect(callOffSettlementPrice('68000.00', '60000.00')).toBe('68000.00');
    expect(callOffSettlementPrice(null, '62.00')).toBe('62.00');
    expect(callOffSettlementPrice('0.00', '62.00')).toBe('62.00');
    expect(callOffSettlementPrice(null, null)).toBe('0');
  });
});

describe('sweep 18a F17, F3 (D17, D24, D25)', () => {
  it('D17: only a call-off not yet delivered waits for delivery; store stock never does', () => {
    expect(awaitsDelivery(callOff({}))).toBe(true);
    expect(awaitsDelivery(callOff({ status: 'DELIVERED', deliveredQuantity: 10 }))).toBe(false);
    expect(awaitsDelivery(callOff({ status: 'CANCELLED' }))).toBe(false);
    expect(awaitsDelivery(undefined)).toBe(false);
  });

  it('D24, D25: settled with nothing owed is released; settled with a quantity was repaid', () => {
    expect(isReleased({ status: 'SETTLED', quantity: 0 })).toBe(true);
    expect(isReleased({ status: 'SETTLED', quantity: 4 })).toBe(false);
    expect(isReleased({ status: 'OPEN', quantity: 4 })).toBe(false);
  });
});
