import { describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { batchIdOf } from '../../server/inventory/batch-ids.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { DOC_FIELDS, issue, key, receive, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { documentById, ledgerCounts, lineOf, ok, receiveTransferRaw, reverseRaw, shipRaw, stocktakeRaw } from '../support/ledger-ops.ts';

// Sweep 12a F2 (D9, D22, D27): a pending document — a scrap, a stocktake loss, a reversal — posts at its own business
// time when approved. Dated before a count of the same batch at the same store that was recorded meanwhile, it moved
// the book under that count: the count said "book 10, counted 10", the ledger then said 8 at that instant, and the
// reconciliation showed a 2-unit 账实不符 no document explains. Its approval is now refused (INVALID_STATE, naming the
// count), changing nothing; rejected and filed again dated after the count, it posts and reconciles.
// Sweep 12a F4 (D8): stock(orderBy: EXPIRY) breaks ties among equal expiry dates as FEFO does — earliest received.
// The test clock stands at NOW, 2026-07-20 10:00 (China); tests that move it put it back (resetClock).

type T = ReturnType<typeof useTestApp>;
const ext = (res: { errors?: { extensions: Record<string, unknown>; message: string }[] }) => res.errors?.[0]?.extensions ?? {};

const AT_7 = '2026-07-20T07:00:00+08:00';
const AT_8 = '2026-07-20T08:00:00+08:00';
const AT_9 = '2026-07-20T09:00:00+08:00';
const LATER = '2026-07-20T02:30:00Z'; // 10:30 China

/**
 * D23, API.md: a scrap of government stock needs an approved order and posts at once; only the company's own stock in
 * its agreement store is scrapped without one and waits for a second person (D27). The scrap scenarios play there, the
 * administrator filing (receipts, counts, scraps) and the director deciding.
 */
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）
const filer = (store: string) => (store === WEIHUI ? 'keeper' : 'admin');

async function stockUp(t: T, item: string, batchNo: string, quantity: number, occurredAt = AT_7, store = WEIHUI) {
  const doc = await receive(t, filer(store), store, [{ itemId: item, quantity, batchNo, unitPrice: '10.00', expiryDate: '2031-01-01' }], { occurredAt });
  return { receipt: doc, batchId: doc.lines[0].batch.id as string };
}

/** The batch numbers of `item` at 卫辉 as stock(orderBy: EXPIRY) lists them for the keeper, one per page, to the end. */
async function listedByExpiry(t: T, item: string, after?: string): Promise<string[]> {
  const res = ok(
    await t.gql(
      `query($f: StockFilter!, $a: String) { stock(filter: $f, first: 1, after: $a, orderBy: EXPIRY) {
         edges { node { batch { batchNo } } } pageInfo { hasNextPage endCursor } } }`,
      { f: { storeId: WEIHUI, itemId: item }, a: after },
      'keeper',
    ),
  ).stock;
  const nodes = res.edges.map((e: any) => e.node.batch.batchNo as string);
  return res.pageInfo.hasNextPage ? [...nodes, ...(await listedByExpiry(t, item, res.pageInfo.endCursor))] : nodes;
}

/** A scrap without an order, of the company's own stock in its agreement store: it waits for a second person (D27). */
async function pendingScrap(t: T, batchId: string, quantity: number, occurredAt?: string) {
  const res = await t.gql(
    `mutation($input: ScrapStockInput!) { scrapStock(input: $input) { id number status occurredAt } }`,
    {
      input: {
        idempotencyKey: key(),
        storeId: AGREEMENT_STORE,
        approvalRef: 'JD-2026-12A',
        reason: 'MOULDY',
        ...(occurredAt ? { occurredAt } : {}),
        lines: [{ batchId, quantity }],
      },
    },
    'admin',
  );
  const doc = ok(res).scrapStock;
  expect(doc.status).toBe('PENDING_APPROVAL');
  return { doc, approvalId: await pendingApprovalOf(t, doc.id, 'SCRAP') };
}

const count = (t: T, counts: Record<string, unknown>[], occurredAt?: string, store = WEIHUI) =>
  stocktakeRaw(t, filer(store), { storeId: store, ...(occurredAt ? { occurredAt } : {}), counts }, DOC_FIELDS, false);

async function reconciliationOf(t: T, batchId: string, store = WEIHUI) {
  const rows = ok(
    await t.gql(
      `{ reconciliation(regionCode: "${store === WEIHUI ? '410781' : '410711'}") { store { id } batch { id } ledgerOnHand balanceOnHand lastCountedQuantity movementsSinceCount countVsBalance } }`,
      {},
      'auditor',
    ),
  ).reconciliation;
  return rows.find((r: any) => r.store.id === store && r.batch.id === batchId);
}

describe('a pending document dated before a later count of its batch (sweep 12a F2, D9, D22, D27)', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });

  // Sweep 24c F8: the count that made the pending scrap unapprovable is itself refused now (it names the scrap): the
  // correction is decided first, then the shelf counted. The approval's refusal (assertNoLaterCount) stays as the
  // backstop; the count no longer reaches it.
  it('D9, D27: a scrap dated 08:00 awaits approval — the shelf counted at 10:00 (10 = 10) is refused naming it, nothing changed; approved, then counted, 账实相符', async () => {
    const item = itemId('LIV-008');
    const { batchId } = await stockUp(t, item, 'CT-SCRAP', 10, AT_7, AGREEMENT_STORE);
    const scrap = await pendingScrap(t, batchId, 2, AT_8);
    const before = await ledgerCounts(t);
    const refused = await count(t, [{ batchId, countedQuantity: 10 }], undefined, AGREEMENT_STORE);
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(refused.errors![0].message).toContain(`批次 CT-SCRAP 有待审批的报废单 ${scrap.doc.number}（2）`);
    expect(ext(refused)).toMatchObject({ field: 'input.counts.0.batchId', pendingDocuments: [scrap.doc.number] });
    expect(await ledgerCounts(t)).toEqual(before);
    ok(await decideRaw(t, 'director', scrap.approvalId, 'APPROVE'));
    expect((await documentById(t, scrap.doc.id)).status).toBe('POSTED');
    expect(ok(await count(t, [{ batchId, countedQuantity: 8 }], undefined, AGREEMENT_STORE)).submitStocktake.status).toBe('POSTED');
    expect(await lineOf(t, AGREEMENT_STORE, item, batchId)).toMatchObject({ onHand: 8, reserved: 0 });
    expect(await reconciliationOf(t, batchId, AGREEMENT_STORE)).toMatchObject({
      ledgerOnHand: 8,
      lastCountedQuantity: 8,
      movementsSinceCount: 0,
      countVsBalance: 0,
    });
  });

  it('D9, D27: a back-dated count loss (09:00) approved after a later count that agreed (10:00) is refused as well', async () => {
    const item = itemId('LIV-009');
    const { batchId } = await stockUp(t, item, 'CT-LOSS', 20);
    const agreed = ok(await count(t, [{ batchId, countedQuantity: 20 }])).submitStocktake;
    expect(agreed.status).toBe('POSTED');
    const loss = ok(await count(t, [{ batchId, countedQuantity: 18, reason: 'DAMAGED' }], AT_9)).submitStocktake;
    expect(loss.status).toBe('PENDING_APPROVAL');
    const before = await ledgerCounts(t);
    const refused = await decideRaw(t, 'director', await pendingApprovalOf(t, loss.id, 'STOCKTAKE'), 'APPROVE');
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(refused.errors![0].message).toMatch(new RegExp(`^${loss.number} 的业务时间 2026-07-20 09:00 早于批次 CT-LOSS 的盘点 ${agreed.number}（`));
    expect(ext(refused)).toMatchObject({ stocktake: agreed.number, batchId });
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await lineOf(t, WEIHUI, item, batchId)).toMatchObject({ onHand: 20, reserved: 2 });
    expect(await reconciliationOf(t, batchId)).toMatchObject({ lastCountedQuantity: 20, countVsBalance: 0 });
  });

  // Sweep 24c F8: the count at 10:30 is refused while the reversal waits (it would make it unapprovable): approved, it posts.
  it('D22, D24: a reversal asked at 10:00 — the batch counted at 10:30 is refused naming it; the reversal is approved', async () => {
    const item = itemId('LIV-011');
    const { receipt, batchId } = await stockUp(t, item, 'CT-REV', 6);
    const reversal = ok(await reverseRaw(t, 'keeper', receipt.id, key(), false)).reverseDocument;
    expect(reversal.status).toBe('PENDING_APPROVAL');
    t.clock.set(LATER);
    const before = await ledgerCounts(t);
    const refused = await count(t, [{ batchId, countedQuantity: 6 }]);
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(refused.errors![0].message).toContain(`有待审批的冲销单 ${reversal.number}（6）`);
    expect(await ledgerCounts(t)).toEqual(before);
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, reversal.id, 'REVERSAL'), 'APPROVE'));
    expect((await documentById(t, receipt.id)).status).toBe('REVERSED');
  });

  // Sweep 24c F8: a count with a difference is refused as well while the scrap waits (not only one below its hold).
  it('D9, D27: a gain counted while a scrap of the batch awaits approval is refused naming the scrap; no pending count is left', async () => {
    const item = itemId('LIV-013');
    const { batchId } = await stockUp(t, item, 'CT-PEND', 10, AT_7, AGREEMENT_STORE);
    const scrap = await pendingScrap(t, batchId, 1, AT_8);
    const refused = await count(t, [{ batchId, countedQuantity: 11, reason: 'STOCKTAKE_GAIN' }], undefined, AGREEMENT_STORE);
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(refused.errors![0].message).toContain(`有待审批的报废单 ${scrap.doc.number}（1）`);
    ok(await decideRaw(t, 'director', scrap.approvalId, 'APPROVE'));
    expect(await lineOf(t, AGREEMENT_STORE, item, batchId)).toMatchObject({ onHand: 9, reserved: 0 });
  });

  it('D9, D27: normal paths unchanged — a scrap dated before a count approved before it, one dated after a count, one of another batch; all reconcile', async () => {
    const item = itemId('LIV-014');
    const { batchId: first } = await stockUp(t, item, 'CT-OK-1', 10, AT_7, AGREEMENT_STORE);
    const { batchId: second } = await stockUp(t, item, 'CT-OK-2', 10, AT_7, AGREEMENT_STORE);
    const { batchId: third } = await stockUp(t, item, 'CT-OK-3', 10, AT_7, AGREEMENT_STORE);
    // Approved before the count: the count is taken on the book it left.
    const early = await pendingScrap(t, first, 2, AT_8);
    ok(await decideRaw(t, 'director', early.approvalId, 'APPROVE'));
    // A count of the second batch, back-dated to 09:00; a scrap dated 09:30 after it.
    expect(ok(await count(t, [{ batchId: second, countedQuantity: 10 }], AT_9, AGREEMENT_STORE)).submitStocktake.status).toBe('POSTED');
    const after = await pendingScrap(t, second, 3, '2026-07-20T09:30:00+08:00');
    // The third batch is scrapped back-dated while only the first is counted later: no count of its own.
    const other = await pendingScrap(t, third, 4, AT_8);
    expect(ok(await count(t, [{ batchId: first, countedQuantity: 8 }], undefined, AGREEMENT_STORE)).submitStocktake.status).toBe('POSTED');
    ok(await decideRaw(t, 'director', after.approvalId, 'APPROVE'));
    ok(await decideRaw(t, 'director', other.approvalId, 'APPROVE'));
    expect(await reconciliationOf(t, first, AGREEMENT_STORE)).toMatchObject({
      ledgerOnHand: 8,
      lastCountedQuantity: 8,
      movementsSinceCount: 0,
      countVsBalance: 0,
    });
    expect(await reconciliationOf(t, second, AGREEMENT_STORE)).toMatchObject({
      ledgerOnHand: 7,
      lastCountedQuantity: 10,
      movementsSinceCount: -3,
      countVsBalance: 0,
    });
    expect(await reconciliationOf(t, third, AGREEMENT_STORE)).toMatchObject({ ledgerOnHand: 6, lastCountedQuantity: null, countVsBalance: null });
  });
});

