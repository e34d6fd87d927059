import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { XINXIANG_CITY } from '../../seeds/demo.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, QUILT, receive, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { ok, shipRaw } from '../support/ledger-ops.ts';

// Sweep 22a F9: 调拨 pages a store's transfers on the server, a tab at a time: documents(filter: { side }) lists only the
// store's own documents (OWN: its shipments, under 调出) or only those of another store naming it the other side
// (COUNTERPART: shipments to it, under 调入). Omitted, both, as before. It narrows the list the store's readers may read
// anyway (mayRead.document: a document is read from either store).
// F5: 对账 asked for every balance of the region (a city: 3,800 lines, 1.8 MB) to show the few that differ first;
// reconciliation(differencesOnly: true) answers only the lines that differ (D9, D22), for the same readers.

const DOCS = `query($f: DocumentFilter!, $first: Int, $after: String) {
  documents(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id number type store { id } transfer { id fromStore { id } toStore { id } } } }
  } }`;

describe('sweep 22a F9: documents(filter: { side })', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  const out: string[] = []; // WEIHUI → TANGZHUANG
  let back: string; // TANGZHUANG → WEIHUI

  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 100, batchNo: 'WH-MB-22A', expiryDate: '2030-01-01', unitPrice: '150.00' }]);
    await receive(t, 'admin', TANGZHUANG, [{ itemId: QUILT, quantity: 100, batchNo: 'TZ-MB-22A', expiryDate: '2030-01-01', unitPrice: '150.00' }]);
    for (let i = 0; i < 3; i++) {
      out.push(ok(await shipRaw(t, 'admin', { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, lines: [{ itemId: QUILT, quantity: 1 }] })).shipTransfer.id);
    }
    back = ok(await shipRaw(t, 'admin', { fromStoreId: TANGZHUANG, toStoreId: WEIHUI, lines: [{ itemId: QUILT, quantity: 2 }] })).shipTransfer.id;
  });

  const list = async (storeId: string, side: string | null, first = 50, as = 'admin') => {
    const { documents } = ok(await t.gql(DOCS, { f: { storeId, type: 'TRANSFER_OUT', status: ['POSTED'], side }, first }, as));
    return documents;
  };
  const transferIds = (docs: any) => docs.edges.map((e: any) => e.node.transfer.id);

  it('OWN lists the store’s own shipments (调出), COUNTERPART those shipped to it (调入), none of the other side', async () => {
    for (const store of [WEIHUI, TANGZHUANG]) {
      const own = await list(store, 'OWN', 500);
      const incoming = await list(store, 'COUNTERPART', 500);
      expect(own.edges.every((e: any) => e.node.store.id === store && e.node.transfer.fromStore.id === store)).toBe(true);
      expect(incoming.edges.every((e: any) => e.node.store.id !== store && e.node.transfer.toStore.id === store)).toBe(true);
      expect(own.totalCount).toBe(own.edges.length);
      expect(incoming.totalCount).toBe(incoming.edges.length);
      // Together, the list as it was without a side.
      const both = await list(store, null, 500);
      expect(own.totalCount + incoming.totalCount).toBe(both.totalCount);
      expect(new Set([...transferIds(own), ...transferIds(incoming)])).toEqual(new Set(transferIds(both)));
    }
    const weihuiOwn = transferIds(await list(WEIHUI, 'OWN', 500));
    const weihuiIn = transferIds(await list(WEIHUI, 'COUNTERPART', 500));
    // The test clock stands still: the three share their times, ordered by id among themselves; newest first otherwise.
    expect(new Set(weihuiOwn.slice(0, 3))).toEqual(new Set(out));
    expect(weihuiOwn).not.toContain(back);
    expect(weihuiIn).toContain(back);
    expect(weihuiIn).not.toContain(out[0]);
    expect(new Set(transferIds(await list(TANGZHUANG, 'COUNTERPART', 500)).slice(0, 3))).toEqual(new Set(out));
    expect(transferIds(await list(TANGZHUANG, 'OWN', 500))).toContain(back);
  });

  it('a side pages with its own totalCount and cursors', async () => {
    const all = transferIds(await list(TANGZHUANG, 'COUNTERPART', 500));
    const first = await list(TANGZHUANG, 'COUNTERPART', 2);
    expect(first.totalCount).toBe(all.length);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const { documents: rest } = ok(
      await t.gql(
        DOCS,
        { f: { storeId: TANGZHUANG, type: 'TRANSFER_OUT', status: ['POSTED'], side: 'COUNTERPART' }, first: 500, after: first.pageInfo.endCursor },
        'admin',
      ),
    );
    expect([...transferIds(first), ...transferIds(rest)]).toEqual(all);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('the demo keeper reads its store’s sides; an unknown side is refused at the argument', async () => {
    expect(transferIds(await list(WEIHUI, 'COUNTERPART', 500, 'keeper'))).toContain(back);
    const res = await t.gql(DOCS, { f: { storeId: WEIHUI, side: 'BOTH' }, first: 5 }, 'admin');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('sweep 22a F5: reconciliation(differencesOnly)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  const RECONCILIATION = `query($r: String, $d: Boolean) { reconciliation(regionCode: $r, differencesOnly: $d) {
    store { id } batch { id batchNo } ledgerVsBalance countVsBalance } }`;
  const lines = async (differencesOnly: boolean | null, as = 'auditor') =>
    ok(await t.gql(RECONCILIATION, { r: XINXIANG_CITY, d: differencesOnly }, as)).reconciliation as {
      store: { id: string };
      batch: { id: string; batchNo: string };
      ledgerVsBalance: number;
      countVsBalance: number | null;
    }[];
  const differs = (l: { ledgerVsBalance: number; countVsBalance: number | null }) => l.ledgerVsBalance !== 0 || (l.countVsBalance ?? 0) !== 0;

  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'WH-MB-22A5', expiryDate: '2030-01-01', unitPrice: '150.00' }]);
    await receive(t, 'admin', TANGZHUANG, [{ itemId: QUILT, quantity: 10, batchNo: 'TZ-MB-22A5', expiryDate: '2030-01-01', unitPrice: '150.00' }]);
  });

  it('D9, D22: only the lines that differ — ledger vs balance (a tampered balance, restored afterwards); omitted or false: every line', async () => {
    const all = await lines(null);
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(await lines(false)).toEqual(all);
    expect(await lines(true)).toEqual(all.filter(differs));
    const tampered = all.find((l) => l.store.id === WEIHUI)!;
    const db = t.database.db;
    try {
      await db.execute(sql`UPDATE balances SET on_hand = on_hand + 1 WHERE store_id = ${WEIHUI}::uuid AND batch_id = ${tampered.batch.id}::uuid`);
      const differing = await lines(true);
      expect(differing.map((l) => [l.store.id, l.batch.id])).toContainEqual([WEIHUI, tampered.batch.id]);
      expect(differing.every(differs)).toBe(true);
      expect(differing.find((l) => l.batch.id === tampered.batch.id && l.store.id === WEIHUI)!.ledgerVsBalance).toBe(1);
      expect((await lines(null)).length).toBe(all.length);
      // The dispatcher reads it as the auditor does; a keeper reads no reconciliation, with or without the filter.
      expect((await lines(true, 'dispatcher')).map((l) => l.batch.id)).toEqual(differing.map((l) => l.batch.id));
      expect(errorCode(await t.gql(RECONCILIATION, { r: XINXIANG_CITY, d: true }, 'keeper'))).toBe('FORBIDDEN');
    } finally {
      await db.execute(sql`UPDATE balances SET on_hand = on_hand - 1 WHERE store_id = ${WEIHUI}::uuid AND batch_id = ${tampered.batch.id}::uuid`);
    }
    expect(await lines(true)).toEqual(all.filter(differs));
  });
});
