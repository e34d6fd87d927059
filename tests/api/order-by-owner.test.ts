import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, DOC_FIELDS, expectLedgerConsistent, key, onHandOf, QUILT, receive, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { issueRaw, ledgerCounts, lineOf, ok } from '../support/ledger-ops.ts';
import { requestOrderRaw } from '../support/authority.ts';
import { createIncident, executedPlan, receiveAll } from '../support/relief.ts';

// D3, D23: whether stock needs an order to leave follows the owner on its batch, not the kind of store that holds it —
// government-owned stock leaves only against an approved order wherever it is; company-owned stock in the company's own
// agreement store is the company's business. A store's kind stays what it was once stock has moved there; government
// stock does not go into an agreement store, by transfer or recovery. D12, D30: recovered stock goes back to a
// government or entrusted store — never to a 安置点 (where it would count as returned while it stayed put).

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）, operated by 新乡市惠民百货配送有限公司
const SLEEPING_BAG = itemId('LIV-007');
const STORE = `query($id: ID!) { store(id: $id) { id kind operator { name } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateStoreInput!) { updateStore(id: $id, input: $input) { id kind operator { name } } }`;
const field = (res: { errors?: { extensions: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions.field;

const issueWithoutOrder = (input: Record<string, unknown>, as = 'admin') =>
  t.gql(
    `mutation($input: IssueStockInput!) { issueStock(input: $input) { ${DOC_FIELDS} } }`,
    { input: { storeId: AGREEMENT_STORE, recipient: '某村', reason: 'RELIEF', idempotencyKey: key(), ...input } },
    as,
  );

let government: { id: string; name: string };

/** Stock of a government in an agreement store, as it could be there before this rule (recovered or shipped in). */
async function ownedByGovernment(batchId: string) {
  await t.database.db.execute(sql`UPDATE batches SET owner_org_id = ${government.id}::uuid, funding_source = 'CITY' WHERE id = ${batchId}::uuid`);
}

beforeAll(async () => {
  // Government stock at 新乡市's and 卫辉市's stores: its owner is the city's government (D3).
  const doc = await receive(t, 'admin', XINXIANG, [{ itemId: SLEEPING_BAG, quantity: 10, batchNo: 'XX-SD-1', expiryDate: '2034-01-01' }]);
  await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'WH-MB-OWN-1', expiryDate: '2031-01-01' }]);
  [government] = await queryRows<{ id: string; name: string }>(
    t.database.db,
    sql`SELECT o.id::text, o.name FROM batches b JOIN organizations o ON o.id = b.owner_org_id WHERE b.id = ${doc.lines[0].batch.id}::uuid AND o.kind = 'GOVERNMENT'`,
  );
  expect(government.name).toBe('新乡市人民政府');
});

describe('D23: an order is needed by the owner of what leaves, not by the store kind', () => {
  const batch: Record<string, string> = {};
  beforeAll(async () => {
    const doc = await receive(t, 'admin', AGREEMENT_STORE, [
      { itemId: SLEEPING_BAG, quantity: 50, batchNo: 'OWN-SD-1', expiryDate: '2034-01-01' },
      { itemId: SLEEPING_BAG, quantity: 20, batchNo: 'GOV-SD-1', expiryDate: '2031-01-01' }, // FEFO takes it first
    ]);
    for (const l of doc.lines) batch[l.batch.batchNo] = l.batch.id;
    await ownedByGovernment(batch['GOV-SD-1']);
  });

  it("D23: the company's own stock in its own agreement store still leaves without an order", async () => {
    const res = await issueWithoutOrder({ lines: [{ itemId: SLEEPING_BAG, batchId: batch['OWN-SD-1'], quantity: 5 }] });
    expect(ok(res).issueStock).toMatchObject({ type: 'ISSUE', status: 'POSTED' });
    expect((await lineOf(t, AGREEMENT_STORE, SLEEPING_BAG, batch['OWN-SD-1']))!.onHand).toBe(45);
  });

  it('D3, D23: government-owned stock in an agreement store needs an order — named, picked first-expiry-first, rotated or shipped — and nothing changes', async () => {
    const before = await ledgerCounts(t);
    const named = await issueWithoutOrder({ lines: [{ itemId: SLEEPING_BAG, batchId: batch['GOV-SD-1'], quantity: 5 }] });
    expect([errorCode(named), field(named)]).toEqual(['BAD_USER_INPUT', 'input.orderId']);
    // FEFO would take the government's batch (it expires first): the whole issue is refused.
    const fefo = await issueWithoutOrder({ lines: [{ itemId: SLEEPING_BAG, quantity: 30 }] }, 'dispatcher');
    expect([errorCode(fefo), field(fefo)]).toEqual(['BAD_USER_INPUT', 'input.orderId']);
    const rotate = await t.gql(
      `mutation($input: RotateStockInput!) { rotateStock(input: $input) { id } }`,
      {
        input: {
          storeId: AGREEMENT_STORE,
          batchId: batch['GOV-SD-1'],
          quantity: 5,
          disposal: 'SALE',
          counterpart: '某回收公司',
          idempotencyKey: key(),
          newBatch: { batchNo: 'GOV-SD-2', productionDate: '2026-07-01' },
        },
      },
      'admin',
    );
    expect([errorCode(rotate), field(rotate)]).toEqual(['BAD_USER_INPUT', 'input.orderId']);
    const ship = await t.gql(
      `mutation($input: ShipTransferInput!) { shipTransfer(input: $input) { id } }`,
      {
        input: {
          fromStoreId: AGREEMENT_STORE,
          toStoreId: XINXIANG,
          idempotencyKey: key(),
          lines: [{ itemId: SLEEPING_BAG, batchId: batch['GOV-SD-1'], quantity: 5 }],
        },
      },
      'admin',
    );
    expect([errorCode(ship), field(ship)]).toEqual(['BAD_USER_INPUT', 'input.orderId']);
    expect(await ledgerCounts(t)).toEqual(before);
    expect((await lineOf(t, AGREEMENT_STORE, SLEEPING_BAG, batch['GOV-SD-1']))!.onHand).toBe(20);
  });

  it('D23: against an approved order the government stock there leaves', async () => {
    const res = await issueRaw(t, 'admin', {
      storeId: AGREEMENT_STORE,
      recipient: '某村',
      reason: 'RELIEF',
      lines: [{ itemId: SLEEPING_BAG, batchId: batch['GOV-SD-1'], quantity: 5 }],
    });
    expect(ok(res).issueStock.status).toBe('POSTED');
    expect((await lineOf(t, AGREEMENT_STORE, SLEEPING_BAG, batch['GOV-SD-1']))!.onHand).toBe(15);
  });
});

