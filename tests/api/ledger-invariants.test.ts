import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { checkLedger, type LedgerMismatch } from '../../server/inventory/ledger-check.ts';
import { stockReasonSeeds } from '../../seeds/data/reasons.ts';
import { itemId } from '../../seeds/reference.ts';
import { pgError } from '../../drizzle/client.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { DOC_FIELDS, expectLedgerConsistent, issue, JINCHENG, key, receive, TANGZHUANG, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { issueRaw, ledgerCounts, lineOf, ok, purchase, receiveRaw, receiveTransferRaw, reverseRaw, shipRaw } from '../support/ledger-ops.ts';

const ext = (res: { errors?: { extensions: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions ?? {};

type T = ReturnType<typeof useTestApp>;

/** Runs raw SQL and returns the Postgres error it was refused with (fails the test if it was accepted). */
async function refusal(t: T, query: ReturnType<typeof sql>) {
  try {
    await t.database.db.execute(query);
  } catch (error) {
    return { ...pgError(error), message: String((error as Error).message) + String((error as { cause?: Error }).cause?.message ?? '') };
  }
  throw new Error('the database accepted the statement');
}

const MOVEMENT_FIELDS = `id quantity bucket type store { id region { code } } batch { id batchNo } document { id number } occurredAt reason { code }`;

const movementsPage = async (t: T, filter: Record<string, unknown>, as = 'admin', first = 50, after?: string) =>
  t.gql(
    `query($f: MovementFilter!, $first: Int, $after: String) { movements(filter: $f, first: $first, after: $after) {
       totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${MOVEMENT_FIELDS} } } } }`,
    { f: filter, first, after },
    as,
  );

describe('ledger invariants', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  // Stock at 卫辉 (the keeper's store) and at 新乡市 and 晋城 (not the keeper's), so that scoping can be seen.
  let weihuiBatch = '';
  let xinxiangBatch = '';
  let jinchengBatch = '';
  beforeAll(async () => {
    weihuiBatch = (await receive(t, 'keeper', WEIHUI, [{ itemId: itemId('LIV-001'), quantity: 10, batchNo: 'INV-WH', unitPrice: '2180.00' }])).lines[0].batch
      .id;
    xinxiangBatch = (await receive(t, 'admin', XINXIANG, [{ itemId: itemId('LIV-001'), quantity: 10, batchNo: 'INV-XX' }])).lines[0].batch.id;
    jinchengBatch = (await receive(t, 'admin', JINCHENG, [{ itemId: itemId('LIV-001'), quantity: 10, batchNo: 'INV-JC' }])).lines[0].batch.id;
  });

  describe('DESIGN "The ledger": the database guards it', () => {
    it('D22: UPDATE on movements is refused by the database', async () => {
      const err = await refusal(t, sql`UPDATE movements SET quantity = 1`);
      expect(err.message).toMatch(/append-only/);
      expect(err.code).toBe('23001'); // restrict_violation
      const [{ n }] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM movements WHERE quantity = 1`);
      expect(Number(n)).toBe(0);
    });

    it('D22: DELETE and TRUNCATE on movements are refused by the database', async () => {
      const before = await ledgerCounts(t);
      expect((await refusal(t, sql`DELETE FROM movements`)).message).toMatch(/append-only/);
      expect((await refusal(t, sql`DELETE FROM movements WHERE batch_id = ${weihuiBatch}::uuid`)).message).toMatch(/append-only/);
      expect((await refusal(t, sql`TRUNCATE movements CASCADE`)).message).toMatch(/append-only/);
      expect((await ledgerCounts(t)).movements).toBe(before.movements);
    });

    it('the balances CHECK refuses on_hand < 0', async () => {
      const err = await refusal(t, sql`UPDATE balances SET on_hand = -1 WHERE store_id = ${WEIHUI}::uuid AND batch_id = ${weihuiBatch}::uuid`);
      expect(err.code).toBe('23514');
      expect(err.message).toMatch(/balances_nonneg/);
      expect(await lineOf(t, WEIHUI, itemId('LIV-001'), weihuiBatch)).toMatchObject({ onHand: 10, reserved: 0 });
    });

    it('the balances CHECK refuses reserved > on_hand and reserved < 0 and in_transit < 0', async () => {
      const where = sql`WHERE store_id = ${WEIHUI}::uuid AND batch_id = ${weihuiBatch}::uuid`;
      for (const set of [sql`reserved = on_hand + 1`, sql`reserved = -1`, sql`in_transit = -1`]) {
        const err = await refusal(t, sql`UPDATE balances SET ${set} ${where}`);
        expect(err.code).toBe('23514');
        expect(err.message).toMatch(/balances_nonneg/);
      }
      expect(await lineOf(t, WEIHUI, itemId('LIV-001'), weihuiBatch)).toMatchObject({ onHand: 10, reserved: 0, inTransit: 0 });
    });

    it('D21: the ledger check finds a movement valued off its batch’s unit cost (valuation reads either)', async () => {
      const ROLLED_BACK = new Error('rolled back');
      const found = await t.database.db
        .transaction(async (tx) => {
          await tx.execute(sql`UPDATE batches SET unit_price = unit_price + 1 WHERE id = ${weihuiBatch}::uuid`);
          const mismatches = await checkLedger(tx);
          throw Object.assign(ROLLED_BACK, { mismatches });
        })
        .catch((error: Error & { mismatches?: LedgerMismatch[] }) => {
          if (error !== ROLLED_BACK) throw error;
          return error.mismatches!;
        });
      expect(found).toEqual([expect.objectContaining({ kind: 'UNIT_COST', batchId: weihuiBatch, movementUnitPrice: '2180.00', batchUnitPrice: '2181.00' })]);
    });
  });

  describe('idempotency (API.md: every stock mutation takes idempotencyKey)', () => {
    const receipt = (k: string, quantity: number) =>
      t.gql(
        `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { ${DOC_FIELDS} } }`,
        { input: { ...purchase(WEIHUI, [{ itemId: itemId('LIV-004'), quantity, batchNo: 'IDEM-Q', unitPrice: '158.00' }]), idempotencyKey: k } },
        'keeper',
      );

    it('the same key with the same input returns the first document; no second movement', async () => {
      const k = key();
      const first = ok(await receipt(k, 5)).receiveStock;
      const before = await ledgerCounts(t);
      const again = ok(await receipt(k, 5)).receiveStock;
      expect(again.id).toBe(first.id);
      expect(again.number).toBe(first.number);
      expect(await ledgerCounts(t)).toEqual(before);
      expect(await lineOf(t, WEIHUI, itemId('LIV-004'), first.lines[0].batch.id)).toMatchObject({ onHand: 5 });
    });

    it('the same key with a different input → IDEMPOTENCY_CONFLICT naming the first document', async () => {
      const k = key();
      const first = ok(await receipt(k, 1)).receiveStock;
      const before = await ledgerCounts(t);
      const res = await receipt(k, 2);
      expect(errorCode(res)).toBe('IDEMPOTENCY_CONFLICT');
      expect(ext(res)).toMatchObject({ field: 'input.idempotencyKey', documentId: first.id }); // as a blank key is named (sweep 11b B3)
      // The message says what to do: a new operation takes a new key, a retry repeats the first input.
      expect(res.errors![0].message).toBe(`幂等键 ${k} 已用于内容不同的另一请求：若是新的操作，请重新提交（换用新的幂等键）；若是重试，请按原内容提交`);
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('the same key used by another user is independent', async () => {
      const k = key();
      const input = { ...purchase(WEIHUI, [{ itemId: itemId('LIV-006'), quantity: 3, batchNo: 'IDEM-USERS', unitPrice: '118.00' }]), idempotencyKey: k };
      const q = `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id lines { batch { id } } } }`;
      const byKeeper = ok(await t.gql(q, { input }, 'keeper')).receiveStock;
      const byAdmin = ok(await t.gql(q, { input }, 'admin')).receiveStock;
      expect(byAdmin.id).not.toBe(byKeeper.id);
      expect(await lineOf(t, WEIHUI, itemId('LIV-006'), byKeeper.lines[0].batch.id)).toMatchObject({ onHand: 6 });
    });

    it('the same key for another operation is independent (keys are per operation)', async () => {
      const k = key();
      const q = `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id } }`;
      ok(await t.gql(q, { input: { ...purchase(WEIHUI, [{ itemId: itemId('LIV-007'), quantity: 4, batchNo: 'IDEM-OPS' }]), idempotencyKey: k } }, 'keeper'));
      const out = ok(await issue(t, 'keeper', WEIHUI, [{ itemId: itemId('LIV-007'), quantity: 1 }], { idempotencyKey: k })).issueStock;
      expect(out.lines.map((l: any) => l.quantity)).toEqual([-1]);
    });

    it('a replayed issue answers as the first did, even when the stock has gone since', async () => {
      const item = itemId('LIV-008');
      ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: item, quantity: 5, batchNo: 'IDEM-ISSUE' }])));
      const k = key();
      const input = { storeId: WEIHUI, recipient: '安置点', reason: 'RELIEF', lines: [{ itemId: item, quantity: 5 }], idempotencyKey: k };
      const first = ok(await issueRaw(t, 'keeper', input)).issueStock;
      const before = await ledgerCounts(t);
      const again = ok(await issueRaw(t, 'keeper', input)).issueStock;
      expect(again.id).toBe(first.id);
      expect(await ledgerCounts(t)).toEqual(before);
      // A new key for the same request is a new issue, and there is nothing left.
      expect(errorCode(await issueRaw(t, 'keeper', { ...input, idempotencyKey: key() }))).toBe('INSUFFICIENT_STOCK');
    });

    it('a replayed shipment returns the same transfer', async () => {
      const item = itemId('LIV-009');
      ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: item, quantity: 5, batchNo: 'IDEM-SHIP' }])));
      const input = { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, lines: [{ itemId: item, quantity: 2 }], idempotencyKey: key() };
      const first = ok(await shipRaw(t, 'keeper', input)).shipTransfer;
      const before = await ledgerCounts(t);
      const again = ok(await shipRaw(t, 'keeper', input)).shipTransfer;
      expect(again.id).toBe(first.id);
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it.each(['', '   '])('an empty idempotency key (%j) → BAD_USER_INPUT', async (k) => {
      const res = await receipt(k, 1);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(String(ext(res).field)).toMatch(/idempotencyKey/);
    });
  });

  describe('movements query (D22: the journal)', () => {
    it('filters by document, batch and store', async () => {
      const doc = await receive(t, 'keeper', WEIHUI, [
        { itemId: itemId('LIV-010'), quantity: 2, batchNo: 'MV-A' },
        { itemId: itemId('LIV-010'), quantity: 3, batchNo: 'MV-B' },
      ]);
      const byDoc = ok(await movementsPage(t, { documentId: doc.id })).movements;
      expect(byDoc.totalCount).toBe(2);
      expect(byDoc.edges.map((e: any) => [e.node.batch.batchNo, e.node.quantity, e.node.type, e.node.document.id]).sort()).toEqual([
        ['MV-A', 2, 'RECEIPT', doc.id],
        ['MV-B', 3, 'RECEIPT', doc.id],
      ]);

      const batchB = doc.lines[1].batch.id;
      ok(await issue(t, 'keeper', WEIHUI, [{ itemId: itemId('LIV-010'), quantity: 1, batchId: batchB }]));
      const byBatch = ok(await movementsPage(t, { batchId: batchB })).movements;
      expect(byBatch.edges.map((e: any) => [e.node.type, e.node.quantity])).toEqual([
        ['ISSUE', -1],
        ['RECEIPT', 3],
      ]);

      const [{ n }] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM movements WHERE store_id = ${XINXIANG}::uuid`);
      const byStore = ok(await movementsPage(t, { storeId: XINXIANG }, 'admin', 500)).movements;
      expect(byStore.totalCount).toBe(Number(n));
      expect(byStore.edges.every((e: any) => e.node.store.id === XINXIANG)).toBe(true);
      expect(byStore.edges.some((e: any) => e.node.batch.id === xinxiangBatch)).toBe(true);
    });

    it('a keeper sees only its store’s movements; asking for another store → FORBIDDEN', async () => {
      const [{ n }] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM movements WHERE store_id = ${WEIHUI}::uuid`);
      const mine = ok(await movementsPage(t, {}, 'keeper', 500)).movements;
      expect(mine.totalCount).toBe(Number(n));
      expect(mine.edges.length).toBe(Number(n));
      expect(new Set(mine.edges.map((e: any) => e.node.store.id))).toEqual(new Set([WEIHUI]));
      // Another store's batch is refused as batch(id) refuses it (sweep 9a F7), not answered with an empty list.
      expect(errorCode(await movementsPage(t, { batchId: xinxiangBatch }, 'keeper'))).toBe('FORBIDDEN');
      expect(errorCode(await movementsPage(t, { storeId: XINXIANG }, 'keeper'))).toBe('FORBIDDEN');
    });

    it('a dispatcher sees 新乡市 movements only (not 晋城)', async () => {
      const seen = ok(await movementsPage(t, {}, 'dispatcher', 500)).movements;
      expect(seen.edges.length).toBeGreaterThan(0);
      expect(seen.edges.every((e: any) => e.node.store.region.code.startsWith('4107'))).toBe(true);
      expect(seen.edges.some((e: any) => e.node.batch.id === jinchengBatch)).toBe(false);
      expect(errorCode(await movementsPage(t, { storeId: JINCHENG }, 'dispatcher'))).toBe('FORBIDDEN');
    });

    it('filters by type and by when it happened (occurredAt from/to)', async () => {
      const item = itemId('LIV-015');
      for (const [batchNo, occurredAt] of [
        ['MV-JUN', '2026-06-15T00:00:00Z'],
        ['MV-JUL', '2026-07-05T00:00:00Z'],
      ]) {
        ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: item, quantity: 1, batchNo }], { occurredAt })));
      }
      ok(await issue(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 1 }]));
      const june = ok(await movementsPage(t, { itemId: item, from: '2026-06-01T00:00:00+08:00', to: '2026-06-30T23:59:59+08:00' })).movements;
      expect(june.edges.map((e: any) => e.node.batch.batchNo)).toEqual(['MV-JUN']);
      const receipts = ok(await movementsPage(t, { itemId: item, type: 'RECEIPT' })).movements;
      expect(receipts.edges.map((e: any) => e.node.batch.batchNo)).toEqual(['MV-JUL', 'MV-JUN']);
      const issues = ok(await movementsPage(t, { itemId: item, type: 'ISSUE' })).movements;
      // D8: the June batch (received first, no expiry difference) left first.
      expect(issues.edges.map((e: any) => [e.node.batch.batchNo, e.node.quantity, e.node.reason.code])).toEqual([['MV-JUN', -1, 'RELIEF']]);
    });

    it('pages newest first with cursors', async () => {
      for (const [i, q] of [1, 2, 3, 4, 5].entries()) {
        await receive(t, 'keeper', WEIHUI, [{ itemId: itemId('LIV-011'), quantity: q, batchNo: `MV-PAGE-${i}` }]);
      }
      const all = ok(await movementsPage(t, { storeId: WEIHUI, itemId: itemId('LIV-011') }, 'admin', 10)).movements;
      expect(all.totalCount).toBe(5);
      expect(all.edges.map((e: any) => e.node.quantity)).toEqual([5, 4, 3, 2, 1]);
      // Newest first (the quantities above, received 1 … 5); each entry its own id.
      expect(new Set(all.edges.map((e: any) => e.node.id)).size).toBe(5);

      const p1 = ok(await movementsPage(t, { storeId: WEIHUI, itemId: itemId('LIV-011') }, 'admin', 2)).movements;
      expect(p1.edges.map((e: any) => e.node.quantity)).toEqual([5, 4]);
      expect(p1.pageInfo.hasNextPage).toBe(true);
      expect(p1.totalCount).toBe(5);
      const p2 = ok(await movementsPage(t, { storeId: WEIHUI, itemId: itemId('LIV-011') }, 'admin', 2, p1.pageInfo.endCursor)).movements;
      expect(p2.edges.map((e: any) => e.node.quantity)).toEqual([3, 2]);
      const p3 = ok(await movementsPage(t, { storeId: WEIHUI, itemId: itemId('LIV-011') }, 'admin', 2, p2.pageInfo.endCursor)).movements;
      expect(p3.edges.map((e: any) => e.node.quantity)).toEqual([1]);
      expect(p3.pageInfo.hasNextPage).toBe(false);
    });
  });

  describe('batchTrace (D18: 全程追溯)', () => {
    it('D18: receipt → transfer → receipt at the township → issue: every movement in order, holdings, recipients', async () => {
      const item = itemId('LIV-012');
      const receipt = ok(
        await receiveRaw(
          t,
          'keeper',
          purchase(WEIHUI, [{ itemId: item, quantity: 20, batchNo: 'TRACE-1', unitPrice: '268.00' }], { occurredAt: '2026-07-01T00:00:00Z' }),
        ),
      ).receiveStock;
      const batchId = receipt.lines[0].batch.id;
      const tr = ok(
        await shipRaw(t, 'keeper', {
          fromStoreId: WEIHUI,
          toStoreId: TANGZHUANG,
          lines: [{ itemId: item, quantity: 12, batchId }],
          occurredAt: '2026-07-10T00:00:00Z',
        }),
      ).shipTransfer;
      ok(await receiveTransferRaw(t, 'dispatcher', { transferId: tr.id, lines: [{ batchId, quantity: 12 }], occurredAt: '2026-07-11T00:00:00Z' }));
      const issued = ok(
        await issueRaw(t, 'dispatcher', {
          storeId: TANGZHUANG,
          recipient: '汲水镇比干庙村安置点',
          reason: 'RELIEF',
          lines: [{ itemId: item, quantity: 5, batchId }],
        }),
      ).issueStock;

      const res = await t.gql(
        `query($id: ID!) { batchTrace(batchId: $id) {
           batch { id batchNo }
           movements { type bucket quantity store { id } document { id } occurredAt }
           holdings { store { id } onHand inTransit }
           recipients { recipient quantity document { id number } }
           receivedQuantity issuedQuantity } }`,
        { id: batchId },
        'dispatcher',
      );
      const trace = ok(res).batchTrace;
      expect(trace.batch).toEqual({ id: batchId, batchNo: 'TRACE-1' });
      expect(trace.movements.map((m: any) => [m.type, m.store.id, m.bucket, m.quantity])).toEqual([
        ['RECEIPT', WEIHUI, 'ON_HAND', 20],
        ['TRANSFER_OUT', WEIHUI, 'ON_HAND', -12],
        ['TRANSFER_OUT', TANGZHUANG, 'IN_TRANSIT', 12],
        ['TRANSFER_IN', TANGZHUANG, 'IN_TRANSIT', -12],
        ['TRANSFER_IN', TANGZHUANG, 'ON_HAND', 12],
        ['ISSUE', TANGZHUANG, 'ON_HAND', -5],
      ]);
      expect(trace.movements[0]).toMatchObject({ document: { id: receipt.id }, occurredAt: '2026-07-01T08:00:00+08:00' });
      expect(trace.movements[5].document.id).toBe(issued.id);
      const holdings = Object.fromEntries(trace.holdings.map((h: any) => [h.store.id, [h.onHand, h.inTransit]]));
      expect(holdings).toEqual({ [WEIHUI]: [8, 0], [TANGZHUANG]: [7, 0] });
      expect(trace.recipients).toEqual([{ recipient: '汲水镇比干庙村安置点', quantity: 5, document: { id: issued.id, number: issued.number } }]);
      expect(trace.receivedQuantity).toBe(20);
      expect(trace.issuedQuantity).toBe(5);

      // The keeper follows it as far as their own store: the township's movements and holdings are the township's (policy).
      const kept = ok(
        await t.gql(
          `query($id: ID!) { batchTrace(batchId: $id) { movements { store { id } quantity } holdings { store { id } onHand } recipients { quantity } } }`,
          { id: batchId },
          'keeper',
        ),
      ).batchTrace;
      expect(kept.movements).toEqual([
        { store: { id: WEIHUI }, quantity: 20 },
        { store: { id: WEIHUI }, quantity: -12 },
      ]);
      expect(kept.holdings).toEqual([{ store: { id: WEIHUI }, onHand: 8 }]);
      expect(kept.recipients).toEqual([]);
    });

    it('D18/D22: a reversed issue reached no one — it is not among the recipients nor in issuedQuantity', async () => {
      const item = itemId('LIV-014');
      const batchId = (await receive(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 10, batchNo: 'TRACE-REV' }])).lines[0].batch.id;
      const wrong = ok(
        await issueRaw(t, 'keeper', { storeId: WEIHUI, recipient: '录错的安置点', reason: 'RELIEF', lines: [{ itemId: item, quantity: 4, batchId }] }),
      ).issueStock;
      ok(await reverseRaw(t, 'keeper', wrong.id)); // D24: approved by a second person
      const right = ok(
        await issueRaw(t, 'keeper', { storeId: WEIHUI, recipient: '正确的安置点', reason: 'RELIEF', lines: [{ itemId: item, quantity: 3, batchId }] }),
      ).issueStock;
      const trace = ok(
        await t.gql(
          `query($id: ID!) { batchTrace(batchId: $id) { movements { type quantity } recipients { recipient quantity document { id } } receivedQuantity issuedQuantity holdings { onHand } } }`,
          { id: batchId },
          'keeper',
        ),
      ).batchTrace;
      // The journal keeps everything …
      expect(trace.movements.map((m: any) => [m.type, m.quantity])).toEqual([
        ['RECEIPT', 10],
        ['ISSUE', -4],
        ['REVERSAL', 4],
        ['ISSUE', -3],
      ]);
      // … and the batch reached only the real recipient.
      expect(trace.recipients).toEqual([{ recipient: '正确的安置点', quantity: 3, document: { id: right.id } }]);
      expect(trace.issuedQuantity).toBe(3);
      expect(trace.receivedQuantity).toBe(10);
      expect(trace.holdings).toEqual([{ onHand: 7 }]);
    });

    it('D18: a batch outside the dispatcher’s region → FORBIDDEN; outside a keeper’s stores → FORBIDDEN', async () => {
      const q = `query($id: ID!) { batchTrace(batchId: $id) { movements { quantity } } }`;
      expect(errorCode(await t.gql(q, { id: jinchengBatch }, 'dispatcher'))).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(q, { id: xinxiangBatch }, 'keeper'))).toBe('FORBIDDEN');
      expect(ok(await t.gql(q, { id: jinchengBatch }, 'admin')).batchTrace.movements).toEqual([{ quantity: 10 }]);
    });
  });

  describe('Store.stock and value (API.md Money: exact)', () => {
    it('store(id).stock lists the store’s batches; value = onHand × unit price exactly', async () => {
      const item = itemId('LIV-013');
      await receive(t, 'admin', XINXIANG, [
        { itemId: item, quantity: 7, batchNo: 'VAL-A', unitPrice: '1234.57' },
        { itemId: item, quantity: 3, batchNo: 'VAL-B', unitPrice: '0.10' },
        { itemId: item, quantity: 9, batchNo: 'VAL-C', unitPrice: '123456789.99' },
      ]);
      const q = `query($id: ID!, $item: ID, $first: Int, $after: String) { store(id: $id) { id stock(itemId: $item, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { store { id } item { id } onHand available value batch { batchNo unitPrice } } } } } }`;
      const res = ok(await t.gql(q, { id: XINXIANG, item }, 'dispatcher')).store.stock;
      expect(res.totalCount).toBe(3);
      const byNo = Object.fromEntries(res.edges.map((e: any) => [e.node.batch.batchNo, e.node]));
      expect(byNo['VAL-A']).toMatchObject({
        onHand: 7,
        available: 7,
        value: '8641.99',
        batch: { unitPrice: '1234.57' },
        store: { id: XINXIANG },
        item: { id: item },
      });
      expect(byNo['VAL-B']).toMatchObject({ onHand: 3, value: '0.30', batch: { unitPrice: '0.10' } });
      expect(byNo['VAL-C']).toMatchObject({ onHand: 9, value: '1111111109.91' });

      // Pagination over the store's lines.
      const p1 = ok(await t.gql(q, { id: XINXIANG, item, first: 2 }, 'admin')).store.stock;
      expect(p1.edges).toHaveLength(2);
      expect(p1.pageInfo.hasNextPage).toBe(true);
      const p2 = ok(await t.gql(q, { id: XINXIANG, item, first: 2, after: p1.pageInfo.endCursor }, 'admin')).store.stock;
      expect(p2.edges).toHaveLength(1);
      expect(p2.pageInfo.hasNextPage).toBe(false);
      const seen = [...p1.edges, ...p2.edges].map((e: any) => e.node.batch.batchNo).sort();
      expect(seen).toEqual(['VAL-A', 'VAL-B', 'VAL-C']);
    });

    it('a keeper cannot read another store’s stock (FORBIDDEN)', async () => {
      const res = await t.gql(`query($id: ID!) { store(id: $id) { stock { totalCount } } }`, { id: XINXIANG }, 'keeper');
      expect(errorCode(res)).toBe('FORBIDDEN');
    });
  });

  describe('stockReasons', () => {
    it('lists every reason code with its direction and usages', async () => {
      const reasons = ok(await t.gql(`{ stockReasons { code name direction usages } }`, {}, 'auditor')).stockReasons;
      expect(reasons).toHaveLength(stockReasonSeeds.length);
      expect(new Map(reasons.map((r: any) => [r.code, r.direction]))).toEqual(new Map(stockReasonSeeds.map((r) => [r.code, r.direction])));
      expect(reasons.find((r: any) => r.code === 'STOCKTAKE_GAIN')).toEqual({
        code: 'STOCKTAKE_GAIN',
        name: '盘盈',
        direction: 'INCREASE',
        usages: ['STOCKTAKE'],
      });
      expect(reasons.find((r: any) => r.code === 'MOULDY')).toEqual({ code: 'MOULDY', name: '霉变', direction: 'DECREASE', usages: ['STOCKTAKE', 'SCRAP'] });
      expect(reasons.find((r: any) => r.code === 'TRANSIT_LOSS')).toMatchObject({ direction: 'DECREASE', usages: ['TRANSFER'] });
    });

    it('needs a signed-in user', async () => {
      expect(errorCode(await t.gql(`{ stockReasons { code } }`))).toBe('UNAUTHENTICATED');
    });
  });
});
