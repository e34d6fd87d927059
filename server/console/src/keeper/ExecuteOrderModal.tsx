import { useState } from 'react';
import { App, Form, Input, InputNumber, Modal, Select, Table } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { newIdempotencyKey } from '../common/format';
import type { Order } from './order';
import { useReasonOptions } from './reasons';

const Issue = graphql(`
  mutation ExecuteOrder($input: IssueStockInput!) {
    issueStock(input: $input) {
      id
      number
    }
  }
`);

interface Values {
  recipient: string;
  reason: string;
  lines: { itemId: string; batchId?: string; quantity: number }[];
}

/** Issues against an approved order; the API refuses more than the order has left (D23), at the line's quantity. */
export function ExecuteOrderModal({ order, onClose }: { order: Order; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<Values>();
  const [key] = useState(newIdempotencyKey);
  const [alerts, setAlerts] = useState<string[]>([]);
  const reasons = useReasonOptions('ISSUE');
  const [{ fetching }, issue] = useMutation(Issue);
  const { message } = App.useApp();
  const open = order.lines.filter((l) => l.quantity > l.executedQuantity);
  const submit = async () => {
    await form.validateFields();
    const v = form.getFieldsValue(true) as Values;
    setAlerts([]);
    const result = await issue({
      input: { storeId: order.store.id, orderId: order.id, recipient: v.recipient, reason: v.reason, idempotencyKey: key, lines: v.lines },
    });
    if (result.error) return setAlerts(showFieldErrors(form, result.error));
    void message.success(`出库单 ${result.data?.issueStock.number} 已过账`);
    onClose(true);
  };
  return (
    <Modal
      open
      width={760}
      title={`执行出库：${order.number}`}
      okText="出库"
      confirmLoading={fetching}
      onOk={() => void submit().catch(() => {})}
      onCancel={() => onClose(false)}
    >
      <FormAlerts messages={alerts} />
      <Form
        form={form}
        name="execute"
        layout="vertical"
        initialValues={{
          recipient: order.recipient ?? order.toStore?.name,
          lines: open.map((l) => ({ itemId: l.item.id, batchId: l.batch?.id, quantity: l.quantity - l.executedQuantity })),
        }}
      >
        <Form.Item name="recipient" label="领用单位" rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="reason" label="出库原因" rules={[{ required: true, message: '请选择出库原因' }]}>
          <Select options={reasons} />
        </Form.Item>
        <Table
          size="small"
          pagination={false}
          rowKey={(l) => `${l.item.id}-${l.batch?.id ?? ''}`}
          dataSource={open}
          columns={[
            { title: '物资', render: (_, l) => l.item.name },
            { title: '批号', render: (_, l) => l.batch?.batchNo ?? '先到期先出' },
            { title: '批准', align: 'right', render: (_, l) => l.quantity },
            { title: '已出', align: 'right', render: (_, l) => l.executedQuantity },
            {
              title: '本次出库',
              render: (_, _l, i) => (
                <Form.Item name={['lines', i, 'quantity']} style={{ margin: 0 }}>
                  <InputNumber min={1} precision={0} />
                </Form.Item>
              ),
            },
          ]}
        />
      </Form>
    </Modal>
  );
}
