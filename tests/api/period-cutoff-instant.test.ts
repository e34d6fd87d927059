import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, QUILT, XINXIANG } from '../support/ledger.ts';
import { ledgerCounts, purchase, receiveRaw } from '../support/ledger-ops.ts';
import { fen, valuationOf, yuan } from '../support/finance.ts';

// Sweep 4 M3 (D22, D31): the instant a month ends — its cutoff, 00:00 on the 1st in China time, which valuation(asOf:)
// and journal(filter: {to}) count as "as of the 30th 24:00" — belongs to the closed month. The close's snapshot holds
// what is dated at it, and once the month is closed a document dated at exactly the cutoff is refused PERIOD_CLOSED;
// one a millisecond later posts. So the closed month's end value and journal never change after the close.

const CUTOFF = '2026-07-01T00:00:00+08:00'; // June's end
const CUTOFF_24 = '2026-06-30T24:00:00+08:00'; // the same instant, as "the 30th at 24:00"
const AFTER_CUTOFF = '2026-07-01T00:00:00.001+08:00';

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const closeJune = () => t.gql(`mutation { closePeriod(month: "2026-06") { month cutoff } }`, {}, 'admin');
const receiptAt = (occurredAt: string, batchNo: string, quantity: number) =>
  receiveRaw(t, 'admin', purchase(XINXIANG, [{ itemId: QUILT, quantity, unitPrice: '12.50', batchNo }], { occurredAt }));
const totalAt = async (asOf: string) => (await valuationOf(t, 'admin', { asOf })).total;
/** June's snapshot valued as valuation values it: public stock (on hand and in transit) × its batch's unit price. */
const snapshotTotal = async () => {
  const [r] = await queryRows<{ value: string | null }>(
    t.database.db,
    sql`SELECT round(sum((x.on_hand + x.in_transit) * b.unit_price), 2)::text AS value
          FROM balance_snapshots x JOIN batches b ON b.id = x.batch_id
         WHERE x.month = '2026-06-01' AND b.reserve_mode IN ('PHYSICAL', 'ENTRUSTED')`,
  );
  return yuan(fen(r.value ?? '0'));
};
const snapshotOf = async (batchNo: string) =>
  queryRows<{ on_hand: number }>(
    t.database.db,
    sql`SELECT x.on_hand FROM balance_snapshots x JOIN batches b ON b.id = x.batch_id
         WHERE x.month = '2026-06-01' AND x.store_id = ${XINXIANG}::uuid AND b.batch_no = ${batchNo}`,
  );
