import { describe, expect, it } from 'vitest';
import { numberPlans, repeatedDemand } from '../../server/console/src/dispatcher/plan-order.ts';

// Sweep 19a, the console's rules beside its screens (the browser flows: tests/browser/console-sweep19a.test.ts).
// F7 (D23, D24): a request's 安置点 and items a live plan of the incident already carries are asked about first.
// F11 (D12, D30): 完好物资入库仓库 lists OutstandingRecoveryLine.recoveryStores (tests/api/recovery-destination.test.ts).

const QUILT = { id: 'quilt', name: '棉被', unit: '床' };
const TENT = { id: 'tent', name: '棉帐篷', unit: '顶' };
const plan = (id: string, status: string, requestedAt: string, lines: { destination: string; item: typeof QUILT; quantity: number }[]) => ({
  id,
  status,
  requestedAt,
  number: `DL-20261207-${id.toUpperCase()}`,
  lines: lines.map((l) => ({ destination: { name: l.destination }, item: l.item, quantity: l.quantity })),
});

describe('repeatedDemand (sweep 19a F7, D23, D24)', () => {
  const { numbered } = numberPlans([
    plan('c', 'CANCELLED', '2026-12-07T03:00:00Z', [{ destination: '安置点3', item: QUILT, quantity: 9 }]),
    plan('b', 'EXECUTING', '2026-12-07T02:00:00Z', [
      { destination: '安置点2', item: TENT, quantity: 60 },
      { destination: '安置点2', item: TENT, quantity: 40 },
    ]),
    plan('a', 'PROPOSED', '2026-12-07T01:00:00Z', [{ destination: '安置点1', item: QUILT, quantity: 5 }]),
  ]);

  it('names each 安置点 and item a live plan has, with the plan (方案 N by request time), its status and what it carries', () => {
    const rows = [
      { name: '安置点2 ', lines: [{ itemId: 'tent' }, { itemId: 'quilt' }] },
      { name: '安置点1', lines: [{ itemId: 'quilt' }] },
    ];
    expect(repeatedDemand(rows, numbered)).toEqual([
      { destination: '安置点2', item: '棉帐篷', plans: [{ label: '方案 2（DL-20261207-B）', status: 'EXECUTING', quantity: 100, unit: '顶' }] },
      { destination: '安置点1', item: '棉被', plans: [{ label: '方案 1（DL-20261207-A）', status: 'PROPOSED', quantity: 5, unit: '床' }] },
    ]);
  });

  it('a cancelled plan, another 安置点 or another item is no repeat', () => {
    expect(repeatedDemand([{ name: '安置点3', lines: [{ itemId: 'quilt' }] }], numbered)).toEqual([]);
    expect(repeatedDemand([{ name: '安置点4', lines: [{ itemId: 'quilt' }] }], numbered)).toEqual([]);
    expect(repeatedDemand([{ name: '安置点1', lines: [{ itemId: 'tent' }, {}] }], numbered)).toEqual([]);
  });
});
