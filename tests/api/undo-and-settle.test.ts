import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { createIncident } from '../support/relief.ts';
import { expectLedgerConsistent, key, onHandOf, receive, TANGZHUANG, WEIHUI, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';
import { cancelTransferRaw, ok, reverseRaw } from '../support/ledger-ops.ts';
import { approvedOrder, decideRaw, ORDER_FIELDS, pendingApprovalOf } from '../support/authority.ts';

// What a cancelled shipment or a reversed document undoes (D23, D25), and what may close a settlement (D24, D25).
// Each scenario uses its own item so that their stock does not mix.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const HEATER = itemId('LIV-014'); // 取暖炉: transfer orders
const SUMMER_QUILT = itemId('LIV-008'); // 夏凉被: issue orders and reversals
const FOLDING_BED = itemId('LIV-010'); // settlements owed to 新乡县 (D15)

const orderById = async (id: string) => ok(await t.gql(`query($id: ID!) { outboundOrder(id: $id) { ${ORDER_FIELDS} } }`, { id }, 'admin')).outboundOrder;
const ship = (orderId: string, quantity: number, item = HEATER) =>
  t.gql(
    `mutation($input: ShipTransferInput!) { shipTransfer(input: $input) { id status } }`,
    { input: { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, orderId, idempotencyKey: key(), lines: [{ itemId: item, quantity }] } },
    'keeper',
  );
const issueAgainst = (orderId: string, quantity: number) =>
  t.gql(
    `mutation($input: IssueStockInput!) { issueStock(input: $input) { id status } }`,
    { input: { storeId: WEIHUI, orderId, reason: 'RELIEF', recipient: '汲水镇受灾群众', idempotencyKey: key(), lines: [{ itemId: SUMMER_QUILT, quantity }] } },
    'keeper',
  );
const executed = async (orderId: string) => {
  const o = await orderById(orderId);
  return { status: o.status, executed: o.lines[0].executedQuantity, remaining: o.lines[0].remainingQuantity };
};

describe('D23: what never left gives its quantity back to the order', () => {
  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: HEATER, quantity: 200, batchNo: 'UN-HT-01', unitPrice: '90.00', expiryDate: '2032-01-01' }]);
    await receive(t, 'keeper', WEIHUI, [{ itemId: SUMMER_QUILT, quantity: 100, batchNo: 'UN-SQ-01', unitPrice: '300.00', expiryDate: '2032-01-01' }]);
  });

  it('D23: cancelling a transfer shipped against a TRANSFER order gives the quantity back; the order is APPROVED again', async () => {
    const order = ok(
      await approvedOrder(t, 'keeper', { storeId: WEIHUI, purpose: 'TRANSFER', toStoreId: TANGZHUANG, lines: [{ itemId: HEATER, quantity: 30 }] }),
    ).order;
    ok(await ship(order.id, 20));
    const second = ok(await ship(order.id, 10)).shipTransfer;
    expect(await executed(order.id)).toEqual({ status: 'EXECUTED', executed: 30, remaining: 0 });
    ok(await cancelTransferRaw(t, 'keeper', second.id));
    expect(await executed(order.id)).toEqual({ status: 'APPROVED', executed: 20, remaining: 10 });
    // The keeper ships the approved remainder; nothing beyond it.
    expect(errorCode(await ship(order.id, 11))).toBe('BAD_USER_INPUT');
    ok(await ship(order.id, 10));
    expect(await executed(order.id)).toEqual({ status: 'EXECUTED', executed: 30, remaining: 0 });
  });

  it('D23: an approved reversal (冲销) of an issue gives its quantity back to the order', async () => {
    const order = ok(
      await approvedOrder(t, 'keeper', { storeId: WEIHUI, purpose: 'RELIEF', recipient: '汲水镇受灾群众', lines: [{ itemId: SUMMER_QUILT, quantity: 20 }] }),
    ).order;
    ok(await issueAgainst(order.id, 8));
    const wrong = ok(await issueAgainst(order.id, 12)).issueStock;
    expect(await executed(order.id)).toEqual({ status: 'EXECUTED', executed: 20, remaining: 0 });
    // Requested, not yet approved: the order is unchanged.
    const pending = ok(await reverseRaw(t, 'keeper', wrong.id, key(), false)).reverseDocument;
    expect(pending.status).toBe('PENDING_APPROVAL');
    expect(await executed(order.id)).toEqual({ status: 'EXECUTED', executed: 20, remaining: 0 });
    const before = await onHandOf(t, WEIHUI, SUMMER_QUILT);
    const decided = await t.gql(
      `mutation($input: DecideApprovalInput!) { decideApproval(input: $input) { status } }`,
      {
        input: {
          approvalId: (
            await t.gql(`query { approvals(filter: { status: PENDING, kind: REVERSAL }, first: 500) { edges { node { id subjectId } } } }`, {}, 'admin')
          ).data.approvals.edges
            .map((e: any) => e.node)
            .find((a: any) => a.subjectId === pending.id).id,
          decision: 'APPROVE',
          approvalRef: '审批〔2026〕9号',
        },
      },
      'admin',
    );
    ok(decided);
    expect(await onHandOf(t, WEIHUI, SUMMER_QUILT)).toBe(before + 12);
    expect(await executed(order.id)).toEqual({ status: 'APPROVED', executed: 8, remaining: 12 });
    ok(await issueAgainst(order.id, 12));
    expect(await executed(order.id)).toEqual({ status: 'EXECUTED', executed: 20, remaining: 0 });
  });

  it('D23: concurrent cancellations of shipments against one order each give their quantity back exactly', async () => {
    const order = ok(
      await approvedOrder(t, 'keeper', { storeId: WEIHUI, purpose: 'TRANSFER', toStoreId: TANGZHUANG, lines: [{ itemId: HEATER, quantity: 40 }] }),
    ).order;
    const shipped = [];
    for (const q of [10, 10, 10, 10]) shipped.push(ok(await ship(order.id, q)).shipTransfer.id);
    expect(await executed(order.id)).toEqual({ status: 'EXECUTED', executed: 40, remaining: 0 });
    const results = await Promise.all(shipped.slice(0, 3).map((id) => cancelTransferRaw(t, 'keeper', id)));
    results.forEach(ok);
    expect(await executed(order.id)).toEqual({ status: 'APPROVED', executed: 10, remaining: 30 });
  });
});

