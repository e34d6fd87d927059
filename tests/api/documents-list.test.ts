import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, NOW, useTestApp, type GqlResult } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, QUILT, receive, SANDBAG, WEIHUI, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ok, receiveTransferRaw, shipRaw, stocktakeRaw } from '../support/ledger-ops.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// documents(filter): a store's stock documents in every status — D27's pending ones (no movements yet) and those the
// approver rejected (never any) too, which the ledger's list (movements) cannot show — scoped as movements is.

const DOCUMENTS = `query($f: DocumentFilter!, $first: Int, $after: String) {
  documents(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id number type status occurredAt store { id } counterpartStore { id } actor { username } lines { quantity item { name } } } }
  }
}`;
const MOVEMENTS = `query($f: MovementFilter!) { movements(filter: $f, first: 5) { totalCount } }`;

// Dated in a window of their own: the demo data's documents lie before it (2025) and after it (the relief demo).
const WINDOW = { from: '2026-07-10T00:00:00+08:00', to: '2026-07-19T23:59:59+08:00' };
const KEEPER_ELSEWHERE = 'dl-keeper-xinxiang-county'; // keeps 新乡县's store, not 卫辉's
const COUNTY_DISPATCHER = 'dl-dispatcher-xinxiang-county'; // 新乡县 (410721): 卫辉市 (410781) lies outside

