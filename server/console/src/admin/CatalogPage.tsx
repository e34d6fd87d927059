import { useState } from 'react';
import { Card, Form, Input, InputNumber, Select, Table, Tabs } from 'antd';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf, type VariablesOf } from '../graphql/graphql';
import { formatMoney } from '../common/format';
import { FormModal } from './FormModal';
import { useUser } from '../app/session';

const CatalogQuery = graphql(`
  query Catalog {
    categories {
      code
      name
      items {
        id
        code
        gbCode
        name
        spec
        unit
        referencePrice
        storageLifeMonths
        rotationLeadMonths
      }
    }
  }
`);

const CreateItem = graphql(`
  mutation CreateItem($input: CreateItemInput!) {
    createItem(input: $input) {
      id
    }
  }
`);

type Item = ResultOf<typeof CatalogQuery>['categories'][number]['items'][number];

/** 物资目录: the plan categories (专栏) with their items; a new item in a category. */
export default function CatalogPage() {
  const [{ data, fetching }, refetch] = useQuery({ query: CatalogQuery });
  const [, create] = useMutation(CreateItem);
  const [active, setActive] = useState<string>();
  const categories = data?.categories ?? [];
  // One catalog for every region: only the system-wide administrator edits it (D4, D5).
  const mayEdit = useUser().region === null;
  return (
    <Card
      title="物资目录"
      loading={fetching && !data}
      extra={
        mayEdit && (
          <FormModal<VariablesOf<typeof CreateItem>['input']>
            title="新增物资"
            submit={(input) => create({ input })}
            onDone={() => refetch({ requestPolicy: 'network-only' })}
            initialValues={{ categoryCode: active ?? categories[0]?.code }}
          >
            <Form.Item name="categoryCode" label="类别" rules={[{ required: true }]}>
              <Select options={categories.map((c) => ({ value: c.code, label: c.name }))} />
            </Form.Item>
            <Form.Item name="code" label="物资代码" rules={[{ required: true }]}>
              <Input />
            </Form.Item>
            <Form.Item name="name" label="名称" rules={[{ required: true }]}>
              <Input />
            </Form.Item>
            <Form.Item name="spec" label="规格">
              <Input />
            </Form.Item>
            <Form.Item name="unit" label="计量单位" rules={[{ required: true }]}>
              <Input placeholder="顶、床、条…" />
            </Form.Item>
            <Form.Item name="referencePrice" label="参考单价（元）">
              <Input />
            </Form.Item>
            <Form.Item name="storageLifeMonths" label="储存年限（月）">
              <InputNumber min={1} precision={0} />
            </Form.Item>
          </FormModal>
        )
      }
    >
      <Tabs
        activeKey={active ?? categories[0]?.code}
        onChange={setActive}
        items={categories.map((c) => ({
          key: c.code,
          label: c.name,
          children: (
            <Table<Item>
              size="small"
              rowKey="id"
              dataSource={c.items}
              pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
              columns={[
                { title: '代码', render: (_, i) => i.code },
                { title: '名称', render: (_, i) => i.name },
                { title: '规格', render: (_, i) => i.spec ?? '—' },
                { title: '单位', render: (_, i) => i.unit },
                { title: '参考单价', align: 'right', render: (_, i) => formatMoney(i.referencePrice) },
                { title: '储存年限（月）', align: 'right', render: (_, i) => i.storageLifeMonths ?? '—' },
                { title: '轮换提前（月）', align: 'right', render: (_, i) => i.rotationLeadMonths },
              ]}
            />
          ),
        }))}
      />
    </Card>
  );
}