const SETTLEMENT_FIELDS = `id status quantity value reference documentId owedTo { code } owedBy { code } store { id } plan { id }`;
const JISHUI = { name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065 };
let incidentId: string;
let round = 0;

/**
 * D15: 卫辉's own 10 folding beds first, then 15 from 新乡县's store: executed, the plan leaves a settlement that
 * 新乡市 (the requesting dispatcher's region) owes 新乡县.
 */
async function countyServesWeihui(requester = 'dispatcher', owedBy = '410700000000') {
  round += 1;
  await receive(t, 'admin', WEIHUI, [{ itemId: FOLDING_BED, quantity: 10, batchNo: `UN-FB-WH-${round}`, unitPrice: '120.00', expiryDate: '2032-01-01' }]);
  await receive(t, 'admin', XINXIANG_COUNTY, [
    { itemId: FOLDING_BED, quantity: 15, batchNo: `UN-FB-XXX-${round}`, unitPrice: '120.00', expiryDate: '2032-01-01' },
  ]);
  const fields = `id status lines { store { id } quantity transfer { id } }`;
  const plan = ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${fields} } }`,
      { i: { incidentId, deadlineHours: 48, destinations: [{ ...JISHUI, lines: [{ itemId: FOLDING_BED, quantity: 25 }] }] } },
      requester,
    ),
  ).requestDispatch;
  ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
  // A county's plan uses another county's stock only with consent there (D25): the city, over both, gives it.
  if (requester !== 'dispatcher') ok(await decideRaw(t, 'director', await pendingApprovalOf(t, plan.id, 'CROSS_REGION_USE'), 'APPROVE'));
  const done = ok(
    await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${fields} } }`, { p: plan.id, k: key() }, requester),
  ).executeDispatchPlan;
  const county = done.lines.find((l: any) => l.store.id === XINXIANG_COUNTY);
  expect(county.quantity).toBe(15);
  const settlement = await settlementOf(plan.id);
  expect(settlement).toMatchObject({ status: 'OPEN', quantity: 15, value: '1800.00', owedTo: { code: '410721000000' }, owedBy: { code: owedBy } });
  return { planId: plan.id as string, transferId: county.transfer.id as string, settlement };
}

