import { useState } from 'react';
import { Card, Form, Input, InputNumber, Space, Table, Tag, type FormInstance } from 'antd';
import { useMutation, useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf, type VariablesOf } from '../graphql/graphql';
import { ItemSelect } from '../common/ItemSelect';
import { QuantityInput } from '../common/QuantityInput';
import { RegionSelect } from '../common/RegionSelect';
import { FormModal } from './FormModal';
import { formatQuantity } from '../common/format';

const StandardsQuery = graphql(`
  query ReliefStandards($regionCode: String!) {
    reliefStandards(regionCode: $regionCode) {
      region {
        code
        name
      }
      item {
        id
        name
        spec
        unit
      }
      perPerson
      perHousehold
    }
  }
`);

const UpsertStandard = graphql(`
  mutation UpsertReliefStandard($input: ReliefStandardInput!) {
    upsertReliefStandard(input: $input) {
      item {
        id
      }
    }
  }
`);

type Standard = ResultOf<typeof StandardsQuery>['reliefStandards'][number];
type Values = VariablesOf<typeof UpsertStandard>['input'];

const filled = (v: unknown) => v !== null && v !== undefined && v !== '';

/**
 * D29: a standard is per person or per household — exactly one of the two (as the API holds), above zero, and per
 * household a whole number. The fields keep what was typed (no min or precision to clamp or round it): this says why not.
 */
const amountRule = (form: FormInstance<Values>, field: 'perPerson' | 'perHousehold', label: string) => ({
  validator: async (_: unknown, value: unknown) => {
    const other = form.getFieldValue(field === 'perPerson' ? 'perHousehold' : 'perPerson') as unknown;
    if (field === 'perPerson' && filled(value) === filled(other)) throw new Error('每人标准与每户标准须填且只填一项');
    if (filled(value) && Number(value) <= 0) throw new Error(`${label}须大于 0`);
    if (field === 'perHousehold' && filled(value) && !Number.isInteger(Number(value))) throw new Error(`${label}须为整数`);
  },
});

/** The fields of a standard: the region (the API refuses one outside the user's scope, next to it) and the amounts. */
function StandardFields({ item }: { item?: Standard['item'] }) {
  const form = Form.useFormInstance<Values>();
  return (
    <>
      <Form.Item name="regionCode" label="区划" rules={[{ required: true, message: '请选择区划' }]}>
        <RegionSelect placeholder="选择区划" />
      </Form.Item>
      {item ? (
        <>
          <Form.Item name="itemId" hidden>
            <Input />
          </Form.Item>
          <Form.Item label="物资">{`${item.name}${item.spec ? `（${item.spec}）` : ''} · ${item.unit}`}</Form.Item>
        </>
      ) : (
        <Form.Item name="itemId" label="物资" rules={[{ required: true, message: '请选择物资' }]}>
          <ItemSelect />
        </Form.Item>
      )}
      <Form.Item
        name="perPerson"
        label="每人"
        dependencies={['perHousehold']}
        rules={[amountRule(form, 'perPerson', '每人标准')]}
        extra="按人数发放，可有小数（如 0.5）"
      >
        <InputNumber style={{ width: 160 }} />
      </Form.Item>
      <Form.Item name="perHousehold" label="每户" rules={[amountRule(form, 'perHousehold', '每户标准')]} extra="按户发放，整数；与每人二选一">
        <QuantityInput style={{ width: 160 }} />
      </Form.Item>
    </>
  );
}

/**
 * Where a listed standard is set, seen from the region chosen: the API answers the region's own, those it inherits
 * (set above: an ancestor's code keeps the region's leading digits and zeros the rest, so it sorts before the region's)
 * and those set below it (a descendant's code sorts after).
 */
const placeOf = (s: Standard, regionCode: string) => (s.region.code < regionCode ? 'above' : s.region.code > regionCode ? 'below' : 'own');

/**
 * 救助标准 (D29): what a 安置点 may hand out per person or per household, by region. A region shows its own standards,
 * those it inherits from above (the nearest applies) and those set below it (API.md: a region includes its subtree);
 * editing an inherited one sets the region's own, which overrides it; editing one set below edits it there.
 */
export default function ReliefStandardsPage() {
  const user = useUser();
  const [regionCode, setRegionCode] = useState<string | undefined>(user.region?.code);
  const [{ data, fetching }, refetch] = useQuery({ query: StandardsQuery, variables: { regionCode: regionCode ?? '' }, pause: !regionCode });
  const [, upsert] = useMutation(UpsertStandard);
  const submit = (v: Values) => upsert({ input: { ...v, perPerson: v.perPerson ?? null, perHousehold: v.perHousehold ?? null } });
  const onDone = () => refetch({ requestPolicy: 'network-only' });
  // Sweep 20b F2: said, as after every other save.
  const saved = () => '救助标准已保存';
  const place = (s: Standard) => placeOf(s, regionCode ?? '');
  return (
    <Card
      title="救助标准"
      extra={
        <FormModal<Values> title="新增标准" name="standard" initialValues={{ regionCode }} submit={submit} success={saved} onDone={onDone}>
          <StandardFields />
        </FormModal>
      }
    >
      <Space className="form-alert">
        <span>区划</span>
        <RegionSelect id="standardsRegion" value={regionCode} onChange={setRegionCode} placeholder="选择区划" style={{ width: 260 }} />
      </Space>
      <Table<Standard>
        size="small"
        loading={fetching}
        rowKey={(s) => `${s.region.code}:${s.item.id}`}
        dataSource={regionCode ? data?.reliefStandards : []}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        locale={{ emptyText: regionCode ? '该区划及其上级、下级均未设定救助标准' : '请先选择区划' }}
        columns={[
          { title: '物资', render: (_, s) => `${s.item.name}${s.item.spec ? `（${s.item.spec}）` : ''}` },
          { title: '每人', align: 'right', render: (_, s) => (s.perPerson === null ? '—' : formatQuantity(s.perPerson, s.item.unit)) },
          { title: '每户', align: 'right', render: (_, s) => (s.perHousehold === null ? '—' : formatQuantity(s.perHousehold, s.item.unit)) },
          {
            title: '设定于',
            render: (_, s) => (
              <>
                {s.region.name} {place(s) === 'above' && <Tag>沿用上级</Tag>}
                {place(s) === 'below' && <Tag>下级设定</Tag>}
              </>
            ),
          },
          {
            title: '操作',
            render: (_, s) => (
              <FormModal<Values>
                edit
                name="standardEdit"
                title={`编辑救助标准：${s.item.name}`}
                initialValues={{
                  regionCode: place(s) === 'above' ? regionCode : s.region.code,
                  itemId: s.item.id,
                  perPerson: s.perPerson,
                  perHousehold: s.perHousehold,
                }}
                submit={submit}
                success={saved}
                onDone={onDone}
              >
                <StandardFields item={s.item} />
              </FormModal>
            ),
          },
        ]}
      />
    </Card>
  );
}
