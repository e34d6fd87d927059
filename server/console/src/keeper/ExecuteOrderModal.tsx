import { useEffect, useState } from 'react';
import { Form, Input, Select } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import { newIdempotencyKey } from '../common/format';
import type { Order } from './order';
import { defaultReason, reasonFitsPurpose } from './issue-reasons';
import { OrderLinesTable } from './OrderLinesTable';
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

/**
 * Issues against an approved order; the API refuses more than the order has left (D23), at the line's quantity. Only
 * the reasons the order's purpose allows are offered (D23: a relief order is not booked as a drill or a loan), the
 * one that says its purpose chosen to begin with.
 */
export function ExecuteOrderModal({ order, onClose }: { order: Order; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<Values>();
  const [key] = useState(newIdempotencyKey);
  const reasons = useReasonOptions('ISSUE').filter((r) => reasonFitsPurpose(r, order.purpose));
  const preset = defaultReason(order.purpose, reasons);
  // The reasons may arrive after the form is drawn: the preset is filled in then, unless one was picked meanwhile.
  useEffect(() => {
    if (preset && !form.getFieldValue('reason')) form.setFieldValue('reason', preset);
  }, [form, preset]);
  const [, issue] = useMutation(Issue);
  const open = order.lines.filter((l) => l.quantity > l.executedQuantity);
  const submit = async (v: Values) => {
    const { data, error } = await issue({
      input: { storeId: order.store.id, orderId: order.id, recipient: v.recipient, reason: v.reason, idempotencyKey: key, lines: v.lines },
    });
    return { error, success: `出库单 ${data?.issueStock.number} 已过账` };
  };
  return (
    <FormDialog
      form={form}
      name="execute"
      width={760}
      title={`执行出库：${order.number}`}
      okText="出库"
      initialValues={{
        recipient: order.recipient ?? order.toStore?.name,
        reason: preset,
        lines: open.map((l) => ({ itemId: l.item.id, batchId: l.batch?.id, quantity: l.quantity - l.executedQuantity })),
      }}
      submit={submit}
      onClose={onClose}
    >
      {/* D23: an order is issued to the recipient it was approved for (the API refuses another). */}
      <Form.Item name="recipient" label="领用单位" rules={[{ required: true }]} extra={order.recipient ? '按出库申请批准的领用单位' : undefined}>
        <Input disabled={Boolean(order.recipient)} />
      </Form.Item>
      <Form.Item name="reason" label="出库原因" rules={[{ required: true, message: '请选择出库原因' }]}>
        <Select options={reasons} />
      </Form.Item>
      <OrderLinesTable lines={open} quantityTitle="本次出库" />
    </FormDialog>
  );
}
