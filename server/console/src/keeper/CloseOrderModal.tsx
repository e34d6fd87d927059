import { App, Form, Input } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import type { Order } from './order';
import { formatQuantity } from '../common/format';

const Close = graphql(`
  mutation CloseOutboundOrder($orderId: ID!, $reason: String!, $withdraw: Boolean) {
    closeOutboundOrder(orderId: $orderId, reason: $reason, withdraw: $withdraw) {
      id
      status
      closeReason
    }
  }
`);

/**
 * D23: an approved order that will not be executed (further) is closed, with the reason on record; one still waiting
 * for approval is withdrawn (撤回, sweep 21a N1) the same way — the approver's queue no longer offers it. Sweep 23c F1:
 * 撤回 asks the API to withdraw only (withdraw: true): one approved or rejected since the list was read is not closed
 * under the name 撤回 — the dialog gives way to what the API says (decided by whom, when; 关闭 for an approved one,
 * which the list, read again, now offers).
 */
export function CloseOrderModal({ order, onClose }: { order: Order; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  const [, close] = useMutation(Close);
  const { modal } = App.useApp();
  const withdraw = order.status === 'PENDING';
  const left = order.lines.filter((l) => l.remainingQuantity > 0);
  const act = withdraw ? '撤回' : '关闭';
  return (
    <FormDialog
      form={form}
      name="close"
      title={`${act}出库申请：${order.number}`}
      okText={`${act}申请`}
      danger
      intro={
        withdraw ? (
          <p>
            撤回后该申请不再等待审批，所申请的物资不出库：{left.map((l) => `${l.item.name} ${formatQuantity(l.remainingQuantity, l.item.unit)}`).join('；')}
          </p>
        ) : (
          <p>关闭后未执行的数量不再出库：{left.map((l) => `${l.item.name} ${formatQuantity(l.remainingQuantity, l.item.unit)}`).join('；') || '无'}</p>
        )
      }
      submit={async ({ reason }) => {
        const { error } = await close({ orderId: order.id, reason, withdraw });
        const decided = withdraw && error?.graphQLErrors.find((e) => e.extensions?.code === 'INVALID_STATE');
        if (decided) {
          void modal.warning({ title: '未撤回', content: decided.message, okText: '知道了' });
          onClose(true);
          return undefined;
        }
        return { error, success: `出库申请 ${order.number} 已${act}` };
      }}
      onClose={onClose}
    >
      <Form.Item name="reason" label={`${act}原因`} rules={[{ required: true, whitespace: true, message: `请填写${act}原因` }]}>
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
    </FormDialog>
  );
}
