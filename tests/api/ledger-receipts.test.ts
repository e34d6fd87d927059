import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, NOW, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, JINCHENG, QUILT, SANDBAG, stockAt, TANGZHUANG, WEIHUI, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ledgerCounts, ok, purchase, receiveRaw, seqOf } from '../support/ledger-ops.ts';

const FOLDING_TABLE = itemId('LIV-011'); // 折叠桌椅: no storage life, reference price 380.00
const COAT = itemId('LIV-005'); // 棉大衣: 72 months, 185.00
const BLANKET = itemId('LIV-006'); // 毛毯: 60 months, 118.00

const RECEIPT_FIELDS = `id number type status occurredAt recordedAt source contractNo inspectionReportNo sourceOrganization { name }
  store { id } actor { username }
  lines { lineNo quantity unitPrice value item { id } batch { id batchNo productionDate expiryDate rotateBy unitPrice fundingSource reserveMode receivedAt owner { name } supplier { name } origin } }`;

const firstError = (res: { errors?: { extensions: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions ?? {};

describe('receiveStock (入库, D7)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  describe('documents and batches', () => {
    it('numbers receipts RK-2026-NNNNNN, each one after the last', async () => {
      const a = ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: SANDBAG, quantity: 100, batchNo: 'NUM-1' }]), RECEIPT_FIELDS)).receiveStock;
      const b = ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: SANDBAG, quantity: 100, batchNo: 'NUM-2' }]), RECEIPT_FIELDS)).receiveStock;
      expect(a.number).toMatch(/^RK-2026-\d{6}$/);
      expect(b.number).toMatch(/^RK-2026-\d{6}$/);
      expect(seqOf(b.number)).toBeGreaterThan(seqOf(a.number));
      expect(a.type).toBe('RECEIPT');
      expect(a.status).toBe('POSTED');
      expect(a.actor.username).toBe('keeper');
      expect(a.store.id).toBe(WEIHUI);
    });

    it('D7: records the purchase fields, lines and batch labels (批号, 生产日期, 产地, 单价)', async () => {
      const doc = ok(
        await receiveRaw(
          t,
          'keeper',
          purchase(
            WEIHUI,
            [
              { itemId: QUILT, quantity: 40, batchNo: 'Q-2026-01', productionDate: '2026-01-15', unitPrice: '150.50', origin: '河南新乡' },
              { itemId: FOLDING_TABLE, quantity: 3, batchNo: 'T-2026-01' },
            ],
            { contractNo: 'HT-2026-088', inspectionReportNo: 'YS-2026-088', sourceName: '新乡市被服厂' },
          ),
          RECEIPT_FIELDS,
        ),
      ).receiveStock;
      expect(doc.source).toBe('PURCHASE');
      expect(doc.contractNo).toBe('HT-2026-088');
      expect(doc.inspectionReportNo).toBe('YS-2026-088');
      expect(doc.sourceOrganization).toEqual({ name: '新乡市被服厂' });
      expect(doc.lines).toHaveLength(2);
      const [quilt, table] = doc.lines;
      expect(quilt).toMatchObject({ lineNo: 1, quantity: 40, unitPrice: '150.50', value: '6020.00', item: { id: QUILT } });
      expect(quilt.batch).toMatchObject({
        batchNo: 'Q-2026-01',
        productionDate: '2026-01-15',
        // D10: 棉被 has a 72-month storage life: production date + 72 months; rotation 12 months before.
        expiryDate: '2032-01-15',
        rotateBy: '2031-01-15',
        unitPrice: '150.50',
        // D21/D3: a county government store's stock is county-funded physical stock owned by the county government.
        fundingSource: 'COUNTY',
        reserveMode: 'PHYSICAL',
        owner: { name: '卫辉市人民政府' },
        supplier: { name: '新乡市被服厂' },
        origin: '河南新乡',
      });
      // 折叠桌椅 has no storage life: no expiry; the unit price defaults to the item's reference price.
      expect(table).toMatchObject({ lineNo: 2, quantity: 3, unitPrice: '380.00', value: '1140.00' });
      expect(table.batch).toMatchObject({ batchNo: 'T-2026-01', expiryDate: null, rotateBy: null, unitPrice: '380.00' });

      const stock = await stockAt(t, WEIHUI, QUILT);
      expect(stock.find((s: any) => s.batch.id === quilt.batch.id)).toMatchObject({ onHand: 40, available: 40, inTransit: 0, value: '6020.00' });
    });

    it('D7/D10: without production or expiry date the expiry is the receipt date + storage life, and the price the reference price', async () => {
      const doc = ok(
        await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: COTTON_TENT, quantity: 2, batchNo: 'CT-NODATE' }]), RECEIPT_FIELDS),
      ).receiveStock;
      // 棉帐篷: 96 months from 2026-07-20 (today in China at the fixed clock); reference price 2180.00.
      expect(doc.lines[0].batch).toMatchObject({ productionDate: null, expiryDate: '2034-07-20', unitPrice: '2180.00' });
      expect(doc.lines[0].value).toBe('4360.00');
    });

    it('a given expiry date is kept as given', async () => {
      const doc = ok(
        await receiveRaw(
          t,
          'keeper',
          purchase(WEIHUI, [{ itemId: COAT, quantity: 5, batchNo: 'COAT-EXP', productionDate: '2025-10-01', expiryDate: '2028-10-01' }]),
          RECEIPT_FIELDS,
        ),
      ).receiveStock;
      expect(doc.lines[0].batch).toMatchObject({ productionDate: '2025-10-01', expiryDate: '2028-10-01', unitPrice: '185.00' });
    });

    it('without a batch number a new batch is numbered automatically', async () => {
      const doc = ok(
        await receiveRaw(
          t,
          'keeper',
          purchase(WEIHUI, [
            { itemId: BLANKET, quantity: 5 },
            { itemId: BLANKET, quantity: 6 },
          ]),
          RECEIPT_FIELDS,
        ),
      ).receiveStock;
      const [a, b] = doc.lines.map((l: any) => l.batch);
      expect(a.batchNo).toMatch(/^B260720-[0-9A-F]{6}-1$/);
      expect(b.batchNo).toMatch(/^B260720-[0-9A-F]{6}-2$/);
      expect(a.id).not.toBe(b.id);
    });

    it('D7: an earlier occurredAt is kept; recordedAt is the clock time; the receipt date is the day in China', async () => {
      // 2026-02-28T17:00Z is already 2026-03-01 01:00 in Asia/Shanghai.
      const doc = ok(
        await receiveRaw(
          t,
          'keeper',
          purchase(WEIHUI, [{ itemId: COTTON_TENT, quantity: 1, batchNo: 'CT-BACKDATED' }], { occurredAt: '2026-02-28T17:00:00Z' }),
          RECEIPT_FIELDS,
        ),
      ).receiveStock;
      expect(doc.occurredAt).toBe('2026-03-01T01:00:00+08:00');
      expect(doc.recordedAt).toBe('2026-07-20T10:00:00+08:00');
      expect(doc.lines[0].batch.receivedAt).toBe('2026-03-01T01:00:00+08:00');
      expect(doc.lines[0].batch.expiryDate).toBe('2034-03-01');
    });

    it('D7: a donation with its donor is funded by DONATION', async () => {
      const doc = ok(
        await receiveRaw(
          t,
          'keeper',
          { storeId: WEIHUI, source: 'DONATION', sourceName: '中国红十字会新乡分会', lines: [{ itemId: QUILT, quantity: 20, batchNo: 'DON-1' }] },
          RECEIPT_FIELDS,
        ),
      ).receiveStock;
      expect(doc.source).toBe('DONATION');
      expect(doc.contractNo).toBeNull();
      expect(doc.sourceOrganization).toEqual({ name: '中国红十字会新乡分会' });
      expect(doc.lines[0].batch.fundingSource).toBe('DONATION');
    });
  });

  describe('document numbers and the year in China', () => {
    it('the year of the number is the year in Asia/Shanghai (recording time)', async () => {
      try {
        t.clock.set('2026-12-31T16:30:00Z'); // 2027-01-01 00:30 in China
        const doc = ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: SANDBAG, quantity: 1, batchNo: 'NEW-YEAR' }]), RECEIPT_FIELDS)).receiveStock;
        expect(doc.number).toMatch(/^RK-2027-\d{6}$/);
        expect(doc.recordedAt).toBe('2027-01-01T00:30:00+08:00');
        // 编织袋: 36 months from the receipt date in China.
        expect(doc.lines[0].batch.expiryDate).toBe('2030-01-01');
      } finally {
        t.clock.set(NOW);
      }
    });
  });

  describe('D7: inbound checks', () => {
    it('D7: a purchase without contract number (neither contractNo nor reference) → BAD_USER_INPUT naming input.reference', async () => {
      const before = await ledgerCounts(t);
      const res = await receiveRaw(t, 'keeper', { storeId: WEIHUI, source: 'PURCHASE', inspectionReportNo: 'YS-1', lines: [{ itemId: QUILT, quantity: 1 }] });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(firstError(res).field).toBe('input.reference');
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('D7 (sweep 8c F1): a purchase without contract number is first told what else is wrong — an unknown store or item NOT_FOUND, goods already expired refused as such', async () => {
      const before = await ledgerCounts(t);
      const noContract = (input: Record<string, unknown>) =>
        receiveRaw(t, 'keeper', { storeId: WEIHUI, source: 'PURCHASE', lines: [{ itemId: QUILT, quantity: 1 }], ...input });
      const unknownStore = await noContract({ storeId: '00000000-0000-4000-8000-000000000000' });
      expect(errorCode(unknownStore)).toBe('NOT_FOUND');
      expect(firstError(unknownStore).field).toBe('input.storeId');
      const unknownItem = await noContract({ lines: [{ itemId: '00000000-0000-4000-8000-000000000000', quantity: 1 }] });
      expect(errorCode(unknownItem)).toBe('NOT_FOUND');
      const expired = await noContract({ lines: [{ itemId: QUILT, quantity: 1, expiryDate: '2020-01-01' }] });
      expect(errorCode(expired)).toBe('BAD_USER_INPUT');
      expect(expired.errors![0].message).toContain('过期，不能入库');
      // All else right, the contract number is what is asked.
      expect(firstError(await noContract({})).field).toBe('input.reference');
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('D7: a purchase without inspection report posts (the report number is recorded when given)', async () => {
      const res = await receiveRaw(
        t,
        'keeper',
        { storeId: WEIHUI, source: 'PURCHASE', contractNo: 'HT-1', lines: [{ itemId: QUILT, quantity: 1 }] },
        RECEIPT_FIELDS,
      );
      expect(ok(res).receiveStock).toMatchObject({ contractNo: 'HT-1', inspectionReportNo: null });
    });

    it('D7: a purchase missing its contract number and with a zero quantity → every mistake listed in extensions.issues, each with its field', async () => {
      const res = await receiveRaw(t, 'keeper', { storeId: WEIHUI, source: 'PURCHASE', lines: [{ itemId: QUILT, quantity: 0 }] });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      const issues = firstError(res).issues as { field: string; message: string }[];
      expect(issues.map((i) => i.field).sort()).toEqual(['input.lines.0.quantity', 'input.reference']);
      expect(issues.every((i) => /[\u4e00-\u9fff]/.test(i.message))).toBe(true);
      expect(firstError(res).field).toBe(issues[0].field);
    });

    it('D7: a purchase with a blank contract number is refused too', async () => {
      const res = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 1 }], { contractNo: '   ' }));
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(firstError(res).field).toBe('input.contractNo');
    });

    it('D7: a donation without donor posts (donor unknown)', async () => {
      const res = await receiveRaw(t, 'keeper', { storeId: WEIHUI, source: 'DONATION', lines: [{ itemId: QUILT, quantity: 1 }] }, RECEIPT_FIELDS);
      expect(ok(res).receiveStock).toMatchObject({ source: 'DONATION', sourceOrganization: null });
    });

    it('D7: a requisition (征用) without the requisitioned owner → BAD_USER_INPUT (compensation is owed to someone)', async () => {
      const res = await receiveRaw(t, 'keeper', { storeId: WEIHUI, source: 'REQUISITION', lines: [{ itemId: QUILT, quantity: 1 }] });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(firstError(res).field).toBe('input.sourceName');
      const okRes = ok(
        await receiveRaw(
          t,
          'keeper',
          { storeId: WEIHUI, source: 'REQUISITION', sourceName: '卫辉市某商贸公司', lines: [{ itemId: QUILT, quantity: 1, batchNo: 'REQ-1' }] },
          `${RECEIPT_FIELDS} compensationOwedTo { name }`,
        ),
      ).receiveStock;
      // D7 (sweep 6a L6): the compensation owed is readable on the document, to the requisitioned owner.
      expect(okRes).toMatchObject({
        source: 'REQUISITION',
        sourceOrganization: { name: '卫辉市某商贸公司' },
        compensationOwedTo: { name: '卫辉市某商贸公司' },
      });
      const donation = ok(
        await receiveRaw(t, 'keeper', { storeId: WEIHUI, source: 'DONATION', lines: [{ itemId: QUILT, quantity: 1 }] }, 'compensationOwedTo { name }'),
      ).receiveStock;
      expect(donation.compensationOwedTo).toBeNull();
    });

    it.each([0, -1])('quantity %i → BAD_USER_INPUT naming the line', async (quantity) => {
      const before = await ledgerCounts(t);
      const res = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity }]));
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(firstError(res).field).toBe('input.lines.0.quantity');
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('an unknown store → NOT_FOUND', async () => {
      const res = await receiveRaw(t, 'admin', purchase(randomUUID(), [{ itemId: QUILT, quantity: 1 }]));
      expect(errorCode(res)).toBe('NOT_FOUND');
      expect(firstError(res).field).toBe('input.storeId');
    });

    it('an unknown item → NOT_FOUND naming the line', async () => {
      const res = await receiveRaw(
        t,
        'keeper',
        purchase(WEIHUI, [
          { itemId: QUILT, quantity: 1 },
          { itemId: randomUUID(), quantity: 1 },
        ]),
      );
      expect(errorCode(res)).toBe('NOT_FOUND');
      expect(firstError(res).field).toBe('input.lines.1.itemId');
    });

    it('an expiry date before the production date → BAD_USER_INPUT', async () => {
      const res = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, productionDate: '2026-05-01', expiryDate: '2026-04-30' }]));
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(firstError(res).field).toBe('input.lines.0.expiryDate');
    });

    it('a production date in the future → BAD_USER_INPUT', async () => {
      const res = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, productionDate: '2026-07-21' }]));
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(firstError(res).field).toBe('input.lines.0.productionDate');
    });

    it('D7: an occurredAt in the future → BAD_USER_INPUT', async () => {
      const before = await ledgerCounts(t);
      const res = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 1 }], { occurredAt: '2026-07-20T03:00:00Z' }));
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(firstError(res).field).toBe('input.occurredAt');
      // In China time, as the keeper's clock reads it.
      expect(res.errors![0].message).toBe('业务发生时间 2026-07-20 11:00（北京时间）晚于当前时间，不能预先登记');
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it("D22: a receipt dated before a line's production date → BAD_USER_INPUT at input.occurredAt, nothing posted", async () => {
      const before = await ledgerCounts(t);
      const res = await receiveRaw(
        t,
        'keeper',
        purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, productionDate: '2026-06-01' }], { occurredAt: '2000-01-01T00:00:00+08:00' }),
      );
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(firstError(res).field).toBe('input.occurredAt');
      expect(res.errors![0].message).toBe('入库时间 2000-01-01 早于第 1 行的生产日期 2026-06-01');
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('a negative unit price → BAD_USER_INPUT', async () => {
      const res = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, unitPrice: '-1.00' }]));
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
    });
  });

  describe('existing batch numbers', () => {
    it('the same batch number with a different unit price → BAD_USER_INPUT; with the same attributes it adds to the batch', async () => {
      const line = { itemId: QUILT, batchNo: 'Q-DUP', productionDate: '2026-02-01', unitPrice: '150.00' };
      const first = ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ ...line, quantity: 10 }]), RECEIPT_FIELDS)).receiveStock;
      const batchId = first.lines[0].batch.id;

      const before = await ledgerCounts(t);
      const clash = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ ...line, quantity: 5, unitPrice: '151.00' }]));
      expect(errorCode(clash)).toBe('BAD_USER_INPUT');
      expect(firstError(clash)).toMatchObject({ field: 'input.lines.0.batchNo', batchId, fields: ['unitPrice'] });
      // Sweep 18c F8: the registered value is named, so that the keeper can tell which entry is wrong.
      expect(clash.errors![0].message).toBe('批号 Q-DUP 已存在，且单价与已登记的不同（已登记：单价 150.00 元）');
      const negative = await receiveRaw(
        t,
        'keeper',
        purchase(WEIHUI, [
          { ...line, quantity: 1 },
          { ...line, batchNo: 'Q-NEG', quantity: 1, unitPrice: '-1.00' },
        ]),
      );
      expect(negative.errors![0]).toMatchObject({ message: '第 2 行单价不能为负', extensions: { field: 'input.lines.1.unitPrice' } });
      expect(await ledgerCounts(t)).toEqual(before);

      const more = ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ ...line, quantity: 5, unitPrice: '150' }]), RECEIPT_FIELDS)).receiveStock;
      expect(more.lines[0].batch.id).toBe(batchId);
      const stock = (await stockAt(t, WEIHUI, QUILT)).filter((s: any) => s.batch.id === batchId);
      expect(stock.map((s: any) => s.onHand)).toEqual([15]);
      expect(stock[0].value).toBe('2250.00');
    });

    it('the same batch number with a different production date → BAD_USER_INPUT', async () => {
      const line = { itemId: COAT, batchNo: 'COAT-DUP', productionDate: '2026-02-01', unitPrice: '185.00' };
      ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ ...line, quantity: 1 }])));
      const res = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ ...line, quantity: 1, productionDate: '2026-03-01' }]));
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(firstError(res).fields).toEqual(expect.arrayContaining(['productionDate']));
    });

    it('the same batch number received at another store is the same batch (batches are store-independent)', async () => {
      const line = { itemId: COAT, batchNo: 'COAT-TWO-STORES', productionDate: '2026-02-01', unitPrice: '185.00', quantity: 2 };
      const a = ok(await receiveRaw(t, 'admin', purchase(WEIHUI, [line]), RECEIPT_FIELDS)).receiveStock;
      const b = ok(await receiveRaw(t, 'admin', purchase(TANGZHUANG, [line]), RECEIPT_FIELDS)).receiveStock;
      expect(b.lines[0].batch.id).toBe(a.lines[0].batch.id);
    });

    it('naming only an existing batch number adds to that batch at its recorded price and expiry (defaults are for new batches)', async () => {
      const first = ok(
        await receiveRaw(
          t,
          'keeper',
          purchase(WEIHUI, [{ itemId: COTTON_TENT, quantity: 4, batchNo: 'CT-ADD', unitPrice: '2000.00', expiryDate: '2031-01-01' }]),
          RECEIPT_FIELDS,
        ),
      ).receiveStock;
      const more = ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: COTTON_TENT, quantity: 2, batchNo: 'CT-ADD' }]), RECEIPT_FIELDS)).receiveStock;
      expect(more.lines[0].batch.id).toBe(first.lines[0].batch.id);
      expect(more.lines[0]).toMatchObject({ quantity: 2, unitPrice: '2000.00', value: '4000.00' });
      expect(more.lines[0].batch).toMatchObject({ unitPrice: '2000.00', expiryDate: '2031-01-01' });
      const line = (await stockAt(t, WEIHUI, COTTON_TENT)).find((s: any) => s.batch.id === first.lines[0].batch.id);
      expect(line).toMatchObject({ onHand: 6, value: '12000.00' });
    });

    it('D18: a batch number typed full-width or with an invisible character is the same batch, not a look-alike', async () => {
      const line = { itemId: BLANKET, productionDate: '2026-02-01', unitPrice: '118.00', quantity: 1 };
      const first = ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ ...line, batchNo: 'T-MB-1' }]), RECEIPT_FIELDS)).receiveStock;
      for (const batchNo of ['Ｔ－ＭＢ－１', 'T-MB\u200b-1', '\ufeffT-MB-1 ']) {
        const again = ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ ...line, batchNo }]), RECEIPT_FIELDS)).receiveStock;
        expect(again.lines[0].batch).toMatchObject({ id: first.lines[0].batch.id, batchNo: 'T-MB-1' });
      }
      const blank = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ ...line, batchNo: '\u200b' }]));
      expect(firstError(blank).field).toBe('input.lines.0.batchNo');
    });

    it('the same batch number for another item is another batch', async () => {
      const a = ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, batchNo: 'SHARED-NO' }]), RECEIPT_FIELDS)).receiveStock;
      const b = ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: COTTON_TENT, quantity: 1, batchNo: 'SHARED-NO' }]), RECEIPT_FIELDS)).receiveStock;
      expect(b.lines[0].batch.id).not.toBe(a.lines[0].batch.id);
      expect(b.lines[0].batch.unitPrice).toBe('2180.00');
    });

    it('API.md "a failed mutation changes nothing": a multi-line receipt with one bad line posts no line, batch or number', async () => {
      ok(
        await receiveRaw(
          t,
          'keeper',
          purchase(WEIHUI, [{ itemId: SANDBAG, quantity: 10, batchNo: 'ATOM-EXISTING', unitPrice: '1.10', expiryDate: '2029-01-01' }]),
        ),
      );
      const sandbagBefore = await stockAt(t, WEIHUI, SANDBAG);
      const before = await ledgerCounts(t);

      const res = await receiveRaw(
        t,
        'keeper',
        purchase(WEIHUI, [
          { itemId: SANDBAG, quantity: 500, batchNo: 'ATOM-NEW', unitPrice: '1.10' },
          { itemId: SANDBAG, quantity: 500, batchNo: 'ATOM-EXISTING', unitPrice: '1.20', expiryDate: '2029-01-01' },
        ]),
      );
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(firstError(res).field).toBe('input.lines.1.batchNo');

      expect(await ledgerCounts(t)).toEqual(before); // no document, movement, line or batch (ATOM-NEW rolled back)
      expect(await stockAt(t, WEIHUI, SANDBAG)).toEqual(sandbagBefore);
      expect(sandbagBefore.some((s: any) => s.batch.batchNo === 'ATOM-NEW')).toBe(false);
    });
  });

  describe('who may receive', () => {
    it('a keeper at another store → FORBIDDEN', async () => {
      const before = await ledgerCounts(t);
      const res = await receiveRaw(t, 'keeper', purchase(XINXIANG, [{ itemId: QUILT, quantity: 1 }]));
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('an auditor writes nothing → FORBIDDEN', async () => {
      const res = await receiveRaw(t, 'auditor', purchase(WEIHUI, [{ itemId: QUILT, quantity: 1 }]));
      expect(errorCode(res)).toBe('FORBIDDEN');
    });

    it('without a token → UNAUTHENTICATED', async () => {
      const res = await t.gql(`mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id } }`, {
        input: { ...purchase(WEIHUI, [{ itemId: QUILT, quantity: 1 }]), idempotencyKey: 'anon' },
      });
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
    });

    it('a dispatcher receives inside 新乡市 (city and county stores)', async () => {
      const a = ok(await receiveRaw(t, 'dispatcher', purchase(XINXIANG, [{ itemId: QUILT, quantity: 3, batchNo: 'DISP-CITY' }]), RECEIPT_FIELDS)).receiveStock;
      expect(a.store.id).toBe(XINXIANG);
      expect(a.lines[0].batch.fundingSource).toBe('CITY');
      const b = ok(
        await receiveRaw(t, 'dispatcher', purchase(XINXIANG_COUNTY, [{ itemId: QUILT, quantity: 3, batchNo: 'DISP-COUNTY' }]), RECEIPT_FIELDS),
      ).receiveStock;
      expect(b.store.id).toBe(XINXIANG_COUNTY);
      expect((await stockAt(t, XINXIANG, QUILT)).find((s: any) => s.batch.id === a.lines[0].batch.id)).toMatchObject({ onHand: 3 });
    });

    it('a dispatcher outside the region (晋城) → FORBIDDEN', async () => {
      const res = await receiveRaw(t, 'dispatcher', purchase(JINCHENG, [{ itemId: QUILT, quantity: 1 }]));
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect((await stockAt(t, JINCHENG, QUILT)).filter((s: any) => s.batch.batchNo.startsWith('B260720'))).toEqual([]);
    });
  });
});
