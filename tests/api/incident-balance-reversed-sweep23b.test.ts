import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { key, QUILT } from '../support/ledger.ts';
import { ok, reverseRaw } from '../support/ledger-ops.ts';
import { download, openWorkbook, sheetValues } from '../support/paperwork.ts';
import { stockedPoint } from '../support/relief.ts';

// Sweep 23b F5, note (D22, D29): a distribution reversed with its 冲销单 is listed REVERSED in `distributions`, but the
// incident's 物资收支 (Incident.balance and its export) showed only the net — 6 handed out became 2, and nothing said that
// 4 had been recorded as handed out and cancelled. The balance now shows the reversed quantity and the number of
// reversed distributions beside 已发放, in none of the sums: the net figures stand as before.

const t = useTestApp({ checkLedger: true });
const HEADER_ROW = 4;
const FIELDS = 'item { id } distributed distributedReversed distributionsReversed withHouseholds atPoints otherIn';

let at: { incidentId: string; point: string };
beforeAll(async () => {
  at = await stockedPoint(t, '汲水镇冲销收支安置点', 'S23B-RV-MB');
});

const distribute = async (headName: string, quantity: number) =>
  ok(
    await t.gql(
      `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id } }`,
      {
        i: {
          storeId: at.point,
          incidentId: at.incidentId,
          household: { headName, size: 4, address: `汲水镇${headName}家` },
          lines: [{ itemId: QUILT, quantity }],
          signatureRef: `RV-${headName}`,
          idempotencyKey: key(),
        },
      },
      'keeper',
    ),
  ).distributeRelief.id as string;
const quilts = async (as = 'dispatcher') =>
  ok(await t.gql(`query($id: ID!) { incident(id: $id) { balance { ${FIELDS} } } }`, { id: at.incidentId }, as)).incident.balance.find(
    (l: any) => l.item.id === QUILT,
  );

describe('sweep 23b F5 (D22): the incident balance shows what was handed out and then reversed', () => {
  it('D22: distributed counts what stands; distributedReversed / distributionsReversed show the reversed ones; the sums are unchanged', async () => {
    const first = await distribute('李冲销', 4);
    await distribute('赵保留', 2);
    const second = await distribute('钱冲销', 1);
    expect(await quilts()).toMatchObject({ distributed: 7, distributedReversed: 0, distributionsReversed: 0, withHouseholds: 7, atPoints: 53 });
    ok(await reverseRaw(t, 'keeper', first));
    ok(await reverseRaw(t, 'keeper', second));
    const line = await quilts();
    expect(line).toMatchObject({ otherIn: 60, distributed: 2, distributedReversed: 5, distributionsReversed: 2, withHouseholds: 2, atPoints: 58 });
    // The auditor reads the same figures (they may read the incident's figures in their region).
    expect(await quilts('auditor')).toEqual(line);
  });

  it('the export (事件物资收支) shows 已冲销发放 and 冲销发放笔数 beside 已发放, as the API does', async () => {
    const res = await download(t, '/exports/incident-balance.xlsx', 'auditor', { incidentId: at.incidentId });
    expect(res.status).toBe(200);
    const ws = await openWorkbook(res.body as Buffer);
    const headings = sheetValues(ws, HEADER_ROW, HEADER_ROW)[0];
    const distributedAt = headings.indexOf('已发放');
    expect(headings.slice(distributedAt, distributedAt + 3)).toEqual(['已发放', '已冲销发放', '冲销发放笔数']);
    const row = sheetValues(ws, HEADER_ROW + 1).find((r) => r[1] === '棉被')!;
    expect(row.slice(distributedAt, distributedAt + 3)).toEqual([2, 5, 2]);
    const csv = await download(t, '/exports/incident-balance.csv', 'auditor', { incidentId: at.incidentId });
    expect(csv.status).toBe(200);
    expect(String(csv.text)).toContain('已冲销发放');
  });
});
