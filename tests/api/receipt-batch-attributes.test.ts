import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { expectLedgerConsistent, QUILT, SANDBAG, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts, ok, purchase, receiveRaw } from '../support/ledger-ops.ts';

// Sweep 7b M2. D21 (reserve value by funding source), D7 (every batch labelled 产地), README "DONATION defaults funding
// DONATION": a receipt into an existing batch number was refused when it stated another funding source, owner, expiry
// or production date, but a donation left without fundingSource was booked under the batch's county funds (counted as
// county money in valuation by funding source), and a different 产地 was silently dropped. Both are refused now at
// input.lines.N.batchNo, naming the attribute and both values; nothing is posted. A receipt consistent with the batch
// still adds to it. Each case on both paths: without organisations (one round trip, ledger_prepare) and with a donor or
// supplier named (batchFor).

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const FIELDS = 'id number lines { batch { id batchNo fundingSource origin } }';
const message = (res: GqlResult) => res.errors?.[0]?.message ?? '';
const ext = (res: GqlResult): Record<string, unknown> => res.errors?.[0]?.extensions ?? {};

/** The batch as stored (what a refused receipt must leave as it was). */
const batchRow = async (batchNo: string) =>
  (
    await queryRows<{ funding_source: string; origin: string | null }>(
      t.database.db,
      sql`SELECT funding_source::text, origin FROM batches WHERE item_id = ${QUILT}::uuid AND batch_no = ${batchNo}`,
    )
  )[0];

/** One quilt line into `batchNo`, and the receipt's other fields. */
const donation = (batchNo: string, line: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  storeId: WEIHUI,
  source: 'DONATION',
  lines: [{ itemId: QUILT, quantity: 1, unitPrice: '150.00', batchNo, ...line }],
  ...extra,
});
const quiltPurchase = (batchNo: string, line: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, unitPrice: '150.00', batchNo, ...line }], extra);

/** The refusal at `field`, with nothing written and the batch unchanged. */
async function expectRefused(post: () => Promise<GqlResult>, batchNo: string, field: string, says: RegExp) {
  const before = await ledgerCounts(t);
  const stored = await batchRow(batchNo);
  const answer = await post();
  expect(errorCode(answer), JSON.stringify(answer.errors)).toBe('BAD_USER_INPUT');
  expect(ext(answer).field).toBe(field);
  expect(message(answer)).toMatch(says);
  expect(await ledgerCounts(t)).toEqual(before);
  expect(await batchRow(batchNo)).toEqual(stored);
}

// Donor and supplier named: the path that registers organisations (batchFor); none: ledger_prepare's.
const PATHS = [
  ['without organisations (ledger_prepare)', {}],
  ['with a donor or supplier named (batchFor)', { sourceName: '爱心企业七乙' }],
] as const;

