import { useState } from 'react';
import { App, Descriptions, Form, Input, InputNumber, Modal, Table } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { newIdempotencyKey } from '../common/format';
import type { Order } from './order';

const Ship = graphql(`
  mutation ShipTransfer($input: ShipTransferInput!) {
    shipTransfer(input: $input) {
      id
      number
    }
  }
`);

interface Values {
  note?: string;
  lines: { itemId: string; batchId?: string; quantity: number }[];
}

/**
 * 调拨出库: ships an approved transfer order (purpose TRANSFER, D23) to its receiving store; the stock is in transit
 * until the other store receives it. The API refuses more than the order has left, at the line's quantity.
 */
export function ShipTransferModal({ order, onClose }: { order: Order; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<Values>();
  const [key] = useState(newIdempotencyKey);
  const [alerts, setAlerts] = useState<string[]>([]);
  const [{ fetching }, ship] = useMutation(Ship);
  const { message } = App.useApp();
  const open = order.lines.filter((l) => l.remainingQuantity > 0);
  const submit = async () => {
    await form.validateFields();
    const v = form.getFieldsValue(true) as Values;
    setAlerts([]);
    if (!order.toStore) return setAlerts(['该出库申请没有调入仓库，不能调拨出库']);
    const result = await ship({
      input: { fromStoreId: order.store.id, toStoreId: order.toStore.id, orderId: order.id, note: v.note, idempotencyKey: key, lines: v.lines },
    });
    if (result.error) return setAlerts(showFieldErrors(form, result.error));
    void message.success(`调拨单 ${result.data?.shipTransfer.number} 已发运`);
    onClose(true);
  };
  return (
    <Modal
      open
      width={760}
      title={`调拨出库：${order.number}`}
      okText="发运"
      confirmLoading={fetching}
      onOk={() => void submit().catch(() => {})}
      onCancel={() => onClose(false)}
    >
      <Descriptions size="small" column={2}>
        <Descriptions.Item label="调入仓库">{order.toStore?.name ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="申请人">{order.requestedBy.displayName}</Descriptions.Item>
      </Descriptions>
      <FormAlerts messages={alerts} />
      <Form
        form={form}
        name="ship"
        layout="vertical"
        initialValues={{ lines: open.map((l) => ({ itemId: l.item.id, batchId: l.batch?.id, quantity: l.remainingQuantity })) }}
      >
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
              title: '本次发运',
              render: (_, _l, i) => (
                <Form.Item name={['lines', i, 'quantity']} style={{ margin: 0 }} rules={[{ required: true, message: '请输入数量' }]}>
                  <InputNumber min={1} precision={0} />
                </Form.Item>
              ),
            },
          ]}
        />
        <Form.Item name="note" label="备注" style={{ marginTop: 12 }}>
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  );
}
