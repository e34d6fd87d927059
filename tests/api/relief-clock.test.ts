import { beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { NOW, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, QUILT, receive, TANGZHUANG, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { createIncident, executedPlan, ok, receiveAll } from '../support/relief.ts';

// D16, D28: the 10-hour clock runs from the disaster (occurredAt), not from planning time; first batches from the order.

const NINE_HOURS_AGO = DateTime.fromISO(NOW).minus({ hours: 9 }).toUTC().toISO()!;
const LINE = `quantity etaHours arrivesAt hoursSinceIncident meetsBasicNeedsTarget meetsDeadline store { id } item { id }`;
const PLAN = `lines { ${LINE} } basicNeedsDeadline meetsBasicNeedsTarget respondingLevel firstBatchTargetHours
  firstBatches { destination { name } orderedAt dueAt arrivesAt met }`;

const destination = (lines: { itemId: string; quantity: number }[]) => ({
  name: '唐庄镇第一小学安置点',
  regionCode: '410781100000',
  lat: 35.475,
  lng: 114.012,
  lines,
});

describe('D28: the 10-hour clock on plans', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });
  let incidentId: string;

  beforeAll(async () => {
    await receive(t, 'admin', TANGZHUANG, [{ itemId: QUILT, quantity: 50, batchNo: 'CLK-TZ-MB', expiryDate: '2030-01-01' }]);
    await receive(t, 'admin', XINXIANG, [{ itemId: COTTON_TENT, quantity: 100, batchNo: 'CLK-XX-ZP', expiryDate: '2031-01-01' }]);
    incidentId = await createIncident(t, { occurredAt: NINE_HOURS_AGO, affectedPopulation: 3000, responseLevel: 4 });
    // The road from the city store to 唐庄镇 is cut: 3 hours (the travel-time table overrides the distance estimate).
    ok(await t.gql(`mutation { setTravelTime(storeId: "${XINXIANG}", regionCode: "410781100000", hours: 3) { hours } }`, {}, 'admin'));
  });

  const suggest = async () =>
    ok(
      await t.gql(
        `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${PLAN} } }`,
        {
          i: {
            incidentId,
            destinations: [
              destination([
                { itemId: QUILT, quantity: 40 },
                { itemId: COTTON_TENT, quantity: 20 },
              ]),
            ],
          },
        },
        'dispatcher',
      ),
    ).suggestDispatchPlan;

  it('D28: an incident 9 hours old: each line shows its arrival and hours since the disaster, and which lines miss the 10-hour mark', async () => {
    const plan = await suggest();
    const quilt = plan.lines.find((l: any) => l.item.id === QUILT);
    const tent = plan.lines.find((l: any) => l.item.id === COTTON_TENT);
    expect(plan.basicNeedsDeadline).toBe('2026-07-20T11:00:00+08:00');
    for (const l of plan.lines) {
      const arrives = DateTime.fromISO(l.arrivesAt);
      expect(arrives.toMillis()).toBe(
        DateTime.fromISO(NOW)
          .plus({ milliseconds: Math.round(l.etaHours * 3_600_000) })
          .toMillis(),
      );
      expect(l.hoursSinceIncident).toBeCloseTo(9 + l.etaHours, 2);
      expect(l.meetsBasicNeedsTarget).toBe(l.etaHours <= 1);
    }
    // The township's own quilts are near (under an hour); the city's tents, 3 hours away, meet the plan's deadline but miss the 10-hour mark.
    expect(quilt.meetsBasicNeedsTarget).toBe(true);
    expect(tent.meetsDeadline).toBe(true);
    expect(tent.meetsBasicNeedsTarget).toBe(false);
    expect(plan.meetsBasicNeedsTarget).toBe(false);
  });

  it('D28: the flag flips exactly at occurredAt + 10 h', async () => {
    const { lines } = await suggest();
    const tent = lines.find((l: any) => l.item.id === COTTON_TENT);
    const deadline = DateTime.fromISO('2026-07-20T03:00:00Z');
    const ms = Math.round(tent.etaHours * 3_600_000);
    t.clock.set(deadline.minus({ milliseconds: ms }).toISO()!); // arrives exactly at the deadline
    expect((await suggest()).lines.find((l: any) => l.item.id === COTTON_TENT)).toMatchObject({ meetsBasicNeedsTarget: true, hoursSinceIncident: 10 });
    t.clock.set(deadline.minus({ milliseconds: ms - 1 }).toISO()!); // one millisecond later
    expect((await suggest()).lines.find((l: any) => l.item.id === COTTON_TENT).meetsBasicNeedsTarget).toBe(false);
  });

  it('D16: first-batch targets run from the order by responding level (Ⅳ county 6 h) and are flagged', async () => {
    const plan = await suggest();
    expect(plan).toMatchObject({ respondingLevel: 'COUNTY', firstBatchTargetHours: 6 });
    const [first] = plan.firstBatches;
    expect(DateTime.fromISO(first.dueAt).diff(DateTime.fromISO(first.orderedAt), 'hours').hours).toBe(6);
    const earliest = Math.min(...plan.lines.map((l: any) => DateTime.fromISO(l.arrivesAt).toMillis()));
    expect(DateTime.fromISO(first.arrivesAt).toMillis()).toBe(earliest);
    expect(first.met).toBe(true);
    const city = await createIncident(t, { occurredAt: NINE_HOURS_AGO, responseLevel: 3 });
    const cityPlan = ok(
      await t.gql(
        `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { respondingLevel firstBatchTargetHours } }`,
        { i: { incidentId: city, destinations: [destination([{ itemId: QUILT, quantity: 1 }])] } },
        'dispatcher',
      ),
    ).suggestDispatchPlan;
    expect(cityPlan).toEqual({ respondingLevel: 'CITY', firstBatchTargetHours: 8 });
  });
});

