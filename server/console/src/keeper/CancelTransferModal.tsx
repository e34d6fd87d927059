import { useState } from 'react';
import { Form, Input } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import { formatQuantity, newIdempotencyKey } from '../common/format';
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
 * hand at the source (a 调拨撤销 document). A transfer partly received is corrected by a transfer back instead. A
 * dispatch plan's shipment is the command's to undo (D24, D27): the dispatcher's incident page opens this as 撤销调拨
 * (`verb`); the keeper's 调拨 screen does not offer it.
 */
export function CancelTransferModal({ transfer, verb = '取消', onClose }: { transfer: TransferRow; verb?: '取消' | '撤销'; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  const [key] = useState(newIdempotencyKey);
  const [, cancel] = useMutation(Cancel);
  const lines = transfer.lines.filter((l) => l.inTransit > 0);
  return (
    <FormDialog
      form={form}
      name="cancelTransfer"
      title={`${verb}调拨：${transfer.number}`}
      okText={`${verb}调拨`}
      cancelText="返回"
      danger
      intro={
        <>
          <p>
            {transfer.toStore.name} 尚未收货。{verb}后在途物资全部退回{transfer.fromStore.name}：
            {lines.map((l) => `${l.item.name} ${formatQuantity(l.inTransit, l.item.unit)}`).join('；') || '无'}
          </p>
          {transfer.dispatchPlanId && <p>{verb}后调拨方案仍在执行中，直至补发的物资到货或方案结束。</p>}
        </>
      }
      submit={async ({ reason }) => {
        const { error } = await cancel({ transferId: transfer.id, reason: reason.trim(), idempotencyKey: key });
        return { error, success: `调拨单 ${transfer.number} 已${verb}，物资已退回${transfer.fromStore.name}` };
      }}
      onClose={onClose}
    >
      <Form.Item name="reason" label={`${verb}原因`} rules={[{ required: true, whitespace: true, message: `请填写${verb}原因` }]}>
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
    </FormDialog>
  );
}
