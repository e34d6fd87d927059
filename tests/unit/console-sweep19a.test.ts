import { describe, expect, it } from 'vitest';
import { numberPlans, repeatedDemand } from '../../server/console/src/dispatcher/plan-order.ts';
import { governmentOf, recoveryStoreAccepts, settledOwingRegions, type RecoveryStore } from '../../server/console/src/dispatcher/recovery-stores.ts';

// Sweep 19a, the console's rules beside its screens (the browser flows: tests/browser/console-sweep19a.test.ts).
// F7 (D23, D24): a request's 安置点 and items a live plan of the incident already carries are asked about first.
// F11 (D12, D30): 完好物资入库仓库 offers the stores the server takes good stock into (relief/recovery.ts).

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

describe('recoveryStoreAccepts (sweep 19a F11, D3, D12, D25, D30)', () => {
  const store = (id: string, kind: string, region: RecoveryStore['region']): RecoveryStore => ({ id, kind, region });
  const weihui = { code: '410781', name: '卫辉市', level: 'COUNTY' };
  const line = { batchId: 'b1', owner: { kind: 'GOVERNMENT', name: '卫辉市人民政府' }, shippedFrom: 'from' };
  const none = new Map<string, Set<string>>();

  it('the store it was shipped from, or a reserve store of the owner government’s very region', () => {
    expect(recoveryStoreAccepts(store('from', 'GOVERNMENT', { code: '410700', name: '新乡市', level: 'CITY' }), line, none)).toBe(true);
    expect(recoveryStoreAccepts(store('other', 'ENTRUSTED', weihui), line, none)).toBe(true);
    // A township's store of the same county is another region: refused.
    expect(recoveryStoreAccepts(store('town', 'GOVERNMENT', { code: '410781100', name: '汲水镇', level: 'TOWNSHIP' }), line, none)).toBe(false);
  });

  it('never a 安置点 or an agreement store, even the one it came from', () => {
    expect(recoveryStoreAccepts(store('from', 'DISTRIBUTION_POINT', weihui), line, none)).toBe(false);
    expect(recoveryStoreAccepts(store('x', 'AGREEMENT', weihui), line, none)).toBe(false);
  });

  it('a company’s or donor’s batch goes back only where it came from; a settled debt opens the owing region’s stores', () => {
    const company = { ...line, owner: { kind: 'COMPANY', name: '卫辉市人民政府' } };
    expect(recoveryStoreAccepts(store('other', 'GOVERNMENT', weihui), company, none)).toBe(false);
    const owing = settledOwingRegions(
      [{ batchId: 'b1', sources: [{ planId: 'p', storeId: 'lender', itemId: 'tent' }] }],
      [
        { planId: 'p', quantity: 4, store: { id: 'lender' }, item: { id: 'tent' }, owedBy: { code: '410781' } },
        { planId: 'p', quantity: 0, store: { id: 'lender' }, item: { id: 'tent' }, owedBy: { code: '410782' } },
        { planId: 'q', quantity: 4, store: { id: 'lender' }, item: { id: 'tent' }, owedBy: { code: '410783' } },
      ],
    );
    expect([...owing.get('b1')!]).toEqual(['410781']);
    expect(recoveryStoreAccepts(store('other', 'GOVERNMENT', weihui), company, owing)).toBe(true);
  });

  it('names a government as the server does: 街道 办事处, a village committee after its county and township', () => {
    expect(governmentOf({ code: '410702001', name: '东街街道', level: 'TOWNSHIP' })).toBe('东街街道办事处');
    expect(governmentOf({ code: '410781100201', name: '建设路居民委员会', level: 'VILLAGE', parent: { name: '汲水镇', parent: { name: '卫辉市' } } })).toBe(
      '卫辉市汲水镇建设路居民委员会',
    );
  });
});
