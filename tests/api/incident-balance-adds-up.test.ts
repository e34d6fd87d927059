import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, issue, key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { cancelTransferRaw, lineOf, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { approveWriteOffs, decideRaw } from '../support/authority.ts';
import { createIncident, executedPlan, ok } from '../support/relief.ts';
import { download, openWorkbook, sheetValues } from '../support/paperwork.ts';

// Sweep 20c F3 (D18, D22, D27, D28, D30): the incident's 物资收支 — GraphQL Incident.balance and the incident-balance
// export, the same figures — adds up on every row, three ways:
//   shipped = received + inTransit + lostInTransit + cancelled (pendingWriteOff: of inTransit, declared short, pending);
//   received + otherIn + returnedByHouseholds − distributed − recovered − scrapped − writtenOff − otherOut = atPoints
//     (pendingAtPoints: of atPoints, counted damaged or lost, pending) — what households handed back counted once;
//   distributed − returnedByHouseholds − lostAtHouseholds = withHouseholds.
// Sweep 20c F4 (D30): outstandingRecovery's `returned` is what came back; scrapped and lost are their own figures.
// The story: a loss in transit written off and made good by a 补发, a shortfall pending, a shipment cancelled,
// distributions, households handing back (good, damaged) and losing, a recovery counting damaged and lost.

const BLANKET = itemId('LIV-006'); // 毛毯
const FIELDS = `item { id } requested planned shipped cancelled lostInTransit inTransit pendingWriteOff received otherIn returnedByHouseholds
  distributed recovered scrapped writtenOff otherOut atPoints pendingAtPoints lostAtHouseholds withHouseholds pendingLostAtHouseholds
  issuedFromStores households`;
const BALANCE = `query($id: ID!) { incident(id: $id) { balance { ${FIELDS} } } }`;
const OUTSTANDING = `query($id: ID!) { outstandingRecovery(incidentId: $id) { batch { id } received returned scrapped lost pending outstanding withHouseholds } }`;
const HEADER_ROW = 4;

/** The three identities of a balance row (sweep 20c F3). */
function expectAddsUp(b: any) {
  expect(b.received + b.inTransit + b.lostInTransit + b.cancelled, 'shipped').toBe(b.shipped);
  expect(b.pendingWriteOff).toBeLessThanOrEqual(b.inTransit);
  expect(b.received + b.otherIn + b.returnedByHouseholds - b.distributed - b.recovered - b.scrapped - b.writtenOff - b.otherOut, 'at the 安置点').toBe(
    b.atPoints,
  );
  expect(b.pendingAtPoints).toBeLessThanOrEqual(b.atPoints);
  expect(b.distributed - b.returnedByHouseholds - b.lostAtHouseholds, 'with households').toBe(b.withHouseholds);
  expect(b.pendingLostAtHouseholds).toBeLessThanOrEqual(b.withHouseholds);
}

describe('sweep 20c F3, F4 (D18, D27, D30): the incident balance adds up on every row, and outstandingRecovery says what came back', () => {
  const t = useTestApp({ checkLedger: true });
  let incidentId: string;
  let plan: any;
  let point: string;
  let tent: string;
  let quilt: string;

  const balance = async () => {
    const rows = ok(await t.gql(BALANCE, { id: incidentId }, 'auditor')).incident.balance as any[];
    rows.forEach(expectAddsUp);
    return (id: string) => rows.find((b) => b.item.id === id);
  };
  const distribute = async (headName: string, lines: { itemId: string; quantity: number }[]) =>
    ok(
      await t.gql(
        `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id } }`,
        // Sweep 23b F8: one slip, one distribution of the incident (D29) — each its own 签收凭证号, a replay its first one.
        { i: { storeId: point, incidentId, household: { headName, size: 3 }, lines, signatureRef: `QS-20C-F3-${key().slice(0, 8)}`, idempotencyKey: key() } },
        'dispatcher',
      ),
    );
  const pendingOf = async (kind: string, text: string) =>
    (
      ok(
        await t.gql(
          `query($f: ApprovalFilter!) { approvals(filter: $f, first: 100) { edges { node { id summary } } } }`,
          { f: { status: 'PENDING', kind } },
          'admin',
        ),
      ).approvals.edges as any[]
    )
      .map((e) => e.node)
      .filter((a) => a.summary.includes(text));
  const tentOutstanding = async () =>
    (ok(await t.gql(OUTSTANDING, { id: incidentId }, 'dispatcher')).outstandingRecovery as any[]).find((l) => l.batch.id === tent);

  beforeAll(async () => {
    const wh = await receive(t, 'admin', WEIHUI, [
      { itemId: COTTON_TENT, quantity: 40, batchNo: 'S20C-F3-MZP', expiryDate: '2035-01-01' },
      { itemId: QUILT, quantity: 60, batchNo: 'S20C-F3-MB', expiryDate: '2031-01-01' },
      { itemId: BLANKET, quantity: 10, batchNo: 'S20C-F3-MT', expiryDate: '2031-01-01' },
    ]);
    [tent, quilt] = [wh.lines[0].batch.id, wh.lines[1].batch.id];
    incidentId = await createIncident(t, { affectedPopulation: 200 });
    plan = await executedPlan(t, incidentId, [
      {
        name: '汲水镇收支核对安置点',
        regionCode: '410781100000',
        lat: 35.3985,
        lng: 114.065,
        lines: [
          { itemId: COTTON_TENT, quantity: 30 },
          { itemId: QUILT, quantity: 50 },
        ],
      },
    ]);
    point = plan.lines[0].destination.store.id;
  });

  it('D27, D14: on the way — 3 tents lost and written off, their 补发 on the road, 10 quilts in transit, 5 blankets cancelled: each row adds up', async () => {
    const transferId = plan.lines[0].transfer.id;
    ok(
      await receiveTransferRaw(t, 'dispatcher', {
        transferId,
        idempotencyKey: key(),
        lines: [
          { batchId: tent, quantity: 27, discrepancyReason: 'TRANSIT_LOSS' },
          { batchId: quilt, quantity: 40 },
        ],
      }),
    );
    await approveWriteOffs(t, 'dispatcher', transferId);
    const reship = ok(
      await shipRaw(t, 'keeper', {
        fromStoreId: WEIHUI,
        toStoreId: point,
        dispatchPlanId: plan.id,
        idempotencyKey: key(),
        lines: [{ itemId: COTTON_TENT, batchId: tent, quantity: 3 }],
      }),
    ).shipTransfer;
    // A second plan's blankets, cancelled on the way (D24, D27: the command's decision).
    const blankets = await executedPlan(t, incidentId, [
      { name: '汲水镇收支核对安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, storeId: point, lines: [{ itemId: BLANKET, quantity: 5 }] },
    ]);
    ok(await cancelTransferRaw(t, 'dispatcher', blankets.lines[0].transfer.id));

    const of = await balance();
    expect(of(COTTON_TENT)).toMatchObject({
      planned: 30,
      shipped: 33,
      received: 27,
      lostInTransit: 3,
      inTransit: 3,
      pendingWriteOff: 0,
      cancelled: 0,
      atPoints: 27,
    });
    expect(of(QUILT)).toMatchObject({ planned: 50, shipped: 50, received: 40, lostInTransit: 0, inTransit: 10, cancelled: 0, atPoints: 40 });
    expect(of(BLANKET)).toMatchObject({ planned: 5, shipped: 5, received: 0, inTransit: 0, cancelled: 5, atPoints: 0 });

    ok(await receiveTransferRaw(t, 'dispatcher', { transferId: reship.id, idempotencyKey: key(), lines: [{ batchId: tent, quantity: 3 }] }));
    // 8 more quilts arrive, 2 declared short: pending their write-off, still counted in transit (D27).
    ok(
      await receiveTransferRaw(t, 'dispatcher', {
        transferId,
        idempotencyKey: key(),
        lines: [{ batchId: quilt, quantity: 8, discrepancyReason: 'TRANSIT_LOSS' }],
      }),
    );
    const now = await balance();
    expect(now(COTTON_TENT)).toMatchObject({ shipped: 33, received: 30, lostInTransit: 3, inTransit: 0, atPoints: 30 });
    expect(now(QUILT)).toMatchObject({ shipped: 50, received: 48, lostInTransit: 0, inTransit: 2, pendingWriteOff: 2, atPoints: 48 });
  });

  it('D29, D30: handed out, handed back, lost at households, recovered good, damaged and lost at the point — the tent row tells where every tent is', async () => {
    await distribute('陈大勇', [
      { itemId: COTTON_TENT, quantity: 2 },
      { itemId: QUILT, quantity: 3 },
    ]);
    await distribute('李秀英', [
      { itemId: COTTON_TENT, quantity: 1 },
      { itemId: QUILT, quantity: 3 },
    ]);
    // Sweep 7b H1: an issue from the reserve store citing the incident is counted apart.
    expect((await issue(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 1 }], { incidentId })).errors).toBeUndefined();
    // The point's 27: 20 good, 2 damaged, 1 lost (4 left uncounted); the households' 3: 1 good, 1 damaged, 1 lost.
    ok(
      await t.gql(
        `mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`,
        {
          i: {
            planId: plan.id,
            idempotencyKey: key(),
            lines: [
              { batchId: tent, storeId: point, good: 20, damaged: 2, lost: 1 },
              { batchId: tent, storeId: point, good: 1, damaged: 1, lost: 1, fromHouseholds: true },
            ],
          },
        },
        'dispatcher',
      ),
    );
    const pending = await balance();
    expect(pending(COTTON_TENT)).toMatchObject({
      received: 30,
      distributed: 3,
      returnedByHouseholds: 2, // received back at the point, good and damaged: counted once
      recovered: 21, // the point's 20 and the household's 1, back in the store
      scrapped: 0,
      writtenOff: 0,
      atPoints: 8, // 4 never counted, 3 damaged and 1 lost awaiting approval
      pendingAtPoints: 4,
      lostAtHouseholds: 0,
      withHouseholds: 1, // the lost one, its write-off pending
      pendingLostAtHouseholds: 1,
    });
    expect((await lineOf(t, point, COTTON_TENT, tent))!.onHand).toBe(8);
    expect(pending(QUILT)).toMatchObject({ distributed: 6, withHouseholds: 6, atPoints: 42, issuedFromStores: 1, households: 2 });
    // F4: returned is what came back; the losses counted are pending, not returned.
    expect(await tentOutstanding()).toMatchObject({ received: 30, returned: 21, scrapped: 0, lost: 0, pending: 5, outstanding: 4, withHouseholds: 0 });

    // The director approves the losses (the point's and the household's) and the scrap.
    for (const a of [...(await pendingOf('WRITE_OFF', '回收清点')), ...(await pendingOf('SCRAP', '回收清点'))])
      ok(await decideRaw(t, 'admin', a.id, 'APPROVE'));
    const decided = await balance();
    expect(decided(COTTON_TENT)).toMatchObject({
      shipped: 33,
      received: 30,
      lostInTransit: 3,
      returnedByHouseholds: 2,
      distributed: 3,
      recovered: 21,
      scrapped: 3,
      writtenOff: 1,
      atPoints: 4,
      pendingAtPoints: 0,
      lostAtHouseholds: 1,
      withHouseholds: 0,
      pendingLostAtHouseholds: 0,
    });
    expect((await lineOf(t, point, COTTON_TENT, tent))!.onHand).toBe(4);
    // F4: written off and scrapped are not "returned"; what is outstanding is unchanged (received − all accounted for).
    expect(await tentOutstanding()).toMatchObject({ received: 30, returned: 21, scrapped: 3, lost: 2, pending: 0, outstanding: 4, withHouseholds: 0 });

    // The export says the same, column by column, and adds up as the API does (its 受助户数 included).
    const ws = await openWorkbook((await download(t, '/exports/incident-balance.xlsx', 'auditor', { incidentId })).body as Buffer);
    const headings = sheetValues(ws, HEADER_ROW, HEADER_ROW)[0];
    const row = sheetValues(ws, HEADER_ROW + 1).find((r) => r[1] === '棉帐篷')!;
    const cell = (h: string) => row[headings.indexOf(h)];
    const expected: [string, string][] = [
      ['已发运', 'shipped'],
      ['撤销/释放', 'cancelled'],
      ['途中损失（已核销）', 'lostInTransit'],
      ['在途', 'inTransit'],
      ['其中：短少待核销', 'pendingWriteOff'],
      ['已接收', 'received'],
      ['其他调入', 'otherIn'],
      ['群众交回', 'returnedByHouseholds'],
      ['已发放', 'distributed'],
      ['回收入库', 'recovered'],
      ['报废（已批准）', 'scrapped'],
      ['核销（已批准）', 'writtenOff'],
      ['其他调出', 'otherOut'],
      ['安置点现存', 'atPoints'],
      ['其中：待审批报废/核销', 'pendingAtPoints'],
      ['群众处丢失（已核销）', 'lostAtHouseholds'],
      ['群众处', 'withHouseholds'],
      ['其中：丢失待核销', 'pendingLostAtHouseholds'],
      ['受助户数', 'households'],
      ['储备库直接发放', 'issuedFromStores'],
    ];
    expect(expected.map(([h]) => cell(h))).toEqual(expected.map(([, f]) => decided(COTTON_TENT)[f]));
    const quilts = sheetValues(ws, HEADER_ROW + 1).find((r) => r[1] === '棉被')!;
    expect(quilts[headings.indexOf('储备库直接发放')]).toBe(1);
  });
});
