import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp, type TestApp } from '../support/harness.ts';
import {
  COTTON_TENT,
  DOC_FIELDS,
  expectLedgerConsistent,
  JINCHENG,
  key,
  QUILT,
  receive,
  SANDBAG,
  stockAt,
  TANGZHUANG,
  WEIHUI,
  XINXIANG_COUNTY,
} from '../support/ledger.ts';
import { ledgerCounts, ok } from '../support/ledger-ops.ts';
import { withOrder } from '../support/authority.ts';

// D10 rotation (轮换): rotateBy = expiry − the item's rotation lead; rotationDue, rotateStock, rotationPlan.
// Today is 2026-07-20 (the test clock). Batch numbers are unique per scenario, and lists are filtered by them,
// because the tests of this file share one database.

const BLANKET = itemId('LIV-006'); // 毛毯: rotation lead changed to 24 months below (only used for that)
const FOLDING_TABLE = itemId('LIV-011'); // 折叠桌椅: no storage life, so no expiry
const LIFE_JACKET = itemId('FLD-009'); // 救生衣
const TAIGONG = storeId('S-410781101-01'); // 卫辉市太公镇 (only rotateStock tests post here)
const ZHAIPO = storeId('S-410721101-01'); // 新乡县翟坡镇 (only the rotation plan test posts here)
const ENTRUSTED = storeId('S-410721-02'); // 新乡县代储库

const DUE_FIELDS = `store { id } batch { id batchNo expiryDate rotateBy item { id } } quantity value rotateBy daysLeft`;

const rotationDue = (t: TestApp, as: string, vars: { regionCode?: string; withinMonths?: number } = {}) =>
  t.gql(`query($r: String, $w: Int) { rotationDue(regionCode: $r, withinMonths: $w) { ${DUE_FIELDS} } }`, { r: vars.regionCode, w: vars.withinMonths }, as);

/** The due lines whose batch number starts with `prefix`, as compact tuples. */
async function dueLines(t: TestApp, as: string, prefix: string, vars: { regionCode?: string; withinMonths?: number } = {}) {
  const lines = ok(await rotationDue(t, as, vars)).rotationDue as any[];
  return lines.filter((l) => l.batch.batchNo.startsWith(prefix));
}

const ROTATE_FIELDS = `${DOC_FIELDS} recipient note reason { code }
  lines { quantity unitPrice value item { id } reason { code }
          batch { id batchNo productionDate expiryDate rotateBy unitPrice fundingSource reserveMode owner { name } } }`;

/** D23: the old batch leaves against an approved rotation order (requested for it and approved by a second person). */
const rotateRaw = async (t: TestApp, as: string, input: Record<string, unknown>) => {
  const batch = await t.gql(`query($id: ID!) { batch(id: $id) { item { id } } }`, { id: input.batchId }, 'admin');
  const itemId = batch.data?.batch?.item.id ?? input.batchId;
  return withOrder(
    t,
    as,
    { ...input, lines: [{ itemId, batchId: input.batchId, quantity: input.quantity }] },
    { storeId: input.storeId, purpose: 'ROTATION_SALE', recipient: String(input.counterpart ?? '').trim() || '轮换处置' },
    ({ lines: _lines, ...i }) =>
      t.gql(`mutation($input: RotateStockInput!) { rotateStock(input: $input) { ${ROTATE_FIELDS} } }`, { input: { idempotencyKey: key(), ...i } }, as),
  );
};

const batchIdOf = (doc: any, batchNo: string) => doc.lines.find((l: any) => l.batch.batchNo === batchNo).batch.id as string;