describe('receiveStock into an existing batch number (sweep 7b M2, D7, D21)', () => {
  describe.each(PATHS)('%s', (label, named) => {
    const tag = label.startsWith('without') ? 'L' : 'F';

    it('D21: a donation without fundingSource into a county-funded batch → BAD_USER_INPUT at input.lines.N.batchNo naming 县级资金 and 捐赠; nothing posted', async () => {
      const no = `M2-${tag}-CTY`;
      const created = ok(await receiveRaw(t, 'keeper', quiltPurchase(no, { origin: '河南新乡' }), FIELDS)).receiveStock;
      expect(created.lines[0].batch.fundingSource).toBe('COUNTY');
      const says = new RegExp(`^批号 ${no} 已存在，登记的资金来源为县级资金，本次捐赠入库的资金来源为捐赠`);
      await expectRefused(() => receiveRaw(t, 'keeper', donation(no, {}, named)), no, 'input.lines.0.batchNo', says);
      expect(ext(await receiveRaw(t, 'keeper', donation(no, {}, named)))).toMatchObject({
        fields: ['fundingSource'],
        recorded: 'COUNTY',
        received: 'DONATION',
      });
      // A later line refuses the whole receipt at that line (the first would create a new batch).
      const two = donation(`M2-${tag}-NEW`, {}, named);
      two.lines.push({ itemId: QUILT, quantity: 1, unitPrice: '150.00', batchNo: no });
      await expectRefused(() => receiveRaw(t, 'keeper', two), no, 'input.lines.1.batchNo', says);
      // Stated as the batch's funds, it is the keeper's statement (compared as before) and joins.
      const stated = ok(await receiveRaw(t, 'keeper', donation(no, { fundingSource: 'COUNTY' }, named), FIELDS)).receiveStock;
      expect(stated.lines[0].batch).toMatchObject({ id: created.lines[0].batch.id, fundingSource: 'COUNTY' });
    });

    it('D21: a purchase without fundingSource into a donated batch → BAD_USER_INPUT naming 捐赠 and the store’s 县级资金; stated DONATION (bought with donated money) joins', async () => {
      const no = `M2-${tag}-DON`;
      const created = ok(await receiveRaw(t, 'keeper', donation(no, {}, named), FIELDS)).receiveStock;
      expect(created.lines[0].batch.fundingSource).toBe('DONATION');
      await expectRefused(
        () => receiveRaw(t, 'keeper', quiltPurchase(no, {}, named)),
        no,
        'input.lines.0.batchNo',
        new RegExp(`^批号 ${no} 已存在，登记的资金来源为捐赠，本次采购入库未填资金来源，按本库为县级资金`),
      );
      const stated = ok(await receiveRaw(t, 'keeper', quiltPurchase(no, { fundingSource: 'DONATION' }, named), FIELDS)).receiveStock;
      expect(stated.lines[0].batch).toMatchObject({ id: created.lines[0].batch.id, fundingSource: 'DONATION' });
    });

    it('what works stays: a donation into a donated batch, a return (OTHER) into it, a purchase into a county batch — each without fundingSource — add to the batch', async () => {
      const donated = `M2-${tag}-DOK`;
      const first = ok(await receiveRaw(t, 'keeper', donation(donated, {}, named), FIELDS)).receiveStock.lines[0].batch;
      const again = ok(await receiveRaw(t, 'keeper', donation(donated, {}, named), FIELDS)).receiveStock.lines[0].batch;
      const back = ok(await receiveRaw(t, 'keeper', { ...donation(donated, {}, named), source: 'OTHER' }, FIELDS)).receiveStock.lines[0].batch;
      expect([again, back]).toEqual([first, first]);
      const county = `M2-${tag}-POK`;
      const bought = ok(await receiveRaw(t, 'keeper', quiltPurchase(county, {}, named), FIELDS)).receiveStock.lines[0].batch;
      const more = ok(await receiveRaw(t, 'keeper', quiltPurchase(county, {}, named), FIELDS)).receiveStock.lines[0].batch;
      expect(more).toEqual(bought);
    });

    it('D21: the store’s level is no funding source the receipt states — a county batch takes more at a township store and stays county-funded', async () => {
      const no = `M2-${tag}-LVL`;
      const county = ok(await receiveRaw(t, 'admin', quiltPurchase(no, {}, named), FIELDS)).receiveStock.lines[0].batch;
      expect(county.fundingSource).toBe('COUNTY');
      const township = ok(await receiveRaw(t, 'admin', { ...quiltPurchase(no, {}, named), storeId: TANGZHUANG }, FIELDS)).receiveStock.lines[0].batch;
      expect(township).toEqual(county);
    });

    it('D7: another 产地 for the batch → BAD_USER_INPUT at input.lines.N.batchNo naming both; the same one (blanks aside) or none joins and keeps it', async () => {
      const no = `M2-${tag}-ORG`;
      const created = ok(await receiveRaw(t, 'keeper', quiltPurchase(no, { origin: '河南新乡' }, named), FIELDS)).receiveStock.lines[0].batch;
      await expectRefused(
        () => receiveRaw(t, 'keeper', quiltPurchase(no, { origin: '河北保定' }, named)),
        no,
        'input.lines.0.batchNo',
        new RegExp(`^批号 ${no} 已存在，登记的产地为「河南新乡」，本次填写的产地为「河北保定」`),
      );
      expect(ext(await receiveRaw(t, 'keeper', quiltPurchase(no, { origin: '河北保定' }, named)))).toMatchObject({
        fields: ['origin'],
        recorded: '河南新乡',
        received: '河北保定',
      });
      for (const origin of ['河南新乡', ' 河南 新乡 ', '河南\u3000新乡', null, '', '   ']) {
        const joined = ok(await receiveRaw(t, 'keeper', quiltPurchase(no, { origin }, named), FIELDS)).receiveStock.lines[0].batch;
        expect(joined).toEqual(created);
      }
      expect(await batchRow(no)).toEqual({ funding_source: 'COUNTY', origin: '河南新乡' });
    });

    it('D7: a 产地 for a batch registered without one → BAD_USER_INPUT saying none was recorded; without 产地 it joins', async () => {
      const no = `M2-${tag}-NOO`;
      const created = ok(await receiveRaw(t, 'keeper', quiltPurchase(no, {}, named), FIELDS)).receiveStock.lines[0].batch;
      expect(created.origin).toBeNull();
      await expectRefused(
        () => receiveRaw(t, 'keeper', quiltPurchase(no, { origin: '河北保定' }, named)),
        no,
        'input.lines.0.batchNo',
        new RegExp(`^批号 ${no} 已存在，登记时未填产地，本次填写的产地为「河北保定」`),
      );
      expect(ok(await receiveRaw(t, 'keeper', quiltPurchase(no, {}, named), FIELDS)).receiveStock.lines[0].batch).toEqual(created);
    });
  });

  it('one receipt naming a batch number twice: the second line’s 产地 must be the first’s', async () => {
    const before = await ledgerCounts(t);
    const answer = await receiveRaw(
      t,
      'keeper',
      purchase(WEIHUI, [
        { itemId: SANDBAG, quantity: 10, unitPrice: '1.00', batchNo: 'M2-TWICE', origin: '河南新乡' },
        { itemId: SANDBAG, quantity: 10, unitPrice: '1.00', batchNo: 'M2-TWICE', origin: '河北保定' },
      ]),
    );
    expect(errorCode(answer)).toBe('BAD_USER_INPUT');
    expect(ext(answer).field).toBe('input.lines.1.batchNo');
    expect(message(answer)).toMatch(/^批号 M2-TWICE 已存在，登记的产地为「河南新乡」，本次填写的产地为「河北保定」/);
    expect(await ledgerCounts(t)).toEqual(before);
  });
});
