import { useState } from 'react';
import { App, Button, Card, Form, Popconfirm, Space, Table } from 'antd';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf, type VariablesOf } from '../graphql/graphql';
import { useUser } from '../app/session';
import { errorMessages } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { formatNumber } from '../common/format';
import { ItemSelect } from '../common/ItemSelect';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import { RegionSelect } from '../common/RegionSelect';
import { StoreSelect } from '../common/StoreSelect';
import { FormModal } from './FormModal';

const GapsQuery = graphql(`
  query Quotas($regionCode: String!) {
    reserveGaps(regionCode: $regionCode) {
      quotaId
      item {
        id
        name
        unit
      }
      store {
        id
        name
      }
      region {
        code
        name
      }
      quota
      available
      gap
    }
  }
`);

const UpsertQuota = graphql(`
  mutation UpsertQuota($input: QuotaInput!) {
    upsertQuota(input: $input) {
      id
    }
  }
`);

const RemoveQuota = graphql(`
  mutation RemoveQuota($id: ID!) {
    removeQuota(id: $id) {
      id
    }
  }
`);

type Gap = ResultOf<typeof GapsQuery>['reserveGaps'][number];

/**
 * 储备定额: the quotas of a region's stores and regions with what is available against them; set one, remove one (D19).
 * The region is the user's own to begin with (sweep 10b A4: it was 新乡市 for everyone, and another region's
 * administrator saw an empty table); a refusal is shown, not swallowed.
 */
export default function QuotasPage() {
  const user = useUser();
  const [regionCode, setRegionCode] = useState<string | undefined>(user.region?.code);
  const [{ data, fetching, error }, refetch] = useQuery({ query: GapsQuery, variables: { regionCode: regionCode ?? '' }, pause: !regionCode });
  const [, upsert] = useMutation(UpsertQuota);
  const [, remove] = useMutation(RemoveQuota);
  const { message } = App.useApp();
  const removeQuota = async (g: Gap) => {
    const result = await remove({ id: g.quotaId });
    if (result.error) return void message.error(errorMessages(result.error).join('；'));
    void message.success(`已删除 ${g.store?.name ?? g.region?.name ?? ''} ${g.item.name} 的定额`);
    refetch({ requestPolicy: 'network-only' });
  };
  return (
    <Card
      title="储备定额"
      extra={
        <FormModal<VariablesOf<typeof UpsertQuota>['input']>
          title="设定定额"
          submit={(input) => upsert({ input })}
          success={() => '定额已保存'}
          onDone={() => refetch({ requestPolicy: 'network-only' })}
        >
          <Form.Item name="itemId" label="物资" rules={[{ required: true, message: '请选择物资' }]}>
            <ItemSelect />
          </Form.Item>
          <Form.Item name="quantity" label="定额数量" rules={quantityRules('quantity', '请输入定额数量')}>
            <QuantityInput />
          </Form.Item>
          {/* Sweep 16b F11: both chosen, the server's 「请选择仓库或填写区划代码（二选一）」 read as if none was; said here first. */}
          <Form.Item
            name="storeId"
            label="仓库（与区划二选一）"
            dependencies={['regionCode']}
            rules={[
              ({ getFieldValue }) => ({
                validator: (_, storeId) => {
                  const region = getFieldValue('regionCode');
                  if (storeId && region) return Promise.reject(new Error('仓库与区划只能选一个'));
                  if (!storeId && !region) return Promise.reject(new Error('请选择仓库或区划（二选一）'));
                  return Promise.resolve();
                },
              }),
            ]}
          >
            <StoreSelect allowClear />
          </Form.Item>
          <Form.Item name="regionCode" label="区划（与仓库二选一）">
            <RegionSelect allowClear placeholder="选择区划" />
          </Form.Item>
        </FormModal>
      }
    >
      <Space className="form-alert">
        <span>区划</span>
        <RegionSelect id="quotasRegion" value={regionCode} onChange={setRegionCode} placeholder="选择区划" style={{ width: 260 }} />
      </Space>
      {error && <FormAlerts messages={errorMessages(error)} />}
      <Table<Gap>
        size="small"
        loading={fetching}
        rowKey={(g) => g.quotaId}
        dataSource={regionCode ? data?.reserveGaps : []}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        locale={{ emptyText: regionCode ? '该区划没有设定储备定额' : '请先选择区划' }}
        columns={[
          { title: '仓库/区划', render: (_, g) => g.store?.name ?? g.region?.name },
          { title: '物资', render: (_, g) => g.item.name },
          // Thousands separators, as 库存 shows them (sweep 16b F7: 「60000 条」 beside 「30,000 条」).
          { title: '定额', align: 'right', render: (_, g) => `${formatNumber(g.quota)} ${g.item.unit}` },
          { title: '可用', align: 'right', render: (_, g) => formatNumber(g.available) },
          { title: '缺口', align: 'right', render: (_, g) => formatNumber(g.gap) },
          {
            title: '操作',
            render: (_, g) => (
              <Popconfirm
                title={`删除 ${g.store?.name ?? g.region?.name ?? ''} ${g.item.name} 的定额？`}
                okText="删除"
                okButtonProps={{ danger: true }}
                cancelText="取消"
                onConfirm={() => void removeQuota(g)}
              >
                <Button size="small" danger>
                  删除
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </Card>
  );
}
