import { Form, Input } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
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
  const [, close] = useMutation(Close);
  const left = order.lines.filter((l) => l.remainingQuantity > 0);
  return (
    <FormDialog
      form={form}
      name="close"
      title={`关闭出库申请：${order.number}`}
      okText="关闭申请"
      danger
      intro={<p>关闭后未执行的数量不再出库：{left.map((l) => `${l.item.name} ${l.remainingQuantity}${l.item.unit}`).join('；') || '无'}</p>}
      submit={async ({ reason }) => {
        const { error } = await close({ orderId: order.id, reason });
        return { error, success: `出库申请 ${order.number} 已关闭` };
      }}
      onClose={onClose}
    >
      <Form.Item name="reason" label="关闭原因" rules={[{ required: true, whitespace: true, message: '请填写关闭原因' }]}>
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
    </FormDialog>
  );
}
