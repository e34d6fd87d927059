import { useState } from 'react';
import { App, Button, Card, Form, Input, Select, Table, Tag, Typography } from 'antd';
import { Modal } from '../common/Modal';
import { useMutation, useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf } from '../graphql/graphql';
import { errorMessages, showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { formatDateTime, formatMoney, formatNumber, formatQuantity } from '../common/format';
import { labelOf, optionsOf } from '../common/labels';

const SETTLEMENT_STATUS = { OPEN: '未结清', SETTLED: '已结清' } as const;
type Status = keyof typeof SETTLEMENT_STATUS;

/** Sweep 18a F18 (D25): an amount that is not yet a price — an estimate at the reference price, or none at all — says so. */
function amount(s: { value: string; valueBasis: string; valueEstimated: boolean }) {
  if (s.valueBasis === 'UNPRICED') return <Typography.Text type="warning">未定价（到货后按入库单价）</Typography.Text>;
  if (!s.valueEstimated) return formatMoney(s.value);
  return (
    <span>
      {formatMoney(s.value)} <Typography.Text type="warning">（参考价估算，到货后按入库单价）</Typography.Text>
    </span>
  );
}

const SettlementsQuery = graphql(`
  query Settlements($regionCode: String, $status: SettlementStatus) {
    settlements(regionCode: $regionCode, status: $status) {
      id
      status
      quantity
      value
      valueBasis
      valueEstimated
      awaitingDelivery
      released
      createdAt
      settledAt
      reference
      settleable
      planId
      issueDocumentNumber
      owedTo {
        code
        name
      }
      owedBy {
        code
        name
      }
      store {
        name
      }
      item {
        name
        unit
      }
      settledBy {
        displayName
      }
    }
  }
`);

const Settle = graphql(`
  mutation Settle($input: SettleInput!) {
    settle(input: $input) {
      id
      status
      reference
    }
  }
`);

type Settlement = ResultOf<typeof SettlementsQuery>['settlements'][number];

/**
 * Sweep 22c F12: an empty list says what would be listed and when (antd's bare 暂无数据 said neither) — D15, D25: a
 * plan's use of another region's or level's reserve, or another government's goods issued.
 */
const WHAT_IS_LISTED = '调拨方案动用其他区划或层级的储备、或出库发放其他产权单位的物资后，应归还的实物或款项列在这里';
const EMPTY: Record<Status | 'ALL', string> = {
  OPEN: `没有未结清的结算。${WHAT_IS_LISTED}，结清后转入「已结清」`,
  SETTLED: `还没有已结清的结算。${WHAT_IS_LISTED}`,
  ALL: `还没有结算。${WHAT_IS_LISTED}`,
};

function SettleModal({ settlement, onClose }: { settlement: Settlement; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<{ reference?: string }>();
  const [alerts, setAlerts] = useState<string[]>([]);
  const [{ fetching }, settle] = useMutation(Settle);
  const { message } = App.useApp();
  const submit = async () => {
    const { reference } = await form.validateFields();
    setAlerts([]);
    // The API says what is missing (a reference or a document), next to the field.
    const result = await settle({ input: { settlementId: settlement.id, reference: reference?.trim() || null } });
    if (result.error) return setAlerts(showFieldErrors(form, result.error));
    void message.success('已结清');
    onClose(true);
  };
  return (
    <Modal
      open
      title={`结清：${settlement.owedBy.name} 欠 ${settlement.owedTo.name} ${settlement.item.name} ${formatQuantity(settlement.quantity, settlement.item.unit)}`}
      okText="结清"
      confirmLoading={fetching}
      maskClosable={false}
      onOk={() => void submit().catch(() => {})}
      onCancel={() => onClose(false)}
    >
      <FormAlerts messages={alerts} />
      <Form form={form} name="settle" layout="vertical">
        <Form.Item name="reference" label="结算依据" extra="归还实物的入库单号，或拨款文号">
          <Input maxLength={128} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * 结算 (D15, D25): stock of another region or level used in a plan — or another government's goods issued under an
 * outbound order (D3, sweep 17b F10: the 出库单 number is shown) — is owed back in kind or in money; the region owed
 * records what settled it — 结清 is offered where the API lets this user do so (`settleable`: never the owing side,
 * D24), elsewhere an open row waits for the side owed. Auditors read the list. (The plan is not shown: the region owed
 * may not read the other region's incident.)
 */
export default function SettlementsPage() {
  const user = useUser();
  const [status, setStatus] = useState<Status | undefined>('OPEN');
  const [{ data, fetching, error }, refetch] = useQuery({ query: SettlementsQuery, variables: { regionCode: user.region?.code, status } });
  const [settling, setSettling] = useState<Settlement>();
  const mayDecide = user.role === 'DISPATCHER' || user.role === 'ADMIN';
  const rows = data?.settlements ?? [];
  return (
    <Card
      title="结算"
      extra={
        <Select<Status>
          allowClear
          placeholder="全部状态"
          aria-label="结算状态"
          style={{ width: 140 }}
          value={status}
          onChange={setStatus}
          options={optionsOf(SETTLEMENT_STATUS)}
        />
      }
    >
      {error && <FormAlerts messages={errorMessages(error)} />}
      <Table<Settlement>
        size="small"
        loading={fetching}
        rowKey="id"
        dataSource={rows}
        pagination={{ pageSize: 20, showSizeChanger: false, showTotal: (n) => `共 ${n} 条` }}
        scroll={{ x: 1100 }}
        locale={{ emptyText: EMPTY[status ?? 'ALL'] }}
        summary={() =>
          rows.length > 0 && (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0} colSpan={5}>
                合计金额
              </Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right">
                {formatMoney(rows.reduce((sum, s) => sum + Number(s.value), 0).toFixed(2))}
                {rows.some((s) => s.valueEstimated) && <Typography.Text type="warning">（含估算）</Typography.Text>}
              </Table.Summary.Cell>
            </Table.Summary.Row>
          )
        }
        columns={[
          { title: '欠方', render: (_, s) => s.owedBy.name },
          { title: '被欠方', render: (_, s) => s.owedTo.name },
          { title: '动用仓库', render: (_, s) => s.store.name },
          { title: '物资', render: (_, s) => s.item.name },
          { title: '数量', align: 'right', render: (_, s) => `${formatNumber(s.quantity)} ${s.item.unit}` },
          { title: '金额', align: 'right', render: (_, s) => amount(s) },
          { title: '发生时间', render: (_, s) => formatDateTime(s.createdAt) },
          // Sweep 17b F10 (D3, D25): another government's goods issued under an outbound order name the 出库单, not a plan.
          { title: '动用依据', render: (_, s) => (s.issueDocumentNumber ? `出库单 ${s.issueDocumentNumber}` : s.planId ? '调拨方案' : '—') },
          {
            title: '状态',
            render: (_, s) => <Tag color={s.status === 'OPEN' ? 'orange' : 'green'}>{labelOf(SETTLEMENT_STATUS, s.status)}</Tag>,
          },
          {
            title: '结清',
            // Sweep 18a F3 (D24): a settlement released (nothing owed) was settled by nobody.
            render: (_, s) =>
              !s.settledAt
                ? '—'
                : s.released
                  ? `${formatDateTime(s.settledAt)} 无需归还 ${s.reference ?? ''}`
                  : `${formatDateTime(s.settledAt)} ${s.settledBy?.displayName ?? ''} ${s.reference ?? ''}`,
          },
          ...(mayDecide
            ? [
                {
                  title: '',
                  render: (_: unknown, s: Settlement) =>
                    s.settleable ? (
                      <Button size="small" type="primary" onClick={() => setSettling(s)}>
                        结清
                      </Button>
                    ) : (
                      s.status === 'OPEN' && (
                        // Sweep 18a F17 (D17): a call-off's settlement waits for the company's delivery first.
                        <Typography.Text type="secondary">{s.awaitingDelivery ? '待企业到货' : '待被欠方确认'}</Typography.Text>
                      )
                    ),
                },
              ]
            : []),
        ]}
      />
      {settling && (
        <SettleModal
          settlement={settling}
          onClose={(done) => {
            setSettling(undefined);
            if (done) refetch({ requestPolicy: 'network-only' });
          }}
        />
      )}
    </Card>
  );
}
