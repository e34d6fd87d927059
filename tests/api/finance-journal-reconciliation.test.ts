import { sql, type SQL } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stableId } from '../../server/ids.ts';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, issue, JINCHENG, QUILT, SANDBAG, WEIHUI, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ok, stocktakeRaw } from '../support/ledger-ops.ts';
import { buildFinanceHistory, fen, yuan, type FinanceHistory } from '../support/finance.ts';

// D22: every change is journaled (who, when, what, from which document); reconciliation proves the balance
// table is the ledger's sum and compares it with the last stocktake (D9).

const NODE = `id type bucket quantity unitPrice value occurredAt recordedAt document { id number type } store { id } item { id } batch { batchNo }
  reason { code name } actor { username displayName }`;
const JOURNAL = `query($f: JournalFilter!, $first: Int, $after: String) {
  journal(filter: $f, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${NODE} } } } }`;
const RECONCILIATION = `query($r: String) { reconciliation(regionCode: $r) {
  store { id } batch { id batchNo } ledgerOnHand balanceOnHand ledgerInTransit balanceInTransit ledgerVsBalance
  lastCountedQuantity lastCountedAt movementsSinceCount countVsBalance } }`;

type T = ReturnType<typeof useTestApp>;
type Filter = Record<string, string>;

const journalRaw = (t: T, f: Filter, as = 'auditor', page: { first?: number; after?: string } = {}) => t.gql(JOURNAL, { f, ...page }, as);

/** The whole journal for a filter, page by page. */
async function journalAll(t: T, f: Filter, first: number, as = 'auditor') {
  const nodes: any[] = [];
  let after: string | undefined;
  let totalCount: number | undefined;
  for (let page = 0; page < 200; page++) {
    const j = ok(await journalRaw(t, f, as, { first, after })).journal;
    totalCount ??= j.totalCount;
    expect(j.totalCount).toBe(totalCount);
    expect(j.edges.length).toBeLessThanOrEqual(first);
    nodes.push(...j.edges.map((e: any) => e.node));
    if (!j.pageInfo.hasNextPage) break;
    expect(j.edges.length).toBe(first);
    after = j.pageInfo.endCursor;
  }
  return { nodes, totalCount: totalCount! };
}

/** Movement ids (newest first: in the ledger's order) straight from SQL, as the API names them (UUIDs, API.md). */
async function movementIds(t: T, where: SQL) {
  const rows = await queryRows<{ id: string }>(
    t.database.db,
    sql`SELECT m.id::text AS id FROM movements m JOIN stores s ON s.id = m.store_id WHERE ${where} ORDER BY m.id DESC`,
  );
  return rows.map((r) => stableId('movement', String(r.id)));
}

