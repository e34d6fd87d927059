import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAgreement } from '../support/agreements.ts';
import { errorCode, NOW, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, QUILT, receive, WEIHUI, XINXIANG_COUNTY } from '../support/ledger.ts';
import {
  buildFinanceHistory,
  dayInChina,
  DIMENSIONS,
  ENTRUSTED_XX,
  fen,
  ledgerRows,
  randomInstants,
  replay,
  replayGroups,
  sortGroups,
  valuationOf,
  valuationRaw,
  yuan,
  type Dimension,
  type FinanceHistory,
} from '../support/finance.ts';

// D21: the exact value of reserves at any past instant, from the ledger.

const XX = '4107'; // 新乡市 subtree prefix

describe('valuation (D21)', () => {
  const t = useTestApp();
  let h: FinanceHistory;
  afterEach(() => expectLedgerConsistent(t));

  beforeAll(async () => {
    h = await buildFinanceHistory(t);
    // D6: an agreement reserve with a fee, a capacity reserve, and an agreement outside 新乡 (its fee must not count).
    const agreementId = await createAgreement(t, {
      mode: 'AGREEMENT',
      companyName: '新乡市惠民百货配送有限公司',
      regionCode: '410700',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      annualFee: '36500.00',
      lines: [
        { itemId: QUILT, quantity: 3000, unitPrice: '158.00', responseHours: 6 },
        { itemId: COTTON_TENT, quantity: 500, unitPrice: '2180.00', responseHours: 8 },
      ],
    });
    const check = await t.gql(
      `mutation($i: AgreementCheckInput!) { recordAgreementCheck(input: $i) { id } }`,
      {
        i: {
          agreementId,
          checkedOn: '2026-06-15',
          lines: [
            { itemId: QUILT, countedQuantity: 2600 },
            { itemId: COTTON_TENT, countedQuantity: 650 },
          ],
        },
      },
      'admin',
    );
    expect(check.errors, JSON.stringify(check.errors)).toBeUndefined();
    await createAgreement(t, {
      mode: 'CAPACITY',
      companyName: '新乡市新星帐篷制造有限公司',
      regionCode: '410700',
      validFrom: '2026-01-01',
      validTo: '2028-12-31',
      lines: [{ itemId: COTTON_TENT, dailyCapacity: 300, leadDays: 2, unitPrice: '2100.00' }],
    });
    await createAgreement(t, {
      mode: 'AGREEMENT',
      companyName: '晋城市太行商贸有限公司',
      regionCode: '140500',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      annualFee: '73000.00',
      lines: [{ itemId: QUILT, quantity: 100, unitPrice: '150.00', responseHours: 6 }],
    });
  });

  /** 24 seeded instants over the history, plus each event's instant and the millisecond before it. */
  const instants = () => {
    const events = h.events.flatMap((e) => {
      const d = new Date(e.at);
      return [d, new Date(d.getTime() - 1)];
    });
    return [...randomInstants(20260720, 24, '2026-02-25T00:00:00+08:00', NOW), ...events];
  };

  it('D21: the current value of 新乡 is the hand-computed sum (12.35, 158.35, 149.99, 0.07 … exact), in transit apart', async () => {
    const v = await valuationOf(t, 'auditor');
    // 新乡市库 25 × 2180 + 350 × 158.35; 卫辉 9990 × 1.15 + 100 × 12.35 + 10 × 2180 + 37 × 0.07 (the May receipt reversed);
    // 代储库 800 × 149.99; 唐庄 300 × 85.05; in transit to 新乡县: 100 × 158.35. 晋城 stock does not count.
    expect(v).toMatchObject({ onHand: '289955.59', inTransit: '15835.00', total: '305790.59', snapshotMonth: null, groups: [] });
    expect(Date.parse(v.asOf)).toBe(Date.parse(NOW));
  });

  it('D21: at ≥ 20 seeded random instants (and at every event boundary) valuation equals a replay of the ledger', async () => {
    const rows = await ledgerRows(t, XX);
    expect(rows.length).toBeGreaterThan(15);
    const seen = new Set<string>();
    for (const asOf of instants()) {
      const want = replay(rows, asOf);
      seen.add(want.total);
      const v = await valuationOf(t, 'auditor', { asOf });
      expect({ asOf: asOf.toISOString(), total: v.total, onHand: v.onHand, inTransit: v.inTransit }).toEqual({
        asOf: asOf.toISOString(),
        total: want.total,
        onHand: want.onHand,
        inTransit: want.inTransit,
      });
    }
    // The instants do see the history move (otherwise the comparison proves little).
    expect(seen.size).toBeGreaterThan(10);
  });

  it('D21: the same holds for a county (卫辉 410781), for 晋城 (140500) and for the unscoped administrator', async () => {
    const cases: [string | undefined, string][] = [
      ['410781', '410781'],
      ['140500', '1405'],
      [undefined, ''],
    ];
    for (const [regionCode, prefix] of cases) {
      const rows = await ledgerRows(t, prefix);
      for (const asOf of randomInstants(7 + prefix.length, 8, '2026-03-01T00:00:00+08:00', NOW)) {
        const v = await valuationOf(t, 'admin', { asOf, regionCode });
        const want = replay(rows, asOf);
        expect({ total: v.total, onHand: v.onHand, inTransit: v.inTransit }, `${regionCode} ${asOf.toISOString()}`).toEqual({
          total: want.total,
          onHand: want.onHand,
          inTransit: want.inTransit,
        });
      }
    }
    // While the transfer to 晋城 was on its way (05-20 … 05-25), it was 晋城's, in transit: 5 × 2180.
    expect(await valuationOf(t, 'admin', { asOf: '2026-05-22T12:00:00+08:00', regionCode: '140500' })).toMatchObject({
      onHand: '0.00',
      inTransit: '10900.00',
      total: '10900.00',
    });
  });

  it('D21: total = onHand + inTransit; stock in transit is valued apart (the 卫辉 transfer, 04-22 … 05-06)', async () => {
    const during = await valuationOf(t, 'auditor', { asOf: '2026-04-30T12:00:00+08:00', groupBy: ['STORE'] });
    expect(during.inTransit).toBe('21800.00'); // 10 × 2180.00
    expect(fen(during.total)).toBe(fen(during.onHand) + fen(during.inTransit));
    const weihui = during.groups.find((g) => g.key[0] === WEIHUI)!;
    expect(weihui).toMatchObject({ inTransitQuantity: 10, inTransitValue: '21800.00' });
    const before = await valuationOf(t, 'auditor', { asOf: '2026-04-22T08:59:59.999+08:00' });
    const after = await valuationOf(t, 'auditor', { asOf: '2026-05-06T11:00:00+08:00' });
    expect(before.inTransit).toBe('0.00');
    expect(after.inTransit).toBe('0.00');
    // Shipping within the region moves value from on hand to in transit; the total does not move.
    expect(during.total).toBe(before.total);
    expect(fen(during.onHand)).toBe(fen(before.onHand) - 2180000n);
    for (const asOf of instants()) {
      const v = await valuationOf(t, 'auditor', { asOf });
      expect(fen(v.total), asOf.toISOString()).toBe(fen(v.onHand) + fen(v.inTransit));
    }
  });

  const combos: Dimension[][] = [...DIMENSIONS.map((d) => [d]), ['STORE', 'FUNDING_SOURCE'], ['REGION', 'CATEGORY'], ['RESERVE_MODE', 'ITEM']];

  it.each(combos.map((c) => [c.join('+'), c] as const))(
    'D21: groups by %s (在途 a group of its own) add up exactly to the total, and match the replay',
    async (_name, groupBy) => {
      const rows = await ledgerRows(t, XX);
      for (const asOf of [new Date(NOW), new Date('2026-04-30T12:00:00+08:00'), ...randomInstants(99, 3, '2026-03-01T00:00:00+08:00', NOW)]) {
        const v = await valuationOf(t, 'auditor', { asOf, groupBy: [...groupBy] });
        expect(v.groups.length).toBeGreaterThan(0);
        expect(v.groups.every((g) => g.key.length === groupBy.length)).toBe(true);
        expect(new Set(v.groups.map((g) => JSON.stringify(g.key))).size).toBe(v.groups.length);
        expect(yuan(v.groups.reduce((s, g) => s + fen(g.value), 0n))).toBe(v.total);
        const inTransit = v.groups.filter((g) => g.key.every((k) => k === '在途'));
        expect(yuan(inTransit.reduce((s, g) => s + fen(g.value), 0n))).toBe(v.inTransit);
        expect(yuan(v.groups.reduce((s, g) => s + fen(g.inTransitValue), 0n))).toBe(v.inTransit);
        const want = replay(rows, asOf);
        expect(v.groups.reduce((s, g) => s + g.quantity, 0)).toBe(want.onHandQuantity + want.inTransitQuantity);
        expect(v.groups.reduce((s, g) => s + g.inTransitQuantity, 0)).toBe(want.inTransitQuantity);
        // Under 新乡市 (4107) regions group by county (6 digits).
        expect(sortGroups(v.groups)).toEqual(replayGroups(rows, asOf, [...groupBy], 6));
      }
    },
  );

  it('D21: reserve mode and funding source groups name the entrusted store, donations and central funds', async () => {
    const byMode = await valuationOf(t, 'auditor', { groupBy: ['RESERVE_MODE'] });
    expect(byMode.groups.find((g) => g.key[0] === 'ENTRUSTED')).toEqual({
      key: ['ENTRUSTED'],
      quantity: 800,
      value: '119992.00',
      inTransitQuantity: 0,
      inTransitValue: '0.00',
    });
    const byFunding = await valuationOf(t, 'auditor', { groupBy: ['FUNDING_SOURCE'] });
    expect(byFunding.groups.find((g) => g.key[0] === 'DONATION')).toMatchObject({ quantity: 300, value: '25515.00' });
    expect(byFunding.groups.find((g) => g.key[0] === 'CENTRAL')).toMatchObject({ quantity: 35, value: '76300.00' }); // 25 + 10 tents
    expect(byFunding.groups.find((g) => g.key[0] === 'PROVINCE')).toMatchObject({
      quantity: 350,
      value: '55422.50',
      inTransitQuantity: 100,
      inTransitValue: '15835.00',
    });
    const byStore = await valuationOf(t, 'auditor', { groupBy: ['STORE'] });
    expect(byStore.groups.find((g) => g.key[0] === ENTRUSTED_XX)?.value).toBe('119992.00');
    expect(byStore.groups.find((g) => g.key[0] === XINXIANG_COUNTY)).toMatchObject({ quantity: 0, value: '0.00', inTransitQuantity: 100 });
  });

  it('D21, D6: contingent agreement value is min(committed, last counted) × price as of the day; capacity apart; neither in total', async () => {
    const early = await valuationOf(t, 'auditor', { asOf: '2026-06-14T12:00:00+08:00' });
    // Before the spot check: committed 3000 × 158 + 500 × 2180.
    expect(early.contingentAgreementValue).toBe('1564000.00');
    expect(early.contingentCapacityValue).toBe('630000.00'); // 300 a day × 2100
    const late = await valuationOf(t, 'auditor', { asOf: '2026-06-15T12:00:00+08:00' });
    // Counted 2600 quilts (short) and 650 tents (more than committed: counts as 500).
    expect(late.contingentAgreementValue).toBe('1500800.00');
    expect(late.contingentCapacityValue).toBe('630000.00');
    const rows = await ledgerRows(t, XX);
    expect(late.total).toBe(replay(rows, new Date('2026-06-15T12:00:00+08:00')).total);
    // Before the agreements were valid: nothing contingent.
    expect(await valuationOf(t, 'auditor', { asOf: '2025-12-31T12:00:00+08:00' })).toMatchObject({
      contingentAgreementValue: '0.00',
      contingentCapacityValue: '0.00',
      feesAccrued: '0.00',
      total: '0.00',
    });
    // 晋城's agreement is 晋城's.
    expect((await valuationOf(t, 'admin', { regionCode: '140500' })).contingentAgreementValue).toBe('15000.00');
  });

  it('D21: fees accrue exactly 100.00 a day for an annual fee of 36500.00, per China day elapsed from Jan 1 to the instant', async () => {
    for (const asOf of [
      ...randomInstants(365, 12, '2026-01-01T00:00:00+08:00', NOW),
      new Date('2026-01-01T00:00:00+08:00'),
      new Date('2026-03-01T07:59:59+08:00'),
      new Date(NOW),
    ]) {
      const day = dayInChina(asOf);
      // Whole days completed by the instant: the asOf day counts once it is over.
      const days = Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse('2026-01-01T00:00:00Z')) / 86_400_000);
      const v = await valuationOf(t, 'auditor', { asOf });
      // The fee year is the one the instant ends (sweep 18c F6): 2026-01-01 00:00 is 2025's last instant (nothing of this
      // agreement, valid from 2026, accrued in it).
      const feesFrom = `${dayInChina(new Date(asOf.getTime() - 1)).slice(0, 4)}-01-01`;
      expect({ asOf, feesAccrued: v.feesAccrued, feesFrom: v.feesFrom }).toEqual({ asOf, feesAccrued: yuan(BigInt(days) * 10000n), feesFrom });
    }
    expect((await valuationOf(t, 'auditor')).feesAccrued).toBe('20000.00'); // 200 days completed by 2026-07-20 10:00
    expect((await valuationOf(t, 'auditor', { feesFrom: '2026-07-01' })).feesAccrued).toBe('1900.00'); // 07-01 … 07-19
  });

  it('D21 (findings-reserves #9): at midnight on 1 February, 31 days have accrued for an agreement valid from 1 January — not 32', async () => {
    expect((await valuationOf(t, 'auditor', { asOf: '2026-02-01T00:00:00+08:00' })).feesAccrued).toBe('3100.00');
    expect((await valuationOf(t, 'auditor', { asOf: '2026-02-01T23:59:59+08:00' })).feesAccrued).toBe('3100.00');
    expect((await valuationOf(t, 'auditor', { asOf: '2026-02-02T00:00:00+08:00' })).feesAccrued).toBe('3200.00');
  });

  it('D21: a receipt of q × p raises the current total by exactly q·p and leaves earlier instants unchanged', async () => {
    const past = instants();
    const before = await Promise.all(past.map((asOf) => valuationOf(t, 'auditor', { asOf })));
    const now0 = await valuationOf(t, 'auditor');
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 7, batchNo: 'VA-NEW', unitPrice: '123.45' }]);
    const now1 = await valuationOf(t, 'auditor');
    expect(fen(now1.total) - fen(now0.total)).toBe(86415n); // 7 × 123.45 = 864.15
    expect(fen(now1.onHand) - fen(now0.onHand)).toBe(86415n);
    expect(now1.inTransit).toBe(now0.inTransit);
    const after = await Promise.all(past.map((asOf) => valuationOf(t, 'auditor', { asOf })));
    expect(after.map((v) => v.total)).toEqual(before.map((v) => v.total));

    // Backdated to 2026-05-01: later instants rise by q·p, earlier ones do not move.
    const cut = new Date('2026-05-01T10:00:00+08:00');
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 3, batchNo: 'VA-BACK', unitPrice: '0.35' }], { occurredAt: '2026-05-01T10:00:00+08:00' });
    const again = await Promise.all(past.map((asOf) => valuationOf(t, 'auditor', { asOf })));
    past.forEach((asOf, i) => {
      expect(fen(again[i].total) - fen(after[i].total), asOf.toISOString()).toBe(asOf >= cut ? 105n : 0n);
    });
    const rows = await ledgerRows(t, XX);
    for (const [i, asOf] of past.entries()) expect(again[i].total).toBe(replay(rows, asOf).total);
  });

  it('D21: asOf in the future is BAD_USER_INPUT; now is allowed', async () => {
    expect(errorCode(await valuationRaw(t, 'auditor', { asOf: '2026-07-20T02:00:01Z' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await valuationRaw(t, 'admin', { asOf: '2027-01-01T00:00:00+08:00' }))).toBe('BAD_USER_INPUT');
    expect((await valuationRaw(t, 'auditor', { asOf: NOW })).errors).toBeUndefined();
  });

  it('D21: keepers read no value; 新乡 dispatchers and auditors cannot value 晋城 (140500)', async () => {
    expect(errorCode(await valuationRaw(t, 'keeper'))).toBe('FORBIDDEN');
    expect(errorCode(await valuationRaw(t, 'keeper', { regionCode: '410781' }))).toBe('FORBIDDEN');
    expect(errorCode(await valuationRaw(t, 'dispatcher', { regionCode: '140500' }))).toBe('FORBIDDEN');
    expect(errorCode(await valuationRaw(t, 'auditor', { regionCode: '140500' }))).toBe('FORBIDDEN');
    expect(errorCode(await valuationRaw(t, 'auditor', { regionCode: '140500', asOf: '2026-05-01T00:00:00+08:00', groupBy: ['STORE'] }))).toBe('FORBIDDEN');
    const anonymous = await t.gql(`{ valuation { total } }`);
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    // The dispatcher of 新乡 does read 新乡.
    expect((await valuationOf(t, 'dispatcher')).total).toBe((await valuationOf(t, 'auditor')).total);
  });
});
