import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { errorCode, NOW, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key, onHandOf, QUILT, receive, SANDBAG, WEIHUI } from '../support/ledger.ts';
import { cancelTransferRaw, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { approveWriteOffs } from '../support/authority.ts';
import { createIncident, ok } from '../support/relief.ts';
import { createAgreement } from '../support/agreements.ts';

// Sweep M1 (D14, D16, D23, D28): the only shipment of an executing plan cancelled by its source store's keeper. The plan
// had become COMPLETED, its line and first batch "met" at the planned time, while its 安置点 received nothing — and the
// approved quantity could never be shipped again (补发 refused: the plan was COMPLETED). A cancelled shipment completes
// nothing: the plan stays EXECUTING until what it approved is shipped again and received.

const LINE = `quantity etaHours arrivesAt meetsBasicNeedsTarget receivedQuantity arrivesInFull store { id } batch { id } transfer { id status }`;
const PLAN = `id status completedAt executedAt meetsBasicNeedsTarget lines { ${LINE} }
  destinations { store { id } } firstBatches { arrivesAt met }`;
const INCIDENT = `basicNeedsMet basicNeeds { requested received met }`;

// A new 安置点 near 卫辉市救灾物资储备库 (the finding's 410781105000).
const POINT = { name: '撤销补发测试安置点', regionCode: '410781105000', lat: 35.45, lng: 113.97 };
const ms = (iso: string) => DateTime.fromISO(iso).toMillis();
const later = (minutes: number) => DateTime.fromISO(NOW).plus({ minutes }).toUTC().toISO()!;

describe('M1: a cancelled shipment leaves its plan EXECUTING, not met, and open to 补发', () => {
  const t = useTestApp();
  afterEach(() => {
    t.clock.set(NOW);
    return expectLedgerConsistent(t);
  });
  let incidentId: string;

  beforeAll(async () => {
    // Test databases start with empty stores: 卫辉市救灾物资储备库 holds the demo's 棉被 (the only quilts in this suite).
    await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 1270, batchNo: 'WH-MB-2204', expiryDate: '2030-01-01', unitPrice: '150.00' }]);
    // Two hours ago, county response: basic needs due in 8 h, first batches 6 h after the order — a nearby store meets both.
    incidentId = await createIncident(t, { occurredAt: DateTime.fromISO(NOW).minus({ hours: 2 }).toUTC().toISO(), responseLevel: 4 });
  });

  const planOf = async (id: string) => ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} } }`, { p: id }, 'dispatcher')).dispatchPlan;
  const incidentOf = async () => ok(await t.gql(`query($i: ID!) { incident(id: $i) { ${INCIDENT} } }`, { i: incidentId }, 'dispatcher')).incident;

  /** requestDispatch (dispatcher) → approveDispatchPlan (director) → executeDispatchPlan (dispatcher). */
  async function executed(name: string, lines: { itemId: string; quantity: number }[]) {
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
        { i: { incidentId, destinations: [{ ...POINT, name, lines }] } },
        'dispatcher',
      ),
    ).requestDispatch;
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
    ok(await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id } }`, { p: plan.id, k: key() }, 'dispatcher'));
    return planOf(plan.id);
  }

  it('D14, D23, D28: cancelled → EXECUTING and not met; 补发 of the approved quantity ships; received → COMPLETED and met', async () => {
    const plan = await executed(POINT.name, [{ itemId: QUILT, quantity: 10 }]);
    expect(plan.status).toBe('EXECUTING');
    expect(plan.lines).toHaveLength(1);
    const [line] = plan.lines;
    expect(line).toMatchObject({ quantity: 10, store: { id: WEIHUI }, transfer: { status: 'IN_TRANSIT' } });
    const point = plan.destinations[0].store.id as string;
    const plannedAt = ms(plan.executedAt) + Math.round(line.etaHours * 3_600_000);
    expect(ms(line.arrivesAt)).toBe(plannedAt);
    expect(plan).toMatchObject({ meetsBasicNeedsTarget: true, firstBatches: [{ met: true }] }); // on its way, on time
    expect(line).toMatchObject({ receivedQuantity: 0, arrivesInFull: true });

    // The command cancels the shipment — the dispatcher whose region covers 卫辉市救灾物资储备库, not its keeper alone
    // (D24, D27: transfer-cancel-authority.test.ts): the 10 quilts are back on hand there.
    t.clock.set(later(10));
    const before = await onHandOf(t, WEIHUI, QUILT);
    expect(ok(await cancelTransferRaw(t, 'dispatcher', line.transfer.id)).cancelTransfer.status).toBe('CANCELLED');
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(before + 10);

    const cancelled = await planOf(plan.id);
    expect(cancelled).toMatchObject({ status: 'EXECUTING', completedAt: null, meetsBasicNeedsTarget: false });
    expect(cancelled.lines[0]).toMatchObject({ meetsBasicNeedsTarget: false, receivedQuantity: 0, arrivesInFull: false }); // D28: says why
    expect(ms(cancelled.lines[0].arrivesAt)).not.toBe(plannedAt); // not arriving: never shown at the planned time
    expect(ms(cancelled.lines[0].arrivesAt)).toBeGreaterThan(ms(later(10)));
    expect(cancelled.firstBatches).toEqual([{ arrivesAt: null, met: false }]); // nothing on its way: no first batch
    // The plan agrees with the incident: nothing received at the 安置点.
    expect(await incidentOf()).toMatchObject({ basicNeedsMet: false, basicNeeds: [{ requested: 10, received: 0, met: false }] });

    // 补发: the keeper ships the approved quantity again, citing the plan (the plan is the order, D23).
    t.clock.set(later(30));
    const reship = (quantity: number) =>
      shipRaw(t, 'keeper', {
        fromStoreId: WEIHUI,
        toStoreId: point,
        dispatchPlanId: plan.id,
        lines: [{ itemId: QUILT, batchId: line.batch.id, quantity }],
      });
    const shipped = ok(await reship(10)).shipTransfer;
    expect(shipped).toMatchObject({ status: 'IN_TRANSIT', lines: [{ batch: { id: line.batch.id }, shipped: 10 }] });
    // Never beyond what the plan approved.
    const over = await reship(1);
    expect(errorCode(over)).toBe('BAD_USER_INPUT');
    expect(over.errors![0].message).toContain('超出调拨方案');

    const onItsWay = await planOf(plan.id);
    expect(onItsWay.status).toBe('EXECUTING');
    // On its way again: it arrives when the 补发 left + ETA, and is met again.
    expect(ms(onItsWay.lines[0].arrivesAt)).toBe(ms(later(30)) + Math.round(line.etaHours * 3_600_000));
    expect(onItsWay).toMatchObject({
      meetsBasicNeedsTarget: true,
      lines: [{ meetsBasicNeedsTarget: true, receivedQuantity: 0, arrivesInFull: true }],
      firstBatches: [{ met: true }],
    });

    // Received at the 安置点: the plan completes, and arrives when it was received.
    t.clock.set(later(45));
    const received = ok(
      await receiveTransferRaw(t, 'dispatcher', { transferId: shipped.id, lines: [{ batchId: line.batch.id, quantity: 10 }] }),
    ).receiveTransfer;
    expect(received.status).toBe('RECEIVED');
    const done = await planOf(plan.id);
    expect(done.status).toBe('COMPLETED');
    expect(ms(done.completedAt)).toBe(ms(later(45)));
    expect(ms(done.lines[0].arrivesAt)).toBe(ms(later(45)));
    expect(ms(done.firstBatches[0].arrivesAt)).toBe(ms(later(45)));
    expect(done).toMatchObject({
      meetsBasicNeedsTarget: true,
      lines: [{ meetsBasicNeedsTarget: true, receivedQuantity: 10, arrivesInFull: true }],
      firstBatches: [{ met: true }],
    });
    expect(await incidentOf()).toMatchObject({ basicNeeds: [{ requested: 10, received: 10, met: true }] });
  });

  it('D27, D28: received short with the loss written off, the plan stays EXECUTING — its line short, not met — until made good or closed short', async () => {
    // Sweep 11a F3: it completed here, and a 补发 of the 3 lost was refused (「尚可调拨 0」), so the 安置点 could never be
    // made whole under its plan. The 补发 itself: dispatch-transit-loss-reship.test.ts.
    const plan = await executed('短少核销测试安置点', [{ itemId: QUILT, quantity: 10 }]);
    const [line] = plan.lines;
    t.clock.set(later(20));
    const short = ok(
      await receiveTransferRaw(t, 'dispatcher', {
        transferId: line.transfer.id,
        lines: [{ batchId: line.batch.id, quantity: 7, discrepancyReason: 'TRANSIT_LOSS' }],
      }),
    ).receiveTransfer;
    expect(short.status).toBe('PARTIALLY_RECEIVED'); // 3 disputed until the write-off is decided (D27)
    // The 3 do not come on this shipment whatever the write-off's decision: the line says so, and how much arrived.
    expect(await planOf(plan.id)).toMatchObject({ status: 'EXECUTING', lines: [{ receivedQuantity: 7, arrivesInFull: false }] });
    await approveWriteOffs(t, 'dispatcher', line.transfer.id);
    const written = await planOf(plan.id);
    expect(written).toMatchObject({
      status: 'EXECUTING',
      completedAt: null,
      meetsBasicNeedsTarget: false,
      lines: [{ meetsBasicNeedsTarget: false, receivedQuantity: 7, arrivesInFull: false }],
      firstBatches: [{ met: true }],
    });
    expect(ms(written.lines[0].arrivesAt)).toBe(ms(later(20)));
    // Not made good: the dispatcher closes it short, the line still short.
    t.clock.set(later(25));
    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "短少 3 床不再补发") { status } }`, { p: plan.id }, 'dispatcher'));
    const done = await planOf(plan.id);
    expect(done).toMatchObject({ status: 'COMPLETED', meetsBasicNeedsTarget: false, lines: [{ receivedQuantity: 7, arrivesInFull: false }] });
    expect(ms(done.completedAt)).toBe(ms(later(25)));
  });

  it('D17, D28: a cancelled call-off is not met and brings no first batch; the plan completes (a call-off is not issued again)', async () => {
    await createAgreement(t, {
      companyName: '卫辉市撤销测试商贸有限公司',
      regionCode: '410781',
      lines: [{ itemId: SANDBAG, quantity: 100, unitPrice: '10.00', responseHours: 1 }],
    });
    const plan = await executed('撤销调用测试安置点', [{ itemId: SANDBAG, quantity: 20 }]);
    const [callOff] = ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { callOffs { id } } }`, { p: plan.id }, 'dispatcher')).dispatchPlan.callOffs;
    expect(plan).toMatchObject({ status: 'EXECUTING', lines: [{ transfer: null, meetsBasicNeedsTarget: true }], firstBatches: [{ met: true }] });

    ok(await t.gql(`mutation($c: ID!) { cancelCallOff(callOffId: $c, reason: "企业无法供货") { id } }`, { c: callOff.id }, 'dispatcher'));
    const cancelled = await planOf(plan.id);
    expect(cancelled).toMatchObject({
      status: 'COMPLETED',
      meetsBasicNeedsTarget: false,
      lines: [{ meetsBasicNeedsTarget: false, receivedQuantity: 0, arrivesInFull: false }],
    });
    expect(cancelled.firstBatches).toEqual([{ arrivesAt: null, met: false }]);
  });

  it('D14, D23: what will not be shipped again is closed short by the dispatcher (cancelDispatchPlan with a reason) — not while anything is on its way', async () => {
    const plan = await executed('结束方案测试安置点', [{ itemId: QUILT, quantity: 10 }]);
    const [line] = plan.lines;
    const close = () =>
      t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "需求已由社会捐赠满足，不再补发") { status } }`, { p: plan.id }, 'dispatcher');
    const onItsWay = await close();
    expect(errorCode(onItsWay)).toBe('INVALID_STATE');
    expect(onItsWay.errors![0].message).toContain('在途');
    expect((await planOf(plan.id)).status).toBe('EXECUTING');

    t.clock.set(later(15));
    ok(await cancelTransferRaw(t, 'dispatcher', line.transfer.id)); // D24, D27: the command undoes a plan's shipment
    expect(ok(await close()).cancelDispatchPlan.status).toBe('COMPLETED');
    const closed = await planOf(plan.id);
    expect(closed).toMatchObject({ status: 'COMPLETED', meetsBasicNeedsTarget: false, lines: [{ meetsBasicNeedsTarget: false }] });
    expect(ms(closed.completedAt)).toBe(ms(later(15)));
    // Closed: nothing more is shipped against it.
    const point = plan.destinations[0].store.id as string;
    const reship = await shipRaw(t, 'keeper', {
      fromStoreId: WEIHUI,
      toStoreId: point,
      dispatchPlanId: plan.id,
      lines: [{ itemId: QUILT, batchId: line.batch.id, quantity: 10 }],
    });
    expect(errorCode(reship)).toBe('INVALID_STATE');
  });
});