describe('journal (D22)', () => {
  const t = useTestApp();
  let h: FinanceHistory;
  afterEach(() => expectLedgerConsistent(t));
  beforeAll(async () => {
    h = await buildFinanceHistory(t);
  });

  it('D22: the 新乡 journal lists every movement of the region, newest first, with document number, type, reason, actor, quantity and value', async () => {
    const { nodes, totalCount } = await journalAll(t, { regionCode: '410700' }, 500);
    const want = await movementIds(t, sql`s.region_code LIKE '4107%'`);
    expect(nodes.map((n) => n.id)).toEqual(want);
    expect(totalCount).toBe(want.length);
    // Newest first: by recording order (the SQL order above), and (this history was recorded in business order) by business time.
    for (let i = 1; i < nodes.length; i++) expect(Date.parse(nodes[i].occurredAt)).toBeLessThanOrEqual(Date.parse(nodes[i - 1].occurredAt));
    const prefix: Record<string, string> = { RECEIPT: 'RK', ISSUE: 'CK', TRANSFER_OUT: 'DB', TRANSFER_IN: 'DR', STOCKTAKE: 'PD', REVERSAL: 'CX' };
    for (const n of nodes) {
      expect(n.value).toBe(yuan(BigInt(n.quantity) * fen(n.unitPrice)));
      expect(n.document.type).toBe(n.type);
      expect(n.document.number).toMatch(new RegExp(`^${prefix[n.type]}-2026-\\d{6}$`));
      expect(n.actor.username).toMatch(/^(admin|keeper)$/);
      expect(n.store.id).not.toBe(JINCHENG);
    }
    // The relief issue of 2026-04-10 at 卫辉: 20 quilts at 12.35.
    const relief = nodes.filter((n) => n.document.id === h.documents.E5.id);
    expect(relief).toEqual([
      expect.objectContaining({
        type: 'ISSUE',
        bucket: 'ON_HAND',
        quantity: -20,
        unitPrice: '12.35',
        value: '-247.00',
        store: { id: WEIHUI },
        item: { id: QUILT },
        batch: { batchNo: 'VA-Q2' },
        reason: { code: 'RELIEF', name: '救灾发放' },
        actor: { username: 'keeper', displayName: '卫辉市储备库库管员' },
        document: { id: h.documents.E5.id, number: h.documents.E5.number, type: 'ISSUE' },
      }),
    ]);
    expect(Date.parse(relief[0].occurredAt)).toBe(Date.parse('2026-04-10T16:00:00+08:00'));
    expect(Date.parse(relief[0].recordedAt)).toBe(Date.parse('2026-04-10T17:00:00+08:00'));
    // A transfer: out of 新乡市库 on hand, into 卫辉 in transit; both in the journal, by the admin.
    const shipped = nodes.filter((n) => n.type === 'TRANSFER_OUT' && n.document.number === h.documents.E6.number);
    expect(shipped.map((n) => [n.store.id, n.bucket, n.quantity, n.value, n.actor.username]).sort()).toEqual(
      [
        [WEIHUI, 'IN_TRANSIT', 10, '21800.00', 'admin'],
        [XINXIANG, 'ON_HAND', -10, '-21800.00', 'admin'],
      ].sort(),
    );
    // The stocktake loss carries its reason; the reversal negates the May receipt.
    expect(nodes.find((n) => n.type === 'STOCKTAKE')).toMatchObject({
      quantity: -10,
      value: '-11.50',
      reason: { code: 'DAMAGED', name: '破损' },
      document: { number: h.documents.E8.number },
    });
    expect(nodes.find((n) => n.type === 'REVERSAL')).toMatchObject({
      quantity: -3,
      unitPrice: '1999.99',
      value: '-5999.97',
      actor: { username: 'keeper' },
      document: { number: h.documents.E14.number },
    });
  });

  it('D22: filters by period, region, store, item and document type (alone and combined) return exactly the matching movements', async () => {
    const from = '2026-04-01T00:00:00+08:00';
    const to = '2026-05-31T23:59:59+08:00';
    const cases: [Filter, SQL][] = [
      [{ regionCode: '410700', from, to }, sql`s.region_code LIKE '4107%' AND m.occurred_at >= ${from}::timestamptz AND m.occurred_at <= ${to}::timestamptz`],
      [{ regionCode: '410781' }, sql`s.region_code LIKE '410781%'`],
      [{ storeId: WEIHUI }, sql`m.store_id = ${WEIHUI}::uuid`],
      [{ itemId: QUILT }, sql`s.region_code LIKE '4107%' AND m.item_id = ${QUILT}::uuid`],
      [{ documentType: 'RECEIPT' }, sql`s.region_code LIKE '4107%' AND m.type = 'RECEIPT'`],
      [{ documentType: 'TRANSFER_OUT', regionCode: '410700' }, sql`s.region_code LIKE '4107%' AND m.type = 'TRANSFER_OUT'`],
      [
        { storeId: WEIHUI, itemId: COTTON_TENT, from },
        sql`m.store_id = ${WEIHUI}::uuid AND m.item_id = ${COTTON_TENT}::uuid AND m.occurred_at >= ${from}::timestamptz`,
      ],
      [{ regionCode: '410781', documentType: 'ISSUE', to }, sql`s.region_code LIKE '410781%' AND m.type = 'ISSUE' AND m.occurred_at <= ${to}::timestamptz`],
      [{ documentId: h.documents.E1.id }, sql`m.document_id = ${h.documents.E1.id}::uuid`],
      [{ from: '2026-07-15T00:00:00+08:00' }, sql`s.region_code LIKE '4107%' AND m.occurred_at >= '2026-07-15T00:00:00+08:00'::timestamptz`],
    ];
    for (const [f, where] of cases) {
      const want = await movementIds(t, where);
      const { nodes, totalCount } = await journalAll(t, f, 500);
      expect({ f, ids: nodes.map((n) => n.id), totalCount }).toEqual({ f, ids: want, totalCount: want.length });
    }
    // The filters are not vacuous.
    expect(
      (await journalAll(t, { regionCode: '410700', from, to }, 500)).nodes.every(
        (n) => Date.parse(n.occurredAt) >= Date.parse(from) && Date.parse(n.occurredAt) <= Date.parse(to),
      ),
    ).toBe(true);
    expect((await journalAll(t, { documentType: 'STOCKTAKE' }, 500)).totalCount).toBe(1);
    expect((await journalAll(t, { itemId: SANDBAG }, 500)).nodes.map((n) => n.quantity)).toEqual([-10, 10000]);
  });

  it.each([1, 3, 7])('D22: pagination with first=%i walks the journal without gaps or repeats', async (first) => {
    const all = await journalAll(t, { regionCode: '410700' }, 500);
    const paged = await journalAll(t, { regionCode: '410700' }, first);
    expect(paged.nodes.map((n) => n.id)).toEqual(all.nodes.map((n) => n.id));
    expect(new Set(paged.nodes.map((n) => n.id)).size).toBe(paged.nodes.length);
    expect(paged.totalCount).toBe(all.totalCount);
  });

  it('D22: an auditor outside the region is FORBIDDEN; the default scope is the auditor’s region; keepers read no journal', async () => {
    expect(errorCode(await journalRaw(t, { regionCode: '140500' }))).toBe('FORBIDDEN');
    expect(errorCode(await journalRaw(t, { storeId: JINCHENG }))).toBe('FORBIDDEN');
    expect(errorCode(await journalRaw(t, { regionCode: '140500' }, 'dispatcher'))).toBe('FORBIDDEN');
    expect(errorCode(await journalRaw(t, { regionCode: '410781' }, 'keeper'))).toBe('FORBIDDEN');
    expect(errorCode(await journalRaw(t, {}, 'keeper'))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(JOURNAL, { f: {} }))).toBe('UNAUTHENTICATED');
    const mine = await journalAll(t, {}, 500);
    expect(mine.nodes.map((n) => n.id)).toEqual(await movementIds(t, sql`s.region_code LIKE '4107%'`));
    // The administrator sees 晋城 too.
    const everything = await journalAll(t, {}, 500, 'admin');
    expect(everything.nodes.map((n) => n.id)).toEqual(await movementIds(t, sql`TRUE`));
    expect(everything.nodes.some((n) => n.store.id === JINCHENG)).toBe(true);
  });
});

