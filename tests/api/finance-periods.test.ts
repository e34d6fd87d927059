import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../support/template.ts';
import { errorCode, NOW, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, QUILT, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { issueRaw, ledgerCounts, lineOf, purchase, receiveRaw, reverseRaw, shipRaw, stocktakeRaw } from '../support/ledger-ops.ts';
import { buildFinanceHistory, fen, ledgerRows, randomInstants, replay, valuationOf, yuan, type FinanceHistory } from '../support/finance.ts';

// 月结 (D21, D22): closing a month snapshots its balances; entries dated in a closed month are refused
// (corrections go into the open period); valuation = the latest snapshot before asOf + the movements after it.

const APRIL_CUTOFF = new Date('2026-05-01T00:00:00+08:00');
const MAY_CUTOFF = new Date('2026-06-01T00:00:00+08:00');

const closeRaw = (t: ReturnType<typeof useTestApp>, month: string, as = 'admin') =>
  t.gql(`mutation($m: String!) { closePeriod(month: $m) { month cutoff closedAt } }`, { m: month }, as);

describe('period close (月结, D21/D22)', () => {
  const t = useTestApp();
  let h: FinanceHistory;
  afterEach(() => expectLedgerConsistent(t));

  /** Seeded instants over the history plus the cutoffs and the millisecond before each. */
  const instants = () => [
    ...randomInstants(4242, 24, '2026-03-01T00:00:00+08:00', NOW),
    APRIL_CUTOFF,
    new Date(APRIL_CUTOFF.getTime() - 1),
    MAY_CUTOFF,
    new Date(MAY_CUTOFF.getTime() - 1),
    new Date(NOW),
  ];
  const valuations = (as = 'auditor', groupBy: ('STORE' | 'FUNDING_SOURCE')[] = ['STORE', 'FUNDING_SOURCE']) =>
    Promise.all(instants().map((asOf) => valuationOf(t, as, { asOf, groupBy })));
  const closes = async () => (await t.gql(`{ periodCloses { month cutoff } }`, {}, 'auditor')).data.periodCloses as { month: string; cutoff: string }[];

  /** Closes April and May once (the first test does it and checks; later tests only need them closed). */
  async function closeAprilAndMay() {
    const done = (await closes()).map((c) => c.month);
    for (const month of ['2026-04', '2026-05']) if (!done.includes(month)) expect((await closeRaw(t, month)).errors).toBeUndefined();
  }

  beforeAll(async () => {
    h = await buildFinanceHistory(t, { reverseMayReceipt: false });
    // Entries dated exactly at the two cutoffs (midnight in China), posted while both months are open: each belongs to
    // the month that ends there (sweep 4 M3) — in its snapshot, and in valuation at the cutoff before and after the close.
    for (const [occurredAt, batchNo] of [
      ['2026-05-01T00:00:00+08:00', 'P-CUT-APR'],
      ['2026-06-01T00:00:00+08:00', 'P-CUT-MAY'],
    ]) {
      const res = await receiveRaw(t, 'admin', purchase(XINXIANG, [{ itemId: QUILT, quantity: 4, unitPrice: '0.25', batchNo }], { occurredAt }));
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    }
    // A regional administrator (新乡): not allowed to close periods.
    const res = await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username: 'xx-admin', displayName: '新乡市系统管理员', password: TEST_PASSWORD, role: 'ADMIN', regionCode: '410700' } },
      'admin',
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  });

  it('D21: closing April then May leaves every valuation (totals and groups) unchanged; snapshotMonth follows the cutoffs; order is enforced', async () => {
    expect(await closes()).toEqual([]);
    const before = await valuations();
    const beforeAdmin = await Promise.all(instants().map((asOf) => valuationOf(t, 'admin', { asOf, groupBy: ['REGION'] })));
    expect(before.every((v) => v.snapshotMonth === null)).toBe(true);

    const april = await closeRaw(t, '2026-04');
    expect(april.errors, JSON.stringify(april.errors)).toBeUndefined();
    expect(april.data.closePeriod.month).toBe('2026-04');
    expect(Date.parse(april.data.closePeriod.cutoff)).toBe(APRIL_CUTOFF.getTime());
    // Out of order: June before May.
    expect(errorCode(await closeRaw(t, '2026-06'))).toBe('INVALID_STATE');
    const mid = await valuations();
    const may = await closeRaw(t, '2026-05');
    expect(may.errors, JSON.stringify(may.errors)).toBeUndefined();
    const after = await valuations();
    const afterAdmin = await Promise.all(instants().map((asOf) => valuationOf(t, 'admin', { asOf, groupBy: ['REGION'] })));

    const strip = (v: { snapshotMonth: string | null }) => ({ ...v, snapshotMonth: undefined });
    expect(mid.map(strip)).toEqual(before.map(strip));
    expect(after.map(strip)).toEqual(before.map(strip));
    expect(afterAdmin.map(strip)).toEqual(beforeAdmin.map(strip));
    instants().forEach((asOf, i) => {
      const want = asOf >= MAY_CUTOFF ? '2026-05' : asOf >= APRIL_CUTOFF ? '2026-04' : null;
      expect({ asOf, snapshotMonth: after[i].snapshotMonth }).toEqual({ asOf, snapshotMonth: want });
      expect({ asOf, snapshotMonth: mid[i].snapshotMonth }).toEqual({ asOf, snapshotMonth: asOf >= APRIL_CUTOFF ? '2026-04' : null });
    });
    // And the values are still the replay of the ledger.
    const rows = await ledgerRows(t, '4107');
    instants().forEach((asOf, i) => expect(after[i].total, asOf.toISOString()).toBe(replay(rows, asOf).total));
    expect((await closes()).map((c) => c.month)).toEqual(['2026-05', '2026-04']);
  });

  it('D21: closing twice or out of order is INVALID_STATE; the current month and malformed months are BAD_USER_INPUT', async () => {
    await closeAprilAndMay();
    const twice = await closeRaw(t, '2026-05');
    expect(errorCode(twice)).toBe('INVALID_STATE');
    // Sweep 18c F8: placed at the month, as closePeriod's other refusals are (the console shows it there).
    expect(twice.errors![0]).toMatchObject({ message: '2026-05 已月结（已结至 2026-05）', extensions: { field: 'month' } });
    expect(errorCode(await closeRaw(t, '2026-04'))).toBe('INVALID_STATE');
    expect(errorCode(await closeRaw(t, '2026-03'))).toBe('INVALID_STATE');
    expect(errorCode(await closeRaw(t, '2026-07'))).toBe('BAD_USER_INPUT'); // July is not over
    expect(errorCode(await closeRaw(t, '2026-08'))).toBe('BAD_USER_INPUT');
    for (const bad of ['2026-13', '2026-6', '202606', 'June']) expect(errorCode(await closeRaw(t, bad)), bad).toBe('BAD_USER_INPUT');
    // A month later, July may close — but not before June.
    t.clock.set('2026-08-20T02:00:00Z');
    try {
      expect(errorCode(await closeRaw(t, '2026-07'))).toBe('INVALID_STATE');
    } finally {
      t.clock.set(NOW);
    }
    expect((await closes()).map((c) => c.month)).toEqual(['2026-05', '2026-04']);
  });

  it('D21: only an unscoped administrator closes: a regional admin, dispatcher, auditor or keeper is FORBIDDEN', async () => {
    await closeAprilAndMay();
    for (const as of ['xx-admin', 'dispatcher', 'auditor', 'keeper']) expect(errorCode(await closeRaw(t, '2026-06', as)), as).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(`mutation { closePeriod(month: "2026-06") { month } }`))).toBe('UNAUTHENTICATED');
    expect((await closes()).map((c) => c.month)).toEqual(['2026-05', '2026-04']);
  });

  it('D22: after the close, a receipt, issue, stocktake or transfer dated 2026-05-20 is BAD_USER_INPUT and changes nothing', async () => {
    await closeAprilAndMay();
    const counts = await ledgerCounts(t);
    const values = await valuations();
    const may20 = '2026-05-20T10:00:00+08:00';
    // A count that agrees with the book at 卫辉 (no difference): its book is what the store holds of VA-T1 now.
    const tentsHeld = (await lineOf(t, WEIHUI, COTTON_TENT, h.batches['VA-T1']))!.onHand;
    const refused = [
      await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 5, unitPrice: '10.00', batchNo: 'P-MAY' }], { occurredAt: may20 })),
      await receiveRaw(t, 'admin', purchase(XINXIANG, [{ itemId: QUILT, quantity: 5, unitPrice: '10.00' }], { occurredAt: '2026-05-31T23:59:59.999+08:00' })),
      await issueRaw(t, 'keeper', {
        storeId: WEIHUI,
        recipient: '安置点',
        reason: 'RELIEF',
        occurredAt: may20,
        lines: [{ itemId: QUILT, quantity: 1, batchId: h.batches['VA-Q2'] }],
      }),
      await stocktakeRaw(t, 'keeper', {
        storeId: WEIHUI,
        occurredAt: may20,
        counts: [{ batchId: h.batches['VA-S1'], countedQuantity: 9980, reason: 'DAMAGED' }],
      }),
      // A count without differences posts no movement; the document alone is refused too.
      await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, occurredAt: may20, counts: [{ batchId: h.batches['VA-T1'], countedQuantity: tentsHeld }] }),
      await shipRaw(t, 'admin', { fromStoreId: XINXIANG, toStoreId: WEIHUI, occurredAt: may20, lines: [{ itemId: COTTON_TENT, quantity: 1 }] }),
      await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 5, unitPrice: '10.00' }], { occurredAt: '2026-04-02T10:00:00+08:00' })),
    ];
    for (const res of refused) {
      expect(errorCode(res), JSON.stringify(res.errors)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions.reason).toBe('PERIOD_CLOSED');
    }
    expect(await ledgerCounts(t)).toEqual(counts);
    expect(await valuations()).toEqual(values);
  });

  it('D22: the same entries dated in June (the open period) are accepted and change June on, not May', async () => {
    await closeAprilAndMay();
    const before = await valuations();
    const june = '2026-06-20T10:00:00+08:00';
    const receipt = await receiveRaw(
      t,
      'keeper',
      purchase(WEIHUI, [{ itemId: QUILT, quantity: 5, unitPrice: '10.01', batchNo: 'P-JUN' }], { occurredAt: june }),
    );
    expect(receipt.errors, JSON.stringify(receipt.errors)).toBeUndefined();
    const issued = await issueRaw(t, 'keeper', {
      storeId: WEIHUI,
      recipient: '安置点',
      reason: 'RELIEF',
      occurredAt: june,
      lines: [{ itemId: QUILT, quantity: 1, batchId: h.batches['VA-Q2'] }],
    });
    expect(issued.errors, JSON.stringify(issued.errors)).toBeUndefined();
    const counted = await stocktakeRaw(t, 'keeper', {
      storeId: WEIHUI,
      occurredAt: june,
      counts: [{ batchId: h.batches['VA-S1'], countedQuantity: 9980, reason: 'DAMAGED' }],
    });
    expect(counted.errors, JSON.stringify(counted.errors)).toBeUndefined();
    // At the cutoff itself: May's, closed (sweep 4 M3); a millisecond later: June's.
    const cut = (occurredAt: string) =>
      receiveRaw(t, 'admin', purchase(XINXIANG, [{ itemId: QUILT, quantity: 2, unitPrice: '0.50', batchNo: 'P-CUT' }], { occurredAt }));
    const atCutoff = await cut('2026-06-01T00:00:00+08:00');
    expect(errorCode(atCutoff), JSON.stringify(atCutoff.errors)).toBe('BAD_USER_INPUT');
    expect(atCutoff.errors![0].extensions.reason).toBe('PERIOD_CLOSED');
    const afterCutoff = await cut('2026-06-01T00:00:00.001+08:00');
    expect(afterCutoff.errors, JSON.stringify(afterCutoff.errors)).toBeUndefined();
    const after = await valuations();
    // +5 × 10.01 − 1 × 12.35 − 10 × 1.15 from 06-20 10:00; +2 × 0.50 from just after the cutoff.
    const delta = (asOf: Date) => (asOf >= new Date(june) ? 5005n - 1235n - 1150n : 0n) + (asOf > MAY_CUTOFF ? 100n : 0n);
    instants().forEach((asOf, i) => {
      expect({ asOf, change: yuan(fen(after[i].total) - fen(before[i].total)) }).toEqual({ asOf, change: yuan(delta(asOf)) });
    });
    const rows = await ledgerRows(t, '4107');
    instants().forEach((asOf, i) => expect(after[i].total, asOf.toISOString()).toBe(replay(rows, asOf).total));
  });

  it('D22: a reversal of a May document is posted now, in the open period: it lowers the current value by exactly its value, not May’s', async () => {
    await closeAprilAndMay();
    const before = await valuations();
    const lastOfMay = new Date(MAY_CUTOFF.getTime() - 1);
    const mayBefore = await valuationOf(t, 'auditor', { asOf: lastOfMay, groupBy: ['STORE', 'ITEM'] });
    const rev = await reverseRaw(t, 'keeper', h.documents.E11.id); // 3 × 1999.99, received 2026-05-27
    expect(rev.errors, JSON.stringify(rev.errors)).toBeUndefined();
    expect(Date.parse(rev.data.reverseDocument.occurredAt)).toBe(Date.parse(NOW));
    const after = await valuations();
    instants().forEach((asOf, i) => {
      const change = fen(after[i].total) - fen(before[i].total);
      expect({ asOf, change }).toEqual({ asOf, change: asOf.getTime() >= Date.parse(NOW) ? -599997n : 0n });
    });
    const mayAfter = await valuationOf(t, 'auditor', { asOf: lastOfMay, groupBy: ['STORE', 'ITEM'] });
    expect(mayAfter).toEqual(mayBefore);
    expect(mayAfter.groups.find((g) => g.key[0] === WEIHUI && g.key[1] === COTTON_TENT)).toMatchObject({ quantity: 13, value: '27799.97' }); // 10 × 2180 + 3 × 1999.99
    // Reversing twice: refused; the closed months still read the same.
    expect(errorCode(await reverseRaw(t, 'keeper', h.documents.E11.id))).toBe('INVALID_STATE');
    expect((await valuations()).map((v) => v.total)).toEqual(after.map((v) => v.total));
  });
});
