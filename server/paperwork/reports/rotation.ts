import type { ServiceContext } from '../../context.ts';
import { chinaText } from '../../clock.ts';
import { formatFen, toFen } from '../../money.ts';
import { rotationDue } from '../../reserves/rotation.ts';
import { windowEnd } from '../../reserves/rules.ts';
import { parseInteger, type Params } from '../params.ts';
import { type Column, type Report } from '../report.ts';
import { titleBlock } from '../title.ts';
import { batchLabels, itemLabels, storeNames } from './lookups.ts';

// 轮换到期 (D10, D26): the rotationDue query's lines, most urgent first, with a 合计 of the amounts.

const COLUMNS: Column[] = [
  { header: '仓库', key: 'store', width: 26, kind: 'text' },
  { header: '物资', key: 'item', width: 14, kind: 'text' },
  { header: '规格', key: 'spec', width: 18, kind: 'text' },
  { header: '单位', key: 'unit', width: 6, kind: 'text' },
  { header: '批号', key: 'batchNo', width: 16, kind: 'text' },
  { header: '有效期至', key: 'expiryDate', width: 11, kind: 'date' },
  { header: '应轮换日期', key: 'rotateBy', width: 11, kind: 'date' },
  { header: '剩余天数', key: 'daysLeft', width: 10, kind: 'int' },
  { header: '数量', key: 'quantity', width: 10, kind: 'int' },
  { header: '单价（元）', key: 'unitPrice', width: 11, kind: 'money' },
  { header: '金额（元）', key: 'value', width: 14, kind: 'money' },
  { header: '状态', key: 'state', width: 8, kind: 'text' },
];

export async function rotationReport(ctx: ServiceContext, q: Params): Promise<Report> {
  const withinMonths = parseInteger(q.withinMonths, 'withinMonths', 12);
  const lines = await rotationDue(ctx, { regionCode: q.regionCode, withinMonths });
  const [stores, batches] = await Promise.all([
    storeNames(
      ctx.db,
      lines.map((l) => l.storeId),
    ),
    batchLabels(
      ctx.db,
      lines.map((l) => l.batchId),
    ),
  ]);
  const items = await itemLabels(
    ctx.db,
    [...batches.values()].map((b) => b.itemId),
  );
  const today = chinaText(ctx.clock.now().toJSDate(), 'yyyy-LL-dd');
  const rows = lines.map((l) => {
    const batch = batches.get(l.batchId)!;
    const item = items.get(batch.itemId)!;
    const value = formatFen(toFen(l.unitPrice) * BigInt(l.quantity));
    // D26: expired batches are frozen and listed as such (the query's own `expired`); past the rotate-by date is overdue.
    const state = l.expired ? '已过期' : l.daysLeft < 0 ? '逾期' : '待轮换';
    return {
      cells: {
        store: stores.get(l.storeId)!,
        item: item.name,
        spec: item.spec,
        unit: item.unit,
        batchNo: batch.batchNo,
        expiryDate: batch.expiryDate,
        rotateBy: l.rotateBy,
        daysLeft: l.daysLeft,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        value,
        state,
      },
    };
  });
  const total = rows.reduce((s, r) => s + toFen(r.cells.value), 0n);
  const title = await titleBlock(ctx, { regionCode: q.regionCode });
  return {
    ...title,
    fileName: `rotation-due-${chinaText(title.preparedAt, 'yyyyLLdd')}`,
    title: '轮换到期物资清单',
    sheetName: '轮换到期',
    // Sweep 25a F4: the list is by 应轮换日期 (rotationDue's window, that day included), overdue and expired batches with it.
    period: `应轮换日期不晚于 ${windowEnd(today, withinMonths)}（含已逾期、已过期批次）`,
    columns: COLUMNS,
    rows: [...rows, { role: 'total', cells: { store: '合计', value: formatFen(total) } }],
  };
}
