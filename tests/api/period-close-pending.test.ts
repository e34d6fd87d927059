import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId, userId } from '../../seeds/demo.ts';
import { submitStocktake } from '../../server/inventory/stocktakes.ts';
import { loadPrincipal } from '../../server/users/service.ts';
import { itemId } from '../../seeds/reference.ts';
import { dbKind, errorCode, NOW, useTestApp, type GqlResult, type TestApp } from '../support/harness.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { DOC_FIELDS, expectLedgerConsistent, key, receive, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { ok, receiveTransferRaw, reverseRaw, shipRaw, stocktakeRaw } from '../support/ledger-ops.ts';

// D22, D27: a document dated in a month that still awaits a second person (a stocktake difference, a scrap, a loss in
// transit, a reversal) would post into that month on approval. The month closes only once each is approved or
// rejected; one left in a month closed before this rule can only be rejected, and the approver is told so.

const JUNE = '2026-06';
const june = (day: number) => `2026-06-${String(day).padStart(2, '0')}T10:00:00+08:00`;

const closeRaw = (t: TestApp, month: string) => t.gql(`mutation($m: String!) { closePeriod(month: $m) { month } }`, { m: month }, 'admin');
const closedMonths = async (t: TestApp) => ok(await t.gql(`{ periodCloses { month } }`, {}, 'auditor')).periodCloses.map((c: { month: string }) => c.month);

/**
 * D23, API.md: only the company's own stock in its own agreement store is scrapped without an order, and so waits for
 * a second person (D27); government stock's scrap posts under its approved order. The pending scrap is of that stock.
 */
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）

/** Receives `quantity` of a fresh batch at 卫辉 (or, by the administrator, at `store`), dated 5 June; returns its batch id. */
async function juneBatch(t: TestApp, item: string, batchNo: string, quantity = 50, store = WEIHUI) {
  const as = store === WEIHUI ? 'keeper' : 'admin';
  const doc = await receive(t, as, store, [{ itemId: item, quantity, batchNo, unitPrice: '20.00', expiryDate: '2031-01-01' }], {
    occurredAt: june(5),
  });
  return doc.lines[0].batch.id as string;
}

/** A stocktake with a loss, left pending (D27). */
async function pendingStocktake(t: TestApp, batchId: string, occurredAt: string, countedQuantity = 45) {
  const doc = ok(
    await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, occurredAt, counts: [{ batchId, countedQuantity, reason: 'DAMAGED' }] }, DOC_FIELDS, false),
  ).submitStocktake;
  expect(doc.status).toBe('PENDING_APPROVAL');
  return doc as { id: string; number: string };
}