describe("D23, D31: a store's kind (and an agreement store's company) stays once stock has moved there", () => {
  it('D23: a government store with stock cannot become an agreement store (INVALID_STATE at input.kind), even for the global admin; its stock still needs an order', async () => {
    const res = await t.gql(UPDATE, { id: WEIHUI, input: { kind: 'AGREEMENT', operatorName: '某企业' } }, 'admin');
    expect([errorCode(res), field(res)], JSON.stringify(res.errors)).toEqual(['INVALID_STATE', 'input.kind']);
    expect(ok(await t.gql(STORE, { id: WEIHUI }, 'admin')).store).toMatchObject({ kind: 'GOVERNMENT', operator: null });
    const before = await onHandOf(t, WEIHUI, QUILT);
    const issue = await issueWithoutOrder({ storeId: WEIHUI, lines: [{ itemId: QUILT, quantity: 5 }] }, 'keeper');
    expect([errorCode(issue), field(issue)]).toEqual(['BAD_USER_INPUT', 'input.orderId']);
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(before);
  });

  it('D2: a store that never held stock may still change its kind', async () => {
    const created = ok(
      await t.gql(
        `mutation($input: CreateStoreInput!) { createStore(input: $input) { id } }`,
        { input: { code: 'S-OWNER-01', name: '卫辉市测试储备点', regionCode: '410781', kind: 'GOVERNMENT', location: { lat: 35.398, lng: 114.064 } } },
        'admin',
      ),
    ).createStore;
    const res = await t.gql(UPDATE, { id: created.id, input: { kind: 'ENTRUSTED', operatorName: '卫辉市代储测试有限公司' } }, 'admin');
    expect(ok(res).updateStore).toMatchObject({ kind: 'ENTRUSTED', operator: { name: '卫辉市代储测试有限公司' } });
  });

  it("D3, D23: an agreement store with stock keeps its company; a government cannot be a store's operating company", async () => {
    const swap = await t.gql(UPDATE, { id: AGREEMENT_STORE, input: { operatorName: '另一家企业' } }, 'admin');
    expect([errorCode(swap), field(swap)]).toEqual(['INVALID_STATE', 'input.operatorName']);
    const asOperator = await t.gql(
      `mutation($input: CreateStoreInput!) { createStore(input: $input) { id } }`,
      {
        input: {
          code: 'S-OWNER-02',
          name: '卫辉市测试协议库',
          regionCode: '410781',
          kind: 'AGREEMENT',
          operatorName: government.name,
          location: { lat: 35.398, lng: 114.064 },
        },
      },
      'admin',
    );
    expect([errorCode(asOperator), field(asOperator)]).toEqual(['BAD_USER_INPUT', 'input.operatorName']);
    expect(ok(await t.gql(STORE, { id: AGREEMENT_STORE }, 'admin')).store.operator.name).toBe('新乡市惠民百货配送有限公司');
  });
});

