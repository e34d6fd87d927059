import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, key, QUILT, receive, TANGZHUANG, WEIHUI, XINXIANG } from '../support/ledger.ts';

// Issue: a dispatcher takes a flood in 卫辉市 with three 安置点 from request to received shipments (D13–D18).
describe('dispatch: a flood in 卫辉市 with three 安置点, request to received shipments', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  let incidentId: string;
  let planId: string;

  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [
      { itemId: QUILT, quantity: 300, batchNo: 'F-WH-MB', expiryDate: '2030-01-01', unitPrice: '150.00' },
      { itemId: COTTON_TENT, quantity: 50, batchNo: 'F-WH-ZP', expiryDate: '2031-01-01', unitPrice: '2000.00' },
    ]);
    await receive(t, 'admin', TANGZHUANG, [{ itemId: QUILT, quantity: 100, batchNo: 'F-TZ-MB', expiryDate: '2029-06-01', unitPrice: '150.00' }]);
    await receive(t, 'admin', XINXIANG, [
      { itemId: QUILT, quantity: 1000, batchNo: 'F-XX-MB', expiryDate: '2030-06-01', unitPrice: '140.00' },
      { itemId: COTTON_TENT, quantity: 200, batchNo: 'F-XX-ZP', expiryDate: '2031-06-01', unitPrice: '1900.00' },
    ]);
  });

  it('opens the incident', async () => {
    const res = await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id name type region { name } responseLevel } }`,
      {
        i: {
          name: '卫辉市“7·20”洪涝灾害',
          type: 'FLOOD',
          regionCode: '410781',
          location: { lat: 35.398, lng: 114.064 },
          affectedPopulation: 12000,
          responseLevel: 2,
        },
      },
      'dispatcher',
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    incidentId = res.data.createIncident.id;
    expect(res.data.createIncident.region.name).toBe('卫辉市');
  });

  const PLAN = `id status totalQuantity maxEtaHours approvalDueAt emergency
    lines { destination { name store { id kind } } item { id } store { id name } batch { batchNo } quantity distanceKm etaHours meetsDeadline tier reason transfer { id status } }
    shortages { destination { name } item { id } requested planned missing }`;
  const request = () => ({
    incidentId,
    destinations: [
      {
        name: '唐庄镇第一小学安置点',
        regionCode: '410781100000',
        lat: 35.475,
        lng: 114.012,
        lines: [
          { itemId: QUILT, quantity: 200 },
          { itemId: COTTON_TENT, quantity: 40 },
        ],
      },
      {
        name: '太公镇中学安置点',
        regionCode: '410781101000',
        lat: 35.42,
        lng: 114.14,
        lines: [
          { itemId: QUILT, quantity: 200 },
          { itemId: COTTON_TENT, quantity: 40 },
        ],
      },
      {
        name: '城郊乡文化广场安置点',
        regionCode: '410781203000',
        lat: 35.37,
        lng: 114.08,
        lines: [
          { itemId: QUILT, quantity: 200 },
          { itemId: COTTON_TENT, quantity: 40 },
        ],
      },
    ],
  });

  it('D15: suggests local stock first, then the city store, exactly, with reasons; persists nothing', async () => {
    const res = await t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${PLAN} } }`, { i: request() }, 'dispatcher');
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const plan = res.data.suggestDispatchPlan;
    expect(plan.id).toBeNull();
    expect(plan.shortages).toEqual([]);
    expect(plan.totalQuantity).toBe(720);
    const from = (item: string, tier: string) =>
      plan.lines.filter((l: any) => l.item.id === item && l.tier === tier).reduce((s: number, l: any) => s + l.quantity, 0);
    expect(from(QUILT, 'LOCAL')).toBe(400); // all of 卫辉市's quilts before any from 新乡市
    expect(from(QUILT, 'UPPER')).toBe(200);
    expect(from(COTTON_TENT, 'LOCAL')).toBe(50);
    expect(from(COTTON_TENT, 'UPPER')).toBe(70);
    expect(plan.lines.every((l: any) => l.meetsDeadline && l.reason.includes('km'))).toBe(true);
  });

  it('requests, approves in an emergency (written approval due in 48 h, D14) and reserves the stock', async () => {
    const res = await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`, { i: request() }, 'dispatcher');
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    planId = res.data.requestDispatch.id;
    expect(res.data.requestDispatch.status).toBe('PROPOSED');
    expect(res.data.requestDispatch.lines[0].destination.store.kind).toBe('DISTRIBUTION_POINT');
    const approved = await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { ${PLAN} } }`, { p: planId }, 'dispatcher');
    expect(approved.errors).toBeUndefined();
    expect(approved.data.approveDispatchPlan.status).toBe('APPROVED');
    expect(approved.data.approveDispatchPlan.approvalDueAt).toBeNull(); // API.md: execution time + 48 h — set when executed
    const stock = await t.gql(
      `query($f: StockFilter!) { stock(filter: $f) { edges { node { batch { batchNo } onHand reserved available } } } }`,
      { f: { storeId: WEIHUI, itemId: QUILT } },
      'admin',
    );
    expect(stock.data.stock.edges[0].node).toMatchObject({ onHand: 300, reserved: 300, available: 0 });
    const again = await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: planId }, 'dispatcher');
    expect(again.errors?.[0].extensions.code).toBe('INVALID_STATE');
  });

  it('executes: ships one transfer per source and destination, idempotently; EXECUTING', async () => {
    const k = key();
    const res = await t.gql(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`,
      { p: planId, k },
      'dispatcher',
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const plan = res.data.executeDispatchPlan;
    expect(plan.status).toBe('EXECUTING');
    expect(plan.approvalDueAt).toBe('2026-07-22T10:00:00+08:00'); // D14: the written approval due 48 h after execution
    expect(plan.lines.every((l: any) => l.transfer?.status === 'IN_TRANSIT')).toBe(true);
    const again = await t.gql(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { status lines { transfer { id } } } }`,
      { p: planId, k },
      'dispatcher',
    );
    expect(again.data.executeDispatchPlan.lines.map((l: any) => l.transfer.id)).toEqual(plan.lines.map((l: any) => l.transfer.id));
    const stock = await t.gql(
      `query($f: StockFilter!) { stock(filter: $f) { edges { node { onHand reserved } } } }`,
      { f: { storeId: WEIHUI, itemId: QUILT } },
      'admin',
    );
    expect(stock.data.stock.edges).toEqual([]);
  });

  it('completes when every shipment is received at the 安置点', async () => {
    const plan = (
      await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { lines { transfer { id status lines { batch { id } inTransit } } } } }`, { p: planId }, 'dispatcher')
    ).data.dispatchPlan;
    const transferIds = [...new Set(plan.lines.map((l: any) => l.transfer.id))] as string[];
    for (const id of transferIds) {
      const tr = plan.lines.find((l: any) => l.transfer.id === id).transfer;
      const res = await t.gql(
        `mutation($i: ReceiveTransferInput!) { receiveTransfer(input: $i) { status } }`,
        { i: { transferId: id, idempotencyKey: key(), lines: tr.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.inTransit })) } },
        'dispatcher',
      );
      expect(res.errors).toBeUndefined();
    }
    const done = await t.gql(
      `query($p: ID!) { dispatchPlan(id: $p) { status completedAt } incident(id: "${incidentId}") { balance { item { id } requested planned shipped received } } }`,
      { p: planId },
      'dispatcher',
    );
    expect(done.data.dispatchPlan.status).toBe('COMPLETED');
    const quilts = done.data.incident.balance.find((b: any) => b.item.id === QUILT);
    expect(quilts).toMatchObject({ requested: 600, planned: 600, shipped: 600, received: 600 });
  });

  it('D12, D30: a recovery without a count books the tents back (all good) and leaves the consumed quilts at the 安置点 for households', async () => {
    const res = await t.gql(
      `mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { status } }`,
      { i: { planId, idempotencyKey: key() } }, // D30: back to the stores they were shipped from
      'dispatcher',
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const balance = (await t.gql(`{ incident(id: "${incidentId}") { balance { item { id } shipped received distributed recovered } } }`, {}, 'dispatcher')).data
      .incident.balance;
    expect(balance.find((b: any) => b.item.id === QUILT)).toMatchObject({ distributed: 0, recovered: 0 });
    expect(balance.find((b: any) => b.item.id === COTTON_TENT)).toMatchObject({ distributed: 0, recovered: 120 });
  });
});
