import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key, receive, TANGZHUANG, WEIHUI, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ok, reverseRaw, scrapRaw, shipRaw, receiveTransferRaw } from '../support/ledger-ops.ts';
import { decideRaw, requestOrderRaw } from '../support/authority.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Sweep 17b F10 (D3, D25): a township store held the county's tents (owner ≠ holder, D3). The township's keeper asked
// for a relief order, the township's dispatcher approved it, the keeper issued it: the county's goods were consumed
// and nothing was owed to the county — while the same batch taken by a plan opens a settlement owed to its owner.
// D25: "every use of another level's or region's stock leaves a settlement owed … until it is settled by a recorded
// document". An issue under an outbound order now owes the owner's region what it used, by the plan's rule.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const JISHUI = '410781100000'; // 汲水镇: TANGZHUANG is its store
const WEIHUI_REGION = '410781000000';
const CITY = '410700000000';
const XINXIANG_COUNTY_REGION = '410721000000';
const TOWN_KEEPER = 'js-keeper';
const TOWN_DISPATCHER = 'js-dispatcher';
const COUNTY_DISPATCHER = 'wh-dispatcher';
const OTHER_TOWN_DISPATCHER = 'tg-dispatcher'; // 太公镇, a neighbour township of 卫辉
const XXX_DISPATCHER = 'xxx-dispatcher'; // 新乡县

const SETTLEMENT_FIELDS = `id status quantity value valueBasis released reference settleable owedTo { code } owedBy { code } store { id }
  item { id } plan { id } planId issueDocument { id number } issueDocumentNumber settledBy { username }`;

let itemCount = 0;
const government: Record<string, string> = {};

async function newItem(): Promise<string> {
  itemCount += 1;
  const input = { categoryCode: 'LIVING', code: `T-ISO-${itemCount}`, name: `出库结算测试物资 ${itemCount}`, unit: '顶' };
  return ok(await t.gql(`mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`, { input }, 'admin')).createItem.id;
}

const createUser = async (i: Record<string, unknown>) =>
  ok(await t.gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { password: TEST_PASSWORD, ...i } }, 'admin'));

/** An outbound order of `purpose` requested by `keeper` at `store`, approved by `approver`, and issued by `keeper`. */
async function issueByOrder(store: string, keeper: string, approver: string, lines: Record<string, unknown>[], purpose = 'RELIEF') {
  const order = ok(await requestOrderRaw(t, keeper, { storeId: store, purpose, recipient: '汲水镇受灾户', lines })).requestOutboundOrder;
  ok(await decideRaw(t, approver, order.approval.id, 'APPROVE'));
  const reason = purpose === 'DRILL' ? 'DRILL' : purpose === 'LOAN' ? 'LOAN' : 'RELIEF';
  return ok(
    await t.gql(
      `mutation($input: IssueStockInput!) { issueStock(input: $input) { id number status } }`,
      { input: { storeId: store, orderId: order.id, reason, idempotencyKey: key(), lines } },
      keeper,
    ),
  ).issueStock as { id: string; number: string; status: string };
}

const settlementsAs = async (as: string, status?: string) =>
  ok(await t.gql(`query($s: SettlementStatus) { settlements(status: $s) { ${SETTLEMENT_FIELDS} } }`, { s: status ?? null }, as)).settlements as any[];
const settlementsOfItem = async (item: string, as = 'admin') => (await settlementsAs(as)).filter((s) => s.item.id === item);

beforeAll(async () => {
  // A receipt at a store registers its region's government, the default owner of what it receives (D3).
  for (const [store, batchNo] of [
    [TANGZHUANG, 'ISO-REG-JS'],
    [WEIHUI, 'ISO-REG-WH'],
    [XINXIANG_COUNTY, 'ISO-REG-XXX'],
    [XINXIANG, 'ISO-REG-CITY'],
  ])
    await receive(t, 'admin', store, [{ itemId: await newItem(), quantity: 1, batchNo, unitPrice: '1.00' }]);
  await createUser({ username: TOWN_KEEPER, displayName: '汲水镇库管员', role: 'KEEPER', storeIds: [TANGZHUANG] });
  await createUser({ username: TOWN_DISPATCHER, displayName: '汲水镇调度员', role: 'DISPATCHER', regionCode: JISHUI });
  await createUser({ username: COUNTY_DISPATCHER, displayName: '卫辉市调度员', role: 'DISPATCHER', regionCode: '410781' });
  await createUser({ username: OTHER_TOWN_DISPATCHER, displayName: '太公镇调度员', role: 'DISPATCHER', regionCode: '410781101000' });
  await createUser({ username: XXX_DISPATCHER, displayName: '新乡县调度员', role: 'DISPATCHER', regionCode: '410721' });
});