describe('D23: government stock is not shipped into an agreement store', () => {
  const DESTINATIONS = `query($from: ID!) { transferDestinations(fromStoreId: $from, first: 500) { edges { node { id kind } } } }`;

  it('a transfer order, or a shipment, to an agreement store → BAD_USER_INPUT at input.toStoreId; nothing is recorded', async () => {
    const before = await ledgerCounts(t);
    const [{ n: orders }] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM outbound_orders`);
    const order = await requestOrderRaw(t, 'dispatcher', {
      storeId: XINXIANG,
      purpose: 'TRANSFER',
      toStoreId: AGREEMENT_STORE,
      lines: [{ itemId: SLEEPING_BAG, quantity: 5 }],
    });
    expect([errorCode(order), field(order)]).toEqual(['BAD_USER_INPUT', 'input.toStoreId']);
    const ship = await t.gql(
      `mutation($input: ShipTransferInput!) { shipTransfer(input: $input) { id } }`,
      { input: { fromStoreId: XINXIANG, toStoreId: AGREEMENT_STORE, idempotencyKey: key(), lines: [{ itemId: SLEEPING_BAG, quantity: 5 }] } },
      'dispatcher',
    );
    expect([errorCode(ship), field(ship)]).toEqual(['BAD_USER_INPUT', 'input.toStoreId']);
    expect(await ledgerCounts(t)).toEqual(before);
    const [{ n: after }] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM outbound_orders`);
    expect(after).toBe(orders);
  });

  it('transferDestinations lists no agreement store for a government store, for a dispatcher or the admin', async () => {
    for (const as of ['dispatcher', 'admin']) {
      const nodes = ok(await t.gql(DESTINATIONS, { from: XINXIANG }, as)).transferDestinations.edges.map((e: any) => e.node);
      expect(nodes.length).toBeGreaterThan(10);
      expect(nodes.filter((s: any) => s.kind === 'AGREEMENT')).toEqual([]);
    }
  });
});

describe('D12, D30: recovered good stock goes back to a government or entrusted store', () => {
  let plan: any;
  let incidentId: string;
  let tents: string;
  let point: string;
  const OUTSTANDING = `query($id: ID!) { outstandingRecovery(incidentId: $id) { batch { id } returned outstanding } }`;
  const outstanding = async () => ok(await t.gql(OUTSTANDING, { id: incidentId }, 'dispatcher')).outstandingRecovery as any[];
  const recover = (toStoreId: string, good = 2) =>
    t.gql(
      `mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`,
      { i: { planId: plan.id, idempotencyKey: key(), toStoreId, lines: [{ batchId: tents, storeId: point, good }] } },
      'dispatcher',
    );

  beforeAll(async () => {
    const doc = await receive(t, 'admin', XINXIANG, [{ itemId: COTTON_TENT, quantity: 10, batchNo: 'OWN-MZP-1', expiryDate: '2034-01-01' }]);
    tents = doc.lines[0].batch.id;
    incidentId = await createIncident(t, { affectedPopulation: 200 });
    plan = await executedPlan(t, incidentId, [
      { name: '汲水镇第一小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: COTTON_TENT, quantity: 10 }] },
    ]);
    await receiveAll(t, plan);
    point = plan.lines[0].destination.store.id;
    expect(plan.lines.every((l: any) => l.batch.id === tents)).toBe(true);
  });

  it('D30: the counting 安置点 itself, or a company agreement store, as destination → BAD_USER_INPUT at input.toStoreId; outstanding and stock unchanged', async () => {
    const before = { outstanding: await outstanding(), counts: await ledgerCounts(t), atPoint: (await lineOf(t, point, COTTON_TENT, tents))!.onHand };
    for (const to of [point, AGREEMENT_STORE]) {
      const res = await recover(to);
      expect([errorCode(res), field(res)], JSON.stringify(res.errors)).toEqual(['BAD_USER_INPUT', 'input.toStoreId']);
    }
    expect(await outstanding()).toEqual(before.outstanding);
    expect(await ledgerCounts(t)).toEqual(before.counts);
    expect((await lineOf(t, point, COTTON_TENT, tents))!.onHand).toBe(before.atPoint);
    expect(await lineOf(t, AGREEMENT_STORE, COTTON_TENT, tents)).toBeUndefined();
  });

  it('D30: the owner’s government store takes it back, and the outstanding list shrinks by what came back', async () => {
    // D23, D24, D30: the owner's (新乡市's) store; another government store (a township's) is refused — recovery-destination.test.ts.
    const [line] = (await outstanding()).filter((l) => l.batch.id === tents);
    const before = (await lineOf(t, XINXIANG, COTTON_TENT, tents))?.onHand ?? 0;
    ok(await recover(XINXIANG, 3));
    expect((await lineOf(t, XINXIANG, COTTON_TENT, tents))!.onHand).toBe(before + 3);
    const [after] = (await outstanding()).filter((l) => l.batch.id === tents);
    expect(after.outstanding).toBe(line.outstanding - 3);
  });

  it("D30: a 安置点's kind cannot be edited (INVALID_STATE at input.kind); it stays on the outstanding list", async () => {
    const res = await t.gql(UPDATE, { id: point, input: { kind: 'GOVERNMENT' } }, 'admin');
    expect([errorCode(res), field(res)]).toEqual(['INVALID_STATE', 'input.kind']);
    expect(ok(await t.gql(STORE, { id: point }, 'admin')).store.kind).toBe('DISTRIBUTION_POINT');
    expect((await outstanding()).some((l) => l.batch.id === tents)).toBe(true);
  });
});
