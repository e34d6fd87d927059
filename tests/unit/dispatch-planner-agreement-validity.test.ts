import { describe, expect, it } from 'vitest';
import {
  capacityOnDay,
  capacityWithin,
  planDispatch,
  planGreedy,
  productionDays,
  inForceToday,
  type AgreementSource,
  type CapacitySource,
  type Destination,
} from '../../server/dispatch/planner.ts';

// Sweep 18a F6 (D6 an agreement has a validity; D17 reserves are sources after their response or production lead
// time), on the pure planner. A source's validity is in whole China days from today (fromDay = validFrom − today,
// toDay = validTo − today). A reserve is called off only while its agreement is in force today. Day d of production runs
// from leadDays + d − 1 to leadDays + d days after an order placed at any hour of today: it counts only when it ends by
// validTo's 24:00. Agreement stock called off while in force is owed whole, after its response time.

const POLICY = { detourFactor: 1.3, speedKmh: 60, handlingHours: 0.5, nearestK: 12, capacityHorizonDays: 3 };
const ITEM = 'item-1';
const DEST: Destination = { name: '安置点', regionCode: '410781100000', lat: 35.4, lng: 114.06, lines: [{ itemId: ITEM, quantity: 100 }] };
const capacity = (extra: Partial<CapacitySource> = {}): CapacitySource => ({
  kind: 'CAPACITY',
  agreementId: 'cap-1',
  companyName: '产能企业',
  itemId: ITEM,
  lat: 35.3,
  lng: 113.9,
  dailyCapacity: 10,
  leadDays: 2,
  ...extra,
});
const stock = (extra: Partial<AgreementSource> = {}): AgreementSource => ({
  kind: 'AGREEMENT',
  agreementId: 'agr-1',
  companyName: '协议企业',
  itemId: ITEM,
  lat: 35.3,
  lng: 113.9,
  available: 100,
  responseHours: 48,
  ...extra,
});
const plan = (source: CapacitySource | AgreementSource) => planDispatch({ destinations: [DEST], sources: [source], deadlineHours: 10, policy: POLICY });

describe('sweep 18a F6 (D6, D17): production days only inside the agreement’s validity', () => {
  it('D6: no validity is no bound (days 1–3); ending today with a 2-day lead: none; ending in 4 days: days 1–2', () => {
    expect(productionDays(capacity(), 3)).toEqual({ first: 1, last: 3 });
    expect(capacityWithin(capacity({ validity: { fromDay: -19, toDay: 0 } }), 3)).toBe(0);
    expect(productionDays(capacity({ validity: { fromDay: -19, toDay: 4 } }), 3)).toEqual({ first: 1, last: 2 });
    expect(capacityWithin(capacity({ validity: { fromDay: -19, toDay: 4 } }), 3)).toBe(20);
  });

  it('D6, D17: in force only from tomorrow: no production ordered today; claims take the first days of one in force', () => {
    expect(productionDays(capacity({ leadDays: 0, validity: { fromDay: 1, toDay: 100 } }), 3)).toEqual({ first: 1, last: 0 });
    expect(capacityWithin(capacity({ leadDays: 0, validity: { fromDay: 1, toDay: 100 } }), 3)).toBe(0);
    const s = capacity({ leadDays: 0, validity: { fromDay: 0, toDay: 100 }, claimed: 15 });
    expect([1, 2, 3].map((d) => capacityOnDay(s, d, 3))).toEqual([0, 5, 10]);
    expect(capacityWithin(s, 3)).toBe(15);
  });

  it('D6: the planner (and the greedy baseline) plans only the days inside the validity — the rest is a shortage', async () => {
    const s = capacity({ validity: { fromDay: -19, toDay: 4 } });
    const exact = await plan(s);
    expect(exact.lines.map((l) => [l.quantity, l.lots?.map((x) => x.day)])).toEqual([[20, [1, 2]]]);
    expect(exact.shortages[0].missing).toBe(80);
    expect(planGreedy({ destinations: [DEST], sources: [s], deadlineHours: 10, policy: POLICY }).totalQuantity).toBe(20);
    const none = await plan(capacity({ validity: { fromDay: -19, toDay: 0 } }));
    expect(none.lines).toEqual([]);
    expect(none.shortages[0].missing).toBe(100);
  });
});

describe('sweep 18a F6 (D6, D17): agreement stock only while its agreement is in force', () => {
  it('D6: in force today — its first day, its last day (a 48 h response still owed) — yes; ended or from tomorrow, no', () => {
    expect(inForceToday(stock({ validity: { fromDay: -100, toDay: 0 } }))).toBe(true);
    expect(inForceToday(stock({ validity: { fromDay: 0, toDay: 100 } }))).toBe(true);
    expect(inForceToday(stock({ validity: { fromDay: -100, toDay: -1 } }))).toBe(false);
    expect(inForceToday(stock({ validity: { fromDay: 1, toDay: 100 } }))).toBe(false);
    expect(inForceToday(stock())).toBe(true);
  });

  it('D6: the planner offers all of an agreement in force today, none of one in force only from tomorrow', async () => {
    const lastDay = await plan(stock({ validity: { fromDay: -100, toDay: 0 } }));
    expect(lastDay.lines.map((l) => [l.source.kind, l.quantity])).toEqual([['AGREEMENT', 100]]);
    const later = await plan(stock({ validity: { fromDay: 1, toDay: 100 } }));
    expect(later.lines).toEqual([]);
    expect(later.shortages[0].missing).toBe(100);
  });
});
