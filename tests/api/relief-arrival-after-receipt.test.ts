import { beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { createAgreement } from '../support/agreements.ts';
import { NOW, useTestApp } from '../support/harness.ts';
import { key, QUILT, receive, SANDBAG, WEIHUI } from '../support/ledger.ts';
import { createIncident, executedPlan, ok } from '../support/relief.ts';

// D28 (findings-relief F7): once a plan line's goods are received at its 安置点, the line arrives when they were received
// (the receipt's occurredAt) and its flags follow — the rule the incident's basicNeeds counts by; a line not yet
// received keeps the planned estimate (execution time + ETA). F8: meetsDeadline says what it measures from.

const LINE = `quantity etaHours arrivesAt hoursSinceIncident meetsBasicNeedsTarget meetsDeadline transfer { id lines { batch { id } inTransit } }`;
const PLAN = `id status meetsBasicNeedsTarget lines { ${LINE} } firstBatches { arrivesAt }`;
const INCIDENT = `basicNeedsMet basicNeeds { requested receivedByDeadline received met }`;

// Next to 卫辉市救灾物资储备库: the only store holding quilts in this suite.
const POINT = { name: '卫辉市区安置点', regionCode: '410781100000', lat: 35.387, lng: 114.061 };
const at = (iso: string) => DateTime.fromISO(iso).toMillis();
const later = (minutes: number) => DateTime.fromISO(NOW).plus({ minutes }).toUTC().toISO()!;

describe('D28: a received line arrives when it was received, and its flags follow (F7)', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });

  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 200, batchNo: 'ARR-WH-MB', expiryDate: '2030-01-01' }]);
  });

  const planOf = async (id: string) => ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} } }`, { p: id }, 'dispatcher')).dispatchPlan;
  const incidentOf = async (id: string) => ok(await t.gql(`query($i: ID!) { incident(id: $i) { ${INCIDENT} } }`, { i: id }, 'dispatcher')).incident;
  const receiveLine = async (line: any, quantity: number) =>
    ok(
      await t.gql(
        `mutation($i: ReceiveTransferInput!) { receiveTransfer(input: $i) { status } }`,
        { i: { transferId: line.transfer.id, idempotencyKey: key(), lines: [{ batchId: line.transfer.lines[0].batch.id, quantity }] } },
        'dispatcher',
      ),
    );

  it('D28: planned to arrive after occurredAt + 10 h, received before it → the line, the plan and the incident all say met', async () => {
    // The disaster was 9 h 55 min ago: the deadline is 5 minutes away, closer than any shipment's ETA.
    const incidentId = await createIncident(t, { occurredAt: DateTime.fromISO(NOW).minus({ hours: 9, minutes: 55 }).toUTC().toISO() });
    const executed = await executedPlan(t, incidentId, [{ ...POINT, lines: [{ itemId: QUILT, quantity: 2 }] }]);
    const planned = await planOf(executed.id);
    const [line] = planned.lines;
    expect(line.etaHours).toBeGreaterThan(5 / 60);
    expect(at(line.arrivesAt)).toBe(at(NOW) + Math.round(line.etaHours * 3_600_000));
    expect(planned).toMatchObject({ meetsBasicNeedsTarget: false, lines: [{ meetsBasicNeedsTarget: false }] });

    t.clock.set(later(1)); // received a minute after execution, 4 minutes before the deadline
    await receiveLine(line, 2);
    const received = await planOf(executed.id);
    expect(received.status).toBe('COMPLETED');
    expect(at(received.lines[0].arrivesAt)).toBe(at(later(1)));
    expect(received.lines[0]).toMatchObject({ hoursSinceIncident: 9.93, meetsBasicNeedsTarget: true });
    expect(received.meetsBasicNeedsTarget).toBe(true);
    expect(at(received.firstBatches[0].arrivesAt)).toBe(at(later(1)));
    // The plan agrees with the incident, which counts the same receipt.
    expect(await incidentOf(incidentId)).toMatchObject({ basicNeedsMet: true, basicNeeds: [{ requested: 2, receivedByDeadline: 2, met: true }] });
    // Later, the arrival stays the receipt's time (not execution time + ETA, not now).
    t.clock.set(later(600));
    expect(at((await planOf(executed.id)).lines[0].arrivesAt)).toBe(at(later(1)));
  });

  it('D28: planned on time, received late → not met; received in part, the line keeps its planned estimate until all of it arrives', async () => {
    const incidentId = await createIncident(t, { occurredAt: DateTime.fromISO(NOW).minus({ hours: 5 }).toUTC().toISO() });
    const executed = await executedPlan(t, incidentId, [{ ...POINT, lines: [{ itemId: QUILT, quantity: 10 }] }]);
    const [line] = (await planOf(executed.id)).lines;
    const plannedAt = at(NOW) + Math.round(line.etaHours * 3_600_000);
    expect(line.meetsBasicNeedsTarget).toBe(true);

    t.clock.set(later(60)); // 4 of 10 by 6 h after the disaster: the rest is still on its way
    await receiveLine(line, 4);
    const part = await planOf(executed.id);
    expect(at(part.lines[0].arrivesAt)).toBe(plannedAt);
    expect(part).toMatchObject({ meetsBasicNeedsTarget: true, lines: [{ meetsBasicNeedsTarget: true }] });

    t.clock.set(later(360)); // the other 6 at 11 h: after occurredAt + 10 h
    await receiveLine(line, 6);
    const late = await planOf(executed.id);
    expect(at(late.lines[0].arrivesAt)).toBe(at(later(360)));
    expect(late.lines[0]).toMatchObject({ hoursSinceIncident: 11, meetsBasicNeedsTarget: false });
    expect(late.meetsBasicNeedsTarget).toBe(false);
    expect(await incidentOf(incidentId)).toMatchObject({
      basicNeedsMet: false,
      basicNeeds: [{ requested: 10, receivedByDeadline: 4, received: 10, met: false }],
    });
  });

  it('D17, D28: an agreement line (call-off) arrives when its delivery was received at the 安置点', async () => {
    await createAgreement(t, {
      companyName: '卫辉市到货测试商贸有限公司',
      regionCode: '410781',
      lines: [{ itemId: SANDBAG, quantity: 100, unitPrice: '10.00', responseHours: 2 }],
    });
    const incidentId = await createIncident(t, { occurredAt: DateTime.fromISO(NOW).minus({ hours: 9 }).toUTC().toISO() });
    const executed = await executedPlan(t, incidentId, [{ ...POINT, lines: [{ itemId: SANDBAG, quantity: 20 }] }]);
    const plan = ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} callOffs { id } } }`, { p: executed.id }, 'dispatcher')).dispatchPlan;
    expect(plan.lines).toMatchObject([{ quantity: 20, transfer: null, meetsBasicNeedsTarget: false }]); // 2 h response: after 10 h

    t.clock.set(later(30));
    ok(
      await t.gql(
        `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { id } }`,
        { i: { callOffId: plan.callOffs[0].id, batchNo: 'ARR-CO-1', productionDate: '2026-07-01', idempotencyKey: key() } },
        // D14, D24 (sweep 19c F6): not the dispatcher who approved the plan alone in the emergency — another person.
        'director',
      ),
    );
    const delivered = await planOf(executed.id);
    expect(at(delivered.lines[0].arrivesAt)).toBe(at(later(30)));
    expect(delivered.lines[0]).toMatchObject({ hoursSinceIncident: 9.5, meetsBasicNeedsTarget: true });
    expect(delivered.meetsBasicNeedsTarget).toBe(true);
    expect((await incidentOf(incidentId)).basicNeedsMet).toBe(true);
  });

  it('D28, house style 5: plan lists show each received line at its receipt, read in one batch — statements do not grow with plans or lines', async () => {
    const incidentId = await createIncident(t, { occurredAt: DateTime.fromISO(NOW).minus({ hours: 8 }).toUTC().toISO() });
    const plans = [];
    for (const quantity of [1, 2, 3]) {
      plans.push(
        await executedPlan(t, incidentId, [
          { ...POINT, lines: [{ itemId: QUILT, quantity }] },
          { ...POINT, name: '卫辉市区第二安置点', lat: 35.39, lng: 114.07, lines: [{ itemId: QUILT, quantity }] },
        ]),
      );
    }
    t.clock.set(later(2)); // received two minutes after execution, before any ETA
    for (const plan of plans) await receiveLine(plan.lines[0], plan.lines[0].quantity); // one line received, the other still in transit
    const list = (fields: string) =>
      `query($i: ID!) { incident(id: $i) { plans { id lines { quantity transfer { id } ${fields} } ${fields ? 'meetsBasicNeedsTarget' : ''} } } }`;
    const statements = async (fields: string) => {
      await t.gql(list(fields), { i: incidentId }, 'dispatcher'); // logged in and known before counting
      t.database.stats.statements = 0;
      const res = ok(await t.gql(list(fields), { i: incidentId }, 'dispatcher'));
      return { n: t.database.stats.statements, plans: res.incident.plans };
    };
    const without = await statements('');
    const withArrival = await statements('arrivesAt hoursSinceIncident meetsBasicNeedsTarget');
    expect(withArrival.plans).toHaveLength(3);
    const received = new Set(plans.map((p) => p.lines[0].transfer.id));
    const lines = withArrival.plans.flatMap((p: any) => p.lines);
    expect(lines).toHaveLength(6);
    for (const l of lines) {
      if (received.has(l.transfer.id)) expect(at(l.arrivesAt)).toBe(at(later(2)));
      else expect(at(l.arrivesAt)).toBeGreaterThan(at(later(2))); // still planned: execution + ETA
      expect(l.meetsBasicNeedsTarget).toBe(true);
    }
    // The incident (cached) and one batched read of every plan's receipts, whatever the number of plans and lines.
    expect(withArrival.n - without.n).toBe(1);
  });
});

describe('F8: meetsDeadline says what it is measured from', () => {
  const t = useTestApp();

  it('D16, D28: DispatchPlan.meetsDeadline and DispatchPlanLine.meetsDeadline are described as measured from the order, not the disaster', async () => {
    const fields = async (type: string) =>
      new Map<string, string | null>(
        ok(await t.gql(`query($n: String!) { __type(name: $n) { fields { name description } } }`, { n: type }, 'dispatcher')).__type.fields.map((f: any) => [
          f.name,
          f.description,
        ]),
      );
    for (const type of ['DispatchPlan', 'DispatchPlanLine']) {
      const described = await fields(type);
      expect(described.get('meetsDeadline')).toMatch(/from the order/);
      expect(described.get('meetsDeadline')).toMatch(/meetsBasicNeedsTarget/);
      expect(described.get('meetsBasicNeedsTarget')).toMatch(/occurredAt \+ 10 h/);
    }
    const line = await fields('DispatchPlanLine');
    expect(line.get('arrivesAt')).toMatch(/receipt/);
    expect(line.get('hoursSinceIncident')).toMatch(/occurredAt/);
  });
});
