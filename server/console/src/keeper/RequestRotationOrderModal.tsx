import { useState } from 'react';
import { Form, Input } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import { formatQuantity, newIdempotencyKey } from '../common/format';
import { QuantityInput, quantityRules } from '../common/QuantityInput';

const RequestOrder = graphql(`
  mutation RequestRotationOrder($input: OutboundOrderInput!) {
    requestOutboundOrder(input: $input) {
      id
      number
    }
  }
`);

interface Values {
  quantity: number;
  recipient: string;
  note?: string;
}

/**
 * 申请轮换出库: the outbound order (purpose ROTATION_SALE, naming the batch) a second person approves before a rotation
 * may take the old stock out (D23, D24).
 */
export function RequestRotationOrderModal({
  storeId,
  item,
  batch,
  quantity,
  onClose,
}: {
  storeId: string;
  item: { id: string; name: string; unit: string };
  batch: { id: string; batchNo: string };
  quantity: number;
  onClose: (requested: boolean) => void;
}) {
  const [form] = Form.useForm<Values>();
  const [key] = useState(newIdempotencyKey);
  const [, request] = useMutation(RequestOrder);
  const submit = async (v: Values) => {
    const { data, error } = await request({
      input: {
        storeId,
        purpose: 'ROTATION_SALE',
        recipient: v.recipient,
        note: v.note,
        idempotencyKey: key,
        lines: [{ itemId: item.id, batchId: batch.id, quantity: v.quantity }],
      },
    });
    // The API names the line's quantity as lines.0.quantity: here it is the one quantity field.
    if (error) return { error, mapping: { aliases: { lines: 'quantity' } } };
    return { success: `出库申请 ${data?.requestOutboundOrder.number} 已提交，等待审批；批准后即可轮换` };
  };
  return (
    <FormDialog
      form={form}
      name="rotationRequest"
      title={`申请轮换出库：${item.name} 批号 ${batch.batchNo}`}
      okText="提交申请"
      initialValues={{ quantity }}
      submit={submit}
      onClose={onClose}
    >
      <Form.Item
        name="quantity"
        label={`轮出数量（${item.unit}）`}
        rules={[
          ...quantityRules('quantity', '请输入数量'),
          { type: 'number', max: quantity, message: `轮出数量不能超过该批次的 ${formatQuantity(quantity, item.unit)}` },
        ]}
      >
        <QuantityInput />
      </Form.Item>
      <Form.Item name="recipient" label="接收方（买方、使用单位、受赠方或调入单位）" rules={[{ required: true, whitespace: true, message: '请填写接收方' }]}>
        <Input maxLength={128} />
      </Form.Item>
      <Form.Item name="note" label="事由">
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
    </FormDialog>
  );
}
