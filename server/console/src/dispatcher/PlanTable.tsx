import { Alert, Button, Table, Tag, Tooltip } from 'antd';
import { formatDateTime, formatQuantity } from '../common/format';
import { labelOf, TIER } from '../common/labels';
import { TIER_COLOUR } from '../common/map/BaseMap';
import { consentState, type Plan } from './plan';
import { arrivalLabel } from './arrival';

type Line = Plan['lines'][number];

/**
 * D28: a line of an executing plan that a 补发 is to make good — from a store, carried out (not refused consent), and
 * part of it will not come: received short or its shipment cancelled, nothing on its way for the rest (arrivesInFull).
 */
export const needsReship = (plan: Pick<Plan, 'status'>, l: Line) =>
  plan.status === 'EXECUTING' && l.source.kind === 'STORE' && consentState(l) !== 'REJECTED' && !l.arrivesInFull;

/**
 * The plan's lines with tier, ETA and the deadline flag (10 h by default, D14); shortages said plainly. D25 (sweep 19a
 * F13): a line awaiting another jurisdiction's consent is marked 待…同意, one refused 未获同意 (not carried out: nothing
 * of it ships, the shortage shows it missing). `onReship`: 补发 is offered on each line needing it (sweep 19a F1).
 */
export function PlanTable({ plan, onReship }: { plan: Plan; onReship?: (line: Line) => void }) {
  return (
    <>
      {plan.shortages.length > 0 && (
        <Alert
          type="warning"
          showIcon
          className="form-alert"
          message="缺口"
          description={plan.shortages
            // Sweep 22c F6: each quantity grouped, with its unit (formatQuantity).
            .map(
              (s) =>
                `${s.destination.name} · ${s.item.name}：需 ${formatQuantity(s.requested, s.item.unit)}，可调 ${formatQuantity(s.planned, s.item.unit)}，缺 ${formatQuantity(s.missing, s.item.unit)}`,
            )
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
          {
            title: '层级',
            render: (_, l) => (
              <>
                <Tag color={TIER_COLOUR[l.tier]}>{labelOf(TIER, l.tier)}</Tag>
                <ConsentTag line={l} />
              </>
            ),
          },
          {
            title: '数量',
            align: 'right',
            // D25: a refused line is not carried out — its quantity struck through, as the print leaves it out of the total.
            render: (_, l) => (consentState(l) === 'REJECTED' ? <del>{formatQuantity(l.quantity, l.item.unit)}</del> : formatQuantity(l.quantity, l.item.unit)),
          },
          { title: '距离', align: 'right', render: (_, l) => `${l.distanceKm.toFixed(1)} km` },
          { title: '预计到达', align: 'right', render: (_, l) => `${l.etaHours.toFixed(1)} 小时` },
          {
            title: `时限（${plan.deadlineHours} 小时）`,
            render: (_, l) => (l.meetsDeadline ? <Tag color="green">按时</Tag> : <Tag color="red">超时</Tag>),
          },
          {
            title: '灾后到达（10 小时保障）',
            render: (_, l) => {
              // D25: nothing of a refused line comes (its arrival figure is not a delay to chase).
              if (consentState(l) === 'REJECTED') return <Tag>不调运</Tag>;
              const { text, colour, arrived, why } = arrivalLabel(l);
              return (
                <Tooltip title={`${arrived ? '' : '预计 '}${formatDateTime(l.arrivesAt)} 到达${why ? `；${why}` : ''}`}>
                  <Tag color={colour}>{text}</Tag>
                </Tooltip>
              );
            },
          },
          ...(onReship
            ? [
                {
                  title: '',
                  render: (_: unknown, l: Line) =>
                    needsReship(plan, l) && (
                      <Button size="small" onClick={() => onReship(l)}>
                        补发
                      </Button>
                    ),
                },
              ]
            : []),
        ]}
      />
    </>
  );
}

/** D25: 待运城市同意 / 未获运城市同意 — the jurisdiction whose stock or reserve the line uses (the source's region). */
function ConsentTag({ line }: { line: Line }) {
  const state = consentState(line);
  if (!state) return null;
  const region = line.source.region.name;
  // Sweep 25c F2 (D25): closed with the plan before the other side answered — not its refusal.
  if (state === 'WITHDRAWN')
    return (
      <Tooltip title={`方案已取消或被驳回，向${region}提出的跨区域调用请求随方案撤回（${region}未作答复）`}>
        <Tag data-testid="consent-withdrawn">调用请求已随方案撤回</Tag>
      </Tooltip>
    );
  return state === 'PENDING' ? (
    <Tooltip title={`使用${region}的储备，须经对方同意（跨区域调用）；同意前不预留、不调运，方案不能执行`}>
      <Tag color="gold" data-testid="consent-pending">
        待{region}同意
      </Tag>
    </Tooltip>
  ) : (
    <Tooltip title={`${region}不同意调用：本行不调运，不计入方案数量，所缺物资见「缺口」`}>
      <Tag color="red" data-testid="consent-refused">
        未获{region}同意
      </Tag>
    </Tooltip>
  );
}