const journalNumbers = async (to: string) => {
  const res = await t.gql(
    `query($f: JournalFilter!) { journal(filter: $f, first: 200) { edges { node { document { number } } } } }`,
    { f: { storeId: XINXIANG, from: '2026-06-01T00:00:00+08:00', to } },
    'admin',
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.journal.edges.map((e: { node: { document: { number: string } } }) => e.node.document.number) as string[];
};

let atCutoffBeforeClose: string; // the number of the receipt dated at the cutoff, posted while June was open

beforeAll(async () => {
  const june = await receiptAt('2026-06-15T10:00:00+08:00', 'CUT-JUN', 8);
  expect(june.errors, JSON.stringify(june.errors)).toBeUndefined();
  // While June is open, a receipt dated at its very end posts: it is June's.
  const atCutoff = await receiptAt(CUTOFF, 'CUT-AT', 4);
  expect(atCutoff.errors, JSON.stringify(atCutoff.errors)).toBeUndefined();
  atCutoffBeforeClose = atCutoff.data.receiveStock.number;
});

describe('the cutoff instant is the closed month’s (sweep 4 M3, D22/D31)', () => {
  it('D22: the close’s snapshot holds what is dated at exactly the cutoff, and equals valuation at the cutoff before and after the close', async () => {
    const before = await totalAt(CUTOFF);
    expect(await totalAt(CUTOFF_24)).toBe(before);
    const close = await closeJune();
    expect(close.errors, JSON.stringify(close.errors)).toBeUndefined();
    expect(Date.parse(close.data.closePeriod.cutoff)).toBe(Date.parse(CUTOFF));
    expect(await snapshotOf('CUT-AT')).toEqual([{ on_hand: 4 }]);
    expect(await snapshotTotal()).toBe(before);
    const after = await valuationOf(t, 'admin', { asOf: CUTOFF });
    expect(after).toMatchObject({ total: before, snapshotMonth: '2026-06' });
    expect(await journalNumbers(CUTOFF)).toContain(atCutoffBeforeClose);
  });

  it('D22: after the close, a receipt dated at exactly the cutoff (in either spelling) is BAD_USER_INPUT PERIOD_CLOSED, saying the instant is closed, and changes nothing', async () => {
    const counts = await ledgerCounts(t);
    const value = await totalAt(CUTOFF);
    const journal = await journalNumbers(CUTOFF_24);
    for (const occurredAt of [CUTOFF, CUTOFF_24, '2026-06-30T16:00:00Z']) {
      const res = await receiptAt(occurredAt, 'CUT-LATE', 6);
      expect(errorCode(res), `${occurredAt}: ${JSON.stringify(res.errors)}`).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions).toMatchObject({ field: 'input.occurredAt', reason: 'PERIOD_CLOSED' });
      // The cutoff is 00:00 on 1 July: "the month it falls in is closed" would be wrong of July; the words say how far
      // the books are closed and that the instant is included.
      expect(res.errors![0].message).toBe('该业务时间在已月结的期间内（已结账至 2026-07-01 00:00，含该时点），不能再入账；更正请在未结账期间登记');
    }
    expect(await ledgerCounts(t)).toEqual(counts);
    expect(await totalAt(CUTOFF)).toBe(value);
    expect(await totalAt(CUTOFF_24)).toBe(value);
    expect(await snapshotTotal()).toBe(value);
    expect(await journalNumbers(CUTOFF_24)).toEqual(journal);
  });

  it('D22: a receipt a millisecond after the cutoff posts, in July: the value at the cutoff stays the snapshot’s; a millisecond later it includes the receipt', async () => {
    const atCutoff = await totalAt(CUTOFF);
    const later = await totalAt(AFTER_CUTOFF);
    const journal = await journalNumbers(CUTOFF);
    const res = await receiptAt(AFTER_CUTOFF, 'CUT-JUL', 6);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(await totalAt(CUTOFF)).toBe(atCutoff);
    expect(await totalAt(CUTOFF_24)).toBe(atCutoff);
    expect(await snapshotTotal()).toBe(atCutoff);
    expect(await totalAt(AFTER_CUTOFF)).toBe(yuan(fen(later) + 7500n)); // 6 × 12.50
    expect(await journalNumbers(CUTOFF)).toEqual(journal);
    expect(await journalNumbers(AFTER_CUTOFF)).toContain(res.data.receiveStock.number);
  });

  it('D22 (sweep 7a M1): a post refused for the closed month draws no number — the receipts before and after it are numbered one after the other', async () => {
    const numberOf = (res: Awaited<ReturnType<typeof receiptAt>>) => Number(/-(\d+)$/.exec(res.data.receiveStock.number)![1]);
    const before = await receiptAt(AFTER_CUTOFF, 'CUT-GAP-1', 1);
    expect(before.errors, JSON.stringify(before.errors)).toBeUndefined();
    for (const occurredAt of [CUTOFF, '2026-06-20T10:00:00+08:00']) expect(errorCode(await receiptAt(occurredAt, 'CUT-GAP-X', 1))).toBe('BAD_USER_INPUT');
    const after = await receiptAt(AFTER_CUTOFF, 'CUT-GAP-2', 1);
    expect(after.errors, JSON.stringify(after.errors)).toBeUndefined();
    expect(numberOf(after)).toBe(numberOf(before) + 1);
  });
});