describe('documents(filter) — a store’s documents in every status (D27), scoped as movements (DESIGN: one policy module)', () => {
  const t = useTestApp();
  const docs: Record<string, { id: string; number: string }> = {};

  const list = (f: Record<string, unknown>, as = 'keeper', page: { first?: number; after?: string | null } = {}) =>
    t.gql(DOCUMENTS, { f: { storeId: WEIHUI, ...WINDOW, ...f }, ...page }, as);
  const numbers = (res: GqlResult) => ok(res).documents.edges.map((e: any) => e.node.number);
  const at = (iso: string) => t.clock.set(iso);

  beforeAll(async () => {
    // R1, R2: receipts (posted); S1: a stocktake loss awaiting approval (D27); S2: one the approver rejected; R3: a
    // receipt; T: 新乡市库 ships to 卫辉 — the sender's document, naming 卫辉 the other side (in transit there).
    at('2026-07-10T01:00:00Z');
    await receive(t, 'admin', XINXIANG, [{ itemId: SANDBAG, quantity: 50, batchNo: 'DL-XX-BAGS', unitPrice: '1.20', expiryDate: '2031-01-01' }]);
    at('2026-07-11T01:00:00Z');
    const r1 = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'DL-QUILT', unitPrice: '100.00', expiryDate: '2031-01-01' }]);
    docs.R1 = r1;
    at('2026-07-12T01:00:00Z');
    const r2 = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 5, batchNo: 'DL-TENT', unitPrice: '2180.00', expiryDate: '2031-01-01' }]);
    docs.R2 = r2;
    at('2026-07-13T01:00:00Z');
    const count = (batchId: string, countedQuantity: number, reason: string) => ({ storeId: WEIHUI, counts: [{ batchId, countedQuantity, reason }] });
    docs.S1 = ok(await stocktakeRaw(t, 'keeper', count(r1.lines[0].batch.id, 8, 'STOCKTAKE_LOSS'), 'id number status', false)).submitStocktake;
    at('2026-07-14T01:00:00Z');
    docs.S2 = ok(await stocktakeRaw(t, 'keeper', count(r2.lines[0].batch.id, 4, 'DAMAGED'), 'id number status', false)).submitStocktake;
    const rejected = await decideRaw(t, 'director', await pendingApprovalOf(t, docs.S2.id, 'STOCKTAKE'), 'REJECT', { reason: '复盘数量相符，不予核减' });
    expect(ok(rejected).decideApproval.status).toBe('REJECTED');
    at('2026-07-15T01:00:00Z');
    docs.R3 = await receive(t, 'keeper', WEIHUI, [{ itemId: SANDBAG, quantity: 200, batchNo: 'DL-BAGS', unitPrice: '1.20', expiryDate: '2031-01-01' }]);
    at('2026-07-16T01:00:00Z');
    const shipped = ok(
      await shipRaw(t, 'admin', { fromStoreId: XINXIANG, toStoreId: WEIHUI, lines: [{ itemId: SANDBAG, quantity: 20 }] }, 'id number'),
    ).shipTransfer;
    docs.T = shipped;
    t.clock.set(NOW);
    for (const [username, input] of [
      [KEEPER_ELSEWHERE, { role: 'KEEPER', storeIds: [XINXIANG_COUNTY] }],
      [COUNTY_DISPATCHER, { role: 'DISPATCHER', regionCode: '410721' }],
    ] as const) {
      ok(
        await t.gql(
          `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
          { i: { username, displayName: username, password: TEST_PASSWORD, ...input } },
          'admin',
        ),
      );
    }
  });
  afterAll(() => expectLedgerConsistent(t));

  const ALL = ['T', 'R3', 'S2', 'S1', 'R2', 'R1'];
  const numbersOf = (keys: string[]) => keys.map((k) => docs[k].number);

  it('D27: lists the store’s pending, posted and rejected documents, and the transfer shipped to it, newest business time first', async () => {
    const res = await list({});
    const c = ok(res).documents;
    expect(c.totalCount).toBe(6);
    expect(c.edges.map((e: any) => e.node.number)).toEqual(numbersOf(ALL));
    const byKey = Object.fromEntries(ALL.map((k, i) => [k, c.edges[i].node]));
    expect(Object.fromEntries(ALL.map((k) => [k, [byKey[k].type, byKey[k].status]]))).toEqual({
      T: ['TRANSFER_OUT', 'POSTED'],
      R3: ['RECEIPT', 'POSTED'],
      S2: ['STOCKTAKE', 'REJECTED'],
      S1: ['STOCKTAKE', 'PENDING_APPROVAL'],
      R2: ['RECEIPT', 'POSTED'],
      R1: ['RECEIPT', 'POSTED'],
    });
    // The shipment is 新乡市库's document naming 卫辉 the other side; the rest are 卫辉's own.
    expect([byKey.T.store.id, byKey.T.counterpartStore.id]).toEqual([XINXIANG, WEIHUI]);
    expect(byKey.S1.lines).toEqual([{ quantity: -2, item: { name: '棉被' } }]);
    expect(byKey.S2.actor.username).toBe('keeper');
    // What movements cannot show: neither the pending nor the rejected stocktake has a movement.
    for (const k of ['S1', 'S2']) expect(ok(await t.gql(MOVEMENTS, { f: { documentId: docs[k].id } }, 'keeper')).movements.totalCount).toBe(0);
  });

  it('filters by status (any of several) and by type, each with the window', async () => {
    expect(numbers(await list({ status: ['PENDING_APPROVAL', 'REJECTED'] }))).toEqual(numbersOf(['S2', 'S1']));
    expect(numbers(await list({ status: ['REJECTED'] }))).toEqual(numbersOf(['S2']));
    expect(numbers(await list({ status: ['POSTED'] }))).toEqual(numbersOf(['T', 'R3', 'R2', 'R1']));
    expect(numbers(await list({ status: [] }))).toEqual(numbersOf(ALL)); // empty: every status
    expect(numbers(await list({ type: 'STOCKTAKE' }))).toEqual(numbersOf(['S2', 'S1']));
    expect(numbers(await list({ type: 'RECEIPT', status: ['POSTED'] }))).toEqual(numbersOf(['R3', 'R2', 'R1']));
    expect(ok(await list({ type: 'RECEIPT', status: ['POSTED'] })).documents.totalCount).toBe(3);
    // The window bounds the business time as a period (from, to], as journal and movements read it (D21, D22, sweep 17b
    // F13): S1, dated exactly at `from`, is the period before's; S2, exactly at `to`, this one's.
    expect(numbers(await list({ from: '2026-07-13T09:00:00+08:00', to: '2026-07-14T09:00:00+08:00' }))).toEqual(numbersOf(['S2']));
    expect(numbers(await list({ from: '2026-07-13T08:59:59.999+08:00', to: '2026-07-14T09:00:00+08:00' }))).toEqual(numbersOf(['S2', 'S1']));
  });

  it('pages by cursor: one document a page, the same order, nothing repeated or skipped', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const c: any = ok(await list({}, 'keeper', { first: 1, after })).documents;
      expect(c.totalCount).toBe(6);
      seen.push(...c.edges.map((e: any) => e.node.number));
      expect(c.pageInfo.endCursor).toBe(c.edges.at(-1)?.cursor ?? null);
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(seen).toEqual(numbersOf(ALL));
    const two = ok(await list({}, 'keeper', { first: 2 })).documents;
    const rest = ok(await list({}, 'keeper', { first: 10, after: two.pageInfo.endCursor })).documents;
    expect([...two.edges, ...rest.edges].map((e: any) => e.node.number)).toEqual(numbersOf(ALL));
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('D27: each document awaiting or after its second person names its approval — the rejected one with the 驳回理由; a receipt none', async () => {
    const res = await t.gql(
      `query($f: DocumentFilter!) { documents(filter: $f) { edges { node { number approval { status reason kind } } } } }`,
      { f: { storeId: WEIHUI, ...WINDOW } },
      'keeper',
    );
    const approvals = Object.fromEntries(ok(res).documents.edges.map((e: any) => [e.node.number, e.node.approval]));
    expect(approvals[docs.S2.number]).toEqual({ status: 'REJECTED', reason: '复盘数量相符，不予核减', kind: 'STOCKTAKE' });
    expect(approvals[docs.S1.number]).toMatchObject({ status: 'PENDING', kind: 'STOCKTAKE' });
    expect(approvals[docs.R1.number]).toBeNull();
  });

  it('an auditor and a dispatcher whose region holds the store read the same list', async () => {
    for (const as of ['auditor', 'dispatcher', 'admin']) expect(numbers(await list({}, as))).toEqual(numbersOf(ALL));
  });

  it('a keeper of another store, and a county outside, are refused exactly as movements refuses them (FORBIDDEN)', async () => {
    for (const [as, storeId] of [
      [KEEPER_ELSEWHERE, WEIHUI],
      [COUNTY_DISPATCHER, WEIHUI],
      ['keeper', XINXIANG], // the shipment's sender: not the keeper's store, though its document names 卫辉
    ]) {
      const documents = await list({ storeId }, as);
      const movements = await t.gql(MOVEMENTS, { f: { storeId } }, as);
      expect(errorCode(documents), `${as} → ${storeId}`).toBe('FORBIDDEN');
      expect(documents.errors![0].message).toBe(movements.errors![0].message);
      expect(documents.errors![0].extensions.code).toBe(movements.errors![0].extensions.code);
      expect(documents.data?.documents ?? null).toBeNull();
      expect(JSON.stringify(documents.errors)).not.toContain(docs.R1.number);
    }
    // Their own stores they list (the other keeper's has none of these documents).
    expect(ok(await list({ storeId: XINXIANG_COUNTY }, KEEPER_ELSEWHERE)).documents.totalCount).toBe(0);
  });

  it('bad input: an unknown status or type, a period ending before it starts, a malformed or unknown store, a garbled cursor', async () => {
    const refusal = async (f: Record<string, unknown>, page: { after?: string } = {}) => {
      const res = await list(f, 'keeper', page);
      return { code: errorCode(res), message: res.errors?.[0]?.message ?? '', field: res.errors?.[0]?.extensions.field };
    };
    expect(await refusal({ status: ['POSTED', 'DONE'] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.status.1' });
    expect((await refusal({ status: ['DONE'] })).message).toBe('未知单据状态：DONE（可选：已过账、已冲销、待审批、已驳回）');
    const type = await refusal({ type: 'INVOICE' });
    expect(type).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.type' });
    expect(type.message).toContain('未知单据类型：INVOICE（可选：入库单');
    const period = await refusal({ from: '2026-07-19T00:00:00+08:00', to: '2026-07-10T00:00:00+08:00' });
    expect(period).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.to' });
    expect(period.message).toContain('早于起始时间');
    expect(await refusal({ storeId: 'not-a-store' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.storeId' });
    expect((await refusal({ storeId: 'not-a-store' })).message).toContain('仓库编号格式错误');
    expect(await refusal({ storeId: '00000000-0000-4000-8000-000000000000' })).toMatchObject({ code: 'NOT_FOUND', field: 'filter.storeId' });
    const cursor = await refusal({}, { after: 'garbled' });
    expect(cursor).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(cursor.message).toContain('分页游标无效');
    // A cursor of movements (one integer) is not one of documents.
    const moves = ok(
      await t.gql(`query($f: MovementFilter!) { movements(filter: $f, first: 1) { pageInfo { endCursor } } }`, { f: { storeId: WEIHUI } }, 'keeper'),
    );
    expect((await refusal({}, { after: moves.movements.pageInfo.endCursor })).code).toBe('BAD_USER_INPUT');
  });

  it('House style 5: the statements do not grow with the page (store, lines, items, actor through the loaders)', async () => {
    const statements = async (f: Record<string, unknown>, first: number) => {
      await t.token('keeper');
      await t.gql('{ me { id } }', {}, 'keeper');
      t.database.stats.statements = 0;
      const res = await list(f, 'keeper', { first });
      const n = t.database.stats.statements;
      expect(ok(res).documents.edges).toHaveLength(first);
      return n;
    };
    const own = { to: '2026-07-15T23:59:59+08:00' }; // R3 … R1: 卫辉's own documents
    await statements(own, 5); // what the process keeps in memory (stores, the catalog, principals) is read once, here
    expect(await statements(own, 5)).toBe(await statements(own, 2));
    // A document of another store naming this one passes the record policy one look-up later (its own store is out of
    // scope, the other side is not): its lines, actor and items may come in one more batch each — the actor two, the
    // account and its name at the time (sweep 24b F1, userAt) — never one per document.
    expect(await statements({}, 6)).toBeLessThanOrEqual((await statements(own, 5)) + 4);
  });

  // Sweep 17b F1 (D3, D24, D27) changed this test: the write-off of 卫辉's goods lost on the way to 新乡市库 was 新乡市库's
  // to decide, so 卫辉's keeper listed it without its approval; now the sending side decides it — its approval is
  // 卫辉's store's — and the keeper reads it. The rule M1 keeps (another store's approval, null in the keeper's list,
  // not FORBIDDEN) is read on 新乡市库's own shipment to 卫辉 (T), under 新乡市库's outbound order.
  it('D27 (console sweep 2, M1): another store’s document naming this store lists without that store’s approval — null, not FORBIDDEN in the keeper’s list; D3, D24 (sweep 17b F1): a write-off of this store’s goods lost in transit lists with its approval, this store’s', async () => {
    // 卫辉 ships 10 bags to 新乡市库, which receives 6: its write-off of the 4 lost in transit awaits 卫辉's side.
    at('2026-07-25T01:00:00Z');
    const shipped = ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: XINXIANG, lines: [{ itemId: SANDBAG, quantity: 10 }] })).shipTransfer;
    at('2026-07-25T05:00:00Z');
    const batchId = shipped.lines[0].batch.id as string;
    ok(await receiveTransferRaw(t, 'dispatcher', { transferId: shipped.id, lines: [{ batchId, quantity: 6, discrepancyReason: 'TRANSIT_LOSS' }] }));
    t.clock.set(NOW);
    const window = { from: '2026-07-16T00:00:00+08:00', to: '2026-07-25T23:59:59+08:00' };
    const read = (as: string) =>
      t.gql(
        `query($f: DocumentFilter!) { documents(filter: $f, first: 100) { edges { node { number type status store { id } approval { kind status } } } } }`,
        { f: { storeId: WEIHUI, ...window } },
        as,
      );
    const asKeeper = await read('keeper');
    expect(asKeeper.errors).toBeUndefined();
    const rows = ok(asKeeper).documents.edges.map((e: any) => e.node);
    const writeOff = rows.find((d: any) => d.store.id === XINXIANG && d.status === 'PENDING_APPROVAL');
    expect(writeOff).toMatchObject({ type: 'WRITE_OFF', approval: { kind: 'WRITE_OFF', status: 'PENDING' } });
    const sent = rows.find((d: any) => d.number === docs.T.number);
    expect(sent).toMatchObject({ type: 'TRANSFER_OUT', store: { id: XINXIANG } });
    expect(sent.approval).toBeNull();
    // The region's dispatcher, who may read both approvals, sees them on the same rows.
    const asDispatcher = ok(await read('dispatcher')).documents.edges.map((e: any) => e.node);
    expect(asDispatcher.find((d: any) => d.number === writeOff.number).approval).toMatchObject({ kind: 'WRITE_OFF', status: 'PENDING' });
    expect(asDispatcher.find((d: any) => d.number === docs.T.number).approval).toMatchObject({ kind: 'OUTBOUND_ORDER', status: 'APPROVED' });
  });
});
