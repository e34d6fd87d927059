import { describe, expect, it } from 'vitest';
import { planChanges, type ComparedPlan } from '../../server/console/src/dispatcher/plan-changes.ts';

// Sweep 23c F7 (D14, D28): 提交方案 submits a plan the server makes afresh; where it differs from the suggestion reviewed
// (another store, tier, ETA, or a shortage), the console says so line by line — planChanges is what it says.

const QUILT = { id: 'q', name: '棉被', unit: '床' };
const TENT = { id: 't', name: '棉帐篷', unit: '顶' };
const line = (destination: string, item: typeof QUILT, source: string, tier: string, quantity: number, etaHours: number) => ({
  destination: { name: destination },
  item,
  source: { name: source },
  tier,
  quantity,
  etaHours,
});
const plan = (lines: ReturnType<typeof line>[], shortages: ComparedPlan['shortages'] = []): ComparedPlan => ({ lines, shortages });

describe('sweep 23c F7: what a submitted plan changed of the suggestion', () => {
  it('the same plan: nothing (batches of one store added up, order of lines ignored)', () => {
    const a = plan([line('安置点1', QUILT, '卫辉市救灾物资储备库', 'LOCAL', 20, 0.8), line('安置点1', QUILT, '卫辉市救灾物资储备库', 'LOCAL', 10, 0.8)]);
    const b = plan([line('安置点1', QUILT, '卫辉市救灾物资储备库', 'LOCAL', 30, 0.8)]);
    expect(planChanges(a, b)).toEqual([]);
  });

  it('another store, tier and ETA: one sentence for the 安置点 and item, suggestion then submission', () => {
    const a = plan([line('安置点1', QUILT, '卫辉市救灾物资储备库', 'LOCAL', 30, 0.8), line('安置点1', TENT, '卫辉市救灾物资储备库', 'LOCAL', 5, 0.8)]);
    const b = plan([line('安置点1', QUILT, '新乡市救灾物资储备库', 'UPPER', 30, 1.1), line('安置点1', TENT, '卫辉市救灾物资储备库', 'LOCAL', 5, 0.8)]);
    expect(planChanges(a, b)).toEqual(['安置点1 · 棉被：建议 卫辉市救灾物资储备库（本级）30 床，0.8 小时；提交 新乡市救灾物资储备库（上级）30 床，1.1 小时']);
  });

  it('a shortage where the suggestion had none, and a line gone', () => {
    const a = plan([line('安置点1', QUILT, '卫辉市救灾物资储备库', 'LOCAL', 30, 0.8)]);
    const b = plan([line('安置点1', QUILT, '卫辉市救灾物资储备库', 'LOCAL', 10, 0.8)], [{ destination: { name: '安置点1' }, item: QUILT, missing: 20 }]);
    expect(planChanges(a, b)).toEqual([
      '安置点1 · 棉被：建议 卫辉市救灾物资储备库（本级）30 床，0.8 小时；提交 卫辉市救灾物资储备库（本级）10 床，0.8 小时、缺口 20 床',
    ]);
    expect(planChanges(a, plan([], [{ destination: { name: '安置点1' }, item: QUILT, missing: 30 }]))).toEqual([
      '安置点1 · 棉被：建议 卫辉市救灾物资储备库（本级）30 床，0.8 小时；提交 无来源、缺口 30 床',
    ]);
  });
});