describe('stock(orderBy: EXPIRY) in FEFO order (sweep 12a F4, D8)', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });

  it('D8: equal expiry dates are listed earliest received first (a batch transferred in by its original receipt), as FEFO then issues them — across pages and for Store.stock', async () => {
    const item = itemId('LIV-007');
    const expiryDate = '2026-07-31';
    // Batch ids follow from item and number: the receipts are timed against the ids' order, so that a list tied by
    // batch id (the old order) and one tied by receipt (FEFO's) cannot agree by chance.
    const numbers = ['F4-A', 'F4-B', 'F4-C', 'F4-D'];
    const ids = new Map(await Promise.all(numbers.map(async (n) => [n, await batchIdOf(t.database.db, item, n)] as const)));
    const byIdDesc = [...numbers].sort((a, b) => (ids.get(a)! < ids.get(b)! ? 1 : -1));
    const [moved, ...here] = byIdDesc;
    // The one with the greatest id was received first, at 新乡市 (06:00), and transferred in now.
    const doc = await receive(t, 'admin', XINXIANG, [{ itemId: item, quantity: 10, batchNo: moved, unitPrice: '20.00', expiryDate }], {
      occurredAt: '2026-07-20T06:00:00+08:00',
    });
    const movedId = doc.lines[0].batch.id as string;
    const shipped = ok(
      await shipRaw(t, 'admin', { fromStoreId: XINXIANG, toStoreId: WEIHUI, lines: [{ itemId: item, batchId: movedId, quantity: 10 }] }),
    ).shipTransfer;
    ok(await receiveTransferRaw(t, 'keeper', { transferId: shipped.id, lines: [{ batchId: movedId, quantity: 10 }] }));
    // The others here, in falling id order: 07:00, 08:00, 09:00.
    for (const [i, batchNo] of here.entries()) {
      await receive(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 10, batchNo, unitPrice: '20.00', expiryDate }], {
        occurredAt: `2026-07-20T0${7 + i}:00:00+08:00`,
      });
    }
    const LINES = `edges { node { expired batch { batchNo } store { id } } } pageInfo { hasNextPage endCursor }`;
    const ofStore = ok(
      await t.gql(`query($s: ID!, $i: ID) { store(id: $s) { stock(itemId: $i, first: 50, orderBy: EXPIRY) { ${LINES} } } }`, { s: WEIHUI, i: item }, 'keeper'),
    ).store.stock.edges.map((e: any) => e.node.batch.batchNo);
    const list = await listedByExpiry(t, item);
    expect(list).toEqual(byIdDesc);
    expect(ofStore).toEqual(byIdDesc);
    // FEFO takes them in the same order: 35 = 10 + 10 + 10 + 5.
    const issued = ok(await issue(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 35 }])).issueStock;
    expect(issued.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual(byIdDesc.map((n, i) => [n, i < 3 ? -10 : -5]));
  });
});

