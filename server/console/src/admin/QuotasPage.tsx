import { useState } from 'react';
import { App, Button, Card, Form, Input, Popconfirm, Space, Table } from 'antd';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf, type VariablesOf } from '../graphql/graphql';
import { errorMessages } from '../common/api-errors';
import { ItemSelect } from '../common/ItemSelect';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
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

/** 储备定额: the quotas of a region's stores and regions with what is available against them; set one, remove one (D19). */
export default function QuotasPage() {
  const [regionCode, setRegionCode] = useState('410700000000');
  const [{ data, fetching }, refetch] = useQuery({ query: GapsQuery, variables: { regionCode } });
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
          <Form.Item name="itemId" label="物资" rules={[{ required: true }]}>
            <ItemSelect />
          </Form.Item>
          <Form.Item name="quantity" label="定额数量" rules={quantityRules('quantity', '请输入定额数量')}>
            <QuantityInput />
          </Form.Item>
          <Form.Item name="storeId" label="仓库（与区划二选一）">
            <StoreSelect allowClear />
          </Form.Item>
          <Form.Item name="regionCode" label="区划代码（与仓库二选一）">
            <Input />
          </Form.Item>
        </FormModal>
      }
    >
      <Space className="form-alert">
        <Input.Search defaultValue={regionCode} onSearch={(v) => v && setRegionCode(v)} style={{ width: 220 }} addonBefore="区划代码" />
      </Space>
      <Table<Gap>
        size="small"
        loading={fetching}
        rowKey={(g) => g.quotaId}
        dataSource={data?.reserveGaps}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        columns={[
          { title: '仓库/区划', render: (_, g) => g.store?.name ?? g.region?.name },
          { title: '物资', render: (_, g) => g.item.name },
          { title: '定额', align: 'right', render: (_, g) => `${g.quota} ${g.item.unit}` },
          { title: '可用', align: 'right', render: (_, g) => g.available },
          { title: '缺口', align: 'right', render: (_, g) => g.gap },
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
