import { useState } from 'react';
import { Descriptions, Form, Input } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import { newIdempotencyKey } from '../common/format';
import type { Order } from './order';
import { OrderLinesTable } from './OrderLinesTable';

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
  const [, ship] = useMutation(Ship);
  const open = order.lines.filter((l) => l.remainingQuantity > 0);
  const submit = async (v: Values) => {
    if (!order.toStore) return { refused: ['该出库申请没有调入仓库，不能调拨出库'] };
    const { data, error } = await ship({
      input: { fromStoreId: order.store.id, toStoreId: order.toStore.id, orderId: order.id, note: v.note, idempotencyKey: key, lines: v.lines },
    });
    return { error, success: `调拨单 ${data?.shipTransfer.number} 已发运` };
  };
  return (
    <FormDialog
      form={form}
      name="ship"
      width={760}
      title={`调拨出库：${order.number}`}
      okText="发运"
      intro={
        <Descriptions size="small" column={2}>
          <Descriptions.Item label="调入仓库">{order.toStore?.name ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="申请人">{order.requestedBy.displayName}</Descriptions.Item>
        </Descriptions>
      }
      initialValues={{ lines: open.map((l) => ({ itemId: l.item.id, batchId: l.batch?.id, quantity: l.remainingQuantity })) }}
      submit={submit}
      onClose={onClose}
    >
      <OrderLinesTable lines={open} quantityTitle="本次发运" />
      <Form.Item name="note" label="备注" style={{ marginTop: 12 }}>
        <Input />
      </Form.Item>
    </FormDialog>
  );
}
