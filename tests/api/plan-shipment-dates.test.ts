import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { errorCode, NOW, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key, onHandOf, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { cancelTransferRaw, receiveRaw, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { approveWriteOffs, decideRaw } from '../support/authority.ts';
import { createIncident, ok, openPoint } from '../support/relief.ts';

// Sweep 20c F5 (D22, D23, D28): a plan's 补发 — shipTransfer citing the plan — and its receipt took any past business
// time: ten hours before the plan was executed, before the cancellation it made good, before the disaster. The incident's
// 10-hour record (basicNeeds) then counted the backdated receipt as in time, and a past valuation showed stock at a
// 安置点 before its incident. A plan's shipment is now dated no earlier than the plan's execution, nor than the
// cancellation or approved write-off that gave back what it ships; nothing is moved at a 安置点 before its incident.
// Sweep 20c F8 (D23, D27): a 补发 of a loss whose write-off was still pending, the write-off then rejected: the goods
// found were received too — 13 on a plan line of 10. A loss is a loss once approved: the 补发 waits for the approval.

const LINE = `quantity receivedQuantity arrivesInFull batch { id } transfer { id status }`;
const PLAN = `id status executedAt lines { ${LINE} } destinations { store { id } } transfers { id }`;
const INCIDENT = `basicNeedsMet basicNeeds { requested receivedByDeadline received met }`;
const POINT = { regionCode: '410781105000', lat: 35.45, lng: 113.97 };
const at = (minutes: number) => DateTime.fromISO(NOW).plus({ minutes }).toUTC().toISO()!;
/** China time, to the minute, as the refusals say it. */
const china = (iso: string) => DateTime.fromISO(iso).setZone('Asia/Shanghai').toFormat('yyyy-LL-dd HH:mm');

describe('sweep 20c F5, F8: a plan’s shipments are not dated before its order, and a 补发 waits for the write-off (D22, D23, D27, D28)', () => {
  const t = useTestApp();
  afterEach(() => {
    t.clock.set(NOW);
    return expectLedgerConsistent(t);
  });

  beforeAll(async () => {
    // Received before any of this suite's disasters: what is shipped backdated was there at its date (D21).
    await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 500, batchNo: 'F20C-MB-01', expiryDate: '2030-01-01', unitPrice: '150.00' }], {
      occurredAt: '2026-07-01T00:00:00Z',
    });
  });

  const planOf = async (id: string) => ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} } }`, { p: id }, 'dispatcher')).dispatchPlan;
  const incidentOf = async (id: string) => ok(await t.gql(`query($i: ID!) { incident(id: $i) { ${INCIDENT} } }`, { i: id }, 'dispatcher')).incident;

  /** An incident `hoursAgo` old (at NOW) and its plan of 10 quilts to a new 安置点, approved by a second person and executed at NOW. */
  async function executed(name: string, hoursAgo: number) {
    const occurredAt = DateTime.fromISO(NOW).minus({ hours: hoursAgo }).toUTC().toISO()!;
    const incidentId = await createIncident(t, { name, occurredAt, responseLevel: 4 });
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
        { i: { incidentId, destinations: [{ ...POINT, name: `${name}安置点`, lines: [{ itemId: QUILT, quantity: 10 }] }] } },
        'dispatcher',
      ),
    ).requestDispatch;
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
    ok(await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id } }`, { p: plan.id, k: key() }, 'dispatcher'));
    const view = await planOf(plan.id);
    return { incidentId, occurredAt, plan: view, line: view.lines[0], point: view.destinations[0].store.id as string };
  }

  /** The pending write-off (核销单) a receipt short of a transfer opened: its number and its approval. */
  async function pendingWriteOff(transferId: string): Promise<{ number: string; approvalId: string }> {
    const { approvals } = ok(
      await t.gql(
        `query { approvals(filter: { status: PENDING, kind: WRITE_OFF }, first: 500) { edges { node { id document { number transfer { id } } } } } }`,
        {},
        'admin',
      ),
    );
    const { node } = approvals.edges.find((e: any) => e.node.document?.transfer?.id === transferId);
    return { number: node.document.number, approvalId: node.id };
  }

  const reship = (planId: string, point: string, batchId: string, quantity: number, occurredAt?: string) =>
    shipRaw(t, 'keeper', {
      fromStoreId: WEIHUI,
      toStoreId: point,
      dispatchPlanId: planId,
      occurredAt,
      idempotencyKey: key(),
      lines: [{ itemId: QUILT, batchId, quantity }],
    });

  /** A refusal at input.occurredAt that changed nothing: the store's stock and the plan's shipments as before. */
  async function refusedAtOccurredAt(res: Awaited<ReturnType<typeof reship>>, planId: string, before: { onHand: number; shipments: number }) {
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.occurredAt' });
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(before.onHand);
    expect((await planOf(planId)).transfers).toHaveLength(before.shipments);
    return res.errors![0].message;
  }

  it('F5 (D23, D28): a 补发 after a cancellation dated before the execution, or before the cancellation, is refused naming the time; after it, it ships', async () => {
    const { incidentId, occurredAt, plan, line, point } = await executed('F20C补发日期甲', 11);
    t.clock.set(at(10));
    ok(await cancelTransferRaw(t, 'dispatcher', line.transfer.id));
    t.clock.set(at(20));
    const before = { onHand: await onHandOf(t, WEIHUI, QUILT), shipments: 1 };

    // The finding: an hour after the disaster, ten hours before the plan was executed.
    const early = await reship(plan.id, point, line.batch.id, 10, DateTime.fromISO(occurredAt).plus({ hours: 1 }).toUTC().toISO()!);
    const message = await refusedAtOccurredAt(early, plan.id, before);
    expect(message).toContain(`早于调拨方案执行的时间 ${china(plan.executedAt)}（北京时间）`);
    expect(early.errors![0].extensions).toMatchObject({
      earliest: DateTime.fromISO(plan.executedAt).setZone('Asia/Shanghai').toISO({ suppressMilliseconds: true }),
    });

    // After the execution but before the cancellation that gave the 10 back.
    const beforeCancel = await reship(plan.id, point, line.batch.id, 10, at(5));
    const cancelled = ok(await t.gql(`query($t: ID!) { transfer(id: $t) { number } }`, { t: line.transfer.id }, 'dispatcher')).transfer;
    expect(await refusedAtOccurredAt(beforeCancel, plan.id, before)).toContain(`早于调拨单 ${cancelled.number} 撤销的时间 ${china(at(10))}（北京时间）`);

    // At the cancellation's time or later: it ships, and its receipt is not dated before it (that held already).
    const shipped = ok(await reship(plan.id, point, line.batch.id, 10, at(15))).shipTransfer;
    const backdatedReceipt = await receiveTransferRaw(t, 'dispatcher', {
      transferId: shipped.id,
      occurredAt: at(12),
      lines: [{ batchId: line.batch.id, quantity: 10 }],
    });
    expect(errorCode(backdatedReceipt)).toBe('BAD_USER_INPUT');
    ok(await receiveTransferRaw(t, 'dispatcher', { transferId: shipped.id, lines: [{ batchId: line.batch.id, quantity: 10 }] }));
    // Received 11 h 20 min after the disaster: not within 10 h — the record says so.
    expect(await incidentOf(incidentId)).toEqual({ basicNeedsMet: false, basicNeeds: [{ requested: 10, receivedByDeadline: 0, received: 10, met: false }] });
  });

  it('F5 (D27, D28): a 补发 of a loss written off is not dated before the write-off’s approval — refused naming the 核销单', async () => {
    const { plan, line, point } = await executed('F20C补发日期乙', 2);
    t.clock.set(at(20));
    ok(
      await receiveTransferRaw(t, 'dispatcher', {
        transferId: line.transfer.id,
        lines: [{ batchId: line.batch.id, quantity: 7, discrepancyReason: 'TRANSIT_LOSS' }],
      }),
    );
    const writeOff = await pendingWriteOff(line.transfer.id);
    t.clock.set(at(40));
    await approveWriteOffs(t, 'keeper', line.transfer.id);
    t.clock.set(at(60));
    const before = { onHand: await onHandOf(t, WEIHUI, QUILT), shipments: 1 };
    const early = await reship(plan.id, point, line.batch.id, 3, at(30)); // after the loss was reported, before its approval
    expect(await refusedAtOccurredAt(early, plan.id, before)).toContain(`早于核销单 ${writeOff.number} 审批通过的时间 ${china(at(40))}（北京时间）`);
    ok(await reship(plan.id, point, line.batch.id, 3, at(45)));
  });

  it('F5 (D21, D28): nothing is shipped to, or received at, a 安置点 dated before its incident occurred — refused naming the time; nothing changed', async () => {
    const occurredAt = DateTime.fromISO(NOW).minus({ hours: 11 }).toUTC().toISO()!;
    const incidentId = await createIncident(t, { name: 'F20C安置点日期', occurredAt, responseLevel: 4 });
    const point = await openPoint(t, incidentId, 'F20C日期测试安置点');
    const expectRefused = (res: { errors?: any[] }) => {
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions).toMatchObject({ field: 'input.occurredAt' });
      expect(res.errors![0].message).toContain(`早于该事件的发生时间 ${china(occurredAt)}（北京时间）`);
      expect(res.errors![0].message).toContain('安置点「F20C日期测试安置点」为事件「F20C安置点日期」开设');
    };
    const before = await onHandOf(t, WEIHUI, QUILT);
    // An ordinary transfer (against its approved order, D23) dated the day before the disaster.
    const day = DateTime.fromISO(occurredAt).minus({ days: 1 }).toUTC().toISO()!;
    expectRefused(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: point, occurredAt: day, lines: [{ itemId: QUILT, quantity: 5 }] }));
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(before);
    // A donation received at the 安置点 in October 2025 (the finding's past valuation).
    expectRefused(
      await receiveRaw(t, 'keeper', {
        storeId: point,
        source: 'DONATION',
        occurredAt: '2025-10-15T10:00:00+08:00',
        lines: [{ itemId: QUILT, quantity: 5, batchNo: 'F20C-DON-01', expiryDate: '2030-01-01', unitPrice: '150.00' }],
      }),
    );
    expect(await onHandOf(t, point, QUILT)).toBe(0);
    // After the disaster: both go through.
    const after = DateTime.fromISO(occurredAt).plus({ hours: 1 }).toUTC().toISO()!;
    ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: point, occurredAt: after, lines: [{ itemId: QUILT, quantity: 5 }] }));
    ok(
      await receiveRaw(t, 'keeper', {
        storeId: point,
        source: 'DONATION',
        occurredAt: after,
        lines: [{ itemId: QUILT, quantity: 5, batchNo: 'F20C-DON-01', expiryDate: '2030-01-01', unitPrice: '150.00' }],
      }),
    );
    expect(await onHandOf(t, point, QUILT)).toBe(5);
  });

  it('F8 (D23, D27): a 补发 of a loss whose write-off is pending is refused naming the 核销单; rejected, the goods found arrive — 10 on a line of 10', async () => {
    const { incidentId, plan, line, point } = await executed('F20C补发待核销', 2);
    t.clock.set(at(20));
    ok(
      await receiveTransferRaw(t, 'dispatcher', {
        transferId: line.transfer.id,
        lines: [{ batchId: line.batch.id, quantity: 7, discrepancyReason: 'TRANSIT_LOSS' }],
      }),
    );
    const writeOff = await pendingWriteOff(line.transfer.id);

    t.clock.set(at(30));
    const before = await onHandOf(t, WEIHUI, QUILT);
    const refused = await reship(plan.id, point, line.batch.id, 3);
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0].extensions).toMatchObject({ field: 'input.lines.0.quantity', remaining: 0, awaitingWriteOff: 3 });
    // Sweep 22c F6: each quantity with the item's unit (quantityText); the extensions keep the numbers.
    expect(refused.errors![0].message).toBe(
      `超出调拨方案：该批次从此仓库到此安置点尚可调拨 0 床，本次 3 床（另有在途短少 3 床尚待核销审批：核销单 ${writeOff.number} 审批通过后才能补发）`,
    );
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(before);
    expect((await planOf(plan.id)).transfers).toHaveLength(1);

    // The driver says the 3 are on the truck: the write-off is rejected, the 3 are received — the plan's 10, not 13.
    ok(await decideRaw(t, 'director', writeOff.approvalId, 'REJECT', { reason: '司机称货物在车上，复核' }));
    t.clock.set(at(40));
    ok(await receiveTransferRaw(t, 'dispatcher', { transferId: line.transfer.id, lines: [{ batchId: line.batch.id, quantity: 3 }] }));
    expect(await planOf(plan.id)).toMatchObject({ status: 'COMPLETED', lines: [{ quantity: 10, receivedQuantity: 10, arrivesInFull: true }] });
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(before);
    expect(await incidentOf(incidentId)).toMatchObject({ basicNeeds: [{ requested: 10, received: 10 }] });
  });
});