describe('reconciliation (D22, D9)', () => {
  const t = useTestApp();
  let h: FinanceHistory;
  afterEach(() => expectLedgerConsistent(t));
  beforeAll(async () => {
    h = await buildFinanceHistory(t);
  });
  const lines = async (r: string | null = '410700', as = 'auditor') => ok(await t.gql(RECONCILIATION, { r }, as)).reconciliation as any[];
  const lineOf = (ls: any[], store: string, batchNo: string) => ls.find((l) => l.store.id === store && l.batch.batchNo === batchNo);

  it('D22: every line shows ledgerVsBalance 0, and the ledger sums are the movements’ sums', async () => {
    const ls = await lines();
    expect(ls.length).toBeGreaterThan(6);
    for (const l of ls) {
      expect(l.ledgerVsBalance, `${l.store.id} ${l.batch.batchNo}`).toBe(0);
      expect(l.ledgerOnHand).toBe(l.balanceOnHand);
      expect(l.ledgerInTransit).toBe(l.balanceInTransit);
    }
    const sums = await queryRows<{ store_id: string; batch_id: string; on_hand: number; in_transit: number }>(
      t.database.db,
      sql`SELECT m.store_id::text, m.batch_id::text, COALESCE(sum(quantity) FILTER (WHERE bucket = 'ON_HAND'), 0)::int AS on_hand,
                 COALESCE(sum(quantity) FILTER (WHERE bucket = 'IN_TRANSIT'), 0)::int AS in_transit
            FROM movements m JOIN stores s ON s.id = m.store_id WHERE s.region_code LIKE '4107%' GROUP BY 1, 2
          HAVING sum(quantity) FILTER (WHERE bucket = 'ON_HAND') <> 0 OR COALESCE(sum(quantity) FILTER (WHERE bucket = 'IN_TRANSIT'), 0) <> 0`,
    );
    for (const s of sums) {
      const l = ls.find((x) => x.store.id === s.store_id && x.batch.id === s.batch_id);
      expect(l, `${s.store_id} ${s.batch_id}`).toBeDefined();
      expect([l.ledgerOnHand, l.ledgerInTransit]).toEqual([Number(s.on_hand), Number(s.in_transit)]);
    }
    expect(lineOf(ls, XINXIANG_COUNTY, 'VA-Q1')).toMatchObject({ ledgerOnHand: 0, ledgerInTransit: 100, balanceInTransit: 100, ledgerVsBalance: 0 });
    // 卫辉 (410781) alone; 晋城 lines are not in 新乡's.
    const weihui = await lines('410781');
    expect(weihui.length).toBeGreaterThan(0);
    expect(weihui.every((l) => l.store.id !== XINXIANG)).toBe(true);
    expect(ls.every((l) => l.store.id !== JINCHENG)).toBe(true);
    expect((await lines(null, 'admin')).some((l) => l.store.id === JINCHENG)).toBe(true);
  });

  it('D22, D9: after a stocktake the line shows the count and when; a later issue shows in movementsSinceCount, countVsBalance stays 0', async () => {
    let ls = await lines();
    // The stocktake of 2026-05-12 counted 9990 sandbags (10 damaged).
    expect(lineOf(ls, WEIHUI, 'VA-S1')).toMatchObject({
      ledgerOnHand: 9990,
      balanceOnHand: 9990,
      lastCountedQuantity: 9990,
      movementsSinceCount: 0,
      countVsBalance: 0,
      ledgerVsBalance: 0,
    });
    expect(Date.parse(lineOf(ls, WEIHUI, 'VA-S1').lastCountedAt)).toBe(Date.parse('2026-05-12T10:00:00+08:00'));
    // Never counted: no count.
    expect(lineOf(ls, WEIHUI, 'VA-Q2')).toMatchObject({ lastCountedQuantity: null, lastCountedAt: null, movementsSinceCount: null, countVsBalance: null });

    expect((await issue(t, 'keeper', WEIHUI, [{ itemId: SANDBAG, quantity: 100, batchId: h.batches['VA-S1'] }])).errors).toBeUndefined();
    // A count that agrees with the book (no difference, no movement) is still a count.
    const agreed = await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId: h.batches['VA-Q2'], countedQuantity: 100 }] });
    expect(agreed.errors, JSON.stringify(agreed.errors)).toBeUndefined();
    ls = await lines();
    expect(lineOf(ls, WEIHUI, 'VA-S1')).toMatchObject({
      ledgerOnHand: 9890,
      balanceOnHand: 9890,
      lastCountedQuantity: 9990,
      movementsSinceCount: -100,
      countVsBalance: 0,
      ledgerVsBalance: 0,
    });
    expect(lineOf(ls, WEIHUI, 'VA-Q2')).toMatchObject({ balanceOnHand: 100, lastCountedQuantity: 100, movementsSinceCount: 0, countVsBalance: 0 });
    expect(Date.parse(lineOf(ls, WEIHUI, 'VA-Q2').lastCountedAt)).toBe(Date.parse('2026-07-20T02:00:00Z'));
  });

  it('D22: the alarm works — balances tampered with by raw SQL show a non-zero ledgerVsBalance (restored afterwards)', async () => {
    const db = t.database.db;
    const s1 = h.batches['VA-S1'];
    const q1 = h.batches['VA-Q1'];
    try {
      await db.execute(sql`UPDATE balances SET on_hand = on_hand + 1 WHERE store_id = ${WEIHUI}::uuid AND batch_id = ${s1}::uuid`);
      const l = lineOf(await lines(), WEIHUI, 'VA-S1');
      expect(l.ledgerVsBalance).toBe(1);
      expect(l.balanceOnHand - l.ledgerOnHand).toBe(1);
      expect(l.countVsBalance).toBe(1);
      // Two errors that cancel in a sum (one more on hand, one fewer in transit) must still raise the alarm.
      await db.execute(
        sql`UPDATE balances SET on_hand = on_hand + 1, in_transit = in_transit - 1 WHERE store_id = ${XINXIANG_COUNTY}::uuid AND batch_id = ${q1}::uuid`,
      );
      const q = lineOf(await lines(), XINXIANG_COUNTY, 'VA-Q1');
      expect([q.balanceOnHand, q.balanceInTransit, q.ledgerOnHand, q.ledgerInTransit]).toEqual([1, 99, 0, 100]);
      expect(q.ledgerVsBalance).toBe(2);
    } finally {
      await db.execute(sql`UPDATE balances SET on_hand = on_hand - 1 WHERE store_id = ${WEIHUI}::uuid AND batch_id = ${s1}::uuid`);
      await db.execute(
        sql`UPDATE balances SET on_hand = on_hand - 1, in_transit = in_transit + 1 WHERE store_id = ${XINXIANG_COUNTY}::uuid AND batch_id = ${q1}::uuid`,
      );
    }
    expect((await lines()).every((l) => l.ledgerVsBalance === 0)).toBe(true);
  });

  it('D22: reconciliation outside the region is FORBIDDEN; keepers read none', async () => {
    expect(errorCode(await t.gql(RECONCILIATION, { r: '140500' }, 'auditor'))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(RECONCILIATION, { r: '140500' }, 'dispatcher'))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(RECONCILIATION, { r: '410781' }, 'keeper'))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(RECONCILIATION, { r: null }, 'keeper'))).toBe('FORBIDDEN');
    // Without a region the auditor gets 新乡.
    const mine = await lines(null);
    expect(mine.map((l) => `${l.store.id}/${l.batch.id}`)).toEqual((await lines('410700')).map((l) => `${l.store.id}/${l.batch.id}`));
  });
});