describe('rotationDue (D10)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // 卫辉市 county store (the keeper's)
    const weihui = await receive(t, 'admin', WEIHUI, [
      { itemId: QUILT, quantity: 40, batchNo: 'DUE-OVER', expiryDate: '2027-01-10', unitPrice: '150.00' }, // rotateBy 2026-01-10
      { itemId: COTTON_TENT, quantity: 5, batchNo: 'DUE-SOON', expiryDate: '2027-09-30', unitPrice: '2000.00' }, // 2026-09-30
      { itemId: SANDBAG, quantity: 1000, batchNo: 'DUE-LATE', expiryDate: '2028-06-30', unitPrice: '1.10' }, // 2027-06-30
      { itemId: QUILT, quantity: 12, batchNo: 'DUE-TODAY', expiryDate: '2027-07-20', unitPrice: '150.00' }, // 2026-07-20 = today
      { itemId: LIFE_JACKET, quantity: 7, batchNo: 'DUE-EDGE', expiryDate: '2028-07-20', unitPrice: '125.00' }, // 2027-07-20 = today + 12 months
      { itemId: QUILT, quantity: 10, batchNo: 'DUE-FAR', expiryDate: '2028-12-31', unitPrice: '150.00' }, // 2027-12-31
      { itemId: FOLDING_TABLE, quantity: 3, batchNo: 'DUE-NOEXP' }, // no expiry: never due
    ]);
    // a township store of 卫辉市 (not the keeper's)
    const township = await receive(t, 'admin', TANGZHUANG, [{ itemId: QUILT, quantity: 20, batchNo: 'DUE-TOWN', expiryDate: '2027-03-15' }]); // 2026-03-15, 158.00
    // 晋城 (outside 新乡)
    const jincheng = await receive(t, 'admin', JINCHENG, [{ itemId: QUILT, quantity: 10, batchNo: 'DUE-JC', expiryDate: '2027-02-01', unitPrice: '150.00' }]);
    for (const doc of [weihui, township, jincheng]) for (const l of doc.lines) ids[l.batch.batchNo] = l.batch.id;
  });

  it('D10: lists due and overdue batches of a region, most urgent first, with rotateBy, daysLeft, quantity and value', async () => {
    const lines = await dueLines(t, 'admin', 'DUE-', { regionCode: '410781' });
    expect(lines.map((l) => [l.batch.batchNo, l.store.id, l.rotateBy, l.daysLeft, l.quantity, l.value])).toEqual([
      ['DUE-OVER', WEIHUI, '2026-01-10', -191, 40, '6000.00'],
      ['DUE-TOWN', TANGZHUANG, '2026-03-15', -127, 20, '3160.00'],
      ['DUE-TODAY', WEIHUI, '2026-07-20', 0, 12, '1800.00'],
      ['DUE-SOON', WEIHUI, '2026-09-30', 72, 5, '10000.00'],
      ['DUE-LATE', WEIHUI, '2027-06-30', 345, 1000, '1100.00'],
      ['DUE-EDGE', WEIHUI, '2027-07-20', 365, 7, '875.00'],
    ]);
    // the batch shows the same rotateBy (expiry − 12 months)
    for (const l of lines) expect(l.batch.rotateBy).toBe(l.rotateBy);
    expect(lines[0].batch.expiryDate).toBe('2027-01-10');
  });

  it('D10: batches not yet due (DUE-FAR) and batches without expiry (DUE-NOEXP) are absent', async () => {
    const nos = (await dueLines(t, 'admin', 'DUE-', { regionCode: '410781' })).map((l) => l.batch.batchNo);
    expect(nos).not.toContain('DUE-FAR');
    expect(nos).not.toContain('DUE-NOEXP');
  });

  it('D10: withinMonths widens or narrows the window (18 adds DUE-FAR; 11 ends 2027-06-20 and drops DUE-LATE and DUE-EDGE; 0 keeps overdue and today)', async () => {
    const nos = async (w: number) => (await dueLines(t, 'admin', 'DUE-', { regionCode: '410781', withinMonths: w })).map((l) => l.batch.batchNo);
    expect(await nos(18)).toEqual(['DUE-OVER', 'DUE-TOWN', 'DUE-TODAY', 'DUE-SOON', 'DUE-LATE', 'DUE-EDGE', 'DUE-FAR']);
    expect(await nos(11)).toEqual(['DUE-OVER', 'DUE-TOWN', 'DUE-TODAY', 'DUE-SOON']);
    expect(await nos(0)).toEqual(['DUE-OVER', 'DUE-TOWN', 'DUE-TODAY']);
  });

  it('D10: the default window is 12 months', async () => {
    const byDefault = (await dueLines(t, 'admin', 'DUE-', { regionCode: '410781' })).map((l) => l.batch.batchNo);
    const twelve = (await dueLines(t, 'admin', 'DUE-', { regionCode: '410781', withinMonths: 12 })).map((l) => l.batch.batchNo);
    expect(byDefault).toEqual(twelve);
    expect(byDefault).toHaveLength(6);
  });

  it.each([-1, 121])('D10: withinMonths %i → BAD_USER_INPUT', async (w) => {
    const res = await rotationDue(t, 'admin', { regionCode: '410781', withinMonths: w });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions.field).toBe('withinMonths');
  });

  it('D10: without a region an administrator sees every region; a region argument limits to its subtree', async () => {
    const all = (await dueLines(t, 'admin', 'DUE-')).map((l) => l.batch.batchNo);
    expect(all).toEqual(['DUE-OVER', 'DUE-JC', 'DUE-TOWN', 'DUE-TODAY', 'DUE-SOON', 'DUE-LATE', 'DUE-EDGE']);
    const jc = await dueLines(t, 'admin', 'DUE-', { regionCode: '140500' });
    expect(jc.map((l) => [l.batch.batchNo, l.store.id, l.rotateBy, l.daysLeft])).toEqual([['DUE-JC', JINCHENG, '2026-02-01', -169]]);
  });

  it('D10: a keeper sees only the batches of its store', async () => {
    const lines = await dueLines(t, 'keeper', 'DUE-');
    expect(lines.map((l) => l.batch.batchNo)).toEqual(['DUE-OVER', 'DUE-TODAY', 'DUE-SOON', 'DUE-LATE', 'DUE-EDGE']);
    expect(new Set(lines.map((l) => l.store.id))).toEqual(new Set([WEIHUI]));
    // naming the county does not widen a keeper's view
    const county = await dueLines(t, 'keeper', 'DUE-', { regionCode: '410781' });
    expect(county.map((l) => l.batch.batchNo)).not.toContain('DUE-TOWN');
  });

  it('D10: a dispatcher sees its region (新乡) only; naming 晋城 → FORBIDDEN', async () => {
    const mine = (await dueLines(t, 'dispatcher', 'DUE-')).map((l) => l.batch.batchNo);
    expect(mine).toEqual(['DUE-OVER', 'DUE-TOWN', 'DUE-TODAY', 'DUE-SOON', 'DUE-LATE', 'DUE-EDGE']);
    const res = await rotationDue(t, 'dispatcher', { regionCode: '140500' });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.data).toBeNull();
  });

  it('D10: an auditor reads the due list of its region', async () => {
    const lines = await dueLines(t, 'auditor', 'DUE-', { regionCode: '410781' });
    expect(lines).toHaveLength(6);
  });

  it('D10: without a login → UNAUTHENTICATED', async () => {
    expect(errorCode(await rotationDue(t, '', {}))).toBe('UNAUTHENTICATED');
  });

  it('D10: the rotation lead is per item — an item with a 24-month lead is due a year earlier than one with 12', async () => {
    const updated = ok(
      await t.gql(`mutation($id: ID!) { updateItem(id: $id, input: { rotationLeadMonths: 24 }) { id rotationLeadMonths } }`, { id: BLANKET }, 'admin'),
    ).updateItem;
    expect(updated).toEqual({ id: BLANKET, rotationLeadMonths: 24 });
    await receive(t, 'admin', XINXIANG_COUNTY, [
      { itemId: BLANKET, quantity: 6, batchNo: 'LEAD-BLANKET', expiryDate: '2029-01-20', unitPrice: '100.00' },
      { itemId: QUILT, quantity: 6, batchNo: 'LEAD-QUILT', expiryDate: '2029-01-20', unitPrice: '100.00' },
    ]);
    const lines = await dueLines(t, 'admin', 'LEAD-', { regionCode: '410721' });
    // blanket: 2029-01-20 − 24 months = 2027-01-20 (within 12 months); quilt: 2028-01-20 (not yet due)
    expect(lines.map((l) => [l.batch.batchNo, l.rotateBy, l.daysLeft, l.value])).toEqual([['LEAD-BLANKET', '2027-01-20', 184, '600.00']]);
    expect(lines[0].batch.rotateBy).toBe('2027-01-20');
    const wider = await dueLines(t, 'admin', 'LEAD-', { regionCode: '410721', withinMonths: 18 });
    expect(wider.map((l) => [l.batch.batchNo, l.rotateBy])).toEqual([
      ['LEAD-BLANKET', '2027-01-20'],
      ['LEAD-QUILT', '2028-01-20'],
    ]);
    // a lead of 0 months: a batch received from then on is due on its expiry date itself; the batch received under
    // the 24-month lead keeps its rotate-by date (D31, sweep 12c C4: a catalog edit re-dates no received batch)
    ok(await t.gql(`mutation($id: ID!) { updateItem(id: $id, input: { rotationLeadMonths: 0 }) { id } }`, { id: BLANKET }, 'admin'));
    await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: BLANKET, quantity: 6, batchNo: 'LEAD-BLANKET-0', expiryDate: '2029-01-20', unitPrice: '100.00' }]);
    expect((await dueLines(t, 'admin', 'LEAD-', { regionCode: '410721', withinMonths: 12 })).map((l) => [l.batch.batchNo, l.rotateBy])).toEqual([
      ['LEAD-BLANKET', '2027-01-20'],
    ]);
    const far = await dueLines(t, 'admin', 'LEAD-BLANKET-0', { regionCode: '410721', withinMonths: 36 });
    expect(far.map((l) => [l.rotateBy, l.batch.rotateBy])).toEqual([['2029-01-20', '2029-01-20']]);
  });
});