/** The organisation id of a region's government (D3: whose goods a batch is), registered by a receipt (beforeAll). */
async function governmentOf(region: string): Promise<string> {
  if (government[region]) return government[region];
  const [row] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id::text FROM organizations WHERE kind = 'GOVERNMENT' AND region_code = ${region}`);
  expect(row, `government of ${region} registered`).toBeTruthy();
  return (government[region] = row.id);
}

describe('D3, D25 (sweep 17b F10): an issue under an outbound order owes the owner of the goods it used', () => {
  it('D3, D25: the county’s tents in a township store, issued by the township’s keeper and dispatcher, are owed to the county', async () => {
    const item = await newItem();
    await receive(t, 'admin', TANGZHUANG, [
      { itemId: item, quantity: 10, batchNo: 'ISO-WH-AT-JS', unitPrice: '2150.00', ownerOrgId: await governmentOf(WEIHUI_REGION) },
    ]);
    const doc = await issueByOrder(TANGZHUANG, TOWN_KEEPER, TOWN_DISPATCHER, [{ itemId: item, quantity: 2 }]);
    expect(doc.status).toBe('POSTED');
    const [s, ...more] = await settlementsOfItem(item);
    expect(more).toEqual([]);
    expect(s).toMatchObject({
      status: 'OPEN',
      quantity: 2,
      value: '4300.00',
      valueBasis: 'STOCK_COST',
      released: false,
      owedTo: { code: WEIHUI_REGION },
      owedBy: { code: JISHUI },
      store: { id: TANGZHUANG },
      plan: null,
      planId: null,
      issueDocument: { id: doc.id, number: doc.number },
      issueDocumentNumber: doc.number,
    });
    // The county's dispatcher sees it and may confirm it; the township's sees it and may not (D24: the owing side).
    expect((await settlementsAs(COUNTY_DISPATCHER)).find((x) => x.id === s.id)).toMatchObject({ settleable: true });
    expect((await settlementsAs(TOWN_DISPATCHER)).find((x) => x.id === s.id)).toMatchObject({ settleable: false });
  });

  it('D3, D25: the township’s own goods issued owe nothing', async () => {
    const item = await newItem();
    await receive(t, 'admin', TANGZHUANG, [{ itemId: item, quantity: 10, batchNo: 'ISO-JS-OWN', unitPrice: '80.00' }]);
    await issueByOrder(TANGZHUANG, TOWN_KEEPER, TOWN_DISPATCHER, [{ itemId: item, quantity: 4 }]);
    expect(await settlementsOfItem(item)).toEqual([]);
  });

  it('D3, D25: the city’s goods issued by a county store are owed to the city; the county’s own on the same issue owe nothing', async () => {
    const item = await newItem();
    await receive(t, 'admin', WEIHUI, [
      { itemId: item, quantity: 3, batchNo: 'ISO-CITY-AT-WH', unitPrice: '33.33', expiryDate: '2030-01-01', ownerOrgId: await governmentOf(CITY) },
      { itemId: item, quantity: 5, batchNo: 'ISO-WH-AT-WH', unitPrice: '40.00', expiryDate: '2031-01-01' },
    ]);
    // FEFO (D8): the city's 3 first, then 2 of 卫辉's own — two lines, one owed.
    const doc = await issueByOrder(WEIHUI, 'keeper', COUNTY_DISPATCHER, [{ itemId: item, quantity: 5 }]);
    const settlements = await settlementsOfItem(item);
    expect(settlements).toHaveLength(1);
    expect(settlements[0]).toMatchObject({
      status: 'OPEN',
      quantity: 3,
      value: '99.99',
      owedTo: { code: CITY },
      owedBy: { code: WEIHUI_REGION },
      store: { id: WEIHUI },
      issueDocumentNumber: doc.number,
    });
  });

  it('D3, D25: a drill and a loan use the goods too; a scrap (write-off, D11) and a transfer (owner unchanged) owe nothing', async () => {
    const item = await newItem();
    const received = await receive(t, 'admin', TANGZHUANG, [
      { itemId: item, quantity: 20, batchNo: 'ISO-WH-AT-JS-2', unitPrice: '10.00', ownerOrgId: await governmentOf(WEIHUI_REGION) },
    ]);
    const batchId = received.lines[0].batch.id;
    await issueByOrder(TANGZHUANG, TOWN_KEEPER, TOWN_DISPATCHER, [{ itemId: item, quantity: 1 }], 'DRILL');
    await issueByOrder(TANGZHUANG, TOWN_KEEPER, TOWN_DISPATCHER, [{ itemId: item, quantity: 2 }], 'LOAN');
    ok(await scrapRaw(t, 'admin', { storeId: TANGZHUANG, approvalRef: '鉴定〔2026〕1号', reason: 'DAMAGED', lines: [{ batchId, quantity: 3 }] }));
    ok(await shipRaw(t, 'admin', { fromStoreId: TANGZHUANG, toStoreId: WEIHUI, lines: [{ itemId: item, quantity: 4 }] }));
    expect((await settlementsOfItem(item)).map((s) => [s.quantity, s.value, s.owedTo.code, s.owedBy.code]).sort()).toEqual([
      [1, '10.00', WEIHUI_REGION, JISHUI],
      [2, '20.00', WEIHUI_REGION, JISHUI],
    ]);
  });

  it('D22, D25: a reversal of the issue releases its settlement; one settled refuses the reversal', async () => {
    const item = await newItem();
    await receive(t, 'admin', TANGZHUANG, [
      { itemId: item, quantity: 10, batchNo: 'ISO-WH-AT-JS-3', unitPrice: '100.00', ownerOrgId: await governmentOf(WEIHUI_REGION) },
    ]);
    const wrong = await issueByOrder(TANGZHUANG, TOWN_KEEPER, TOWN_DISPATCHER, [{ itemId: item, quantity: 3 }]);
    const [open] = await settlementsOfItem(item);
    expect(open).toMatchObject({ status: 'OPEN', quantity: 3 });
    // Asked, not yet approved: still owed.
    const reversal = ok(await reverseRaw(t, TOWN_KEEPER, wrong.id, key(), false)).reverseDocument;
    expect((await settlementsOfItem(item))[0]).toMatchObject({ status: 'OPEN', quantity: 3 });
    const approval = (
      await t.gql(`query { approvals(filter: { status: PENDING, kind: REVERSAL }, first: 500) { edges { node { id subjectId } } } }`, {}, TOWN_DISPATCHER)
    ).data.approvals.edges.find((e: any) => e.node.subjectId === reversal.id).node.id;
    ok(await decideRaw(t, TOWN_DISPATCHER, approval, 'APPROVE'));
    const [released] = await settlementsOfItem(item);
    expect(released).toMatchObject({ id: open.id, status: 'SETTLED', quantity: 0, value: '0.00', released: true, settledBy: null });
    expect(released.reference).toContain(wrong.number);
    expect(released.reference).toContain(reversal.number);

    // Issued again and settled by the county (in money): the issue now stands.
    const used = await issueByOrder(TANGZHUANG, TOWN_KEEPER, TOWN_DISPATCHER, [{ itemId: item, quantity: 4 }]);
    const owed = (await settlementsOfItem(item)).find((s) => s.status === 'OPEN');
    expect(owed).toMatchObject({ quantity: 4, value: '400.00', issueDocumentNumber: used.number });
    // D24: not the owing side.
    const refused = await t.gql(
      `mutation($i: SettleInput!) { settle(input: $i) { id } }`,
      { i: { settlementId: owed.id, reference: '汲财〔2026〕1号' } },
      TOWN_DISPATCHER,
    );
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const settled = ok(
      await t.gql(
        `mutation($i: SettleInput!) { settle(input: $i) { ${SETTLEMENT_FIELDS} } }`,
        { i: { settlementId: owed.id, reference: '汲财〔2026〕1号 拨款' } },
        COUNTY_DISPATCHER,
      ),
    ).settle;
    expect(settled).toMatchObject({
      status: 'SETTLED',
      quantity: 4,
      released: false,
      settledBy: { username: COUNTY_DISPATCHER },
      issueDocumentNumber: used.number,
    });
    const doc = ok(await t.gql(`query($id: ID!) { document(id: $id) { reversible } }`, { id: used.id }, TOWN_KEEPER)).document;
    expect(doc.reversible).toBe(false);
    const refusal = await t.gql(
      `mutation($id: ID!, $k: String!) { reverseDocument(documentId: $id, reason: "录入错误", idempotencyKey: $k) { id } }`,
      { id: used.id, k: key() },
      TOWN_KEEPER,
    );
    expect(errorCode(refusal)).toBe('INVALID_STATE');
    expect(refusal.errors![0].message).toContain('结清');
  });

  it('D22, D25: a settlement settled between a reversal’s request and its approval refuses the approval', async () => {
    const item = await newItem();
    await receive(t, 'admin', TANGZHUANG, [
      { itemId: item, quantity: 5, batchNo: 'ISO-WH-AT-JS-4', unitPrice: '7.00', ownerOrgId: await governmentOf(WEIHUI_REGION) },
    ]);
    const issued = await issueByOrder(TANGZHUANG, TOWN_KEEPER, TOWN_DISPATCHER, [{ itemId: item, quantity: 5 }]);
    const reversal = ok(await reverseRaw(t, TOWN_KEEPER, issued.id, key(), false)).reverseDocument;
    const [owed] = await settlementsOfItem(item);
    ok(await t.gql(`mutation($i: SettleInput!) { settle(input: $i) { id } }`, { i: { settlementId: owed.id, reference: '已拨款' } }, COUNTY_DISPATCHER));
    const approval = (
      await t.gql(`query { approvals(filter: { status: PENDING, kind: REVERSAL }, first: 500) { edges { node { id subjectId } } } }`, {}, TOWN_DISPATCHER)
    ).data.approvals.edges.find((e: any) => e.node.subjectId === reversal.id).node.id;
    const refused = await decideRaw(t, TOWN_DISPATCHER, approval, 'APPROVE');
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect((await settlementsOfItem(item))[0]).toMatchObject({ status: 'SETTLED', quantity: 5 });
    expect(ok(await t.gql(`query($id: ID!) { document(id: $id) { status } }`, { id: issued.id }, 'admin')).document.status).toBe('POSTED');
  });

  it('D25, D20: another region’s goods issued — its dispatcher sees the debt and the issue’s number, not the store’s document; those out of scope see nothing', async () => {
    const item = await newItem();
    const received = await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: item, quantity: 6, batchNo: 'ISO-XXX-OWN', unitPrice: '50.00' }]);
    const shipped = ok(await shipRaw(t, 'admin', { fromStoreId: XINXIANG_COUNTY, toStoreId: WEIHUI, lines: [{ itemId: item, quantity: 6 }] })).shipTransfer;
    ok(await receiveTransferRaw(t, 'keeper', { transferId: shipped.id, lines: [{ batchId: received.lines[0].batch.id, quantity: 6 }] }));
    const doc = await issueByOrder(WEIHUI, 'keeper', COUNTY_DISPATCHER, [{ itemId: item, quantity: 6 }]);
    const [s] = await settlementsOfItem(item);
    expect(s).toMatchObject({ quantity: 6, value: '300.00', owedTo: { code: XINXIANG_COUNTY_REGION }, owedBy: { code: WEIHUI_REGION } });
    const seenByLender = (await settlementsOfItem(item, XXX_DISPATCHER))[0];
    expect(seenByLender).toMatchObject({ id: s.id, issueDocument: null, issueDocumentNumber: doc.number, settleable: true });
    expect((await settlementsOfItem(item, COUNTY_DISPATCHER))[0]).toMatchObject({ id: s.id, issueDocument: { id: doc.id } });
    // Out of scope: a neighbour township's dispatcher and another city's see nothing of it; keepers none at all.
    expect(await settlementsOfItem(item, OTHER_TOWN_DISPATCHER)).toEqual([]);
    expect(await settlementsOfItem(item, 'jincheng')).toEqual([]);
    for (const keeper of [TOWN_KEEPER, 'keeper']) expect(errorCode(await t.gql(`query { settlements { id } }`, {}, keeper))).toBe('FORBIDDEN');
  });

  it('D25: the township’s dispatcher sees its own debt, not the county store’s debt to the city', async () => {
    const ofTown = await settlementsAs(TOWN_DISPATCHER);
    expect(ofTown.length).toBeGreaterThan(0);
    expect(ofTown.every((s) => s.owedBy.code === JISHUI || s.owedTo.code === JISHUI)).toBe(true);
  });
});

describe('D24, D25 (sweep 19c F4): the owing side does not settle its debt through an account it made or whose password it set', () => {
  const settleRaw = (settlementId: string, as: string) =>
    t.gql(`mutation($i: SettleInput!) { settle(input: $i) { status settledBy { username } } }`, { i: { settlementId, reference: '已归还' } }, as);

  it('the city owes 卫辉: a dispatcher of 卫辉 made by the city’s administrator, or whose password it reset, is refused; one it never touched settles', async () => {
    const item = await newItem();
    await createUser({ username: 'sop-city-keeper', displayName: '市库库管员', role: 'KEEPER', storeIds: [XINXIANG] });
    // 卫辉's goods sent to the city's store (owner unchanged, D3), then issued there by the city.
    const received = await receive(t, 'admin', WEIHUI, [{ itemId: item, quantity: 4, batchNo: 'SOP-WH-AT-CITY', unitPrice: '25.00' }]);
    const shipped = ok(await shipRaw(t, 'admin', { fromStoreId: WEIHUI, toStoreId: XINXIANG, lines: [{ itemId: item, quantity: 4 }] })).shipTransfer;
    ok(await receiveTransferRaw(t, 'sop-city-keeper', { transferId: shipped.id, lines: [{ batchId: received.lines[0].batch.id, quantity: 4 }] }));
    await issueByOrder(XINXIANG, 'sop-city-keeper', 'director', [{ itemId: item, quantity: 4 }]);
    const [owed] = await settlementsOfItem(item);
    expect(owed).toMatchObject({ status: 'OPEN', owedTo: { code: WEIHUI_REGION }, owedBy: { code: CITY } });

    // The city's regional administrator (the owing side) makes a 卫辉 dispatcher and resets another's password.
    await createUser({ username: 'sop-city-admin', displayName: '新乡市管理员', role: 'ADMIN', regionCode: '410700' });
    ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: 'sop-puppet', displayName: '卫辉调度员甲', role: 'DISPATCHER', regionCode: '410781', password: TEST_PASSWORD } },
        'sop-city-admin',
      ),
    );
    const reset = await createUser({ username: 'sop-reset', displayName: '卫辉调度员乙', role: 'DISPATCHER', regionCode: '410781' });
    ok(
      await t.gql(
        `mutation($id: ID!, $p: String!) { updateUser(id: $id, input: { password: $p }) { id } }`,
        { id: reset.createUser.id, p: TEST_PASSWORD },
        'sop-city-admin',
      ),
    );

    for (const puppet of ['sop-puppet', 'sop-reset']) {
      // Not offered (settleable), and refused if asked.
      expect((await settlementsAs(puppet)).find((x) => x.id === owed.id)).toMatchObject({ settleable: false });
      const refused = await settleRaw(owed.id, puppet);
      expect(errorCode(refused)).toBe('FORBIDDEN');
      expect(refused.errors![0].message).toContain('欠方辖区的 新乡市管理员（sop-city-admin）');
    }
    expect((await settlementsOfItem(item))[0].status).toBe('OPEN');
    // 卫辉's own dispatcher, made by the system's administrator (no side), settles it.
    expect((await settlementsAs(COUNTY_DISPATCHER)).find((x) => x.id === owed.id)).toMatchObject({ settleable: true });
    expect(ok(await settleRaw(owed.id, COUNTY_DISPATCHER)).settle).toMatchObject({ status: 'SETTLED', settledBy: { username: COUNTY_DISPATCHER } });
  });
});
