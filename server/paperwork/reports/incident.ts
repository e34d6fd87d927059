import type { ServiceContext } from '../../context.ts';
import { chinaText } from '../../clock.ts';
import { badInput } from '../../errors.ts';
import { getIncidentInScope, incidentBalance } from '../../dispatch/incidents.ts';
import type { Params } from '../params.ts';
import { type Column, type Report } from '../report.ts';
import { titleBlock } from '../title.ts';
import { itemLabels, storePlaces } from './lookups.ts';
import { householdsServed } from '../../relief/trace.ts';
import { basicNeedsDeadline, basicNeedsLines } from '../../relief/deadlines.ts';

// 事件物资收支 (D12, D18, D27, D30): per item, what an incident requested and was planned; what its plans shipped and where
// it is — received, in transit, lost in transit, cancelled —; what became of it at the 安置点 and with households —
// Incident.balance, the same figures, for those who may see the incident. Each row adds up (sweep 20c F3):
// 已发运 = 已接收 + 在途 + 途中损失 + 撤销/释放; 已接收 + 其他调入 + 群众交回 − 已发放 − 回收入库 − 报废 − 核销 − 其他调出
// = 安置点现存; 已发放 − 群众交回 − 群众处丢失 = 群众处. 已冲销发放 (and its 笔数) is what was handed out and then reversed
// by an approved 冲销单 (D22, sweep 23b F5): shown beside 已发放, in none of the sums (已发放 counts what stands).
// Sweep 25c F5 (D28): below the items, a section per 安置点 and item — its 乡镇, 需求, 已接收, 10 小时内接收 and whether it
// was received in full by occurredAt + 10 h — Incident.basicNeeds, the same figures: which 安置点 is short, and where.
// The section's own columns come last, so the item rows keep their place; its rows leave the items' other columns empty
// (the way and the point's books are counted per item, not per 安置点).

const int = (header: string, key: string, width = 10): Column => ({ header, key, width, kind: 'int' });

const COLUMNS: Column[] = [
  { header: '物资编码', key: 'itemCode', width: 10, kind: 'text' },
  { header: '物资', key: 'item', width: 14, kind: 'text' },
  { header: '规格', key: 'spec', width: 18, kind: 'text' },
  { header: '单位', key: 'unit', width: 6, kind: 'text' },
  int('需求', 'requested'),
  int('计划调拨', 'planned'),
  int('已发运', 'shipped'),
  int('撤销/释放', 'cancelled'),
  int('途中损失（已核销）', 'lostInTransit', 12),
  int('在途', 'inTransit'),
  int('其中：短少待核销', 'pendingWriteOff', 12),
  int('已接收', 'received'),
  int('其他调入', 'otherIn'),
  int('群众交回', 'returnedByHouseholds'),
  int('已发放', 'distributed'),
  // D22 (sweep 23b F5): handed out and then reversed (冲销) — beside 已发放, in none of the sums.
  int('已冲销发放', 'distributedReversed', 12),
  int('冲销发放笔数', 'distributionsReversed', 12),
  int('回收入库', 'recovered'),
  int('报废（已批准）', 'scrapped', 12),
  int('核销（已批准）', 'writtenOff', 12),
  int('其他调出', 'otherOut'),
  int('安置点现存', 'atPoints'),
  int('其中：待审批报废/核销', 'pendingAtPoints', 14),
  int('群众处丢失（已核销）', 'lostAtHouseholds', 14),
  int('群众处', 'withHouseholds'),
  int('其中：丢失待核销', 'pendingLostAtHouseholds', 12),
  int('受助户数', 'households'),
  int('储备库直接发放', 'issuedFromStores', 12),
  // Sweep 25c F5 (D28): the per-安置点 section's columns.
  { header: '安置点', key: 'point', width: 22, kind: 'text' },
  { header: '所在乡镇', key: 'township', width: 12, kind: 'text' },
  int('10 小时内接收', 'receivedByDeadline', 12),
  { header: '10 小时内送达', key: 'met', width: 12, kind: 'text' },
];

/** D28: received in full at the 安置点 by the deadline; short and the deadline past (or the incident closed); else still running. */
const metText = (met: boolean, settled: boolean) => (met ? '达标' : settled ? '未达标' : '进行中');

export async function incidentReport(ctx: ServiceContext, q: Params): Promise<Report> {
  if (!q.incidentId) throw badInput('incidentId', '须指定灾害事件');
  const incident = await getIncidentInScope(ctx.db, ctx.actor, q.incidentId, 'incidentId');
  const lines = await incidentBalance(ctx.db, incident.id);
  const served = (await householdsServed(ctx.db, incident.id)).byItem;
  const deadline = basicNeedsDeadline(incident.occurredAt);
  const needs = await basicNeedsLines(ctx.db, incident.id, deadline);
  const items = await itemLabels(ctx.db, [...lines.map((l) => l.itemId), ...needs.map((n) => n.itemId)]);
  const points = await storePlaces(
    ctx.db,
    needs.map((n) => n.storeId),
  );
  const title = await titleBlock(ctx, incident.regionCode);
  const settled = Boolean(incident.closedAt) || title.preparedAt.getTime() > deadline.getTime();
  const itemCells = (itemId: string) => {
    const item = items.get(itemId)!;
    return { itemCode: item.code, item: item.name, spec: item.spec, unit: item.unit };
  };
  // By 乡镇, then 安置点, then item code: a township's points together.
  const byPoint = needs
    .map((n) => ({ ...n, place: points.get(n.storeId)!, code: items.get(n.itemId)!.code }))
    .sort(
      (a, b) =>
        a.place.regionName.localeCompare(b.place.regionName, 'zh-CN') ||
        a.place.name.localeCompare(b.place.name, 'zh-CN') ||
        a.storeId.localeCompare(b.storeId) ||
        a.code.localeCompare(b.code),
    );
  return {
    ...title,
    fileName: `incident-balance-${chinaText(title.preparedAt, 'yyyyLLdd')}`,
    title: `${incident.name} 物资收支表`,
    sheetName: '事件物资收支',
    period: `${chinaText(incident.occurredAt, 'yyyy-LL-dd HH:mm')} 至 ${chinaText(title.preparedAt, 'yyyy-LL-dd HH:mm')}`,
    columns: COLUMNS,
    rows: [
      ...lines.map((l) => ({ cells: { ...itemCells(l.itemId), ...l, households: served.get(l.itemId) ?? 0 } })),
      ...(byPoint.length
        ? [
            { cells: { item: '按安置点：需求与接收（灾后 10 小时内送达安置点）' }, role: 'subtotal' as const },
            ...byPoint.map((n) => ({
              cells: {
                ...itemCells(n.itemId),
                requested: n.requested,
                received: n.received,
                point: n.place.name,
                township: n.place.regionName,
                receivedByDeadline: n.receivedByDeadline,
                met: metText(n.receivedByDeadline >= n.requested, settled),
              },
            })),
          ]
        : []),
    ],
  };
}
