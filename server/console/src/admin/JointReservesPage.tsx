import { Button, Card, DatePicker, Form, Input, Space, Table, Tag } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { formatQuantity, todayInChina } from '../common/format';
import { ItemSelect } from '../common/ItemSelect';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import { RegionSelect } from '../common/RegionSelect';
import { FormModal } from './FormModal';

const JointReservesQuery = graphql(`
  query JointReserveAgreements {
    jointReserveAgreements {
      id
      validFrom
      validTo
      note
      regions {
        code
        name
      }
      lines {
        item {
          id
          name
          unit
        }
        maxQuantity
      }
    }
  }
`);

const CreateJointReserve = graphql(`
  mutation CreateJointReserveAgreement($input: JointReserveAgreementInput!) {
    createJointReserveAgreement(input: $input) {
      id
    }
  }
`);

type Agreement = ResultOf<typeof JointReservesQuery>['jointReserveAgreements'][number];
interface Values {
  regionCodes: string[];
  period: [Dayjs, Dayjs];
  note?: string;
  lines: { itemId: string; maxQuantity: number }[];
}

function status(a: Agreement): [string, string] {
  const today = todayInChina();
  if (a.validTo < today) return ['已到期', 'default'];
  if (a.validFrom > today) return ['未生效', 'blue'];
  return ['有效', 'green'];
}

/**
 * 联储协议 (D20, D25): regions that may see and use each other's stock — every item, or the listed items up to a
 * quantity — while the agreement is valid. Only administrators record them.
 */
export default function JointReservesPage() {
  const [{ data, fetching }, refetch] = useQuery({ query: JointReservesQuery });
  const [, create] = useMutation(CreateJointReserve);
  return (
    <Card
      title="联储协议"
      extra={
        <FormModal<Values>
          title="新建联储协议"
          name="joint"
          initialValues={{ regionCodes: [], lines: [], period: [dayjs(todayInChina()), dayjs(todayInChina()).add(1, 'year')] }}
          fieldAliases={{ validFrom: 'period', validTo: 'period' }}
          onDone={() => refetch({ requestPolicy: 'network-only' })}
          submit={({ period, lines, ...v }) =>
            create({
              input: {
                ...v,
                validFrom: period[0].format('YYYY-MM-DD'),
                validTo: period[1].format('YYYY-MM-DD'),
                lines: lines.length ? lines : null,
              },
            })
          }
        >
          <Form.Item name="regionCodes" label="参加区划" rules={[{ required: true, message: '请选择参加联储的区划（至少两个）' }]}>
            <RegionSelect mode="multiple" placeholder="选择两个或更多区划" />
          </Form.Item>
          <Form.Item name="period" label="有效期" rules={[{ required: true, message: '请选择有效期' }]}>
            <DatePicker.RangePicker />
          </Form.Item>
          <Form.Item name="note" label="协议名称/备注">
            <Input maxLength={200} />
          </Form.Item>
          <Form.List name="lines">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Space key={f.key} wrap align="start">
                    <Form.Item name={[f.name, 'itemId']} label="物资" rules={[{ required: true, message: '请选择物资' }]}>
                      <ItemSelect style={{ width: 220 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'maxQuantity']} label="限量" rules={quantityRules('quantity', '请输入限量')}>
                      <QuantityInput />
                    </Form.Item>
                    <MinusCircleOutlined aria-label="删除此行" onClick={() => remove(f.name)} />
                  </Space>
                ))}
                <Form.Item extra="不列物资即全部物资均可调用">
                  <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})}>
                    限定物资
                  </Button>
                </Form.Item>
              </>
            )}
          </Form.List>
        </FormModal>
      }
    >
      <Table<Agreement>
        size="small"
        loading={fetching}
        rowKey="id"
        dataSource={data?.jointReserveAgreements}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false, showTotal: (n) => `共 ${n} 份` }}
        scroll={{ x: 800 }}
        columns={[
          { title: '参加区划', render: (_, a) => a.regions.map((r) => r.name).join('、') },
          { title: '有效期', render: (_, a) => `${a.validFrom} 至 ${a.validTo}` },
          {
            title: '状态',
            render: (_, a) => {
              const [label, colour] = status(a);
              return <Tag color={colour}>{label}</Tag>;
            },
          },
          {
            title: '物资与限量',
            render: (_, a) => (a.lines.length ? a.lines.map((l) => `${l.item.name} ≤${formatQuantity(l.maxQuantity, l.item.unit)}`).join('；') : '全部物资'),
          },
          { title: '备注', render: (_, a) => a.note ?? '—' },
        ]}
      />
    </Card>
  );
}
