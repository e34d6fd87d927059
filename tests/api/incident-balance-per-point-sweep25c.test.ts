import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { receiveTransferRaw } from '../support/ledger-ops.ts';
import { createIncident, executedPlan, ok } from '../support/relief.ts';
import { download, openWorkbook, sheetValues } from '../support/paperwork.ts';

// Sweep 25c F5 (D28): "how much reached each township / 安置点?" — the 物资收支 export lists, below its items, a section per
// 安置点 and item with its 乡镇, 需求, 已接收, 10 小时内接收 and whether it was received in full within 10 h of the disaster:
// Incident.basicNeeds, the same figures. Two 安置点 in two townships; one receives in full, the other short.

const HEADER_ROW = 4;
const NEEDS = `query($id: ID!) { incident(id: $id) { basicNeeds { store { name region { name } } item { name } requested received receivedByDeadline met } } }`;

describe('sweep 25c F5 (D28): the incident balance export lists each 安置点 as Incident.basicNeeds does', () => {
  const t = useTestApp();
  let incidentId: string;

  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [
      { itemId: COTTON_TENT, quantity: 30, batchNo: 'S25C-F5-MZP', expiryDate: '2035-01-01' },
      { itemId: QUILT, quantity: 80, batchNo: 'S25C-F5-MB', expiryDate: '2031-01-01' },
    ]);
    incidentId = await createIncident(t, { name: '卫辉市两镇内涝（25c）', affectedPopulation: 300 });
    const plan = await executedPlan(t, incidentId, [
      { name: '汲水镇25c安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: QUILT, quantity: 40 }] },
      {
        name: '太公镇25c安置点',
        regionCode: '410781101000',
        lat: 35.49,
        lng: 114.02,
        lines: [
          { itemId: QUILT, quantity: 30 },
          { itemId: COTTON_TENT, quantity: 20 },
        ],
      },
    ]);
    // 汲水镇 receives in full; 太公镇 receives 25 of 30 quilts (5 lost on the way) and none of its tents yet.
    const byPoint = (name: string) => plan.lines.filter((l: any) => l.destination.name === name && l.transfer);
    for (const l of byPoint('汲水镇25c安置点'))
      ok(
        await receiveTransferRaw(t, 'dispatcher', { transferId: l.transfer.id, idempotencyKey: key(), lines: [{ batchId: l.batch.id, quantity: l.quantity }] }),
      );
    const quilts = byPoint('太公镇25c安置点').find((l: any) => l.item.id === QUILT);
    ok(
      await receiveTransferRaw(t, 'dispatcher', {
        transferId: quilts.transfer.id,
        idempotencyKey: key(),
        lines: [{ batchId: quilts.batch.id, quantity: 25, discrepancyReason: 'TRANSIT_LOSS' }],
      }),
    );
  });

  it('D28: a section per 安置点 — 乡镇, 物资, 需求, 已接收, 10 小时内接收, 10 小时内送达 — the figures of Incident.basicNeeds', async () => {
    const needs = ok(await t.gql(NEEDS, { id: incidentId }, 'dispatcher')).incident.basicNeeds as any[];
    expect(needs).toHaveLength(3);
    const res = await download(t, '/exports/incident-balance.xlsx', 'auditor', { incidentId });
    expect(res.status).toBe(200);
    const ws = await openWorkbook(res.body as Buffer);
    const headings = sheetValues(ws, HEADER_ROW, HEADER_ROW)[0];
    // The section's columns come after the items' (whose places stay as they were).
    expect(headings.slice(-4)).toEqual(['安置点', '所在乡镇', '10 小时内接收', '10 小时内送达']);
    expect(headings[1]).toBe('物资');
    const rows = sheetValues(ws, HEADER_ROW + 1);
    const at = (h: string) => headings.indexOf(h);
    const heading = rows.findIndex((r) => String(r[1]).startsWith('按安置点'));
    expect(heading).toBeGreaterThan(0);
    // The item rows above it name no 安置点.
    expect(rows.slice(0, heading).every((r) => r[at('安置点')] === null || r[at('安置点')] === undefined || r[at('安置点')] === '')).toBe(true);
    const section = rows
      .slice(heading + 1)
      .map((r) => [r[at('所在乡镇')], r[at('安置点')], r[1], r[at('需求')], r[at('已接收')], r[at('10 小时内接收')], r[at('10 小时内送达')]]);
    // The 10 hours are still running: short is 进行中, not yet 未达标.
    const expected = needs
      .map((n) => [n.store.region.name, n.store.name, n.item.name, n.requested, n.received, n.receivedByDeadline, n.met ? '达标' : '进行中'])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]), 'zh-CN') || String(a[1]).localeCompare(String(b[1]), 'zh-CN'));
    expect(section).toEqual(expect.arrayContaining(expected));
    expect(section).toHaveLength(3);
    expect(section).toContainEqual(['汲水镇', '汲水镇25c安置点', '棉被', 40, 40, 40, '达标']);
    expect(section).toContainEqual(['太公镇', '太公镇25c安置点', '棉被', 30, 25, 25, '进行中']);
    expect(section).toContainEqual(['太公镇', '太公镇25c安置点', '棉帐篷', 20, 0, 0, '进行中']);
    // A township's points together: 汲水镇 before 太公镇 (by name, as the console lists them).
    expect(section.map((r) => r[0])).toEqual([...section.map((r) => r[0])].sort((a, b) => String(a).localeCompare(String(b), 'zh-CN')));

    // The CSV carries the same rows.
    const csv = String((await download(t, '/exports/incident-balance.csv', 'auditor', { incidentId })).text);
    expect(csv).toContain('太公镇25c安置点,太公镇,25,进行中');
  });
});
