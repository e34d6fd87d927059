import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { batchIdOf } from '../../server/inventory/batch-ids.ts';
import { withOrder } from '../support/authority.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { expectLedgerConsistent, JINCHENG, key, receive, SANDBAG, stockAt, WEIHUI, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ledgerCounts, ok, purchase, receiveRaw } from '../support/ledger-ops.ts';
import { openingSheet } from '../support/paperwork.ts';

// Security finding 1: batch ids follow from (item, batch number) across all stores. D3/D18 and the scope rule: a
// receipt joins an existing batch by its number only if the caller may read that batch (the policy's batch rule);
// otherwise the post is refused without a word about the other batch — no id, no differing attributes.

const XX_BATCH = 'XX-BZD-2501'; // 编织袋 received at 新乡市救灾物资储备库 below, unit price 1.10
let XX_BATCH_ID = ''; // with this database's key (sweep 14a F1): known once the database is
const WH_BATCH = 'WH-BZD-2501'; // 编织袋 received at 卫辉市救灾物资储备库, the keeper's store
// Sweep 4 L4: the refusal asks for another number without saying why — not that the number is registered elsewhere
// (that would confirm another jurisdiction's batch number to whoever tries it).
const TAKEN = `批号 ${XX_BATCH} 不能用于本次入库，请核对批号或另编一个批号`;
const FIELDS = `id number lines { quantity batch { id batchNo unitPrice owner { name } } }`;

const errorOf = (res: GqlResult) => res.errors?.[0] ?? { message: '', extensions: {} as Record<string, unknown> };

