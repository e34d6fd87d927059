import { useState } from 'react';
import { Alert, Card, Space, Switch, Table, Tag } from 'antd';
import { useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf } from '../graphql/graphql';
import { formatDateTime, formatNumber } from '../common/format';

const ReconciliationQuery = graphql(`
  query Reconciliation($regionCode: String, $differencesOnly: Boolean) {
    reconciliation(regionCode: $regionCode, differencesOnly: $differencesOnly) {
      store {
        id
        name
      }
      batch {
        id
        batchNo
        item {
          name
        }
      }
      ledgerOnHand
      balanceOnHand
      ledgerInTransit
      balanceInTransit
      ledgerVsBalance
      lastCountedQuantity
      lastCountedAt
      countVsBalance
      movementsSinceCount
    }
  }
`);

type Line = ResultOf<typeof ReconciliationQuery>['reconciliation'][number];

/**
 * 对账: ledger vs balances vs the last stocktake; any ledger/balance difference is an alarm, shown first. Only the lines
 * that differ by default, read so from the API; 显示全部 reads every balance of the region (sweep 22a F5: a city's
 * 3,800 lines were 1.8 MB on every visit, to show the few that differ).
 */
export default function ReconciliationPage() {
  const user = useUser();
  const [differencesOnly, setDifferencesOnly] = useState(true);
  const [{ data, fetching }] = useQuery({ query: ReconciliationQuery, variables: { regionCode: user.region?.code ?? null, differencesOnly } });
  const lines = [...(data?.reconciliation ?? [])].sort(
    (a, b) => b.ledgerVsBalance - a.ledgerVsBalance || Math.abs(b.countVsBalance ?? 0) - Math.abs(a.countVsBalance ?? 0),
  );
  const alarms = lines.filter((l) => l.ledgerVsBalance !== 0).length;
  return (
    <Card
      title="对账"
      extra={
        <Space>
          <span>只看有差异的批次</span>
          <Switch id="reconciliation-differences-only" checked={differencesOnly} onChange={setDifferencesOnly} aria-label="只看有差异的批次" />
        </Space>
      }
    >
      {data && (
        <Alert
          className="form-alert"
          showIcon
          type={alarms ? 'error' : 'success'}
          message={alarms ? `${alarms} 个批次的台账与余额不一致，请立即核查` : '台账与余额全部一致'}
        />
      )}
      <Table<Line>
        size="small"
        loading={fetching}
        rowKey={(l) => `${l.store.id}-${l.batch.id}`}
        dataSource={lines}
        locale={{ emptyText: differencesOnly ? '没有差异：台账、余额与盘点一致' : undefined }}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        scroll={{ x: 1000 }}
        columns={[
          { title: '仓库', render: (_, l) => l.store.name },
          { title: '物资', render: (_, l) => l.batch.item.name },
          { title: '批号', render: (_, l) => l.batch.batchNo },
          { title: '台账在库', align: 'right', render: (_, l) => formatNumber(l.ledgerOnHand) },
          { title: '余额在库', align: 'right', render: (_, l) => formatNumber(l.balanceOnHand) },
          { title: '台账在途', align: 'right', render: (_, l) => formatNumber(l.ledgerInTransit) },
          { title: '余额在途', align: 'right', render: (_, l) => formatNumber(l.balanceInTransit) },
          {
            title: '差异',
            render: (_, l) => (l.ledgerVsBalance ? <Tag color="red">告警 {formatNumber(l.ledgerVsBalance)}</Tag> : <Tag color="green">一致</Tag>),
          },
          { title: '上次盘点', render: (_, l) => (l.lastCountedAt ? `${formatNumber(l.lastCountedQuantity)}（${formatDateTime(l.lastCountedAt)}）` : '—') },
          { title: '盘点后变动', align: 'right', render: (_, l) => formatNumber(l.movementsSinceCount) },
        ]}
      />
    </Card>
  );
}
