import { useState } from 'react';
import { Form, Input } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
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
  const [, cancel] = useMutation(Cancel);
  const lines = transfer.lines.filter((l) => l.inTransit > 0);
  return (
    <FormDialog
      form={form}
      name="cancelTransfer"
      title={`取消调拨：${transfer.number}`}
      okText="取消调拨"
      cancelText="返回"
      danger
      intro={
        <p>
          {transfer.toStore.name} 尚未收货。取消后在途物资全部退回{transfer.fromStore.name}：
          {lines.map((l) => `${l.item.name} ${l.inTransit}${l.item.unit}`).join('；') || '无'}
        </p>
      }
      submit={async ({ reason }) => {
        const { error } = await cancel({ transferId: transfer.id, reason: reason.trim(), idempotencyKey: key });
        return { error, success: `调拨单 ${transfer.number} 已取消，物资已退回${transfer.fromStore.name}` };
      }}
      onClose={onClose}
    >
      <Form.Item name="reason" label="取消原因" rules={[{ required: true, whitespace: true, message: '请填写取消原因' }]}>
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
    </FormDialog>
  );
}
