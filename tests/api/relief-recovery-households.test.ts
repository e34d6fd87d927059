import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, type GqlResult, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { documentById, ledgerCounts, lineOf, reverseRaw } from '../support/ledger-ops.ts';
import { createIncident, executedPlan, ok, receiveAll } from '../support/relief.ts';
import { decideRaw } from '../support/authority.ts';

// Sweep 11a F1, F2 — D12, D29, D30: equipment D12 always recovers is no household relief without a standard (F2); what
// a 安置点 handed to households of what D12 says comes back is counted back from them — good, damaged, lost — so that
// what is outstanding can reach nothing, the ledger exact (D9, D22), the trace still ending at the households (D18).

const LAMP = itemId('LIV-015'); // 场地照明灯: always recovered (D12)
const BLANKET = itemId('LIV-006'); // 毛毯: consumed (D12)
const ext = (res: GqlResult): Record<string, unknown> => res.errors?.[0]?.extensions ?? {};
const OUTSTANDING = `query($id: ID!) { outstandingRecovery(incidentId: $id) { store { id } item { id } batch { id batchNo } received returned pending outstanding withHouseholds } }`;
const ALERTS = `query($r: String) { alerts(regionCode: $r) { key kind message store { id } item { id } quantity } }`;

describe('D12, D29 (sweep 11a F2): equipment always recovered has a standard of 0 where none is set', () => {
  const t = useTestApp({ checkLedger: true });
  let incidentId: string;
  let point: string;

  const distribute = (lines: { itemId: string; quantity: number }[], extra: Record<string, unknown> = {}) =>
    t.gql(
      `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id number overrideReason } }`,
      {
        i: {
          storeId: point,
          incidentId,
          household: { headName: `冯${key().slice(-6)}`, size: 1 },
          lines,
          // Sweep 23b F8: one slip, one distribution of the incident (D29) — each its own number.
          signatureRef: `QS-11A-${key().slice(0, 8)}`,
          idempotencyKey: key(),
          ...extra,
        },
      },
      'dispatcher',
    );

  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [
      { itemId: LAMP, quantity: 10, batchNo: 'HH-F2-LAMP', expiryDate: '2035-01-01' },
      { itemId: BLANKET, quantity: 10, batchNo: 'HH-F2-MT', expiryDate: '2031-01-01' },
    ]);
    incidentId = await createIncident(t, { affectedPopulation: 100 });
    const plan = await executedPlan(t, incidentId, [
      {
        name: '汲水镇照明灯安置点',
        regionCode: '410781100000',
        lat: 35.3985,
        lng: 114.065,
        lines: [
          { itemId: LAMP, quantity: 10 },
          { itemId: BLANKET, quantity: 10 },
        ],
      },
    ]);
    await receiveAll(t, plan);
    point = plan.lines[0].destination.store.id;
  });

  it('D29: a site light handed to a household without a standard or a reason → BAD_USER_INPUT, nothing issued; a consumed item is unlimited as before', async () => {
    const before = await ledgerCounts(t);
    const res = await distribute([{ itemId: LAMP, quantity: 3 }]);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res)).toMatchObject({ field: 'input.lines.0.quantity', allowance: 0, requested: 3, hasStandard: false });
    expect(res.errors![0].message).toContain('场地照明灯');
    expect(res.errors![0].message).toContain('超标准发放原因');
    expect(await ledgerCounts(t)).toEqual(before);
    // A consumed item without a standard stays as it was: no limit, no reason needed.
    ok(await distribute([{ itemId: BLANKET, quantity: 4 }]));
  });

  it('D29, D24: with a reason it is handed out and the command is told, as of any relief beyond the standard; a standard set for it applies instead of 0', async () => {
    const res = ok(await distribute([{ itemId: LAMP, quantity: 1 }], { overrideReason: '该户为村卫生室临时照明' })).distributeRelief;
    const alerts = (ok(await t.gql(ALERTS, { r: '410781' }, 'dispatcher')).alerts as any[]).filter((a) => a.kind === 'RELIEF_OVER_STANDARD');
    const alert = alerts.find((a) => a.key === `RELIEF_OVER_STANDARD:${res.id}`);
    expect(alert).toMatchObject({ store: { id: point }, item: { id: LAMP }, quantity: 1 });
    expect(alert.message).toContain('标准 0');
    // Once the region sets a standard for the equipment, it applies instead of 0.
    ok(
      await t.gql(
        `mutation($i: ReliefStandardInput!) { upsertReliefStandard(input: $i) { perHousehold } }`,
        { i: { regionCode: '410781', itemId: LAMP, perHousehold: 1 } },
        'dispatcher',
      ),
    );
    ok(await distribute([{ itemId: LAMP, quantity: 1 }]));
    expect(errorCode(await distribute([{ itemId: LAMP, quantity: 2 }]))).toBe('BAD_USER_INPUT');
  });
});