describe('rotateStock (D10)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  it('D10: one ROTATION document: −q of the old batch and +q of the new one; the new batch inherits funding and reserve mode', async () => {
    const rec = await receive(t, 'keeper', WEIHUI, [
      { itemId: QUILT, quantity: 30, batchNo: 'ROT-A', expiryDate: '2027-02-01', unitPrice: '150.00', fundingSource: 'CENTRAL' },
    ]);
    const old = rec.lines[0].batch.id;
    expect((await dueLines(t, 'keeper', 'ROT-A')).map((l) => l.quantity)).toEqual([30]);
    const before = await ledgerCounts(t);

    const doc = ok(
      await rotateRaw(t, 'keeper', {
        storeId: WEIHUI,
        batchId: old,
        quantity: 30,
        disposal: 'SALE',
        counterpart: '卫辉市民政惠民超市',
        newBatch: { batchNo: 'ROT-A-NEW', productionDate: '2026-07-01', expiryDate: '2032-07-01', unitPrice: '160.00' },
      }),
    ).rotateStock;
    expect(doc.type).toBe('ROTATION');
    expect(doc.status).toBe('POSTED');
    expect(doc.number).toMatch(/^LH-2026-\d{6}$/);
    expect(doc.store.id).toBe(WEIHUI);
    expect(doc.recipient).toBe('卫辉市民政惠民超市');
    expect(doc.reason.code).toBe('ROTATION_OUT');
    expect(doc.lines.map((l: any) => [l.batch.batchNo, l.quantity, l.unitPrice, l.value, l.item.id])).toEqual([
      ['ROT-A', -30, '150.00', '-4500.00', QUILT],
      ['ROT-A-NEW', 30, '160.00', '4800.00', QUILT],
    ]);
    const fresh = doc.lines[1].batch;
    expect(fresh).toMatchObject({
      productionDate: '2026-07-01',
      expiryDate: '2032-07-01',
      rotateBy: '2031-07-01',
      unitPrice: '160.00',
      fundingSource: 'CENTRAL',
      reserveMode: 'PHYSICAL',
    });
    expect(fresh.owner).toEqual(doc.lines[0].batch.owner);

    // exactly one document with two lines and two movements, one new batch
    const after = await ledgerCounts(t);
    expect(after).toEqual({
      ...before,
      documents: before.documents + 1,
      lines: before.lines + 2,
      movements: before.movements + 2,
      batches: before.batches + 1,
    });

    // the rotated batch leaves the due list; the store holds the new batch instead
    expect(await dueLines(t, 'keeper', 'ROT-A')).toEqual([]);
    const stock = (await stockAt(t, WEIHUI, QUILT)).filter((l: any) => l.batch.batchNo.startsWith('ROT-A'));
    expect(stock.map((l: any) => [l.batch.batchNo, l.onHand])).toEqual([['ROT-A-NEW', 30]]);

    // D18 (sweep 14b F3): the trace follows both: the old batch reached its buyer, the new one came in by the rotation.
    const trace = async (batchId: string) =>
      ok(await t.gql(`query($b: ID!) { batchTrace(batchId: $b) { receivedQuantity recipients { recipient quantity } } }`, { b: batchId }, 'keeper')).batchTrace;
    expect(await trace(old)).toEqual({ receivedQuantity: 30, recipients: [{ recipient: '卫辉市民政惠民超市', quantity: 30 }] });
    expect(await trace(fresh.id)).toEqual({ receivedQuantity: 30, recipients: [] });
  });

  it('D10: a partial rotation leaves the rest of the batch on the due list', async () => {
    const rec = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 25, batchNo: 'ROT-P', expiryDate: '2027-03-01', unitPrice: '150.00' }]);
    ok(
      await rotateRaw(t, 'keeper', {
        storeId: WEIHUI,
        batchId: rec.lines[0].batch.id,
        quantity: 10,
        disposal: 'DONATION',
        counterpart: '卫辉市慈善总会',
        newBatch: { batchNo: 'ROT-P-NEW', expiryDate: '2032-03-01' },
      }),
    );
    const due = await dueLines(t, 'keeper', 'ROT-P');
    expect(due.map((l) => [l.batch.batchNo, l.quantity, l.value, l.rotateBy])).toEqual([['ROT-P', 15, '2250.00', '2026-03-01']]);
  });

  it('D10: without expiry and price the new batch gets production date + storage life and keeps the old price', async () => {
    const rec = await receive(t, 'admin', TAIGONG, [
      { itemId: QUILT, quantity: 8, batchNo: 'ROT-C', expiryDate: '2027-01-15', unitPrice: '149.50', fundingSource: 'COUNTY' },
    ]);
    const doc = ok(
      await rotateRaw(t, 'admin', {
        storeId: TAIGONG,
        batchId: rec.lines[0].batch.id,
        quantity: 8,
        disposal: 'USE',
        counterpart: '太公镇敬老院',
        newBatch: { batchNo: 'ROT-C-NEW', productionDate: '2026-06-01' },
      }),
    ).rotateStock;
    // 棉被: 72 months of storage life
    expect(doc.lines[1].batch).toMatchObject({
      batchNo: 'ROT-C-NEW',
      productionDate: '2026-06-01',
      expiryDate: '2032-06-01',
      unitPrice: '149.50',
      fundingSource: 'COUNTY',
    });
    expect(doc.lines.map((l: any) => l.quantity)).toEqual([-8, 8]);
  });

  it('D6, D10: at an entrusted store the new batch stays ENTRUSTED (government stock in the company store)', async () => {
    const rec = await receive(t, 'admin', ENTRUSTED, [{ itemId: QUILT, quantity: 50, batchNo: 'ROT-E', expiryDate: '2027-04-01', unitPrice: '150.00' }]);
    expect(rec.lines[0].batch.id).toBeTruthy();
    const doc = ok(
      await rotateRaw(t, 'admin', {
        storeId: ENTRUSTED,
        batchId: rec.lines[0].batch.id,
        quantity: 50,
        disposal: 'TRANSFER',
        counterpart: '新乡县应急管理局',
        newBatch: { batchNo: 'ROT-E-NEW', expiryDate: '2032-04-01', unitPrice: '155.00' },
      }),
    ).rotateStock;
    expect(doc.lines.map((l: any) => [l.batch.batchNo, l.quantity, l.batch.reserveMode, l.batch.fundingSource])).toEqual([
      ['ROT-E', -50, 'ENTRUSTED', 'COUNTY'],
      ['ROT-E-NEW', 50, 'ENTRUSTED', 'COUNTY'],
    ]);
  });

  it('D10: the same idempotency key returns the first document and rotates once', async () => {
    const rec = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 6, batchNo: 'ROT-I', expiryDate: '2027-05-01', unitPrice: '150.00' }]);
    const input = {
      storeId: WEIHUI,
      batchId: rec.lines[0].batch.id,
      quantity: 6,
      disposal: 'SALE',
      counterpart: '新乡市某超市',
      newBatch: { batchNo: 'ROT-I-NEW', expiryDate: '2032-05-01' },
      idempotencyKey: key(),
    };
    const a = ok(await rotateRaw(t, 'keeper', input)).rotateStock;
    const before = await ledgerCounts(t);
    const b = ok(await rotateRaw(t, 'keeper', input)).rotateStock;
    expect(b.id).toBe(a.id);
    expect(await ledgerCounts(t)).toEqual(before);
    const res = await rotateRaw(t, 'keeper', { ...input, quantity: 5 });
    expect(errorCode(res)).toBe('IDEMPOTENCY_CONFLICT');
  });

  describe('refusals change nothing', () => {
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      const rec = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 20, batchNo: 'ROT-BAD', expiryDate: '2027-01-01', unitPrice: '150.00' }]);
      ids.bad = batchIdOf(rec, 'ROT-BAD');
      const jc = await receive(t, 'admin', JINCHENG, [{ itemId: QUILT, quantity: 5, batchNo: 'ROT-JC', expiryDate: '2027-01-01' }]);
      ids.jc = batchIdOf(jc, 'ROT-JC');
    });

    const valid = () => ({
      storeId: WEIHUI,
      batchId: ids.bad,
      quantity: 5,
      disposal: 'SALE',
      counterpart: '卫辉市民政惠民超市',
      newBatch: { batchNo: `ROT-BAD-NEW-${key().slice(0, 8)}`, expiryDate: '2032-01-01' },
    });

    async function expectRefused(as: string, input: Record<string, unknown>, code: string) {
      const before = await ledgerCounts(t);
      const stockBefore = await stockAt(t, WEIHUI, QUILT);
      const res = await rotateRaw(t, as, input);
      expect(errorCode(res), JSON.stringify(res.errors)).toBe(code);
      expect(res.data ?? null).toBeNull();
      expect(await ledgerCounts(t)).toEqual(before);
      expect(await stockAt(t, WEIHUI, QUILT)).toEqual(stockBefore);
      return res;
    }

    it('D10: more than available → INSUFFICIENT_STOCK with the available quantity, and no new batch', async () => {
      const res = await expectRefused('keeper', { ...valid(), quantity: 21 }, 'INSUFFICIENT_STOCK');
      expect(res.errors![0].extensions).toMatchObject({ available: 20, requested: 21, batchId: ids.bad });
      expect((await dueLines(t, 'keeper', 'ROT-BAD')).map((l) => l.quantity)).toEqual([20]);
    });

    it('D10: a batch the store does not hold → INSUFFICIENT_STOCK (available 0)', async () => {
      const res = await expectRefused('admin', { ...valid(), batchId: ids.jc }, 'INSUFFICIENT_STOCK');
      expect(res.errors![0].extensions).toMatchObject({ available: 0 });
    });

    it('D10: a new batch number equal to the old one → BAD_USER_INPUT (even with the old batch’s very attributes)', async () => {
      const res = await expectRefused('keeper', { ...valid(), newBatch: { batchNo: 'ROT-BAD', expiryDate: '2032-01-01' } }, 'BAD_USER_INPUT');
      expect(res.errors![0].extensions.field).toBe('input.newBatch.batchNo');
      // same expiry and price: this would otherwise "rotate" the batch into itself
      const same = await expectRefused(
        'keeper',
        { ...valid(), newBatch: { batchNo: 'ROT-BAD', expiryDate: '2027-01-01', unitPrice: '150.00' } },
        'BAD_USER_INPUT',
      );
      expect(same.errors![0].extensions.field).toBe('input.newBatch.batchNo');
    });

    // Missing, it is the approved order's recipient (API.md line 115): tests/api/contract-as-written.test.ts.
    it('D10: a blank counterpart → BAD_USER_INPUT', async () => {
      const res = await expectRefused('keeper', { ...valid(), counterpart: '   ' }, 'BAD_USER_INPUT');
      expect(res.errors![0].extensions.field).toBe('input.counterpart');
    });

    it.each(['BURN', 'SCRAP', ''])('D10: disposal %j is not one of SALE, USE, DONATION, TRANSFER → BAD_USER_INPUT', async (disposal) => {
      await expectRefused('keeper', { ...valid(), disposal }, 'BAD_USER_INPUT');
    });

    it.each([0, -5])('D10: quantity %i → BAD_USER_INPUT', async (quantity) => {
      await expectRefused('keeper', { ...valid(), quantity }, 'BAD_USER_INPUT');
    });

    it('D10: a new expiry before its production date → BAD_USER_INPUT', async () => {
      await expectRefused(
        'keeper',
        { ...valid(), newBatch: { batchNo: 'ROT-BAD-X', productionDate: '2026-07-01', expiryDate: '2026-06-01' } },
        'BAD_USER_INPUT',
      );
    });

    it('D10: a negative new unit price → BAD_USER_INPUT', async () => {
      await expectRefused('keeper', { ...valid(), newBatch: { batchNo: 'ROT-BAD-Y', expiryDate: '2032-01-01', unitPrice: '-1.00' } }, 'BAD_USER_INPUT');
    });

    it('D10: an unknown batch → NOT_FOUND', async () => {
      await expectRefused('keeper', { ...valid(), batchId: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND');
    });

    it('D10: an auditor → FORBIDDEN', async () => {
      await expectRefused('auditor', valid(), 'FORBIDDEN');
    });

    it('D10: a keeper at another store → FORBIDDEN; a dispatcher outside 新乡 → FORBIDDEN', async () => {
      await expectRefused('keeper', { ...valid(), storeId: TANGZHUANG }, 'FORBIDDEN');
      await expectRefused('dispatcher', { ...valid(), storeId: JINCHENG, batchId: ids.jc }, 'FORBIDDEN');
    });
  });
});

