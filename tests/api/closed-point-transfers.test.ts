import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { cancelTransferRaw, ledgerCounts, shipRaw } from '../support/ledger-ops.ts';
import { approvedOrder, orderLines, requestOrderRaw } from '../support/authority.ts';
import { createIncident, executedPlan, ok, openPoint } from '../support/relief.ts';

// D29 (sweep 9b D7): a 安置点 serves its incident. Once the incident is closed nothing more is handed out there, so it
// leaves the 调入仓库 list, and an order or a shipment to it is refused — one approved before the close too. What is
// there still goes back by 回收清点.

const t = useTestApp();
const NAME = '汲水镇关闭测试安置点';
const refusal = `安置点「${NAME}」所属的事件「卫辉市测试内涝（已结束）」已结束，不再向其调拨物资（回收清点仍可进行）`;
let point: string;
let approved: string;

const destinations = async () =>
  ok(
    await t.gql(`query($s: ID!) { transferDestinations(fromStoreId: $s, first: 500) { edges { node { id } } } }`, { s: WEIHUI }, 'keeper'),
  ).transferDestinations.edges.map((e: { node: { id: string } }) => e.node.id);
const transferOrder = () => ({ storeId: WEIHUI, purpose: 'TRANSFER', toStoreId: point, lines: orderLines([{ itemId: QUILT, quantity: 5 }]) });

beforeAll(async () => {
  await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 20, batchNo: 'CLOSED-PT-1', expiryDate: '2031-01-01' }]);
  const incidentId = await createIncident(t, { name: '卫辉市测试内涝（已结束）' });
  point = await openPoint(t, incidentId, NAME);
  expect(await destinations()).toContain(point);
  const order = await approvedOrder(t, 'keeper', transferOrder());
  expect(order.errors, JSON.stringify(order.errors)).toBeUndefined();
  approved = order.data.order.id;
  ok(await t.gql(`mutation($id: ID!) { closeIncident(incidentId: $id) { closedAt } }`, { id: incidentId }, 'dispatcher'));
});

describe('the 安置点 of a closed incident takes no more transfers (D29)', () => {
  it('it is no longer among the 调入仓库 a keeper is offered', async () => {
    expect(await destinations()).not.toContain(point);
  });

  it('an order to it is refused at input.toStoreId, naming the incident; nothing is written', async () => {
    const before = await ledgerCounts(t);
    const res = await requestOrderRaw(t, 'keeper', transferOrder());
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.toStoreId' } });
    expect(res.errors?.[0].message).toContain('已结束，不再向其调拨物资');
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('a shipment against an order approved before the close is refused too; the stock stays on hand', async () => {
    const before = await ledgerCounts(t);
    const res = await t.gql(
      `mutation($input: ShipTransferInput!) { shipTransfer(input: $input) { id } }`,
      { input: { fromStoreId: WEIHUI, toStoreId: point, orderId: approved, idempotencyKey: key(), lines: [{ itemId: QUILT, quantity: 5 }] } },
      'keeper',
    );
    expect(res.errors?.[0]).toMatchObject({ message: refusal, extensions: { code: 'BAD_USER_INPUT', field: 'input.toStoreId' } });
    expect(await ledgerCounts(t)).toEqual(before);
    await expectLedgerConsistent(t);
  });
});

describe('sweep 19a F10 (D29): a plan’s 补发 to the 安置点 of a closed incident is refused too', () => {
  it('the incident closed while its plan was short (its shipment cancelled): 补发 → BAD_USER_INPUT naming the incident; nothing shipped', async () => {
    const incidentId = await createIncident(t, { name: '卫辉市测试内涝（补发已结束）' });
    const plan = await executedPlan(t, incidentId, [
      { name: '汲水镇补发测试安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: QUILT, quantity: 3 }] },
    ]);
    const [line] = plan.lines;
    ok(await cancelTransferRaw(t, 'dispatcher', line.transfer.id)); // the command undoes the shipment: the plan stays EXECUTING
    ok(await t.gql(`mutation($id: ID!) { closeIncident(incidentId: $id) { closedAt } }`, { id: incidentId }, 'dispatcher'));
    const before = await ledgerCounts(t);
    const reship = await shipRaw(t, 'keeper', {
      fromStoreId: WEIHUI,
      toStoreId: line.destination.store.id,
      dispatchPlanId: plan.id,
      lines: [{ itemId: QUILT, batchId: line.batch.id, quantity: 3 }],
    });
    expect(reship.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.toStoreId' } });
    expect(reship.errors?.[0].message).toContain('「卫辉市测试内涝（补发已结束）」已结束，不再向其调拨物资');
    expect(await ledgerCounts(t)).toEqual(before);
  });
});
