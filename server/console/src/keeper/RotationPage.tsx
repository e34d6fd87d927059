import { useState } from 'react';
import { App, Button, Card, DatePicker, Form, Input, InputNumber, Modal, Select, Table, Tag } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { ExcelButton } from '../common/ExcelButton';
import { formatMoney, newIdempotencyKey } from '../common/format';
import { optionsOf, ROTATION_DISPOSAL } from '../common/labels';

const RotationDueQuery = graphql(`
  query RotationDue {
    rotationDue(withinMonths: 12) {
      store {
        id
        name
      }
      batch {
        id
        batchNo
        expiryDate
        item {
          name
          unit
        }
      }
      quantity
      value
      rotateBy
      daysLeft
      expired
    }
  }
`);

const Rotate = graphql(`
  mutation RotateStock($input: RotateStockInput!) {
    rotateStock(input: $input) {
      id
      number
    }
  }
`);

type Due = ResultOf<typeof RotationDueQuery>['rotationDue'][number];
interface Values {
  quantity: number;
  disposal: keyof typeof ROTATION_DISPOSAL;
  counterpart: string;
  newBatch: { batchNo: string; productionDate?: Dayjs; expiryDate?: Dayjs; unitPrice?: string };
}

function RotateModal({ due, onClose }: { due: Due; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<Values>();
  const [key] = useState(newIdempotencyKey);
  const [alerts, setAlerts] = useState<string[]>([]);
  const [{ fetching }, rotate] = useMutation(Rotate);
  const { message } = App.useApp();
  const submit = async () => {
    const v = await form.validateFields();
    setAlerts([]);
    const day = (d?: Dayjs) => d?.format('YYYY-MM-DD');
    const newBatch = { ...v.newBatch, productionDate: day(v.newBatch.productionDate), expiryDate: day(v.newBatch.expiryDate) };
    const result = await rotate({ input: { ...v, newBatch, storeId: due.store.id, batchId: due.batch.id, idempotencyKey: key } });
    if (result.error) return setAlerts(showFieldErrors(form, result.error));
    void message.success(`轮换单 ${result.data?.rotateStock.number} 已过账`);
    onClose(true);
  };
  return (
    <Modal
      open
      title={`轮换：${due.batch.item.name} 批号 ${due.batch.batchNo}`}
      okText="过账"
      confirmLoading={fetching}
      onOk={() => void submit().catch(() => {})}
      onCancel={() => onClose(false)}
    >
      <FormAlerts messages={alerts} />
      <Form form={form} layout="vertical" initialValues={{ quantity: due.quantity, disposal: 'SALE' }}>
        <Form.Item name="quantity" label="轮出数量" rules={[{ required: true }]}>
          <InputNumber min={1} max={due.quantity} precision={0} />
        </Form.Item>
        <Form.Item name="disposal" label="处置方式" rules={[{ required: true }]}>
          <Select options={optionsOf(ROTATION_DISPOSAL)} />
        </Form.Item>
        <Form.Item name="counterpart" label="接收方" rules={[{ required: true, message: '请填写接收方' }]}>
          <Input />
        </Form.Item>
        <Form.Item name={['newBatch', 'batchNo']} label="新批次批号" rules={[{ required: true, message: '请填写新批号' }]}>
          <Input />
        </Form.Item>
        <Form.Item name={['newBatch', 'productionDate']} label="新批次生产日期">
          <DatePicker />
        </Form.Item>
        <Form.Item name={['newBatch', 'expiryDate']} label="新批次有效期至">
          <DatePicker />
        </Form.Item>
        <Form.Item name={['newBatch', 'unitPrice']} label="新批次单价（元）">
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 轮换到期: batches due for rotation in the next 12 months (D10), rotated out and replaced from here. */
export default function RotationPage() {
  const [{ data, fetching }, refetch] = useQuery({ query: RotationDueQuery });
  const [rotating, setRotating] = useState<Due>();
  return (
    <Card title="轮换到期（12 个月内）" extra={<ExcelButton path="/exports/rotation-due.xlsx" params={{ withinMonths: '12' }} fileName="轮换到期.xlsx" />}>
      <Table<Due>
        size="small"
        loading={fetching}
        rowKey={(d) => `${d.store.id}-${d.batch.id}`}
        dataSource={data?.rotationDue}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        scroll={{ x: 800 }}
        columns={[
          { title: '仓库', render: (_, d) => d.store.name },
          { title: '物资', render: (_, d) => d.batch.item.name },
          { title: '批号', render: (_, d) => d.batch.batchNo },
          { title: '数量', align: 'right', render: (_, d) => `${d.quantity} ${d.batch.item.unit}` },
          { title: '金额', align: 'right', render: (_, d) => formatMoney(d.value) },
          {
            title: '应轮换日',
            render: (_, d) => (
              <>
                {d.expired && <Tag color="red">已过期（冻结）</Tag>}
                <Tag color={d.daysLeft < 0 ? 'red' : d.daysLeft < 90 ? 'orange' : 'blue'}>
                  {d.rotateBy}（{d.daysLeft < 0 ? `逾期 ${-d.daysLeft} 天` : `剩 ${d.daysLeft} 天`}）
                </Tag>
              </>
            ),
          },
          {
            title: '',
            render: (_, d) => (
              <Button size="small" onClick={() => setRotating(d)}>
                轮换
              </Button>
            ),
          },
        ]}
      />
      {rotating && (
        <RotateModal
          due={rotating}
          onClose={(done) => {
            setRotating(undefined);
            if (done) refetch({ requestPolicy: 'network-only' });
          }}
        />
      )}
    </Card>
  );
}
