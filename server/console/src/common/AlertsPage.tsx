import { useState } from 'react';
import { Card, Empty, Select, Space, Statistic, Table, Tag } from 'antd';
import { Link } from 'react-router-dom';
import { useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf } from '../graphql/graphql';
import { errorMessages } from './api-errors';
import { formatDateTime } from './format';
import { FormAlerts } from './FormAlerts';
import { ALERT_KIND, ALERT_SEVERITY, labelOf, optionsOf } from './labels';
import { RegionSelect } from './RegionSelect';

const AlertsQuery = graphql(`
  query Alerts($regionCode: String) {
    alerts(regionCode: $regionCode) {
      key
      kind
      severity
      message
      dueAt
      store {
        id
        name
      }
      region {
        code
        name
      }
      batch {
        id
        batchNo
      }
      dispatchPlan {
        id
        incident {
          id
        }
      }
    }
  }
`);

type Alert = ResultOf<typeof AlertsQuery>['alerts'][number];
type Kind = Alert['kind'];

/**
 * 预警: what needs attention in the user's scope (D10, D14, D19, D22, D24, D26, D27, D29) — a keeper's stores, the
 * others' region; a system-wide administrator, who has none, picks one first. Counted by kind, critical ones first.
 */
export default function AlertsPage() {
  const user = useUser();
  const [picked, setPicked] = useState<string>();
  const [kind, setKind] = useState<Kind>();
  const needsRegion = user.role === 'ADMIN' && !user.region;
  const regionCode = user.region?.code ?? picked ?? null;
  const [{ data, fetching, error }] = useQuery({ query: AlertsQuery, variables: { regionCode }, pause: needsRegion && !picked });
  // The API lists the most urgent kinds first; critical ones go before the rest, each kind's order kept.
  const alerts = [...(data?.alerts ?? [])].sort((a, b) => Number(b.severity === 'CRITICAL') - Number(a.severity === 'CRITICAL'));
  const counts = new Map<Kind, number>();
  for (const a of alerts) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  // Only the incident page opens a plan, and only dispatchers and administrators have it.
  const opensIncidents = user.role === 'DISPATCHER' || user.role === 'ADMIN';
  const kindFilter = (
    <Select<Kind>
      id="alerts-kind"
      aria-label="预警类型"
      allowClear
      showSearch
      optionFilterProp="label"
      placeholder="全部类型"
      style={{ width: 160 }}
      value={kind}
      onChange={setKind}
      options={optionsOf(ALERT_KIND)}
    />
  );
  return (
    <Card title="预警" extra={kindFilter}>
      {needsRegion && (
        <Space wrap className="form-alert">
          <span>区划</span>
          <RegionSelect id="alerts-region" style={{ width: 240 }} placeholder="选择区划" value={picked} onChange={setPicked} />
        </Space>
      )}
      {error && <FormAlerts messages={errorMessages(error)} />}
      {needsRegion && !picked ? (
        <Empty description="请先选择区划，查看其预警" />
      ) : (
        <>
          <Space size="large" wrap className="form-alert" data-testid="alert-counts">
            <Statistic title="严重" value={alerts.filter((a) => a.severity === 'CRITICAL').length} valueStyle={{ color: '#cf1322' }} />
            {[...counts].map(([k, n]) => (
              <Statistic key={k} title={labelOf(ALERT_KIND, k)} value={n} />
            ))}
          </Space>
          <Table<Alert>
            size="small"
            loading={fetching}
            rowKey="key"
            dataSource={kind ? alerts.filter((a) => a.kind === kind) : alerts}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 1000 }}
            columns={[
              {
                title: '级别',
                width: 72,
                render: (_, a) => <Tag color={a.severity === 'CRITICAL' ? 'red' : 'orange'}>{labelOf(ALERT_SEVERITY, a.severity)}</Tag>,
              },
              { title: '类型', width: 120, render: (_, a) => labelOf(ALERT_KIND, a.kind) },
              { title: '内容', render: (_, a) => a.message },
              { title: '仓库/区划', width: 160, render: (_, a) => a.store?.name ?? a.region?.name ?? '—' },
              // dueAt: when a batch freezes (00:00 after its expiry date, D26) or a written approval falls due (D14).
              { title: '截止', width: 140, render: (_, a) => formatDateTime(a.dueAt) },
              {
                title: '查看',
                width: 120,
                render: (_, a) => (
                  <Space size={8} wrap>
                    {a.batch && <Link to={`/batches/${a.batch.id}`}>{a.batch.batchNo}</Link>}
                    {opensIncidents && a.dispatchPlan && <Link to={`/dispatch/incidents/${a.dispatchPlan.incident.id}`}>事件</Link>}
                  </Space>
                ),
              },
            ]}
          />
        </>
      )}
    </Card>
  );
}
