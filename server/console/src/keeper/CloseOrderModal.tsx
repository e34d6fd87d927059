import { useState } from 'react';
import { App, Form, Input, Modal } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import type { Order } from './order';

const Close = graphql(`
  mutation CloseOutboundOrder($orderId: ID!, $reason: String!) {
    closeOutboundOrder(orderId: $orderId, reason: $reason) {
      id
      status
      closeReason
    }
  }
`);

/** D23: an approved order that will not be executed (further) is closed, with the reason on record. */
export function CloseOrderModal({ order, onClose }: { order: Order; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  const [alerts, setAlerts] = useState<string[]>([]);
  const [{ fetching }, close] = useMutation(Close);
  const { message } = App.useApp();
  const submit = async () => {
    const { reason } = await form.validateFields();
    setAlerts([]);
    const result = await close({ orderId: order.id, reason });
    if (result.error) return setAlerts(showFieldErrors(form, result.error));
    void message.success(`出库申请 ${order.number} 已关闭`);
    onClose(true);
  };
  const left = order.lines.filter((l) => l.remainingQuantity > 0);
  return (
    <Modal
      open
      title={`关闭出库申请：${order.number}`}
      okText="关闭申请"
      okButtonProps={{ danger: true }}
      confirmLoading={fetching}
      onOk={() => void submit().catch(() => {})}
      onCancel={() => onClose(false)}
    >
      <p>关闭后未执行的数量不再出库：{left.map((l) => `${l.item.name} ${l.remainingQuantity}${l.item.unit}`).join('；') || '无'}</p>
      <FormAlerts messages={alerts} />
      <Form form={form} name="close" layout="vertical">
        <Form.Item name="reason" label="关闭原因" rules={[{ required: true, whitespace: true, message: '请填写关闭原因' }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
