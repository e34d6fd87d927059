import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { receiveTransferRaw } from '../support/ledger-ops.ts';
import { approveWriteOffs } from '../support/authority.ts';
import { createIncident, executedPlan, ok } from '../support/relief.ts';
import { download, parseCsv } from '../support/paperwork.ts';

// Sweep 25c F1 (D27, D30): the incident's 物资收支 counted a shortage declared on receipt twice — in pendingWriteOff (of
// inTransit: 在途 其中：短少待核销) and in pendingAtPoints (安置点现存 其中：待审批报废/核销), though the goods never reached
// the 安置点 (its 核销单 is the point's document, its goods in transit). pendingAtPoints is, of atPoints, what was counted
// damaged or lost AT the point and awaits its scrap or write-off. Incident.balance and the incident-balance export alike.

const FIELDS = `item { id } shipped received inTransit pendingWriteOff lostInTransit atPoints pendingAtPoints scrapped`;
const BALANCE = `query($id: ID!) { incident(id: $id) { balance { ${FIELDS} } } }`;

describe('sweep 25c F1 (D27): a shortage declared on receipt is pending of inTransit only, not of what the 安置点 holds', () => {
  const t = useTestApp({ checkLedger: true });
  let incidentId: string;
  let plan: any;
  let point: string;
  let batchId: string;

  const quilts = async () => (ok(await t.gql(BALANCE, { id: incidentId }, 'director')).incident.balance as any[]).find((b) => b.item.id === QUILT);
  /** The export's 棉被 row, by heading. */
  const exported = async () => {
    const rows = parseCsv(String((await download(t, '/exports/incident-balance.csv', 'auditor', { incidentId })).text));
    const headings = rows.find((r) => r.includes('其中：待审批报废/核销'))!;
    const row = rows.find((r) => r.includes('棉被'))!;
    return (heading: string) => Number(row[headings.indexOf(heading)]);
  };

  beforeAll(async () => {
    batchId = (await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 300, batchNo: 'S25C-F1-MB', expiryDate: '2031-01-01' }])).lines[0].batch.id;
    incidentId = await createIncident(t, { name: '卫辉市在途短少收支（25c）', affectedPopulation: 300 });
    plan = await executedPlan(t, incidentId, [
      { name: '汲水镇25c短少安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: QUILT, quantity: 300 }] },
    ]);
    point = plan.lines[0].destination.store.id;
    // 295 of 300 received, 5 declared lost on the road: a 核销单 awaits approval (D27).
    ok(
      await receiveTransferRaw(t, 'dispatcher', {
        transferId: plan.lines[0].transfer.id,
        idempotencyKey: key(),
        lines: [{ batchId, quantity: 295, discrepancyReason: 'TRANSIT_LOSS' }],
      }),
    );
  });

  it('D27: 5 short on receipt — pendingWriteOff 5 of inTransit 5; atPoints 295 of which none pending (API and export)', async () => {
    expect(await quilts()).toMatchObject({ shipped: 300, received: 295, inTransit: 5, pendingWriteOff: 5, atPoints: 295, pendingAtPoints: 0 });
    const col = await exported();
    expect([col('在途'), col('其中：短少待核销'), col('安置点现存'), col('其中：待审批报废/核销')]).toEqual([5, 5, 295, 0]);
  });

  it('D30: 2 counted damaged at the point are pending of atPoints — the shortage still not; approved, the 5 leave inTransit, atPoints unchanged', async () => {
    ok(
      await t.gql(
        `mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`,
        { i: { planId: plan.id, idempotencyKey: key(), lines: [{ batchId, storeId: point, good: 0, damaged: 2, lost: 0 }] } },
        'dispatcher',
      ),
    );
    expect(await quilts()).toMatchObject({ inTransit: 5, pendingWriteOff: 5, atPoints: 295, pendingAtPoints: 2 });
    expect((await exported())('其中：待审批报废/核销')).toBe(2);

    await approveWriteOffs(t, 'dispatcher', plan.lines[0].transfer.id);
    expect(await quilts()).toMatchObject({ inTransit: 0, pendingWriteOff: 0, lostInTransit: 5, atPoints: 295, pendingAtPoints: 2 });
  });
});
