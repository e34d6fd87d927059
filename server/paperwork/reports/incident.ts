import type { ServiceContext } from '../../context.ts';
import { chinaText } from '../../clock.ts';
import { badInput } from '../../errors.ts';
import { getIncidentInScope, incidentBalance } from '../../dispatch/incidents.ts';
import type { Params } from '../params.ts';
import { type Column, type Report } from '../report.ts';
import { titleBlock } from '../title.ts';
import { itemLabels } from './lookups.ts';

// 事件物资收支 (D12, D18): per item, what an incident requested, was planned, shipped, received, handed out and recovered
// — Incident.balance, for those who may see the incident.

const COLUMNS: Column[] = [
  { header: '物资编码', key: 'itemCode', width: 10, kind: 'text' },
  { header: '物资', key: 'item', width: 14, kind: 'text' },
  { header: '规格', key: 'spec', width: 18, kind: 'text' },
  { header: '单位', key: 'unit', width: 6, kind: 'text' },
  { header: '需求', key: 'requested', width: 10, kind: 'int' },
  { header: '计划调拨', key: 'planned', width: 10, kind: 'int' },
  { header: '已发运', key: 'shipped', width: 10, kind: 'int' },
  { header: '已接收', key: 'received', width: 10, kind: 'int' },
  { header: '已发放', key: 'distributed', width: 10, kind: 'int' },
  { header: '已回收', key: 'recovered', width: 10, kind: 'int' },
];

export async function incidentReport(ctx: ServiceContext, q: Params): Promise<Report> {
  if (!q.incidentId) throw badInput('incidentId', '须指定灾害事件');
  const incident = await getIncidentInScope(ctx.db, ctx.actor, q.incidentId, 'incidentId');
  const lines = await incidentBalance(ctx.db, incident.id);
  const items = await itemLabels(
    ctx.db,
    lines.map((l) => l.itemId),
  );
  const title = await titleBlock(ctx, incident.regionCode);
  return {
    ...title,
    fileName: `incident-balance-${chinaText(title.preparedAt, 'yyyyLLdd')}`,
    title: `${incident.name} 物资收支表`,
    sheetName: '事件物资收支',
    period: `${chinaText(incident.occurredAt, 'yyyy-LL-dd HH:mm')} 至 ${chinaText(title.preparedAt, 'yyyy-LL-dd HH:mm')}`,
    columns: COLUMNS,
    rows: lines.map((l) => {
      const item = items.get(l.itemId)!;
      return { cells: { itemCode: item.code, item: item.name, spec: item.spec, unit: item.unit, ...l } };
    }),
  };
}
