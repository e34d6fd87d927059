import { Alert, Table, Tag, Tooltip } from 'antd';
import { formatDateTime } from '../common/format';
import { labelOf, TIER } from '../common/labels';
import { TIER_COLOUR } from '../common/map/BaseMap';
import type { Plan } from './plan';
import { arrivalLabel } from './arrival';

type Line = Plan['lines'][number];

/** The plan's lines with tier, ETA and the deadline flag (10 h by default, D14); shortages said plainly. */
export function PlanTable({ plan }: { plan: Plan }) {
  return (
    <>
      {plan.shortages.length > 0 && (
        <Alert
          type="warning"
          showIcon
          className="form-alert"
          message="缺口"
          description={plan.shortages
            .map((s) => `${s.destination.name} · ${s.item.name}：需 ${s.requested}，可调 ${s.planned}，缺 ${s.missing} ${s.item.unit}`)
            .join('；')}
        />
      )}
      <Table<Line>
        size="small"
        // A line's place in the plan: two lines from one outside store may both show no batch number (D20).
        rowKey={(l) => plan.lines.indexOf(l)}
        dataSource={plan.lines}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 900 }}
        columns={[
          { title: '安置点', render: (_, l) => l.destination.name },
          { title: '物资', render: (_, l) => l.item.name },
          { title: '来源', render: (_, l) => <Tooltip title={l.reason}>{l.source.name}</Tooltip> },
          { title: '批号', render: (_, l) => l.batchNo ?? '—' },
          { title: '层级', render: (_, l) => <Tag color={TIER_COLOUR[l.tier]}>{labelOf(TIER, l.tier)}</Tag> },
          { title: '数量', align: 'right', render: (_, l) => `${l.quantity} ${l.item.unit}` },
          { title: '距离', align: 'right', render: (_, l) => `${l.distanceKm.toFixed(1)} km` },
          { title: '预计到达', align: 'right', render: (_, l) => `${l.etaHours.toFixed(1)} 小时` },
          {
            title: `时限（${plan.deadlineHours} 小时）`,
            render: (_, l) => (l.meetsDeadline ? <Tag color="green">按时</Tag> : <Tag color="red">超时</Tag>),
          },
          {
            title: '灾后到达（10 小时保障）',
            render: (_, l) => {
              const { text, colour, arrived, why } = arrivalLabel(l);
              return (
                <Tooltip title={`${arrived ? '' : '预计 '}${formatDateTime(l.arrivesAt)} 到达${why ? `；${why}` : ''}`}>
                  <Tag color={colour}>{text}</Tag>
                </Tooltip>
              );
            },
          },
        ]}
      />
    </>
  );
}