describe('FEFO breaks a tie of expiry and receipt by batch number (D8)', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });

  it('D8: two batches of one expiry in one receipt are listed (page by page) and issued by batch number, not by their ids — which are keyed per database', async () => {
    const item = itemId('LIV-007');
    // Of eight numbers, two whose ids fall the other way round than the numbers, so that an order by id cannot pass.
    const numbers = Array.from({ length: 8 }, (_, i) => `TIE-${i + 1}`);
    const ids = new Map(await Promise.all(numbers.map(async (n) => [n, await batchIdOf(t.database.db, item, n)] as const)));
    const pair = numbers.flatMap((a) => numbers.filter((b) => a < b && ids.get(a)! > ids.get(b)!).map((b) => [a, b]))[0];
    expect(pair, 'eight ids in the numbers’ own order').toBeDefined();
    const [first, second] = pair;
    // One receipt: one instant, one expiry — the later number given first.
    const lines = [second, first].map((batchNo) => ({ itemId: item, quantity: 10, batchNo, unitPrice: '20.00', expiryDate: '2029-03-31' }));
    await receive(t, 'keeper', WEIHUI, lines, { occurredAt: AT_8 });
    expect(await listedByExpiry(t, item)).toEqual([first, second]);
    const issued = ok(await issue(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 15 }])).issueStock;
    expect(issued.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual([
      [first, -10],
      [second, -5],
    ]);
  });
});
