import { useState, type ReactNode } from 'react';
import { Card, Empty, Space, Statistic, Table, Tag } from 'antd';
import { useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf } from '../graphql/graphql';
import { errorMessages } from './api-errors';
import { ExcelButton } from './ExcelButton';
import { FormAlerts } from './FormAlerts';
import { formatMoney, formatNumber, sumMoney } from './format';
import { RegionSelect } from './RegionSelect';

const RotationDueQuery = graphql(`
  query RotationDue($regionCode: String) {
    rotationDue(regionCode: $regionCode, withinMonths: 12) {
      store {
        id
        name
      }
      batch {
        id
        batchNo
        expiryDate
        daysToExpiry
        item {
          id
          name
          unit
        }
      }
      quantity
      value
      rotateBy
      daysLeft
      expired
    }
  }
`);

export type Due = ResultOf<typeof RotationDueQuery>['rotationDue'][number];

// The two dates of a batch, each under its own heading: when it expires (D26: from then frozen) and when it should be
// rotated (D10: the end of its storage life less the item's rotation lead — earlier).

/** 有效期至: an expired batch's expiry date and the days since (the API's daysToExpiry, negative after); else the date. */
function expiryText({ batch, expired }: Due): string {
  if (!batch.expiryDate) return '—';
  if (!expired) return batch.expiryDate;
  const since = -(batch.daysToExpiry ?? 0);
  return `已过期（冻结）${batch.expiryDate}（${since > 0 ? `过期 ${formatNumber(since)} 天` : '今日起过期'}）`;
}

/** 剩余天数 to the rotate-by date, or overdue since. */
const daysLeftText = ({ daysLeft }: Due) => (daysLeft < 0 ? `逾期 ${formatNumber(-daysLeft)} 天` : `剩 ${formatNumber(daysLeft)} 天`);

/** 状态 as the 轮换到期 Excel writes it: expired batches are frozen (D26); past the rotate-by date is overdue (D10). */
type State = '已过期' | '逾期' | '待轮换';
const stateOf = (d: Due): State => (d.expired ? '已过期' : d.daysLeft < 0 ? '逾期' : '待轮换');
const STATE_COLOR: Record<State, string> = { 已过期: 'red', 逾期: 'orange', 待轮换: 'blue' };

const sumOf = (lines: Due[]) => sumMoney(lines.map((d) => d.value));

/**
 * 轮换到期 (D10, D26): government batches at the reserve stores in the user's scope due for rotation within 12 months,
 * overdue and expired ones first — a keeper's stores, the others' region (the API's rotationDue decides what each may
 * read); a system-wide administrator, who has none, picks a region first. The same columns and 合计 as the Excel.
 * `action`, the keeper's only (轮换 against an approved rotation order, D23, D24, D26), adds a last column; without it
 * the list is read only — the city's dispatcher and auditor review what is due (sweep 25a F1).
 */
export function RotationDueList({ action }: { action?: (due: Due, reload: () => void) => ReactNode }) {
  const user = useUser();
  const [picked, setPicked] = useState<string>();
  // A keeper's list is their stores' (no region); the others read their region, an administrator without one the picked.
  const needsRegion = user.role === 'ADMIN' && !user.region;
  const regionCode = user.role === 'KEEPER' ? null : (user.region?.code ?? picked ?? null);
  const [{ data, fetching, error }, refetch] = useQuery({ query: RotationDueQuery, variables: { regionCode }, pause: needsRegion && !picked });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const lines = data?.rotationDue ?? [];
  const excel = <ExcelButton path="/exports/rotation-due.xlsx" params={{ withinMonths: '12', regionCode: regionCode ?? undefined }} fileName="轮换到期.xlsx" />;
  return (
    <Card title="轮换到期（12 个月内）" extra={(!needsRegion || picked) && excel}>
      {needsRegion && (
        <Space wrap className="form-alert">
          <span>区划</span>
          <RegionSelect id="rotation-region" style={{ width: 240 }} placeholder="选择区划" value={picked} onChange={setPicked} />
        </Space>
      )}
      {error && <FormAlerts messages={errorMessages(error)} />}
      {needsRegion && !picked ? (
        <Empty description="请先选择区划，查看其轮换到期物资" />
      ) : (
        <>
          <Space size="large" wrap className="form-alert" data-testid="rotation-totals">
            {(['已过期', '逾期', '待轮换'] as const).map((s) => (
              <Statistic key={s} title={s} value={formatMoney(sumOf(lines.filter((d) => stateOf(d) === s)))} />
            ))}
            <Statistic title="合计" value={formatMoney(sumOf(lines))} />
          </Space>
          <Table<Due>
            size="small"
            loading={fetching}
            rowKey={(d) => `${d.store.id}-${d.batch.id}`}
            dataSource={lines}
            pagination={{ pageSize: 20, showSizeChanger: false, showTotal: (n) => `共 ${n} 批` }}
            scroll={{ x: 1000 }}
            summary={() =>
              lines.length > 0 && (
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0} colSpan={7}>
                    合计（{formatNumber(lines.length)} 批）
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={1} align="right">
                    {formatMoney(sumOf(lines))}
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={2} colSpan={action ? 2 : 1} />
                </Table.Summary.Row>
              )
            }
            columns={[
              { title: '仓库', render: (_, d) => d.store.name },
              { title: '物资', render: (_, d) => d.batch.item.name },
              { title: '批号', render: (_, d) => d.batch.batchNo },
              // An expired batch (D26) shows when it expired here, its rotate-by date in the next column.
              { title: '有效期至', render: (_, d) => (d.expired ? <Tag color="red">{expiryText(d)}</Tag> : expiryText(d)) },
              { title: '应轮换日期', render: (_, d) => d.rotateBy },
              {
                title: '剩余天数',
                render: (_, d) => <Tag color={d.daysLeft < 0 ? 'red' : d.daysLeft < 90 ? 'orange' : 'blue'}>{daysLeftText(d)}</Tag>,
              },
              { title: '数量', align: 'right', render: (_, d) => `${formatNumber(d.quantity)} ${d.batch.item.unit}` },
              { title: '金额', align: 'right', render: (_, d) => formatMoney(d.value) },
              { title: '状态', render: (_, d) => <Tag color={STATE_COLOR[stateOf(d)]}>{stateOf(d)}</Tag> },
              ...(action ? [{ title: '', render: (_: unknown, d: Due) => action(d, reload) }] : []),
            ]}
          />
        </>
      )}
    </Card>
  );
}

/** The dispatcher's and the auditor's 轮换到期: read only — rotating is the keeper's, against an approved order (D24, D26). */
export default function RotationDuePage() {
  return <RotationDueList />;
}
