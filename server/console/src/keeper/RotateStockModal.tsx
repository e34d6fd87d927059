import { useState } from 'react';
import { Alert, DatePicker, Form, Input, Select } from 'antd';
import { Modal } from '../common/Modal';
import type { Dayjs } from 'dayjs';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormAlerts } from '../common/FormAlerts';
import { FormDialog } from '../common/FormDialog';
import { formatQuantity, newIdempotencyKey } from '../common/format';
import { optionsOf, ROTATION_DISPOSAL } from '../common/labels';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import { batchLabel, leavable, useStoreBatches } from './batches';
import type { Order } from './order';

const Rotate = graphql(`
  mutation RotateStock($input: RotateStockInput!) {
    rotateStock(input: $input) {
      id
      number
    }
  }
`);

/** A batch at the store that may be rotated out: its item, and how much of it may leave (D26: an expired one too). */
export interface RotationSource {
  batchId: string;
  itemId: string;
  label: string;
  leavable: number;
}

interface Values {
  orderId: string;
  batchId: string;
  quantity: number;
  disposal: keyof typeof ROTATION_DISPOSAL;
  counterpart: string;
  note?: string;
  newBatch: { batchNo: string; productionDate?: Dayjs; expiryDate?: Dayjs; unitPrice?: string };
}

/** What an approved order still allows of a batch (D23): its lines naming the batch, and those of the item naming none. */
export const orderAllows = (order: Order, itemId: string, batchId: string) =>
  order.lines.filter((l) => l.item.id === itemId && (!l.batch || l.batch.id === batchId)).reduce((n, l) => n + l.remainingQuantity, 0);

/**
 * 轮换 (D10) against an approved rotation order (D23 凭令出库): old stock out to a recorded counterpart and the same
 * quantity of a new batch in. The keeper picks the order and the batch among those given (often just one of either).
 */
export function RotateStockModal({
  storeId,
  title,
  orders,
  sources,
  onClose,
}: {
  storeId: string;
  title: string;
  orders: Order[];
  sources: RotationSource[];
  onClose: (done: boolean) => void;
}) {
  const [form] = Form.useForm<Values>();
  const [key] = useState(newIdempotencyKey);
  const [, rotate] = useMutation(Rotate);
  /** The most this order and batch allow together: what is on hand, within what the order has left. */
  const limit = (orderId?: string, batchId?: string) => {
    const order = orders.find((o) => o.id === orderId);
    const source = sources.find((s) => s.batchId === batchId);
    return order && source ? Math.min(source.leavable, orderAllows(order, source.itemId, source.batchId)) : undefined;
  };
  const first = orders[0];
  const firstSource = sources.find((s) => (limit(first?.id, s.batchId) ?? 0) > 0) ?? sources[0];
  const submit = async (v: Values) => {
    const day = (d?: Dayjs) => d?.format('YYYY-MM-DD');
    const newBatch = { ...v.newBatch, productionDate: day(v.newBatch.productionDate), expiryDate: day(v.newBatch.expiryDate) };
    const { data, error } = await rotate({ input: { ...v, newBatch, storeId, idempotencyKey: key } });
    return { error, success: `轮换单 ${data?.rotateStock.number} 已过账` };
  };
  return (
    <FormDialog
      form={form}
      name="rotate"
      title={title}
      okText="过账"
      initialValues={{
        orderId: first?.id,
        batchId: firstSource?.batchId,
        quantity: limit(first?.id, firstSource?.batchId),
        disposal: 'SALE',
        counterpart: first?.recipient ?? undefined,
      }}
      onValuesChange={(changed: Partial<Values>) => {
        if (!('orderId' in changed) && !('batchId' in changed)) return;
        const quantity = limit(form.getFieldValue('orderId') as string, form.getFieldValue('batchId') as string);
        if (quantity) form.setFieldValue('quantity', quantity);
        const recipient = orders.find((o) => o.id === changed.orderId)?.recipient;
        if (recipient) form.setFieldValue('counterpart', recipient);
      }}
      submit={submit}
      onClose={onClose}
    >
      <Form.Item name="orderId" label="依据出库申请（已批准的轮换申请）" rules={[{ required: true, message: '请选择出库申请' }]}>
        <Select
          options={orders.map((o) => ({
            value: o.id,
            label: `${o.number}${o.recipient ? ` · ${o.recipient}` : ''}（尚可 ${o.lines.map((l) => `${l.item.name} ${formatQuantity(l.remainingQuantity, l.item.unit)}`).join('、')}）`,
          }))}
        />
      </Form.Item>
      <Form.Item name="batchId" label="轮出批次" rules={[{ required: true, message: '请选择轮出批次' }]}>
        <Select options={sources.map((s) => ({ value: s.batchId, label: s.label }))} />
      </Form.Item>
      <Form.Item
        name="quantity"
        label="轮出数量"
        dependencies={['orderId', 'batchId']}
        rules={[
          ...quantityRules('quantity', '请输入轮出数量'),
          ({ getFieldValue }) => ({
            validator: async (_, value?: number) => {
              const max = limit(getFieldValue('orderId') as string, getFieldValue('batchId') as string);
              if (value && max !== undefined && value > max) throw new Error(`超出可轮换数量：该申请与批次尚可轮换 ${max}`);
            },
          }),
        ]}
      >
        <QuantityInput />
      </Form.Item>
      <Form.Item name="disposal" label="处置方式" rules={[{ required: true }]}>
        <Select options={optionsOf(ROTATION_DISPOSAL)} />
      </Form.Item>
      <Form.Item name="counterpart" label="接收方" rules={[{ required: true, message: '请填写接收方' }]}>
        <Input />
      </Form.Item>
      <Form.Item name={['newBatch', 'batchNo']} label="新批次批号" rules={[{ required: true, message: '请填写新批号' }]}>
        <Input />
      </Form.Item>
      <Form.Item name={['newBatch', 'productionDate']} label="新批次生产日期">
        <DatePicker />
      </Form.Item>
      <Form.Item name={['newBatch', 'expiryDate']} label="新批次有效期至">
        <DatePicker />
      </Form.Item>
      <Form.Item name={['newBatch', 'unitPrice']} label="新批次单价（元）">
        <Input />
      </Form.Item>
      <Form.Item name="note" label="备注">
        <Input />
      </Form.Item>
    </FormDialog>
  );
}

/** 轮换 from an approved rotation order (出库 → 待执行): its batches at the store, or those of its items it names none of. */
export function RotateOrderModal({ order, onClose }: { order: Order; onClose: (done: boolean) => void }) {
  const open = order.lines.filter((l) => l.remainingQuantity > 0);
  const { lines, errors } = useStoreBatches(
    order.store.id,
    open.map((l) => l.item.id),
  );
  const title = `轮换：${order.number}`;
  if (!lines) {
    return (
      <Modal open loading title={title} footer={null} onCancel={() => onClose(false)}>
        <FormAlerts messages={errors} />
      </Modal>
    );
  }
  const sources = lines
    .filter((b) => leavable(b) > 0 && orderAllows(order, b.item.id, b.batch.id) > 0)
    .map((b) => ({ batchId: b.batch.id, itemId: b.item.id, label: `${b.item.name} ${batchLabel(b)}`, leavable: leavable(b) }));
  if (!sources.length) {
    return (
      <Modal open title={title} footer={null} onCancel={() => onClose(false)}>
        <FormAlerts messages={errors} />
        <Alert type="warning" showIcon message="本库没有该申请可轮换的库存" />
      </Modal>
    );
  }
  return <RotateStockModal storeId={order.store.id} title={title} orders={[order]} sources={sources} onClose={onClose} />;
}