describe('D12, D30 (sweep 11a F1): what households received is counted back from them', () => {
  const t = useTestApp({ checkLedger: true });
  let incidentId: string;
  let plan: any;
  let point: string;
  let tent: string;
  let quilt: string;

  const outstanding = async (as = 'dispatcher') => ok(await t.gql(OUTSTANDING, { id: incidentId }, as)).outstandingRecovery as any[];
  const tentLine = async () => (await outstanding()).find((l) => l.batch.id === tent);
  const recover = (lines: Record<string, unknown>[], idempotencyKey = key()) =>
    t.gql(`mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`, { i: { planId: plan.id, idempotencyKey, lines } }, 'dispatcher');
  const distribute = (headName: string, lines: { itemId: string; quantity: number }[]) =>
    t.gql(
      `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id number } }`,
      { i: { storeId: point, incidentId, household: { headName, size: 3 }, lines, signatureRef: `QS-11A-F1-${key().slice(0, 8)}`, idempotencyKey: key() } }, // one slip each (sweep 23b F8)
      'dispatcher',
    );
  const pendingOf = async (kind: string) =>
    (
      ok(
        await t.gql(
          `query($f: ApprovalFilter!) { approvals(filter: $f, first: 100) { edges { node { id kind subjectId summary value } } } }`,
          {
            f: { status: 'PENDING', kind },
          },
          'admin',
        ),
      ).approvals.edges as any[]
    ).map((e) => e.node);
  const trace = async () =>
    ok(
      await t.gql(
        `query($b: ID!) { batchTrace(batchId: $b) { movements { store { id } quantity type } holdings { store { id } onHand } householdsReached distributions { quantity } } }`,
        { b: tent },
        'dispatcher',
      ),
    ).batchTrace;
  /** D18: per store, the batch's movements add up to what it holds there. */
  const expectTraceAddsUp = async () => {
    const tr = await trace();
    const byStore = new Map<string, number>();
    for (const m of tr.movements) byStore.set(m.store.id, (byStore.get(m.store.id) ?? 0) + m.quantity);
    for (const [store, sum] of byStore) expect(tr.holdings.find((h: any) => h.store.id === store)?.onHand ?? 0, store).toBe(sum);
    return tr;
  };

  beforeAll(async () => {
    const wh = await receive(t, 'admin', WEIHUI, [
      { itemId: COTTON_TENT, quantity: 10, batchNo: 'HH-F1-MZP', expiryDate: '2035-01-01' },
      { itemId: QUILT, quantity: 20, batchNo: 'HH-F1-MB', expiryDate: '2031-01-01' },
    ]);
    [tent, quilt] = [wh.lines[0].batch.id, wh.lines[1].batch.id];
    incidentId = await createIncident(t, { affectedPopulation: 100 });
    plan = await executedPlan(t, incidentId, [
      {
        name: '汲水镇回收到户安置点',
        regionCode: '410781100000',
        lat: 35.3985,
        lng: 114.065,
        lines: [
          { itemId: COTTON_TENT, quantity: 10 },
          { itemId: QUILT, quantity: 20 },
        ],
      },
    ]);
    await receiveAll(t, plan);
    point = plan.lines[0].destination.store.id;
    // Two families: 2 tents and 3 quilts, 1 tent and 3 quilts. 7 tents stay at the point.
    ok(
      await distribute('陈大勇', [
        { itemId: COTTON_TENT, quantity: 2 },
        { itemId: QUILT, quantity: 3 },
      ]),
    );
    ok(
      await distribute('李秀英', [
        { itemId: COTTON_TENT, quantity: 1 },
        { itemId: QUILT, quantity: 3 },
      ]),
    );
  });

  it('D30: what households hold is outstanding and said to be with households; a count of the point alone cannot clear it and says where it is', async () => {
    expect(await tentLine()).toMatchObject({ received: 10, returned: 0, pending: 0, outstanding: 10, withHouseholds: 3 });
    const before = await ledgerCounts(t);
    const res = await recover([{ batchId: tent, storeId: point, good: 9, lost: 1 }]);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res)).toMatchObject({ field: 'input.lines.0.good', held: 7, requested: 10, withHouseholds: 3 });
    expect(res.errors![0].message).toContain('发放到户的 3 件尚未登记');
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D30: more than households received and have not accounted for → BAD_USER_INPUT; a consumed item is not counted from households', async () => {
    const before = await ledgerCounts(t);
    const beyond = await recover([{ batchId: tent, storeId: point, good: 2, lost: 2, fromHouseholds: true }]);
    expect(errorCode(beyond)).toBe('BAD_USER_INPUT');
    expect(ext(beyond)).toMatchObject({ field: 'input.lines.0.good', withHouseholds: 3, requested: 4 });
    const consumed = await recover([{ batchId: quilt, lost: 1, fromHouseholds: true }]);
    expect(errorCode(consumed)).toBe('BAD_USER_INPUT');
    expect(ext(consumed)).toMatchObject({ field: 'input.lines.0.fromHouseholds' });
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D30, D9, D27: the point’s 7 and the households’ 3 (1 good, 1 damaged, 1 lost) are counted in one recovery; nothing stays outstanding', async () => {
    const back = (await lineOf(t, WEIHUI, COTTON_TENT, tent))?.onHand ?? 0;
    const quiltsAtPoint = (await lineOf(t, point, QUILT, quilt))!.onHand;
    ok(
      await recover([
        { batchId: tent, storeId: point, good: 6, damaged: 1 },
        { batchId: tent, storeId: point, good: 1, damaged: 1, lost: 1, fromHouseholds: true },
      ]),
    );
    // Good ones — the point's 6 and the household's 1 — are back in the store they were shipped from (D30).
    expect((await lineOf(t, WEIHUI, COTTON_TENT, tent))!.onHand).toBe(back + 7);
    // At the point: the 2 damaged, held for their scrap; the quilts the families kept are not put back (D9).
    expect(await lineOf(t, point, COTTON_TENT, tent)).toMatchObject({ onHand: 2, reserved: 2, available: 0 });
    expect((await lineOf(t, point, QUILT, quilt))!.onHand).toBe(quiltsAtPoint);
    // Accounted for: returned 7, pending 3 (2 to scrap, 1 lost at a household to write off) — nothing outstanding.
    expect(await tentLine()).toBeUndefined();
    const scrap = (await pendingOf('SCRAP')).find((a) => a.summary.includes('破损'));
    const writeOffs = (await pendingOf('WRITE_OFF')).filter((a) => a.summary.includes('群众处丢失'));
    expect(scrap).toBeTruthy();
    expect(writeOffs).toHaveLength(1);
    expect(writeOffs[0].summary).toContain('1 顶');
    // What the households gave back is a 入库单 at the point (one line good, one damaged); the trace adds up.
    const traced = await expectTraceAddsUp();
    expect(traced.householdsReached).toBe(2); // D18: the trace still ends at both households
    expect(traced.movements.filter((m: any) => m.type === 'RECEIPT' && m.store.id === point).map((m: any) => m.quantity)).toEqual([1, 1]);
    // Both still listed as served (D29): the count reversed no distribution.
    const served = ok(await t.gql(`query($f: DistributionFilter!) { distributions(filter: $f) { totalCount } }`, { f: { incidentId } }, 'dispatcher'));
    expect(served.distributions.totalCount).toBe(2);
  });

  it('D27: approved, the scrap leaves the point and the lost tent’s write-off nets to zero — the valuation it left with the issue is not touched', async () => {
    const value = async () =>
      ok(await t.gql(`query($r: String) { valuation(regionCode: $r) { total } }`, { r: '410781' }, 'auditor')).valuation.total as string;
    const before = await value();
    const writeOff = (await pendingOf('WRITE_OFF')).find((a) => a.summary.includes('群众处丢失'));
    expect(writeOff.value).toBe('2180.00'); // the value of the tent lost, for the approver
    ok(await decideRaw(t, 'admin', writeOff.id, 'APPROVE'));
    expect(await value()).toBe(before);
    const doc = await documentById(t, writeOff.subjectId);
    expect(doc).toMatchObject({ type: 'WRITE_OFF', status: 'POSTED' });
    ok(await decideRaw(t, 'admin', (await pendingOf('SCRAP')).find((a) => a.summary.includes('破损')).id, 'APPROVE'));
    expect((await lineOf(t, point, COTTON_TENT, tent))?.onHand ?? 0).toBe(0);
    expect(await tentLine()).toBeUndefined();
    const traced = await expectTraceAddsUp();
    expect(traced.movements.filter((m: any) => m.type === 'WRITE_OFF').map((m: any) => m.quantity)).toEqual([1, -1]);
    // Everything handed out is accounted for: one more from households is refused.
    expect(errorCode(await recover([{ batchId: tent, storeId: point, good: 1, fromHouseholds: true }]))).toBe('BAD_USER_INPUT');
  });
});