async function settlementOf(planId: string) {
  const all = ok(await t.gql(`query { settlements { ${SETTLEMENT_FIELDS} } }`, {}, 'admin')).settlements;
  return all.find((s: any) => s.plan?.id === planId && s.store.id === XINXIANG_COUNTY);
}

const settle = (as: string, input: Record<string, unknown>) =>
  t.gql(`mutation($i: SettleInput!) { settle(input: $i) { status reference documentId settledBy { username } } }`, { i: input }, as);

describe('settlements (D15, D24, D25)', () => {
  beforeAll(async () => {
    incidentId = await createIncident(
      t,
      { name: '卫辉市折叠床保障', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 }, affectedPopulation: 3000 },
      'dispatcher',
    );
  });

  it('D25: a cancelled shipment owes nothing: its settlement is reduced to nothing and closed, and is no longer owed', async () => {
    const { planId, transferId } = await countyServesWeihui();
    const before = await onHandOf(t, XINXIANG_COUNTY, FOLDING_BED);
    ok(await cancelTransferRaw(t, 'admin', transferId));
    expect(await onHandOf(t, XINXIANG_COUNTY, FOLDING_BED)).toBe(before + 15);
    const closed = await settlementOf(planId);
    expect(closed).toMatchObject({ status: 'SETTLED', quantity: 0, value: '0.00', documentId: null });
    expect(closed.reference).toContain('已撤销');
    const open = ok(await t.gql(`query { settlements(status: OPEN) { id } }`, {}, 'admin')).settlements.map((s: any) => s.id);
    expect(open).not.toContain(closed.id);
    const owed = ok(await t.gql(`query { replenishmentsOwed(regionCode: "410721") { planId } }`, {}, 'dispatcher')).replenishmentsOwed;
    expect(owed.map((r: any) => r.planId)).not.toContain(planId);
  });

  it('D24, D25: the owing region’s own people may not confirm its debt settled (不相容岗位分离); the system administrator may', async () => {
    const { settlement } = await countyServesWeihui();
    // Settlement.settleable (what the console offers 结清 by) says the same as settle: not the owing side, the administrator.
    const settleable = async (as: string) =>
      ok(await t.gql(`query { settlements(status: OPEN) { id settleable } }`, {}, as)).settlements.find((s: any) => s.id === settlement.id).settleable;
    expect([await settleable('dispatcher'), await settleable('director'), await settleable('admin')]).toEqual([false, false, true]);
    for (const as of ['dispatcher', 'director']) {
      const res = await settle(as, { settlementId: settlement.id, reference: '市级自行核销' });
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect(res.errors![0].message).toContain('不相容岗位分离');
    }
    // Another region's dispatcher has no authority over 新乡县 at all: refused as another region's records are (sweep 8c F2).
    const elsewhere = await settle('jincheng', { settlementId: settlement.id, reference: '代为核销' });
    expect(errorCode(elsewhere)).toBe('FORBIDDEN');
    expect(elsewhere.errors![0].message).toBe('无权访问：该结算超出您的权限范围');
    expect((await settlementOf(settlement.plan.id)).status).toBe('OPEN');
    expect(ok(await settle('admin', { settlementId: settlement.id, reference: '新财拨〔2026〕5号' })).settle).toMatchObject({
      status: 'SETTLED',
      settledBy: { username: 'admin' },
    });
  });

  it('D24, D25: a superior over both sides confirms a debt between two of its counties; the debtor county may not', async () => {
    const created = await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username: 'wh-dispatcher', displayName: '卫辉市应急管理局调度员', password: TEST_PASSWORD, role: 'DISPATCHER', regionCode: '410781000000' } },
      'admin',
    );
    expect(created.errors).toBeUndefined();
    const { settlement } = await countyServesWeihui('wh-dispatcher', '410781000000');
    expect(errorCode(await settle('wh-dispatcher', { settlementId: settlement.id, reference: '卫辉自行核销' }))).toBe('FORBIDDEN');
    expect(ok(await settle('dispatcher', { settlementId: settlement.id, reference: '新财拨〔2026〕6号' })).settle).toMatchObject({
      status: 'SETTLED',
      settledBy: { username: 'dispatcher' },
    });
  });

  it('D15, D24 (sweep 10b A17): what the city owes its own county is confirmed by that county — not by the city', async () => {
    const created = await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username: 'xxc-dispatcher', displayName: '新乡县应急管理局调度员', password: TEST_PASSWORD, role: 'DISPATCHER', regionCode: '410721000000' } },
      'admin',
    );
    expect(created.errors).toBeUndefined();
    // 新乡市 planned 新乡县's 折叠床 for 卫辉市: the city owes its own county (D15), which lies inside it.
    const { settlement } = await countyServesWeihui();
    const settleable = async (as: string) =>
      ok(await t.gql(`query { settlements(status: OPEN) { id settleable } }`, {}, as)).settlements.find((s: any) => s.id === settlement.id).settleable;
    expect([await settleable('xxc-dispatcher'), await settleable('dispatcher')]).toEqual([true, false]);
    expect(errorCode(await settle('dispatcher', { settlementId: settlement.id, reference: '市级自行核销' }))).toBe('FORBIDDEN');
    expect(ok(await settle('xxc-dispatcher', { settlementId: settlement.id, reference: '新乡县收回凭证001' })).settle).toMatchObject({
      status: 'SETTLED',
      settledBy: { username: 'xxc-dispatcher' },
    });
  });

  it('D25: a settlement closes only by a document returning its item into the owed region, at least the quantity owed, used once', async () => {
    const first = await countyServesWeihui();
    const second = await countyServesWeihui();
    const refused = async (documentId: string, why: string) => {
      const res = await settle('admin', { settlementId: first.settlement.id, documentId });
      expect(errorCode(res), why).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions.field, why).toBe('input.documentId');
      expect(res.errors![0].message, why).toMatch(/[\u4e00-\u9fff]/);
    };
    // The shipment that caused the debt.
    const [shipment] = await queryRows<{ id: string }>(
      t.database.db,
      sql`SELECT id FROM documents WHERE transfer_id = ${first.transferId}::uuid AND type = 'TRANSFER_OUT'`,
    );
    await refused(shipment.id, 'the shipment itself');
    // The returns below are the owing side's goods (新乡市人民政府's, registered by a receipt at the city's store):
    // the owed county's own purchase is no return (finance sweep #5, tests/api/finance-sweep-settlements.test.ts).
    await receive(t, 'admin', XINXIANG, [{ itemId: SUMMER_QUILT, quantity: 1, batchNo: 'UN-SQ-CITY', unitPrice: '300.00', expiryDate: '2032-01-01' }]);
    const [{ id: ownerOrgId }] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM organizations WHERE name = '新乡市人民政府'`);
    const elsewhere = await receive(t, 'admin', WEIHUI, [
      { itemId: FOLDING_BED, quantity: 15, batchNo: 'UN-FB-RET-WH', unitPrice: '120.00', expiryDate: '2032-01-01', ownerOrgId },
    ]);
    await refused(elsewhere.id, 'returned outside the owed region');
    const otherItem = await receive(t, 'admin', XINXIANG_COUNTY, [
      { itemId: SUMMER_QUILT, quantity: 15, batchNo: 'UN-SQ-RET', unitPrice: '300.00', expiryDate: '2032-01-01', ownerOrgId },
    ]);
    await refused(otherItem.id, 'another item');
    const tooFew = await receive(t, 'admin', XINXIANG_COUNTY, [
      { itemId: FOLDING_BED, quantity: 14, batchNo: 'UN-FB-RET-14', unitPrice: '120.00', expiryDate: '2032-01-01', ownerOrgId },
    ]);
    await refused(tooFew.id, 'fewer than owed');
    expect((await settlementOf(first.planId)).status).toBe('OPEN');
    const returned = await receive(t, 'admin', XINXIANG_COUNTY, [
      { itemId: FOLDING_BED, quantity: 15, batchNo: 'UN-FB-RET-15', unitPrice: '120.00', expiryDate: '2032-01-01', ownerOrgId },
    ]);
    expect(ok(await settle('admin', { settlementId: first.settlement.id, documentId: returned.id })).settle).toMatchObject({
      status: 'SETTLED',
      documentId: returned.id,
    });
    // One return settles one debt.
    const again = await settle('admin', { settlementId: second.settlement.id, documentId: returned.id });
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(again.errors![0].extensions.field).toBe('input.documentId');
    expect((await settlementOf(second.planId)).status).toBe('OPEN');
  });
});