describe('rotationPlan (D10: what is due per quarter, with value)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  beforeAll(async () => {
    await receive(t, 'admin', ZHAIPO, [
      { itemId: QUILT, quantity: 10, batchNo: 'PLAN-1', expiryDate: '2027-01-01', unitPrice: '100.00' }, // 2026-01-01 overdue
      { itemId: QUILT, quantity: 5, batchNo: 'PLAN-2', expiryDate: '2027-06-01', unitPrice: '100.00' }, // 2026-06-01 overdue
      { itemId: COTTON_TENT, quantity: 2, batchNo: 'PLAN-3', expiryDate: '2027-08-15', unitPrice: '2000.00' }, // 2026-Q3
      { itemId: SANDBAG, quantity: 500, batchNo: 'PLAN-4', expiryDate: '2027-09-30', unitPrice: '1.10' }, // 2026-Q3
      { itemId: QUILT, quantity: 8, batchNo: 'PLAN-5', expiryDate: '2028-02-10', unitPrice: '100.00' }, // 2027-Q1
      { itemId: QUILT, quantity: 3, batchNo: 'PLAN-6', expiryDate: '2029-12-31', unitPrice: '100.00' }, // 2028-Q4: beyond 24 months
    ]);
  });

  const PLAN = `query($r: String, $w: Int) { rotationPlan(regionCode: $r, withinMonths: $w) { period batches quantity value lines { batch { batchNo } quantity value daysLeft } } }`;

  it('D10: groups by quarter with OVERDUE apart, first; batches, quantities and values per group', async () => {
    const plan = ok(await t.gql(PLAN, { r: '410721101000' }, 'dispatcher')).rotationPlan;
    expect(plan.map((p: any) => [p.period, p.batches, p.quantity, p.value, p.lines.map((l: any) => l.batch.batchNo)])).toEqual([
      ['OVERDUE', 2, 15, '1500.00', ['PLAN-1', 'PLAN-2']],
      ['2026-Q3', 2, 502, '4550.00', ['PLAN-3', 'PLAN-4']],
      ['2027-Q1', 1, 8, '800.00', ['PLAN-5']],
    ]);
    expect(plan[0].lines.every((l: any) => l.daysLeft < 0)).toBe(true);
  });

  it('D10: the group values add up to the due list of the same window', async () => {
    const plan = ok(await t.gql(PLAN, { r: '410721101000', w: 24 }, 'admin')).rotationPlan;
    const due = ok(await rotationDue(t, 'admin', { regionCode: '410721101000', withinMonths: 24 })).rotationDue;
    const fen = (m: string) => Math.round(Number(m) * 100);
    const planTotal = plan.reduce((s: number, p: any) => s + fen(p.value), 0);
    const dueTotal = due.reduce((s: number, l: any) => s + fen(l.value), 0);
    expect(planTotal).toBe(685000);
    expect(dueTotal).toBe(planTotal);
    expect(plan.reduce((s: number, p: any) => s + p.batches, 0)).toBe(due.length);
    for (const p of plan) expect(p.lines.reduce((s: number, l: any) => s + fen(l.value), 0)).toBe(fen(p.value));
  });

  it('D10: a wider window adds the later quarter', async () => {
    const plan = ok(await t.gql(PLAN, { r: '410721101000', w: 30 }, 'admin')).rotationPlan;
    expect(plan.map((p: any) => [p.period, p.value])).toEqual([
      ['OVERDUE', '1500.00'],
      ['2026-Q3', '4550.00'],
      ['2027-Q1', '800.00'],
      ['2028-Q4', '300.00'],
    ]);
  });

  it('D10: a region without due stock has an empty plan; outside the region → FORBIDDEN', async () => {
    expect(ok(await t.gql(PLAN, { r: '410721102000' }, 'admin')).rotationPlan).toEqual([]);
    expect(errorCode(await t.gql(PLAN, { r: '140500' }, 'dispatcher'))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(PLAN, { r: '410721101000', w: -1 }, 'admin'))).toBe('BAD_USER_INPUT');
  });
});