describe('D28: an incident shows its clock and whether basic needs were met at its 安置点', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });

  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 100, batchNo: 'CLK-WH-MB', expiryDate: '2030-01-01' }]);
  });

  const INCIDENT = `hoursSinceOccurred basicNeedsDeadline basicNeedsMet basicNeeds { store { id } item { id } requested receivedByDeadline received met }`;
  const incident = async (id: string) => ok(await t.gql(`query($id: ID!) { incident(id: $id) { ${INCIDENT} } }`, { id }, 'dispatcher')).incident;

  it('D28: a closed incident’s elapsed time stops at its closing (sweep 11a F8: it ran on)', async () => {
    const id = await createIncident(t, { occurredAt: NINE_HOURS_AGO, name: '卫辉市洪涝（已结束）' });
    ok(await t.gql(`mutation($id: ID!) { closeIncident(incidentId: $id) { closedAt } }`, { id }, 'dispatcher'));
    t.clock.set(DateTime.fromISO(NOW).plus({ hours: 5 }).toUTC().toISO()!);
    try {
      expect((await incident(id)).hoursSinceOccurred).toBe(9);
    } finally {
      t.clock.set(NOW);
    }
  });

  it('D28: received within 10 h at every 安置点 → met; received late or short → not met', async () => {
    const onTime = await createIncident(t, { occurredAt: NINE_HOURS_AGO });
    expect(await incident(onTime)).toMatchObject({
      hoursSinceOccurred: 9,
      basicNeedsDeadline: '2026-07-20T11:00:00+08:00',
      basicNeedsMet: false,
      basicNeeds: [],
    });
    const plan = await executedPlan(t, onTime, [destination([{ itemId: QUILT, quantity: 30 }])]);
    const before = await incident(onTime);
    expect(before.basicNeedsMet).toBe(false);
    expect(before.basicNeeds).toMatchObject([{ item: { id: QUILT }, requested: 30, receivedByDeadline: 0, received: 0, met: false }]);
    t.clock.set('2026-07-20T02:45:00Z');
    await receiveAll(t, plan, '2026-07-20T10:30:00+08:00');
    t.clock.set(NOW);
    expect(await incident(onTime)).toMatchObject({ basicNeedsMet: true, basicNeeds: [{ requested: 30, receivedByDeadline: 30, received: 30, met: true }] });

    const late = await createIncident(t, { occurredAt: DateTime.fromISO(NOW).minus({ hours: 11 }).toUTC().toISO() });
    const latePlan = await executedPlan(t, late, [destination([{ itemId: QUILT, quantity: 20 }])]);
    await receiveAll(t, latePlan);
    expect(await incident(late)).toMatchObject({ basicNeedsMet: false, basicNeeds: [{ requested: 20, receivedByDeadline: 0, received: 20, met: false }] });
  });
});
