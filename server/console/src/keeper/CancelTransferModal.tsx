import { useState } from 'react';
import { App, Form, Input, Modal } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { newIdempotencyKey } from '../common/format';
import type { TransferRow } from './transfer';

const Cancel = graphql(`
  mutation CancelTransfer($transferId: ID!, $reason: String!, $idempotencyKey: String!) {
    cancelTransfer(transferId: $transferId, reason: $reason, idempotencyKey: $idempotencyKey) {
      id
      number
      status
    }
  }
`);

/**
 * 取消调拨 by the shipping store, before the other store has received any of it: everything in transit goes back on
 * hand at the source (a 调拨撤销 document). A transfer partly received is corrected by a transfer back instead.
 */
export function CancelTransferModal({ transfer, onClose }: { transfer: TransferRow; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  const [key] = useState(newIdempotencyKey);
  const [alerts, setAlerts] = useState<string[]>([]);
  const [{ fetching }, cancel] = useMutation(Cancel);
  const { message } = App.useApp();
  const submit = async () => {
    const { reason } = await form.validateFields();
    setAlerts([]);
    const result = await cancel({ transferId: transfer.id, reason: reason.trim(), idempotencyKey: key });
    if (result.error) return setAlerts(showFieldErrors(form, result.error));
    void message.success(`调拨单 ${transfer.number} 已取消，物资已退回${transfer.fromStore.name}`);
    onClose(true);
  };
  const lines = transfer.lines.filter((l) => l.inTransit > 0);
  return (
    <Modal
      open
      title={`取消调拨：${transfer.number}`}
      okText="取消调拨"
      cancelText="返回"
      okButtonProps={{ danger: true }}
      confirmLoading={fetching}
      onOk={() => void submit().catch(() => {})}
      onCancel={() => onClose(false)}
    >
      <p>
        {transfer.toStore.name} 尚未收货。取消后在途物资全部退回{transfer.fromStore.name}：
        {lines.map((l) => `${l.item.name} ${l.inTransit}${l.item.unit}`).join('；') || '无'}
      </p>
      <FormAlerts messages={alerts} />
      <Form form={form} name="cancelTransfer" layout="vertical">
        <Form.Item name="reason" label="取消原因" rules={[{ required: true, whitespace: true, message: '请填写取消原因' }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