describe('D22, D30 (sweep 11a F1): a count from households is reversible, and a rejected write-off is owed again', () => {
  const t = useTestApp({ checkLedger: true });
  let incidentId: string;
  let plan: any;
  let point: string;
  let lamp: string;

  const line = async () => (ok(await t.gql(OUTSTANDING, { id: incidentId }, 'dispatcher')).outstandingRecovery as any[]).find((l) => l.batch.id === lamp);
  const recover = (lines: Record<string, unknown>[]) =>
    t.gql(`mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`, { i: { planId: plan.id, idempotencyKey: key(), lines } }, 'dispatcher');
  const newest = async (type: string) =>
    ok(
      await t.gql(
        `query($f: MovementFilter!) { movements(filter: $f, first: 1) { edges { node { document { id number status } } } } }`,
        { f: { storeId: point, batchId: lamp, type } },
        'admin',
      ),
    ).movements.edges[0].node.document as { id: string };

  beforeAll(async () => {
    const wh = await receive(t, 'admin', WEIHUI, [{ itemId: LAMP, quantity: 4, batchNo: 'HH-RV-LAMP', expiryDate: '2035-01-01' }]);
    lamp = wh.lines[0].batch.id;
    incidentId = await createIncident(t, { affectedPopulation: 100 });
    plan = await executedPlan(t, incidentId, [
      { name: '汲水镇照明灯冲销安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: LAMP, quantity: 4 }] },
    ]);
    await receiveAll(t, plan);
    point = plan.lines[0].destination.store.id;
    ok(
      await t.gql(
        `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id } }`,
        {
          i: {
            storeId: point,
            incidentId,
            household: { headName: '王照明', size: 2 },
            lines: [{ itemId: LAMP, quantity: 2 }],
            overrideReason: '夜间巡查借用',
            signatureRef: 'QS-RV',
            idempotencyKey: key(),
          },
        },
        'dispatcher',
      ),
    );
  });

  it('D27: a write-off of what a household lost, rejected, changes nothing and the piece is owed again', async () => {
    ok(await recover([{ batchId: lamp, storeId: point, lost: 1, fromHouseholds: true }]));
    expect(await line()).toMatchObject({ received: 4, returned: 0, pending: 1, outstanding: 3, withHouseholds: 1 });
    const [writeOff] = (
      ok(
        await t.gql(
          `query($f: ApprovalFilter!) { approvals(filter: $f, first: 50) { edges { node { id summary } } } }`,
          { f: { status: 'PENDING', kind: 'WRITE_OFF' } },
          'admin',
        ),
      ).approvals.edges as any[]
    ).map((e) => e.node);
    ok(await decideRaw(t, 'admin', writeOff.id, 'REJECT', { reason: '该户称照明灯仍在' }));
    expect(await line()).toMatchObject({ pending: 0, outstanding: 4, withHouseholds: 2 });
  });

  it('D22: a recovery of what a household gave back, reversed, brings it back to the point; counted there, nothing is outstanding', async () => {
    ok(await recover([{ batchId: lamp, storeId: point, good: 2, fromHouseholds: true }]));
    expect(await line()).toMatchObject({ returned: 2, outstanding: 2, withHouseholds: 0 });
    ok(await reverseRaw(t, 'dispatcher', (await newest('RECOVERY')).id));
    // Reversed, the recovery did not happen: the 2 lamps are at the point (the households gave them back) and owed.
    expect((await lineOf(t, point, LAMP, lamp))!.onHand).toBe(4);
    expect(await line()).toMatchObject({ returned: 0, outstanding: 4, withHouseholds: 0 });
    // The households' receipt, reversed too, leaves them with the household — owed from it again.
    ok(await reverseRaw(t, 'dispatcher', (await newest('RECEIPT')).id));
    expect((await lineOf(t, point, LAMP, lamp))!.onHand).toBe(2);
    expect(await line()).toMatchObject({ returned: 0, outstanding: 4, withHouseholds: 2 });
    ok(
      await recover([
        { batchId: lamp, storeId: point, good: 2 },
        { batchId: lamp, storeId: point, good: 2, fromHouseholds: true },
      ]),
    );
    expect(await line()).toBeUndefined();
  });

  it('D9, D22: the distribution whose lamps the household gave back is not reversed — they would come onto the point’s books twice', async () => {
    const issue = await newest('ISSUE');
    const res = await t.gql(
      `mutation($d: ID!, $k: String!) { reverseDocument(documentId: $d, reason: "发放登记有误", idempotencyKey: $k) { id } }`,
      { d: issue.id, k: key() },
      'dispatcher',
    );
    expect(ext(res)).toMatchObject({ code: 'INVALID_STATE', field: 'documentId' });
    expect(res.errors?.[0].message).toContain('重复入账');
  });
});
