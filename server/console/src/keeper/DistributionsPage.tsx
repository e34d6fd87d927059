import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Empty, Form, Input, Row, Select, Space, Table, Tag } from 'antd';
import { Link } from 'react-router-dom';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf, type VariablesOf } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { useAllPages } from '../common/allPages';
import { FormAlerts } from '../common/FormAlerts';
import { formatDateTime, formatQuantity, newIdempotencyKey } from '../common/format';
import { tablePagination, useCursorPages } from '../common/paging';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import { useStoreChoice } from '../common/useStoreChoice';
import { noSubmitOnEnter } from '../common/no-submit-on-enter';

const PointStockQuery = graphql(`
  query PointStock($storeId: ID!, $first: Int, $after: String) {
    stock(filter: { storeId: $storeId }, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          item {
            id
            name
            unit
          }
          available
          batch {
            id
            expired
          }
        }
      }
    }
  }
`);

const DistributionsQuery = graphql(`
  query Distributions($filter: DistributionFilter!, $first: Int, $after: String) {
    distributions(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
      }
      edges {
        node {
          id
          number
          distributedAt
          signatureRef
          overrideReason
          household {
            headName
            size
            idNumberMasked
            address
          }
          lines {
            item {
              name
              unit
            }
            quantity
          }
          distributedBy {
            displayName
          }
          status
          reversalReason
          reversedBy {
            id
            number
            occurredAt
          }
        }
      }
    }
  }
`);

const PointIncidentQuery = graphql(`
  query PointIncident($id: ID!) {
    incident(id: $id) {
      id
      name
      closedAt
    }
  }
`);

const Distribute = graphql(`
  mutation DistributeRelief($input: DistributeReliefInput!) {
    distributeRelief(input: $input) {
      id
      number
    }
  }
`);

type Distribution = ResultOf<typeof DistributionsQuery>['distributions']['edges'][number]['node'];
type Values = Omit<VariablesOf<typeof Distribute>['input'], 'idempotencyKey' | 'storeId' | 'incidentId'>;

/**
 * What the 安置点 can hand out: its unexpired stock, per item (and a way to count again after a distribution) — from
 * every stock line, page after page (sweep 18b F3: the first 100 lines left items beyond them out of the choice).
 */
function usePointItems(storeId: string) {
  const { nodes, refetch } = useAllPages(PointStockQuery, { storeId }, (d) => d.stock);
  const byItem = new Map<string, { name: string; unit: string; available: number }>();
  for (const node of nodes ?? []) {
    if (node.batch.expired) continue;
    const seen = byItem.get(node.item.id) ?? { name: node.item.name, unit: node.item.unit, available: 0 };
    byItem.set(node.item.id, { ...seen, available: seen.available + node.available });
  }
  const options = [...byItem].map(([id, i]) => ({ value: id, label: `${i.name}（可发 ${formatQuantity(i.available, i.unit)}）` }));
  return { options, recount: refetch };
}

/** The form of one distribution; `closed` (D29: the 安置点's incident has ended, the API refuses any) disables it. */
function DistributeForm({ storeId, incidentId, closed, onDone }: { storeId: string; incidentId: string; closed: boolean; onDone: () => void }) {
  const [form] = Form.useForm<Values>();
  const [key, setKey] = useState(newIdempotencyKey);
  const [alerts, setAlerts] = useState<string[]>([]);
  const items = usePointItems(storeId);
  const [{ fetching }, distribute] = useMutation(Distribute);
  const { message } = App.useApp();
  const submit = async (v: Values) => {
    setAlerts([]);
    const result = await distribute({ input: { ...v, storeId, incidentId, idempotencyKey: key } });
    if (result.error) return setAlerts(showFieldErrors(form, result.error));
    void message.success(`发放已登记（出库单 ${result.data?.distributeRelief.number}）`);
    form.resetFields();
    setKey(newIdempotencyKey());
    items.recount();
    onDone();
  };
  return (
    <>
      <FormAlerts messages={alerts} />
      <Form
        form={form}
        name="distribute"
        layout="vertical"
        initialValues={{ household: { size: 1 }, lines: [{}] }}
        disabled={closed}
        onFinish={(v) => void submit(v)}
        onKeyDown={noSubmitOnEnter}
      >
        <Space wrap align="start">
          <Form.Item name={['household', 'headName']} label="户主姓名" rules={[{ required: true, message: '请填写户主姓名' }]}>
            <Input style={{ width: 140 }} maxLength={50} />
          </Form.Item>
          <Form.Item name={['household', 'size']} label="家庭人数" rules={quantityRules('household', '请填写人数')}>
            <QuantityInput />
          </Form.Item>
          <Form.Item name={['household', 'idNumber']} label="身份证号码" extra="只保存前 6 位和后 4 位">
            <Input style={{ width: 200 }} maxLength={18} />
          </Form.Item>
          <Form.Item name={['household', 'address']} label="住址">
            <Input style={{ width: 240 }} maxLength={200} />
          </Form.Item>
        </Space>
        <Form.List name="lines">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} wrap align="start">
                  <Form.Item name={[f.name, 'itemId']} label="物资" rules={[{ required: true, message: '请选择物资' }]}>
                    <Select style={{ width: 260 }} options={items.options} showSearch optionFilterProp="label" placeholder="本安置点的物资" />
                  </Form.Item>
                  <Form.Item name={[f.name, 'quantity']} label="数量" rules={quantityRules('quantity', '请输入数量')}>
                    <QuantityInput />
                  </Form.Item>
                  {fields.length > 1 && <MinusCircleOutlined aria-label="删除此行" onClick={() => remove(f.name)} />}
                </Space>
              ))}
              <Form.Item>
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})}>
                  添加物资
                </Button>
              </Form.Item>
            </>
          )}
        </Form.List>
        <Space wrap align="start">
          <Form.Item
            name="signatureRef"
            label="签收凭证号"
            extra="户主签字或手印的凭证编号"
            rules={[{ required: true, whitespace: true, message: '请填写签收凭证号（户主签字或手印的凭证编号）' }]}
          >
            <Input style={{ width: 200 }} maxLength={128} />
          </Form.Item>
          <Form.Item
            name="overrideReason"
            label="超标准发放原因"
            extra="超出救助标准、家庭人数超过 10 人（集体户等），或该户人数、户主与已登记的不同时必填；超标准发放将提示调度指挥，原因会给指挥部和审计看到：请勿填写姓名、身份证号或病情等个人信息"
          >
            <Input style={{ width: 320 }} maxLength={500} />
          </Form.Item>
        </Space>
        <Button type="primary" htmlType="submit" loading={fetching}>
          登记发放
        </Button>
      </Form>
    </>
  );
}

