import { Card, Table, Tag } from 'antd';
import { formatQuantity } from '../common/format';

/** One line of the API's Incident.basicNeeds: a 安置点 and item, requested against received there (D28). */
export interface PointNeed {
  store: { id: string; name: string; region: { name: string } };
  item: { id: string; name: string; unit: string };
  requested: number;
  received: number;
  receivedByDeadline: number;
  met: boolean;
}

/**
 * Sweep 25c F5 (D28): how much reached each 安置点 and township — per 安置点 and item, what the plans requested, what
 * was received there, what of it by occurredAt + 10 h, and whether that was all of it (the API's basicNeeds, the figures
 * behind the header's flag). A township's points together; each 安置点 named once over its items. `settled`: the 10
 * hours are past or the incident closed — short is then 未达标, before that 进行中.
 */
export function IncidentPointNeeds({ needs, settled }: { needs: readonly PointNeed[]; settled: boolean }) {
  if (!needs.length) return null;
  const rows = [...needs].sort(
    (a, b) =>
      a.store.region.name.localeCompare(b.store.region.name, 'zh-CN') ||
      a.store.name.localeCompare(b.store.name, 'zh-CN') ||
      a.store.id.localeCompare(b.store.id) ||
      a.item.name.localeCompare(b.item.name, 'zh-CN'),
  );
  // The 安置点 and its township span the point's rows.
  const span = (i: number) => {
    if (i > 0 && rows[i - 1].store.id === rows[i].store.id) return 0;
    const next = rows.findIndex((r, j) => j > i && r.store.id !== rows[i].store.id);
    return (next < 0 ? rows.length : next) - i;
  };
  const short = new Set(rows.filter((r) => !r.met).map((r) => r.store.id)).size;
  return (
    <Card
      size="small"
      title="各安置点物资送达（灾后 10 小时）"
      extra={
        <span data-testid="point-needs-summary">
          {short ? `${short} 个安置点未全部送达` : '各安置点均已在 10 小时内全部送达'}，共 {new Set(rows.map((r) => r.store.id)).size} 个
        </span>
      }
    >
      <Table<PointNeed>
        size="small"
        data-testid="point-needs"
        rowKey={(r) => `${r.store.id}|${r.item.id}`}
        rowClassName={(r) => (r.met ? '' : 'point-need-short')}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 720 }}
        columns={[
          { title: '安置点', render: (_, r) => r.store.name, onCell: (_, i = 0) => ({ rowSpan: span(i) }) },
          { title: '所在乡镇', render: (_, r) => r.store.region.name, onCell: (_, i = 0) => ({ rowSpan: span(i) }) },
          { title: '物资', render: (_, r) => r.item.name },
          { title: '需求', align: 'right', render: (_, r) => formatQuantity(r.requested, r.item.unit) },
          { title: '已接收', align: 'right', render: (_, r) => formatQuantity(r.received, r.item.unit) },
          { title: '10 小时内接收', align: 'right', render: (_, r) => formatQuantity(r.receivedByDeadline, r.item.unit) },
          {
            title: '达标',
            render: (_, r) =>
              r.met ? (
                <Tag color="green">达标</Tag>
              ) : settled ? (
                <Tag color="red">未达标（缺 {formatQuantity(r.requested - r.receivedByDeadline, r.item.unit)}）</Tag>
              ) : (
                <Tag color="orange">进行中（尚缺 {formatQuantity(r.requested - r.receivedByDeadline, r.item.unit)}）</Tag>
              ),
          },
        ]}
      />
    </Card>
  );
}
