import { beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, NOW, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, key, QUILT, receive, TANGZHUANG, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { cancelTransferRaw, lineOf, shipRaw } from '../support/ledger-ops.ts';
import { createIncident, executedPlan, ok, receiveAll } from '../support/relief.ts';
import { decideRaw } from '../support/authority.ts';

// D12, D30: recovery by condition after an incident, and what should come back but has not.

const COMMAND_TENT = itemId('LIV-003'); // 救灾指挥帐篷: always recovered
const SINGLE_TENT = itemId('LIV-002'); // 单帐篷: recovered if used under 6 months
// 棉帐篷 (COTTON_TENT): under 12 months; 棉被 (QUILT): consumed.

const OUTSTANDING = `outstandingRecovery(incidentId: $id) { store { id } item { id } batch { id batchNo } received returned scrapped lost pending outstanding rule }`;

describe('D12, D30: recovery by condition', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });
  let incidentId: string;
  let plan: any;
  const batch: Record<string, string> = {};

  beforeAll(async () => {
    const wh = await receive(t, 'admin', WEIHUI, [
      { itemId: COMMAND_TENT, quantity: 5, batchNo: 'REC-WH-ZHZP', expiryDate: '2033-01-01' },
      { itemId: COTTON_TENT, quantity: 10, batchNo: 'REC-WH-MZP', expiryDate: '2033-01-01' },
      { itemId: SINGLE_TENT, quantity: 10, batchNo: 'REC-WH-DZP', expiryDate: '2033-01-01' },
      { itemId: QUILT, quantity: 20, batchNo: 'REC-WH-MB', expiryDate: '2031-01-01' },
    ]);
    const xx = await receive(t, 'admin', XINXIANG, [{ itemId: COTTON_TENT, quantity: 30, batchNo: 'REC-XX-MZP', expiryDate: '2033-01-01' }]);
    for (const l of [...wh.lines, ...xx.lines]) batch[l.batch.batchNo] = l.batch.id;
    incidentId = await createIncident(t, { affectedPopulation: 500 });
    plan = await executedPlan(t, incidentId, [
      {
        name: '汲水镇中心小学安置点',
        regionCode: '410781100000',
        lat: 35.3985,
        lng: 114.065,
        lines: [
          { itemId: COMMAND_TENT, quantity: 5 },
          { itemId: COTTON_TENT, quantity: 25 },
          { itemId: SINGLE_TENT, quantity: 10 },
          { itemId: QUILT, quantity: 20 },
        ],
      },
    ]);
    await receiveAll(t, plan);
  });

  const outstanding = async () => ok(await t.gql(`query($id: ID!) { ${OUTSTANDING} }`, { id: incidentId }, 'dispatcher')).outstandingRecovery as any[];
  const byBatch = (lines: any[]) => Object.fromEntries(lines.map((l) => [l.batch.batchNo, l.outstanding]));
  const recover = (lines: Record<string, unknown>[], extra: Record<string, unknown> = {}, idempotencyKey = key()) =>
    t.gql(
      `mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id status } }`,
      { i: { planId: plan.id, idempotencyKey, lines, ...extra } },
      'dispatcher',
    );

  it('D12: command tents always, tents within 6 / 12 months, bedding never — what has not come back is outstanding', async () => {
    const lines = await outstanding();
    expect(byBatch(lines)).toEqual({ 'REC-WH-ZHZP': 5, 'REC-WH-MZP': 10, 'REC-XX-MZP': 15, 'REC-WH-DZP': 10 });
    expect(lines.find((l) => l.batch.batchNo === 'REC-WH-DZP').rule).toBe('WITHIN_MONTHS:6');
    expect(lines.find((l) => l.batch.batchNo === 'REC-WH-ZHZP').rule).toBe('ALWAYS');
  });

  it('D30: the region’s auditor reads what is outstanding (public equipment, no personal data) — read-only, as the incident’s accounts', async () => {
    const asAuditor = await t.gql(`query($id: ID!) { ${OUTSTANDING} }`, { id: incidentId }, 'auditor');
    expect(asAuditor.errors).toBeUndefined();
    expect(byBatch(asAuditor.data.outstandingRecovery)).toEqual(byBatch(await outstanding()));
    const refused = await t.gql(
      `mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`,
      { i: { planId: plan.id, idempotencyKey: key() } },
      'auditor',
    );
    expect(refused.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it('D12: past 6 months of use single tents are consumed; past 12 months cotton tents too; command tents are still owed', async () => {
    t.clock.set(DateTime.fromISO(NOW).plus({ months: 6, hours: 1 }).toISO()!);
    expect(Object.keys(byBatch(await outstanding())).sort()).toEqual(['REC-WH-MZP', 'REC-WH-ZHZP', 'REC-XX-MZP']);
    t.clock.set(DateTime.fromISO(NOW).plus({ months: 12, hours: 1 }).toISO()!);
    expect(Object.keys(byBatch(await outstanding()))).toEqual(['REC-WH-ZHZP']);
  });

  it('D30: good stock goes back to the store it was shipped from by default (each batch to its own)', async () => {
    const before = {
      wh: (await lineOf(t, WEIHUI, COTTON_TENT, batch['REC-WH-MZP']))?.onHand ?? 0,
      xx: (await lineOf(t, XINXIANG, COTTON_TENT, batch['REC-XX-MZP']))!.onHand,
    };
    ok(
      await recover([
        { batchId: batch['REC-WH-MZP'], good: 8 },
        { batchId: batch['REC-XX-MZP'], good: 15 },
      ]),
    );
    expect((await lineOf(t, WEIHUI, COTTON_TENT, batch['REC-WH-MZP']))!.onHand).toBe(before.wh + 8);
    expect((await lineOf(t, XINXIANG, COTTON_TENT, batch['REC-XX-MZP']))!.onHand).toBe(before.xx + 15);
    expect(byBatch(await outstanding())).toMatchObject({ 'REC-WH-MZP': 2 });
    expect(byBatch(await outstanding())['REC-XX-MZP']).toBeUndefined();
  });

  it('D30: the owner’s store named explicitly takes the good stock (no other: D23, D24); the same key replays without booking twice', async () => {
    const k = key();
    const lines = [{ batchId: batch['REC-WH-ZHZP'], good: 2 }];
    // 卫辉's own township store is not 卫辉市人民政府's: refused, nothing booked (recovery-destination.test.ts).
    const elsewhere = await recover(lines, { toStoreId: TANGZHUANG });
    expect([errorCode(elsewhere), elsewhere.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'input.toStoreId']);
    expect(await lineOf(t, TANGZHUANG, COMMAND_TENT, batch['REC-WH-ZHZP'])).toBeUndefined();
    const before = (await lineOf(t, WEIHUI, COMMAND_TENT, batch['REC-WH-ZHZP']))?.onHand ?? 0;
    ok(await recover(lines, { toStoreId: WEIHUI }, k));
    ok(await recover(lines, { toStoreId: WEIHUI }, k));
    expect((await lineOf(t, WEIHUI, COMMAND_TENT, batch['REC-WH-ZHZP']))!.onHand).toBe(before + 2);
    expect(byBatch(await outstanding())['REC-WH-ZHZP']).toBe(3);
  });

  it('D30: more than was shipped to the incident (and is still at its points) → BAD_USER_INPUT; nothing changes', async () => {
    const before = await outstanding();
    const res = await recover([{ batchId: batch['REC-WH-ZHZP'], good: 4 }]);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.lines.0.good', held: 3, requested: 4 });
    expect(errorCode(await recover([{ batchId: batch['REC-XX-MZP'], good: 1 }]))).toBe('BAD_USER_INPUT');
    expect(await outstanding()).toEqual(before);
  });

  it('D27, D30: damaged goes to scrap and lost to write-off, both pending approval — counted, they are no longer outstanding (sweep 4 L3); a rejected one is again', async () => {
    ok(await recover([{ batchId: batch['REC-WH-DZP'], good: 5, damaged: 3, lost: 2 }]));
    const pending = ok(
      await t.gql(`{ approvals(filter: { status: PENDING }, first: 50) { edges { node { id kind subjectId summary } } } }`, {}, 'admin'),
    ).approvals.edges.map((e: any) => e.node) as any[];
    const scrap = pending.find((a) => a.kind === 'SCRAP' && a.summary.includes('破损'));
    const writeOff = pending.find((a) => a.kind === 'WRITE_OFF' && a.summary.includes('丢失'));
    expect(scrap).toBeTruthy();
    expect(writeOff).toBeTruthy();
    // Counted damaged or lost, the 5 tents are accounted for while their scrap and write-off await approval: not owed.
    expect(byBatch(await outstanding())['REC-WH-DZP']).toBeUndefined();
    ok(await decideRaw(t, 'admin', scrap.id, 'APPROVE'));
    expect(byBatch(await outstanding())['REC-WH-DZP']).toBeUndefined();
    // The write-off rejected (the tents were not lost after all): the 2 are at the point and owed again, nothing pending.
    ok(await decideRaw(t, 'admin', writeOff.id, 'REJECT', { reason: '帐篷已找到' }));
    const [line] = (await outstanding()).filter((l) => l.batch.batchNo === 'REC-WH-DZP');
    // Sweep 20c F4: the 3 scrapped did not come back — returned is the 5 good ones, the scrap apart.
    expect(line).toMatchObject({ received: 10, returned: 5, scrapped: 3, lost: 0, pending: 0, outstanding: 2 });
  });

  it('D12, D30: a transfer out of the 安置点 is returned while it stands; cancelled, the goods are back at the point and owed again', async () => {
    const point = plan.lines[0].destination.store.id as string;
    const owed = byBatch(await outstanding())['REC-WH-ZHZP'];
    expect(owed).toBeGreaterThanOrEqual(2);
    const shipped = ok(
      await shipRaw(t, 'admin', { fromStoreId: point, toStoreId: WEIHUI, lines: [{ itemId: COMMAND_TENT, batchId: batch['REC-WH-ZHZP'], quantity: 2 }] }),
    ).shipTransfer;
    expect(byBatch(await outstanding())['REC-WH-ZHZP']).toBe(owed - 2);
    expect(ok(await cancelTransferRaw(t, 'admin', shipped.id)).cancelTransfer.status).toBe('CANCELLED');
    expect(byBatch(await outstanding())['REC-WH-ZHZP']).toBe(owed);
  });
});

describe('D30: a count names the 安置点 where it was taken; without one, the plan’s 安置点 in destination order', () => {
  const t = useTestApp({ checkLedger: true });
  let plan: any;
  let points: string[];
  let batchId: string;
  const heldAt = async (store: string) => (await lineOf(t, store, COMMAND_TENT, batchId))?.onHand ?? 0;
  const recover = (lines: Record<string, unknown>[]) =>
    t.gql(`mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`, { i: { planId: plan.id, idempotencyKey: key(), lines } }, 'dispatcher');

  beforeAll(async () => {
    const received = await receive(t, 'admin', WEIHUI, [{ itemId: COMMAND_TENT, quantity: 12, batchNo: 'REC-2P-ZHZP', expiryDate: '2033-01-01' }]);
    batchId = received.lines[0].batch.id;
    const incidentId = await createIncident(t, { affectedPopulation: 300 });
    const open = async (name: string) =>
      ok(
        await t.gql(
          `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id } }`,
          { i: { incidentId, name, regionCode: '410781100000', lat: 35.3985, lng: 114.065 } },
          'dispatcher',
        ),
      ).openDistributionPoint.id as string;
    // The first destination has the greater id, so that taking the points in id order would start at the second.
    points = [await open('汲水镇一号安置点'), await open('汲水镇二号安置点')].sort().reverse();
    plan = await executedPlan(
      t,
      incidentId,
      points.map((storeId, i) => ({
        name: `汲水镇${i + 1}号`,
        regionCode: '410781100000',
        lat: 35.3985,
        lng: 114.065,
        storeId,
        lines: [{ itemId: COMMAND_TENT, quantity: 6 }],
      })),
    );
    expect(plan.lines.map((l: any) => l.batch.id)).toEqual([batchId, batchId]);
    await receiveAll(t, plan);
    expect([await heldAt(points[0]), await heldAt(points[1])]).toEqual([6, 6]);
  });

  it('D30: a count without a 安置点 takes the batch from the plan’s first destination first', async () => {
    ok(await recover([{ batchId, good: 4 }]));
    expect([await heldAt(points[0]), await heldAt(points[1])]).toEqual([2, 6]);
    expect(await heldAt(WEIHUI)).toBe(4);
  });

  it('D30: a count at one 安置点 takes only from it; beyond what that point holds → BAD_USER_INPUT, nothing changes', async () => {
    ok(await recover([{ batchId, storeId: points[1], good: 5, damaged: 1 }]));
    expect([await heldAt(points[0]), await heldAt(points[1])]).toEqual([2, 1]);
    const beyond = await recover([{ batchId, storeId: points[0], good: 3 }]);
    expect(errorCode(beyond)).toBe('BAD_USER_INPUT');
    expect(beyond.errors![0].extensions).toMatchObject({ field: 'input.lines.0.good', held: 2, requested: 3 });
    expect(beyond.errors![0].message).toContain('超出该安置点现存');
    expect([await heldAt(points[0]), await heldAt(points[1])]).toEqual([2, 1]);
  });

  it('D30: a store that is not one of the plan’s 安置点 → BAD_USER_INPUT on the line’s storeId', async () => {
    const res = await recover([{ batchId, storeId: WEIHUI, good: 1 }]);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.lines.0.storeId' });
    expect([await heldAt(points[0]), await heldAt(points[1])]).toEqual([2, 1]);
  });
});