describe('a batch number beyond the caller’s scope is not reused (D3, D18)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  beforeAll(async () => {
    XX_BATCH_ID = await batchIdOf(t.database.db, SANDBAG, XX_BATCH);
    const xx = await receive(t, 'dispatcher', XINXIANG, [
      { itemId: SANDBAG, quantity: 800, batchNo: XX_BATCH, productionDate: '2025-01-08', unitPrice: '1.10' },
    ]);
    expect(xx.lines[0].batch.id).toBe(XX_BATCH_ID);
    await receive(t, 'keeper', WEIHUI, [{ itemId: SANDBAG, quantity: 300, batchNo: WH_BATCH, productionDate: '2025-01-15', unitPrice: '1.05' }]);
  });

  const batchAs = (as: string) => t.gql(`query($id: ID!) { batch(id: $id) { id unitPrice owner { name } } }`, { id: XX_BATCH_ID }, as);
  const sandbagAt = async (store: string) => (await stockAt(t, store, SANDBAG)).map((s: any) => [s.batch.batchNo, s.onHand]);
  const lastAudit = async () =>
    (
      await queryRows<{ outcome: string; message: string | null }>(
        t.database.db,
        sql`SELECT outcome, message FROM audit_log WHERE operation = 'receiveStock' ORDER BY id DESC LIMIT 1`,
      )
    )[0];

  /** The refusal: BAD_USER_INPUT at the line's batch number, nothing about the other batch, nothing written. */
  async function expectRefused(as: string, input: Record<string, unknown>, store: string) {
    const before = await ledgerCounts(t);
    const stock = await sandbagAt(store);
    const res = await receiveRaw(t, as, input, FIELDS);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    const error = errorOf(res);
    expect(error.message).toBe(TAKEN);
    expect(error.message).not.toMatch(/其他单位|已被|已存在|登记/);
    expect(error.extensions.field).toBe('input.lines.0.batchNo');
    expect(error.extensions).not.toHaveProperty('batchId');
    expect(error.extensions).not.toHaveProperty('fields');
    expect(JSON.stringify(res)).not.toMatch(/unitPrice|单价|1\.10|productionDate|expiryDate|fundingSource|新乡/);
    expect(JSON.stringify(res)).not.toContain(XX_BATCH_ID);
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await sandbagAt(store)).toEqual(stock);
    // D22: the refusal has its audit row, which says no more than the answer.
    expect(await lastAudit()).toEqual({ outcome: 'BAD_USER_INPUT', message: TAKEN });
  }

  it('jincheng receiving a 新乡 batch number with a differing price → BAD_USER_INPUT, no batch id or fields, nothing written', async () => {
    await expectRefused('jincheng', purchase(JINCHENG, [{ itemId: SANDBAG, quantity: 1, unitPrice: '9.99', batchNo: XX_BATCH }]), JINCHENG);
    expect(errorCode(await batchAs('jincheng'))).toBe('FORBIDDEN');
  });

  it('jincheng receiving a 新乡 batch number without a price (the takeover) → refused; the batch stays unreadable', async () => {
    await expectRefused('jincheng', purchase(JINCHENG, [{ itemId: SANDBAG, quantity: 1, batchNo: XX_BATCH }]), JINCHENG);
    // With the same price as recorded, and through the path that registers a supplier (batchFor), likewise.
    await expectRefused(
      'jincheng',
      purchase(JINCHENG, [{ itemId: SANDBAG, quantity: 1, unitPrice: '1.10', batchNo: XX_BATCH }], { sourceName: '晋城市某供应商' }),
      JINCHENG,
    );
    expect(errorCode(await batchAs('jincheng'))).toBe('FORBIDDEN');
    const trace = await t.gql(`query($id: ID!) { batchTrace(batchId: $id) { batch { id } } }`, { id: XX_BATCH_ID }, 'jincheng');
    expect(errorCode(trace)).toBe('FORBIDDEN');
  });

  it('a later line naming another store’s batch number refuses the whole receipt at that line', async () => {
    const before = await ledgerCounts(t);
    const res = await receiveRaw(
      t,
      'jincheng',
      purchase(JINCHENG, [
        { itemId: SANDBAG, quantity: 5, unitPrice: '1.20', batchNo: 'JC-BZD-2601' },
        { itemId: SANDBAG, quantity: 1, unitPrice: '9.99', batchNo: XX_BATCH },
      ]),
      FIELDS,
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(errorOf(res).extensions.field).toBe('input.lines.1.batchNo');
    expect(errorOf(res).extensions).not.toHaveProperty('batchId');
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('the keeper receiving a batch number of a store outside their stores → refused likewise', async () => {
    await expectRefused('keeper', purchase(WEIHUI, [{ itemId: SANDBAG, quantity: 1, unitPrice: '9.99', batchNo: XX_BATCH }]), WEIHUI);
    await expectRefused('keeper', purchase(WEIHUI, [{ itemId: SANDBAG, quantity: 1, batchNo: XX_BATCH }]), WEIHUI);
    expect(errorCode(await batchAs('keeper'))).toBe('FORBIDDEN');
  });

  it('a user who may read the batch adds to it (same store, another store in scope); a differing price still names the fields', async () => {
    const more = ok(await receiveRaw(t, 'dispatcher', purchase(XINXIANG, [{ itemId: SANDBAG, quantity: 10, batchNo: XX_BATCH }]), FIELDS)).receiveStock;
    expect(more.lines[0].batch).toMatchObject({ id: XX_BATCH_ID, batchNo: XX_BATCH, unitPrice: '1.10' });
    const county = ok(await receiveRaw(t, 'dispatcher', purchase(XINXIANG_COUNTY, [{ itemId: SANDBAG, quantity: 3, batchNo: XX_BATCH }]), FIELDS)).receiveStock;
    expect(county.lines[0].batch.id).toBe(XX_BATCH_ID);

    const clash = await receiveRaw(t, 'dispatcher', purchase(XINXIANG, [{ itemId: SANDBAG, quantity: 1, unitPrice: '9.99', batchNo: XX_BATCH }]), FIELDS);
    expect(errorCode(clash)).toBe('BAD_USER_INPUT');
    expect(errorOf(clash).extensions).toMatchObject({ field: 'input.lines.0.batchNo', batchId: XX_BATCH_ID, fields: ['unitPrice'] });

    const keeper = ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: SANDBAG, quantity: 2, batchNo: WH_BATCH }]), FIELDS)).receiveStock;
    expect(keeper.lines[0].batch.batchNo).toBe(WH_BATCH);
    const keeperClash = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: SANDBAG, quantity: 1, unitPrice: '9.99', batchNo: WH_BATCH }]), FIELDS);
    expect(errorOf(keeperClash).extensions).toMatchObject({ field: 'input.lines.0.batchNo', fields: ['unitPrice'] });
  });

  it('a batch number new to everyone is created, and may be named twice in one receipt', async () => {
    const doc = ok(
      await receiveRaw(
        t,
        'jincheng',
        purchase(JINCHENG, [
          { itemId: SANDBAG, quantity: 4, unitPrice: '1.30', batchNo: 'JC-BZD-2602' },
          { itemId: SANDBAG, quantity: 6, unitPrice: '1.30', batchNo: 'JC-BZD-2602' },
        ]),
        FIELDS,
      ),
    ).receiveStock;
    expect(doc.lines[1].batch.id).toBe(doc.lines[0].batch.id);
    // The creator may add to it later, and sees the details of a mismatch.
    const clash = await receiveRaw(t, 'jincheng', purchase(JINCHENG, [{ itemId: SANDBAG, quantity: 1, unitPrice: '9.99', batchNo: 'JC-BZD-2602' }]));
    expect(errorOf(clash).extensions).toMatchObject({ batchId: doc.lines[0].batch.id, fields: ['unitPrice'] });
  });

  it('轮换 (D10): a new batch number of a store out of scope is refused at input.newBatch.batchNo', async () => {
    const [wh] = (await stockAt(t, WEIHUI, SANDBAG)).filter((s: any) => s.batch.batchNo === WH_BATCH);
    const input = {
      storeId: WEIHUI,
      batchId: wh.batch.id,
      quantity: 10,
      disposal: 'SALE',
      counterpart: '卫辉市民政惠民超市',
      newBatch: { batchNo: XX_BATCH, productionDate: '2026-07-01', expiryDate: '2031-07-01', unitPrice: '9.99' },
    };
    const before = await ledgerCounts(t);
    const res = await withOrder(
      t,
      'keeper',
      { ...input, lines: [{ itemId: SANDBAG, batchId: input.batchId, quantity: input.quantity }] },
      { storeId: WEIHUI, purpose: 'ROTATION_SALE', recipient: input.counterpart },
      ({ lines: _lines, ...i }) =>
        t.gql(`mutation($input: RotateStockInput!) { rotateStock(input: $input) { id } }`, { input: { idempotencyKey: key(), ...i } }, 'keeper'),
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(errorOf(res).message).toBe(TAKEN);
    expect(errorOf(res).extensions.field).toBe('input.newBatch.batchNo');
    expect(errorOf(res).extensions).not.toHaveProperty('batchId');
    expect(errorOf(res).extensions).not.toHaveProperty('fields');
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('期初建账: a batch number of a store out of scope is refused at its row, without its dates or price', async () => {
    const upload = async (rows: unknown[][]) =>
      request(t.app)
        .post(`/paperwork/opening-balances/${WEIHUI}`)
        .set('authorization', `Bearer ${await t.token('keeper')}`)
        .attach('file', await openingSheet(rows), '台账.xlsx');
    const before = await ledgerCounts(t);
    const res = await upload([['FLD-001', null, null, XX_BATCH, '2025-01-08', null, 5, 9.99, null, null]]);
    expect(res.status).toBe(400);
    expect(res.body.error.errors).toEqual([{ row: 3, column: '批号', message: TAKEN }]);
    expect(JSON.stringify(res.body)).not.toMatch(/1\.10|已登记/);
    expect(await ledgerCounts(t)).toEqual(before);
    // The keeper's own batch: the recorded price is still named.
    const own = await upload([['FLD-001', null, null, WH_BATCH, null, null, 5, 9.99, null, null]]);
    expect(own.status).toBe(400);
    expect(own.body.error.errors[0]).toMatchObject({ row: 3, column: '单价（元）' });
    expect(own.body.error.errors[0].message).toMatch(/^批号 WH-BZD-2501 已登记，单价为 1\.05/);
  });
});