describe('D22/D27: a month does not close while documents dated in it await approval', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  /** The four June documents pending approval, and one dated in July. */
  const docs = {} as Record<'stocktake' | 'scrap' | 'writeOff' | 'reversal' | 'july', { id: string; number: string; approvalId: string }>;
  const batches = {} as Record<'counted' | 'july', string>;

  beforeAll(async () => {
    batches.counted = await juneBatch(t, itemId('LIV-004'), 'PC-COUNT');
    const scrapped = await juneBatch(t, itemId('LIV-005'), 'PC-SCRAP', 50, AGREEMENT_STORE);
    const shipped = await juneBatch(t, itemId('LIV-006'), 'PC-SHIP');
    batches.july = await juneBatch(t, itemId('LIV-007'), 'PC-JULY');

    const stocktake = await pendingStocktake(t, batches.counted, june(20));
    // The company's own stock in its agreement store: its scrap needs no order and waits (D23, D27); a scrap of 卫辉's
    // government stock would need an approved order and post at once, leaving nothing pending.
    const scrap = ok(
      await t.gql(
        `mutation($input: ScrapStockInput!) { scrapStock(input: $input) { id number status } }`,
        {
          input: {
            storeId: AGREEMENT_STORE,
            approvalRef: '卫应急〔2026〕7号 鉴定意见',
            reason: 'MOULDY',
            occurredAt: june(15),
            idempotencyKey: key(),
            lines: [{ batchId: scrapped, quantity: 4 }],
          },
        },
        'admin',
      ),
    ).scrapStock;
    expect(scrap.status).toBe('PENDING_APPROVAL');
    // A loss in transit: shipped on the 10th, 3 short on arrival at 唐庄 on the 12th → a write-off awaiting approval.
    const transfer = ok(
      await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, occurredAt: june(10), lines: [{ itemId: itemId('LIV-006'), quantity: 20 }] }),
    ).shipTransfer;
    ok(
      await receiveTransferRaw(t, 'admin', {
        transferId: transfer.id,
        occurredAt: june(12),
        lines: [{ batchId: shipped, quantity: 17, discrepancyReason: 'TRANSIT_LOSS' }],
      }),
    );
    const [writeOff] = await queryRows<{ id: string; number: string }>(
      t.database.db,
      sql`SELECT id, number FROM documents WHERE type = 'WRITE_OFF' AND transfer_id = ${transfer.id}::uuid AND status = 'PENDING_APPROVAL'`,
    );
    expect(writeOff).toBeTruthy();
    // A reversal asked for on 28 June (a reversal is dated when it is asked for).
    t.clock.set('2026-06-28T02:00:00Z');
    let reversal: { id: string; number: string; status?: string; occurredAt?: string };
    try {
      const original = await receive(t, 'keeper', WEIHUI, [
        { itemId: itemId('LIV-008'), quantity: 6, batchNo: 'PC-REV', unitPrice: '30.00', expiryDate: '2031-01-01' },
      ]);
      reversal = ok(await reverseRaw(t, 'keeper', original.id, key(), false)).reverseDocument;
      expect(reversal.status).toBe('PENDING_APPROVAL');
      expect(Date.parse(reversal.occurredAt!)).toBe(Date.parse('2026-06-28T02:00:00Z'));
    } finally {
      t.clock.set(NOW);
    }
    const july = await pendingStocktake(t, batches.july, '2026-07-02T10:00:00+08:00');

    const withApproval = async (d: { id: string; number: string }, kind: string) => ({
      id: d.id,
      number: d.number,
      approvalId: await pendingApprovalOf(t, d.id, kind),
    });
    docs.stocktake = await withApproval(stocktake, 'STOCKTAKE');
    docs.scrap = await withApproval(scrap, 'SCRAP');
    docs.writeOff = await withApproval(writeOff, 'WRITE_OFF');
    docs.reversal = await withApproval(reversal!, 'REVERSAL');
    docs.july = await withApproval(july, 'STOCKTAKE');
  });

  it('D22/D27: closePeriod is INVALID_STATE while a stocktake, scrap, write-off or reversal dated in the month awaits approval; the message names them, extensions list their ids', async () => {
    const res = await closeRaw(t, JUNE);
    expect(errorCode(res), JSON.stringify(res.errors)).toBe('INVALID_STATE');
    const [error] = res.errors!;
    const june4 = [docs.scrap, docs.writeOff, docs.stocktake, docs.reversal];
    expect(error.message).toContain('4 张单据待审批');
    expect(error.message).toContain('审批通过或驳回');
    for (const d of june4) expect(error.message).toContain(d.number);
    expect(error.message).not.toContain(docs.july.number); // dated after the cutoff: July's business
    expect(error.extensions).toMatchObject({ field: 'month', pendingCount: 4 });
    expect([...(error.extensions.documentIds as string[])].sort()).toEqual(june4.map((d) => d.id).sort());
    expect([...(error.extensions.approvalIds as string[])].sort()).toEqual(june4.map((d) => d.approvalId).sort());
    expect(await closedMonths(t)).toEqual([]);
  });

  it('D22/D27: once each is approved or rejected, the month closes, and the approved stocktake loss is in its closing balance', async () => {
    ok(await decideRaw(t, 'admin', docs.stocktake.approvalId, 'APPROVE'));
    ok(await decideRaw(t, 'director', docs.writeOff.approvalId, 'APPROVE')); // the administrator received it
    ok(await decideRaw(t, 'director', docs.scrap.approvalId, 'REJECT')); // the administrator asked for it
    // Three of four decided: still refused, naming the one left.
    const one = await closeRaw(t, JUNE);
    expect(errorCode(one)).toBe('INVALID_STATE');
    expect(one.errors![0].message).toContain(`1 张单据待审批（${docs.reversal.number}）`);
    ok(await decideRaw(t, 'admin', docs.reversal.approvalId, 'REJECT'));

    const closed = await closeRaw(t, JUNE);
    expect(closed.errors, JSON.stringify(closed.errors)).toBeUndefined();
    expect(await closedMonths(t)).toEqual(['2026-06']);
    const [snapshot] = await queryRows<{ on_hand: number }>(
      t.database.db,
      sql`SELECT on_hand FROM balance_snapshots WHERE month = '2026-06-01' AND store_id = ${WEIHUI}::uuid AND batch_id = ${batches.counted}::uuid`,
    );
    expect(Number(snapshot.on_hand)).toBe(45);
    // The July stocktake did not hold June back, and is still pending.
    expect(ok(await t.gql(`query($id: ID!) { document(id: $id) { status } }`, { id: docs.july.id }, 'admin')).document.status).toBe('PENDING_APPROVAL');
  });

  it('D22/D27: a pending document left in a month closed before this rule: approving it is INVALID_STATE (month closed: reject and resubmit), not BAD_USER_INPUT on input.occurredAt; rejecting it works', async () => {
    // A close recorded as an earlier version did it: without looking at what was pending (July is not over; the
    // row is written straight into the table).
    await t.database.db.execute(
      sql`INSERT INTO period_closes (month, cutoff, closed_by, closed_at)
          VALUES ('2026-07-01', '2026-08-01T00:00:00+08:00', ${userId('admin')}::uuid, ${NOW}::timestamptz)`,
    );
    const res: GqlResult = await decideRaw(t, 'admin', docs.july.approvalId, 'APPROVE');
    expect(errorCode(res), JSON.stringify(res.errors)).toBe('INVALID_STATE');
    const [error] = res.errors!;
    expect(error.message).toContain(docs.july.number);
    expect(error.message).toContain('已月结');
    expect(error.message).toContain('驳回');
    expect(error.extensions).toMatchObject({ reason: 'PERIOD_CLOSED', documentId: docs.july.id });
    expect(error.extensions.field).toBeUndefined();
    // Nothing changed: the approval still waits, the loss is still only held.
    const pending = ok(await t.gql(`query($id: ID!) { document(id: $id) { status } }`, { id: docs.july.id }, 'admin')).document;
    expect(pending.status).toBe('PENDING_APPROVAL');
    expect(await pendingApprovalOf(t, docs.july.id, 'STOCKTAKE')).toBe(docs.july.approvalId);

    ok(await decideRaw(t, 'admin', docs.july.approvalId, 'REJECT', { reason: '所在月份已月结，请重新盘点登记' }));
    const rejected = ok(await t.gql(`query($id: ID!) { document(id: $id) { status } }`, { id: docs.july.id }, 'admin')).document;
    expect(rejected.status).toBe('REJECTED');
  });
});