/**
 * D22 (sweep 23b F5): a distribution stands (已发放), or was recorded and then reversed — 已冲销, with the 冲销单 (its page
 * opens from the number), when and why: the record keeps both, never drops the one entered in error.
 */
function DistributionState({ distribution: d }: { distribution: Distribution }) {
  if (d.status !== 'REVERSED') return <Tag color="green">已发放</Tag>;
  return (
    <span data-testid="distribution-reversed">
      <Tag color="red">已冲销</Tag>
      {d.reversedBy && (
        <>
          <Link to={`/documents/${d.reversedBy.id}`}>{d.reversedBy.number}</Link> {formatDateTime(d.reversedBy.occurredAt)}
        </>
      )}
      {d.reversalReason && <div>原因：{d.reversalReason}</div>}
    </span>
  );
}

/** 发放 (D29): relief handed to households at a 安置点 the keeper manages, within the relief standard, and who got what. */
export default function DistributionsPage() {
  const { storeId, setStoreId, options, store } = useStoreChoice('points');
  const pages = useCursorPages();
  const { reset, remember, page } = pages;
  useEffect(reset, [storeId, reset]);
  const [{ data, fetching }, refetch] = useQuery({
    query: DistributionsQuery,
    variables: { filter: { storeId }, ...pages.variables },
    pause: !storeId,
  });
  useEffect(() => remember(page, data?.distributions.pageInfo.endCursor), [data, page, remember]);
  // D29: an incident that has ended takes no more distributions — said as soon as its 安置点 is chosen, not at submit.
  const incidentId = store?.incidentId ?? undefined;
  const [{ data: incidentData }] = useQuery({
    query: PointIncidentQuery,
    variables: { id: incidentId ?? '' },
    pause: !incidentId,
    requestPolicy: 'cache-and-network',
  });
  const incident = incidentData?.incident?.id === incidentId ? incidentData?.incident : undefined;
  if (!storeId || !store)
    return (
      <Card title="发放">
        <Empty description="您没有管理的安置点" />
      </Card>
    );
  return (
    <Card title="发放" extra={<Select style={{ width: 240 }} value={storeId} onChange={setStoreId} options={options} aria-label="安置点" />}>
      <Row gutter={16}>
        <Col xs={24} xxl={10}>
          <Card size="small" title="登记发放">
            {store.incidentId ? (
              <>
                {incident?.closedAt && (
                  <Alert
                    type="warning"
                    showIcon
                    className="form-alert"
                    data-testid="point-incident-closed"
                    message={`事件「${incident.name}」已于 ${formatDateTime(incident.closedAt)} 结束，本安置点不能再登记发放`}
                  />
                )}
                <DistributeForm
                  key={storeId}
                  storeId={storeId}
                  incidentId={store.incidentId}
                  closed={!!incident?.closedAt}
                  onDone={() => refetch({ requestPolicy: 'network-only' })}
                />
              </>
            ) : (
              <Empty description="该安置点未关联事件" />
            )}
          </Card>
        </Col>
        <Col xs={24} xxl={14}>
          <Card size="small" title="发放记录">
            <Table<Distribution>
              size="small"
              loading={fetching || pages.walking}
              rowKey="id"
              rowClassName={(d) => (d.status === 'REVERSED' ? 'row-reversed' : '')}
              dataSource={data?.distributions.edges.map((e) => e.node)}
              pagination={tablePagination(pages, data?.distributions.totalCount, { query: DistributionsQuery, variables: { filter: { storeId } } })}
              scroll={{ x: 800 }}
              columns={[
                { title: '时间', render: (_, d) => formatDateTime(d.distributedAt) },
                { title: '户主', render: (_, d) => `${d.household.headName}（${d.household.size} 人）` },
                { title: '身份证', render: (_, d) => d.household.idNumberMasked ?? '—' },
                { title: '物资', render: (_, d) => d.lines.map((l) => `${l.item.name} ${formatQuantity(Math.abs(l.quantity), l.item.unit)}`).join('；') },
                { title: '出库单', render: (_, d) => d.number },
                { title: '经办人', render: (_, d) => d.distributedBy.displayName },
                { title: '签收凭证号', render: (_, d) => d.signatureRef ?? '—' },
                { title: '超标准原因', render: (_, d) => d.overrideReason ?? '—' },
                { title: '状态', render: (_, d) => <DistributionState distribution={d} /> },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </Card>
  );
}
