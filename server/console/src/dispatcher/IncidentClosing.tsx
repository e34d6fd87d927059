import { useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Card, Space, Table, Tag } from 'antd';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../graphql/graphql';
import { errorMessages } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { formatDateTime, formatNumber, formatQuantity } from '../common/format';
import { IncidentRecoveryQuery, recoverablePlans, ruleLabel, type Outstanding, type RecoverablePlan } from './recovery';
import { RecoverStockModal } from './RecoverStockModal';

const CloseIncident = graphql(`
  mutation CloseIncident($incidentId: ID!) {
    closeIncident(incidentId: $incidentId) {
      id
      closedAt
    }
  }
`);

/**
 * The end of an incident: what D12 says should come back from its 安置点 and has not (D30), 回收清点 against the plan
 * that delivered it, and 结束事件 — after which no 安置点 is opened and nothing distributed (D29); recovery goes on.
 */
export function IncidentClosing({
  incident,
  deliveries,
  onChanged,
}: {
  incident: { id: string; name: string; closedAt?: string | null };
  /** What the plans have delivered, as the page last read it: a change (到货签收, 撤销调拨) is fetched here too. */
  deliveries: string;
  onChanged: () => void;
}) {
  const { message, modal } = App.useApp();
  const [{ data, fetching, error }, refetch] = useQuery({ query: IncidentRecoveryQuery, variables: { id: incident.id }, requestPolicy: 'cache-and-network' });
  // Sweep 16b F3: after 到货签收 the list still said 「没有待回收的物资」 until a reload.
  const seen = useRef(deliveries);
  useEffect(() => {
    if (seen.current === deliveries) return;
    seen.current = deliveries;
    refetch({ requestPolicy: 'network-only' });
  }, [deliveries, refetch]);
  const [, close] = useMutation(CloseIncident);
  const [alerts, setAlerts] = useState<string[]>([]);
  const [recovering, setRecovering] = useState<RecoverablePlan>();
  const outstanding = data?.outstandingRecovery ?? [];
  const { plans, unplanned } = recoverablePlans(outstanding, data?.incident?.plans ?? []);
  const total = outstanding.reduce((n, l) => n + l.outstanding, 0);

  const confirmClose = () => {
    void modal.confirm({
      title: `结束事件「${incident.name}」？`,
      content: (
        <>
          {total > 0 && (
            <p data-testid="close-outstanding">
              尚有 {outstanding.length} 项、共 {total} 件物资按规定应回收而未回收。
            </p>
          )}
          <p>结束后不能再开设安置点或向群众发放；回收清点和查询仍可继续。</p>
        </>
      ),
      okText: '结束事件',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        setAlerts([]);
        const result = await close({ incidentId: incident.id });
        if (result.error) setAlerts(errorMessages(result.error));
        else void message.success(`事件「${incident.name}」已结束`);
        onChanged();
      },
    });
  };

  return (
    <Card
      size="small"
      title="回收清点与结束事件"
      extra={
        incident.closedAt ? (
          <Tag color="default" data-testid="incident-closed">
            已于 {formatDateTime(incident.closedAt)} 结束
          </Tag>
        ) : (
          <Button danger onClick={confirmClose}>
            结束事件
          </Button>
        )
      }
    >
      <FormAlerts messages={[...alerts, ...(error ? errorMessages(error) : [])]} />
      <div data-testid="outstanding-recovery">
        <Table<Outstanding>
          size="small"
          loading={fetching}
          pagination={false}
          rowKey={(l) => `${l.store.id}|${l.batch.id}`}
          dataSource={outstanding}
          locale={{ emptyText: '没有待回收的物资' }}
          columns={[
            { title: '安置点', render: (_, l) => l.store.name },
            { title: '物资', render: (_, l) => l.item.name },
            { title: '批次', render: (_, l) => l.batch.batchNo },
            { title: '回收规则', render: (_, l) => ruleLabel(l.rule) },
            { title: '已到', align: 'right', render: (_, l) => formatNumber(l.received) },
            // Sweep 20c F4: `returned` is only what came back; scrapped and lost (written off) are their own figures.
            { title: '已回收/报废/核销', align: 'right', render: (_, l) => formatNumber(l.returned + l.scrapped + l.lost) },
            // D27, D30: counted damaged or lost, awaiting the scrap's or write-off's approval — so that 已到 adds up.
            { title: '待审批', align: 'right', render: (_, l) => formatNumber(l.pending) },
            { title: '待回收', align: 'right', render: (_, l) => formatQuantity(l.outstanding, l.item.unit) },
          ]}
        />
      </div>
      {unplanned.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 8 }}
          message={`${[...new Set(unplanned.map((l) => l.store.name))].join('、')} 的物资不是由本事件已执行的调拨方案送达的，不能在此回收`}
        />
      )}
      {plans.length > 0 && (
        <Space style={{ marginTop: 8 }}>
          {plans.map((p) => (
            <Button key={p.planId} type="primary" onClick={() => setRecovering(p)}>
              {plans.length > 1 ? `登记回收（${p.label}）` : '登记回收'}
            </Button>
          ))}
        </Space>
      )}
      {recovering && (
        <RecoverStockModal
          plan={recovering}
          onClose={(done) => {
            setRecovering(undefined);
            if (!done) return;
            refetch({ requestPolicy: 'network-only' });
            onChanged();
          }}
        />
      )}
    </Card>
  );
}