describe('D22/D27: a stocktake submitted while its month closes', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  it('D22/D27: a pending stocktake not yet committed when the close starts: the close waits for it, then is refused naming it', async () => {
    const batchId = await juneBatch(t, itemId('LIV-009'), 'PC-HELD');
    const keeper = (await loadPrincipal(t.database.db, userId('keeper')))!;
    let submitted!: () => void;
    const inTransaction = new Promise<void>((resolve) => (submitted = resolve));
    let number = '';
    await t.token('admin'); // logged in beforehand: the close goes out at once
    /** PostgreSQL: until the close waits for a lock on documents (at most 3 s). PGlite runs one transaction at a time. */
    const closeWaiting = async () => {
      for (let waited = 0; waited < 3_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (dbKind === 'pglite') return;
        const [{ n }] = await queryRows<{ n: number }>(
          t.database.db,
          sql`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'documents'::regclass`,
        );
        if (Number(n) > 0) return;
      }
    };
    // The submission's transaction stays open after its document is written (as a slow request's would) until the
    // close is under way.
    const held = t.database.db.transaction(async (tx) => {
      try {
        const posted = await submitStocktake(
          { db: tx, actor: keeper, clock: t.clock },
          {
            storeId: WEIHUI,
            occurredAt: DateTime.fromISO(june(26)),
            idempotencyKey: key(),
            counts: [{ batchId, countedQuantity: 41, reason: 'DAMAGED' }],
          },
        );
        number = posted.document!.number;
      } finally {
        submitted();
      }
      await closeWaiting();
    });
    await inTransaction;
    const close = closeRaw(t, JUNE);
    await held;
    const res = await close;
    expect(errorCode(res), JSON.stringify(res)).toBe('INVALID_STATE');
    expect(res.errors![0].message).toContain(`1 张单据待审批（${number}）`);
    expect(await closedMonths(t)).toEqual([]);
    const [doc] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM documents WHERE number = ${number}`);
    ok(await decideRaw(t, 'admin', await pendingApprovalOf(t, doc.id, 'STOCKTAKE'), 'REJECT'));
  });

  it('D22/D27: either the close waits for it and is refused naming it, or it is refused as dated in a closed month: never a closed month with a pending document', async () => {
    const items = ['LIV-004', 'LIV-005', 'LIV-006', 'LIV-007'].map((code) => itemId(code));
    const counted = await Promise.all(items.map((item, i) => juneBatch(t, item, `PC-RACE-${i}`)));
    const submit = (batchId: string) =>
      stocktakeRaw(t, 'keeper', { storeId: WEIHUI, occurredAt: june(25), counts: [{ batchId, countedQuantity: 40, reason: 'DAMAGED' }] }, DOC_FIELDS, false);
    const [close, ...stocktakes] = await Promise.all([closeRaw(t, JUNE), ...counted.map(submit)]);

    const [{ n }] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM documents WHERE status = 'PENDING_APPROVAL' AND occurred_at < '2026-07-01T00:00:00+08:00'`,
    );
    const accepted = stocktakes.filter((s) => !s.errors);
    for (const s of stocktakes.filter((r) => r.errors)) {
      expect(errorCode(s)).toBe('BAD_USER_INPUT');
      expect(s.errors![0].extensions.reason).toBe('PERIOD_CLOSED');
    }
    if (close.errors) {
      expect(errorCode(close)).toBe('INVALID_STATE');
      expect(Number(n)).toBe(accepted.length);
      expect(await closedMonths(t)).toEqual([]);
    } else {
      expect(Number(n)).toBe(0);
      expect(accepted).toEqual([]);
      expect(await closedMonths(t)).toEqual(['2026-06']);
    }
  });
});
