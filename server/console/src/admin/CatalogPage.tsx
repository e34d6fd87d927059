import { useState } from 'react';
import { Card, Form, Input, Select, Table, Tabs } from 'antd';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf, type VariablesOf } from '../graphql/graphql';
import { formatMoney } from '../common/format';
import { optionsOf, RECOVERY_KIND } from '../common/labels';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
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
        recoveryKind
        recoveryMonths
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

const UpdateItem = graphql(`
  mutation UpdateItem($id: ID!, $input: UpdateItemInput!) {
    updateItem(id: $id, input: $input) {
      id
    }
  }
`);

type Item = ResultOf<typeof CatalogQuery>['categories'][number]['items'][number];
type ItemValues = Omit<VariablesOf<typeof CreateItem>['input'], 'code' | 'categoryCode'>;

/** A cleared text field is no value (null), not an empty string the API would check as a code or a price. */
const blank = (v: string | null | undefined) => (v?.trim() ? v : null);
/** D12: months belong to WITHIN_MONTHS only (typed, then another kind chosen, they are not sent). */
const rule = (r: ItemValues['recovery']) => r && (r.kind === 'WITHIN_MONTHS' ? r : { kind: r.kind });
const cleared = (v: ItemValues): ItemValues => ({
  ...v,
  spec: blank(v.spec),
  gbCode: blank(v.gbCode),
  referencePrice: blank(v.referencePrice),
  recovery: rule(v.recovery),
});

/** D12 in the list: 必须回收, 不回收, or the months of use within which a tent comes back. */
function recoveryText(i: Item) {
  if (i.recoveryKind === 'WITHIN_MONTHS') return `使用未满 ${i.recoveryMonths} 个月须回收`;
  return i.recoveryKind === 'ALWAYS' ? '必须回收' : '不回收';
}

/** D12: 回收月数, a whole number of months above 0 (the API's rule, said before sending). */
const monthsRules = [
  { required: true, message: '请填写回收月数' },
  {
    validator: async (_: unknown, v: unknown) => {
      if (v !== undefined && v !== null && !(Number.isInteger(v) && (v as number) > 0)) throw new Error('回收月数须为正整数');
    },
  },
];

/**
 * The fields an item is created and changed with. D10: an item is due for rotation 轮换提前期 months before the end of
 * its 储存年限, so the lead is shorter than the life (12 by default: an item stored 12 months or less needs a shorter
 * one). D5: the GB/T 38565 code, where known. D12: whether it comes back after an incident (a new item is consumed
 * unless said otherwise, as the API defaults). Numbers are kept as typed and checked under the field.
 */
function ItemFields() {
  return (
    <>
      <Form.Item name="name" label="名称" rules={[{ required: true }]}>
        <Input />
      </Form.Item>
      <Form.Item name="spec" label="规格">
        <Input />
      </Form.Item>
      <Form.Item name="unit" label="计量单位" rules={[{ required: true }]}>
        <Input placeholder="顶、床、条…" />
      </Form.Item>
      <Form.Item name="gbCode" label="国标编码（GB/T 38565）" extra="7 位：大类 1 位、中类、小类、细类各 2 位；不知道可不填">
        <Input maxLength={7} />
      </Form.Item>
      <Form.Item name="referencePrice" label="参考单价（元）">
        <Input />
      </Form.Item>
      <Form.Item name="storageLifeMonths" label="储存年限（月）" extra="不填即不设储存年限（不轮换）" rules={quantityRules('storageLife')}>
        <QuantityInput />
      </Form.Item>
      <Form.Item
        name="rotationLeadMonths"
        label="轮换提前期（月）"
        extra="储存年限到期前这么多个月列入轮换；须短于储存年限"
        rules={quantityRules('rotationLead', '请填写轮换提前期')}
      >
        <QuantityInput />
      </Form.Item>
      <Form.Item
        name={['recovery', 'kind']}
        label="灾后回收"
        extra="指挥帐篷、活动板房、大型照明、净水设备、发电机组等须回收；帐篷在规定月数内使用的回收（D12）"
        rules={[{ required: true, message: '请选择回收规则' }]}
      >
        <Select options={optionsOf(RECOVERY_KIND)} />
      </Form.Item>
      <Form.Item noStyle dependencies={[['recovery', 'kind']]}>
        {({ getFieldValue }) =>
          getFieldValue(['recovery', 'kind']) === 'WITHIN_MONTHS' && (
            <Form.Item name={['recovery', 'months']} label="回收月数" extra="使用未满这么多个月的须回收" rules={monthsRules}>
              <QuantityInput />
            </Form.Item>
          )
        }
      </Form.Item>
    </>
  );
}

/** 物资目录: the plan categories (专栏) with their items; a new item in a category. */
export default function CatalogPage() {
  const [{ data, fetching }, refetch] = useQuery({ query: CatalogQuery });
  const [, create] = useMutation(CreateItem);
  const [, update] = useMutation(UpdateItem);
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
            name="item"
            submit={(input) => create({ input: { ...input, ...cleared(input) } })}
            success={(input) => `物资「${input.name}」已保存`}
            onDone={() => refetch({ requestPolicy: 'network-only' })}
            initialValues={{ categoryCode: active ?? categories[0]?.code, rotationLeadMonths: 12, recovery: { kind: 'NEVER' } }}
          >
            <Form.Item name="categoryCode" label="类别" rules={[{ required: true }]}>
              <Select options={categories.map((c) => ({ value: c.code, label: c.name }))} />
            </Form.Item>
            <Form.Item name="code" label="物资代码" rules={[{ required: true }]}>
              <Input />
            </Form.Item>
            <ItemFields />
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
                { title: '国标编码', render: (_, i) => i.gbCode ?? '—' },
                { title: '灾后回收', render: (_, i) => recoveryText(i) },
                ...(mayEdit
                  ? [
                      {
                        title: '操作',
                        render: (_: unknown, i: Item) => (
                          <FormModal<ItemValues>
                            edit
                            title={`编辑物资 ${i.code}`}
                            name="itemEdit"
                            submit={(input) => update({ id: i.id, input: cleared(input) })}
                            onDone={() => refetch({ requestPolicy: 'network-only' })}
                            initialValues={{
                              name: i.name,
                              spec: i.spec,
                              unit: i.unit,
                              gbCode: i.gbCode,
                              referencePrice: i.referencePrice,
                              storageLifeMonths: i.storageLifeMonths,
                              rotationLeadMonths: i.rotationLeadMonths,
                              recovery: { kind: i.recoveryKind, months: i.recoveryMonths },
                            }}
                          >
                            <ItemFields />
                          </FormModal>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
          ),
        }))}
      />
    </Card>
  );
}
